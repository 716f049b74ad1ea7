//! # custode-sdk: write Custode plugins in Rust
//!
//! A Custode plugin is a WebAssembly component implementing one of three worlds of the
//! `custode:plugin@0.1.0` WIT package (in `wit/since_v0.1.0/` of the Custode repository):
//!
//! | world            | feature     | module        | export macro                |
//! |------------------|-------------|---------------|-----------------------------|
//! | `importer`       | `importer`  | [`importer`]  | `export_importer!`          |
//! | `retention-rule` | `retention` | [`retention`] | `export_retention_rule!`    |
//! | `exporter`       | `exporter`  | [`exporter`]  | `export_exporter!`          |
//!
//! Enable exactly one feature. The shared record types are in [`types`] and the host's functions
//! (logging, configuration) in [`host`]. Helpers most plugins need:
//!
//! | module | for |
//! |---|---|
//! | [`config`] | typed settings with errors that name the key and the fix |
//! | [`log`] | `info!`, `warn!`, ... to the host's log (stderr when run natively) |
//! | [`text`] | chunk-safe line splitting (with vCard-style unfolding), UTF-8 / Windows-1252 decoding |
//! | [`csv`] | a chunk-safe CSV reader: quoting, delimiter detection, BOM, Windows-1252 fallback |
//! | [`json`] | a small JSON parser and a deterministic pretty writer |
//! | [`time`] | civil dates, `parse_date` for ISO and `dd/mm/yyyy`, whole months, ISO formatting |
//! | [`columns`] | what a column holds, from common English and Italian header names |
//! | [`consent`] | yes/no/sì/1/x consent values, standard consent columns, `purpose:channel` |
//!
//! The contract's enums have `name()` / `from_name()` for their WIT names (`lead-generation`, ...).
//!
//! Plugins run with no clock, file system, network or environment. Whatever they need comes from the
//! host: configuration through [`host::config`], the current time as an argument.
//!
//! See each world's module for a complete example plugin (compiled and run by
//! `cargo xtask plugins --test`, which enables each world's feature in turn).

// Lets the generated bindings name this crate the same way from inside and from plugin crates.
extern crate self as custode_sdk;

#[doc(hidden)]
pub use wit_bindgen;

mod base {
    wit_bindgen::generate!({
        inline: "
            package custode:sdk-base;
            world base {
                import custode:plugin/host@0.1.0;
                import custode:plugin/types@0.1.0;
            }
        ",
        path: "../wit/since_v0.1.0",
        generate_unused_types: true,
        generate_all,
        // Tests compare decisions and records with `assert_eq!`.
        additional_derives: [PartialEq],
        runtime_path: "::custode_sdk::wit_bindgen::rt",
        type_section_suffix: "custode-sdk-base",
    });
}

/// The records, variants and enums shared by every world (the WIT `types` interface).
pub use base::custode::plugin::types;

/// Functions the host gives every plugin: [`host::log`] and [`host::config`].
pub use base::custode::plugin::host;

pub mod columns;
pub mod config;
pub mod consent;
mod convert;
pub mod csv;
pub mod json;
pub mod log;
mod names;
#[doc(hidden)]
pub mod panic;
pub mod text;
pub mod time;

// Every world exports the `plugin` interface, so their bindings cannot live in one plugin.
#[cfg(any(
    all(feature = "importer", feature = "retention"),
    all(feature = "importer", feature = "exporter"),
    all(feature = "retention", feature = "exporter"),
))]
compile_error!(
    "custode-sdk: enable exactly one of the features `importer`, `retention`, `exporter` (one world per plugin)"
);

#[cfg(feature = "exporter")]
pub mod exporter;
#[cfg(feature = "importer")]
pub mod importer;
#[cfg(feature = "retention")]
pub mod retention;
