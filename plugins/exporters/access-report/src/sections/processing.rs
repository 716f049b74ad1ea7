//! How the data is processed: purposes and their legal bases (Art. 15(1)(a)), recipients (c),
//! retention (d), sources (g), the consent ledger (Art. 7(1)), restriction and legal hold.

use super::Report;
use crate::html::Html;
use crate::words;

pub fn purposes(h: &mut Html, r: &Report) {
    let t = r.t;
    h.section("purposes", t.purposes);
    if r.p.purposes.is_empty() {
        h.el("p", t.no_purposes);
    }
    for e in &r.p.purposes {
        h.raw("<h3>").text(&e.purpose);
        if !e.description.is_empty() && e.description != e.purpose {
            h.raw(": ").text(&e.description);
        }
        h.raw("</h3>\n");
        if e.bases.is_empty() {
            h.el("p", t.no_basis);
        } else {
            h.raw("<ul>\n");
            for b in &e.bases {
                let mut when = t.since.replace("{}", &r.date(b.start));
                if let Some(end) = b.end {
                    when = format!("{when} {}", t.until.replace("{}", &r.date(end)));
                }
                h.raw("<li>")
                    .raw(t.basis)
                    .raw(": ")
                    .text(&words::basis(r.lang, b.basis))
                    .raw(", ")
                    .text(&when)
                    .raw("</li>\n");
            }
            h.raw("</ul>\n");
        }
        h.raw("<p>").raw(if e.allowed_now {
            t.allowed
        } else {
            t.not_allowed
        });
        if !e.reason.is_empty() {
            h.raw(" <span class=\"muted\">(")
                .text(&e.reason)
                .raw(")</span>");
        }
        h.raw("</p>\n");
    }
    h.end_section();
}

pub fn recipients(h: &mut Html, r: &Report) {
    let t = r.t;
    h.section("recipients", t.recipients);
    if r.p.recipients.is_empty() {
        h.el("p", t.no_recipients);
    } else {
        h.el("p", t.recipients_intro).raw("<ul>\n");
        for name in &r.p.recipients {
            h.el("li", name);
        }
        h.raw("</ul>\n");
    }
    h.end_section();
}

pub fn retention(h: &mut Html, r: &Report) {
    let t = r.t;
    h.section("retention", t.retention);
    if r.p.retention.is_empty() {
        h.el("p", t.no_retention);
    } else {
        h.raw("<table>\n<thead><tr><th>")
            .raw(t.category)
            .raw("</th><th>")
            .raw(t.period)
            .raw("</th></tr></thead>\n");
        for e in &r.p.retention {
            h.raw("<tr><th scope=\"row\">")
                .raw(words::category(r.lang, e.category))
                .raw("</th><td>")
                .text(&e.period);
            if !e.basis.is_empty() {
                h.raw("<br><span class=\"muted\">")
                    .raw(t.why)
                    .raw(": ")
                    .text(&e.basis)
                    .raw("</span>");
            }
            h.raw("</td></tr>\n");
        }
        h.raw("</table>\n");
    }
    h.end_section();
}

pub fn sources(h: &mut Html, r: &Report) {
    let t = r.t;
    h.section("sources", t.sources);
    if r.p.provenance.is_empty() {
        h.el("p", t.no_sources);
    } else {
        h.el("p", t.sources_intro).raw("<ul>\n");
        for e in &r.p.provenance {
            h.el("li", &r.source(Some(e.id)));
        }
        h.raw("</ul>\n");
    }
    h.end_section();
}

pub fn consents(h: &mut Html, r: &Report) {
    let t = r.t;
    h.section("consents", t.consents);
    if r.p.consents.is_empty() {
        h.el("p", t.no_consents);
    } else {
        h.raw("<ul>\n");
        for e in &r.p.consents {
            h.raw("<li>").fill(
                t.consent_event,
                &[
                    &r.date(e.at),
                    words::action(r.lang, e.action),
                    &e.purpose,
                    &words::consent_channel(r.lang, &e.channel),
                ],
            );
            let mut how = Vec::new();
            if !e.method.is_empty() {
                how.push(e.method.clone());
            }
            if let Some(v) = &e.notice_version {
                how.push(t.notice_version.replace("{}", v));
            }
            if !how.is_empty() {
                h.raw("<br><span class=\"muted\">")
                    .raw(t.how)
                    .raw(": ")
                    .text(&how.join("; "))
                    .raw("</span>");
            }
            h.raw("</li>\n");
        }
        h.raw("</ul>\n");
    }
    if !r.p.notices.is_empty() {
        h.el("h3", t.notices).raw("<ul>\n");
        for n in &r.p.notices {
            let at = n.at.map(|at| r.date(at)).unwrap_or_else(|| "—".into());
            h.raw("<li>")
                .fill(t.notice_given, &[&n.version, &at])
                .raw("</li>\n");
        }
        h.raw("</ul>\n");
    }
    h.end_section();
}

pub fn limits(h: &mut Html, r: &Report) {
    let t = r.t;
    let p = r.p;
    h.section("limits", t.limits);
    let open = p.restriction_periods.iter().find(|x| x.end.is_none());
    match open {
        Some(x) if p.restricted => {
            h.raw("<p class=\"note\">")
                .fill(t.restricted_now, &[&r.date(x.start)])
                .raw("</p>\n");
        }
        _ => {
            h.el("p", t.not_restricted);
        }
    }
    let closed: Vec<_> = p
        .restriction_periods
        .iter()
        .filter(|x| x.end.is_some())
        .collect();
    if !closed.is_empty() {
        h.raw("<ul>\n");
        for x in closed {
            let end = r.date(x.end.unwrap_or(x.start));
            h.raw("<li>")
                .fill(t.restricted_past, &[&r.date(x.start), &end])
                .raw("</li>\n");
        }
        h.raw("</ul>\n");
    }
    match (p.legal_hold, p.legal_hold_since) {
        (true, Some(since)) => {
            h.raw("<p class=\"note\">")
                .fill(t.hold, &[&r.date(since)])
                .raw("</p>\n");
        }
        (true, None) => {
            h.raw("<p class=\"note\">")
                .fill(t.hold, &[&r.date(p.generated_at)])
                .raw("</p>\n");
        }
        (false, _) => {
            h.el("p", t.no_hold);
        }
    }
    h.end_section();
}
