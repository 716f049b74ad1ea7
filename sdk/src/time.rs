//! Dates and times without a clock: civil-date arithmetic, parsing, formatting.
//!
//! A [`Timestamp`] is whole seconds since 1970-01-01T00:00:00Z, the form every timestamp takes when
//! it crosses the plugin boundary. Plugins have no clock: "now" is always an argument.
//! The calendar is the proleptic Gregorian one, in UTC; a date without a time means midnight UTC.
//! The arithmetic is the SDK's own rather than a date crate's: it covers every `s64` timestamp a
//! plugin can be given, where `jiff` and `time` stop at the years ±9999 (docs/ARCHITECTURE.md,
//! "Decisions").
//!
//! ```
//! use custode_sdk::time::{add_months, format_iso, months_between, parse_date, DateOrder};
//!
//! let collected = parse_date("15/01/2024", DateOrder::DayFirst).unwrap();
//! let now = parse_date("2026-03-20T09:00:00Z", DateOrder::DayFirst).unwrap();
//! assert_eq!(format_iso(collected), "2024-01-15T00:00:00Z");
//! assert_eq!(months_between(collected, now), 26);
//! assert_eq!(format_iso(add_months(collected, 24)), "2026-01-15T00:00:00Z");
//! ```

mod parse;

pub use parse::{parse_date, DateOrder};

/// Seconds since 1970-01-01T00:00:00Z (UTC); negative before 1970. The same as the WIT `timestamp`.
pub type Timestamp = crate::types::Timestamp;

/// Seconds in a day (no leap seconds, as in Unix time).
pub const SECONDS_PER_DAY: i64 = 86_400;

/// A date and time of day in UTC, broken into its parts.
///
/// ```
/// use custode_sdk::time::Civil;
/// let c = Civil::from_timestamp(1_768_473_000);
/// assert_eq!((c.year, c.month, c.day, c.hour, c.minute, c.second), (2026, 1, 15, 10, 30, 0));
/// assert_eq!(c.to_timestamp(), 1_768_473_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Civil {
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Civil {
    /// The parts of a timestamp.
    pub fn from_timestamp(ts: Timestamp) -> Civil {
        let days = ts.div_euclid(SECONDS_PER_DAY);
        let secs = ts.rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
        }
    }

    /// The timestamp of these parts. Parts out of range are not checked here (see [`Civil::new`]).
    pub fn to_timestamp(&self) -> Timestamp {
        days_from_civil(self.year, self.month, self.day) * SECONDS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Checked constructor: `Err` names the part that is out of range.
    ///
    /// ```
    /// use custode_sdk::time::Civil;
    /// assert!(Civil::new(2024, 2, 29, 0, 0, 0).is_ok());
    /// assert_eq!(Civil::new(2026, 2, 29, 0, 0, 0).unwrap_err(), "February 2026 has 28 days");
    /// ```
    pub fn new(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Result<Civil, String> {
        if !(1..=12).contains(&month) {
            return Err(format!("there is no month {month}"));
        }
        let last = days_in_month(year, month);
        if day == 0 || day > last {
            return Err(format!(
                "{} {year} has {last} days",
                MONTH_NAMES[month as usize - 1]
            ));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(format!(
                "{hour:02}:{minute:02}:{second:02} is not a time of day"
            ));
        }
        Ok(Civil {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
///
/// ```
/// use custode_sdk::time::days_from_civil;
/// assert_eq!(days_from_civil(1970, 1, 1), 0);
/// assert_eq!(days_from_civil(2000, 3, 1), 11_017);
/// assert_eq!(days_from_civil(1969, 12, 31), -1);
/// ```
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
///
/// ```
/// use custode_sdk::time::civil_from_days;
/// assert_eq!(civil_from_days(0), (1970, 1, 1));
/// assert_eq!(civil_from_days(20_468), (2026, 1, 15));
/// assert_eq!(civil_from_days(-1), (1969, 12, 31));
/// ```
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `year` is a leap year in the Gregorian calendar.
pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in a month (`month` from 1 to 12).
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The same time of day `months` calendar months later (earlier when negative). A day that does not
/// exist in the target month becomes its last day: 31 January plus one month is 28 (or 29) February.
///
/// ```
/// use custode_sdk::time::{add_months, format_iso, parse_date, DateOrder};
/// let jan31 = parse_date("2026-01-31T08:00", DateOrder::DayFirst).unwrap();
/// assert_eq!(format_iso(add_months(jan31, 1)), "2026-02-28T08:00:00Z");
/// assert_eq!(format_iso(add_months(jan31, -2)), "2025-11-30T08:00:00Z");
/// ```
pub fn add_months(ts: Timestamp, months: i64) -> Timestamp {
    let c = Civil::from_timestamp(ts);
    let index = c.year * 12 + i64::from(c.month) - 1 + months;
    let year = index.div_euclid(12);
    let month = index.rem_euclid(12) as u32 + 1;
    let day = c.day.min(days_in_month(year, month));
    Civil {
        year,
        month,
        day,
        ..c
    }
    .to_timestamp()
}

/// Whole calendar months from `from` to `to`: the largest `n` with `add_months(from, n) <= to`.
/// Negative (by the same rule, backwards) when `to` is before `from`.
///
/// ```
/// use custode_sdk::time::{months_between, parse_date, DateOrder};
/// let d = |s| parse_date(s, DateOrder::DayFirst).unwrap();
/// assert_eq!(months_between(d("2024-01-15"), d("2026-01-14")), 23);
/// assert_eq!(months_between(d("2024-01-15"), d("2026-01-15")), 24);
/// assert_eq!(months_between(d("2026-01-31"), d("2026-02-28")), 1);
/// assert_eq!(months_between(d("2026-03-01"), d("2026-01-01")), -2);
/// ```
pub fn months_between(from: Timestamp, to: Timestamp) -> i64 {
    if to < from {
        return -months_between(to, from);
    }
    let a = Civil::from_timestamp(from);
    let b = Civil::from_timestamp(to);
    let mut n = (b.year - a.year) * 12 + i64::from(b.month) - i64::from(a.month);
    if add_months(from, n) > to {
        n -= 1;
    }
    n
}

/// RFC 3339 / ISO 8601 in UTC: `2026-01-15T10:30:00Z`.
///
/// ```
/// assert_eq!(custode_sdk::time::format_iso(0), "1970-01-01T00:00:00Z");
/// ```
pub fn format_iso(ts: Timestamp) -> String {
    let c = Civil::from_timestamp(ts);
    let mut out = String::with_capacity(20);
    push_year(&mut out, c.year);
    push2(&mut out, b'-', c.month);
    push2(&mut out, b'-', c.day);
    push2(&mut out, b'T', c.hour);
    push2(&mut out, b':', c.minute);
    push2(&mut out, b':', c.second);
    out.push('Z');
    out
}

/// The UTC date of a timestamp: `2026-01-15`.
///
/// ```
/// assert_eq!(custode_sdk::time::format_date(1_768_473_000), "2026-01-15");
/// ```
pub fn format_date(ts: Timestamp) -> String {
    let c = Civil::from_timestamp(ts);
    let mut out = String::with_capacity(10);
    push_year(&mut out, c.year);
    push2(&mut out, b'-', c.month);
    push2(&mut out, b'-', c.day);
    out
}

fn push_year(out: &mut String, year: i64) {
    if (0..=9999).contains(&year) {
        let y = year as u32;
        for d in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
            out.push(char::from(b'0' + d as u8));
        }
    } else {
        // ISO 8601 expanded years carry a sign.
        out.push_str(&format!("{year:+05}"));
    }
}

fn push2(out: &mut String, sep: u8, v: u32) {
    out.push(char::from(sep));
    out.push(char::from(b'0' + (v / 10 % 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// A Unix time given as a number, in seconds or milliseconds: values of 100 000 000 000 and more
/// (after the year 5138 in seconds) are taken as milliseconds, as webhook payloads often send them.
///
/// ```
/// use custode_sdk::time::epoch_seconds_or_millis;
/// assert_eq!(epoch_seconds_or_millis(1_768_473_000), 1_768_473_000);
/// assert_eq!(epoch_seconds_or_millis(1_768_473_000_123), 1_768_473_000);
/// ```
pub fn epoch_seconds_or_millis(n: i64) -> Timestamp {
    if n.abs() >= 100_000_000_000 {
        n.div_euclid(1000)
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_over_many_centuries() {
        let mut days = days_from_civil(1600, 1, 1);
        let end = days_from_civil(2400, 12, 31);
        let (mut y, mut m, mut d) = (1600, 1, 1);
        while days <= end {
            assert_eq!(civil_from_days(days), (y, m, d));
            assert_eq!(days_from_civil(y, m, d), days);
            d += 1;
            if d > days_in_month(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            days += 1;
        }
    }

    #[test]
    fn known_timestamps() {
        assert_eq!(
            Civil::new(2026, 1, 15, 10, 30, 0).unwrap().to_timestamp(),
            1_768_473_000
        );
        assert_eq!(format_iso(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_iso(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format_iso(-62_135_596_800), "0001-01-01T00:00:00Z");
        assert_eq!(format_iso(253_402_300_800), "+10000-01-01T00:00:00Z");
    }

    #[test]
    fn leap_years() {
        assert!(
            is_leap_year(2000) && is_leap_year(2024) && !is_leap_year(1900) && !is_leap_year(2026)
        );
        assert_eq!(
            Civil::new(1900, 2, 29, 0, 0, 0).unwrap_err(),
            "February 1900 has 28 days"
        );
        assert_eq!(
            Civil::new(2026, 13, 1, 0, 0, 0).unwrap_err(),
            "there is no month 13"
        );
        assert_eq!(
            Civil::new(2026, 1, 1, 24, 0, 0).unwrap_err(),
            "24:00:00 is not a time of day"
        );
    }

    #[test]
    fn add_months_clamps_and_keeps_time() {
        let t = Civil::new(2024, 2, 29, 23, 59, 59).unwrap().to_timestamp();
        assert_eq!(format_iso(add_months(t, 12)), "2025-02-28T23:59:59Z");
        assert_eq!(format_iso(add_months(t, 48)), "2028-02-29T23:59:59Z");
        assert_eq!(format_iso(add_months(t, -24)), "2022-02-28T23:59:59Z");
        assert_eq!(add_months(t, 0), t);
    }

    #[test]
    fn months_between_counts_whole_months_only() {
        let at = |y, m, d, h| Civil::new(y, m, d, h, 0, 0).unwrap().to_timestamp();
        assert_eq!(months_between(at(2024, 1, 15, 12), at(2026, 1, 15, 11)), 23);
        assert_eq!(months_between(at(2024, 1, 15, 12), at(2026, 1, 15, 12)), 24);
        assert_eq!(months_between(at(2024, 1, 31, 0), at(2024, 2, 29, 0)), 1);
        assert_eq!(months_between(at(2024, 1, 31, 0), at(2024, 2, 28, 0)), 0);
        assert_eq!(months_between(at(2026, 5, 1, 0), at(2026, 5, 1, 0)), 0);
        assert_eq!(months_between(at(2026, 5, 10, 0), at(2026, 3, 11, 0)), -1);
        // The defining property, checked across a range of pairs.
        for from in (0..800).map(|i| at(2023, 1, 1, 0) + i * 37_003) {
            for to in (0..40).map(|i| from + i * 1_000_003) {
                let n = months_between(from, to);
                assert!(add_months(from, n) <= to && add_months(from, n + 1) > to);
            }
        }
    }

    #[test]
    fn epoch_units() {
        assert_eq!(epoch_seconds_or_millis(0), 0);
        assert_eq!(epoch_seconds_or_millis(99_999_999_999), 99_999_999_999);
        assert_eq!(epoch_seconds_or_millis(100_000_000_000), 100_000_000);
        assert_eq!(epoch_seconds_or_millis(-1_500), -1_500);
    }
}
