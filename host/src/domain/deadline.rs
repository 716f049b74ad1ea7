//! Art. 12(3): a data-subject request is answered within one month of receipt, extendable by two
//! further months when requests are complex or numerous (the subject must be told within the first).

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDeadline {
    pub received_at: Timestamp,
    pub extended: bool,
}

impl RequestDeadline {
    pub fn due(&self) -> Timestamp {
        self.received_at
            .add_months(if self.extended { 3 } else { 1 })
    }

    /// The extension must be announced before the first month runs out.
    pub fn extension_possible(&self, now: Timestamp) -> bool {
        !self.extended && now < self.received_at.add_months(1)
    }

    pub fn overdue(&self, now: Timestamp) -> bool {
        now >= self.due()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_month_or_three_when_extended() {
        let received = Timestamp::from_date(2026, 1, 31).unwrap();
        let d = RequestDeadline {
            received_at: received,
            extended: false,
        };
        assert_eq!(d.due(), Timestamp::from_date(2026, 2, 28).unwrap());
        assert!(d.extension_possible(Timestamp::from_date(2026, 2, 27).unwrap()));
        assert!(!d.extension_possible(Timestamp::from_date(2026, 2, 28).unwrap()));
        assert!(d.overdue(Timestamp::from_date(2026, 2, 28).unwrap()));
        let e = RequestDeadline {
            extended: true,
            ..d
        };
        assert_eq!(e.due(), Timestamp::from_date(2026, 4, 30).unwrap());
        assert!(!e.overdue(Timestamp::from_date(2026, 4, 29).unwrap()));
    }
}
