//! Request cases: opened with their first step, changed a step at a time, listed by deadline, their
//! documents kept until delivered or deleted on schedule; every change audited.

use super::*;
use crate::store::cases::*;
use crate::store::{AuditFilter, AuditStore, StoreError};

on_both_backends!(
    a_case_opens_with_its_first_step_and_names_open_duplicates,
    a_change_appends_a_step_and_a_refused_one_changes_nothing,
    a_document_is_kept_with_its_case_until_delivered_or_expired,
    cases_list_by_status_kind_and_deadline_and_are_counted,
    the_database_refuses_to_rewrite_a_case_history,
);

fn new_case(kind: RequestKind, key: Option<&str>, received: Timestamp) -> NewCase {
    NewCase {
        kind,
        subject: "Anna@Example.it".into(),
        subject_key: key.map(Into::into),
        contact: None,
        channel: "email".into(),
        notes: "asked by email".into(),
        language: "it".into(),
        received_at: received,
        due_at: Timestamp(received.0 + 30 * 86_400),
    }
}

fn actions(case: &Case) -> Vec<&str> {
    case.history.iter().map(|s| s.action.as_str()).collect()
}

fn change(
    action: &'static str,
    f: impl Fn(&mut CaseChange),
) -> impl FnMut(&Case) -> crate::store::Result<CaseChange> {
    move |_| {
        let mut c = CaseChange {
            action,
            details: serde_json::json!({"method": "reply from the address on file"}),
            ..CaseChange::default()
        };
        f(&mut c);
        Ok(c)
    }
}

fn a_case_opens_with_its_first_step_and_names_open_duplicates<S: CaseStore + AuditStore>(
    store: &S,
) {
    let received = day(2026, 3, 25);
    let first = store
        .open_case(
            &dpo(),
            &new_case(RequestKind::Access, Some("k1"), received),
            received,
        )
        .unwrap();
    assert_eq!(first.status, CaseStatus::Open);
    assert_eq!(first.identity, IdentityCheck::Unverified);
    assert_eq!(first.subject, "Anna@Example.it");
    assert_eq!(first.contact_id, None);
    assert_eq!(first.first_due_at, first.due_at);
    assert_eq!(first.due_at, day(2026, 4, 24));
    assert_eq!((first.extended_months, first.overdue), (0, false));
    assert!(first.duplicate_of.is_empty() && first.document.is_none());
    assert_eq!(actions(&first), ["opened"]);
    assert_eq!(first.history[0].actor, "giulia.dpo");
    assert_eq!(first.history[0].details["channel"], "email");
    assert_eq!(first.history[0].details["known_subject"], false);
    let entry = store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(entry.action, "request.opened");
    assert_eq!(entry.target, format!("request:{}", first.id));
    // The audit entry names no channel and no subject: only the case.
    assert!(entry.details.get("channel").is_none());
    assert_eq!(entry.details["contact"], serde_json::Value::Null);
    assert!(!entry.details.to_string().contains("Anna"));

    let second = store
        .open_case(
            &dpo(),
            &new_case(RequestKind::Access, Some("k1"), received),
            received,
        )
        .unwrap();
    assert_ne!(second.id, first.id);
    assert_eq!(second.duplicate_of, [first.id]);
    assert_eq!(
        second.history[0].details["duplicate_of"],
        serde_json::json!([first.id])
    );
    // Another kind, another person, or no key: no duplicate.
    for (kind, key) in [
        (RequestKind::Erasure, Some("k1")),
        (RequestKind::Access, Some("k2")),
        (RequestKind::Access, None),
    ] {
        let other = store
            .open_case(&dpo(), &new_case(kind, key, received), received)
            .unwrap();
        assert!(other.duplicate_of.is_empty(), "{kind:?} {key:?}");
    }
    // A closed case is no duplicate of a new one.
    for id in [first.id, second.id] {
        store
            .change_case(
                &dpo(),
                id,
                received,
                &mut change("closed", |c| c.status = Some(CaseStatus::Closed)),
            )
            .unwrap();
    }
    let third = store
        .open_case(
            &dpo(),
            &new_case(RequestKind::Access, Some("k1"), received),
            received,
        )
        .unwrap();
    assert!(third.duplicate_of.is_empty());
    let err = store.case(9_999, received).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("request case 9999"), "{err}");
    assert!(store.audit_verify().unwrap().ok());
}

fn a_change_appends_a_step_and_a_refused_one_changes_nothing<S: CaseStore + AuditStore>(store: &S) {
    let received = day(2026, 1, 31);
    let case = store
        .open_case(
            &dpo(),
            &new_case(RequestKind::Erasure, Some("k"), received),
            received,
        )
        .unwrap();
    let at = day(2026, 2, 2);
    let verified = store
        .change_case(
            &dpo(),
            case.id,
            at,
            &mut change("identity-verified", |c| {
                c.identity = Some(IdentityCheck::Verified)
            }),
        )
        .unwrap();
    assert_eq!(verified.identity, IdentityCheck::Verified);
    assert_eq!(verified.updated_at, at);
    let extended = store
        .change_case(
            &dpo(),
            case.id,
            at,
            &mut change("extended", |c| c.due = Some((day(2026, 3, 31), 1))),
        )
        .unwrap();
    assert_eq!(
        (extended.due_at, extended.extended_months),
        (day(2026, 3, 31), 1)
    );
    // The first deadline stays on record.
    assert_eq!(extended.first_due_at, case.first_due_at);
    let audited = store.audit_list(&AuditFilter::default()).unwrap();
    let entry = audited.last().unwrap();
    assert_eq!(entry.action, "request.extended");
    assert_eq!(entry.details["identity"], "verified");
    assert_eq!(entry.details["due_at"], serde_json::json!(day(2026, 3, 31)));

    // `decide` sees the case as stored and may refuse: nothing is written.
    let mut seen = None;
    let err = store
        .change_case(&dpo(), case.id, at, &mut |c: &Case| {
            seen = Some(c.extended_months);
            Err(StoreError::Conflict("at most 2 months in all".into()))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    assert_eq!(seen, Some(1));
    assert_eq!(
        store.audit_list(&AuditFilter::default()).unwrap().len(),
        audited.len()
    );

    let done = store
        .change_case(
            &dpo(),
            case.id,
            day(2026, 2, 3),
            &mut change("fulfilled", |c| {
                c.status = Some(CaseStatus::Fulfilled);
                c.answer = Some("your data was erased".into());
                c.recipients = Some(vec!["mailer".into(), "crm".into()]);
            }),
        )
        .unwrap();
    assert_eq!(done.status, CaseStatus::Fulfilled);
    assert_eq!(done.answer.as_deref(), Some("your data was erased"));
    assert_eq!(done.recipients, ["mailer", "crm"]);
    // A later change keeps what it does not set.
    let closed = store
        .change_case(
            &dpo(),
            case.id,
            day(2026, 2, 4),
            &mut change("closed", |c| c.status = Some(CaseStatus::Closed)),
        )
        .unwrap();
    assert_eq!(closed.answer.as_deref(), Some("your data was erased"));
    assert_eq!(closed.recipients, ["mailer", "crm"]);
    assert_eq!(closed.identity, IdentityCheck::Verified);
    assert_eq!(
        actions(&closed),
        [
            "opened",
            "identity-verified",
            "extended",
            "fulfilled",
            "closed"
        ]
    );
    assert_eq!(
        closed.history[1].details["method"],
        "reply from the address on file"
    );
    let err = store
        .change_case(&dpo(), 4_242, at, &mut change("closed", |_| {}))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(store.audit_verify().unwrap().ok());
}

fn document(bytes: &[u8], delete_after: Timestamp) -> CaseDocument {
    CaseDocument {
        info: CaseDocumentInfo {
            file_name: "access-package.json".into(),
            media_type: "application/json".into(),
            size: bytes.len() as u64,
            sha256: "ab".repeat(32),
            created_at: day(2026, 5, 6),
            delete_after,
        },
        bytes: bytes.to_vec(),
    }
}

fn a_document_is_kept_with_its_case_until_delivered_or_expired<S: CaseStore + AuditStore>(
    store: &S,
) {
    let received = day(2026, 5, 4);
    let open = |store: &S| {
        store
            .open_case(
                &dpo(),
                &new_case(RequestKind::Access, None, received),
                received,
            )
            .unwrap()
            .id
    };
    let (kept, delivered, other) = (open(store), open(store), open(store));
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let fulfilled = store
        .change_case(
            &dpo(),
            kept,
            day(2026, 5, 6),
            &mut change("fulfilled", |c| {
                c.status = Some(CaseStatus::Fulfilled);
                c.document = Some(document(&bytes, day(2026, 6, 5)));
            }),
        )
        .unwrap();
    let info = fulfilled.document.clone().unwrap();
    assert_eq!(info.size, 70_000);
    assert_eq!(info.delete_after, day(2026, 6, 5));
    let entry = store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(entry.details["document_sha256"], "ab".repeat(32));
    let stored = store.case_document(kept).unwrap().unwrap();
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.info, info);
    assert!(store.case_document(other).unwrap().is_none());
    // Listed with its size, not its bytes.
    let listed = store
        .cases(
            &CaseFilter {
                limit: 10,
                ..CaseFilter::default()
            },
            received,
        )
        .unwrap();
    assert_eq!(
        listed.iter().find(|c| c.id == kept).unwrap().document,
        Some(info)
    );

    // A document replaced, then delivered (deleted at once).
    for bytes in [b"first".as_slice(), b"second"] {
        store
            .change_case(
                &dpo(),
                delivered,
                day(2026, 5, 6),
                &mut change("fulfilled", |c| {
                    c.document = Some(document(bytes, day(2026, 6, 5)))
                }),
            )
            .unwrap();
    }
    assert_eq!(
        store.case_document(delivered).unwrap().unwrap().bytes,
        b"second"
    );
    let done = store
        .change_case(
            &dpo(),
            delivered,
            day(2026, 5, 7),
            &mut change("document-delivered", |c| c.delete_document = true),
        )
        .unwrap();
    assert!(done.document.is_none());
    let entry = store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (entry.action.as_str(), &entry.details["document_deleted"]),
        ("request.document-delivered", &serde_json::json!(true))
    );

    // Not yet expired: nothing purged. Expired: purged once, with a step by Custode's actor.
    assert!(store
        .purge_case_documents(&dpo(), day(2026, 6, 4))
        .unwrap()
        .is_empty());
    let system = Actor::new("custode", Role::System);
    assert_eq!(
        store
            .purge_case_documents(&system, day(2026, 6, 5))
            .unwrap(),
        [kept]
    );
    assert!(store
        .purge_case_documents(&system, day(2026, 6, 6))
        .unwrap()
        .is_empty());
    assert!(store.case_document(kept).unwrap().is_none());
    let case = store.case(kept, day(2026, 6, 6)).unwrap();
    assert!(case.document.is_none());
    assert_eq!(actions(&case), ["opened", "fulfilled", "document-deleted"]);
    assert_eq!(case.history[2].actor, "custode");
    let entry = store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (entry.action.as_str(), entry.target.as_str()),
        (
            "request.document-deleted",
            format!("request:{kept}").as_str()
        )
    );
    assert!(store.audit_verify().unwrap().ok());
}

fn cases_list_by_status_kind_and_deadline_and_are_counted<S: CaseStore>(store: &S) {
    let open = |kind, received: Timestamp, due: Timestamp| {
        let mut new = new_case(kind, None, received);
        new.due_at = due;
        store.open_case(&dpo(), &new, received).unwrap().id
    };
    let received = day(2026, 4, 1);
    let late = open(RequestKind::Access, received, day(2026, 4, 10));
    let soon = open(RequestKind::Erasure, received, day(2026, 4, 20));
    let later = open(RequestKind::Access, received, day(2026, 5, 15));
    let answered = open(RequestKind::Objection, received, day(2026, 4, 12));
    store
        .change_case(
            &dpo(),
            answered,
            received,
            &mut change("fulfilled", |c| c.status = Some(CaseStatus::Fulfilled)),
        )
        .unwrap();
    let now = day(2026, 4, 15);
    let ids = |filter: CaseFilter| -> Vec<i64> {
        store
            .cases(&filter, now)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    // By due date, the limit clamped to at least one.
    assert_eq!(ids(CaseFilter::default()), [late]);
    let all = CaseFilter {
        limit: 100,
        ..CaseFilter::default()
    };
    assert_eq!(ids(all.clone()), [late, answered, soon, later]);
    assert_eq!(
        ids(CaseFilter {
            status: Some(CaseStatus::Open),
            ..all.clone()
        }),
        [late, soon, later]
    );
    assert_eq!(
        ids(CaseFilter {
            kind: Some(RequestKind::Access),
            ..all.clone()
        }),
        [late, later]
    );
    assert_eq!(
        ids(CaseFilter {
            due_before: Some(day(2026, 4, 20)),
            ..all.clone()
        }),
        [late, answered, soon]
    );
    // Overdue: open and the due day ended; the last second of the due day is not late yet.
    assert_eq!(
        ids(CaseFilter {
            overdue_at: Some(now),
            ..all.clone()
        }),
        [late]
    );
    assert!(ids(CaseFilter {
        overdue_at: Some(Timestamp(day(2026, 4, 10).0 + 86_399)),
        ..all.clone()
    })
    .is_empty());
    let listed = store.cases(&all, now).unwrap();
    assert!(listed[0].overdue && !listed[1].overdue && !listed[2].overdue);
    assert!(listed.iter().all(|c| c.history.is_empty()));
    assert_eq!(
        store.case_counts(now).unwrap(),
        CaseCounts {
            open: 3,
            due_within_7_days: 1,
            overdue: 1
        }
    );
    assert_eq!(store.case_counts(day(2026, 1, 1)).unwrap().overdue, 0);
}

fn the_database_refuses_to_rewrite_a_case_history<S: CaseStore + RawSql>(store: &S) {
    let received = day(2026, 3, 2);
    let case = store
        .open_case(
            &dpo(),
            &new_case(RequestKind::Access, None, received),
            received,
        )
        .unwrap();
    let edit = store.raw(&format!(
        "UPDATE request_case_steps SET actor = 'someone-else' WHERE case_id = {}",
        case.id
    ));
    assert!(edit.unwrap_err().contains("append-only"));
    let delete = store.raw("DELETE FROM request_case_steps");
    assert!(delete.unwrap_err().contains("append-only"));
    assert_eq!(
        store.case(case.id, received).unwrap().history[0].actor,
        "giulia.dpo"
    );
}
