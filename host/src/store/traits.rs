//! The store's traits, one per aggregate: what the services may ask of any backend. The SQLite
//! backend implements them in `sqlite/`; a PostgreSQL one would implement the same.

use std::path::Path;

use crate::domain::{
    Actor, BasisPeriod, ConsentChannel, ConsentEvent, ConsentRecord, ContactDetails, ContactId,
    DataCategory, Identity, LegalBasis, NormalizedRecord, Notice, NoticeReceipt, Policy,
    RecordOutcome, SubjectFacts, SubjectView, SuppressionScope, Timestamp,
};

use super::admin::{PluginStore, TokenStore};
use super::audit_chain::AuditVerification;
use super::cases::CaseStore;
use super::error::Result;
use super::runs::{
    ReviewItem, ReviewResolution, RuleRef, RunDecision, RunRecord, RunState, StoredDecision,
};
use super::types::*;

/// Contacts, their identities and field values.
pub trait ContactStore {
    /// Creates a contact from data entered by hand. Refused with `Conflict` when an identity already
    /// belongs to a contact: rectify that one instead.
    fn create_contact(&self, actor: &Actor, new: &NewContact) -> Result<ContactId>;
    fn contact(&self, id: ContactId) -> Result<ContactDetails>;
    /// The contact an identity belongs to.
    fn find_contact(&self, identity: &Identity) -> Result<Option<ContactId>>;
    fn list_contacts(&self, filter: &ContactFilter) -> Result<ContactPage>;
    fn rectify(&self, actor: &Actor, id: ContactId, change: &Rectification) -> Result<()>;
    /// Records a contact with the person (an order, a reply): legitimate interest counts from it.
    fn record_interaction(&self, actor: &Actor, id: ContactId, at: Timestamp) -> Result<()>;
    /// Art. 18: restricts processing to storage from `at`, or lifts the restriction in force at
    /// `at` (not later than now). Periods are kept, never overlap, and answer questions about the
    /// past; restricting a restricted contact, or lifting when none is in force, is a `Conflict`.
    fn set_restriction(
        &self,
        actor: &Actor,
        id: ContactId,
        restricted: bool,
        at: Timestamp,
    ) -> Result<()>;
    /// A legal hold forbids erasure (litigation, authority request) from `since`; `None` lifts it.
    /// `reason` (required both ways, without personal data) is audited and, while the hold is in
    /// force, shown with it. Holding a held contact, or lifting when none is in force, is a `Conflict`.
    fn set_legal_hold(
        &self,
        actor: &Actor,
        id: ContactId,
        since: Option<Timestamp>,
        reason: &str,
    ) -> Result<()>;
}

/// The consent ledger, legal bases and privacy notices.
pub trait ConsentStore {
    /// Appends to the ledger; returns the event's sequence number. Events are never changed.
    fn append_consent(&self, actor: &Actor, id: ContactId, event: &ConsentEvent) -> Result<i64>;
    fn consent_history(&self, id: ContactId) -> Result<Vec<ConsentRecord>>;
    fn add_legal_basis(&self, actor: &Actor, id: ContactId, period: &BasisPeriod) -> Result<()>;
    /// Ends the open periods of `basis` for `purpose` at `end` (a contract terminated).
    fn end_legal_basis(
        &self,
        actor: &Actor,
        id: ContactId,
        purpose: &str,
        basis: LegalBasis,
        end: Timestamp,
    ) -> Result<u32>;
    fn legal_bases(&self, id: ContactId) -> Result<Vec<BasisPeriod>>;
    fn publish_notice(&self, actor: &Actor, notice: &Notice) -> Result<()>;
    fn notices(&self) -> Result<Vec<Notice>>;
    fn record_notice_receipt(
        &self,
        actor: &Actor,
        id: ContactId,
        receipt: &NoticeReceipt,
    ) -> Result<()>;
    fn notice_receipts(&self, id: ContactId) -> Result<Vec<NoticeReceipt>>;
}

/// The suppression list: keyed hashes of identifiers, surviving erasure.
pub trait SuppressionStore {
    fn suppress(
        &self,
        actor: &Actor,
        identity: &Identity,
        reason: &str,
        scope: &SuppressionScope,
        since: Timestamp,
    ) -> Result<SuppressionOutcome>;
    fn suppression_of(&self, identity: &Identity) -> Result<Option<SuppressionEntry>>;
}

/// Reads for decisions and for data-subject requests.
pub trait SubjectStore {
    /// What `can_process` needs for one (contact, purpose, channel) question: a few index lookups.
    /// `contact` is None in the result when the id is unknown.
    fn processing_facts(
        &self,
        id: ContactId,
        purpose: &str,
        channel: ConsentChannel,
        at: Timestamp,
    ) -> Result<SubjectFacts>;
    fn subject_data(&self, id: ContactId) -> Result<SubjectData>;
    /// Views of up to `limit` live contacts with ids above `after`, in id order (retention runs).
    fn subject_views(&self, after: Option<ContactId>, limit: u32) -> Result<Vec<SubjectView>>;
}

/// Erasure (Art. 17) and anonymisation. Both are refused for an erased contact or one under legal
/// hold, and, when a retention rule decided them ([`ErasureCause::Retention`]), for a restricted one.
pub trait ErasureStore {
    fn erase(
        &self,
        actor: &Actor,
        id: ContactId,
        reason: &str,
        now: Timestamp,
        cause: ErasureCause,
    ) -> Result<ErasureReport>;
    fn anonymise(
        &self,
        actor: &Actor,
        id: ContactId,
        categories: &[DataCategory],
        reason: &str,
        cause: ErasureCause,
    ) -> Result<AnonymisationReport>;
    /// Removes what erasures and anonymisations left in the database files: on SQLite each one does
    /// it already (this retries one a reader held up); on PostgreSQL the tables that held personal
    /// data are rewritten and the write-ahead log moved past them (`custode purge`).
    fn purge_erased(&self, actor: &Actor) -> Result<PurgeReport>;
}

/// Writes records inside an import (see [`ImportStore::import`]).
pub trait RecordWriter {
    /// Writes one record: identity lookup, suppression check, merge, provenance, field values, consent
    /// and legal-basis events. `InvalidInput` is returned before anything of the record is written, so
    /// the caller may skip the row and go on; any other error means the import must stop.
    fn write(&mut self, record: &NormalizedRecord) -> Result<RecordOutcome>;
    /// Writes records in order with the outcome `write` would give each, several times faster:
    /// identities are looked up together and new contacts are inserted many rows per statement. An
    /// inner `Err` (`InvalidInput`) refuses one record with nothing of it written; an outer `Err` means
    /// the import must stop. Importers hand over records a chunk at a time: pass the chunk.
    fn write_batch(&mut self, records: &[NormalizedRecord]) -> Result<Vec<Result<RecordOutcome>>>;
    fn counts(&self) -> ImportCounts;
}

/// Bulk writes (the import service is built on this).
pub trait ImportStore {
    /// Runs `run` inside one transaction: if it returns `Ok(report)`, the batch and the report are
    /// committed with an audit entry; if it returns `Err` (or panics), nothing of the import remains
    /// and the error is returned as it is (`StoreError::ImportAborted` for the caller's own reasons).
    /// The report is stored as given: it must not contain personal data in clear.
    fn import(
        &self,
        actor: &Actor,
        meta: &BatchMeta,
        run: &mut dyn FnMut(&mut dyn RecordWriter) -> Result<serde_json::Value>,
    ) -> Result<ImportCommitted>;
}

/// The tamper-evident audit log (Art. 5(2)).
pub trait AuditStore {
    fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
    fn audit_verify(&self) -> Result<AuditVerification>;
    /// Records an action that changes no stored data but must be accounted for (an access package
    /// handed out, a retention run's decisions, a plugin installed). `details` must not contain
    /// personal data in clear: ids, counts, digests.
    fn audit_record(
        &self,
        actor: &Actor,
        action: &'static str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<()>;
}

/// Online backup.
pub trait BackupStore {
    fn backup(&self, actor: &Actor, dest: &Path) -> Result<BackupReport>;
}

/// Retention runs, recorded with every decision and applied a short transaction at a time.
pub trait RetentionRunStore {
    /// Records a run as `running`; returns its id.
    fn run_start(
        &self,
        actor: &Actor,
        trigger: &str,
        now: Timestamp,
        rules: &[RuleRef],
    ) -> Result<i64>;
    /// Records a run as `running` unless a run started by `trigger` already decided for a time at or
    /// after `since`, in this process or another one on the same database (checked and recorded
    /// under the writer lock); `None` then. A schedule starts its runs this way: of several servers
    /// asking at once, one runs.
    fn run_start_once(
        &self,
        actor: &Actor,
        trigger: &str,
        now_for: Timestamp,
        since: Timestamp,
        rules: &[RuleRef],
    ) -> Result<Option<i64>>;
    /// Records one batch of decisions (keeps are only counted) and how many subjects it had. In a dry
    /// run their outcome is set at once; otherwise they are pending until applied.
    fn run_record(
        &self,
        run: i64,
        subjects: u64,
        kept: u64,
        decisions: &[RunDecision],
        dry: bool,
    ) -> Result<()>;
    fn run_set_state(
        &self,
        run: i64,
        state: RunState,
        duration_ms: Option<u64>,
        error: Option<&str>,
    ) -> Result<()>;
    /// Applies up to `limit` pending decisions of the run in one transaction, each with its audit
    /// entry and outcome, or, refused (legal hold, restriction), with why; returns how many remain.
    fn run_apply_batch(&self, actor: &Actor, run: i64, limit: u32) -> Result<u64>;
    fn run(&self, id: i64) -> Result<RunRecord>;
    /// Runs newest first, older than `before`.
    fn runs(&self, before: Option<i64>, limit: u32) -> Result<Vec<RunRecord>>;
    fn run_decisions(&self, id: i64, after: Option<u64>, limit: u32)
        -> Result<Vec<StoredDecision>>;
    fn runs_in_state(&self, state: RunState) -> Result<Vec<i64>>;
    /// The latest time a run started by `trigger` decided for (the schedule's last run).
    fn run_last_decided(&self, trigger: &str) -> Result<Option<Timestamp>>;
}

/// The review queue of retention runs.
pub trait ReviewStore {
    fn review_items(
        &self,
        open_only: bool,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ReviewItem>>;
    /// Resolves an open item in one transaction with its audit entry.
    fn review_resolve(
        &self,
        actor: &Actor,
        id: i64,
        resolution: &ReviewResolution,
    ) -> Result<ReviewItem>;
}

/// Everything a backend provides.
pub trait ComplianceStore:
    ContactStore
    + ConsentStore
    + SuppressionStore
    + SubjectStore
    + ErasureStore
    + ImportStore
    + AuditStore
    + BackupStore
    + CaseStore
    + RetentionRunStore
    + ReviewStore
    + PluginStore
    + TokenStore
    + Send
    + Sync
{
    fn policy(&self) -> &Policy;
}
