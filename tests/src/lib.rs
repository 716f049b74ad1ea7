//! Shared helpers for Custode's end-to-end tests.

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// The bytes of a built plugin: `plugins/dist/<name>.wasm`, or `plugins/dist/testing/<name>.wasm`
/// for the misbehaving test plugins.
pub fn plugin_bytes(name: &str) -> Vec<u8> {
    let dist = repo_root().join("plugins/dist");
    let path = [
        dist.join(format!("{name}.wasm")),
        dist.join(format!("testing/{name}.wasm")),
    ]
    .into_iter()
    .find(|p| p.exists())
    .unwrap_or_else(|| {
        panic!("no plugins/dist/{name}.wasm nor plugins/dist/testing/{name}.wasm: run `cargo xtask plugins`")
    });
    std::fs::read(path).expect("reading a built plugin")
}

pub mod server;
