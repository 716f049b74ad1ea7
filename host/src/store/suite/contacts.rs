//! Contacts entered by hand, rectified, listed, held and interacted with.

use super::*;
use crate::store::{
    AuditFilter, AuditStore, ContactFilter, ContactStore, NewContact, Rectification, StoreError,
    SuppressionStore,
};

on_both_backends!(
    rectification_keeps_history_and_guards_identities,
    lists_filter_and_page,
    a_contact_entered_by_hand_is_created_once_and_never_over_a_suppression,
    a_legal_hold_is_placed_once_lifted_once_and_audited,
    the_latest_interaction_is_kept,
);

fn by_hand(identity: Identity) -> NewContact {
    NewContact {
        identities: vec![identity],
        fields: vec![field("last_name", "Verdi")],
        source_label: "phone call".into(),
        channel: SourceChannel::Phone,
        collected_at: None,
        last_interaction: None,
    }
}

fn rectification_keeps_history_and_guards_identities<S: ImportStore + ContactStore>(store: &S) {
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
    let err = store.create_contact(&dpo(), &by_hand(email("anna@bianchi.it")));
    assert!(
        matches!(err, Err(StoreError::Conflict(m)) if m.contains("already belongs to contact"))
    );
}

fn lists_filter_and_page<S: ImportStore + ContactStore>(store: &S) {
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

fn a_contact_entered_by_hand_is_created_once_and_never_over_a_suppression<
    S: ContactStore + SuppressionStore + AuditStore,
>(
    store: &S,
) {
    let id = store
        .create_contact(&dpo(), &by_hand(email("luca@verdi.it")))
        .unwrap();
    let c = store.contact(id).unwrap();
    assert_eq!(c.current("last_name"), Some("Verdi"));
    assert_eq!(c.provenance[0].source_label, "phone call");
    assert_eq!(c.provenance[0].channel, SourceChannel::Phone);
    assert_eq!(
        store.find_contact(&email("Luca@Verdi.it")).unwrap(),
        Some(id)
    );
    let again = store.create_contact(&dpo(), &by_hand(email("luca@verdi.it")));
    assert!(
        matches!(&again, Err(StoreError::Conflict(m)) if m.contains(&format!("already belongs to contact {}", id.0))),
        "{again:?}"
    );
    store
        .suppress(
            &dpo(),
            &email("gone@verdi.it"),
            "asked not to be contacted",
            &SuppressionScope::All,
            day(2026, 1, 1),
        )
        .unwrap();
    let refused = store.create_contact(&dpo(), &by_hand(email("gone@verdi.it")));
    assert!(
        matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("suppression list")),
        "{refused:?}"
    );
    assert_eq!(store.find_contact(&email("gone@verdi.it")).unwrap(), None);
    let actions: Vec<String> = store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["contact.create", "suppression.add"]);
}

fn a_legal_hold_is_placed_once_lifted_once_and_audited<
    S: ImportStore + ContactStore + AuditStore,
>(
    store: &S,
) {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let id = created(&outcomes);
    let reason = "litigation 2026/114, court of Milan";
    store
        .set_legal_hold(&dpo(), id, Some(day(2026, 2, 1)), reason)
        .unwrap();
    let c = store.contact(id).unwrap();
    assert_eq!(c.legal_hold_since, Some(day(2026, 2, 1)));
    assert_eq!(c.legal_hold_reason.as_deref(), Some(reason));
    let twice = store.set_legal_hold(&dpo(), id, Some(day(2026, 3, 1)), reason);
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert!(store.set_legal_hold(&dpo(), id, None, " ").is_err());
    store.set_legal_hold(&dpo(), id, None, "settled").unwrap();
    let c = store.contact(id).unwrap();
    assert_eq!((c.legal_hold_since, c.legal_hold_reason), (None, None));
    let lift = store.set_legal_hold(&dpo(), id, None, "settled");
    assert!(matches!(lift, Err(StoreError::Conflict(_))), "{lift:?}");
    let entries = store
        .audit_list(&AuditFilter {
            target: Some(format!("contact:{}", id.0)),
            ..AuditFilter::default()
        })
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["contact.legal-hold", "contact.legal-hold-lift"]);
    assert_eq!(entries[0].details["reason"], reason);
}

fn the_latest_interaction_is_kept<S: ImportStore + ContactStore>(store: &S) {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let id = created(&outcomes);
    store
        .record_interaction(&dpo(), id, day(2026, 3, 1))
        .unwrap();
    // An older order recorded later does not move the latest interaction back.
    store
        .record_interaction(&dpo(), id, day(2026, 2, 1))
        .unwrap();
    assert_eq!(
        store.contact(id).unwrap().last_interaction,
        Some(day(2026, 3, 1))
    );
    assert!(matches!(
        store.record_interaction(&dpo(), ContactId(id.0 + 1000), day(2026, 3, 1)),
        Err(StoreError::NotFound { .. })
    ));
}
