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
