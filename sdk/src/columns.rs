//! What a column (or form field) holds, from its name: [`standard_column`], [`Column::from_setting`].
//!
//! Importers map the columns of a header row to record parts: identities, catalogue fields, the
//! source, dates. Names are compared after [`normalise`], so `E-mail`, `e_mail` and `E MAIL` are
//! the same, and `Città` matches `citta`.
//!
//! ```
//! use custode_sdk::columns::{standard_column, Column};
//!
//! assert_eq!(standard_column("Indirizzo E-mail"), Some(Column::Email));
//! assert_eq!(standard_column("Ragione sociale"), Some(Column::Field("company".into())));
//! assert_eq!(standard_column("Ultimo contatto"), Some(Column::LastInteraction));
//! assert_eq!(standard_column("Colore preferito"), None);
//! assert_eq!(Column::from_setting("nome_cliente"), Column::Field("nome_cliente".into()));
//! ```

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// An email address (an identity).
    Email,
    /// A phone number (an identity).
    Phone,
    /// The contact's id in another system (an identity with the importer's `external_system`).
    ExternalId,
    /// The source label: where the contact was acquired.
    Source,
    /// The date of the last interaction (drives retention).
    LastInteraction,
    /// The date the data was collected.
    CollectedAt,
    /// The version of the privacy notice the person received.
    NoticeVersion,
    /// A catalogue field, e.g. `first_name`, `company`.
    Field(String),
    /// A column to leave out.
    Ignore,
}

impl Column {
    /// The column a setting names (`columns = Header=target, ...`): `email`, `phone`, `external_id`,
    /// `source`, `last_interaction`, `collected_at`, `notice_version`, `ignore` (or `-`), or else a
    /// field of that name.
    pub fn from_setting(target: &str) -> Column {
        match target.trim() {
            "email" => Column::Email,
            "phone" => Column::Phone,
            "external_id" => Column::ExternalId,
            "source" => Column::Source,
            "last_interaction" => Column::LastInteraction,
            "collected_at" => Column::CollectedAt,
            "notice_version" => Column::NoticeVersion,
            "ignore" | "-" | "" => Column::Ignore,
            other => Column::Field(other.to_string()),
        }
    }
}

/// Lower case, accents dropped from Italian vowels, every run of other characters than letters
/// and digits made one space, trimmed: `"  Città / E-Mail_2 "` becomes `"citta e mail 2"`.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        };
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// The column a common English or Italian header names, or `None` for a header we do not know
/// (importers pass those through as fields named after the header).
///
/// | column | headers (after [`normalise`]) |
/// |---|---|
/// | email | email, e mail, mail, email address, indirizzo email, posta elettronica, pec |
/// | phone | phone, telephone, tel, telefono, cellulare, cell, mobile, mobile phone |
/// | `first_name` | first name, given name, nome |
/// | `last_name` | last name, surname, family name, cognome |
/// | `name` | name, full name, nominativo, nome e cognome |
/// | `company` | company, organisation, organization, azienda, ragione sociale, societa, ditta |
/// | `role` | role, job title, position, ruolo, qualifica, mansione |
/// | `address` | address, street, indirizzo, via |
/// | `city` | city, town, citta, comune, localita |
/// | `postal_code`, `province`, `country` | postal code, zip, cap; province, provincia; country, paese, nazione |
/// | `vat_id` | vat id, vat number, partita iva, p iva, piva |
/// | `tax_id` | tax id, tax code, codice fiscale, cf |
/// | `notes` | notes, note, comments, commenti |
/// | source | source, lead source, fonte, provenienza, origine |
/// | last interaction | last interaction, last contact, ultimo contatto, ultima interazione |
/// | collected at | collected at, collection date, data raccolta, data di raccolta, data acquisizione |
/// | notice version | notice version, privacy notice version, versione informativa |
/// | external id | external id, customer id, id esterno, codice cliente, id cliente |
pub fn standard_column(header: &str) -> Option<Column> {
    let n = normalise(header);
    let field = |name: &str| Some(Column::Field(name.to_string()));
    match n.as_str() {
        "email" | "e mail" | "mail" | "email address" | "e mail address" | "indirizzo email"
        | "indirizzo e mail" | "indirizzo mail" | "posta elettronica" | "pec" => {
            Some(Column::Email)
        }
        "phone" | "phone number" | "telephone" | "tel" | "telefono" | "numero di telefono"
        | "cellulare" | "cell" | "mobile" | "mobile phone" | "cellphone" | "numero cellulare" => {
            Some(Column::Phone)
        }
        "first name" | "firstname" | "given name" | "nome" => field("first_name"),
        "last name" | "lastname" | "surname" | "family name" | "cognome" => field("last_name"),
        "name" | "full name" | "nominativo" | "nome e cognome" | "nome completo" => field("name"),
        "company" | "company name" | "organisation" | "organization" | "azienda"
        | "ragione sociale" | "societa" | "ditta" => field("company"),
        "role" | "job title" | "position" | "ruolo" | "qualifica" | "mansione" => field("role"),
        "address" | "street" | "street address" | "indirizzo" | "via" => field("address"),
        "city" | "town" | "citta" | "comune" | "localita" => field("city"),
        "postal code" | "zip" | "zip code" | "cap" => field("postal_code"),
        "province" | "provincia" => field("province"),
        "country" | "paese" | "nazione" => field("country"),
        "vat id" | "vat" | "vat number" | "partita iva" | "p iva" | "piva" => field("vat_id"),
        "tax id" | "tax code" | "codice fiscale" | "cf" | "c f" => field("tax_id"),
        "notes" | "note" | "comments" | "commenti" | "osservazioni" => field("notes"),
        "source" | "lead source" | "fonte" | "provenienza" | "origine" => Some(Column::Source),
        "last interaction"
        | "last contact"
        | "last contacted"
        | "last activity"
        | "ultimo contatto"
        | "ultima interazione"
        | "data ultimo contatto"
        | "ultima attivita" => Some(Column::LastInteraction),
        "collected at" | "collection date" | "data raccolta" | "data di raccolta"
        | "data acquisizione" => Some(Column::CollectedAt),
        "notice version"
        | "privacy notice version"
        | "versione informativa"
        | "informativa versione" => Some(Column::NoticeVersion),
        "external id" | "customer id" | "client id" | "id esterno" | "codice cliente"
        | "id cliente" => Some(Column::ExternalId),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_headers() {
        assert_eq!(normalise("  Città / E-Mail_2 "), "citta e mail 2");
        assert_eq!(normalise("P.IVA"), "p iva");
        assert_eq!(normalise("EMAIL_ADDRESS"), "email address");
        assert_eq!(
            normalise("Ho letto l'informativa"),
            "ho letto l informativa"
        );
        assert_eq!(normalise("---"), "");
    }

    #[test]
    fn english_and_italian_headers() {
        let f = |s| standard_column(s);
        assert_eq!(f("E-mail"), Some(Column::Email));
        assert_eq!(f("Email Address"), Some(Column::Email));
        assert_eq!(f("Cellulare"), Some(Column::Phone));
        assert_eq!(f("Nome"), Some(Column::Field("first_name".into())));
        assert_eq!(f("COGNOME"), Some(Column::Field("last_name".into())));
        assert_eq!(f("Partita IVA"), Some(Column::Field("vat_id".into())));
        assert_eq!(f("P.IVA"), Some(Column::Field("vat_id".into())));
        assert_eq!(f("Codice Fiscale"), Some(Column::Field("tax_id".into())));
        assert_eq!(f("Città"), Some(Column::Field("city".into())));
        assert_eq!(f("data_raccolta"), Some(Column::CollectedAt));
        assert_eq!(f("Provenienza"), Some(Column::Source));
        assert_eq!(f("Codice cliente"), Some(Column::ExternalId));
        assert_eq!(
            f("id"),
            None,
            "a bare `id` is too vague to be taken as an external id"
        );
    }

    #[test]
    fn setting_targets() {
        assert_eq!(Column::from_setting("phone"), Column::Phone);
        assert_eq!(Column::from_setting("-"), Column::Ignore);
        assert_eq!(
            Column::from_setting(" company "),
            Column::Field("company".into())
        );
    }
}
