//! Questions about the past: suppression and restriction answer with what was in force at the asked
//! time, and an erasure says the record of that time went with the data.

use super::consent::BasisPeriod;
use super::decision::{DecisionRule as R, SubjectFacts};
use super::periods::SuppressionScope;
use super::processing::{can_process, ProcessingQuery};
use super::processing_tests::{basis, contact, day, ev, ledger, restricted, suppressed};
use super::settings::Policy;
use super::time::Timestamp;
use super::vocab::{ConsentAction as A, ConsentChannel as Ch, LegalBasis as B};

fn contract() -> BasisPeriod {
    basis("contract", B::Contract, day(2025, 1, 1), None)
}

/// One question at `at`, one expected rule and the words of the reason.
struct Past {
    name: &'static str,
    purpose: &'static str,
    facts: SubjectFacts,
    at: Timestamp,
    rule: R,
    says: &'static str,
}

fn cases() -> Vec<Past> {
    let marketing_only = || SuppressionScope::Purposes(vec!["marketing".into()]);
    let suppressed_in_march = || SubjectFacts {
        suppressions: vec![suppressed(day(2026, 3, 1), SuppressionScope::All)],
        bases: vec![contract()],
        ..contact()
    };
    let widened = || SubjectFacts {
        suppressions: vec![
            suppressed(day(2026, 1, 10), marketing_only()),
            suppressed(day(2026, 4, 1), SuppressionScope::All),
        ],
        bases: vec![contract()],
        ..contact()
    };
    let lifted = || SubjectFacts {
        restrictions: vec![restricted(day(2026, 2, 1), Some(day(2026, 3, 1)))],
        bases: vec![contract()],
        ..contact()
    };
    vec![
        Past {
            name: "asked about a day before the suppression, the answer is not suppressed",
            purpose: "contract",
            facts: suppressed_in_march(),
            at: day(2026, 2, 15),
            rule: R::Allowed,
            says: "contract (Art. 6(1)(b))",
        },
        Past {
            name: "asked about a day after the suppression, it is suppressed",
            purpose: "contract",
            facts: suppressed_in_march(),
            at: day(2026, 3, 1),
            rule: R::Suppressed,
            says: "since 2026-03-01 for all purposes",
        },
        Past {
            name: "a suppression widened later still answers for its first purpose from its start",
            purpose: "marketing",
            facts: ledger(widened(), &[ev(Ch::Email, A::Granted, day(2025, 1, 1))]),
            at: day(2026, 2, 1),
            rule: R::Suppressed,
            says: "since 2026-01-10 for marketing",
        },
        Past {
            name: "a suppression widened later does not reach back to the other purposes",
            purpose: "contract",
            facts: widened(),
            at: day(2026, 2, 1),
            rule: R::Allowed,
            says: "contract (Art. 6(1)(b))",
        },
        Past {
            name: "after the widening every purpose is suppressed",
            purpose: "contract",
            facts: widened(),
            at: day(2026, 4, 2),
            rule: R::Suppressed,
            says: "since 2026-04-01 for all purposes",
        },
        Past {
            name: "an unknown identity suppressed later was not suppressed before",
            purpose: "marketing",
            facts: SubjectFacts {
                suppressions: vec![suppressed(day(2026, 3, 1), SuppressionScope::All)],
                ..SubjectFacts::default()
            },
            at: day(2026, 2, 1),
            rule: R::UnknownSubject,
            says: "no contact with this identity is known",
        },
        Past {
            name: "a lifted restriction still answers for the days it lasted",
            purpose: "contract",
            facts: lifted(),
            at: day(2026, 2, 20),
            rule: R::Restricted,
            says: "was restricted from 2026-02-01 until 2026-03-01 (Art. 18): on 2026-02-20 only storage was allowed",
        },
        Past {
            name: "after a restriction is lifted processing is allowed again",
            purpose: "contract",
            facts: lifted(),
            at: day(2026, 3, 1),
            rule: R::Allowed,
            says: "contract (Art. 6(1)(b))",
        },
        Past {
            name: "before a restriction processing was allowed",
            purpose: "contract",
            facts: lifted(),
            at: day(2026, 1, 31),
            rule: R::Allowed,
            says: "contract (Art. 6(1)(b))",
        },
        Past {
            name: "a second restriction after a lifted one",
            purpose: "contract",
            facts: SubjectFacts {
                restrictions: vec![
                    restricted(day(2026, 2, 1), Some(day(2026, 3, 1))),
                    restricted(day(2026, 5, 1), None),
                ],
                ..lifted()
            },
            at: day(2026, 5, 2),
            rule: R::Restricted,
            says: "restricted since 2026-05-01 (Art. 18)",
        },
        Past {
            name: "asked about a day before the erasure, the record of that day is gone",
            purpose: "contract",
            facts: SubjectFacts {
                erased_at: Some(day(2026, 3, 1)),
                ..contact()
            },
            at: day(2026, 2, 1),
            rule: R::Erased,
            says: "erased on 2026-03-01: nothing may be processed; what was recorded about 2026-02-01 went with the data",
        },
    ]
}

#[test]
fn questions_about_the_past_are_answered_with_what_was_in_force_then() {
    let policy = Policy::default();
    for case in cases() {
        let q = ProcessingQuery {
            purpose: case.purpose,
            channel: "email",
            at: case.at,
        };
        let d = can_process(&policy, &q, &case.facts);
        assert_eq!(d.rule, case.rule, "{}: {}", case.name, d.reason);
        assert_eq!(d.allowed, case.rule.allows(), "{}", case.name);
        assert!(
            d.reason.contains(case.says),
            "{}: reason was: {}",
            case.name,
            d.reason
        );
    }
}
