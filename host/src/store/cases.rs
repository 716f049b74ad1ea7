//! Data-subject request cases: what the store keeps of them, and [`CaseStore`].

use serde::{Deserialize, Serialize};

use super::error::Result;
use crate::domain::{Actor, CaseStatus, ContactId, IdentityCheck, RequestKind, Timestamp};

/// A case as opened: the service has parsed the identity and computed the deadline.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub kind: RequestKind,
    pub subject: String,
    pub subject_key: Option<String>,
    pub contact: Option<ContactId>,
    pub channel: String,
    pub notes: String,
    pub language: String,
    pub received_at: Timestamp,
    pub due_at: Timestamp,
}

/// A step of a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseStep {
    pub at: Timestamp,
    /// Who took the step: a token's name, or `custode` for a document deleted on schedule.
    pub actor: String,
    /// `opened`, `identity-verified`, `information-requested`, `extended`, `refused`, `fulfilled`,
    /// `document-delivered`, `document-deleted`, `closed`.
    pub action: String,
    pub details: serde_json::Value,
}

/// The document of an access or portability case, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseDocumentInfo {
    pub file_name: String,
    pub media_type: String,
    pub size: u64,
    /// SHA-256 (hex) of the bytes, so what was delivered can be proven after it is deleted.
    pub sha256: String,
    pub created_at: Timestamp,
    /// Deleted then, if not delivered sooner.
    pub delete_after: Timestamp,
}

/// A document with its bytes.
#[derive(Debug, Clone)]
pub struct CaseDocument {
    pub info: CaseDocumentInfo,
    pub bytes: Vec<u8>,
}

/// A case as stored, with its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    pub kind: RequestKind,
    /// The identity as the person gave it.
    pub subject: String,
    /// The contact it names; none when Custode holds no data about it.
    #[schema(value_type = Option<i64>)]
    pub contact_id: Option<ContactId>,
    /// How the request arrived, e.g. `email`, `letter`.
    pub channel: String,
    pub notes: String,
    /// The language of the answer (`it`, `en`).
    pub language: String,
    pub received_at: Timestamp,
    /// One month from receipt: an extension must be decided, and the person told, by the end of it.
    pub first_due_at: Timestamp,
    /// The answer is due by the end of this day.
    pub due_at: Timestamp,
    pub extended_months: u32,
    pub status: CaseStatus,
    pub identity: IdentityCheck,
    /// What the person was told, once answered.
    pub answer: Option<String>,
    /// Those the data was disclosed to, to be told of a rectification, erasure or restriction (Art. 19).
    pub recipients: Vec<String>,
    /// Other open cases of the same person and kind when this one was opened.
    pub duplicate_of: Vec<i64>,
    /// Open and past its due date.
    pub overdue: bool,
    pub document: Option<CaseDocumentInfo>,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
    /// Every step, oldest first (empty in lists).
    pub history: Vec<CaseStep>,
}

/// Filters of a case list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub kind: Option<RequestKind>,
    /// Due on or before this day.
    pub due_before: Option<Timestamp>,
    /// Open cases whose due day ended before this time.
    pub overdue_at: Option<Timestamp>,
    pub limit: u32,
}

/// A change to a case, with the step it is recorded as.
#[derive(Debug, Clone, Default)]
pub struct CaseChange {
    pub status: Option<CaseStatus>,
    pub identity: Option<IdentityCheck>,
    /// New due date and the extension months granted in all.
    pub due: Option<(Timestamp, u32)>,
    pub answer: Option<String>,
    pub recipients: Option<Vec<String>>,
    /// A document to keep with the case until delivered or deleted.
    pub document: Option<CaseDocument>,
    /// Deletes the case's document.
    pub delete_document: bool,
    pub action: &'static str,
    pub details: serde_json::Value,
}

/// Counts for the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseCounts {
    pub open: u64,
    pub due_within_7_days: u64,
    pub overdue: u64,
}

/// Request cases. Every change appends a step to the case's history and an audit entry, in one
/// transaction.
pub trait CaseStore {
    /// Opens a case, naming any open case of the same person and kind in `duplicate_of`.
    fn open_case(&self, actor: &Actor, new: &NewCase, now: Timestamp) -> Result<Case>;
    fn case(&self, id: i64, now: Timestamp) -> Result<Case>;
    fn cases(&self, filter: &CaseFilter, now: Timestamp) -> Result<Vec<Case>>;
    /// Changes a case: `decide` sees the case as it is inside the write transaction and returns
    /// the change, or an error that leaves it untouched.
    fn change_case(
        &self,
        actor: &Actor,
        id: i64,
        now: Timestamp,
        decide: &mut dyn FnMut(&Case) -> Result<CaseChange>,
    ) -> Result<Case>;
    fn case_document(&self, id: i64) -> Result<Option<CaseDocument>>;
    /// Deletes the documents whose `delete_after` has passed; returns the cases they belonged to.
    fn purge_case_documents(&self, actor: &Actor, now: Timestamp) -> Result<Vec<i64>>;
    fn case_counts(&self, now: Timestamp) -> Result<CaseCounts>;
}
