//! The `importer` world: bytes from a source in, contact records out, one chunk at a time.
//!
//! Implement [`Importer`] and call [`export_importer!`](crate::export_importer). The host calls
//! [`Importer::open`] once per import, [`Importer::push`] for every chunk of the input (chunks end
//! anywhere, even inside a UTF-8 sequence), then [`Importer::finish`].
//!
//! An importer with settings implements [`ConfiguredImporter`] instead and exports
//! [`Configured<T>`](Configured): the import is built from a [`Config`], the host's settings in
//! the plugin and `Config::from_pairs` in native unit tests, so the same code runs in both. Build on
//! the chunk-safe readers in [`csv`](crate::csv) and [`text`](crate::text); the bundled `csv`
//! importer is a full example.
//!
//! A complete importer of one email address per line, with no settings:
//!
//! ```
//! use custode_sdk::importer::{ChunkResult, Importer};
//! use custode_sdk::text::Lines;
//! use custode_sdk::types::{ContactRecord, Identity, ImportError, PluginInfo, PluginKind};
//!
//! struct EmailList {
//!     lines: Lines,
//! }
//!
//! impl EmailList {
//!     fn records(lines: Vec<(u64, String)>) -> ChunkResult {
//!         let records = lines
//!             .into_iter()
//!             .filter(|(_, line)| !line.trim().is_empty())
//!             .map(|(row, line)| ContactRecord::new(row).with_identity(Identity::Email(line.trim().into())))
//!             .collect();
//!         ChunkResult { records, rejected: vec![] }
//!     }
//! }
//!
//! impl Importer for EmailList {
//!     fn describe() -> PluginInfo {
//!         PluginInfo::new("email-list", env!("CARGO_PKG_VERSION"), PluginKind::Importer,
//!                         "One email address per line")
//!     }
//!     fn open() -> Result<Self, ImportError> {
//!         Ok(EmailList { lines: Lines::new() })
//!     }
//!     fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
//!         Ok(Self::records(self.lines.push(chunk)))
//!     }
//!     fn finish(&mut self) -> Result<ChunkResult, ImportError> {
//!         Ok(Self::records(self.lines.finish()))
//!     }
//! }
//!
//! custode_sdk::export_importer!(EmailList);
//! ```

#[doc(hidden)]
pub mod bindings {
    crate::with_api!(
        world_bindings!,
        "importer",
        "__export_importer_world",
        "custode_sdk::importer::bindings"
    );
}

use crate::config::Config;
#[cfg(not(feature = "api-0-1"))]
use crate::types::ConfigProblem;
use crate::types::{ImportError, PluginInfo};
use std::cell::RefCell;

pub use bindings::exports::custode::plugin::source::ChunkResult;

/// An importer plugin. One value of the implementing type lives for one import.
pub trait Importer: Sized + 'static {
    /// Who the plugin is and which settings it reads (see [`crate::types::PluginInfo`]).
    fn describe() -> PluginInfo;
    /// Checks the values of the settings when the admin configures the plugin (the host has
    /// checked the keys already). The default accepts every value; a [`ConfiguredImporter`]'s
    /// builds an import from the settings and reports what that refuses.
    #[cfg(not(feature = "api-0-1"))]
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        let _ = config;
        Ok(())
    }
    /// Starts an import. Read settings with [`crate::host::config`] here and fail early on bad ones.
    fn open() -> Result<Self, ImportError>;
    /// Takes the next chunk of input; returns the records it completed.
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError>;
    /// The input has ended; returns the remaining records.
    fn finish(&mut self) -> Result<ChunkResult, ImportError>;
}

/// An import built from the plugin's settings: implement it on the type that holds one import's
/// state, and export [`Configured<T>`](Configured), which builds it from the admin's settings
/// ([`Config::from_host`]) when the host opens an import. Tests build the same type from
/// [`Config::from_pairs`] and feed it chunks natively.
///
/// ```
/// use custode_sdk::config::Config;
/// use custode_sdk::importer::{ChunkResult, Configured, ConfiguredImporter};
/// use custode_sdk::text::Lines;
/// use custode_sdk::types::{ContactRecord, Identity, ImportError, PluginInfo, PluginKind};
///
/// /// One email address per line, from the source system named by the setting `system`.
/// pub struct EmailList {
///     lines: Lines,
///     system: String,
/// }
///
/// impl EmailList {
///     fn records(&self, lines: Vec<(u64, String)>) -> ChunkResult {
///         let records = lines
///             .into_iter()
///             .filter(|(_, line)| !line.trim().is_empty())
///             .map(|(row, line)| {
///                 ContactRecord::new(row)
///                     .with_identity(Identity::Email(line.trim().into()))
///                     .with_field("source_system", &self.system)
///             })
///             .collect();
///         ChunkResult { records, rejected: vec![] }
///     }
/// }
///
/// impl ConfiguredImporter for EmailList {
///     fn describe() -> PluginInfo {
///         PluginInfo::new("email-list", env!("CARGO_PKG_VERSION"), PluginKind::Importer,
///                         "One email address per line")
///             .with_config_key("system", "The system the list comes from", false, Some("crm"))
///     }
///     fn new(config: &Config) -> Result<Self, ImportError> {
///         let system = config.string("system").unwrap_or_else(|| "crm".into());
///         Ok(EmailList { lines: Lines::new(), system })
///     }
///     fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
///         let lines = self.lines.push(chunk);
///         Ok(self.records(lines))
///     }
///     fn finish(&mut self) -> Result<ChunkResult, ImportError> {
///         let lines = self.lines.finish();
///         Ok(self.records(lines))
///     }
/// }
///
/// custode_sdk::export_importer!(Configured<EmailList>);
///
/// // In a native test, the same type from settings given by hand:
/// let mut import = EmailList::new(&Config::from_pairs(&[("system", "erp")])).unwrap();
/// assert_eq!(import.push(b"anna@example.it\nmar").unwrap().records.len(), 1);
/// assert_eq!(import.finish().unwrap().records.len(), 1, "the last line, completed by the end");
/// ```
pub trait ConfiguredImporter: Sized + 'static {
    /// Who the plugin is and which settings it reads (see [`crate::types::PluginInfo`]).
    fn describe() -> PluginInfo;
    /// Starts an import with these settings; fail here, naming the setting, on a bad one.
    fn new(config: &Config) -> Result<Self, ImportError>;
    /// Checks the settings when the admin configures the plugin. The default builds an import
    /// with [`ConfiguredImporter::new`] and reports its error (a [`ConfigError`](crate::config::ConfigError)
    /// turned into an [`ImportError`] keeps its key), so bad settings are refused then, not at the
    /// first import.
    #[cfg(not(feature = "api-0-1"))]
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        Self::new(config)
            .map(drop)
            .map_err(|e| vec![ConfigProblem::from(e)])
    }
    /// Takes the next chunk of input; returns the records it completed.
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError>;
    /// The input has ended; returns the remaining records.
    fn finish(&mut self) -> Result<ChunkResult, ImportError>;
}

/// The [`Importer`] of a [`ConfiguredImporter`]: opens it with the settings the admin gave the
/// plugin. Export it with `custode_sdk::export_importer!(Configured<MyImport>);`.
pub struct Configured<T>(pub T);

impl<T: ConfiguredImporter> Importer for Configured<T> {
    fn describe() -> PluginInfo {
        T::describe()
    }
    #[cfg(not(feature = "api-0-1"))]
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        T::check_config(config)
    }
    fn open() -> Result<Self, ImportError> {
        T::new(&Config::from_host()).map(Configured)
    }
    fn push(&mut self, chunk: &[u8]) -> Result<ChunkResult, ImportError> {
        self.0.push(chunk)
    }
    fn finish(&mut self) -> Result<ChunkResult, ImportError> {
        self.0.finish()
    }
}

/// Adapts an [`Importer`] to the generated `session` resource. Used by [`export_importer!`](crate::export_importer).
#[doc(hidden)]
pub struct SessionAdapter<T>(RefCell<T>);

impl<T: Importer> bindings::exports::custode::plugin::source::GuestSession for SessionAdapter<T> {
    fn open() -> Result<bindings::exports::custode::plugin::source::Session, ImportError> {
        crate::panic::install_hook();
        let session = T::open()?;
        Ok(bindings::exports::custode::plugin::source::Session::new(
            SessionAdapter(RefCell::new(session)),
        ))
    }

    fn push(&self, chunk: Vec<u8>) -> Result<ChunkResult, ImportError> {
        self.0.borrow_mut().push(&chunk)
    }

    fn finish(&self) -> Result<ChunkResult, ImportError> {
        self.0.borrow_mut().finish()
    }
}

/// Exports a type implementing [`importer::Importer`](crate::importer::Importer) as the plugin's
/// `importer` world. Call it once, at the top level of the plugin crate.
#[macro_export]
macro_rules! export_importer {
    ($t:ty) => {
        #[doc(hidden)]
        struct __CustodeImporter;
        $crate::__plugin_interface!(
            $crate::importer::bindings::exports::custode::plugin::plugin::Guest,
            __CustodeImporter,
            $t,
            $crate::importer::Importer
        );
        impl $crate::importer::bindings::exports::custode::plugin::source::Guest for __CustodeImporter {
            type Session = $crate::importer::SessionAdapter<$t>;
        }
        $crate::importer::bindings::__export_importer_world!(__CustodeImporter with_types_in $crate::importer::bindings);
    };
}
