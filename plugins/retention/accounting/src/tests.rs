use super::*;
use custode_sdk::time::{parse_date, DateOrder};
use custode_sdk::types::{BasisPeriod, CategoryHeld, ConsentState};

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

fn basis(basis: LegalBasis, purpose: &str, start: &str, end: Option<&str>) -> BasisPeriod {
    BasisPeriod {
        purpose: purpose.into(),
        basis,
        start: at(start),
        end: end.map(at),
    }
}

fn category(category: DataCategory) -> CategoryHeld {
    CategoryHeld {
        category,
        values: 2,
        oldest: at("2012-01-01"),
    }
}

/// A former customer: invoices under a legal obligation that ended on `ended`, last heard of then.
fn former_customer(ended: &str) -> SubjectView {
    SubjectView {
        contact_id: 1,
        created_at: at("2010-01-01"),
        last_interaction: Some(at(ended)),
        sources: vec![],
        legal_bases: vec![
            basis(
                LegalBasis::LegalObligation,
                "accounting",
                "2010-01-01",
                Some(ended),
            ),
            basis(LegalBasis::Contract, "contract", "2010-01-01", Some(ended)),
        ],
        consents: vec![],
        objections: vec![],
        categories: vec![
            category(DataCategory::Contact),
            category(DataCategory::Financial),
            category(DataCategory::Notes),
        ],
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
fn within_ten_years_with_every_other_basis_lapsed_the_rest_goes_and_the_records_stay() {
    let d = one(&[], former_customer("2023-03-01")).unwrap();
    assert_eq!(act(&d), "anonymise contact,notes");
    assert_eq!(
        d.reason,
        "every basis but the accounting obligation has lapsed: the rest goes, the accounting records (financial) stay until 2033-03-01 (10 years from the last entry on 2023-03-01); holds from 2026-03-20"
    );
    assert_eq!(d.legal_reference, REFERENCE);
    assert_eq!(d.review_after, Some(at("2033-03-01")));
}

#[test]
fn after_ten_years_with_no_other_basis_everything_goes() {
    let d = one(&[], former_customer("2015-02-01")).unwrap();
    assert_eq!(act(&d), "erase");
    assert_eq!(
        d.reason,
        "the 10 years accounting records must be kept ended on 2025-02-01 (last entry 2015-02-01); holds from 2025-02-01, and no other basis is in force"
    );
    assert_eq!(d.legal_reference, REFERENCE_AFTER);
}

#[test]
fn the_last_interaction_moves_the_last_entry() {
    let mut s = former_customer("2015-02-01");
    s.last_interaction = Some(at("2017-06-30"));
    let d = one(&[], s).unwrap();
    assert!(matches!(d.action, RetentionAction::Anonymise(_)), "{d:?}");
    assert_eq!(d.review_after, Some(at("2027-06-30")));
}

#[test]
fn a_basis_with_no_end_does_not_keep_data_forever() {
    let mut s = former_customer("2014-01-01");
    s.legal_bases[0].end = None;
    s.legal_bases[0].start = at("2012-05-05");
    s.last_interaction = Some(at("2013-01-01"));
    let d = one(&[], s).unwrap();
    assert_eq!(act(&d), "erase", "{}", d.reason);
    assert!(d.reason.contains("last entry 2013-01-01"), "{}", d.reason);
}

#[test]
fn while_another_basis_is_in_force_the_rule_says_nothing_within_the_ten_years() {
    let mut s = former_customer("2023-03-01");
    s.legal_bases[1].end = None;
    assert!(one(&[], s).is_none(), "an active contract");

    let mut s = former_customer("2023-03-01");
    s.consents.push(ConsentState {
        purpose: "marketing".into(),
        channel: "email".into(),
        state: ConsentAction::Granted,
        at: at("2022-01-01"),
    });
    assert!(one(&[], s).is_none(), "a consent in force");

    let mut s = former_customer("2025-09-01");
    s.legal_bases.push(basis(
        LegalBasis::LegitimateInterest,
        "crm",
        "2010-01-01",
        None,
    ));
    assert!(one(&[], s.clone()).is_none(), "heard from 7 months ago");
    s.last_interaction = Some(at("2023-09-01"));
    s.legal_bases[0].end = Some(at("2023-09-01"));
    assert!(
        matches!(one(&[], s).unwrap().action, RetentionAction::Anonymise(_)),
        "legitimate interest lapsed after 24 months of silence"
    );
}

#[test]
fn after_ten_years_another_basis_keeps_the_rest_and_the_records_go() {
    let mut s = former_customer("2015-02-01");
    s.legal_bases
        .push(basis(LegalBasis::Contract, "contract", "2024-01-01", None));
    let d = one(&[], s).unwrap();
    assert_eq!(act(&d), "anonymise financial");
    assert!(
        d.reason
            .ends_with("the accounting records (financial) go, the rest stays on the contract basis for `contract`"),
        "{}",
        d.reason
    );
}

#[test]
fn only_records_left_are_kept_until_the_end() {
    let mut s = former_customer("2023-03-01");
    s.categories = vec![category(DataCategory::Financial)];
    let d = one(&[], s).unwrap();
    assert_eq!(act(&d), "keep");
    assert_eq!(d.review_after, Some(at("2033-03-01")));
    assert!(
        d.reason.starts_with("kept: only accounting records"),
        "{}",
        d.reason
    );
}

#[test]
fn subjects_without_an_accounting_obligation_get_no_decision() {
    let mut s = former_customer("2010-03-01");
    s.legal_bases.remove(0);
    assert!(one(&[], s.clone()).is_none());
    s.legal_bases.push(basis(
        LegalBasis::LegalObligation,
        "anti-money-laundering",
        "2010-01-01",
        None,
    ));
    assert!(
        one(&[], s).is_none(),
        "another purpose's obligation is not this rule's"
    );
}

#[test]
fn settings_change_the_period_the_purpose_and_the_categories() {
    let d = one(&[("years", "5")], former_customer("2020-03-01")).unwrap();
    assert_eq!(act(&d), "erase");
    let d = one(
        &[("categories", "financial, notes")],
        former_customer("2023-03-01"),
    )
    .unwrap();
    assert_eq!(act(&d), "anonymise contact");
    let mut s = former_customer("2023-03-01");
    s.legal_bases[0].purpose = "tax".into();
    assert!(one(&[], s.clone()).is_none());
    assert!(one(&[("purpose", "tax")], s).is_some());
    let err = |c: &[(&str, &str)]| {
        Rule::from_config(&Config::from_pairs(c))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(&[("years", "0")]),
        "setting `years`: 0 is out of range; write a number of years from 1 to 100"
    );
    assert!(err(&[("categories", "invoices")])
        .starts_with("setting `categories`: `invoices` is not a data category"));
    assert!(err(&[("silence_months", "-1")]).contains("out of range"));
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
