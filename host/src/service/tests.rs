//! The service as the CLI and the API use it: text in, decisions and packages out.

use super::*;
use crate::domain::*;
use crate::store::*;

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

/// A contact entered by hand, with a marketing consent by email and the notice it saw.
fn mario(c: &Compliance) -> ContactId {
    c.publish_notice(
        &dpo(),
        &Notice {
            version: "2026-01".into(),
            published_at: day(2026, 1, 1),
            text_digest: None,
            summary: None,
        },
    )
    .unwrap();
    let id = c
        .create_contact(
            &dpo(),
            &NewContact {
                identities: vec![
                    c.parse_identity("Mario.Rossi@Example.it").unwrap(),
                    c.parse_identity("333 123 4567").unwrap(),
                ],
                fields: vec![
                    FieldValue {
                        name: "last_name".into(),
                        value: "Rossi".into(),
                    },
                    FieldValue {
                        name: "vat_id".into(),
                        value: "IT01234567890".into(),
                    },
                ],
                source_label: "business card".into(),
                channel: SourceChannel::BusinessCard,
                collected_at: Some(day(2026, 1, 5)),
                last_interaction: None,
            },
        )
        .unwrap();
    let consent = ConsentEvent {
        purpose: "marketing".into(),
        channel: ConsentChannel::Email,
        action: ConsentAction::Granted,
        at: day(2026, 1, 10),
        evidence: Evidence {
            method: "signed form".into(),
            notice_version: Some("2026-01".into()),
            text: None,
            collected_by: "anna".into(),
        },
    };
    c.record_consent(&dpo(), id, &consent).unwrap();
    id
}

#[test]
fn identities_are_read_the_way_people_write_them() {
    let (_d, c) = service();
    assert_eq!(
        c.parse_identity(" A@B.it ").unwrap(),
        Identity::Email(Email::parse("a@b.it").unwrap())
    );
    assert!(
        matches!(c.parse_identity("+39 333 123 4567").unwrap(), Identity::Phone(p) if p.as_str() == "+393331234567")
    );
    assert!(
        matches!(c.parse_identity("erp:C-42").unwrap(), Identity::External(x) if x.system == "erp")
    );
    let err = c.parse_identity("mario.rossi@").unwrap_err().to_string();
    assert_eq!(
        err,
        "email: email `mario.rossi@` is not a valid address: it has no domain"
    );
    assert!(c.parse_identity("Mario Rossi").is_err());
}

#[test]
fn can_process_by_identity_follows_the_ledger() {
    let (_d, c) = service();
    let id = mario(&c);
    let by_email = Subject::Identity(c.parse_identity("mario.rossi@example.it").unwrap());
    let d = c
        .can_process(&by_email, "marketing", "email", Some(day(2026, 2, 1)))
        .unwrap();
    assert!(d.allowed, "{}", d.reason);
    assert_eq!(d.basis, Some(LegalBasis::Consent));
    let phone = c
        .can_process(
            &Subject::Contact(id),
            "marketing",
            "phone",
            Some(day(2026, 2, 1)),
        )
        .unwrap();
    assert_eq!(phone.rule, DecisionRule::ConsentNeverGiven);
    let unknown = Subject::Identity(c.parse_identity("nobody@example.it").unwrap());
    assert_eq!(
        c.can_process(&unknown, "marketing", "email", None)
            .unwrap()
            .rule,
        DecisionRule::UnknownSubject
    );
    assert_eq!(
        c.can_process(&by_email, "marketing", "fax", None)
            .unwrap()
            .rule,
        DecisionRule::UnknownChannel
    );
}

#[test]
fn an_erased_identity_is_still_refused_by_its_suppression_hash() {
    let (_d, c) = service();
    let id = mario(&c);
    let report = c.erase(&dpo(), id, "request of 2026-03-01").unwrap();
    assert!(report.files_purged);
    let by_email = Subject::Identity(c.parse_identity("mario.rossi@example.it").unwrap());
    let d = c
        .can_process(&by_email, "marketing", "email", None)
        .unwrap();
    assert_eq!(d.rule, DecisionRule::Suppressed, "{}", d.reason);
    assert!(
        c.check_suppression(&c.parse_identity("+39 333 1234567").unwrap())
            .unwrap()
            .suppressed
    );
}

#[test]
fn the_access_package_has_data_provenance_purposes_and_location() {
    let (_d, c) = service();
    let id = mario(&c);
    let p = c.subject_package(id, Some(day(2026, 2, 1))).unwrap();
    assert_eq!(p.identities.len(), 2);
    assert_eq!(p.provenance[0].source_label, "business card");
    assert_eq!(p.consents[0].evidence.method, "signed form");
    assert_eq!(
        p.notices,
        vec![NoticeReceipt {
            version: "2026-01".into(),
            at: day(2026, 1, 10)
        }]
    );
    let marketing = p
        .purposes
        .iter()
        .find(|e| e.purpose == "marketing")
        .unwrap();
    assert!(marketing.allowed_now, "{}", marketing.reason);
    assert!(p
        .retention
        .iter()
        .any(|r| r.category == DataCategory::Financial && r.period.contains("10 years")));
    assert!(p.data_location.contains("data_location"));
    assert!(serde_json::to_string(&p).unwrap().contains("IT01234567890"));
}

#[test]
fn lists_can_keep_only_contacts_that_may_be_processed() {
    let (_d, c) = service();
    let id = mario(&c);
    for i in 0..30 {
        c.create_contact(
            &dpo(),
            &NewContact {
                identities: vec![c.parse_identity(&format!("p{i}@example.it")).unwrap()],
                fields: vec![],
                source_label: "fair".into(),
                channel: SourceChannel::Fair,
                collected_at: None,
                last_interaction: None,
            },
        )
        .unwrap();
    }
    let mut allowed = AllowedFilter {
        purpose: "marketing".into(),
        channel: "email".into(),
        at: Some(day(2026, 2, 1)),
        allowed: true,
    };
    let page = c
        .list_contacts(
            &ContactFilter {
                limit: 10,
                ..ContactFilter::default()
            },
            Some(&allowed),
        )
        .unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(page.next, None);
    // The report of contacts that may not be processed for marketing, a page at a time.
    allowed.allowed = false;
    let filter = |after| ContactFilter {
        limit: 20,
        after,
        ..ContactFilter::default()
    };
    let first = c.list_contacts(&filter(None), Some(&allowed)).unwrap();
    assert_eq!(first.items.len(), 20);
    assert!(first.items.iter().all(|i| i.id != id));
    let rest = c
        .list_contacts(&filter(first.next), Some(&allowed))
        .unwrap();
    assert_eq!(rest.items.len(), 10);
    assert_eq!(rest.next, None);
}
