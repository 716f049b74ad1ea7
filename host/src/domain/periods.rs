//! Suppression and restriction as periods, so a question about the past ("could we email her on
//! 1 March?") is answered with what was in force then: a suppression added in April does not reach
//! back to March, and a lifted restriction still answers for the days it lasted.

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

/// Purposes an identity on the suppression list must not be processed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionScope {
    All,
    Purposes(Vec<String>),
}

impl SuppressionScope {
    pub fn covers(&self, purpose: &str) -> bool {
        match self {
            SuppressionScope::All => true,
            SuppressionScope::Purposes(list) => list.iter().any(|p| p == purpose),
        }
    }

    /// Both scopes at once (an identity suppressed twice, or a contact with two suppressed identities).
    pub fn union(&self, other: &SuppressionScope) -> SuppressionScope {
        match (self, other) {
            (SuppressionScope::All, _) | (_, SuppressionScope::All) => SuppressionScope::All,
            (SuppressionScope::Purposes(a), SuppressionScope::Purposes(b)) => {
                let mut all: Vec<String> = a.iter().chain(b).cloned().collect();
                all.sort();
                all.dedup();
                SuppressionScope::Purposes(all)
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            SuppressionScope::All => "all purposes".to_string(),
            SuppressionScope::Purposes(list) => list.join(", "),
        }
    }
}

/// One addition to the suppression list: from `since` on, the scope's purposes are suppressed. The
/// list is never shortened (it outlives erasure), so a period has no end; widening a suppression adds
/// a period instead of moving the first one's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuppressionPeriod {
    pub since: Timestamp,
    pub scope: SuppressionScope,
}

/// The earliest suppression in force at `at` that covers `purpose`: its start and the scope of all
/// periods in force then (for the words of the answer).
pub fn suppression_at(
    periods: &[SuppressionPeriod],
    purpose: &str,
    at: Timestamp,
) -> Option<(Timestamp, SuppressionScope)> {
    let in_force = periods.iter().filter(|p| p.since <= at);
    let since = in_force
        .clone()
        .filter(|p| p.scope.covers(purpose))
        .map(|p| p.since)
        .min()?;
    let scope = in_force.fold(SuppressionScope::Purposes(Vec::new()), |scope, p| {
        scope.union(&p.scope)
    });
    Some((since, scope))
}

/// A restriction of processing (Art. 18): from `since` until it was lifted (`until`, excluded), or
/// still in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RestrictionPeriod {
    pub since: Timestamp,
    /// When the restriction was lifted; None while it lasts.
    #[serde(default)]
    pub until: Option<Timestamp>,
}

impl RestrictionPeriod {
    pub fn active_at(&self, at: Timestamp) -> bool {
        self.since <= at && self.until.is_none_or(|until| at < until)
    }
}

/// The restriction in force at `at`, if any.
pub fn restriction_at(periods: &[RestrictionPeriod], at: Timestamp) -> Option<RestrictionPeriod> {
    periods.iter().copied().find(|p| p.active_at(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Timestamp {
        Timestamp::from_date(2026, 3, d).unwrap()
    }

    fn marketing() -> SuppressionScope {
        SuppressionScope::Purposes(vec!["marketing".into()])
    }

    #[test]
    fn a_suppression_answers_only_from_its_start() {
        let periods = [SuppressionPeriod {
            since: day(10),
            scope: SuppressionScope::All,
        }];
        assert_eq!(suppression_at(&periods, "contract", day(9)), None);
        assert_eq!(
            suppression_at(&periods, "contract", day(10)),
            Some((day(10), SuppressionScope::All))
        );
    }

    #[test]
    fn a_widened_suppression_keeps_each_period_s_start() {
        let periods = [
            SuppressionPeriod {
                since: day(1),
                scope: marketing(),
            },
            SuppressionPeriod {
                since: day(20),
                scope: SuppressionScope::All,
            },
        ];
        assert_eq!(suppression_at(&periods, "contract", day(15)), None);
        assert_eq!(
            suppression_at(&periods, "marketing", day(15)),
            Some((day(1), marketing()))
        );
        assert_eq!(
            suppression_at(&periods, "contract", day(20)),
            Some((day(20), SuppressionScope::All))
        );
        assert_eq!(
            suppression_at(&periods, "marketing", day(25)),
            Some((day(1), SuppressionScope::All))
        );
    }

    #[test]
    fn a_lifted_restriction_answers_for_the_days_it_lasted() {
        let periods = [
            RestrictionPeriod {
                since: day(1),
                until: Some(day(10)),
            },
            RestrictionPeriod {
                since: day(20),
                until: None,
            },
        ];
        assert_eq!(restriction_at(&periods, day(1)), Some(periods[0]));
        assert_eq!(restriction_at(&periods, day(9)), Some(periods[0]));
        assert_eq!(restriction_at(&periods, day(10)), None);
        assert_eq!(restriction_at(&periods, day(19)), None);
        assert_eq!(restriction_at(&periods, day(31)), Some(periods[1]));
    }
}
