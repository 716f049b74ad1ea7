//! Placeholder so the retention runs and the review queue compile on this branch: the lead's real
//! `postgres/erasure.rs` (the PostgreSQL twin of `sqlite/erasure.rs`) replaces this file at merge.

use postgres::Transaction;

use super::PostgresStore;
use crate::domain::{ContactId, DataCategory, Timestamp};
use crate::store::common::AuditDraft;
use crate::store::{AnonymisationReport, ErasureCause, ErasureReport, Result};

impl PostgresStore {
    /// Erases the contact inside `tx` (the lead replaces this body).
    pub(super) fn erase_in(
        &self,
        _tx: &mut Transaction<'_>,
        _id: ContactId,
        _reason: &str,
        _now: Timestamp,
        _cause: ErasureCause,
    ) -> Result<(ErasureReport, AuditDraft)> {
        todo!("lead")
    }

    /// Anonymises the contact's `categories` inside `tx` (the lead replaces this body).
    pub(super) fn anonymise_in(
        &self,
        _tx: &mut Transaction<'_>,
        _id: ContactId,
        _categories: &[DataCategory],
        _reason: &str,
        _cause: ErasureCause,
    ) -> Result<(AnonymisationReport, AuditDraft)> {
        todo!("lead")
    }
}

impl PostgresStore {
    /// Removes erased rows' old versions from the data files, after the transaction that erased
    /// them committed (the twin of SQLite's `purge_files`; the lead replaces this body).
    pub(super) fn purge_files(&self) -> bool {
        todo!("lead")
    }
}
