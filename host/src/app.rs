//! `App`: one installation, opened once — configuration, data directory, the compliance service, the
//! plugin runtime and registry, tokens and import jobs. It sits below both front ends: `custode
//! serve` shares it with every request handler (`State<Arc<App>>`, next to the API's own metrics),
//! and the local CLI opens the same thing, so both call the same functions.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, DataDir};
use crate::domain::{Actor, Role, Timestamp};
use crate::runtime::{Runtime, SetupError};
use crate::service::idempotency::AnswerStore;
use crate::service::import::upload::clear_stale;
use crate::service::job_log::{self, JobLog};
use crate::service::jobs::ImportJobs;
use crate::service::plugins::PluginRegistry;
use crate::service::policy::lease_policy;
use crate::service::retention::schedule::Schedule;
use crate::service::retention::{RetentionError, RetentionOptions, RetentionReport};
use crate::service::tokens::Tokens;
use crate::service::Compliance;
use crate::store::{files, StoreError};

/// Why an installation could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("opening the installation in {dir}: {source}")]
    Store {
        dir: String,
        #[source]
        source: StoreError,
    },
    #[error(transparent)]
    Runtime(#[from] SetupError),
}

pub struct App {
    pub config: Config,
    pub data_dir: PathBuf,
    pub compliance: Compliance,
    pub runtime: Arc<Runtime>,
    pub plugins: PluginRegistry,
    pub tokens: Tokens,
    pub jobs: Arc<ImportJobs>,
    /// First answers to writes sent with an `Idempotency-Key`.
    pub answers: Arc<AnswerStore>,
}

impl App {
    /// Opens (creating if needed) the installation in `data_dir`: the store, the plugin code cache in
    /// `<data dir>/plugin-cache`, the bundled plugins, the tokens. Uploads a killed server left in
    /// `<data dir>/uploads` are removed (they hold personal data); those of a running server stay.
    pub fn open(data_dir: &Path, config: Config) -> Result<App, OpenError> {
        let store_error = |source| OpenError::Store {
            dir: data_dir.display().to_string(),
            source,
        };
        let compliance = Compliance::open_configured(data_dir, &config).map_err(store_error)?;
        let uploads = data_dir.join(files::UPLOADS_DIR);
        match clear_stale(&uploads) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(removed = n, dir = %uploads.display(), "removed import uploads a stopped server left behind")
            }
            Err(e) => {
                tracing::warn!(dir = %uploads.display(), error = %e, "cannot look for stale import uploads")
            }
        }
        let cache = DataDir(data_dir.to_path_buf()).plugin_cache();
        // Compiled code is the admin's plugins, which may embed the company's rules: private too.
        if let Err(e) = files::create_private_dir(&cache) {
            tracing::warn!(dir = %cache.display(), error = %e, "cannot create the plugin code cache");
        }
        let runtime = Runtime::new(Some(cache))?;
        let plugins = PluginRegistry::open(
            compliance.store().clone(),
            runtime.clone(),
            config.plugins.limits(),
        )
        .map_err(store_error)?;
        let tokens = Tokens::open(compliance.store().clone()).map_err(store_error)?;
        let answers = Arc::new(AnswerStore::open(data_dir).map_err(store_error)?);
        let log = JobLog::open(data_dir, &uploads, job_log::interrupted).map_err(store_error)?;
        Ok(App {
            data_dir: data_dir.to_path_buf(),
            config,
            compliance,
            runtime,
            plugins,
            tokens,
            jobs: Arc::new(ImportJobs::with_log(log)),
            answers,
        })
    }

    /// Picks up plugin and token changes another process (a CLI beside the server) made.
    pub fn refresh(&self) -> Result<(), StoreError> {
        self.tokens.refresh()?;
        self.plugins.refresh()?;
        Ok(())
    }

    /// Where uploads wait to be imported.
    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join(files::UPLOADS_DIR)
    }

    /// Where `POST /api/v1/backup` writes its copies.
    pub fn backups_dir(&self) -> PathBuf {
        self.data_dir.join(files::BACKUPS_DIR)
    }
}

impl App {
    /// Runs the retention policy (every enabled retention rule, combined) as one run when the
    /// schedule fell due since the time the last scheduled run decided for; nothing (`None`)
    /// otherwise. `now` is the server's clock (a test moves it): a run missed while the server was
    /// down falls due at the first call.
    pub fn scheduled_retention(
        &self,
        schedule: &Schedule,
        now: Timestamp,
    ) -> Option<Result<RetentionReport, RetentionError>> {
        let last = match self.compliance.store().run_last_decided(SCHEDULED) {
            Ok(last) => last,
            Err(e) => return Some(Err(e.into())),
        };
        if !schedule.due(now, last) {
            return None;
        }
        let options = RetentionOptions {
            now,
            dry_run: false,
            actor: Actor::new("custode-schedule", Role::System),
            trigger: SCHEDULED,
            guard: self.config.retention.guard,
            // Several servers on one database ask at the same time: one of them runs.
            once_since: Some(schedule.last_due(now)),
        };
        match lease_policy(&self.plugins).and_then(|leases| {
            let rules: Vec<_> = leases.iter().map(|l| &*l.plugin).collect();
            self.compliance.run_policy(&rules, &options)
        }) {
            Err(RetentionError::AlreadyRan(_)) => None,
            other => Some(other),
        }
    }
}

/// The trigger recorded with the runs the schedule starts.
const SCHEDULED: &str = "schedule";
