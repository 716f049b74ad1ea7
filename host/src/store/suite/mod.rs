//! The store suite: one set of tests of what users rely on, run against every backend. Each test is
//! a function generic over the store traits it uses; [`on_both_backends!`] makes a `sqlite` and a
//! `postgres` test of it, each on an empty database of its own (a temporary directory; a throwaway
//! PostgreSQL database on the server `CUSTODE_TEST_POSTGRES` names, see `postgres::testing`).

mod admin;
mod audit;
mod cases;
mod runs;
mod servers;

use tempfile::TempDir;

use crate::domain::*;
use crate::store::postgres::testing::TestDb;
use crate::store::{PostgresStore, SqliteStore};

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
}

impl RawSql for SqliteStore {
    fn raw(&self, sql: &str) -> Result<(), String> {
        let conn = rusqlite::Connection::open(self.db_path()).map_err(|e| e.to_string())?;
        conn.execute_batch(sql).map_err(|e| e.to_string())
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
}

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
