//! Persistence of everything the controller must be able to prove, behind a few narrow traits (one per
//! aggregate), with two backends: SQLite (`sqlite::SqliteStore`, the embedded default) and
//! PostgreSQL (`postgres::PostgresStore`, for several servers on one database), chosen by
//! [`open_configured`]. `suite/` is the one set of tests both pass; `migrate` moves an installation
//! from the first to the second.
//!
//! Every write method takes the [`Actor`](crate::domain::Actor) and writes its audit entry in the same transaction as the
//! change: there is no write without its audit entry, and no audit entry for a write that rolled back.

pub mod admin;
pub mod audit_chain;
pub mod cases;
pub(crate) mod common;
pub(crate) mod encode;
pub mod error;
pub mod files;
pub mod migrate;
pub mod postgres;
pub mod runs;
pub mod secret;
pub mod sqlite;
#[cfg(test)]
mod suite;
mod traits;
pub mod types;

use std::path::Path;
use std::sync::Arc;

use crate::domain::Policy;

pub use admin::{ActiveToken, PluginStore, StoredPlugin, TokenInfo, TokenStore};
pub use audit_chain::{AuditProblem, AuditVerification};
pub use cases::CaseStore;
pub use common::write_wait::with_write_wait;
pub use error::{NextStep, Result, StoreError};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use traits::{
    AuditStore, BackupStore, ComplianceStore, ConsentStore, ContactStore, ErasureStore,
    ImportStore, RecordWriter, RetentionRunStore, ReviewStore, SubjectStore, SuppressionStore,
};
pub use types::*;

/// The SQLite store of the installation in `data_dir` (created if missing).
pub fn open(data_dir: &Path, policy: Policy) -> Result<SqliteStore> {
    SqliteStore::open(data_dir, policy)
}

/// The store `[store] url` names: PostgreSQL at `url` (with the key file in `data_dir`), else
/// SQLite in `data_dir`.
pub fn open_configured(
    data_dir: &Path,
    url: Option<&str>,
    policy: Policy,
) -> Result<Arc<dyn ComplianceStore>> {
    Ok(match url {
        Some(url) => Arc::new(PostgresStore::open(url, data_dir, policy)?),
        None => Arc::new(SqliteStore::open(data_dir, policy)?),
    })
}
