//! What a plugin's `Store` holds, and the host functions it can call.

use super::bindings::host;
use super::bindings::types::LogLevel;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The message prefix the SDK's panic hook writes (see `sdk/src/panic.rs`).
pub const PANIC_LOG_PREFIX: &str = "panicked at ";
/// Lines a plugin may log in one job; more are counted, not kept, so a chatty plugin cannot
/// exhaust the host's memory.
pub const MAX_LOG_LINES: usize = 1000;
/// Longest kept log line, in bytes.
pub const MAX_LOG_LINE: usize = 4096;
/// Bytes of WASI stdout/stderr kept per job.
const MAX_STDIO_BYTES: usize = 64 << 10;

/// Per-job state of a plugin instance.
pub struct PluginState {
    /// `name version`, for log lines.
    pub(crate) label: Arc<str>,
    pub(crate) config: Arc<BTreeMap<String, String>>,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) log: PluginLog,
    table: ResourceTable,
    wasi: Option<WasiParts>,
}

impl PluginState {
    pub(crate) fn new(
        label: Arc<str>,
        config: Arc<BTreeMap<String, String>>,
        memory_limit: usize,
    ) -> Self {
        PluginState {
            label,
            config,
            limiter: MemoryLimiter::new(memory_limit),
            log: PluginLog::default(),
            table: ResourceTable::new(),
            wasi: None,
        }
    }

    /// Moves what the plugin wrote to WASI stdout/stderr into its log.
    pub(crate) fn collect_stdio(&mut self) {
        let Some(wasi) = self.wasi.as_mut() else {
            return;
        };
        for (pipe, taken, level) in [
            (&wasi.stdout, &mut wasi.stdout_taken, LogLevel::Info),
            (&wasi.stderr, &mut wasi.stderr_taken, LogLevel::Warn),
        ] {
            let bytes = pipe.contents();
            if bytes.len() > *taken {
                let text = String::from_utf8_lossy(&bytes[*taken..]).into_owned();
                *taken = bytes.len();
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    self.log.push(&self.label, level, line.to_string());
                }
            }
        }
    }
}

impl host::Host for PluginState {
    fn log(&mut self, level: LogLevel, message: String) {
        self.log.push(&self.label, level, message);
    }

    fn config(&mut self, key: String) -> Option<String> {
        self.config.get(&key).cloned()
    }
}

impl super::bindings::types::Host for PluginState {}

/// A plugin's log lines for one job, also forwarded to the host's log.
#[derive(Default, Debug)]
pub struct PluginLog {
    pub lines: Vec<(LogLevel, String)>,
    pub dropped: usize,
    /// The last panic message the SDK's hook reported, if any.
    pub panic: Option<String>,
}

impl PluginLog {
    fn push(&mut self, label: &str, level: LogLevel, mut message: String) {
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        if level == LogLevel::Error {
            if let Some(rest) = message.strip_prefix(PANIC_LOG_PREFIX) {
                self.panic = Some(rest.to_string());
            }
        }
        match level {
            LogLevel::Trace => tracing::trace!(plugin = label, "{message}"),
            LogLevel::Debug => tracing::debug!(plugin = label, "{message}"),
            LogLevel::Info => tracing::info!(plugin = label, "{message}"),
            LogLevel::Warn => tracing::warn!(plugin = label, "{message}"),
            LogLevel::Error => tracing::error!(plugin = label, "{message}"),
        }
        if self.lines.len() < MAX_LOG_LINES {
            self.lines.push((level, message));
        } else {
            self.dropped += 1;
        }
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

/// The WASI context of a plugin built for `wasm32-wasip2` (or by componentize-py/js): nothing in
/// it. No preopened directories, no environment, no arguments, no network, no name lookups, a clock
/// frozen at 1970-01-01 and a fixed random seed (so results are reproducible, as with native
/// plugins); stdout and stderr go to the plugin's log.
struct WasiParts {
    ctx: WasiCtx,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    stdout_taken: usize,
    stderr_taken: usize,
}

impl WasiParts {
    fn empty() -> WasiParts {
        let stdout = MemoryOutputPipe::new(MAX_STDIO_BYTES);
        let stderr = MemoryOutputPipe::new(MAX_STDIO_BYTES);
        let ctx = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .insecure_random_seed(0)
            .build();
        WasiParts {
            ctx,
            stdout,
            stderr,
            stdout_taken: 0,
            stderr_taken: 0,
        }
    }
}

impl WasiView for PluginState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let wasi = self.wasi.get_or_insert_with(WasiParts::empty);
        WasiCtxView {
            ctx: &mut wasi.ctx,
            table: &mut self.table,
        }
    }
}

/// A clock that always says 1970-01-01T00:00:00Z: plugins get the time they need as arguments.
struct FrozenClock;

impl wasmtime_wasi::HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl wasmtime_wasi::HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}
