//! What the header line tells the CSV reader: the delimiter, Excel's `sep=` line.

/// The byte range of the first non-blank line (outside quotes), without its line break.
pub(super) fn first_line(buf: &[u8]) -> Option<(usize, usize)> {
    let mut start = 0;
    let mut in_quotes = false;
    for (i, &b) in buf.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\r' if !in_quotes && i + 1 == buf.len() => return None, // `\n` may follow
            b'\n' | b'\r' if !in_quotes => {
                if buf[start..i].iter().all(|b| b.is_ascii_whitespace()) {
                    start = i + 1;
                } else {
                    return Some((start, i));
                }
            }
            _ => {}
        }
    }
    None
}

/// Excel's `sep=;` hint line, which sets the delimiter.
pub(super) fn excel_sep_line(line: &[u8]) -> Option<u8> {
    match line {
        [b's' | b'S', b'e' | b'E', b'p' | b'P', b'=', sep] => Some(*sep),
        _ => None,
    }
}

/// The most frequent of `,` `;` tab outside quotes; `,` when none occurs or on a tie with it.
pub(super) fn detect_delimiter(header: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in header {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    [b',', b';', b'\t'][best]
}
