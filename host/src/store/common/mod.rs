//! What every backend's rows share: the purpose catalogue's ids, the audit entry each write appends
//! (its hash chain is `audit_chain`), how a suppression scope is stored, a record sink's
//! configuration, and (in the submodules) the pure parts of reading a contact.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::domain::{BatchId, ContactId, SourceChannel, SuppressionScope, Timestamp};
use crate::store::error::StoreError;
use crate::store::{BatchMeta, Result};

pub(crate) mod checks;
pub(crate) mod facts;
pub(crate) mod pending;
pub(crate) mod views;
pub(crate) mod write_wait;

// The names the PostgreSQL rows import them by.
pub(crate) use views::{field_entries, ValuesRow};

/// Purpose names and their ids in the database.
#[derive(Debug, Default)]
pub(crate) struct PurposeIds {
    by_name: HashMap<String, i64, RandomState>,
    by_id: HashMap<i64, String, RandomState>,
}

impl PurposeIds {
    /// The catalogue from `(id, name)` rows, as a backend reads them.
    pub fn from_rows(rows: impl IntoIterator<Item = (i64, String)>) -> Self {
        let mut ids = PurposeIds::default();
        for (id, name) in rows {
            ids.by_name.insert(name.clone(), id);
            ids.by_id.insert(id, name);
        }
        ids
    }

    pub fn id(&self, name: &str) -> Result<i64> {
        self.by_name.get(name).copied().ok_or_else(|| {
            StoreError::invalid(
                "purpose",
                format!("purpose `{name}` is not in the purpose catalogue"),
            )
        })
    }

    pub fn name(&self, id: i64) -> String {
        self.by_id
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("purpose-{id}"))
    }
}

/// What a write records in the audit log: no personal data, only ids, counts and digests.
pub(crate) struct AuditDraft {
    pub action: &'static str,
    pub target: String,
    pub details: serde_json::Value,
}

impl AuditDraft {
    pub fn new(
        action: &'static str,
        target: impl Into<String>,
        details: serde_json::Value,
    ) -> Self {
        AuditDraft {
            action,
            target: target.into(),
            details,
        }
    }

    pub fn contact(action: &'static str, id: ContactId, details: serde_json::Value) -> Self {
        AuditDraft::new(action, format!("contact:{}", id.0), details)
    }
}

/// How a scope is stored: `'*'` for all purposes, else a JSON array of purpose names.
pub(crate) fn scope_to_sql(scope: &SuppressionScope) -> String {
    match scope {
        SuppressionScope::All => "*".to_string(),
        SuppressionScope::Purposes(list) => serde_json::to_string(list).expect("strings serialise"),
    }
}

/// Reads a stored scope.
pub(crate) fn scope_from_sql(text: &str) -> SuppressionScope {
    if text == "*" {
        return SuppressionScope::All;
    }
    // An unreadable list is treated as "all purposes": suppression errs on the side of not processing.
    serde_json::from_str(text)
        .map(SuppressionScope::Purposes)
        .unwrap_or(SuppressionScope::All)
}

/// How a record sink treats a record that shares an identity with an existing contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnExisting {
    /// Imports: add to the contact that shares an identity.
    Merge,
    /// Contacts entered by hand: refuse, so nobody overwrites a contact without seeing it.
    Conflict,
}

/// Where a record sink's records come from, and what it does with a known identity.
pub(crate) struct SinkConfig {
    pub batch: Option<BatchId>,
    pub file_digest: Option<String>,
    pub source_label: String,
    pub channel: SourceChannel,
    pub operator: String,
    pub default_collected_at: Timestamp,
    pub on_existing: OnExisting,
}

/// What an import batch must say about itself before anything is written.
pub(crate) fn check_meta(meta: &BatchMeta) -> Result<()> {
    if meta.source_label.trim().is_empty() {
        return Err(StoreError::invalid("source", "name the source, e.g. `Fiera Milano 2026`: it is what the data subject is told when they ask where their data came from (Art. 15(1)(g))"));
    }
    if let Some(d) = &meta.file_digest {
        if d.len() != 64 || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::invalid(
                "file_digest",
                "the file digest is the SHA-256 of the file as 64 hex digits",
            ));
        }
    }
    Ok(())
}
