//! Loading a plugin: checks that the bytes are a component of a world and API version this host
//! supports, that it imports nothing Custode does not give, and asks the plugin to describe itself.

use super::cache::{self, CodeSource};
use super::engine::{deadline_ticks, epoch_check, Runtime, CHECK_TICKS};
use super::error::{classify, Failure, LoadError, PluginError, StartError};
use super::info::{ConfigKeyInfo, Description, PluginKind};
use super::limits;
use super::slots::{Slots, MAX_INSTANCES_PER_PLUGIN, SLOT_WAIT};
use super::state::PluginState;
use super::validate::{check_is_component, check_name, newer_api_fix, Surface};
use super::wit;
use super::Limits;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::Store;

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

/// A loaded, validated plugin, ready to be instantiated cheaply for each job.
pub struct Plugin {
    runtime: Arc<Runtime>,
    inspection: Inspection,
    settings: PluginSettings,
    config: Arc<BTreeMap<String, String>>,
    label: Arc<str>,
    pre: wit::Pre,
    code_source: CodeSource,
    load_time: Duration,
    slots: Arc<Slots>,
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
    ) -> Result<Plugin, LoadError> {
        let plugin = Self::load_unconfigured(runtime, bytes, settings)?;
        plugin.check_settings()?;
        plugin.check_config()?;
        Ok(plugin)
    }

    /// Loads and describes a component without checking its configuration: for inspecting a
    /// plugin before it is installed and configured.
    pub fn inspect(runtime: &Arc<Runtime>, bytes: &[u8]) -> Result<Inspection, LoadError> {
        Ok(Self::load_unconfigured(runtime, bytes, PluginSettings::default())?.inspection)
    }

    /// What can be read of a component whether or not it is accepted: its imports and exports
    /// (it is compiled, not cached, and none of its code runs). For showing what a refused
    /// component asks for next to the reason it is refused.
    pub fn surface(runtime: &Arc<Runtime>, bytes: &[u8]) -> Result<Surface, LoadError> {
        check_is_component(bytes)?;
        let component = Component::new(runtime.engine(), bytes).map_err(not_compiled)?;
        Ok(Surface::of(&component, runtime.engine()))
    }

    fn load_unconfigured(
        runtime: &Arc<Runtime>,
        bytes: &[u8],
        settings: PluginSettings,
    ) -> Result<Plugin, LoadError> {
        let started = Instant::now();
        settings
            .limits
            .validate()
            .map_err(|e| LoadError::Settings(e.to_string()))?;
        check_is_component(bytes)?;
        let digest = cache::digest(bytes);
        let engine = runtime.engine();
        let cached = runtime
            .cache()
            .and_then(|cache| cache.load(engine, &digest));
        let (component, code_source) = match cached {
            Some(component) => (component, CodeSource::DiskCache),
            None => (
                Component::new(engine, bytes).map_err(not_compiled)?,
                CodeSource::Compiled,
            ),
        };

        let surface = Surface::of(&component, engine);
        // The API version is read here, before any code runs; every call then goes through the
        // bindings of that version.
        let (kind, api_version, api) = surface.world()?;
        surface.check_imports()?;
        let uses_wasi = surface.imports.iter().any(|i| i.starts_with("wasi:"));

        let not_linked = |e: wasmtime::Error| {
            LoadError::Refused(format!(
                "the component cannot be linked: {e:#}; if it was built with a newer SDK, {}",
                newer_api_fix(api)
            ))
        };
        let instance_pre = runtime
            .linker()
            .instantiate_pre(&component)
            .map_err(not_linked)?;
        let pre = wit::Pre::new(api, kind, instance_pre).map_err(not_linked)?;

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
            slots: Arc::default(),
        };
        let description = plugin.describe()?;
        plugin.adopt_description(description)?;
        // Stored only now: a component refused above (world, imports, linking, `describe()`)
        // leaves nothing in the cache.
        if code_source == CodeSource::Compiled {
            if let Some(cache) = runtime.cache() {
                // The cache only saves time: the plugin works without it.
                if let Err(e) = cache.store(&plugin.inspection.digest, &component) {
                    tracing::warn!(dir = %cache.dir().display(), error = %e, "cannot store compiled plugin code; it will be compiled again at the next start");
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

    /// A fresh store for one job, with this plugin's memory limit, configuration and deadline,
    /// holding one of the plugin's slots in the pool (waiting up to [`SLOT_WAIT`] for one).
    pub(crate) fn new_store(&self) -> Result<Store<PluginState>, PluginError> {
        let slot = self
            .slots
            .take(MAX_INSTANCES_PER_PLUGIN, SLOT_WAIT)
            .map_err(|running| {
                self.error(
                    "instantiate",
                    Failure::Busy {
                        running,
                        waited: SLOT_WAIT,
                    },
                )
            })?;
        let state = PluginState::new(
            self.label.clone(),
            self.config.clone(),
            self.settings.limits.memory_bytes,
            Some(slot),
        );
        let mut store = Store::new(self.runtime.engine(), state);
        store.limiter(|state| &mut state.limiter);
        let stopping = self.runtime.stopping();
        store.epoch_deadline_callback(move |store| epoch_check(&stopping, store.data().call_ends));
        Ok(store)
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
        store.data_mut().call_ends = Some(Instant::now() + deadline);
        store.set_epoch_deadline(deadline_ticks(deadline).min(CHECK_TICKS));
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
        let mut store = self.new_store()?;
        self.start(&mut store).map(drop)
    }

    /// A fresh instance in `store`, with the deadline armed.
    pub(crate) fn start(
        &self,
        store: &mut Store<PluginState>,
    ) -> Result<wit::Instance, PluginError> {
        self.instantiate(store, |s| self.pre.instantiate(s))
    }

    /// Instantiates and calls `describe()`.
    fn describe(&self) -> Result<Description, PluginError> {
        let mut store = self.new_store()?;
        let instance = self.start(&mut store)?;
        self.call(&mut store, "describe", |s| instance.describe(s))
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

    /// Refuses a job that needs a plugin of another world.
    pub(crate) fn expect_kind(&self, wanted: PluginKind) -> Result<(), StartError> {
        if self.kind() == wanted {
            return Ok(());
        }
        Err(StartError::WrongKind {
            plugin: self.name().to_string(),
            version: self.version().to_string(),
            kind: self.kind(),
            wanted,
        })
    }

    fn adopt_description(&mut self, info: Description) -> Result<(), LoadError> {
        // The name first: every message below quotes it.
        check_name(&info.name)?;
        check_description_caps(&info)?;
        if info.kind != self.inspection.kind {
            return Err(LoadError::Description(format!(
                "plugin `{}` says it is {} plugin, but the component implements the {} world: fix `describe()`",
                info.name,
                info.kind.with_article(),
                self.inspection.kind
            )));
        }
        if info.version.trim().is_empty() {
            return Err(LoadError::Description(format!(
                "plugin `{}` describes itself with an empty version: set `version` in `describe()`",
                info.name
            )));
        }
        self.label = Arc::from(format!("{} {}", info.name, info.version));
        self.inspection.name = info.name;
        self.inspection.version = info.version;
        self.inspection.summary = info.summary;
        self.inspection.config_keys = info.config_keys;
        Ok(())
    }

    /// The plugin's own check of the values of its settings (`check-config`, plugin API 0.2 on),
    /// run on a fresh instance that sees them through `host.config`, as a job would.
    fn check_config(&self) -> Result<(), LoadError> {
        if !self.pre.checks_config() {
            return Ok(());
        }
        let mut store = self.new_store()?;
        let instance = self.start(&mut store)?;
        let checked = self.call(&mut store, "check-config", |s| instance.check_config(s))?;
        let problems = match checked {
            Ok(()) => return Ok(()),
            Err(problems) => problems,
        };
        // The message goes to the admin and the log: a plugin's words are bounded here.
        let mut list: Vec<String> = problems
            .iter()
            .take(MAX_PROBLEMS_SHOWN)
            .map(|p| {
                format!(
                    "`{}`: {}",
                    bounded(&p.key, 100),
                    bounded(&p.message, MAX_PROBLEM_CHARS)
                )
            })
            .collect();
        if problems.len() > MAX_PROBLEMS_SHOWN {
            list.push(format!("and {} more", problems.len() - MAX_PROBLEMS_SHOWN));
        }
        let list = if list.is_empty() {
            // A refusal without a reason still refuses; say so rather than print nothing.
            "it gave no reason".to_string()
        } else {
            list.join("; ")
        };
        Err(LoadError::Settings(format!(
            "plugin `{}` {} refuses these settings: {list}; change them in the plugin's configuration",
            self.name(),
            self.version(),
        )))
    }

    /// The admin's configuration must use only keys the plugin declares, and set the required ones.
    fn check_settings(&self) -> Result<(), LoadError> {
        let keys = &self.inspection.config_keys;
        for given in self.settings.config.keys() {
            if !keys.iter().any(|k| &k.name == given) {
                let known: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
                return Err(LoadError::Settings(format!(
                    "plugin `{}` {} has no setting `{given}`; its settings are: {}",
                    self.name(),
                    self.version(),
                    if known.is_empty() {
                        "(none)".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        for key in keys.iter().filter(|k| k.required) {
            if !self.settings.config.contains_key(&key.name) {
                return Err(LoadError::Settings(format!(
                    "plugin `{}` {} needs the setting `{}` ({}); set it in the plugin's configuration",
                    self.name(),
                    self.version(),
                    key.name,
                    key.doc
                )));
            }
        }
        Ok(())
    }
}

/// How many of the problems `check-config` reports are shown, and how long each message may be.
const MAX_PROBLEMS_SHOWN: usize = 10;
const MAX_PROBLEM_CHARS: usize = 500;

/// `text` cut to `max` characters, with an ellipsis when cut.
fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// What `describe()` returns is shown by the admin API and the CLI and kept with the plugin: each
/// string and the list of config keys has a cap.
fn check_description_caps(info: &Description) -> Result<(), LoadError> {
    let refuse = |failure: Failure| {
        LoadError::Description(format!(
            "plugin `{}` describes itself with text too long: it {failure}; shorten it in `describe()`",
            info.name
        ))
    };
    if info.config_keys.len() > limits::MAX_CONFIG_KEYS {
        return Err(LoadError::Description(format!(
            "plugin `{}` declares {} config keys in `describe()`; the cap is {}: declare fewer",
            info.name,
            info.config_keys.len(),
            limits::MAX_CONFIG_KEYS
        )));
    }
    limits::VERSION.check_line(&info.version).map_err(refuse)?;
    limits::SUMMARY.check(&info.summary).map_err(refuse)?;
    for key in &info.config_keys {
        limits::CONFIG_KEY_NAME
            .check_line(&key.name)
            .map_err(refuse)?;
        limits::CONFIG_KEY_DOC.check(&key.doc).map_err(refuse)?;
        if let Some(default) = &key.default_value {
            limits::CONFIG_KEY_DEFAULT.check(default).map_err(refuse)?;
        }
    }
    Ok(())
}

fn not_compiled(e: wasmtime::Error) -> LoadError {
    LoadError::Refused(format!("the component could not be compiled: {e:#}"))
}
