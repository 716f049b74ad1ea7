//! The fast path of [`super::phone::Phone::parse`] for the numbers Italian files are full of:
//! `333 123 4567`, `+39 333 1234567`, `0039-02-1234-5678`, `(+39) 333.123.4567`.
//!
//! The `phonenumber` crate costs 8–14 µs a number, most of it in its general parser and in a regex
//! cache that locks a mutex and hashes each pattern's source on every use; an import of a million
//! contacts spends more time there than in the database. This path reads the digits itself and
//! checks the national number against the crate's own metadata for Italy (the same patterns and
//! lengths, compiled once), so it can only accept what the crate accepts, with the same E.164.
//! Anything it is not sure of — another country, a national number starting with `39` (the crate
//! may read those as a country code), Vatican numbers, `tel:` URIs, letters, an invalid number —
//! goes to the crate, which also words the errors. A test compares both on a large sample.

use std::sync::OnceLock;

use phonenumber::metadata::{Descriptor, DATABASE};
use regex::{Regex, RegexBuilder};

/// One descriptor of the metadata: the lengths it allows and its pattern, anchored at the start
/// (the crate accepts a descriptor when the pattern's leftmost match starts at 0).
struct Matcher {
    lengths: Vec<u16>,
    pattern: Regex,
}

impl Matcher {
    fn new(d: &Descriptor) -> Option<Matcher> {
        Some(Matcher {
            lengths: d.possible_length().to_vec(),
            // Compiled as the crate compiles its metadata: whitespace in the patterns is layout.
            pattern: RegexBuilder::new(&format!("^(?:{})", d.national_number().as_str()))
                .ignore_whitespace(true)
                .build()
                .ok()?,
        })
    }

    fn is_match(&self, nsn: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(nsn.len() as u16)))
            && self.pattern.is_match(nsn)
    }
}

/// Italy's metadata as `phonenumber::is_valid` uses it: the general description, then any type.
struct Italy {
    general: Matcher,
    types: Vec<Matcher>,
}

fn italy() -> Option<&'static Italy> {
    static ITALY: OnceLock<Option<Italy>> = OnceLock::new();
    ITALY
        .get_or_init(|| {
            let meta = DATABASE.by_id("IT")?;
            let d = meta.descriptors();
            let types = [
                d.premium_rate(),
                d.toll_free(),
                d.shared_cost(),
                d.voip(),
                d.personal_number(),
                d.pager(),
                d.uan(),
                d.voicemail(),
                d.fixed_line(),
                d.mobile(),
            ];
            let types: Option<Vec<Matcher>> =
                types.into_iter().flatten().map(Matcher::new).collect();
            Some(Italy {
                general: Matcher::new(d.general())?,
                types: types?,
            })
        })
        .as_ref()
}

/// The E.164 form of an Italian number written in one of the common ways, when this path is sure
/// the crate would give the same; `None` sends the text to the crate.
pub(super) fn italian(text: &str) -> Option<String> {
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut plus = false;
    // The first separator after a digit (digits read before it, and which): international numbers
    // are taken only as `+39 …`, `(+39) …`, `0039 …` or all digits; the crate reads other
    // punctuation there (`+3902-1234567`, `+39/02…`) in ways this path does not follow.
    let mut first_separator = None;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => {
                if n == digits.len() {
                    return None;
                }
                digits[n] = b;
                n += 1;
            }
            b'+' if n == 0 && !plus => plus = true,
            b' ' | b'-' | b'.' | b'/' | b'(' | b')' => {
                if n > 0 && first_separator.is_none() {
                    first_separator = Some((n, b));
                }
            }
            _ => return None,
        }
    }
    let digits = &digits[..n];
    let international = |prefix: usize| match first_separator {
        None => true,
        Some((at, b)) => at == prefix && (b == b' ' || b == b')'),
    };
    let nsn = if plus {
        if !international(2) {
            return None;
        }
        digits.strip_prefix(b"39")?
    } else if digits.starts_with(b"00") {
        if !international(4) {
            return None;
        }
        digits.strip_prefix(b"0039")?
    } else if digits.starts_with(b"39") {
        return None;
    } else {
        digits
    };
    // Shorter or longer than any Italian number, or a Vatican number (+39 06 698…): the crate.
    if !(6..=12).contains(&nsn.len()) || nsn.starts_with(b"06698") {
        return None;
    }
    let nsn = std::str::from_utf8(nsn).ok()?;
    let italy = italy()?;
    if !italy.general.is_match(nsn) || !italy.types.iter().any(|t| t.is_match(nsn)) {
        return None;
    }
    let mut e164 = String::with_capacity(3 + nsn.len());
    e164.push_str("+39");
    e164.push_str(nsn);
    Some(e164)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::phone::{Phone, PhoneCountry};

    /// What the crate alone says (the slow path of `Phone::parse`).
    fn crate_e164(text: &str) -> Option<String> {
        let number = phonenumber::parse(Some(phonenumber::country::Id::IT), text.trim()).ok()?;
        phonenumber::is_valid(&number)
            .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Numbers as people write them: every prefix style, separators anywhere, real and random
    /// leading digits, every length around the valid ones, the odd stray character.
    fn sample(rng: &mut Rng) -> String {
        let leads = [
            "3", "33", "34", "39", "32", "38", "36", "31", "30", "0", "02", "06", "011", "055",
            "0669", "06698", "081", "0471", "1", "4", "43", "55", "70", "8", "80", "89", "9", "",
        ];
        let lead = leads[rng.below(leads.len() as u64) as usize];
        let len = 4 + rng.below(11) as usize;
        let mut digits = lead.to_string();
        while digits.len() < len {
            digits.push((b'0' + rng.below(10) as u8) as char);
        }
        let prefix = match rng.below(9) {
            0 => "+39",
            1 => "+39 ",
            2 => "0039",
            3 => "0039 ",
            4 => "(+39) ",
            5 => "+41 ",
            6 => "00",
            7 => "+",
            _ => "",
        };
        let mut out = prefix.to_string();
        let seps = [" ", "-", ".", "/", "", "", "(", ")", "  "];
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && rng.below(4) == 0 {
                out.push_str(seps[rng.below(seps.len() as u64) as usize]);
            }
            out.push(c);
        }
        match rng.below(40) {
            0 => out.insert(0, ' '),
            1 => out.push_str(" x12"),
            2 => out.insert_str(0, "tel:"),
            3 => out.push('+'),
            _ => {}
        }
        out
    }

    #[test]
    fn the_fast_path_agrees_with_the_crate_on_a_large_sample() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut fast, mut valid) = (0, 0);
        for _ in 0..400_000 {
            let text = sample(&mut rng);
            let by_crate = crate_e164(&text);
            valid += by_crate.is_some() as u32;
            if let Some(e164) = italian(text.trim()) {
                fast += 1;
                assert_eq!(Some(e164), by_crate, "{text:?}");
            }
        }
        // Not only agreeing by refusing: most numbers the crate accepts take the fast path.
        assert!(
            fast * 2 > valid,
            "the fast path took {fast} of {valid} valid numbers"
        );
    }

    #[test]
    fn common_italian_forms_take_the_fast_path() {
        for text in [
            "333 123 4567",
            "+39 333 1234567",
            "0039 333-1234567",
            "(+39) 333.123.4567",
            "02 1234 5678",
            "06 12345678",
            "+390212345678",
        ] {
            let fast = italian(text).unwrap_or_else(|| panic!("{text} took the slow path"));
            assert_eq!(Some(fast), crate_e164(text), "{text}");
        }
    }

    #[test]
    fn unsure_forms_go_to_the_crate_and_still_parse() {
        let it = PhoneCountry::default();
        for text in [
            "tel:+39-333-123-4567",
            "+41 44 668 18 00",
            "06 698 12345",
            "3921234567",
        ] {
            assert_eq!(italian(text), None, "{text}");
            assert_eq!(
                Phone::parse(text, it).ok().map(|p| p.as_str().to_string()),
                crate_e164(text)
            );
        }
    }
}
