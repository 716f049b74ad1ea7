//! Import jobs: an import runs on its own thread while the server goes on answering; its progress and
//! its report (or error) are read by id. Jobs live in memory: after a restart the batch and its report
//! are in the audit log and the store, not in this list.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::import::{import_file, ImportError, ImportOptions, ImportReport, Progress};
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
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
    pub progress: JobProgress,
    /// The import's report once it succeeded.
    #[schema(value_type = Option<Object>)]
    pub report: Option<ImportReport>,
    pub error: Option<JobError>,
}

struct Job {
    id: u64,
    plugin: String,
    source_label: String,
    actor: String,
    started_at: Timestamp,
    progress: Progress,
    cancel: AtomicBool,
    outcome: Mutex<Option<(Timestamp, Result<ImportReport, JobError>)>>,
}

impl Job {
    fn status(&self) -> JobStatus {
        let (bytes_read, bytes_total, records) = self.progress.snapshot();
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
        ImportError::Store(_) | ImportError::Io { .. } => "internal",
    }
}

pub fn plugin_failure_kind(f: &Failure) -> &'static str {
    match f {
        Failure::Deadline(_) => "plugin-deadline",
        Failure::Memory { .. } => "plugin-memory",
        Failure::Panic(_) | Failure::Trap(_) | Failure::Instantiate(_) => "plugin-crashed",
        Failure::Reported(_) => "plugin-reported-error",
        Failure::OutputTooLarge { .. } | Failure::Contract(_) => "plugin-contract",
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
    /// Starts importing `file` (which the job deletes when done) with the leased plugin. Refused with
    /// `None` (and the file removed) once a shutdown has begun.
    pub fn start(
        self: &Arc<Self>,
        compliance: Compliance,
        lease: PluginLease,
        file: PathBuf,
        options: ImportOptions,
    ) -> Option<JobStatus> {
        if self.closing.load(Ordering::SeqCst) {
            let _ = std::fs::remove_file(&file);
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id,
            plugin: format!("{}@{}", lease.plugin.name(), lease.plugin.version()),
            source_label: options.source_label.clone(),
            actor: options.actor.name.clone(),
            started_at: Timestamp::now(),
            progress: Progress::default(),
            cancel: AtomicBool::new(false),
            outcome: Mutex::new(None),
        });
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.insert(id, job.clone());
            self.forget_old(&mut jobs);
        }
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.started.fetch_add(1, Ordering::Relaxed);
        let jobs = self.clone();
        let status = job.status();
        std::thread::Builder::new()
            .name(format!("import-{id}"))
            .spawn(move || {
                let result = import_file(
                    compliance.store().as_ref(),
                    &lease.plugin,
                    &file,
                    &options,
                    &job.progress,
                    &job.cancel,
                );
                drop(lease);
                let _ = std::fs::remove_file(&file);
                let result = result.map_err(|e| {
                    tracing::warn!(job = id, error = %e, "import failed");
                    JobError {
                        kind: import_error_kind(&e).into(),
                        message: e.to_string(),
                    }
                });
                let counter = if result.is_ok() {
                    &jobs.succeeded
                } else {
                    &jobs.failed
                };
                counter.fetch_add(1, Ordering::Relaxed);
                *job.outcome.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((Timestamp::now(), result));
                let mut running = jobs.running.lock().unwrap_or_else(|p| p.into_inner());
                *running -= 1;
                jobs.finished.notify_all();
            })
            .expect("the operating system starts a thread");
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
            job.cancel.store(true, Ordering::Relaxed);
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
