//! Test plugin, never bundled: an exporter built against the frozen plugin API 0.1.0, as one
//! written before 0.2.0 was. A host that supports 0.2.0 must still run it unchanged, giving it the
//! 0.1.0 `subject-package` (which has no former identities and no request case).
//!
//! The document is one line per fact, so a test can check what the plugin was given.

use custode_sdk::exporter::{ExportError, Exporter};
use custode_sdk::types::{Document, Identity, PluginInfo, PluginKind, SubjectPackage};

struct Plugin;

impl Exporter for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "api-0-1-exporter",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Exporter,
            "Test plugin: a plugin API 0.1.0 exporter listing a subject's identities",
        )
    }

    fn render(subject: SubjectPackage) -> Result<Document, ExportError> {
        let mut text = format!("contact {}\n", subject.contact_id);
        for entry in &subject.identities {
            let identity = match &entry.identity {
                Identity::Email(v) | Identity::Phone(v) => v.clone(),
                Identity::External(x) => format!("{}:{}", x.system, x.id),
            };
            text.push_str(&format!("identity {identity}\n"));
        }
        text.push_str(&format!(
            "restricted {}\nlegal-hold {}\n",
            subject.restricted, subject.legal_hold
        ));
        Ok(Document {
            file_name: format!("subject-{}.txt", subject.contact_id),
            media_type: "text/plain".into(),
            bytes: text.into_bytes(),
        })
    }
}

custode_sdk::export_exporter!(Plugin);
