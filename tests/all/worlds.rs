//! The bundled retention rule and exporters run through the real runtime.

use custode::bundled;
use custode::runtime::bindings::types::*;
use custode::runtime::{Plugin, PluginSettings};
use std::collections::BTreeMap;

const DAY: i64 = 86_400;
/// 2026-11-25T00:00:00Z
const NOW: i64 = 1_795_564_800;

fn load(name: &str, config: &[(&str, &str)]) -> Plugin {
    let runtime = crate::support::runtime();
    let config: BTreeMap<String, String> = config
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let settings = PluginSettings {
        config,
        ..Default::default()
    };
    Plugin::load(&runtime, bundled::get(name).unwrap().bytes, settings).unwrap()
}

fn subject(id: u64, last_interaction_days_ago: i64, bases: Vec<BasisPeriod>) -> SubjectView {
    SubjectView {
        contact_id: id,
        created_at: NOW - 2000 * DAY,
        last_interaction: Some(NOW - last_interaction_days_ago * DAY),
        sources: vec![SourceSummary {
            label: "Fiera Milano 2023".into(),
            channel: SourceChannel::Fair,
            collected_at: NOW - 2000 * DAY,
        }],
        legal_bases: bases,
        consents: vec![],
        categories: vec![CategoryHeld {
            category: DataCategory::Contact,
            values: 3,
            oldest: NOW - 2000 * DAY,
        }],
        restricted: false,
        legal_hold: false,
    }
}

fn li(purpose: &str) -> BasisPeriod {
    BasisPeriod {
        purpose: purpose.into(),
        basis: LegalBasis::LegitimateInterest,
        start: NOW - 2000 * DAY,
        end: None,
    }
}

#[test]
fn the_legitimate_interest_rule_erases_silent_customers_and_keeps_the_rest() {
    let plugin = load("legitimate-interest", &[]);
    let mut job = plugin.start_retention().unwrap();
    let accounting = BasisPeriod {
        purpose: "accounting".into(),
        basis: LegalBasis::LegalObligation,
        start: NOW - 2000 * DAY,
        end: Some(NOW + 1000 * DAY),
    };
    let batch = vec![
        subject(1, 30, vec![li("customer-care")]), // active customer
        subject(2, 26 * 31, vec![li("customer-care")]), // silent 26 months
        subject(3, 26 * 31, vec![li("customer-care"), accounting]), // silent, but invoices
        SubjectView {
            legal_hold: true,
            ..subject(4, 26 * 31, vec![li("customer-care")])
        },
    ];
    let decisions = job.evaluate(NOW, &batch).unwrap();
    let of = |id: u64| decisions.iter().find(|d| d.contact_id == id);

    assert!(
        of(1).is_none_or(|d| d.action == RetentionAction::Keep),
        "an active customer is kept"
    );
    let erased = of(2).expect("a decision for the silent customer");
    assert_eq!(erased.action, RetentionAction::Erase);
    assert!(
        erased.reason.contains("24"),
        "the reason names the limit: {}",
        erased.reason
    );
    assert!(erased.legal_reference.contains("Art. 5(1)(e)"));
    let invoiced = of(3).expect("a decision explaining the keep");
    assert_eq!(invoiced.action, RetentionAction::Keep);
    assert!(
        invoiced.reason.contains("accounting"),
        "names the other basis: {}",
        invoiced.reason
    );
    assert_eq!(
        of(4).unwrap().action,
        RetentionAction::Keep,
        "legal hold wins"
    );

    // Decisions are reproducible: `now` is an argument, there is no clock.
    assert_eq!(job.evaluate(NOW, &batch).unwrap(), decisions);
    // Evaluated as of three years earlier, nobody is past the limit.
    let earlier = job.evaluate(NOW - 3 * 365 * DAY, &batch).unwrap();
    assert!(
        earlier.iter().all(|d| d.action != RetentionAction::Erase),
        "{earlier:?}"
    );
}

#[test]
fn the_rule_setting_changes_the_action() {
    let plugin = load(
        "legitimate-interest",
        &[("months", "36"), ("action", "review")],
    );
    let mut job = plugin.start_retention().unwrap();
    let batch = vec![
        subject(1, 26 * 31, vec![li("customer-care")]),
        subject(2, 40 * 31, vec![li("customer-care")]),
    ];
    let decisions = job.evaluate(NOW, &batch).unwrap();
    assert!(
        decisions
            .iter()
            .all(|d| d.contact_id != 1 || d.action == RetentionAction::Keep),
        "26 < 36 months"
    );
    let two = decisions.iter().find(|d| d.contact_id == 2).unwrap();
    assert_eq!(two.action, RetentionAction::Review);
}

#[test]
fn a_bad_rule_setting_is_refused_when_the_run_starts() {
    let plugin = load("legitimate-interest", &[("months", "zero")]);
    let mut job = plugin.start_retention().unwrap();
    let err = job
        .evaluate(NOW, &[subject(1, 10, vec![])])
        .unwrap_err()
        .to_string();
    assert!(err.contains("months"), "names the setting: {err}");
}

fn package() -> SubjectPackage {
    SubjectPackage {
        contact_id: 42,
        generated_at: NOW,
        controller: "Rossi Forniture S.r.l.".into(),
        data_location: "Milan, Italy (EU)".into(),
        created_at: NOW - 100 * DAY,
        last_interaction: Some(NOW - 5 * DAY),
        identities: vec![IdentityEntry {
            identity: Identity::Email("mario.rossi@example.it".into()),
            provenance: Some(7),
        }],
        fields: vec![
            FieldEntry {
                name: "first_name".into(),
                category: DataCategory::Contact,
                value: "Mario \"Super\" Rossi\n€".into(),
                provenance: Some(7),
                recorded_at: NOW - 100 * DAY,
                current: true,
            },
            FieldEntry {
                name: "company".into(),
                category: DataCategory::Commercial,
                value: "Rossi, Bianchi & Co".into(),
                provenance: Some(7),
                recorded_at: NOW - 100 * DAY,
                current: true,
            },
        ],
        provenance: vec![ProvenanceEntry {
            id: 7,
            source_label: "Fiera Milano 2026".into(),
            channel: SourceChannel::Fair,
            collected_at: NOW - 100 * DAY,
            batch: Some(3),
            file_digest: Some("ab".repeat(32)),
            plugin: Some("csv@0.1.0".into()),
            plugin_digest: Some("cd".repeat(32)),
            operator: "anna".into(),
        }],
        purposes: vec![],
        consents: vec![ConsentEvent {
            purpose: "marketing".into(),
            channel: "email".into(),
            action: ConsentAction::Granted,
            at: NOW - 100 * DAY,
            method: "import".into(),
            notice_version: Some("2026-01".into()),
            evidence: Some("column `consenso marketing` = sì".into()),
            collected_by: "anna".into(),
        }],
        notices: vec![NoticeReceipt {
            version: "2026-01".into(),
            at: Some(NOW - 100 * DAY),
        }],
        retention: vec![],
        recipients: vec!["mail provider (EU)".into()],
        restricted: false,
        legal_hold: false,
    }
}

#[test]
fn the_json_exporter_renders_the_whole_package_as_valid_json() {
    let plugin = load("json", &[]);
    let document = plugin.render(&package()).unwrap();
    assert_eq!(document.media_type, "application/json");
    assert_eq!(document.file_name, "subject-42.json");
    let json: serde_json::Value = serde_json::from_slice(&document.bytes).expect("valid JSON");
    let text = String::from_utf8(document.bytes.clone()).unwrap();
    for expected in [
        "mario.rossi@example.it",
        "Fiera Milano 2026",
        "Milan, Italy (EU)",
        "2026-01",
        "Rossi, Bianchi & Co",
    ] {
        assert!(text.contains(expected), "the document contains {expected}");
    }
    assert!(
        json.to_string().contains("Mario \\\"Super\\\" Rossi\\n€"),
        "escapes are right: {json}"
    );
    // Deterministic: the same package renders to the same bytes.
    assert_eq!(plugin.render(&package()).unwrap().bytes, document.bytes);
}

#[test]
fn the_csv_exporter_guards_against_formula_injection() {
    let plugin = load("csv-export", &[]);
    let mut p = package();
    p.fields[1].value = "=HYPERLINK(\"http://evil\")".into();
    let document = plugin.render(&p).unwrap();
    let text = String::from_utf8(document.bytes).unwrap();
    assert!(
        !text.contains(",=HYPERLINK") && !text.contains("\"=HYPERLINK"),
        "{text}"
    );
    assert!(text.contains("Mario"));
}
