//! API tokens: 256 random bits, shown once, stored only as SHA-256 hashes. Checking a token
//! is a hash-map lookup in memory (no database query per request); the map is reloaded when the
//! database says tokens changed, so a token created by a CLI beside the server works within a second.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Error, Result};
use crate::domain::{Actor, Role};
use crate::store::{ComplianceStore, TokenInfo};

/// What every token starts with, so a leaked one is recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "custode_";

/// Who a request comes from: the token's name (the audit log's actor) and its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: Arc<str>,
    pub role: Role,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor::new(self.name.to_string(), self.role)
    }
}

/// A token just created: the only moment its text exists outside the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    /// The bearer token. It is not stored and cannot be shown again.
    pub token: String,
}

pub struct Tokens {
    store: Arc<dyn ComplianceStore>,
    by_hash: RwLock<HashMap<[u8; 32], Principal>>,
    /// The store's `admin_version` when `by_hash` was loaded.
    loaded_version: AtomicI64,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Token names are audit-log actors: short, printable, no spaces.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "name",
            format!("token name `{name}` is not allowed: use 1 to 64 letters, digits, `-`, `_`, `.` or `@`, e.g. `crm-sync` or `anna.dpo`"),
        ))
    }
}

impl Tokens {
    pub fn open(store: Arc<dyn ComplianceStore>) -> Result<Self> {
        let tokens = Tokens {
            store,
            by_hash: RwLock::new(HashMap::new()),
            loaded_version: AtomicI64::new(-1),
        };
        tokens.reload()?;
        Ok(tokens)
    }

    /// Creates a token for `name` with `role`; the returned text is shown once and never stored.
    pub fn create(&self, actor: &Actor, name: &str, role: Role) -> Result<NewToken> {
        check_name(name)?;
        if role == Role::System {
            return Err(Error::invalid(
                "role",
                "`system` is Custode's own role and cannot be given to a token: use admin, dpo, operator or auditor",
            ));
        }
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
        self.store.create_token(actor, name, role, &hash(&token))?;
        self.reload()?;
        Ok(NewToken {
            name: name.to_string(),
            role,
            token,
        })
    }

    pub fn revoke(&self, actor: &Actor, name: &str) -> Result<()> {
        self.store.revoke_token(actor, name)?;
        self.reload()
    }

    pub fn list(&self) -> Result<Vec<TokenInfo>> {
        self.store.tokens()
    }

    /// Whether no token can be used (the server's first start creates an admin token then).
    pub fn none_active(&self) -> bool {
        self.by_hash
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    /// The principal a bearer token belongs to; a memory lookup.
    pub fn authenticate(&self, token: &str) -> Option<Principal> {
        let key = hash(token);
        self.by_hash
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
    }

    /// Reloads the tokens if another process changed them (cheap when nothing changed).
    pub fn refresh(&self) -> Result<()> {
        if self.store.admin_version()? != self.loaded_version.load(Ordering::Acquire) {
            self.reload()?;
        }
        Ok(())
    }

    fn reload(&self) -> Result<()> {
        let version = self.store.admin_version()?;
        let map = self
            .store
            .active_tokens()?
            .into_iter()
            .map(|t| {
                (
                    t.hash,
                    Principal {
                        name: Arc::from(t.name),
                        role: t.role,
                    },
                )
            })
            .collect();
        *self.by_hash.write().unwrap_or_else(|p| p.into_inner()) = map;
        self.loaded_version.store(version, Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Settings;
    use crate::service::Compliance;

    #[test]
    fn a_token_works_until_revoked_and_only_its_hash_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let c = Compliance::open(dir.path(), &Settings::default()).unwrap();
        let tokens = Tokens::open(c.store().clone()).unwrap();
        assert!(tokens.none_active());
        let admin = Actor::new("setup", Role::Admin);
        let new = tokens.create(&admin, "crm-sync", Role::Operator).unwrap();
        assert!(new.token.starts_with(TOKEN_PREFIX) && new.token.len() == TOKEN_PREFIX.len() + 64);
        let who = tokens.authenticate(&new.token).unwrap();
        assert_eq!((&*who.name, who.role), ("crm-sync", Role::Operator));
        assert!(tokens.authenticate("custode_wrong").is_none());
        let raw = std::fs::read(dir.path().join("custode.db")).unwrap();
        assert!(!raw
            .windows(new.token.len())
            .any(|w| w == new.token.as_bytes()));
        let again = tokens.create(&admin, "crm-sync", Role::Dpo).unwrap_err();
        assert!(matches!(again, Error::Conflict(_)), "{again}");
        tokens.revoke(&admin, "crm-sync").unwrap();
        assert!(tokens.authenticate(&new.token).is_none());
        assert!(tokens.create(&admin, "bad name", Role::Dpo).is_err());
        assert!(tokens.create(&admin, "robot", Role::System).is_err());
    }

    #[test]
    fn a_token_made_by_another_process_is_seen_after_a_refresh() {
        let dir = tempfile::tempdir().unwrap();
        let server = Compliance::open(dir.path(), &Settings::default()).unwrap();
        let server_tokens = Tokens::open(server.store().clone()).unwrap();
        let cli = Compliance::open(dir.path(), &Settings::default()).unwrap();
        let cli_tokens = Tokens::open(cli.store().clone()).unwrap();
        let new = cli_tokens
            .create(&Actor::new("cli:root", Role::Admin), "late", Role::Auditor)
            .unwrap();
        assert!(server_tokens.authenticate(&new.token).is_none());
        // The server's readers keep their snapshot for up to 50 ms.
        std::thread::sleep(std::time::Duration::from_millis(60));
        server_tokens.refresh().unwrap();
        assert_eq!(
            server_tokens.authenticate(&new.token).unwrap().role,
            Role::Auditor
        );
    }
}
