//! Import jobs: an import runs on its own thread while the server goes on answering; its progress and
//! its report (or error) are read by id. Jobs live in memory: after a restart the batch and its report
//! are in the audit log and the store, not in this list.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::import::upload::StagedUpload;
use super::import::{panic_text, ImportError, ImportOptions, ImportReport, JobHandle};
use super::plugins::PluginLease;
use super::Compliance;
use crate::domain::Timestamp;
use crate::runtime::Failure;
use crate::store::StoreError;

/// Finished jobs kept for reading; the oldest are forgotten first.
const KEEP_FINISHED: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JobState {
    Running,
    Succeeded,
    Failed,
}

/// Why a job failed: a stable kind (the suffix of the API's problem type) and the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobError {
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobProgress {
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub records: u64,
}

/// What `GET /api/v1/imports/{id}` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobStatus {
    pub id: u64,
    pub state: JobState,
    pub plugin: String,
    pub source_label: String,
    pub actor: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub progress: JobProgress,
    /// The import's report once it succeeded.
    pub report: Option<ImportReport>,
    pub error: Option<JobError>,
}

struct Job {
    id: u64,
    plugin: String,
    source_label: String,
    actor: String,
    started_at: Timestamp,
    handle: JobHandle,
    outcome: Mutex<Option<(Timestamp, Result<ImportReport, JobError>)>>,
}

impl Job {
    fn status(&self) -> JobStatus {
        let (bytes_read, bytes_total, records) = self.handle.progress().snapshot();
        let outcome = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        let (state, finished_at, report, error) = match &*outcome {
            None => (JobState::Running, None, None, None),
            Some((at, Ok(r))) => (JobState::Succeeded, Some(*at), Some(r.clone()), None),
            Some((at, Err(e))) => (JobState::Failed, Some(*at), None, Some(e.clone())),
        };
        JobStatus {
            id: self.id,
            state,
            plugin: self.plugin.clone(),
            source_label: self.source_label.clone(),
            actor: self.actor.clone(),
            started_at: self.started_at,
            finished_at,
            progress: JobProgress {
                bytes_read,
                bytes_total,
                records,
            },
            report,
            error,
        }
    }
}

/// The stable kind of an import failure: `urn:custode:problem:<kind>` in the API.
pub fn import_error_kind(e: &ImportError) -> &'static str {
    match e {
        ImportError::Plugin(p) => plugin_failure_kind(&p.failure),
        ImportError::BadRow { .. } => "bad-row",
        ImportError::Cancelled => "cancelled",
        ImportError::Store(StoreError::InvalidInput(_)) | ImportError::Invalid(_) => {
            "invalid-input"
        }
        ImportError::Store(_) | ImportError::Io { .. } | ImportError::Internal(_) => "internal",
    }
}

pub fn plugin_failure_kind(f: &Failure) -> &'static str {
    match f {
        Failure::Deadline(_) => "plugin-deadline",
        Failure::Memory { .. } => "plugin-memory",
        Failure::Panic(_) | Failure::Trap(_) | Failure::Instantiate(_) => "plugin-crashed",
        Failure::Reported(_) => "plugin-reported-error",
        Failure::OutputTooLarge { .. } | Failure::TooLong { .. } | Failure::Contract(_) => {
            "plugin-contract"
        }
        Failure::Stopped => "cancelled",
        Failure::Busy { .. } | Failure::PoolFull(_) => "plugin-busy",
    }
}

/// Ends a job exactly once: with the outcome given to [`Ending::end`], or — if it is dropped without
/// one (the thread could not start, or the outcome code itself panicked) — as failed.
struct Ending {
    jobs: Arc<ImportJobs>,
    job: Arc<Job>,
}

impl Ending {
    fn end(self, result: Result<ImportReport, ImportError>) {
        let result = result.map_err(|e| {
            tracing::warn!(job = self.job.id, error = %e, "import failed");
            JobError {
                kind: import_error_kind(&e).into(),
                message: e.to_string(),
            }
        });
        self.record(result);
    }

    fn record(&self, result: Result<ImportReport, JobError>) {
        let mut outcome = self.job.outcome.lock().unwrap_or_else(|p| p.into_inner());
        if outcome.is_some() {
            return;
        }
        let counter = if result.is_ok() {
            &self.jobs.succeeded
        } else {
            &self.jobs.failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
        *outcome = Some((Timestamp::now(), result));
    }
}

impl Drop for Ending {
    fn drop(&mut self) {
        self.record(Err(JobError {
            kind: "internal".into(),
            message: ImportError::Internal("the import job ended without an outcome".into())
                .to_string(),
        }));
        let mut running = self.jobs.running.lock().unwrap_or_else(|p| p.into_inner());
        *running -= 1;
        self.jobs.finished.notify_all();
    }
}

#[derive(Default)]
pub struct ImportJobs {
    next_id: AtomicU64,
    jobs: Mutex<BTreeMap<u64, Arc<Job>>>,
    running: Mutex<usize>,
    finished: Condvar,
    /// Set when a shutdown begins: no new job starts after it.
    closing: AtomicBool,
    /// Counts for the metrics: started, succeeded, failed.
    pub started: AtomicU64,
    pub succeeded: AtomicU64,
    pub failed: AtomicU64,
}

impl ImportJobs {
    /// Starts importing the upload (removed when the job ends) with the leased plugin. Refused with
    /// `None` (and the upload removed) once a shutdown has begun.
    pub fn start(
        self: &Arc<Self>,
        compliance: Compliance,
        lease: PluginLease,
        upload: StagedUpload,
        options: ImportOptions,
    ) -> Option<JobStatus> {
        let plugin = format!("{}@{}", lease.plugin.name(), lease.plugin.version());
        let described = options.clone();
        self.spawn(plugin, &described, move |job| {
            let result =
                compliance.import_file(&lease.plugin, upload.path(), &options, &job.handle);
            drop(lease);
            drop(upload);
            result
        })
    }

    /// Runs `work` on a thread of its own as a new job. Whatever `work` does — return, fail, panic —
    /// the job ends with an outcome and stops counting as running, so a shutdown never waits for it
    /// forever.
    fn spawn(
        self: &Arc<Self>,
        plugin: String,
        options: &ImportOptions,
        work: impl FnOnce(&Job) -> Result<ImportReport, ImportError> + Send + 'static,
    ) -> Option<JobStatus> {
        if self.closing.load(Ordering::SeqCst) {
            return None; // `work` is dropped, and with it the upload
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id,
            plugin,
            source_label: options.source_label.clone(),
            actor: options.actor.name.clone(),
            started_at: Timestamp::now(),
            handle: JobHandle::default(),
            outcome: Mutex::new(None),
        });
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.insert(id, job.clone());
            self.forget_old(&mut jobs);
        }
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.started.fetch_add(1, Ordering::Relaxed);
        let status = job.status();
        let ending = Ending {
            jobs: self.clone(),
            job: job.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("import-{id}"))
            .spawn(move || {
                // A panic is a bug in Custode; the import's transaction rolled back while unwinding.
                let result = match std::panic::catch_unwind(AssertUnwindSafe(|| work(&job))) {
                    Ok(result) => result,
                    Err(panic) => Err(ImportError::Internal(format!(
                        "the import thread panicked: {}",
                        panic_text(panic.as_ref())
                    ))),
                };
                ending.end(result);
            });
        if let Err(e) = spawned {
            // The closure (and `ending` in it) was dropped: the job is already failed and not running.
            tracing::error!(job = id, error = %e, "cannot start an import thread");
        }
        Some(status)
    }

    fn forget_old(&self, jobs: &mut BTreeMap<u64, Arc<Job>>) {
        while jobs.len() > KEEP_FINISHED {
            let oldest_done = jobs
                .iter()
                .find(|(_, j)| {
                    j.outcome
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .is_some()
                })
                .map(|(id, _)| *id);
            match oldest_done {
                Some(id) => jobs.remove(&id),
                None => break,
            };
        }
    }

    pub fn status(&self, id: u64) -> Option<JobStatus> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.get(&id).map(|j| j.status())
    }

    /// Every job this server knows, newest first.
    pub fn list(&self) -> Vec<JobStatus> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.values().rev().map(|j| j.status()).collect()
    }

    pub fn running(&self) -> usize {
        *self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// For a graceful shutdown: lets running jobs finish within `grace`, then cancels the rest (their
    /// transactions roll back: nothing half-written) and waits for them to stop. Returns how many
    /// were cancelled.
    pub fn shutdown(&self, grace: Duration) -> usize {
        self.closing.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + grace;
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while *running > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            running = self
                .finished
                .wait_timeout(running, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        if *running == 0 {
            return 0;
        }
        let cancelled = *running;
        for job in self.jobs.lock().unwrap_or_else(|p| p.into_inner()).values() {
            job.handle.cancel();
        }
        while *running > 0 {
            running = self
                .finished
                .wait(running)
                .unwrap_or_else(|p| p.into_inner());
        }
        cancelled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Actor, Role, SourceChannel};
    use crate::service::import::{FieldPolicy, OnError};

    fn options() -> ImportOptions {
        ImportOptions {
            source_label: "Fiera Milano 2026".into(),
            channel: SourceChannel::Fair,
            on_error: OnError::Abort,
            unknown_fields: FieldPolicy::Drop,
            actor: Actor::new("operator@test", Role::Operator),
            collected_at: Timestamp::now(),
        }
    }

    #[test]
    fn a_panicking_import_ends_its_job_as_failed_and_shutdown_does_not_wait_for_it() {
        let jobs = Arc::new(ImportJobs::default());
        let started = jobs
            .spawn("csv@0.1.0".into(), &options(), |_| {
                panic!("invented bug in an import")
            })
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            let status = jobs.status(started.id).unwrap();
            if status.state != JobState::Running {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the panicked job still says it is running"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(status.state, JobState::Failed);
        let error = status.error.unwrap();
        assert_eq!(error.kind, "internal");
        assert!(
            error.message.contains("invented bug in an import")
                && error.message.contains("nothing was imported"),
            "{}",
            error.message
        );
        assert!(status.finished_at.is_some());
        assert_eq!(jobs.running(), 0);
        assert_eq!(jobs.failed.load(Ordering::Relaxed), 1);
        let t = Instant::now();
        assert_eq!(jobs.shutdown(Duration::from_secs(30)), 0);
        assert!(t.elapsed() < Duration::from_secs(1), "shutdown waited");
    }
}
