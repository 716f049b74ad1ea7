//! Test plugin, never bundled: a retention rule that sends every subject to review with, as the
//! reason, every fact of the subject view it read, written out. Built twice from this file: as
//! `view-echo` against the newest plugin API (0.3.0, whose batch comes in columns the SDK turns
//! back into views) and as `view-echo-0-2` against 0.2.0 (a list of views lowered as such). The
//! host's tests give both the same subjects and expect the same words: the columns carry the
//! views whole.

use custode_sdk::retention::RetentionRule;
use custode_sdk::time::Timestamp;
use custode_sdk::types::{PluginInfo, PluginKind, RetentionAction, RetentionDecision, SubjectView};

struct Plugin;

/// `label/channel/...` of each row, between brackets.
fn rows<T>(items: &[T], row: impl Fn(&T) -> String) -> String {
    let rows: Vec<String> = items.iter().map(row).collect();
    format!("[{}]", rows.join(" "))
}

fn echo(s: &SubjectView) -> String {
    let end = |t: Option<i64>| t.map_or("-".to_string(), |t| t.to_string());
    format!(
        "id={} created={} last={} restricted={} hold={} sources={} bases={} consents={} objections={} categories={}",
        s.contact_id,
        s.created_at,
        end(s.last_interaction),
        s.restricted,
        s.legal_hold,
        rows(&s.sources, |r| format!("{}/{}/{}", r.label, r.channel.name(), r.collected_at)),
        rows(&s.legal_bases, |r| format!(
            "{}/{}/{}/{}",
            r.purpose,
            r.basis.name(),
            r.start,
            end(r.end)
        )),
        rows(&s.consents, |r| format!("{}/{}/{}/{}", r.purpose, r.channel, r.state.name(), r.at)),
        rows(&s.objections, |r| format!("{}/{}/{}/{}", r.purpose, r.channel, r.state.name(), r.at)),
        rows(&s.categories, |r| format!("{}/{}/{}", r.category.name(), r.values, r.oldest)),
    )
}

impl RetentionRule for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
            PluginKind::RetentionRule,
            "Test plugin: reviews every subject, giving the view it read as the reason",
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
                    RetentionAction::Review,
                    echo(s),
                    "none: a test plugin",
                )
            })
            .collect())
    }
}

custode_sdk::export_retention_rule!(Plugin);
