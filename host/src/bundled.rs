//! The plugins shipped inside the `custode` binary, built from `plugins/` by `cargo xtask plugins`.
//!
//! They are embedded so that `cargo run` and `cargo test` work on a machine with only the ordinary
//! Rust toolchain; CI checks that `plugins/dist` matches the plugin sources.

/// A bundled plugin's file name (without `.wasm`) and bytes.
pub struct BundledPlugin {
    pub file: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(BundledPlugin { file: $name, bytes: include_bytes!(concat!("../../plugins/dist/", $name, ".wasm")) }),*]
    };
}

/// Every bundled plugin.
pub const BUNDLED: &[BundledPlugin] = bundled![
    "csv",
    "vcard",
    "newsletter-optouts",
    "web-form",
    "legitimate-interest",
    "accounting",
    "consent-withdrawn",
    "no-basis",
    "json",
    "csv-export",
    "access-report",
    "lines",
];

/// A bundled plugin by file name.
pub fn get(file: &str) -> Option<&'static BundledPlugin> {
    BUNDLED.iter().find(|p| p.file == file)
}
