//! The rows of new contacts an import sink buffers before writing them many at a time: the same
//! on both backends (`sqlite/records/buffer.rs`, `postgres/records/buffer.rs`), written in each
//! one's own way.

pub(crate) struct ContactRow {
    pub id: i64,
    pub created_at: i64,
    pub last_interaction: Option<i64>,
    /// The collection time of the contact's one field-values row (see sqlite/v3.sql).
    pub last_collected_at: i64,
    pub first_notice_at: Option<i64>,
    pub suppressed_since: Option<i64>,
    pub suppressed_purposes: Option<String>,
    pub seq: i64,
}

pub(crate) struct IdentityRow {
    pub key: String,
    pub contact: i64,
    pub provenance: i64,
}

pub(crate) struct ValuesRow {
    pub contact: i64,
    pub seq: i64,
    pub provenance: i64,
    pub collected_at: i64,
    pub recorded_at: i64,
    pub digest: [u8; 16],
    pub fields: String,
}

pub(crate) struct EventRow {
    pub contact: i64,
    pub purpose: i64,
    pub channel: i64,
    pub at: i64,
    pub seq: i64,
    pub action: i64,
    pub provenance: i64,
    pub notice_version: Option<String>,
    pub evidence: Option<String>,
    /// The record's row in the source (Art. 7(1): which line of which file shows the consent).
    pub source_row: i64,
    pub recorded_at: i64,
}

pub(crate) struct BasisRow {
    pub contact: i64,
    pub purpose: i64,
    pub seq: i64,
    pub basis: i64,
    pub start: i64,
    pub end: Option<i64>,
    pub provenance: i64,
    pub recorded_at: i64,
}

pub(crate) struct ReceiptRow {
    pub contact: i64,
    pub notice: i64,
    pub at: i64,
    pub provenance: i64,
}
