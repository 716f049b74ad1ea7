use super::*;
use custode_sdk::json::{parse, Value};
use custode_sdk::types::*;

const T: i64 = 1_768_473_000; // 2026-01-15T10:30:00Z

fn small() -> SubjectPackage {
    SubjectPackage {
        contact_id: 42,
        generated_at: T,
        controller: "Rossi S.r.l.".into(),
        data_location: "Milan, Italy (EU)".into(),
        created_at: T - 86_400,
        last_interaction: None,
        identities: vec![IdentityEntry {
            identity: Identity::Email("anna@example.it".into()),
            provenance: Some(1),
        }],
        fields: vec![FieldEntry {
            name: "notes".into(),
            category: DataCategory::Notes,
            value: "Città \"Forlì\"\n\u{1}\t😀".into(),
            provenance: None,
            recorded_at: T,
            current: true,
        }],
        provenance: vec![],
        purposes: vec![],
        consents: vec![],
        notices: vec![NoticeReceipt {
            version: "2026-01".into(),
            at: None,
        }],
        retention: vec![],
        recipients: vec!["Mailchimp (USA)".into()],
        restricted: false,
        legal_hold: true,
        former_identities: vec![],
        restriction_periods: vec![],
        legal_hold_since: Some(T - 7200),
        controller_contact: None,
        supervisory_authority: None,
        request: None,
    }
}

#[test]
fn exact_output_of_a_small_package() {
    let doc = render(&small(), true);
    assert_eq!(
        (doc.file_name.as_str(), doc.media_type.as_str()),
        ("subject-42.json", "application/json")
    );
    let expected = r#"{
  "format": "custode-subject-package/1",
  "generated_at": "2026-01-15T10:30:00Z",
  "generated_at_unix": 1768473000,
  "contact_id": 42,
  "controller": "Rossi S.r.l.",
  "data_location": "Milan, Italy (EU)",
  "created_at": "2026-01-14T10:30:00Z",
  "created_at_unix": 1768386600,
  "last_interaction": null,
  "last_interaction_unix": null,
  "identities": [
    {
      "type": "email",
      "value": "anna@example.it",
      "provenance": 1
    }
  ],
  "fields": [
    {
      "name": "notes",
      "category": "notes",
      "value": "Città \"Forlì\"\n\u0001\t😀",
      "current": true,
      "recorded_at": "2026-01-15T10:30:00Z",
      "recorded_at_unix": 1768473000,
      "provenance": null
    }
  ],
  "provenance": [],
  "purposes": [],
  "consents": [],
  "notices": [
    {
      "version": "2026-01",
      "at": null,
      "at_unix": null
    }
  ],
  "retention": [],
  "recipients": [
    "Mailchimp (USA)"
  ],
  "restricted": false,
  "legal_hold": true,
  "legal_hold_since": "2026-01-15T08:30:00Z",
  "legal_hold_since_unix": 1768465800,
  "former_identities": [],
  "restriction_periods": [],
  "controller_contact": null,
  "supervisory_authority": null,
  "request": null
}
"#;
    assert_eq!(String::from_utf8(doc.bytes).unwrap(), expected);
}

pub fn full() -> SubjectPackage {
    let mut p = small();
    p.last_interaction = Some(T - 3600);
    p.identities.push(IdentityEntry {
        identity: Identity::Phone("+393331234567".into()),
        provenance: None,
    });
    p.identities.push(IdentityEntry {
        identity: Identity::External(ExternalId {
            system: "erp".into(),
            id: "C-00042".into(),
        }),
        provenance: Some(1),
    });
    p.fields.extend((0..30).map(|i| FieldEntry {
        name: format!("field_{i}"),
        category: DataCategory::ALL[i % 5],
        value: format!("valore {i}"),
        provenance: Some(1),
        recorded_at: T - i as i64,
        current: i % 3 != 0,
    }));
    p.provenance.push(ProvenanceEntry {
        id: 1,
        source_label: "Fiera Milano 2026".into(),
        channel: SourceChannel::Fair,
        collected_at: T - 86_400,
        batch: Some(7),
        file_digest: Some("ab".repeat(32)),
        plugin: Some("csv@0.1.0".into()),
        plugin_digest: None,
        operator: "mario".into(),
    });
    p.purposes.push(PurposeEntry {
        purpose: "marketing".into(),
        description: "Newsletter".into(),
        bases: vec![BasisPeriod {
            purpose: "marketing".into(),
            basis: LegalBasis::LegitimateInterest,
            start: T - 100,
            end: Some(T + 100),
        }],
        allowed_now: false,
        reason: "objection recorded".into(),
    });
    p.consents.extend((0..10).map(|i| ConsentEvent {
        purpose: "marketing".into(),
        channel: "email".into(),
        action: if i % 2 == 0 {
            ConsentAction::Granted
        } else {
            ConsentAction::Objected
        },
        at: T - i,
        method: "import".into(),
        notice_version: Some("2026-01".into()),
        evidence: Some("CSV column `Consenso marketing` = `sì`".into()),
        collected_by: "mario".into(),
    }));
    p.retention.push(RetentionEntry {
        category: DataCategory::Financial,
        period: "10 years".into(),
        basis: "legal obligation".into(),
    });
    p.former_identities.push(FormerIdentity {
        identity: Identity::Email("anna.old@example.it".into()),
        provenance: Some(1),
        removed_at: T - 600,
        removed_by: 3,
    });
    p.restriction_periods.push(RestrictionPeriod {
        start: T - 5000,
        end: Some(T - 4000),
    });
    p.controller_contact = Some("privacy@rossi.example".into());
    p.supervisory_authority = Some("Garante per la protezione dei dati personali".into());
    p.request = Some(RequestCase {
        id: 9,
        kind: RequestKind::Access,
        language: Some("it".into()),
        received_at: T - 86_400,
        due_at: T + 30 * 86_400,
    });
    p
}

#[test]
fn a_full_package_parses_back_with_every_part() {
    let doc = render(&full(), true);
    let v = parse(std::str::from_utf8(&doc.bytes).unwrap()).unwrap();
    let get = |path: &[&str]| {
        path.iter()
            .fold(Some(&v), |v, k| v.and_then(|v| v.get(k)))
            .cloned()
    };
    assert_eq!(get(&["format"]).unwrap().as_str(), Some(FORMAT));
    assert_eq!(
        get(&["last_interaction"]).unwrap().as_str(),
        Some("2026-01-15T09:30:00Z")
    );
    let ids = get(&["identities"]).unwrap();
    let ids = ids.as_array().unwrap();
    assert_eq!(ids[2].get("system").and_then(Value::as_str), Some("erp"));
    assert_eq!(ids[1].get("provenance"), Some(&Value::Null));
    assert_eq!(get(&["fields"]).unwrap().as_array().unwrap().len(), 31);
    let prov = &get(&["provenance"]).unwrap().as_array().unwrap()[0].clone();
    assert_eq!(prov.get("channel").and_then(Value::as_str), Some("fair"));
    assert_eq!(prov.get("plugin_digest"), Some(&Value::Null));
    let basis = &get(&["purposes"]).unwrap().as_array().unwrap()[0]
        .get("bases")
        .unwrap()
        .as_array()
        .unwrap()[0]
        .clone();
    assert_eq!(
        basis.get("basis").and_then(Value::as_str),
        Some("legitimate-interest")
    );
    assert_eq!(
        basis.get("article").and_then(Value::as_str),
        Some("Art. 6(1)(f)")
    );
    assert_eq!(basis.get("end_unix").and_then(Value::as_i64), Some(T + 100));
    let consent = &get(&["consents"]).unwrap().as_array().unwrap()[1].clone();
    assert_eq!(
        consent.get("action").and_then(Value::as_str),
        Some("objected")
    );
    assert_eq!(
        get(&["retention"]).unwrap().as_array().unwrap()[0]
            .get("category")
            .and_then(Value::as_str),
        Some("financial")
    );
    let former = &get(&["former_identities"]).unwrap().as_array().unwrap()[0].clone();
    assert_eq!(
        former.get("value").and_then(Value::as_str),
        Some("anna.old@example.it")
    );
    assert_eq!(former.get("removed_by").and_then(Value::as_i64), Some(3));
    let period = &get(&["restriction_periods"]).unwrap().as_array().unwrap()[0].clone();
    assert_eq!(
        period.get("end_unix").and_then(Value::as_i64),
        Some(T - 4000)
    );
    assert_eq!(get(&["request", "kind"]).unwrap().as_str(), Some("access"));
    assert_eq!(get(&["request", "language"]).unwrap().as_str(), Some("it"));
    assert_eq!(
        get(&["supervisory_authority"]).unwrap().as_str(),
        Some("Garante per la protezione dei dati personali")
    );
    assert_eq!(
        render(&full(), true).bytes,
        doc.bytes,
        "the same package gives the same bytes"
    );
}

#[test]
fn without_unix_times() {
    let text = String::from_utf8(render(&full(), false).bytes).unwrap();
    assert!(!text.contains("_unix"));
    assert!(parse(&text).is_ok());
    assert!(!unix_times(&Config::from_pairs(&[("unix_times", "false")])).unwrap());
    assert!(unix_times(&Config::from_pairs(&[])).unwrap());
    assert_eq!(
        unix_times(&Config::from_pairs(&[("unix_times", "sometimes")]))
            .unwrap_err()
            .message,
        "setting `unix_times`: `sometimes` is not a yes/no value; write true or false"
    );
}

/// `cd plugins && RUSTC=/usr/bin/rustc /usr/bin/cargo test --release -p json -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, not a test; run in release"]
fn speed_full_package() {
    let p = full();
    let start = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..10_000 {
        bytes += render(&p, true).bytes.len();
    }
    let per = start.elapsed() / 10_000;
    eprintln!(
        "full package ({} bytes) rendered in {per:?}",
        bytes / 10_000
    );
}
