//! What leaves the store about one data subject: the view a retention rule decides on (no names, no
//! addresses: minimisation) and the package an access or portability request answers with (Art. 15, 20).
//! They carry what the WIT records of the same names carry; the runtime converts.

use serde::{Deserialize, Serialize};

use super::consent::{BasisPeriod, ConsentRecord};
use super::contact::{FieldEntry, FormerIdentity, IdentityEntry, NoticeReceipt, ProvenanceEntry};
use super::ids::ContactId;
use super::periods::RestrictionPeriod;
use super::time::Timestamp;
use super::vocab::{ConsentAction, ConsentChannel, DataCategory, RequestKind, SourceChannel};

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
    /// The latest ledger event of each (purpose, channel).
    pub consents: Vec<ConsentStateEntry>,
    /// The latest objection to each purpose, on whatever channel: a later grant on the same
    /// channel hides it from `consents`, yet it still counts on the other channels (plugin API 0.2).
    pub objections: Vec<ConsentStateEntry>,
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
    /// From when the decision holds: when its condition was (or, evaluated ahead, will be) met.
    /// None from a rule that cannot say (every plugin API 0.1 rule): as of the run's time.
    pub holds_from: Option<Timestamp>,
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

/// The data subject's request a package answers: what a document needs to know of its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCase {
    pub id: i64,
    pub kind: RequestKind,
    /// The language the person asked to be answered in (BCP 47, e.g. `it`); None: the default.
    pub language: Option<String>,
    pub received_at: Timestamp,
    pub due_at: Timestamp,
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
    /// Identities rectifications removed, oldest removal first.
    pub former_identities: Vec<FormerIdentity>,
    /// Every period of restriction, oldest first; restricted now while the last one is open.
    pub restrictions: Vec<RestrictionPeriod>,
    /// Under a legal hold since then; None: not held.
    pub legal_hold_since: Option<Timestamp>,
    /// How to reach the controller, as configured.
    pub controller_contact: Option<String>,
    /// The supervisory authority a person can complain to, as configured.
    pub supervisory_authority: Option<String>,
    /// The request the package answers, when rendered for one.
    pub request: Option<RequestCase>,
}

impl SubjectPackage {
    /// Processing is restricted now: the last restriction period is open.
    pub fn restricted(&self) -> bool {
        self.restrictions.last().is_some_and(|r| r.until.is_none())
    }

    pub fn legal_hold(&self) -> bool {
        self.legal_hold_since.is_some()
    }
}
