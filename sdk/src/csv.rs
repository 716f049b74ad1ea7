//! A chunk-safe CSV reader: [`CsvReader`].
//!
//! Feed it the input in chunks of any size; it returns every record completed so far, each with the
//! 1-based line it starts on. It follows RFC 4180 (`"` quoting with `""` escapes; quoted fields may
//! hold delimiters and line breaks) and what spreadsheets really write:
//!
//! - `\r\n`, `\n` or a lone `\r` ends a record; blank lines are skipped;
//! - a UTF-8 byte order mark is dropped; Excel's `sep=;` first line sets the delimiter;
//! - the delimiter (`,` `;` or tab) is detected from the header line unless set;
//! - each record that is not valid UTF-8 is read as Windows-1252 (Excel's CSV on Italian systems),
//!   or every record is, with [`Encoding::Windows1252`];
//! - a quote inside an unquoted field, or text after a closing quote, is kept as written.
//!
//! ```
//! use custode_sdk::csv::CsvReader;
//!
//! let mut reader = CsvReader::new();
//! let mut records = reader.push(b"Nome;Note\r\nAnna;\"prima riga\r\nseconda; riga\"\r\nMar").unwrap();
//! records.extend(reader.push(b"co;\"detto \"\"il rosso\"\"\"").unwrap());
//! records.extend(reader.finish().unwrap());
//!
//! assert_eq!(reader.delimiter(), Some(b';'));
//! let rows: Vec<(u64, Vec<&str>)> = records.iter().map(|r| (r.line(), r.iter().collect())).collect();
//! assert_eq!(rows, vec![
//!     (1, vec!["Nome", "Note"]),
//!     (2, vec!["Anna", "prima riga\r\nseconda; riga"]),
//!     (4, vec!["Marco", "detto \"il rosso\""]),
//! ]);
//! ```

mod record;
mod scan;

pub use record::{CsvRecord, CsvRow};
use scan::{detect_delimiter, excel_sep_line, first_line};

/// How the bytes of the input are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8; a record that is not valid UTF-8 is read as Windows-1252 (the default).
    #[default]
    Auto,
    /// Every record is Windows-1252 (also right for ISO-8859-1), even when it would be valid UTF-8.
    Windows1252,
}

/// A problem that stops reading: the input cannot be split into records any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line where the problem starts.
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Reads a delimiter setting: `,` `;` `|`, or `tab` (also `\t` or a tab character).
///
/// ```
/// use custode_sdk::csv::parse_delimiter;
/// assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
/// assert_eq!(parse_delimiter(";"), Ok(b';'));
/// assert!(parse_delimiter("::").is_err());
/// ```
pub fn parse_delimiter(text: &str) -> Result<u8, String> {
    if text == "\t" {
        return Ok(b'\t');
    }
    match text.trim().to_ascii_lowercase().as_str() {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "tab" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        other => Err(format!(
            "`{other}` is not a delimiter; use `,` `;` `tab` or `|`"
        )),
    }
}

/// The largest record [`CsvReader`] holds by default before deciding a closing quote is missing.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 4 << 20;

/// Reads CSV records from chunked input. See the [module documentation](self).
///
/// The fields are split by `csv-core`'s push parser, which keeps its state between chunks; the
/// reader adds what spreadsheets need around it (the header handling, blank lines, line numbers,
/// decoding, the size limit, a missing closing quote as an error instead of a record).
#[derive(Debug)]
pub struct CsvReader {
    delimiter: Option<u8>,
    encoding: Encoding,
    max_record_bytes: usize,
    /// Input held until the header line is complete (the delimiter is detected from it); empty
    /// once started, since the parser takes every chunk whole.
    buf: Vec<u8>,
    /// The line the current record starts on (or the next one will).
    line: u64,
    started: bool,
    parser: csv_core::Reader,
    /// The parser has read part of a record: the rest comes with the next chunk.
    pending: bool,
    /// Bytes of input read for the pending record, against `max_record_bytes`.
    record_bytes: usize,
    /// The parser's line count (`\n` it read) when the current record started.
    parser_line: u64,
    /// The last record ended with `\r`: a `\n` right after it belongs to that line break.
    after_cr: bool,
    /// The fields of the current record as the parser writes them (`out_len` bytes used) and the
    /// end of each (`ends_len` used); reused, so a record allocates only when it is the longest yet.
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    scratch_ends: Vec<u32>,
    /// Where Windows-1252 records are decoded to.
    decoded: String,
    decoded_ends: Vec<u32>,
}

impl Default for CsvReader {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvReader {
    /// A reader that detects the delimiter and decodes UTF-8 with Windows-1252 fallback.
    pub fn new() -> Self {
        CsvReader {
            delimiter: None,
            encoding: Encoding::Auto,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            buf: Vec::new(),
            line: 1,
            started: false,
            parser: csv_core::Reader::new(),
            pending: false,
            record_bytes: 0,
            parser_line: 1,
            after_cr: false,
            out: vec![0; 1024],
            out_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            scratch_ends: Vec::new(),
            decoded: String::new(),
            decoded_ends: Vec::new(),
        }
    }

    /// Uses this delimiter instead of detecting one (e.g. `b';'`).
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    pub fn with_encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// A record longer than this is an error (most likely a missing closing quote), so that one
    /// stray `"` cannot make the reader hold the rest of a huge file in memory.
    pub fn with_max_record_bytes(mut self, max: usize) -> Self {
        self.max_record_bytes = max;
        self
    }

    /// The delimiter in use: the configured one, or the detected one once the header line is read.
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// Adds a chunk; returns the records it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<CsvRecord>, CsvError> {
        let mut out = Vec::new();
        self.push_each(chunk, |row| out.push(row.to_record()))?;
        Ok(out)
    }

    /// The input has ended: returns the last record (one without a final line break).
    pub fn finish(&mut self) -> Result<Vec<CsvRecord>, CsvError> {
        let mut out = Vec::new();
        self.finish_each(|row| out.push(row.to_record()))?;
        Ok(out)
    }

    /// Adds a chunk and calls `each` with every record it completed, borrowed: the fastest way to
    /// read, since a record then costs no allocation at all.
    ///
    /// ```
    /// use custode_sdk::csv::CsvReader;
    /// let mut reader = CsvReader::new();
    /// let mut emails = Vec::new();
    /// reader.push_each(b"email\na@example.com\nb@exa", |row| emails.push(row.get(0).unwrap().to_string())).unwrap();
    /// reader.finish_each(|row| emails.push(row.get(0).unwrap().to_string())).unwrap();
    /// assert_eq!(emails, ["email", "a@example.com", "b@exa"]);
    /// ```
    pub fn push_each(
        &mut self,
        chunk: &[u8],
        mut each: impl FnMut(CsvRow<'_>),
    ) -> Result<(), CsvError> {
        if self.started {
            return self.feed(chunk, &mut each);
        }
        self.buf.extend_from_slice(chunk);
        if !self.start(false)? {
            return Ok(());
        }
        let held = std::mem::take(&mut self.buf);
        self.feed(&held, &mut each)
    }

    /// The input has ended: calls `each` with the last record, if any.
    pub fn finish_each(&mut self, mut each: impl FnMut(CsvRow<'_>)) -> Result<(), CsvError> {
        if !self.started {
            if !self.start(true)? {
                return Ok(());
            }
            let held = std::mem::take(&mut self.buf);
            self.feed(&held, &mut each)?;
        }
        if !self.pending {
            return Ok(());
        }
        // A line break ends the last record, unless it is inside a quoted field: then the
        // record is still pending and the quote was never closed.
        self.feed(b"\n", &mut each)?;
        if self.pending {
            return Err(CsvError {
                line: self.line,
                message:
                    "a quoted field is not closed before the end of the input; add the missing `\"`"
                        .into(),
            });
        }
        Ok(())
    }

    /// Parses `input` (after the start of the input was handled), calling `each` per record.
    fn feed(&mut self, mut input: &[u8], each: &mut dyn FnMut(CsvRow<'_>)) -> Result<(), CsvError> {
        loop {
            if !self.pending {
                // Line breaks between records are blank lines: skipped here, counted.
                while let Some(&b) = input.first() {
                    match b {
                        b'\n' if self.after_cr => self.after_cr = false,
                        b'\n' => self.line += 1,
                        b'\r' => {
                            self.line += 1;
                            self.after_cr = true;
                        }
                        _ => break,
                    }
                    input = &input[1..];
                }
                if input.is_empty() {
                    return Ok(());
                }
                self.after_cr = false;
                self.parser_line = self.parser.line();
            }
            let (result, read, written, ended) = self.parser.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            let consumed = &input[..read];
            input = &input[read..];
            self.out_len += written;
            self.ends_len += ended;
            self.record_bytes += read;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {
                    self.pending = true;
                    if self.record_bytes > self.max_record_bytes {
                        return Err(CsvError {
                            line: self.line,
                            message: format!(
                                "a record runs over {} MiB; a closing quote `\"` is probably missing in it",
                                self.max_record_bytes >> 20
                            ),
                        });
                    }
                    return Ok(());
                }
                csv_core::ReadRecordResult::OutputFull => {
                    self.pending = true;
                    let len = self.out.len();
                    self.out.resize(len * 2, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    self.pending = true;
                    let len = self.ends.len();
                    self.ends.resize(len * 2, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    each(self.current_row());
                    self.line += self.parser.line() - self.parser_line;
                    // `\r` alone ends a line too; the parser counts only `\n`.
                    if consumed.last() == Some(&b'\r') {
                        self.line += 1;
                        self.after_cr = true;
                    }
                    self.pending = false;
                    self.record_bytes = 0;
                    self.out_len = 0;
                    self.ends_len = 0;
                }
                csv_core::ReadRecordResult::End => return Ok(()),
            }
        }
    }

    /// Handles what only the start of the input can hold: a BOM, `sep=`, the header to detect the
    /// delimiter from. Returns false when more input is needed first.
    fn start(&mut self, eof: bool) -> Result<bool, CsvError> {
        if !eof && self.buf.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.buf) {
            return Ok(false);
        }
        if self.buf.starts_with(b"\xFF\xFE") || self.buf.starts_with(b"\xFE\xFF") {
            return Err(CsvError {
                line: 1,
                message: "the input is UTF-16 text (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" or as CSV"
                    .into(),
            });
        }
        let bom = if self.buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        if self.delimiter.is_none() {
            match first_line(&self.buf[bom..]) {
                Some(range) => {
                    let line = &self.buf[bom + range.0..bom + range.1];
                    if let Some(sep) = excel_sep_line(line) {
                        self.delimiter = Some(sep);
                        self.line += 1 + self.buf[bom..bom + range.0]
                            .iter()
                            .filter(|&&b| b == b'\n')
                            .count() as u64;
                        self.buf.drain(..bom + range.1);
                        self.skip_line_break();
                        self.begin();
                        return Ok(true);
                    }
                    self.delimiter = Some(detect_delimiter(line));
                }
                None if eof => self.delimiter = Some(detect_delimiter(&self.buf[bom..])),
                None if self.buf.len() > self.max_record_bytes => {
                    return Err(CsvError {
                        line: 1,
                        message: "the header line is longer than the largest record allowed".into(),
                    })
                }
                None => return Ok(false),
            }
        }
        self.buf.drain(..bom);
        self.begin();
        Ok(true)
    }

    fn skip_line_break(&mut self) {
        let n = match self.buf.as_slice() {
            [b'\r', b'\n', ..] => 2,
            [b'\n' | b'\r', ..] => 1,
            _ => 0,
        };
        self.buf.drain(..n);
    }

    /// The delimiter is known: sets up the parser. Its quoting is RFC 4180's (`"`, `""` inside
    /// quotes, no escape character, no comments); `\r\n`, `\n` and `\r` each end a record.
    fn begin(&mut self) {
        self.parser = csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter.unwrap_or(b','))
            .build();
        self.started = true;
    }

    /// The record the parser just completed, decoded.
    fn current_row(&mut self) -> CsvRow<'_> {
        let bytes = &self.out[..self.out_len];
        self.scratch_ends.clear();
        self.scratch_ends
            .extend(self.ends[..self.ends_len].iter().map(|&e| e as u32));
        if self.encoding == Encoding::Auto {
            if let Some(text) = record::utf8_fields(bytes, &self.scratch_ends) {
                return CsvRow::new(self.line, text, &self.scratch_ends, false);
            }
        }
        record::decode_windows_1252(
            bytes,
            &self.scratch_ends,
            &mut self.decoded,
            &mut self.decoded_ends,
        );
        CsvRow::new(self.line, &self.decoded, &self.decoded_ends, true)
    }
}

#[cfg(test)]
mod tests;
