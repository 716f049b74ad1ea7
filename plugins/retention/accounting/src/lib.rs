//! # `accounting`: accounting records are kept 10 years from the last entry, and no longer
//!
//! Italian law requires accounting records (invoices, VAT ids, amounts) to be kept for 10 years
//! from the date of the last entry (art. 2220 Civil Code); GDPR lets them be kept meanwhile
//! (Art. 6(1)(c), Art. 17(3)(b)) and no longer (Art. 5(1)(e)). The rule looks only at subjects with
//! a legal-obligation basis for the `accounting` purpose. Their **last entry** is the latest of the
//! last interaction, the start of that basis and its explicit end: a basis recorded with no end
//! does not keep data forever, the clock runs from the last thing that happened.
//!
//! - Within the 10 years, while another basis is in force (a contract, a consent, legitimate
//!   interest not yet lapsed by silence): **no decision**, the other rules decide about the rest.
//! - Within the 10 years, every other basis lapsed: **anonymise** every category but the accounting
//!   ones (`financial` by default): the rest of the person goes, the records stay. If only
//!   accounting categories are left: **keep**, with `review-after` on the day the 10 years end.
//! - After the 10 years, another basis in force: **anonymise** the accounting categories only.
//! - After the 10 years, no other basis: **erase**: nothing requires the data any more.
//!
//! Legitimate interest lapses after `silence_months` (24, as the `legitimate-interest` rule; keep
//! the two equal) without hearing from the person. A legal hold or a restriction is the host's to
//! enforce: the policy stops any erasure then. Each reason says from which day it holds.

#[cfg(test)]
mod tests;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::retention::RetentionRule;
use custode_sdk::time::{add_months, format_date, Timestamp};
use custode_sdk::types::{
    ConsentAction, DataCategory, LegalBasis, PluginInfo, PluginKind, RetentionAction,
    RetentionDecision, SubjectView,
};

const REFERENCE: &str = "art. 2220 Italian Civil Code; GDPR Art. 6(1)(c), Art. 17(3)(b)";
const REFERENCE_AFTER: &str = "art. 2220 Italian Civil Code; GDPR Art. 5(1)(e)";

/// The rule's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    years: i64,
    purpose: String,
    /// The categories the obligation covers.
    kept: Vec<DataCategory>,
    silence_months: i64,
}

impl Rule {
    pub fn from_config(config: &Config) -> Result<Rule, ConfigError> {
        let years = config.number::<i64>("years")?.unwrap_or(10);
        if !(1..=100).contains(&years) {
            return Err(ConfigError::new(
                "years",
                format!("{years} is out of range; write a number of years from 1 to 100"),
            ));
        }
        let silence_months = config.number::<i64>("silence_months")?.unwrap_or(24);
        if !(1..=1200).contains(&silence_months) {
            return Err(ConfigError::new(
                "silence_months",
                format!(
                    "{silence_months} is out of range; write a number of months from 1 to 1200"
                ),
            ));
        }
        let purpose = config
            .string("purpose")
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "accounting".into());
        let mut kept = Vec::new();
        for name in config.list("categories", ',') {
            kept.push(DataCategory::from_name(&name).ok_or_else(|| {
                let all: Vec<&str> = DataCategory::ALL.iter().map(|c| c.name()).collect();
                ConfigError::new(
                    "categories",
                    format!("`{name}` is not a data category; use {}", all.join(", ")),
                )
            })?);
        }
        if kept.is_empty() {
            kept.push(DataCategory::Financial);
        }
        Ok(Rule {
            years,
            purpose,
            kept,
            silence_months,
        })
    }

    pub fn evaluate(&self, now: Timestamp, batch: &[SubjectView]) -> Vec<RetentionDecision> {
        batch.iter().filter_map(|s| self.decide(now, s)).collect()
    }

    fn decide(&self, now: Timestamp, s: &SubjectView) -> Option<RetentionDecision> {
        let last_entry = self.last_entry(s)?;
        let until = add_months(last_entry, self.years * 12);
        let other = self.other_basis_in_force(s, now);
        // Anonymising the rest holds as of the run; the end of the records, from `until`.
        let decision = |action, reason: String, reference: &str, review_after| {
            let holds_from = (now >= until).then_some(until);
            RetentionDecision {
                contact_id: s.contact_id,
                action,
                reason,
                legal_reference: reference.to_string(),
                review_after,
                holds_from,
            }
        };
        let kept_names = names(&self.kept);
        if now < until {
            if other.is_some() {
                return None;
            }
            let rest: Vec<DataCategory> = held(s)
                .into_iter()
                .filter(|c| !self.kept.contains(c))
                .collect();
            if rest.is_empty() {
                return Some(decision(
                    RetentionAction::Keep,
                    format!(
                        "kept: only accounting records ({kept_names}) are left, required for {} years from the last entry on {}, until {}",
                        self.years,
                        format_date(last_entry),
                        format_date(until)
                    ),
                    REFERENCE,
                    Some(until),
                ));
            }
            return Some(decision(
                RetentionAction::Anonymise(rest),
                format!(
                    "every basis but the accounting obligation has lapsed: the rest goes, the accounting records ({kept_names}) stay until {} ({} years from the last entry on {}); holds from {}",
                    format_date(until),
                    self.years,
                    format_date(last_entry),
                    format_date(now)
                ),
                REFERENCE,
                Some(until),
            ));
        }
        let ended = format!(
            "the {} years accounting records must be kept ended on {} (last entry {}); holds from {}",
            self.years,
            format_date(until),
            format_date(last_entry),
            format_date(until)
        );
        Some(match other {
            Some(other) => decision(
                RetentionAction::Anonymise(self.kept.clone()),
                format!("{ended}: the accounting records ({kept_names}) go, the rest stays on the {other}"),
                REFERENCE_AFTER,
                None,
            ),
            None => decision(
                RetentionAction::Erase,
                format!("{ended}, and no other basis is in force"),
                REFERENCE_AFTER,
                None,
            ),
        })
    }

    /// The latest of the last interaction and the start and explicit end of every
    /// legal-obligation basis for the accounting purpose; none without such a basis.
    fn last_entry(&self, s: &SubjectView) -> Option<Timestamp> {
        let mut obligations = s
            .legal_bases
            .iter()
            .filter(|b| b.basis == LegalBasis::LegalObligation && b.purpose == self.purpose)
            .peekable();
        obligations.peek()?;
        obligations
            .flat_map(|b| [Some(b.start), b.end])
            .flatten()
            .chain(s.last_interaction)
            .max()
    }

    /// Another basis that still lets the controller keep the person: in words, or none.
    fn other_basis_in_force(&self, s: &SubjectView, now: Timestamp) -> Option<String> {
        let withdrawn = |purpose: &str| {
            s.consents.iter().any(|c| {
                c.purpose == purpose
                    && matches!(c.state, ConsentAction::Withdrawn | ConsentAction::Objected)
            }) && !s
                .consents
                .iter()
                .any(|c| c.purpose == purpose && c.state == ConsentAction::Granted)
        };
        let silent = add_months(last_heard(s), self.silence_months) <= now;
        let period = s.legal_bases.iter().find(|b| {
            !(b.basis == LegalBasis::LegalObligation && b.purpose == self.purpose)
                && b.start <= now
                && b.end.is_none_or(|end| end > now)
                && !(b.basis == LegalBasis::Consent && withdrawn(&b.purpose))
                && !(b.basis == LegalBasis::LegitimateInterest && silent)
        });
        if let Some(b) = period {
            return Some(format!("{} basis for `{}`", b.basis.name(), b.purpose));
        }
        s.consents
            .iter()
            .find(|c| c.state == ConsentAction::Granted)
            .map(|c| format!("consent to `{}` by {}", c.purpose, c.channel))
    }
}

/// When Custode last heard from the person (as the `legitimate-interest` rule counts it).
fn last_heard(s: &SubjectView) -> Timestamp {
    let collected = s.sources.iter().map(|src| src.collected_at).max();
    match (s.last_interaction, collected) {
        (Some(i), Some(c)) => i.max(c),
        (Some(t), None) | (None, Some(t)) => t,
        (None, None) => s.created_at,
    }
}

/// The categories the subject holds; all of them when the host did not say.
fn held(s: &SubjectView) -> Vec<DataCategory> {
    if s.categories.is_empty() {
        DataCategory::ALL.to_vec()
    } else {
        s.categories.iter().map(|c| c.category).collect()
    }
}

fn names(categories: &[DataCategory]) -> String {
    categories
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn describe() -> PluginInfo {
    PluginInfo::new(
        "accounting",
        env!("CARGO_PKG_VERSION"),
        PluginKind::RetentionRule,
        "Keeps accounting records 10 years from the last entry (art. 2220 Italian Civil Code); the rest goes when every other basis has lapsed",
    )
    .with_config_key("years", "Years accounting records are kept from the last entry (1 to 100)", false, Some("10"))
    .with_config_key("purpose", "The purpose whose legal-obligation basis marks accounting data", false, Some("accounting"))
    .with_config_key(
        "categories",
        "The data categories the obligation covers (contact, commercial, financial, marketing, notes)",
        false,
        Some("financial"),
    )
    .with_config_key(
        "silence_months",
        "Months of silence after which legitimate interest no longer counts as a basis in force (as the legitimate-interest rule's months)",
        false,
        Some("24"),
    )
}

struct Plugin;

impl RetentionRule for Plugin {
    fn describe() -> PluginInfo {
        describe()
    }
    fn evaluate(now: Timestamp, batch: Vec<SubjectView>) -> Result<Vec<RetentionDecision>, String> {
        let rule = Rule::from_config(&Config::from_host())?;
        Ok(rule.evaluate(now, &batch))
    }
}

custode_sdk::export_retention_rule!(Plugin);
