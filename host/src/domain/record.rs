//! A contact record as an importer delivers it after the import service has validated and normalised
//! it: what the store's bulk write path takes (the import service converts the WIT `contact-record` into this).

use serde::{Deserialize, Serialize};

use super::consent::BasisPeriod;
use super::error::InvalidInput;
use super::identity::Identity;
use super::ids::ContactId;
use super::settings::Policy;
use super::time::Timestamp;
use super::vocab::{ConsentAction, ConsentChannel, LegalBasis, SourceChannel};

/// Longest field value accepted; longer text is a data error, not a contact detail.
pub const MAX_FIELD_CHARS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldValue {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentClaim {
    pub purpose: String,
    pub channel: ConsentChannel,
    pub action: ConsentAction,
    /// The record's collection time when absent.
    pub at: Option<Timestamp>,
    pub evidence: Option<String>,
    pub notice_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasisClaim {
    pub purpose: String,
    pub basis: LegalBasis,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeClaim {
    pub version: String,
    pub at: Option<Timestamp>,
}

/// Per-record overrides of the batch's source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDetails {
    pub label: Option<String>,
    pub channel: Option<SourceChannel>,
    pub collected_at: Option<Timestamp>,
}

/// One contact as read from a source, with identities already normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizedRecord {
    /// 1-based row in the source, for messages.
    pub row: u64,
    pub identities: Vec<Identity>,
    pub fields: Vec<FieldValue>,
    pub consents: Vec<ConsentClaim>,
    pub legal_bases: Vec<BasisClaim>,
    pub notices: Vec<NoticeClaim>,
    pub source: SourceDetails,
    pub last_interaction: Option<Timestamp>,
}

/// What writing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "contact")]
pub enum RecordOutcome {
    /// A new contact.
    Created(ContactId),
    /// Added to an existing contact that shares an identity.
    Merged(ContactId),
    /// The same record from the same file was imported before: nothing written.
    Unchanged(ContactId),
    /// An identity is on the suppression list for all purposes: nothing written.
    Suppressed,
}

impl NormalizedRecord {
    /// Everything the store would refuse in a record, checked before anything is written, so a bad row
    /// can be skipped (`--on-error skip`) without leaving half of it behind. Field errors name the row.
    pub fn check(&self, policy: &Policy) -> Result<(), InvalidInput> {
        // Runs for every imported record: the happy path allocates nothing; field names that say where
        // the problem is are built only on failure.
        if self.identities.is_empty() {
            return Err(InvalidInput::new(
                format!("row {}: identities", self.row),
                "the record has no email, phone or external id, so it cannot be matched to a person or suppressed: map an identity column",
            ));
        }
        for (i, f) in self.fields.iter().enumerate() {
            if policy.catalogue.field(&f.name).is_none() {
                return Err(policy
                    .catalogue
                    .require_field("", &f.name)
                    .map_err(|e| relabel(self.row, format!("fields[{i}]"), e))
                    .unwrap_err());
            }
            if f.value.len() > MAX_FIELD_CHARS && f.value.chars().count() > MAX_FIELD_CHARS {
                return Err(InvalidInput::new(
                    format!("row {}: {}", self.row, f.name),
                    format!("the value is longer than {MAX_FIELD_CHARS} characters"),
                ));
            }
        }
        for (i, c) in self.consents.iter().enumerate() {
            if policy.catalogue.purpose(&c.purpose).is_none() {
                return Err(policy
                    .catalogue
                    .require_purpose("", &c.purpose)
                    .map_err(|e| relabel(self.row, format!("consents[{i}].purpose"), e))
                    .unwrap_err());
            }
            check_version("", c.notice_version.as_deref())
                .map_err(|e| relabel(self.row, format!("consents[{i}].notice_version"), e))?;
        }
        for (i, b) in self.legal_bases.iter().enumerate() {
            policy
                .check_basis_allowed("", &b.purpose, b.basis)
                .map_err(|e| relabel(self.row, format!("legal_bases[{i}]"), e))?;
            if let (Some(start), Some(end)) = (b.start, b.end) {
                BasisPeriod {
                    purpose: b.purpose.clone(),
                    basis: b.basis,
                    start,
                    end: Some(end),
                }
                .check()
                .map_err(|e| relabel(self.row, format!("legal_bases[{i}]"), e))?;
            }
        }
        for (i, n) in self.notices.iter().enumerate() {
            check_version("", Some(&n.version))
                .map_err(|e| relabel(self.row, format!("notices[{i}].version"), e))?;
        }
        Ok(())
    }
}

fn relabel(row: u64, field: String, e: InvalidInput) -> InvalidInput {
    InvalidInput::new(format!("row {row}: {field}"), e.message)
}

fn check_version(field: &str, version: Option<&str>) -> Result<(), InvalidInput> {
    match version {
        Some(v) if v.trim().is_empty() || v.len() > 100 => Err(InvalidInput::new(
            field,
            "a notice version is a short label such as `2026-01`",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::Email;

    fn record() -> NormalizedRecord {
        NormalizedRecord {
            row: 3,
            identities: vec![Identity::Email(Email::parse("a@b.it").unwrap())],
            fields: vec![FieldValue {
                name: "company".into(),
                value: "Rossi S.r.l.".into(),
            }],
            consents: vec![ConsentClaim {
                purpose: "marketing".into(),
                channel: ConsentChannel::Email,
                action: ConsentAction::Granted,
                at: None,
                evidence: None,
                notice_version: Some("2026-01".into()),
            }],
            ..NormalizedRecord::default()
        }
    }

    #[test]
    fn a_well_formed_record_passes() {
        record().check(&Policy::default()).unwrap();
    }

    #[test]
    fn each_problem_names_the_row_and_the_fix() {
        let p = Policy::default();
        let mut r = record();
        r.identities.clear();
        assert!(r
            .check(&p)
            .unwrap_err()
            .message
            .contains("map an identity column"));

        let mut r = record();
        r.fields.push(FieldValue {
            name: "shoe_size".into(),
            value: "42".into(),
        });
        let err = r.check(&p).unwrap_err();
        assert_eq!(err.field, "row 3: fields[1]");
        assert!(
            err.message.contains("no purpose justifies storing it"),
            "{}",
            err.message
        );

        let mut r = record();
        r.consents[0].purpose = "spam".into();
        assert!(r.check(&p).unwrap_err().message.contains("purpose `spam`"));

        let mut r = record();
        r.legal_bases.push(BasisClaim {
            purpose: "profiling".into(),
            basis: LegalBasis::LegitimateInterest,
            start: None,
            end: None,
        });
        assert!(r
            .check(&p)
            .unwrap_err()
            .message
            .contains("cannot be based on legitimate-interest: it accepts consent"));

        let mut r = record();
        r.notices.push(NoticeClaim {
            version: " ".into(),
            at: None,
        });
        assert!(r.check(&p).is_err());
    }
}
