//! The error of every store and service operation: variants callers match on (an HTTP layer maps them
//! to status codes), messages that name the thing and the fix.

use std::path::PathBuf;

use crate::domain::{ContactId, InvalidInput, Timestamp};

/// The next step an error points to. The message says it in words; each front end adds how to take
/// it there: the API names the route, the CLI the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    FindContact,
    ListPlugins,
    EnablePlugin(String),
    DisablePlugin(String),
    ConfigurePlugin(String),
    ListImports,
    ListTokens,
}

/// What every store method returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `what` names the missing thing, e.g. "contact 42" or "notice version `2026-01`".
    #[error("{what} does not exist{hint}")]
    NotFound {
        what: String,
        hint: String,
        next: Option<NextStep>,
    },

    #[error("{0}")]
    InvalidInput(#[from] InvalidInput),

    /// The request contradicts what is stored, e.g. creating a contact whose email another contact has.
    #[error("{0}")]
    Conflict(String),

    /// A conflict the caller resolves with `next` (enable the plugin, wait for its jobs).
    #[error("{message}")]
    Blocked { message: String, next: NextStep },

    /// The contact was erased: only its tombstone (id and date) remains.
    #[error("{contact} was erased on {}: its data is gone; only the erasure is on record", at.date_string())]
    Erased { contact: ContactId, at: Timestamp },

    /// The import's own code (plugin, parser, a bad row) stopped it, for the reason given; nothing
    /// was written.
    #[error("import rolled back, nothing was written: {0}")]
    ImportAborted(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{context}: {source}")]
    Database {
        context: String,
        #[source]
        source: rusqlite::Error,
    },

    /// An error of the PostgreSQL store (`[store] url = "postgres://…"`): the server, the connection or
    /// a statement.
    #[error("{context}: {source}")]
    Postgres {
        context: String,
        #[source]
        source: postgres::Error,
    },

    /// The data directory is not in a state Custode can work with (missing key file, newer schema...).
    #[error("{0}")]
    Setup(String),

    /// A write with a bounded wait (an HTTP request) did not get the single writer in time: another
    /// write, usually an import, holds it until it commits.
    #[error("the database is busy with another write — usually an import, which holds it until it commits — and was not free within {} s: retry in a moment, or raise `[server] write_wait_secs`", waited.as_secs_f64())]
    WriterBusy { waited: std::time::Duration },
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound {
            what: what.into(),
            hint: String::new(),
            next: None,
        }
    }

    pub fn not_found_hint(what: impl Into<String>, hint: impl Into<String>) -> Self {
        StoreError::NotFound {
            what: what.into(),
            hint: format!(": {}", hint.into()),
            next: None,
        }
    }

    /// Not found, with the next step the hint describes in words.
    pub fn not_found_then(
        what: impl Into<String>,
        hint: impl Into<String>,
        next: NextStep,
    ) -> Self {
        StoreError::NotFound {
            what: what.into(),
            hint: format!(": {}", hint.into()),
            next: Some(next),
        }
    }

    /// The step the error points to, for a front end to name (a route, a command).
    pub fn next_step(&self) -> Option<&NextStep> {
        match self {
            StoreError::NotFound { next, .. } => next.as_ref(),
            StoreError::Blocked { next, .. } => Some(next),
            StoreError::WriterBusy { .. } => Some(&NextStep::ListImports),
            _ => None,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::InvalidInput(InvalidInput::new(field, message))
    }

    pub fn io(context: impl Into<String>, path: &std::path::Path, source: std::io::Error) -> Self {
        StoreError::Io {
            context: format!("{} `{}`", context.into(), path.display()),
            source,
        }
    }
}

/// Attaches what was being done to a SQLite error.
pub(crate) trait DbContext<T> {
    fn db(self, context: &str) -> Result<T, StoreError>;
}

impl<T> DbContext<T> for Result<T, rusqlite::Error> {
    fn db(self, context: &str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Database {
            context: context.to_string(),
            source,
        })
    }
}

impl<T> DbContext<T> for Result<T, postgres::Error> {
    fn db(self, context: &str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Postgres {
            context: context.to_string(),
            source,
        })
    }
}

pub(crate) fn data_dir_error(path: &std::path::Path, what: &str) -> StoreError {
    StoreError::Setup(format!(
        "data directory `{}`: {what}",
        PathBuf::from(path).display()
    ))
}
