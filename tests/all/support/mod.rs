//! Helpers shared by the end-to-end tests: paths, plugins, the `custode` binary and its processes;
//! `server` runs a server in the test's process.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use custode::runtime::Runtime;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ is inside the repository")
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

pub mod postgres;
pub mod schema;
pub mod server;

/// The plugin runtime of every test that needs no code cache of its own: one for the process, as a
/// server has one for all its jobs. A runtime holds a wasmtime engine whose instance pool reserves
/// 2 TiB of address space and about 2,000 memory mappings up front; Linux allows a process 65,530
/// mappings (`vm.max_map_count`), so about 30 engines fit, not one per test of a parallel run.
pub fn runtime() -> Arc<Runtime> {
    static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| Runtime::new(None).expect("the plugin runtime starts"))
        .clone()
}

/// The `custode` binary of this build: cargo builds it together with the tests, with the same
/// profile and features.
pub fn custode_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_custode"))
}

/// A loopback address with a port nobody listens on right now.
pub fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().to_string()
}

/// Waits until something listens on `address`, failing if `server` exits first or takes a minute.
pub fn wait_until_up(address: &str, server: &mut std::process::Child) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(address).is_err() {
        assert!(server.try_wait().unwrap().is_none(), "the server exited");
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Stops a `custode serve` process as a service manager does (SIGTERM) and checks it exited 0.
pub fn terminate(server: &mut std::process::Child) {
    let pid = server.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.wait().unwrap();
    assert!(status.success(), "the server exited with {status}");
}
