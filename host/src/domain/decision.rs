//! What `can_process` decides on and what it answers: the facts the store gathers about one subject
//! ([`SubjectFacts`]), the answer ([`Decision`], [`DecisionRule`]) and the words both the processing
//! rule and the legal bases use. The bottom of the rule: it uses no other part of it.

use serde::{Deserialize, Serialize};

use super::consent::{BasisPeriod, ConsentState};
use super::ids::ContactId;
use super::time::Timestamp;
use super::vocab::{ConsentChannel, LegalBasis};

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

    pub(super) fn describe(&self) -> String {
        match self {
            SuppressionScope::All => "all purposes".to_string(),
            SuppressionScope::Purposes(list) => list.join(", "),
        }
    }
}

/// What the store knows about one contact that bears on one (purpose, channel) question.
#[derive(Debug, Clone, Default)]
pub struct SubjectFacts {
    pub contact: Option<ContactId>,
    pub erased_at: Option<Timestamp>,
    pub restricted_since: Option<Timestamp>,
    pub suppression: Option<(Timestamp, SuppressionScope)>,
    /// When the contact first received a privacy notice.
    pub first_notice_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub last_interaction: Option<Timestamp>,
    /// The latest `collected_at` of the contact's data from any source (field-values rows): with the
    /// last interaction, what the legitimate-interest clock counts from, as the retention rule does.
    pub last_collected_at: Option<Timestamp>,
    /// For the asked purpose, the latest ledger event at or before the query time on each channel
    /// (`any` included; at most one per channel).
    pub consents: Vec<ConsentState>,
    /// For the asked purpose, the latest objection at or before the query time, on whatever channel:
    /// an objection is to the purpose (Art. 21), so a later grant on its own channel does not lift it
    /// for the other channels (see [`consent_for`](super::consent::consent_for)).
    pub objection: Option<ConsentState>,
    /// Every recorded basis period for the asked purpose.
    pub bases: Vec<BasisPeriod>,
}

/// Which rule decided; stable names for API clients and tests, while `reason` is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionRule {
    Allowed,
    UnknownPurpose,
    UnknownChannel,
    UnknownSubject,
    Erased,
    Suppressed,
    Restricted,
    Objected,
    ConsentWithdrawn,
    ConsentNeverGiven,
    BasisEnded,
    BasisNotStarted,
    LegitimateInterestLapsed,
    NoBasis,
    NoticeMissing,
}

/// The answer to "may I process?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub allowed: bool,
    /// The basis that makes the processing lawful, when one is found.
    pub basis: Option<LegalBasis>,
    pub rule: DecisionRule,
    /// In words a DPO can act on.
    pub reason: String,
}

impl Decision {
    pub(super) fn deny(rule: DecisionRule, reason: String) -> Self {
        Decision {
            allowed: false,
            basis: None,
            rule,
            reason,
        }
    }
}

/// "by email", or "every channel" for `any`.
pub(super) fn channel_words(channel: ConsentChannel) -> String {
    match channel {
        ConsentChannel::Any => "every channel".into(),
        c => format!("by {c}"),
    }
}
