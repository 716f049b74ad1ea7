//! `can_process`: may this contact's data be processed for this purpose on this channel at this time,
//! on which legal basis, and if not, why (R8). Pure: the store gathers [`SubjectFacts`] with a few index
//! lookups, this decides.

use serde::{Deserialize, Serialize};

use super::catalogue::PurposeDef;
use super::consent::{effective_consent, BasisPeriod, ConsentState};
use super::ids::ContactId;
use super::settings::Policy;
use super::time::Timestamp;
use super::vocab::{ConsentAction, ConsentChannel, LegalBasis};

/// What is asked.
#[derive(Debug, Clone, Copy)]
pub struct ProcessingQuery<'a> {
    pub purpose: &'a str,
    /// A consent channel name; `any` asks about every channel at once (only a consent given for `any`
    /// answers it).
    pub channel: &'a str,
    pub at: Timestamp,
}

/// Purposes an identity on the suppression list must not be processed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The latest ledger event at or before the query time on the asked channel (None when asking `any`).
    pub consent_on_channel: Option<ConsentState>,
    /// The latest ledger event at or before the query time on `any`.
    pub consent_on_any: Option<ConsentState>,
    /// Every recorded basis period for the asked purpose.
    pub bases: Vec<BasisPeriod>,
}

/// Which rule decided; stable names for API clients and tests, while `reason` is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    /// The basis that makes the processing lawful, when one is found.
    pub basis: Option<LegalBasis>,
    pub rule: DecisionRule,
    /// In words a DPO can act on.
    pub reason: String,
}

impl Decision {
    fn deny(rule: DecisionRule, reason: String) -> Self {
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
/// that is erased, suppressed or restricted is refused whatever its bases; then an objection; then the
/// purpose's bases one by one; then the privacy notice.
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
    let specific = if channel == ConsentChannel::Any {
        None
    } else {
        facts.consent_on_channel
    };
    let consent = effective_consent(specific, facts.consent_on_any);
    let objected = consent.filter(|c| c.action == ConsentAction::Objected);
    if let (Some(objection), true) = (objected, purpose.direct_marketing) {
        return Decision::deny(
            R::Objected,
            format!(
                "the contact objected to {} ({}) on {}: an objection to direct marketing is absolute (Art. 21(3)) and no legal basis overrides it",
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

fn channel_words(channel: ConsentChannel) -> String {
    match channel {
        ConsentChannel::Any => "every channel".into(),
        c => format!("by {c}"),
    }
}

/// `Ok(why)` when `basis` makes the processing lawful now; `Err(Some(..))` when it is recorded but does
/// not (ended, withdrawn, lapsed, objected to); `Err(None)` when nothing about it is recorded.
fn check_basis(
    policy: &Policy,
    purpose: &PurposeDef,
    basis: LegalBasis,
    channel: ConsentChannel,
    consent: Option<ConsentState>,
    facts: &SubjectFacts,
    at: Timestamp,
) -> Result<String, Option<(DecisionRule, String)>> {
    use DecisionRule as R;
    let periods = facts.bases.iter().filter(|p| p.basis == basis);
    let active = periods.clone().find(|p| p.active_at(at));
    let objection = consent.filter(|c| c.action == ConsentAction::Objected);
    let name = &purpose.name;
    if basis == LegalBasis::Consent {
        let Some(state) = consent else {
            return Err(Some((
                R::ConsentNeverGiven,
                format!(
                    "consent for {name} {} was never given",
                    channel_words(channel)
                ),
            )));
        };
        return match state.action {
            ConsentAction::Withdrawn => Err(Some((
                R::ConsentWithdrawn,
                format!(
                    "consent for {name} {} was withdrawn on {}",
                    channel_words(state.channel),
                    state.at.date_string()
                ),
            ))),
            ConsentAction::Objected => Err(Some((
                R::Objected,
                format!(
                    "the contact objected to {name} ({}) on {}",
                    channel_words(state.channel),
                    state.at.date_string()
                ),
            ))),
            // Consent recorded with a validity period (e.g. "for 24 months") ends with it.
            ConsentAction::Granted if active.is_none() && periods.clone().next().is_some() => {
                Err(Some(period_failure(basis, name, periods, at)))
            }
            ConsentAction::Granted => Ok(format!(
                "consent for {name} {} granted on {}",
                channel_words(state.channel),
                state.at.date_string()
            )),
        };
    }
    let Some(period) = active else {
        return match periods.clone().next() {
            Some(_) => Err(Some(period_failure(basis, name, periods, at))),
            None => Err(None),
        };
    };
    // Art. 21(1): an objection stops processing based on legitimate interest or public task.
    if let (Some(o), LegalBasis::LegitimateInterest | LegalBasis::PublicTask) = (objection, basis) {
        return Err(Some((
            R::Objected,
            format!("the contact objected to {name} on {}, which stops processing based on {basis} (Art. 21(1))", o.at.date_string()),
        )));
    }
    if basis == LegalBasis::LegitimateInterest {
        let since = facts
            .last_interaction
            .unwrap_or(period.start)
            .max(period.start);
        let months = policy.legitimate_interest_months;
        if since.add_months(months) <= at {
            return Err(Some((
                R::LegitimateInterestLapsed,
                format!(
                    "legitimate interest for {name} lapsed: no interaction since {}, {} months ago (the limit is {months}, R12)",
                    since.date_string(),
                    since.whole_months_until(at)
                ),
            )));
        }
    }
    Ok(format!(
        "{basis} ({}) for {name} since {}",
        basis.article(),
        period.start.date_string()
    ))
}

fn period_failure<'a>(
    basis: LegalBasis,
    purpose: &str,
    periods: impl Iterator<Item = &'a BasisPeriod>,
    at: Timestamp,
) -> (DecisionRule, String) {
    let periods: Vec<&BasisPeriod> = periods.collect();
    let latest_end = periods
        .iter()
        .filter_map(|p| p.end.filter(|end| *end <= at))
        .max();
    match latest_end {
        Some(end) => (
            DecisionRule::BasisEnded,
            format!(
                "the {basis} basis for {purpose} ended on {}",
                end.date_string()
            ),
        ),
        None => {
            let start = periods.iter().map(|p| p.start).min().unwrap_or(at);
            (
                DecisionRule::BasisNotStarted,
                format!(
                    "the {basis} basis for {purpose} starts only on {}",
                    start.date_string()
                ),
            )
        }
    }
}

fn no_basis(
    purpose: &PurposeDef,
    channel: ConsentChannel,
    failures: Vec<(DecisionRule, String)>,
) -> Decision {
    use DecisionRule as R;
    let needs: Vec<&str> = purpose.bases.iter().map(|b| b.as_str()).collect();
    if failures.is_empty() {
        return Decision::deny(
            R::NoBasis,
            format!(
                "no legal basis is recorded for {} ({}): it needs {}; record one, or obtain consent where consent is allowed (R8)",
                purpose.name,
                channel_words(channel),
                needs.join(" or ")
            ),
        );
    }
    // The most telling failure names the rule; every failure is in the reason.
    const PRIORITY: [DecisionRule; 6] = [
        R::Objected,
        R::ConsentWithdrawn,
        R::BasisEnded,
        R::LegitimateInterestLapsed,
        R::BasisNotStarted,
        R::ConsentNeverGiven,
    ];
    let rule = PRIORITY
        .into_iter()
        .find(|r| failures.iter().any(|(f, _)| f == r))
        .unwrap_or(failures[0].0);
    let reasons: Vec<String> = failures.into_iter().map(|(_, why)| why).collect();
    let fix = if purpose.bases == [LegalBasis::Consent] {
        format!(
            "{} needs consent (R8): obtain it again or stop processing",
            purpose.name
        )
    } else {
        format!("{} needs {}", purpose.name, needs.join(" or "))
    };
    Decision::deny(rule, format!("{}; {fix}", reasons.join("; ")))
}
