//! The fixed vocabularies of the domain, with the kebab-case names the WIT contract, the CLI, the HTTP
//! API and the database all use. Each value also has a small stable integer code: the store keeps codes,
//! not names, so keys stay short; a code is never reused once released.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InvalidInput;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $text:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The stable integer stored in the database.
            pub fn code(self) -> i64 {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: i64) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Parses the kebab-case name; the error lists the accepted names.
            pub fn parse(field: &str, text: &str) -> Result<Self, InvalidInput> {
                let wanted = text.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        InvalidInput::new(
                            field,
                            format!("`{}` is not a known {}: use one of {}", wanted, $what, names.join(", ")),
                        )
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = InvalidInput;
            fn from_str(s: &str) -> Result<Self, InvalidInput> {
                $name::parse($what, s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
                $name::parse($what, &text).map_err(|e| serde::de::Error::custom(e.message))
            }
        }
    };
}

vocabulary!(
    /// How a contact's data was collected: what a person asking where their contact was acquired is told.
    SourceChannel, "source channel", {
        Phone = (1, "phone"),
        Email = (2, "email"),
        LeadGeneration = (3, "lead-generation"),
        PublicDatabase = (4, "public-database"),
        Fair = (5, "fair"),
        BusinessCard = (6, "business-card"),
        WebForm = (7, "web-form"),
        Newsletter = (8, "newsletter"),
        Erp = (9, "erp"),
        Referral = (10, "referral"),
        Manual = (11, "manual"),
        Other = (12, "other"),
    }
);

vocabulary!(
    /// The lawful bases of Art. 6(1) GDPR, with contract split in two as the seeds do.
    LegalBasis, "legal basis", {
        /// Art. 6(1)(a).
        Consent = (1, "consent"),
        /// Art. 6(1)(b), performance of a contract.
        Contract = (2, "contract"),
        /// Art. 6(1)(b), steps at the data subject's request before a contract.
        PreContract = (3, "pre-contract"),
        /// Art. 6(1)(c).
        LegalObligation = (4, "legal-obligation"),
        /// Art. 6(1)(d).
        VitalInterest = (5, "vital-interest"),
        /// Art. 6(1)(e).
        PublicTask = (6, "public-task"),
        /// Art. 6(1)(f).
        LegitimateInterest = (7, "legitimate-interest"),
    }
);

vocabulary!(
    /// An event of the consent ledger.
    ConsentAction, "consent action", {
        /// Consent given (Art. 7).
        Granted = (1, "granted"),
        /// Consent withdrawn (Art. 7(3)).
        Withdrawn = (2, "withdrawn"),
        /// Objection (Art. 21), absolute for direct marketing.
        Objected = (3, "objected"),
    }
);

vocabulary!(
    /// The categories of personal data the seeds name; every catalogue field belongs to one.
    DataCategory, "data category", {
        Contact = (1, "contact"),
        Commercial = (2, "commercial"),
        Financial = (3, "financial"),
        Marketing = (4, "marketing"),
        Notes = (5, "notes"),
    }
);

vocabulary!(
    /// A way to reach a person; `any` in a consent event covers every channel.
    ConsentChannel, "consent channel", {
        Email = (1, "email"),
        Phone = (2, "phone"),
        Sms = (3, "sms"),
        Post = (4, "post"),
        Messaging = (5, "messaging"),
        Any = (6, "any"),
    }
);

vocabulary!(
    /// The rights a data subject can exercise by a request (Art. 15–21).
    RequestKind, "request kind", {
        /// Art. 15.
        Access = (1, "access"),
        /// Art. 20.
        Portability = (2, "portability"),
        /// Art. 17.
        Erasure = (3, "erasure"),
        /// Art. 16.
        Rectification = (4, "rectification"),
        /// Art. 18.
        Restriction = (5, "restriction"),
        /// Art. 21.
        Objection = (6, "objection"),
    }
);

vocabulary!(
    /// What a person using Custode may do; each API token has one.
    Role, "role", {
        Admin = (1, "admin"),
        Dpo = (2, "dpo"),
        Operator = (3, "operator"),
        Auditor = (4, "auditor"),
        /// Custode itself: scheduled retention runs, migrations.
        System = (5, "system"),
    }
);

impl LegalBasis {
    /// The article a DPO would cite, e.g. `Art. 6(1)(f)`: stated once in `custode-gdpr`, which the
    /// plugin SDK cites too.
    pub fn article(self) -> &'static str {
        custode_gdpr::LegalBasis::from(self).article()
    }
}

impl From<LegalBasis> for custode_gdpr::LegalBasis {
    fn from(basis: LegalBasis) -> Self {
        use custode_gdpr::LegalBasis as Gdpr;
        match basis {
            LegalBasis::Consent => Gdpr::Consent,
            LegalBasis::Contract => Gdpr::Contract,
            LegalBasis::PreContract => Gdpr::PreContract,
            LegalBasis::LegalObligation => Gdpr::LegalObligation,
            LegalBasis::VitalInterest => Gdpr::VitalInterest,
            LegalBasis::PublicTask => Gdpr::PublicTask,
            LegalBasis::LegitimateInterest => Gdpr::LegitimateInterest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip_and_are_unique() {
        fn check<T: Copy + Eq + fmt::Debug>(
            all: &[T],
            name: fn(T) -> &'static str,
            code: fn(T) -> i64,
        ) {
            let mut names: Vec<_> = all.iter().map(|v| name(*v)).collect();
            let mut codes: Vec<_> = all.iter().map(|v| code(*v)).collect();
            names.sort_unstable();
            names.dedup();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(names.len(), all.len());
            assert_eq!(codes.len(), all.len());
        }
        check(
            SourceChannel::ALL,
            SourceChannel::as_str,
            SourceChannel::code,
        );
        check(LegalBasis::ALL, LegalBasis::as_str, LegalBasis::code);
        check(
            ConsentAction::ALL,
            ConsentAction::as_str,
            ConsentAction::code,
        );
        check(DataCategory::ALL, DataCategory::as_str, DataCategory::code);
        check(
            ConsentChannel::ALL,
            ConsentChannel::as_str,
            ConsentChannel::code,
        );
        for v in SourceChannel::ALL {
            assert_eq!(SourceChannel::from_code(v.code()), Some(*v));
            assert_eq!(v.as_str().parse::<SourceChannel>().unwrap(), *v);
        }
        for v in LegalBasis::ALL {
            assert_eq!(LegalBasis::from_code(v.code()), Some(*v));
        }
    }

    #[test]
    fn each_basis_maps_to_the_shared_basis_of_the_same_name() {
        for b in LegalBasis::ALL {
            assert_eq!(custode_gdpr::LegalBasis::from(*b).name(), b.as_str());
        }
        assert_eq!(LegalBasis::ALL.len(), custode_gdpr::LegalBasis::ALL.len());
        assert_eq!(LegalBasis::PreContract.article(), "Art. 6(1)(b)");
    }

    #[test]
    fn unknown_names_list_the_accepted_ones() {
        let err = ConsentChannel::parse("channel", "fax").unwrap_err();
        assert_eq!(err.field, "channel");
        assert!(err.message.contains("`fax` is not a known consent channel"));
        assert!(err
            .message
            .contains("email, phone, sms, post, messaging, any"));
    }

    #[test]
    fn parsing_ignores_case_and_surrounding_space() {
        assert_eq!(
            LegalBasis::parse("b", " Legitimate-Interest ").unwrap(),
            LegalBasis::LegitimateInterest
        );
    }

    #[test]
    fn serde_uses_kebab_case_names() {
        assert_eq!(
            serde_json::to_string(&SourceChannel::BusinessCard).unwrap(),
            "\"business-card\""
        );
        assert_eq!(
            serde_json::from_str::<LegalBasis>("\"pre-contract\"").unwrap(),
            LegalBasis::PreContract
        );
        assert!(serde_json::from_str::<LegalBasis>("\"whim\"").is_err());
    }
}
