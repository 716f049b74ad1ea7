//! Typed settings with errors an admin can act on: [`Config`].
//!
//! A plugin reads its settings through the host ([`Config::from_host`]); its tests give them as a
//! closure or pairs ([`Config::from_fn`], [`Config::from_pairs`]), so the same parsing code runs in
//! both. Values are trimmed; an empty value counts as not set.
//!
//! ```
//! use custode_sdk::config::Config;
//!
//! let config = Config::from_pairs(&[
//!     ("columns", "E-mail=email, \"Nome, Cognome\"=name"),
//!     ("months", "24"),
//!     ("strict", "yes"),
//!     ("action", "delete"),
//! ]);
//! assert_eq!(
//!     config.map("columns").unwrap(),
//!     vec![("E-mail".to_string(), "email".to_string()), ("Nome, Cognome".to_string(), "name".to_string())]
//! );
//! assert_eq!(config.number::<u32>("months").unwrap(), Some(24));
//! assert_eq!(config.bool("strict").unwrap(), Some(true));
//! assert_eq!(
//!     config.choice("action", &["erase", "anonymise", "review"]).unwrap_err().to_string(),
//!     "setting `action`: `delete` is not one of erase, anonymise, review"
//! );
//! assert_eq!(config.string("missing"), None);
//! ```

use crate::types::ImportError;
use std::cell::RefCell;
use std::str::FromStr;

type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// A plugin's settings. See the [module documentation](self).
pub struct Config {
    lookup: Lookup,
    read: RefCell<Vec<String>>,
}

/// A setting with a value the plugin cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting, e.g. `delimiter`.
    pub key: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl ConfigError {
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "setting `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl From<ConfigError> for ImportError {
    fn from(e: ConfigError) -> Self {
        ImportError::new(e.to_string())
    }
}

/// What the host shows for a setting `check_config` refuses (plugin API 0.2.0).
#[cfg(not(feature = "api-0-1"))]
impl From<ConfigError> for crate::types::ConfigProblem {
    fn from(e: ConfigError) -> Self {
        crate::types::ConfigProblem {
            key: e.key,
            message: e.message,
        }
    }
}

/// Lets `check_config` use `?` on the readers of [`Config`].
#[cfg(not(feature = "api-0-1"))]
impl From<ConfigError> for Vec<crate::types::ConfigProblem> {
    fn from(e: ConfigError) -> Self {
        vec![e.into()]
    }
}

/// An import refused when it was opened, as a problem with the settings: a [`ConfigError`]
/// that became an [`ImportError`] (`setting `key`: ...`) gets its key back; any other error is
/// about the settings as a whole (`key` empty).
#[cfg(not(feature = "api-0-1"))]
impl From<ImportError> for crate::types::ConfigProblem {
    fn from(e: ImportError) -> Self {
        let keyed = e
            .message
            .strip_prefix("setting `")
            .and_then(|rest| rest.split_once("`: "));
        match keyed {
            Some((key, message)) => crate::types::ConfigProblem {
                key: key.to_string(),
                message: message.to_string(),
            },
            None => crate::types::ConfigProblem {
                key: String::new(),
                message: e.message,
            },
        }
    }
}

impl From<ConfigError> for String {
    fn from(e: ConfigError) -> Self {
        e.to_string()
    }
}

impl Config {
    /// The settings the admin gave this plugin, read through [`crate::host::config`].
    /// Compiled natively (outside Wasm) nothing is set: tests use [`Config::from_fn`].
    pub fn from_host() -> Config {
        #[cfg(target_arch = "wasm32")]
        return Config::from_fn(|key| crate::host::config(key));
        #[cfg(not(target_arch = "wasm32"))]
        return Config::from_fn(|_| None);
    }

    /// Settings looked up by a function, for tests and tools.
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + 'static) -> Config {
        Config {
            lookup: Box::new(lookup),
            read: RefCell::new(Vec::new()),
        }
    }

    /// Settings from `(key, value)` pairs.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Config {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_fn(move |key| owned.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    /// Every key read so far, in order, without repeats. A plugin's tests use it to check that
    /// `describe()` lists every setting the plugin reads.
    pub fn keys_read(&self) -> Vec<String> {
        self.read.borrow().clone()
    }

    /// The value, trimmed; `None` when not set or empty.
    pub fn string(&self, key: &str) -> Option<String> {
        {
            let mut read = self.read.borrow_mut();
            if !read.iter().any(|k| k == key) {
                read.push(key.to_string());
            }
        }
        let value = (self.lookup)(key)?;
        let trimmed = value.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_string())
    }

    /// A yes/no setting: `true`/`false`, `yes`/`no`, `1`/`0`, `on`/`off` (any case).
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(v) = self.string(key) else {
            return Ok(None);
        };
        match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => Ok(Some(true)),
            "false" | "no" | "0" | "off" => Ok(Some(false)),
            _ => Err(ConfigError::new(
                key,
                format!("`{v}` is not a yes/no value; write true or false"),
            )),
        }
    }

    /// A number (or anything else parsed with [`FromStr`]).
    pub fn number<T: FromStr>(&self, key: &str) -> Result<Option<T>, ConfigError> {
        let Some(v) = self.string(key) else {
            return Ok(None);
        };
        v.parse()
            .map(Some)
            .map_err(|_| ConfigError::new(key, format!("`{v}` is not a valid number")))
    }

    /// One of a fixed set of words (compared case-insensitively); returns the allowed spelling.
    pub fn choice(
        &self,
        key: &str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>, ConfigError> {
        let Some(v) = self.string(key) else {
            return Ok(None);
        };
        match allowed.iter().find(|a| a.eq_ignore_ascii_case(&v)) {
            Some(a) => Ok(Some(a)),
            None => Err(ConfigError::new(
                key,
                format!("`{v}` is not one of {}", allowed.join(", ")),
            )),
        }
    }

    /// A list split on `separator`, items trimmed, empty items dropped; empty when not set.
    pub fn list(&self, key: &str, separator: char) -> Vec<String> {
        self.string(key)
            .map(|v| {
                v.split(separator)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A map written `key=value, key=value` (commas or line breaks between items), in the order
    /// written; empty when not set. A key or value containing a comma or `=` goes in double quotes.
    pub fn map(&self, key: &str) -> Result<Vec<(String, String)>, ConfigError> {
        let Some(v) = self.string(key) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for item in split_outside_quotes(&v, |c| c == ',' || c == '\n') {
            if item.trim().is_empty() {
                continue;
            }
            let parts = split_outside_quotes(item, |c| c == '=');
            let (Some(k), Some(val), None) = (parts.first(), parts.get(1), parts.get(2)) else {
                return Err(ConfigError::new(
                    key,
                    format!(
                        "`{}` is not a `name=value` pair; write items like `E-mail=email, Nome=first_name`",
                        item.trim()
                    ),
                ));
            };
            let (k, val) = (unquote(k), unquote(val));
            if k.is_empty() {
                return Err(ConfigError::new(
                    key,
                    format!("`{}` has nothing before `=`", item.trim()),
                ));
            }
            out.push((k, val));
        }
        Ok(out)
    }
}

fn split_outside_quotes(s: &str, is_sep: impl Fn(char) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && is_sep(c) {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_and_empty_means_unset() {
        let c = Config::from_pairs(&[("a", "  x "), ("b", "   ")]);
        assert_eq!(c.string("a").as_deref(), Some("x"));
        assert_eq!(c.string("b"), None);
        assert_eq!(c.keys_read(), vec!["a", "b"]);
        c.string("a");
        assert_eq!(c.keys_read(), vec!["a", "b"], "keys are listed once");
    }

    #[test]
    fn bools_and_numbers_name_the_key_on_error() {
        let c = Config::from_pairs(&[("on", "ON"), ("off", "0"), ("bad", "maybe"), ("n", "2x")]);
        assert_eq!(c.bool("on"), Ok(Some(true)));
        assert_eq!(c.bool("off"), Ok(Some(false)));
        assert_eq!(c.bool("unset"), Ok(None));
        assert_eq!(
            c.bool("bad").unwrap_err().to_string(),
            "setting `bad`: `maybe` is not a yes/no value; write true or false"
        );
        assert_eq!(
            c.number::<u32>("n").unwrap_err().to_string(),
            "setting `n`: `2x` is not a valid number"
        );
        let import: ImportError = c.number::<u32>("n").unwrap_err().into();
        assert_eq!(import.message, "setting `n`: `2x` is not a valid number");
    }

    #[test]
    fn choices_return_the_canonical_spelling() {
        let c = Config::from_pairs(&[("action", "Anonymise")]);
        assert_eq!(
            c.choice("action", &["erase", "anonymise"]),
            Ok(Some("anonymise"))
        );
    }

    #[test]
    fn lists_and_maps() {
        let c = Config::from_pairs(&[
            ("l", " a ; b;;c "),
            (
                "m",
                "Consenso marketing = marketing:email\n\"a=b\"=\"x,y\",,",
            ),
            ("bad", "email"),
            ("bad2", "=x"),
            ("bad3", "a=b=c"),
        ]);
        assert_eq!(c.list("l", ';'), vec!["a", "b", "c"]);
        assert!(c.list("none", ',').is_empty());
        assert_eq!(
            c.map("m").unwrap(),
            vec![
                ("Consenso marketing".into(), "marketing:email".into()),
                ("a=b".into(), "x,y".into())
            ]
        );
        assert!(c
            .map("bad")
            .unwrap_err()
            .message
            .contains("is not a `name=value` pair"));
        assert!(c
            .map("bad2")
            .unwrap_err()
            .message
            .contains("nothing before `=`"));
        assert!(c.map("bad3").is_err());
        assert!(c.map("none").unwrap().is_empty());
    }

    #[test]
    fn from_host_is_empty_natively() {
        assert_eq!(Config::from_host().string("delimiter"), None);
    }
}
