//! Installed plugins and API tokens on PostgreSQL (the twin of `sqlite/admin.rs`).

use postgres::{Row, Transaction};
use serde_json::json;

use super::PostgresStore;
use crate::domain::{Actor, Role, Timestamp};
use crate::store::common::AuditDraft;
use crate::store::error::{DbContext, NextStep, StoreError};
use crate::store::{ActiveToken, PluginStore, Result, StoredPlugin, TokenInfo, TokenStore};

const PLUGIN_COLUMNS: &str =
    "name, version, kind, digest, component, enabled, settings, bundled, installed_at, updated_at";

fn plugin_row(r: &Row) -> StoredPlugin {
    let settings: String = r.get(6);
    StoredPlugin {
        name: r.get(0),
        version: r.get(1),
        kind: r.get(2),
        digest: r.get(3),
        component: r.get(4),
        enabled: r.get::<_, i64>(5) != 0,
        settings: serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
        bundled: r.get::<_, i64>(7) != 0,
        installed_at: Timestamp(r.get(8)),
        updated_at: Timestamp(r.get(9)),
    }
}

/// Bumps the counter servers watch to notice changes made by another process (or server).
fn bump_admin_version(tx: &mut Transaction<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('admin_version', '1')
         ON CONFLICT (key) DO UPDATE SET value = (CAST(meta.value AS BIGINT) + 1)::TEXT",
        &[],
    )
    .map(drop)
    .db("cannot record the administration change")
}

impl PluginStore for PostgresStore {
    fn plugins(&self) -> Result<Vec<StoredPlugin>> {
        let rows = self
            .conn()?
            .query(
                &format!("SELECT {PLUGIN_COLUMNS} FROM plugins ORDER BY name"),
                &[],
            )
            .db("cannot read the installed plugins")?;
        Ok(rows.iter().map(plugin_row).collect())
    }

    fn plugin(&self, name: &str) -> Result<Option<StoredPlugin>> {
        let row = self
            .conn()?
            .query_opt(
                &format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE name = $1"),
                &[&name],
            )
            .db("cannot read the installed plugin")?;
        Ok(row.as_ref().map(plugin_row))
    }

    fn save_plugin(
        &self,
        actor: &Actor,
        plugin: &StoredPlugin,
        action: &'static str,
    ) -> Result<()> {
        self.write(actor, |tx| {
            // A replaced component is named in the audit entry with the new one.
            let previous: Option<(String, String)> = tx
                .query_opt(
                    "SELECT version, digest FROM plugins WHERE name = $1",
                    &[&plugin.name],
                )
                .db("cannot read the installed plugin")?
                .map(|r| (r.get(0), r.get(1)));
            tx.execute(
                &format!(
                    "INSERT INTO plugins ({PLUGIN_COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (name) DO UPDATE SET version = excluded.version,
                         kind = excluded.kind, digest = excluded.digest,
                         component = excluded.component, enabled = excluded.enabled,
                         settings = excluded.settings, bundled = excluded.bundled,
                         installed_at = excluded.installed_at, updated_at = excluded.updated_at"
                ),
                &[
                    &plugin.name,
                    &plugin.version,
                    &plugin.kind,
                    &plugin.digest,
                    &plugin.component,
                    &i64::from(plugin.enabled),
                    &plugin.settings.to_string(),
                    &i64::from(plugin.bundled),
                    &plugin.installed_at.0,
                    &plugin.updated_at.0,
                ],
            )
            .db("cannot save the plugin")?;
            if plugin.bundled {
                tx.execute(
                    "INSERT INTO bundled_plugins_seen (digest, name, at) VALUES ($1, $2, $3)
                     ON CONFLICT (digest) DO NOTHING",
                    &[&plugin.digest, &plugin.name, &Timestamp::now().0],
                )
                .db("cannot record the bundled plugin")?;
            }
            bump_admin_version(tx)?;
            let mut details = json!({
                "version": plugin.version,
                "kind": plugin.kind,
                "digest": plugin.digest,
                "enabled": plugin.enabled,
                "settings": plugin.settings,
            });
            if let Some((version, digest)) = previous.filter(|(_, d)| *d != plugin.digest) {
                details["replaced"] = json!({"version": version, "digest": digest});
            }
            Ok((
                (),
                AuditDraft::new(action, format!("plugin:{}", plugin.name), details),
            ))
        })
    }

    fn delete_plugin(&self, actor: &Actor, name: &str) -> Result<()> {
        self.write(actor, |tx| {
            let digest: Option<String> = tx
                .query_opt("SELECT digest FROM plugins WHERE name = $1", &[&name])
                .db("cannot read the installed plugin")?
                .map(|r| r.get(0));
            let Some(digest) = digest else {
                return Err(StoreError::not_found(format!("plugin `{name}`")));
            };
            tx.execute("DELETE FROM plugins WHERE name = $1", &[&name])
                .db("cannot delete the plugin")?;
            bump_admin_version(tx)?;
            Ok((
                (),
                AuditDraft::new(
                    "plugin.delete",
                    format!("plugin:{name}"),
                    json!({ "digest": digest }),
                ),
            ))
        })
    }

    fn bundled_seen(&self, digest: &str) -> Result<bool> {
        self.conn()?
            .query_opt(
                "SELECT 1 FROM bundled_plugins_seen WHERE digest = $1",
                &[&digest],
            )
            .map(|r| r.is_some())
            .db("cannot read the bundled plugins")
    }

    fn admin_version(&self) -> Result<i64> {
        self.conn()?
            .query_opt(
                "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'admin_version'",
                &[],
            )
            .map(|r| r.map(|r| r.get(0)).unwrap_or(0))
            .db("cannot read the administration version")
    }
}

fn role_of(code: i64) -> Result<Role> {
    Role::from_code(code).ok_or_else(|| {
        StoreError::Setup(format!(
            "an API token has the unknown role code {code}: this database was written by a newer Custode; upgrade this server"
        ))
    })
}

impl TokenStore for PostgresStore {
    fn create_token(&self, actor: &Actor, name: &str, role: Role, hash: &[u8; 32]) -> Result<()> {
        self.write(actor, |tx| {
            let taken = tx
                .query_opt("SELECT 1 FROM api_tokens WHERE name = $1", &[&name])
                .db("cannot read the tokens")?
                .is_some();
            if taken {
                return Err(StoreError::Conflict(format!(
                    "a token named `{name}` exists or existed (names are the actors of the audit log and are never reused): choose another name"
                )));
            }
            tx.execute(
                "INSERT INTO api_tokens (name, role, hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
                &[&name, &role.code(), &hash.as_slice(), &Timestamp::now().0, &actor.name],
            )
            .db("cannot store the token")?;
            bump_admin_version(tx)?;
            Ok((
                (),
                AuditDraft::new(
                    "token.create",
                    format!("token:{name}"),
                    json!({ "role": role.as_str() }),
                ),
            ))
        })
    }

    fn revoke_token(&self, actor: &Actor, name: &str) -> Result<()> {
        self.write(actor, |tx| {
            let changed = tx
                .execute(
                    "UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
                    &[&name, &Timestamp::now().0],
                )
                .db("cannot revoke the token")?;
            if changed == 0 {
                return Err(StoreError::not_found_then(
                    format!("an active token named `{name}`"),
                    "list the tokens to see their names",
                    NextStep::ListTokens,
                ));
            }
            bump_admin_version(tx)?;
            Ok((
                (),
                AuditDraft::new("token.revoke", format!("token:{name}"), json!({})),
            ))
        })
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = self
            .conn()?
            .query(
                "SELECT name, role, created_at, created_by, revoked_at FROM api_tokens ORDER BY created_at, name",
                &[],
            )
            .db("cannot read the tokens")?;
        rows.iter()
            .map(|r| {
                Ok(TokenInfo {
                    name: r.get(0),
                    role: role_of(r.get(1))?,
                    created_at: Timestamp(r.get(2)),
                    created_by: r.get(3),
                    revoked_at: r.get::<_, Option<i64>>(4).map(Timestamp),
                })
            })
            .collect()
    }

    fn active_tokens(&self) -> Result<Vec<ActiveToken>> {
        let rows = self
            .conn()?
            .query(
                "SELECT hash, name, role FROM api_tokens WHERE revoked_at IS NULL",
                &[],
            )
            .db("cannot read the tokens")?;
        let mut out = Vec::new();
        for r in &rows {
            let hash: Vec<u8> = r.get(0);
            // A hash of the wrong length cannot match any token: skip it rather than fail every login.
            if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
                out.push(ActiveToken {
                    hash,
                    name: r.get(1),
                    role: role_of(r.get(2))?,
                });
            }
        }
        Ok(out)
    }
}
