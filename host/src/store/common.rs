//! What every backend's rows share: the purpose catalogue's ids and the audit entry each write
//! appends (its hash chain is `audit_chain`).

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::domain::ContactId;
use crate::store::error::StoreError;
use crate::store::Result;

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
