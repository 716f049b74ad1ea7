//! The one validation error of the domain: which input is wrong, and what to do about it.

use std::fmt;

/// A value a person or a plugin supplied that the rules cannot accept.
///
/// `field` names the input (`email`, `purpose`, `consents[2].channel`); `message` says what is wrong
/// and, where possible, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidInput {
    pub field: String,
    pub message: String,
}

impl InvalidInput {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}
