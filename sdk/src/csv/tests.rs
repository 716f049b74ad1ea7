use super::*;

type Rows = Vec<(u64, Vec<String>)>;

fn rows(records: &[CsvRecord]) -> Rows {
    records
        .iter()
        .map(|r| (r.line(), r.iter().map(str::to_string).collect()))
        .collect()
}

fn read_chunks(reader: CsvReader, chunks: &[&[u8]]) -> Result<Rows, CsvError> {
    let mut reader = reader;
    let mut out = Vec::new();
    for c in chunks {
        out.extend(reader.push(c)?);
    }
    out.extend(reader.finish()?);
    Ok(rows(&out))
}

/// Reads the input whole, cut in two at every position, and one byte at a time; all must agree.
fn read_every_way(make: impl Fn() -> CsvReader, input: &[u8]) -> Result<Rows, CsvError> {
    let whole = read_chunks(make(), &[input]);
    for i in 0..=input.len() {
        assert_eq!(
            read_chunks(make(), &[&input[..i], &input[i..]]),
            whole,
            "cut at byte {i}"
        );
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(read_chunks(make(), &bytes), whole, "one byte at a time");
    whole
}

fn r(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
    (line, fields.iter().map(|s| s.to_string()).collect())
}

#[test]
fn messy_excel_export_reads_the_same_however_it_is_chunked() {
    let input = "\u{feff}Nome;Città;Note\r\n\
                 Anna;Milano;\"riga uno\r\nriga due; con ;\"\r\n\
                 \r\n\
                 \"Marco \"\"il rosso\"\"\";Forlì;\r\n\
                 ;;\r\n\
                 Lucia;Torino;fine"
        .as_bytes();
    let got = read_every_way(CsvReader::new, input).unwrap();
    assert_eq!(
        got,
        vec![
            r(1, &["Nome", "Città", "Note"]),
            r(2, &["Anna", "Milano", "riga uno\r\nriga due; con ;"]),
            r(5, &["Marco \"il rosso\"", "Forlì", ""]),
            r(6, &["", "", ""]),
            r(7, &["Lucia", "Torino", "fine"]),
        ]
    );
}

#[test]
fn detects_the_delimiter_from_the_header() {
    let detect = |input: &[u8]| {
        let mut reader = CsvReader::new();
        reader.push(input).unwrap();
        reader.finish().unwrap();
        reader.delimiter()
    };
    assert_eq!(detect(b"a,b,c\n1;2,3\n"), Some(b','));
    assert_eq!(detect(b"a;b;\"c,d,e\"\n"), Some(b';'));
    assert_eq!(detect(b"a\tb\tc\n"), Some(b'\t'));
    assert_eq!(detect(b"\n\n  \nemail\n"), Some(b','));
    assert_eq!(detect(b"only;header"), Some(b';'));
    // Detection waits for the whole header line.
    let mut reader = CsvReader::new();
    assert!(reader.push(b"a,b;c;d").unwrap().is_empty());
    assert_eq!(reader.delimiter(), None);
    assert_eq!(
        rows(&reader.push(b";e\n").unwrap()),
        vec![r(1, &["a,b", "c", "d", "e"])]
    );
}

#[test]
fn configured_delimiter_wins() {
    let got = read_chunks(CsvReader::new().with_delimiter(b','), &[b"a;b,c\n"]).unwrap();
    assert_eq!(got, vec![r(1, &["a;b", "c"])]);
}

#[test]
fn excel_sep_line_sets_the_delimiter_and_is_not_a_record() {
    let got = read_every_way(CsvReader::new, b"sep=,\r\nNome;Cognome,Note\r\nA;B,C\r\n").unwrap();
    assert_eq!(
        got,
        vec![r(2, &["Nome;Cognome", "Note"]), r(3, &["A;B", "C"])]
    );
}

#[test]
fn line_endings_lf_crlf_and_lone_cr() {
    let got = read_every_way(CsvReader::new, b"a,b\rc,d\r\ne,f\ng,h\r").unwrap();
    assert_eq!(
        got,
        vec![
            r(1, &["a", "b"]),
            r(2, &["c", "d"]),
            r(3, &["e", "f"]),
            r(4, &["g", "h"])
        ]
    );
}

#[test]
fn windows_1252_per_record() {
    // Row 2 is Windows-1252 (an Italian Excel export), row 3 is UTF-8: each is read right.
    let input = b"nome,citt\xC3\xA0\nNicol\xF2,Forl\xEC \x80\nJos\xC3\xA9,Cant\xC3\xB9\n";
    let mut reader = CsvReader::new();
    let mut records = reader.push(input).unwrap();
    records.extend(reader.finish().unwrap());
    assert_eq!(
        rows(&records),
        vec![
            r(1, &["nome", "città"]),
            r(2, &["Nicolò", "Forlì €"]),
            r(3, &["José", "Cantù"])
        ]
    );
    assert!(!records[0].was_windows_1252() && records[1].was_windows_1252());
    // A Windows-1252 record split inside what looks like a UTF-8 sequence still reads right.
    assert_eq!(
        read_every_way(CsvReader::new, b"a,b\n\xC3,\xA9\n").unwrap()[1],
        r(2, &["Ã", "©"])
    );
}

#[test]
fn forced_windows_1252_reads_valid_utf8_as_windows_1252() {
    let got = read_chunks(
        CsvReader::new().with_encoding(Encoding::Windows1252),
        &["é\n".as_bytes()],
    )
    .unwrap();
    assert_eq!(got, vec![r(1, &["Ã©"])]);
}

#[test]
fn lenient_about_stray_quotes() {
    let got = read_every_way(CsvReader::new, b"a,b\nsay \"hi\",\"x\"y\n\"\",z\n").unwrap();
    assert_eq!(
        got,
        vec![
            r(1, &["a", "b"]),
            r(2, &["say \"hi\"", "xy"]),
            r(3, &["", "z"])
        ]
    );
}

#[test]
fn trailing_delimiter_gives_an_empty_last_field() {
    let got = read_every_way(CsvReader::new, b"a,b,\n1,2,").unwrap();
    assert_eq!(got, vec![r(1, &["a", "b", ""]), r(2, &["1", "2", ""])]);
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    let got = read_every_way(CsvReader::new, b"\r\n\nh\n\n\r\nv\n\n").unwrap();
    assert_eq!(got, vec![r(3, &["h"]), r(6, &["v"])]);
    assert_eq!(read_every_way(CsvReader::new, b"").unwrap(), vec![]);
    assert_eq!(
        read_every_way(CsvReader::new, "\u{feff}".as_bytes()).unwrap(),
        vec![]
    );
}

#[test]
fn unclosed_quote_is_an_error_naming_its_line() {
    let err = read_chunks(CsvReader::new(), &[b"a,b\n1,2\n3,\"open\n4,5\n"]).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("not closed"), "{err}");
    assert_eq!(err.to_string(), format!("line 3: {}", err.message));
}

#[test]
fn a_runaway_quote_stops_at_the_size_limit_instead_of_eating_memory() {
    let mut reader = CsvReader::new().with_max_record_bytes(1 << 20);
    reader.push(b"a,b\n1,\"never closed\n").unwrap();
    let line = vec![b'x'; 1000];
    let mut err = None;
    for _ in 0..2000 {
        if let Err(e) = reader.push(&line) {
            err = Some(e);
            break;
        }
    }
    let err = err.expect("the reader must give up");
    assert_eq!(err.line, 2);
    assert!(err.message.contains("closing quote"), "{err}");
}

#[test]
fn utf16_input_is_refused_with_the_fix() {
    let err = CsvReader::new().push(b"\xFF\xFEn\0o\0").unwrap_err();
    assert!(err.message.contains("CSV UTF-8"), "{err}");
}

#[test]
fn many_rows_keep_their_line_numbers() {
    let mut input = String::from("email,note\n");
    for i in 0..1000 {
        if i % 10 == 0 {
            input.push_str(&format!("u{i}@example.com,\"two\nlines\"\n"));
        } else {
            input.push_str(&format!("u{i}@example.com,plain\n"));
        }
    }
    let mut reader = CsvReader::new();
    let mut records: Vec<CsvRecord> = input
        .as_bytes()
        .chunks(4093)
        .flat_map(|c| reader.push(c).unwrap())
        .collect();
    records.extend(reader.finish().unwrap());
    assert_eq!(records.len(), 1001);
    let mut line = 2;
    for (i, rec) in records[1..].iter().enumerate() {
        assert_eq!(rec.line(), line);
        assert_eq!(rec.get(0), Some(format!("u{i}@example.com").as_str()));
        line += if i % 10 == 0 { 2 } else { 1 };
    }
}

#[test]
fn fields_of_every_length_around_the_word_size() {
    // The reader scans eight bytes at a time: put stops at every offset of a word.
    for delimiter in [b',', b';', b'\t', b'|'] {
        let fields: Vec<String> = (0..40)
            .map(|n| "xè".repeat(n / 2) + &"y".repeat(n % 2))
            .collect();
        let mut input = Vec::new();
        let mut expected = Vec::new();
        for (line, row) in fields.chunks(3).enumerate() {
            input.extend(row.join(&(delimiter as char).to_string()).bytes());
            input.extend(if line % 2 == 0 {
                &b"\r\n"[..]
            } else {
                &b"\n"[..]
            });
            if row.iter().any(|f| !f.is_empty()) || row.len() > 1 {
                expected.push((line as u64 + 1, row.to_vec()));
            }
        }
        let got = read_chunks(CsvReader::new().with_delimiter(delimiter), &[&input]).unwrap();
        assert_eq!(got, expected, "delimiter {:?}", delimiter as char);
    }
}
