//! The plugin registry: installed plugins persisted in the store, the enabled ones loaded and held
//! in memory. Upload, enable, configure and disable take effect at once, without a restart: the map of
//! loaded plugins is replaced as a whole, so a request sees either the old or the new set, and a job
//! that started with a plugin keeps its `Arc` until it ends.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

mod info;
mod replace;

use info::{info_of, settings_of};
pub use info::{Installed, PluginInfo, PluginLease, SettingsChange};
use replace::check_replacement;

use super::{Error, Result};
use crate::domain::{Actor, Timestamp};
use crate::runtime::{Inspection, Limits, LoadError, Plugin, PluginKind, PluginSettings, Runtime};
use crate::store::{ComplianceStore, NextStep, StoredPlugin};

struct Entry {
    info: PluginInfo,
    loaded: Option<Arc<Plugin>>,
}

pub struct PluginRegistry {
    store: Arc<dyn ComplianceStore>,
    runtime: Arc<Runtime>,
    defaults: Limits,
    entries: RwLock<Arc<BTreeMap<String, Entry>>>,
    in_use: Arc<Mutex<HashMap<String, usize>>>,
    /// Changes are made one at a time (load, store, swap), so two admins cannot interleave.
    changes: Mutex<()>,
    loaded_version: AtomicI64,
}

/// A component the runtime refused, as an input error naming the problem and the fix.
fn rejected(e: LoadError) -> Error {
    Error::invalid("plugin", e.to_string())
}

fn not_installed(name: &str) -> Error {
    Error::not_found_then(
        format!("plugin `{name}`"),
        "list the installed plugins, or install it",
        NextStep::ListPlugins,
    )
}

impl PluginRegistry {
    /// Opens the registry: installs bundled plugins this installation has not seen (enabled), upgrades
    /// installed bundled plugins whose embedded bytes changed, and loads every enabled plugin.
    pub fn open(
        store: Arc<dyn ComplianceStore>,
        runtime: Arc<Runtime>,
        defaults: Limits,
    ) -> Result<Self> {
        let registry = PluginRegistry {
            store,
            runtime,
            defaults,
            entries: RwLock::new(Arc::new(BTreeMap::new())),
            in_use: Arc::new(Mutex::new(HashMap::new())),
            changes: Mutex::new(()),
            loaded_version: AtomicI64::new(-1),
        };
        registry.install_bundled()?;
        registry.reload()?;
        Ok(registry)
    }

    fn install_bundled(&self) -> Result<()> {
        let actor = Actor::system();
        for bundled in crate::bundled::BUNDLED {
            let digest = crate::runtime::cache::digest(bundled.bytes);
            if self.store.bundled_seen(&digest)? {
                continue;
            }
            let inspection = Plugin::inspect(&self.runtime, bundled.bytes).map_err(|e| {
                Error::Setup(format!(
                    "the bundled plugin `{}` does not load: {e:#}",
                    bundled.file
                ))
            })?;
            let existing = self.store.plugin(&inspection.name)?;
            // An uploaded plugin of the same name is the admin's choice: leave it alone.
            if existing.as_ref().is_some_and(|p| !p.bundled) {
                continue;
            }
            let now = Timestamp::now();
            let (settings, enabled, installed_at, action) = match &existing {
                Some(old) => (
                    old.settings.clone(),
                    old.enabled,
                    old.installed_at,
                    "plugin.upgrade",
                ),
                None => (
                    serde_json::to_value(PluginSettings {
                        limits: self.defaults,
                        config: BTreeMap::new(),
                    })
                    .expect("settings serialise"),
                    true,
                    now,
                    "plugin.install",
                ),
            };
            let stored = StoredPlugin {
                name: inspection.name.clone(),
                version: inspection.version.clone(),
                kind: inspection.kind.as_str().to_string(),
                digest,
                component: bundled.bytes.to_vec(),
                enabled,
                settings,
                bundled: true,
                installed_at,
                updated_at: now,
            };
            self.store.save_plugin(&actor, &stored, action)?;
        }
        Ok(())
    }

    /// Rebuilds the in-memory map from the store, keeping already loaded plugins whose component
    /// and settings did not change.
    fn reload(&self) -> Result<()> {
        let version = self.store.admin_version()?;
        let current = self.snapshot();
        let mut next = BTreeMap::new();
        for stored in self.store.plugins()? {
            let settings = settings_of(&stored, self.defaults);
            let (loaded, error) = if !stored.enabled {
                (None, None)
            } else {
                match current.get(&stored.name).and_then(|e| e.loaded.clone()) {
                    Some(p) if p.digest() == stored.digest && *p.settings() == settings => {
                        (Some(p), None)
                    }
                    _ => match Plugin::load(&self.runtime, &stored.component, settings.clone()) {
                        Ok(p) => (Some(Arc::new(p)), None),
                        Err(e) => {
                            tracing::error!(plugin = %stored.name, error = %format!("{e:#}"), "an enabled plugin does not load; it is unavailable");
                            (None, Some(format!("{e:#}")))
                        }
                    },
                }
            };
            let info = info_of(&stored, settings, error);
            next.insert(stored.name.clone(), Entry { info, loaded });
        }
        *self.entries.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        self.loaded_version.store(version, Ordering::Release);
        Ok(())
    }

    /// Reloads if another process (a CLI) changed the plugins.
    pub fn refresh(&self) -> Result<()> {
        if self.store.admin_version()? != self.loaded_version.load(Ordering::Acquire) {
            let _one_at_a_time = self.changes.lock().unwrap_or_else(|p| p.into_inner());
            self.reload()?;
        }
        Ok(())
    }

    fn snapshot(&self) -> Arc<BTreeMap<String, Entry>> {
        self.entries
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn list(&self) -> Vec<PluginInfo> {
        self.snapshot().values().map(|e| e.info.clone()).collect()
    }

    pub fn info(&self, name: &str) -> Result<PluginInfo> {
        self.snapshot()
            .get(name)
            .map(|e| e.info.clone())
            .ok_or_else(|| not_installed(name))
    }

    /// What the plugin says about itself and what the component imports and exports.
    pub fn inspect(&self, name: &str) -> Result<Inspection> {
        if let Some(p) = self.snapshot().get(name).and_then(|e| e.loaded.clone()) {
            return Ok(p.inspection().clone());
        }
        let stored = self.stored(name)?;
        Plugin::inspect(&self.runtime, &stored.component).map_err(rejected)
    }

    fn stored(&self, name: &str) -> Result<StoredPlugin> {
        self.store.plugin(name)?.ok_or_else(|| not_installed(name))
    }

    /// Lends the enabled plugin `name` of `kind` to a job.
    pub fn lease(&self, name: &str, kind: PluginKind) -> Result<PluginLease> {
        let snapshot = self.snapshot();
        let entry = snapshot.get(name).ok_or_else(|| not_installed(name))?;
        let Some(plugin) = entry.loaded.clone() else {
            return Err(match &entry.info.load_error {
                Some(e) => Error::Blocked {
                    message: format!(
                        "plugin `{name}` is enabled but does not load: {e}; fix its settings"
                    ),
                    next: NextStep::ConfigurePlugin(name.to_string()),
                },
                None => Error::Blocked {
                    message: format!("plugin `{name}` is disabled: enable it"),
                    next: NextStep::EnablePlugin(name.to_string()),
                },
            });
        };
        if plugin.kind() != kind {
            return Err(Error::invalid(
                "plugin",
                format!(
                    "plugin `{name}` is of kind `{}`, but {} plugin is needed here",
                    plugin.kind(),
                    kind.with_article()
                ),
            ));
        }
        *self
            .in_use
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(name.to_string())
            .or_default() += 1;
        Ok(PluginLease {
            plugin,
            registry_in_use: self.in_use.clone(),
        })
    }

    /// Installs an uploaded component (disabled), upgrades the installed plugin of the same name, or
    /// does nothing when the same component is installed already.
    ///
    /// A component whose name is already installed replaces that plugin only when `replace`
    /// names it: an upload never silently swaps a plugin the admin relies on. A plugin never
    /// changes its kind.
    pub fn install(&self, actor: &Actor, bytes: &[u8], replace: Option<&str>) -> Result<Installed> {
        let inspection = Plugin::inspect(&self.runtime, bytes).map_err(rejected)?;
        let _one_at_a_time = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        let existing = self.store.plugin(&inspection.name)?;
        if let Some(old) = existing.as_ref().filter(|p| p.digest == inspection.digest) {
            return Ok(Installed {
                outcome: "unchanged".into(),
                plugin: self.info(&old.name)?,
            });
        }
        check_replacement(&inspection, existing.as_ref(), replace)?;
        let now = Timestamp::now();
        let (stored, outcome) = match existing {
            Some(old) => {
                let settings = settings_of(&old, self.defaults);
                if old.enabled {
                    // The new version replaces the running one at once, so it must work with the settings.
                    Plugin::load_checked(&self.runtime, bytes, settings).map_err(|e| Error::Blocked {
                        message: format!(
                            "plugin `{}` {} does not accept the current settings of the installed version: {e}; disable it first, upload, then configure and enable it",
                            inspection.name, inspection.version
                        ),
                        next: NextStep::DisablePlugin(inspection.name.clone()),
                    })?;
                }
                let stored = StoredPlugin {
                    version: inspection.version.clone(),
                    kind: inspection.kind.as_str().to_string(),
                    digest: inspection.digest.clone(),
                    component: bytes.to_vec(),
                    bundled: false,
                    updated_at: now,
                    ..old
                };
                (stored, "upgraded")
            }
            None => {
                let settings = PluginSettings {
                    limits: self.defaults,
                    config: BTreeMap::new(),
                };
                let stored = StoredPlugin {
                    name: inspection.name.clone(),
                    version: inspection.version.clone(),
                    kind: inspection.kind.as_str().to_string(),
                    digest: inspection.digest.clone(),
                    component: bytes.to_vec(),
                    enabled: false,
                    settings: serde_json::to_value(settings).expect("settings serialise"),
                    bundled: false,
                    installed_at: now,
                    updated_at: now,
                };
                (stored, "installed")
            }
        };
        let action = if outcome == "installed" {
            "plugin.install"
        } else {
            "plugin.upgrade"
        };
        self.store.save_plugin(actor, &stored, action)?;
        self.reload()?;
        Ok(Installed {
            outcome: outcome.into(),
            plugin: self.info(&stored.name)?,
        })
    }

    /// Enables (loads, checking its settings) or disables a plugin.
    pub fn set_enabled(&self, actor: &Actor, name: &str, enabled: bool) -> Result<PluginInfo> {
        let _one_at_a_time = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        let mut stored = self.stored(name)?;
        if stored.enabled == enabled {
            return self.info(name);
        }
        if enabled {
            Plugin::load_checked(
                &self.runtime,
                &stored.component,
                settings_of(&stored, self.defaults),
            )
            .map_err(|e| {
                Error::invalid(
                    "settings",
                    format!("{e}; configure the plugin, then enable it"),
                )
            })?;
        }
        stored.enabled = enabled;
        stored.updated_at = Timestamp::now();
        let action = if enabled {
            "plugin.enable"
        } else {
            "plugin.disable"
        };
        self.store.save_plugin(actor, &stored, action)?;
        self.reload()?;
        self.info(name)
    }

    /// Changes a plugin's limits and configuration, checked by loading the plugin with them.
    pub fn configure(
        &self,
        actor: &Actor,
        name: &str,
        change: &SettingsChange,
    ) -> Result<PluginInfo> {
        let _one_at_a_time = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        let mut stored = self.stored(name)?;
        let mut settings = settings_of(&stored, self.defaults);
        if let Some(limits) = change.limits {
            settings.limits = limits;
        }
        if let Some(config) = &change.config {
            settings.config = config.clone();
        }
        Plugin::load_checked(&self.runtime, &stored.component, settings.clone())
            .map_err(|e| Error::invalid("settings", format!("{e:#}")))?;
        stored.settings = serde_json::to_value(&settings).expect("settings serialise");
        stored.updated_at = Timestamp::now();
        self.store.save_plugin(actor, &stored, "plugin.configure")?;
        self.reload()?;
        self.info(name)
    }

    /// Deletes a disabled plugin no job is using.
    pub fn delete(&self, actor: &Actor, name: &str) -> Result<()> {
        let _one_at_a_time = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        let stored = self.stored(name)?;
        if stored.enabled {
            return Err(Error::Blocked {
                message: format!("plugin `{name}` is enabled: disable it first, then delete it"),
                next: NextStep::DisablePlugin(name.to_string()),
            });
        }
        let jobs = self
            .in_use
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .copied()
            .unwrap_or(0);
        if jobs > 0 {
            return Err(Error::Blocked {
                message: format!("plugin `{name}` is in use by {jobs} running job(s): wait for them to finish, then delete it"),
                next: NextStep::ListImports,
            });
        }
        self.store.delete_plugin(actor, name)?;
        self.reload()
    }
}
