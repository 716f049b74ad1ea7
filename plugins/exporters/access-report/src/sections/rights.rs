//! What the person can do (Art. 15(1)(e)) and where to complain (Art. 15(1)(f), Art. 77).

use super::Report;
use crate::html::Html;

pub fn rights(h: &mut Html, r: &Report) {
    let t = r.t;
    h.section("rights", t.rights)
        .el("p", t.rights_intro)
        .raw("<ul>\n");
    for right in t.right_list {
        // "Access: a copy …": the name of the right in bold.
        let (name, words) = right.split_once(": ").unwrap_or((right, ""));
        h.raw("<li><strong>")
            .text(name)
            .raw("</strong>: ")
            .text(words)
            .raw("</li>\n");
    }
    h.raw("</ul>\n<p>");
    match &r.p.controller_contact {
        Some(contact) => h.fill(t.rights_how, &[contact]),
        None => h.fill(t.rights_how_controller, &[&r.p.controller]),
    };
    h.raw("</p>\n").el("p", t.rights_time).end_section();
}

pub fn complaint(h: &mut Html, r: &Report) {
    let t = r.t;
    h.section("complaint", t.complaint)
        .el("p", t.complaint_intro);
    match &r.p.supervisory_authority {
        Some(authority) => h.raw("<p><strong>").text(authority).raw("</strong></p>\n"),
        None => h.el("p", t.complaint_default),
    };
    h.end_section();
}
