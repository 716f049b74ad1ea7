//! Cases through the service with an injected clock: deadlines, the order of steps, documents
//! deleted on schedule, duplicates, unknown persons.

use super::*;
use crate::domain::*;
use crate::store::NewContact;

fn service() -> (tempfile::TempDir, Compliance) {
    let dir = tempfile::tempdir().unwrap();
    let c = Compliance::open(dir.path(), &Settings::default()).unwrap();
    (dir, c)
}

fn dpo() -> Actor {
    Actor::new("giulia.dpo", Role::Dpo)
}

fn day(y: i32, m: u32, d: u32) -> Timestamp {
    Timestamp::from_date(y, m, d).unwrap()
}

fn contact(c: &Compliance, email: &str) -> ContactId {
    c.create_contact(
        &dpo(),
        &NewContact {
            identities: vec![c.parse_identity(email).unwrap()],
            fields: vec![],
            source_label: "web form".into(),
            channel: SourceChannel::WebForm,
            collected_at: Some(day(2026, 1, 5)),
            last_interaction: None,
        },
    )
    .unwrap()
}

fn open(c: &Compliance, kind: RequestKind, subject: &str, received: Timestamp) -> Case {
    let request = OpenCase {
        kind,
        subject: subject.into(),
        received_at: Some(received),
        channel: "email".into(),
        notes: String::new(),
        language: None,
    };
    c.open_case(&dpo(), &request, received).unwrap()
}

#[test]
fn a_case_is_due_one_month_later_on_a_working_day_and_lists_as_due_then_overdue() {
    let (_d, c) = service();
    contact(&c, "anna@example.it");
    // 25 March 2026 + 1 month = Saturday 25 April (a holiday too) -> Monday 27 April.
    let case = open(&c, RequestKind::Access, "Anna@Example.it", day(2026, 3, 25));
    assert_eq!(case.due_at, day(2026, 4, 27));
    assert_eq!(case.first_due_at, day(2026, 4, 27));
    assert_eq!(case.history.len(), 1);
    assert_eq!(case.history[0].action, "opened");
    let soon = CaseQuery {
        due_within_days: Some(7),
        ..CaseQuery::default()
    };
    assert!(c.cases(&soon, day(2026, 4, 10)).unwrap().is_empty());
    assert_eq!(c.cases(&soon, day(2026, 4, 21)).unwrap().len(), 1);
    let overdue = CaseQuery {
        overdue: true,
        ..CaseQuery::default()
    };
    assert!(c
        .cases(&overdue, Timestamp(day(2026, 4, 27).0 + 86_399))
        .unwrap()
        .is_empty());
    let late = c.cases(&overdue, day(2026, 4, 28)).unwrap();
    assert_eq!(late.len(), 1);
    assert!(late[0].overdue);
    let counts = c.case_counts(day(2026, 4, 28)).unwrap();
    assert_eq!(
        (counts.open, counts.overdue, counts.due_within_7_days),
        (1, 1, 0)
    );
}

#[test]
fn extensions_are_checked_and_stored() {
    let (_d, c) = service();
    let case = open(
        &c,
        RequestKind::Erasure,
        "nobody@example.it",
        day(2026, 1, 31),
    );
    let err = c
        .extend_case(&dpo(), case.id, 3, "complex", day(2026, 2, 2))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    let extended = c
        .extend_case(
            &dpo(),
            case.id,
            1,
            "many requests this month",
            day(2026, 2, 2),
        )
        .unwrap();
    assert_eq!(extended.due_at, day(2026, 3, 31));
    assert_eq!(extended.extended_months, 1);
    let err = c
        .extend_case(&dpo(), case.id, 2, "more", day(2026, 2, 3))
        .unwrap_err();
    assert!(err.to_string().contains("at most 1"), "{err}");
    // The first month ended on Monday 2 March.
    let err = c
        .extend_case(&dpo(), case.id, 1, "more", day(2026, 3, 3))
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert!(err.to_string().contains("2026-03-02"), "{err}");
    let history = c.case(case.id, day(2026, 3, 3)).unwrap().history;
    assert_eq!(
        history
            .iter()
            .map(|s| s.action.as_str())
            .collect::<Vec<_>>(),
        ["opened", "extended"]
    );
}

#[test]
fn duplicates_unknown_persons_and_the_order_of_steps() {
    let (_d, c) = service();
    let id = contact(&c, "bruno@example.it");
    let first = open(
        &c,
        RequestKind::Objection,
        "bruno@example.it",
        day(2026, 5, 4),
    );
    assert!(first.duplicate_of.is_empty());
    // The same person by contact number, same kind: flagged.
    let second = open(
        &c,
        RequestKind::Objection,
        &format!("#{}", id.0),
        day(2026, 5, 5),
    );
    assert_eq!(second.duplicate_of, [first.id]);
    assert_eq!(
        open(&c, RequestKind::Access, "bruno@example.it", day(2026, 5, 5)).duplicate_of,
        Vec::<i64>::new()
    );
    // Not verified yet: not fulfilled.
    let err = c
        .fulfil_case(
            &dpo(),
            first.id,
            &Fulfilment {
                purposes: vec!["marketing".into()],
                ..Fulfilment::default()
            },
            None,
            day(2026, 5, 6),
        )
        .unwrap_err();
    assert!(err.to_string().contains("verify"), "{err}");
    let v = Verification {
        outcome: IdentityCheck::Verified,
        method: "reply from the address on file".into(),
        by: None,
        at: None,
    };
    c.verify_case(&dpo(), first.id, &v, day(2026, 5, 6))
        .unwrap();
    let done = c
        .fulfil_case(
            &dpo(),
            first.id,
            &Fulfilment {
                purposes: vec!["marketing".into()],
                ..Fulfilment::default()
            },
            None,
            day(2026, 5, 6),
        )
        .unwrap();
    assert_eq!(done.status, CaseStatus::Fulfilled);
    let ledger = c.consent_history(id).unwrap();
    assert!(ledger
        .iter()
        .any(|e| e.action == ConsentAction::Objected && e.purpose == "marketing"));
    assert!(c
        .extend_case(&dpo(), first.id, 1, "late", day(2026, 5, 7))
        .is_err());
    let closed = c
        .close_case(&dpo(), first.id, None, day(2026, 5, 7))
        .unwrap();
    assert_eq!(closed.status, CaseStatus::Closed);
    assert_eq!(
        closed
            .history
            .iter()
            .map(|s| s.action.as_str())
            .collect::<Vec<_>>(),
        ["opened", "identity-verified", "fulfilled", "closed"]
    );
    // Somebody unknown: answered that no data is held, without verification.
    let unknown = open(&c, RequestKind::Access, "ghost@example.it", day(2026, 5, 5));
    assert_eq!(unknown.contact_id, None);
    let answered = c
        .fulfil_case(
            &dpo(),
            unknown.id,
            &Fulfilment::default(),
            None,
            day(2026, 5, 6),
        )
        .unwrap();
    assert!(answered.answer.unwrap().contains("no personal data"));
}

#[test]
fn a_document_not_delivered_is_deleted_after_the_configured_days() {
    let (_d, c) = service();
    contact(&c, "carla@example.it");
    let case = open(&c, RequestKind::Access, "carla@example.it", day(2026, 6, 1));
    let keep = |created: Timestamp| CaseDocument {
        info: crate::store::cases::CaseDocumentInfo {
            file_name: "access.json".into(),
            media_type: "application/json".into(),
            size: 2,
            sha256: "00".into(),
            created_at: created,
            delete_after: created.add_days(30),
        },
        bytes: b"{}".to_vec(),
    };
    let mut doc = Some(keep(day(2026, 6, 2)));
    c.store()
        .change_case(&dpo(), case.id, day(2026, 6, 2), &mut |_| {
            Ok(CaseChange {
                document: doc.take(),
                action: "fulfilled",
                ..CaseChange::default()
            })
        })
        .unwrap();
    assert_eq!(
        c.case_document(case.id, day(2026, 6, 2)).unwrap().bytes,
        b"{}"
    );
    assert!(
        c.purge_case_documents(day(2026, 7, 1)).unwrap().is_empty(),
        "29 days: kept"
    );
    assert_eq!(c.purge_case_documents(day(2026, 7, 2)).unwrap(), [case.id]);
    assert!(matches!(
        c.case_document(case.id, day(2026, 7, 2)),
        Err(Error::NotFound { .. })
    ));
    let shown = c.case(case.id, day(2026, 7, 2)).unwrap();
    assert!(shown.document.is_none());
    assert_eq!(shown.history.last().unwrap().action, "document-deleted");
    assert_eq!(shown.history.last().unwrap().actor, "custode");
    // Nothing left to deliver.
    assert!(matches!(
        c.case_delivered(&dpo(), case.id, None, day(2026, 7, 2)),
        Err(Error::Conflict(_))
    ));
}
