use super::text;
use custode_sdk::types::*;

fn package(request: Option<RequestCase>) -> SubjectPackage {
    SubjectPackage {
        contact_id: 42,
        generated_at: 1_768_473_000,
        controller: "Rossi S.r.l.".into(),
        data_location: "Milan, Italy (EU)".into(),
        created_at: 1_768_000_000,
        last_interaction: None,
        identities: vec![IdentityEntry {
            identity: Identity::Email("anna@example.it".into()),
            provenance: Some(1),
        }],
        fields: vec![
            FieldEntry {
                name: "city".into(),
                category: DataCategory::Contact,
                value: "Forlì".into(),
                provenance: None,
                recorded_at: 1_768_000_000,
                current: true,
            },
            FieldEntry {
                name: "city".into(),
                category: DataCategory::Contact,
                value: "Milano".into(),
                provenance: None,
                recorded_at: 1_767_000_000,
                current: false,
            },
        ],
        provenance: vec![],
        purposes: vec![],
        consents: vec![],
        notices: vec![],
        retention: vec![],
        recipients: vec![],
        restricted: false,
        legal_hold: false,
        former_identities: vec![],
        restriction_periods: vec![],
        legal_hold_since: None,
        controller_contact: None,
        supervisory_authority: None,
        request,
    }
}

#[test]
fn lists_identities_and_current_values() {
    assert_eq!(
        text(&package(None)),
        "Personal data held about contact 42\nController: Rossi S.r.l.\n\nemail: anna@example.it\ncity: Forlì\n"
    );
}

#[test]
fn names_the_request_it_answers() {
    let request = RequestCase {
        id: 17,
        kind: RequestKind::Access,
        language: None,
        received_at: 1_767_225_600,
        due_at: 1_769_904_000,
    };
    assert!(text(&package(Some(request))).contains("In answer to request 17, received on 2026-01-01"));
}
