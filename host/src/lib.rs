//! Custode: GDPR compliance engine.
