//! A small, strict JSON parser ([`parse`] into a [`Value`]) and a deterministic writer ([`JsonWriter`]).
//!
//! Written for plugins: importers read JSON-lines webhooks and form submissions with it, exporters
//! write documents with the writer. It is the SDK's own rather than `serde_json`, by measurement
//! (docs/ARCHITECTURE.md, "Decisions"): `serde_json` made the JSON importers 28–33% larger and
//! parsed these lines at about 0.7× the speed, and its errors do not name what was found.
//! The parser follows RFC 8259: strings with every escape including `\u` surrogate pairs, numbers
//! kept exactly as written, objects in input order. Nesting deeper than [`MAX_DEPTH`] is refused,
//! so hostile input cannot exhaust the stack.
//!
//! ```
//! use custode_sdk::json::{parse, Value};
//!
//! let v = parse(r#"{"event":"unsubscribe","email":"anna@example.com","timestamp":1768473000,
//!                   "tags":["a","\u00e8\ud83d\ude00"],"ok":true,"none":null}"#).unwrap();
//! assert_eq!(v.get("event").and_then(Value::as_str), Some("unsubscribe"));
//! assert_eq!(v.get("timestamp").and_then(Value::as_i64), Some(1_768_473_000));
//! assert_eq!(v.get("tags").and_then(|t| t.as_array()).unwrap()[1].as_str(), Some("è😀"));
//! assert_eq!(v.get("ok").and_then(Value::as_bool), Some(true));
//! assert!(v.get("none").unwrap().is_null());
//! assert_eq!(parse("[1,]").unwrap_err().to_string(), "at byte 3: expected a value, found `]`");
//! ```

mod parse;
mod write;

pub use parse::{parse, JsonError, MAX_DEPTH};
pub use write::{escape_into, JsonWriter};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, kept as written (validated), so large ids and exact decimals survive.
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in input order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member named `key` of an object (the first, if repeated); `None` for other values.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as an `f64` (rounded if needed).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// The number as an `i64` when it is a whole number in range (`1.5e3` is 1500; `1.5` is `None`).
    pub fn as_i64(&self) -> Option<i64> {
        let Value::Number(n) = self else { return None };
        if let Ok(i) = n.parse::<i64>() {
            return Some(i);
        }
        let f: f64 = n.parse().ok()?;
        (f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15).then_some(f as i64)
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A scalar as text, the way a form field holds it: strings as they are, numbers as written,
    /// booleans as `true`/`false`; `None` for null, arrays and objects.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Writes the value with [`JsonWriter`] (members in their order).
    pub fn write(&self, w: &mut JsonWriter) {
        match self {
            Value::Null => w.null(),
            Value::Bool(b) => w.bool(*b),
            Value::Number(n) => w.raw_number(n),
            Value::String(s) => w.string(s),
            Value::Array(items) => {
                w.begin_array();
                items.iter().for_each(|v| v.write(w));
                w.end_array();
            }
            Value::Object(members) => {
                w.begin_object();
                for (k, v) in members {
                    w.key(k);
                    v.write(w);
                }
                w.end_object();
            }
        }
    }
}

impl std::fmt::Display for Value {
    /// Compact JSON.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut w = JsonWriter::compact();
        self.write(&mut w);
        f.write_str(&w.finish())
    }
}
