//! Host-side bindings of the three plugin worlds, generated from `wit/since_v0.1.0`.
//!
//! The `importer` world is generated in full; the other two reuse its `types` and `host`
//! interfaces through `with`, so a `SubjectView` or `PluginInfo` is one Rust type whichever world
//! it crosses.

pub mod importer {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.1.0",
        world: "importer",
        additional_derives: [PartialEq],
    });
}

pub mod retention {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.1.0",
        world: "retention-rule",
        additional_derives: [PartialEq],
        with: {
            "custode:plugin/types": super::importer::custode::plugin::types,
            "custode:plugin/host": super::importer::custode::plugin::host,
        },
    });
}

pub mod exporter {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.1.0",
        world: "exporter",
        additional_derives: [PartialEq],
        with: {
            "custode:plugin/types": super::importer::custode::plugin::types,
            "custode:plugin/host": super::importer::custode::plugin::host,
        },
    });
}

/// The host interface every plugin imports (`custode:plugin/host`).
pub use importer::custode::plugin::host;
/// The shared WIT types (`custode:plugin/types`).
pub use importer::custode::plugin::types;
