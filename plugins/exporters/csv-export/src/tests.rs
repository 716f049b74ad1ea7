use super::*;
use custode_sdk::types::{DataCategory, ExternalId, FieldEntry, IdentityEntry};

fn package() -> SubjectPackage {
    let field = |name: &str, value: &str, current| FieldEntry {
        name: name.into(),
        category: DataCategory::Contact,
        value: value.into(),
        provenance: None,
        recorded_at: 0,
        current,
    };
    SubjectPackage {
        contact_id: 7,
        generated_at: 0,
        controller: "Rossi S.r.l.".into(),
        data_location: "EU".into(),
        created_at: 0,
        last_interaction: None,
        identities: vec![
            IdentityEntry {
                identity: Identity::External(ExternalId {
                    system: "erp".into(),
                    id: "C-7".into(),
                }),
                provenance: None,
            },
            IdentityEntry {
                identity: Identity::Email("anna@example.it".into()),
                provenance: None,
            },
            IdentityEntry {
                identity: Identity::Email("anna.rossi@example.com".into()),
                provenance: None,
            },
        ],
        fields: vec![
            field("first_name", "Anna", true),
            field("city", "Milano", false),
            field("city", "Forlì", true),
            field("notes", "disse \"sì\"; poi\nrichiamare", true),
            field("company", "=HYPERLINK(\"http://evil\")", true),
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
        request: None,
    }
}

fn options(pairs: &[(&str, &str)]) -> Options {
    Options::from_config(&Config::from_pairs(pairs)).unwrap()
}

#[test]
fn one_row_of_current_values() {
    let doc = render(&package(), &options(&[]));
    assert_eq!(
        (doc.file_name.as_str(), doc.media_type.as_str()),
        ("subject-7.csv", "text/csv; charset=utf-8")
    );
    let text = String::from_utf8(doc.bytes).unwrap();
    assert_eq!(
        text,
        "\u{feff}contact_id,email,erp_id,first_name,city,notes,company\r\n\
         7,anna@example.it; anna.rossi@example.com,C-7,Anna,Forlì,\"disse \"\"sì\"\"; poi\nrichiamare\",\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n"
    );
}

#[test]
fn reads_back_with_the_sdk_reader() {
    let doc = render(
        &package(),
        &options(&[
            ("delimiter", ";"),
            ("bom", "false"),
            ("formula_guard", "false"),
        ]),
    );
    assert!(!doc.bytes.starts_with("\u{feff}".as_bytes()));
    let mut reader = custode_sdk::csv::CsvReader::new();
    let mut rows = reader.push(&doc.bytes).unwrap();
    rows.extend(reader.finish().unwrap());
    assert_eq!(reader.delimiter(), Some(b';'));
    let header: Vec<&str> = rows[0].iter().collect();
    let values: Vec<&str> = rows[1].iter().collect();
    assert_eq!(
        header,
        [
            "contact_id",
            "email",
            "erp_id",
            "first_name",
            "city",
            "notes",
            "company"
        ]
    );
    assert_eq!(values[5], "disse \"sì\"; poi\nrichiamare");
    assert_eq!(values[6], "=HYPERLINK(\"http://evil\")");
}

#[test]
fn settings() {
    assert!(Options::from_config(&Config::from_pairs(&[("bom", "maybe")])).is_err());
    let config = Config::from_pairs(&[]);
    Options::from_config(&config).unwrap();
    let declared: Vec<String> = describe().config_keys.into_iter().map(|k| k.name).collect();
    assert_eq!(declared, config.keys_read());
}
