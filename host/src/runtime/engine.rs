//! The one wasmtime `Engine` every plugin runs on, and the linker that defines what plugins may import.

use super::cache::ComponentCache;
use super::error::SetupError;
use super::state::PluginState;
use super::wit;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances. Deadlines are counted in these ticks, so a call overruns its
/// deadline by at most one tick; 10 ms keeps the ticker's cost negligible.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How many plugin instances may be alive at once across the process. Each one holds a slot of the
/// pooling allocator (virtual memory is reserved up front, physical memory only as used).
pub const MAX_CONCURRENT_INSTANCES: u32 = 256;

/// The shared plugin runtime: engine, linker, and compiled-code cache.
pub struct Runtime {
    engine: Engine,
    linker: Linker<PluginState>,
    cache: Option<ComponentCache>,
    ticker: Option<EpochTicker>,
    /// Set once the server is shutting down and its grace period is over: every call stops.
    stopping: Arc<AtomicBool>,
}

impl Runtime {
    /// Creates the runtime. With `cache_dir`, compiled plugins are kept there across restarts.
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Arc<Runtime>, SetupError> {
        let engine = Engine::new(&engine_config())
            .map_err(|e| SetupError::new("creating the WebAssembly engine", e))?;
        let linker = plugin_linker(&engine)?;
        let cache = match cache_dir {
            Some(dir) => Some(ComponentCache::open(dir, &engine)?),
            None => None,
        };
        let ticker = Some(EpochTicker::start(engine.clone()));
        Ok(Arc::new(Runtime {
            engine,
            linker,
            cache,
            ticker,
            stopping: Arc::new(AtomicBool::new(false)),
        }))
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn linker(&self) -> &Linker<PluginState> {
        &self.linker
    }

    pub(crate) fn cache(&self) -> Option<&ComponentCache> {
        self.cache.as_ref()
    }

    /// Stops every plugin call, running now or started later, within a tick of the epoch: for a
    /// shutdown whose grace period is over, so that no plugin (whatever its deadline) keeps the
    /// process alive. The calls fail with [`super::Failure::Stopped`].
    pub fn stop_calls(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    pub(crate) fn stopping(&self) -> Arc<AtomicBool> {
        self.stopping.clone()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.stop();
        }
    }
}

fn engine_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    // Deadlines: generated code checks the epoch at loop headers and function entries, which costs
    // far less than fuel metering and cannot be escaped by the guest.
    config.epoch_interruption(true);
    config.parallel_compilation(true);
    // Plugins compiled from Rust, Python and JavaScript use linear memory only; without a garbage
    // collector there is less to reserve per instance and less attack surface.
    config.wasm_gc(false);
    config.gc_support(false);
    // `CUSTODE_WASM_PROFILE=perfmap` writes /tmp/perf-<pid>.map, so `perf report` names the
    // plugins' functions (for plugin authors profiling their code; off by default).
    if std::env::var_os("CUSTODE_WASM_PROFILE").is_some_and(|v| v == "perfmap") {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }

    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(MAX_CONCURRENT_INSTANCES);
    // Components built by wit-component hold a few core instances (the module plus shims); those
    // made by componentize-js or componentize-py hold more, and bigger tables.
    pool.total_core_instances(MAX_CONCURRENT_INSTANCES * 8);
    pool.max_core_instances_per_component(64);
    pool.total_memories(MAX_CONCURRENT_INSTANCES * 2);
    pool.max_memories_per_component(8);
    pool.total_tables(MAX_CONCURRENT_INSTANCES * 8);
    pool.max_tables_per_component(16);
    pool.table_elements(200_000);
    pool.max_core_instance_size(4 << 20);
    pool.max_component_instance_size(4 << 20);
    // The per-plugin memory limit is enforced by the store's limiter (see state.rs), which can say
    // which plugin hit it; the pool only needs room for the largest limit an admin may set.
    pool.max_memory_size(super::Limits::MAX_MEMORY_BYTES);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config
}

/// What plugins can import: the `custode:plugin/host` interface of every API version this host
/// runs, and WASI p2 (for components built with `wasm32-wasip2`, componentize-py or
/// componentize-js), backed by an empty sandbox whose time stands still (see [`super::wasi`]).
fn plugin_linker(engine: &Engine) -> Result<Linker<PluginState>, SetupError> {
    let mut linker = Linker::new(engine);
    wit::add_to_linker(&mut linker)
        .map_err(|e| SetupError::new("linking the host interface", e))?;
    super::wasi::add_to_linker(&mut linker)?;
    Ok(linker)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] on a background thread.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl EpochTicker {
    fn start(engine: Engine) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("custode-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch ticker thread");
        EpochTicker { stop, thread }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

/// How many ticks a running call goes between two looks at its deadline and at [`Runtime::stop_calls`].
pub(crate) const CHECK_TICKS: u64 = 10;

/// Epoch ticks for a deadline, rounded up, plus one because the current tick may be nearly over.
pub(crate) fn deadline_ticks(deadline: Duration) -> u64 {
    let tick = EPOCH_TICK.as_nanos();
    (deadline.as_nanos().div_ceil(tick) as u64) + 1
}

/// The store's epoch callback: ends the call when its deadline has passed or the runtime stops
/// every call; otherwise looks again in at most [`CHECK_TICKS`].
pub(crate) fn epoch_check(
    stopping: &AtomicBool,
    call_ends: Option<std::time::Instant>,
) -> wasmtime::Result<wasmtime::UpdateDeadline> {
    if stopping.load(Ordering::Relaxed) {
        return Err(wasmtime::Error::new(super::error::StoppedByHost));
    }
    let left = call_ends.map_or(Duration::ZERO, |end| {
        end.saturating_duration_since(std::time::Instant::now())
    });
    if left.is_zero() {
        return Ok(wasmtime::UpdateDeadline::Interrupt);
    }
    Ok(wasmtime::UpdateDeadline::Continue(
        deadline_ticks(left).min(CHECK_TICKS),
    ))
}
