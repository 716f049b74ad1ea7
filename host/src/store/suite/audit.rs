//! The audit log: chained, listed by target, and append-only in the database itself.

use super::*;
use crate::store::{AuditFilter, AuditStore};

on_both_backends!(
    audited_writes_are_listed_in_order_and_verify,
    the_database_refuses_to_edit_or_delete_audit_entries,
);

/// `n` audited actions (a plugin installed, an access package handed out: no data changes).
fn record_actions<S: AuditStore>(store: &S, n: u32) {
    for i in 0..n {
        store
            .audit_record(
                &dpo(),
                "notice.publish",
                &format!("notice:2026-0{i}"),
                serde_json::json!({}),
            )
            .unwrap();
    }
}

fn audited_writes_are_listed_in_order_and_verify<S: AuditStore>(store: &S) {
    record_actions(store, 3);
    store
        .audit_record(
            &dpo(),
            "access.exported",
            "contact:7",
            serde_json::json!({"n": 1}),
        )
        .unwrap();
    let all = store.audit_list(&AuditFilter::default()).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(all[3].action, "access.exported");
    assert_eq!(all[3].actor, "giulia.dpo");
    assert_eq!(all[3].details, serde_json::json!({"n": 1}));
    let only = store
        .audit_list(&AuditFilter {
            target: Some("contact:7".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(only.len(), 1);
    let after = store
        .audit_list(&AuditFilter {
            after: Some(2),
            limit: 1,
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(after.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3]);
    let v = store.audit_verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.entries, 4);
    assert_eq!(v.head.as_deref(), Some(all[3].hash.as_str()));
}

fn the_database_refuses_to_edit_or_delete_audit_entries<S: AuditStore + RawSql>(store: &S) {
    record_actions(store, 2);
    let edit = store.raw("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1");
    assert!(edit.unwrap_err().contains("append-only"));
    let delete = store.raw("DELETE FROM audit_log WHERE seq = 2");
    assert!(delete.unwrap_err().contains("append-only"));
    assert!(store.audit_verify().unwrap().ok());
    assert_eq!(store.audit_list(&AuditFilter::default()).unwrap().len(), 2);
}
