use super::*;
use custode_sdk::time::{parse_date, DateOrder};
use custode_sdk::types::{
    BasisPeriod, ConsentAction, ConsentState, LegalBasis, SourceChannel, SourceSummary,
};

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

/// A contact from a bought list: no basis, no consent.
fn bought(collected: &str) -> SubjectView {
    SubjectView {
        contact_id: 5,
        created_at: at("2026-03-01"),
        last_interaction: None,
        sources: vec![SourceSummary {
            label: "purchased list".into(),
            channel: SourceChannel::Other,
            collected_at: at(collected),
        }],
        legal_bases: vec![],
        consents: vec![],
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
fn a_bought_list_45_days_old_goes_to_review() {
    let d = one(&[], bought("2026-02-03")).unwrap();
    assert_eq!(act(&d), "review");
    assert_eq!(
        d.reason,
        "no legal basis and no consent recorded, data collected on 2026-02-03 (45 days ago): record a basis or a consent, or it is erased from 2026-05-04; review holds from 2026-03-05"
    );
    assert_eq!(d.review_after, Some(at("2026-05-04")));
    assert_eq!(d.legal_reference, REFERENCE);
}

#[test]
fn within_the_first_30_days_there_is_time_to_remedy() {
    assert!(one(&[], bought("2026-03-01")).is_none());
    assert_eq!(
        act(&one(&[("review_days", "10")], bought("2026-03-01")).unwrap()),
        "review"
    );
}

#[test]
fn nobody_acted_after_the_review_period_so_it_is_erased() {
    let d = one(&[], bought("2025-12-01")).unwrap();
    assert_eq!(act(&d), "erase");
    assert!(
        d.reason.ends_with(
            "nobody remedied it within 60 days of review; erasure holds from 2026-03-01"
        ),
        "{}",
        d.reason
    );
    assert_eq!(
        act(&one(&[("erase_days", "365")], bought("2025-12-01")).unwrap()),
        "review"
    );
}

#[test]
fn the_creation_counts_when_no_source_says_when_it_was_collected() {
    let mut s = bought("2026-03-01");
    s.sources.clear();
    s.created_at = at("2026-01-01");
    assert_eq!(act(&one(&[], s).unwrap()), "review");
}

#[test]
fn a_basis_or_a_consent_ever_recorded_is_for_the_other_rules() {
    let mut s = bought("2025-01-01");
    s.legal_bases.push(BasisPeriod {
        purpose: "crm".into(),
        basis: LegalBasis::LegitimateInterest,
        start: at("2025-01-01"),
        end: None,
    });
    assert!(one(&[], s.clone()).is_none());
    s.legal_bases[0].end = Some(at("2025-06-01"));
    assert!(
        one(&[], s.clone()).is_none(),
        "an ended basis: legitimate-interest's silence decides"
    );
    let mut s = bought("2025-01-01");
    s.consents.push(ConsentState {
        purpose: "marketing".into(),
        channel: "any".into(),
        state: ConsentAction::Withdrawn,
        at: at("2025-01-01"),
    });
    assert!(
        one(&[], s).is_none(),
        "a withdrawn consent: consent-withdrawn's grace period decides"
    );
}

#[test]
fn bad_settings_are_named() {
    let err = |c: &[(&str, &str)]| {
        Rule::from_config(&Config::from_pairs(c))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(&[("review_days", "9999")]),
        "setting `review_days`: 9999 is out of range; write a number of days from 0 to 3650"
    );
    assert_eq!(
        err(&[("erase_days", "sixty")]),
        "setting `erase_days`: `sixty` is not a valid number"
    );
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
