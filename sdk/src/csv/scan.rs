//! Byte scanning for the CSV reader: the field scanner and what the header line tells.

/// The position of the first delimiter, `\n` or `\r` at or after `p` (or `buf.len()`).
///
/// Eight bytes at a time: `has_zero(w ^ splat(b))` is non-zero where a byte of `w` equals `b`
/// (its lowest set bit exactly marks the first such byte). This is the reader's innermost loop.
#[inline]
pub(super) fn find_stop(buf: &[u8], mut p: usize, delimiter: u8, stops: &[bool; 256]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let (d, n, r) = (
        LO * u64::from(delimiter),
        LO * u64::from(b'\n'),
        LO * u64::from(b'\r'),
    );
    while let Some(word) = buf.get(p..p + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let found = has_zero(w ^ d) | has_zero(w ^ n) | has_zero(w ^ r);
        if found != 0 {
            return p + (found.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while p < buf.len() && !stops[usize::from(buf[p])] {
        p += 1;
    }
    p
}

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
