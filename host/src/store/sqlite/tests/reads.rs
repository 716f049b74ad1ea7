use std::sync::Arc;

use super::*;

fn decide(
    store: &SqliteStore,
    id: ContactId,
    purpose: &str,
    channel: ConsentChannel,
    at: Timestamp,
) -> Decision {
    let facts = store.processing_facts(id, purpose, channel, at).unwrap();
    can_process(
        &store.policy,
        &ProcessingQuery {
            purpose,
            channel: channel.as_str(),
            at,
        },
        &facts,
    )
}

#[test]
fn readers_run_while_an_import_holds_the_writer() {
    let (_dir, store) = open();
    let (_, outcomes) = import(&store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let RecordOutcome::Created(id) = outcomes[0] else {
        panic!()
    };
    let store = Arc::new(store);
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            store
                .import(&dpo(), &batch("file-b"), &mut |w| {
                    w.write(&record(1, "anna@bianchi.it", "Bianchi"))?;
                    started_tx.send(()).unwrap();
                    done_rx.recv().unwrap();
                    Ok(serde_json::json!({}))
                })
                .unwrap()
        })
    };
    started_rx.recv().unwrap();
    // The import's transaction is open: readers see the last committed state, without waiting.
    assert!(
        decide(
            &store,
            id,
            "marketing",
            ConsentChannel::Email,
            day(2026, 3, 1)
        )
        .allowed
    );
    assert_eq!(store.find_contact(&email("anna@bianchi.it")).unwrap(), None);
    done_tx.send(()).unwrap();
    writer.join().unwrap();
    assert!(store
        .find_contact(&email("anna@bianchi.it"))
        .unwrap()
        .is_some());
}

#[test]
fn a_backup_is_a_consistent_copy_and_never_overwrites() {
    let (dir, store) = open();
    import(&store, "file-a", &[record(1, "mario@rossi.it", "Rossi")]);
    let dest = dir.path().join("backup.db");
    let report = store.backup(&dpo(), &dest).unwrap();
    assert!(report.bytes > 0);
    assert_eq!(report.audit_entries, 1);
    let copy = rusqlite::Connection::open(&dest).unwrap();
    let n: i64 = copy
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    assert!(matches!(
        store.backup(&dpo(), &dest),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .audit_list(&AuditFilter::default())
            .unwrap()
            .last()
            .unwrap()
            .action,
        "backup"
    );
}
