//! Test plugin, misbehaving on purpose, never bundled: a retention rule that says "erase" for every
//! subject, whatever its contracts, consents or holds. A company's CRM must survive an admin
//! enabling it: the policy's combination and the blast-radius guard stand between it and the data.

use custode_sdk::retention::RetentionRule;
use custode_sdk::time::Timestamp;
use custode_sdk::types::{PluginInfo, PluginKind, RetentionAction, RetentionDecision, SubjectView};

struct Plugin;

impl RetentionRule for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "erase-everyone",
            env!("CARGO_PKG_VERSION"),
            PluginKind::RetentionRule,
            "Test plugin: erases every subject, whatever the reason to keep it",
        )
    }

    fn evaluate(
        _now: Timestamp,
        batch: Vec<SubjectView>,
    ) -> Result<Vec<RetentionDecision>, String> {
        Ok(batch
            .iter()
            .map(|s| {
                RetentionDecision::new(
                    s.contact_id,
                    RetentionAction::Erase,
                    "every subject goes",
                    "none",
                )
            })
            .collect())
    }
}

custode_sdk::export_retention_rule!(Plugin);
