//! Data-subject requests as tracked cases (Art. 12, 15–21): what was asked, whether the person's
//! identity was verified, and where the case stands. The deadline is in [`super::deadline`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::InvalidInput;

macro_rules! names {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The kebab-case name, as stored and as on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(field: &str, text: &str) -> Result<Self, InvalidInput> {
                let wanted = text.trim();
                $name::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    InvalidInput::new(field, format!("`{wanted}` is not a known {}: use one of {}", $what, names.join(", ")))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(
    /// What the person asked for.
    RequestKind, "request kind", {
        /// Art. 15: a copy of their data and how it is processed.
        Access = "access",
        /// Art. 20: their data in a machine-readable format.
        Portability = "portability",
        /// Art. 17.
        Erasure = "erasure",
        /// Art. 16.
        Rectification = "rectification",
        /// Art. 18: restriction of processing, or lifting it.
        Restriction = "restriction",
        /// Art. 21.
        Objection = "objection",
    }
);

impl RequestKind {
    pub fn article(self) -> &'static str {
        match self {
            RequestKind::Access => "Art. 15",
            RequestKind::Portability => "Art. 20",
            RequestKind::Erasure => "Art. 17",
            RequestKind::Rectification => "Art. 16",
            RequestKind::Restriction => "Art. 18",
            RequestKind::Objection => "Art. 21",
        }
    }

    /// The recipients must be told of a rectification, an erasure or a restriction (Art. 19).
    pub fn informs_recipients(self) -> bool {
        matches!(
            self,
            RequestKind::Erasure | RequestKind::Rectification | RequestKind::Restriction
        )
    }

    /// The answer is a document for the person.
    pub fn produces_document(self) -> bool {
        matches!(self, RequestKind::Access | RequestKind::Portability)
    }
}

names!(
    /// Where a case stands. `open` until answered; the deadline counts only then.
    CaseStatus, "case status", {
        Open = "open",
        /// Answered: the request was carried out (or the person told no data is held).
        Fulfilled = "fulfilled",
        /// Answered with a refusal (Art. 12(5)), its reason and how to complain.
        Refused = "refused",
        /// Nothing more to do.
        Closed = "closed",
    }
);

names!(
    /// Whether the person is who they say they are (Art. 12(6)).
    IdentityCheck, "identity check", {
        Unverified = "unverified",
        Verified = "verified",
        /// More information was asked of the person to confirm their identity.
        InformationRequested = "information-requested",
    }
);

/// What a person is told about complaining when a request is refused (Art. 12(4), 77).
pub const COMPLAINT_INFORMATION: &str = "You may lodge a complaint with a supervisory authority, in particular in the Member State of your habitual residence, place of work or place of the alleged infringement (in Italy: Garante per la protezione dei dati personali, www.garanteprivacy.it), and seek a judicial remedy.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_listed() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse("kind", k.as_str()).unwrap(), *k);
            assert_eq!(
                serde_json::to_string(k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        let err = RequestKind::parse("kind", "deletion").unwrap_err();
        assert!(
            err.message.contains("access, portability, erasure"),
            "{}",
            err.message
        );
        assert_eq!(
            IdentityCheck::parse("identity", "Information-Requested").unwrap(),
            IdentityCheck::InformationRequested
        );
        assert!(RequestKind::Erasure.informs_recipients());
        assert!(!RequestKind::Access.informs_recipients());
    }
}
