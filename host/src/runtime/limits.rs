//! Caps on the text a plugin hands the host. Whatever a plugin returns is kept (the job list, the
//! audit log), logged and sent to API clients, so every string and list that crosses from a plugin
//! has a cap; past it the call fails with a message naming the plugin, the field and the cap,
//! instead of the host carrying megabytes of it around. docs/PLUGIN-LIMITS.md lists them all.

use super::error::{Failure, Reported};

/// A cap on one kind of string a plugin returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextCap {
    /// What the string is, in the words of a message: `error message`, `decision reason`.
    pub field: &'static str,
    /// Most bytes (UTF-8) it may have.
    pub bytes: usize,
}

/// An error a plugin reports (`import-error.message`, a rule's or an exporter's error string).
pub const ERROR_MESSAGE: TextCap = TextCap {
    field: "error message",
    bytes: 4096,
};
/// The column an `import-error` or a row error names.
pub const ERROR_COLUMN: TextCap = TextCap {
    field: "error column",
    bytes: 256,
};
/// A row error's message. Smaller than an error message: an import's report lists up to 1000
/// of them, and the server remembers the last 1000 jobs.
pub const ROW_ERROR_MESSAGE: TextCap = TextCap {
    field: "row error message",
    bytes: 512,
};
/// A retention decision's reason.
pub const DECISION_REASON: TextCap = TextCap {
    field: "decision reason",
    bytes: 1024,
};
/// A retention decision's legal reference.
pub const LEGAL_REFERENCE: TextCap = TextCap {
    field: "legal reference",
    bytes: 256,
};
/// `describe().version`.
pub const VERSION: TextCap = TextCap {
    field: "version",
    bytes: 64,
};
/// `describe().summary`.
pub const SUMMARY: TextCap = TextCap {
    field: "summary",
    bytes: 1024,
};
/// A config key's name.
pub const CONFIG_KEY_NAME: TextCap = TextCap {
    field: "config key name",
    bytes: 64,
};
/// A config key's documentation.
pub const CONFIG_KEY_DOC: TextCap = TextCap {
    field: "config key doc",
    bytes: 1024,
};
/// A config key's default value.
pub const CONFIG_KEY_DEFAULT: TextCap = TextCap {
    field: "config key default value",
    bytes: 1024,
};
/// Most config keys `describe()` may declare.
pub const MAX_CONFIG_KEYS: usize = 64;
/// An exported document's file name.
pub const FILE_NAME: TextCap = TextCap {
    field: "document file name",
    bytes: 255,
};
/// An exported document's media type.
pub const MEDIA_TYPE: TextCap = TextCap {
    field: "document media type",
    bytes: 127,
};

impl TextCap {
    /// Refuses `value` if it is longer than the cap, with a message naming the field and the cap
    /// (and never quoting the value: it may be megabytes).
    pub fn check(self, value: &str) -> Result<(), Failure> {
        if value.len() <= self.bytes {
            return Ok(());
        }
        Err(Failure::TooLong {
            field: self.field,
            bytes: value.len(),
            cap: self.bytes,
        })
    }

    /// As [`TextCap::check`], and refuses control characters (a CR/LF in a file name would
    /// end up in an HTTP header).
    pub fn check_line(self, value: &str) -> Result<(), Failure> {
        self.check(value)?;
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            return Err(Failure::Contract(format!(
                "its {} contains the control character {c:?}; it must be one line of text",
                self.field
            )));
        }
        Ok(())
    }
}

/// The start of `value` for a message: at most 80 characters, then `…`.
pub fn excerpt(value: &str) -> String {
    match value.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_string(),
    }
}

/// The failure for an error a plugin returned, or for the cap it broke doing so.
pub(crate) fn reported(message: String, row: Option<u64>, column: Option<String>) -> Failure {
    if let Err(too_long) = ERROR_MESSAGE.check(&message) {
        return too_long;
    }
    if let Err(too_long) = column.as_deref().map_or(Ok(()), |c| ERROR_COLUMN.check(c)) {
        return too_long;
    }
    Failure::Reported(Box::new(Reported {
        message,
        row,
        column,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_over_its_cap_is_refused_with_the_field_and_the_cap_named() {
        assert_eq!(DECISION_REASON.check(&"x".repeat(1024)), Ok(()));
        let refused = DECISION_REASON.check(&"x".repeat(40 << 20)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "returned a decision reason of 41943040 bytes (the cap is 1024 bytes)"
        );
    }

    #[test]
    fn a_line_with_a_control_character_is_refused() {
        assert_eq!(FILE_NAME.check_line("subject-1.json"), Ok(()));
        let refused = FILE_NAME.check_line("a.json\r\nX-Evil: 1").unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("document file name contains the control character '\\r'"),
            "{refused}"
        );
        assert!(MEDIA_TYPE.check_line(&"a".repeat(128)).is_err());
    }

    #[test]
    fn an_excerpt_is_short() {
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt(&"é".repeat(1000)).chars().count(), 81);
    }
}
