//! Points in time as the whole product sees them: whole seconds since 1970-01-01T00:00:00Z (UTC), the
//! same convention as the WIT contract, so nothing is converted between the store, the rules and plugins.

use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InvalidInput;

/// Seconds since 1970-01-01T00:00:00Z (UTC). Negative values are before 1970.
///
/// Serialised as RFC 3339 (`2026-01-31T09:30:00Z`) because people read the JSON; parsed from RFC 3339,
/// a plain date (`2026-01-31`, midnight UTC) or an integer number of seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(Utc::now().timestamp())
    }

    pub fn seconds(self) -> i64 {
        self.0
    }

    /// Midnight UTC of a calendar date.
    pub fn from_date(year: i32, month: u32, day: u32) -> Option<Self> {
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        Some(Timestamp(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp()))
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        // Out-of-range seconds (beyond year ±262 000) cannot come from the parsers below; clamp rather
        // than panic if a corrupted row ever holds one.
        DateTime::from_timestamp(self.0, 0).unwrap_or(if self.0 < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    }

    /// Calendar months later, on the same day of the month where it exists, otherwise the month's last
    /// day (31 January + 1 month = 28/29 February), as people count "24 months without contact".
    pub fn add_months(self, months: u32) -> Self {
        let dt = self.to_datetime();
        match dt.checked_add_months(Months::new(months)) {
            Some(later) => Timestamp(later.timestamp()),
            None => Timestamp(i64::MAX),
        }
    }

    pub fn add_days(self, days: i64) -> Self {
        Timestamp(self.0.saturating_add(days.saturating_mul(86_400)))
    }

    /// Whole calendar months from `self` to `later` (0 when `later` is not after `self`).
    pub fn whole_months_until(self, later: Timestamp) -> u32 {
        if later <= self {
            return 0;
        }
        let (a, b) = (self.to_datetime(), later.to_datetime());
        let mut months = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
        // The last month only counts once its day (and time) has been reached.
        if months > 0 && self.add_months(months as u32) > later {
            months -= 1;
        }
        months.max(0) as u32
    }

    /// `YYYY-MM-DD`, for reasons written to people.
    pub fn date_string(self) -> String {
        self.to_datetime().format("%Y-%m-%d").to_string()
    }

    /// Parses RFC 3339, a plain `YYYY-MM-DD` date (midnight UTC) or whole seconds since the epoch.
    pub fn parse(field: &str, text: &str) -> Result<Self, InvalidInput> {
        let text = text.trim();
        if let Ok(secs) = text.parse::<i64>() {
            return Ok(Timestamp(secs));
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Ok(Timestamp(dt.timestamp()));
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            if let Some(ts) = Timestamp::from_date(date.year(), date.month(), date.day()) {
                return Ok(ts);
            }
        }
        Err(InvalidInput::new(
            field,
            format!(
                "`{text}` is not a date: write `2026-01-31`, `2026-01-31T09:30:00Z` or seconds since 1970"
            ),
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_datetime().format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Seconds(i64),
            Text(String),
        }
        match Repr::deserialize(d)? {
            Repr::Seconds(s) => Ok(Timestamp(s)),
            Repr::Text(t) => Timestamp::parse("timestamp", &t).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Timestamp {
        Timestamp::from_date(y, m, day).unwrap()
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(d(2024, 1, 31).add_months(1), d(2024, 2, 29));
        assert_eq!(d(2023, 1, 31).add_months(1), d(2023, 2, 28));
        assert_eq!(d(2024, 3, 15).add_months(24), d(2026, 3, 15));
    }

    #[test]
    fn whole_months_count_only_completed_months() {
        assert_eq!(d(2024, 3, 15).whole_months_until(d(2026, 3, 14)), 23);
        assert_eq!(d(2024, 3, 15).whole_months_until(d(2026, 3, 15)), 24);
        assert_eq!(d(2024, 3, 15).whole_months_until(d(2024, 3, 1)), 0);
        assert_eq!(d(2024, 1, 31).whole_months_until(d(2024, 2, 29)), 1);
    }

    #[test]
    fn parses_the_three_forms_and_names_the_field_on_error() {
        assert_eq!(
            Timestamp::parse("at", "2026-01-31").unwrap(),
            d(2026, 1, 31)
        );
        assert_eq!(
            Timestamp::parse("at", "2026-01-31T01:00:00+01:00").unwrap(),
            d(2026, 1, 31)
        );
        assert_eq!(Timestamp::parse("at", "86400").unwrap(), Timestamp(86_400));
        let err = Timestamp::parse("at", "31/01/2026").unwrap_err();
        assert_eq!(err.field, "at");
        assert!(err.message.contains("31/01/2026"), "{}", err.message);
    }

    #[test]
    fn serialises_as_rfc3339_and_reads_it_back() {
        let t = d(2026, 5, 4).add_days(0);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2026-05-04T00:00:00Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert_eq!(
            serde_json::from_str::<Timestamp>("0").unwrap(),
            Timestamp(0)
        );
    }
}
