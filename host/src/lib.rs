//! Custode: GDPR compliance engine.

pub mod domain;
pub mod store;
