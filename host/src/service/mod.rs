//! The compliance actions, one function per action, called by both the CLI and the HTTP API (never two
//! code paths for one action). Each write takes the [`Actor`]; the store writes its audit entry in the
//! same transaction. Inputs arrive as text from people and are parsed here, with errors that name the
//! input and the fix.

mod contacts;
pub mod export;
pub mod import;
pub mod jobs;
pub mod plugins;
mod processing;
mod records;
mod requests;
pub mod retention;
pub mod tokens;

use std::path::Path;
use std::sync::Arc;

use crate::domain::{ContactId, Email, ExternalId, Identity, Phone, Policy, Settings};
use crate::store::{self, ComplianceStore};

pub use crate::store::StoreError as Error;
pub use processing::{AllowedFilter, Subject};
pub use requests::SuppressionCheck;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The compliance service of one installation. Cheap to clone; `Send + Sync`: share it across the
/// server's tasks and call it through `spawn_blocking` (every call may touch the database).
#[derive(Clone)]
pub struct Compliance {
    store: Arc<dyn ComplianceStore>,
}

impl Compliance {
    /// Opens the installation in `data_dir` with the given settings (the SQLite backend).
    pub fn open(data_dir: &Path, settings: &Settings) -> Result<Self> {
        let policy = Policy::from_settings(settings)?;
        Ok(Compliance::new(Arc::new(store::open(data_dir, policy)?)))
    }

    pub fn new(store: Arc<dyn ComplianceStore>) -> Self {
        Compliance { store }
    }

    pub fn policy(&self) -> &Policy {
        self.store.policy()
    }

    /// The store, for the import service, which writes through `ImportStore::import`.
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
                Error::not_found_hint(
                    "a contact with this identity",
                    "check the spelling, or find the contact with GET /api/v1/contacts?identity=…",
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests;
