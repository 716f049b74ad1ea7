//! Marketing to one's own customers on legitimate interest: the facts the store reads carry the
//! contract bases of every purpose, so the customer rule sees who is a customer when, and a
//! legitimate-interest basis for marketing is accepted by the default catalogue.

use super::*;
use crate::store::ConsentStore;

on_both_backends!(
    a_contract_makes_a_prospect_a_customer_for_marketing_on_legitimate_interest_from_its_start
);

fn basis(purpose: &str, basis: LegalBasis, start: Timestamp) -> BasisPeriod {
    BasisPeriod {
        purpose: purpose.into(),
        basis,
        start,
        end: None,
    }
}

fn a_contract_makes_a_prospect_a_customer_for_marketing_on_legitimate_interest_from_its_start<
    S: ImportStore + ConsentStore + SubjectStore,
>(
    store: &S,
) {
    let decide = |id, channel: ConsentChannel, at| decide(store, id, "marketing", channel, at);
    // A fair contact who consented to profiling only (and so received the notice), not to marketing.
    let mut r = record(1, "mario@rossi.it", "Rossi");
    r.consents[0].purpose = "profiling".into();
    let (_, outcomes) = import(store, "file-a", &[r]);
    let id = created(&outcomes);
    let li = basis(
        "marketing",
        LegalBasis::LegitimateInterest,
        day(2026, 1, 10),
    );
    store.add_legal_basis(&dpo(), id, &li).unwrap();
    let prospect = decide(id, ConsentChannel::Email, day(2026, 3, 1));
    assert_eq!(
        prospect.rule,
        DecisionRule::NotACustomer,
        "{}",
        prospect.reason
    );
    assert!(prospect.reason.contains("130(4)"), "{}", prospect.reason);

    let sale = basis("contract", LegalBasis::Contract, day(2026, 4, 1));
    store.add_legal_basis(&dpo(), id, &sale).unwrap();
    let customer = decide(id, ConsentChannel::Email, day(2026, 4, 2));
    assert!(customer.allowed, "{}", customer.reason);
    assert_eq!(customer.basis, Some(LegalBasis::LegitimateInterest));
    assert!(customer.reason.contains("130(4)"), "{}", customer.reason);
    // A question about the days before the sale still answers "prospect".
    assert_eq!(
        decide(id, ConsentChannel::Email, day(2026, 3, 31)).rule,
        DecisionRule::NotACustomer
    );
    // By SMS the customer rule does not apply (email and post by default): consent is needed.
    assert_eq!(
        decide(id, ConsentChannel::Sms, day(2026, 4, 2)).rule,
        DecisionRule::ChannelNotAllowed
    );
    // An objection ends it on every channel.
    store
        .append_consent(
            &dpo(),
            id,
            &ConsentEvent {
                purpose: "marketing".into(),
                channel: ConsentChannel::Post,
                action: ConsentAction::Objected,
                at: day(2026, 5, 1),
                evidence: Evidence {
                    method: "letter".into(),
                    notice_version: None,
                    text: None,
                    collected_by: "op".into(),
                },
            },
        )
        .unwrap();
    assert_eq!(
        decide(id, ConsentChannel::Email, day(2026, 5, 2)).rule,
        DecisionRule::Objected
    );
    assert!(decide(id, ConsentChannel::Email, day(2026, 4, 30)).allowed);
}
