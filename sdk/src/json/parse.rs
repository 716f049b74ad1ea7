//! The JSON parser.

use super::Value;

/// The deepest nesting of arrays and objects [`parse`] accepts.
pub const MAX_DEPTH: usize = 128;

/// Why a text is not JSON, and where (a byte offset into the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON value; only whitespace may surround it.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.unexpected("the end of the text"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, at: usize, message: impl Into<String>) -> JsonError {
        JsonError {
            offset: at,
            message: message.into(),
        }
    }

    fn unexpected(&self, expected: &str) -> JsonError {
        match self.text[self.i..].chars().next() {
            Some(c) => self.err(self.i, format!("expected {expected}, found `{c}`")),
            None => self.err(
                self.i,
                format!("expected {expected}, found the end of the text"),
            ),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.s.get(self.i) {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            _ => Err(self.unexpected("a value")),
        }
    }

    fn word(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.unexpected("a value"))
        }
    }

    fn enter(&self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err(
                self.i,
                format!("arrays and objects are nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.unexpected("a member name in double quotes"));
            }
            let key = self.string()?;
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return Err(self.unexpected("`:`"));
            }
            self.i += 1;
            self.ws();
            members.push((key, self.value(depth)?));
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while p.s.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - from
        };
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        Ok(Value::Number(self.text[start..self.i].to_string()))
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let from = self.i;
            while self
                .s
                .get(self.i)
                .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.i += 1;
            }
            // Safe to slice: the loop stops only at ASCII bytes, which are character boundaries.
            out.push_str(&self.text[from..self.i]);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(self.err(
                        self.i,
                        "a control character must be escaped inside a string",
                    ))
                }
                None => return Err(self.err(open, "the string is not closed")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let at = self.i - 1;
        let c = match self.s.get(self.i) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.i += 1;
                let unit = self.hex4()?;
                let c = match unit {
                    0xD800..=0xDBFF if self.s[self.i..].starts_with(b"\\u") => {
                        let save = self.i;
                        self.i += 2;
                        let low = self.hex4()?;
                        if (0xDC00..=0xDFFF).contains(&low) {
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        } else {
                            self.i = save; // a lone high surrogate; the next escape stands alone
                            None
                        }
                    }
                    _ => char::from_u32(unit),
                };
                // Lone surrogates (which JavaScript lets through) become U+FFFD rather than failing the line.
                out.push(c.unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            _ => {
                return Err(self.err(
                    at,
                    "unknown escape; use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX",
                ))
            }
        };
        self.i += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(hex) = self.s.get(self.i..self.i + 4) else {
            return Err(self.err(self.i, "\\u needs four hex digits"));
        };
        let mut v = 0;
        for &h in hex {
            let d = (h as char)
                .to_digit(16)
                .ok_or_else(|| self.err(self.i, "\\u needs four hex digits"))?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars() {
        assert_eq!(parse(" null "), Ok(Value::Null));
        assert_eq!(parse("false"), Ok(Value::Bool(false)));
        assert_eq!(parse("-0.5e+10"), Ok(Value::Number("-0.5e+10".into())));
        assert_eq!(
            parse("12345678901234567890").unwrap(),
            Value::Number("12345678901234567890".into())
        );
        assert_eq!(parse("1.5e3").unwrap().as_i64(), Some(1500));
        assert_eq!(parse("1.5").unwrap().as_i64(), None);
        assert_eq!(parse("\"\"").unwrap(), Value::String(String::new()));
    }

    #[test]
    fn string_escapes() {
        let v = parse(r#""a\"b\\c\/d\b\f\n\r\t \u0041\u00e8\u20AC \ud83d\ude00 \udc00 \ud800x""#)
            .unwrap();
        assert_eq!(
            v.as_str(),
            Some("a\"b\\c/d\u{8}\u{c}\n\r\t Aè€ 😀 \u{FFFD} \u{FFFD}x")
        );
        assert_eq!(parse("\"città ✓\"").unwrap().as_str(), Some("città ✓"));
    }

    #[test]
    fn nested_values_keep_member_order() {
        let v = parse(r#"{"b":1,"a":[true,{"x":[]},{}],"b":2}"#).unwrap();
        let keys: Vec<&str> = v
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["b", "a", "b"]);
        assert_eq!(
            v.get("b").and_then(Value::as_i64),
            Some(1),
            "the first of repeated members"
        );
        assert_eq!(v.to_string(), r#"{"b":1,"a":[true,{"x":[]},{}],"b":2}"#);
    }

    #[test]
    fn errors_name_the_place() {
        let e = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(
            e(""),
            "at byte 0: expected a value, found the end of the text"
        );
        assert_eq!(e("{\"a\" 1}"), "at byte 5: expected `:`, found `1`");
        assert_eq!(
            e("{a:1}"),
            "at byte 1: expected a member name in double quotes, found `a`"
        );
        assert_eq!(e("[1 2]"), "at byte 3: expected `,` or `]`, found `2`");
        assert_eq!(e("\"abc"), "at byte 0: the string is not closed");
        assert_eq!(
            e("\"a\tb\""),
            "at byte 2: a control character must be escaped inside a string"
        );
        assert_eq!(
            e("\"\\x\""),
            "at byte 1: unknown escape; use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX"
        );
        assert_eq!(e("\"\\u12\""), "at byte 3: \\u needs four hex digits");
        assert_eq!(
            e("01"),
            "at byte 1: expected the end of the text, found `1`"
        );
        assert_eq!(
            e("1."),
            "at byte 2: expected a digit after `.`, found the end of the text"
        );
        assert_eq!(
            e("-"),
            "at byte 1: expected a digit, found the end of the text"
        );
        assert_eq!(e("tru"), "at byte 0: expected a value, found `t`");
        assert_eq!(
            e("{} x"),
            "at byte 3: expected the end of the text, found `x`"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
    }
}
