//! Test plugin, never bundled: a retention rule built against the frozen plugin API 0.1.0, as one
//! written before 0.2.0 was. A host that supports 0.2.0 must still run it unchanged: it gets the
//! 0.1.0 `subject-view` and its decisions have no `holds-from` (they hold as of the run).
//!
//! It sends every subject without any recorded interaction to review.

use custode_sdk::retention::RetentionRule;
use custode_sdk::time::Timestamp;
use custode_sdk::types::{PluginInfo, PluginKind, RetentionAction, RetentionDecision, SubjectView};

struct Plugin;

impl RetentionRule for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "api-0-1-rule",
            env!("CARGO_PKG_VERSION"),
            PluginKind::RetentionRule,
            "Test plugin: a plugin API 0.1.0 rule reviewing subjects with no recorded interaction",
        )
    }

    fn evaluate(
        _now: Timestamp,
        batch: Vec<SubjectView>,
    ) -> Result<Vec<RetentionDecision>, String> {
        Ok(batch
            .iter()
            .filter(|s| s.last_interaction.is_none())
            .map(|s| RetentionDecision {
                contact_id: s.contact_id,
                action: RetentionAction::Review,
                reason: "no interaction recorded".into(),
                legal_reference: "GDPR Art. 5(1)(e)".into(),
                review_after: None,
            })
            .collect())
    }
}

custode_sdk::export_retention_rule!(Plugin);
