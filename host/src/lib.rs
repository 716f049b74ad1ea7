//! Custode: GDPR compliance engine.

pub mod domain;
pub mod service;
pub mod store;
