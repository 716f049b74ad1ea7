//! Panics inside a plugin abort the call (the host sees a trap). Before that, the hook installed here
//! sends the panic message to the host's log, so the host's error can say what went wrong and where.

use std::sync::Once;

/// The prefix the host looks for to recognise a plugin's panic message in its log.
pub const PANIC_LOG_PREFIX: &str = "panicked at ";

static INSTALL: Once = Once::new();

/// Installs the hook (once per instance). The export macros call it on every entry point.
#[doc(hidden)]
pub fn install_hook() {
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = info.payload().downcast_ref::<String>() {
                s.clone()
            } else {
                "(no message)".to_string()
            };
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_else(|| "an unknown place".into());
            crate::host::log(
                crate::types::LogLevel::Error,
                &format!("{PANIC_LOG_PREFIX}{location}: {message}"),
            );
        }));
    });
}
