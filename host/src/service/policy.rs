//! The retention policy: every enabled retention rule over each subject, their decisions combined
//! ([`crate::domain::retention_policy`]) and applied through the same path as a single rule's run
//! ([`super::retention`]), or only reported in a dry run; and the explanation of one subject.
//!
//! Subjects come in the single-rule run's batches ([`BATCH`]); each rule keeps one instance for
//! the whole run. A subject no rule says anything about costs no combination at all.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use serde::{Deserialize, Serialize};

use super::plugins::{PluginLease, PluginRegistry};
use super::retention::{
    DecisionSource, RetentionError, RetentionOptions, RetentionReport, RuleRef, RunDecision,
};
use super::{Compliance, Error};
use crate::domain::{
    combine, CombinedDecision, ContactId, RetentionAction, RetentionDecision, RuleVerdict,
    SubjectView, Timestamp,
};
use crate::runtime::retention::RetentionJob;
use crate::runtime::{Plugin, PluginKind};
use crate::store::NextStep;

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

/// The rules of a policy, started for one run. Each worker thread has its own instance of every
/// rule for the whole run; a batch is split among the workers, and each worker lowers its share of
/// the views once per plugin API version for all its rules (lowering the views into the guests is
/// most of a policy's cost, and the rules are independent: see docs/ARCHITECTURE.md).
pub struct PolicyJob<'p> {
    rules: Vec<RuleRef>,
    names: Vec<String>,
    plugins: Vec<&'p Plugin>,
    /// One instance of every rule per worker; the first worker's are started with the job, so a rule
    /// that cannot start stops the run before it reads anything.
    workers: Vec<Vec<RetentionJob<'p>>>,
    /// At most this many workers: one per core (at most [`MAX_WORKERS`]) unless set.
    max_workers: usize,
}

/// Fewer subjects than this per worker are not worth a thread.
const MIN_SHARE: usize = 256;
/// At most this many workers, however many cores: each holds an instance of every rule.
const MAX_WORKERS: usize = 4;

/// One worker per core, at most [`MAX_WORKERS`].
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_WORKERS)
    })
}

impl<'p> PolicyJob<'p> {
    pub fn start(plugins: &[&'p Plugin]) -> Result<Self, RetentionError> {
        if plugins.is_empty() {
            return Err(RetentionError::Invalid(
                "a policy needs at least one retention rule".into(),
            ));
        }
        if let Some(p) = plugins
            .iter()
            .find(|p| p.kind() != PluginKind::RetentionRule)
        {
            return Err(RetentionError::Invalid(format!(
                "plugin `{}` is of kind `{}`: a policy combines retention-rule plugins only",
                p.name(),
                p.kind()
            )));
        }
        let mut job = PolicyJob {
            rules: plugins
                .iter()
                .map(|p| RuleRef {
                    name: p.name().to_string(),
                    version: p.version().to_string(),
                    digest: p.digest().to_string(),
                })
                .collect(),
            names: plugins
                .iter()
                .map(|p| format!("{}@{}", p.name(), p.version()))
                .collect(),
            plugins: plugins.to_vec(),
            workers: Vec::new(),
            max_workers: cores(),
        };
        job.start_workers(1)?;
        Ok(job)
    }

    /// Evaluates with at most `workers` threads (at least one) instead of one per core.
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.max_workers = workers.max(1);
        self
    }

    fn start_workers(&mut self, count: usize) -> Result<(), RetentionError> {
        while self.workers.len() < count {
            let jobs = self
                .plugins
                .iter()
                .map(|&p| RetentionJob::start(p))
                .collect::<Result<_, _>>()?;
            self.workers.push(jobs);
        }
        Ok(())
    }

    /// The combined decision for every subject of `views` some rule decided about, in order.
    pub fn combined(
        &mut self,
        now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<CombinedDecision>, RetentionError> {
        // Each worker gets at least MIN_SHARE subjects.
        let workers = self.max_workers.min(views.len() / MIN_SHARE).max(1);
        self.start_workers(workers)?;
        let names = &self.names;
        if workers == 1 {
            return combine_share(&mut self.workers[0], names, now, views);
        }
        let share = views.len().div_ceil(workers);
        let results: Vec<Result<Vec<CombinedDecision>, RetentionError>> =
            std::thread::scope(|scope| {
                let handles: Vec<_> = self
                    .workers
                    .iter_mut()
                    .zip(views.chunks(share))
                    .map(|(jobs, part)| scope.spawn(move || combine_share(jobs, names, now, part)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            });
        let mut all = Vec::new();
        for part in results {
            all.extend(part?);
        }
        Ok(all)
    }
}

/// One worker's share of a batch: every rule over `views` (lowered once per plugin API version),
/// then the decisions combined per subject, in the order of `views`.
fn combine_share(
    jobs: &mut [RetentionJob<'_>],
    names: &[String],
    now: Timestamp,
    views: &[SubjectView],
) -> Result<Vec<CombinedDecision>, RetentionError> {
    let n = jobs.len();
    let mut prepared = Vec::new();
    let mut by_subject: HashMap<ContactId, Vec<Option<RetentionDecision>>, RandomState> =
        HashMap::default();
    for (i, job) in jobs.iter_mut().enumerate() {
        let batch = job.prepare_shared(views, &mut prepared);
        for d in job.evaluate_prepared(now, batch)? {
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
            let verdicts = names
                .iter()
                .zip(decisions)
                .map(|(rule, d)| RuleVerdict::new(rule, d))
                .collect();
            Some(combine(view, verdicts))
        })
        .collect())
}

/// A policy run goes through the single rule's path ([`Compliance::run_retention_with`]): recorded,
/// held by the guard, applied in short transactions, reviews queued.
impl DecisionSource for PolicyJob<'_> {
    fn rules(&self) -> Vec<RuleRef> {
        self.rules.clone()
    }

    fn decide(
        &mut self,
        now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<RunDecision>, RetentionError> {
        Ok(self
            .combined(now, views)?
            .iter()
            .filter(|d| d.action != RetentionAction::Keep)
            .map(recorded)
            .collect())
    }
}

impl Compliance {
    /// Runs every rule of `rules` over every live subject and combines their decisions: recorded,
    /// then applied unless it is a dry run or the guard holds it (as a single rule's run).
    pub fn run_policy(
        &self,
        rules: &[&Plugin],
        options: &RetentionOptions,
    ) -> Result<RetentionReport, RetentionError> {
        self.run_retention_with(&mut PolicyJob::start(rules)?, options)
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
            .combined(at, std::slice::from_ref(&view))?
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

/// The combined decision as a run records it: the rules that decided, and the verdict of every rule
/// that said something before the combined reason (each rule's own reason is `explain`'s), shortened so the audit entry of its apply (`retention rule <rules>: <reason>
/// (<reference>)`, 200 characters) keeps the reference.
fn recorded(d: &CombinedDecision) -> RunDecision {
    let deciding: Vec<&RuleVerdict> = d
        .rules
        .iter()
        .filter(|v| v.action.as_ref().map(kind) == Some(kind(&d.action)))
        .collect();
    // A review no rule asked for (a restriction, rules that disagree) was decided by those that
    // asked for something.
    let deciding = if deciding.is_empty() {
        d.rules
            .iter()
            .filter(|v| {
                v.action
                    .as_ref()
                    .is_some_and(|a| *a != RetentionAction::Keep)
            })
            .collect()
    } else {
        deciding
    };
    // Plain names, as a single rule's run records them; the versions are the run's.
    let name = |v: &RuleVerdict| v.rule.split('@').next().unwrap_or_default().to_string();
    let rules: Vec<String> = deciding.iter().map(|v| name(v)).collect();
    // Only the rules that said something: the run lists every rule, and the room is short.
    let verdicts: Vec<String> = d
        .rules
        .iter()
        .filter_map(|v| Some(format!("{} {}", name(v), kind(v.action.as_ref()?))))
        .collect();
    let reference = shorten(&d.legal_reference, 60);
    let prefix = format!("retention rule {}: ", rules.join(" + "));
    let room = 200usize
        .saturating_sub(prefix.chars().count() + " ()".len() + reference.chars().count())
        .max(40);
    RunDecision {
        decision: RetentionDecision {
            contact_id: d.contact_id,
            action: d.action.clone(),
            reason: shorten(
                &format!("policy [{}]: {}", verdicts.join("; "), d.reason),
                room,
            ),
            legal_reference: reference,
            review_after: d.review_after,
            holds_from: d.holds_from,
        },
        rules,
    }
}

fn kind(action: &RetentionAction) -> &'static str {
    match action {
        RetentionAction::Keep => "keep",
        RetentionAction::Erase => "erase",
        RetentionAction::Anonymise(_) => "anonymise",
        RetentionAction::Review => "review",
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
    fn the_recorded_reason_fits_an_audit_entry_and_names_every_verdict() {
        let verdict = |rule: &str, action: Option<RetentionAction>| RuleVerdict {
            rule: rule.into(),
            action,
            reason: String::new(),
            legal_reference: String::new(),
            review_after: None,
            holds_from: None,
        };
        let mut long = CombinedDecision {
            contact_id: ContactId(1),
            action: RetentionAction::Anonymise(vec![DataCategory::Contact]),
            reason: "anonymised: ".to_string() + &"è".repeat(400),
            legal_reference: "art. 2220 Italian Civil Code; ".repeat(5),
            review_after: None,
            holds_from: Some(Timestamp(5)),
            rules: vec![
                verdict(
                    "accounting@0.1.0",
                    Some(RetentionAction::Anonymise(vec![DataCategory::Contact])),
                ),
                verdict("no-basis@0.1.0", None),
            ],
        };
        let d = recorded(&long);
        assert_eq!(d.rules, vec!["accounting".to_string()]);
        assert_eq!(d.decision.holds_from, Some(Timestamp(5)));
        let audit = format!(
            "retention rule {}: {} ({})",
            d.rules.join(" + "),
            d.decision.reason,
            d.decision.legal_reference
        );
        assert_eq!(audit.chars().count(), 200, "{audit}");
        assert!(
            d.decision
                .reason
                .starts_with("policy [accounting anonymise]: anonymised: è")
                && d.decision.reason.ends_with('…'),
            "{}",
            d.decision.reason
        );
        assert_eq!(shorten("short", 60), "short");

        // A review no rule asked for (here a restriction) is recorded as decided by those that asked.
        long.reason = "restricted".into();
        long.action = RetentionAction::Review;
        let d = recorded(&long);
        assert_eq!(d.rules, vec!["accounting".to_string()]);
        assert_eq!(
            d.decision.reason,
            "policy [accounting anonymise]: restricted"
        );
    }
}
