use super::*;

on_both_backends!(
    a_withdrawal_changes_the_answer_from_then_on_but_not_before,
    restriction_and_legal_bases_reach_the_decision,
    subject_views_summarise_without_values,
);

fn a_withdrawal_changes_the_answer_from_then_on_but_not_before<S: TestStore>(store: &S) {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!()
    };
    assert!(
        decide(
            store,
            id,
            "marketing",
            ConsentChannel::Email,
            day(2026, 3, 1)
        )
        .allowed
    );
    let withdrawal = ConsentEvent {
        purpose: "marketing".into(),
        channel: ConsentChannel::Any,
        action: ConsentAction::Withdrawn,
        at: day(2026, 4, 1),
        evidence: Evidence {
            method: "unsubscribe link".into(),
            notice_version: None,
            text: None,
            collected_by: "mailer".into(),
        },
    };
    store.append_consent(&dpo(), id, &withdrawal).unwrap();
    let after = decide(
        store,
        id,
        "marketing",
        ConsentChannel::Email,
        day(2026, 4, 2),
    );
    assert_eq!(
        after.rule,
        DecisionRule::ConsentWithdrawn,
        "{}",
        after.reason
    );
    assert!(after.reason.contains("withdrawn on 2026-04-01"));
    // Asked about a date before the withdrawal, the ledger still says yes (Art. 7(3): not retroactive).
    assert!(
        decide(
            store,
            id,
            "marketing",
            ConsentChannel::Email,
            day(2026, 3, 31)
        )
        .allowed
    );
    assert_eq!(
        decide(
            store,
            ContactId(999),
            "marketing",
            ConsentChannel::Email,
            day(2026, 4, 2)
        )
        .rule,
        DecisionRule::UnknownSubject
    );
}

fn restriction_and_legal_bases_reach_the_decision<S: TestStore>(store: &S) {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!()
    };
    let contract = BasisPeriod {
        purpose: "contract".into(),
        basis: LegalBasis::Contract,
        start: day(2026, 1, 1),
        end: None,
    };
    store.add_legal_basis(&dpo(), id, &contract).unwrap();
    assert_eq!(
        decide(store, id, "contract", ConsentChannel::Post, day(2026, 2, 1)).basis,
        Some(LegalBasis::Contract)
    );
    store
        .end_legal_basis(
            &dpo(),
            id,
            "contract",
            LegalBasis::Contract,
            day(2026, 3, 1),
        )
        .unwrap();
    assert_eq!(
        decide(store, id, "contract", ConsentChannel::Post, day(2026, 4, 1)).rule,
        DecisionRule::BasisEnded
    );
    let wrong = BasisPeriod {
        purpose: "profiling".into(),
        basis: LegalBasis::LegitimateInterest,
        start: day(2026, 1, 1),
        end: None,
    };
    assert!(matches!(
        store.add_legal_basis(&dpo(), id, &wrong),
        Err(StoreError::InvalidInput(_))
    ));
    store
        .set_restriction(&dpo(), id, true, day(2026, 5, 1))
        .unwrap();
    assert_eq!(
        decide(
            store,
            id,
            "marketing",
            ConsentChannel::Email,
            day(2026, 5, 2)
        )
        .rule,
        DecisionRule::Restricted
    );
}

fn subject_views_summarise_without_values<S: TestStore>(store: &S) {
    let (_, outcomes) = import(
        store,
        "file-a",
        &[
            record(1, "mario@rossi.it", "Rossi"),
            record(2, "anna@bianchi.it", "Bianchi"),
        ],
    );
    let views = store.subject_views(None, 10).unwrap();
    assert_eq!(views.len(), 2);
    let v = &views[0];
    assert_eq!(RecordOutcome::Created(v.contact_id), outcomes[0]);
    assert_eq!(v.sources[0].label, "Fiera Milano 2026");
    assert_eq!(
        v.consents,
        vec![ConsentStateEntry {
            purpose: "marketing".into(),
            channel: ConsentChannel::Email,
            state: ConsentAction::Granted,
            at: day(2026, 1, 10)
        }]
    );
    let contact = v
        .categories
        .iter()
        .find(|c| c.category == DataCategory::Contact)
        .unwrap();
    assert_eq!(contact.values, 2);
    assert!(!serde_json::to_string(v).unwrap().contains("Rossi"));
    assert_eq!(
        store.subject_views(Some(v.contact_id), 10).unwrap().len(),
        1
    );
}
