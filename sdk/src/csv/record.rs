//! One CSV record, borrowed ([`CsvRow`]) or owned ([`CsvRecord`]).

use crate::text::windows_1252;

/// One record read by [`CsvReader`](super::CsvReader), borrowed from the reader's buffers: its
/// starting line and its fields. See [`CsvReader::push_each`](super::CsvReader::push_each).
#[derive(Debug, Clone, Copy)]
pub struct CsvRow<'a> {
    line: u64,
    text: &'a str,
    /// End offset in `text` of each field.
    ends: &'a [u32],
    windows_1252: bool,
}

impl<'a> CsvRow<'a> {
    pub(super) fn new(line: u64, text: &'a str, ends: &'a [u32], windows_1252: bool) -> Self {
        CsvRow {
            line,
            text,
            ends,
            windows_1252,
        }
    }

    /// The 1-based line of the input where the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields (never true for records returned by the reader).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The field at `index` (0-based), as written (not trimmed).
    pub fn get(&self, index: usize) -> Option<&'a str> {
        let end = *self.ends.get(index)? as usize;
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        Some(&self.text[start..end])
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (text, ends) = (self.text, self.ends);
        ends.iter().scan(0usize, move |start, &end| {
            let field = &text[*start..end as usize];
            *start = end as usize;
            Some(field)
        })
    }

    /// Whether every field is empty or whitespace, like the `;;;;` lines spreadsheets leave at the end.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Whether the record was read as Windows-1252 (it was not valid UTF-8, or the reader was told so).
    pub fn was_windows_1252(&self) -> bool {
        self.windows_1252
    }

    /// An owned copy.
    pub fn to_record(&self) -> CsvRecord {
        CsvRecord {
            line: self.line,
            text: self.text.to_owned(),
            ends: self.ends.to_vec(),
            windows_1252: self.windows_1252,
        }
    }
}

/// One record read by [`CsvReader`](super::CsvReader), owned. The fields share one string, so a
/// record costs two allocations however many fields it has.
///
/// ```
/// use custode_sdk::csv::CsvReader;
/// let mut reader = CsvReader::new();
/// let records = reader.push(b"email,nome\nanna@example.com,  Anna \n").unwrap();
/// let row = &records[1];
/// assert_eq!((row.line(), row.len()), (2, 2));
/// assert_eq!(row.get(1), Some("  Anna "));
/// assert_eq!(row.get(2), None);
/// assert!(!row.is_blank());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    line: u64,
    text: String,
    ends: Vec<u32>,
    windows_1252: bool,
}

impl CsvRecord {
    /// The borrowed view, which has every accessor.
    pub fn row(&self) -> CsvRow<'_> {
        CsvRow::new(self.line, &self.text, &self.ends, self.windows_1252)
    }

    /// The 1-based line of the input where the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields (never true for records returned by the reader).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The field at `index` (0-based), as written (not trimmed).
    pub fn get(&self, index: usize) -> Option<&str> {
        self.row().get(index)
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.row().iter()
    }

    /// Whether every field is empty or whitespace.
    pub fn is_blank(&self) -> bool {
        self.row().is_blank()
    }

    /// Whether the record was read as Windows-1252.
    pub fn was_windows_1252(&self) -> bool {
        self.windows_1252
    }
}

/// The record's bytes as text when every field is valid UTF-8.
pub(super) fn utf8_fields<'a>(bytes: &'a [u8], ends: &[u32]) -> Option<&'a str> {
    // The fields' bytes are joined, so a field boundary could fall inside a character that two
    // invalid halves happen to form: such a record is not valid UTF-8 field by field.
    let text = std::str::from_utf8(bytes).ok()?;
    ends.iter()
        .all(|&e| text.is_char_boundary(e as usize))
        .then_some(text)
}

/// Decodes the record's fields as Windows-1252 into `text` and `new_ends` (cleared first).
pub(super) fn decode_windows_1252(
    bytes: &[u8],
    ends: &[u32],
    text: &mut String,
    new_ends: &mut Vec<u32>,
) {
    text.clear();
    new_ends.clear();
    let mut start = 0;
    for &end in ends {
        text.extend(bytes[start..end as usize].iter().map(|&b| windows_1252(b)));
        new_ends.push(text.len() as u32);
        start = end as usize;
    }
}
