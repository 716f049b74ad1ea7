//! Calling a retention rule plugin over batches of subject views.

use super::bindings::retention::RetentionRule;
use super::bindings::types::{RetentionDecision, SubjectView, Timestamp};
use super::error::{Failure, PluginError};
use super::plugin::{Plugin, PluginKind};
use super::state::PluginState;
use foldhash::fast::RandomState;
use std::collections::HashSet;
use wasmtime::Store;

/// One retention run: a plugin instance evaluating batch after batch. Rules are stateless by
/// contract, so reusing the instance across batches only saves instantiation.
pub struct RetentionJob<'p> {
    plugin: &'p Plugin,
    store: Store<PluginState>,
    instance: RetentionRule,
}

impl Plugin {
    /// Starts a retention run on a fresh instance of this plugin.
    pub fn start_retention(&self) -> anyhow::Result<RetentionJob<'_>> {
        let pre = self
            .retention_pre()
            .ok_or_else(|| self.wrong_kind(PluginKind::RetentionRule))?;
        let mut store = self.new_store();
        let instance = self.instantiate(&mut store, |s| pre.instantiate(s))?;
        Ok(RetentionJob {
            plugin: self,
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
        let rule = self.instance.custode_plugin_rule();
        let result = self.plugin.call(&mut self.store, "evaluate", |s| {
            rule.call_evaluate(s, now, batch)
        })?;
        let decisions = result.map_err(|message| {
            self.plugin
                .error("evaluate", Failure::reported(message, None, None))
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
        let asked: HashSet<u64, RandomState> = if decisions.is_empty() {
            HashSet::default()
        } else {
            batch.iter().map(|s| s.contact_id).collect()
        };
        let mut seen: HashSet<u64, RandomState> =
            HashSet::with_capacity_and_hasher(decisions.len(), RandomState::default());
        for decision in &decisions {
            if !asked.contains(&decision.contact_id) {
                return Err(self.plugin.error(
                    "evaluate",
                    Failure::Contract(format!(
                        "it decided about contact {}, which was not in the batch",
                        decision.contact_id
                    )),
                ));
            }
            if !seen.insert(decision.contact_id) {
                return Err(self.plugin.error(
                    "evaluate",
                    Failure::Contract(format!(
                        "it returned two decisions for contact {}",
                        decision.contact_id
                    )),
                ));
            }
        }
        Ok(decisions)
    }
}
