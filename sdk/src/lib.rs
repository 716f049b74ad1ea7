//! # custode-sdk: write Custode plugins in Rust
//!
//! A Custode plugin is a WebAssembly component implementing one of three worlds of the
//! `custode:plugin` WIT package (in `wit/since_v0.3.0/`, a copy of which this crate carries):
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
//!
//! ## Plugin API versions
//!
//! The SDK builds plugins against the newest plugin API, `custode:plugin@0.3.0`
//! ([`API_VERSION`]). A Custode host runs every version it lists, each through its own bindings,
//! so a plugin built against an older version keeps working unchanged. To keep building a plugin
//! against a frozen older version with this SDK, enable `api-0-2` (for `0.2.0`) or `api-0-1`
//! (for `0.1.0`) next to the world's feature:
//!
//! ```toml
//! custode-sdk = { version = "0.1", features = ["retention", "api-0-2"] }
//! ```
//!
//! What each version adds or changes, and what to change when moving a plugin (for 0.3.0:
//! nothing; the SDK turns the retention batch's columns back into subject views), is in
//! `wit/CHANGELOG.md`. Like the world features, `api-0-1` and `api-0-2` apply to one plugin's
//! build: `cargo xtask plugins` builds plugins with different features separately.

// Lets the generated bindings name this crate the same way from inside and from plugin crates.
extern crate self as custode_sdk;

#[doc(hidden)]
pub use wit_bindgen;

#[cfg(all(feature = "api-0-1", feature = "api-0-2"))]
compile_error!("enable at most one of the features `api-0-1` and `api-0-2`: each picks the plugin API version of the build");

/// The plugin API version plugins built with this SDK (and its features) target, e.g. `0.3.0`.
#[cfg(not(any(feature = "api-0-1", feature = "api-0-2")))]
pub const API_VERSION: &str = "0.3.0";
/// The plugin API version plugins built with this SDK (and its features) target, e.g. `0.3.0`.
#[cfg(feature = "api-0-2")]
pub const API_VERSION: &str = "0.2.0";
/// The plugin API version plugins built with this SDK (and its features) target, e.g. `0.3.0`.
#[cfg(feature = "api-0-1")]
pub const API_VERSION: &str = "0.1.0";

/// Runs `$then!` with the WIT folder and the versioned names of the `types` and `host`
/// interfaces of the API version the build targets, and a world importing just those two: every
/// binding is generated from the one version chosen here.
#[cfg(not(any(feature = "api-0-1", feature = "api-0-2")))]
macro_rules! with_api {
    ($then:ident ! $($args:tt)*) => {
        $then!(
            "wit/since_v0.3.0",
            "custode:plugin/types@0.3.0",
            "custode:plugin/host@0.3.0",
            "package custode:sdk-base;
             world base { import custode:plugin/host@0.3.0; import custode:plugin/types@0.3.0; }"
            $($args)*
        );
    };
}
#[cfg(feature = "api-0-2")]
macro_rules! with_api {
    ($then:ident ! $($args:tt)*) => {
        $then!(
            "wit/since_v0.2.0",
            "custode:plugin/types@0.2.0",
            "custode:plugin/host@0.2.0",
            "package custode:sdk-base;
             world base { import custode:plugin/host@0.2.0; import custode:plugin/types@0.2.0; }"
            $($args)*
        );
    };
}
#[cfg(feature = "api-0-1")]
macro_rules! with_api {
    ($then:ident ! $($args:tt)*) => {
        $then!(
            "wit/since_v0.1.0",
            "custode:plugin/types@0.1.0",
            "custode:plugin/host@0.1.0",
            "package custode:sdk-base;
             world base { import custode:plugin/host@0.1.0; import custode:plugin/types@0.1.0; }"
            $($args)*
        );
    };
}
#[allow(unused_imports)]
pub(crate) use with_api;

/// The bindings of one world, its `types` and `host` being the crate's own ([`types`], [`host`]).
#[allow(unused_macros)]
macro_rules! world_bindings {
    ($path:tt, $types:tt, $host:tt, $base:tt, $world:tt, $export_macro:tt, $module:tt) => {
        wit_bindgen::generate!({
            world: $world,
            path: $path,
            with: {
                $types: crate::types,
                $host: crate::host,
            },
            pub_export_macro: true,
            export_macro_name: $export_macro,
            default_bindings_module: $module,
            runtime_path: "::custode_sdk::wit_bindgen::rt",
        });
    };
}
#[allow(unused_imports)]
pub(crate) use world_bindings;

mod base {
    macro_rules! base_bindings {
        ($path:tt, $types:tt, $host:tt, $base:tt) => {
            wit_bindgen::generate!({
                inline: $base,
                path: $path,
                generate_unused_types: true,
                generate_all,
                // Tests compare decisions and records with `assert_eq!`.
                additional_derives: [PartialEq],
                runtime_path: "::custode_sdk::wit_bindgen::rt",
                type_section_suffix: "custode-sdk-base",
            });
        };
    }
    with_api!(base_bindings!);
}

/// The records, variants and enums shared by every world (the WIT `types` interface).
pub use base::custode::plugin::types;

/// Functions the host gives every plugin: [`host::log`] and [`host::config`].
pub use base::custode::plugin::host;

/// Implements the exports of the `plugin` interface (`describe`, and from 0.2.0 `check-config`)
/// for the export macros of every world: `$guest` is the world's generated `plugin` trait,
/// `$world` the author's trait `$t` implements.
#[doc(hidden)]
#[cfg(not(feature = "api-0-1"))]
#[macro_export]
macro_rules! __plugin_interface {
    ($guest:path, $adapter:ident, $t:ty, $world:path) => {
        impl $guest for $adapter {
            fn describe() -> $crate::types::PluginInfo {
                $crate::panic::install_hook();
                <$t as $world>::describe()
            }
            fn check_config(
            ) -> ::std::result::Result<(), ::std::vec::Vec<$crate::types::ConfigProblem>> {
                $crate::panic::install_hook();
                <$t as $world>::check_config(&$crate::config::Config::from_host())
            }
        }
    };
}
#[doc(hidden)]
#[cfg(feature = "api-0-1")]
#[macro_export]
macro_rules! __plugin_interface {
    ($guest:path, $adapter:ident, $t:ty, $world:path) => {
        impl $guest for $adapter {
            fn describe() -> $crate::types::PluginInfo {
                $crate::panic::install_hook();
                <$t as $world>::describe()
            }
        }
    };
}

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
#[cfg(test)]
mod wit_copy;

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
