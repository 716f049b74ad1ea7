//! Imports: new contacts with provenance, merges, re-imports that change nothing, all-or-nothing
//! batches, bad records refused alone, suppressed identities kept out, batches equal to one-by-one.

use super::*;
use crate::store::{
    AuditFilter, AuditStore, ConsentStore, ContactFilter, ContactStore, ImportCounts, StoreError,
    SuppressionStore,
};

on_both_backends!(
    reimporting_the_same_file_changes_nothing,
    a_shared_identity_merges_and_a_new_value_becomes_current_with_history,
    a_failed_import_leaves_the_database_exactly_as_it_was,
    an_import_failing_after_thousands_of_rows_were_sent_leaves_nothing,
    a_write_the_database_refuses_in_the_middle_of_an_import_fails_it_and_leaves_nothing,
    a_panicking_import_leaves_nothing_and_the_next_one_runs,
    a_bad_record_is_refused_before_anything_of_it_is_written,
    a_suppressed_identity_is_never_reimported,
    the_import_is_audited_without_personal_data,
    batches_give_exactly_what_one_by_one_writes_give,
);
on_both_backends!(
    new_records_create_contacts_with_provenance_consent_and_notice,
    a_partly_suppressed_identity_is_imported_but_never_processed_for_those_purposes,
);
on_both_backends!(
    the_database_refuses_rows_naming_a_parent_that_is_not_there,
    merges_into_one_contact_across_batches_of_one_import_add_each_claim_once,
    merges_into_a_contact_the_same_import_created_before_and_after_its_rows_are_written,
);

const TABLES: [&str; 8] = [
    "contacts",
    "identities",
    "field_values",
    "consent_events",
    "provenance",
    "import_batches",
    "audit_log",
    "notices",
];

fn counts<S: RawSql>(store: &S) -> Vec<i64> {
    TABLES.iter().map(|t| store.count(t)).collect()
}

fn new_records_create_contacts_with_provenance_consent_and_notice<
    S: ImportStore + ContactStore + ConsentStore + RawSql,
>(
    store: &S,
) {
    let (committed, outcomes) = import(
        store,
        "file-a",
        &[
            record(1, "mario@rossi.it", "Rossi"),
            record(2, "anna@bianchi.it", "Bianchi"),
        ],
    );
    assert_eq!(
        committed.counts,
        ImportCounts {
            created: 2,
            ..ImportCounts::default()
        }
    );
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!("{outcomes:?}")
    };
    let c = store.contact(id).unwrap();
    assert_eq!(c.current("last_name"), Some("Rossi"));
    assert_eq!(c.identities[0].identity, email("mario@rossi.it"));
    let p = &c.provenance[0];
    assert_eq!(p.source_label, "Fiera Milano 2026");
    assert_eq!(p.channel, SourceChannel::Fair);
    assert_eq!(p.batch, Some(committed.batch));
    assert_eq!(p.plugin.as_ref().unwrap().name, "csv");
    assert_eq!(p.file_digest.as_deref().map(str::len), Some(64));
    let history = store.consent_history(id).unwrap();
    assert_eq!(history.len(), 1);
    // The batch and the source row demonstrate the consent with the file's digest (Art. 7(1)).
    assert_eq!(
        history[0].evidence.method,
        format!(
            "imported from Fiera Milano 2026, import batch {}, row 1",
            committed.batch.0
        )
    );
    assert_eq!(history[0].batch, Some(committed.batch));
    assert_eq!(history[0].row, Some(1));
    assert_eq!(history[0].evidence.collected_by, "giulia.dpo");
    assert_eq!(store.notice_receipts(id).unwrap()[0].version, "2026-01");
    // One contact row, one identity, one field-values row, one event, one receipt, shared provenance.
    assert_eq!(store.count("provenance"), 1);
    assert_eq!(store.count("field_values"), 2);
}

fn reimporting_the_same_file_changes_nothing<S: ImportStore + RawSql>(store: &S) {
    let records = [
        record(1, "mario@rossi.it", "Rossi"),
        record(2, "mario@rossi.it", "Rossi"),
    ];
    let (first, _) = import(store, "file-a", &records);
    // The duplicate row within the file is recognised too.
    assert_eq!((first.counts.created, first.counts.unchanged), (1, 1));
    let tables = ["field_values", "consent_events", "identities", "contacts"];
    let rows_before: Vec<i64> = tables.iter().map(|t| store.count(t)).collect();
    let (second, outcomes) = import(store, "file-a", &records);
    assert_eq!(second.counts.unchanged, 2);
    assert!(matches!(outcomes[0], RecordOutcome::Unchanged(_)));
    let rows_after: Vec<i64> = tables.iter().map(|t| store.count(t)).collect();
    assert_eq!(rows_before, rows_after);
}

fn a_shared_identity_merges_and_a_new_value_becomes_current_with_history<
    S: ImportStore + ContactStore + RawSql,
>(
    store: &S,
) {
    let (_, first) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let mut update = record(1, "Mario@Rossi.it", "Rossi-Verdi");
    update.identities.push(phone("+39 333 1234567"));
    let (_, second) = import(store, "file-b", &[update]);
    let id = created(&first);
    assert_eq!(second[0], RecordOutcome::Merged(id));
    let c = store.contact(id).unwrap();
    assert_eq!(c.current("last_name"), Some("Rossi-Verdi"));
    let old = c
        .fields
        .iter()
        .find(|f| f.name == "last_name" && !f.current)
        .unwrap();
    assert_eq!(old.value, "Rossi");
    assert_ne!(
        old.provenance,
        c.fields
            .iter()
            .find(|f| f.name == "last_name" && f.current)
            .unwrap()
            .provenance
    );
    assert_eq!(c.identities.len(), 2);
    // The same consent claim from a second file is not appended twice.
    assert_eq!(
        store.count(&format!("consent_events WHERE contact_id = {}", id.0)),
        1
    );
    // A record matching by phone only now lands on the same contact.
    let mut by_phone = record(1, "other@rossi.it", "Rossi");
    by_phone.identities = vec![phone("3331234567")];
    let (_, third) = import(store, "file-c", &[by_phone]);
    assert_eq!(third[0], RecordOutcome::Merged(id));
}

fn a_failed_import_leaves_the_database_exactly_as_it_was<S: ImportStore + ContactStore + RawSql>(
    store: &S,
) {
    import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let before = counts(store);
    let err = store
        .import(&dpo(), &batch("file-b"), &mut |w| {
            w.write(&record(1, "anna@bianchi.it", "Bianchi"))?;
            w.write(&record(2, "mario@rossi.it", "Changed"))?;
            Err(StoreError::ImportAborted(
                "the plugin trapped at row 3".into(),
            ))
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("nothing was written: the plugin trapped at row 3"),
        "{err}"
    );
    assert_eq!(before, counts(store));
    assert_eq!(store.find_contact(&email("anna@bianchi.it")).unwrap(), None);
}

/// Thousands of records: their rows reach the database (in several flushes, with a merge into a
/// contact of the same import) before the importer fails.
fn an_import_failing_after_thousands_of_rows_were_sent_leaves_nothing<
    S: ImportStore + ContactStore + RawSql,
>(
    store: &S,
) {
    import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let before = counts(store);
    let records: Vec<_> = (0..10_000)
        .map(|i| record(i, &format!("p{i}@example.it"), "Rossi"))
        .collect();
    let err = store
        .import(&dpo(), &batch("file-b"), &mut |w| {
            for chunk in records.chunks(1000) {
                w.write_batch(chunk)?;
            }
            w.write(&record(10_001, "p3@example.it", "Changed"))?;
            w.write(&record(10_002, "mario@rossi.it", "Changed"))?;
            Err(StoreError::ImportAborted("the file is truncated".into()))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::ImportAborted(_)), "{err}");
    assert_eq!(before, counts(store));
    assert_eq!(
        store.find_contact(&email("p9999@example.it")).unwrap(),
        None
    );
    // The next import writes normally: nothing of the failed one holds the writer.
    let (next, _) = import(store, "file-c", &[record(1, "p1@example.it", "Rossi")]);
    assert_eq!(next.counts.created, 1);
}

/// A row the database refuses in the middle of an import's writes (a trigger refusing one person's
/// values here, standing for a full disk or a lost connection) fails the import, whatever was sent
/// before and after it, and leaves nothing.
fn a_write_the_database_refuses_in_the_middle_of_an_import_fails_it_and_leaves_nothing<
    S: ImportStore + ContactStore + RawSql,
>(
    store: &S,
) {
    let refuse = [
        "CREATE FUNCTION refuse_values() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.fields LIKE '%Refused%' THEN RAISE EXCEPTION 'refused by the test'; END IF;
             RETURN NEW;
         END $$;
         CREATE TRIGGER refuse_values BEFORE INSERT ON field_values
             FOR EACH ROW EXECUTE FUNCTION refuse_values()",
        "CREATE TRIGGER refuse_values BEFORE INSERT ON field_values
             WHEN NEW.fields LIKE '%Refused%'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    ];
    assert!(
        refuse.iter().any(|sql| store.raw(sql).is_ok()),
        "one of the two forms is this database's"
    );
    import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let before = counts(store);
    let records: Vec<_> = (0..10_000)
        .map(|i| {
            let name = if i == 4_500 { "Refused" } else { "Rossi" };
            record(i, &format!("p{i}@example.it"), name)
        })
        .collect();
    let err = store
        .import(&dpo(), &batch("file-b"), &mut |w| {
            for chunk in records.chunks(1000) {
                for outcome in w.write_batch(chunk)? {
                    outcome?;
                }
            }
            Ok(serde_json::json!({}))
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Database { .. } | StoreError::Postgres { .. }
        ),
        "{err:?}"
    );
    assert_eq!(before, counts(store));
    assert_eq!(
        store.find_contact(&email("p100@example.it")).unwrap(),
        None,
        "a contact written before the refused row is gone too"
    );
    let (next, _) = import(store, "file-c", &[record(1, "p1@example.it", "Rossi")]);
    assert_eq!(next.counts.created, 1);
}

fn a_panicking_import_leaves_nothing_and_the_next_one_runs<S: ImportStore + RawSql>(store: &S) {
    let before = counts(store);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.import(&dpo(), &batch("file-a"), &mut |w| {
            w.write(&record(1, "mario@rossi.it", "Rossi"))?;
            panic!("an importer bug");
        })
    }));
    assert!(panicked.is_err());
    assert_eq!(before, counts(store));
    let (next, _) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    assert_eq!(next.counts.created, 1);
}

fn a_bad_record_is_refused_before_anything_of_it_is_written<S: ImportStore + RawSql>(store: &S) {
    let mut bad = record(7, "mario@rossi.it", "Rossi");
    bad.fields.push(field("shoe_size", "42"));
    let committed = store
        .import(&dpo(), &batch("file-a"), &mut |w| {
            let err = w.write(&bad).unwrap_err();
            assert!(
                matches!(&err, StoreError::InvalidInput(e) if e.field == "row 7: fields[3]"),
                "{err}"
            );
            // Skipping the bad row and going on is allowed (`--on-error skip`).
            w.write(&record(8, "anna@bianchi.it", "Bianchi"))?;
            Ok(serde_json::json!({}))
        })
        .unwrap();
    assert_eq!(committed.counts.created, 1);
    assert_eq!(store.count("contacts"), 1);
}

fn a_suppressed_identity_is_never_reimported<
    S: ImportStore + SuppressionStore + ContactStore + RawSql,
>(
    store: &S,
) {
    store
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "unsubscribed",
            &SuppressionScope::All,
            day(2026, 1, 1),
        )
        .unwrap();
    let (committed, outcomes) = import(store, "file-a", &[record(1, "Mario@Rossi.it", "Rossi")]);
    assert_eq!(outcomes, vec![RecordOutcome::Suppressed]);
    assert_eq!(committed.counts.suppressed, 1);
    assert_eq!(store.count("contacts"), 0);
    // Suppressed for marketing only: imported, with the suppression on the contact.
    let marketing = SuppressionScope::Purposes(vec!["marketing".into()]);
    store
        .suppress(
            &dpo(),
            &email("anna@bianchi.it"),
            "objected by phone",
            &marketing,
            day(2026, 1, 2),
        )
        .unwrap();
    let (_, outcomes) = import(store, "file-b", &[record(1, "anna@bianchi.it", "Bianchi")]);
    let c = store.contact(created(&outcomes)).unwrap();
    assert_eq!(c.suppression, Some(marketing.clone()));
    assert_eq!(
        c.suppression_periods,
        vec![SuppressionPeriod {
            since: day(2026, 1, 2),
            scope: marketing,
        }]
    );
}

fn a_partly_suppressed_identity_is_imported_but_never_processed_for_those_purposes<
    S: ImportStore + SuppressionStore + SubjectStore,
>(
    store: &S,
) {
    store
        .suppress(
            &dpo(),
            &email("anna@bianchi.it"),
            "objected by phone",
            &SuppressionScope::Purposes(vec!["marketing".into()]),
            day(2026, 1, 2),
        )
        .unwrap();
    let (_, outcomes) = import(store, "file-b", &[record(1, "anna@bianchi.it", "Bianchi")]);
    let d = decide(
        store,
        created(&outcomes),
        "marketing",
        ConsentChannel::Email,
        day(2026, 6, 1),
    );
    assert_eq!(d.rule, DecisionRule::Suppressed, "{}", d.reason);
}

fn the_import_is_audited_without_personal_data<S: ImportStore + AuditStore>(store: &S) {
    let (committed, _) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let entries = store.audit_list(&AuditFilter::default()).unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "import.commit");
    assert_eq!(last.target, format!("batch:{}", committed.batch.0));
    assert_eq!(last.details["counts"]["created"], 1);
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains("mario") && !text.contains("Rossi"), "{text}");
    assert!(store.audit_verify().unwrap().ok());
}

/// Records that overlap in every way a batch can trip over: duplicates within a chunk, a merge into a
/// contact created earlier in the same chunk, a bad record in the middle, a suppressed one. `set`
/// ("a" or "b") names everyone's email and phone apart, so two sets live in one database.
fn tricky_records(set: &str) -> Vec<NormalizedRecord> {
    let mobile = if set == "a" { 333 } else { 334 };
    let mut records = Vec::new();
    for i in 0..700u64 {
        let mut r = record(i, &format!("{set}-p{}@example.it", i % 300), "Rossi");
        r.fields.push(field("city", &format!("City {}", i % 7)));
        if i % 5 == 0 {
            r.identities
                .push(phone(&format!("+39 {mobile} {:07}", i % 250)));
        }
        if i == 350 {
            r.fields.push(field("shoe_size", "42"));
        }
        if i % 97 == 0 {
            r.identities = vec![email("blocked@example.it")];
        }
        if i % 50 == 1 {
            records.push(r.clone());
        }
        records.push(r);
    }
    records
}

/// Per contact of one set: identity keys (as set "a" would name them), (field, value, current) and
/// the ledger length.
type Snapshot = Vec<(Vec<String>, Vec<(String, String, bool)>, i64)>;

fn snapshot<S: ContactStore + RawSql>(store: &S, set: &str) -> Snapshot {
    let (email_prefix, phone_prefix) = match set {
        "a" => ("e:a-p", "p:+39333"),
        _ => ("e:b-p", "p:+39334"),
    };
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_contacts(&ContactFilter {
                after,
                limit: 100,
                ..ContactFilter::default()
            })
            .unwrap();
        for c in &page.items {
            let keys: Vec<String> = c.identities.iter().map(|i| i.key()).collect();
            if !keys
                .iter()
                .any(|k| k.starts_with(email_prefix) || k.starts_with(phone_prefix))
            {
                continue;
            }
            let keys = keys
                .iter()
                .map(|k| {
                    k.replace(email_prefix, "e:a-p")
                        .replace(phone_prefix, "p:+39333")
                })
                .collect();
            let d = store.contact(c.id).unwrap();
            let fields = d
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.value.clone(), f.current))
                .collect();
            let ledger = store.count(&format!("consent_events WHERE contact_id = {}", c.id.0));
            out.push((keys, fields, ledger));
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    out
}

/// The same records written one by one and a chunk at a time (under other names, in the same
/// database) give the same outcomes and the same contacts.
fn batches_give_exactly_what_one_by_one_writes_give<
    S: ImportStore + ContactStore + SuppressionStore + RawSql,
>(
    store: &S,
) {
    store
        .suppress(
            &dpo(),
            &email("blocked@example.it"),
            "asked",
            &SuppressionScope::All,
            day(2026, 1, 1),
        )
        .unwrap();
    let run = |set: &str, batched: bool| {
        let records = tricky_records(set);
        let mut outcomes = Vec::new();
        let committed = store
            .import(&dpo(), &batch(&format!("file-{set}")), &mut |w| {
                if batched {
                    for chunk in records.chunks(128) {
                        outcomes.extend(
                            w.write_batch(chunk)?
                                .into_iter()
                                .map(|r| r.map(kind).map_err(|e| e.to_string())),
                        );
                    }
                } else {
                    outcomes.extend(
                        records
                            .iter()
                            .map(|r| w.write(r).map(kind).map_err(|e| e.to_string())),
                    );
                }
                Ok(serde_json::json!({}))
            })
            .unwrap();
        (outcomes, committed.counts)
    };
    let (outcomes_a, counts_a) = run("a", false);
    let (outcomes_b, counts_b) = run("b", true);
    assert_eq!(outcomes_a, outcomes_b);
    assert_eq!(counts_a, counts_b);
    let one_by_one = snapshot(store, "a");
    assert_eq!(one_by_one.len() as u64, counts_a.created);
    assert_eq!(one_by_one, snapshot(store, "b"));
    assert!(
        counts_a.created > 0
            && counts_a.merged > 0
            && counts_a.unchanged > 0
            && counts_a.suppressed > 0,
        "{counts_a:?}"
    );
    assert!(outcomes_a
        .iter()
        .any(|o| o.as_ref().is_err_and(|e| e.contains("shoe_size"))));
}

/// The outcome without the contact id.
fn kind(o: RecordOutcome) -> &'static str {
    match o {
        RecordOutcome::Created(_) => "created",
        RecordOutcome::Merged(_) => "merged",
        RecordOutcome::Unchanged(_) => "unchanged",
        RecordOutcome::Suppressed => "suppressed",
    }
}

/// The references between an import's rows hold in the database itself, whatever writes to it: a
/// row naming a contact, purpose or provenance that does not exist is refused (the whole statement,
/// good rows with it), and so is deleting a parent still named. (PostgreSQL checks them once per
/// statement rather than by foreign keys: `postgres/v1.sql`.)
fn the_database_refuses_rows_naming_a_parent_that_is_not_there<S: ImportStore + RawSql>(store: &S) {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let id = created(&outcomes).0;
    let before = counts(store);
    let refused = |sql: &str| {
        let err = store
            .raw(sql)
            .expect_err(&format!("the database took `{sql}`"));
        assert!(
            err.to_lowercase().contains("foreign key"),
            "`{sql}` was refused for another reason: {err}"
        );
    };
    refused(&format!(
        "INSERT INTO identities (key, contact_id) VALUES ('e:ok@rossi.it', {id}), ('e:ghost@rossi.it', 999999)"
    ));
    refused(&format!(
        "INSERT INTO identities (key, contact_id, provenance_id) VALUES ('e:ok@rossi.it', {id}, 999999)"
    ));
    refused(&format!(
        "INSERT INTO consent_events (contact_id, purpose_id, channel, at, seq, action, recorded_at)
         VALUES ({id}, 999999, 1, 0, 99, 1, 0)"
    ));
    refused(
        "INSERT INTO field_values (contact_id, seq, provenance_id, collected_at, recorded_at, fields)
         VALUES (999999, 1, 1, 0, 0, '{}')",
    );
    refused("UPDATE identities SET contact_id = 999999");
    refused("DELETE FROM provenance");
    refused("DELETE FROM purposes");
    assert_eq!(counts(store), before, "a refused statement wrote nothing");
    // The checks refuse only what is wrong: a row naming parents that exist goes in.
    store
        .raw(&format!(
            "INSERT INTO identities (key, contact_id) VALUES ('e:second@rossi.it', {id})"
        ))
        .unwrap();
    assert_eq!(store.count("identities"), before[1] + 1);
}

/// One import merging into a contact already in the database again and again, in separate batches
/// and within one: each new claim is added once, a row repeated later in the file is unchanged, and
/// the contact's row ends as the last merge left it.
fn merges_into_one_contact_across_batches_of_one_import_add_each_claim_once<
    S: ImportStore + ConsentStore + RawSql,
>(
    store: &S,
) {
    let (_, outcomes) = import(store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let id = created(&outcomes);
    let events_before = store.count(&format!("consent_events WHERE contact_id = {}", id.0));
    let mut moved = record(2, "mario@rossi.it", "Rossi");
    moved.fields.push(field("city", "Torino"));
    moved.consents.push(ConsentClaim {
        purpose: "profiling".into(),
        ..moved.consents[0].clone()
    });
    let mut later = record(3, "mario@rossi.it", "Rossi");
    later.fields.push(field("city", "Bari"));
    later.last_interaction = Some(day(2026, 2, 1));
    let mut outcomes = Vec::new();
    store
        .import(&dpo(), &batch("file-b"), &mut |w| {
            outcomes.extend(w.write_batch(std::slice::from_ref(&moved))?);
            outcomes.extend(w.write_batch(&[moved.clone(), later.clone()])?);
            outcomes.extend(w.write_batch(&[later.clone(), moved.clone()])?);
            Ok(serde_json::json!({}))
        })
        .unwrap();
    let kinds: Vec<&str> = outcomes
        .iter()
        .map(|o| match o {
            Ok(RecordOutcome::Merged(c)) if *c == id => "merged",
            Ok(RecordOutcome::Unchanged(c)) if *c == id => "unchanged",
            other => panic!("unexpected outcome {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        ["merged", "unchanged", "merged", "unchanged", "unchanged"]
    );
    // The profiling consent once, whatever the number of rows that carry it.
    assert_eq!(
        store.count(&format!("consent_events WHERE contact_id = {}", id.0)),
        events_before + 1
    );
    assert_eq!(
        store.count(&format!("field_values WHERE contact_id = {}", id.0)),
        3
    );
    let row = store.ints(&format!(
        "SELECT last_interaction FROM contacts WHERE id = {}",
        id.0
    ));
    assert_eq!(row, vec![Some(day(2026, 2, 1).0)]);
    let seq = store.ints(&format!("SELECT seq FROM contacts WHERE id = {}", id.0))[0].unwrap();
    let top = store.ints(&format!(
        "SELECT max(seq) FROM (SELECT seq FROM field_values WHERE contact_id = {0}
          UNION ALL SELECT seq FROM consent_events WHERE contact_id = {0}
          UNION ALL SELECT seq FROM legal_bases WHERE contact_id = {0}) s",
        id.0
    ))[0]
        .unwrap();
    assert_eq!(
        seq, top,
        "the contact's sequence is the last one its rows took"
    );
}

/// Records merging into a contact that the same import created: in the batch that created it (on
/// PostgreSQL its rows are still waiting to be written then), after thousands of other new contacts
/// in between (they were written meanwhile), and in a later batch. Each claim is added once, a row
/// repeated exactly is unchanged, and the contact ends as the last merge left it, as if every merge
/// had read it from the database.
fn merges_into_a_contact_the_same_import_created_before_and_after_its_rows_are_written<
    S: ImportStore + ConsentStore + RawSql,
>(
    store: &S,
) {
    let mut first = record(1, "mario@rossi.it", "Rossi");
    first.source.collected_at = Some(day(2026, 1, 20));
    first.legal_bases.push(BasisClaim {
        purpose: "customer-care".into(),
        basis: LegalBasis::LegitimateInterest,
        start: Some(day(2026, 1, 10)),
        end: None,
    });
    // Same consent and basis again (not added twice), a new consent, an older collection.
    let mut moved = first.clone();
    moved.row = 2;
    moved.source.collected_at = Some(day(2026, 1, 5));
    moved.fields.push(field("city", "Torino"));
    moved.consents.push(ConsentClaim {
        purpose: "profiling".into(),
        ..first.consents[0].clone()
    });
    moved.last_interaction = Some(day(2026, 1, 15));
    let others: Vec<NormalizedRecord> = (0..5000)
        .map(|i| record(10 + i, &format!("p{i}@example.it"), "Verdi"))
        .collect();
    let mut later = record(6000, "mario@rossi.it", "Rossi");
    later.fields.push(field("city", "Bari"));
    later.source.collected_at = Some(day(2026, 3, 1));
    later.last_interaction = Some(day(2026, 2, 1));
    let mut kinds = Vec::new();
    let mut id = None;
    let mut note = |outcome: &Result<RecordOutcome, StoreError>| {
        kinds.push(match outcome {
            Ok(RecordOutcome::Created(c)) => {
                id = Some(*c);
                "created"
            }
            Ok(RecordOutcome::Merged(c)) if Some(*c) == id => "merged",
            Ok(RecordOutcome::Unchanged(c)) if Some(*c) == id => "unchanged",
            other => panic!("unexpected outcome {other:?}"),
        })
    };
    store
        .import(&dpo(), &batch("file-a"), &mut |w| {
            for o in w.write_batch(&[first.clone(), moved.clone(), moved.clone()])? {
                note(&o);
            }
            let mut big = vec![moved.clone()];
            big.extend(others.iter().cloned());
            big.push(later.clone());
            let outcomes = w.write_batch(&big)?;
            note(&outcomes[0]);
            note(outcomes.last().expect("one outcome per record"));
            for o in w.write_batch(&[later.clone(), moved.clone()])? {
                note(&o);
            }
            Ok(serde_json::json!({}))
        })
        .unwrap();
    assert_eq!(
        kinds,
        [
            "created",
            "merged",
            "unchanged",
            "unchanged",
            "merged",
            "unchanged",
            "unchanged"
        ]
    );
    let id = id.expect("the contact was created").0;
    assert_eq!(store.count("contacts"), 5001);
    let of = |table: &str| store.count(&format!("{table} WHERE contact_id = {id}"));
    // Marketing once, profiling once; one basis; three different rows of values.
    assert_eq!(of("consent_events"), 2);
    assert_eq!(of("legal_bases"), 1);
    assert_eq!(of("field_values"), 3);
    let row = |column: &str| store.ints(&format!("SELECT {column} FROM contacts WHERE id = {id}"));
    assert_eq!(row("last_interaction"), vec![Some(day(2026, 2, 1).0)]);
    assert_eq!(
        row("last_collected_at"),
        vec![Some(day(2026, 3, 1).0)],
        "the latest collection, whatever the order of the rows"
    );
    let top = store.ints(&format!(
        "SELECT max(seq) FROM (SELECT seq FROM field_values WHERE contact_id = {id}
          UNION ALL SELECT seq FROM consent_events WHERE contact_id = {id}
          UNION ALL SELECT seq FROM legal_bases WHERE contact_id = {id}) s"
    ));
    assert_eq!(
        row("seq"),
        top,
        "the contact's sequence is the last one its rows took"
    );
}
