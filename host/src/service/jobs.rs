//! Import jobs: an import runs on its own thread while the server goes on answering; its progress and
//! its report (or error) are read by id. The newest jobs are in memory, with their progress and
//! full reasons; every job's start and end are also written to the job log (`job_log.rs`), so its
//! outcome outlives the server, and a job a dead server was running reads as interrupted.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::import::upload::StagedUpload;
use super::import::{panic_text, ImportError, ImportOptions, ImportReport, JobHandle};
use super::job_log::{self, JobLog};
pub use super::job_status::{
    import_error_kind, plugin_failure_kind, JobError, JobProgress, JobState, JobStatus,
};
use super::plugins::PluginLease;
use super::Compliance;
use crate::domain::Timestamp;
use crate::store::StoreError;

/// Finished jobs kept for reading; the oldest are forgotten first.
const KEEP_FINISHED: usize = 1000;

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

/// Logs why a job failed by kind, row and column: never the message, which may quote the rejected
/// value (an email that is not valid is still someone's email), and a log outlives an erasure.
fn log_failure(job: u64, e: &ImportError) {
    let kind = import_error_kind(e);
    match e {
        ImportError::BadRow { row, column, .. } => tracing::warn!(
            job,
            kind,
            row,
            column = column.as_deref().unwrap_or(""),
            "import failed on a row; nothing was imported"
        ),
        // The server's own trouble (a file it cannot read, the database): what the admin needs,
        // and none of it comes from the imported rows.
        ImportError::Io { .. }
        | ImportError::Store(
            StoreError::Io { .. } | StoreError::Database { .. } | StoreError::Postgres { .. },
        ) => {
            tracing::warn!(job, kind, error = %e, "import failed; nothing was imported")
        }
        _ => tracing::warn!(job, kind, "import failed; nothing was imported"),
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
        let mut stored = None;
        let result = result.map_err(|e| {
            log_failure(self.job.id, &e);
            stored = Some(job_log::stored_error(&e));
            JobError {
                kind: import_error_kind(&e).into(),
                message: e.to_string(),
            }
        });
        self.record(result, stored);
    }

    /// Sets the outcome, unless set already, and writes it to the job log (with `stored` in place of
    /// an error whose message may quote the file).
    fn record(&self, result: Result<ImportReport, JobError>, stored: Option<JobError>) {
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
        drop(outcome);
        if let Some(log) = &self.jobs.log {
            let mut status = self.job.status();
            if stored.is_some() {
                status.error = stored;
            }
            if let Err(e) = log.finish(self.job.id, &job_log::stored(&status)) {
                tracing::error!(job = self.job.id, error = %e, "cannot write an import job's outcome to the job log");
            }
        }
    }
}

impl Drop for Ending {
    fn drop(&mut self) {
        self.record(
            Err(JobError {
                kind: "internal".into(),
                message: ImportError::Internal("the import job ended without an outcome".into())
                    .to_string(),
            }),
            None,
        );
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
    /// Where jobs are kept across restarts; none in tests of the jobs alone.
    log: Option<JobLog>,
}

impl ImportJobs {
    /// Jobs written to `log` as they start and end; ids continue from the log's.
    pub fn with_log(log: JobLog) -> ImportJobs {
        ImportJobs {
            log: Some(log),
            ..ImportJobs::default()
        }
    }

    /// Starts importing the upload (removed when the job ends) with the leased plugin. Refused with
    /// `None` (and the upload removed) once a shutdown has begun.
    pub fn start(
        self: &Arc<Self>,
        compliance: Compliance,
        lease: PluginLease,
        upload: StagedUpload,
        options: ImportOptions,
    ) -> Result<Option<JobStatus>, StoreError> {
        let plugin = format!("{}@{}", lease.plugin.name(), lease.plugin.version());
        let described = options.clone();
        let path = upload.path().to_path_buf();
        self.spawn(plugin, &described, Some(&path), move |job| {
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
        upload: Option<&std::path::Path>,
        work: impl FnOnce(&Job) -> Result<ImportReport, ImportError> + Send + 'static,
    ) -> Result<Option<JobStatus>, StoreError> {
        if self.closing.load(Ordering::SeqCst) {
            return Ok(None); // `work` is dropped, and with it the upload
        }
        let mut job = Job {
            id: 0,
            plugin,
            source_label: options.source_label.clone(),
            actor: options.actor.name.clone(),
            started_at: Timestamp::now(),
            handle: JobHandle::default(),
            outcome: Mutex::new(None),
        };
        job.id = match &self.log {
            // Written before the client is answered: the id it is given is never unknown later.
            Some(log) => log.start(upload, &job_log::stored(&job.status()))?,
            None => self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
        };
        let id = job.id;
        let job = Arc::new(job);
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
        Ok(Some(status))
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

    /// A job's status: from memory when this server ran it recently, else from the job log.
    pub fn status(&self, id: u64) -> Option<JobStatus> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(job) = jobs.get(&id) {
            return Some(job.status());
        }
        drop(jobs);
        let log = self.log.as_ref()?;
        match log.get(id) {
            Ok(stored) => job_log::read(id, &stored?),
            Err(e) => {
                tracing::warn!(job = id, error = %e, "cannot read the import job log");
                None
            }
        }
    }

    /// The newest jobs (at most the log's), newest first: this server's from memory, the others
    /// from the job log.
    pub fn list(&self) -> Vec<JobStatus> {
        let mut all: BTreeMap<u64, JobStatus> = BTreeMap::new();
        if let Some(log) = &self.log {
            match log.list(job_log::KEEP) {
                Ok(rows) => all.extend(
                    rows.into_iter()
                        .filter_map(|(id, s)| job_log::read(id, &s).map(|s| (id, s))),
                ),
                Err(e) => tracing::warn!(error = %e, "cannot read the import job log"),
            }
        }
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        all.extend(jobs.iter().map(|(id, j)| (*id, j.status())));
        all.into_values()
            .rev()
            .take(KEEP_FINISHED.max(job_log::KEEP as usize))
            .collect()
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
            .spawn("csv@0.1.0".into(), &options(), None, |_| {
                panic!("invented bug in an import")
            })
            .unwrap()
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

    #[test]
    fn a_failed_import_logs_where_and_why_never_the_value() {
        #[derive(Clone, Default)]
        struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Captured {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let error = ImportError::BadRow {
            row: 2,
            column: Some("E-mail".into()),
            reason: "`valentina.segreti@example` is not a valid email address".into(),
        };
        tracing::subscriber::with_default(subscriber, || log_failure(7, &error));
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("WARN") && log.contains("row=2"), "{log}");
        assert!(log.contains("E-mail") && log.contains("bad-row"), "{log}");
        assert!(!log.to_lowercase().contains("segreti"), "{log}");
    }
}
