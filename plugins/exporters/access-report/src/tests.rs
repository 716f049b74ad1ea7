use super::*;
use custode_sdk::types::*;

const T: i64 = 1_768_473_000; // 2026-01-15T10:30:00Z
const DAY: i64 = 86_400;

fn package() -> SubjectPackage {
    SubjectPackage {
        contact_id: 42,
        generated_at: T,
        controller: "Rossi S.r.l.".into(),
        data_location: "Milan, Italy (EU)".into(),
        created_at: T - 300 * DAY,
        last_interaction: None,
        identities: vec![IdentityEntry {
            identity: Identity::Email("anna@example.it".into()),
            provenance: Some(1),
        }],
        fields: vec![
            FieldEntry {
                name: "first_name".into(),
                category: DataCategory::Contact,
                value: "Anna".into(),
                provenance: Some(1),
                recorded_at: T - 300 * DAY,
                current: true,
            },
            FieldEntry {
                name: "city".into(),
                category: DataCategory::Contact,
                value: "Forlì".into(),
                provenance: Some(1),
                recorded_at: T - 300 * DAY,
                current: false,
            },
            FieldEntry {
                name: "loyalty_tier".into(),
                category: DataCategory::Commercial,
                value: "gold".into(),
                provenance: None,
                recorded_at: T,
                current: true,
            },
        ],
        provenance: vec![ProvenanceEntry {
            id: 1,
            source_label: "Fiera Milano 2025".into(),
            channel: SourceChannel::Fair,
            collected_at: T - 300 * DAY,
            batch: None,
            file_digest: None,
            plugin: None,
            plugin_digest: None,
            operator: "maria".into(),
        }],
        purposes: vec![PurposeEntry {
            purpose: "marketing".into(),
            description: "newsletters and offers".into(),
            bases: vec![BasisPeriod {
                purpose: "marketing".into(),
                basis: LegalBasis::Consent,
                start: T - 300 * DAY,
                end: Some(T - 10 * DAY),
            }],
            allowed_now: false,
            reason: "consent withdrawn".into(),
        }],
        consents: vec![ConsentEvent {
            purpose: "marketing".into(),
            channel: "email".into(),
            action: ConsentAction::Granted,
            at: T - 300 * DAY,
            method: "signed paper form".into(),
            notice_version: Some("2025-01".into()),
            evidence: None,
            collected_by: "maria".into(),
        }],
        notices: vec![NoticeReceipt {
            version: "2025-01".into(),
            at: Some(T - 300 * DAY),
        }],
        retention: vec![RetentionEntry {
            category: DataCategory::Contact,
            period: "24 months after the last interaction".into(),
            basis: "legitimate interest".into(),
        }],
        recipients: vec!["the mailing service (processor)".into()],
        restricted: false,
        legal_hold: false,
        former_identities: vec![FormerIdentity {
            identity: Identity::Email("anna@old.it".into()),
            provenance: Some(1),
            removed_at: T - 5 * DAY,
            removed_by: 2,
        }],
        restriction_periods: vec![],
        legal_hold_since: None,
        controller_contact: Some("privacy@rossi.it".into()),
        supervisory_authority: Some("Garante per la protezione dei dati personali".into()),
        request: None,
    }
}

fn with_request(language: Option<&str>) -> SubjectPackage {
    SubjectPackage {
        request: Some(RequestCase {
            id: 17,
            kind: RequestKind::Access,
            language: language.map(Into::into),
            received_at: T - 3 * DAY, // 12 January 2026
            due_at: T + 28 * DAY,     // 12 February 2026
        }),
        ..package()
    }
}

fn html(p: &SubjectPackage, lang: Lang) -> String {
    String::from_utf8(render(p, lang).bytes).unwrap()
}

#[test]
fn english_report_lists_what_article_15_requires() {
    let doc = render(&package(), Lang::En);
    assert_eq!(doc.file_name, "access-report-2026-01-15.html");
    assert_eq!(doc.media_type, "text/html; charset=utf-8");
    let page = String::from_utf8(doc.bytes).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    for expected in [
        "name=\"viewport\"",
        "Your personal data",
        "Who we are",
        "Rossi S.r.l.",
        "privacy@rossi.it",
        "Milan, Italy (EU)",
        "<th scope=\"row\">First name</th><td>Anna",
        "Fiera Milano 2025 (trade fair), collected on 21 March 2025",
        "Earlier values",
        "Forlì",
        "loyalty tier",
        "anna@old.it (removed on 10 January 2026)",
        "your consent (Art. 6(1)(a) GDPR), since 21 March 2025 until 5 January 2026",
        "We do not use your data for this purpose now.",
        "the mailing service (processor)",
        "24 months after the last interaction",
        "21 March 2025: consent given, for marketing (email)",
        "signed paper form; privacy notice 2025-01",
        "Processing of your data is not restricted.",
        "Your data is not under a legal hold.",
        "<strong>Rectification</strong>",
        "<strong>Withdraw consent</strong>",
        "<strong>Portability</strong>",
        "<strong>Objection</strong>",
        "Garante per la protezione dei dati personali",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    // No request in the package: no request section.
    assert!(!page.contains("Your request"));
}

#[test]
fn italian_report_answers_the_request_in_italian() {
    let p = with_request(Some("it-IT"));
    let lang = language(&p, Lang::En);
    assert_eq!(lang, Lang::It);
    let page = html(&p, lang);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"it\">"));
    for expected in [
        "I tuoi dati personali",
        "La tua richiesta",
        "<th scope=\"row\">Numero di pratica</th><td>17</td>",
        "accesso ai dati (art. 15 GDPR)",
        "<th scope=\"row\">Ricevuta il</th><td>12 gennaio 2026</td>",
        "<th scope=\"row\">Risposta dovuta entro il</th><td>12 febbraio 2026</td>",
        "Chi siamo",
        "Titolare del trattamento",
        "I dati che trattiamo su di te",
        "Dati di contatto",
        "<th scope=\"row\">Nome</th><td>Anna",
        "Perché usiamo i tuoi dati",
        "il tuo consenso (Art. 6(1)(a) GDPR), dal 21 marzo 2025 al 5 gennaio 2026",
        "A chi comunichiamo i tuoi dati",
        "Per quanto tempo conserviamo i tuoi dati",
        "Da dove provengono i tuoi dati",
        "Fiera Milano 2025 (fiera), raccolti il 21 marzo 2025",
        "I tuoi consensi e la loro storia",
        "consenso dato",
        "I tuoi diritti",
        "<strong>Revoca del consenso</strong>",
        "Come presentare un reclamo",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    assert!(!page.contains("Your personal data"));
}

#[test]
fn the_language_comes_from_the_request_then_the_setting() {
    assert_eq!(language(&with_request(Some("IT")), Lang::En), Lang::It);
    assert_eq!(language(&with_request(Some("en-GB")), Lang::It), Lang::En);
    // A language the report is not written in, or none: the setting's.
    assert_eq!(language(&with_request(Some("de")), Lang::It), Lang::It);
    assert_eq!(language(&with_request(None), Lang::It), Lang::It);
    assert_eq!(language(&package(), Lang::It), Lang::It);

    let set = |v: &str| configured_language(&Config::from_pairs(&[("language", v)]));
    assert_eq!(configured_language(&Config::from_pairs(&[])), Ok(Lang::En));
    assert_eq!(set("it"), Ok(Lang::It));
    assert_eq!(set(" EN "), Ok(Lang::En));
    let err = set("fr").unwrap_err();
    assert_eq!(err.key, "language");
    assert!(
        err.message.contains("`fr`") && err.message.contains("en or it"),
        "{err}"
    );
}

const HOSTILE: [&str; 4] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "</td></table><a href=\"https://evil.example\">x</a>",
];

/// The tags the report writes itself; anything else would be markup from a value.
const TAGS: &[&str] = &[
    "!DOCTYPE", "html", "head", "meta", "style", "title", "body", "main", "header", "h1", "h2",
    "h3", "p", "nav", "ol", "ul", "li", "a", "section", "table", "thead", "tr", "th", "td", "br",
    "span", "strong", "footer",
];

fn tags(page: &str) -> Vec<String> {
    page.split('<')
        .skip(1)
        .map(|s| {
            s.trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn hostile_values_come_out_inert() {
    for bad in HOSTILE {
        let mut p = with_request(Some("it"));
        p.controller = bad.into();
        p.data_location = bad.into();
        p.controller_contact = Some(bad.into());
        p.supervisory_authority = Some(bad.into());
        p.recipients = vec![bad.into()];
        p.identities[0].identity = Identity::External(ExternalId {
            system: bad.into(),
            id: bad.into(),
        });
        p.fields[0].name = bad.into();
        p.fields[0].value = format!("{bad}\u{0}\u{7}");
        p.provenance[0].source_label = bad.into();
        p.purposes[0].purpose = bad.into();
        p.purposes[0].description = bad.into();
        p.purposes[0].reason = bad.into();
        p.consents[0].channel = bad.into();
        p.consents[0].method = bad.into();
        p.consents[0].notice_version = Some(bad.into());
        p.notices[0].version = bad.into();
        p.retention[0].period = bad.into();
        p.retention[0].basis = bad.into();
        for lang in [Lang::En, Lang::It] {
            let page = html(&p, lang);
            for tag in tags(&page) {
                assert!(TAGS.contains(&tag.as_str()), "tag {tag:?} from {bad:?}");
            }
            assert!(!page.contains(bad), "{bad:?} written as is");
            assert!(page.contains(&crate::html::escape(bad)));
            assert!(!page.contains('\u{0}') && !page.contains('\u{7}'));
            assert!(!page.contains("onerror=alert(1)>") || page.contains("onerror=alert(1)&gt;"));
        }
    }
}

#[test]
fn the_page_is_self_contained() {
    for lang in [Lang::En, Lang::It] {
        let page = html(&with_request(None), lang);
        for forbidden in [
            "<script", "<link", "<img", "src=", "url(", "http:", "https:", "@import",
        ] {
            assert!(!page.contains(forbidden), "{forbidden} in the page");
        }
        assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
        // Every internal link has its section.
        for tag in page.split("href=\"#").skip(1) {
            let id = tag.split('"').next().unwrap();
            assert!(
                page.contains(&format!("<section id=\"{id}\">")),
                "no section {id}"
            );
        }
    }
}

#[test]
fn an_empty_package_says_so() {
    let mut p = package();
    p.identities.clear();
    p.fields.clear();
    p.former_identities.clear();
    p.provenance.clear();
    p.purposes.clear();
    p.consents.clear();
    p.notices.clear();
    p.retention.clear();
    p.recipients.clear();
    p.controller_contact = None;
    p.supervisory_authority = None;
    let page = html(&p, Lang::En);
    for expected in [
        "Besides the identifiers above, we hold no data about you.",
        "We do not disclose your data to anyone.",
        "No source is recorded.",
        "You have given or refused no consent.",
        "write to the data controller named above",
        "To use any of these rights, write to Rossi S.r.l..",
        "the data protection supervisory authority of the EU country",
    ] {
        assert!(page.contains(expected), "missing {expected:?}");
    }
}

#[test]
fn restriction_and_legal_hold_are_told() {
    let mut p = package();
    p.restricted = true;
    p.restriction_periods = vec![
        RestrictionPeriod {
            start: T - 100 * DAY,
            end: Some(T - 90 * DAY),
        },
        RestrictionPeriod {
            start: T - 2 * DAY,
            end: None,
        },
    ];
    p.legal_hold = true;
    p.legal_hold_since = Some(T - DAY);
    let page = html(&p, Lang::It);
    for expected in [
        "Il trattamento dei tuoi dati è limitato dal 13 gennaio 2026",
        "Il trattamento è stato limitato dal 7 ottobre 2025 al 17 ottobre 2025.",
        "vincolo di conservazione dal 14 gennaio 2026",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
}
