//! Splitting chunked input into lines, and decoding text.

/// Splits input arriving in arbitrary chunks into lines, keeping the incomplete tail between calls.
/// Lines are numbered from 1; `\n` and `\r\n` both end a line; invalid UTF-8 is decoded with
/// [`decode`] (Windows-1252 fallback).
#[derive(Default)]
pub struct Lines {
    tail: Vec<u8>,
    next_line: u64,
    started: bool,
}

impl Lines {
    pub fn new() -> Self {
        Lines {
            tail: Vec::new(),
            next_line: 1,
            started: false,
        }
    }

    /// Adds a chunk; returns the lines it completed, each with its line number.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<(u64, String)> {
        self.tail.extend_from_slice(chunk);
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.tail[start..].iter().position(|&b| b == b'\n') {
            let end = start + pos;
            out.push(self.line(start, end));
            start = end + 1;
        }
        self.tail.drain(..start);
        out
    }

    /// The input ended: returns the last line if it had no line break.
    pub fn finish(&mut self) -> Vec<(u64, String)> {
        if self.tail.is_empty() {
            return Vec::new();
        }
        let len = self.tail.len();
        let line = self.line(0, len);
        self.tail.clear();
        vec![line]
    }

    fn line(&mut self, start: usize, end: usize) -> (u64, String) {
        let mut bytes = &self.tail[start..end];
        if bytes.last() == Some(&b'\r') {
            bytes = &bytes[..bytes.len() - 1];
        }
        if !self.started {
            self.started = true;
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let number = self.next_line;
        self.next_line += 1;
        (number, decode(bytes))
    }
}

/// Decodes bytes as UTF-8, or, when they are not valid UTF-8, as Windows-1252 (the encoding of
/// Excel's CSV exports on Italian and other Western European systems).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

/// The character Windows-1252 maps a byte to.
pub fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}
