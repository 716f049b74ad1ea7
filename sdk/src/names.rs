//! The WIT names of the contract's enums (`lead-generation`, `legitimate-interest`, ...), both ways.
//! Settings, documents and messages use these names, so every plugin spells them the same.

#[cfg(not(feature = "api-0-1"))]
use crate::types::RequestKind;
use crate::types::{
    ConsentAction, DataCategory, LegalBasis, PluginKind, RetentionAction, SourceChannel,
};

macro_rules! wit_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order of the WIT file.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The WIT name, e.g. `
            #[doc = concat!($($name, "` `"),+)]
            /// `.
            pub fn name(&self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// The value with this WIT name (`_` accepted for `-`, any case).
            pub fn from_name(name: &str) -> Option<$ty> {
                let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
                Self::ALL.iter().copied().find(|v| v.name() == wanted)
            }
        }
    };
}

wit_names!(SourceChannel {
    Phone => "phone",
    Email => "email",
    LeadGeneration => "lead-generation",
    PublicDatabase => "public-database",
    Fair => "fair",
    BusinessCard => "business-card",
    WebForm => "web-form",
    Newsletter => "newsletter",
    Erp => "erp",
    Referral => "referral",
    Manual => "manual",
    Other => "other",
});

wit_names!(LegalBasis {
    Consent => "consent",
    Contract => "contract",
    PreContract => "pre-contract",
    LegalObligation => "legal-obligation",
    VitalInterest => "vital-interest",
    PublicTask => "public-task",
    LegitimateInterest => "legitimate-interest",
});

wit_names!(ConsentAction {
    Granted => "granted",
    Withdrawn => "withdrawn",
    Objected => "objected",
});

wit_names!(DataCategory {
    Contact => "contact",
    Commercial => "commercial",
    Financial => "financial",
    Marketing => "marketing",
    Notes => "notes",
});

#[cfg(not(feature = "api-0-1"))]
wit_names!(RequestKind {
    Access => "access",
    Portability => "portability",
    Erasure => "erasure",
    Rectification => "rectification",
    Restriction => "restriction",
    Objection => "objection",
});

wit_names!(PluginKind {
    Importer => "importer",
    RetentionRule => "retention-rule",
    Exporter => "exporter",
});

impl LegalBasis {
    /// The article of the GDPR that makes the basis lawful, e.g. `Art. 6(1)(f)`; the host cites the
    /// same one (both take it from the `custode-gdpr` crate).
    ///
    /// ```
    /// use custode_sdk::types::LegalBasis;
    ///
    /// assert_eq!(LegalBasis::LegitimateInterest.article(), "Art. 6(1)(f)");
    /// ```
    pub fn article(&self) -> &'static str {
        custode_gdpr::LegalBasis::from(*self).article()
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

impl RetentionAction {
    /// `keep`, `erase`, `anonymise` or `review`.
    pub fn name(&self) -> &'static str {
        match self {
            RetentionAction::Keep => "keep",
            RetentionAction::Erase => "erase",
            RetentionAction::Anonymise(_) => "anonymise",
            RetentionAction::Review => "review",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in SourceChannel::ALL {
            assert_eq!(SourceChannel::from_name(c.name()), Some(*c));
        }
        for b in LegalBasis::ALL {
            assert_eq!(LegalBasis::from_name(b.name()), Some(*b));
        }
        assert_eq!(SourceChannel::ALL.len(), 12);
        assert_eq!(
            SourceChannel::from_name(" Lead_Generation "),
            Some(SourceChannel::LeadGeneration)
        );
        assert_eq!(SourceChannel::from_name("fax"), None);
        assert_eq!(
            DataCategory::from_name("financial"),
            Some(DataCategory::Financial)
        );
        assert_eq!(ConsentAction::Objected.name(), "objected");
        assert_eq!(PluginKind::RetentionRule.name(), "retention-rule");
        assert_eq!(LegalBasis::PreContract.article(), "Art. 6(1)(b)");
        for b in LegalBasis::ALL {
            assert_eq!(custode_gdpr::LegalBasis::from(*b).name(), b.name());
        }
        assert_eq!(LegalBasis::ALL.len(), custode_gdpr::LegalBasis::ALL.len());
        assert_eq!(
            RetentionAction::Anonymise(vec![DataCategory::Notes]).name(),
            "anonymise"
        );
    }
}
