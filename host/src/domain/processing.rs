//! `can_process`: may this contact's data be processed for this purpose on this channel at this time,
//! on which legal basis, and if not, why (R8). Pure: the store gathers [`SubjectFacts`] with a few index
//! lookups, this decides.

use serde::{Deserialize, Serialize};

use super::catalogue::PurposeDef;
use super::consent::{consent_for, BasisPeriod, ConsentState};
use super::ids::ContactId;
use super::lawful_basis::{check_basis, no_basis};
use super::settings::Policy;
use super::time::Timestamp;
use super::vocab::{ConsentChannel, LegalBasis};

/// What is asked.
#[derive(Debug, Clone, Copy)]
pub struct ProcessingQuery<'a> {
    pub purpose: &'a str,
    /// A consent channel name; `any` asks about every channel at once: only a consent given for `any`
    /// answers it, and a refusal on any one channel denies it.
    pub channel: &'a str,
    pub at: Timestamp,
}

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

    fn describe(&self) -> String {
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
    /// for the other channels (see [`consent_for`]).
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

/// The order in which bases are tried: a basis that does not depend on the person's will is reported
/// before consent, and legitimate interest, the weakest, comes last.
const BASIS_ORDER: [LegalBasis; 7] = [
    LegalBasis::LegalObligation,
    LegalBasis::Contract,
    LegalBasis::PreContract,
    LegalBasis::VitalInterest,
    LegalBasis::PublicTask,
    LegalBasis::Consent,
    LegalBasis::LegitimateInterest,
];

/// Decides whether processing is lawful. The checks run from the absolute to the specific: a subject
/// that is erased, suppressed or restricted is refused whatever its bases; then an objection to a
/// direct-marketing purpose, on any channel (absolute); then the purpose's bases one by one, where an
/// objection also stops legitimate interest and public task and a withdrawal also stops legitimate
/// interest; then the privacy notice. How the ledger's channels combine is [`consent_for`].
pub fn can_process(policy: &Policy, query: &ProcessingQuery<'_>, facts: &SubjectFacts) -> Decision {
    use DecisionRule as R;
    let Some(purpose) = policy.catalogue.purpose(query.purpose) else {
        return Decision::deny(
            R::UnknownPurpose,
            format!(
                "purpose `{}` is not in the purpose catalogue: use one of {}",
                query.purpose,
                policy.catalogue.purpose_names()
            ),
        );
    };
    let Ok(channel) = ConsentChannel::parse("channel", query.channel) else {
        return Decision::deny(
            R::UnknownChannel,
            format!(
                "`{}` is not a consent channel: use email, phone, sms, post, messaging or any",
                query.channel
            ),
        );
    };
    let at = query.at;
    let Some(contact) = facts.contact else {
        if let Some(decision) = suppression_decision(facts, purpose) {
            return decision;
        }
        return Decision::deny(
            R::UnknownSubject,
            "no contact with this identity is known, so no legal basis or privacy notice is recorded for it".into(),
        );
    };
    if let Some(erased) = facts.erased_at {
        return Decision::deny(
            R::Erased,
            format!(
                "{contact} was erased on {}: nothing may be processed",
                erased.date_string()
            ),
        );
    }
    if let Some(decision) = suppression_decision(facts, purpose) {
        return decision;
    }
    if let Some(since) = facts.restricted_since.filter(|since| *since <= at) {
        return Decision::deny(
            R::Restricted,
            format!("processing of {contact} is restricted since {} (Art. 18): only storage is allowed until the restriction is lifted", since.date_string()),
        );
    }
    let consent = consent_for(channel, &facts.consents, facts.objection);
    if let (Some(objection), true) = (consent.objection, purpose.direct_marketing) {
        return Decision::deny(
            R::Objected,
            format!(
                "the contact objected to {} ({}) on {}: an objection to direct marketing is absolute (Art. 21(3)), covers every channel, and no legal basis overrides it",
                purpose.name,
                channel_words(objection.channel),
                objection.at.date_string()
            ),
        );
    }

    let mut failures: Vec<(DecisionRule, String)> = Vec::new();
    let mut chosen: Option<(LegalBasis, String)> = None;
    for basis in BASIS_ORDER
        .into_iter()
        .filter(|b| purpose.bases.contains(b))
    {
        match check_basis(policy, purpose, basis, channel, consent, facts, at) {
            Ok(why) => {
                chosen = Some((basis, why));
                break;
            }
            Err(Some(failure)) => failures.push(failure),
            Err(None) => {}
        }
    }
    let Some((basis, why)) = chosen else {
        return no_basis(purpose, channel, failures);
    };
    if policy.notice_required && facts.first_notice_at.is_none_or(|given| given > at) {
        return Decision {
            allowed: false,
            basis: Some(basis),
            rule: R::NoticeMissing,
            reason: format!(
                "{why}, but no privacy notice (Art. 13–14) is recorded as given to {contact} by {}: record the notice version they received before processing (R7)",
                at.date_string()
            ),
        };
    }
    Decision {
        allowed: true,
        basis: Some(basis),
        rule: R::Allowed,
        reason: format!("allowed: {why}"),
    }
}

fn suppression_decision(facts: &SubjectFacts, purpose: &PurposeDef) -> Option<Decision> {
    let (since, scope) = facts.suppression.as_ref()?;
    scope.covers(&purpose.name).then(|| {
        Decision::deny(
            DecisionRule::Suppressed,
            format!(
                "the identity is on the suppression list since {} for {}: it must not be processed for {} (R13)",
                since.date_string(),
                scope.describe(),
                purpose.name
            ),
        )
    })
}

pub(super) fn channel_words(channel: ConsentChannel) -> String {
    match channel {
        ConsentChannel::Any => "every channel".into(),
        c => format!("by {c}"),
    }
}
