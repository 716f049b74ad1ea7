//! The contract's words (categories, legal bases, channels, ...) and dates, in the report's language.

use custode_sdk::time::{Civil, Timestamp};
use custode_sdk::types::{
    ConsentAction, DataCategory, Identity, LegalBasis, RequestKind, SourceChannel,
};

use crate::lang::Lang;

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_IT: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// A day as people write it: `15 January 2026`, `15 gennaio 2026` (UTC, as the host counts days).
pub fn date(lang: Lang, ts: Timestamp) -> String {
    let c = Civil::from_timestamp(ts);
    let months = match lang {
        Lang::En => &MONTHS_EN,
        Lang::It => &MONTHS_IT,
    };
    let month = months[(c.month.clamp(1, 12) - 1) as usize];
    format!("{} {} {}", c.day, month, c.year)
}

pub fn category(lang: Lang, c: DataCategory) -> &'static str {
    use DataCategory::*;
    match (lang, c) {
        (Lang::En, Contact) => "Contact details",
        (Lang::En, Commercial) => "Commercial information",
        (Lang::En, Financial) => "Financial and billing data",
        (Lang::En, Marketing) => "Marketing preferences",
        (Lang::En, Notes) => "Notes",
        (Lang::It, Contact) => "Dati di contatto",
        (Lang::It, Commercial) => "Informazioni commerciali",
        (Lang::It, Financial) => "Dati finanziari e di fatturazione",
        (Lang::It, Marketing) => "Preferenze di marketing",
        (Lang::It, Notes) => "Note",
    }
}

/// A legal basis in plain words, with its article: `your consent (Art. 6(1)(a) GDPR)`.
pub fn basis(lang: Lang, b: LegalBasis) -> String {
    use LegalBasis::*;
    let words = match (lang, b) {
        (Lang::En, Consent) => "your consent",
        (Lang::En, Contract) => "a contract with you",
        (Lang::En, PreContract) => "steps you asked for before a contract",
        (Lang::En, LegalObligation) => "a legal obligation we have",
        (Lang::En, VitalInterest) => "protecting someone's vital interests",
        (Lang::En, PublicTask) => "a task in the public interest",
        (Lang::En, LegitimateInterest) => "our legitimate interest",
        (Lang::It, Consent) => "il tuo consenso",
        (Lang::It, Contract) => "un contratto con te",
        (Lang::It, PreContract) => "misure precontrattuali che hai chiesto",
        (Lang::It, LegalObligation) => "un obbligo di legge",
        (Lang::It, VitalInterest) => "la tutela di interessi vitali",
        (Lang::It, PublicTask) => "un compito di interesse pubblico",
        (Lang::It, LegitimateInterest) => "il nostro legittimo interesse",
    };
    format!("{words} ({} GDPR)", b.article())
}

pub fn channel(lang: Lang, c: SourceChannel) -> &'static str {
    use SourceChannel::*;
    match (lang, c) {
        (Lang::En, Phone) => "phone",
        (Lang::En, Email) => "email",
        (Lang::En, LeadGeneration) => "lead generation",
        (Lang::En, PublicDatabase) => "public database",
        (Lang::En, Fair) => "trade fair",
        (Lang::En, BusinessCard) => "business card",
        (Lang::En, WebForm) => "web form",
        (Lang::En, Newsletter) => "newsletter sign-up",
        (Lang::En, Erp) => "our management system",
        (Lang::En, Referral) => "referral",
        (Lang::En, Manual) => "entered by our staff",
        (Lang::En, Other) => "other",
        (Lang::It, Phone) => "telefono",
        (Lang::It, Email) => "email",
        (Lang::It, LeadGeneration) => "lead generation",
        (Lang::It, PublicDatabase) => "banca dati pubblica",
        (Lang::It, Fair) => "fiera",
        (Lang::It, BusinessCard) => "biglietto da visita",
        (Lang::It, WebForm) => "modulo web",
        (Lang::It, Newsletter) => "iscrizione alla newsletter",
        (Lang::It, Erp) => "il nostro gestionale",
        (Lang::It, Referral) => "segnalazione",
        (Lang::It, Manual) => "inserito dal nostro personale",
        (Lang::It, Other) => "altro",
    }
}

/// A consent channel as the ledger names it (`email`, `any`, ...).
pub fn consent_channel(lang: Lang, c: &str) -> String {
    let known = match (lang, c) {
        (Lang::En, "any") => "every channel",
        (Lang::It, "any") => "tutti i canali",
        (Lang::It, "phone") => "telefono",
        (Lang::It, "post") => "posta",
        _ => return c.to_string(),
    };
    known.to_string()
}

pub fn action(lang: Lang, a: ConsentAction) -> &'static str {
    use ConsentAction::*;
    match (lang, a) {
        (Lang::En, Granted) => "consent given",
        (Lang::En, Withdrawn) => "consent withdrawn",
        (Lang::En, Objected) => "objection",
        (Lang::It, Granted) => "consenso dato",
        (Lang::It, Withdrawn) => "consenso revocato",
        (Lang::It, Objected) => "opposizione",
    }
}

pub fn request_kind(lang: Lang, k: RequestKind) -> &'static str {
    use RequestKind::*;
    match (lang, k) {
        (Lang::En, Access) => "access to your data (Art. 15 GDPR)",
        (Lang::En, Portability) => "data portability (Art. 20 GDPR)",
        (Lang::En, Erasure) => "erasure (Art. 17 GDPR)",
        (Lang::En, Rectification) => "rectification (Art. 16 GDPR)",
        (Lang::En, Restriction) => "restriction of processing (Art. 18 GDPR)",
        (Lang::En, Objection) => "objection (Art. 21 GDPR)",
        (Lang::It, Access) => "accesso ai dati (art. 15 GDPR)",
        (Lang::It, Portability) => "portabilità dei dati (art. 20 GDPR)",
        (Lang::It, Erasure) => "cancellazione (art. 17 GDPR)",
        (Lang::It, Rectification) => "rettifica (art. 16 GDPR)",
        (Lang::It, Restriction) => "limitazione del trattamento (art. 18 GDPR)",
        (Lang::It, Objection) => "opposizione (art. 21 GDPR)",
    }
}

/// An identity as a label and a value: (`Email`, `anna@example.com`), (`ID in crm`, `C-12`).
pub fn identity(lang: Lang, i: &Identity) -> (String, String) {
    match (lang, i) {
        (Lang::En, Identity::Email(v)) | (Lang::It, Identity::Email(v)) => {
            ("Email".into(), v.clone())
        }
        (Lang::En, Identity::Phone(v)) => ("Phone".into(), v.clone()),
        (Lang::It, Identity::Phone(v)) => ("Telefono".into(), v.clone()),
        (Lang::En, Identity::External(x)) => (format!("ID in {}", x.system), x.id.clone()),
        (Lang::It, Identity::External(x)) => (format!("Codice in {}", x.system), x.id.clone()),
    }
}

/// A field of the default catalogue by its name in the language; another field's name with
/// spaces for underscores (`loyalty_tier` → `loyalty tier`).
pub fn field(lang: Lang, name: &str) -> String {
    const KNOWN: &[(&str, &str, &str)] = &[
        ("first_name", "First name", "Nome"),
        ("last_name", "Last name", "Cognome"),
        ("name", "Name", "Nome e cognome"),
        ("email", "Email", "Email"),
        ("phone", "Phone", "Telefono"),
        ("address", "Address", "Indirizzo"),
        ("city", "City", "Città"),
        ("postal_code", "Postal code", "CAP"),
        ("country", "Country", "Paese"),
        ("company", "Company", "Azienda"),
        ("role", "Role", "Ruolo"),
        (
            "profiling_segments",
            "Profiling segments",
            "Segmenti di profilazione",
        ),
        ("interests", "Interests", "Interessi"),
        ("vat_id", "VAT number", "Partita IVA"),
        ("tax_id", "Tax code", "Codice fiscale"),
        ("billing_name", "Billing name", "Intestatario fattura"),
        (
            "billing_address",
            "Billing address",
            "Indirizzo di fatturazione",
        ),
        ("iban", "IBAN", "IBAN"),
        (
            "marketing_preferences",
            "Marketing preferences",
            "Preferenze di marketing",
        ),
        ("newsletter_lists", "Newsletter lists", "Liste newsletter"),
        ("notes", "Notes", "Note"),
    ];
    match KNOWN.iter().find(|(n, _, _)| *n == name) {
        Some((_, en, it)) => match lang {
            Lang::En => en.to_string(),
            Lang::It => it.to_string(),
        },
        None => name.replace('_', " "),
    }
}
