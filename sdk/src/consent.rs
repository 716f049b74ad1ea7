//! Reading consent as sources write it: yes/no cells, checkboxes, `purpose:channel` settings.
//!
//! ```
//! use custode_sdk::consent::{consent_value, standard_consent_column, ConsentTarget};
//!
//! assert_eq!(consent_value(" Sì "), Ok(Some(true)));
//! assert_eq!(consent_value("FALSO"), Ok(Some(false)));
//! assert_eq!(consent_value(""), Ok(None));
//! assert!(consent_value("forse").unwrap_err().contains("yes/no"));
//!
//! assert_eq!(
//!     standard_consent_column("Consenso marketing"),
//!     Some(ConsentTarget { purpose: "marketing".into(), channel: "email".into() })
//! );
//! ```

use crate::columns::normalise;

/// The consent channels of the contract (`types.wit`): the ways a contact can be reached.
pub const CHANNELS: [&str; 6] = ["email", "phone", "sms", "post", "messaging", "any"];

/// Reads a consent cell or checkbox value, trimmed and in any case:
///
/// - given: `yes` `y` `sì` `si` `s` `1` `true` `vero` (Excel's Italian TRUE) `x` `✓` `on` `ok`
/// - not given: `no` `n` `0` `false` `falso` `off`
/// - nothing said: empty, `-`
///
/// The error is a sentence naming the value and the accepted ones.
pub fn consent_value(text: &str) -> Result<Option<bool>, String> {
    let t = text.trim();
    // This runs for every consent cell of every row: compare lower-cased bytes on the stack.
    let mut buf = [0u8; 8];
    let lower = match t.as_bytes() {
        b if b.len() <= buf.len() => {
            for (o, c) in buf.iter_mut().zip(b) {
                *o = c.to_ascii_lowercase();
            }
            &buf[..b.len()]
        }
        _ => &[][..],
    };
    match lower {
        b"" | b"-" if t.len() <= 1 => Ok(None),
        b"yes" | b"y" | b"si" | b"s" | b"1" | b"true" | b"vero" | b"x" | b"on" | b"ok" => {
            Ok(Some(true))
        }
        // sì, SÌ (ì is C3 AC, Ì is C3 8C); ✓ and ✔.
        [b's', 0xC3, 0xAC | 0x8C] | [0xE2, 0x9C, 0x93 | 0x94] => Ok(Some(true)),
        b"no" | b"n" | b"0" | b"false" | b"falso" | b"off" => Ok(Some(false)),
        _ => Err(format!(
            "`{t}` is not a consent value; use yes/no, sì/no, 1/0, true/false or x for yes"
        )),
    }
}

/// A purpose and a consent channel, e.g. `marketing` by `email`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTarget {
    /// A purpose of the installation's catalogue, e.g. `marketing`.
    pub purpose: String,
    /// One of [`CHANNELS`].
    pub channel: String,
}

impl ConsentTarget {
    /// Parses `purpose:channel` (or just `purpose`, meaning channel `any`), as settings write it.
    ///
    /// ```
    /// use custode_sdk::consent::ConsentTarget;
    /// let t = ConsentTarget::parse("marketing:SMS").unwrap();
    /// assert_eq!((t.purpose.as_str(), t.channel.as_str()), ("marketing", "sms"));
    /// assert_eq!(ConsentTarget::parse("profiling").unwrap().channel, "any");
    /// assert!(ConsentTarget::parse("marketing:fax").unwrap_err().contains("email, phone, sms"));
    /// ```
    pub fn parse(text: &str) -> Result<ConsentTarget, String> {
        let (purpose, channel) = match text.split_once(':') {
            Some((p, c)) => (p.trim(), c.trim().to_ascii_lowercase()),
            None => (text.trim(), "any".to_string()),
        };
        if purpose.is_empty() {
            return Err(format!(
                "`{text}` names no purpose; write `purpose:channel`, e.g. `marketing:email`"
            ));
        }
        if !CHANNELS.contains(&channel.as_str()) {
            return Err(format!(
                "`{channel}` is not a consent channel; use one of {}",
                CHANNELS.join(", ")
            ));
        }
        Ok(ConsentTarget {
            purpose: purpose.to_string(),
            channel,
        })
    }

    fn of(purpose: &str, channel: &str) -> ConsentTarget {
        ConsentTarget {
            purpose: purpose.into(),
            channel: channel.into(),
        }
    }
}

/// The purpose and channel of a consent column or checkbox with a common English or Italian name
/// (compared after [`normalise`]): `marketing_consent`, `Consenso marketing` and `newsletter` mean
/// marketing by email; `Consenso profilazione` profiling (any channel); `Consenso terze parti`
/// transfer to third parties; `Consenso SMS` and `Telemarketing` marketing by SMS and phone.
pub fn standard_consent_column(name: &str) -> Option<ConsentTarget> {
    let n = normalise(name);
    let n = n.as_str();
    let target = match n {
        "marketing consent"
        | "consent marketing"
        | "consenso marketing"
        | "marketing"
        | "newsletter"
        | "consenso newsletter"
        | "iscrizione newsletter"
        | "newsletter consent"
        | "email marketing"
        | "marketing email"
        | "consenso marketing email"
        | "opt in"
        | "optin"
        | "consenso commerciale" => ConsentTarget::of("marketing", "email"),
        "profiling consent"
        | "consent profiling"
        | "consenso profilazione"
        | "profilazione"
        | "profiling" => ConsentTarget::of("profiling", "any"),
        "third party consent"
        | "consent third party"
        | "third parties"
        | "consenso terze parti"
        | "terze parti"
        | "cessione a terzi"
        | "consenso cessione a terzi"
        | "consenso cessione terzi" => ConsentTarget::of("third-party-transfer", "any"),
        "sms consent" | "consenso sms" | "sms marketing" | "marketing sms" => {
            ConsentTarget::of("marketing", "sms")
        }
        "phone consent" | "consenso telefonico" | "telemarketing" | "marketing telefonico" => {
            ConsentTarget::of("marketing", "phone")
        }
        _ => return None,
    };
    Some(target)
}

/// Whether a checkbox or column only acknowledges the privacy notice (`privacy`, `informativa`,
/// `Ho letto l'informativa`): that is a notice receipt, not a consent.
pub fn is_notice_acknowledgement(name: &str) -> bool {
    let n = normalise(name);
    matches!(
        n.as_str(),
        "privacy"
            | "privacy policy"
            | "informativa"
            | "informativa privacy"
            | "presa visione informativa"
            | "ho letto l informativa"
            | "accetto informativa"
            | "privacy accepted"
            | "accept privacy"
            | "gdpr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_italian_and_english() {
        for yes in [
            "yes", "YES", " y", "Sì", "SI", "s", "1", "true", "TRUE", "VERO", "x", "X", "✓", "on",
            "OK",
        ] {
            assert_eq!(consent_value(yes), Ok(Some(true)), "{yes}");
        }
        for no in ["no", "NO", "n", "0", "false", "FALSO", "off"] {
            assert_eq!(consent_value(no), Ok(Some(false)), "{no}");
        }
        for nothing in ["", "   ", "-"] {
            assert_eq!(consent_value(nothing), Ok(None), "{nothing:?}");
        }
        assert_eq!(
            consent_value(" forse "),
            Err(
                "`forse` is not a consent value; use yes/no, sì/no, 1/0, true/false or x for yes"
                    .into()
            )
        );
    }

    #[test]
    fn standard_columns() {
        let t = |s| standard_consent_column(s).map(|t| format!("{}:{}", t.purpose, t.channel));
        assert_eq!(t("marketing_consent").as_deref(), Some("marketing:email"));
        assert_eq!(t("NEWSLETTER").as_deref(), Some("marketing:email"));
        assert_eq!(t("Consenso profilazione").as_deref(), Some("profiling:any"));
        assert_eq!(
            t("Consenso cessione a terzi").as_deref(),
            Some("third-party-transfer:any")
        );
        assert_eq!(t("Consenso SMS").as_deref(), Some("marketing:sms"));
        assert_eq!(t("email"), None);
        assert!(is_notice_acknowledgement("Ho letto l'informativa"));
        assert!(!is_notice_acknowledgement("marketing"));
    }

    #[test]
    fn targets_from_settings() {
        assert_eq!(
            ConsentTarget::parse(" profiling : any "),
            Ok(ConsentTarget::of("profiling", "any"))
        );
        assert!(ConsentTarget::parse(":email")
            .unwrap_err()
            .contains("names no purpose"));
    }
}
