//! What an import job's status is: its state, progress, report or error, and the stable kind of
//! each failure, as the API answers them and the job log stores them (below both `jobs.rs` and
//! `job_log.rs`).

use serde::{Deserialize, Serialize};

use super::import::{ImportError, ImportReport};
use crate::domain::Timestamp;
use crate::runtime::Failure;
use crate::store::StoreError;

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
