//! Things that identify a person, normalised so that the same person written two ways is one key:
//! emails in lower case, phones in E.164, external ids per source system.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::InvalidInput;

/// A syntactically valid email address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Checks the syntax people actually get wrong (no `@`, no domain, spaces, double dots, no top-level
    /// domain) and lower-cases the whole address: mailbox providers treat the local part
    /// case-insensitively, and one person must not become two contacts over `Mario@` and `mario@`.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let trimmed = text.trim();
        let trimmed = trimmed.strip_prefix("mailto:").unwrap_or(trimmed);
        let bad = |why: &str| {
            InvalidInput::new(
                "email",
                format!("email `{trimmed}` is not a valid address: {why}"),
            )
        };
        if trimmed.is_empty() {
            return Err(InvalidInput::new("email", "email is empty"));
        }
        if trimmed.chars().count() > 254 {
            return Err(bad("it is longer than 254 characters"));
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(bad("it has no `@`"));
        };
        if local.contains('@') {
            return Err(bad("it has more than one `@`"));
        }
        if let Some(c) = trimmed
            .chars()
            .find(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad(&format!("it contains {}", describe_char(c))));
        }
        if local.is_empty() {
            return Err(bad("nothing comes before the `@`"));
        }
        if local.len() > 64 {
            return Err(bad("the part before the `@` is longer than 64 characters"));
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(*c)))
        {
            return Err(bad(&format!(
                "{} is not allowed before the `@`",
                describe_char(c)
            )));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad(
                "dots before the `@` must separate words (no leading, trailing or double dots)",
            ));
        }
        if domain.is_empty() {
            return Err(bad("it has no domain"));
        }
        if !domain.contains('.') {
            return Err(bad(&format!(
                "the domain `{domain}` has no top-level part such as `.it`"
            )));
        }
        for label in domain.split('.') {
            if label.is_empty() {
                return Err(bad(&format!(
                    "the domain `{domain}` has an empty part (double or edge dot)"
                )));
            }
            if label.len() > 63 {
                return Err(bad(&format!(
                    "the domain part `{label}` is longer than 63 characters"
                )));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(bad(&format!(
                    "the domain part `{label}` starts or ends with `-`"
                )));
            }
            if let Some(c) = label.chars().find(|c| !(c.is_alphanumeric() || *c == '-')) {
                return Err(bad(&format!(
                    "{} is not allowed in the domain",
                    describe_char(c)
                )));
            }
        }
        let tld = domain.rsplit('.').next().unwrap_or_default();
        if tld.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad(&format!(
                "the domain `{domain}` ends in a number, not a top-level domain"
            )));
        }
        Ok(Email(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        c if c.is_whitespace() || c.is_control() => {
            format!("the invisible character U+{:04X}", c as u32)
        }
        c => format!("`{c}`"),
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Email {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Email::parse(s)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Email::parse(&text).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// An identifier a source system gives a contact, e.g. `{ system: "erp", id: "C-00042" }`.
/// Two records share an external id only if both the system and the id match.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
// `ExternalIdText` refuses unknown fields; saying so here too puts it in the OpenAPI schema.
#[serde(try_from = "ExternalIdText", deny_unknown_fields)]
pub struct ExternalId {
    pub system: String,
    pub id: String,
}

/// An external id as written in JSON, checked by [`ExternalId::parse`] on the way in: a body must not
/// store an id the CLI and importers would refuse (`My ERP`, an empty id).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExternalIdText {
    system: String,
    id: String,
}

impl TryFrom<ExternalIdText> for ExternalId {
    type Error = String;
    fn try_from(text: ExternalIdText) -> Result<Self, String> {
        ExternalId::parse(&text.system, &text.id).map_err(|e| e.message)
    }
}

impl ExternalId {
    /// System names are short lower-case words (`erp`, `mailchimp`); ids are kept as given, trimmed,
    /// because source systems treat them case-sensitively.
    pub fn parse(system: &str, id: &str) -> Result<Self, InvalidInput> {
        let system = system.trim().to_ascii_lowercase();
        let id = id.trim();
        if system.is_empty()
            || system.len() > 64
            || !system
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(InvalidInput::new(
                "external_id.system",
                format!("`{system}` is not a usable system name: use up to 64 letters, digits, `-`, `_` or `.`, e.g. `erp`"),
            ));
        }
        if id.is_empty() {
            return Err(InvalidInput::new(
                "external_id.id",
                format!("the id for system `{system}` is empty"),
            ));
        }
        if id.chars().count() > 256 || id.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                "external_id.id",
                format!("the id for system `{system}` is longer than 256 characters or contains control characters"),
            ));
        }
        Ok(ExternalId {
            system,
            id: id.to_string(),
        })
    }
}

/// Something that identifies a person.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    Email(Email),
    /// E.164, e.g. `+393331234567`.
    Phone(super::phone::Phone),
    External(ExternalId),
}

impl Identity {
    /// The one string under which the store indexes this identity and from which the suppression list's
    /// keyed hash is computed: a kind prefix keeps an email and an external id that happen to be equal
    /// text apart. Changing this format would orphan every stored suppression hash: it is frozen.
    pub fn key(&self) -> String {
        match self {
            Identity::Email(e) => format!("e:{}", e.as_str()),
            Identity::Phone(p) => format!("p:{}", p.as_str()),
            Identity::External(x) => format!("x:{}:{}", x.system, x.id),
        }
    }

    /// Reads back what [`Identity::key`] wrote (the store keeps only keys).
    pub fn from_key(key: &str) -> Option<Identity> {
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "e" => Some(Identity::Email(Email(rest.to_string()))),
            "p" => Some(Identity::Phone(super::phone::Phone::from_e164_unchecked(
                rest,
            ))),
            "x" => {
                let (system, id) = rest.split_once(':')?;
                Some(Identity::External(ExternalId {
                    system: system.to_string(),
                    id: id.to_string(),
                }))
            }
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Identity::Email(_) => "email",
            Identity::Phone(_) => "phone",
            Identity::External(_) => "external id",
        }
    }

    /// How strongly the identity ties a record to one person when records are merged: an external id
    /// of a system is assigned by that system to exactly one record; emails are personal more often
    /// than phones, which are shared by switchboards and families.
    pub fn merge_rank(&self) -> u8 {
        match self {
            Identity::External(_) => 0,
            Identity::Email(_) => 1,
            Identity::Phone(_) => 2,
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Email(e) => write!(f, "{e}"),
            Identity::Phone(p) => write!(f, "{p}"),
            Identity::External(x) => write!(f, "{}:{}", x.system, x.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        let e = Email::parse("  Mario.Rossi@Example.IT ").unwrap();
        assert_eq!(e.as_str(), "mario.rossi@example.it");
        assert_eq!(Email::parse("mailto:a@b.it").unwrap().as_str(), "a@b.it");
        assert_eq!(
            Email::parse("niccolò@caffè.it").unwrap().as_str(),
            "niccolò@caffè.it"
        );
        assert_eq!(
            Email::parse("a+tag@sub.example.co.uk").unwrap().as_str(),
            "a+tag@sub.example.co.uk"
        );
    }

    #[test]
    fn invalid_emails_say_what_is_wrong() {
        let cases = [
            (
                "mario.rossi@",
                "email `mario.rossi@` is not a valid address: it has no domain",
            ),
            ("mario.rossi", "it has no `@`"),
            ("@example.it", "nothing comes before the `@`"),
            ("a@b@example.it", "more than one `@`"),
            ("mario rossi@example.it", "it contains a space"),
            ("mario..rossi@example.it", "double dots"),
            (".mario@example.it", "leading"),
            (
                "mario@localhost",
                "the domain `localhost` has no top-level part",
            ),
            ("mario@example..it", "empty part"),
            ("mario@-example.it", "starts or ends with `-`"),
            ("mario@exa_mple.it", "`_` is not allowed in the domain"),
            ("mario@10.0.0.1", "ends in a number"),
            ("ma(rio)@example.it", "`(` is not allowed before the `@`"),
            ("", "email is empty"),
        ];
        for (input, expected) in cases {
            let err = Email::parse(input).expect_err(input);
            assert_eq!(err.field, "email");
            assert!(err.message.contains(expected), "{input}: {}", err.message);
        }
    }

    #[test]
    fn identity_keys_round_trip() {
        let ids = [
            Identity::Email(Email::parse("a@b.it").unwrap()),
            Identity::External(ExternalId::parse("ERP", "C:42").unwrap()),
        ];
        for id in ids {
            assert_eq!(Identity::from_key(&id.key()).unwrap(), id);
        }
        assert_eq!(
            Identity::Email(Email::parse("a@b.it").unwrap()).key(),
            "e:a@b.it"
        );
    }

    #[test]
    fn json_identities_are_checked_and_refuse_unknown_keys() {
        let parse = |json: &str| serde_json::from_str::<Identity>(json).map_err(|e| e.to_string());
        assert_eq!(
            parse(r#"{"external": {"system": " ERP ", "id": "C-42"}}"#).unwrap(),
            Identity::External(ExternalId::parse("erp", "C-42").unwrap())
        );
        assert!(parse(r#"{"external": {"system": "my erp", "id": "1"}}"#)
            .unwrap_err()
            .contains("not a usable system name"));
        assert!(
            parse(r#"{"external": {"system": "erp", "id": "1", "colour": 1}}"#)
                .unwrap_err()
                .contains("unknown field `colour`")
        );
    }

    #[test]
    fn external_ids_reject_unusable_system_names() {
        assert_eq!(
            ExternalId::parse(" Mailchimp ", " 7 ").unwrap().system,
            "mailchimp"
        );
        assert!(ExternalId::parse("my erp", "1").is_err());
        assert!(ExternalId::parse("erp", " ").is_err());
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(local in "[A-Za-z0-9._%+-]{1,20}", domain in "[A-Za-z0-9]{1,10}\\.[A-Za-z]{2,6}") {
            if let Ok(e) = Email::parse(&format!("{local}@{domain}")) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
                prop_assert_eq!(e.as_str(), e.as_str().to_lowercase());
            }
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = Email::parse(&text);
        }
    }
}
