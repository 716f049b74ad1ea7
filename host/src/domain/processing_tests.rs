//! One row per legal situation a DPO would ask about (the ledger's in `processing_ledger_tests.rs`, the
//! legitimate-interest clock in `processing_li_tests.rs`), and the helpers those tables share.

use super::consent::{ledger_summary, BasisPeriod, ConsentState};
use super::decision::{DecisionRule as R, SubjectFacts};
use super::ids::ContactId;
use super::periods::{RestrictionPeriod, SuppressionPeriod, SuppressionScope};
use super::processing::{can_process, ProcessingQuery};
use super::settings::{Policy, Settings};
use super::time::Timestamp;
use super::vocab::{ConsentAction as A, ConsentChannel as Ch, LegalBasis as B};

pub(super) fn day(y: i32, m: u32, d: u32) -> Timestamp {
    Timestamp::from_date(y, m, d).unwrap()
}

pub(super) fn now() -> Timestamp {
    day(2026, 6, 15)
}

/// A known contact created long ago that received the notice in 2024, with nothing else recorded.
pub(super) fn contact() -> SubjectFacts {
    SubjectFacts {
        contact: Some(ContactId(7)),
        created_at: day(2024, 1, 1),
        first_notice_at: Some(day(2024, 1, 1)),
        ..SubjectFacts::default()
    }
}

pub(super) fn ev(channel: Ch, action: A, at: Timestamp) -> ConsentState {
    ConsentState {
        channel,
        action,
        at,
    }
}

/// `facts` with a ledger, as the store hands it over: `events` in ledger order.
pub(super) fn ledger(facts: SubjectFacts, events: &[ConsentState]) -> SubjectFacts {
    let (consents, objection) = ledger_summary(events.iter().copied().zip(1..));
    SubjectFacts {
        consents,
        objection,
        ..facts
    }
}

pub(super) fn basis(
    purpose: &str,
    basis: B,
    start: Timestamp,
    end: Option<Timestamp>,
) -> BasisPeriod {
    BasisPeriod {
        purpose: purpose.into(),
        basis,
        start,
        end,
    }
}

pub(super) fn restricted(since: Timestamp, until: Option<Timestamp>) -> RestrictionPeriod {
    RestrictionPeriod { since, until }
}

pub(super) fn suppressed(since: Timestamp, scope: SuppressionScope) -> SuppressionPeriod {
    SuppressionPeriod { since, scope }
}

pub(super) struct Case {
    pub name: &'static str,
    pub purpose: &'static str,
    pub channel: &'static str,
    pub facts: SubjectFacts,
    pub rule: R,
    pub basis: Option<B>,
    /// Words the reason must contain.
    pub says: &'static str,
}

/// Runs each case at [`now`] and checks rule, outcome, basis and reason words.
pub(super) fn check(policy: &Policy, cases: Vec<Case>) {
    for case in cases {
        let q = ProcessingQuery {
            purpose: case.purpose,
            channel: case.channel,
            at: now(),
        };
        let d = can_process(policy, &q, &case.facts);
        assert_eq!(d.rule, case.rule, "{}: {}", case.name, d.reason);
        assert_eq!(d.allowed, case.rule.allows(), "{}", case.name);
        assert_eq!(d.basis, case.basis, "{}: {}", case.name, d.reason);
        assert!(
            d.reason.contains(case.says),
            "{}: reason was: {}",
            case.name,
            d.reason
        );
    }
}

fn cases() -> Vec<Case> {
    let c = contact;
    vec![
        Case {
            name: "legitimate interest cannot justify marketing to a prospect",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis(
                    "marketing",
                    B::LegitimateInterest,
                    day(2025, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::NotACustomer,
            basis: None,
            says: "a prospect needs consent for marketing",
        },
        Case {
            name: "consent given for a period that has ended",
            purpose: "profiling",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis(
                    "profiling",
                    B::Consent,
                    day(2024, 1, 1),
                    Some(day(2026, 1, 1)),
                )],
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2024, 1, 1))])
            },
            rule: R::BasisEnded,
            basis: None,
            says: "consent basis for profiling ended on 2026-01-01",
        },
        Case {
            name: "expired contract",
            purpose: "contract",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis(
                    "contract",
                    B::Contract,
                    day(2024, 1, 1),
                    Some(day(2026, 1, 1)),
                )],
                ..c()
            },
            rule: R::BasisEnded,
            basis: None,
            says: "the contract basis for contract ended on 2026-01-01",
        },
        Case {
            name: "contract not yet started",
            purpose: "contract",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis("contract", B::Contract, day(2026, 9, 1), None)],
                ..c()
            },
            rule: R::BasisNotStarted,
            basis: None,
            says: "starts only on 2026-09-01",
        },
        Case {
            name: "steps before a contract",
            purpose: "contract",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis("contract", B::PreContract, day(2026, 6, 1), None)],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::PreContract),
            says: "pre-contract",
        },
        Case {
            name: "nothing recorded for a contract purpose",
            purpose: "contract",
            channel: "email",
            facts: c(),
            rule: R::NoBasis,
            basis: None,
            says: "it needs contract or pre-contract",
        },
        Case {
            name: "restriction stops everything",
            purpose: "accounting",
            channel: "post",
            facts: SubjectFacts {
                restrictions: vec![restricted(day(2026, 5, 1), None)],
                bases: vec![basis(
                    "accounting",
                    B::LegalObligation,
                    day(2024, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::Restricted,
            basis: None,
            says: "restricted since 2026-05-01 (Art. 18)",
        },
        Case {
            name: "a restriction starting later does not apply yet",
            purpose: "accounting",
            channel: "post",
            facts: SubjectFacts {
                restrictions: vec![restricted(day(2026, 7, 1), None)],
                bases: vec![basis(
                    "accounting",
                    B::LegalObligation,
                    day(2024, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::LegalObligation),
            says: "allowed",
        },
        Case {
            name: "suppressed identity",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                suppressions: vec![suppressed(day(2026, 2, 2), SuppressionScope::All)],
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2026, 3, 1))])
            },
            rule: R::Suppressed,
            basis: None,
            says: "suppression list since 2026-02-02 for all purposes",
        },
        Case {
            name: "suppressed for marketing only leaves the contract alone",
            purpose: "contract",
            channel: "email",
            facts: SubjectFacts {
                suppressions: vec![suppressed(
                    day(2026, 2, 2),
                    SuppressionScope::Purposes(vec!["marketing".into()]),
                )],
                bases: vec![basis("contract", B::Contract, day(2025, 1, 1), None)],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::Contract),
            says: "allowed",
        },
        Case {
            name: "an unknown identity on the suppression list",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                suppressions: vec![suppressed(day(2026, 2, 2), SuppressionScope::All)],
                ..SubjectFacts::default()
            },
            rule: R::Suppressed,
            basis: None,
            says: "it must not be processed for marketing",
        },
        Case {
            name: "an unknown identity",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts::default(),
            rule: R::UnknownSubject,
            basis: None,
            says: "no contact with this identity is known",
        },
        Case {
            name: "an erased contact",
            purpose: "accounting",
            channel: "post",
            facts: SubjectFacts {
                erased_at: Some(day(2026, 3, 3)),
                ..c()
            },
            rule: R::Erased,
            basis: None,
            says: "contact 7 was erased on 2026-03-03",
        },
        Case {
            name: "missing privacy notice",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                first_notice_at: None,
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2025, 1, 10))])
            },
            rule: R::NoticeMissing,
            basis: Some(B::Consent),
            says: "no privacy notice (Art. 13–14) is recorded",
        },
        Case {
            name: "notice given only after the processing time",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                first_notice_at: Some(day(2026, 7, 1)),
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2025, 1, 10))])
            },
            rule: R::NoticeMissing,
            basis: Some(B::Consent),
            says: "record the notice version",
        },
        Case {
            name: "unknown purpose",
            purpose: "spam",
            channel: "email",
            facts: c(),
            rule: R::UnknownPurpose,
            basis: None,
            says: "purpose `spam` is not in the purpose catalogue: use one of marketing",
        },
        Case {
            name: "unknown channel",
            purpose: "marketing",
            channel: "fax",
            facts: c(),
            rule: R::UnknownChannel,
            basis: None,
            says: "`fax` is not a consent channel",
        },
    ]
}

#[test]
fn every_legal_situation_gets_its_answer_and_reason() {
    check(&Policy::default(), cases());
}

#[test]
fn the_notice_requirement_is_a_setting() {
    let policy = Policy::from_settings(&Settings {
        notice_required: false,
        ..Settings::default()
    })
    .unwrap();
    let facts = SubjectFacts {
        first_notice_at: None,
        ..ledger(contact(), &[ev(Ch::Email, A::Granted, day(2025, 1, 10))])
    };
    let q = ProcessingQuery {
        purpose: "marketing",
        channel: "email",
        at: now(),
    };
    assert!(can_process(&policy, &q, &facts).allowed);
}
