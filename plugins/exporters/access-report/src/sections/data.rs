//! The data held (Art. 15(1)(b) and the copy of Art. 15(3)): identifiers, the values of each
//! category with where each came from, earlier values a correction replaced, former identifiers.

use custode_sdk::types::{DataCategory, FieldEntry};

use super::Report;
use crate::html::Html;
use crate::words;

pub fn data(h: &mut Html, r: &Report) {
    let t = r.t;
    let p = r.p;
    h.section("data", t.data);
    if !p.identities.is_empty() {
        h.el("h3", t.identities).raw("<table>\n");
        for e in &p.identities {
            let (label, value) = words::identity(r.lang, &e.identity);
            h.row(&label, &value);
        }
        h.raw("</table>\n");
    }
    if p.fields.is_empty() {
        h.el("p", t.no_fields);
    }
    for &category in DataCategory::ALL {
        let current: Vec<&FieldEntry> = p
            .fields
            .iter()
            .filter(|f| f.category == category && f.current)
            .collect();
        let earlier: Vec<&FieldEntry> = p
            .fields
            .iter()
            .filter(|f| f.category == category && !f.current)
            .collect();
        if current.is_empty() && earlier.is_empty() {
            continue;
        }
        h.el("h3", words::category(r.lang, category));
        values(h, r, &current);
        if !earlier.is_empty() {
            h.raw("<p class=\"muted\">")
                .raw(t.earlier_values)
                .raw(": ")
                .raw(t.replaced_values)
                .raw("</p>\n");
            values(h, r, &earlier);
        }
    }
    if !p.former_identities.is_empty() {
        h.el("h3", t.former).el("p class=\"muted\"", t.former_intro);
        h.raw("<ul>\n");
        for f in &p.former_identities {
            let (label, value) = words::identity(r.lang, &f.identity);
            let removed = t.removed_on.replace("{}", &r.date(f.removed_at));
            h.el("li", &format!("{label}: {value} ({removed})"));
        }
        h.raw("</ul>\n");
    }
    h.end_section();
}

fn values(h: &mut Html, r: &Report, fields: &[&FieldEntry]) {
    if fields.is_empty() {
        return;
    }
    let t = r.t;
    h.raw("<table>\n<thead><tr><th>")
        .raw(t.field)
        .raw("</th><th>")
        .raw(t.value)
        .raw("</th></tr></thead>\n");
    for f in fields {
        h.raw("<tr><th scope=\"row\">")
            .text(&words::field(r.lang, &f.name))
            .raw("</th><td>")
            .text(&f.value);
        let source = r.source(f.provenance);
        if !source.is_empty() {
            h.raw("<br><span class=\"muted\">")
                .raw(t.source)
                .raw(": ")
                .text(&source)
                .raw("</span>");
        }
        h.raw("</td></tr>\n");
    }
    h.raw("</table>\n");
}
