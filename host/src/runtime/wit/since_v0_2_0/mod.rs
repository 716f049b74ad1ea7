//! Plugin API 0.2 (`custode:plugin@0.2.0`): the host-side bindings generated from its WIT folder,
//! the host functions it gives plugins, and its calls turned into the domain's types (the
//! conversions are in `convert.rs` and `subject.rs`). A component built against any 0.2.x runs on
//! these bindings; the host functions a later 0.2.y may add are refused at load (see
//! [`HOST_FUNCTIONS`]).
//!
//! What 0.2 adds to 0.1 (`wit/CHANGELOG.md`): `plugin.check-config`, a decision's `holds-from`,
//! the objections in a subject view, former identities, restriction periods, the legal hold's
//! start, the controller's contact, the supervisory authority and the request case in a subject
//! package, and where in the input an imported consent was read.

pub(super) mod convert;
mod subject;

use convert::Lift;

use super::super::error::Reported;
use super::super::info::{ConfigProblem, Description, PluginKind};
use super::super::state::PluginState;
use crate::domain::{self, Document, RetentionDecision, SourceChunk, SubjectPackage, Timestamp};
use wasmtime::component::{HasData, InstancePre, Linker, ResourceAny};
use wasmtime::Store;

/// Generates the bindings of the three worlds from one WIT folder, named once here: the importer
/// world in full, the other two reusing its `types` and `host` interfaces (one Rust type each,
/// whichever world it crosses).
macro_rules! bindings_of {
    ($dir:tt) => {
        /// This version's WIT folder, relative to the `custode` crate.
        const WIT_FOLDER: &str = $dir;

        pub mod importer {
            wasmtime::component::bindgen!({ path: $dir, world: "importer" });
        }

        pub mod retention {
            wasmtime::component::bindgen!({
                path: $dir,
                world: "retention-rule",
                with: {
                    "custode:plugin/types": super::importer::custode::plugin::types,
                    "custode:plugin/host": super::importer::custode::plugin::host,
                },
            });
        }

        pub mod exporter {
            wasmtime::component::bindgen!({
                path: $dir,
                world: "exporter",
                with: {
                    "custode:plugin/types": super::importer::custode::plugin::types,
                    "custode:plugin/host": super::importer::custode::plugin::host,
                },
            });
        }
    };
}

bindings_of!("../wit/since_v0.2.0");

use importer::custode::plugin::{host, types};

/// The package version this host was built from.
pub const VERSION: &str = "0.2.0";
/// Components built against any `0.2.x` run on these bindings.
pub const SERIES: &str = "0.2";
/// The functions of this version's `custode:plugin/host` (a test in `wit/mod.rs` checks them against `host.wit`).
pub const HOST_FUNCTIONS: &[&str] = &["log", "config"];

/// This version's WIT folder from the repository's root, for messages.
pub fn wit_folder() -> &'static str {
    WIT_FOLDER.trim_start_matches("../")
}

/// A subject view as this version lowers it into a plugin.
pub type SubjectView = types::SubjectView;

/// Converts a batch of views for [`Instance::evaluate`].
pub fn views(batch: &[domain::SubjectView]) -> Vec<SubjectView> {
    batch.iter().map(Into::into).collect()
}

/// Defines this version's `custode:plugin/host` in `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    host::add_to_linker::<PluginState, HostFunctions>(linker, |state| HostCalls(state))
}

/// A plugin's store seen through this version's host interface: the calls are converted and
/// forwarded to [`PluginState`], which knows no version.
pub(crate) struct HostCalls<'a>(pub(super) &'a mut PluginState);

pub(super) struct HostFunctions;

impl HasData for HostFunctions {
    type Data<'a> = HostCalls<'a>;
}

impl host::Host for HostCalls<'_> {
    fn log(&mut self, level: types::LogLevel, message: String) {
        self.0.log_line(level.lift(), message);
    }

    fn config(&mut self, key: String) -> Option<String> {
        self.0.config_value(&key)
    }
}

impl types::Host for HostCalls<'_> {}

/// The calls every version since 0.2 makes the same way on its own bindings (`importer`,
/// `retention`, `exporter` and the conversions in scope where it is invoked): everything but
/// `rule.evaluate`, whose batch changed in 0.3.
macro_rules! world_calls {
    () => {
        /// A component of this version, checked and linked, ready to be instantiated for each job.
        pub(crate) enum Pre {
            Importer(importer::ImporterPre<PluginState>),
            RetentionRule(retention::RetentionRulePre<PluginState>),
            Exporter(exporter::ExporterPre<PluginState>),
        }

        impl Pre {
            pub(crate) fn new(
                kind: PluginKind,
                pre: InstancePre<PluginState>,
            ) -> wasmtime::Result<Pre> {
                Ok(match kind {
                    PluginKind::Importer => Pre::Importer(importer::ImporterPre::new(pre)?),
                    PluginKind::RetentionRule => {
                        Pre::RetentionRule(retention::RetentionRulePre::new(pre)?)
                    }
                    PluginKind::Exporter => Pre::Exporter(exporter::ExporterPre::new(pre)?),
                })
            }

            pub(crate) fn instantiate(
                &self,
                store: &mut Store<PluginState>,
            ) -> wasmtime::Result<Instance> {
                Ok(match self {
                    Pre::Importer(pre) => Instance::Importer(pre.instantiate(store)?),
                    Pre::RetentionRule(pre) => Instance::RetentionRule(pre.instantiate(store)?),
                    Pre::Exporter(pre) => Instance::Exporter(pre.instantiate(store)?),
                })
            }
        }

        /// One instance of a plugin of this version: its calls take and return the domain's types.
        pub(crate) enum Instance {
            Importer(importer::Importer),
            RetentionRule(retention::RetentionRule),
            Exporter(exporter::Exporter),
        }

        /// A call of one world's function on an instance of another: the runtime checks kinds first, so
        /// this is a bug in the host, reported as an error rather than a panic.
        fn not_a(kind: PluginKind) -> wasmtime::Error {
            wasmtime::Error::msg(format!("the plugin is not an {kind}"))
        }

        impl Instance {
            pub(crate) fn describe(
                &self,
                store: &mut Store<PluginState>,
            ) -> wasmtime::Result<Description> {
                let info = match self {
                    Instance::Importer(i) => i.custode_plugin_plugin().call_describe(store)?,
                    Instance::RetentionRule(i) => i.custode_plugin_plugin().call_describe(store)?,
                    Instance::Exporter(i) => i.custode_plugin_plugin().call_describe(store)?,
                };
                Ok(info.lift())
            }

            /// `plugin.check-config`, on the settings in the store's state.
            pub(crate) fn check_config(
                &self,
                store: &mut Store<PluginState>,
            ) -> wasmtime::Result<Result<(), Vec<ConfigProblem>>> {
                let checked = match self {
                    Instance::Importer(i) => i.custode_plugin_plugin().call_check_config(store)?,
                    Instance::RetentionRule(i) => {
                        i.custode_plugin_plugin().call_check_config(store)?
                    }
                    Instance::Exporter(i) => i.custode_plugin_plugin().call_check_config(store)?,
                };
                Ok(checked.map_err(|problems| problems.into_iter().map(Lift::lift).collect()))
            }

            /// `session.open`.
            pub(crate) fn open(
                &self,
                store: &mut Store<PluginState>,
            ) -> wasmtime::Result<Result<ResourceAny, Reported>> {
                let Instance::Importer(i) = self else {
                    return Err(not_a(PluginKind::Importer));
                };
                let opened = i.custode_plugin_source().session().call_open(store)?;
                Ok(opened.map_err(Lift::lift))
            }

            /// `session.push`.
            pub(crate) fn push(
                &self,
                store: &mut Store<PluginState>,
                session: ResourceAny,
                chunk: &[u8],
            ) -> wasmtime::Result<Result<SourceChunk, Reported>> {
                let Instance::Importer(i) = self else {
                    return Err(not_a(PluginKind::Importer));
                };
                let result = i
                    .custode_plugin_source()
                    .session()
                    .call_push(store, session, chunk)?;
                Ok(result.map(Lift::lift).map_err(Lift::lift))
            }

            /// `session.finish`.
            pub(crate) fn finish(
                &self,
                store: &mut Store<PluginState>,
                session: ResourceAny,
            ) -> wasmtime::Result<Result<SourceChunk, Reported>> {
                let Instance::Importer(i) = self else {
                    return Err(not_a(PluginKind::Importer));
                };
                let result = i
                    .custode_plugin_source()
                    .session()
                    .call_finish(store, session)?;
                Ok(result.map(Lift::lift).map_err(Lift::lift))
            }

            /// `render.render`.
            pub(crate) fn render(
                &self,
                store: &mut Store<PluginState>,
                package: &SubjectPackage,
            ) -> wasmtime::Result<Result<Document, String>> {
                let Instance::Exporter(i) = self else {
                    return Err(not_a(PluginKind::Exporter));
                };
                let lowered = types::SubjectPackage::from(package);
                let rendered = i.custode_plugin_render().call_render(store, &lowered)?;
                Ok(rendered.map(Lift::lift).map_err(|e| e.message))
            }
        }
    };
}
pub(super) use world_calls;

world_calls!();

impl Instance {
    /// `rule.evaluate`, on views converted by [`views`].
    pub(crate) fn evaluate(
        &self,
        store: &mut Store<PluginState>,
        now: Timestamp,
        batch: &[SubjectView],
    ) -> wasmtime::Result<Result<Vec<RetentionDecision>, String>> {
        let Instance::RetentionRule(i) = self else {
            return Err(not_a(PluginKind::RetentionRule));
        };
        let decisions = i.custode_plugin_rule().call_evaluate(store, now.0, batch)?;
        Ok(decisions.map(|d| d.into_iter().map(Lift::lift).collect()))
    }
}
