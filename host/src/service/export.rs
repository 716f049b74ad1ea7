//! Access and portability requests (Art. 15, Art. 20): everything known about one subject, rendered
//! by an exporter plugin. Each package handed out is recorded in the audit log.

use super::{Compliance, Error, Subject};
use crate::domain::{Actor, ContactId, Document, Identity, Timestamp};
use crate::runtime::{Plugin, PluginError, PluginKind, StartError};
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Plugin(#[from] PluginError),
    #[error("{0}")]
    Store(#[from] Error),
    #[error("{0}")]
    Invalid(String),
}

impl From<StartError> for ExportError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Plugin(e) => ExportError::Plugin(e),
            wrong @ StartError::WrongKind { .. } => ExportError::Invalid(wrong.to_string()),
        }
    }
}

/// Renders the subject's full package with `plugin` (e.g. the bundled `json` exporter): data with
/// provenance, purposes and bases, the consent ledger with evidence, notices, retention, recipients
/// and where the data is kept.
pub fn access_package(
    compliance: &Compliance,
    plugin: &Plugin,
    subject: &Subject,
    now: Timestamp,
    actor: &Actor,
) -> Result<Document, ExportError> {
    if plugin.kind() != PluginKind::Exporter {
        return Err(ExportError::Invalid(format!(
            "plugin `{}` is of kind `{}`: exports need an exporter plugin such as `json`",
            plugin.name(),
            plugin.kind()
        )));
    }
    let id = resolve(compliance, subject)?;
    let package = compliance.subject_package(id, Some(now))?;
    let document = plugin.render(&package)?;
    // The audit entry proves what was handed out without keeping it: a digest, not the data.
    let details = json!({
        "exporter": format!("{}@{}", plugin.name(), plugin.version()),
        "exporter_digest": plugin.digest(),
        "document_sha256": hex::encode(Sha256::digest(&document.bytes)),
        "bytes": document.bytes.len(),
    });
    let target = format!("contact:{}", id.0);
    compliance
        .store()
        .audit_record(actor, "request.access", &target, details)?;
    Ok(document)
}

/// The contact an identity or contact number stands for.
pub fn resolve(compliance: &Compliance, subject: &Subject) -> Result<ContactId, Error> {
    match subject {
        Subject::Contact(id) => Ok(*id),
        Subject::Identity(identity) => {
            compliance.store().find_contact(identity)?.ok_or_else(|| {
                Error::not_found(format!(
                    "a contact with {} `{}`",
                    identity.kind(),
                    identity_text(identity)
                ))
            })
        }
    }
}

fn identity_text(identity: &Identity) -> String {
    match identity {
        Identity::Email(e) => e.as_str().to_string(),
        Identity::Phone(p) => p.as_str().to_string(),
        Identity::External(x) => format!("{}:{}", x.system, x.id),
    }
}
