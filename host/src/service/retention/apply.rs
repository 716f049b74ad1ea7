//! A run from start to end: decide (every batch of views through the source, its decisions recorded),
//! check the guard, apply in short transactions; a DPO's confirmation of a held run; and, at start,
//! the end of an apply a crash cut short.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{
    DecisionSource, RetentionError, RetentionOptions, RetentionReport, RunGate, RunState,
    APPLY_BATCH, BATCH, REPORT_DECISIONS,
};
use crate::domain::{Actor, ContactId, RetentionAction};
use crate::service::Compliance;

/// Holds the gate while a run is under way in this process.
pub(super) struct Running<'g> {
    gate: &'g RunGate,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        *self.gate.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl RunGate {
    /// Takes the gate for the run `start` records, or says which run holds it.
    pub(super) fn enter<T>(
        &self,
        start: impl FnOnce() -> Result<(i64, T), RetentionError>,
    ) -> Result<(Running<'_>, i64, T), RetentionError> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(id) = *slot {
            return Err(RetentionError::Busy(id));
        }
        let (id, value) = start()?;
        *slot = Some(id);
        Ok((Running { gate: self }, id, value))
    }

    /// The run under way in this process, if any.
    pub fn current(&self) -> Option<i64> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Compliance {
    /// Runs `source` over every live subject: records the run and its decisions, then applies them
    /// unless it is a dry run or the guard holds it for a DPO's confirmation. One run at a time: a
    /// second one gets [`RetentionError::Busy`] with the first one's id.
    pub fn run_retention_with(
        &self,
        source: &mut dyn DecisionSource,
        options: &RetentionOptions,
    ) -> Result<RetentionReport, RetentionError> {
        let started = Instant::now();
        let store = self.store();
        let (_running, id, ()) = self.runs.enter(|| {
            let id = match options.once_since {
                None => store.run_start(
                    &options.actor,
                    options.trigger,
                    options.now,
                    &source.rules(),
                )?,
                Some(since) => store
                    .run_start_once(
                        &options.actor,
                        options.trigger,
                        options.now,
                        since,
                        &source.rules(),
                    )?
                    .ok_or(RetentionError::AlreadyRan(since))?,
            };
            Ok((id, ()))
        })?;
        // An apply a crash cut short is finished first: its decisions were made before this one's.
        self.finish_interrupted(&options.actor)?;
        let mut erasures = 0u64;
        let mut subjects = 0u64;
        let mut after: Option<ContactId> = None;
        let decided = (|| -> Result<(), RetentionError> {
            loop {
                let views = self.subject_views(after, BATCH)?;
                let Some(last) = views.last() else {
                    return Ok(());
                };
                after = Some(last.contact_id);
                let decisions = source.decide(options.now, &views)?;
                let changes = decisions
                    .iter()
                    .filter(|d| d.decision.action != RetentionAction::Keep)
                    .count() as u64;
                erasures += decisions
                    .iter()
                    .filter(|d| {
                        matches!(
                            d.decision.action,
                            RetentionAction::Erase | RetentionAction::Anonymise(_)
                        )
                    })
                    .count() as u64;
                subjects += views.len() as u64;
                let kept = views.len() as u64 - changes;
                store.run_record(id, views.len() as u64, kept, &decisions, options.dry_run)?;
            }
        })();
        if let Err(e) = decided {
            let message = e.to_string();
            store.run_set_state(
                id,
                RunState::Failed,
                Some(elapsed_ms(started)),
                Some(&message),
            )?;
            return Err(e);
        }
        let state = if options.dry_run {
            RunState::Dry
        } else if options.guard.holds(erasures, subjects) {
            RunState::WaitingForConfirmation
        } else {
            self.apply_run(id, &options.actor)?
        };
        store.run_set_state(id, state, Some(elapsed_ms(started)), None)?;
        if !options.dry_run {
            self.audit_run(id, &options.actor)?;
        }
        self.retention_run(id, None, REPORT_DECISIONS)
    }

    /// Applies a run the guard held, once a DPO has looked at its counts.
    pub fn confirm_retention_run(
        &self,
        id: i64,
        actor: &Actor,
    ) -> Result<RetentionReport, RetentionError> {
        let started = Instant::now();
        let store = self.store();
        let (_running, id, ()) = self.runs.enter(|| {
            let run = store.run(id)?;
            if run.state != RunState::WaitingForConfirmation {
                return Err(RetentionError::Store(crate::service::Error::Conflict(format!(
                    "retention run {id} is {}, not waiting for confirmation: only a run the guard held is confirmed",
                    run.state.as_str()
                ))));
            }
            Ok((id, ()))
        })?;
        store.audit_record(
            actor,
            "retention.confirm",
            &format!("retention-run:{id}"),
            json!({ "run": id }),
        )?;
        let state = self.apply_run(id, actor)?;
        store.run_set_state(id, state, Some(elapsed_ms(started)), None)?;
        self.audit_run(id, actor)?;
        self.retention_run(id, None, REPORT_DECISIONS)
    }

    /// Finishes the applies a stopped process cut short, and marks the runs it left deciding as
    /// failed (none of their decisions was applied). Called at the server's start and before each
    /// run; returns the runs finished.
    pub fn finish_interrupted(&self, actor: &Actor) -> Result<Vec<i64>, RetentionError> {
        let store = self.store();
        let deciding = store.runs_in_state(RunState::Running)?;
        // Read after the list: a run of this process is recorded while its gate is taken, so it is
        // either not listed yet or already the current one.
        let current = self.runs.current();
        for id in deciding {
            if Some(id) != current {
                store.run_set_state(
                    id,
                    RunState::Failed,
                    None,
                    Some("the process stopped while the rules were deciding; nothing of this run was applied"),
                )?;
            }
        }
        let mut finished = Vec::new();
        for id in store.runs_in_state(RunState::PartiallyApplied)? {
            let state = self.apply_run(id, actor)?;
            store.run_set_state(id, state, None, None)?;
            self.audit_run(id, actor)?;
            finished.push(id);
        }
        Ok(finished)
    }

    /// Applies the run's pending decisions, [`APPLY_BATCH`] per transaction. The run is marked
    /// partially applied first, so a crash leaves it to be finished by [`Self::finish_interrupted`].
    fn apply_run(&self, id: i64, actor: &Actor) -> Result<RunState, RetentionError> {
        let store = self.store();
        store.run_set_state(id, RunState::PartiallyApplied, None, None)?;
        while store.run_apply_batch(actor, id, APPLY_BATCH)? > 0 {
            // The writer is not handed over fairly: a short pause lets a waiting API write take it
            // between two batches.
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(RunState::Applied)
    }

    /// The run's audit entry: its counts and the contacts queued for review (no personal data).
    fn audit_run(&self, id: i64, actor: &Actor) -> Result<(), RetentionError> {
        let run = self.store().run(id)?;
        let rules: Vec<String> = run
            .rules
            .iter()
            .map(|r| format!("{}@{}", r.name, r.version))
            .collect();
        let details = json!({
            "run": id,
            "state": run.state.as_str(),
            "rules": rules,
            "now": run.now,
            "subjects": run.subjects,
            "erased": run.erased,
            "anonymised": run.anonymised,
            "to_review": run.to_review,
            "not_applied": run.not_applied,
            "pending": run.pending,
        });
        self.store().audit_record(
            actor,
            "retention.run",
            &format!("retention-run:{id}"),
            details,
        )?;
        Ok(())
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    started.elapsed().as_millis() as u64
}
