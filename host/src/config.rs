//! The server's configuration: `custode.toml` in the data directory (or `--config FILE`), then
//! `CUSTODE_*` environment variables (a few short names, and `CUSTODE__<SECTION>__<KEY>` for any
//! key: see `env.rs`), then command-line flags. Every key has a default, so an empty
//! or missing file is a working installation.
//!
//! ```toml
//! [server]
//! listen = "127.0.0.1:7878"
//! write_wait_secs = 10
//!
//! [plugins]
//! deadline_ms = 5000
//! memory_bytes = 67108864
//!
//! [compliance]
//! controller_name = "Rossi Forniture S.r.l."
//! data_location = "Milan, Italy (EU)"
//!
//! [access.visible_fields]
//! operator = ["first_name", "last_name", "email", "phone", "company", "role"]
//!
//! [retention]
//! schedule = "daily 02:00"
//! time_zone = "Europe/Rome"
//!
//! [retention.guard]
//! max_erasures = 1000
//! max_share = 0.05
//!
//! [store]
//! url = "postgres://custode:secret@db.internal:5432/custode"   # absent: SQLite in the data directory
//! ```

mod env;

use crate::domain::{Role, Settings};
use crate::runtime::Limits;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file looked for in the data directory when `--config` is not given.
pub const CONFIG_FILE: &str = "custode.toml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub plugins: PluginDefaults,
    /// The compliance settings: controller, data location, catalogues of purposes and fields.
    pub compliance: Settings,
    pub access: AccessConfig,
    pub retention: RetentionConfig,
    pub store: StoreConfig,
}

/// Where the data is kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// A PostgreSQL connection string, `postgres://user:password@host:5432/database`, to keep the
    /// data in PostgreSQL, where several servers can share it (also `CUSTODE_STORE_URL`). Absent:
    /// the embedded SQLite database in the data directory. Shown without its password.
    #[serde(serialize_with = "redacted_url")]
    #[schema(value_type = Option<String>, example = "postgres://custode:***@db.internal:5432/custode")]
    pub url: Option<String>,
}

impl StoreConfig {
    /// Checks that `url` is a connection string PostgreSQL's client reads.
    pub fn check(&self) -> anyhow::Result<()> {
        let Some(url) = &self.url else { return Ok(()) };
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!(
                "store.url = {:?} is not a PostgreSQL connection string: write `postgres://user:password@host:5432/database`, or remove the key to keep the data in the data directory (SQLite)",
                redact(url)
            );
        }
        url.parse::<postgres::Config>().map_err(|e| {
            anyhow::anyhow!(
                "store.url = {:?} cannot be read ({e}): write `postgres://user:password@host:5432/database`",
                redact(url)
            )
        })?;
        Ok(())
    }
}

/// The connection string without its password (`postgres://user:***@host/db`), for messages and
/// `GET /api/v1/settings`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    let tail = match tail.split_once('?') {
        Some((path, query)) if query.contains("password") => format!("{path}?***"),
        _ => tail.to_string(),
    };
    if userinfo.contains(':') {
        format!("{scheme}://{user}:***@{host}{tail}")
    } else {
        format!("{scheme}://{user}@{host}{tail}")
    }
}

fn redacted_url<S: serde::Serializer>(url: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match url {
        Some(u) => s.serialize_some(&redact(u)),
        None => s.serialize_none(),
    }
}

/// Retention runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// The blast-radius guard: a run that would erase or anonymise more than `max_erasures` subjects,
    /// or more than `max_share` (0 to 1) of the subjects it looked at (and more than 5), applies
    /// nothing and waits for a DPO's confirmation.
    pub guard: crate::service::retention::Guard,
    /// When the server runs every enabled retention rule by itself: `daily HH:MM` (none by default).
    pub schedule: Option<String>,
    /// The IANA time zone of `schedule`, e.g. `Europe/Rome`.
    pub time_zone: String,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            guard: Default::default(),
            schedule: None,
            time_zone: "UTC".into(),
        }
    }
}

impl RetentionConfig {
    /// The schedule, if one is set (checked by [`Config::check`]).
    pub fn schedule(
        &self,
    ) -> anyhow::Result<Option<crate::service::retention::schedule::Schedule>> {
        self.schedule
            .as_deref()
            .map(|s| crate::service::retention::schedule::Schedule::parse(s, &self.time_zone))
            .transpose()
            .map_err(anyhow::Error::msg)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on. Loopback by default: put a TLS proxy in front to expose it.
    #[schema(value_type = String, example = "127.0.0.1:7878")]
    pub listen: SocketAddr,
    /// Largest JSON request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest file accepted by `POST /api/v1/imports`, in bytes.
    pub max_import_bytes: u64,
    /// Largest plugin component accepted by `POST /api/v1/plugins`, in bytes.
    pub max_plugin_bytes: usize,
    /// How long a graceful shutdown waits for requests and jobs in flight, in seconds.
    pub shutdown_grace_secs: u64,
    /// How long an API write waits for the database's single writer (held by a running import, for
    /// instance) before it is answered 503 `writer-busy`, in seconds. The CLI and import jobs wait
    /// as long as it takes.
    pub write_wait_secs: u64,
    /// Requests without a valid token one client address may make within
    /// `failed_auth_window_secs`; past it, the address is answered 429 until the window ends.
    pub failed_auth_limit: u32,
    /// The window of `failed_auth_limit`, in seconds, from the address's first failure; each
    /// address's failures are logged once per window.
    pub failed_auth_window_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the failed-authentication
    /// limit); without them, every client behind a proxy counts as the proxy's address.
    #[schema(value_type = Vec<String>, example = json!(["127.0.0.1"]))]
    pub trusted_proxies: Vec<IpAddr>,
    /// How long the answer to a write sent with an `Idempotency-Key` is kept for retries, in hours.
    pub idempotency_hours: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 7878)),
            max_body_bytes: 1 << 20,
            max_import_bytes: 10 << 30,
            max_plugin_bytes: 64 << 20,
            shutdown_grace_secs: 30,
            write_wait_secs: 10,
            failed_auth_limit: 10,
            failed_auth_window_secs: 60,
            trusted_proxies: Vec::new(),
            idempotency_hours: 24,
        }
    }
}

/// Limits for plugins the admin has not configured otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PluginDefaults {
    /// Wall-clock time one plugin call may take, in milliseconds.
    pub deadline_ms: u64,
    /// Linear memory one plugin instance may use, in bytes.
    pub memory_bytes: usize,
}

impl Default for PluginDefaults {
    fn default() -> Self {
        let limits = Limits::default();
        PluginDefaults {
            deadline_ms: limits.deadline.as_millis() as u64,
            memory_bytes: limits.memory_bytes,
        }
    }
}

impl PluginDefaults {
    pub fn limits(&self) -> Limits {
        Limits {
            deadline: Duration::from_millis(self.deadline_ms),
            memory_bytes: self.memory_bytes,
        }
    }
}

/// Which contact fields each role sees (each role sees only the data it needs). Only the roles
/// that may read contacts (`dpo`, `operator`) can be listed; a role not listed sees every field.
/// `auditor` and `admin` cannot read contacts at all. Email and phone identities count as the fields
/// `email` and `phone`; external ids (`erp:C-42`) are shown to every role that reads contacts, because
/// they are the handle that ties a contact to its record in the source system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AccessConfig {
    pub visible_fields: BTreeMap<String, Vec<String>>,
}

impl Default for AccessConfig {
    fn default() -> Self {
        let operator = [
            "first_name",
            "last_name",
            "name",
            "email",
            "phone",
            "company",
            "role",
            "city",
            "notes",
        ];
        AccessConfig {
            visible_fields: BTreeMap::from([(
                "operator".to_string(),
                operator.iter().map(|s| s.to_string()).collect(),
            )]),
        }
    }
}

impl Config {
    /// Loads `path` (which must exist), or `<data_dir>/custode.toml` if it exists, then applies the
    /// environment. Unknown keys are errors that name the key: a typo must not silently fall back to
    /// a default.
    pub fn load(data_dir: &Path, path: Option<&Path>) -> anyhow::Result<Config> {
        let default_path = data_dir.join(CONFIG_FILE);
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None if default_path.exists() => Some(default_path),
            None => None,
        };
        let mut config = match &file {
            Some(p) => Self::from_file(p)?,
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        env::apply(
            &mut config,
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )?;
        config.check()?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the configuration {}", path.display()))?;
        Self::from_toml(&text)
            .with_context(|| format!("in the configuration file {}", path.display()))
    }

    pub fn from_toml(text: &str) -> anyhow::Result<Config> {
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// `CUSTODE_LISTEN`, `CUSTODE_PLUGIN_DEADLINE_MS`, `CUSTODE_PLUGIN_MEMORY_BYTES`,
    /// `CUSTODE_CONTROLLER_NAME`, `CUSTODE_DATA_LOCATION`, `CUSTODE_STORE_URL` override the file.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        fn parse<T: std::str::FromStr>(name: &str, value: String) -> anyhow::Result<T>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e| {
                anyhow::anyhow!("environment variable {name}={value:?} is not valid: {e}")
            })
        }
        if let Some(v) = var("CUSTODE_LISTEN") {
            self.server.listen = parse("CUSTODE_LISTEN", v)?;
        }
        if let Some(v) = var("CUSTODE_PLUGIN_DEADLINE_MS") {
            self.plugins.deadline_ms = parse("CUSTODE_PLUGIN_DEADLINE_MS", v)?;
        }
        if let Some(v) = var("CUSTODE_PLUGIN_MEMORY_BYTES") {
            self.plugins.memory_bytes = parse("CUSTODE_PLUGIN_MEMORY_BYTES", v)?;
        }
        if let Some(v) = var("CUSTODE_CONTROLLER_NAME") {
            self.compliance.controller_name = v;
        }
        if let Some(v) = var("CUSTODE_DATA_LOCATION") {
            self.compliance.data_location = v;
        }
        if let Some(v) = var("CUSTODE_STORE_URL") {
            self.store.url = Some(v).filter(|v| !v.is_empty());
        }
        Ok(())
    }

    /// Checks values serde cannot: ranges, and the compliance settings as a whole.
    pub fn check(&self) -> anyhow::Result<()> {
        self.plugins.limits().validate().context("in [plugins]")?;
        crate::domain::Policy::from_settings(&self.compliance)
            .map_err(|e| anyhow::anyhow!("in [compliance]: {e}"))?;
        if self.server.max_body_bytes < 1024 {
            anyhow::bail!(
                "server.max_body_bytes = {} is too small: use at least 1024",
                self.server.max_body_bytes
            );
        }
        for (key, value) in [
            (
                "failed_auth_limit",
                u64::from(self.server.failed_auth_limit),
            ),
            (
                "failed_auth_window_secs",
                self.server.failed_auth_window_secs,
            ),
            ("idempotency_hours", self.server.idempotency_hours),
        ] {
            if value == 0 {
                anyhow::bail!("server.{key} = 0 is not usable: use at least 1");
            }
        }
        self.retention.schedule()?;
        self.store.check()?;
        let share = self.retention.guard.max_share;
        if !(0.0..=1.0).contains(&share) {
            anyhow::bail!(
                "retention.guard.max_share = {share} is not a share of the subjects: use a number from 0 to 1, e.g. 0.05 for 5%"
            );
        }
        self.check_visible_fields()
    }

    /// A misspelt role (`operater`) would silently leave the real role seeing every field, and a
    /// misspelt field would silently hide it: both are refused.
    fn check_visible_fields(&self) -> anyhow::Result<()> {
        let reader_names: Vec<&str> = Role::CONTACT_READERS.iter().map(|r| r.as_str()).collect();
        for (role, fields) in &self.access.visible_fields {
            let key = format!("[access.visible_fields] {role}");
            match Role::ALL.iter().find(|r| r.as_str() == role) {
                Some(r) if r.reads_contacts() => {}
                Some(_) => anyhow::bail!(
                    "{key}: the role `{role}` cannot read contacts, so a field list for it has no effect: remove the key (the roles that read contacts are {})",
                    reader_names.join(", ")
                ),
                None => anyhow::bail!(
                    "{key}: `{role}` is not a role, so this list would restrict nobody: correct it to one of {}",
                    reader_names.join(", ")
                ),
            }
            for field in fields {
                if !self.compliance.fields.iter().any(|f| &f.name == field) {
                    let known: Vec<&str> = self
                        .compliance
                        .fields
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect();
                    anyhow::bail!(
                        "{key}: `{field}` is not in the field catalogue: correct its spelling, or add it to `[[compliance.fields]]`; the catalogue has {}",
                        known.join(", ")
                    );
                }
            }
        }
        Ok(())
    }
}

/// Paths inside the data directory.
pub struct DataDir(pub PathBuf);

impl DataDir {
    pub fn plugin_cache(&self) -> PathBuf {
        self.0.join(crate::store::files::PLUGIN_CACHE_DIR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_is_checked_and_never_shown_with_its_password() {
        let config =
            Config::from_toml("[store]\nurl = \"postgres://custode:s3cret@db:5432/custode\"\n")
                .unwrap();
        config.check().unwrap();
        let shown = serde_json::to_string(&config).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://custode:***@db:5432/custode"),
            "{shown}"
        );
        assert_eq!(
            redact("postgres://u@h/db?password=x&sslmode=disable"),
            "postgres://u@h/db?***"
        );
        let bad = Config::from_toml("[store]\nurl = \"mysql://root:pw@h/db\"\n").unwrap();
        let err = bad.check().unwrap_err().to_string();
        assert!(err.contains("not a PostgreSQL connection string"), "{err}");
        assert!(!err.contains("pw@"), "{err}");
        let mut env = Config::default();
        env.apply_env(|k| (k == "CUSTODE_STORE_URL").then(|| "postgres://a@b/c".to_string()))
            .unwrap();
        assert_eq!(env.store.url.as_deref(), Some("postgres://a@b/c"));
    }

    #[test]
    fn an_empty_file_is_a_working_configuration() {
        let config = Config::from_toml("").unwrap();
        assert_eq!(config, Config::default());
        config.check().unwrap();
        assert_eq!(config.server.listen.to_string(), "127.0.0.1:7878");
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key() {
        let err = Config::from_toml("[server]\nlisten_on = \"0.0.0.0:1\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("listen_on"), "{err}");
    }

    #[test]
    fn the_environment_overrides_the_file_and_bad_values_are_named() {
        let mut config = Config::from_toml("[server]\nlisten = \"127.0.0.1:9000\"\n").unwrap();
        config
            .apply_env(|k| (k == "CUSTODE_LISTEN").then(|| "127.0.0.1:9100".to_string()))
            .unwrap();
        assert_eq!(config.server.listen.port(), 9100);
        let err = config
            .apply_env(|k| (k == "CUSTODE_PLUGIN_DEADLINE_MS").then(|| "soon".to_string()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("CUSTODE_PLUGIN_DEADLINE_MS"), "{err}");
    }

    #[test]
    fn visible_fields_of_an_unknown_role_or_field_are_refused_with_the_key() {
        let typo = Config::from_toml("[access.visible_fields]\noperater = [\"email\"]\n").unwrap();
        let err = format!("{:#}", typo.check().unwrap_err());
        assert!(
            err.contains("[access.visible_fields] operater")
                && err.contains("not a role")
                && err.contains("dpo, operator"),
            "{err}"
        );

        let auditor =
            Config::from_toml("[access.visible_fields]\nauditor = [\"email\"]\n").unwrap();
        let err = format!("{:#}", auditor.check().unwrap_err());
        assert!(
            err.contains("cannot read contacts") && err.contains("remove the key"),
            "{err}"
        );

        let field =
            Config::from_toml("[access.visible_fields]\noperator = [\"email\", \"e_mail\"]\n")
                .unwrap();
        let err = format!("{:#}", field.check().unwrap_err());
        assert!(
            err.contains("[access.visible_fields] operator")
                && err.contains("`e_mail` is not in the field catalogue")
                && err.contains("[[compliance.fields]]"),
            "{err}"
        );

        let fine =
            Config::from_toml("[access.visible_fields]\ndpo = [\"email\", \"vat_id\"]\n").unwrap();
        fine.check().unwrap();
    }

    #[test]
    fn out_of_range_plugin_limits_are_refused() {
        let config = Config::from_toml("[plugins]\nmemory_bytes = 10\n").unwrap();
        let err = format!("{:#}", config.check().unwrap_err());
        assert!(
            err.contains("[plugins]") && err.contains("memory_bytes"),
            "{err}"
        );
    }

    /// The README's example configuration is one that works, with the settings it shows.
    #[test]
    fn the_readme_example_configuration_works() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```toml\n[server]")
            .expect("the README has its example")
            + 8;
        let end = start + readme[start..].find("```").unwrap();
        let config = Config::from_toml(&readme[start..end]).unwrap();
        config.check().unwrap();
        let policy = crate::domain::Policy::from_settings(&config.compliance).unwrap();
        assert!(policy.require_consent_evidence);
        assert_eq!(
            policy.customer_marketing.channels,
            [crate::domain::ConsentChannel::Email]
        );
    }
}
