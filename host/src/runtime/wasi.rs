//! The WASI that plugins built for `wasm32-wasip2` (or by componentize-py/js) get: an empty sandbox
//! whose time stands still.
//!
//! wasmtime-wasi's `wasi:clocks/monotonic-clock` makes real timers of `subscribe-duration` and
//! `subscribe-instant` whatever the context's clock says, and a host call waiting on one (`poll`,
//! `pollable.block`, what `std::thread::sleep` does) cannot be interrupted by the epoch deadline:
//! a plugin could sleep past its deadline, holding its import and the database writer. So the
//! linker's monotonic clock is replaced by [`FrozenTime`]: it says 0, and every subscription is
//! ready at once. A plugin that waits in a loop then spins in its own code, where the deadline
//! stops it. Nothing else a plugin can reach waits: stdin is empty and closed, stdout and stderr
//! write to memory, there are no files, sockets are refused and so are name lookups.

use super::log::{SharedLog, Stdio};
use super::state::PluginState;
use super::SetupError;
use std::time::Duration;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};
use wasmtime_wasi::p2::bindings::clocks::monotonic_clock;
use wasmtime_wasi::p2::{subscribe, DynPollable, Pollable};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder};

/// Links WASI p2 with the frozen monotonic clock in place of wasmtime-wasi's.
pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> Result<(), SetupError> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)
        .map_err(|e| SetupError::new("linking the empty WASI context", e))?;
    linker.allow_shadowing(true);
    let frozen =
        monotonic_clock::add_to_linker::<PluginState, FrozenTime>(linker, |state| FrozenTimeView {
            table: state.table(),
        });
    linker.allow_shadowing(false);
    frozen.map_err(|e| SetupError::new("linking the frozen WASI clock", e))
}

/// The WASI context: nothing in it. No preopened directories, no environment, no arguments, no
/// network, no name lookups, a clock frozen at 1970-01-01 and seeded random numbers (so results are
/// reproducible, as with native plugins); stdout and stderr go to the plugin's log, line by line,
/// under the log's caps.
pub(crate) fn empty_ctx(log: &SharedLog) -> WasiCtx {
    WasiCtxBuilder::new()
        .stdout(log.stdio(Stdio::Stdout))
        .stderr(log.stdio(Stdio::Stderr))
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .wall_clock(FrozenClock)
        .monotonic_clock(FrozenClock)
        .secure_random(seeded_random())
        .insecure_random(seeded_random())
        .insecure_random_seed(0)
        .build()
}

/// Random bytes that are the same in every run: a fixed-seed splitmix64 stream, 4 KiB long and
/// repeated (wasmtime-wasi's `Deterministic` cycles the bytes it is given). Plugins must not need
/// secrets from the host; what they draw only has to look random and be reproducible.
fn seeded_random() -> wasmtime_wasi::Deterministic {
    let mut state: u64 = 0;
    let bytes = (0..512)
        .flat_map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)).to_le_bytes()
        })
        .collect();
    wasmtime_wasi::Deterministic::new(bytes)
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

/// `wasi:clocks/monotonic-clock` with time standing still.
struct FrozenTime;

impl HasData for FrozenTime {
    type Data<'a> = FrozenTimeView<'a>;
}

struct FrozenTimeView<'a> {
    table: &'a mut ResourceTable,
}

impl monotonic_clock::Host for FrozenTimeView<'_> {
    fn now(&mut self) -> wasmtime::Result<u64> {
        Ok(0)
    }

    fn resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(1_000_000_000)
    }

    fn subscribe_instant(&mut self, _when: u64) -> wasmtime::Result<Resource<DynPollable>> {
        let ready = self.table.push(Ready)?;
        subscribe(self.table, ready)
    }

    fn subscribe_duration(&mut self, _duration: u64) -> wasmtime::Result<Resource<DynPollable>> {
        let ready = self.table.push(Ready)?;
        subscribe(self.table, ready)
    }
}

/// A subscription that is ready as soon as it is polled: the time it waits for has come, since
/// no time passes for a plugin.
struct Ready;

#[wasmtime_wasi::async_trait]
impl Pollable for Ready {
    async fn ready(&mut self) {}
}
