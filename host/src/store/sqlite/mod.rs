//! The SQLite backend: one file `custode.db` (WAL) in the data directory, beside `secret.key`.

mod admin;
mod audit;
mod backup;
mod consent;
mod contacts;
mod erasure;
mod facts;
mod import;
mod pool;
mod records;
pub mod schema;
mod suppression;
mod views;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicI64;
use std::sync::RwLock;

use foldhash::fast::RandomState;

pub use pool::with_write_wait;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::domain::{Actor, ContactId, Policy, SuppressionScope, Timestamp};
use crate::store::error::{data_dir_error, DbContext, StoreError};
use crate::store::secret::{self, Keys};
use crate::store::{ComplianceStore, Result};

use pool::{ReaderPool, WriterSlot};

pub const DB_FILE: &str = "custode.db";

/// Purpose names and their ids in the database.
#[derive(Debug, Default)]
pub(crate) struct PurposeIds {
    by_name: HashMap<String, i64, RandomState>,
    by_id: HashMap<i64, String, RandomState>,
}

impl PurposeIds {
    pub fn id(&self, name: &str) -> Result<i64> {
        self.by_name.get(name).copied().ok_or_else(|| {
            StoreError::invalid(
                "purpose",
                format!("purpose `{name}` is not in the purpose catalogue"),
            )
        })
    }

    pub fn name(&self, id: i64) -> String {
        self.by_id
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("purpose-{id}"))
    }
}

/// What a write records in the audit log: no personal data, only ids, counts and digests.
pub(crate) struct AuditDraft {
    pub action: &'static str,
    pub target: String,
    pub details: serde_json::Value,
}

impl AuditDraft {
    pub fn new(
        action: &'static str,
        target: impl Into<String>,
        details: serde_json::Value,
    ) -> Self {
        AuditDraft {
            action,
            target: target.into(),
            details,
        }
    }

    pub fn contact(action: &'static str, id: ContactId, details: serde_json::Value) -> Self {
        AuditDraft::new(action, format!("contact:{}", id.0), details)
    }
}

pub struct SqliteStore {
    pub(crate) policy: Policy,
    pub(crate) keys: Keys,
    writer: WriterSlot,
    readers: ReaderPool,
    /// The whole suppression list, keyed hash -> entry: every imported identity is checked against it,
    /// and a hash map lookup is cheaper than a B-tree seek. The database stays the source of truth; this
    /// copy changes only while the writer is held, after the change is committed.
    pub(crate) suppression: RwLock<HashMap<[u8; 32], (Timestamp, SuppressionScope), RandomState>>,
    /// The `suppression_version` of the database when the in-memory copy was loaded: another process
    /// (a CLI run beside the server) may add entries, and the copy is reloaded when it sees a newer one.
    pub(crate) suppression_version: AtomicI64,
    pub(crate) purposes: PurposeIds,
    db_path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the installation in `data_dir`: the key file, the database, its
    /// schema, the purpose catalogue and the suppression list.
    pub fn open(data_dir: &Path, policy: Policy) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::io("cannot create the data directory", data_dir, e))?;
        let db_path = data_dir.join(DB_FILE);
        let db_existed = db_path.exists();
        let (keys, key_created) = secret::load_or_create(data_dir)?;
        if key_created && db_existed {
            return Err(data_dir_error(
                data_dir,
                &format!("`{}` was missing and a new one was made, but the database needs the original to check the suppression list and the audit log: stop, delete the new `{}`, and restore the original from your backup", secret::SECRET_FILE, secret::SECRET_FILE),
            ));
        }
        let mut conn = pool::open_writer(&db_path)?;
        schema::migrate(&mut conn)?;
        check_fingerprint(&conn, &keys, data_dir)?;
        let purposes = sync_purposes(&conn, &policy)?;
        let store = SqliteStore {
            suppression_version: AtomicI64::new(suppression::version(&conn)?),
            suppression: RwLock::new(suppression::load(&conn)?),
            policy,
            keys,
            writer: WriterSlot::new(conn),
            readers: ReaderPool::new(db_path.clone()),
            purposes,
            db_path,
        };
        Ok(store)
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    pub(crate) fn reader(&self) -> Result<pool::ReaderGuard<'_>> {
        self.readers.get()
    }

    /// The writer; a thread inside [`pool::with_write_wait`] waits for it only that long.
    pub(crate) fn writer(&self) -> Result<pool::WriterGuard<'_>> {
        self.writer.take()
    }

    /// Tells the readers that this process committed a write.
    pub(crate) fn written(&self) {
        self.readers.written();
    }

    /// Runs `f` in one IMMEDIATE transaction on the writer, appends its audit entry, commits.
    pub(crate) fn write<T>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(T, AuditDraft)>,
    ) -> Result<T> {
        let mut conn = self.writer()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db("cannot start a write transaction")?;
        let (value, draft) = f(&tx)?;
        audit::append(&tx, &self.keys, actor, &draft)?;
        tx.commit().db("cannot commit")?;
        self.readers.written();
        Ok(value)
    }
}

impl ComplianceStore for SqliteStore {
    fn policy(&self) -> &Policy {
        &self.policy
    }
}

fn check_fingerprint(conn: &Connection, keys: &Keys, data_dir: &Path) -> Result<()> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'key_fingerprint'",
            [],
            |r| r.get(0),
        )
        .optional()
        .db("cannot read the database metadata")?;
    match stored {
        Some(f) if f == keys.fingerprint => Ok(()),
        Some(_) => Err(data_dir_error(
            data_dir,
            &format!("`{}` belongs to another installation: restore this database's own key file from your backup", secret::SECRET_FILE),
        )),
        None => conn
            .execute("INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?1)", [&keys.fingerprint])
            .map(|_| ())
            .db("cannot write the database metadata"),
    }
}

/// Gives every purpose of the catalogue an id; ids of purposes no longer configured are kept for history.
fn sync_purposes(conn: &Connection, policy: &Policy) -> Result<PurposeIds> {
    for p in policy.catalogue.purposes() {
        conn.execute(
            "INSERT OR IGNORE INTO purposes (name) VALUES (?1)",
            params![p.name],
        )
        .db("cannot record the purpose catalogue")?;
    }
    let mut ids = PurposeIds::default();
    let mut stmt = conn
        .prepare("SELECT id, name FROM purposes")
        .db("purposes")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .db("purposes")?;
    for row in rows {
        let (id, name) = row.db("purposes")?;
        ids.by_name.insert(name.clone(), id);
        ids.by_id.insert(id, name);
    }
    Ok(ids)
}

/// Wall-clock time for `recorded_at` columns and audit entries (rules get their "now" from callers).
pub(crate) fn now() -> Timestamp {
    Timestamp::now()
}

/// Reads an optional timestamp column.
pub(crate) fn ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp)
}

#[cfg(test)]
mod tests;
