//! The SQLite backend: one file `custode.db` (WAL) in the data directory, beside `secret.key`.
//!
//! Layers, each using only the ones before it: `pool` (connections) and `schema` (migrations);
//! `rows` (the row helpers several aggregates share: the audit entry every write appends, a
//! contact's own rows, the consent ledger, the suppression list); this module (`SqliteStore`:
//! opening, readers, the writer, `write`); then one module per aggregate, each implementing its
//! store trait: `audit`, `admin`, `consent`, `suppression`, `views` (a contact read whole), `records`
//! (the import write path), `contacts`, `facts`, `erasure`, `backup`, `import`, `cases` (data-subject request cases),
//! `runs` (retention runs, applied a batch of decisions per transaction) and `review` (the review queue).

mod admin;
mod audit;
mod backup;
mod cases;
mod checkpoint;
mod consent;
mod contacts;
mod erasure;
mod facts;
mod import;
mod pool;
mod records;
mod review;
mod rows;
mod runs;
pub mod schema;
mod suppression;
mod views;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicI64;
use std::sync::RwLock;

use foldhash::fast::RandomState;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::domain::{Actor, Policy, SuppressionScope, Timestamp};
use crate::store::error::{data_dir_error, DbContext, StoreError};
use crate::store::files;
use crate::store::secret::{self, Keys};
use crate::store::{ComplianceStore, Result};

use pool::{ReaderPool, WriterSlot};
use rows::{append_audit, sync_purposes, AuditDraft, PurposeIds};

pub const DB_FILE: &str = "custode.db";

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
    /// Copies the WAL into the database file off the request path (`checkpoint.rs`).
    checkpointer: checkpoint::Checkpointer,
}

impl SqliteStore {
    /// Opens (creating if needed) the installation in `data_dir`: the key file, the database, its
    /// schema, the purpose catalogue and the suppression list.
    pub fn open(data_dir: &Path, policy: Policy) -> Result<Self> {
        files::create_private_dir(data_dir)
            .map_err(|e| StoreError::io("cannot create the data directory", data_dir, e))?;
        make_private(data_dir)?;
        let db_path = data_dir.join(DB_FILE);
        let db_existed = db_path.exists();
        let (keys, key_created) = secret::load_or_create(data_dir)?;
        if key_created && db_existed {
            return Err(data_dir_error(
                data_dir,
                &format!("`{}` was missing and a new one was made, but the database needs the original to check the suppression list and the audit log: stop, delete the new `{}`, and restore the original from your backup", secret::SECRET_FILE, secret::SECRET_FILE),
            ));
        }
        if !db_existed {
            // SQLite gives the `-wal` and `-shm` files it creates the database file's mode.
            files::create_private_file(&db_path)
                .map_err(|e| StoreError::io("cannot create the database file", &db_path, e))?;
        }
        let mut conn = pool::open_writer(&db_path)?;
        schema::migrate(&mut conn)?;
        check_fingerprint(&conn, &keys, data_dir)?;
        import::key_old_file_digests(&mut conn, &keys)?;
        let purposes = sync_purposes(&conn, &policy)?;
        let store = SqliteStore {
            suppression_version: AtomicI64::new(rows::suppression::version(&conn)?),
            suppression: RwLock::new(rows::suppression::load(&conn)?),
            policy,
            keys,
            writer: WriterSlot::new(conn),
            readers: ReaderPool::new(db_path.clone()),
            purposes,
            checkpointer: checkpoint::Checkpointer::start(db_path.clone()),
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

    /// The writer; a thread inside [`crate::store::with_write_wait`] waits for it only that long.
    pub(crate) fn writer(&self) -> Result<pool::WriterGuard<'_>> {
        self.writer.take()
    }

    /// Held while this process checkpoints (see [`checkpoint::Checkpointer::lock`]).
    pub(super) fn checkpoint_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.checkpointer
            .lock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
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
        append_audit(&tx, &self.keys, actor, &draft)?;
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

/// Tightens what others could read in the data directory (see `store::files`), saying what it changed.
fn make_private(data_dir: &Path) -> Result<()> {
    let changed = files::restrict(data_dir, DB_FILE).map_err(|(path, e)| {
        StoreError::Setup(format!(
            "cannot make `{}` private to this user ({e}): run `chmod -R go-rwx {}` as its owner",
            path.display(),
            data_dir.display()
        ))
    })?;
    if !changed.is_empty() {
        let list: Vec<String> = changed
            .iter()
            .map(|t| format!("{} ({:o} -> {:o})", t.path.display(), t.was, t.now))
            .collect();
        tracing::warn!(
            changed = %list.join(", "),
            "files of the data directory were readable by other users of this machine and are now private; check who could read them, and keep copies made elsewhere (backups) as private"
        );
    }
    Ok(())
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

#[cfg(test)]
mod tests;
