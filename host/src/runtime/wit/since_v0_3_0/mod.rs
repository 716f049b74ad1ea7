//! Plugin API 0.3 (`custode:plugin@0.3.0`): the host-side bindings generated from its WIT folder.
//! A component built against any 0.3.x runs on these bindings.
//!
//! What 0.3 changes (`wit/CHANGELOG.md`): `rule.evaluate` receives its batch in columns, a
//! `subject-batch` ([`batch`]), instead of a list of subject views: lowering a list of views
//! called the plugin's allocator for every list and string of every subject, and those calls
//! were most of a policy run. Every record of `types` is as in 0.2, so its bindings are 0.2's
//! (the `with` below) and so are the conversions; the host interface is 0.2's, answered by the
//! same calls.

mod batch;

use super::since_v0_2_0::convert::Lift;
use super::since_v0_2_0::{HostCalls, HostFunctions};

use super::super::error::Reported;
use super::super::info::{ConfigProblem, Description, PluginKind};
use super::super::state::PluginState;
use crate::domain::{self, Document, RetentionDecision, SourceChunk, SubjectPackage, Timestamp};
use wasmtime::component::{InstancePre, Linker, ResourceAny};
use wasmtime::Store;

/// This version's WIT folder, relative to the `custode` crate.
const WIT_FOLDER: &str = "../wit/since_v0.3.0";

pub mod importer {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.3.0",
        world: "importer",
        with: {
            "custode:plugin/types": super::super::since_v0_2_0::importer::custode::plugin::types,
        },
    });
}

pub mod retention {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.3.0",
        world: "retention-rule",
        with: {
            "custode:plugin/types": super::super::since_v0_2_0::importer::custode::plugin::types,
            "custode:plugin/host": super::importer::custode::plugin::host,
        },
    });
}

pub mod exporter {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.3.0",
        world: "exporter",
        with: {
            "custode:plugin/types": super::super::since_v0_2_0::importer::custode::plugin::types,
            "custode:plugin/host": super::importer::custode::plugin::host,
        },
    });
}

use super::since_v0_2_0::importer::custode::plugin::types;
use importer::custode::plugin::host;

/// The package version this host was built from.
pub const VERSION: &str = "0.3.0";
/// Components built against any `0.3.x` run on these bindings.
pub const SERIES: &str = "0.3";
/// The functions of this version's `custode:plugin/host` (a test in `wit/mod.rs` checks them against `host.wit`).
pub const HOST_FUNCTIONS: &[&str] = &["log", "config"];

/// This version's WIT folder from the repository's root, for messages.
pub fn wit_folder() -> &'static str {
    WIT_FOLDER.trim_start_matches("../")
}

/// A batch of subjects as this version lowers it into a plugin: in columns.
pub type SubjectBatch = retention::exports::custode::plugin::rule::SubjectBatch;

/// Converts a batch of views for [`Instance::evaluate`].
pub fn views(batch: &[domain::SubjectView]) -> SubjectBatch {
    batch::columns(batch)
}

/// Defines this version's `custode:plugin/host` in `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    host::add_to_linker::<PluginState, HostFunctions>(linker, |state| HostCalls(state))
}

/// The same calls as 0.2's host interface: the records are the same.
impl host::Host for HostCalls<'_> {
    fn log(&mut self, level: types::LogLevel, message: String) {
        self.0.log_line(level.lift(), message);
    }

    fn config(&mut self, key: String) -> Option<String> {
        self.0.config_value(&key)
    }
}

/// An importer's chunk: the same record as 0.2's, converted as it is.
impl Lift for importer::exports::custode::plugin::source::ChunkResult {
    type Output = SourceChunk;
    fn lift(self) -> SourceChunk {
        use super::since_v0_2_0::importer::exports::custode::plugin::source::ChunkResult;
        let chunk = ChunkResult {
            records: self.records,
            rejected: self.rejected,
        };
        chunk.lift()
    }
}

super::since_v0_2_0::world_calls!();

impl Instance {
    /// `rule.evaluate`, on a batch converted by [`views`].
    pub(crate) fn evaluate(
        &self,
        store: &mut Store<PluginState>,
        now: Timestamp,
        batch: &SubjectBatch,
    ) -> wasmtime::Result<Result<Vec<RetentionDecision>, String>> {
        let Instance::RetentionRule(i) = self else {
            return Err(not_a(PluginKind::RetentionRule));
        };
        let decisions = i.custode_plugin_rule().call_evaluate(store, now.0, batch)?;
        Ok(decisions.map(|d| d.into_iter().map(Lift::lift).collect()))
    }
}
