//! Splitting chunked input into lines, and decoding text.
//!
//! Importers receive their input in chunks that end anywhere: in the middle of a line, of a
//! `\r\n` pair, of a UTF-8 sequence. [`Lines`] and [`RawLines`] keep the incomplete tail between
//! calls, so the plugin only ever sees whole lines.
//!
//! ```
//! use custode_sdk::text::Lines;
//!
//! let mut lines = Lines::new();
//! let mut got = lines.push(b"\xEF\xBB\xBFanna@example.com\r\nmar");
//! got.extend(lines.push("co@example.com\r\nCaf\u{e9}".as_bytes()));
//! got.extend(lines.finish());
//! assert_eq!(got, vec![
//!     (1, "anna@example.com".to_string()),
//!     (2, "marco@example.com".to_string()),
//!     (3, "Café".to_string()),
//! ]);
//! ```

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Splits chunked input into lines of raw bytes, numbered from 1. `\n` and `\r\n` end a line; a
/// UTF-8 byte order mark at the very start is dropped.
///
/// With [`RawLines::unfolding`], a line that starts with a space or a tab continues the previous
/// one (RFC 5322, RFC 6350 folding): the line break and that one whitespace character are removed,
/// even when the break falls inside a UTF-8 sequence. An unfolded line carries the number of its
/// first physical line.
///
/// ```
/// use custode_sdk::text::RawLines;
/// let mut lines = RawLines::unfolding();
/// let mut got = lines.push(b"NOTE:one\r\n two\r\n");
/// got.extend(lines.push(b"\tthree\r\nEND:VCARD"));
/// got.extend(lines.finish());
/// assert_eq!(got, vec![(1, b"NOTE:onetwothree".to_vec()), (4, b"END:VCARD".to_vec())]);
/// ```
#[derive(Debug, Default)]
pub struct RawLines {
    tail: Vec<u8>,
    next_line: u64,
    started: bool,
    unfold: bool,
    /// The last complete line, held back until we know whether the next one continues it.
    held: Option<(u64, Vec<u8>)>,
}

impl RawLines {
    /// A splitter that returns each physical line.
    pub fn new() -> Self {
        RawLines {
            next_line: 1,
            ..Default::default()
        }
    }

    /// A splitter that joins folded lines (see the type's documentation).
    pub fn unfolding() -> Self {
        RawLines {
            next_line: 1,
            unfold: true,
            ..Default::default()
        }
    }

    /// Adds a chunk; returns the lines it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<(u64, Vec<u8>)> {
        self.tail.extend_from_slice(chunk);
        if !self.started {
            // Wait until we can tell whether the input starts with a byte order mark.
            if self.tail.len() < BOM.len() && BOM.starts_with(&self.tail) {
                return Vec::new();
            }
            self.started = true;
            if self.tail.starts_with(BOM) {
                self.tail.drain(..BOM.len());
            }
        }
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.tail[start..].iter().position(|&b| b == b'\n') {
            let end = start + pos;
            let line = strip_cr(&self.tail[start..end]).to_vec();
            self.emit(line, &mut out);
            start = end + 1;
        }
        self.tail.drain(..start);
        // The first byte of the next line decides whether a held line is complete.
        if self.unfold && !self.tail.is_empty() && !matches!(self.tail[0], b' ' | b'\t') {
            out.extend(self.held.take());
        }
        out
    }

    /// The input ended: returns the remaining lines (the last one may have had no line break).
    pub fn finish(&mut self) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        if !self.tail.is_empty() {
            let line = strip_cr(&self.tail).to_vec();
            self.tail.clear();
            self.emit(line, &mut out);
        }
        out.extend(self.held.take());
        self.started = false;
        out
    }

    fn emit(&mut self, line: Vec<u8>, out: &mut Vec<(u64, Vec<u8>)>) {
        let number = self.next_line;
        self.next_line += 1;
        if !self.unfold {
            out.push((number, line));
            return;
        }
        match (&mut self.held, line.first()) {
            (Some((_, held)), Some(b' ' | b'\t')) => held.extend_from_slice(&line[1..]),
            _ => {
                out.extend(self.held.take());
                self.held = Some((number, line));
            }
        }
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits chunked input into decoded lines, numbered from 1. `\n` and `\r\n` both end a line;
/// a UTF-8 byte order mark at the start is dropped; a line that is not valid UTF-8 is decoded as
/// Windows-1252 (see [`decode`]).
#[derive(Debug, Default)]
pub struct Lines {
    raw: RawLines,
}

impl Lines {
    pub fn new() -> Self {
        Lines {
            raw: RawLines::new(),
        }
    }

    /// Adds a chunk; returns the lines it completed, each with its line number.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<(u64, String)> {
        self.raw
            .push(chunk)
            .into_iter()
            .map(|(n, l)| (n, decode(&l)))
            .collect()
    }

    /// The input ended: returns the last line if it had no line break.
    pub fn finish(&mut self) -> Vec<(u64, String)> {
        self.raw
            .finish()
            .into_iter()
            .map(|(n, l)| (n, decode(&l)))
            .collect()
    }
}

/// Decodes bytes as UTF-8, or, when they are not valid UTF-8, as Windows-1252 (the encoding of
/// Excel's CSV exports on Italian and other Western European systems).
///
/// ```
/// use custode_sdk::text::decode;
/// assert_eq!(decode("città".as_bytes()), "città");
/// assert_eq!(decode(b"citt\xE0 \x80"), "città €");
/// ```
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => decode_windows_1252(bytes),
    }
}

/// Like [`decode`], but takes ownership and so does not copy valid UTF-8.
pub fn decode_owned(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => decode_windows_1252(e.as_bytes()),
    }
}

/// Decodes bytes as Windows-1252, which also reads ISO-8859-1 (Latin-1) text correctly except
/// for the rarely used control characters 0x80–0x9F.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| windows_1252(b)).collect()
}

/// The character Windows-1252 maps a byte to.
pub fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_splits(input: &[u8], unfold: bool) -> Vec<Vec<(u64, Vec<u8>)>> {
        // Every way of cutting the input in two, plus one byte at a time.
        let run = |chunks: Vec<&[u8]>| {
            let mut l = if unfold {
                RawLines::unfolding()
            } else {
                RawLines::new()
            };
            let mut out: Vec<_> = chunks.into_iter().flat_map(|c| l.push(c)).collect();
            out.extend(l.finish());
            out
        };
        let mut results: Vec<_> = (0..=input.len())
            .map(|i| run(vec![&input[..i], &input[i..]]))
            .collect();
        results.push(run(input.chunks(1).collect()));
        results
    }

    #[test]
    fn lines_survive_any_chunking() {
        let input = "\u{feff}uno\r\ndue\n\nquattro è\r\n".as_bytes();
        let expected = vec![
            (1, b"uno".to_vec()),
            (2, b"due".to_vec()),
            (3, Vec::new()),
            (4, "quattro è".as_bytes().to_vec()),
        ];
        for got in all_splits(input, false) {
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn unfolding_survives_any_chunking_even_inside_utf8() {
        // "è" (C3 A8) folded between its two bytes, as RFC 6350 warns simple writers do.
        let input = b"BEGIN:VCARD\r\nFN:Nicol\xC3\r\n \xA8 Rossi\r\n\tjr\r\nEND:VCARD\r\n";
        let expected = vec![
            (1, b"BEGIN:VCARD".to_vec()),
            (2, "FN:Nicolè Rossijr".as_bytes().to_vec()),
            (5, b"END:VCARD".to_vec()),
        ];
        for got in all_splits(input, true) {
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn bom_only_at_the_start() {
        let mut l = Lines::new();
        let got = [
            l.push(b"\xEF\xBB"),
            l.push(b"\xBFa\n\xEF\xBB\xBFb"),
            l.finish(),
        ]
        .concat();
        assert_eq!(got, vec![(1, "a".into()), (2, "\u{feff}b".into())]);
    }

    #[test]
    fn windows_1252_fallback_per_line() {
        let mut l = Lines::new();
        let got = [l.push(b"Citt\xE0;\x80 10\nCitt\xC3\xA0\n"), l.finish()].concat();
        assert_eq!(got, vec![(1, "Città;€ 10".into()), (2, "Città".into())]);
        assert_eq!(decode_owned(b"\x93ok\x94".to_vec()), "“ok”");
    }

    #[test]
    fn no_trailing_newline_and_empty_input() {
        let mut l = Lines::new();
        assert_eq!(
            [l.push(b"a\r\nb\r"), l.finish()].concat(),
            vec![(1, "a".into()), (2, "b".into())]
        );
        let mut empty = Lines::new();
        assert!(empty.finish().is_empty());
    }
}
