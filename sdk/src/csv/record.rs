//! One CSV record: its fields as text, in one allocation.

use super::Encoding;
use crate::text::windows_1252;

/// One record read by [`CsvReader`](super::CsvReader): its starting line and its fields.
///
/// The fields share one string, so a record costs two allocations however many fields it has.
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
    /// End offset in `text` of each field.
    ends: Vec<u32>,
    windows_1252: bool,
}

impl CsvRecord {
    /// Decodes a record read as bytes (`ends` are the fields' end offsets in `bytes`).
    pub(super) fn decode(line: u64, bytes: &[u8], ends: &[u32], encoding: Encoding) -> CsvRecord {
        if encoding == Encoding::Auto {
            // The fields' bytes are joined, so a field boundary could fall inside a character that
            // two invalid halves happen to form: such a record is not valid UTF-8 field by field.
            let valid = std::str::from_utf8(bytes)
                .ok()
                .filter(|t| ends.iter().all(|&e| t.is_char_boundary(e as usize)));
            if let Some(text) = valid {
                return CsvRecord {
                    line,
                    text: text.to_owned(),
                    ends: ends.to_vec(),
                    windows_1252: false,
                };
            }
        }
        // Windows-1252 characters take 1 to 3 bytes in UTF-8, so the offsets move.
        let mut text = String::with_capacity(bytes.len() + bytes.len() / 4);
        let mut new_ends = Vec::with_capacity(ends.len());
        let mut start = 0;
        for &end in ends {
            text.extend(bytes[start..end as usize].iter().map(|&b| windows_1252(b)));
            new_ends.push(text.len() as u32);
            start = end as usize;
        }
        CsvRecord {
            line,
            text,
            ends: new_ends,
            windows_1252: true,
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
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        Some(&self.text[start..end])
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.get(i).unwrap_or_default())
    }

    /// Whether every field is empty or whitespace, like the `;;;;` lines spreadsheets leave at the end.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Whether the record was read as Windows-1252 (it was not valid UTF-8, or the reader was told so).
    pub fn was_windows_1252(&self) -> bool {
        self.windows_1252
    }
}
