//! Whether one legal basis makes a processing lawful now, and the words when none does: the part of
//! `can_process` that goes through the purpose's bases one by one.

use super::catalogue::PurposeDef;
use super::consent::{BasisPeriod, ChannelConsent};
use super::customer::{customer_marketing, RULE_WORDS};
use super::decision::{channel_words, Decision, DecisionRule, SubjectFacts};
use super::settings::Policy;
use super::time::Timestamp;
use super::vocab::{ConsentAction, ConsentChannel, LegalBasis};

/// `Ok(why)` when `basis` makes the processing lawful now; `Err(Some(..))` when it is recorded but does
/// not (ended, withdrawn, lapsed, objected to); `Err(None)` when nothing about it is recorded.
pub(super) fn check_basis(
    policy: &Policy,
    purpose: &PurposeDef,
    basis: LegalBasis,
    channel: ConsentChannel,
    consent: ChannelConsent,
    facts: &SubjectFacts,
    at: Timestamp,
) -> Result<String, Option<(DecisionRule, String)>> {
    use DecisionRule as R;
    let periods = facts.bases.iter().filter(|p| p.basis == basis);
    let active = periods.clone().find(|p| p.active_at(at));
    let name = &purpose.name;
    if basis == LegalBasis::Consent {
        let Some(state) = consent.state else {
            return Err(Some((
                R::ConsentNeverGiven,
                format!(
                    "consent for {name} {} was never given",
                    channel_words(channel)
                ),
            )));
        };
        // Asked about every channel, a refusal on one channel says why consent is not on all of them.
        let not_everywhere = if channel == ConsentChannel::Any && state.channel != channel {
            ", so it is not given on every channel"
        } else {
            ""
        };
        return match state.action {
            ConsentAction::Withdrawn => Err(Some((
                R::ConsentWithdrawn,
                format!(
                    "consent for {name} {} was withdrawn on {}{not_everywhere}",
                    channel_words(state.channel),
                    state.at.date_string()
                ),
            ))),
            ConsentAction::Objected => Err(Some((
                R::Objected,
                format!(
                    "the contact objected to {name} ({}) on {}, which counts on every channel",
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
    // Art. 21(1): an objection, on whatever channel, stops processing based on legitimate interest or
    // public task for the purpose.
    if let (Some(o), LegalBasis::LegitimateInterest | LegalBasis::PublicTask) =
        (consent.objection, basis)
    {
        return Err(Some((
            R::Objected,
            format!(
                "the contact objected to {name} ({}) on {}, which stops processing based on {basis} (Art. 21(1))",
                channel_words(o.channel),
                o.at.date_string()
            ),
        )));
    }
    let mut customer = None;
    if basis == LegalBasis::LegitimateInterest {
        // A controller that asked for consent cannot fall back on legitimate interest once it is
        // withdrawn (EDPB Guidelines 05/2020 on consent, §121–123); contract or a legal obligation,
        // which do not rest on the person's will, are tried before and still apply.
        if let Some(w) = consent.withdrawn() {
            return Err(Some((
                R::ConsentWithdrawn,
                format!(
                    "legitimate interest cannot replace consent withdrawn on {} ({}) for {name}: a controller may not switch to another basis after a withdrawal (EDPB Guidelines 05/2020 on consent, §121–123)",
                    w.at.date_string(),
                    channel_words(w.channel)
                ),
            )));
        }
        // Direct marketing on legitimate interest: only to customers, on the configured channels.
        if purpose.direct_marketing {
            customer = Some(
                customer_marketing(
                    &policy.customer_marketing,
                    policy.legitimate_interest_months,
                    &facts.contracts,
                    name,
                    channel,
                    at,
                )
                .map_err(Some)?,
            );
        }
        let (since, what) = last_heard(facts);
        let months = policy.legitimate_interest_months;
        if since.add_months(months) <= at {
            return Err(Some((
                R::LegitimateInterestLapsed,
                format!(
                    "legitimate interest for {name} lapsed: {what} {}, {} months ago (the limit is {months})",
                    since.date_string(),
                    since.whole_months_until(at)
                ),
            )));
        }
    }
    let why = format!(
        "{basis} ({}) for {name} since {}",
        basis.article(),
        period.start.date_string()
    );
    Ok(match customer {
        Some(customer) => format!("{RULE_WORDS}: the contact is {customer}; {why}"),
        None => why,
    })
}

/// When the controller last heard from the person, as the bundled legitimate-interest retention rule
/// counts it (so `can_process` and retention agree on when the 24 months are over): the later of the
/// last interaction and the latest collection of their data by a source; the creation of the contact
/// when neither is known. Also the words for it.
fn last_heard(facts: &SubjectFacts) -> (Timestamp, &'static str) {
    match (facts.last_interaction, facts.last_collected_at) {
        (Some(i), Some(c)) if c > i => (c, "no interaction since the data was last collected on"),
        (Some(i), _) => (i, "no interaction since"),
        (None, Some(c)) => (c, "no interaction recorded since the data was collected on"),
        (None, None) => (
            facts.created_at,
            "no interaction or collection recorded since the contact was created on",
        ),
    }
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

pub(super) fn no_basis(
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
                "no legal basis is recorded for {} ({}): it needs {}; record one, or obtain consent where consent is allowed",
                purpose.name,
                channel_words(channel),
                needs.join(" or ")
            ),
        );
    }
    // The most telling failure names the rule; every failure is in the reason.
    const PRIORITY: [DecisionRule; 8] = [
        R::Objected,
        R::ConsentWithdrawn,
        R::BasisEnded,
        R::LegitimateInterestLapsed,
        R::NotACustomer,
        R::ChannelNotAllowed,
        R::BasisNotStarted,
        R::ConsentNeverGiven,
    ];
    let rule = PRIORITY
        .into_iter()
        .find(|r| failures.iter().any(|(f, _)| f == r))
        .unwrap_or(failures[0].0);
    let reasons: Vec<String> = failures.into_iter().map(|(_, why)| why).collect();
    let customer_rule = purpose.direct_marketing
        && purpose.bases.contains(&LegalBasis::Consent)
        && purpose.bases.contains(&LegalBasis::LegitimateInterest)
        && purpose
            .bases
            .iter()
            .all(|b| matches!(b, LegalBasis::Consent | LegalBasis::LegitimateInterest));
    let fix = if purpose.bases == [LegalBasis::Consent] {
        format!(
            "{} needs consent: obtain it again or stop processing",
            purpose.name
        )
    } else if customer_rule {
        format!(
            "{} needs consent: obtain it again or stop processing (legitimate interest serves only marketing to customers, by the channels the settings allow)",
            purpose.name
        )
    } else {
        format!("{} needs {}", purpose.name, needs.join(" or "))
    };
    Decision::deny(rule, format!("{}; {fix}", reasons.join("; ")))
}
