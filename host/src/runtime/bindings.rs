//! Host-side bindings of the three plugin worlds, generated from `wit/since_v0.1.0`.
//!
//! The `importer` world is generated in full; the other two reuse its `types` and `host`
//! interfaces through `with`, so a `SubjectView` or `PluginInfo` is one Rust type whichever world
//! it crosses.

pub mod importer {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.1.0",
        world: "importer",
    });
}

pub mod retention {
    wasmtime::component::bindgen!({
        path: "../wit/since_v0.1.0",
        world: "retention-rule",
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
