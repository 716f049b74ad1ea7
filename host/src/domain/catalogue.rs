//! The purpose catalogue and the field catalogue: what the data is processed for, which legal bases can
//! justify each purpose, and which purposes justify collecting each field. Both are
//! configuration; the defaults are a small Italian B2B CRM's.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use serde::{Deserialize, Serialize};

use super::error::InvalidInput;
use super::vocab::{DataCategory, LegalBasis};

/// A purpose of processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeDef {
    /// Kebab-case name, e.g. `marketing`.
    pub name: String,
    /// What it means, for the access report (Art. 15(1)(a)).
    pub description: String,
    /// The legal bases that can make this processing lawful; consent-only purposes list only
    /// `consent`.
    pub bases: Vec<LegalBasis>,
    /// Direct marketing, or profiling to the extent that it is related to direct marketing (Art.
    /// 21(2)): an objection, on whatever channel it was recorded, is absolute and overrides every
    /// basis (Art. 21(3)). Other purposes: an objection stops legitimate interest and public task only
    /// (Art. 21(1)).
    #[serde(default)]
    pub direct_marketing: bool,
    /// How long data kept for this purpose is kept, in words (Art. 15(1)(d)).
    pub retention: String,
    /// Recipients or categories of recipients (Art. 15(1)(c)).
    #[serde(default)]
    pub recipients: Vec<String>,
}

/// A field of a contact record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Snake-case name as importers and the API use it, e.g. `vat_id`.
    pub name: String,
    pub category: DataCategory,
    /// The purposes that justify collecting the field: a field with none may not be stored.
    pub purposes: Vec<String>,
}

/// Both catalogues, checked against each other and indexed by name.
#[derive(Debug, Clone)]
pub struct Catalogue {
    purposes: Vec<PurposeDef>,
    fields: Vec<FieldDef>,
    purpose_index: HashMap<String, usize, RandomState>,
    field_index: HashMap<String, usize, RandomState>,
}

impl Catalogue {
    pub fn new(purposes: Vec<PurposeDef>, fields: Vec<FieldDef>) -> Result<Self, InvalidInput> {
        let mut purpose_index = HashMap::default();
        for (i, p) in purposes.iter().enumerate() {
            check_name("purposes", &p.name, '-')?;
            if p.bases.is_empty() {
                return Err(InvalidInput::new(
                    "purposes",
                    format!("purpose `{}` lists no legal basis: add at least one, e.g. `bases = [\"consent\"]`", p.name),
                ));
            }
            if purpose_index.insert(p.name.clone(), i).is_some() {
                return Err(InvalidInput::new(
                    "purposes",
                    format!("purpose `{}` is defined twice", p.name),
                ));
            }
        }
        let mut field_index = HashMap::default();
        for (i, f) in fields.iter().enumerate() {
            check_name("fields", &f.name, '_')?;
            if f.purposes.is_empty() {
                return Err(InvalidInput::new(
                    "fields",
                    format!("field `{}` lists no purpose: data no purpose needs may not be collected (data minimisation, Art. 5(1)(c))", f.name),
                ));
            }
            if let Some(unknown) = f.purposes.iter().find(|p| !purpose_index.contains_key(*p)) {
                return Err(InvalidInput::new(
                    "fields",
                    format!("field `{}` names purpose `{unknown}`, which is not in the purpose catalogue", f.name),
                ));
            }
            if field_index.insert(f.name.clone(), i).is_some() {
                return Err(InvalidInput::new(
                    "fields",
                    format!("field `{}` is defined twice", f.name),
                ));
            }
        }
        Ok(Catalogue {
            purposes,
            fields,
            purpose_index,
            field_index,
        })
    }

    pub fn purpose(&self, name: &str) -> Option<&PurposeDef> {
        self.purpose_index.get(name).map(|&i| &self.purposes[i])
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.field_index.get(name).map(|&i| &self.fields[i])
    }

    pub fn purposes(&self) -> &[PurposeDef] {
        &self.purposes
    }

    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    pub fn purpose_names(&self) -> String {
        self.purposes
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The purpose, or an error listing the known ones.
    pub fn require_purpose(&self, field: &str, name: &str) -> Result<&PurposeDef, InvalidInput> {
        self.purpose(name).ok_or_else(|| {
            InvalidInput::new(
                field,
                format!("purpose `{name}` is not in the purpose catalogue: use one of {}, or add it to the settings", self.purpose_names()),
            )
        })
    }

    /// The field, or an error naming the fix (data without a purpose is not collected).
    pub fn require_field(&self, field: &str, name: &str) -> Result<&FieldDef, InvalidInput> {
        self.field(name).ok_or_else(|| {
            InvalidInput::new(
                field,
                format!("field `{name}` is not in the field catalogue, so no purpose justifies storing it (data minimisation, Art. 5(1)(c)): drop it, or add it to the `fields` settings with the purposes that need it"),
            )
        })
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::new(default_purposes(), default_fields())
            .expect("the default catalogue is consistent")
    }
}

fn check_name(field: &str, name: &str, separator: char) -> Result<(), InvalidInput> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == separator);
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::new(
            field,
            format!("`{name}` is not a usable name: use lower-case letters, digits and `{separator}`, starting with a letter"),
        ))
    }
}

fn purpose(name: &str, description: &str, bases: &[LegalBasis], retention: &str) -> PurposeDef {
    PurposeDef {
        name: name.into(),
        description: description.into(),
        bases: bases.to_vec(),
        direct_marketing: false,
        retention: retention.into(),
        recipients: Vec::new(),
    }
}

pub fn default_purposes() -> Vec<PurposeDef> {
    use LegalBasis::*;
    let until_withdrawn = "until consent is withdrawn";
    vec![
        // Legitimate interest only under the customer rule (art. 130(4) Italian Privacy Code, see
        // `customer.rs`): to the controller's own customers, on the configured channels; prospects
        // need consent.
        PurposeDef {
            direct_marketing: true,
            ..purpose(
                "marketing",
                "Direct marketing: newsletters, offers and commercial messages",
                &[Consent, LegitimateInterest],
                "until consent is withdrawn; for customers on legitimate interest, until they object or 24 months after the relationship ends",
            )
        },
        // Segments exist to choose whom to send which offer: profiling related to direct marketing, so
        // an objection to it is as absolute as one to marketing (Art. 21(2)-(3)). A catalogue whose
        // profiling serves something else (fraud checks, credit scoring) sets `direct_marketing = false`.
        PurposeDef {
            direct_marketing: true,
            ..purpose("profiling", "Profiling for direct marketing: segmenting contacts by interests and behaviour to choose the offers they receive", &[Consent], until_withdrawn)
        },
        PurposeDef {
            recipients: vec!["third parties named in the privacy notice".into()],
            ..purpose("third-party-transfer", "Passing contact data to third parties for their own purposes", &[Consent], until_withdrawn)
        },
        purpose("contract", "Performing a contract, or steps requested before one", &[Contract, PreContract], "for the duration of the contract"),
        purpose("accounting", "Keeping accounting and tax records required by law", &[LegalObligation], "10 years (art. 2220 Italian Civil Code)"),
        purpose(
            "customer-care",
            "Answering requests and supporting customers",
            &[Contract, LegitimateInterest, Consent],
            "while the relationship lasts; 24 months after the last interaction when based on legitimate interest",
        ),
    ]
}

pub fn default_fields() -> Vec<FieldDef> {
    use DataCategory::*;
    let f = |name: &str, category, purposes: &[&str]| FieldDef {
        name: name.into(),
        category,
        purposes: purposes.iter().map(|p| p.to_string()).collect(),
    };
    let reach = [
        "contract",
        "customer-care",
        "marketing",
        "third-party-transfer",
    ];
    vec![
        f("first_name", Contact, &reach),
        f("last_name", Contact, &reach),
        f("name", Contact, &reach),
        f("email", Contact, &reach),
        f("phone", Contact, &reach),
        f(
            "address",
            Contact,
            &["contract", "customer-care", "marketing"],
        ),
        f("city", Contact, &["contract", "customer-care", "marketing"]),
        f(
            "postal_code",
            Contact,
            &["contract", "customer-care", "marketing"],
        ),
        f(
            "country",
            Contact,
            &["contract", "customer-care", "marketing"],
        ),
        f(
            "company",
            Commercial,
            &["contract", "customer-care", "marketing", "profiling"],
        ),
        f(
            "role",
            Commercial,
            &["contract", "customer-care", "marketing", "profiling"],
        ),
        f("profiling_segments", Commercial, &["profiling"]),
        f("interests", Commercial, &["profiling", "marketing"]),
        f("vat_id", Financial, &["contract", "accounting"]),
        f("tax_id", Financial, &["contract", "accounting"]),
        f("billing_name", Financial, &["contract", "accounting"]),
        f("billing_address", Financial, &["contract", "accounting"]),
        f("iban", Financial, &["contract", "accounting"]),
        f("marketing_preferences", Marketing, &["marketing"]),
        f("newsletter_lists", Marketing, &["marketing"]),
        f("notes", Notes, &["customer-care", "contract"]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalogue_is_consistent_and_complete() {
        let c = Catalogue::default();
        for p in [
            "marketing",
            "profiling",
            "third-party-transfer",
            "contract",
            "accounting",
            "customer-care",
        ] {
            assert!(c.purpose(p).is_some(), "{p}");
        }
        // Profiling and transfer to third parties need consent and nothing else; marketing accepts
        // legitimate interest too, which `can_process` allows only under the customer rule.
        assert_eq!(
            c.purpose("marketing").unwrap().bases,
            vec![LegalBasis::Consent, LegalBasis::LegitimateInterest]
        );
        for p in ["profiling", "third-party-transfer"] {
            assert_eq!(
                c.purpose(p).unwrap().bases,
                vec![LegalBasis::Consent],
                "{p}"
            );
        }
        // Art. 21(2): profiling related to direct marketing is part of it; an objection is absolute.
        for p in ["marketing", "profiling"] {
            assert!(c.purpose(p).unwrap().direct_marketing, "{p}");
        }
        for p in [
            "third-party-transfer",
            "contract",
            "accounting",
            "customer-care",
        ] {
            assert!(!c.purpose(p).unwrap().direct_marketing, "{p}");
        }
        assert_eq!(c.field("vat_id").unwrap().category, DataCategory::Financial);
        assert_eq!(
            c.purpose("accounting").unwrap().bases,
            vec![LegalBasis::LegalObligation]
        );
    }

    #[test]
    fn inconsistent_catalogues_are_refused_with_the_reason() {
        let mut fields = default_fields();
        fields.push(FieldDef {
            name: "shoe_size".into(),
            category: DataCategory::Commercial,
            purposes: vec!["fashion".into()],
        });
        let err = Catalogue::new(default_purposes(), fields).unwrap_err();
        assert!(err.message.contains("purpose `fashion`"), "{}", err.message);

        let mut purposes = default_purposes();
        purposes[0].bases.clear();
        assert!(Catalogue::new(purposes, vec![])
            .unwrap_err()
            .message
            .contains("no legal basis"));

        let mut fields = default_fields();
        fields[0].purposes.clear();
        assert!(Catalogue::new(default_purposes(), fields)
            .unwrap_err()
            .message
            .contains(
                "data no purpose needs may not be collected (data minimisation, Art. 5(1)(c))"
            ));

        let mut purposes = default_purposes();
        purposes.push(purposes[0].clone());
        assert!(Catalogue::new(purposes, vec![])
            .unwrap_err()
            .message
            .contains("twice"));
        assert!(check_name("x", "Marketing", '-').is_err());
    }

    #[test]
    fn unknown_names_point_to_the_fix() {
        let c = Catalogue::default();
        let err = c.require_purpose("purpose", "spam").unwrap_err();
        assert!(
            err.message.contains("use one of marketing, profiling"),
            "{}",
            err.message
        );
        let err = c.require_field("fields", "shoe_size").unwrap_err();
        assert!(
            err.message
                .contains("no purpose justifies storing it (data minimisation"),
            "{}",
            err.message
        );
    }
}
