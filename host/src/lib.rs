//! Custode: a GDPR compliance engine for customer data, extended with sandboxed WebAssembly plugins.
//!
//! See `docs/ARCHITECTURE.md` for the data flow and what each module owns.

pub mod bundled;
pub mod cli;
pub mod domain;
pub mod runtime;
pub mod service;
pub mod store;
