//! The PostgreSQL backend, for installations that outgrow one machine: several `custode serve`
//! processes on one database (`[store] url = "postgres://…"`). It keeps every guarantee of the SQLite
//! store with the database's own means:
//!
//! - one writer at a time across all servers: every write transaction first takes the transaction
//!   advisory lock [`WRITER_LOCK`], so the audit chain has one head and an import is all-or-nothing
//!   exactly as on SQLite (PostgreSQL waits for the lock; a bounded wait becomes the transaction's
//!   `lock_timeout`);
//! - the append-only tables refuse updates and deletes by trigger (`v1.sql`);
//! - the installation secret stays outside the database, in each server's data directory (the same
//!   `secret.key` on every server; the database records its fingerprint and refuses another).
//!
//! Layers: `schema` (migrations) and `rows` (the audit entry, purposes), then this module
//! (`PostgresStore`: opening, connections, `write`).

mod admin;
mod audit;
mod backup;
mod cases;
mod consent;
mod contacts;
pub(crate) mod details;
mod erasure;
mod facts;
mod import;
pub(crate) mod records;
mod review;
pub(crate) mod rows;
mod runs;
pub mod schema;
pub(crate) mod suppression;
#[cfg(test)]
pub(crate) mod testing;
mod views;

use std::path::Path;
use std::time::Duration;

use postgres::{Client, NoTls, Statement, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use crate::domain::{Actor, Policy};
use crate::store::common::{AuditDraft, PurposeIds};
use crate::store::error::{data_dir_error, DbContext, StoreError};
use crate::store::secret::{self, Keys};
use crate::store::{files, ComplianceStore, Result};

/// The transaction advisory lock every write takes first ("custode" + 0): the single writer of
/// SQLite, across processes.
pub const WRITER_LOCK: i64 = 0x6375_7374_6f64_6500;

/// Connections each server keeps at most: the blocking threads of one server rarely need more.
const POOL_SIZE: u32 = 16;

type Pool = r2d2::Pool<Sessions>;
pub(crate) type Conn = r2d2::PooledConnection<Sessions>;

/// A pooled connection and the statements prepared on it, for reads so frequent that planning them
/// on every call would be most of their cost (`can_process`).
pub(crate) struct Session {
    client: Client,
    /// `facts::FACTS_SQL`, prepared on the connection's first `can_process`.
    pub(crate) facts: Option<Statement>,
}

impl std::ops::Deref for Session {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// The pool's connection manager: `r2d2_postgres`'s, with a [`Session`] around each client.
pub(crate) struct Sessions(PostgresConnectionManager<NoTls>);

impl r2d2::ManageConnection for Sessions {
    type Connection = Session;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<Session, postgres::Error> {
        Ok(Session {
            client: self.0.connect()?,
            facts: None,
        })
    }

    fn is_valid(&self, session: &mut Session) -> std::result::Result<(), postgres::Error> {
        self.0.is_valid(&mut session.client)
    }

    fn has_broken(&self, session: &mut Session) -> bool {
        self.0.has_broken(&mut session.client)
    }
}

pub struct PostgresStore {
    pub(crate) policy: Policy,
    pub(crate) keys: Keys,
    /// `None` only while the store is dropped (see `Drop`).
    pool: Option<Pool>,
    pub(crate) purposes: PurposeIds,
    /// Where the server is, without the password: for messages.
    target: String,
}

impl ComplianceStore for PostgresStore {
    fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl PostgresStore {
    /// Opens the installation on the PostgreSQL database at `url`: the key file in `data_dir`
    /// (created with the database, copied to every other server), the schema, the purpose catalogue.
    pub fn open(url: &str, data_dir: &Path, policy: Policy) -> Result<Self> {
        let config: postgres::Config = url.parse().map_err(|e| {
            StoreError::Setup(format!(
                "`[store] url` is not a PostgreSQL connection string ({e}): write it as `postgres://user:password@host:port/database`"
            ))
        })?;
        let target = describe(&config);
        files::create_private_dir(data_dir)
            .map_err(|e| StoreError::io("cannot create the data directory", data_dir, e))?;
        let mut client = connect(&config, &target)?;
        schema::migrate(&mut client)?;
        let fingerprint = client
            .query_opt("SELECT value FROM meta WHERE key = 'key_fingerprint'", &[])
            .db("cannot read the database metadata")?
            .map(|r| r.get::<_, String>(0));
        let key_file = data_dir.join(secret::SECRET_FILE);
        if fingerprint.is_some() && !key_file.exists() {
            return Err(data_dir_error(
                data_dir,
                &format!("`{}` is missing, and the PostgreSQL database {target} was created with one: copy `{}` from the server that created the database (or from your backup) into this data directory", secret::SECRET_FILE, secret::SECRET_FILE),
            ));
        }
        let (keys, _) = secret::load_or_create(data_dir)?;
        match fingerprint {
            Some(f) if f == keys.fingerprint => {}
            Some(_) => {
                return Err(data_dir_error(
                    data_dir,
                    &format!("`{}` belongs to another installation than the PostgreSQL database {target}: copy the key file of the server that created the database", secret::SECRET_FILE),
                ))
            }
            None => {
                client
                    .execute(
                        "INSERT INTO meta (key, value) VALUES ('key_fingerprint', $1)
                         ON CONFLICT (key) DO NOTHING",
                        &[&keys.fingerprint],
                    )
                    .db("cannot write the database metadata")?;
                // Two servers creating the database at once: the first fingerprint stays.
                let stored: String = client
                    .query_one("SELECT value FROM meta WHERE key = 'key_fingerprint'", &[])
                    .db("cannot read the database metadata")?
                    .get(0);
                if stored != keys.fingerprint {
                    return Err(data_dir_error(
                        data_dir,
                        &format!("another server created the PostgreSQL database {target} with its own `{}` at the same time: copy that server's key file here and start again", secret::SECRET_FILE),
                    ));
                }
            }
        }
        let purposes = rows::sync_purposes(&mut client, &policy)?;
        drop(client);
        let manager = Sessions(PostgresConnectionManager::new(config, NoTls));
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            // Not a round trip of its own before every use (r2d2's default): a `can_process` over
            // HTTP is two statements, and the check made it three. A connection the server closed is
            // seen closed when it comes back and is dropped (`has_broken`); one that breaks while
            // idle fails its next statement, and the pool replaces it.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(30))
            .build(manager)
            .map_err(|e| {
                StoreError::Setup(format!(
                    "cannot open a pool of connections to {target}: {e}"
                ))
            })?;
        Ok(PostgresStore {
            policy,
            keys,
            pool: Some(pool),
            purposes,
            target,
        })
    }

    /// A connection of the pool.
    pub(crate) fn conn(&self) -> Result<Conn> {
        let pool = self
            .pool
            .as_ref()
            .expect("the pool lives as long as the store");
        pool.get().map_err(|e| {
            StoreError::Setup(format!(
                "no connection to PostgreSQL at {} became free or could be opened: {e}",
                self.target
            ))
        })
    }

    /// Runs `f` in one transaction holding the writer lock, appends its audit entry, commits.
    pub(crate) fn write<T>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<(T, AuditDraft)>,
    ) -> Result<T> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().db("cannot start a write transaction")?;
        lock_writer(&mut tx)?;
        let (value, draft) = f(&mut tx)?;
        rows::append_audit(&mut tx, &self.keys, actor, &draft)?;
        tx.commit().db("cannot commit")?;
        Ok(value)
    }
}

impl Drop for PostgresStore {
    /// Closing a connection of the blocking client blocks on its own runtime, which panics inside
    /// an async one: a server drops its store on a thread of its tokio runtime when it stops. The
    /// pool is closed on a thread of its own then.
    fn drop(&mut self) {
        let Some(pool) = self.pool.take() else { return };
        if tokio::runtime::Handle::try_current().is_ok() {
            let closing = std::thread::Builder::new()
                .name("custode-pg-close".into())
                .spawn(move || drop(pool));
            if let Ok(closing) = closing {
                let _ = closing.join();
            }
        }
    }
}

/// A read-only transaction in one snapshot (REPEATABLE READ): for reads whose parts must agree while
/// other servers write. `what` names the read in the error.
pub(crate) fn snapshot<'c>(conn: &'c mut Conn, what: &str) -> Result<Transaction<'c>> {
    conn.build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .db(what)
}

/// Takes the writer lock inside `tx`, waiting as long as [`crate::store::with_write_wait`] allows
/// this thread (as long as it takes otherwise).
pub(crate) fn lock_writer(tx: &mut Transaction<'_>) -> Result<()> {
    let limit = crate::store::common::write_wait::write_wait();
    if let Some(limit) = limit {
        tx.batch_execute(&format!(
            "SET LOCAL lock_timeout = {}",
            limit.as_millis().max(1)
        ))
        .db("cannot set the lock timeout")?;
    }
    match tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK]) {
        Ok(_) => {}
        Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
            return Err(StoreError::WriterBusy {
                waited: limit.unwrap_or_default(),
            })
        }
        Err(e) => return Err(e).db("cannot take the writer lock"),
    }
    if limit.is_some() {
        tx.batch_execute("SET LOCAL lock_timeout = 0")
            .db("cannot reset the lock timeout")?;
    }
    Ok(())
}

fn connect(config: &postgres::Config, target: &str) -> Result<Client> {
    config.connect(NoTls).map_err(|e| {
        let why = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| e.to_string());
        StoreError::Setup(format!(
            "cannot connect to PostgreSQL at {target}: {why} (check `[store] url` or CUSTODE_STORE_URL, and that the server accepts connections from this machine)"
        ))
    })
}

/// `user@host:port/database`, never the password.
fn describe(config: &postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("(default user)"),
        config.get_dbname().unwrap_or("(default database)")
    )
}
