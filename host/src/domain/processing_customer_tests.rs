//! Marketing to one's own customers on legitimate interest (art. 130(4) Italian Privacy Code,
//! Recital 47): who counts as a customer, on which channels, and what still stops it.

use super::consent::BasisPeriod;
use super::customer::CustomerMarketing;
use super::decision::{DecisionRule as R, SubjectFacts};
use super::periods::SuppressionScope;
use super::processing::{can_process, ProcessingQuery};
use super::processing_tests::{basis, check, contact, day, ev, ledger, now, suppressed, Case};
use super::settings::{Policy, Settings};
use super::time::Timestamp;
use super::vocab::{ConsentAction as A, ConsentChannel as Ch, LegalBasis as B};

/// Legitimate interest recorded for marketing since 2025.
fn li() -> BasisPeriod {
    basis("marketing", B::LegitimateInterest, day(2025, 1, 1), None)
}

fn contract(start: Timestamp, end: Option<Timestamp>) -> BasisPeriod {
    basis("contract", B::Contract, start, end)
}

/// A contact heard from last month, with legitimate interest recorded for marketing and `contracts`.
fn with(contracts: Vec<BasisPeriod>) -> SubjectFacts {
    SubjectFacts {
        last_interaction: Some(day(2026, 5, 1)),
        bases: vec![li()],
        contracts,
        ..contact()
    }
}

fn customer() -> SubjectFacts {
    with(vec![contract(day(2025, 3, 1), None)])
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "a customer may receive marketing by email on legitimate interest",
            purpose: "marketing",
            channel: "email",
            facts: customer(),
            rule: R::CustomerMarketing,
            basis: Some(B::LegitimateInterest),
            says: "customer marketing on legitimate interest (art. 130(4) Italian Privacy Code, Recital 47 GDPR): the contact is a customer (contract basis for contract since 2025-03-01)",
        },
        Case {
            name: "a customer may receive marketing by post on legitimate interest",
            purpose: "marketing",
            channel: "post",
            facts: customer(),
            rule: R::CustomerMarketing,
            basis: Some(B::LegitimateInterest),
            says: "legitimate-interest (Art. 6(1)(f)) for marketing since 2025-01-01",
        },
        Case {
            name: "a former customer within 24 months of the contract's end",
            purpose: "marketing",
            channel: "email",
            facts: with(vec![contract(day(2023, 1, 1), Some(day(2025, 1, 1)))]),
            rule: R::CustomerMarketing,
            basis: Some(B::LegitimateInterest),
            says: "a former customer (the contract basis for contract ended on 2025-01-01, less than 24 months ago)",
        },
        Case {
            name: "a former customer 24 months after the contract's end needs consent",
            purpose: "marketing",
            channel: "email",
            facts: with(vec![contract(day(2022, 1, 1), Some(day(2024, 6, 15)))]),
            rule: R::NotACustomer,
            basis: None,
            says: "ended on 2024-06-15, 24 months before 2026-06-15, so marketing needs consent",
        },
        Case {
            name: "a prospect needs consent even with legitimate interest recorded",
            purpose: "marketing",
            channel: "email",
            facts: with(vec![]),
            rule: R::NotACustomer,
            basis: None,
            says: "covers only the controller's own customers, and no contract basis is recorded for this contact by 2026-06-15: a prospect needs consent for marketing",
        },
        Case {
            name: "a prospect who consented may be emailed on consent",
            purpose: "marketing",
            channel: "email",
            facts: ledger(with(vec![]), &[ev(Ch::Email, A::Granted, day(2026, 1, 5))]),
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "consent for marketing by email granted on 2026-01-05",
        },
        Case {
            name: "steps before a contract do not make a customer",
            purpose: "marketing",
            channel: "email",
            facts: with(vec![basis("contract", B::PreContract, day(2026, 2, 1), None)]),
            rule: R::NotACustomer,
            basis: None,
            says: "a prospect needs consent",
        },
        Case {
            name: "a contract that starts later does not make a customer yet",
            purpose: "marketing",
            channel: "email",
            facts: with(vec![contract(day(2026, 9, 1), None)]),
            rule: R::NotACustomer,
            basis: None,
            says: "no contract basis is recorded for this contact by 2026-06-15",
        },
        Case {
            name: "a customer by phone needs consent",
            purpose: "marketing",
            channel: "phone",
            facts: customer(),
            rule: R::ChannelNotAllowed,
            basis: None,
            says: "is allowed only by email or post (setting `customer_marketing.channels`), not by phone",
        },
        Case {
            name: "customer marketing does not answer a question about every channel",
            purpose: "marketing",
            channel: "any",
            facts: customer(),
            rule: R::ChannelNotAllowed,
            basis: None,
            says: "does not answer for every channel at once",
        },
        Case {
            name: "a customer who objected to marketing is never contacted",
            purpose: "marketing",
            channel: "post",
            facts: ledger(customer(), &[ev(Ch::Email, A::Objected, day(2026, 4, 1))]),
            rule: R::Objected,
            basis: None,
            says: "absolute (Art. 21(3))",
        },
        Case {
            name: "a customer who withdrew marketing consent by email is not emailed on legitimate interest",
            purpose: "marketing",
            channel: "email",
            facts: ledger(
                customer(),
                &[
                    ev(Ch::Email, A::Granted, day(2025, 3, 1)),
                    ev(Ch::Email, A::Withdrawn, day(2026, 4, 1)),
                ],
            ),
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "legitimate interest cannot replace consent withdrawn on 2026-04-01 (by email)",
        },
        Case {
            name: "a customer who refused marketing by phone may still be emailed",
            purpose: "marketing",
            channel: "email",
            facts: ledger(customer(), &[ev(Ch::Phone, A::Withdrawn, day(2026, 4, 1))]),
            rule: R::CustomerMarketing,
            basis: Some(B::LegitimateInterest),
            says: "the contact is a customer",
        },
        Case {
            name: "a customer silent for 24 months: legitimate interest has lapsed",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                last_interaction: Some(day(2024, 6, 1)),
                ..customer()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction since 2024-06-01, 24 months ago",
        },
        Case {
            name: "a customer without legitimate interest recorded for marketing needs consent",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![],
                ..customer()
            },
            rule: R::ConsentNeverGiven,
            basis: None,
            says: "consent for marketing by email was never given",
        },
        Case {
            name: "a customer suppressed for marketing is not contacted",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                suppressions: vec![suppressed(
                    day(2026, 2, 1),
                    SuppressionScope::Purposes(vec!["marketing".into()]),
                )],
                ..customer()
            },
            rule: R::Suppressed,
            basis: None,
            says: "suppression list since 2026-02-01 for marketing",
        },
        Case {
            name: "a customer without a privacy notice is not contacted",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                first_notice_at: None,
                ..customer()
            },
            rule: R::NoticeMissing,
            basis: Some(B::LegitimateInterest),
            says: "no privacy notice (Art. 13–14) is recorded",
        },
        Case {
            name: "profiling stays consent only for customers too",
            purpose: "profiling",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis("profiling", B::LegitimateInterest, day(2025, 1, 1), None)],
                ..customer()
            },
            rule: R::ConsentNeverGiven,
            basis: None,
            says: "profiling needs consent",
        },
    ]
}

#[test]
fn every_customer_marketing_situation_gets_its_answer_and_reason() {
    check(&Policy::default(), cases());
}

fn ask(policy: &Policy, channel: &str, facts: &SubjectFacts) -> super::decision::Decision {
    let q = ProcessingQuery {
        purpose: "marketing",
        channel,
        at: now(),
    };
    can_process(policy, &q, facts)
}

#[test]
fn the_channels_of_customer_marketing_are_a_setting() {
    let policy = Policy::from_settings(&Settings {
        customer_marketing: CustomerMarketing {
            channels: vec![Ch::Email, Ch::Sms],
        },
        ..Settings::default()
    })
    .unwrap();
    assert_eq!(ask(&policy, "sms", &customer()).rule, R::CustomerMarketing);
    let d = ask(&policy, "post", &customer());
    assert_eq!(d.rule, R::ChannelNotAllowed, "{}", d.reason);
    assert!(d.reason.contains("only by email or sms"), "{}", d.reason);

    // An empty list turns the rule off: marketing needs consent on every channel.
    let off = Policy::from_settings(&Settings {
        customer_marketing: CustomerMarketing { channels: vec![] },
        ..Settings::default()
    })
    .unwrap();
    let d = ask(&off, "email", &customer());
    assert_eq!(d.rule, R::ChannelNotAllowed, "{}", d.reason);
    assert!(d.reason.contains("is turned off"), "{}", d.reason);
}

#[test]
fn the_former_customer_window_is_the_legitimate_interest_period() {
    let policy = Policy::from_settings(&Settings {
        legitimate_interest_months: 12,
        ..Settings::default()
    })
    .unwrap();
    let ended = |end| with(vec![contract(day(2023, 1, 1), Some(end))]);
    let d = ask(&policy, "email", &ended(day(2025, 6, 16)));
    assert_eq!(d.rule, R::CustomerMarketing, "{}", d.reason);
    let d = ask(&policy, "email", &ended(day(2025, 6, 15)));
    assert_eq!(d.rule, R::NotACustomer, "{}", d.reason);
    assert!(d.reason.contains("lasts 12 months"), "{}", d.reason);
}
