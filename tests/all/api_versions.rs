//! Plugin API versions side by side: a plugin built against the frozen 0.1.0 runs unchanged next
//! to one built against 0.2.0, each getting its own version's records.

use custode::domain::*;
use custode::runtime::exporter::render;
use custode::runtime::retention::RetentionJob;
use custode::runtime::{Plugin, PluginSettings};

use crate::support::{plugin_bytes, runtime};
use crate::worlds::{ago, li, package, subject, NOW};

fn load(name: &str) -> Plugin {
    let plugin = Plugin::load(&runtime(), &plugin_bytes(name), PluginSettings::default())
        .unwrap_or_else(|e| panic!("{name} loads: {e}"));
    plugin
}

fn package_with_a_former_identity() -> SubjectPackage {
    let mut p = package();
    p.former_identities = vec![FormerIdentity {
        identity: Identity::Email(Email::parse("anna.old@example.it").unwrap()),
        provenance: None,
        removed_at: ago(3),
        removed_by: ProvenanceId(12),
    }];
    p
}

#[test]
fn an_exporter_of_either_version_renders_and_only_0_2_0_sees_former_identities() {
    let old = load("api-0-1-exporter");
    assert_eq!(old.inspection().api_version, "0.1.0");
    let new = load("json");
    assert_eq!(new.inspection().api_version, "0.2.0");
    let p = package_with_a_former_identity();

    let text = String::from_utf8(render(&old, &p).unwrap().bytes).unwrap();
    assert!(
        text.starts_with(&format!("contact {}\n", p.contact_id.0)),
        "{text}"
    );
    assert!(text.contains("identity mario.rossi@example.it\n"), "{text}");
    assert!(
        !text.contains("anna.old"),
        "0.1.0 has no place for former identities: {text}"
    );

    let json: serde_json::Value = serde_json::from_slice(&render(&new, &p).unwrap().bytes).unwrap();
    assert_eq!(json["former_identities"][0]["value"], "anna.old@example.it");
    assert_eq!(json["former_identities"][0]["removed_by"], 12);
    assert_eq!(json["request"], serde_json::Value::Null);
}

#[test]
fn a_retention_rule_of_either_version_runs_and_only_0_2_0_says_from_when() {
    let old = load("api-0-1-rule");
    assert_eq!(old.inspection().api_version, "0.1.0");
    let new = load("legitimate-interest");
    assert_eq!(new.inspection().api_version, "0.2.0");
    let silent = subject(1, 26 * 31, vec![li("customer-care")]);
    let never_heard = SubjectView {
        last_interaction: None,
        ..silent.clone()
    };

    let old_decisions = RetentionJob::start(&old)
        .unwrap()
        .evaluate(NOW, &[never_heard])
        .unwrap();
    assert_eq!(old_decisions.len(), 1);
    assert_eq!(old_decisions[0].action, RetentionAction::Review);
    assert_eq!(old_decisions[0].holds_from, None, "0.1.0 cannot say");

    let new_decisions = RetentionJob::start(&new)
        .unwrap()
        .evaluate(NOW, &[silent])
        .unwrap();
    assert_eq!(new_decisions[0].action, RetentionAction::Erase);
    let from = new_decisions[0].holds_from.expect("0.2.0 says from when");
    assert!(
        from < NOW && from > ago(3 * 31),
        "the 24 months ended about 2 months ago: {from:?}"
    );
}
