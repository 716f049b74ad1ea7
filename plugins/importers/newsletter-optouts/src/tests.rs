use super::*;
use custode_sdk::time::format_iso;
use custode_sdk::types::{ConsentAction, ContactRecord, Identity, RowError};

type Outcome = Result<(Vec<ContactRecord>, Vec<RowError>), ImportError>;

fn import_chunks(config: &[(&str, &str)], chunks: &[&[u8]]) -> Outcome {
    let mut import = OptOutImport::new(&Config::from_pairs(config))?;
    let (mut records, mut rejected) = (Vec::new(), Vec::new());
    for chunk in chunks {
        let r = import.push(chunk)?;
        records.extend(r.records);
        rejected.extend(r.rejected);
    }
    let r = import.finish()?;
    records.extend(r.records);
    rejected.extend(r.rejected);
    Ok((records, rejected))
}

fn import(config: &[(&str, &str)], input: &[u8]) -> Outcome {
    import_chunks(config, &[input])
}

/// `email action at evidence` per record, or `email field=value` for bounces.
fn summary(records: &[ContactRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let Identity::Email(email) = &r.identities[0] else {
                panic!("not an email identity")
            };
            assert_eq!(
                r.source.channel,
                Some(custode_sdk::types::SourceChannel::Newsletter)
            );
            assert_eq!(r.last_interaction, None);
            match r.consents.first() {
                Some(c) => format!(
                    "{email} {}:{} {} {} | {}",
                    c.purpose,
                    c.channel,
                    c.action.name(),
                    c.at.map(format_iso).unwrap_or_default(),
                    c.evidence.as_deref().unwrap_or_default()
                ),
                None => format!("{email} {}={}", r.fields[0].name, r.fields[0].value),
            }
        })
        .collect()
}

const MAILCHIMP_UNSUBSCRIBED: &[u8] = b"\"Email Address\",\"First Name\",\"Last Name\",MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER,LEID,EUID,NOTES\r\n\
anna@example.it,Anna,Rossi,2,\"2024-03-01 09:00:00\",,\"2024-03-01 09:05:00\",,,,,,,,,\"2026-01-15 10:30:00\",\"Saldi invernali\",a1b2c3,\"I no longer want to receive these emails\",,123,abc,\r\n\
bruno@example.it,Bruno,Bianchi,2,,,,,,,,,,,,\"2026-01-16 08:00:00\",,,Other,\"troppe email\",124,abd,\r\n";

#[test]
fn mailchimp_unsubscribed_export() {
    let (records, rejected) = import(&[], MAILCHIMP_UNSUBSCRIBED).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(
        summary(&records),
        [
            "anna@example.it marketing:email withdrawn 2026-01-15T10:30:00Z | Mailchimp export: unsubscribe, reason: I no longer want to receive these emails, campaign: Saldi invernali",
            "bruno@example.it marketing:email withdrawn 2026-01-16T08:00:00Z | Mailchimp export: unsubscribe, reason: Other; troppe email",
        ]
    );
    assert_eq!(records[0].row, 2);
}

#[test]
fn mailchimp_cleaned_export_marks_bounces() {
    let input = b"Email Address,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID\nold@example.it,2026-01-10 12:00:00,Saldi,x1,9\n";
    let (records, _) = import(&[], input).unwrap();
    assert_eq!(summary(&records), ["old@example.it email_status=bounced"]);
    assert!(import(&[("bounces", "ignore")], input)
        .unwrap()
        .0
        .is_empty());
}

#[test]
fn export_with_an_event_column() {
    let input = "email;evento;data;motivo\n\
                 a@example.it;unsubscribe;15/01/2026 10:30;\n\
                 b@example.it;spam;16/01/2026;segnalato come spam\n\
                 c@example.it;open;16/01/2026;\n\
                 d@example.it;hard_bounce;;\n\
                 ;unsubscribe;;\n\
                 e@example.it;unsubscribe;ieri;\n"
        .as_bytes();
    let (records, rejected) =
        import(&[("purpose", "newsletter"), ("tool", "Brevo")], input).unwrap();
    assert_eq!(
        summary(&records),
        [
            "a@example.it newsletter:email withdrawn 2026-01-15T10:30:00Z | Brevo export: unsubscribe",
            "b@example.it newsletter:email objected 2026-01-16T00:00:00Z | Brevo export: complaint (event `spam`), reason: segnalato come spam",
            "d@example.it email_status=bounced",
        ]
    );
    let errors: Vec<(u64, Option<&str>, &str)> = rejected
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (6, Some("email"), "row 6 has no email address"),
            (
                7,
                Some("data"),
                "column `data`, row 7: `ieri` is not a date; use YYYY-MM-DD or dd/mm/yyyy"
            ),
        ]
    );
}

#[test]
fn plain_list_needs_the_event_setting() {
    let input = b"Email\nx@example.com\n";
    let err = import(&[], input).unwrap_err();
    assert!(
        err.message
            .starts_with("cannot tell what this export records"),
        "{}",
        err.message
    );
    let (records, _) = import(&[("event", "complaint"), ("channel", "any")], input).unwrap();
    assert_eq!(
        summary(&records),
        ["x@example.com marketing:any objected  | newsletter tool export: complaint"]
    );
    let err = import(&[], b"nome,cognome\nAnna,Rossi\n").unwrap_err();
    assert!(
        err.message
            .starts_with("the export has no email column (it has: nome, cognome)"),
        "{}",
        err.message
    );
}

const WEBHOOKS: &[u8] = br#"[{"email":"sg1@example.com","timestamp":1768473000,"event":"unsubscribe","sg_event_id":"e1"},{"email":"sg2@example.com","timestamp":1768473000,"event":"open","sg_event_id":"e2"},{"email":"sg3@example.com","timestamp":1768473000,"event":"spamreport","sg_event_id":"e3"}]
{"type":"unsubscribe","fired_at":"2026-01-15 10:30:00","data":{"action":"unsub","reason":"manual","email":"mc@example.com","campaign_id":"cb398d21d2"}}
{"type":"cleaned","fired_at":"2026-01-15 10:30:00","data":{"reason":"abuse","email":"mc2@example.com"}}

{"event":"hard_bounce","email":"brevo@example.com","ts_event":1768473000,"reason":"mailbox does not exist"}
{"event":"bounce","type":"blocked","email":"soft@example.com","timestamp":1768473000,"sg_event_id":"e4"}
{"event-data":{"event":"complained","recipient":"mg@example.com","timestamp":1768473000.908}}
{"event":"unsubscribe","timestamp":1768473000}
{"event":"unsubscribe","email":"x@example.com","timestamp":"ieri"}
not json
{"event":"group_unsubscribe","email":"\u00e8@example.com","timestamp":1768473000123}
"#;

#[test]
fn webhook_events_of_many_tools() {
    let (records, rejected) = import(&[], WEBHOOKS).unwrap();
    assert_eq!(
        summary(&records),
        [
            "sg1@example.com marketing:email withdrawn 2026-01-15T10:30:00Z | SendGrid webhook event: unsubscribe",
            "sg3@example.com marketing:email objected 2026-01-15T10:30:00Z | SendGrid webhook event: complaint (event `spamreport`)",
            "mc@example.com marketing:email withdrawn 2026-01-15T10:30:00Z | Mailchimp webhook event: unsubscribe, reason: manual, campaign: cb398d21d2",
            "mc2@example.com marketing:email objected 2026-01-15T10:30:00Z | Mailchimp webhook event: complaint (event `cleaned`), reason: abuse",
            "brevo@example.com email_status=bounced",
            "mg@example.com marketing:email objected 2026-01-15T10:30:00Z | Mailgun webhook event: complaint (event `complained`)",
            "è@example.com marketing:email withdrawn 2026-01-15T10:30:00Z | newsletter tool webhook event: unsubscribe (event `group_unsubscribe`)",
        ]
    );
    let rows: Vec<u64> = records.iter().map(|r| r.row).collect();
    assert_eq!(rows, [1, 1, 2, 3, 5, 7, 11]);
    let errors: Vec<(u64, Option<&str>, &str)> = rejected
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (8, None, "line 8: the `unsubscribe` event has no email address"),
            (9, Some("timestamp"), "line 9, `timestamp`: `ieri` is not a date; use YYYY-MM-DD or dd/mm/yyyy"),
            (10, None, "line 10 is not JSON (at byte 0: expected a value, found `n`); send one JSON event per line"),
        ]
    );
}

#[test]
fn the_same_records_however_the_input_is_chunked() {
    for input in [WEBHOOKS, MAILCHIMP_UNSUBSCRIBED] {
        let whole = format!("{:?}", import(&[], input).unwrap());
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            assert_eq!(
                format!("{:?}", import_chunks(&[], &[a, b]).unwrap()),
                whole,
                "cut at {cut}"
            );
        }
    }
}

#[test]
fn a_pretty_printed_webhook_body() {
    let input = b"\n[\n  {\n    \"email\": \"a@example.com\",\n    \"event\": \"unsubscribe\",\n    \"timestamp\": 1768473000\n  },\n  {\"email\": \"b@example.com\", \"event\": \"delivered\"}\n]\n";
    let (records, rejected) = import(&[], input).unwrap();
    assert!(rejected.is_empty());
    assert_eq!(summary(&records), ["a@example.com marketing:email withdrawn 2026-01-15T10:30:00Z | newsletter tool webhook event: unsubscribe"]);
    assert_eq!(records[0].row, 2);
    let err = import(&[], b"[\n{\"email\": 1,\n").unwrap_err();
    assert!(
        err.message
            .starts_with("the JSON document that starts at line 1 is not valid JSON"),
        "{}",
        err.message
    );
}

#[test]
fn forced_format_and_bad_settings() {
    let (records, _) = import(
        &[("format", "csv"), ("event", "unsubscribe")],
        b"email\n{odd}@example.com\n",
    )
    .unwrap();
    assert_eq!(records.len(), 1);
    let (_, rejected) = import(&[("format", "jsonl")], b"email\na@example.com\n").unwrap();
    assert_eq!(rejected.len(), 2);
    let err = |config: &[(&str, &str)]| {
        OptOutImport::new(&Config::from_pairs(config))
            .err()
            .unwrap()
            .message
    };
    assert!(
        err(&[("channel", "fax")]).starts_with("setting `channel`: `fax` is not a consent channel")
    );
    assert_eq!(
        err(&[("event", "open")]),
        "setting `event`: `open` is not one of unsubscribe, complaint, bounce"
    );
    assert_eq!(
        err(&[("format", "xml")]),
        "setting `format`: `xml` is not one of auto, csv, jsonl"
    );
}

#[test]
fn empty_input_is_an_empty_import_and_describe_lists_every_setting() {
    assert!(import(&[], b"  \n\n").unwrap().0.is_empty());
    let config = Config::from_pairs(&[]);
    OptOutImport::new(&config).unwrap();
    let mut read = config.keys_read();
    read.sort();
    let mut declared: Vec<String> = OptOutImport::describe()
        .config_keys
        .into_iter()
        .map(|k| k.name)
        .collect();
    declared.sort();
    assert_eq!(declared, read);
    assert_eq!(ConsentAction::Withdrawn.name(), "withdrawn");
}
