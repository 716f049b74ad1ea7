//! Loading a plugin: checks that the bytes are a component of a world and API version this host
//! supports, that it imports nothing Custode does not give, and asks the plugin to describe itself.

use super::bindings::{
    exporter::ExporterPre, importer::ImporterPre, retention::RetentionRulePre, types,
};
use super::cache::{self, CodeSource};
use super::engine::{deadline_ticks, Runtime};
use super::error::{classify, Failure, PluginError};
use super::state::PluginState;
use super::validate::{check_is_component, check_name, newer_api_fix, Surface};
use super::Limits;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::Store;

pub use super::validate::SUPPORTED_API;

/// Which world a plugin implements.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PluginKind {
    Importer,
    RetentionRule,
    Exporter,
}

impl PluginKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Importer => "importer",
            PluginKind::RetentionRule => "retention-rule",
            PluginKind::Exporter => "exporter",
        }
    }

    /// The interface whose export marks a component as this world.
    pub(crate) fn marker_interface(self) -> &'static str {
        match self {
            PluginKind::Importer => "source",
            PluginKind::RetentionRule => "rule",
            PluginKind::Exporter => "render",
        }
    }
}

impl std::fmt::Display for PluginKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<types::PluginKind> for PluginKind {
    fn from(kind: types::PluginKind) -> Self {
        match kind {
            types::PluginKind::Importer => PluginKind::Importer,
            types::PluginKind::RetentionRule => PluginKind::RetentionRule,
            types::PluginKind::Exporter => PluginKind::Exporter,
        }
    }
}

/// What the admin set for one installed plugin.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct PluginSettings {
    #[serde(default)]
    pub limits: Limits,
    /// Values for the keys the plugin lists in `describe().config-keys`.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
}

/// Everything that can be learnt about a component without running a job: what
/// `custode plugin inspect` prints and what the admin API shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Inspection {
    /// SHA-256 of the component's bytes, hex.
    pub digest: String,
    pub size_bytes: usize,
    pub name: String,
    pub version: String,
    pub kind: PluginKind,
    pub summary: String,
    pub config_keys: Vec<ConfigKeyInfo>,
    /// The plugin API version it was built against, e.g. `0.1.0`.
    pub api_version: String,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    /// True for components that import WASI (they get an empty WASI sandbox).
    pub uses_wasi: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConfigKeyInfo {
    pub name: String,
    pub doc: String,
    pub required: bool,
    pub default_value: Option<String>,
}

enum WorldPre {
    Importer(ImporterPre<PluginState>),
    RetentionRule(RetentionRulePre<PluginState>),
    Exporter(ExporterPre<PluginState>),
}

/// A loaded, validated plugin, ready to be instantiated cheaply for each job.
pub struct Plugin {
    runtime: Arc<Runtime>,
    inspection: Inspection,
    settings: PluginSettings,
    config: Arc<BTreeMap<String, String>>,
    label: Arc<str>,
    pre: WorldPre,
    code_source: CodeSource,
    load_time: Duration,
}

impl Plugin {
    /// Loads a component from its bytes, with the admin's settings for it.
    ///
    /// Fails with a message naming the problem and the fix when the bytes are not a component, it
    /// targets a world or API version this host does not support, it imports anything but the
    /// `custode:plugin/host` interface (and WASI), or the settings don't fit what it declares.
    pub fn load(
        runtime: &Arc<Runtime>,
        bytes: &[u8],
        settings: PluginSettings,
    ) -> anyhow::Result<Plugin> {
        let plugin = Self::load_unconfigured(runtime, bytes, settings)?;
        plugin.check_settings()?;
        Ok(plugin)
    }

    /// Loads and describes a component without checking its configuration: for inspecting a
    /// plugin before it is installed and configured.
    pub fn inspect(runtime: &Arc<Runtime>, bytes: &[u8]) -> anyhow::Result<Inspection> {
        Ok(Self::load_unconfigured(runtime, bytes, PluginSettings::default())?.inspection)
    }

    /// What can be read of a component whether or not it is accepted: its imports and exports
    /// (it is compiled, not cached, and none of its code runs). For showing what a refused
    /// component asks for next to the reason it is refused.
    pub fn surface(runtime: &Arc<Runtime>, bytes: &[u8]) -> anyhow::Result<Surface> {
        check_is_component(bytes)?;
        let component = Component::new(runtime.engine(), bytes)
            .map_err(|e| anyhow::anyhow!("the component could not be compiled: {e:#}"))?;
        Ok(Surface::of(&component, runtime.engine()))
    }

    fn load_unconfigured(
        runtime: &Arc<Runtime>,
        bytes: &[u8],
        settings: PluginSettings,
    ) -> anyhow::Result<Plugin> {
        let started = Instant::now();
        settings.limits.validate()?;
        check_is_component(bytes)?;
        let digest = cache::digest(bytes);
        let engine = runtime.engine();
        let cached = runtime
            .cache()
            .and_then(|cache| cache.load(engine, &digest));
        let (component, code_source) = match cached {
            Some(component) => (component, CodeSource::DiskCache),
            None => (
                Component::new(engine, bytes)
                    .map_err(|e| anyhow::anyhow!("the component could not be compiled: {e:#}"))?,
                CodeSource::Compiled,
            ),
        };

        let surface = Surface::of(&component, engine);
        let (kind, api_version) = surface.world()?;
        surface.check_imports()?;
        let uses_wasi = surface.imports.iter().any(|i| i.starts_with("wasi:"));

        let instance_pre = runtime.linker().instantiate_pre(&component).map_err(|e| {
            anyhow::anyhow!(
                "the component cannot be linked: {e:#}; if it was built with a newer SDK, {}",
                newer_api_fix()
            )
        })?;
        let pre = match kind {
            PluginKind::Importer => WorldPre::Importer(ImporterPre::new(instance_pre)?),
            PluginKind::RetentionRule => {
                WorldPre::RetentionRule(RetentionRulePre::new(instance_pre)?)
            }
            PluginKind::Exporter => WorldPre::Exporter(ExporterPre::new(instance_pre)?),
        };

        // Until `describe()` has answered, the plugin is named by its digest: that is what a
        // failure of `describe()` itself reports.
        let placeholder = Inspection {
            name: format!("sha256:{}", &digest[..12]),
            version: String::new(),
            digest,
            size_bytes: bytes.len(),
            kind,
            summary: String::new(),
            config_keys: Vec::new(),
            api_version,
            imports: surface.imports,
            exports: surface.exports,
            uses_wasi,
        };
        let config = Arc::new(settings.config.clone());
        let mut plugin = Plugin {
            runtime: runtime.clone(),
            label: Arc::from(format!("plugin {}", placeholder.name)),
            inspection: placeholder,
            settings,
            config,
            pre,
            code_source,
            load_time: Duration::ZERO,
        };
        let info = plugin.describe()?;
        plugin.adopt_description(info)?;
        // Stored only now: a component refused above (world, imports, linking, `describe()`)
        // leaves nothing in the cache.
        if code_source == CodeSource::Compiled {
            if let Some(cache) = runtime.cache() {
                // The cache only saves time: the plugin works without it.
                if let Err(e) = cache.store(&plugin.inspection.digest, &component) {
                    tracing::warn!(dir = %cache.dir().display(), error = format!("{e:#}"), "cannot store compiled plugin code; it will be compiled again at the next start");
                }
            }
        }
        plugin.load_time = started.elapsed();
        Ok(plugin)
    }

    pub fn inspection(&self) -> &Inspection {
        &self.inspection
    }

    pub fn name(&self) -> &str {
        &self.inspection.name
    }

    pub fn version(&self) -> &str {
        &self.inspection.version
    }

    pub fn kind(&self) -> PluginKind {
        self.inspection.kind
    }

    pub fn digest(&self) -> &str {
        &self.inspection.digest
    }

    pub fn settings(&self) -> &PluginSettings {
        &self.settings
    }

    /// Whether the compiled code came from the disk cache, and how long loading took.
    pub fn load_stats(&self) -> (CodeSource, Duration) {
        (self.code_source, self.load_time)
    }

    /// A fresh store for one job, with this plugin's memory limit, configuration and deadline.
    pub(crate) fn new_store(&self) -> Store<PluginState> {
        let state = PluginState::new(
            self.label.clone(),
            self.config.clone(),
            self.settings.limits.memory_bytes,
        );
        let mut store = Store::new(self.runtime.engine(), state);
        store.limiter(|state| &mut state.limiter);
        store.epoch_deadline_trap();
        store
    }

    /// Runs `f` against the store under this plugin's deadline, turning any failure into a
    /// [`PluginError`] that names the plugin, the function and the cause.
    pub(crate) fn call<R>(
        &self,
        store: &mut Store<PluginState>,
        function: &'static str,
        f: impl FnOnce(&mut Store<PluginState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let deadline = self.settings.limits.deadline;
        store.set_epoch_deadline(deadline_ticks(deadline));
        let result = f(store);
        store.data_mut().end_call();
        let result = result.map_err(|e| self.error(function, classify(&e, store.data(), deadline)));
        super::stats::record(&result);
        result
    }

    pub(crate) fn error(&self, function: &'static str, failure: Failure) -> PluginError {
        PluginError {
            plugin: self.inspection.name.clone(),
            version: self.inspection.version.clone(),
            function,
            failure,
        }
    }

    /// Creates a fresh instance and drops it: proves the plugin starts under its limits, and is
    /// what `plugin_instantiate_us` in the benchmark measures.
    pub fn probe(&self) -> Result<(), PluginError> {
        let mut store = self.new_store();
        match &self.pre {
            WorldPre::Importer(pre) => self
                .instantiate(&mut store, |s| pre.instantiate(s))
                .map(drop),
            WorldPre::RetentionRule(pre) => self
                .instantiate(&mut store, |s| pre.instantiate(s))
                .map(drop),
            WorldPre::Exporter(pre) => self
                .instantiate(&mut store, |s| pre.instantiate(s))
                .map(drop),
        }
    }

    /// Instantiates and calls `describe()`.
    fn describe(&self) -> anyhow::Result<types::PluginInfo> {
        let mut store = self.new_store();
        let info = match &self.pre {
            WorldPre::Importer(pre) => {
                let instance = self.instantiate(&mut store, |s| pre.instantiate(s))?;
                self.call(&mut store, "describe", |s| {
                    instance.custode_plugin_plugin().call_describe(s)
                })?
            }
            WorldPre::RetentionRule(pre) => {
                let instance = self.instantiate(&mut store, |s| pre.instantiate(s))?;
                self.call(&mut store, "describe", |s| {
                    instance.custode_plugin_plugin().call_describe(s)
                })?
            }
            WorldPre::Exporter(pre) => {
                let instance = self.instantiate(&mut store, |s| pre.instantiate(s))?;
                self.call(&mut store, "describe", |s| {
                    instance.custode_plugin_plugin().call_describe(s)
                })?
            }
        };
        Ok(info)
    }

    /// Instantiates with the deadline armed, so a plugin whose start-up code loops is stopped too.
    pub(crate) fn instantiate<I>(
        &self,
        store: &mut Store<PluginState>,
        f: impl FnOnce(&mut Store<PluginState>) -> wasmtime::Result<I>,
    ) -> Result<I, PluginError> {
        self.call(store, "instantiate", f).map_err(|mut e| {
            if let Failure::Trap(message) = &e.failure {
                e.failure = Failure::Instantiate(message.clone());
            }
            e
        })
    }

    pub(crate) fn importer_pre(&self) -> Option<&ImporterPre<PluginState>> {
        match &self.pre {
            WorldPre::Importer(pre) => Some(pre),
            _ => None,
        }
    }

    pub(crate) fn retention_pre(&self) -> Option<&RetentionRulePre<PluginState>> {
        match &self.pre {
            WorldPre::RetentionRule(pre) => Some(pre),
            _ => None,
        }
    }

    pub(crate) fn exporter_pre(&self) -> Option<&ExporterPre<PluginState>> {
        match &self.pre {
            WorldPre::Exporter(pre) => Some(pre),
            _ => None,
        }
    }

    /// Error for calling a world's function on a plugin of another world.
    pub(crate) fn wrong_kind(&self, wanted: PluginKind) -> anyhow::Error {
        anyhow::anyhow!(
            "plugin `{}` {} is of kind `{}`, but a `{wanted}` plugin is needed here: choose a {wanted} plugin",
            self.name(),
            self.version(),
            self.kind()
        )
    }

    fn adopt_description(&mut self, info: types::PluginInfo) -> anyhow::Result<()> {
        let declared = PluginKind::from(info.kind);
        if declared != self.inspection.kind {
            anyhow::bail!(
                "plugin `{}` says it is a {declared} plugin, but the component implements the {} world: fix `describe()`",
                info.name,
                self.inspection.kind
            );
        }
        check_name(&info.name)?;
        if info.version.trim().is_empty() {
            anyhow::bail!(
                "plugin `{}` describes itself with an empty version: set `version` in `describe()`",
                info.name
            );
        }
        self.label = Arc::from(format!("{} {}", info.name, info.version));
        self.inspection.name = info.name;
        self.inspection.version = info.version;
        self.inspection.summary = info.summary;
        self.inspection.config_keys = info
            .config_keys
            .into_iter()
            .map(|k| ConfigKeyInfo {
                name: k.name,
                doc: k.doc,
                required: k.required,
                default_value: k.default_value,
            })
            .collect();
        Ok(())
    }

    /// The admin's configuration must use only keys the plugin declares, and set the required ones.
    fn check_settings(&self) -> anyhow::Result<()> {
        let keys = &self.inspection.config_keys;
        for given in self.settings.config.keys() {
            if !keys.iter().any(|k| &k.name == given) {
                let known: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
                anyhow::bail!(
                    "plugin `{}` {} has no setting `{given}`; its settings are: {}",
                    self.name(),
                    self.version(),
                    if known.is_empty() {
                        "(none)".to_string()
                    } else {
                        known.join(", ")
                    }
                );
            }
        }
        for key in keys.iter().filter(|k| k.required) {
            if !self.settings.config.contains_key(&key.name) {
                anyhow::bail!(
                    "plugin `{}` {} needs the setting `{}` ({}); set it in the plugin's configuration",
                    self.name(),
                    self.version(),
                    key.name,
                    key.doc
                );
            }
        }
        Ok(())
    }
}
