//! The `exporter` world: render everything known about one subject as a document
//! (access requests, Art. 15; portability, Art. 20).
//!
//! Implement [`Exporter`] and call [`export_exporter!`](crate::export_exporter). A complete exporter
//! writing the subject's current field values as `name: value` lines, and the identities
//! rectifications removed (`former_identities`, plugin API 0.2.0):
//!
//! ```
//! use custode_sdk::exporter::{ExportError, Exporter};
//! use custode_sdk::types::{Document, PluginInfo, PluginKind, SubjectPackage};
//!
//! struct PlainText;
//!
//! impl Exporter for PlainText {
//!     fn describe() -> PluginInfo {
//!         PluginInfo::new("plain-text", env!("CARGO_PKG_VERSION"), PluginKind::Exporter,
//!                         "Current values as name: value lines")
//!     }
//!     fn render(subject: SubjectPackage) -> Result<Document, ExportError> {
//!         let mut text = String::new();
//!         for field in subject.fields.iter().filter(|f| f.current) {
//!             text.push_str(&format!("{}: {}\n", field.name, field.value));
//!         }
//!         for former in &subject.former_identities {
//!             text.push_str(&format!("former identity: {:?}\n", former.identity));
//!         }
//!         Ok(Document {
//!             file_name: format!("subject-{}.txt", subject.contact_id),
//!             media_type: "text/plain; charset=utf-8".into(),
//!             bytes: text.into_bytes(),
//!         })
//!     }
//! }
//!
//! custode_sdk::export_exporter!(PlainText);
//! ```

#[doc(hidden)]
pub mod bindings {
    crate::with_api!(
        world_bindings!,
        "exporter",
        "__export_exporter_world",
        "custode_sdk::exporter::bindings"
    );
}

#[cfg(not(feature = "api-0-1"))]
use crate::config::Config;
#[cfg(not(feature = "api-0-1"))]
use crate::types::ConfigProblem;
use crate::types::{Document, PluginInfo, SubjectPackage};

pub use bindings::exports::custode::plugin::render::ExportError;

/// An exporter plugin.
pub trait Exporter {
    /// Who the plugin is and which settings it reads.
    fn describe() -> PluginInfo;
    /// Checks the values of the settings when the admin configures the plugin (the host has
    /// checked the keys already). The default accepts every value.
    #[cfg(not(feature = "api-0-1"))]
    fn check_config(config: &Config) -> Result<(), Vec<ConfigProblem>> {
        let _ = config;
        Ok(())
    }
    /// Renders one subject's package as a complete document.
    fn render(subject: SubjectPackage) -> Result<Document, ExportError>;
}

/// Exports a type implementing [`exporter::Exporter`](crate::exporter::Exporter) as the plugin's
/// `exporter` world. Call it once, at the top level of the plugin crate.
#[macro_export]
macro_rules! export_exporter {
    ($t:ty) => {
        #[doc(hidden)]
        struct __CustodeExporter;
        $crate::__plugin_interface!(
            $crate::exporter::bindings::exports::custode::plugin::plugin::Guest,
            __CustodeExporter,
            $t,
            $crate::exporter::Exporter
        );
        impl $crate::exporter::bindings::exports::custode::plugin::render::Guest for __CustodeExporter {
            fn render(
                subject: $crate::types::SubjectPackage,
            ) -> ::std::result::Result<$crate::types::Document, $crate::exporter::ExportError> {
                $crate::panic::install_hook();
                <$t as $crate::exporter::Exporter>::render(subject)
            }
        }
        $crate::exporter::bindings::__export_exporter_world!(__CustodeExporter with_types_in $crate::exporter::bindings);
    };
}
