//! The combination of retention rules, one row per rule of the combination (see
//! [`retention_policy`](super::retention_policy)).

use super::retention_policy::{combine, RuleVerdict};
use super::subject::{RetentionAction, RetentionDecision, SubjectView};
use super::{ContactId, DataCategory, Timestamp};

use DataCategory::*;
use RetentionAction::*;

fn subject(restricted: bool, legal_hold: bool) -> SubjectView {
    SubjectView {
        contact_id: ContactId(7),
        created_at: Timestamp(0),
        last_interaction: None,
        sources: vec![],
        legal_bases: vec![],
        consents: vec![],
        objections: vec![],
        categories: vec![],
        restricted,
        legal_hold,
    }
}

fn verdict(rule: &str, action: Option<RetentionAction>, review_after: Option<i64>) -> RuleVerdict {
    RuleVerdict::new(
        rule,
        action.map(|action| RetentionDecision {
            contact_id: ContactId(7),
            action,
            reason: format!("{rule} says so"),
            legal_reference: format!("ref {rule}"),
            review_after: review_after.map(Timestamp),
            holds_from: None,
        }),
    )
}

struct Row {
    name: &'static str,
    restricted: bool,
    hold: bool,
    /// (rule, its action or none, its review-after)
    rules: Vec<(&'static str, Option<RetentionAction>, Option<i64>)>,
    action: RetentionAction,
    /// Words the combined reason must contain.
    reason_has: &'static [&'static str],
    reference: &'static str,
    review_after: Option<i64>,
}

#[test]
fn the_combination_table() {
    let accounting_keeps_financial = Anonymise(vec![Contact, Commercial, Marketing, Notes]);
    let rows = vec![
        Row {
            name: "1. a legal hold stops an erasure and a review",
            restricted: true,
            hold: true,
            rules: vec![("li", Some(Erase), None), ("nb", Some(Review), None)],
            action: Keep,
            reason_has: &[
                "under legal hold",
                "`li` asked to erase (li says so)",
                "`nb` asked to review",
            ],
            reference: "GDPR Art. 17(3)(e)",
            review_after: None,
        },
        Row {
            name: "1. a legal hold stops an anonymisation",
            restricted: false,
            hold: true,
            rules: vec![("acc", Some(accounting_keeps_financial.clone()), None)],
            action: Keep,
            reason_has: &["under legal hold", "`acc` asked to anonymise"],
            reference: "GDPR Art. 17(3)(e)",
            review_after: None,
        },
        Row {
            name: "2. a restriction turns an erasure into a review",
            restricted: true,
            hold: false,
            rules: vec![("li", Some(Erase), None), ("cw", None, None)],
            action: Review,
            reason_has: &["processing is restricted", "`li` asked to erase"],
            reference: "GDPR Art. 18",
            review_after: None,
        },
        Row {
            name: "2. a restriction with nothing asked keeps",
            restricted: true,
            hold: false,
            rules: vec![("li", None, None), ("cw", Some(Keep), None)],
            action: Keep,
            reason_has: &["kept: `cw`: cw says so"],
            reference: "ref cw",
            review_after: None,
        },
        Row {
            name: "3. one lawful reason to keep outweighs erasures and reviews",
            restricted: false,
            hold: false,
            rules: vec![
                ("li", Some(Erase), None),
                ("cw", Some(Keep), Some(2_000)),
                ("nb", Some(Review), None),
            ],
            action: Keep,
            reason_has: &[
                "kept: `cw`: cw says so",
                "`li` asked to erase",
                "`nb` asked to review",
            ],
            reference: "ref cw",
            review_after: Some(2_000),
        },
        Row {
            name: "3. kept until the last reason to keep ends",
            restricted: false,
            hold: false,
            rules: vec![
                ("a", Some(Keep), Some(3_000)),
                ("b", Some(Keep), Some(5_000)),
            ],
            action: Keep,
            reason_has: &["`a`: a says so; `b`: b says so"],
            reference: "ref a; ref b",
            review_after: Some(5_000),
        },
        Row {
            name: "3. a reason to keep with no end keeps with no review date",
            restricted: false,
            hold: false,
            rules: vec![("a", Some(Keep), Some(3_000)), ("b", Some(Keep), None)],
            action: Keep,
            reason_has: &["kept"],
            reference: "ref a; ref b",
            review_after: None,
        },
        Row {
            name: "4. review wins over erasure",
            restricted: false,
            hold: false,
            rules: vec![("li", Some(Erase), None), ("nb", Some(Review), Some(9_000))],
            action: Review,
            reason_has: &[
                "a person decides: `nb`: nb says so",
                "review wins over the erasure asked by `li`",
            ],
            reference: "ref nb",
            review_after: Some(9_000),
        },
        Row {
            name: "5. an erasure next to the accounting rule keeps the financial category",
            restricted: false,
            hold: false,
            rules: vec![
                ("li", Some(Erase), None),
                ("acc", Some(accounting_keeps_financial.clone()), None),
                ("cw", Some(Erase), None),
            ],
            action: Anonymise(vec![Contact, Commercial, Marketing, Notes]),
            reason_has: &[
                "anonymised",
                "the erasure asked by `li`, `cw` becomes this anonymisation",
            ],
            reference: "ref li; ref acc; ref cw",
            review_after: None,
        },
        Row {
            name: "5. two anonymisations: only what both let go",
            restricted: false,
            hold: false,
            rules: vec![
                ("a", Some(Anonymise(vec![Notes, Contact, Marketing])), None),
                (
                    "b",
                    Some(Anonymise(vec![Marketing, Notes, Financial])),
                    None,
                ),
            ],
            action: Anonymise(vec![Marketing, Notes]),
            reason_has: &["anonymised: `a`: a says so; `b`: b says so"],
            reference: "ref a; ref b",
            review_after: None,
        },
        Row {
            name: "5. anonymisations with nothing in common go to a person",
            restricted: false,
            hold: false,
            rules: vec![
                ("a", Some(Anonymise(vec![Notes])), None),
                ("b", Some(Anonymise(vec![Financial])), None),
            ],
            action: Review,
            reason_has: &["the rules disagree on which data goes"],
            reference: "ref a; ref b",
            review_after: None,
        },
        Row {
            name: "6. erasures agree: erase",
            restricted: false,
            hold: false,
            rules: vec![
                ("li", Some(Erase), None),
                ("cw", Some(Erase), None),
                ("nb", None, None),
            ],
            action: Erase,
            reason_has: &["erased: `li`: li says so; `cw`: cw says so"],
            reference: "ref li; ref cw",
            review_after: None,
        },
        Row {
            name: "6. no rule decided: keep",
            restricted: false,
            hold: false,
            rules: vec![("li", None, None), ("cw", None, None)],
            action: Keep,
            reason_has: &["no rule asked for a change"],
            reference: "",
            review_after: None,
        },
    ];
    for row in rows {
        let verdicts: Vec<RuleVerdict> = row
            .rules
            .iter()
            .map(|(rule, action, after)| verdict(rule, action.clone(), *after))
            .collect();
        let combined = combine(&subject(row.restricted, row.hold), verdicts.clone());
        assert_eq!(combined.action, row.action, "{}", row.name);
        for words in row.reason_has {
            assert!(
                combined.reason.contains(words),
                "{}: {:?} lacks {words:?}",
                row.name,
                combined.reason
            );
        }
        assert_eq!(combined.legal_reference, row.reference, "{}", row.name);
        assert_eq!(
            combined.review_after,
            row.review_after.map(Timestamp),
            "{}",
            row.name
        );
        assert_eq!(
            combined.rules, verdicts,
            "{}: every verdict is carried",
            row.name
        );
        assert_eq!(combined.contact_id, ContactId(7));
    }
}

#[test]
fn a_rule_that_says_nothing_is_named_as_such() {
    let v = RuleVerdict::new("cw@0.1.0", None);
    assert_eq!(v.action, None);
    assert!(v.reason.starts_with("no decision"), "{}", v.reason);
    let combined = combine(&subject(false, false), vec![v]);
    assert!(!combined.asked_for_something());
}

/// The order of the rules in the policy does not change the outcome.
#[test]
fn the_order_of_the_rules_does_not_matter() {
    let all = [
        verdict("a", Some(Erase), None),
        verdict("b", Some(Anonymise(vec![Notes, Contact])), None),
        verdict("c", Some(Anonymise(vec![Contact, Notes, Marketing])), None),
        verdict("d", None, None),
    ];
    let first = combine(&subject(false, false), all.to_vec()).action;
    assert_eq!(first, Anonymise(vec![Contact, Notes]));
    for rotation in 1..all.len() {
        let mut v = all.to_vec();
        v.rotate_left(rotation);
        assert_eq!(combine(&subject(false, false), v).action, first);
    }
}
