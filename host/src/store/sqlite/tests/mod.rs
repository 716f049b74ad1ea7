//! Behaviour of the SQLite store that users rely on, on real database files.

mod audit;
mod checkpoint;
mod erasure;
mod import;
mod migration;
mod periods;
mod processing;
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

pub(super) fn dpo() -> Actor {
    Actor::new("giulia.dpo", Role::Dpo)
}

pub(super) fn day(y: i32, m: u32, d: u32) -> Timestamp {
    Timestamp::from_date(y, m, d).unwrap()
}

pub(super) fn email(text: &str) -> Identity {
    Identity::Email(Email::parse(text).unwrap())
}

pub(super) fn field(name: &str, value: &str) -> FieldValue {
    FieldValue {
        name: name.into(),
        value: value.into(),
    }
}

/// A record as a fair importer would deliver it: email, name, company, marketing consent by email
/// with the notice version seen.
pub(super) fn record(row: u64, mail: &str, last_name: &str) -> NormalizedRecord {
    NormalizedRecord {
        row,
        identities: vec![email(mail)],
        fields: vec![
            field("first_name", "Mario"),
            field("last_name", last_name),
            field("company", "Rossi S.r.l."),
        ],
        consents: vec![ConsentClaim {
            purpose: "marketing".into(),
            channel: ConsentChannel::Email,
            action: ConsentAction::Granted,
            at: Some(day(2026, 1, 10)),
            evidence: Some("checkbox on the fair form".into()),
            notice_version: Some("2026-01".into()),
        }],
        ..NormalizedRecord::default()
    }
}

pub(super) fn batch(file: &str) -> BatchMeta {
    BatchMeta {
        source_label: "Fiera Milano 2026".into(),
        channel: SourceChannel::Fair,
        file_digest: Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            file.as_bytes(),
        ))),
        plugin: Some(PluginRef {
            name: "csv".into(),
            version: "0.1.0".into(),
            digest: "ab".repeat(32),
        }),
        started_at: day(2026, 1, 10),
        collected_at: day(2026, 1, 10),
    }
}

/// Imports `records` as one batch from a file whose content is `file`.
pub(super) fn import(
    store: &SqliteStore,
    file: &str,
    records: &[NormalizedRecord],
) -> (ImportCommitted, Vec<RecordOutcome>) {
    let mut outcomes = Vec::new();
    let committed = store
        .import(&dpo(), &batch(file), &mut |w| {
            for r in records {
                outcomes.push(w.write(r)?);
            }
            Ok(serde_json::json!({ "rows": records.len() }))
        })
        .unwrap();
    (committed, outcomes)
}

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
