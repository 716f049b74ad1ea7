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

/// The `custode` binary of this build (built now if needed: `cargo test` builds the library and the
/// tests, not necessarily the binary).
pub fn custode_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    // target/<profile>/deps/<test> → target/<profile>/custode
    let profile_dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build
        .args(["build", "-p", "custode", "--bin", "custode"])
        .current_dir(repo_root());
    // The variables cargo sets for a running test would change build scripts' fingerprints and make
    // this build and the next `cargo test` rebuild each other's dependencies.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let keep = ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_BUILD_JOBS"];
        if (key.starts_with("CARGO_") && !keep.contains(&key.as_ref())) || key == "OUT_DIR" {
            build.env_remove(key.as_ref());
        }
    }
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building the custode binary failed");
    let bin = profile_dir.join("custode");
    assert!(bin.exists(), "{} was not built", bin.display());
    bin
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
