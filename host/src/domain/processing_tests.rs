//! One row per legal situation a DPO would ask about, plus properties that must hold for any facts.

use proptest::prelude::*;

use super::consent::{BasisPeriod, ConsentState};
use super::ids::ContactId;
use super::processing::{
    can_process, DecisionRule as R, ProcessingQuery, SubjectFacts, SuppressionScope,
};
use super::settings::{Policy, Settings};
use super::time::Timestamp;
use super::vocab::{ConsentAction as A, ConsentChannel as Ch, LegalBasis as B};

fn day(y: i32, m: u32, d: u32) -> Timestamp {
    Timestamp::from_date(y, m, d).unwrap()
}

fn now() -> Timestamp {
    day(2026, 6, 15)
}

/// A known contact created long ago that received the notice in 2024, with nothing else recorded.
fn contact() -> SubjectFacts {
    SubjectFacts {
        contact: Some(ContactId(7)),
        created_at: day(2024, 1, 1),
        first_notice_at: Some(day(2024, 1, 1)),
        ..SubjectFacts::default()
    }
}

fn state(channel: Ch, action: A, at: Timestamp) -> Option<ConsentState> {
    Some(ConsentState {
        channel,
        action,
        at,
    })
}

fn basis(purpose: &str, basis: B, start: Timestamp, end: Option<Timestamp>) -> BasisPeriod {
    BasisPeriod {
        purpose: purpose.into(),
        basis,
        start,
        end,
    }
}

struct Case {
    name: &'static str,
    purpose: &'static str,
    channel: &'static str,
    facts: SubjectFacts,
    rule: R,
    basis: Option<B>,
    /// Words the reason must contain.
    says: &'static str,
}

fn cases() -> Vec<Case> {
    let yesterday = now().add_days(-1);
    let c = contact;
    vec![
        Case {
            name: "consent granted by email",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Granted, day(2025, 1, 10)),
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "consent for marketing by email granted on 2025-01-10",
        },
        Case {
            name: "consent withdrawn yesterday",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Withdrawn, yesterday),
                ..c()
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "withdrawn on 2026-06-14",
        },
        Case {
            name: "consent granted again after a withdrawal",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Granted, yesterday),
                consent_on_any: state(Ch::Any, A::Withdrawn, day(2025, 3, 1)),
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "granted on 2026-06-14",
        },
        Case {
            name: "withdrawal from every channel after an email grant",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Granted, day(2025, 3, 1)),
                consent_on_any: state(Ch::Any, A::Withdrawn, yesterday),
                ..c()
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "every channel was withdrawn",
        },
        Case {
            name: "objection to marketing is absolute",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Objected, day(2026, 2, 1)),
                bases: vec![basis("marketing", B::Consent, day(2024, 1, 1), None)],
                ..c()
            },
            rule: R::Objected,
            basis: None,
            says: "absolute (Art. 21(3))",
        },
        Case {
            name: "objection on every channel covers email",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Granted, day(2025, 1, 1)),
                consent_on_any: state(Ch::Any, A::Objected, day(2026, 1, 1)),
                ..c()
            },
            rule: R::Objected,
            basis: None,
            says: "every channel",
        },
        Case {
            name: "consent on any covers phone",
            purpose: "marketing",
            channel: "phone",
            facts: SubjectFacts {
                consent_on_any: state(Ch::Any, A::Granted, day(2025, 1, 1)),
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "every channel granted",
        },
        Case {
            name: "consent by email does not cover phone",
            purpose: "marketing",
            channel: "phone",
            facts: c(),
            rule: R::ConsentNeverGiven,
            basis: None,
            says: "consent for marketing by phone was never given",
        },
        Case {
            name: "consent by email does not answer a question about every channel",
            purpose: "marketing",
            channel: "any",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Granted, day(2025, 1, 1)),
                ..c()
            },
            rule: R::ConsentNeverGiven,
            basis: None,
            says: "every channel was never given",
        },
        Case {
            name: "refusal wins a same-second tie",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Granted, yesterday),
                consent_on_any: state(Ch::Any, A::Withdrawn, yesterday),
                ..c()
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "withdrawn",
        },
        Case {
            name: "legitimate interest cannot justify marketing (consent only, R8)",
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
            rule: R::ConsentNeverGiven,
            basis: None,
            says: "marketing needs consent (R8)",
        },
        Case {
            name: "consent given for a period that has ended",
            purpose: "profiling",
            channel: "email",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Email, A::Granted, day(2024, 1, 1)),
                bases: vec![basis(
                    "profiling",
                    B::Consent,
                    day(2024, 1, 1),
                    Some(day(2026, 1, 1)),
                )],
                ..c()
            },
            rule: R::BasisEnded,
            basis: None,
            says: "consent basis for profiling ended on 2026-01-01",
        },
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
            says: "no interaction since 2024-05-01, 25 months ago (the limit is 24, R12)",
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
            name: "legitimate interest without any interaction counts from its start",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2024, 6, 15),
                    None,
                )],
                ..c()
            },
            rule: R::LegitimateInterestLapsed,
            basis: None,
            says: "no interaction since 2024-06-15",
        },
        Case {
            name: "objection stops legitimate interest",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Phone, A::Objected, day(2026, 1, 1)),
                last_interaction: Some(day(2026, 1, 1)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2025, 1, 1),
                    None,
                )],
                ..c()
            },
            rule: R::Objected,
            basis: None,
            says: "Art. 21(1)",
        },
        Case {
            name: "objection does not stop a contract",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                consent_on_channel: state(Ch::Phone, A::Objected, day(2026, 1, 1)),
                bases: vec![basis("customer-care", B::Contract, day(2025, 1, 1), None)],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::Contract),
            says: "contract (Art. 6(1)(b)) for customer-care since 2025-01-01",
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
            name: "accounting under a legal obligation survives an objection",
            purpose: "accounting",
            channel: "post",
            facts: SubjectFacts {
                consent_on_any: state(Ch::Any, A::Objected, day(2026, 1, 1)),
                bases: vec![basis(
                    "accounting",
                    B::LegalObligation,
                    day(2024, 1, 1),
                    Some(day(2034, 1, 1)),
                )],
                ..c()
            },
            rule: R::Allowed,
            basis: Some(B::LegalObligation),
            says: "legal-obligation (Art. 6(1)(c))",
        },
        Case {
            name: "restriction stops everything",
            purpose: "accounting",
            channel: "post",
            facts: SubjectFacts {
                restricted_since: Some(day(2026, 5, 1)),
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
                restricted_since: Some(day(2026, 7, 1)),
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
                suppression: Some((day(2026, 2, 2), SuppressionScope::All)),
                consent_on_channel: state(Ch::Email, A::Granted, day(2026, 3, 1)),
                ..c()
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
                suppression: Some((
                    day(2026, 2, 2),
                    SuppressionScope::Purposes(vec!["marketing".into()]),
                )),
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
                suppression: Some((day(2026, 2, 2), SuppressionScope::All)),
                ..SubjectFacts::default()
            },
            rule: R::Suppressed,
            basis: None,
            says: "must not be processed for marketing (R13)",
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
                consent_on_channel: state(Ch::Email, A::Granted, day(2025, 1, 10)),
                ..c()
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
                consent_on_channel: state(Ch::Email, A::Granted, day(2025, 1, 10)),
                ..c()
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
    let policy = Policy::default();
    for case in cases() {
        let q = ProcessingQuery {
            purpose: case.purpose,
            channel: case.channel,
            at: now(),
        };
        let d = can_process(&policy, &q, &case.facts);
        assert_eq!(d.rule, case.rule, "{}: {}", case.name, d.reason);
        assert_eq!(d.allowed, case.rule == R::Allowed, "{}", case.name);
        assert_eq!(d.basis, case.basis, "{}: {}", case.name, d.reason);
        assert!(
            d.reason.contains(case.says),
            "{}: reason was: {}",
            case.name,
            d.reason
        );
    }
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
        consent_on_channel: state(Ch::Email, A::Granted, day(2025, 1, 10)),
        ..contact()
    };
    let q = ProcessingQuery {
        purpose: "marketing",
        channel: "email",
        at: now(),
    };
    assert!(can_process(&policy, &q, &facts).allowed);
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

fn any_state() -> impl Strategy<Value = Option<ConsentState>> {
    prop::option::of(
        (prop::sample::select(A::ALL.to_vec()), 0i64..100).prop_map(|(action, t)| ConsentState {
            channel: Ch::Email,
            action,
            at: Timestamp(t * 86_400 * 30),
        }),
    )
}

fn any_facts() -> impl Strategy<Value = SubjectFacts> {
    let bases = prop::collection::vec(
        (
            prop::sample::select(B::ALL.to_vec()),
            0i64..100,
            prop::option::of(0i64..100),
        ),
        0..4,
    );
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(0i64..100),
        prop::option::of(0i64..100),
        any_state(),
        any_state(),
        bases,
        prop::sample::select(vec!["marketing", "customer-care", "contract", "accounting"]),
    )
        .prop_map(
            |(restricted, suppressed, notice, interaction, on_channel, on_any, bases, purpose)| {
                let month = |m: i64| Timestamp(m * 86_400 * 30);
                SubjectFacts {
                    contact: Some(ContactId(1)),
                    restricted_since: restricted.then(|| month(0)),
                    suppression: suppressed.then(|| (month(0), SuppressionScope::All)),
                    first_notice_at: notice.map(month),
                    last_interaction: interaction.map(month),
                    consent_on_channel: on_channel,
                    consent_on_any: on_any.map(|s| ConsentState {
                        channel: Ch::Any,
                        ..s
                    }),
                    bases: bases
                        .into_iter()
                        .map(|(b, s, e)| basis(purpose, b, month(s), e.map(|e| month(s + e + 1))))
                        .collect(),
                    ..SubjectFacts::default()
                }
            },
        )
}

proptest! {
    #[test]
    fn allowed_only_with_a_permitted_active_basis_and_a_notice(
        facts in any_facts(),
        at in 0i64..120,
    ) {
        let policy = Policy::default();
        let purpose = facts.bases.first().map(|b| b.purpose.clone()).unwrap_or_else(|| "marketing".into());
        let at = Timestamp(at * 86_400 * 30);
        let q = ProcessingQuery { purpose: &purpose, channel: "email", at };
        let d = can_process(&policy, &q, &facts);
        if d.allowed {
            let basis = d.basis.expect("an allowed decision names its basis");
            prop_assert!(policy.catalogue.purpose(&purpose).unwrap().bases.contains(&basis));
            prop_assert!(facts.restricted_since.is_none() && facts.suppression.is_none());
            prop_assert!(facts.first_notice_at.is_some_and(|n| n <= at));
            if basis != B::Consent {
                prop_assert!(facts.bases.iter().any(|p| p.basis == basis && p.active_at(at)));
            }
        }
        prop_assert!(!d.reason.is_empty());
    }

    #[test]
    fn an_effective_objection_always_stops_marketing(t in 0i64..100, granted_before in 0i64..100) {
        let facts = SubjectFacts {
            consent_on_channel: state(Ch::Email, A::Granted, Timestamp(granted_before.min(t))),
            consent_on_any: state(Ch::Any, A::Objected, Timestamp(t)),
            ..contact()
        };
        let q = ProcessingQuery { purpose: "marketing", channel: "email", at: Timestamp(1_000) };
        let d = can_process(&Policy::default(), &q, &facts);
        prop_assert_eq!(d.rule, R::Objected);
    }
}
