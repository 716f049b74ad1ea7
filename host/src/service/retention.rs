//! Retention runs (storage limitation, Art. 5(1)(e)): the store's subjects, in batches of views, through a retention rule plugin;
//! its decisions applied (or only reported, in a dry run), each with the rule's reason.
//!
//! Views carry no names or addresses (minimisation). Decisions are applied batch by batch through the same
//! erase/anonymise service calls a DPO would make, so each applied decision has its own audit entry
//! (with the rule's reason); the run as a whole gets one more entry with its counts.

use super::{Compliance, Error};
use crate::domain::{Actor, ContactId, RetentionAction, RetentionDecision, Timestamp};
use crate::runtime::retention::RetentionJob;
use crate::runtime::{Plugin, PluginError, PluginKind, StartError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Instant;

/// Subjects per call into the plugin: large enough that the call and copy overhead is amortised,
/// small enough that a batch of views stays far below the plugin's memory limit.
pub const BATCH: u32 = 2_000;

#[derive(Debug, Clone)]
pub struct RetentionOptions {
    /// The time decisions are made for (the plugin has no clock): now, or a date to look ahead.
    pub now: Timestamp,
    /// Only report what would be done.
    pub dry_run: bool,
    pub actor: Actor,
}

/// What a retention run decided and did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct RetentionReport {
    /// `name@version` of the rule and the SHA-256 of its component.
    pub rule: String,
    pub rule_digest: String,
    pub now: Timestamp,
    pub dry_run: bool,
    pub subjects: u64,
    pub kept: u64,
    pub erased: u64,
    pub anonymised: u64,
    pub to_review: u64,
    /// Subjects the rule wanted changed that could not be (each decision says why).
    pub not_applied: u64,
    /// Every decision other than a plain keep, with the rule's reason and reference.
    pub decisions: Vec<AppliedDecision>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct AppliedDecision {
    #[serde(flatten)]
    pub decision: RetentionDecision,
    /// `applied`, `would apply (dry run)`, `for review`, or why it could not be applied.
    pub outcome: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(
        "the retention rule failed; decisions of earlier batches stay applied, none after: {0}"
    )]
    Plugin(#[from] PluginError),
    #[error("{0}")]
    Store(#[from] Error),
    #[error("{0}")]
    Invalid(String),
}

impl From<StartError> for RetentionError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Plugin(e) => RetentionError::Plugin(e),
            wrong @ StartError::WrongKind { .. } => RetentionError::Invalid(wrong.to_string()),
        }
    }
}

impl Compliance {
    /// Runs the retention rule `plugin` over every live subject.
    pub fn run_retention(
        &self,
        plugin: &Plugin,
        options: &RetentionOptions,
    ) -> Result<RetentionReport, RetentionError> {
        run(self, plugin, options)
    }
}

fn run(
    compliance: &Compliance,
    plugin: &Plugin,
    options: &RetentionOptions,
) -> Result<RetentionReport, RetentionError> {
    let started = Instant::now();
    if plugin.kind() != PluginKind::RetentionRule {
        return Err(RetentionError::Invalid(format!(
            "plugin `{}` is of kind `{}`: a retention run needs a retention-rule plugin such as `legitimate-interest`",
            plugin.name(),
            plugin.kind()
        )));
    }
    let mut job = RetentionJob::start(plugin)?;
    let mut report = RetentionReport {
        rule: format!("{}@{}", plugin.name(), plugin.version()),
        rule_digest: plugin.digest().to_string(),
        now: options.now,
        dry_run: options.dry_run,
        subjects: 0,
        kept: 0,
        erased: 0,
        anonymised: 0,
        to_review: 0,
        not_applied: 0,
        decisions: Vec::new(),
        duration_ms: 0,
    };
    let mut after: Option<ContactId> = None;
    loop {
        let views = compliance.subject_views(after, BATCH)?;
        let Some(last) = views.last() else { break };
        after = Some(last.contact_id);
        let decisions = job.evaluate(options.now, &views)?;
        report.subjects += views.len() as u64;
        let mut decided = 0;
        for decision in decisions {
            decided += 1;
            if decision.action == RetentionAction::Keep {
                report.kept += 1;
                continue;
            }
            let outcome = apply(compliance, &decision, options, &mut report);
            report.decisions.push(AppliedDecision { decision, outcome });
        }
        // The contract: a subject the rule says nothing about is kept.
        report.kept += views.len() as u64 - decided;
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    if !options.dry_run {
        let to_review: Vec<i64> = report
            .decisions
            .iter()
            .filter(|d| d.decision.action == RetentionAction::Review)
            .map(|d| d.decision.contact_id.0)
            .collect();
        let details = json!({
            "rule": report.rule,
            "rule_digest": report.rule_digest,
            "now": report.now,
            "subjects": report.subjects,
            "erased": report.erased,
            "anonymised": report.anonymised,
            "not_applied": report.not_applied,
            "to_review": to_review,
        });
        let target = format!("rule:{}", plugin.name());
        compliance
            .store()
            .audit_record(&options.actor, "retention.run", &target, details)?;
    }
    Ok(report)
}

fn apply(
    compliance: &Compliance,
    d: &RetentionDecision,
    options: &RetentionOptions,
    report: &mut RetentionReport,
) -> String {
    let reason = format!("retention rule: {} ({})", d.reason, d.legal_reference);
    let result = match &d.action {
        RetentionAction::Keep => return "kept".into(),
        RetentionAction::Review => {
            report.to_review += 1;
            return "for review".into();
        }
        RetentionAction::Erase if options.dry_run => {
            report.erased += 1;
            return "would apply (dry run)".into();
        }
        RetentionAction::Anonymise(_) if options.dry_run => {
            report.anonymised += 1;
            return "would apply (dry run)".into();
        }
        // A restricted contact is refused here (Art. 18) and reported as not applied.
        RetentionAction::Erase => compliance
            .apply_retention(&options.actor, d.contact_id, None, &reason)
            .map(|_| report.erased += 1),
        RetentionAction::Anonymise(categories) => compliance
            .apply_retention(&options.actor, d.contact_id, Some(categories), &reason)
            .map(|_| report.anonymised += 1),
    };
    match result {
        Ok(()) => "applied".into(),
        // One subject that cannot be changed (say, a legal hold placed meanwhile) must not stop the run.
        Err(e) => {
            report.not_applied += 1;
            format!("not applied: {e}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        DataCategory, FieldValue, Role, Settings, SourceChannel, SuppressionScope,
    };
    use crate::store::NewContact;

    /// Whatever a rule plugin says, the host does not let it erase a restricted contact (Art. 18).
    #[test]
    fn a_rule_decision_on_a_restricted_contact_is_not_applied() {
        let dir = tempfile::tempdir().unwrap();
        let c = Compliance::open(dir.path(), &Settings::default()).unwrap();
        let dpo = Actor::new("giulia.dpo", Role::Dpo);
        let new = NewContact {
            identities: vec![c.parse_identity("mario@rossi.it").unwrap()],
            fields: vec![FieldValue {
                name: "last_name".into(),
                value: "Rossi".into(),
            }],
            source_label: "business card".into(),
            channel: SourceChannel::BusinessCard,
            collected_at: None,
            last_interaction: None,
        };
        let id = c.create_contact(&dpo, &new).unwrap();
        c.restrict(&dpo, id, true, None).unwrap();
        let options = RetentionOptions {
            now: Timestamp::now(),
            dry_run: false,
            actor: dpo.clone(),
        };
        let mut report = RetentionReport {
            rule: "test@1".into(),
            rule_digest: String::new(),
            now: options.now,
            dry_run: false,
            subjects: 1,
            kept: 0,
            erased: 0,
            anonymised: 0,
            to_review: 0,
            not_applied: 0,
            decisions: Vec::new(),
            duration_ms: 0,
        };
        for action in [
            RetentionAction::Erase,
            RetentionAction::Anonymise(vec![DataCategory::Contact]),
        ] {
            let decision = RetentionDecision {
                contact_id: id,
                action,
                reason: "no interaction for 25 months".into(),
                legal_reference: "GDPR Art. 5(1)(e)".into(),
                review_after: None,
            };
            let outcome = apply(&c, &decision, &options, &mut report);
            assert!(
                outcome.starts_with("not applied") && outcome.contains("Art. 18"),
                "{outcome}"
            );
        }
        assert_eq!(
            (report.erased, report.anonymised, report.not_applied),
            (0, 0, 2)
        );
        assert!(c.contact(id).unwrap().erased_at.is_none());
        // The person's own request still erases (a DPO decided, not a rule).
        c.erase(&dpo, id, "request of 2026-03-01").unwrap();
        assert!(c
            .check_suppression(&c.parse_identity("mario@rossi.it").unwrap())
            .unwrap()
            .entry
            .is_some_and(|e| e.scope == SuppressionScope::All));
    }
}
