//! Process-wide counts of plugin calls and failures by cause, for the server's metrics. Relaxed atomic
//! additions: a call already costs microseconds, this costs nanoseconds.

use std::sync::atomic::{AtomicU64, Ordering};

use super::error::{Failure, PluginError};

static CALLS: AtomicU64 = AtomicU64::new(0);
/// One counter per cause, in the order of [`CAUSES`].
static FAILURES: [AtomicU64; CAUSES.len()] = [const { AtomicU64::new(0) }; CAUSES.len()];

/// The causes of a failure, as metric labels.
pub const CAUSES: [&str; 10] = [
    "deadline",
    "memory",
    "panic",
    "trap",
    "reported",
    "output-too-large",
    "contract",
    "instantiate",
    "stopped",
    "busy",
];

fn cause_index(f: &Failure) -> usize {
    match f {
        Failure::Deadline(_) => 0,
        Failure::Memory { .. } => 1,
        Failure::Panic(_) => 2,
        Failure::Trap(_) => 3,
        Failure::Reported(_) => 4,
        Failure::OutputTooLarge { .. } | Failure::TooLong { .. } => 5,
        Failure::Contract(_) => 6,
        Failure::Instantiate(_) => 7,
        Failure::Stopped => 8,
        Failure::Busy { .. } | Failure::PoolFull(_) => 9,
    }
}

pub(crate) fn record<T>(result: &Result<T, PluginError>) {
    CALLS.fetch_add(1, Ordering::Relaxed);
    if let Err(e) = result {
        FAILURES[cause_index(&e.failure)].fetch_add(1, Ordering::Relaxed);
    }
}

pub struct Snapshot {
    pub calls: u64,
    pub failures: Vec<(&'static str, u64)>,
}

pub fn snapshot() -> Snapshot {
    Snapshot {
        calls: CALLS.load(Ordering::Relaxed),
        failures: CAUSES
            .iter()
            .zip(&FAILURES)
            .map(|(c, n)| (*c, n.load(Ordering::Relaxed)))
            .collect(),
    }
}
