//! The store suite: one set of tests of what users rely on, run against every backend. Each test is
//! a function generic over the store traits it uses; [`on_both_backends!`] makes a `sqlite` and a
//! `postgres` test of it, each on an empty database of its own (a temporary directory; a throwaway
//! PostgreSQL database on the server `CUSTODE_TEST_POSTGRES` names, see `postgres::testing`).

mod admin;
mod audit;
mod cases;
mod contacts;
mod customer;
pub(crate) mod erasure;
mod history;
mod import;
mod periods;
mod processes;
mod processing;
mod reads;
mod runs;
mod servers;
mod speed;

use tempfile::TempDir;

use crate::domain::*;
use crate::store::postgres::testing::TestDb;
use crate::store::*;

/// A store and what must outlive it.
pub(crate) struct Opened<S> {
    pub store: S,
    pub dir: TempDir,
    pub db: Option<TestDb>,
}

pub(crate) fn sqlite(policy: Policy) -> Opened<SqliteStore> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), policy).unwrap();
    Opened {
        store,
        dir,
        db: None,
    }
}

/// None when no PostgreSQL server is configured for tests.
pub(crate) fn postgres(policy: Policy) -> Option<Opened<PostgresStore>> {
    let db = TestDb::create()?;
    let dir = tempfile::tempdir().unwrap();
    let store = PostgresStore::open(&db.url, dir.path(), policy).unwrap();
    Some(Opened {
        store,
        dir,
        db: Some(db),
    })
}

/// What a test may do to a backend's database directly, as someone with access to it would.
pub(crate) trait RawSql {
    /// Runs `sql` (plain SQL both databases read alike); the database's refusal as text.
    fn raw(&self, sql: &str) -> Result<(), String>;
    /// The first column of every row `sql` returns, as integers (NULL as None).
    fn ints(&self, sql: &str) -> Vec<Option<i64>>;
    /// `SELECT count(*) FROM <from>`, e.g. `count("consent_events WHERE contact_id = 3")`.
    fn count(&self, from: &str) -> i64;
}

impl RawSql for SqliteStore {
    fn raw(&self, sql: &str) -> Result<(), String> {
        let conn = rusqlite::Connection::open(self.db_path()).map_err(|e| e.to_string())?;
        // SQLite checks foreign keys only on connections that ask, as the store's own do.
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(|e| e.to_string())?;
        conn.execute_batch(sql).map_err(|e| e.to_string())
    }

    fn ints(&self, sql: &str) -> Vec<Option<i64>> {
        let conn = rusqlite::Connection::open(self.db_path()).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    fn count(&self, from: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db_path()).unwrap();
        conn.query_row(&format!("SELECT count(*) FROM {from}"), [], |r| r.get(0))
            .unwrap()
    }
}

impl RawSql for PostgresStore {
    fn raw(&self, sql: &str) -> Result<(), String> {
        let mut conn = self.conn().map_err(|e| e.to_string())?;
        conn.batch_execute(sql).map_err(|e| {
            e.as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string())
        })
    }

    fn ints(&self, sql: &str) -> Vec<Option<i64>> {
        let mut conn = self.conn().unwrap();
        conn.query(sql, &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    fn count(&self, from: &str) -> i64 {
        let mut conn = self.conn().unwrap();
        conn.query_one(&format!("SELECT count(*) FROM {from}"), &[])
            .unwrap()
            .get(0)
    }
}

/// Every store trait, and direct access to the database: what a suite test may use.
pub(crate) trait TestStore: ComplianceStore + RawSql {}

impl<T: ComplianceStore + RawSql> TestStore for T {}

/// For each test function named, a module of that name with a `sqlite` and a `postgres` test, each
/// calling it with a fresh store under the default policy.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    let opened = $crate::store::suite::sqlite(Default::default());
                    super::$name(&opened.store);
                }

                #[test]
                fn postgres() {
                    if let Some(opened) = $crate::store::suite::postgres(Default::default()) {
                        super::$name(&opened.store);
                    }
                }
            }
        )*
    };
}
pub(crate) use on_both_backends;

pub(crate) fn dpo() -> Actor {
    Actor::new("giulia.dpo", Role::Dpo)
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> Timestamp {
    Timestamp::from_date(y, m, d).unwrap()
}

pub(crate) fn email(text: &str) -> Identity {
    Identity::Email(Email::parse(text).unwrap())
}

pub(crate) fn phone(text: &str) -> Identity {
    Identity::Phone(Phone::parse(text, PhoneCountry::default()).unwrap())
}

pub(crate) fn field(name: &str, value: &str) -> FieldValue {
    FieldValue {
        name: name.into(),
        value: value.into(),
    }
}

/// A record as a fair importer would deliver it: email, name, company, marketing consent by email
/// with the notice version seen.
pub(crate) fn record(row: u64, mail: &str, last_name: &str) -> NormalizedRecord {
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

pub(crate) fn batch(file: &str) -> BatchMeta {
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
pub(crate) fn import<S: ImportStore>(
    store: &S,
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

/// The one contact `import` created from a one-record file.
pub(crate) fn created(outcomes: &[RecordOutcome]) -> ContactId {
    match outcomes {
        [RecordOutcome::Created(id)] => *id,
        other => panic!("expected one new contact, got {other:?}"),
    }
}

/// `can_process` under the default policy, as the services ask it.
pub(crate) fn decide<S: SubjectStore>(
    store: &S,
    id: ContactId,
    purpose: &str,
    channel: ConsentChannel,
    at: Timestamp,
) -> Decision {
    let facts = store.processing_facts(id, purpose, channel, at).unwrap();
    can_process(
        &Policy::default(),
        &ProcessingQuery {
            purpose,
            channel: channel.as_str(),
            at,
        },
        &facts,
    )
}
