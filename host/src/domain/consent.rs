//! Consent ledger events, legal-basis periods, and how the current consent for a channel is derived
//! from the ledger (R5, R6, Art. 7).

use serde::{Deserialize, Serialize};

use super::error::InvalidInput;
use super::ids::ProvenanceId;
use super::time::Timestamp;
use super::vocab::{ConsentAction, ConsentChannel, LegalBasis};

/// What proves a consent event (Art. 7(1): the controller must be able to demonstrate consent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// How it was collected, e.g. `web form checkbox`, `signed paper form`, `unsubscribe link`.
    pub method: String,
    /// The privacy notice version the person had seen, e.g. `2026-01`.
    #[serde(default)]
    pub notice_version: Option<String>,
    /// Free text, e.g. `checkbox "newsletter" on /signup`.
    #[serde(default)]
    pub text: Option<String>,
    /// Who recorded it (operator or system name).
    pub collected_by: String,
}

impl Evidence {
    pub fn check(&self) -> Result<(), InvalidInput> {
        if self.method.trim().is_empty() {
            return Err(InvalidInput::new(
                "evidence.method",
                "say how the consent was collected, e.g. `web form checkbox` or `signed paper form` (Art. 7(1))",
            ));
        }
        if self.collected_by.trim().is_empty() {
            return Err(InvalidInput::new(
                "evidence.collected_by",
                "say who recorded the event",
            ));
        }
        Ok(())
    }
}

/// A grant, withdrawal or objection to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentEvent {
    pub purpose: String,
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    pub at: Timestamp,
    pub evidence: Evidence,
}

/// A ledger entry as stored: the event, its evidence and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// Position in the ledger; later entries have larger numbers.
    pub seq: i64,
    pub purpose: String,
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    pub at: Timestamp,
    pub evidence: Evidence,
    pub provenance: Option<ProvenanceId>,
}

/// The latest ledger event for one channel (or `any`) of one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    pub at: Timestamp,
}

/// The consent that applies to a channel, from the latest event on that channel and the latest event
/// on `any` (which covers every channel). The later event wins, so "withdrawn from everything" after an
/// email grant stops email, and an email grant after that re-allows email only. On the same second the
/// refusal wins: when the record cannot tell which came first, the person is not contacted.
pub fn effective_consent(
    specific: Option<ConsentState>,
    any: Option<ConsentState>,
) -> Option<ConsentState> {
    match (specific, any) {
        (None, x) | (x, None) => x,
        (Some(s), Some(a)) if s.at != a.at => Some(if s.at > a.at { s } else { a }),
        (Some(s), Some(a)) => Some(if a.action != ConsentAction::Granted {
            a
        } else {
            s
        }),
    }
}

/// A legal basis for a purpose over a period (R6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasisPeriod {
    pub purpose: String,
    pub basis: LegalBasis,
    pub start: Timestamp,
    /// None while the basis lasts.
    #[serde(default)]
    pub end: Option<Timestamp>,
}

impl BasisPeriod {
    pub fn active_at(&self, at: Timestamp) -> bool {
        self.start <= at && self.end.is_none_or(|end| at < end)
    }

    pub fn check(&self) -> Result<(), InvalidInput> {
        match self.end {
            Some(end) if end <= self.start => Err(InvalidInput::new(
                "end",
                format!(
                    "the {} basis for `{}` ends ({}) before it starts ({}): swap the dates or leave the end empty",
                    self.basis,
                    self.purpose,
                    end.date_string(),
                    self.start.date_string()
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn st(channel: ConsentChannel, action: ConsentAction, at: i64) -> Option<ConsentState> {
        Some(ConsentState {
            channel,
            action,
            at: Timestamp(at),
        })
    }

    #[test]
    fn the_later_event_wins_and_refusal_wins_ties() {
        use ConsentAction::*;
        use ConsentChannel::*;
        let cases = [
            // (email event, any event, expected action)
            (
                st(Email, Granted, 10),
                st(Any, Withdrawn, 20),
                Some(Withdrawn),
            ),
            (
                st(Email, Granted, 30),
                st(Any, Withdrawn, 20),
                Some(Granted),
            ),
            (
                st(Email, Withdrawn, 10),
                st(Any, Granted, 20),
                Some(Granted),
            ),
            (
                st(Email, Granted, 20),
                st(Any, Objected, 20),
                Some(Objected),
            ),
            (
                st(Email, Withdrawn, 20),
                st(Any, Granted, 20),
                Some(Withdrawn),
            ),
            (None, st(Any, Granted, 1), Some(Granted)),
            (st(Email, Objected, 1), None, Some(Objected)),
            (None, None, None),
        ];
        for (i, (s, a, want)) in cases.into_iter().enumerate() {
            assert_eq!(effective_consent(s, a).map(|c| c.action), want, "case {i}");
        }
    }

    #[test]
    fn basis_periods_include_start_and_exclude_end() {
        let p = BasisPeriod {
            purpose: "contract".into(),
            basis: LegalBasis::Contract,
            start: Timestamp(100),
            end: Some(Timestamp(200)),
        };
        assert!(!p.active_at(Timestamp(99)));
        assert!(p.active_at(Timestamp(100)));
        assert!(p.active_at(Timestamp(199)));
        assert!(!p.active_at(Timestamp(200)));
        assert!(p.check().is_ok());
        let backwards = BasisPeriod {
            end: Some(Timestamp(50)),
            ..p
        };
        assert!(backwards
            .check()
            .unwrap_err()
            .message
            .contains("before it starts"));
    }

    fn action() -> impl Strategy<Value = ConsentAction> {
        prop::sample::select(ConsentAction::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn the_result_is_the_latest_of_the_two(a1 in action(), t1 in 0i64..50, a2 in action(), t2 in 0i64..50) {
            let s = st(ConsentChannel::Email, a1, t1);
            let a = st(ConsentChannel::Any, a2, t2);
            let r = effective_consent(s, a).unwrap();
            prop_assert_eq!(r.at.0, t1.max(t2));
            prop_assert!(r == s.unwrap() || r == a.unwrap());
            // Granted is only the answer when no refusal is at least as recent.
            if r.action == ConsentAction::Granted {
                prop_assert!(!(a2 != ConsentAction::Granted && t2 >= t1));
                prop_assert!(!(a1 != ConsentAction::Granted && t1 > t2));
            }
        }
    }
}
