//! # custode-gdpr: what the host and the plugin SDK say alike
//!
//! Custode's host (the `custode` crate) and its plugin SDK (`custode-sdk`) each have their own
//! `LegalBasis` type: the host's carries database codes and parsing, the SDK's is generated from
//! the WIT contract. What the regulation says about a basis is the same on both sides, so it is
//! stated once, here, and both convert their type into this one to cite it: a plugin's retention
//! decision and the host's `can-process` answer name the same article for the same basis.
//!
//! ```
//! use custode_gdpr::LegalBasis;
//!
//! assert_eq!(LegalBasis::LegitimateInterest.article(), "Art. 6(1)(f)");
//! assert_eq!(LegalBasis::from_name("pre-contract"), Some(LegalBasis::PreContract));
//! assert_eq!(LegalBasis::PreContract.article(), LegalBasis::Contract.article());
//! ```

#![no_std]

/// The lawful bases of Art. 6(1) GDPR, with contract split in two as Italian CRM practice does:
/// performing a contract, and steps taken at the person's request before one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegalBasis {
    Consent,
    Contract,
    PreContract,
    LegalObligation,
    VitalInterest,
    PublicTask,
    LegitimateInterest,
}

impl LegalBasis {
    /// Every basis, in the order of the WIT contract.
    pub const ALL: &'static [LegalBasis] = &[
        LegalBasis::Consent,
        LegalBasis::Contract,
        LegalBasis::PreContract,
        LegalBasis::LegalObligation,
        LegalBasis::VitalInterest,
        LegalBasis::PublicTask,
        LegalBasis::LegitimateInterest,
    ];

    /// The name the contract, the API and settings use, e.g. `legitimate-interest`.
    pub const fn name(self) -> &'static str {
        match self {
            LegalBasis::Consent => "consent",
            LegalBasis::Contract => "contract",
            LegalBasis::PreContract => "pre-contract",
            LegalBasis::LegalObligation => "legal-obligation",
            LegalBasis::VitalInterest => "vital-interest",
            LegalBasis::PublicTask => "public-task",
            LegalBasis::LegitimateInterest => "legitimate-interest",
        }
    }

    /// The basis with this exact name, as [`LegalBasis::name`] writes it.
    pub fn from_name(name: &str) -> Option<LegalBasis> {
        LegalBasis::ALL.iter().copied().find(|b| b.name() == name)
    }

    /// The article of the GDPR that makes processing on this basis lawful, as a DPO cites it.
    pub const fn article(self) -> &'static str {
        match self {
            LegalBasis::Consent => "Art. 6(1)(a)",
            LegalBasis::Contract | LegalBasis::PreContract => "Art. 6(1)(b)",
            LegalBasis::LegalObligation => "Art. 6(1)(c)",
            LegalBasis::VitalInterest => "Art. 6(1)(d)",
            LegalBasis::PublicTask => "Art. 6(1)(e)",
            LegalBasis::LegitimateInterest => "Art. 6(1)(f)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_basis_has_its_own_name_and_an_article_of_art_6_1() {
        for (i, a) in LegalBasis::ALL.iter().enumerate() {
            assert_eq!(LegalBasis::from_name(a.name()), Some(*a));
            assert!(a.article().starts_with("Art. 6(1)("), "{a:?}");
            for b in &LegalBasis::ALL[i + 1..] {
                assert_ne!(a.name(), b.name());
            }
        }
        assert_eq!(LegalBasis::ALL.len(), 7);
        assert_eq!(LegalBasis::from_name("Consent"), None, "names are exact");
    }
}
