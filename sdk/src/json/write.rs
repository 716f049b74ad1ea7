//! The JSON writer: members come out in the order they are written, so output is deterministic.

/// Writes JSON into a string, pretty (two-space indent) or compact. Commas, colons and
/// indentation are handled by the writer; the caller writes keys and values in order.
///
/// ```
/// use custode_sdk::json::JsonWriter;
///
/// let mut w = JsonWriter::pretty();
/// w.begin_object();
/// w.key("name");
/// w.string("Nicolò \"Nico\"\n");
/// w.key("ids");
/// w.begin_array();
/// w.u64(7);
/// w.null();
/// w.end_array();
/// w.key("empty");
/// w.begin_object();
/// w.end_object();
/// w.end_object();
/// assert_eq!(w.finish(), "{\n  \"name\": \"Nicolò \\\"Nico\\\"\\n\",\n  \"ids\": [\n    7,\n    null\n  ],\n  \"empty\": {}\n}\n");
/// ```
#[derive(Debug)]
pub struct JsonWriter {
    out: String,
    pretty: bool,
    /// For each open container: whether it has an item yet.
    open: Vec<bool>,
    /// A key was just written: the next value follows it on the same line.
    after_key: bool,
}

impl JsonWriter {
    /// Two-space indentation, one member per line, a final line break.
    pub fn pretty() -> Self {
        Self::with_capacity(true, 4096)
    }

    /// No whitespace at all.
    pub fn compact() -> Self {
        Self::with_capacity(false, 256)
    }

    /// A writer whose buffer starts with room for `capacity` bytes.
    pub fn with_capacity(pretty: bool, capacity: usize) -> Self {
        JsonWriter {
            out: String::with_capacity(capacity),
            pretty,
            open: Vec::new(),
            after_key: false,
        }
    }

    /// The JSON text. Panics if a container is still open (a bug in the caller).
    pub fn finish(mut self) -> String {
        assert!(
            self.open.is_empty(),
            "JsonWriter::finish with {} containers still open",
            self.open.len()
        );
        if self.pretty {
            self.out.push('\n');
        }
        self.out
    }

    /// Separator and indentation before a value or a key.
    fn item(&mut self) {
        if std::mem::take(&mut self.after_key) {
            return;
        }
        if let Some(has_items) = self.open.last_mut() {
            if std::mem::replace(has_items, true) {
                self.out.push(',');
            }
            self.newline();
        }
    }

    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.open.len() {
                self.out.push_str("  ");
            }
        }
    }

    pub fn begin_object(&mut self) {
        self.item();
        self.out.push('{');
        self.open.push(false);
    }

    pub fn end_object(&mut self) {
        self.close('}');
    }

    pub fn begin_array(&mut self) {
        self.item();
        self.out.push('[');
        self.open.push(false);
    }

    pub fn end_array(&mut self) {
        self.close(']');
    }

    fn close(&mut self, c: char) {
        if self.open.pop() == Some(true) {
            self.newline();
        }
        self.out.push(c);
    }

    /// A member name inside an object; the next value written is its value.
    pub fn key(&mut self, key: &str) {
        self.item();
        escape_into(&mut self.out, key);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
        self.after_key = true;
    }

    pub fn string(&mut self, s: &str) {
        self.item();
        escape_into(&mut self.out, s);
    }

    pub fn bool(&mut self, b: bool) {
        self.item();
        self.out.push_str(if b { "true" } else { "false" });
    }

    pub fn null(&mut self) {
        self.item();
        self.out.push_str("null");
    }

    pub fn i64(&mut self, n: i64) {
        self.item();
        self.out.push_str(&n.to_string());
    }

    pub fn u64(&mut self, n: u64) {
        self.item();
        self.out.push_str(&n.to_string());
    }

    /// A number already in JSON syntax (as [`Value::Number`](super::Value::Number) holds it).
    pub fn raw_number(&mut self, n: &str) {
        self.item();
        self.out.push_str(n);
    }

    /// `key` then a string value.
    pub fn field_str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    /// `key` then a string value, or `null`.
    pub fn field_opt_str(&mut self, key: &str, value: Option<&str>) {
        self.key(key);
        match value {
            Some(v) => self.string(v),
            None => self.null(),
        }
    }
}

/// Appends `s` as a JSON string literal: `"` and `\` escaped, control characters as `\n`, `\t`, ...
/// or `\u00XX`; everything else (any Unicode) as UTF-8.
pub fn escape_into(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f | 0x7f => "",
            _ => continue,
        };
        // Only ASCII bytes are escaped, so these slices fall on character boundaries.
        out.push_str(&s[from..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        } else {
            out.push_str(esc);
        }
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{parse, Value};

    #[test]
    fn escapes_every_control_character_and_round_trips() {
        let all: String = (0u32..0x80)
            .filter_map(char::from_u32)
            .chain("è€😀\u{2028}\u{FFFF}".chars())
            .collect();
        let mut out = String::new();
        escape_into(&mut out, &all);
        assert!(
            out.bytes().all(|b| b >= 0x20 && b != 0x7f),
            "no raw control characters: {out:?}"
        );
        assert!(out.contains("\\u0000") && out.contains("\\u001f") && out.contains("\\u007f"));
        assert_eq!(parse(&out).unwrap().as_str(), Some(all.as_str()));
    }

    #[test]
    fn compact_and_pretty_agree_after_parsing() {
        let text = r#"{"a":[1,"x",{"b":null,"c":[]}],"d":{"e":false,"f":-2.5e3}}"#;
        let v = parse(text).unwrap();
        assert_eq!(v.to_string(), text);
        let mut w = JsonWriter::pretty();
        v.write(&mut w);
        let pretty = w.finish();
        assert_eq!(parse(&pretty).unwrap(), v);
        assert!(pretty.starts_with("{\n  \"a\": [\n    1,\n"), "{pretty}");
    }

    #[test]
    fn scalars_at_top_level() {
        let mut w = JsonWriter::compact();
        w.i64(-5);
        assert_eq!(w.finish(), "-5");
        let mut w = JsonWriter::pretty();
        w.begin_array();
        w.end_array();
        assert_eq!(w.finish(), "[]\n");
        assert_eq!(Value::String("é".into()).to_string(), "\"é\"");
    }
}
