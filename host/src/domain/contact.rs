//! A contact as the store returns it: identities, field values with their history, and where each came
//! from.

use serde::{Deserialize, Serialize};

use super::identity::Identity;
use super::ids::{BatchId, ContactId, ProvenanceId};
use super::periods::{RestrictionPeriod, SuppressionPeriod, SuppressionScope};
use super::time::Timestamp;
use super::vocab::{DataCategory, SourceChannel};

/// The importer that produced data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PluginRef {
    pub name: String,
    pub version: String,
    /// SHA-256 (hex) of the plugin's component.
    pub digest: String,
}

/// Where a piece of data came from, as shown to the data subject (Art. 15(1)(g)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProvenanceEntry {
    pub id: ProvenanceId,
    pub source_label: String,
    pub channel: SourceChannel,
    /// When this contact's data was collected from the source.
    pub collected_at: Timestamp,
    pub batch: Option<BatchId>,
    /// SHA-256 (hex) of the imported file.
    pub file_digest: Option<String>,
    pub plugin: Option<PluginRef>,
    /// Who ran the import or entered the data.
    pub operator: String,
}

/// One stored identity and the provenance that brought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IdentityEntry {
    pub identity: Identity,
    pub provenance: Option<ProvenanceId>,
}

/// An identity a rectification removed: it no longer finds the contact, but where it came from
/// and when it was removed stay known until erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormerIdentity {
    pub identity: Identity,
    pub provenance: Option<ProvenanceId>,
    pub removed_at: Timestamp,
    /// The rectification that removed it (its reason is the provenance's source label).
    pub removed_by: ProvenanceId,
}

/// One field value, current or replaced (history), with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldEntry {
    pub name: String,
    pub category: DataCategory,
    pub value: String,
    pub provenance: Option<ProvenanceId>,
    pub recorded_at: Timestamp,
    /// False for a value a later source or a rectification replaced.
    pub current: bool,
}

/// Everything stored about a contact's data, with history and provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactDetails {
    pub id: ContactId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_interaction: Option<Timestamp>,
    /// The start of the restriction in force (Art. 18), if any.
    pub restricted_since: Option<Timestamp>,
    /// Every restriction, lifted or in force, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restrictions: Vec<RestrictionPeriod>,
    pub legal_hold_since: Option<Timestamp>,
    /// Why the hold in force was placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_hold_reason: Option<String>,
    pub erased_at: Option<Timestamp>,
    /// The purposes the contact's identities are suppressed for now.
    pub suppression: Option<SuppressionScope>,
    /// When each suppression of the contact's identities began, and for what, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppression_periods: Vec<SuppressionPeriod>,
    /// Categories whose values were anonymised.
    pub anonymised: Vec<DataCategory>,
    pub identities: Vec<IdentityEntry>,
    /// Identities removed by rectifications, oldest removal first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_identities: Vec<FormerIdentity>,
    /// Current values first (in catalogue order of appearance), then history, newest first.
    pub fields: Vec<FieldEntry>,
    pub provenance: Vec<ProvenanceEntry>,
}

impl ContactDetails {
    /// The current value of a field.
    pub fn current(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.current && f.name == name)
            .map(|f| f.value.as_str())
    }
}

/// A line of a contact list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactSummary {
    pub id: ContactId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub identities: Vec<Identity>,
    pub restricted: bool,
    pub legal_hold: bool,
    pub erased: bool,
}

/// The privacy notice a person received (Art. 13–14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeReceipt {
    pub version: String,
    pub at: Timestamp,
}

/// A version of the privacy notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    pub version: String,
    pub published_at: Timestamp,
    /// SHA-256 (hex) of the notice text, so the text a person saw can be proven later.
    pub text_digest: Option<String>,
    pub summary: Option<String>,
}
