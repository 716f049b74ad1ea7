//! What the administration of a running server stores: installed plugins and API tokens. Every change
//! is audited in the same transaction, with the token's name as the actor.

use serde::{Deserialize, Serialize};

use super::Result;
use crate::domain::{Actor, Role, Timestamp};

/// An installed plugin as stored: its component, what it said about itself, and the admin's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlugin {
    pub name: String,
    pub version: String,
    /// `importer`, `retention-rule` or `exporter`.
    pub kind: String,
    /// SHA-256 (hex) of `component`.
    pub digest: String,
    pub component: Vec<u8>,
    pub enabled: bool,
    /// The JSON of `runtime::PluginSettings`.
    pub settings: serde_json::Value,
    /// Installed from the binary's bundled plugins (rather than uploaded).
    pub bundled: bool,
    pub installed_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An API token as listed: never the token itself (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenInfo {
    /// The name the audit log records as the actor.
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub created_by: String,
    pub revoked_at: Option<Timestamp>,
}

/// A token that can be used: the SHA-256 of the token, whose it is, and its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    pub hash: [u8; 32],
    pub name: String,
    pub role: Role,
}

/// Installed plugins.
pub trait PluginStore {
    /// Every installed plugin, with its component.
    fn plugins(&self) -> Result<Vec<StoredPlugin>>;
    fn plugin(&self, name: &str) -> Result<Option<StoredPlugin>>;
    /// Inserts or replaces the plugin named `plugin.name`; `action` is the audit action
    /// (`plugin.install`, `plugin.upgrade`, `plugin.enable`, …). A bundled plugin is also recorded
    /// as seen, so it is not installed again after an admin deleted it.
    fn save_plugin(&self, actor: &Actor, plugin: &StoredPlugin, action: &'static str)
        -> Result<()>;
    fn delete_plugin(&self, actor: &Actor, name: &str) -> Result<()>;
    /// Whether this bundled component (by digest) was installed here before.
    fn bundled_seen(&self, digest: &str) -> Result<bool>;
    /// A counter every plugin and token change increments: a server notices changes made by
    /// another process (a CLI run beside it) by watching it.
    fn admin_version(&self) -> Result<i64>;
}

/// API tokens.
pub trait TokenStore {
    /// Stores a new token's hash. `Conflict` when the name was ever used.
    fn create_token(&self, actor: &Actor, name: &str, role: Role, hash: &[u8; 32]) -> Result<()>;
    fn revoke_token(&self, actor: &Actor, name: &str) -> Result<()>;
    fn tokens(&self) -> Result<Vec<TokenInfo>>;
    fn active_tokens(&self) -> Result<Vec<ActiveToken>>;
}
