//! `{{name}}`: a Custode exporter. Writes what is held about one person as plain text: the
//! identities and the current field values, one per line (a short access copy, GDPR Art. 15).
//! When the document answers a request, its number is on the first line.

#[cfg(test)]
mod tests;

use custode_sdk::exporter::{ExportError, Exporter};
use custode_sdk::time::format_date;
use custode_sdk::types::{Document, Identity, PluginInfo, PluginKind, SubjectPackage};

pub struct Plugin;

/// The text of the document.
pub fn text(subject: &SubjectPackage) -> String {
    let mut out = format!("Personal data held about contact {}\n", subject.contact_id);
    if let Some(request) = &subject.request {
        out.push_str(&format!(
            "In answer to request {}, received on {}\n",
            request.id,
            format_date(request.received_at)
        ));
    }
    out.push_str(&format!("Controller: {}\n\n", subject.controller));
    for entry in &subject.identities {
        let identity = match &entry.identity {
            Identity::Email(a) => format!("email: {a}"),
            Identity::Phone(p) => format!("phone: {p}"),
            Identity::External(e) => format!("{}: {}", e.system, e.id),
        };
        out.push_str(&identity);
        out.push('\n');
    }
    for field in subject.fields.iter().filter(|f| f.current) {
        out.push_str(&format!("{}: {}\n", field.name, field.value));
    }
    out
}

impl Exporter for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "{{name}}",
            env!("CARGO_PKG_VERSION"),
            PluginKind::Exporter,
            "A plain-text copy of a person's identities and data",
        )
    }
    fn render(subject: SubjectPackage) -> Result<Document, ExportError> {
        Ok(Document {
            file_name: format!("contact-{}.txt", subject.contact_id),
            media_type: "text/plain; charset=utf-8".into(),
            bytes: text(&subject).into_bytes(),
        })
    }
}

custode_sdk::export_exporter!(Plugin);
