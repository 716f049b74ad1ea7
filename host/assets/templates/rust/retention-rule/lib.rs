//! `{{name}}`: a Custode retention rule. A contact silent for `months` months (default 24) is
//! erased: storage limitation, GDPR Art. 5(1)(e). A contact under legal hold gets no decision.
//!
//! The host calls `evaluate` with the time of the run and a batch of subjects; a subject with no
//! decision is kept. Each decision says from when it holds (the day the limit was reached).

#[cfg(test)]
mod tests;

use custode_sdk::config::{Config, ConfigError};
use custode_sdk::retention::RetentionRule;
use custode_sdk::time::{add_months, format_date, Timestamp};
use custode_sdk::types::{
    ConfigProblem, PluginInfo, PluginKind, RetentionAction, RetentionDecision, SubjectView,
};

const REFERENCE: &str = "GDPR Art. 5(1)(e)";

pub struct Rule {
    months: i64,
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
        Ok(Rule { months })
    }

    pub fn evaluate(&self, now: Timestamp, batch: &[SubjectView]) -> Vec<RetentionDecision> {
        batch.iter().filter_map(|s| self.decide(now, s)).collect()
    }

    fn decide(&self, now: Timestamp, s: &SubjectView) -> Option<RetentionDecision> {
        if s.legal_hold {
            return None;
        }
        let last = s.last_interaction.unwrap_or(s.created_at);
        let limit = add_months(last, self.months);
        if now < limit {
            return None;
        }
        let reason = format!(
            "no interaction since {} (limit {} months, reached on {})",
            format_date(last),
            self.months,
            format_date(limit)
        );
        Some(
            RetentionDecision::new(s.contact_id, RetentionAction::Erase, reason, REFERENCE)
                .holds_from(limit),
        )
    }
}

impl RetentionRule for Rule {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "{{name}}",
            env!("CARGO_PKG_VERSION"),
            PluginKind::RetentionRule,
            "Erases contacts silent for 24 months (storage limitation)",
        )
        .with_config_key("months", "Months without interaction before erasure, 1 to 1200", false, Some("24"))
    }
    /// Refuses a bad `months` when the admin sets it, not at the first run.
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        Rule::from_config(config)?;
        Ok(())
    }
    fn evaluate(now: Timestamp, batch: Vec<SubjectView>) -> Result<Vec<RetentionDecision>, String> {
        Ok(Rule::from_config(&Config::from_host())?.evaluate(now, &batch))
    }
}

custode_sdk::export_retention_rule!(Rule);
