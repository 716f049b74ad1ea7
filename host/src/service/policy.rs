//! The retention policy: every enabled retention rule over each subject, their decisions combined
//! ([`crate::domain::retention_policy`]) and applied through the same path as a single rule's run
//! ([`super::retention`]), or only reported in a dry run; and the explanation of one subject.
//!
//! Subjects come in the single-rule run's batches ([`BATCH`]); each rule keeps one instance for
//! the whole run. A subject no rule says anything about costs no combination at all.

use std::collections::HashMap;
use std::time::Instant;

use foldhash::fast::RandomState;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::plugins::{PluginLease, PluginRegistry};
use super::retention::{self, RetentionError, RetentionOptions, RetentionReport, BATCH};
use super::{Compliance, Error};
use crate::domain::{
    combine, CombinedDecision, ContactId, RetentionAction, RetentionDecision, RuleVerdict,
    SubjectView, Timestamp,
};
use crate::runtime::retention::RetentionJob;
use crate::runtime::{Plugin, PluginKind};
use crate::store::NextStep;

/// A rule of the policy, as a run names it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PolicyRule {
    /// `name@version`.
    pub rule: String,
    /// SHA-256 of the component.
    pub digest: String,
}

/// What a run of the whole policy decided and did: the single rule's report, for several rules.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PolicyReport {
    /// Every enabled retention rule, in the order they were combined (by name).
    pub rules: Vec<PolicyRule>,
    pub now: Timestamp,
    pub dry_run: bool,
    pub subjects: u64,
    pub kept: u64,
    pub erased: u64,
    pub anonymised: u64,
    pub to_review: u64,
    /// Subjects the policy wanted changed that could not be (each decision says why).
    pub not_applied: u64,
    /// Every subject some rule asked to change or review, with each rule's verdict and the outcome.
    pub decisions: Vec<PolicyDecision>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PolicyDecision {
    #[serde(flatten)]
    pub decision: CombinedDecision,
    /// `applied`, `kept`, `would apply (dry run)`, `for review`, or why it could not be applied.
    pub outcome: String,
}

/// Why one subject's data is kept or goes, as of a date: each rule's verdict and the outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Explanation {
    /// The time the rules decided for.
    pub at: Timestamp,
    #[serde(flatten)]
    pub decision: CombinedDecision,
}

/// Leases every enabled retention rule of the registry, by name. An enabled rule that does not
/// load stops the policy: run without it, it could not keep someone it would keep.
pub fn lease_policy(registry: &PluginRegistry) -> Result<Vec<PluginLease>, RetentionError> {
    let mut names: Vec<String> = registry
        .list()
        .into_iter()
        .filter(|p| p.enabled && p.kind == PluginKind::RetentionRule.to_string())
        .map(|p| p.name)
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(RetentionError::Store(Error::Blocked {
            message: "no retention rule is enabled: enable one, e.g. `legitimate-interest`".into(),
            next: NextStep::ListPlugins,
        }));
    }
    names
        .iter()
        .map(|n| Ok(registry.lease(n, PluginKind::RetentionRule)?))
        .collect()
}

/// The rules of a policy, started for one run: each rule keeps one instance for every batch.
pub struct PolicyJob<'p> {
    names: Vec<String>,
    jobs: Vec<RetentionJob<'p>>,
}

impl<'p> PolicyJob<'p> {
    pub fn start(plugins: &[&'p Plugin]) -> Result<Self, RetentionError> {
        if plugins.is_empty() {
            return Err(RetentionError::Invalid(
                "a policy needs at least one retention rule".into(),
            ));
        }
        Ok(PolicyJob {
            names: plugins
                .iter()
                .map(|p| format!("{}@{}", p.name(), p.version()))
                .collect(),
            jobs: plugins
                .iter()
                .map(|&p| RetentionJob::start(p))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The combined decision for every subject of `views` some rule decided about, in order.
    pub fn decide(
        &mut self,
        now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<CombinedDecision>, RetentionError> {
        let n = self.jobs.len();
        let mut by_subject: HashMap<ContactId, Vec<Option<RetentionDecision>>, RandomState> =
            HashMap::default();
        for (i, job) in self.jobs.iter_mut().enumerate() {
            for d in job.evaluate(now, views)? {
                let slot = by_subject
                    .entry(d.contact_id)
                    .or_insert_with(|| vec![None; n]);
                slot[i] = Some(d);
            }
        }
        if by_subject.is_empty() {
            return Ok(Vec::new());
        }
        Ok(views
            .iter()
            .filter_map(|view| {
                let decisions = by_subject.remove(&view.contact_id)?;
                let verdicts = self
                    .names
                    .iter()
                    .zip(decisions)
                    .map(|(rule, d)| RuleVerdict::new(rule, d))
                    .collect();
                Some(combine(view, verdicts))
            })
            .collect())
    }
}

impl Compliance {
    /// Runs every rule of `rules` over every live subject, combines their decisions and applies
    /// the outcome (or reports it, in a dry run).
    pub fn run_policy(
        &self,
        rules: &[&Plugin],
        options: &RetentionOptions,
    ) -> Result<PolicyReport, RetentionError> {
        let started = Instant::now();
        let mut policy = PolicyJob::start(rules)?;
        let mut report = PolicyReport {
            rules: rules
                .iter()
                .map(|p| PolicyRule {
                    rule: format!("{}@{}", p.name(), p.version()),
                    digest: p.digest().to_string(),
                })
                .collect(),
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
        // The single rule's apply counts into its own report; its counts are copied at the end.
        let mut counts = RetentionReport {
            rule: String::new(),
            rule_digest: String::new(),
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
            let views = self.subject_views(after, BATCH)?;
            let Some(last) = views.last() else { break };
            after = Some(last.contact_id);
            report.subjects += views.len() as u64;
            for decision in policy.decide(options.now, &views)? {
                if decision.action == RetentionAction::Keep {
                    if decision.asked_for_something() {
                        let outcome = "kept".to_string();
                        report.decisions.push(PolicyDecision { decision, outcome });
                    }
                    continue;
                }
                let outcome = retention::apply(self, &applied(&decision), options, &mut counts);
                report.decisions.push(PolicyDecision { decision, outcome });
            }
        }
        report.erased = counts.erased;
        report.anonymised = counts.anonymised;
        report.to_review = counts.to_review;
        report.not_applied = counts.not_applied;
        // Every subject not erased, anonymised, sent to review or failed was kept.
        report.kept = report.subjects
            - report.erased
            - report.anonymised
            - report.to_review
            - report.not_applied;
        report.duration_ms = started.elapsed().as_millis() as u64;
        if !options.dry_run {
            let to_review: Vec<i64> = report
                .decisions
                .iter()
                .filter(|d| d.decision.action == RetentionAction::Review)
                .map(|d| d.decision.contact_id.0)
                .collect();
            let details = json!({
                "rules": report.rules,
                "now": report.now,
                "subjects": report.subjects,
                "erased": report.erased,
                "anonymised": report.anonymised,
                "not_applied": report.not_applied,
                "to_review": to_review,
            });
            self.store()
                .audit_record(&options.actor, "retention.policy_run", "policy", details)?;
        }
        Ok(report)
    }

    /// Each rule's verdict about one subject and the combined outcome, as of `at`; changes nothing.
    pub fn explain_retention(
        &self,
        rules: &[&Plugin],
        id: ContactId,
        at: Timestamp,
    ) -> Result<Explanation, RetentionError> {
        let details = self.contact(id)?;
        if let Some(erased) = details.erased_at {
            return Err(RetentionError::Store(Error::Erased {
                contact: id,
                at: erased,
            }));
        }
        let views = self.subject_views(Some(ContactId(id.0 - 1)), 1)?;
        let Some(view) = views.into_iter().find(|v| v.contact_id == id) else {
            return Err(RetentionError::Store(Error::not_found(id.to_string())));
        };
        let mut policy = PolicyJob::start(rules)?;
        let decision = policy
            .decide(at, std::slice::from_ref(&view))?
            .pop()
            .unwrap_or_else(|| {
                let verdicts = policy
                    .names
                    .iter()
                    .map(|r| RuleVerdict::new(r, None))
                    .collect();
                combine(&view, verdicts)
            });
        Ok(Explanation { at, decision })
    }
}

/// The decision the apply path records: the combined reason and reference, shortened to what an
/// audit entry's reason holds (200 characters with the apply path's own words).
fn applied(d: &CombinedDecision) -> RetentionDecision {
    let reference = shorten(&d.legal_reference, 60);
    let room = 200 - "retention rule: ".len() - " ()".len() - reference.chars().count();
    RetentionDecision {
        contact_id: d.contact_id,
        action: d.action.clone(),
        reason: shorten(&format!("policy {}", d.reason), room),
        legal_reference: reference,
        review_after: d.review_after,
        holds_from: d.holds_from,
    }
}

/// `text` cut to at most `max` characters, an ellipsis marking the cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DataCategory;

    #[test]
    fn the_recorded_reason_fits_an_audit_entry() {
        let long = CombinedDecision {
            contact_id: ContactId(1),
            action: RetentionAction::Anonymise(vec![DataCategory::Contact]),
            reason: "anonymised: ".to_string() + &"è".repeat(400),
            legal_reference: "art. 2220 Italian Civil Code; ".repeat(5),
            review_after: None,
            holds_from: None,
            rules: vec![],
        };
        let d = applied(&long);
        let audit = format!("retention rule: {} ({})", d.reason, d.legal_reference);
        assert_eq!(audit.chars().count(), 200, "{audit}");
        assert!(d.reason.starts_with("policy anonymised: è") && d.reason.ends_with('…'));
        assert_eq!(shorten("short", 60), "short");
    }
}
