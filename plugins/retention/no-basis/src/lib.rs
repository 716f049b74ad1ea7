//! # `no-basis`: a contact with no legal basis and no consent is remedied or deleted
//!
//! Processing needs a legal basis (Art. 6(1)); a list bought or found in a spreadsheet has none.
//! Where no consent can be found, the data must be remedied or deleted. The rule looks at subjects
//! with no legal basis recorded at all and nothing in the consent ledger: a basis that ended or a
//! consent withdrawn is the other rules' to judge (`legitimate-interest`, `consent-withdrawn`,
//! `accounting`), each with its own period. It counts from when the data was collected (the
//! earliest collection a source records; the contact's creation when none does):
//!
//! - before `review_days` (30): **no decision**, time to record the basis or the consent;
//! - from then: **review**, a person remedies it or lets it go, `review-after` on the day it is erased;
//! - `erase_days` (60) later, if nobody acted: **erase**.
//!
//! Each reason says from which day it holds.

#[cfg(test)]
mod tests;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::retention::RetentionRule;
use custode_sdk::time::{format_date, Timestamp};
use custode_sdk::types::{PluginInfo, PluginKind, RetentionAction, RetentionDecision, SubjectView};

const REFERENCE: &str = "GDPR Art. 6(1), Art. 5(1)(a), Art. 17(1)(d)";
const DAY: i64 = 86_400;

/// The rule's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    review_days: i64,
    erase_days: i64,
}

impl Rule {
    pub fn from_config(config: &Config) -> Result<Rule, ConfigError> {
        let days = |key: &str, default: i64| -> Result<i64, ConfigError> {
            let n = config.number::<i64>(key)?.unwrap_or(default);
            if !(0..=3650).contains(&n) {
                return Err(ConfigError::new(
                    key,
                    format!("{n} is out of range; write a number of days from 0 to 3650"),
                ));
            }
            Ok(n)
        };
        Ok(Rule {
            review_days: days("review_days", 30)?,
            erase_days: days("erase_days", 60)?,
        })
    }

    pub fn evaluate(&self, now: Timestamp, batch: &[SubjectView]) -> Vec<RetentionDecision> {
        batch.iter().filter_map(|s| self.decide(now, s)).collect()
    }

    fn decide(&self, now: Timestamp, s: &SubjectView) -> Option<RetentionDecision> {
        if !s.legal_bases.is_empty() || !s.consents.is_empty() {
            return None;
        }
        let collected = s
            .sources
            .iter()
            .map(|src| src.collected_at)
            .min()
            .unwrap_or(s.created_at)
            .min(s.created_at);
        let review_from = collected + self.review_days * DAY;
        let erase_from = review_from + self.erase_days * DAY;
        if now < review_from {
            return None;
        }
        let facts = format!(
            "no legal basis and no consent recorded, data collected on {} ({} days ago)",
            format_date(collected),
            (now - collected) / DAY
        );
        let (action, reason, review_after, holds_from) = if now < erase_from {
            (
                RetentionAction::Review,
                format!(
                    "{facts}: record a basis or a consent, or it is erased from {}; review holds from {}",
                    format_date(erase_from),
                    format_date(review_from)
                ),
                Some(erase_from),
                review_from,
            )
        } else {
            (
                RetentionAction::Erase,
                format!(
                    "{facts}, and nobody remedied it within {} days of review; erasure holds from {}",
                    self.erase_days,
                    format_date(erase_from)
                ),
                None,
                erase_from,
            )
        };
        Some(RetentionDecision {
            contact_id: s.contact_id,
            action,
            reason,
            legal_reference: REFERENCE.to_string(),
            review_after,
            holds_from: Some(holds_from),
        })
    }
}

pub fn describe() -> PluginInfo {
    PluginInfo::new(
        "no-basis",
        env!("CARGO_PKG_VERSION"),
        PluginKind::RetentionRule,
        "Sends contacts with no legal basis and no consent recorded to review, then erases them if nobody acts (Art. 6(1))",
    )
    .with_config_key("review_days", "Days from collection before a contact with no basis goes to review (0 to 3650)", false, Some("30"))
    .with_config_key("erase_days", "Further days in review before it is erased if nobody acts (0 to 3650)", false, Some("60"))
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
