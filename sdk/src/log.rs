//! Logging to the host: [`write`] and the macros [`trace!`](crate::trace), [`debug!`](crate::debug),
//! [`info!`](crate::info), [`warn!`](crate::warn), [`error!`](crate::error).
//!
//! Inside a plugin the line goes to the host's log, tagged with the plugin's name and version.
//! Compiled natively (a plugin's unit tests) it goes to stderr, so the same code runs in both.
//!
//! ```
//! custode_sdk::info!("read {} rows", 12);
//! custode_sdk::warn!("row {}: unknown date format, left empty", 7);
//! custode_sdk::log::write(custode_sdk::log::LogLevel::Debug, "done");
//! ```

pub use crate::types::LogLevel;
pub use crate::{debug, error, info, trace, warn};

/// Writes one line to the plugin's log.
pub fn write(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{}] {message}", level_name(level));
}

/// The lower-case name of a level: `trace`, `debug`, `info`, `warn`, `error`.
pub fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    }
}

/// Logs at `trace` level, with `format!` arguments.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)*) => { $crate::log::write($crate::log::LogLevel::Trace, &::std::format!($($arg)*)) };
}

/// Logs at `debug` level, with `format!` arguments.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => { $crate::log::write($crate::log::LogLevel::Debug, &::std::format!($($arg)*)) };
}

/// Logs at `info` level, with `format!` arguments.
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::log::write($crate::log::LogLevel::Info, &::std::format!($($arg)*)) };
}

/// Logs at `warn` level, with `format!` arguments.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::log::write($crate::log::LogLevel::Warn, &::std::format!($($arg)*)) };
}

/// Logs at `error` level, with `format!` arguments.
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => { $crate::log::write($crate::log::LogLevel::Error, &::std::format!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn macros_accept_format_arguments_natively() {
        let row = 12;
        crate::trace!("row {row}");
        crate::debug!("row {}", row);
        crate::info!("plain");
        crate::warn!("{:>4}", row);
        crate::error!("{row:?}");
        assert_eq!(super::level_name(super::LogLevel::Warn), "warn");
    }
}
