//! The import service's promises on real database files: all or nothing whatever stops the input
//! (compared as a dump of every table), the report stored with the batch and in the audit log, and
//! the batch's real start time.

use super::*;
use crate::domain::{
    Email, FieldValue, Identity, Policy, Role, SourceIdentity, SourceRecord, SuppressionScope,
};
use crate::runtime::{PluginSettings, Runtime};
use crate::store::{AuditFilter, AuditStore, ContactStore, SqliteStore, SuppressionStore};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Arc;

fn open() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    (dir, Arc::new(store))
}

/// Every row of every table: "exactly as it was" is this, unchanged.
fn dump(store: &SqliteStore) -> BTreeMap<String, Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(
        store.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap();
    let tables: Vec<String> = tables
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    (0..columns)
                        .map(|i| {
                            r.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map(|cells| cells.join(" | "))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort();
            (table, rows)
        })
        .collect()
}

pub(super) fn options(on_error: OnError) -> ImportOptions {
    ImportOptions {
        source_label: "Fiera Milano 2026".into(),
        channel: SourceChannel::Fair,
        on_error,
        unknown_fields: FieldPolicy::Drop,
        actor: Actor::new("operator@test", Role::Operator),
        collected_at: Timestamp::from_date(2026, 3, 14).unwrap(),
    }
}

/// A native parser for these tests: one record per line, `email[,city[,shoe_size]]` (`shoe_size` is
/// outside the catalogue); the line `panic` makes it panic, as a bug in a parser would.
#[derive(Default)]
struct Lines {
    pending: Vec<u8>,
    row: u64,
}

impl Lines {
    fn take(&mut self, all: bool) -> SourceChunk {
        let end = match (all, self.pending.iter().rposition(|b| *b == b'\n')) {
            (true, _) => self.pending.len(),
            (false, Some(i)) => i + 1,
            (false, None) => 0,
        };
        let text: Vec<u8> = self.pending.drain(..end).collect();
        let mut records = Vec::new();
        for line in String::from_utf8_lossy(&text).lines() {
            self.row += 1;
            if line == "panic" {
                panic!("invented parser bug at row {}", self.row);
            }
            let mut cells = line.split(',');
            let mut fields = Vec::new();
            let email = cells.next().unwrap_or_default().to_string();
            for (name, value) in ["city", "shoe_size"].into_iter().zip(cells) {
                fields.push(FieldValue {
                    name: name.into(),
                    value: value.into(),
                });
            }
            records.push(SourceRecord {
                row: self.row,
                identities: vec![SourceIdentity::Email(email)],
                fields,
                ..SourceRecord::default()
            });
        }
        SourceChunk {
            records,
            rejected: vec![],
        }
    }
}

impl ChunkParser for Lines {
    fn push(&mut self, chunk: &[u8]) -> Result<SourceChunk, PluginError> {
        self.pending.extend_from_slice(chunk);
        Ok(self.take(false))
    }
    fn finish(&mut self) -> Result<SourceChunk, PluginError> {
        Ok(self.take(true))
    }
}

fn lines() -> Result<Box<dyn ChunkParser>, ImportError> {
    Ok(Box::new(Lines::default()))
}

/// An email about 200 bytes long, so a 1 MiB chunk holds a few thousand records, not tens of thousands.
fn long_email(i: usize) -> String {
    let label = |c: char| c.to_string().repeat(60);
    format!(
        "p{i}@{}.{}.{}.example.it",
        label('a'),
        label('b'),
        label('c')
    )
}

/// More than one 1 MiB chunk of good rows.
fn big_input() -> String {
    (0..6000).map(|i| long_email(i) + ",Milano\n").collect()
}

/// Imports `input` as the file whose SHA-256 is `digest` (any 64 hex digits).
pub(super) fn import_with(
    store: &SqliteStore,
    open: &OpenParser<'_>,
    input: impl Read + Send,
    digest: char,
    options: &ImportOptions,
    job: &JobHandle,
) -> Result<ImportReport, ImportError> {
    let parser = PluginRef {
        name: "lines".into(),
        version: "0.0.0".into(),
        digest: "0".repeat(64),
    };
    let input = Input {
        reader: input,
        name: "the test input".into(),
        digest: digest.to_string().repeat(64),
        bytes: 0,
        began: (Instant::now(), Timestamp::now()),
    };
    import_input(store, &parser, open, input, options, job)
}

/// A store with one committed import in it, so "as it was" is not just empty tables.
fn seeded() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let (dir, store) = open();
    let seed = "mario.rossi@example.it,Milano\nanna.neri@example.org,Torino,42\n";
    let options = options(OnError::Abort);
    import_with(
        &store,
        &lines,
        Cursor::new(seed),
        '1',
        &options,
        &JobHandle::default(),
    )
    .unwrap();
    (dir, store)
}

/// Gives `data`, then fails as a disk or a network mount can.
struct FailsAfter(Cursor<Vec<u8>>);

impl Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(std::io::Error::other("invented read failure")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_read_error_mid_file_leaves_the_database_exactly_as_it_was() {
    let (_dir, store) = seeded();
    let before = dump(&store);
    let job = JobHandle::default();
    let input = FailsAfter(Cursor::new(big_input().into_bytes()));
    let err = import_with(&store, &lines, input, '2', &options(OnError::Abort), &job).unwrap_err();
    assert!(matches!(err, ImportError::Io { .. }), "{err}");
    assert!(err.to_string().contains("invented read failure"), "{err}");
    assert!(
        job.progress().records.load(Ordering::Relaxed) > 0,
        "records were written before the failure (else this test shows nothing)"
    );
    assert_eq!(dump(&store), before);
}

#[test]
fn a_parser_that_cannot_be_opened_leaves_the_database_exactly_as_it_was() {
    let (_dir, store) = seeded();
    let before = dump(&store);
    let open = || -> Result<Box<dyn ChunkParser>, ImportError> {
        Err(ImportError::Invalid("invented setup failure".into()))
    };
    let input = Cursor::new(big_input());
    let err = import_with(
        &store,
        &open,
        input,
        '2',
        &options(OnError::Abort),
        &JobHandle::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("invented setup failure"), "{err}");
    assert_eq!(dump(&store), before, "not even an empty batch");
}

#[test]
fn a_panicking_parser_is_an_error_and_leaves_the_database_exactly_as_it_was() {
    let (_dir, store) = seeded();
    let before = dump(&store);
    let job = JobHandle::default();
    let input = Cursor::new(big_input() + "panic\n");
    let err = import_with(&store, &lines, input, '2', &options(OnError::Skip), &job).unwrap_err();
    assert!(matches!(err, ImportError::Internal(_)), "{err}");
    assert!(
        err.to_string().contains("invented parser bug at row 6001"),
        "{err}"
    );
    assert!(job.progress().records.load(Ordering::Relaxed) > 0);
    assert_eq!(dump(&store), before);
}

fn plugin(runtime: &Arc<Runtime>, bytes: &[u8]) -> Plugin {
    Plugin::load(runtime, bytes, PluginSettings::default()).unwrap()
}

fn import_bytes(
    store: &Arc<SqliteStore>,
    plugin: &Plugin,
    bytes: &str,
    job: &JobHandle,
) -> ImportError {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    Compliance::new(store.clone())
        .import_file(plugin, file.path(), &options(OnError::Abort), job)
        .unwrap_err()
}

#[test]
fn an_importer_that_panics_halfway_leaves_the_database_exactly_as_it_was() {
    let (_dir, store) = seeded();
    let before = dump(&store);
    let wasm = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../plugins/dist/testing/panic-halfway.wasm"
    );
    let runtime = Runtime::new(None).unwrap();
    let plugin = plugin(
        &runtime,
        &std::fs::read(wasm).expect("run `cargo xtask plugins`"),
    );
    let emails: String = (0..6000).map(|i| long_email(i) + "\n").collect();
    let job = JobHandle::default();
    let err = import_bytes(&store, &plugin, &emails, &job);
    assert!(matches!(err, ImportError::Plugin(_)), "{err}");
    assert!(
        job.progress().records.load(Ordering::Relaxed) > 0,
        "the first chunk was written"
    );
    assert_eq!(dump(&store), before);
}

#[test]
fn a_bad_row_in_a_later_chunk_leaves_the_database_exactly_as_it_was() {
    let (_dir, store) = seeded();
    let before = dump(&store);
    let runtime = Runtime::new(None).unwrap();
    let plugin = plugin(&runtime, crate::bundled::get("csv").unwrap().bytes);
    let file = format!("email,city\n{}not-an-email,Roma\n", big_input());
    let job = JobHandle::default();
    let err = import_bytes(&store, &plugin, &file, &job);
    assert!(
        matches!(err, ImportError::BadRow { row: 6002, .. }),
        "{err}"
    );
    assert!(
        job.progress().records.load(Ordering::Relaxed) > 0,
        "the first chunk was written"
    );
    assert_eq!(dump(&store), before);
}

#[test]
fn the_batch_starts_when_the_import_runs_and_records_keep_their_collection_time() {
    let (_dir, store) = open();
    let before = Timestamp::now();
    let mut options = options(OnError::Abort);
    options.collected_at = Timestamp::from_date(2020, 5, 1).unwrap();
    let input = Cursor::new("mario.rossi@example.it,Milano\n");
    let report = import_with(&store, &lines, input, '1', &options, &JobHandle::default()).unwrap();
    let started: i64 = store
        .reader()
        .unwrap()
        .query_row(
            "SELECT started_at FROM import_batches WHERE id = ?1",
            [report.batch],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        (before.0..=Timestamp::now().0).contains(&started),
        "started_at {started} is the time the import ran, not the collection time"
    );
    let email = Identity::Email(Email::parse("mario.rossi@example.it").unwrap());
    let id = store.find_contact(&email).unwrap().unwrap();
    let provenance = &store.contact(id).unwrap().provenance[0];
    assert_eq!(provenance.collected_at, options.collected_at);
}

#[test]
fn the_report_is_stored_with_the_batch_and_audited_whole_without_personal_data() {
    let (_dir, store) = open();
    let dpo = Actor::new("dpo@test", Role::Dpo);
    let blocked = Identity::Email(Email::parse("blocked.person@example.it").unwrap());
    store
        .suppress(
            &dpo,
            &blocked,
            "asked",
            &SuppressionScope::All,
            Timestamp::now(),
        )
        .unwrap();
    let file = "mario.rossi@example.it,Milano,42\n\
                mario.rossi@example.it,Milano,42\n\
                blocked.person@example.it,Roma\n\
                broken.address@,Napoli,44\n\
                anna.neri@example.org,Segreto\n";
    let report = import_with(
        &store,
        &lines,
        Cursor::new(file),
        '1',
        &options(OnError::Skip),
        &JobHandle::default(),
    )
    .unwrap();
    assert_eq!(report.rejected_rows[0].kind, RejectKind::InvalidEmail);
    assert!(
        report.rejected_rows[0].reason.contains("broken.address@"),
        "the operator sees the value"
    );

    let text: String = store
        .reader()
        .unwrap()
        .query_row(
            "SELECT report FROM import_batches WHERE id = ?1",
            [report.batch],
            |r| r.get(0),
        )
        .unwrap();
    let stored: ImportOutcome = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (
            stored.records_read,
            stored.created,
            stored.merged,
            stored.unchanged
        ),
        (5, 2, 0, 1),
        "{text}"
    );
    assert_eq!((stored.suppressed, stored.rejected), (1, 1), "{text}");
    let rejection = &stored.rejected_rows[0];
    assert_eq!(
        (rejection.row, rejection.column.as_deref(), rejection.kind),
        (4, Some("email"), RejectKind::InvalidEmail)
    );
    assert_eq!(rejection.reason, "not a valid email address");
    assert_eq!(
        stored.fields_dropped,
        BTreeMap::from([("shoe_size".to_string(), 2)])
    );
    assert!(!stored.already_imported);
    assert!(stored.records_per_second > 0.0, "{text}");
    assert!(stored.duration_ms <= report.duration_ms);

    let audit = store.audit_list(&AuditFilter::default()).unwrap();
    let entry = audit.iter().find(|e| e.action == "import.commit").unwrap();
    assert_eq!(
        entry.details["report"],
        serde_json::to_value(&stored).unwrap()
    );
    let audited = serde_json::to_string(&audit).unwrap();
    for personal in [
        "mario", "rossi", "broken", "blocked", "anna", "Milano", "Segreto",
    ] {
        assert!(
            !text.contains(personal),
            "{personal} in the stored report: {text}"
        );
        assert!(
            !audited.contains(personal),
            "{personal} in the audit log: {audited}"
        );
    }
}
