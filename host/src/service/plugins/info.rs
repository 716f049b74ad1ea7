//! What the registry shows and lends: plugin descriptions, upload outcomes, settings changes, leases.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::runtime::{Limits, Plugin, PluginSettings};
use crate::store::StoredPlugin;

/// An installed plugin as the API and the CLI show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    /// `importer`, `retention-rule` or `exporter`.
    pub kind: String,
    /// SHA-256 of the component.
    pub digest: String,
    pub size_bytes: usize,
    pub enabled: bool,
    /// Shipped inside the binary rather than uploaded.
    pub bundled: bool,
    pub settings: PluginSettings,
    pub installed_at: Timestamp,
    pub updated_at: Timestamp,
    /// Why an enabled plugin could not be loaded at start (it is unavailable until fixed).
    pub load_error: Option<String>,
}

/// The result of an upload: what is installed now, and whether the upload changed anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Installed {
    /// `installed`, `upgraded` or `unchanged` (the same component was already installed).
    pub outcome: String,
    pub plugin: PluginInfo,
}

/// A change of settings: the parts given replace the current ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    /// `{"deadline_ms": 5000, "memory_bytes": 67108864}`
    pub limits: Option<Limits>,
    /// Values for the keys the plugin lists in `describe()`, e.g. `{"delimiter": ";"}`.
    pub config: Option<BTreeMap<String, String>>,
}

/// A plugin lent to a job: the registry refuses to delete it while a lease is alive.
pub struct PluginLease {
    pub plugin: Arc<Plugin>,
    pub(super) registry_in_use: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for PluginLease {
    fn drop(&mut self) {
        let mut in_use = self
            .registry_in_use
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = in_use.get_mut(self.plugin.name()) {
            *n -= 1;
            if *n == 0 {
                in_use.remove(self.plugin.name());
            }
        }
    }
}

pub(super) fn settings_of(stored: &StoredPlugin, defaults: Limits) -> PluginSettings {
    serde_json::from_value(stored.settings.clone()).unwrap_or(PluginSettings {
        limits: defaults,
        config: BTreeMap::new(),
    })
}

pub(super) fn info_of(
    stored: &StoredPlugin,
    settings: PluginSettings,
    load_error: Option<String>,
) -> PluginInfo {
    PluginInfo {
        name: stored.name.clone(),
        version: stored.version.clone(),
        kind: stored.kind.clone(),
        digest: stored.digest.clone(),
        size_bytes: stored.component.len(),
        enabled: stored.enabled,
        bundled: stored.bundled,
        settings,
        installed_at: stored.installed_at,
        updated_at: stored.updated_at,
        load_error,
    }
}
