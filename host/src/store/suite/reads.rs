use super::*;

on_both_backends!(
    a_withdrawal_changes_the_answer_from_then_on_but_not_before,
    restriction_and_legal_bases_reach_the_decision,
    rectification_keeps_history_and_guards_identities,
    lists_filter_and_page,
    subject_views_summarise_without_values,
);

fn decide<S: TestStore>(
    store: &S,
    id: ContactId,
    purpose: &str,
    channel: ConsentChannel,
    at: Timestamp,
) -> Decision {
    let facts = store.processing_facts(id, purpose, channel, at).unwrap();
    can_process(
        store.policy(),
        &ProcessingQuery {
            purpose,
            channel: channel.as_str(),
            at,
        },
        &facts,
    )
}

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

fn rectification_keeps_history_and_guards_identities<S: TestStore>(store: &S) {
    let (_, outcomes) = import(
        store,
        "file-a",
        &[
            record(1, "mario@rossi.it", "Rossi"),
            record(2, "anna@bianchi.it", "Bianchi"),
        ],
    );
    let (RecordOutcome::Created(mario), RecordOutcome::Created(anna)) = (outcomes[0], outcomes[1])
    else {
        panic!()
    };
    let change = Rectification {
        fields: vec![field("city", "Torino")],
        add_identities: vec![phone("+39 02 1234 5678")],
        remove_identities: vec![email("mario@rossi.it")],
        reason: "customer called".into(),
    };
    store.rectify(&dpo(), mario, &change).unwrap();
    let c = store.contact(mario).unwrap();
    assert_eq!(c.current("city"), Some("Torino"));
    assert_eq!(c.current("last_name"), Some("Rossi"));
    assert_eq!(
        c.identities
            .iter()
            .map(|i| i.identity.clone())
            .collect::<Vec<_>>(),
        vec![phone("+390212345678")]
    );
    assert!(c
        .provenance
        .iter()
        .any(|p| p.source_label == "rectification: customer called"
            && p.channel == SourceChannel::Manual));
    let steal = Rectification {
        add_identities: vec![email("anna@bianchi.it")],
        reason: "typo".into(),
        ..Rectification::default()
    };
    let err = store.rectify(&dpo(), mario, &steal).unwrap_err();
    assert!(
        err.to_string().contains(&format!("belongs to {anna}")),
        "{err}"
    );
    let err = store.create_contact(
        &dpo(),
        &NewContact {
            identities: vec![email("anna@bianchi.it")],
            fields: vec![],
            source_label: "phone call".into(),
            channel: SourceChannel::Phone,
            collected_at: None,
            last_interaction: None,
        },
    );
    assert!(
        matches!(err, Err(StoreError::Conflict(m)) if m.contains("already belongs to contact"))
    );
}

fn lists_filter_and_page<S: TestStore>(store: &S) {
    let records: Vec<_> = (0..25)
        .map(|i| record(i, &format!("p{i}@example.it"), "Rossi"))
        .collect();
    import(store, "file-a", &records);
    let page = store
        .list_contacts(&ContactFilter {
            limit: 10,
            ..ContactFilter::default()
        })
        .unwrap();
    assert_eq!(page.items.len(), 10);
    let rest = store
        .list_contacts(&ContactFilter {
            limit: 20,
            after: page.next,
            ..ContactFilter::default()
        })
        .unwrap();
    assert_eq!(rest.items.len(), 15);
    assert_eq!(rest.next, None);
    let one = store
        .list_contacts(&ContactFilter {
            identity: Some(email("p7@example.it")),
            ..ContactFilter::default()
        })
        .unwrap();
    assert_eq!(one.items.len(), 1);
    assert_eq!(one.items[0].identities, vec![email("p7@example.it")]);
    let by_source = store
        .list_contacts(&ContactFilter {
            source_label: Some("Fiera Milano 2026".into()),
            ..ContactFilter::default()
        })
        .unwrap();
    assert_eq!(by_source.items.len(), 25);
    let none = store
        .list_contacts(&ContactFilter {
            source_label: Some("Elsewhere".into()),
            ..ContactFilter::default()
        })
        .unwrap();
    assert!(none.items.is_empty());
    let future = store
        .list_contacts(&ContactFilter {
            updated_since: Some(Timestamp(i64::MAX / 2)),
            ..ContactFilter::default()
        })
        .unwrap();
    assert!(future.items.is_empty());
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
