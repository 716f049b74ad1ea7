//! Art. 12(3): a data-subject request is answered within one month of receipt, extendable by two
//! further months when requests are complex or numerous (the person must be told within the first).
//!
//! Months are counted as Regulation 1182/71 counts them (Art. 3(2)(c), 3(4)): the period ends on the
//! day of the later month with the same date as the day of receipt, or on that month's last day when
//! it has no such date; a period ending on a Saturday, Sunday or public holiday ends on the next
//! working day. Dates are those of UTC. A due date is a calendar day (stored as its midnight, UTC):
//! the answer is on time until that day has ended. It is computed once and stored, never derived
//! from a count of days left.

use chrono::{Datelike, Months, NaiveDate};

use super::holidays::HolidayCountry;
use super::time::Timestamp;

/// At most two further months (Art. 12(3)).
pub const MAX_EXTENSION_MONTHS: u32 = 2;

/// The due date of a period of `months` months from `received`.
pub fn due_after(received: Timestamp, months: u32, holidays: HolidayCountry) -> Timestamp {
    let day = received.to_datetime().date_naive();
    // chrono clamps to the month's last day when the date does not exist, as the regulation says.
    let end = day
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX);
    let end = holidays.next_working_day(end);
    Timestamp::from_date(end.year(), end.month(), end.day()).unwrap_or(Timestamp(i64::MAX))
}

/// The answer was due by the end of `due` and `now` is past it.
pub fn is_overdue(due: Timestamp, now: Timestamp) -> bool {
    now >= due.add_days(1)
}

/// Whether `due` ends within `days` days of `now` (and is not yet past).
pub fn due_within(due: Timestamp, now: Timestamp, days: u32) -> bool {
    !is_overdue(due, now) && due <= now.add_days(i64::from(days))
}

/// Why an extension is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionRefused {
    /// Asked for 0 months, or more than the two further months the regulation allows in total.
    TooLong { asked: u32, already: u32 },
    /// The first month has passed: the person had to be told of the extension within it.
    TooLate { first_due: Timestamp },
}

impl ExtensionRefused {
    pub fn message(&self) -> String {
        match self {
            ExtensionRefused::TooLong { asked: 0, .. } => {
                "an extension is of 1 or 2 months: ask for at least 1".into()
            }
            ExtensionRefused::TooLong { asked, already } => format!(
                "the deadline can be extended by at most {MAX_EXTENSION_MONTHS} further months in all (Art. 12(3)); it was already extended by {already} and {asked} more would make {}: ask for at most {}",
                already + asked,
                MAX_EXTENSION_MONTHS.saturating_sub(*already)
            ),
            ExtensionRefused::TooLate { first_due } => format!(
                "the first month ended on {}: an extension must be decided and told to the person within it (Art. 12(3)); answer now, or refuse with a reason",
                first_due.date_string()
            ),
        }
    }
}

/// The new due date after extending by `months` more, `already` having been granted before: refused
/// when the total would pass two months, or when the first month (ending on `first_due`) has passed.
pub fn extend(
    received: Timestamp,
    first_due: Timestamp,
    already: u32,
    months: u32,
    now: Timestamp,
    holidays: HolidayCountry,
) -> Result<Timestamp, ExtensionRefused> {
    if months == 0 || already + months > MAX_EXTENSION_MONTHS {
        return Err(ExtensionRefused::TooLong {
            asked: months,
            already,
        });
    }
    if is_overdue(first_due, now) {
        return Err(ExtensionRefused::TooLate { first_due });
    }
    Ok(due_after(received, 1 + already + months, holidays))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IT: HolidayCountry = HolidayCountry::Italy;

    fn d(y: i32, m: u32, day: u32) -> Timestamp {
        Timestamp::from_date(y, m, day).unwrap()
    }

    /// (received, due one month later) with Italian holidays.
    #[test]
    fn one_month_as_the_regulation_counts_it() {
        let table = [
            // Month ends: the last day of a shorter month.
            (d(2026, 1, 31), d(2026, 3, 2)), // 28 Feb 2026 is a Saturday -> Monday 2 March
            (d(2027, 1, 31), d(2027, 3, 1)), // 28 Feb 2027 is a Sunday -> Monday 1 March
            (d(2025, 1, 31), d(2025, 2, 28)), // a Friday
            (d(2024, 1, 31), d(2024, 2, 29)), // leap year, a Thursday
            (d(2028, 1, 30), d(2028, 2, 29)), // leap year, a Tuesday
            (d(2026, 3, 31), d(2026, 4, 30)), // 30 April, a Thursday
            (d(2026, 5, 31), d(2026, 6, 30)),
            (d(2026, 8, 31), d(2026, 9, 30)),
            // Same date, a working day.
            (d(2026, 2, 10), d(2026, 3, 10)),
            // Weekends.
            (d(2026, 9, 12), d(2026, 10, 12)), // 12 Oct is a Monday
            (d(2026, 9, 10), d(2026, 10, 12)), // Saturday 10 Oct -> Monday 12
            (d(2026, 9, 11), d(2026, 10, 12)), // Sunday 11 Oct -> Monday 12
            // Italian public holidays.
            (d(2026, 3, 25), d(2026, 4, 27)), // Saturday 25 April -> Monday 27
            (d(2027, 3, 25), d(2027, 4, 26)), // Sunday 25 April 2027 -> Monday 26
            (d(2025, 3, 25), d(2025, 4, 28)), // Friday 25 April 2025, then the weekend
            (d(2026, 4, 1), d(2026, 5, 4)),   // Friday 1 May, weekend -> Monday 4
            (d(2026, 5, 2), d(2026, 6, 3)),   // Tuesday 2 June -> Wednesday 3
            (d(2026, 7, 15), d(2026, 8, 17)), // Saturday 15 August -> Monday 17
            (d(2025, 7, 15), d(2025, 8, 18)), // Friday 15 August 2025 -> Monday 18
            (d(2026, 10, 1), d(2026, 11, 2)), // Sunday 1 November -> Monday 2
            (d(2026, 11, 8), d(2026, 12, 9)), // Tuesday 8 December -> Wednesday 9
            (d(2026, 11, 25), d(2026, 12, 28)), // Fri 25, Sat 26, Sun 27 December -> Monday 28
            (d(2025, 11, 25), d(2025, 12, 29)), // Thu 25, Fri 26 December 2025, weekend -> Monday 29
            (d(2025, 11, 26), d(2025, 12, 29)),
            (d(2026, 3, 6), d(2026, 4, 7)), // Easter Monday 6 April 2026 -> Tuesday 7
            (d(2025, 3, 21), d(2025, 4, 22)), // Easter Monday 21 April 2025 -> Tuesday 22
            (d(2025, 12, 6), d(2026, 1, 7)), // Tuesday 6 January (Epiphany) -> Wednesday 7
        ];
        for (received, due) in table {
            assert_eq!(
                due_after(received, 1, IT).date_string(),
                due.date_string(),
                "received {}",
                received.date_string()
            );
        }
    }

    #[test]
    fn the_time_of_receipt_does_not_move_the_date() {
        let late_evening = d(2026, 2, 10).add_days(0).0 + 23 * 3600 + 59 * 60;
        assert_eq!(due_after(Timestamp(late_evening), 1, IT), d(2026, 3, 10));
    }

    #[test]
    fn the_due_day_is_on_time_until_it_ends() {
        let due = d(2026, 3, 10);
        assert!(!is_overdue(due, Timestamp(due.0 + 86_399)));
        assert!(is_overdue(due, due.add_days(1)));
        assert!(due_within(due, d(2026, 3, 3), 7));
        assert!(!due_within(due, d(2026, 3, 2), 7));
        assert!(
            !due_within(due, d(2026, 3, 11), 7),
            "overdue is not due soon"
        );
    }

    #[test]
    fn extensions_of_up_to_two_months_within_the_first() {
        let received = d(2026, 1, 31);
        let first = due_after(received, 1, IT);
        assert_eq!(first, d(2026, 3, 2));
        // Two months more: 31 March + 1 month = 30 April 2026, a Thursday.
        assert_eq!(
            extend(received, first, 0, 2, d(2026, 2, 20), IT),
            Ok(d(2026, 4, 30))
        );
        // One now, one later, still within the first month (its last day, extended to Monday).
        assert_eq!(
            extend(received, first, 0, 1, d(2026, 2, 1), IT),
            Ok(d(2026, 3, 31))
        );
        assert_eq!(
            extend(
                received,
                first,
                1,
                1,
                Timestamp(d(2026, 3, 2).0 + 86_399),
                IT
            ),
            Ok(d(2026, 4, 30))
        );
        assert_eq!(
            extend(received, first, 1, 2, d(2026, 2, 20), IT),
            Err(ExtensionRefused::TooLong {
                asked: 2,
                already: 1
            })
        );
        assert_eq!(
            extend(received, first, 0, 3, d(2026, 2, 20), IT),
            Err(ExtensionRefused::TooLong {
                asked: 3,
                already: 0
            })
        );
        assert!(matches!(
            extend(received, first, 0, 0, d(2026, 2, 20), IT),
            Err(ExtensionRefused::TooLong { asked: 0, .. })
        ));
        assert_eq!(
            extend(received, first, 0, 1, d(2026, 3, 3), IT),
            Err(ExtensionRefused::TooLate { first_due: first })
        );
        let message = ExtensionRefused::TooLate { first_due: first }.message();
        assert!(message.contains("2026-03-02"), "{message}");
    }

    #[test]
    fn leap_years_when_extended() {
        // 29 February 2024 + 3 months = 29 May 2024, a Wednesday.
        let received = d(2024, 2, 29);
        let first = due_after(received, 1, IT);
        assert_eq!(first, d(2024, 3, 29));
        assert_eq!(
            extend(received, first, 0, 2, d(2024, 3, 1), IT),
            Ok(d(2024, 5, 29))
        );
        // 30 November 2027 + 3 months = 29 February 2028 (leap), a Tuesday.
        let received = d(2027, 11, 30);
        let first = due_after(received, 1, IT);
        assert_eq!(
            extend(received, first, 0, 2, d(2027, 12, 1), IT),
            Ok(d(2028, 2, 29))
        );
    }
}
