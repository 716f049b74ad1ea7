//! Retention runs (storage limitation, Art. 5(1)(e)): the store's subjects, in batches of views,
//! through one retention rule plugin or a policy of several ([`DecisionSource`]); every decision other
//! than a plain keep recorded with the run; then, unless it is a dry run or the blast-radius guard
//! holds it for a DPO's confirmation, applied in short transactions ([`apply`]).
//!
//! Views carry no names or addresses (minimisation). Each applied decision has its own audit entry
//! (with the rule's reason), written in the transaction that applies it; the run as a whole gets one
//! more entry with its counts.

mod apply;
mod review;
pub mod schedule;

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::{Compliance, Error};
use crate::domain::{Actor, SubjectView, Timestamp};
use crate::runtime::retention::RetentionJob;
use crate::runtime::{Plugin, PluginError, PluginKind, StartError};
pub use crate::store::runs::{
    ReviewDecision, ReviewItem, ReviewRequest, ReviewResolution, RuleCounts, RuleRef, RunDecision,
    RunRecord, RunState, StoredDecision,
};

/// Subjects per call into the plugin: large enough that the call and copy overhead is amortised,
/// small enough that a batch of views stays far below the plugin's memory limit.
pub const BATCH: u32 = 2_000;

/// Decisions applied per write transaction: each erasure touches a few tables, so 200 keep a
/// transaction to tens of milliseconds, and an API write waits at most that long for the writer.
pub const APPLY_BATCH: u32 = 200;

/// Decisions shown with a run's report; the rest are paged (`GET /api/v1/retention/runs/{id}`).
pub const REPORT_DECISIONS: u32 = 100;

/// The blast-radius guard: a run that would erase or anonymise more than `max_erasures` subjects, or
/// more than `max_share` of the subjects it looked at, applies nothing and waits for a DPO.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Guard {
    /// Erasures and anonymisations one run may apply without confirmation.
    pub max_erasures: u64,
    /// The share of the subjects (0 to 1) one run may erase or anonymise without confirmation.
    pub max_share: f64,
}

impl Default for Guard {
    /// A normal day never comes near: retention erases the few people whose period ended since
    /// yesterday, not 5% of a CRM nor a thousand people.
    fn default() -> Self {
        Guard {
            max_erasures: 1000,
            max_share: 0.05,
        }
    }
}

/// At most this many erasures are never held by the share alone: in a CRM of a few dozen contacts
/// one or two erasures are a larger share than 5% and still a normal day.
pub const GUARD_FLOOR: u64 = 5;

impl Guard {
    /// Whether a run with `erasures` among `subjects` must wait for a DPO.
    pub fn holds(&self, erasures: u64, subjects: u64) -> bool {
        erasures > self.max_erasures
            || (erasures > GUARD_FLOOR && erasures as f64 > self.max_share * subjects as f64)
    }
}

#[derive(Debug, Clone)]
pub struct RetentionOptions {
    /// The time decisions are made for (the plugin has no clock): now, or a date to look ahead.
    pub now: Timestamp,
    /// Only report what would be done.
    pub dry_run: bool,
    pub actor: Actor,
    /// `request` or `schedule`: recorded with the run.
    pub trigger: &'static str,
    pub guard: Guard,
    /// A scheduled run: started only if no run of the same trigger decided for a time at or after
    /// this one, on any server of the database ([`RetentionError::AlreadyRan`] otherwise).
    pub once_since: Option<Timestamp>,
}

impl RetentionOptions {
    /// A run someone asked for now, with the default guard.
    pub fn requested(actor: Actor, now: Timestamp, dry_run: bool) -> Self {
        RetentionOptions {
            now,
            dry_run,
            actor,
            trigger: "request",
            guard: Guard::default(),
            once_since: None,
        }
    }
}

/// A run as recorded, with its first decisions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct RetentionReport {
    #[serde(flatten)]
    pub run: RunRecord,
    pub dry_run: bool,
    /// The first decisions other than a plain keep, with their outcome; with `next`, the rest are
    /// at `GET /api/v1/retention/runs/{id}?after=<next>`.
    pub decisions: Vec<StoredDecision>,
    pub next: Option<u64>,
}

impl std::ops::Deref for RetentionReport {
    type Target = RunRecord;
    fn deref(&self) -> &RunRecord {
        &self.run
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(
        "the retention rule failed; nothing of this run was applied, and the run is recorded as failed: {0}"
    )]
    Plugin(#[from] PluginError),
    #[error("{0}")]
    Store(#[from] Error),
    #[error("{0}")]
    Invalid(String),
    /// A scheduled run another server (or an earlier call) already made for this time.
    #[error("the scheduled retention run for {0} was already made, by this server or another one on the same database")]
    AlreadyRan(Timestamp),
    /// Another run is under way (one at a time).
    #[error("retention run {0} is under way: one run at a time; see it at GET /api/v1/retention/runs/{0} and start again when it ends")]
    Busy(i64),
}

impl From<StartError> for RetentionError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Plugin(e) => RetentionError::Plugin(e),
            wrong @ StartError::WrongKind { .. } => RetentionError::Invalid(wrong.to_string()),
        }
    }
}

/// Where a run's decisions come from: one rule plugin ([`RuleSource`]), or a policy combining the
/// decisions of several rules into one per subject.
pub trait DecisionSource {
    /// The rules that decide (recorded with the run).
    fn rules(&self) -> Vec<RuleRef>;
    /// The decisions for one batch of views, as of `now`; a subject without one is kept.
    fn decide(
        &mut self,
        now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<RunDecision>, RetentionError>;
}

/// One retention rule plugin.
pub struct RuleSource<'p> {
    plugin: &'p Plugin,
    job: RetentionJob<'p>,
}

impl<'p> RuleSource<'p> {
    pub fn start(plugin: &'p Plugin) -> Result<Self, RetentionError> {
        if plugin.kind() != PluginKind::RetentionRule {
            return Err(RetentionError::Invalid(format!(
                "plugin `{}` is of kind `{}`: a retention run needs a retention-rule plugin such as `legitimate-interest`",
                plugin.name(),
                plugin.kind()
            )));
        }
        Ok(RuleSource {
            plugin,
            job: RetentionJob::start(plugin)?,
        })
    }
}

impl DecisionSource for RuleSource<'_> {
    fn rules(&self) -> Vec<RuleRef> {
        vec![RuleRef {
            name: self.plugin.name().to_string(),
            version: self.plugin.version().to_string(),
            digest: self.plugin.digest().to_string(),
        }]
    }

    fn decide(
        &mut self,
        now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<RunDecision>, RetentionError> {
        let name = self.plugin.name().to_string();
        Ok(self
            .job
            .evaluate(now, views)?
            .into_iter()
            .map(|decision| RunDecision {
                decision,
                rules: vec![name.clone()],
            })
            .collect())
    }
}

/// The run under way in this process, if any (one at a time).
#[derive(Clone, Default)]
pub struct RunGate(Arc<Mutex<Option<i64>>>);

impl Compliance {
    /// Runs the retention rule `plugin` over every live subject.
    pub fn run_retention(
        &self,
        plugin: &Plugin,
        options: &RetentionOptions,
    ) -> Result<RetentionReport, RetentionError> {
        self.run_retention_with(&mut RuleSource::start(plugin)?, options)
    }

    /// A recorded run.
    pub fn retention_run(
        &self,
        id: i64,
        after: Option<u64>,
        limit: u32,
    ) -> Result<RetentionReport, RetentionError> {
        let run = self.store().run(id)?;
        let decisions = self.store().run_decisions(id, after, limit)?;
        let next = (decisions.len() as u32 == limit)
            .then(|| decisions.last().map(|d| d.seq))
            .flatten();
        Ok(RetentionReport {
            dry_run: run.state == RunState::Dry,
            run,
            decisions,
            next,
        })
    }

    /// Recorded runs, newest first, `limit` at a time before the run `before`.
    pub fn retention_runs(&self, before: Option<i64>, limit: u32) -> Result<Vec<RunRecord>, Error> {
        self.store().runs(before, limit)
    }
}

#[cfg(test)]
mod tests;
