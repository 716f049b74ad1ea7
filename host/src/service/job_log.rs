//! Import jobs kept across restarts: a client that was answered `202` with a job id must learn, even
//! after the server died, whether its file was imported. Each job is a row of its own small database,
//! `import-jobs.db` in the data directory, written when the job starts and when it ends.
//!
//! Not the main database: an import holds the main database's single writer from its first record
//! to its commit, so a job's row written there would wait for the import before it (a second upload
//! would not be answered until the first import committed), and a row written inside the import's
//! own transaction would vanish with it on a crash, which is exactly when it is needed.
//!
//! A row holds the job's status as the API answers it, without anything from the file: counts, row
//! numbers, column names, reason codes (as the batch's stored report), so erasure has nothing to
//! remove here. A job still `running` whose upload no process holds locked (a running import's
//! upload is locked by its process until the job ends, see `upload.rs`) was interrupted: imports are
//! all-or-nothing, so nothing of it was imported, and the row says so. The newest [`KEEP`] finished
//! jobs are kept.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use super::import::{upload, ImportError};
use super::job_status::{import_error_kind, JobError, JobState, JobStatus};
use crate::domain::Timestamp;
use crate::store::error::DbContext;
use crate::store::{files, StoreError};

/// Finished jobs kept; older ones are deleted as new ones finish.
pub const KEEP: u32 = 1000;

pub struct JobLog {
    conn: Mutex<Connection>,
    uploads: PathBuf,
}

impl JobLog {
    /// Opens (creating it private if needed) the job log of `data_dir`, and ends as interrupted —
    /// `interrupted(status)` gives the new status — every job left running whose upload is gone.
    pub fn open(
        data_dir: &Path,
        uploads: &Path,
        interrupted: impl Fn(&str) -> Option<String>,
    ) -> Result<JobLog, StoreError> {
        let path = data_dir.join(files::JOBS_DB);
        let conn = files::open_private_db(&path, "the import job log")?;
        conn.execute_batch(
            "PRAGMA secure_delete = ON;
             CREATE TABLE IF NOT EXISTS import_jobs (
                 id      INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a client may hold an old id
                 upload  TEXT,                              -- the staged upload's file name, while running
                 running INTEGER NOT NULL,
                 status  TEXT NOT NULL                      -- the API's JobStatus, JSON, with no value from the file
             );",
        )
        .db("cannot create the import job log")?;
        let log = JobLog {
            conn: Mutex::new(conn),
            uploads: uploads.to_path_buf(),
        };
        log.end_interrupted(interrupted)?;
        Ok(log)
    }

    fn end_interrupted(
        &self,
        interrupted: impl Fn(&str) -> Option<String>,
    ) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let running: Vec<(i64, Option<String>, String)> = conn
            .prepare("SELECT id, upload, status FROM import_jobs WHERE running = 1")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .db("cannot read the import job log")?;
        for (id, upload, status) in running {
            if upload.is_some_and(|u| upload::in_use(&self.uploads.join(u))) {
                continue; // a server beside this process is running it
            }
            let Some(ended) = interrupted(&status) else {
                continue;
            };
            conn.execute(
                "UPDATE import_jobs SET running = 0, upload = NULL, status = ?2 WHERE id = ?1 AND running = 1",
                params![id, ended],
            )
            .db("cannot update the import job log")?;
        }
        Ok(())
    }

    /// A new running job with its first status (whose `id` the row's id replaces when read): its id.
    pub fn start(&self, upload: Option<&Path>, status: &str) -> Result<u64, StoreError> {
        let upload = upload
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned());
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute(
            "INSERT INTO import_jobs (upload, running, status) VALUES (?1, 1, ?2)",
            params![upload, status],
        )
        .db("cannot write the import job log")?;
        Ok(conn.last_insert_rowid() as u64)
    }

    /// The job's final status; the oldest finished jobs past [`KEEP`] go.
    pub fn finish(&self, id: u64, status: &str) -> Result<(), StoreError> {
        let id = id as i64;
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute(
            "UPDATE import_jobs SET running = 0, upload = NULL, status = ?2 WHERE id = ?1",
            params![id, status],
        )
        .db("cannot write the import job log")?;
        conn.execute(
            "DELETE FROM import_jobs WHERE running = 0 AND id < (
                 SELECT min(id) FROM (SELECT id FROM import_jobs WHERE running = 0 ORDER BY id DESC LIMIT ?1))",
            params![KEEP],
        )
        .db("cannot trim the import job log")?;
        Ok(())
    }

    pub fn get(&self, id: u64) -> Result<Option<String>, StoreError> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(None);
        };
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.query_row(
            "SELECT status FROM import_jobs WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()
        .db("cannot read the import job log")
    }

    /// The newest `limit` jobs, newest first: (id, status).
    pub fn list(&self, limit: u32) -> Result<Vec<(u64, String)>, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.prepare("SELECT id, status FROM import_jobs ORDER BY id DESC LIMIT ?1")
            .and_then(|mut s| {
                s.query_map(params![limit], |r| {
                    Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
                })?
                .collect()
            })
            .db("cannot read the import job log")
    }
}

/// A status as stored: the report's rejection reasons replaced by their kind's generic reason, as
/// the batch's stored report has them (the error is made value-free by [`stored_error`]).
pub fn stored(status: &JobStatus) -> String {
    let mut status = status.clone();
    if let Some(report) = &mut status.report {
        report.outcome = report.outcome.without_values();
    }
    serde_json::to_string(&status).expect("a job status serialises")
}

/// A stored status read back, with the row's id.
pub fn read(id: u64, stored: &str) -> Option<JobStatus> {
    match serde_json::from_str::<JobStatus>(stored) {
        Ok(mut status) => {
            status.id = id;
            Some(status)
        }
        Err(e) => {
            tracing::warn!(job = id, error = %e, "an import job's stored status cannot be read");
            None
        }
    }
}

/// Why a job failed, as stored: nothing the file or the plugin wrote (a rejected row's reason
/// quotes its value, a plugin's message may); the server's own errors as they are.
pub fn stored_error(e: &ImportError) -> JobError {
    let kind = import_error_kind(e);
    let message = match e {
        ImportError::BadRow { row, column, .. } => {
            let column = column
                .as_deref()
                .map(|c| format!(", column `{c}`"))
                .unwrap_or_default();
            format!("row {row}{column} was refused, so nothing was imported (the reason, which may quote the value, was given only by the server that ran the job): fix the row or import with on_error=skip")
        }
        ImportError::Plugin(_) => format!(
            "the importer plugin failed ({kind}); nothing was imported (its message was given only by the server that ran the job)"
        ),
        other => other.to_string(),
    };
    JobError {
        kind: kind.into(),
        message,
    }
}

/// A status left `running` by a server that stopped, ended as interrupted.
pub fn interrupted(stored: &str) -> Option<String> {
    let mut status: JobStatus = serde_json::from_str(stored).ok()?;
    status.state = JobState::Failed;
    status.finished_at = Some(Timestamp::now());
    status.error = Some(JobError {
        kind: "interrupted".into(),
        message: "interrupted: the server stopped while this import was running, and nothing was imported (an import is all-or-nothing): send the file again".into(),
    });
    serde_json::to_string(&status).ok()
}
