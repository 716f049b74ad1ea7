//! Parsing the date and time formats found in CSV exports, vCards and webhook payloads.

use super::{Civil, Timestamp};

/// How to read a numeric date whose year comes last: `03/04/2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// `dd/mm/yyyy`, as in Italy and most of Europe (the default).
    #[default]
    DayFirst,
    /// `mm/dd/yyyy`, as in the United States.
    MonthFirst,
}

/// Parses a date, or a date and time, into a [`Timestamp`].
///
/// Accepted, with surrounding spaces ignored:
///
/// | form | example |
/// |---|---|
/// | ISO date | `2026-01-15`, `2026/01/15`, `20260115` |
/// | ISO date and time, `T` or a space between | `2026-01-15T10:30`, `2026-01-15 10:30:00`, `20260115T103000Z` |
/// | with fractions of a second (dropped) | `2026-01-15T10:30:00.250Z` |
/// | with a zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`); none means UTC | `2026-01-15T11:30:00+01:00` |
/// | day first (or month first with [`DateOrder::MonthFirst`]), `/` `-` or `.` | `15/01/2026`, `15-01-2026`, `15.1.2026` |
/// | the same with a time | `15/01/2026 10:30`, `15/01/2026 10:30:59` |
///
/// The error is a sentence naming the text and the accepted forms.
///
/// ```
/// use custode_sdk::time::{format_iso, parse_date, DateOrder};
/// let t = parse_date("2026-01-15T11:30:00+01:00", DateOrder::DayFirst).unwrap();
/// assert_eq!(format_iso(t), "2026-01-15T10:30:00Z");
/// assert_eq!(parse_date("03/04/2026", DateOrder::MonthFirst), parse_date("2026-03-04", DateOrder::DayFirst));
/// assert_eq!(
///     parse_date("31/02/2026", DateOrder::DayFirst).unwrap_err(),
///     "`31/02/2026` is not a date (February 2026 has 28 days); use YYYY-MM-DD or dd/mm/yyyy"
/// );
/// ```
pub fn parse_date(text: &str, order: DateOrder) -> Result<Timestamp, String> {
    let trimmed = text.trim();
    parse(trimmed.as_bytes(), order).map_err(|detail| {
        let forms = match order {
            DateOrder::DayFirst => "YYYY-MM-DD or dd/mm/yyyy",
            DateOrder::MonthFirst => "YYYY-MM-DD or mm/dd/yyyy",
        };
        match detail {
            Some(detail) => format!("`{trimmed}` is not a date ({detail}); use {forms}"),
            None => format!("`{trimmed}` is not a date; use {forms}"),
        }
    })
}

/// `Err(None)`: not a form we know; `Err(Some(why))`: a known form with a part out of range.
type Parsed<T> = Result<T, Option<String>>;

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn digits_run(&self) -> usize {
        self.s[self.i..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    }
    /// Exactly `n` digits.
    fn number(&mut self, n: usize) -> Parsed<u32> {
        if self.digits_run() < n {
            return Err(None);
        }
        let v = self.s[self.i..self.i + n]
            .iter()
            .fold(0u32, |v, b| v * 10 + u32::from(b - b'0'));
        self.i += n;
        Ok(v)
    }
    /// One or two digits.
    fn small(&mut self) -> Parsed<u32> {
        match self.digits_run() {
            1 => self.number(1),
            2 => self.number(2),
            _ => Err(None),
        }
    }
    fn done(&self) -> bool {
        self.i == self.s.len()
    }
}

fn parse(s: &[u8], order: DateOrder) -> Parsed<Timestamp> {
    let mut c = Cursor { s, i: 0 };
    let run = c.digits_run();
    let (year, month, day, basic) = if run == 4 {
        let year = c.number(4)?;
        let sep = c.peek().filter(|b| matches!(b, b'-' | b'/')).ok_or(None)?;
        c.i += 1;
        let month = c.small()?;
        if !c.eat(sep) {
            return Err(None);
        }
        (year, month, c.small()?, false)
    } else if run == 8 {
        (c.number(4)?, c.number(2)?, c.number(2)?, true)
    } else if run == 1 || run == 2 {
        let first = c.small()?;
        let sep = c
            .peek()
            .filter(|b| matches!(b, b'/' | b'-' | b'.'))
            .ok_or(None)?;
        c.i += 1;
        let second = c.small()?;
        if !c.eat(sep) {
            return Err(None);
        }
        match c.digits_run() {
            4 => {}
            2 => return Err(Some("the year has two digits; write all four".into())),
            _ => return Err(None),
        }
        let year = c.number(4)?;
        match order {
            DateOrder::DayFirst => (year, second, first, false),
            DateOrder::MonthFirst => (year, first, second, false),
        }
    } else {
        return Err(None);
    };

    let (mut hour, mut minute, mut second) = (0, 0, 0);
    let mut offset = 0i64;
    if !c.done() {
        let sep = c.peek();
        if !matches!(sep, Some(b'T' | b't' | b' ')) {
            return Err(None);
        }
        while c.eat(b' ') {}
        if sep != Some(b' ') {
            c.i += 1;
        }
        (hour, minute, second) = time_of_day(&mut c, basic)?;
        offset = zone(&mut c)?;
        if !c.done() {
            return Err(None);
        }
    }
    let civil = Civil::new(i64::from(year), month, day, hour, minute, second).map_err(Some)?;
    Ok(civil.to_timestamp() - offset)
}

/// `HH:MM[:SS[.fff]]`, or `HHMM[SS]` after a basic-format date.
fn time_of_day(c: &mut Cursor, basic: bool) -> Parsed<(u32, u32, u32)> {
    let hour = c.number(2).or_else(|_| c.small())?;
    let colon = c.eat(b':');
    if !colon && !basic {
        return Err(None);
    }
    let minute = c.number(2)?;
    let mut second = 0;
    if (colon && c.eat(b':')) || (!colon && c.digits_run() >= 2) {
        second = c.number(2)?;
        if c.eat(b'.') || c.eat(b',') {
            if c.digits_run() == 0 {
                return Err(None);
            }
            c.i += c.digits_run();
        }
    }
    Ok((hour, minute, second))
}

/// The zone suffix as seconds east of UTC: `Z`, `±HH:MM`, `±HHMM`, `±HH`, optionally after a space.
fn zone(c: &mut Cursor) -> Parsed<i64> {
    while c.eat(b' ') {}
    if c.eat(b'Z') || c.eat(b'z') || c.done() {
        return Ok(0);
    }
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(None),
    };
    c.i += 1;
    let hours = c.number(2)?;
    let minutes = if c.eat(b':') || c.digits_run() == 2 {
        c.number(2)?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return Err(Some(format!(
            "the zone offset {hours:02}:{minutes:02} is out of range"
        )));
    }
    Ok(sign * (i64::from(hours) * 3600 + i64::from(minutes) * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_iso;

    fn iso(s: &str) -> String {
        format_iso(parse_date(s, DateOrder::DayFirst).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn iso_forms() {
        assert_eq!(iso("2026-01-15"), "2026-01-15T00:00:00Z");
        assert_eq!(iso(" 2026/1/5 "), "2026-01-05T00:00:00Z");
        assert_eq!(iso("20260115"), "2026-01-15T00:00:00Z");
        assert_eq!(iso("2026-01-15T10:30"), "2026-01-15T10:30:00Z");
        assert_eq!(iso("2026-01-15 10:30:45"), "2026-01-15T10:30:45Z");
        assert_eq!(iso("2026-01-15T10:30:45.123456Z"), "2026-01-15T10:30:45Z");
        assert_eq!(iso("2026-01-15T00:30:00+01:00"), "2026-01-14T23:30:00Z");
        assert_eq!(iso("2026-01-15T10:30:00-0530"), "2026-01-15T16:00:00Z");
        assert_eq!(iso("2026-01-15T10:30:00+02"), "2026-01-15T08:30:00Z");
        assert_eq!(iso("2026-01-15 10:30:00 +0000"), "2026-01-15T10:30:00Z");
        assert_eq!(iso("20260115T103000Z"), "2026-01-15T10:30:00Z");
        assert_eq!(iso("20260115T1030"), "2026-01-15T10:30:00Z");
    }

    #[test]
    fn european_forms() {
        assert_eq!(iso("15/01/2026"), "2026-01-15T00:00:00Z");
        assert_eq!(iso("5/1/2026"), "2026-01-05T00:00:00Z");
        assert_eq!(iso("15-01-2026"), "2026-01-15T00:00:00Z");
        assert_eq!(iso("15.01.2026"), "2026-01-15T00:00:00Z");
        assert_eq!(iso("15/01/2026 9:05"), "2026-01-15T09:05:00Z");
        assert_eq!(iso("15/01/2026  09:05:07"), "2026-01-15T09:05:07Z");
        assert_eq!(iso("29/02/2024"), "2024-02-29T00:00:00Z");
    }

    #[test]
    fn month_first() {
        let t = parse_date("01/15/2026 10:30", DateOrder::MonthFirst).unwrap();
        assert_eq!(format_iso(t), "2026-01-15T10:30:00Z");
        assert!(parse_date("01/15/2026", DateOrder::DayFirst).is_err());
    }

    #[test]
    fn errors_say_what_and_how() {
        let err = |s| parse_date(s, DateOrder::DayFirst).unwrap_err();
        assert_eq!(
            err("31/02/2026"),
            "`31/02/2026` is not a date (February 2026 has 28 days); use YYYY-MM-DD or dd/mm/yyyy"
        );
        assert_eq!(
            err("2026-13-01"),
            "`2026-13-01` is not a date (there is no month 13); use YYYY-MM-DD or dd/mm/yyyy"
        );
        assert_eq!(
            err("15/01/26"),
            "`15/01/26` is not a date (the year has two digits; write all four); use YYYY-MM-DD or dd/mm/yyyy"
        );
        assert_eq!(
            err("ieri"),
            "`ieri` is not a date; use YYYY-MM-DD or dd/mm/yyyy"
        );
        assert_eq!(err(""), "`` is not a date; use YYYY-MM-DD or dd/mm/yyyy");
        assert_eq!(
            parse_date("2026-01-15 25:00", DateOrder::MonthFirst).unwrap_err(),
            "`2026-01-15 25:00` is not a date (25:00:00 is not a time of day); use YYYY-MM-DD or mm/dd/yyyy"
        );
        for bad in [
            "2026-01",
            "2026-01-15T",
            "2026-01-15X10:00",
            "15/01-2026",
            "2026-01-15T10",
            "2026-01-15T10:30:00+1",
            "15/01/2026 10:30 pm",
            "2026-01-15T10:30:00.Z",
            "1768473000",
            "2026-1-15-",
        ] {
            assert!(
                parse_date(bad, DateOrder::DayFirst).is_err(),
                "{bad} should be rejected"
            );
        }
    }
}
