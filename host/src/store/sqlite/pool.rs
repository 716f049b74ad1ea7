//! Connections: one writer (SQLite has one writer at a time; holding it in-process avoids lock
//! retries) and a small pool of readers, which WAL lets run in parallel with the writer and each other.

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::store::common::write_wait::write_wait;
use crate::store::error::{DbContext, StoreError};

/// Page cache per connection (KiB, as SQLite's negative `cache_size`). The writer's is larger: the import
/// path touches the identity index at random.
const WRITER_CACHE_KIB: i64 = 160 * 1024;
const READER_CACHE_KIB: i64 = 32 * 1024;
/// Readers map the file instead of copying pages through read(2): a lookup on a warm database then costs
/// no system call.
const MMAP_BYTES: i64 = 4 << 30;
const MAX_IDLE_READERS: usize = 8;
/// The writer checkpoints inside a commit only when the WAL holds this many pages (SQLite's default
/// is 1,000): the store's checkpoint thread (`checkpoint.rs`) copies it long before, off the
/// request path; this bounds the WAL (about 32 MB) if that thread falls behind.
pub(super) const SAFETY_CHECKPOINT_PAGES: u32 = 8_000;
/// How long a connection waits for a lock another process holds (a CLI beside the server).
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).db("cannot open the database")?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{WRITER_CACHE_KIB};
         PRAGMA mmap_size = 0;
         PRAGMA wal_autocheckpoint = {SAFETY_CHECKPOINT_PAGES};"
    ))
    .db("cannot configure the database connection")?;
    conn.busy_timeout(BUSY_TIMEOUT).db("busy timeout")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).db("cannot open a database reader")?;
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{READER_CACHE_KIB};
         PRAGMA mmap_size = {MMAP_BYTES};"
    ))
    .db("cannot configure a database reader")?;
    conn.busy_timeout(BUSY_TIMEOUT).db("busy timeout")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// The writer connection, lent to one user at a time.
pub struct WriterSlot {
    conn: Mutex<Option<Connection>>,
    returned: Condvar,
}

impl WriterSlot {
    pub fn new(conn: Connection) -> Self {
        WriterSlot {
            conn: Mutex::new(Some(conn)),
            returned: Condvar::new(),
        }
    }

    /// Waits for the writer, as long as it takes or as long as [`crate::store::with_write_wait`]
    /// allows this thread. The guard owns the connection, so it can travel to another thread.
    pub fn take(&self) -> Result<WriterGuard<'_>, StoreError> {
        let limit = write_wait();
        let started = Instant::now();
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = slot.take() {
                return Ok(WriterGuard {
                    slot: self,
                    conn: Some(conn),
                });
            }
            slot = match limit {
                None => self.returned.wait(slot).unwrap_or_else(|p| p.into_inner()),
                Some(limit) => {
                    let left = limit.saturating_sub(started.elapsed());
                    if left.is_zero() {
                        return Err(StoreError::WriterBusy { waited: limit });
                    }
                    // Spurious wake-ups and lost races for the writer loop back with less time left.
                    let (slot, _) = self
                        .returned
                        .wait_timeout(slot, left)
                        .unwrap_or_else(|p| p.into_inner());
                    slot
                }
            };
        }
    }
}

pub struct WriterGuard<'a> {
    slot: &'a WriterSlot,
    conn: Option<Connection>,
}

impl Deref for WriterGuard<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until drop")
    }
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        let conn = self.conn.take();
        // A transaction left open by a panic is rolled back before the next user gets the connection.
        if let Some(c) = &conn {
            if !c.is_autocommit() {
                let _ = c.execute_batch("ROLLBACK");
            }
        }
        *self.slot.conn.lock().unwrap_or_else(|p| p.into_inner()) = conn;
        self.slot.returned.notify_one();
    }
}

/// How long a reader may keep serving from one snapshot when nothing in this process wrote: the bound
/// on how late a write made by another process (a CLI run beside the server) becomes visible.
const MAX_SNAPSHOT_AGE: Duration = Duration::from_millis(50);

struct Reader {
    conn: Connection,
    /// The write generation and time at which the open read transaction began, if one is open.
    snapshot: Option<(u64, Instant)>,
}

impl Reader {
    fn stale(&self, generation: u64) -> bool {
        self.snapshot
            .is_some_and(|(g, at)| g != generation || at.elapsed() > MAX_SNAPSHOT_AGE)
    }

    fn end_snapshot(&mut self) {
        if self.snapshot.take().is_some() && !self.conn.is_autocommit() {
            let _ = self
                .conn
                .prepare_cached("COMMIT")
                .and_then(|mut s| s.execute([]));
        }
    }
}

/// Read-only connections, opened on demand and kept for reuse. Each keeps its read transaction open
/// between uses until this process writes (or the snapshot is `MAX_SNAPSHOT_AGE` old): starting a read
/// transaction takes the WAL read lock with system calls that cost more than a `can_process` lookup,
/// so the hot path skips it. Readers therefore always work inside one consistent snapshot.
pub struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    generation: AtomicU64,
}

impl ReaderPool {
    pub fn new(path: PathBuf) -> Self {
        ReaderPool {
            path,
            idle: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
        }
    }

    pub fn get(&self) -> Result<ReaderGuard<'_>, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut reader = match idle {
            Some(r) => r,
            None => Reader {
                conn: open_reader(&self.path)?,
                snapshot: None,
            },
        };
        let generation = self.generation.load(Ordering::Acquire);
        if reader.stale(generation) {
            reader.end_snapshot();
        }
        if reader.snapshot.is_none() {
            reader
                .conn
                .prepare_cached("BEGIN")
                .and_then(|mut s| s.execute([]))
                .db("cannot start a read")?;
            reader.snapshot = Some((generation, Instant::now()));
        }
        Ok(ReaderGuard {
            pool: self,
            reader: Some(reader),
        })
    }

    /// Called after every commit of this process: later reads must see it, and idle readers must not
    /// hold old snapshots that keep a checkpoint from emptying the WAL.
    pub fn written(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        for reader in self
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter_mut()
        {
            reader.end_snapshot();
        }
    }
}

pub struct ReaderGuard<'a> {
    pool: &'a ReaderPool,
    reader: Option<Reader>,
}

impl Deref for ReaderGuard<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.reader.as_ref().expect("present until drop").conn
    }
}

impl Drop for ReaderGuard<'_> {
    fn drop(&mut self) {
        if let Some(mut reader) = self.reader.take() {
            if reader.stale(self.pool.generation.load(Ordering::Acquire)) {
                reader.end_snapshot();
            }
            let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE_READERS {
                idle.push(reader);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::with_write_wait;

    fn slot() -> WriterSlot {
        WriterSlot::new(Connection::open_in_memory().unwrap())
    }

    #[test]
    fn a_bounded_write_gives_up_while_the_writer_is_held_and_gets_it_once_free() {
        let slot = slot();
        let held = slot.take().unwrap();
        let started = Instant::now();
        let busy = with_write_wait(Duration::from_millis(200), || slot.take().map(drop));
        assert!(
            matches!(busy, Err(StoreError::WriterBusy { waited }) if waited == Duration::from_millis(200)),
            "{busy:?}"
        );
        assert!(started.elapsed() >= Duration::from_millis(200));
        // The limit ends with the closure: this thread waits unbounded again.
        assert!(write_wait().is_none());

        // Released during the wait: the bounded write gets the writer.
        std::thread::scope(|s| {
            s.spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                drop(held);
            });
            let got = with_write_wait(Duration::from_secs(10), || slot.take().map(drop));
            assert!(got.is_ok(), "{got:?}");
        });
    }

    #[test]
    fn an_unbounded_write_waits_as_long_as_the_writer_is_held() {
        let slot = slot();
        let held = slot.take().unwrap();
        std::thread::scope(|s| {
            s.spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                drop(held);
            });
            let started = Instant::now();
            slot.take().unwrap();
            assert!(started.elapsed() >= Duration::from_millis(250));
        });
    }
}
