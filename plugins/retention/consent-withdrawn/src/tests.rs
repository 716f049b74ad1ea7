use super::*;
use custode_sdk::time::{parse_date, DateOrder};
use custode_sdk::types::{BasisPeriod, ConsentState};

fn at(date: &str) -> Timestamp {
    parse_date(date, DateOrder::DayFirst).unwrap()
}

const NOW: &str = "2026-03-20";

/// The action in words (the WIT types have no `PartialEq`).
fn act(d: &RetentionDecision) -> String {
    match &d.action {
        RetentionAction::Anonymise(c) => format!(
            "anonymise {}",
            c.iter().map(|c| c.name()).collect::<Vec<_>>().join(",")
        ),
        other => other.name().to_string(),
    }
}

fn consent(purpose: &str, state: ConsentAction, date: &str) -> ConsentState {
    ConsentState {
        purpose: purpose.into(),
        channel: "email".into(),
        state,
        at: at(date),
    }
}

/// A newsletter subscriber: data held on consent only.
fn subscriber(consents: Vec<ConsentState>) -> SubjectView {
    SubjectView {
        contact_id: 3,
        created_at: at("2024-01-01"),
        last_interaction: None,
        sources: vec![],
        legal_bases: vec![BasisPeriod {
            purpose: "marketing".into(),
            basis: LegalBasis::Consent,
            start: at("2024-01-01"),
            end: None,
        }],
        consents,
        objections: vec![],
        categories: vec![],
        restricted: false,
        legal_hold: false,
    }
}

fn one(config: &[(&str, &str)], s: SubjectView) -> Option<RetentionDecision> {
    Rule::from_config(&Config::from_pairs(config))
        .unwrap()
        .evaluate(at(NOW), &[s])
        .pop()
}

#[test]
fn withdrawn_forty_days_ago_is_erased() {
    let d = one(
        &[],
        subscriber(vec![consent(
            "marketing",
            ConsentAction::Withdrawn,
            "2026-02-08",
        )]),
    )
    .unwrap();
    assert_eq!(act(&d), "erase");
    assert_eq!(
        d.reason,
        "every consent the data rested on was withdrawn, the last on 2026-02-08, and no other basis is in force; after the 30-day grace period, erasure holds from 2026-03-10"
    );
    assert_eq!(d.legal_reference, "GDPR Art. 7(3), Art. 17(1)(b)");
}

#[test]
fn withdrawn_ten_days_ago_waits_for_the_grace_period() {
    let s = subscriber(vec![consent(
        "marketing",
        ConsentAction::Withdrawn,
        "2026-03-10",
    )]);
    assert!(one(&[], s.clone()).is_none());
    assert_eq!(
        act(&one(&[("grace_days", "5")], s.clone()).unwrap()),
        "erase"
    );
    // A dry run as of the day the grace period ends sees it.
    let d = Rule::from_config(&Config::from_pairs(&[]))
        .unwrap()
        .evaluate(at("2026-04-09"), &[s])
        .pop()
        .unwrap();
    assert!(
        d.reason.ends_with("erasure holds from 2026-04-09"),
        "{}",
        d.reason
    );
}

#[test]
fn an_objection_counts_as_a_withdrawal() {
    let d = one(
        &[],
        subscriber(vec![consent(
            "marketing",
            ConsentAction::Objected,
            "2025-01-01",
        )]),
    )
    .unwrap();
    assert_eq!(act(&d), "erase");
}

#[test]
fn one_consent_still_in_force_keeps_the_data() {
    let s = subscriber(vec![
        consent("marketing", ConsentAction::Withdrawn, "2025-01-01"),
        consent("profiling", ConsentAction::Granted, "2019-01-01"),
    ]);
    assert!(one(&[], s.clone()).is_none(), "no age limit by default");
    let d = one(&[("explain", "all")], s.clone()).unwrap();
    assert_eq!(act(&d), "keep");
    assert_eq!(
        d.reason,
        "kept: consent to `profiling` by email in force since 2019-01-01"
    );
    // With an age limit, the old consent no longer counts: the withdrawal decides.
    let d = one(&[("max_age_months", "24")], s).unwrap();
    assert_eq!(act(&d), "erase");
}

#[test]
fn consents_past_the_age_limit_end_the_data() {
    let s = subscriber(vec![consent(
        "marketing",
        ConsentAction::Granted,
        "2023-01-15",
    )]);
    let d = one(&[("max_age_months", "36")], s.clone()).unwrap();
    assert_eq!(act(&d), "erase");
    assert_eq!(
        d.reason,
        "every consent is older than 36 months, the latest given on 2023-01-15, and no other basis is in force; after the 30-day grace period, erasure holds from 2026-02-14"
    );
    assert!(one(&[("max_age_months", "48")], s).is_none());
}

#[test]
fn another_basis_in_force_is_for_the_other_rules() {
    let mut s = subscriber(vec![consent(
        "marketing",
        ConsentAction::Withdrawn,
        "2025-01-01",
    )]);
    s.legal_bases.push(BasisPeriod {
        purpose: "contract".into(),
        basis: LegalBasis::Contract,
        start: at("2024-01-01"),
        end: None,
    });
    assert!(one(&[], s.clone()).is_none());
    s.legal_bases[1].end = Some(at("2025-06-01"));
    assert_eq!(act(&one(&[], s).unwrap()), "erase", "the contract ended");
}

#[test]
fn subjects_without_consents_get_no_decision() {
    assert!(one(&[], subscriber(vec![])).is_none());
}

#[test]
fn bad_settings_are_named() {
    let err = |c: &[(&str, &str)]| {
        Rule::from_config(&Config::from_pairs(c))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(&[("grace_days", "-3")]),
        "setting `grace_days`: -3 is out of range; write a number of days from 0 to 3650"
    );
    assert!(err(&[("max_age_months", "0")]).contains("leave it unset for no limit"));
    assert!(err(&[("explain", "everything")]).starts_with("setting `explain`"));
}

#[test]
fn describe_lists_every_setting() {
    let config = Config::from_pairs(&[]);
    Rule::from_config(&config).unwrap();
    let mut read = config.keys_read();
    read.sort();
    let mut declared: Vec<String> = describe().config_keys.into_iter().map(|k| k.name).collect();
    declared.sort();
    assert_eq!(declared, read);
}
