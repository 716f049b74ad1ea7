use super::*;
use custode_sdk::time::format_iso;

type Outcome = Result<(Vec<ContactRecord>, Vec<RowError>), ImportError>;

fn import_chunks(config: &[(&str, &str)], chunks: &[&[u8]]) -> Outcome {
    let mut import = VcardImport::new(&Config::from_pairs(config))?;
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

fn import(input: &[u8]) -> Outcome {
    import_chunks(&[], &[input])
}

fn field<'a>(r: &'a ContactRecord, name: &str) -> Option<&'a str> {
    r.fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.as_str())
}

fn ids(r: &ContactRecord) -> Vec<String> {
    r.identities
        .iter()
        .map(|i| match i {
            Identity::Email(e) => format!("email:{e}"),
            Identity::Phone(p) => format!("phone:{p}"),
            Identity::External(x) => format!("{}:{}", x.system, x.id),
        })
        .collect()
}

/// A phone export with all three versions: a folded 3.0 card, a 4.0 card with URIs, and an
/// Android-style 2.1 card with quoted-printable soft breaks and a Latin-1 name.
const ADDRESS_BOOK: &[u8] = b"BEGIN:VCARD\r\n\
VERSION:3.0\r\n\
FN:Anna Maria Rossi\r\n\
N:Rossi;Anna;Maria;Dott.;\r\n\
ORG:Rossi S.r.l.;Vendite;Nord\r\n\
TITLE:Responsabile acquisti\r\n\
item1.EMAIL;type=INTERNET;type=pref:anna.rossi@exa\r\n mple.it\r\n\
TEL;TYPE=CELL:+39 333 123 4567\r\n\
ADR;TYPE=WORK:;Scala B;Via Roma 1\\, interno 4;Milano;MI;20100;Italia\r\n\
NOTE:Conosciuta in fiera\\nRichiamare a marzo\r\n\
REV:20260115T103000Z\r\n\
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n AAAQABAAD\r\n\
END:VCARD\r\n\
\r\n\
BEGIN:VCARD\r\n\
VERSION:4.0\r\n\
FN:Bruno Bianchi\r\n\
UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n\
TEL;VALUE=uri;TYPE=\"voice,cell\":tel:+39-02-555-0101\r\n\
EMAIL:mailto:bruno@example.com\r\n\
ROLE:Buyer\r\n\
END:VCARD\r\n\
BEGIN:VCARD\r\n\
VERSION:2.1\r\n\
N;CHARSET=ISO-8859-1:Bianchi;Nicol\xF2\r\n\
NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=88 una nota lunga che va a capo=\r\n\
\x20e continua=\r\n\
=20ancora\r\n\
EMAIL;INTERNET:nicolo@example.it\r\n\
END:VCARD\r\n";

#[test]
fn address_book_with_all_three_versions() {
    let (records, rejected) = import(ADDRESS_BOOK).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(records.len(), 3);

    let anna = &records[0];
    assert_eq!(anna.row, 1);
    assert_eq!(
        ids(anna),
        ["email:anna.rossi@example.it", "phone:+39 333 123 4567"]
    );
    assert_eq!(field(anna, "name"), Some("Anna Maria Rossi"));
    assert_eq!(field(anna, "last_name"), Some("Rossi"));
    assert_eq!(field(anna, "first_name"), Some("Anna Maria"));
    assert_eq!(field(anna, "company"), Some("Rossi S.r.l."));
    assert_eq!(field(anna, "department"), Some("Vendite, Nord"));
    assert_eq!(field(anna, "role"), Some("Responsabile acquisti"));
    assert_eq!(
        field(anna, "address"),
        Some("Via Roma 1, interno 4, Scala B")
    );
    assert_eq!(field(anna, "city"), Some("Milano"));
    assert_eq!(field(anna, "province"), Some("MI"));
    assert_eq!(field(anna, "postal_code"), Some("20100"));
    assert_eq!(field(anna, "country"), Some("Italia"));
    assert_eq!(
        field(anna, "notes"),
        Some("Conosciuta in fiera\nRichiamare a marzo")
    );
    assert_eq!(
        anna.source.collected_at.map(format_iso).as_deref(),
        Some("2026-01-15T10:30:00Z")
    );
    assert!(field(anna, "PHOTO").is_none() && anna.fields.len() == 12);

    let bruno = &records[1];
    assert_eq!(bruno.row, 17);
    assert_eq!(
        ids(bruno),
        [
            "vcard:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
            "phone:+39-02-555-0101",
            "email:bruno@example.com"
        ]
    );
    assert_eq!(field(bruno, "role"), Some("Buyer"));

    let nicolo = &records[2];
    assert_eq!(nicolo.row, 25);
    assert_eq!(field(nicolo, "first_name"), Some("Nicolò"));
    assert_eq!(
        field(nicolo, "notes"),
        Some("È una nota lunga che va a capo e continua ancora")
    );
    assert_eq!(ids(nicolo), ["email:nicolo@example.it"]);
}

#[test]
fn the_same_records_however_the_input_is_chunked() {
    let whole = format!("{:?}", import(ADDRESS_BOOK).unwrap());
    for cut in 0..=ADDRESS_BOOK.len() {
        let (a, b) = ADDRESS_BOOK.split_at(cut);
        assert_eq!(
            format!("{:?}", import_chunks(&[], &[a, b]).unwrap()),
            whole,
            "cut at {cut}"
        );
    }
    let bytes: Vec<&[u8]> = ADDRESS_BOOK.chunks(1).collect();
    assert_eq!(format!("{:?}", import_chunks(&[], &bytes).unwrap()), whole);
}

#[test]
fn nesting_errors_name_their_lines() {
    let input = b"BEGIN:VCARD\nFN:Uno\nEMAIL:uno@example.com\nBEGIN:VCARD\nEMAIL:due@example.com\nEND:VCARD\n\
                  END:VCARD\nFN:fuori\nBEGIN:VCARD\nEMAIL:tre@example.com\n";
    let (records, rejected) = import(input).unwrap();
    let emails: Vec<Vec<String>> = records.iter().map(ids).collect();
    assert_eq!(emails, [vec!["email:due@example.com".to_string()]]);
    let errors: Vec<(u64, &str)> = rejected
        .iter()
        .map(|e| (e.row, e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (1, "line 4: BEGIN:VCARD inside the card that starts at line 1; is an END:VCARD missing?"),
            (7, "line 7: END:VCARD without a BEGIN:VCARD"),
            (8, "line 8: `FN:fuori` is outside any BEGIN:VCARD ... END:VCARD"),
            (9, "the card that starts at line 9 has no END:VCARD; the file may be cut short"),
        ]
    );
}

#[test]
fn cards_without_identity_or_with_bad_parts_are_rejected() {
    let input = b"BEGIN:VCARD\nVERSION:3.0\nFN:Solo nome\nEND:VCARD\nBEGIN:VCARD\nVERSION:5.0\nEMAIL:x@example.com\nEND:VCARD\n\
                  BEGIN:VCARD\nFN;CHARSET=KOI8-R:x\nTEL:1\nEND:VCARD\nBEGIN:VCARD\nREV:ieri\nTEL:+39 1\nEND:VCARD\n";
    let (records, rejected) = import(input).unwrap();
    let errors: Vec<(u64, Option<&str>, &str)> = rejected
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (1, None, "the card at line 1 has no EMAIL, TEL or UID"),
            (
                5,
                Some("VERSION"),
                "card at line 5: VERSION 5.0 is not supported (2.1, 3.0 and 4.0 are)"
            ),
            (
                9,
                Some("FN"),
                "card at line 9: FN: CHARSET=KOI8-R is not supported; save the file as UTF-8"
            ),
        ]
    );
    assert_eq!(
        records.len(),
        1,
        "an unreadable REV is left out, the card is kept"
    );
    assert_eq!(records[0].source.collected_at, None);
}

#[test]
fn settings() {
    let config = [
        ("external_system", "rubrica"),
        ("source_channel", "business-card"),
    ];
    let (records, _) = import_chunks(&config, &[b"BEGIN:VCARD\nUID:42\nEND:VCARD"]).unwrap();
    assert_eq!(ids(&records[0]), ["rubrica:42"]);
    assert_eq!(records[0].source.channel, Some(SourceChannel::BusinessCard));
    let err = VcardImport::new(&Config::from_pairs(&[("source_channel", "piccione")]))
        .err()
        .unwrap();
    assert!(err
        .message
        .starts_with("setting `source_channel`: `piccione` is not a source channel"));
    let config = Config::from_pairs(&[]);
    VcardImport::new(&config).unwrap();
    let declared: Vec<String> = VcardImport::describe()
        .config_keys
        .into_iter()
        .map(|k| k.name)
        .collect();
    let mut read = config.keys_read();
    read.sort();
    assert_eq!(declared, read);
}

#[test]
fn not_a_vcard_file() {
    let err = import(b"email,nome\na@example.com,Anna\n").unwrap_err();
    assert_eq!(
        err.message,
        "this is not a vCard file: line 1 is `email,nome`, not BEGIN:VCARD"
    );
    assert_eq!(
        import(b"").unwrap_err().message,
        "the input holds no vCard: there is no BEGIN:VCARD line"
    );
    let (records, _) =
        import(b"\xEF\xBB\xBF\r\nBEGIN:VCARD\r\nEMAIL:a@example.com\r\nEND:VCARD").unwrap();
    assert_eq!(
        records.len(),
        1,
        "BOM, a leading blank line and no final line break are fine"
    );
}
