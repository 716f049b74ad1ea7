//! What goes into and comes out of the store beyond the domain types.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::domain::{
    BasisPeriod, BatchId, ConsentRecord, ContactDetails, ContactId, ContactSummary, DataCategory,
    FieldValue, Identity, NoticeReceipt, PluginRef, SourceChannel, SuppressionPeriod,
    SuppressionScope, Timestamp,
};

/// Where an import's records come from; every record's provenance points to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchMeta {
    /// A label a person recognises, e.g. `Fiera Milano 2026`.
    pub source_label: String,
    pub channel: SourceChannel,
    /// SHA-256 (hex) of the imported bytes; re-importing the same file is recognised by it.
    pub file_digest: Option<String>,
    pub plugin: Option<PluginRef>,
    /// When the import began (the batch's `started_at`).
    pub started_at: Timestamp,
    /// The collection time of records that carry none (when the data was collected, which for an
    /// old fair list is not the day it is imported).
    pub collected_at: Timestamp,
}

/// How many records an import wrote, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub created: u64,
    pub merged: u64,
    pub unchanged: u64,
    pub suppressed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCommitted {
    pub batch: BatchId,
    pub counts: ImportCounts,
    /// The file digest as stored with the batch (keyed with the installation secret).
    pub file_digest: Option<String>,
}

/// A contact entered by hand (CLI, API): one record from a manual source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub identities: Vec<Identity>,
    #[serde(default)]
    pub fields: Vec<FieldValue>,
    /// Where the person's data came from, e.g. `phone call` or `business card from Fiera Milano`.
    #[schema(min_length = 1, max_length = 500)]
    pub source_label: String,
    pub channel: SourceChannel,
    /// When the data was collected; now when absent.
    #[serde(default)]
    pub collected_at: Option<Timestamp>,
    #[serde(default)]
    pub last_interaction: Option<Timestamp>,
}

/// A correction (Art. 16): new values become current, the old ones stay as history with their
/// provenance until erasure. At least one of `fields`, `add_identities` and `remove_identities` is
/// not empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rectification {
    #[serde(default)]
    pub fields: Vec<FieldValue>,
    #[serde(default)]
    pub add_identities: Vec<Identity>,
    /// Identities that are wrong or no longer the person's; they stop matching imports.
    #[serde(default)]
    pub remove_identities: Vec<Identity>,
    /// Why, e.g. `the customer wrote on 2026-03-01 with a new address`; shown as the source.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Filters of a contact list; all optional, combined with AND. Pages are in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactFilter {
    pub identity: Option<Identity>,
    /// Contacts with data from a source with this label.
    pub source_label: Option<String>,
    pub updated_since: Option<Timestamp>,
    /// Only contacts with an id above this one (the previous page's `next`).
    pub after: Option<ContactId>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactSummary>,
    /// Pass as `after` to get the next page; None at the end.
    pub next: Option<ContactId>,
}

/// A contact's data and everything recorded about its processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectData {
    pub details: ContactDetails,
    pub consents: Vec<ConsentRecord>,
    pub bases: Vec<BasisPeriod>,
    pub notices: Vec<NoticeReceipt>,
}

/// An entry of the suppression list. The list holds keyed hashes only: the identity itself is not
/// stored and cannot be listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuppressionEntry {
    /// `email`, `phone` or `external id`.
    pub kind: String,
    /// The earliest start of the entry's periods.
    pub since: Timestamp,
    pub reason: String,
    /// Every purpose suppressed now.
    pub scope: SuppressionScope,
    /// Each addition with its own start and scope, oldest first: what a question about a past time
    /// is answered with.
    #[serde(default)]
    pub periods: Vec<SuppressionPeriod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuppressionOutcome {
    pub entry: SuppressionEntry,
    /// The contact that has this identity, now marked suppressed.
    pub contact: Option<ContactId>,
}

/// Who decided an erasure or anonymisation, which decides what may stop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErasureCause {
    /// A person: the data subject's request (Art. 17(1)) or a DPO's decision. A restriction does not
    /// stop it: the person who asked to restrict may now ask to erase, and a DPO judges that.
    Request,
    /// A retention rule (storage limitation, Art. 5(1)(e)). Refused for a restricted contact:
    /// Art. 18 keeps the data stored (the person may need it for a legal claim, or contests its
    /// erasure) until a person lifts the restriction or erases by request.
    Retention,
}

impl ErasureCause {
    pub fn as_str(self) -> &'static str {
        match self {
            ErasureCause::Request => "request",
            ErasureCause::Retention => "retention",
        }
    }
}

/// Data an erasure kept because a legal obligation requires it (accounting records: 10 years).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeptData {
    pub field: String,
    pub category: DataCategory,
    pub purpose: String,
    /// When the obligation ends, if recorded.
    pub until: Option<Timestamp>,
}

/// What `custode purge` did to the database files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeReport {
    /// Whether no byte of erased data is left in the database files.
    pub purged: bool,
    /// What was done, and what is left to the operator when `purged` is false.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErasureReport {
    pub contact: ContactId,
    pub erased_at: Timestamp,
    /// Identities whose keyed hashes went to the suppression list.
    pub identities_suppressed: u32,
    pub field_values_erased: u32,
    pub consent_events_erased: u32,
    pub kept: Vec<KeptData>,
    /// Whether the WAL was checkpointed and truncated, so no old page holding the data is left in the
    /// database files. False when a long-running reader held an old snapshot; the next erasure or
    /// backup retries.
    pub files_purged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymisationReport {
    pub contact: ContactId,
    pub categories: Vec<DataCategory>,
    pub values_replaced: u32,
    pub identities_removed: u32,
}

/// One audit log entry. `details` never holds personal data in clear: ids, counts, digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    /// Hex of the entry's keyed chain hash.
    pub hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Entries with a sequence number above this one.
    pub after: Option<i64>,
    /// Entries whose target is this, e.g. `contact:42`.
    pub target: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BackupReport {
    #[schema(value_type = String)]
    pub path: PathBuf,
    pub bytes: u64,
    /// Audit entries in the copy, and the hash of the last, to compare with the live log later.
    pub audit_entries: i64,
    pub audit_head: Option<String>,
}
