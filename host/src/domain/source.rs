//! What plugins hand the host, in the domain's words, whichever plugin API version they were built
//! against: the contacts an importer read from a source (before the import service checks and
//! normalises them into [`NormalizedRecord`](super::NormalizedRecord)s), and the document an
//! exporter rendered. The runtime converts each API version's types into these.

use serde::{Deserialize, Serialize};

use super::record::{BasisClaim, FieldValue, NoticeClaim, SourceDetails};
use super::time::Timestamp;
use super::vocab::ConsentAction;

/// An identity as the source wrote it: not yet parsed, so a bad one can be reported with its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceIdentity {
    Email(String),
    Phone(String),
    External { system: String, id: String },
}

/// A consent as the source stated it; the channel is still the source's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceConsent {
    pub purpose: String,
    pub channel: String,
    pub action: ConsentAction,
    /// The record's collection time when absent.
    pub at: Option<Timestamp>,
    pub evidence: Option<String>,
    pub notice_version: Option<String>,
    /// Where in the input the consent was read (plugin API 0.2).
    pub origin: Option<ConsentOrigin>,
}

/// Where in the input an imported consent was read (Art. 7(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentOrigin {
    /// The record's row when None.
    pub row: Option<u64>,
    pub column: String,
    pub value: String,
}

impl SourceConsent {
    /// The evidence text to store: the importer's words, then where the consent was read
    /// (`row 12, column `newsletter` = `sì``), so the exact input can be found again next to the
    /// batch's file digest. None when the importer gave neither.
    pub fn evidence_text(&self, record_row: u64) -> Option<String> {
        let origin = self.origin.as_ref().map(|o| {
            format!(
                "row {}, column `{}` = `{}`",
                o.row.unwrap_or(record_row),
                o.column,
                o.value
            )
        });
        match (&self.evidence, origin) {
            (Some(words), Some(origin)) => Some(format!("{words}; {origin}")),
            (Some(words), None) => Some(words.clone()),
            (None, origin) => origin,
        }
    }
}

/// One contact as an importer read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// 1-based row (or record number) in the source, for messages.
    pub row: u64,
    pub identities: Vec<SourceIdentity>,
    pub fields: Vec<FieldValue>,
    pub consents: Vec<SourceConsent>,
    pub legal_bases: Vec<BasisClaim>,
    pub notices: Vec<NoticeClaim>,
    pub source: SourceDetails,
    pub last_interaction: Option<Timestamp>,
}

/// A row the importer could not read, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: u64,
    pub column: Option<String>,
    pub message: String,
}

/// What an importer returns for one chunk of input (or for the end of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceChunk {
    pub records: Vec<SourceRecord>,
    pub rejected: Vec<RowError>,
}

/// A document an exporter rendered for a data subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// A plain file name, e.g. `subject-42.json`.
    pub file_name: String,
    /// e.g. `application/json`.
    pub media_type: String,
    pub bytes: Vec<u8>,
}
