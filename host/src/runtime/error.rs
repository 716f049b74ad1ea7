//! The runtime's errors, each naming the thing and the fix: a component refused at load
//! ([`LoadError`]), a job asked of a plugin of another kind ([`StartError`]), a failed call into a
//! plugin ([`PluginError`]: which plugin, which function, and what happened, in words), and a runtime
//! that cannot start ([`SetupError`]).

use super::info::PluginKind;
use super::state::PluginState;
use super::{format_bytes, format_duration};
use std::time::Duration;
use wasmtime::Trap;

/// Why a component was not loaded. Every message says what is wrong and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a component this host runs: not a component, a world or API version it
    /// does not support, an import it does not give, code that does not compile or link.
    #[error("{0}")]
    Refused(String),
    /// The plugin failed while starting or describing itself.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// What the plugin says about itself is not acceptable (its name, version or kind).
    #[error("{0}")]
    Description(String),
    /// The admin's settings do not fit the plugin: limits out of range, keys it does not declare,
    /// required keys missing.
    #[error("{0}")]
    Settings(String),
}

/// Why a job could not start on a plugin.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The job needs a plugin of another world.
    #[error("plugin `{plugin}` {version} is of kind `{kind}`, but {} plugin is needed here: choose {} plugin", .wanted.with_article(), .wanted.with_article())]
    WrongKind {
        plugin: String,
        version: String,
        kind: PluginKind,
        wanted: PluginKind,
    },
    /// The plugin failed while starting.
    #[error(transparent)]
    Plugin(#[from] PluginError),
}

/// The plugin runtime could not start: the engine, the host's linker, or the code cache.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {message}")]
pub struct SetupError {
    /// What was being done, e.g. `creating the plugin code cache directory /var/lib/custode/plugin-cache`.
    pub context: String,
    pub message: String,
}

impl SetupError {
    pub(crate) fn new(context: impl Into<String>, error: impl std::fmt::Display) -> SetupError {
        SetupError {
            context: context.into(),
            message: format!("{error:#}"),
        }
    }
}

/// A plugin call failed. The host is unaffected: the plugin's store is thrown away.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("plugin `{plugin}`{} {failure} in `{function}`{}", version_part(.version), hint(.failure, .function))]
pub struct PluginError {
    /// The plugin's name; `sha256:<first 12 hex digits>` when it failed before describing itself.
    pub plugin: String,
    /// Empty when the plugin failed before describing itself.
    pub version: String,
    /// The exported function that was called, e.g. `push`.
    pub function: &'static str,
    pub failure: Failure,
}

/// What went wrong inside a plugin call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Failure {
    #[error("ran past its {} deadline", format_duration(*.0))]
    Deadline(Duration),
    #[error("exceeded its {} memory limit (it asked for {})", format_bytes(*.limit), format_bytes(*.requested))]
    Memory { limit: usize, requested: usize },
    #[error("panicked at {0}")]
    Panic(String),
    #[error("crashed ({0})")]
    Trap(String),
    /// The plugin returned an error value (bad configuration, unreadable input).
    #[error("reported an error: {0}")]
    Reported(Box<Reported>),
    /// The plugin returned more than the host accepts from one call.
    #[error("returned {count} {what} from one call (the limit is {limit} {counted})")]
    OutputTooLarge {
        /// What it returned too many of, e.g. `row errors`.
        what: &'static str,
        count: usize,
        limit: usize,
        /// What the limit counts, e.g. `records and row errors together`.
        counted: &'static str,
    },
    /// The plugin returned a string longer than its cap (see `runtime::limits`).
    #[error("returned a {field} of {bytes} bytes (the cap is {cap} bytes)")]
    TooLong {
        field: &'static str,
        bytes: usize,
        cap: usize,
    },
    /// The plugin returned something the contract does not allow.
    #[error("broke the plugin contract: {0}")]
    Contract(String),
    #[error("could not be started: {0}")]
    Instantiate(String),
    /// The plugin already had as many instances as one plugin may have, and none ended in time.
    #[error("could not start another call: {running} of its calls were running, the most one plugin may have at once, and none ended within {}", format_duration(*.waited))]
    Busy { running: usize, waited: Duration },
    /// The instance pool all plugins share was full (wasmtime's pooling allocator said so).
    #[error("could not start: the plugin instances the server keeps for all plugins together were all in use ({0})")]
    PoolFull(String),
    /// The host stopped the call: the server is shutting down and its grace period is over.
    #[error("was stopped because the server is shutting down")]
    Stopped,
}

/// The error a call is ended with when the runtime stops every call (see `Runtime::stop_calls`).
#[derive(Debug, thiserror::Error)]
#[error("stopped by the host: the server is shutting down")]
pub(crate) struct StoppedByHost;

/// An error a plugin returned, with where in the input it applies when the plugin knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub message: String,
    pub row: Option<u64>,
    pub column: Option<String>,
}

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = &self.message;
        match (self.row, self.column.as_deref()) {
            (Some(r), Some(c)) => write!(f, "row {r}, column `{c}`: {message}"),
            (Some(r), None) => write!(f, "row {r}: {message}"),
            (None, Some(c)) => write!(f, "column `{c}`: {message}"),
            (None, None) => f.write_str(message),
        }
    }
}

fn version_part(version: &str) -> String {
    if version.is_empty() {
        String::new()
    } else {
        format!(" {version}")
    }
}

fn hint(failure: &Failure, function: &str) -> &'static str {
    match failure {
        // `describe()` takes no input and must answer at once: more time would not help.
        Failure::Deadline(_) if function == "describe" => {
            "; `describe()` must return at once, whatever the limits: this is a bug in the plugin, report it to its author"
        }
        Failure::Deadline(_) => {
            "; if the work is legitimately long, raise the plugin's `limits.deadline_ms`, otherwise report it to the plugin's author"
        }
        Failure::Memory { .. } => "; raise the plugin's `limits.memory_bytes` or give it smaller inputs",
        Failure::Panic(_) | Failure::Trap(_) | Failure::Contract(_) => "; this is a bug in the plugin: report it to its author",
        Failure::OutputTooLarge { .. } => "; the plugin must return its results in smaller pieces",
        Failure::TooLong { .. } => "; the plugin must return shorter text: this is a bug in the plugin, report it to its author",
        Failure::Busy { .. } | Failure::PoolFull(_) => "; try again when the calls running now have ended",
        Failure::Reported(_) | Failure::Instantiate(_) | Failure::Stopped => "",
    }
}

/// Turns an error from wasmtime into the failure it stands for, using what the store saw
/// (a refused memory growth, a panic message logged by the SDK's hook).
pub(crate) fn classify(
    error: &wasmtime::Error,
    state: &PluginState,
    deadline: Duration,
) -> Failure {
    if error.downcast_ref::<StoppedByHost>().is_some() {
        return Failure::Stopped;
    }
    let text = format!("{error:#}");
    if text.contains("maximum concurrent limit") {
        // wasmtime's pooling allocator is full: not this plugin's fault.
        return Failure::PoolFull(text);
    }
    let trap = error.downcast_ref::<Trap>().copied();
    if trap == Some(Trap::Interrupt) {
        return Failure::Deadline(deadline);
    }
    // A refused growth explains whatever follows it: Rust plugins abort on allocation failure.
    if let Some(requested) = state.limiter.refused {
        return Failure::Memory {
            limit: state.limiter.limit(),
            requested,
        };
    }
    if let Some(message) = state.log().panic.clone() {
        return Failure::Panic(message);
    }
    match trap {
        Some(Trap::UnreachableCodeReached) => {
            Failure::Trap("it aborted: wasm `unreachable` executed".into())
        }
        Some(Trap::StackOverflow) => {
            Failure::Trap("stack overflow: the call stack ran out (deep or endless recursion)".into())
        }
        // A Rust (or C) plugin keeps its stack frames in linear memory, below its data: when that
        // stack runs out, the next frame is written out of bounds, and wasmtime sees only this.
        Some(Trap::MemoryOutOfBounds) => Failure::Trap(
            "out of bounds memory access; deep or endless recursion (a stack overflow in the plugin) also \
             ends this way, since a plugin's stack lives in its memory"
                .into(),
        ),
        Some(trap) => Failure::Trap(trap.to_string()),
        None => Failure::Trap(format!("{error:#}")),
    }
}
