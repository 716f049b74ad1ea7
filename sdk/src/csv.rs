//! CSV helpers.
