//! Plugin API versions side by side: a plugin built against the frozen 0.1.0 or 0.2.0 runs
//! unchanged next to one built against 0.3.0, each getting its own version's records; a 0.3.0
//! rule, whose subjects come in columns, reads the same views as a 0.2.0 one.

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
fn an_exporter_of_0_1_0_or_later_renders_and_only_later_ones_see_former_identities() {
    let old = load("api-0-1-exporter");
    assert_eq!(old.inspection().api_version, "0.1.0");
    let new = load("json");
    assert_eq!(new.inspection().api_version, "0.3.0");
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
fn a_retention_rule_of_0_1_0_or_later_runs_and_only_later_ones_say_from_when() {
    let old = load("api-0-1-rule");
    assert_eq!(old.inspection().api_version, "0.1.0");
    let new = load("legitimate-interest");
    assert_eq!(new.inspection().api_version, "0.3.0");
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
    let from = new_decisions[0]
        .holds_from
        .expect("0.2.0 and later say from when");
    assert!(
        from < NOW && from > ago(3 * 31),
        "the 24 months ended about 2 months ago: {from:?}"
    );
}

/// Subjects with every kind of fact, some twice, some missing, and strings shared between them.
fn varied_subjects() -> Vec<SubjectView> {
    let consent = |purpose: &str, channel, state, days| ConsentStateEntry {
        purpose: purpose.into(),
        channel,
        state,
        at: ago(days),
    };
    let mut rich = subject(7, 40, vec![li("customer-care")]);
    rich.legal_bases.push(BasisPeriod {
        purpose: "accounting".into(),
        basis: LegalBasis::LegalObligation,
        start: ago(900),
        end: Some(ago(30)),
    });
    rich.sources.push(SourceSummary {
        label: "Modulo web «contatti»".into(),
        channel: SourceChannel::WebForm,
        collected_at: ago(800),
    });
    rich.consents = vec![
        consent(
            "marketing",
            ConsentChannel::Email,
            ConsentAction::Granted,
            300,
        ),
        consent(
            "marketing",
            ConsentChannel::Any,
            ConsentAction::Withdrawn,
            20,
        ),
    ];
    rich.objections = vec![consent(
        "profiling",
        ConsentChannel::Phone,
        ConsentAction::Objected,
        10,
    )];
    rich.categories = vec![
        CategoryHeld {
            category: DataCategory::Contact,
            values: 3,
            oldest: ago(2000),
        },
        CategoryHeld {
            category: DataCategory::Financial,
            values: 1,
            oldest: ago(900),
        },
    ];
    rich.restricted = true;
    let mut bare = subject(8, 0, vec![]);
    bare.last_interaction = None;
    bare.sources.clear();
    bare.legal_hold = true;
    let mut before_1970 = subject(9, 5, vec![li("marketing")]);
    before_1970.created_at = Timestamp(-86_400);
    vec![
        subject(1, 26 * 31, vec![li("customer-care")]),
        rich,
        bare,
        before_1970,
    ]
}

#[test]
fn a_0_3_0_rule_reads_in_its_columns_the_views_a_0_2_0_rule_reads() {
    let columns = load("view-echo");
    assert_eq!(columns.inspection().api_version, "0.3.0");
    let views = load("view-echo-0-2");
    assert_eq!(views.inspection().api_version, "0.2.0");
    let batch = varied_subjects();
    let from_columns = RetentionJob::start(&columns)
        .unwrap()
        .evaluate(NOW, &batch)
        .unwrap();
    let from_views = RetentionJob::start(&views)
        .unwrap()
        .evaluate(NOW, &batch)
        .unwrap();
    let reasons = |d: &[RetentionDecision]| d.iter().map(|d| d.reason.clone()).collect::<Vec<_>>();
    assert_eq!(reasons(&from_columns), reasons(&from_views));
    assert_eq!(from_columns.len(), batch.len());
    // And the echo is the views': every fact of the rich subject, in order.
    let rich = &from_columns[1].reason;
    for fact in [
        "id=7 ",
        &format!("last={} ", ago(40).0),
        "restricted=true hold=false",
        "sources=[Fiera Milano 2023/fair/",
        "Modulo web «contatti»/web-form/",
        &format!("accounting/legal-obligation/{}/{}]", ago(900).0, ago(30).0),
        "consents=[marketing/email/granted/",
        "marketing/any/withdrawn/",
        "objections=[profiling/phone/objected/",
        &format!("categories=[contact/3/{} financial/1/", ago(2000).0),
    ] {
        assert!(rich.contains(fact), "`{fact}` missing from {rich}");
    }
    let bare = &from_columns[2].reason;
    assert!(
        bare.contains("last=- restricted=false hold=true sources=[] bases=[]"),
        "{bare}"
    );
    assert!(from_columns[3].reason.contains("created=-86400 "));
}

/// A policy split among workers lowers one batch per version: the 0.3.0 columns and the 0.2.0
/// views of the same subjects, side by side, decide as each rule alone.
#[test]
fn rules_of_two_versions_share_a_job_each_with_its_own_lowering() {
    let columns = load("view-echo");
    let views = load("view-echo-0-2");
    let batch = varied_subjects();
    let mut a = RetentionJob::start(&columns).unwrap();
    let mut b = RetentionJob::start(&views).unwrap();
    let mut prepared = Vec::new();
    let first = a.prepare_shared(&batch, &mut prepared).len();
    assert_eq!(first, batch.len());
    let second = b.prepare_shared(&batch, &mut prepared).len();
    assert_eq!(
        (second, prepared.len()),
        (batch.len(), 2),
        "one lowering per version"
    );
    let by_a = a.evaluate_prepared(NOW, &prepared[0]).unwrap();
    let by_b = b.evaluate_prepared(NOW, &prepared[1]).unwrap();
    assert_eq!(by_a[1].reason, by_b[1].reason);
    assert!(
        b.evaluate_prepared(NOW, &prepared[0]).is_err(),
        "a batch lowered for 0.3.0 is refused by a 0.2.0 rule"
    );
}
