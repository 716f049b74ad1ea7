//! `can_process`: may this contact's data be processed for this purpose on this channel at this time,
//! on which legal basis, and if not, why. Pure: the store gathers [`SubjectFacts`] with a few index
//! lookups, this decides.

use super::catalogue::PurposeDef;
use super::consent::consent_for;
use super::decision::{channel_words, Decision, DecisionRule, SubjectFacts};
use super::lawful_basis::{check_basis, no_basis};
use super::periods::{restriction_at, suppression_at};
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
/// that is erased, or was suppressed or restricted at the asked time, is refused whatever its bases; then an objection to a
/// direct-marketing purpose, on any channel (absolute); then the purpose's bases one by one, where an
/// objection also stops legitimate interest and public task, a withdrawal also stops legitimate
/// interest, and legitimate interest for direct marketing serves only customers on the configured
/// channels ([`customer`](super::customer)); then the privacy notice. How the ledger's channels combine is [`consent_for`].
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
        if let Some(decision) = suppression_decision(facts, purpose, at) {
            return decision;
        }
        return Decision::deny(
            R::UnknownSubject,
            "no contact with this identity is known, so no legal basis or privacy notice is recorded for it".into(),
        );
    };
    if let Some(erased) = facts.erased_at {
        // Asked about a time before the erasure, the ledger that would answer is gone with the data.
        let before = if at < erased {
            format!(
                "; what was recorded about {} went with the data",
                at.date_string()
            )
        } else {
            String::new()
        };
        return Decision::deny(
            R::Erased,
            format!(
                "{contact} was erased on {}: nothing may be processed{before}",
                erased.date_string()
            ),
        );
    }
    if let Some(decision) = suppression_decision(facts, purpose, at) {
        return decision;
    }
    if let Some(period) = restriction_at(&facts.restrictions, at) {
        let reason = match period.until {
            Some(until) => format!(
                "processing of {contact} was restricted from {} until {} (Art. 18): on {} only storage was allowed",
                period.since.date_string(),
                until.date_string(),
                at.date_string()
            ),
            None => format!(
                "processing of {contact} is restricted since {} (Art. 18): only storage is allowed until the restriction is lifted",
                period.since.date_string()
            ),
        };
        return Decision::deny(R::Restricted, reason);
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
                "{why}, but no privacy notice (Art. 13–14) is recorded as given to {contact} by {}: record the notice version they received before processing",
                at.date_string()
            ),
        };
    }
    // Legitimate interest for direct marketing passed the customer rule: the answer names it.
    let rule = if basis == LegalBasis::LegitimateInterest && purpose.direct_marketing {
        R::CustomerMarketing
    } else {
        R::Allowed
    };
    Decision {
        allowed: true,
        basis: Some(basis),
        rule,
        reason: format!("allowed: {why}"),
    }
}

/// The suppression in force at `at` for the purpose: one added later does not reach back.
fn suppression_decision(
    facts: &SubjectFacts,
    purpose: &PurposeDef,
    at: Timestamp,
) -> Option<Decision> {
    let (since, scope) = suppression_at(&facts.suppressions, &purpose.name, at)?;
    Some(Decision::deny(
        DecisionRule::Suppressed,
        format!(
            "the identity is on the suppression list since {} for {}: it must not be processed for {}",
            since.date_string(),
            scope.describe(),
            purpose.name
        ),
    ))
}
