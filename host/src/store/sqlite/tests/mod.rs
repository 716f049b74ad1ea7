//! Behaviour of the SQLite store that users rely on, on real database files.

mod audit;
mod checkpoint;
mod erasure;
mod import;
mod migration;
mod periods;
mod reads;

use tempfile::TempDir;

use super::SqliteStore;
use crate::domain::*;
use crate::store::*;

pub(super) fn open() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    (dir, store)
}

pub(super) use crate::store::suite::{batch, day, dpo, email, import, record};

#[test]
fn the_store_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SqliteStore>();
    fn assert_object_safe(_: &dyn ComplianceStore) {}
    let (_dir, store) = open();
    assert_object_safe(&store);
}

/// The database, its WAL and shared memory, the key and backups hold or protect personal data:
/// others on the machine read none of them, and a backup that fails leaves no copy behind.
#[cfg(unix)]
#[test]
fn every_file_of_an_installation_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let store = SqliteStore::open(&data, Policy::default()).unwrap();
    import(&store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    assert_eq!(mode(&data), 0o700);
    for file in [
        "custode.db",
        "custode.db-wal",
        "custode.db-shm",
        "secret.key",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    let copy = data.join("copy.db");
    store.backup(&dpo(), &copy).unwrap();
    assert_eq!(mode(&copy), 0o600);
    assert!(store.backup(&dpo(), &data.join("missing/copy.db")).is_err());
    let names: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("partial")), "{names:?}");
}
