//! One vCard content line: `[group.]NAME[;PARAM=value...]:value`, and decoding its value.

use custode_sdk::text::{decode_owned, decode_windows_1252};

/// A content line split into its parts; the value still raw (encoded, escaped).
pub struct Property {
    /// Upper case, without the group: `EMAIL`.
    pub name: String,
    /// Parameters, names upper case; 2.1's bare `QUOTED-PRINTABLE` or `HOME` have an empty name.
    pub params: Vec<(String, String)>,
    pub value: Vec<u8>,
}

impl Property {
    /// Splits a line at the first `:` outside a quoted parameter value; `None` when there is no `:`.
    pub fn parse(line: &[u8]) -> Option<Property> {
        let mut in_quotes = false;
        let colon = line.iter().position(|&b| {
            if b == b'"' {
                in_quotes = !in_quotes;
            }
            b == b':' && !in_quotes
        })?;
        let head = String::from_utf8_lossy(&line[..colon]);
        let mut parts = split_unquoted(&head, ';').into_iter();
        let name = parts.next().unwrap_or_default();
        let name = name
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        let params = parts
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (
                    k.trim().to_ascii_uppercase(),
                    v.trim().trim_matches('"').to_string(),
                ),
                None => (String::new(), p.trim().to_string()),
            })
            .collect();
        Some(Property {
            name,
            params,
            value: line[colon + 1..].to_vec(),
        })
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the value is quoted-printable (`ENCODING=QUOTED-PRINTABLE`, or 2.1's bare form).
    pub fn is_quoted_printable(&self) -> bool {
        self.params.iter().any(|(k, v)| {
            (k == "ENCODING" || k.is_empty()) && v.eq_ignore_ascii_case("QUOTED-PRINTABLE")
        })
    }

    /// The value as text: quoted-printable decoded, then read in its `CHARSET` (UTF-8 when not
    /// given, Windows-1252 when the bytes are not UTF-8). Escapes are still in place.
    pub fn text(&self) -> Result<String, String> {
        let bytes = if self.is_quoted_printable() {
            decode_quoted_printable(&self.value)
        } else {
            self.value.clone()
        };
        match self
            .param("CHARSET")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("UTF-8" | "UTF8" | "US-ASCII") => Ok(decode_owned(bytes)),
            Some("ISO-8859-1" | "ISO-8859-15" | "LATIN1" | "WINDOWS-1252" | "CP1252") => {
                Ok(decode_windows_1252(&bytes))
            }
            Some(other) => Err(format!(
                "CHARSET={other} is not supported; save the file as UTF-8"
            )),
        }
    }

    /// The value split on unescaped `;` (structured values: N, ADR, ORG), each part unescaped.
    pub fn components(&self) -> Result<Vec<String>, String> {
        Ok(split_escaped(&self.text()?, ';')
            .into_iter()
            .map(|c| unescape(&c))
            .collect())
    }
}

/// Quoted-printable: `=XX` is a byte, `=` at the end of the value a soft line break (already
/// joined by the caller); anything else, including a malformed `=`, stays as written.
pub fn decode_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (
                raw.get(i + 1).and_then(|&b| hex(b)),
                raw.get(i + 2).and_then(|&b| hex(b)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
            if i + 1 == raw.len() {
                break; // a soft break at the very end
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// vCard escapes: `\n` `\N` a line break, `\,` `\;` `\:` `\\` the character itself.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Splits on `sep` where it is not escaped with a backslash; escapes are kept.
fn split_escaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in s.chars() {
        if c == sep && !escaped {
            parts.push(String::new());
        } else {
            parts.last_mut().unwrap().push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    parts
}

fn split_unquoted(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut in_quotes = false;
    for c in s.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if c == sep && !in_quotes {
            parts.push(String::new());
        } else {
            parts.last_mut().unwrap().push(c);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_params_and_quoted_colons() {
        let p = Property::parse(b"item1.EMAIL;type=INTERNET;X-LABEL=\"a:b;c\":anna@example.com")
            .unwrap();
        assert_eq!(p.name, "EMAIL");
        assert_eq!(
            p.params,
            [
                ("TYPE".to_string(), "INTERNET".to_string()),
                ("X-LABEL".into(), "a:b;c".into())
            ]
        );
        assert_eq!(p.value, b"anna@example.com");
        assert!(Property::parse(b"no colon here").is_none());
    }

    #[test]
    fn quoted_printable_and_charsets() {
        assert_eq!(
            decode_quoted_printable(b"Citt=C3=A0=20bella="),
            "Città bella".as_bytes()
        );
        assert_eq!(decode_quoted_printable(b"a=zz=4"), b"a=zz=4");
        assert_eq!(
            decode_quoted_printable(b"capo=e continua"),
            b"capo=e continua"
        );
        let p =
            Property::parse(b"NOTE;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Forl=EC").unwrap();
        assert_eq!(p.text().unwrap(), "Forlì");
        let bare = Property::parse(b"FN;QUOTED-PRINTABLE;CHARSET=UTF-8:Nicol=C3=B2").unwrap();
        assert_eq!(bare.text().unwrap(), "Nicolò");
        let latin = Property::parse(b"FN;CHARSET=ISO-8859-1:Nicol\xF2").unwrap();
        assert_eq!(latin.text().unwrap(), "Nicolò");
        let bad = Property::parse(b"FN;CHARSET=SHIFT_JIS:x").unwrap();
        assert_eq!(
            bad.text().unwrap_err(),
            "CHARSET=SHIFT_JIS is not supported; save the file as UTF-8"
        );
    }

    #[test]
    fn structured_values_split_before_unescaping() {
        let p = Property::parse(b"ADR:;;Via Roma 1\\; scala B;Milano;MI;20100;Italia").unwrap();
        assert_eq!(
            p.components().unwrap(),
            [
                "",
                "",
                "Via Roma 1; scala B",
                "Milano",
                "MI",
                "20100",
                "Italia"
            ]
        );
        assert_eq!(unescape("riga\\nnuova\\, ok\\\\"), "riga\nnuova, ok\\");
    }
}
