//! Custode: a GDPR compliance engine for customer data, extended with sandboxed WebAssembly plugins.
//!
//! See `docs/ARCHITECTURE.md` for the data flow and what each module owns.

pub mod api;
pub mod app;
pub mod bundled;
pub mod cli;
pub mod config;
pub mod domain;
pub mod runtime;
pub mod service;
pub mod store;
