//! # `consent-withdrawn`: data held only on consent goes once every consent is withdrawn
//!
//! Consent can be withdrawn at any time (Art. 7(3)); data processed only on consent must then be
//! erased (Art. 17(1)(b)). The rule looks at subjects with a consent in the ledger or a consent
//! basis, and no other basis in force (contract, legal obligation, legitimate interest, …: those
//! are the other rules' to judge).
//!
//! - A consent still in force: the data stays; **no decision** (or, with `explain = all`, a
//!   **keep** naming it). With `max_age_months` set, a consent older than that no longer counts.
//! - Every consent withdrawn or objected to: **erase** once `grace_days` (30) have passed since the
//!   last withdrawal, so an unsubscribe can finish its way through the other systems; within the
//!   grace period, no decision yet (a dry run at a later date shows it coming).
//!
//! Each reason says from which day the erasure holds.

#[cfg(test)]
mod tests;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::retention::RetentionRule;
use custode_sdk::time::{add_months, format_date, Timestamp};
use custode_sdk::types::{
    ConsentAction, LegalBasis, PluginInfo, PluginKind, RetentionAction, RetentionDecision,
    SubjectView,
};

const REFERENCE: &str = "GDPR Art. 7(3), Art. 17(1)(b)";
const DAY: i64 = 86_400;

/// The rule's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    grace_days: i64,
    max_age_months: Option<i64>,
    explain_all: bool,
}

impl Rule {
    pub fn from_config(config: &Config) -> Result<Rule, ConfigError> {
        let grace_days = config.number::<i64>("grace_days")?.unwrap_or(30);
        if !(0..=3650).contains(&grace_days) {
            return Err(ConfigError::new(
                "grace_days",
                format!("{grace_days} is out of range; write a number of days from 0 to 3650"),
            ));
        }
        let max_age_months = config.number::<i64>("max_age_months")?;
        if let Some(m) = max_age_months.filter(|m| !(1..=1200).contains(m)) {
            return Err(ConfigError::new(
                "max_age_months",
                format!("{m} is out of range; write a number of months from 1 to 1200, or leave it unset for no limit"),
            ));
        }
        let explain_all = config.choice("explain", &["changes", "all"])? == Some("all");
        Ok(Rule {
            grace_days,
            max_age_months,
            explain_all,
        })
    }

    pub fn evaluate(&self, now: Timestamp, batch: &[SubjectView]) -> Vec<RetentionDecision> {
        batch.iter().filter_map(|s| self.decide(now, s)).collect()
    }

    fn decide(&self, now: Timestamp, s: &SubjectView) -> Option<RetentionDecision> {
        if s.consents.is_empty() {
            return None;
        }
        let other_basis = s.legal_bases.iter().any(|b| {
            b.basis != LegalBasis::Consent && b.start <= now && b.end.is_none_or(|end| end > now)
        });
        if other_basis {
            return None;
        }
        let decision = |action, reason: String, review_after, holds_from| RetentionDecision {
            contact_id: s.contact_id,
            action,
            reason,
            legal_reference: REFERENCE.to_string(),
            review_after,
            holds_from,
        };
        let in_force = s.consents.iter().find(|c| {
            c.state == ConsentAction::Granted
                && self
                    .max_age_months
                    .is_none_or(|m| add_months(c.at, m) > now)
        });
        if let Some(c) = in_force {
            if !self.explain_all {
                return None;
            }
            return Some(decision(
                RetentionAction::Keep,
                format!(
                    "kept: consent to `{}` by {} in force since {}",
                    c.purpose,
                    c.channel,
                    format_date(c.at)
                ),
                self.max_age_months.map(|m| add_months(c.at, m)),
                None,
            ));
        }
        let last_withdrawal = s
            .consents
            .iter()
            .filter(|c| matches!(c.state, ConsentAction::Withdrawn | ConsentAction::Objected))
            .map(|c| c.at)
            .max();
        let (ended, why) = match last_withdrawal {
            Some(w) => (
                w,
                format!(
                    "every consent the data rested on was withdrawn, the last on {}",
                    format_date(w)
                ),
            ),
            // Only granted consents, each past the configured age.
            None => {
                let months = self.max_age_months?;
                let latest = s.consents.iter().map(|c| c.at).max()?;
                (
                    add_months(latest, months),
                    format!(
                        "every consent is older than {months} months, the latest given on {}",
                        format_date(latest)
                    ),
                )
            }
        };
        let holds_from = ended + self.grace_days * DAY;
        if now < holds_from {
            return None;
        }
        Some(decision(
            RetentionAction::Erase,
            format!(
                "{why}, and no other basis is in force; after the {}-day grace period, erasure holds from {}",
                self.grace_days,
                format_date(holds_from)
            ),
            None,
            Some(holds_from),
        ))
    }
}

pub fn describe() -> PluginInfo {
    PluginInfo::new(
        "consent-withdrawn",
        env!("CARGO_PKG_VERSION"),
        PluginKind::RetentionRule,
        "Erases data held only on consent once every consent is withdrawn, after a grace period (Art. 7(3), 17(1)(b))",
    )
    .with_config_key("grace_days", "Days after the last withdrawal before the erasure holds (0 to 3650)", false, Some("30"))
    .with_config_key(
        "max_age_months",
        "Months after which a consent no longer counts (1 to 1200); not set: no age limit",
        false,
        None,
    )
    .with_config_key(
        "explain",
        "changes: decisions only for data to erase; all: also a keep naming the consent in force",
        false,
        Some("changes"),
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
