//! The handlers, one module per group of resources.

pub mod admin;
pub mod compliance;
pub mod consents;
pub mod contacts;
pub mod imports;
pub mod plugins;
pub mod requests;
pub mod retention;
