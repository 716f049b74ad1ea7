//! Logging to the host.
