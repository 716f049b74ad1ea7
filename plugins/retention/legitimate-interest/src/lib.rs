//! # `legitimate-interest`: customer data ends after 24 months of silence
//!
//! The Garante's guidance for CRMs: data kept under legitimate interest (Art. 6(1)(f)) may be kept
//! while the customer relationship lasts, and no longer once the customer has been silent for
//! 24 months. Silence is counted from the last time Custode heard from the person: the later of
//! the last recorded interaction and the latest collection of their data by a source (a business
//! card left at a fair, a form sent), or the contact's creation in Custode when neither is known.
//! Collection counts because an import is often much later than the collection: a 2022 fair list
//! imported today has been silent since 2022. The limit is reached when `months` whole calendar
//! months have passed (`last + 24 months <= now`, see [`custode_sdk::time::add_months`]).
//!
//! For a subject past the limit, in this order:
//!
//! 1. under legal hold: **keep**, saying so (Art. 17(3)(e));
//! 2. processing restricted (Art. 18): **review** (a person decides);
//! 3. another basis is active (legal obligation, contract or pre-contract without an ended period,
//!    vital interest, public task, a consent currently granted): **keep**, naming the basis and
//!    the purpose, with `review-after` at the end of that basis when it has one;
//! 4. otherwise (legitimate interest is the only basis, or no basis is recorded at all): the
//!    setting `action`, **erase** by default (the host keeps what a legal obligation requires and
//!    the suppression hash), or **anonymise** the categories the subject holds, or **review**.
//!
//! **Which decisions are returned.** The contract keeps a subject that gets no decision, so by
//! default (`explain = changes`) only subjects past the limit get one: the actions, and the keeps
//! and reviews that explain why a silent subject stays. Subjects within the limit, almost all of a
//! healthy CRM, cost no allocation at all, which keeps the rule well above a million subjects per
//! second. With `explain = all` every other subject also gets a `keep` whose `review-after` is the
//! day its silence will reach the limit.

#[cfg(test)]
mod tests;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::retention::RetentionRule;
use custode_sdk::time::{add_months, format_date, months_between, Timestamp};
use custode_sdk::types::{
    ConfigProblem, ConsentAction, DataCategory, LegalBasis, PluginInfo, PluginKind,
    RetentionAction, RetentionDecision, SubjectView,
};

/// The legal reference of the rule's own decisions.
const REFERENCE: &str = "GDPR Art. 5(1)(e), Art. 6(1)(f); Garante, CRM guidance (24 months)";

/// What to do with subjects whose only basis has lapsed.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Erase,
    /// The categories to anonymise; empty: those the subject holds.
    Anonymise(Vec<DataCategory>),
    Review,
}

/// The rule's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    months: i64,
    action: Action,
    explain_all: bool,
}

impl Rule {
    pub fn from_config(config: &Config) -> Result<Rule, ConfigError> {
        let months = config.number::<i64>("months")?.unwrap_or(24);
        if !(1..=1200).contains(&months) {
            return Err(ConfigError::new(
                "months",
                format!("{months} is out of range; write a number of months from 1 to 1200"),
            ));
        }
        let mut categories = Vec::new();
        for name in config.list("categories", ',') {
            categories.push(DataCategory::from_name(&name).ok_or_else(|| {
                let all: Vec<&str> = DataCategory::ALL.iter().map(|c| c.name()).collect();
                ConfigError::new(
                    "categories",
                    format!("`{name}` is not a data category; use {}", all.join(", ")),
                )
            })?);
        }
        let action =
            match config.choice("action", &["erase", "anonymise", "anonymize", "review"])? {
                Some("anonymise" | "anonymize") => Action::Anonymise(categories),
                Some("review") => Action::Review,
                _ => Action::Erase,
            };
        let explain_all = config.choice("explain", &["changes", "all"])? == Some("all");
        Ok(Rule {
            months,
            action,
            explain_all,
        })
    }

    /// Decides for a batch. See the crate documentation for which subjects get a decision.
    pub fn evaluate(&self, now: Timestamp, batch: &[SubjectView]) -> Vec<RetentionDecision> {
        let mut decisions = Vec::new();
        let silent = Silence::new(now, self.months);
        for s in batch {
            let last = last_heard(s);
            if !self.explain_all && !silent.reached(last) {
                continue;
            }
            let limit_reached_at = add_months(last, self.months);
            if now < limit_reached_at {
                if self.explain_all {
                    decisions.push(self.within_limit(s, last, limit_reached_at));
                }
                continue;
            }
            decisions.push(self.past_limit(s, now, last, limit_reached_at));
        }
        decisions
    }

    fn silence(&self, s: &SubjectView, now: Timestamp, last: Timestamp) -> String {
        let months = months_between(last, now);
        if s.last_interaction == Some(last) {
            format!("no interaction for {months} months (limit {})", self.months)
        } else if s.last_interaction.is_some() {
            format!(
                "no interaction since the data was last collected {months} months ago (limit {})",
                self.months
            )
        } else if s.sources.iter().any(|src| src.collected_at == last) {
            format!(
                "no interaction recorded, data collected {months} months ago (limit {})",
                self.months
            )
        } else {
            format!(
                "no interaction recorded, created {months} months ago (limit {})",
                self.months
            )
        }
    }

    /// A decision for a subject whose silence reached the limit on `limit_reached_at`: an erasure,
    /// anonymisation or review holds from that day; a keep (legal hold, another basis) holds now.
    fn past_limit(
        &self,
        s: &SubjectView,
        now: Timestamp,
        last: Timestamp,
        limit_reached_at: Timestamp,
    ) -> RetentionDecision {
        let silence = self.silence(s, now, last);
        let decision =
            |action: RetentionAction, reason: String, legal_reference: &str, review_after| {
                let holds_from =
                    (!matches!(action, RetentionAction::Keep)).then_some(limit_reached_at);
                RetentionDecision {
                    contact_id: s.contact_id,
                    action,
                    reason,
                    legal_reference: legal_reference.to_string(),
                    review_after,
                    holds_from,
                }
            };
        if s.legal_hold {
            return decision(
                RetentionAction::Keep,
                format!("kept: under legal hold, nothing may be erased; {silence}"),
                "GDPR Art. 17(3)(e)",
                None,
            );
        }
        if s.restricted {
            return decision(
                RetentionAction::Review,
                format!("processing is restricted, a person must decide; {silence}"),
                "GDPR Art. 18",
                None,
            );
        }
        if let Some((basis, purpose, end)) = other_active_basis(s, now) {
            return decision(
                RetentionAction::Keep,
                format!(
                    "kept: {} basis for purpose `{purpose}` is active; {silence}",
                    basis.name()
                ),
                &format!("GDPR {}", basis.article()),
                end,
            );
        }
        let why = if s
            .legal_bases
            .iter()
            .any(|b| b.basis == LegalBasis::LegitimateInterest)
        {
            "legitimate interest is the only basis"
        } else {
            "no other legal basis is recorded"
        };
        let action = match &self.action {
            Action::Erase => RetentionAction::Erase,
            Action::Review => RetentionAction::Review,
            Action::Anonymise(configured) if !configured.is_empty() => {
                RetentionAction::Anonymise(configured.clone())
            }
            Action::Anonymise(_) if s.categories.is_empty() => {
                RetentionAction::Anonymise(DataCategory::ALL.to_vec())
            }
            Action::Anonymise(_) => {
                RetentionAction::Anonymise(s.categories.iter().map(|c| c.category).collect())
            }
        };
        decision(action, format!("{silence} and {why}"), REFERENCE, None)
    }

    fn within_limit(
        &self,
        s: &SubjectView,
        last: Timestamp,
        limit_reached_at: Timestamp,
    ) -> RetentionDecision {
        RetentionDecision {
            contact_id: s.contact_id,
            action: RetentionAction::Keep,
            reason: format!(
                "within the limit: {} {}, {} months of silence reached on {}",
                if s.last_interaction == Some(last) {
                    "last interaction"
                } else if s.sources.iter().any(|src| src.collected_at == last) {
                    "data last collected"
                } else {
                    "created"
                },
                format_date(last),
                self.months,
                format_date(limit_reached_at)
            ),
            legal_reference: REFERENCE.to_string(),
            review_after: Some(limit_reached_at),
            holds_from: None,
        }
    }
}

/// When Custode last heard from the subject: the later of the last interaction and the latest
/// collection by a source; the creation of the contact when neither is known.
fn last_heard(s: &SubjectView) -> Timestamp {
    let collected = s.sources.iter().map(|src| src.collected_at).max();
    match (s.last_interaction, collected) {
        (Some(i), Some(c)) => i.max(c),
        (Some(t), None) | (None, Some(t)) => t,
        (None, None) => s.created_at,
    }
}

/// Decides `add_months(last, months) <= now` for many subjects without calendar arithmetic for
/// most of them: `add_months` never decreases as `last` grows, so every `last` up to
/// `add_months(now, -months)` has reached the limit, and none after `now - months * 28 days` has.
struct Silence {
    now: Timestamp,
    months: i64,
    surely: Timestamp,
    never_after: Timestamp,
}

impl Silence {
    fn new(now: Timestamp, months: i64) -> Self {
        Silence {
            now,
            months,
            surely: add_months(now, -months),
            never_after: now - months * 28 * 86_400,
        }
    }

    fn reached(&self, last: Timestamp) -> bool {
        if last <= self.surely {
            true
        } else if last > self.never_after {
            false
        } else {
            add_months(last, self.months) <= self.now
        }
    }
}

/// The strongest active basis other than legitimate interest: `(basis, purpose, its end if known)`.
fn other_active_basis(
    s: &SubjectView,
    now: Timestamp,
) -> Option<(LegalBasis, String, Option<Timestamp>)> {
    let rank = |b: LegalBasis| match b {
        LegalBasis::LegalObligation => 0,
        LegalBasis::Contract => 1,
        LegalBasis::PreContract => 2,
        LegalBasis::VitalInterest => 3,
        LegalBasis::PublicTask => 4,
        LegalBasis::Consent => 5,
        LegalBasis::LegitimateInterest => 6,
    };
    // A consent basis counts only while the ledger does not say it was withdrawn or objected to.
    let consent_revoked = |purpose: &str| {
        s.consents.iter().any(|c| {
            c.purpose == purpose
                && matches!(c.state, ConsentAction::Withdrawn | ConsentAction::Objected)
        }) && !s
            .consents
            .iter()
            .any(|c| c.purpose == purpose && c.state == ConsentAction::Granted)
    };
    let from_periods = s
        .legal_bases
        .iter()
        .filter(|b| {
            b.basis != LegalBasis::LegitimateInterest
                && b.start <= now
                && b.end.is_none_or(|end| end > now)
        })
        .filter(|b| b.basis != LegalBasis::Consent || !consent_revoked(&b.purpose))
        .map(|b| (b.basis, b.purpose.clone(), b.end));
    let from_consents = s
        .consents
        .iter()
        .filter(|c| c.state == ConsentAction::Granted)
        .map(|c| {
            (
                LegalBasis::Consent,
                format!("{}` by `{}", c.purpose, c.channel),
                None,
            )
        });
    from_periods
        .chain(from_consents)
        .min_by_key(|(b, _, _)| rank(*b))
}

pub fn describe() -> PluginInfo {
    PluginInfo::new(
        "legitimate-interest",
        env!("CARGO_PKG_VERSION"),
        PluginKind::RetentionRule,
        "Ends legitimate-interest processing after 24 months without interaction (Garante CRM guidance)",
    )
    .with_config_key("months", "Months of silence after which legitimate interest ends (1 to 1200)", false, Some("24"))
    .with_config_key("action", "What happens then when no other basis applies: erase, anonymise or review", false, Some("erase"))
    .with_config_key(
        "categories",
        "With action = anonymise: the data categories to anonymise (contact, commercial, financial, marketing, notes); \
         not set: those the subject holds",
        false,
        None,
    )
    .with_config_key(
        "explain",
        "changes: decisions only for subjects past the limit; all: also a keep with review-after for every other subject",
        false,
        Some("changes"),
    )
}

struct Plugin;

impl RetentionRule for Plugin {
    fn describe() -> PluginInfo {
        describe()
    }
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        Rule::from_config(config)
            .map(drop)
            .map_err(|e| vec![e.into()])
    }
    fn evaluate(now: Timestamp, batch: Vec<SubjectView>) -> Result<Vec<RetentionDecision>, String> {
        let rule = Rule::from_config(&Config::from_host())?;
        Ok(rule.evaluate(now, &batch))
    }
}

custode_sdk::export_retention_rule!(Plugin);
