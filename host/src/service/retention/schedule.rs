//! The retention schedule: `daily HH:MM` in a time zone (`[retention] schedule`, `time_zone`). The
//! server asks [`Schedule::due`] with the time now and the start of the last scheduled run: a run
//! missed while the server was down is due at once when it starts. The clock is an argument, so tests
//! move it without waiting.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    at: NaiveTime,
    zone: Tz,
}

impl Schedule {
    /// Reads `daily HH:MM` and an IANA time zone name such as `Europe/Rome`.
    pub fn parse(schedule: &str, zone: &str) -> Result<Schedule, String> {
        let time = schedule
            .trim()
            .strip_prefix("daily ")
            .map(str::trim)
            .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
            .ok_or_else(|| {
                format!("retention.schedule = {schedule:?} is not a schedule: write `daily HH:MM`, e.g. `daily 02:00`")
            })?;
        let zone: Tz = zone.trim().parse().map_err(|_| {
            format!("retention.time_zone = {zone:?} is not a time zone: use an IANA name such as `Europe/Rome` or `UTC`")
        })?;
        Ok(Schedule { at: time, zone })
    }

    /// The latest time at or before `now` the schedule fell due.
    pub fn last_due(&self, now: Timestamp) -> Timestamp {
        let now_utc: DateTime<Utc> = Utc.timestamp_opt(now.0, 0).single().unwrap_or_default();
        let local_day = now_utc.with_timezone(&self.zone).date_naive();
        // Today's time, else yesterday's; a time a DST change skips falls due an hour later, and one
        // it repeats, the first time.
        (0..3)
            .filter_map(|back| {
                let day = local_day - Duration::days(back);
                let naive = day.and_time(self.at);
                self.zone
                    .from_local_datetime(&naive)
                    .earliest()
                    .or_else(|| {
                        self.zone
                            .from_local_datetime(&(naive + Duration::hours(1)))
                            .earliest()
                    })
            })
            .map(|t| Timestamp(t.timestamp()))
            .find(|t| *t <= now)
            .unwrap_or(now)
    }

    /// Whether a run is due at `now`, the last scheduled one having started at `last`.
    pub fn due(&self, now: Timestamp, last: Option<Timestamp>) -> bool {
        last.is_none_or(|last| last < self.last_due(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse("at", text).unwrap()
    }

    #[test]
    fn a_daily_schedule_falls_due_once_a_day_at_its_local_time() {
        let s = Schedule::parse("daily 02:00", "Europe/Rome").unwrap();
        // 02:00 in Rome is 01:00 UTC in winter, 00:00 UTC in summer.
        assert_eq!(
            s.last_due(at("2026-12-03T12:00:00Z")),
            at("2026-12-03T01:00:00Z")
        );
        assert_eq!(
            s.last_due(at("2026-07-03T12:00:00Z")),
            at("2026-07-03T00:00:00Z")
        );
        assert_eq!(
            s.last_due(at("2026-12-03T00:30:00Z")),
            at("2026-12-02T01:00:00Z")
        );
        let ran = at("2026-12-03T01:00:05Z");
        assert!(!s.due(at("2026-12-03T23:00:00Z"), Some(ran)));
        assert!(s.due(at("2026-12-04T01:00:00Z"), Some(ran)));
        assert!(
            s.due(at("2026-12-03T23:00:00Z"), None),
            "never ran: due at once"
        );
        // Missed for three days while the server was down: due once, at start.
        assert!(s.due(at("2026-12-07T09:00:00Z"), Some(ran)));
    }

    #[test]
    fn a_time_a_dst_change_skips_falls_due_an_hour_later() {
        // 2026-03-29: Rome moves from 02:00 to 03:00.
        let s = Schedule::parse("daily 02:30", "Europe/Rome").unwrap();
        assert_eq!(
            s.last_due(at("2026-03-29T12:00:00Z")),
            at("2026-03-29T01:30:00Z")
        );
    }

    #[test]
    fn a_wrong_schedule_or_zone_is_named() {
        let e = Schedule::parse("every day at 2", "UTC").unwrap_err();
        assert!(e.contains("daily HH:MM"), "{e}");
        let e = Schedule::parse("daily 02:00", "Europe/Roma").unwrap_err();
        assert!(e.contains("IANA"), "{e}");
    }
}
