//! The actions of Custode, used by both the HTTP API and the CLI (never two code paths for one action).

pub mod import;
