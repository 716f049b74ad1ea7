//! Phone numbers in E.164 (`+393331234567`), the one form under which the same number written
//! `333 123 4567`, `+39 333 1234567` or `0039-333-1234567` is recognised as one identity.

use std::fmt;
use std::str::FromStr;

use phonenumber::country;
use serde::{Deserialize, Serialize};

use super::error::InvalidInput;

/// The country whose numbering plan applies to numbers written without an international prefix
/// (`02 1234567` is a Milan number when the default country is `IT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneCountry(country::Id);

impl PhoneCountry {
    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        country::Id::from_str(&code.trim().to_ascii_uppercase())
            .map(PhoneCountry)
            .map_err(|_| {
                InvalidInput::new(
                    "phone_default_country",
                    format!("`{code}` is not an ISO 3166-1 alpha-2 country code such as `IT`, `DE` or `FR`"),
                )
            })
    }

    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

impl Default for PhoneCountry {
    fn default() -> Self {
        PhoneCountry(country::Id::IT)
    }
}

/// A valid phone number in E.164.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Parses what people write (spaces, dashes, dots, brackets, `00` or `+` prefixes, `tel:` URIs) and
    /// checks the number against the numbering plan of its country, so a digit too many is caught here
    /// rather than creating a contact nobody can call.
    pub fn parse(text: &str, default_country: PhoneCountry) -> Result<Self, InvalidInput> {
        let trimmed = text.trim();
        if default_country.0 == country::Id::IT {
            if let Some(e164) = super::phone_fast::italian(trimmed) {
                return Ok(Phone(e164));
            }
        }
        if trimmed.is_empty() {
            return Err(InvalidInput::new("phone", "phone is empty"));
        }
        if trimmed.chars().any(|c| c.is_alphabetic()) && !trimmed.starts_with("tel:") {
            return Err(InvalidInput::new(
                "phone",
                format!("phone `{trimmed}` is not a number: it contains letters"),
            ));
        }
        let number = phonenumber::parse(Some(default_country.0), trimmed).map_err(|_| {
            InvalidInput::new(
                "phone",
                format!(
                    "phone `{trimmed}` is not a phone number: write it with its international prefix, e.g. `+39 333 1234567`"
                ),
            )
        })?;
        if !phonenumber::is_valid(&number) {
            return Err(InvalidInput::new(
                "phone",
                format!(
                    "phone `{trimmed}` is not a valid number in its country's numbering plan (read as `+{} {}`, assuming {} when no prefix is given): check for a missing or extra digit",
                    number.code().value(),
                    number.national().value(),
                    default_country.code()
                ),
            ));
        }
        Ok(Phone(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// For values the store wrote itself after [`Phone::parse`] checked them.
    pub(crate) fn from_e164_unchecked(e164: &str) -> Self {
        Phone(e164.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    /// Only E.164 is accepted from serialised data: without a default country a national number is
    /// ambiguous. Callers with free text use [`Phone::parse`].
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if !text.starts_with('+') {
            return Err(serde::de::Error::custom(format!(
                "phone `{text}` must be in E.164 form, e.g. `+393331234567`"
            )));
        }
        Phone::parse(&text, PhoneCountry::default())
            .map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn it() -> PhoneCountry {
        PhoneCountry::default()
    }

    #[test]
    fn writings_of_one_number_become_one_e164() {
        for text in [
            "333 123 4567",
            "+39 333 1234567",
            "0039-333-1234567",
            "(+39) 333.123.4567",
            "tel:+39-333-123-4567",
        ] {
            assert_eq!(
                Phone::parse(text, it()).unwrap().as_str(),
                "+393331234567",
                "{text}"
            );
        }
        // Italian landlines keep their leading zero in E.164.
        assert_eq!(
            Phone::parse("02 1234 5678", it()).unwrap().as_str(),
            "+390212345678"
        );
    }

    #[test]
    fn the_default_country_applies_only_without_a_prefix() {
        let de = PhoneCountry::parse("de").unwrap();
        assert_eq!(
            Phone::parse("030 123456", de).unwrap().as_str(),
            "+4930123456"
        );
        assert_eq!(
            Phone::parse("+39 333 1234567", de).unwrap().as_str(),
            "+393331234567"
        );
    }

    #[test]
    fn invalid_numbers_say_why() {
        let cases = [
            ("", "phone is empty"),
            ("call me", "contains letters"),
            ("333 123 45678 999", "not a valid number"),
            ("12", "not a"),
        ];
        for (input, expected) in cases {
            let err = Phone::parse(input, it()).expect_err(input);
            assert_eq!(err.field, "phone");
            assert!(err.message.contains(expected), "{input}: {}", err.message);
        }
        assert!(PhoneCountry::parse("Italy")
            .unwrap_err()
            .message
            .contains("ISO 3166-1"));
    }
}
