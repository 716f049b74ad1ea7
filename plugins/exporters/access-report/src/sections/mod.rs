//! The report, section by section, in the order Article 15(1) lists what a person is told.

mod data;
mod processing;
mod rights;

use custode_sdk::types::SubjectPackage;

use crate::html::{Html, HEAD};
use crate::lang::{Lang, Texts};
use crate::words;

/// What every section needs.
pub struct Report<'a> {
    pub lang: Lang,
    pub t: &'static Texts,
    pub p: &'a SubjectPackage,
}

impl Report<'_> {
    pub fn date(&self, ts: i64) -> String {
        words::date(self.lang, ts)
    }

    /// A source as a person reads it: `Fiera Milano 2025 (trade fair), collected on 1 March 2025`.
    pub fn source(&self, provenance: Option<u64>) -> String {
        let Some(e) = provenance.and_then(|id| self.p.provenance.iter().find(|e| e.id == id))
        else {
            return String::new();
        };
        let collected = self.t.collected.replace("{}", &self.date(e.collected_at));
        format!(
            "{} ({}), {collected}",
            e.source_label,
            words::channel(self.lang, e.channel)
        )
    }
}

/// The sections, by anchor and title, for the table of contents.
fn contents(r: &Report) -> Vec<(&'static str, &'static str)> {
    let t = r.t;
    let mut list = Vec::new();
    if r.p.request.is_some() {
        list.push(("request", t.request));
    }
    list.extend([
        ("controller", t.controller),
        ("data", t.data),
        ("purposes", t.purposes),
        ("recipients", t.recipients),
        ("retention", t.retention),
        ("sources", t.sources),
        ("consents", t.consents),
        ("limits", t.limits),
        ("rights", t.rights),
        ("complaint", t.complaint),
    ]);
    list
}

/// The whole page.
pub fn page(r: &Report, plugin: &str) -> String {
    let t = r.t;
    let mut h = Html::new(16_384 + r.p.fields.len() * 256 + r.p.consents.len() * 256);
    h.raw("<!DOCTYPE html>\n<html lang=\"")
        .raw(r.lang.tag())
        .raw("\">\n<head>\n")
        .raw(HEAD)
        .el("title", &format!("{} — {}", t.title, r.p.controller))
        .raw("\n</head>\n<body>\n<main>\n<header>\n")
        .el("h1", t.title)
        .el("p class=\"lead\"", t.subtitle)
        .raw("\n<p>")
        .fill(t.intro, &[&r.p.controller, &r.date(r.p.generated_at)])
        .raw("</p>\n</header>\n<nav><h2>")
        .raw(t.contents)
        .raw("</h2><ol>");
    for (id, title) in contents(r) {
        h.raw("<li><a href=\"#")
            .raw(id)
            .raw("\">")
            .raw(title)
            .raw("</a></li>");
    }
    h.raw("</ol></nav>\n");
    request(&mut h, r);
    controller(&mut h, r);
    data::data(&mut h, r);
    processing::purposes(&mut h, r);
    processing::recipients(&mut h, r);
    processing::retention(&mut h, r);
    processing::sources(&mut h, r);
    processing::consents(&mut h, r);
    processing::limits(&mut h, r);
    rights::rights(&mut h, r);
    rights::complaint(&mut h, r);
    h.raw("<footer><p>")
        .fill(t.footer, &[plugin])
        .raw("</p></footer>\n");
    h.raw("</main>\n</body>\n</html>\n");
    h.finish()
}

fn request(h: &mut Html, r: &Report) {
    let Some(q) = &r.p.request else { return };
    let t = r.t;
    h.section("request", t.request).raw("<table>\n");
    h.row(t.case, &q.id.to_string())
        .row(t.kind, words::request_kind(r.lang, q.kind))
        .row(t.received, &r.date(q.received_at))
        .row(t.due, &r.date(q.due_at));
    h.raw("</table>\n").end_section();
}

fn controller(h: &mut Html, r: &Report) {
    let t = r.t;
    let p = r.p;
    h.section("controller", t.controller).raw("<table>\n");
    h.row(t.controller_name, &p.controller);
    h.row(
        t.contact,
        p.controller_contact.as_deref().unwrap_or(t.contact_missing),
    );
    h.row(t.location, &p.data_location);
    h.raw("</table>\n").end_section();
}
