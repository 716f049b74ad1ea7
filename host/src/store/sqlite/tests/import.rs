use super::*;

#[test]
fn new_records_create_contacts_with_provenance_consent_and_notice() {
    let (_dir, store) = open();
    let (committed, outcomes) = import(
        &store,
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
    assert_eq!(count(&store, "provenance"), 1);
    assert_eq!(count(&store, "field_values"), 2);
}

#[test]
fn reimporting_the_same_file_changes_nothing() {
    let (_dir, store) = open();
    let records = [
        record(1, "mario@rossi.it", "Rossi"),
        record(2, "mario@rossi.it", "Rossi"),
    ];
    let (first, _) = import(&store, "file-a", &records);
    // The duplicate row within the file is recognised too.
    assert_eq!((first.counts.created, first.counts.unchanged), (1, 1));
    let rows_before: Vec<i64> = ["field_values", "consent_events", "identities", "contacts"]
        .iter()
        .map(|t| count(&store, t))
        .collect();
    let (second, outcomes) = import(&store, "file-a", &records);
    assert_eq!(second.counts.unchanged, 2);
    assert!(matches!(outcomes[0], RecordOutcome::Unchanged(_)));
    let rows_after: Vec<i64> = ["field_values", "consent_events", "identities", "contacts"]
        .iter()
        .map(|t| count(&store, t))
        .collect();
    assert_eq!(rows_before, rows_after);
}

#[test]
fn a_shared_identity_merges_and_a_new_value_becomes_current_with_history() {
    let (_dir, store) = open();
    let (_, first) = import(&store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let mut update = record(1, "Mario@Rossi.it", "Rossi-Verdi");
    update.identities.push(phone("+39 333 1234567"));
    let (_, second) = import(&store, "file-b", &[update]);
    let RecordOutcome::Created(id) = first[0] else {
        panic!()
    };
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
    assert_eq!(store.consent_history(id).unwrap().len(), 1);
    // A record matching by phone only now lands on the same contact.
    let mut by_phone = record(1, "other@rossi.it", "Rossi");
    by_phone.identities = vec![phone("3331234567")];
    let (_, third) = import(&store, "file-c", &[by_phone]);
    assert_eq!(third[0], RecordOutcome::Merged(id));
}

#[test]
fn a_failed_import_leaves_the_database_exactly_as_it_was() {
    let (_dir, store) = open();
    import(&store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let tables = [
        "contacts",
        "identities",
        "field_values",
        "consent_events",
        "provenance",
        "import_batches",
        "audit_log",
        "notices",
    ];
    let before: Vec<i64> = tables.iter().map(|t| count(&store, t)).collect();
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
    let after: Vec<i64> = tables.iter().map(|t| count(&store, t)).collect();
    assert_eq!(before, after);
    assert_eq!(store.find_contact(&email("anna@bianchi.it")).unwrap(), None);
}

#[test]
fn a_bad_record_is_refused_before_anything_of_it_is_written() {
    let (_dir, store) = open();
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
    assert_eq!(count(&store, "contacts"), 1);
}

#[test]
fn a_suppressed_identity_is_never_reimported() {
    let (_dir, store) = open();
    store
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "unsubscribed",
            &SuppressionScope::All,
            day(2026, 1, 1),
        )
        .unwrap();
    let (committed, outcomes) = import(&store, "file-a", &[record(1, "Mario@Rossi.it", "Rossi")]);
    assert_eq!(outcomes, vec![RecordOutcome::Suppressed]);
    assert_eq!(committed.counts.suppressed, 1);
    assert_eq!(count(&store, "contacts"), 0);
    // Suppressed for marketing only: imported, but never processed for marketing.
    store
        .suppress(
            &dpo(),
            &email("anna@bianchi.it"),
            "objected by phone",
            &SuppressionScope::Purposes(vec!["marketing".into()]),
            day(2026, 1, 2),
        )
        .unwrap();
    let (_, outcomes) = import(&store, "file-b", &[record(1, "anna@bianchi.it", "Bianchi")]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!("{outcomes:?}")
    };
    let facts = store
        .processing_facts(id, "marketing", ConsentChannel::Email, day(2026, 6, 1))
        .unwrap();
    let d = can_process(
        &Policy::default(),
        &ProcessingQuery {
            purpose: "marketing",
            channel: "email",
            at: day(2026, 6, 1),
        },
        &facts,
    );
    assert_eq!(d.rule, DecisionRule::Suppressed, "{}", d.reason);
}

#[test]
fn the_import_is_audited_without_personal_data() {
    let (_dir, store) = open();
    let (committed, _) = import(&store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let entries = store.audit_list(&AuditFilter::default()).unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "import.commit");
    assert_eq!(last.target, format!("batch:{}", committed.batch.0));
    assert_eq!(last.details["counts"]["created"], 1);
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains("mario") && !text.contains("Rossi"), "{text}");
}

/// The plain SHA-256 of a one-line file is the hash of one email: what the batch and the audit log
/// keep is keyed with the installation secret, a re-import is still recognised, and an installation
/// from before has its batches' digests keyed once when it opens.
#[test]
fn file_digests_are_keyed_and_old_ones_are_keyed_once() {
    let (dir, store) = open();
    let records = [record(1, "mario@rossi.it", "Rossi")];
    let (committed, _) = import(&store, "file-a", &records);
    let plain = batch("file-a").file_digest.unwrap();
    let keyed = store.keys.file_digest(&plain);
    assert_ne!(keyed, plain);
    assert_eq!(committed.file_digest.as_deref(), Some(keyed.as_str()));
    let stored = |store: &SqliteStore| -> String {
        store
            .reader()
            .unwrap()
            .query_row("SELECT file_digest FROM import_batches", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(stored(&store), keyed);
    let entries = store.audit_list(&AuditFilter::default()).unwrap();
    let audit = serde_json::to_string(&entries).unwrap();
    assert!(!audit.contains(&plain) && audit.contains(&keyed), "{audit}");
    let (again, _) = import(&store, "file-a", &records);
    assert_eq!(again.counts.unchanged, 1, "a re-import is recognised");
    drop(store);

    // As an older version left it: plain digests, and no note that they were keyed.
    let conn = rusqlite::Connection::open(dir.path().join("custode.db")).unwrap();
    conn.execute("UPDATE import_batches SET file_digest = ?1", [&plain])
        .unwrap();
    conn.execute("DELETE FROM meta WHERE key = 'file_digests_keyed'", [])
        .unwrap();
    drop(conn);
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    assert_eq!(stored(&store), keyed);
    let (third, _) = import(&store, "file-a", &records);
    assert_eq!(third.counts.unchanged, 1);
    drop(store);
    let store = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    let digests: Vec<String> = store
        .reader()
        .unwrap()
        .prepare("SELECT file_digest FROM import_batches")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(
        digests.iter().all(|d| *d == keyed),
        "keyed once: {digests:?}"
    );
}

/// Records that overlap in every way a batch can trip over: duplicates within a chunk, a merge into a
/// contact created earlier in the same chunk, a bad record in the middle, a suppressed one.
fn tricky_records() -> Vec<NormalizedRecord> {
    let mut records = Vec::new();
    for i in 0..700u64 {
        let mut r = record(i, &format!("p{}@example.it", i % 300), "Rossi");
        r.fields.push(field("city", &format!("City {}", i % 7)));
        if i % 5 == 0 {
            r.identities.push(phone(&format!("+39 333 {:07}", i % 250)));
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

/// Per contact: identities, (field, value, current) and the ledger length.
type Snapshot = Vec<(Vec<Identity>, Vec<(String, String, bool)>, usize)>;

fn snapshot(store: &SqliteStore) -> Snapshot {
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
            let d = store.contact(c.id).unwrap();
            let fields = d
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.value.clone(), f.current))
                .collect();
            out.push((
                c.identities.clone(),
                fields,
                store.consent_history(c.id).unwrap().len(),
            ));
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    out
}

#[test]
fn batches_give_exactly_what_one_by_one_writes_give() {
    let records = tricky_records();
    let run = |batched: bool| {
        let (dir, store) = open();
        store
            .suppress(
                &dpo(),
                &email("blocked@example.it"),
                "asked",
                &SuppressionScope::All,
                day(2026, 1, 1),
            )
            .unwrap();
        let mut outcomes = Vec::new();
        let committed = store
            .import(&dpo(), &batch("file-a"), &mut |w| {
                if batched {
                    for chunk in records.chunks(128) {
                        outcomes.extend(
                            w.write_batch(chunk)?
                                .into_iter()
                                .map(|r| r.map_err(|e| e.to_string())),
                        );
                    }
                } else {
                    outcomes.extend(
                        records
                            .iter()
                            .map(|r| w.write(r).map_err(|e| e.to_string())),
                    );
                }
                Ok(serde_json::json!({}))
            })
            .unwrap();
        (dir, snapshot(&store), outcomes, committed.counts)
    };
    let (_a, one_by_one, outcomes_a, counts_a) = run(false);
    let (_b, batched, outcomes_b, counts_b) = run(true);
    assert_eq!(outcomes_a, outcomes_b);
    assert_eq!(counts_a, counts_b);
    assert_eq!(one_by_one, batched);
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

#[test]
fn a_suppression_added_by_another_process_stops_the_next_import() {
    let (dir, server) = open();
    import(
        &server,
        "file-a",
        &[record(1, "anna@bianchi.it", "Bianchi")],
    );
    // A CLI run beside the server opens the same data directory.
    let cli = SqliteStore::open(dir.path(), Policy::default()).unwrap();
    cli.suppress(
        &dpo(),
        &email("mario@rossi.it"),
        "asked by phone",
        &SuppressionScope::All,
        day(2026, 2, 1),
    )
    .unwrap();
    let (_, outcomes) = import(&server, "file-b", &[record(1, "mario@rossi.it", "Rossi")]);
    assert_eq!(outcomes, vec![RecordOutcome::Suppressed]);
}
