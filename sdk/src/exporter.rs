//! The `exporter` world: render everything known about one subject as a document
//! (access requests, Art. 15; portability, Art. 20).
//!
//! Implement [`Exporter`] and call [`export_exporter!`](crate::export_exporter). A complete exporter
//! writing the subject's current field values as `name: value` lines:
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
    wit_bindgen::generate!({
        world: "exporter",
        path: "../wit/since_v0.1.0",
        with: {
            "custode:plugin/types@0.1.0": crate::types,
            "custode:plugin/host@0.1.0": crate::host,
        },
        pub_export_macro: true,
        export_macro_name: "__export_exporter_world",
        default_bindings_module: "custode_sdk::exporter::bindings",
        runtime_path: "::custode_sdk::wit_bindgen::rt",
    });
}

use crate::types::{Document, PluginInfo, SubjectPackage};

pub use bindings::exports::custode::plugin::render::ExportError;

/// An exporter plugin.
pub trait Exporter {
    /// Who the plugin is and which settings it reads.
    fn describe() -> PluginInfo;
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
        impl $crate::exporter::bindings::exports::custode::plugin::plugin::Guest for __CustodeExporter {
            fn describe() -> $crate::types::PluginInfo {
                $crate::panic::install_hook();
                <$t as $crate::exporter::Exporter>::describe()
            }
        }
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
