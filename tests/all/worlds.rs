//! The bundled retention rule and exporters run through the real runtime.

use custode::bundled;
use custode::domain::*;
use custode::runtime::exporter::render;
use custode::runtime::retention::RetentionJob;
use custode::runtime::{Plugin, PluginSettings};
use std::collections::BTreeMap;

const DAY: i64 = 86_400;
/// 2026-11-25T00:00:00Z
pub(crate) const NOW: Timestamp = Timestamp(1_795_564_800);

/// `days` days before (negative: after) `NOW`.
pub(crate) fn ago(days: i64) -> Timestamp {
    Timestamp(NOW.0 - days * DAY)
}

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

pub(crate) fn subject(
    id: i64,
    last_interaction_days_ago: i64,
    bases: Vec<BasisPeriod>,
) -> SubjectView {
    SubjectView {
        contact_id: ContactId(id),
        created_at: ago(2000),
        last_interaction: Some(ago(last_interaction_days_ago)),
        sources: vec![SourceSummary {
            label: "Fiera Milano 2023".into(),
            channel: SourceChannel::Fair,
            collected_at: ago(2000),
        }],
        legal_bases: bases,
        consents: vec![],
        objections: vec![],
        categories: vec![CategoryHeld {
            category: DataCategory::Contact,
            values: 3,
            oldest: ago(2000),
        }],
        restricted: false,
        legal_hold: false,
    }
}

pub(crate) fn li(purpose: &str) -> BasisPeriod {
    BasisPeriod {
        purpose: purpose.into(),
        basis: LegalBasis::LegitimateInterest,
        start: ago(2000),
        end: None,
    }
}

#[test]
fn the_legitimate_interest_rule_erases_silent_customers_and_keeps_the_rest() {
    let plugin = load("legitimate-interest", &[]);
    let mut job = RetentionJob::start(&plugin).unwrap();
    let accounting = BasisPeriod {
        purpose: "accounting".into(),
        basis: LegalBasis::LegalObligation,
        start: ago(2000),
        end: Some(ago(-1000)),
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
    let of = |id: i64| decisions.iter().find(|d| d.contact_id == ContactId(id));

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
    let earlier = job.evaluate(ago(3 * 365), &batch).unwrap();
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
    let mut job = RetentionJob::start(&plugin).unwrap();
    let batch = vec![
        subject(1, 26 * 31, vec![li("customer-care")]),
        subject(2, 40 * 31, vec![li("customer-care")]),
    ];
    let decisions = job.evaluate(NOW, &batch).unwrap();
    assert!(
        decisions
            .iter()
            .all(|d| d.contact_id != ContactId(1) || d.action == RetentionAction::Keep),
        "26 < 36 months"
    );
    let two = decisions
        .iter()
        .find(|d| d.contact_id == ContactId(2))
        .unwrap();
    assert_eq!(two.action, RetentionAction::Review);
}

#[test]
fn a_bad_rule_setting_is_refused_when_the_plugin_is_configured() {
    // The rule checks its own settings (plugin API 0.2.0 `check-config`) when it is loaded with
    // them, before any run: the admin hears of the mistake when making it.
    let runtime = crate::support::runtime();
    let settings = PluginSettings {
        config: BTreeMap::from([("months".to_string(), "zero".to_string())]),
        ..Default::default()
    };
    let err = Plugin::load(
        &runtime,
        bundled::get("legitimate-interest").unwrap().bytes,
        settings,
    )
    .err()
    .expect("a setting the rule cannot read is refused")
    .to_string();
    assert!(
        err.starts_with("plugin `legitimate-interest` ")
            && err.contains("refuses these settings: `months`: "),
        "names the plugin and the setting: {err}"
    );
    assert!(
        err.ends_with("change them in the plugin's configuration"),
        "{err}"
    );
}

/// One question both 24-month clocks answer: `can_process` in the domain (legitimate interest
/// lapses) and the bundled `legitimate-interest` rule (the subject's data goes). Times are UTC.
struct Silence {
    name: &'static str,
    /// The limit in months: the policy's `legitimate_interest_months`, the rule's `months`.
    months: u32,
    created: &'static str,
    interaction: Option<&'static str>,
    /// When a source last collected the person's data (an import of a fair list, a form).
    collected: Option<&'static str>,
    /// When the legitimate-interest basis was recorded as starting; the creation when `None`.
    basis_start: Option<&'static str>,
    now: &'static str,
    lapsed: bool,
}

fn silences() -> Vec<Silence> {
    let case = |name, months, interaction, now, lapsed| Silence {
        name,
        months,
        created: "2020-01-01T00:00:00Z",
        interaction: Some(interaction),
        collected: None,
        basis_start: None,
        now,
        lapsed,
    };
    vec![
        case("exactly 24 months after the last interaction", 24, "2024-03-15T10:00:00Z", "2026-03-15T10:00:00Z", true),
        case("one second short of 24 months", 24, "2024-03-15T10:00:00Z", "2026-03-15T09:59:59Z", false),
        case("a leap day plus 24 months is 28 February", 24, "2024-02-29T12:00:00Z", "2026-02-28T12:00:00Z", true),
        case("a leap day, one second short", 24, "2024-02-29T12:00:00Z", "2026-02-28T11:59:59Z", false),
        case("25 months of silence", 24, "2024-05-01T00:00:00Z", "2026-06-01T00:00:00Z", true),
        case("23 months of silence", 24, "2024-07-01T00:00:00Z", "2026-06-01T00:00:00Z", false),
        case("31 January plus a month is 28 February", 1, "2025-01-31T08:00:00Z", "2025-02-28T08:00:00Z", true),
        case("31 January plus a month, one second short", 1, "2025-01-31T08:00:00Z", "2025-02-28T07:59:59Z", false),
        case("31 January plus a month in a leap year is 29 February", 1, "2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", true),
        case("the day before that 29 February", 1, "2024-01-31T00:00:00Z", "2024-02-28T23:59:59Z", false),
        case("31 January plus 13 months reaches a leap day", 13, "2023-01-31T00:00:00Z", "2024-02-29T00:00:00Z", true),
        case("30 April plus 10 months is 28 February", 10, "2025-04-30T00:00:00Z", "2026-02-27T23:59:59Z", false),
        Silence {
            collected: Some("2024-06-01T00:00:00Z"),
            ..case("data collected after the last interaction counts from the collection", 24, "2023-01-10T00:00:00Z", "2026-05-31T23:59:59Z", false)
        },
        Silence {
            collected: Some("2024-06-01T00:00:00Z"),
            ..case("and lapses 24 months after the collection", 24, "2023-01-10T00:00:00Z", "2026-06-01T00:00:00Z", true)
        },
        Silence {
            collected: Some("2022-01-01T00:00:00Z"),
            ..case("an interaction after the collection counts from the interaction", 24, "2024-06-01T00:00:00Z", "2026-05-31T23:59:59Z", false)
        },
        Silence {
            interaction: None,
            collected: Some("2024-04-10T09:00:00Z"),
            ..case("no interaction: from the collection", 24, "", "2026-04-10T09:00:00Z", true)
        },
        Silence {
            created: "2024-04-10T09:00:00Z",
            interaction: None,
            ..case("nothing known: from the contact's creation", 24, "", "2026-04-10T09:00:00Z", true)
        },
        Silence {
            created: "2024-04-10T09:00:00Z",
            interaction: None,
            ..case("nothing known, a day short", 24, "", "2026-04-09T09:00:00Z", false)
        },
        Silence {
            created: "2026-01-15T00:00:00Z",
            interaction: None,
            collected: Some("2022-09-01T00:00:00Z"),
            basis_start: Some("2026-01-15T00:00:00Z"),
            ..case("a 2022 fair list imported this year is silent since 2022, whatever the basis start", 24, "", "2026-03-01T00:00:00Z", true)
        },
    ]
}

#[test]
fn can_process_and_the_bundled_rule_count_the_legitimate_interest_months_alike() {
    use custode::domain;
    let at = |text: &str| domain::Timestamp::parse("time", text).unwrap();
    let mut plugins: BTreeMap<u32, Plugin> = BTreeMap::new();
    for case in silences() {
        let created = at(case.created);
        let interaction = case.interaction.map(at);
        let collected = case.collected.map(at);
        let now = at(case.now);
        let basis = domain::BasisPeriod {
            purpose: "customer-care".into(),
            basis: domain::LegalBasis::LegitimateInterest,
            start: case.basis_start.map_or(created, at),
            end: None,
        };

        // The domain: may the contact be processed on legitimate interest at `now`?
        let policy = domain::Policy::from_settings(&domain::Settings {
            legitimate_interest_months: case.months,
            ..Default::default()
        })
        .unwrap();
        let facts = domain::SubjectFacts {
            contact: Some(domain::ContactId(1)),
            created_at: created,
            first_notice_at: Some(created),
            last_interaction: interaction,
            last_collected_at: collected,
            bases: vec![basis.clone()],
            ..Default::default()
        };
        let query = domain::ProcessingQuery {
            purpose: "customer-care",
            channel: "phone",
            at: now,
        };
        let decision = domain::can_process(&policy, &query, &facts);
        let domain_lapsed = match decision.rule {
            domain::DecisionRule::LegitimateInterestLapsed => true,
            domain::DecisionRule::Allowed => false,
            other => panic!(
                "{}: can_process decided {other:?}: {}",
                case.name, decision.reason
            ),
        };

        // The bundled rule, through the runtime, on the same subject as the store shows it.
        let plugin = plugins.entry(case.months).or_insert_with(|| {
            load(
                "legitimate-interest",
                &[("months", &case.months.to_string()), ("explain", "all")],
            )
        });
        let view = domain::SubjectView {
            contact_id: domain::ContactId(1),
            created_at: created,
            last_interaction: interaction,
            sources: collected
                .map(|collected_at| domain::SourceSummary {
                    label: "Fiera Milano".into(),
                    channel: domain::SourceChannel::Fair,
                    collected_at,
                })
                .into_iter()
                .collect(),
            legal_bases: vec![basis],
            consents: vec![],
            objections: vec![],
            categories: vec![],
            restricted: false,
            legal_hold: false,
        };
        let decisions = RetentionJob::start(plugin)
            .unwrap()
            .evaluate(now, &[view])
            .unwrap();
        let [decision] = decisions.as_slice() else {
            panic!(
                "{}: with `explain = all` the rule decides on every subject: {decisions:?}",
                case.name
            );
        };
        let rule_lapsed = decision.action != RetentionAction::Keep;

        assert_eq!(
            (domain_lapsed, rule_lapsed),
            (case.lapsed, case.lapsed),
            "{}: (can_process lapsed, rule lapsed) at {}; the rule said: {}",
            case.name,
            case.now,
            decision.reason
        );
    }
}

pub(crate) fn package() -> SubjectPackage {
    SubjectPackage {
        contact_id: ContactId(42),
        generated_at: NOW,
        controller: "Rossi Forniture S.r.l.".into(),
        data_location: "Milan, Italy (EU)".into(),
        created_at: ago(100),
        last_interaction: Some(ago(5)),
        identities: vec![IdentityEntry {
            identity: Identity::Email(Email::parse("mario.rossi@example.it").unwrap()),
            provenance: Some(ProvenanceId(7)),
        }],
        fields: vec![
            FieldEntry {
                name: "first_name".into(),
                category: DataCategory::Contact,
                value: "Mario \"Super\" Rossi\n€".into(),
                provenance: Some(ProvenanceId(7)),
                recorded_at: ago(100),
                current: true,
            },
            FieldEntry {
                name: "company".into(),
                category: DataCategory::Commercial,
                value: "Rossi, Bianchi & Co".into(),
                provenance: Some(ProvenanceId(7)),
                recorded_at: ago(100),
                current: true,
            },
        ],
        provenance: vec![ProvenanceEntry {
            id: ProvenanceId(7),
            source_label: "Fiera Milano 2026".into(),
            channel: SourceChannel::Fair,
            collected_at: ago(100),
            batch: Some(BatchId(3)),
            file_digest: Some("ab".repeat(32)),
            plugin: Some(PluginRef {
                name: "csv".into(),
                version: "0.1.0".into(),
                digest: "cd".repeat(32),
            }),
            operator: "anna".into(),
        }],
        purposes: vec![],
        consents: vec![ConsentRecord {
            seq: 1,
            purpose: "marketing".into(),
            channel: ConsentChannel::Email,
            action: ConsentAction::Granted,
            at: ago(100),
            evidence: Evidence {
                method: "import".into(),
                notice_version: Some("2026-01".into()),
                text: Some("column `consenso marketing` = sì".into()),
                collected_by: "anna".into(),
            },
            provenance: Some(ProvenanceId(7)),
            batch: Some(BatchId(3)),
            row: Some(12),
        }],
        notices: vec![NoticeReceipt {
            version: "2026-01".into(),
            at: ago(100),
        }],
        retention: vec![],
        recipients: vec!["mail provider (EU)".into()],
        former_identities: vec![],
        restrictions: vec![],
        legal_hold_since: None,
        controller_contact: None,
        supervisory_authority: None,
        request: None,
    }
}

#[test]
fn the_json_exporter_renders_the_whole_package_as_valid_json() {
    let plugin = load("json", &[]);
    let document = render(&plugin, &package()).unwrap();
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
    assert_eq!(render(&plugin, &package()).unwrap().bytes, document.bytes);
}

#[test]
fn the_csv_exporter_guards_against_formula_injection() {
    let plugin = load("csv-export", &[]);
    let mut p = package();
    p.fields[1].value = "=HYPERLINK(\"http://evil\")".into();
    let document = render(&plugin, &p).unwrap();
    let text = String::from_utf8(document.bytes).unwrap();
    assert!(
        !text.contains(",=HYPERLINK") && !text.contains("\"=HYPERLINK"),
        "{text}"
    );
    assert!(text.contains("Mario"));
}
