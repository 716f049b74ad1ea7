use super::*;
use custode_sdk::time::format_iso;
use custode_sdk::types::{ContactRecord, Identity, SourceChannel};

type Outcome = (Vec<ContactRecord>, Vec<RowError>);

fn import_chunks(config: &[(&str, &str)], chunks: &[&[u8]]) -> Outcome {
    let mut import = FormImport::new(&Config::from_pairs(config)).unwrap();
    let (mut records, mut rejected) = (Vec::new(), Vec::new());
    for chunk in chunks {
        let r = import.push(chunk).unwrap();
        records.extend(r.records);
        rejected.extend(r.rejected);
    }
    let r = import.finish().unwrap();
    records.extend(r.records);
    rejected.extend(r.rejected);
    (records, rejected)
}

fn import(config: &[(&str, &str)], input: &str) -> Outcome {
    import_chunks(config, &[input.as_bytes()])
}

fn field<'a>(r: &'a ContactRecord, name: &str) -> Option<&'a str> {
    r.fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.as_str())
}

fn consents(r: &ContactRecord) -> Vec<String> {
    r.consents
        .iter()
        .map(|c| {
            format!(
                "{}:{} {} {} {} | {}",
                c.purpose,
                c.channel,
                c.action.name(),
                c.at.map(format_iso).unwrap_or_default(),
                c.notice_version.as_deref().unwrap_or("-"),
                c.evidence.as_deref().unwrap_or_default()
            )
        })
        .collect()
}

const SUBMISSIONS: &str = r#"{"submitted_at":"2026-01-15T11:30:00+01:00","page":"https://example.com/contatti","form":"contatti","notice_version":"2026-01","ip":"203.0.113.9","fields":{"email":"anna@example.it","nome":"Anna","Azienda":"Rossi S.r.l.","interessi":["CRM","GDPR"],"newsletter":"on","messaggio":"Vorrei una demo"},"consents":{"marketing":true,"profilazione":false,"terze-parti":null},"privacy":true}
{"email":"bruno@example.com","telefono":"+39 02 5550101","timestamp":1768473000123,"page_url":"https://example.com/offerta","consent_marketing":"yes","consent_partners":1,"utm_source":"adwords"}

{"email":"carla@example.com","date":"15/01/2026 10:30","consents":{"marketing":false}}
"#;

#[test]
fn submissions_with_checkboxes_notice_and_page() {
    let (records, rejected) = import(&[], SUBMISSIONS);
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(records.len(), 3);

    let anna = &records[0];
    assert!(matches!(&anna.identities[..], [Identity::Email(e)] if e == "anna@example.it"));
    assert_eq!(field(anna, "first_name"), Some("Anna"));
    assert_eq!(field(anna, "company"), Some("Rossi S.r.l."));
    assert_eq!(field(anna, "interessi"), Some("CRM, GDPR"));
    assert_eq!(field(anna, "messaggio"), Some("Vorrei una demo"));
    assert!(field(anna, "ip").is_none() && field(anna, "privacy").is_none());
    assert_eq!(
        consents(anna),
        [
            "marketing:email granted 2026-01-15T10:30:00Z 2026-01 | checkbox `newsletter` of form `contatti` on https://example.com/contatti, notice 2026-01",
            "marketing:email granted 2026-01-15T10:30:00Z 2026-01 | checkbox `marketing` of form `contatti` on https://example.com/contatti, notice 2026-01",
        ]
    );
    assert_eq!(anna.notices.len(), 1);
    assert_eq!(
        (anna.notices[0].version.as_str(), anna.notices[0].at),
        ("2026-01", Some(1_768_473_000))
    );
    assert_eq!(anna.source.channel, Some(SourceChannel::WebForm));
    assert_eq!(
        anna.source.label.as_deref(),
        Some("https://example.com/contatti")
    );
    assert_eq!(anna.source.collected_at, Some(1_768_473_000));

    let bruno = &records[1];
    assert_eq!(bruno.row, 2);
    assert_eq!(bruno.identities.len(), 2);
    assert_eq!(field(bruno, "utm_source"), Some("adwords"));
    assert_eq!(
        consents(bruno),
        [
            "marketing:email granted 2026-01-15T10:30:00Z - | checkbox `marketing` on https://example.com/offerta",
            "partners:any granted 2026-01-15T10:30:00Z - | checkbox `partners` on https://example.com/offerta",
        ]
    );
    assert!(bruno.notices.is_empty());

    let carla = &records[2];
    assert_eq!(carla.row, 4);
    assert!(
        carla.consents.is_empty(),
        "an unchecked box records nothing"
    );
    assert_eq!(carla.source.collected_at, Some(1_768_473_000));
    assert_eq!(carla.source.label, None);
}

#[test]
fn the_same_records_however_the_input_is_chunked() {
    let input = SUBMISSIONS.as_bytes();
    let whole = format!("{:?}", import_chunks(&[], &[input]));
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(
            format!("{:?}", import_chunks(&[], &[a, b])),
            whole,
            "cut at {cut}"
        );
    }
}

#[test]
fn settings_map_checkboxes_fields_and_default_notice() {
    let config = [
        (
            "consents",
            "partners=third-party-transfer:any, promo=marketing:sms",
        ),
        ("columns", "cellulare_personale=phone, nota_interna=ignore"),
        ("channel", "email"),
        ("notice_version", "2025-06"),
    ];
    let input = r#"{"cellulare_personale":"+39 333 1","nota_interna":"x","consent_partners":true,"promo":"sì","consent_sondaggi":true}"#;
    let (records, rejected) = import(&config, input);
    assert!(rejected.is_empty(), "{rejected:?}");
    let r = &records[0];
    assert!(matches!(&r.identities[..], [Identity::Phone(p)] if p == "+39 333 1"));
    assert!(r.fields.is_empty());
    let targets: Vec<String> = r
        .consents
        .iter()
        .map(|c| format!("{}:{}", c.purpose, c.channel))
        .collect();
    assert_eq!(
        targets,
        [
            "third-party-transfer:any",
            "marketing:sms",
            "sondaggi:email"
        ]
    );
    assert_eq!(r.notices[0].version, "2025-06");
    assert_eq!(
        r.consents[0].evidence.as_deref(),
        Some("checkbox `partners`, notice 2025-06")
    );
}

#[test]
fn broken_submissions_are_row_errors() {
    let input = "{\"nome\":\"Solo\"}\n[1,{\"email\":\"ok@example.com\"}]\n{\"email\":\"a@example.com\",\"timestamp\":\"ieri\",\"consents\":{\"marketing\":\"forse\"}}\n{broken\n";
    let (records, rejected) = import(&[], input);
    assert_eq!(
        records.len(),
        1,
        "the good submission of the array line is kept"
    );
    let errors: Vec<(u64, Option<&str>, &str)> = rejected
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (1, None, "line 1: the submission has no email or phone"),
            (2, None, "line 2: a submission must be a JSON object, found `1`"),
            (3, Some("timestamp"), "line 3, `timestamp`: `ieri` is not a date; use YYYY-MM-DD or dd/mm/yyyy"),
            (
                3,
                Some("marketing"),
                "line 3, checkbox `marketing`: `forse` is not a consent value; use yes/no, sì/no, 1/0, true/false or x for yes"
            ),
            (4, None, "line 4 is not JSON (at byte 1: expected a member name in double quotes, found `b`); write one submission per line"),
        ]
    );
}

#[test]
fn bad_settings_and_describe() {
    let err = FormImport::new(&Config::from_pairs(&[("channel", "fax")]))
        .err()
        .unwrap();
    assert!(err
        .message
        .starts_with("setting `channel`: `fax` is not a consent channel"));
    let config = Config::from_pairs(&[]);
    FormImport::new(&config).unwrap();
    let mut read = config.keys_read();
    read.sort();
    let mut declared: Vec<String> = FormImport::describe()
        .config_keys
        .into_iter()
        .map(|k| k.name)
        .collect();
    declared.sort();
    assert_eq!(declared, read);
}
