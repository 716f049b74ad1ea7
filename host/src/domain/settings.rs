//! The installation's compliance settings (loaded by the lead from the TOML config file) and the
//! [`Policy`] compiled from them that the rules read.

use serde::{Deserialize, Serialize};

use super::catalogue::{default_fields, default_purposes, Catalogue, FieldDef, PurposeDef};
use super::customer::CustomerMarketing;
use super::error::InvalidInput;
use super::phone::PhoneCountry;
use super::vocab::LegalBasis;

/// Everything company-specific the compliance rules depend on. Every key has a default, so an
/// empty config file is a working installation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The controller's name, shown in access reports, e.g. `Rossi Forniture S.r.l.`.
    pub controller_name: String,
    /// Where the data is stored, e.g. `Milan, Italy (EU)`; shown in access reports.
    pub data_location: String,
    /// How a person reaches the controller about their data, e.g. `privacy@rossi.it, Via Roma 1,
    /// 20121 Milano`; shown in access reports (Art. 13(1)(a), Art. 15).
    pub controller_contact: Option<String>,
    /// The supervisory authority a person can complain to, e.g. `Garante per la protezione dei dati
    /// personali, www.garanteprivacy.it`; shown in access reports (Art. 15(1)(f), Art. 77).
    pub supervisory_authority: Option<String>,
    /// ISO country whose numbering plan applies to phone numbers without an international prefix.
    pub phone_default_country: String,
    /// Months without interaction after which legitimate interest no longer justifies processing.
    pub legitimate_interest_months: u32,
    /// Whether processing needs a privacy notice recorded as given to the contact (Art. 13–14).
    pub notice_required: bool,
    /// Whether an imported consent given without evidence (Art. 7(1): the controller must be able to
    /// demonstrate consent) is refused, with its row named, instead of resting on the batch's
    /// provenance alone. Withdrawals and objections are always accepted.
    pub require_consent_evidence: bool,
    /// Direct marketing to the controller's own customers on legitimate interest (art. 130(4)
    /// Italian Privacy Code): the channels it may use.
    pub customer_marketing: CustomerMarketing,
    /// The purpose catalogue.
    pub purposes: Vec<PurposeDef>,
    /// The field catalogue.
    pub fields: Vec<FieldDef>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            controller_name: "the controller (set `controller_name` in the configuration)".into(),
            data_location:
                "this server (set `data_location` in the configuration, e.g. `Milan, Italy (EU)`)"
                    .into(),
            controller_contact: None,
            supervisory_authority: None,
            phone_default_country: "IT".into(),
            legitimate_interest_months: 24,
            notice_required: true,
            require_consent_evidence: false,
            customer_marketing: CustomerMarketing::default(),
            purposes: default_purposes(),
            fields: default_fields(),
        }
    }
}

/// Settings checked and indexed, as the rules use them.
#[derive(Debug, Clone)]
pub struct Policy {
    pub controller_name: String,
    pub data_location: String,
    pub controller_contact: Option<String>,
    pub supervisory_authority: Option<String>,
    pub phone_country: PhoneCountry,
    pub legitimate_interest_months: u32,
    pub notice_required: bool,
    pub require_consent_evidence: bool,
    pub customer_marketing: CustomerMarketing,
    pub catalogue: Catalogue,
}

impl Policy {
    pub fn from_settings(settings: &Settings) -> Result<Self, InvalidInput> {
        if settings.legitimate_interest_months == 0 {
            return Err(InvalidInput::new(
                "legitimate_interest_months",
                "0 months would end legitimate interest the moment it starts: use a number of months such as 24",
            ));
        }
        settings.customer_marketing.check()?;
        Ok(Policy {
            controller_name: settings.controller_name.clone(),
            data_location: settings.data_location.clone(),
            controller_contact: settings.controller_contact.clone(),
            supervisory_authority: settings.supervisory_authority.clone(),
            phone_country: PhoneCountry::parse(&settings.phone_default_country)?,
            legitimate_interest_months: settings.legitimate_interest_months,
            notice_required: settings.notice_required,
            require_consent_evidence: settings.require_consent_evidence,
            customer_marketing: settings.customer_marketing.clone(),
            catalogue: Catalogue::new(settings.purposes.clone(), settings.fields.clone())?,
        })
    }

    /// A purpose accepts only the bases its catalogue entry lists (marketing needs consent).
    pub fn check_basis_allowed(
        &self,
        field: &str,
        purpose: &str,
        basis: LegalBasis,
    ) -> Result<(), InvalidInput> {
        let def = self.catalogue.require_purpose(field, purpose)?;
        if def.bases.contains(&basis) {
            return Ok(());
        }
        let accepted: Vec<&str> = def.bases.iter().map(|b| b.as_str()).collect();
        Err(InvalidInput::new(
            field,
            format!(
                "purpose `{purpose}` cannot be based on {basis}: it accepts {}",
                accepted.join(" or ")
            ),
        ))
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::from_settings(&Settings::default()).expect("the default settings are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocab::ConsentChannel;

    #[test]
    fn an_empty_config_gives_the_defaults() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        let p = Policy::from_settings(&s).unwrap();
        assert_eq!(p.phone_country.code(), "IT");
        assert_eq!(p.legitimate_interest_months, 24);
        assert!(p.notice_required);
        assert!(!p.require_consent_evidence);
        assert_eq!(
            p.customer_marketing.channels,
            [ConsentChannel::Email, ConsentChannel::Post]
        );
    }

    #[test]
    fn customer_marketing_channels_are_named_one_by_one() {
        let s: Settings =
            toml::from_str("[customer_marketing]\nchannels = [\"email\", \"sms\"]").unwrap();
        assert_eq!(
            Policy::from_settings(&s)
                .unwrap()
                .customer_marketing
                .channels,
            [ConsentChannel::Email, ConsentChannel::Sms]
        );
        let s: Settings = toml::from_str("[customer_marketing]\nchannels = [\"any\"]").unwrap();
        let err = Policy::from_settings(&s).unwrap_err();
        assert_eq!(err.field, "customer_marketing.channels");
        assert!(err.message.contains("one by one"), "{}", err.message);
        let err = toml::from_str::<Settings>("[customer_marketing]\nchannels = [\"fax\"]")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`fax` is not a known consent channel"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        assert!(
            serde_json::from_str::<Settings>(r#"{"notice_requird": false}"#)
                .unwrap_err()
                .to_string()
                .contains("notice_requird")
        );
        let s = Settings {
            phone_default_country: "Italia".into(),
            ..Settings::default()
        };
        assert_eq!(
            Policy::from_settings(&s).unwrap_err().field,
            "phone_default_country"
        );
        let s = Settings {
            legitimate_interest_months: 0,
            ..Settings::default()
        };
        assert!(Policy::from_settings(&s).is_err());
    }
}
