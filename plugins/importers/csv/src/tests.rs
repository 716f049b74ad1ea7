use super::*;
use custode_sdk::time::format_iso;

type Outcome = Result<(Vec<ContactRecord>, Vec<RowError>), ImportError>;

fn import_chunks(config: &[(&str, &str)], chunks: &[&[u8]]) -> Outcome {
    let mut import = CsvImport::new(&Config::from_pairs(config))?;
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

fn emails(r: &ContactRecord) -> Vec<String> {
    r.identities
        .iter()
        .filter_map(|i| {
            if let Identity::Email(e) = i {
                Some(e.clone())
            } else {
                None
            }
        })
        .collect()
}

fn field<'a>(r: &'a ContactRecord, name: &str) -> Option<&'a str> {
    r.fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.as_str())
}

fn iso(t: Option<i64>) -> Option<String> {
    t.map(format_iso)
}

/// An export as Excel writes it on an Italian system: BOM, `;`, CRLF, a quoted note over two lines,
/// a Windows-1252 row, a blank line and a `;;;;;;;;` line.
const ITALIAN_EXPORT: &[u8] = b"\xEF\xBB\xBFNome;Cognome;E-mail;Cellulare;Citt\xC3\xA0;Consenso marketing;Consenso profilazione;Data raccolta;Fonte;Note;Colore preferito\r\n\
Anna;Rossi;anna.rossi@example.it;+39 333 1234567;Milano;s\xC3\xAC;no;15/01/2026;Fiera Milano 2026;\"prima riga\r\nseconda riga\";blu\r\n\
\r\n\
Nicol\xF2;Bianchi;nicolo@example.it;;Forl\xEC;X;1;2026-01-20;;;\r\n\
;;;;;;;;;;\r\n";

#[test]
fn italian_excel_export() {
    let (records, rejected) = import(&[], ITALIAN_EXPORT).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(records.len(), 2);

    let anna = &records[0];
    assert_eq!(anna.row, 2);
    assert_eq!(emails(anna), ["anna.rossi@example.it"]);
    assert!(matches!(&anna.identities[1], Identity::Phone(p) if p == "+39 333 1234567"));
    assert_eq!(field(anna, "first_name"), Some("Anna"));
    assert_eq!(field(anna, "last_name"), Some("Rossi"));
    assert_eq!(field(anna, "city"), Some("Milano"));
    assert_eq!(field(anna, "notes"), Some("prima riga\r\nseconda riga"));
    assert_eq!(
        field(anna, "Colore preferito"),
        Some("blu"),
        "unknown columns pass through under their header"
    );
    assert_eq!(anna.source.label.as_deref(), Some("Fiera Milano 2026"));
    assert_eq!(
        iso(anna.source.collected_at).as_deref(),
        Some("2026-01-15T00:00:00Z")
    );
    assert_eq!(anna.consents.len(), 1, "a `no` records nothing by default");
    let c = &anna.consents[0];
    assert_eq!(
        (c.purpose.as_str(), c.channel.as_str(), c.action),
        ("marketing", "email", ConsentAction::Granted)
    );
    assert_eq!(iso(c.at).as_deref(), Some("2026-01-15T00:00:00Z"));
    assert_eq!(
        c.evidence.as_deref(),
        Some("CSV column `Consenso marketing` = `sì`")
    );

    let nicolo = &records[1];
    assert_eq!(
        nicolo.row, 5,
        "the quoted note spans lines 2-3 and line 4 is blank"
    );
    assert_eq!(
        field(nicolo, "first_name"),
        Some("Nicolò"),
        "Windows-1252 row decoded"
    );
    assert_eq!(field(nicolo, "city"), Some("Forlì"));
    let purposes: Vec<&str> = nicolo.consents.iter().map(|c| c.purpose.as_str()).collect();
    assert_eq!(purposes, ["marketing", "profiling"]);
    assert_eq!(nicolo.consents[1].channel, "any");
    assert_eq!(nicolo.source.label, None);
}

#[test]
fn the_same_records_however_the_input_is_chunked() {
    let whole = format!("{:?}", import(&[], ITALIAN_EXPORT).unwrap());
    for cut in 0..=ITALIAN_EXPORT.len() {
        let (a, b) = ITALIAN_EXPORT.split_at(cut);
        assert_eq!(
            format!("{:?}", import_chunks(&[], &[a, b]).unwrap()),
            whole,
            "cut at {cut}"
        );
    }
    let bytes: Vec<&[u8]> = ITALIAN_EXPORT.chunks(1).collect();
    assert_eq!(format!("{:?}", import_chunks(&[], &bytes).unwrap()), whole);
}

#[test]
fn rows_without_an_identity_are_rejected() {
    let (records, rejected) =
        import(&[], b"email,phone,nome\n,,Anna\nb@example.com,,Bea\n").unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(rejected.len(), 1);
    assert_eq!((rejected[0].row, rejected[0].column.as_deref()), (2, None));
    assert_eq!(
        rejected[0].message,
        "row 2 has no email, phone or external id"
    );
}

#[test]
fn bad_cells_are_rejected_with_their_column() {
    let input = b"email;data_raccolta;ultimo contatto;newsletter\n\
                  a@example.com;31/02/2026;ieri;forse\n\
                  b@example.com;28/02/2026;2026-03-01 10:00;\n";
    let (records, rejected) = import(&[], input).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        iso(records[0].last_interaction).as_deref(),
        Some("2026-03-01T10:00:00Z")
    );
    let msgs: Vec<(Option<&str>, &str)> = rejected
        .iter()
        .map(|e| (e.column.as_deref(), e.message.as_str()))
        .collect();
    assert_eq!(
        msgs,
        [
            (
                Some("data_raccolta"),
                "column `data_raccolta`, row 2: `31/02/2026` is not a date (February 2026 has 28 days); use YYYY-MM-DD or dd/mm/yyyy"
            ),
            (Some("ultimo contatto"), "column `ultimo contatto`, row 2: `ieri` is not a date; use YYYY-MM-DD or dd/mm/yyyy"),
            (
                Some("newsletter"),
                "column `newsletter`, row 2: `forse` is not a consent value; use yes/no, sì/no, 1/0, true/false or x for yes"
            ),
        ]
    );
}

#[test]
fn consent_no_can_record_withdrawals() {
    let input = b"email,marketing_consent\na@example.com,no\nb@example.com,FALSO\nc@example.com,\n";
    let (records, _) = import(&[("consent_no", "withdrawn")], input).unwrap();
    let actions: Vec<Vec<ConsentAction>> = records
        .iter()
        .map(|r| r.consents.iter().map(|c| c.action).collect())
        .collect();
    assert_eq!(
        actions,
        [
            vec![ConsentAction::Withdrawn],
            vec![ConsentAction::Withdrawn],
            vec![]
        ]
    );
    let (records, _) = import(&[("consent_no", "objected")], input).unwrap();
    assert_eq!(records[0].consents[0].action, ConsentAction::Objected);
}

#[test]
fn configured_columns_and_consents() {
    let input =
        "Posta;Ditta;Ok SMS;Versione privacy;Interno\nx@example.com;ACME;sì;2026-01;segreto\n"
            .as_bytes();
    let config = [
        (
            "columns",
            "Posta=email, Ditta=company, Versione privacy=notice_version, Interno=ignore",
        ),
        ("consents", "Ok SMS=marketing:sms"),
    ];
    let (records, rejected) = import(&config, input).unwrap();
    assert!(rejected.is_empty());
    let r = &records[0];
    assert_eq!(emails(r), ["x@example.com"]);
    assert_eq!(field(r, "company"), Some("ACME"));
    assert_eq!(field(r, "Interno"), None);
    assert_eq!(r.fields.len(), 1);
    assert_eq!(
        (
            r.consents[0].purpose.as_str(),
            r.consents[0].channel.as_str()
        ),
        ("marketing", "sms")
    );
    assert_eq!(r.consents[0].notice_version.as_deref(), Some("2026-01"));
    assert_eq!(r.notices.len(), 1);
    assert_eq!(r.notices[0].version, "2026-01");
}

#[test]
fn external_ids_need_their_system() {
    let input = b"Codice cliente,nome\nC-001,Anna\n";
    let err = import(&[], input).unwrap_err();
    assert_eq!(
        (err.row, err.column.as_deref()),
        (Some(1), Some("Codice cliente"))
    );
    assert!(
        err.message.contains("setting `external_system` is not set"),
        "{}",
        err.message
    );
    let (records, _) = import(&[("external_system", "erp")], input).unwrap();
    assert!(
        matches!(&records[0].identities[0], Identity::External(e) if e.system == "erp" && e.id == "C-001")
    );
}

#[test]
fn a_header_without_identity_columns_stops_the_import() {
    let err = import(&[], b"nome;cognome\nAnna;Rossi\n").unwrap_err();
    assert_eq!(
        err.message,
        "the header has no email, phone or external id column (it has: nome, cognome); rename one, or map it with \
         the setting `columns`, e.g. `columns = Posta=email`"
    );
}

#[test]
fn extra_cells_point_at_the_delimiter() {
    let (_, rejected) = import(
        &[("delimiter", ",")],
        b"email,nome\na@example.com,Anna,Maria,x\nb@example.com,Bea,,\n",
    )
    .unwrap();
    assert_eq!(
        rejected.len(),
        1,
        "empty extra cells (trailing commas) are fine"
    );
    assert_eq!(
        rejected[0].message,
        "row 2 has 4 cells but the header has 2; check the delimiter and the quotes in this row"
    );
}

#[test]
fn settings_change_parsing() {
    let input = b"email\tdata raccolta\tfonte\na@example.com\t01/15/2026\tStand B12\n";
    let config = [
        ("delimiter", "tab"),
        ("date_order", "mdy"),
        ("source_channel", "fair"),
    ];
    let (records, rejected) = import(&config, input).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(
        iso(records[0].source.collected_at).as_deref(),
        Some("2026-01-15T00:00:00Z")
    );
    assert_eq!(records[0].source.channel, Some(SourceChannel::Fair));
    let (records, _) = import(
        &[("encoding", "windows-1252")],
        "email,nome\na@example.com,é\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(field(&records[0], "first_name"), Some("Ã©"));
}

#[test]
fn bad_settings_name_the_key_and_the_fix() {
    let err = |config: &[(&str, &str)]| {
        CsvImport::new(&Config::from_pairs(config))
            .err()
            .unwrap()
            .message
    };
    assert_eq!(
        err(&[("delimiter", "::")]),
        "setting `delimiter`: `::` is not a delimiter; use `,` `;` `tab` or `|`"
    );
    assert_eq!(
        err(&[("consent_no", "maybe")]),
        "setting `consent_no`: `maybe` is not one of ignore, withdrawn, objected"
    );
    assert!(err(&[("consents", "Ok=marketing:fax")])
        .starts_with("setting `consents`: `fax` is not a consent channel"));
    assert!(err(&[("source_channel", "tv")])
        .starts_with("setting `source_channel`: `tv` is not a source channel"));
    assert!(err(&[("columns", "Posta")]).contains("is not a `name=value` pair"));
}

#[test]
fn describe_lists_every_setting_read() {
    let config = Config::from_pairs(&[]);
    CsvImport::new(&config).unwrap();
    let info = CsvImport::describe();
    let declared: Vec<&str> = info.config_keys.iter().map(|k| k.name.as_str()).collect();
    for key in config.keys_read() {
        assert!(
            declared.contains(&key.as_str()),
            "`{key}` is read but not declared"
        );
    }
    assert_eq!(
        declared.len(),
        config.keys_read().len(),
        "declared keys that are never read"
    );
    assert_eq!(
        (info.name.as_str(), info.kind),
        (env!("CARGO_PKG_NAME"), PluginKind::Importer)
    );
}

#[test]
fn broken_inputs_stop_the_import() {
    assert_eq!(
        import(&[], b"").unwrap_err().message,
        "the input is empty: a CSV file needs a header row"
    );
    let err = import(&[], b"email,note\na@example.com,\"open\n").unwrap_err();
    assert_eq!(err.row, Some(2));
    assert!(
        err.message
            .starts_with("line 2: a quoted field is not closed"),
        "{}",
        err.message
    );
}

/// CPU time of this thread in seconds (Linux), so that other work on a shared machine does not count.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    stat.split_whitespace()
        .next()
        .and_then(|ns| ns.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1e9
}

/// `cd plugins && RUSTC=/usr/bin/rustc /usr/bin/cargo test --release -p csv -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, not a test; run in release"]
fn speed_one_million_rows() {
    let mut input =
        String::from("email;nome;cognome;telefono;fonte;consenso marketing;ultimo contatto\n");
    for i in 0..1_000_000 {
        input.push_str(&format!(
            "user{i}@example.com;Nome{i};Cognome{i};+39 333 {i:07};Fiera {};sì;{:02}/{:02}/2025\n",
            i % 7,
            i % 28 + 1,
            i % 12 + 1
        ));
    }
    for _ in 0..3 {
        let (wall, cpu) = (std::time::Instant::now(), thread_cpu_seconds());
        let mut import = CsvImport::new(&Config::from_pairs(&[])).unwrap();
        let mut n = 0;
        for chunk in input.as_bytes().chunks(1 << 20) {
            n += import.push(chunk).unwrap().records.len();
        }
        n += import.finish().unwrap().records.len();
        let (wall, cpu) = (wall.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu);
        assert_eq!(n, 1_000_000);
        eprintln!(
            "{n} rows ({} MB) in {wall:.3} s wall, {cpu:.3} s CPU: {:.0} rows per CPU second",
            input.len() / 1_000_000,
            n as f64 / cpu
        );
    }
}
