//! What a plugin's `Store` holds, and what the host functions do (each API version's bindings
//! forward its `custode:plugin/host` functions here).

use super::log::{LogLevel, PluginLog, SharedLog};
use super::slots::Slot;
use std::collections::BTreeMap;
use std::sync::{Arc, MutexGuard};
use std::time::Instant;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Per-job state of a plugin instance.
pub struct PluginState {
    pub(crate) config: Arc<BTreeMap<String, String>>,
    pub(crate) limiter: MemoryLimiter,
    /// When the call running now must end (set by `Plugin::call`, checked by the store's epoch
    /// callback).
    pub(crate) call_ends: Option<Instant>,
    /// This instance's place in its plugin's share of the pool, given back with the store.
    _slot: Option<Slot>,
    log: SharedLog,
    table: ResourceTable,
    wasi: Option<WasiCtx>,
}

impl PluginState {
    /// `label` (`name version`) names the plugin in the host's log.
    pub(crate) fn new(
        label: Arc<str>,
        config: Arc<BTreeMap<String, String>>,
        memory_limit: usize,
        slot: Option<Slot>,
    ) -> Self {
        PluginState {
            config,
            limiter: MemoryLimiter::new(memory_limit),
            call_ends: None,
            _slot: slot,
            log: SharedLog::new(label),
            table: ResourceTable::new(),
            wasi: None,
        }
    }

    /// The store's resource table (WASI's streams and pollables live there).
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    /// The job's log so far.
    pub(crate) fn log(&self) -> MutexGuard<'_, PluginLog> {
        self.log.lock()
    }

    /// After each call: what the plugin wrote to stdout/stderr without a final newline becomes a
    /// line too.
    pub(crate) fn end_call(&mut self) {
        if self.wasi.is_some() {
            self.log.lock().flush_stdio();
        }
    }
}

/// The host functions, in the runtime's own types.
impl PluginState {
    /// `host.log`: a line for the job's log.
    pub(crate) fn log_line(&mut self, level: LogLevel, message: String) {
        self.log.lock().push(level, message);
    }

    /// `host.config`: the admin's value for one of the keys the plugin declared.
    pub(crate) fn config_value(&self, key: &str) -> Option<String> {
        self.config.get(key).cloned()
    }
}

/// Enforces a plugin's memory limit and remembers a refused growth, so a trap that follows can be
/// reported as "exceeded its memory limit" instead of a bare `unreachable`.
pub struct MemoryLimiter {
    limit: usize,
    /// The size the plugin asked for when it was refused.
    pub refused: Option<usize>,
}

impl MemoryLimiter {
    fn new(limit: usize) -> Self {
        MemoryLimiter {
            limit,
            refused: None,
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused = Some(desired);
            // Refuse without trapping: a plugin that handles the failure may go on. Rust plugins
            // abort on allocation failure, and the abort is then reported with this limit named.
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let log = &self.log;
        let ctx = self.wasi.get_or_insert_with(|| super::wasi::empty_ctx(log));
        WasiCtxView {
            ctx,
            table: &mut self.table,
        }
    }
}
