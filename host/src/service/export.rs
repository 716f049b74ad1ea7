//! Access and portability requests (Art. 15, Art. 20): everything known about one subject, rendered
//! by an exporter plugin. Each package handed out is recorded in the audit log.

use super::{Compliance, Error, Subject};
use crate::domain::{Actor, Document, RequestCase, Timestamp};
use crate::runtime::exporter::render;
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

impl Compliance {
    /// Renders the subject's full package with `plugin` (e.g. the bundled `json` exporter): data
    /// with provenance, purposes and bases, the consent ledger with evidence, notices, retention,
    /// recipients and where the data is kept. The audit log records that it was handed out.
    pub fn access_package(
        &self,
        plugin: &Plugin,
        subject: &Subject,
        now: Timestamp,
        actor: &Actor,
    ) -> Result<Document, ExportError> {
        self.answer_access(plugin, subject, None, now, actor)
    }

    /// [`Compliance::access_package`] for a request case: the package carries the request (kind,
    /// language, received, due), so an exporter of plugin API 0.2.0 can answer it in the person's
    /// language and say which request it answers (a 0.1.0 exporter gets the package without it).
    pub(crate) fn answer_access(
        &self,
        plugin: &Plugin,
        subject: &Subject,
        request: Option<RequestCase>,
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
        let id = self.resolve_contact(subject)?;
        let mut package = self.subject_package(id, Some(now))?;
        package.request = request;
        let document = render(plugin, &package)?;
        // The audit entry proves what was handed out without keeping it: a digest, not the data.
        let mut details = json!({
            "exporter": format!("{}@{}", plugin.name(), plugin.version()),
            "exporter_digest": plugin.digest(),
            "document_sha256": hex::encode(Sha256::digest(&document.bytes)),
            "bytes": document.bytes.len(),
        });
        if let Some(r) = &package.request {
            details["case"] = json!(r.id);
        }
        let target = format!("contact:{}", id.0);
        self.store
            .audit_record(actor, "request.access", &target, details)?;
        Ok(document)
    }
}
