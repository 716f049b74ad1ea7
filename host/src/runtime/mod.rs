//! The plugin runtime: every plugin runs here, inside wasmtime, with nothing but what this module
//! hands it.
//!
//! - [`engine`]: one wasmtime `Engine` (component model, pooling allocator, epoch interruption with
//!   a ticker thread) shared by every plugin.
//! - [`cache`]: compiled code on disk, keyed by the plugin's SHA-256 and the engine's compatibility hash.
//! - [`info`]: a plugin's kind and what it says about itself (the bottom of the runtime).
//! - [`wit`]: one module per plugin API version (the bindings generated from its WIT and their
//!   conversions to the domain's types); nothing else here sees a generated type.
//! - [`plugin`]: loading a component, `describe()`, inspection.
//! - [`validate`]: install-time checks: is it a component, its world and API version, its imports.
//! - [`state`]: what a plugin's `Store` holds: limits, its configuration, its log, an empty WASI context.
//! - [`wasi`]: the empty WASI sandbox, with a frozen clock whose waits end at once.
//! - [`limits`]: caps on every string and list a plugin hands the host.
//! - [`slots`]: each plugin's share of the instance pool, so one plugin cannot take it all.
//! - [`conformance`]: the contract's checks on any plugin (`custode plugin check`).
//! - [`configure`]: the plugin's own checks of its settings, run when an admin sets them.
//! - [`log`]: the plugin's log for one job (from `host.log` and WASI stdout/stderr), capped.
//! - [`error`]: typed errors: a refused component, a job on the wrong kind of plugin, a failed call
//!   (traps, timeouts and memory exhaustion named with the plugin and the cause).
//! - [`importer`], [`retention`], [`exporter`]: one module per world, calling a plugin's exports in
//!   the domain's types.
//!
//! Every call gets a fresh `Store` from a cached `InstancePre`, a deadline and a memory limit, so one
//! misbehaving call cannot affect the next one or the host.

pub mod cache;
pub mod configure;
pub mod conformance;
pub mod engine;
pub mod error;
pub mod exporter;
pub mod importer;
pub mod info;
pub mod limits;
pub mod log;
pub mod plugin;
pub mod retention;
pub mod slots;
pub mod state;
pub mod stats;
pub mod validate;
pub mod wasi;
pub mod wit;

pub use engine::Runtime;
pub use error::{Failure, LoadError, PluginError, Reported, SetupError, StartError};
pub use info::PluginKind;
pub use plugin::{Inspection, Plugin, PluginSettings};

use std::time::Duration;

/// Limits applied to every call into a plugin. Defaults: 5 s, 64 MiB.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Wall-clock time one call may take.
    #[serde(with = "millis", rename = "deadline_ms")]
    #[schema(value_type = u64, minimum = 10, maximum = 3600000)]
    pub deadline: Duration,
    /// Linear memory the plugin may use, in bytes.
    #[schema(minimum = 1048576, maximum = 4294967296_u64)]
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: Duration::from_secs(5),
            memory_bytes: 64 << 20,
        }
    }
}

impl Limits {
    /// The largest memory limit a plugin can be given (wasm32 linear memories cannot exceed 4 GiB).
    pub const MAX_MEMORY_BYTES: usize = 4 << 30;
    /// The longest deadline a call can be given.
    pub const MAX_DEADLINE: Duration = Duration::from_secs(3600);

    /// Checks the limits are usable, with a message naming the setting and the range.
    pub fn validate(&self) -> Result<(), InvalidLimits> {
        if self.memory_bytes < (1 << 20) || self.memory_bytes > Self::MAX_MEMORY_BYTES {
            return Err(InvalidLimits(format!(
                "limits.memory_bytes = {} is out of range: use between 1 MiB (1048576) and 4 GiB (4294967296)",
                self.memory_bytes
            )));
        }
        if self.deadline < Duration::from_millis(10) || self.deadline > Self::MAX_DEADLINE {
            return Err(InvalidLimits(format!(
                "limits.deadline_ms = {} is out of range: use between 10 and 3600000 (one hour)",
                self.deadline.as_millis()
            )));
        }
        Ok(())
    }
}

/// Limits out of their range: the message names the setting and the range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidLimits(pub String);

/// Human form of a byte count for messages: `64 MiB`, `1.5 GiB`, `900 KiB`.
pub fn format_bytes(bytes: usize) -> String {
    const MIB: usize = 1 << 20;
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// Human form of a duration for messages: `5 s`, `250 ms`, `1.5 s`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms >= 1000 && ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{ms} ms")
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sizes_and_durations_for_messages() {
        assert_eq!(format_bytes(64 << 20), "64 MiB");
        assert_eq!(format_bytes(1 << 30), "1 GiB");
        assert_eq!(format_bytes(3 << 19), "1.5 MiB");
        assert_eq!(format_bytes(1000), "1 KiB");
        assert_eq!(format_duration(Duration::from_secs(5)), "5 s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(format_duration(Duration::from_millis(250)), "250 ms");
    }

    #[test]
    fn limits_outside_their_range_are_refused_with_the_setting_named() {
        let tiny = Limits {
            memory_bytes: 1000,
            ..Limits::default()
        };
        assert!(tiny
            .validate()
            .unwrap_err()
            .to_string()
            .contains("limits.memory_bytes"));
        let long = Limits {
            deadline: Duration::from_secs(7200),
            ..Limits::default()
        };
        assert!(long
            .validate()
            .unwrap_err()
            .to_string()
            .contains("limits.deadline_ms"));
        Limits::default().validate().unwrap();
    }
}
