//! The legitimate-interest clock (24 months of silence): `can_process` counts the months of silence
//! as the bundled retention rule does, from the later of the last interaction and the latest
//! collection of the data by a source, or from the contact's creation when neither is known; the
//! limit is reached when the whole months have passed (`last + 24 months <= now`).

use super::consent::BasisPeriod;
use super::decision::{DecisionRule as R, SubjectFacts};
use super::processing::{can_process, ProcessingQuery};
use super::processing_tests::{basis, check, contact, day, now, Case};
use super::settings::{Policy, Settings};
use super::vocab::LegalBasis as B;

fn li(start: super::time::Timestamp) -> BasisPeriod {
    basis("customer-care", B::LegitimateInterest, start, None)
}

fn cases() -> Vec<Case> {
    let c = contact;
    vec![
        Case {
            name: "legitimate interest older than 24 months",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2024, 5, 1)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2023, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction since 2024-05-01, 25 months ago (the limit is 24)",
        },
        Case {
            name: "legitimate interest within 24 months",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2024, 7, 1)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2023, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::LegitimateInterest),
            says: "legitimate-interest (Art. 6(1)(f))",
        },
        Case {
            name: "legitimate interest at exactly 24 months has lapsed",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2024, 6, 15)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2023, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction since 2024-06-15, 24 months ago",
        },
        Case {
            name: "legitimate interest one day short of 24 months",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2024, 6, 16)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2023, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::LegitimateInterest),
            says: "legitimate-interest",
        },
        Case {
            name: "legitimate interest with nothing heard counts from the creation, not the basis start",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                bases: vec![li(day(2025, 6, 1))],
                ..c()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction or collection recorded since the contact was created on 2024-01-01, 29 months ago",
        },
        Case {
            name: "legitimate interest for a 2022 list imported this month",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                created_at: day(2026, 6, 1),
                last_collected_at: Some(day(2022, 5, 10)),
                bases: vec![li(day(2026, 6, 1))],
                ..c()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction recorded since the data was collected on 2022-05-10, 49 months ago",
        },
        Case {
            name: "a collection later than the last interaction restarts the clock",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2023, 1, 1)),
                last_collected_at: Some(day(2025, 2, 20)),
                bases: vec![li(day(2023, 1, 1))],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::LegitimateInterest),
            says: "legitimate-interest (Art. 6(1)(f)) for customer-care since 2023-01-01",
        },
        Case {
            name: "a collection 24 months ago to the day has lapsed",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2023, 1, 1)),
                last_collected_at: Some(day(2024, 6, 15)),
                bases: vec![li(day(2023, 1, 1))],
                ..c()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction since the data was last collected on 2024-06-15, 24 months ago",
        },
        Case {
            name: "an interaction later than the collection counts",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2024, 5, 1)),
                last_collected_at: Some(day(2022, 5, 10)),
                bases: vec![li(day(2022, 5, 10))],
                ..c()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction since 2024-05-01, 25 months ago",
        },
    ]
}

#[test]
fn the_clock_counts_like_the_retention_rule() {
    check(&Policy::default(), cases());
}

#[test]
fn the_legitimate_interest_limit_is_a_setting() {
    let policy = Policy::from_settings(&Settings {
        legitimate_interest_months: 36,
        ..Settings::default()
    })
    .unwrap();
    let facts = SubjectFacts {
        last_interaction: Some(day(2024, 5, 1)),
        bases: vec![basis(
            "customer-care",
            B::LegitimateInterest,
            day(2023, 1, 1),
            None,
        )],
        ..contact()
    };
    let q = ProcessingQuery {
        purpose: "customer-care",
        channel: "phone",
        at: now(),
    };
    assert!(can_process(&policy, &q, &facts).allowed);
}
