//! Objections and withdrawals against the other legal bases in `can_process`: an objection is to the
//! purpose, on every channel (Art. 21(1)-(3)); a withdrawal of consent is not replaced by legitimate
//! interest (EDPB Guidelines 05/2020 on consent, §121–123); contract and legal obligation stand.

use super::decision::{DecisionRule as R, SubjectFacts};
use super::processing_tests::{basis, check, contact, day, ev, ledger, Case};
use super::settings::Policy;
use super::vocab::{ConsentAction as A, ConsentChannel as Ch, LegalBasis as B};

fn cases() -> Vec<Case> {
    let c = contact;
    vec![
        Case {
            name: "objection to marketing is absolute",
            purpose: "marketing",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis("marketing", B::Consent, day(2024, 1, 1), None)],
                ..ledger(c(), &[ev(Ch::Email, A::Objected, day(2026, 2, 1))])
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
                ..ledger(c(), &[ev(Ch::Email, A::Granted, day(2025, 1, 1)), ev(Ch::Any, A::Objected, day(2026, 1, 1))])
            },
            rule: R::Objected,
            basis: None,
            says: "every channel",
        },
        Case {
            name: "objection stops legitimate interest",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2026, 1, 1)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2025, 1, 1),
                    None,
                )],
                ..ledger(c(), &[ev(Ch::Phone, A::Objected, day(2026, 1, 1))])
            },
            rule: R::Objected,
            basis: None,
            says: "Art. 21(1)",
        },
        Case {
            name: "withdrawn consent is not replaced by legitimate interest",
            purpose: "customer-care",
            channel: "email",
            facts: SubjectFacts {
                last_interaction: Some(day(2026, 5, 1)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2025, 1, 1),
                    None,
                )],
                ..ledger(c(), &[ev(Ch::Email, A::Withdrawn, day(2026, 3, 1))])
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "legitimate interest cannot replace consent withdrawn on 2026-03-01",
        },
        Case {
            name: "withdrawn consent on every channel is not replaced by legitimate interest",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2026, 5, 1)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2025, 1, 1),
                    None,
                )],
                ..ledger(c(), &[ev(Ch::Any, A::Withdrawn, day(2026, 3, 1))])
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "EDPB Guidelines 05/2020",
        },
        Case {
            name: "withdrawn consent leaves a contract in force",
            purpose: "customer-care",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![
                    basis("customer-care", B::LegitimateInterest, day(2025, 1, 1), None),
                    basis("customer-care", B::Contract, day(2025, 1, 1), None),
                ],
                ..ledger(c(), &[ev(Ch::Email, A::Withdrawn, day(2026, 3, 1))])
            },
            rule: R::Allowed,
            basis: Some(B::Contract),
            says: "contract (Art. 6(1)(b))",
        },
        Case {
            name: "a withdrawal by email leaves legitimate interest by phone",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2026, 5, 1)),
                bases: vec![basis(
                    "customer-care",
                    B::LegitimateInterest,
                    day(2025, 1, 1),
                    None,
                )],
                ..ledger(c(), &[ev(Ch::Email, A::Withdrawn, day(2026, 3, 1))])
            },
            rule: R::Allowed,
            basis: Some(B::LegitimateInterest),
            says: "legitimate-interest",
        },
        Case {
            name: "objection does not stop a contract",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                bases: vec![basis("customer-care", B::Contract, day(2025, 1, 1), None)],
                ..ledger(c(), &[ev(Ch::Phone, A::Objected, day(2026, 1, 1))])
            },
            rule: R::Allowed,
            basis: Some(B::Contract),
            says: "contract (Art. 6(1)(b)) for customer-care since 2025-01-01",
        },
        Case {
            name: "accounting under a legal obligation survives an objection",
            purpose: "accounting",
            channel: "post",
            facts: SubjectFacts {
                bases: vec![basis(
                    "accounting",
                    B::LegalObligation,
                    day(2024, 1, 1),
                    Some(day(2034, 1, 1)),
                )],
                ..ledger(c(), &[ev(Ch::Any, A::Objected, day(2026, 1, 1))])
            },
            rule: R::Allowed,
            basis: Some(B::LegalObligation),
            says: "legal-obligation (Art. 6(1)(c))",
        },

        // An objection is to the purpose (Art. 21), not to the channel it was recorded on.
        Case {
            name: "an objection by email stops marketing by phone despite an older phone grant",
            purpose: "marketing",
            channel: "phone",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Phone, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Email, A::Objected, day(2026, 2, 1)),
                ],
            ),
            rule: R::Objected,
            basis: None,
            says: "objected to marketing (by email) on 2026-02-01: an objection to direct marketing is absolute (Art. 21(3)), covers every channel",
        },
        Case {
            name: "a grant by phone after an objection by email is the person's new word for the phone",
            purpose: "marketing",
            channel: "phone",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Email, A::Objected, day(2026, 1, 10)),
                    ev(Ch::Phone, A::Granted, day(2026, 3, 1)),
                ],
            ),
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "consent for marketing by phone granted on 2026-03-01",
        },
        Case {
            name: "a grant by email after an objection by email does not lift it for the phone",
            purpose: "marketing",
            channel: "phone",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Phone, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Email, A::Objected, day(2026, 1, 10)),
                    ev(Ch::Email, A::Granted, day(2026, 3, 1)),
                ],
            ),
            rule: R::Objected,
            basis: None,
            says: "(by email) on 2026-01-10",
        },
        Case {
            name: "a withdrawal after an objection does not lift the objection",
            purpose: "marketing",
            channel: "phone",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Email, A::Objected, day(2026, 1, 10)),
                    ev(Ch::Phone, A::Withdrawn, day(2026, 3, 1)),
                ],
            ),
            rule: R::Objected,
            basis: None,
            says: "absolute (Art. 21(3))",
        },
        Case {
            name: "an objection by email stops legitimate interest by phone (Art. 21(1))",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                last_interaction: Some(day(2026, 1, 1)),
                bases: vec![basis("customer-care", B::LegitimateInterest, day(2025, 1, 1), None)],
                ..ledger(c(), &[ev(Ch::Email, A::Objected, day(2026, 2, 1))])
            },
            rule: R::Objected,
            basis: None,
            says: "objected to customer-care (by email) on 2026-02-01, which stops processing based on legitimate-interest (Art. 21(1))",
        },
        Case {
            name: "an objection by email leaves a contract by phone",
            purpose: "customer-care",
            channel: "phone",
            facts: SubjectFacts {
                bases: vec![basis("customer-care", B::Contract, day(2025, 1, 1), None)],
                ..ledger(c(), &[ev(Ch::Email, A::Objected, day(2026, 2, 1))])
            },
            rule: R::Allowed,
            basis: Some(B::Contract),
            says: "contract (Art. 6(1)(b))",
        },
        Case {
            name: "an objection to profiling for marketing is absolute too (Art. 21(2))",
            purpose: "profiling",
            channel: "email",
            facts: ledger(
                c(),
                &[
                    ev(Ch::Email, A::Granted, day(2025, 1, 10)),
                    ev(Ch::Sms, A::Objected, day(2026, 2, 1)),
                ],
            ),
            rule: R::Objected,
            basis: None,
            says: "objected to profiling (by sms) on 2026-02-01: an objection to direct marketing is absolute (Art. 21(3))",
        },

        // No switch to legitimate interest after a withdrawal (EDPB Guidelines 05/2020, §121–123).
        Case {
            name: "a withdrawal by email stops legitimate interest on every channel asked at once",
            purpose: "customer-care",
            channel: "any",
            facts: SubjectFacts {
                last_interaction: Some(day(2026, 5, 1)),
                bases: vec![basis("customer-care", B::LegitimateInterest, day(2025, 1, 1), None)],
                ..ledger(
                    c(),
                    &[
                        ev(Ch::Any, A::Granted, day(2025, 1, 10)),
                        ev(Ch::Email, A::Withdrawn, day(2026, 3, 1)),
                    ],
                )
            },
            rule: R::ConsentWithdrawn,
            basis: None,
            says: "legitimate interest cannot replace consent withdrawn on 2026-03-01 (by email)",
        },
        Case {
            name: "consent granted again after a withdrawal is the basis again",
            purpose: "customer-care",
            channel: "email",
            facts: SubjectFacts {
                bases: vec![basis("customer-care", B::LegitimateInterest, day(2025, 1, 1), None)],
                ..ledger(
                    c(),
                    &[
                        ev(Ch::Email, A::Withdrawn, day(2026, 3, 1)),
                        ev(Ch::Email, A::Granted, day(2026, 4, 1)),
                    ],
                )
            },
            rule: R::Allowed,
            basis: Some(B::Consent),
            says: "consent for customer-care by email granted on 2026-04-01",
        },
    ]
}

#[test]
fn every_objection_and_withdrawal_gets_its_answer_and_reason() {
    check(&Policy::default(), cases());
}
