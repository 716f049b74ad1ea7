//! Suppression and restriction as periods on real database files: a question about a past time is
//! answered with what was in force then, and a database from before the periods keeps its meaning.

use rusqlite::Connection;

use super::*;
use crate::store::secret;
use crate::store::sqlite::schema;

fn decide(store: &SqliteStore, id: ContactId, purpose: &str, at: Timestamp) -> Decision {
    let facts = store
        .processing_facts(id, purpose, ConsentChannel::Email, at)
        .unwrap();
    can_process(
        &store.policy,
        &ProcessingQuery {
            purpose,
            channel: "email",
            at,
        },
        &facts,
    )
}

fn mario(store: &SqliteStore) -> ContactId {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!("{outcomes:?}")
    };
    id
}

#[test]
fn a_lifted_restriction_still_answers_for_the_days_it_lasted() {
    let (_dir, store) = open();
    let id = mario(&store);
    store
        .set_restriction(&dpo(), id, true, day(2026, 3, 1))
        .unwrap();
    store
        .set_restriction(&dpo(), id, false, day(2026, 4, 1))
        .unwrap();
    // Consent was given on 10 January: before, during and after the restriction.
    assert!(decide(&store, id, "marketing", day(2026, 2, 15)).allowed);
    let during = decide(&store, id, "marketing", day(2026, 3, 15));
    assert_eq!(during.rule, DecisionRule::Restricted, "{}", during.reason);
    assert!(decide(&store, id, "marketing", day(2026, 4, 1)).allowed);
    let c = store.contact(id).unwrap();
    assert_eq!(c.restricted_since, None);
    assert_eq!(
        c.restrictions,
        vec![RestrictionPeriod {
            since: day(2026, 3, 1),
            until: Some(day(2026, 4, 1)),
        }]
    );
    // A second restriction adds a period; the first keeps its days.
    store
        .set_restriction(&dpo(), id, true, day(2026, 5, 1))
        .unwrap();
    assert_eq!(store.contact(id).unwrap().restrictions.len(), 2);
    assert_eq!(
        decide(&store, id, "marketing", day(2026, 3, 2)).rule,
        DecisionRule::Restricted
    );
    assert!(decide(&store, id, "marketing", day(2026, 4, 15)).allowed);
}

#[test]
fn restricting_twice_lifting_nothing_or_overlapping_is_refused() {
    let (_dir, store) = open();
    let id = mario(&store);
    assert!(matches!(
        store.set_restriction(&dpo(), id, false, day(2026, 3, 1)),
        Err(StoreError::Conflict(_))
    ));
    store
        .set_restriction(&dpo(), id, true, day(2026, 3, 1))
        .unwrap();
    assert!(matches!(
        store.set_restriction(&dpo(), id, true, day(2026, 3, 5)),
        Err(StoreError::Conflict(_))
    ));
    // A lift before the restriction began would make a period that ends before it starts.
    assert!(store
        .set_restriction(&dpo(), id, false, day(2026, 2, 1))
        .is_err());
    store
        .set_restriction(&dpo(), id, false, day(2026, 4, 1))
        .unwrap();
    // A new restriction starting inside the lifted one would rewrite what was in force then.
    assert!(store
        .set_restriction(&dpo(), id, true, day(2026, 3, 15))
        .is_err());
    assert_eq!(store.contact(id).unwrap().restrictions.len(), 1);
}

#[test]
fn a_suppression_does_not_reach_back_before_it_began() {
    let (_dir, store) = open();
    let id = mario(&store);
    let marketing = SuppressionScope::Purposes(vec!["marketing".into()]);
    store
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "unsubscribed",
            &marketing,
            day(2026, 4, 1),
        )
        .unwrap();
    assert!(decide(&store, id, "marketing", day(2026, 3, 31)).allowed);
    let after = decide(&store, id, "marketing", day(2026, 4, 1));
    assert_eq!(after.rule, DecisionRule::Suppressed, "{}", after.reason);
    // Widened to every purpose later: the wider scope starts then, not in April.
    store
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "asked not to be contacted",
            &SuppressionScope::All,
            day(2026, 6, 1),
        )
        .unwrap();
    store
        .add_legal_basis(
            &dpo(),
            id,
            &BasisPeriod {
                purpose: "contract".into(),
                basis: LegalBasis::Contract,
                start: day(2026, 1, 1),
                end: None,
            },
        )
        .unwrap();
    assert!(decide(&store, id, "contract", day(2026, 5, 1)).allowed);
    assert_eq!(
        decide(&store, id, "contract", day(2026, 6, 2)).rule,
        DecisionRule::Suppressed
    );
    assert_eq!(
        decide(&store, id, "marketing", day(2026, 5, 1)).rule,
        DecisionRule::Suppressed
    );
    let entry = store
        .suppression_of(&email("mario@rossi.it"))
        .unwrap()
        .unwrap();
    assert_eq!(entry.since, day(2026, 4, 1));
    assert_eq!(entry.scope, SuppressionScope::All);
    assert_eq!(entry.periods.len(), 2);
    // The periods hold keyed hashes and purpose names only, and cannot be rewritten.
    let conn = store.writer().unwrap();
    assert!(conn
        .execute("UPDATE suppression_periods SET since = 0", [])
        .is_err());
    assert!(conn.execute("DELETE FROM suppression_periods", []).is_err());
}

/// A version-4 database (suppression and restriction as single columns) opens with one period per
/// suppression entry and per restriction in force, from their recorded starts.
#[test]
fn a_version_4_database_keeps_its_suppressions_and_restrictions_as_periods() {
    let dir = tempfile::tempdir().unwrap();
    secret::load_or_create(dir.path()).unwrap();
    let hash = {
        let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
        store.keys.suppression_hash(&email("old@example.it").key())
    };
    std::fs::remove_file(dir.path().join(super::super::DB_FILE)).unwrap();
    {
        let conn = Connection::open(dir.path().join(super::super::DB_FILE)).unwrap();
        for v in [schema::V1, schema::V2, schema::V3, schema::V4] {
            conn.execute_batch(v).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute_batch(
            "INSERT INTO purposes (id, name) VALUES (1, 'marketing');
             INSERT INTO provenance (id, batch_id, source_label, channel, operator, created_at) VALUES (1, NULL, 'business card', 6, 'op', 1735689600);
             INSERT INTO contacts (id, created_at, updated_at, last_interaction, first_notice_at, seq, restricted_since, suppressed_since, suppressed_purposes)
                 VALUES (1, 1735689600, 1740000000, NULL, 1735689600, 2, 1740000000, 1738000000, '[\"marketing\"]');
             INSERT INTO identities (key, contact_id, provenance_id) VALUES ('e:old@example.it', 1, 1);
             INSERT INTO consent_events (contact_id, purpose_id, channel, at, seq, action, provenance_id, method, notice_version, evidence, collected_by, recorded_at)
                 VALUES (1, 1, 1, 1735689600, 2, 1, 1, 'paper form', NULL, NULL, 'op', 1735689600);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO suppression (hash, kind, since, reason, purposes) VALUES (?1, 'email', 1738000000, 'unsubscribed', '[\"marketing\"]')",
            [hash.as_slice()],
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    let c = store.contact(ContactId(1)).unwrap();
    assert_eq!(
        c.restrictions,
        vec![RestrictionPeriod {
            since: Timestamp(1740000000),
            until: None,
        }]
    );
    let marketing = SuppressionScope::Purposes(vec!["marketing".into()]);
    assert_eq!(
        c.suppression_periods,
        vec![SuppressionPeriod {
            since: Timestamp(1738000000),
            scope: marketing.clone(),
        }]
    );
    let entry = store
        .suppression_of(&email("old@example.it"))
        .unwrap()
        .unwrap();
    assert_eq!(
        entry.periods,
        vec![SuppressionPeriod {
            since: Timestamp(1738000000),
            scope: marketing,
        }]
    );
    // Before the suppression, consent answers; lifting the restriction keeps its period.
    let before = decide(&store, ContactId(1), "marketing", Timestamp(1737000000));
    assert!(before.allowed, "{}", before.reason);
    store
        .set_restriction(&dpo(), ContactId(1), false, Timestamp(1741000000))
        .unwrap();
    assert_eq!(
        store.contact(ContactId(1)).unwrap().restrictions[0].until,
        Some(Timestamp(1741000000))
    );
}
