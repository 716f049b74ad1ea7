//! Persistence of everything the controller must be able to prove, behind a few narrow traits (one per
//! aggregate) so a PostgreSQL backend can be added later without touching the services. The SQLite
//! backend is the only one: `sqlite::SqliteStore`, opened with [`open`].
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

use crate::domain::Policy;

pub use admin::{ActiveToken, PluginStore, StoredPlugin, TokenInfo, TokenStore};
pub use audit_chain::{AuditProblem, AuditVerification};
pub use cases::CaseStore;
pub use error::{NextStep, Result, StoreError};
pub use postgres::PostgresStore;
pub use sqlite::{with_write_wait, SqliteStore};
pub use traits::{
    AuditStore, BackupStore, ComplianceStore, ConsentStore, ContactStore, ErasureStore,
    ImportStore, RecordWriter, RetentionRunStore, ReviewStore, SubjectStore, SuppressionStore,
};
pub use types::*;

/// The SQLite store of the installation in `data_dir` (created if missing).
pub fn open(data_dir: &Path, policy: Policy) -> Result<SqliteStore> {
    SqliteStore::open(data_dir, policy)
}
