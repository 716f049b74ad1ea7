//! What `can_process` decides on and what it answers: the facts the store gathers about one subject
//! ([`SubjectFacts`]), the answer ([`Decision`], [`DecisionRule`]) and the words both the processing
//! rule and the legal bases use. The bottom of the rule: it uses no other part of it.

use serde::{Deserialize, Serialize};

use super::consent::{BasisPeriod, ConsentState};
use super::ids::ContactId;
use super::periods::{RestrictionPeriod, SuppressionPeriod};
use super::time::Timestamp;
use super::vocab::{ConsentChannel, LegalBasis};

/// What the store knows about one contact that bears on one (purpose, channel) question.
#[derive(Debug, Clone, Default)]
pub struct SubjectFacts {
    pub contact: Option<ContactId>,
    pub erased_at: Option<Timestamp>,
    /// Every restriction of processing (Art. 18), lifted or in force.
    pub restrictions: Vec<RestrictionPeriod>,
    /// Every addition to the suppression list that concerns the contact's identities (or the asked
    /// identity, for a person no contact holds any more).
    pub suppressions: Vec<SuppressionPeriod>,
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
    /// Every contract basis period of the contact, whatever its purpose: whether the person is or was
    /// a customer (read only when the asked purpose is direct marketing with legitimate interest).
    pub contracts: Vec<BasisPeriod>,
}

/// Which rule decided; stable names for API clients and tests, while `reason` is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionRule {
    /// Allowed on the basis named in the answer.
    Allowed,
    /// Allowed: direct marketing to a customer on legitimate interest (art. 130(4) Italian Privacy
    /// Code), on a channel the settings allow.
    CustomerMarketing,
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
    /// Legitimate interest for direct marketing, asked about a prospect or a customer whose
    /// relationship ended too long ago: consent is needed.
    NotACustomer,
    /// Legitimate interest for direct marketing, asked about a channel customer marketing may not use.
    ChannelNotAllowed,
    NoBasis,
    NoticeMissing,
}

impl DecisionRule {
    /// Whether an answer with this rule allows the processing.
    pub fn allows(self) -> bool {
        matches!(
            self,
            DecisionRule::Allowed | DecisionRule::CustomerMarketing
        )
    }
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
