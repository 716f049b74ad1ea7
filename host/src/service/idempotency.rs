//! The first answers to writes sent with an `Idempotency-Key`, so that a client retrying after a
//! lost answer gets that answer instead of writing twice (`api/idempotency.rs` is the protocol).
//! Kept in a small database of their own, `idempotency.db` in the data directory: the main
//! database's single writer may be held by an import for minutes, and an answer must not wait for
//! it once its write is done.
//!
//! An entry is the key, the token's name, a SHA-256 of the request (method, path, query, body), and
//! the answer (status, content type, `Location`, body). An answer can hold personal data (a
//! rectified contact): entries go after `[server] idempotency_hours`, and every erasure blanks the
//! bodies of all entries (keeping status and fingerprint), so no erased person outlives the erasure
//! here; a retry of such an entry is told the write was done and its answer is gone.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::store::error::DbContext;
use crate::store::{files, StoreError};

/// A stored first answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub fingerprint: Vec<u8>,
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    /// `None` once an erasure blanked it.
    pub body: Option<Vec<u8>>,
}

pub struct AnswerStore {
    conn: Mutex<Connection>,
}

impl AnswerStore {
    pub fn open(data_dir: &Path) -> Result<AnswerStore, StoreError> {
        let path = data_dir.join(files::IDEMPOTENCY_DB);
        let conn = files::open_private_db(&path, "the answer store")?;
        conn.execute_batch(
            "PRAGMA secure_delete = ON;
             CREATE TABLE IF NOT EXISTS answers (
                 actor        TEXT NOT NULL,    -- the token's name
                 key          TEXT NOT NULL,    -- the client's Idempotency-Key
                 fingerprint  BLOB NOT NULL,    -- SHA-256 of method, path, query and body
                 created_at   INTEGER NOT NULL, -- unix seconds
                 status       INTEGER NOT NULL,
                 content_type TEXT,
                 location     TEXT,
                 body         BLOB,             -- NULL once an erasure blanked it
                 PRIMARY KEY (actor, key)
             );
             CREATE INDEX IF NOT EXISTS answers_by_age ON answers (created_at);",
        )
        .db("cannot create the answer store")?;
        Ok(AnswerStore {
            conn: Mutex::new(conn),
        })
    }

    /// The answer stored for `actor`'s `key`, unless older than `max_age_secs`.
    pub fn get(
        &self,
        actor: &str,
        key: &str,
        max_age_secs: u64,
    ) -> Result<Option<Answer>, StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.query_row(
            "SELECT fingerprint, status, content_type, location, body FROM answers
             WHERE actor = ?1 AND key = ?2 AND created_at >= ?3",
            params![actor, key, now() - max_age_secs as i64],
            |r| {
                Ok(Answer {
                    fingerprint: r.get(0)?,
                    status: r.get(1)?,
                    content_type: r.get(2)?,
                    location: r.get(3)?,
                    body: r.get(4)?,
                })
            },
        )
        .optional()
        .db("cannot read the answer store")
    }

    /// Stores the first answer to `actor`'s `key`, and drops entries older than `max_age_secs`.
    pub fn put(
        &self,
        actor: &str,
        key: &str,
        answer: &Answer,
        max_age_secs: u64,
    ) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute(
            "DELETE FROM answers WHERE created_at < ?1",
            params![now() - max_age_secs as i64],
        )
        .db("cannot trim the answer store")?;
        conn.execute(
            "INSERT OR REPLACE INTO answers (actor, key, fingerprint, created_at, status, content_type, location, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                actor,
                key,
                answer.fingerprint,
                now(),
                answer.status,
                answer.content_type,
                answer.location,
                answer.body
            ],
        )
        .db("cannot write the answer store")?;
        Ok(())
    }

    /// After an erasure: every stored body goes (any could show the erased person).
    pub fn blank_bodies(&self) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute("UPDATE answers SET body = NULL WHERE body IS NOT NULL", [])
            .db("cannot blank the stored answers")?;
        Ok(())
    }
}

/// Blanks the stored answers of the installation in `data_dir` after an erasure made elsewhere than
/// through the API (the CLI).
pub fn blank_after_erasure(data_dir: &Path) -> Result<(), StoreError> {
    AnswerStore::open(data_dir)?.blank_bodies()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
