//! Erasure and anonymisation: what is removed, what a legal obligation keeps, what a hold or a
//! restriction forbids.

use super::*;

on_both_backends!(
    data_under_a_legal_obligation_is_kept_and_reported,
    a_legal_hold_forbids_erasure_until_lifted,
    a_retention_rule_cannot_erase_or_anonymise_a_restricted_contact,
);

pub(crate) const EMAIL: &str = "quirinalda.pescatorelli@example.it";
pub(crate) const NAME: &str = "Pescatorelli";

/// A contact whose name and email are in values, history, identities, the identity index, consent
/// evidence and a manual provenance label, with a second contact beside it that must survive.
pub(crate) fn person<S: TestStore>(store: &S) -> ContactId {
    let mut r = record(1, EMAIL, NAME);
    r.consents[0].evidence = Some(format!("form signed by Quirinalda {NAME}"));
    let (_, outcomes) = import(
        store,
        "file-a",
        &[r, record(2, "other@example.it", "Bianchi")],
    );
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!()
    };
    let change = Rectification {
        fields: vec![field("last_name", &format!("{NAME}-Neri"))],
        reason: format!("{NAME} wrote with her new surname"),
        ..Rectification::default()
    };
    store.rectify(&dpo(), id, &change).unwrap();
    store
        .append_consent(
            &dpo(),
            id,
            &ConsentEvent {
                purpose: "profiling".into(),
                channel: ConsentChannel::Any,
                action: ConsentAction::Granted,
                at: day(2026, 2, 1),
                evidence: Evidence {
                    method: "phone call".into(),
                    notice_version: None,
                    text: Some(format!("{EMAIL} said yes")),
                    collected_by: "op".into(),
                },
            },
        )
        .unwrap();
    id
}
