//! Installed plugins and API tokens in SQLite (schema v2).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;

use super::rows::{now, ts, AuditDraft};
use super::SqliteStore;
use crate::domain::{Actor, Role, Timestamp};
use crate::store::error::{DbContext, NextStep, StoreError};
use crate::store::{ActiveToken, PluginStore, Result, StoredPlugin, TokenInfo, TokenStore};

const PLUGIN_COLUMNS: &str =
    "name, version, kind, digest, component, enabled, settings, bundled, installed_at, updated_at";

fn plugin_row(r: &Row<'_>) -> rusqlite::Result<StoredPlugin> {
    let settings: String = r.get(6)?;
    Ok(StoredPlugin {
        name: r.get(0)?,
        version: r.get(1)?,
        kind: r.get(2)?,
        digest: r.get(3)?,
        component: r.get(4)?,
        enabled: r.get(5)?,
        settings: serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
        bundled: r.get(7)?,
        installed_at: Timestamp(r.get(8)?),
        updated_at: Timestamp(r.get(9)?),
    })
}

/// Bumps the counter servers watch to notice changes made by another process.
fn bump_admin_version(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('admin_version', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [],
    )
    .map(drop)
    .db("cannot record the administration change")
}

impl PluginStore for SqliteStore {
    fn plugins(&self) -> Result<Vec<StoredPlugin>> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {PLUGIN_COLUMNS} FROM plugins ORDER BY name"
            ))
            .db("cannot read the installed plugins")?;
        let rows = stmt
            .query_map([], plugin_row)
            .db("cannot read the installed plugins")?;
        rows.collect::<Result<Vec<_>, _>>()
            .db("cannot read the installed plugins")
    }

    fn plugin(&self, name: &str) -> Result<Option<StoredPlugin>> {
        let conn = self.reader()?;
        conn.query_row(
            &format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE name = ?1"),
            [name],
            plugin_row,
        )
        .optional()
        .db("cannot read the installed plugin")
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
                .query_row(
                    "SELECT version, digest FROM plugins WHERE name = ?1",
                    [&plugin.name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .db("cannot read the installed plugin")?;
            tx.execute(
                &format!(
                    "INSERT OR REPLACE INTO plugins ({PLUGIN_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    plugin.name,
                    plugin.version,
                    plugin.kind,
                    plugin.digest,
                    plugin.component,
                    plugin.enabled,
                    plugin.settings.to_string(),
                    plugin.bundled,
                    plugin.installed_at.0,
                    plugin.updated_at.0,
                ],
            )
            .db("cannot save the plugin")?;
            if plugin.bundled {
                tx.execute(
                    "INSERT OR IGNORE INTO bundled_plugins_seen (digest, name, at) VALUES (?1, ?2, ?3)",
                    params![plugin.digest, plugin.name, now().0],
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
                .query_row("SELECT digest FROM plugins WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()
                .db("cannot read the installed plugin")?;
            let Some(digest) = digest else {
                return Err(StoreError::not_found(format!("plugin `{name}`")));
            };
            tx.execute("DELETE FROM plugins WHERE name = ?1", [name])
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
        let conn = self.reader()?;
        conn.query_row(
            "SELECT 1 FROM bundled_plugins_seen WHERE digest = ?1",
            [digest],
            |_| Ok(()),
        )
        .optional()
        .map(|r| r.is_some())
        .db("cannot read the bundled plugins")
    }

    fn admin_version(&self) -> Result<i64> {
        let conn = self.reader()?;
        conn.prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'admin_version'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
            .map(|v| v.unwrap_or(0))
            .db("cannot read the administration version")
    }
}

fn role_of(code: i64) -> rusqlite::Result<Role> {
    Role::from_code(code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Integer,
            format!("unknown role code {code}").into(),
        )
    })
}

impl TokenStore for SqliteStore {
    fn create_token(&self, actor: &Actor, name: &str, role: Role, hash: &[u8; 32]) -> Result<()> {
        self.write(actor, |tx| {
            let taken = tx
                .query_row("SELECT 1 FROM api_tokens WHERE name = ?1", [name], |_| Ok(()))
                .optional()
                .db("cannot read the tokens")?
                .is_some();
            if taken {
                return Err(StoreError::Conflict(format!(
                    "a token named `{name}` exists or existed (names are the actors of the audit log and are never reused): choose another name"
                )));
            }
            tx.execute(
                "INSERT INTO api_tokens (name, role, hash, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, role.code(), hash.as_slice(), now().0, actor.name],
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
                    "UPDATE api_tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
                    params![name, now().0],
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
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare("SELECT name, role, created_at, created_by, revoked_at FROM api_tokens ORDER BY created_at, name")
            .db("cannot read the tokens")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TokenInfo {
                    name: r.get(0)?,
                    role: role_of(r.get(1)?)?,
                    created_at: Timestamp(r.get(2)?),
                    created_by: r.get(3)?,
                    revoked_at: ts(r.get(4)?),
                })
            })
            .db("cannot read the tokens")?;
        rows.collect::<Result<Vec<_>, _>>()
            .db("cannot read the tokens")
    }

    fn active_tokens(&self) -> Result<Vec<ActiveToken>> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare("SELECT hash, name, role FROM api_tokens WHERE revoked_at IS NULL")
            .db("cannot read the tokens")?;
        let rows = stmt
            .query_map([], |r| {
                let hash: Vec<u8> = r.get(0)?;
                Ok((hash, r.get::<_, String>(1)?, role_of(r.get(2)?)?))
            })
            .db("cannot read the tokens")?;
        let mut out = Vec::new();
        for row in rows {
            let (hash, name, role) = row.db("cannot read the tokens")?;
            // A hash of the wrong length cannot match any token: skip it rather than fail every login.
            if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
                out.push(ActiveToken { hash, name, role });
            }
        }
        Ok(out)
    }
}
