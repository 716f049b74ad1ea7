//! Properties of `can_process` that must hold for any facts and any ledger.

use proptest::prelude::*;

use super::catalogue::PurposeDef;
use super::consent::ConsentState;
use super::decision::{DecisionRule as R, SubjectFacts};
use super::ids::ContactId;
use super::periods::{RestrictionPeriod, SuppressionPeriod, SuppressionScope};
use super::processing::{can_process, ProcessingQuery};
use super::processing_tests::{basis, contact, ev, ledger};
use super::settings::{Policy, Settings};
use super::time::Timestamp;
use super::vocab::{ConsentAction as A, ConsentChannel as Ch, LegalBasis as B};

fn month(m: i64) -> Timestamp {
    Timestamp(m * 86_400 * 30)
}

/// Ledger events on any channel, at month `0..until`, in ledger order.
fn events(until: i64) -> impl Strategy<Value = Vec<ConsentState>> {
    prop::collection::vec(
        (
            prop::sample::select(Ch::ALL.to_vec()),
            prop::sample::select(A::ALL.to_vec()),
            0..until.max(1),
        )
            .prop_map(|(channel, action, t)| ev(channel, action, month(t))),
        0..6,
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
        (any::<bool>(), any::<bool>()),
        (
            prop::option::of(0i64..100),
            prop::option::of(0i64..100),
            prop::option::of(0i64..100),
        ),
        events(100),
        bases,
        prop::sample::select(vec![
            "marketing",
            "profiling",
            "customer-care",
            "contract",
            "accounting",
        ]),
    )
        .prop_map(
            |(
                (restricted, suppressed),
                (notice, interaction, collected),
                events,
                bases,
                purpose,
            )| {
                let facts = SubjectFacts {
                    contact: Some(ContactId(1)),
                    restrictions: restricted
                        .then_some(RestrictionPeriod {
                            since: month(0),
                            until: None,
                        })
                        .into_iter()
                        .collect(),
                    suppressions: suppressed
                        .then_some(SuppressionPeriod {
                            since: month(0),
                            scope: SuppressionScope::All,
                        })
                        .into_iter()
                        .collect(),
                    first_notice_at: notice.map(month),
                    last_interaction: interaction.map(month),
                    last_collected_at: collected.map(month),
                    bases: bases
                        .into_iter()
                        .map(|(b, s, e)| basis(purpose, b, month(s), e.map(|e| month(s + e + 1))))
                        .collect(),
                    ..SubjectFacts::default()
                };
                ledger(facts, &events)
            },
        )
}

fn purpose_of(facts: &SubjectFacts) -> String {
    facts
        .bases
        .first()
        .map_or_else(|| "marketing".into(), |b| b.purpose.clone())
}

/// The default catalogue plus a direct-marketing purpose that lists every legal basis, so that "no
/// basis overrides an objection" is tested against bases that would otherwise allow.
fn policy_with_open_marketing() -> Policy {
    let mut settings = Settings::default();
    settings.purposes.push(PurposeDef {
        name: "telemarketing".into(),
        description: "Offers by phone".into(),
        bases: B::ALL.to_vec(),
        direct_marketing: true,
        retention: "until objection".into(),
        recipients: Vec::new(),
    });
    Policy::from_settings(&settings).unwrap()
}

proptest! {
    #[test]
    fn allowed_only_with_a_permitted_active_basis_and_a_notice(
        facts in any_facts(),
        at in 0i64..120,
        channel in prop::sample::select(Ch::ALL.to_vec()),
    ) {
        let policy = Policy::default();
        let purpose = purpose_of(&facts);
        let at = month(at);
        let q = ProcessingQuery { purpose: &purpose, channel: channel.as_str(), at };
        let d = can_process(&policy, &q, &facts);
        if d.allowed {
            let basis = d.basis.expect("an allowed decision names its basis");
            prop_assert!(policy.catalogue.purpose(&purpose).unwrap().bases.contains(&basis));
            prop_assert!(facts.restrictions.is_empty() && facts.suppressions.is_empty());
            prop_assert!(facts.first_notice_at.is_some_and(|n| n <= at));
            if basis != B::Consent {
                prop_assert!(facts.bases.iter().any(|p| p.basis == basis && p.active_at(at)));
            }
        }
        prop_assert!(!d.reason.is_empty());
    }

    #[test]
    fn an_effective_objection_always_stops_marketing(t in 0i64..100, granted_before in 0i64..100) {
        let facts = ledger(
            contact(),
            &[
                ev(Ch::Email, A::Granted, Timestamp(granted_before.min(t))),
                ev(Ch::Any, A::Objected, Timestamp(t)),
            ],
        );
        let q = ProcessingQuery { purpose: "marketing", channel: "email", at: Timestamp(1_000) };
        let d = can_process(&Policy::default(), &q, &facts);
        prop_assert_eq!(d.rule, R::Objected);
    }

    /// Art. 21(2)–(3): an objection to direct marketing, recorded on whatever channel, denies every
    /// channel whatever was granted before it and whatever legal bases are recorded.
    #[test]
    fn an_objection_to_direct_marketing_on_any_channel_denies_every_channel(
        t in 1i64..100,
        before in events(100),
        objected_on in prop::sample::select(Ch::ALL.to_vec()),
        asked in prop::sample::select(Ch::ALL.to_vec()),
        purpose in prop::sample::select(vec!["marketing", "profiling", "telemarketing"]),
        bases in prop::collection::vec(prop::sample::select(B::ALL.to_vec()), 0..4),
        later in 0i64..24,
    ) {
        let policy = policy_with_open_marketing();
        // Everything else happened up to the objection's month, not after it.
        let mut history: Vec<ConsentState> = before
            .into_iter()
            .map(|e| ConsentState { at: e.at.min(month(t)), ..e })
            .collect();
        history.push(ev(objected_on, A::Objected, month(t)));
        let facts = SubjectFacts {
            last_interaction: Some(month(t)),
            bases: bases.into_iter().map(|b| basis(purpose, b, month(0), None)).collect(),
            ..ledger(contact(), &history)
        };
        let q = ProcessingQuery { purpose, channel: asked.as_str(), at: month(t + later) };
        let d = can_process(&policy, &q, &facts);
        prop_assert_eq!(d.rule, R::Objected, "{}", d.reason);
        prop_assert!(d.reason.contains("Art. 21(3)"), "{}", d.reason);
    }

    /// Legitimate interest justifies direct marketing only for a customer (a contract in force, or
    /// ended less than the legitimate-interest period before) on a channel the settings allow, and the
    /// answer then names the customer rule.
    #[test]
    fn marketing_on_legitimate_interest_reaches_only_customers_on_allowed_channels(
        li_start in 0i64..100,
        contracts in prop::collection::vec(
            (prop::sample::select(vec![B::Contract, B::PreContract]), 0i64..100, prop::option::of(0i64..100)),
            0..3,
        ),
        interaction in prop::option::of(0i64..100),
        history in events(100),
        at in 0i64..120,
        channel in prop::sample::select(Ch::ALL.to_vec()),
    ) {
        let policy = Policy::default();
        let at = month(at);
        let facts = SubjectFacts {
            last_interaction: interaction.map(month),
            bases: vec![basis("marketing", B::LegitimateInterest, month(li_start), None)],
            contracts: contracts
                .into_iter()
                .map(|(b, s, e)| basis("contract", b, month(s), e.map(|e| month(s + e + 1))))
                .collect(),
            ..ledger(contact(), &history)
        };
        let q = ProcessingQuery { purpose: "marketing", channel: channel.as_str(), at };
        let d = can_process(&policy, &q, &facts);
        let on_li = d.allowed && d.basis == Some(B::LegitimateInterest);
        prop_assert_eq!(d.rule == R::CustomerMarketing, on_li, "{}", d.reason);
        if on_li {
            prop_assert!(matches!(channel, Ch::Email | Ch::Post), "{}", d.reason);
            let customer = facts.contracts.iter().any(|p| {
                p.basis == B::Contract
                    && p.start <= at
                    && p.end.is_none_or(|end| at < end.add_months(policy.legitimate_interest_months))
            });
            prop_assert!(customer, "{}", d.reason);
            prop_assert!(d.reason.contains("art. 130(4)"), "{}", d.reason);
        }
    }

    /// A question about `any` means every channel: whenever it is allowed, each channel is too.
    #[test]
    fn allowed_on_every_channel_means_allowed_on_each(facts in any_facts(), at in 0i64..120) {
        let policy = Policy::default();
        let purpose = purpose_of(&facts);
        let at = month(at);
        let on = |channel: Ch| {
            can_process(&policy, &ProcessingQuery { purpose: &purpose, channel: channel.as_str(), at }, &facts)
        };
        if on(Ch::Any).allowed {
            for channel in Ch::ALL.iter().copied() {
                let d = on(channel);
                prop_assert!(d.allowed, "{channel}: {}", d.reason);
            }
        }
    }
}
