//! National public holidays, for the end of a period counted as Regulation 1182/71 counts it (a period
//! ending on a Saturday, Sunday or public holiday ends on the next working day).
//!
//! Easter is computed with the anonymous Gregorian algorithm (Meeus/Jones/Butcher): fifteen lines
//! checked against a table, rather than a dependency for one date a year.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::error::InvalidInput;

/// The country whose national public holidays end a period on the next working day. Regional and
/// local holidays (a city's patron saint) are not counted: a deadline then falls one day early,
/// never late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HolidayCountry {
    #[default]
    #[serde(rename = "IT")]
    Italy,
    #[serde(rename = "FR")]
    France,
    #[serde(rename = "DE")]
    Germany,
    #[serde(rename = "ES")]
    Spain,
}

impl HolidayCountry {
    pub const CODES: [&'static str; 4] = ["IT", "FR", "DE", "ES"];

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        match code.trim().to_ascii_uppercase().as_str() {
            "IT" => Ok(HolidayCountry::Italy),
            "FR" => Ok(HolidayCountry::France),
            "DE" => Ok(HolidayCountry::Germany),
            "ES" => Ok(HolidayCountry::Spain),
            other => Err(InvalidInput::new(
                "request_holidays_country",
                format!(
                    "`{other}` is not a country whose public holidays Custode knows: use one of {}",
                    Self::CODES.join(", ")
                ),
            )),
        }
    }

    /// Whether `date` is a national public holiday.
    pub fn is_holiday(self, date: NaiveDate) -> bool {
        let (m, d) = (date.month(), date.day());
        let easter = easter_sunday(date.year());
        let from_easter = (date - easter).num_days();
        match self {
            // Legge 260/1949 and later amendments; Easter Monday (Lunedì dell'Angelo).
            HolidayCountry::Italy => {
                matches!(
                    (m, d),
                    (1, 1)
                        | (1, 6)
                        | (4, 25)
                        | (5, 1)
                        | (6, 2)
                        | (8, 15)
                        | (11, 1)
                        | (12, 8)
                        | (12, 25)
                        | (12, 26)
                ) || from_easter == 1
            }
            HolidayCountry::France => {
                matches!(
                    (m, d),
                    (1, 1) | (5, 1) | (5, 8) | (7, 14) | (8, 15) | (11, 1) | (11, 11) | (12, 25)
                ) || matches!(from_easter, 1 | 39 | 50)
            }
            HolidayCountry::Germany => {
                matches!((m, d), (1, 1) | (5, 1) | (10, 3) | (12, 25) | (12, 26))
                    || matches!(from_easter, -2 | 1 | 39 | 50)
            }
            HolidayCountry::Spain => {
                matches!(
                    (m, d),
                    (1, 1)
                        | (1, 6)
                        | (5, 1)
                        | (8, 15)
                        | (10, 12)
                        | (11, 1)
                        | (12, 6)
                        | (12, 8)
                        | (12, 25)
                ) || from_easter == -2
            }
        }
    }

    /// Not a Saturday, a Sunday or a public holiday.
    pub fn is_working_day(self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(date)
    }

    /// `date` itself when it is a working day, else the next working day.
    pub fn next_working_day(self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        // Holidays and weekends never chain for more than a few days; the bound only guards the
        // end of chrono's calendar.
        for _ in 0..14 {
            if self.is_working_day(day) {
                return day;
            }
            match day.checked_add_signed(Duration::days(1)) {
                Some(next) => day = next,
                None => return day,
            }
        }
        day
    }
}

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // The formula gives 22 March – 25 April, dates every year has.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_matches_the_published_dates() {
        for (y, m, d) in [
            (1961, 4, 2),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), date(y, m, d), "{y}");
        }
    }

    #[test]
    fn italian_holidays() {
        let it = HolidayCountry::Italy;
        for (m, d) in [
            (1, 1),
            (1, 6),
            (4, 25),
            (5, 1),
            (6, 2),
            (8, 15),
            (11, 1),
            (12, 8),
            (12, 25),
            (12, 26),
        ] {
            assert!(it.is_holiday(date(2026, m, d)), "{m}-{d}");
        }
        assert!(it.is_holiday(date(2026, 4, 6)), "Easter Monday 2026");
        assert!(!it.is_holiday(date(2026, 4, 7)));
        assert!(!it.is_holiday(date(2026, 11, 2)));
        assert!(
            !it.is_holiday(date(2026, 4, 3)),
            "Good Friday is not one in Italy"
        );
        assert!(HolidayCountry::Germany.is_holiday(date(2026, 4, 3)));
    }

    #[test]
    fn the_next_working_day_skips_weekends_and_holidays() {
        let it = HolidayCountry::Italy;
        // Saturday 25 April 2026 -> Monday 27.
        assert_eq!(it.next_working_day(date(2026, 4, 25)), date(2026, 4, 27));
        // Friday 25 December 2026, Saturday 26, Sunday 27 -> Monday 28.
        assert_eq!(it.next_working_day(date(2026, 12, 25)), date(2026, 12, 28));
        // Easter Sunday then Monday 2026 -> Tuesday 7 April.
        assert_eq!(it.next_working_day(date(2026, 4, 5)), date(2026, 4, 7));
        assert_eq!(it.next_working_day(date(2026, 3, 10)), date(2026, 3, 10));
    }

    #[test]
    fn unknown_countries_are_named() {
        let err = HolidayCountry::parse("XX").unwrap_err();
        assert!(err.message.contains("IT, FR, DE, ES"), "{}", err.message);
        assert_eq!(HolidayCountry::parse("it").unwrap(), HolidayCountry::Italy);
    }
}
