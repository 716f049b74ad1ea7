//! The compliance actions, one method of [`Compliance`] per action, called by both the CLI and the
//! HTTP API (never two code paths for one action). Each write takes the [`Actor`]; the store writes
//! its audit entry in the same transaction. Inputs arrive as text from people and are parsed here,
//! with errors that name the input and the fix.

pub mod cases;
mod contacts;
pub mod export;
pub mod idempotency;
pub mod import;
pub mod job_log;
pub mod job_status;
pub mod jobs;
pub mod plugins;
pub mod policy;
mod processing;
mod records;
mod requests;
pub mod retention;
pub mod tokens;

use std::path::Path;
use std::sync::Arc;

use crate::domain::{ContactId, Email, ExternalId, Identity, Phone, Policy, Settings};
use crate::store::{self, ComplianceStore, NextStep};

pub use crate::store::StoreError as Error;
pub use processing::{AllowedFilter, Subject};
pub use records::notice_receipt;
pub use requests::SuppressionCheck;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The compliance service of one installation. Cheap to clone; `Send + Sync`: share it across the
/// server's tasks and call it through `spawn_blocking` (every call may touch the database).
#[derive(Clone)]
pub struct Compliance {
    store: Arc<dyn ComplianceStore>,
    /// The retention run under way in this process (one at a time).
    runs: retention::RunGate,
}

impl Compliance {
    /// Opens the installation in `data_dir` with the given settings (the SQLite backend).
    pub fn open(data_dir: &Path, settings: &Settings) -> Result<Self> {
        let policy = Policy::from_settings(settings)?;
        Ok(Compliance::new(Arc::new(store::open(data_dir, policy)?)))
    }

    /// Opens the installation the configuration names: on PostgreSQL when `[store] url` is set,
    /// else on SQLite in `data_dir`.
    pub fn open_configured(data_dir: &Path, config: &crate::config::Config) -> Result<Self> {
        let policy = Policy::from_settings(&config.compliance)?;
        let store = store::open_configured(data_dir, config.store.url.as_deref(), policy)?;
        Ok(Compliance::new(store))
    }

    pub fn new(store: Arc<dyn ComplianceStore>) -> Self {
        Compliance {
            store,
            runs: retention::RunGate::default(),
        }
    }

    pub fn policy(&self) -> &Policy {
        self.store.policy()
    }

    /// The store behind the service, for what the service does not wrap (the registry, tokens,
    /// the import's writer).
    pub fn store(&self) -> &Arc<dyn ComplianceStore> {
        &self.store
    }

    /// Reads an identity as people write it: an email (has `@`), a phone (digits, spaces, `+`, `-`,
    /// `.`, brackets; national numbers use the configured default country), or `system:id` for an
    /// external id.
    pub fn parse_identity(&self, text: &str) -> Result<Identity> {
        let t = text.trim();
        if t.contains('@') {
            return Ok(Identity::Email(Email::parse(t)?));
        }
        let phone_like = !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
            && t.chars().any(|c| c.is_ascii_digit());
        if phone_like || t.starts_with("tel:") {
            return Ok(Identity::Phone(Phone::parse(
                t,
                self.policy().phone_country,
            )?));
        }
        if let Some((system, id)) = t.split_once(':') {
            return Ok(Identity::External(ExternalId::parse(system, id)?));
        }
        Err(Error::invalid(
            "subject",
            format!(
                "`{t}` is not an email, a phone number or an external id such as `erp:C-00042`"
            ),
        ))
    }

    /// Reads whom a question is about: `#42` for contact 42, else an identity (see `parse_identity`).
    pub fn parse_subject(&self, text: &str) -> Result<Subject> {
        if let Some(id) = text.trim().strip_prefix('#') {
            return id
                .parse()
                .map(|id| Subject::Contact(ContactId(id)))
                .map_err(|_| {
                    Error::invalid(
                        "subject",
                        format!("`{text}` is not a contact number: write `#42`"),
                    )
                });
        }
        Ok(Subject::Identity(self.parse_identity(text)?))
    }

    /// The contact a subject names, which must exist.
    pub fn resolve_contact(&self, subject: &Subject) -> Result<ContactId> {
        match subject {
            Subject::Contact(id) => Ok(*id),
            Subject::Identity(identity) => self.store.find_contact(identity)?.ok_or_else(|| {
                Error::not_found_then(
                    format!(
                        "a contact with {} `{}`",
                        identity.kind(),
                        identity_text(identity)
                    ),
                    "check the spelling, or look the contact up by another of its identities",
                    NextStep::FindContact,
                )
            }),
        }
    }
}

/// An identity as people write it (and as [`Compliance::parse_identity`] reads it).
fn identity_text(identity: &Identity) -> String {
    match identity {
        Identity::Email(e) => e.as_str().to_string(),
        Identity::Phone(p) => p.as_str().to_string(),
        Identity::External(x) => format!("{}:{}", x.system, x.id),
    }
}

#[cfg(test)]
mod tests;
