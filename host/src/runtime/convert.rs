//! Conversions between the plugin contract's types (generated from WIT) and the domain's.
//!
//! The enums are the same vocabularies on both sides; the WIT ones are frozen with the API version,
//! the domain ones may grow. A match per enum keeps the compiler checking that they stay in step.

use super::bindings::types as wit;
use crate::domain::{ConsentAction, DataCategory, LegalBasis, SourceChannel, Timestamp};

macro_rules! same_enum {
    ($wit:ident <-> $domain:ident { $($variant:ident),+ $(,)? }) => {
        impl From<wit::$wit> for $domain {
            fn from(v: wit::$wit) -> Self {
                match v { $(wit::$wit::$variant => $domain::$variant),+ }
            }
        }
        impl From<$domain> for wit::$wit {
            fn from(v: $domain) -> Self {
                match v { $($domain::$variant => wit::$wit::$variant),+ }
            }
        }
    };
}

same_enum!(SourceChannel <-> SourceChannel {
    Phone, Email, LeadGeneration, PublicDatabase, Fair, BusinessCard, WebForm, Newsletter, Erp, Referral, Manual, Other,
});
same_enum!(LegalBasis <-> LegalBasis {
    Consent, Contract, PreContract, LegalObligation, VitalInterest, PublicTask, LegitimateInterest,
});
same_enum!(ConsentAction <-> ConsentAction { Granted, Withdrawn, Objected });
same_enum!(DataCategory <-> DataCategory { Contact, Commercial, Financial, Marketing, Notes });

/// WIT timestamps are plain seconds; the domain wraps them.
pub fn timestamp(t: wit::Timestamp) -> Timestamp {
    Timestamp(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips() {
        for c in [
            SourceChannel::Fair,
            SourceChannel::Erp,
            SourceChannel::Other,
        ] {
            assert_eq!(SourceChannel::from(wit::SourceChannel::from(c)), c);
        }
        for b in [
            LegalBasis::Consent,
            LegalBasis::LegitimateInterest,
            LegalBasis::PreContract,
        ] {
            assert_eq!(LegalBasis::from(wit::LegalBasis::from(b)), b);
        }
        assert_eq!(
            ConsentAction::from(wit::ConsentAction::Objected),
            ConsentAction::Objected
        );
        assert_eq!(
            DataCategory::from(wit::DataCategory::Financial),
            DataCategory::Financial
        );
    }
}
