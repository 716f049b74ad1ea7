//! The consent ledger in `can_process`: how grants, withdrawals and objections on different channels
//! combine (`consent::consent_for`), one row per situation: grants and withdrawals per channel and on
//! `any`. Objections: `processing_objection_tests.rs`; properties: `processing_props.rs`.

use super::decision::{DecisionRule as R, SubjectFacts};
use super::processing_tests::{check, contact, day, ev, ledger, now, Case};
use super::settings::Policy;
use super::vocab::{ConsentAction as A, ConsentChannel as Ch, LegalBasis as B};

fn cases() -> Vec<Case> {
    let yesterday = now().add_days(-1);
    let c = contact;
    vec![
        Case {
            name: "consent granted by email",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2025, 1, 10))])
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
                ..ledger(c(), &[ev(Ch::Email, A::Withdrawn, yesterday)])
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
                ..ledger(c(), &[ev(Ch::Email, A::Granted, yesterday), ev(Ch::Any, A::Withdrawn, day(2025, 3, 1))])
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
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2025, 3, 1)), ev(Ch::Any, A::Withdrawn, yesterday)])
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "every channel was withdrawn",
        },
        Case {
            name: "consent on any covers phone",
            purpose: "marketing",
            channel: "phone",
            facts: SubjectFacts {
                ..ledger(c(), &[ev(Ch::Any, A::Granted, day(2025, 1, 1))])
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
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2025, 1, 1))])
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
                ..ledger(c(), &[ev(Ch::Email, A::Granted, yesterday), ev(Ch::Any, A::Withdrawn, yesterday)])
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "withdrawn",
        },

        // A question about `any` means "on every channel" (issue: a refusal on one channel was ignored).
        Case {
            name: "a grant on every channel, then a withdrawal by email: every channel is refused",
            purpose: "marketing",
            channel: "any",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Any, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Email, A::Withdrawn, day(2026, 2, 1)),
                ],
            ),
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "consent for marketing by email was withdrawn on 2026-02-01, so it is not given on every channel",
        },
        Case {
            name: "a grant on every channel, then a withdrawal by email: the phone is still granted",
            purpose: "marketing",
            channel: "phone",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Any, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Email, A::Withdrawn, day(2026, 2, 1)),
                ],
            ),
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "every channel granted on 2025-01-10",
        },
        Case {
            name: "a grant on every channel, then an objection by phone: every channel is refused",
            purpose: "marketing",
            channel: "any",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Any, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Phone, A::Objected, day(2026, 2, 1)),
                ],
            ),
            rule: R::Objected,
            basis: None,
            says: "objected to marketing (by phone) on 2026-02-01",
        },
        Case {
            name: "a withdrawal by email before a grant on every channel is superseded",
            purpose: "marketing",
            channel: "any",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Email, A::Withdrawn, day(2024, 5, 1)),
                    ev(Ch::Any, A::Granted, day(2025, 1, 10)),
                ],
            ),
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "every channel granted on 2025-01-10",
        },
        Case {
            name: "a withdrawal by email in the same second as a grant on every channel wins",
            purpose: "marketing",
            channel: "any",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Any, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Email, A::Withdrawn, day(2025, 1, 10)),
                ],
            ),
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "by email was withdrawn on 2025-01-10",
        },
        Case {
            name: "a grant by email after a grant on every channel changes nothing for every channel",
            purpose: "marketing",
            channel: "any",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Any, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Email, A::Granted, day(2026, 1, 10)),
                ],
            ),
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "every channel granted on 2025-01-10",
        },
    ]
}

#[test]
fn every_ledger_situation_gets_its_answer_and_reason() {
    check(&Policy::default(), cases());
}
