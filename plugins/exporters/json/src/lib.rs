//! # `json`: everything known about a subject, as JSON (Art. 15 access, Art. 20 portability)
//!
//! Renders the whole subject package as one pretty-printed JSON document, `subject-<id>.json`
//! (`application/json`). The output is deterministic: members always come in the order of the
//! WIT `subject-package` record (then each list in the host's order), two-space indentation, and
//! the same package always gives the same bytes. Any Unicode is written as UTF-8; control
//! characters are escaped.
//!
//! - top level: `format` (`custode-subject-package/1`) and `generated_at` first, then the package;
//! - timestamps as ISO 8601 UTC strings (`2026-01-15T10:30:00Z`), each followed by the same
//!   instant as Unix seconds under `<name>_unix` (setting `unix_times = false` leaves those out);
//! - enums by their WIT names (`lead-generation`, `legitimate-interest`, `withdrawn`); legal bases
//!   also carry their GDPR article (`Art. 6(1)(f)`);
//! - identities as `{"type": "email", "value": ...}`, `{"type": "phone", ...}` or
//!   `{"type": "external", "system": ..., "id": ...}`; absent optional values as `null`.

use custode_sdk::config::Config;
use custode_sdk::exporter::{ExportError, Exporter};
use custode_sdk::json::JsonWriter;
use custode_sdk::time::{format_iso, Timestamp};
use custode_sdk::types::{BasisPeriod, Document, Identity, PluginInfo, PluginKind, SubjectPackage};

/// The value of the top-level `format` member.
pub const FORMAT: &str = "custode-subject-package/1";

struct Doc {
    w: JsonWriter,
    unix_times: bool,
}

impl Doc {
    fn time(&mut self, key: &str, t: Timestamp) {
        self.w.field_str(key, &format_iso(t));
        if self.unix_times {
            self.w.key(&format!("{key}_unix"));
            self.w.i64(t);
        }
    }

    fn opt_time(&mut self, key: &str, t: Option<Timestamp>) {
        match t {
            Some(t) => self.time(key, t),
            None => {
                self.w.key(key);
                self.w.null();
                if self.unix_times {
                    self.w.key(&format!("{key}_unix"));
                    self.w.null();
                }
            }
        }
    }

    fn opt_u64(&mut self, key: &str, v: Option<u64>) {
        self.w.key(key);
        match v {
            Some(v) => self.w.u64(v),
            None => self.w.null(),
        }
    }

    fn bool(&mut self, key: &str, v: bool) {
        self.w.key(key);
        self.w.bool(v);
    }

    /// `key: [ item, ... ]`, each item an object written by `item`.
    fn list<T>(&mut self, key: &str, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        self.w.key(key);
        self.w.begin_array();
        for i in items {
            self.w.begin_object();
            item(self, i);
            self.w.end_object();
        }
        self.w.end_array();
    }

    /// `type` and the identity's own fields, flat in the current object.
    fn identity(&mut self, identity: &Identity) {
        match identity {
            Identity::Email(v) => {
                self.w.field_str("type", "email");
                self.w.field_str("value", v);
            }
            Identity::Phone(v) => {
                self.w.field_str("type", "phone");
                self.w.field_str("value", v);
            }
            Identity::External(x) => {
                self.w.field_str("type", "external");
                self.w.field_str("system", &x.system);
                self.w.field_str("id", &x.id);
            }
        }
    }

    fn bases(&mut self, bases: &[BasisPeriod]) {
        self.list("bases", bases, |d, b| {
            d.w.field_str("purpose", &b.purpose);
            d.w.field_str("basis", b.basis.name());
            d.w.field_str("article", b.basis.article());
            d.time("start", b.start);
            d.opt_time("end", b.end);
        });
    }
}

/// Renders a package; `unix_times` adds `<name>_unix` numbers beside the ISO timestamps.
pub fn render(p: &SubjectPackage, unix_times: bool) -> Document {
    let mut d = Doc {
        w: JsonWriter::with_capacity(true, 4096 + p.fields.len() * 256),
        unix_times,
    };
    d.w.begin_object();
    d.w.field_str("format", FORMAT);
    d.time("generated_at", p.generated_at);
    d.w.key("contact_id");
    d.w.u64(p.contact_id);
    d.w.field_str("controller", &p.controller);
    d.w.field_str("data_location", &p.data_location);
    d.time("created_at", p.created_at);
    d.opt_time("last_interaction", p.last_interaction);
    d.list("identities", &p.identities, |d, e| {
        d.identity(&e.identity);
        d.opt_u64("provenance", e.provenance);
    });
    d.list("fields", &p.fields, |d, f| {
        d.w.field_str("name", &f.name);
        d.w.field_str("category", f.category.name());
        d.w.field_str("value", &f.value);
        d.bool("current", f.current);
        d.time("recorded_at", f.recorded_at);
        d.opt_u64("provenance", f.provenance);
    });
    d.list("provenance", &p.provenance, |d, e| {
        d.w.key("id");
        d.w.u64(e.id);
        d.w.field_str("source_label", &e.source_label);
        d.w.field_str("channel", e.channel.name());
        d.time("collected_at", e.collected_at);
        d.opt_u64("batch", e.batch);
        d.w.field_opt_str("file_digest", e.file_digest.as_deref());
        d.w.field_opt_str("plugin", e.plugin.as_deref());
        d.w.field_opt_str("plugin_digest", e.plugin_digest.as_deref());
        d.w.field_str("operator", &e.operator);
    });
    d.list("purposes", &p.purposes, |d, e| {
        d.w.field_str("purpose", &e.purpose);
        d.w.field_str("description", &e.description);
        d.bases(&e.bases);
        d.bool("allowed_now", e.allowed_now);
        d.w.field_str("reason", &e.reason);
    });
    d.list("consents", &p.consents, |d, e| {
        d.w.field_str("purpose", &e.purpose);
        d.w.field_str("channel", &e.channel);
        d.w.field_str("action", e.action.name());
        d.time("at", e.at);
        d.w.field_str("method", &e.method);
        d.w.field_opt_str("notice_version", e.notice_version.as_deref());
        d.w.field_opt_str("evidence", e.evidence.as_deref());
        d.w.field_str("collected_by", &e.collected_by);
    });
    d.list("notices", &p.notices, |d, n| {
        d.w.field_str("version", &n.version);
        d.opt_time("at", n.at);
    });
    d.list("retention", &p.retention, |d, r| {
        d.w.field_str("category", r.category.name());
        d.w.field_str("period", &r.period);
        d.w.field_str("basis", &r.basis);
    });
    d.w.key("recipients");
    d.w.begin_array();
    for r in &p.recipients {
        d.w.string(r);
    }
    d.w.end_array();
    d.bool("restricted", p.restricted);
    d.bool("legal_hold", p.legal_hold);
    // What plugin API 0.2.0 adds: identities a rectification replaced, every restriction period,
    // since when a legal hold applies, whom to contact and where to complain, and the request.
    d.opt_time("legal_hold_since", p.legal_hold_since);
    d.list("former_identities", &p.former_identities, |d, f| {
        d.identity(&f.identity);
        d.opt_u64("provenance", f.provenance);
        d.time("removed_at", f.removed_at);
        d.w.key("removed_by");
        d.w.u64(f.removed_by);
    });
    d.list("restriction_periods", &p.restriction_periods, |d, r| {
        d.time("start", r.start);
        d.opt_time("end", r.end);
    });
    d.w.field_opt_str("controller_contact", p.controller_contact.as_deref());
    d.w.field_opt_str("supervisory_authority", p.supervisory_authority.as_deref());
    d.w.key("request");
    match &p.request {
        None => d.w.null(),
        Some(r) => {
            d.w.begin_object();
            d.w.key("id");
            d.w.u64(r.id);
            d.w.field_str("kind", r.kind.name());
            d.w.field_opt_str("language", r.language.as_deref());
            d.time("received_at", r.received_at);
            d.time("due_at", r.due_at);
            d.w.end_object();
        }
    }
    d.w.end_object();
    Document {
        file_name: format!("subject-{}.json", p.contact_id),
        media_type: "application/json".into(),
        bytes: d.w.finish().into_bytes(),
    }
}

/// Reads the `unix_times` setting.
pub fn unix_times(config: &Config) -> Result<bool, ExportError> {
    config
        .bool("unix_times")
        .map(|v| v.unwrap_or(true))
        .map_err(|e| ExportError {
            message: e.to_string(),
        })
}

pub fn describe() -> PluginInfo {
    PluginInfo::new(
        "json",
        env!("CARGO_PKG_VERSION"),
        PluginKind::Exporter,
        "Everything known about a subject as one deterministic JSON document (access and portability)",
    )
    .with_config_key("unix_times", "Also write each timestamp as Unix seconds under `<name>_unix`: true or false", false, Some("true"))
}

struct Plugin;

impl Exporter for Plugin {
    fn describe() -> PluginInfo {
        describe()
    }
    fn render(subject: SubjectPackage) -> Result<Document, ExportError> {
        Ok(render(&subject, unix_times(&Config::from_host())?))
    }
}

custode_sdk::export_exporter!(Plugin);

#[cfg(test)]
mod tests;
