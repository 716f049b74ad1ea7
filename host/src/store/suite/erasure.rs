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

fn data_under_a_legal_obligation_is_kept_and_reported<S: TestStore>(store: &S) {
    let mut r = record(1, EMAIL, NAME);
    r.fields.push(field("vat_id", "IT01234567890"));
    r.legal_bases.push(BasisClaim {
        purpose: "accounting".into(),
        basis: LegalBasis::LegalObligation,
        start: Some(day(2025, 1, 1)),
        end: Some(day(2035, 1, 1)),
    });
    let (_, outcomes) = import(store, "file-a", &[r]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!()
    };
    let report = store
        .erase(
            &dpo(),
            id,
            "request of 2026-03-01",
            day(2026, 3, 2),
            ErasureCause::Request,
        )
        .unwrap();
    assert_eq!(
        report.kept,
        vec![KeptData {
            field: "vat_id".into(),
            category: DataCategory::Financial,
            purpose: "accounting".into(),
            until: Some(day(2035, 1, 1))
        }]
    );
    let c = store.contact(id).unwrap();
    assert_eq!(c.current("vat_id"), Some("IT01234567890"));
    assert_eq!(c.current("last_name"), None);
    assert!(c.identities.is_empty());
}

fn a_legal_hold_forbids_erasure_until_lifted<S: TestStore>(store: &S) {
    let id = person(store);
    store
        .set_legal_hold(&dpo(), id, Some(day(2026, 2, 1)), "litigation 2026/114")
        .unwrap();
    let err = store
        .erase(
            &dpo(),
            id,
            "request",
            day(2026, 3, 2),
            ErasureCause::Request,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("legal hold since 2026-02-01"),
        "{err}"
    );
    store
        .set_legal_hold(&dpo(), id, None, "litigation settled")
        .unwrap();
    store
        .erase(
            &dpo(),
            id,
            "request",
            day(2026, 3, 2),
            ErasureCause::Request,
        )
        .unwrap();
}

/// Art. 18: a restricted contact's data is only stored. A retention rule may neither erase nor
/// anonymise it; the person's request, handled by a DPO, still may.
fn a_retention_rule_cannot_erase_or_anonymise_a_restricted_contact<S: TestStore>(store: &S) {
    let id = person(store);
    store
        .set_restriction(&dpo(), id, true, day(2026, 2, 1))
        .unwrap();
    let rule = "retention rule: no interaction for 25 months";
    let err = store
        .erase(&dpo(), id, rule, day(2026, 3, 2), ErasureCause::Retention)
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("restricted since 2026-02-01 (Art. 18)")
            && text.contains("lift the restriction"),
        "{text}"
    );
    let err = store
        .anonymise(
            &dpo(),
            id,
            &[DataCategory::Contact],
            rule,
            ErasureCause::Retention,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("may not carry out anonymisation"),
        "{err}"
    );
    // Nothing was changed by the refused calls.
    let c = store.contact(id).unwrap();
    assert_eq!(c.erased_at, None);
    assert!(c.anonymised.is_empty());
    assert_eq!(c.identities.len(), 1);
    // Once the restriction is lifted, the rule applies again.
    store
        .set_restriction(&dpo(), id, false, day(2026, 2, 15))
        .unwrap();
    store
        .anonymise(
            &dpo(),
            id,
            &[DataCategory::Notes],
            rule,
            ErasureCause::Retention,
        )
        .unwrap();
    // A restriction does not stop the person's own request for erasure.
    store
        .set_restriction(&dpo(), id, true, day(2026, 3, 1))
        .unwrap();
    let report = store
        .erase(
            &dpo(),
            id,
            "request of 2026-03-01",
            day(2026, 3, 2),
            ErasureCause::Request,
        )
        .unwrap();
    assert_eq!(report.identities_suppressed, 1);
    let causes: Vec<(String, serde_json::Value)> = store
        .audit_list(&AuditFilter {
            limit: 1000,
            ..AuditFilter::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "contact.erase" || e.action == "contact.anonymise")
        .map(|e| (e.action, e.details["cause"].clone()))
        .collect();
    assert_eq!(
        causes,
        vec![
            ("contact.anonymise".to_string(), "retention".into()),
            ("contact.erase".to_string(), "request".into())
        ]
    );
}
