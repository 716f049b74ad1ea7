//! What leaves the store about one data subject: the view a retention rule decides on (no names, no
//! addresses: minimisation) and the package an access or portability request answers with (Art. 15, 20).
//! They carry what the WIT records of the same names carry; the runtime converts.

use serde::{Deserialize, Serialize};

use super::consent::{BasisPeriod, ConsentRecord};
use super::contact::{FieldEntry, IdentityEntry, NoticeReceipt, ProvenanceEntry};
use super::ids::ContactId;
use super::time::Timestamp;
use super::vocab::{ConsentAction, ConsentChannel, DataCategory, SourceChannel};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSummary {
    pub label: String,
    pub channel: SourceChannel,
    pub collected_at: Timestamp,
}

/// The current consent for (purpose, channel): the latest ledger event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentStateEntry {
    pub purpose: String,
    pub channel: ConsentChannel,
    pub state: ConsentAction,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryHeld {
    pub category: DataCategory,
    /// How many current field values of the category are held.
    pub values: u32,
    /// When the oldest of them was recorded.
    pub oldest: Timestamp,
}

/// What a retention rule sees of one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectView {
    pub contact_id: ContactId,
    pub created_at: Timestamp,
    pub last_interaction: Option<Timestamp>,
    pub sources: Vec<SourceSummary>,
    pub legal_bases: Vec<BasisPeriod>,
    pub consents: Vec<ConsentStateEntry>,
    pub categories: Vec<CategoryHeld>,
    pub restricted: bool,
    pub legal_hold: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case", tag = "action", content = "categories")]
pub enum RetentionAction {
    Keep,
    Erase,
    Anonymise(Vec<DataCategory>),
    Review,
}

/// A retention rule's decision for one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RetentionDecision {
    pub contact_id: ContactId,
    pub action: RetentionAction,
    pub reason: String,
    pub legal_reference: String,
    pub review_after: Option<Timestamp>,
}

/// A purpose the subject's data is processed for, its bases, and whether processing is allowed now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeEntry {
    pub purpose: String,
    pub description: String,
    pub bases: Vec<BasisPeriod>,
    pub allowed_now: bool,
    pub reason: String,
}

/// How long a category is kept, and why (Art. 15(1)(d)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionEntry {
    pub category: DataCategory,
    pub period: String,
    pub basis: String,
}

/// Everything Custode knows about one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectPackage {
    pub contact_id: ContactId,
    pub generated_at: Timestamp,
    pub controller: String,
    /// Where the data is stored (whether it leaves the EU).
    pub data_location: String,
    pub created_at: Timestamp,
    pub last_interaction: Option<Timestamp>,
    pub identities: Vec<IdentityEntry>,
    pub fields: Vec<FieldEntry>,
    pub provenance: Vec<ProvenanceEntry>,
    pub purposes: Vec<PurposeEntry>,
    /// The whole ledger with evidence (Art. 7(1)).
    pub consents: Vec<ConsentRecord>,
    pub notices: Vec<NoticeReceipt>,
    pub retention: Vec<RetentionEntry>,
    pub recipients: Vec<String>,
    pub restricted: bool,
    pub legal_hold: bool,
}
