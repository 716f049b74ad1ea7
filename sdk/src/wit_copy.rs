//! The SDK carries its own copy of the WIT it binds (`sdk/wit/`), so the published crate builds
//! without the Custode repository around it. This test keeps that copy identical to the
//! repository's `wit/`, the one the host binds: change `wit/`, then copy it over `sdk/wit/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir`, by its path relative to `dir`, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {dir:?}: {e}"));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path:?}: {e}"));
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn the_sdks_wit_is_the_repositorys() {
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo_wit = sdk.join("../wit");
    if !sdk.join("../Cargo.toml").exists() {
        // Unpacked from crates.io: there is no repository to compare with.
        eprintln!("no Custode repository around {sdk:?}; nothing to compare");
        return;
    }
    let ours = files(&sdk.join("wit"));
    let theirs = files(&repo_wit);
    let ours_names: Vec<_> = ours.keys().collect();
    let their_names: Vec<_> = theirs.keys().collect();
    assert_eq!(
        ours_names, their_names,
        "sdk/wit/ does not hold the same files as wit/: copy wit/ over sdk/wit/ (`rm -r sdk/wit && cp -r wit sdk/wit`)"
    );
    for (name, bytes) in &theirs {
        assert!(
            ours[name] == *bytes,
            "sdk/wit/{} differs from wit/{}: copy wit/ over sdk/wit/ (`rm -r sdk/wit && cp -r wit sdk/wit`)",
            name.display(),
            name.display()
        );
    }
}
