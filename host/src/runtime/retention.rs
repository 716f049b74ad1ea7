//! Calling a retention rule plugin over batches of subject views.

use super::error::{Failure, PluginError, StartError};
use super::info::PluginKind;
use super::limits;
use super::plugin::Plugin;
use super::state::PluginState;
use super::wit;
use crate::domain::{ContactId, RetentionDecision, SubjectView, Timestamp};
use foldhash::fast::RandomState;
use std::collections::HashSet;
use wasmtime::Store;

/// One retention run: a plugin instance evaluating batch after batch. Rules are stateless by
/// contract, so reusing the instance across batches only saves instantiation.
pub struct RetentionJob<'p> {
    plugin: &'p Plugin,
    store: Store<PluginState>,
    instance: wit::Instance,
}

/// A batch of subject views lowered for one run's rule (see [`RetentionJob::prepare`]).
pub struct SubjectBatch {
    views: wit::Views,
    ids: Vec<ContactId>,
}

impl SubjectBatch {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl<'p> RetentionJob<'p> {
    /// Starts a retention run on a fresh instance of `plugin`, a retention rule.
    pub fn start(plugin: &'p Plugin) -> Result<RetentionJob<'p>, StartError> {
        plugin.expect_kind(PluginKind::RetentionRule)?;
        let mut store = plugin.new_store()?;
        let instance = plugin.start(&mut store)?;
        Ok(RetentionJob {
            plugin,
            store,
            instance,
        })
    }
}

impl RetentionJob<'_> {
    /// Decides for one batch. Every decision must be about a subject of the batch, at most once.
    pub fn evaluate(
        &mut self,
        now: Timestamp,
        batch: &[SubjectView],
    ) -> Result<Vec<RetentionDecision>, PluginError> {
        let batch = self.prepare(batch);
        self.evaluate_prepared(now, &batch)
    }

    /// Lowers a batch into the rule's API version once, for rules evaluated on the same subjects
    /// several times (the benchmark times the rule alone this way).
    pub fn prepare(&self, batch: &[SubjectView]) -> SubjectBatch {
        SubjectBatch {
            views: self.instance.views(batch),
            ids: batch.iter().map(|v| v.contact_id).collect(),
        }
    }

    /// `batch` lowered for this rule: one of `prepared` when a rule of the same plugin API version
    /// lowered it already (the rules of a policy share one lowering per version), else lowered now
    /// and kept in `prepared` for the next rule.
    pub fn prepare_shared<'b>(
        &self,
        batch: &[SubjectView],
        prepared: &'b mut Vec<SubjectBatch>,
    ) -> &'b SubjectBatch {
        let at = match prepared.iter().position(|p| self.instance.reads(&p.views)) {
            Some(at) => at,
            None => {
                prepared.push(self.prepare(batch));
                prepared.len() - 1
            }
        };
        &prepared[at]
    }

    /// [`RetentionJob::evaluate`] on a batch already prepared.
    pub fn evaluate_prepared(
        &mut self,
        now: Timestamp,
        batch: &SubjectBatch,
    ) -> Result<Vec<RetentionDecision>, PluginError> {
        let instance = &self.instance;
        let result = self.plugin.call(&mut self.store, "evaluate", |s| {
            instance.evaluate(s, now, &batch.views)
        })?;
        let decisions = result.map_err(|message| {
            self.plugin
                .error("evaluate", super::limits::reported(message, None, None))
        })?;
        if decisions.len() > batch.len() {
            return Err(self.plugin.error(
                "evaluate",
                Failure::OutputTooLarge {
                    what: "decisions",
                    count: decisions.len(),
                    limit: batch.len(),
                    counted: "decisions, one per subject in the batch",
                },
            ));
        }
        // Most batches of a healthy CRM get few decisions: the checks cost nothing then. foldhash,
        // not SipHash: the ids are the host's own, and this runs for every subject of a run.
        let asked: HashSet<ContactId, RandomState> = if decisions.is_empty() {
            HashSet::default()
        } else {
            batch.ids.iter().copied().collect()
        };
        let mut seen: HashSet<ContactId, RandomState> =
            HashSet::with_capacity_and_hasher(decisions.len(), RandomState::default());
        for decision in &decisions {
            limits::DECISION_REASON
                .check(&decision.reason)
                .and_then(|()| limits::LEGAL_REFERENCE.check(&decision.legal_reference))
                .map_err(|too_long| self.plugin.error("evaluate", too_long))?;
            if !asked.contains(&decision.contact_id) {
                return Err(self.plugin.error(
                    "evaluate",
                    Failure::Contract(format!(
                        "it decided about contact {}, which was not in the batch",
                        decision.contact_id.0
                    )),
                ));
            }
            if !seen.insert(decision.contact_id) {
                return Err(self.plugin.error(
                    "evaluate",
                    Failure::Contract(format!(
                        "it returned two decisions for contact {}",
                        decision.contact_id.0
                    )),
                ));
            }
        }
        Ok(decisions)
    }
}
