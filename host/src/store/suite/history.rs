//! Rectification keeps what it replaces, and the ledgers refuse rewrites in the database itself.

use super::*;
use crate::store::{ContactStore, ErasureCause, ErasureStore, Rectification, SuppressionStore};

on_both_backends!(
    a_removed_identity_stays_as_history_with_its_source_and_no_longer_finds_the_contact,
    the_last_identity_cannot_be_removed,
    the_database_refuses_to_rewrite_bases_receipts_and_consent_provenance,
);
on_both_backends!(
    erasure_suppresses_former_identities_too_and_deletes_them,
    anonymising_contact_data_keeps_the_person_from_coming_back_with_the_same_file,
);

fn imported_mario<S: ImportStore>(store: &S) -> ContactId {
    let (_, outcomes) = import(
        store,
        "file-a",
        &[record(1, "mario.old@example.it", "Rossi")],
    );
    created(&outcomes)
}

fn a_removed_identity_stays_as_history_with_its_source_and_no_longer_finds_the_contact<
    S: ImportStore + ContactStore,
>(
    store: &S,
) {
    let id = imported_mario(store);
    let change = Rectification {
        add_identities: vec![email("mario.new@example.it")],
        remove_identities: vec![email("mario.old@example.it")],
        reason: "the customer wrote with his new address".into(),
        ..Rectification::default()
    };
    store.rectify(&dpo(), id, &change).unwrap();

    let details = store.contact(id).unwrap();
    let current: Vec<String> = details
        .identities
        .iter()
        .map(|i| i.identity.key())
        .collect();
    assert_eq!(current, ["e:mario.new@example.it"]);
    assert_eq!(details.former_identities.len(), 1, "{details:?}");
    let former = &details.former_identities[0];
    assert_eq!(former.identity.key(), "e:mario.old@example.it");
    // Where the old address came from (the fair import) and what removed it are both known.
    let label = |p: ProvenanceId| {
        details
            .provenance
            .iter()
            .find(|e| e.id == p)
            .map(|e| e.source_label.clone())
            .unwrap_or_else(|| panic!("provenance {p:?} missing from {details:?}"))
    };
    assert_eq!(label(former.provenance.unwrap()), "Fiera Milano 2026");
    assert!(label(former.removed_by).contains("his new address"));

    assert_eq!(
        store.find_contact(&email("mario.old@example.it")).unwrap(),
        None
    );
    assert_eq!(
        store.find_contact(&email("mario.new@example.it")).unwrap(),
        Some(id)
    );
}

fn the_last_identity_cannot_be_removed<S: ImportStore + ContactStore + RawSql>(store: &S) {
    let id = imported_mario(store);
    let change = Rectification {
        remove_identities: vec![email("mario.old@example.it")],
        reason: "wrong address".into(),
        ..Rectification::default()
    };
    let err = store.rectify(&dpo(), id, &change).unwrap_err().to_string();
    assert!(
        err.contains("without an email, phone or external id") && err.contains("add_identities"),
        "{err}"
    );
    // Nothing of the refused rectification was written.
    assert_eq!(
        store.find_contact(&email("mario.old@example.it")).unwrap(),
        Some(id)
    );
    assert_eq!(store.count("former_identities"), 0);
}

fn erasure_suppresses_former_identities_too_and_deletes_them<
    S: ImportStore + ContactStore + ErasureStore + SuppressionStore + RawSql,
>(
    store: &S,
) {
    let id = imported_mario(store);
    let change = Rectification {
        add_identities: vec![email("mario.new@example.it")],
        remove_identities: vec![email("mario.old@example.it")],
        reason: "new address".into(),
        ..Rectification::default()
    };
    store.rectify(&dpo(), id, &change).unwrap();
    store
        .erase(
            &dpo(),
            id,
            "Art. 17 request",
            day(2026, 3, 1),
            ErasureCause::Request,
        )
        .unwrap();
    assert_eq!(store.count("former_identities"), 0);
    assert!(store
        .suppression_of(&email("mario.new@example.it"))
        .unwrap()
        .is_some());
    assert!(
        store
            .suppression_of(&email("mario.old@example.it"))
            .unwrap()
            .is_some(),
        "an old spreadsheet with the previous address must not bring the person back"
    );
    let (_, outcomes) = import(
        store,
        "old-list",
        &[record(1, "mario.old@example.it", "Rossi")],
    );
    assert_eq!(outcomes, vec![RecordOutcome::Suppressed]);
}

fn anonymising_contact_data_keeps_the_person_from_coming_back_with_the_same_file<
    S: ImportStore + ErasureStore,
>(
    store: &S,
) {
    let id = imported_mario(store);
    store
        .anonymise(
            &dpo(),
            id,
            &[DataCategory::Contact],
            "24 months of silence",
            ErasureCause::Retention,
        )
        .unwrap();
    let (_, outcomes) = import(
        store,
        "file-a",
        &[record(1, "mario.old@example.it", "Rossi")],
    );
    assert_eq!(outcomes, vec![RecordOutcome::Suppressed]);
}

fn the_database_refuses_to_rewrite_bases_receipts_and_consent_provenance<
    S: ImportStore + RawSql,
>(
    store: &S,
) {
    let id = imported_mario(store).0;
    store
        .raw(&format!(
            r#"INSERT INTO legal_bases (contact_id, purpose_id, seq, basis, start, "end", provenance_id, recorded_at)
               SELECT {id}, id, 99, 2, 0, NULL, NULL, 0 FROM purposes WHERE name = 'contract'"#
        ))
        .unwrap();
    let refused = |sql: &str| {
        let err = store.raw(&sql.replace("?1", &id.to_string())).unwrap_err();
        assert!(
            err.contains("append-only")
                || err.contains("never rewritten")
                || err.contains("only by erasing"),
            "{sql}: {err}"
        );
    };
    refused("UPDATE legal_bases SET start = 1 WHERE contact_id = ?1");
    refused("DELETE FROM legal_bases WHERE contact_id = ?1");
    refused("UPDATE consent_events SET provenance_id = NULL WHERE contact_id = ?1");
    refused("UPDATE consent_events SET recorded_at = 0 WHERE contact_id = ?1");
    // Ending a basis is the one change allowed.
    store
        .raw(&format!(
            r#"UPDATE legal_bases SET "end" = 5 WHERE contact_id = {id}"#
        ))
        .unwrap();
}
