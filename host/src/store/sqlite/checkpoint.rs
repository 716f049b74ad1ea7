//! Checkpoints off the request path. SQLite's own automatic checkpoint runs inside the commit that
//! pushes the WAL past its threshold: that one request copies a thousand pages into the database
//! file and waits for fsync (measured: most of the slowest access exports' time at 1M contacts).
//! Here a thread of the store copies the WAL into the database every [`INTERVAL`] instead, on its
//! own connection, while writers go on; the writer keeps an automatic checkpoint only as a far
//! safety net ([`pool::SAFETY_CHECKPOINT_PAGES`]), for when this thread cannot keep up.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::pool;

/// How often the WAL is copied into the database file. A PASSIVE checkpoint with nothing new to
/// copy costs a lock and a header read.
const INTERVAL: Duration = Duration::from_millis(100);

/// The store's checkpointing thread; dropping it stops the thread and waits for it.
pub(super) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// Held while any checkpoint of this process runs: SQLite lets one checkpointer at a time and
    /// answers the others "busy" without waiting, so an erasure's purge waits here for this
    /// thread's copy to end instead of failing.
    pub(super) lock: Arc<Mutex<()>>,
}

impl Checkpointer {
    /// Starts the thread. A database it cannot open is left to the writer's safety net (and
    /// reported once on stderr): reads and writes do not depend on it.
    pub(super) fn start(db_path: PathBuf) -> Checkpointer {
        let lock = Arc::new(Mutex::new(()));
        let (stop, stopped) = mpsc::channel::<()>();
        let held = Arc::clone(&lock);
        let thread = std::thread::Builder::new()
            .name("custode-checkpoint".into())
            .spawn(move || {
                let conn = match open(&db_path) {
                    Ok(conn) => conn,
                    Err(e) => {
                        eprintln!(
                            "custode: no background checkpoints for {}: {e}; SQLite's own take over",
                            db_path.display()
                        );
                        return;
                    }
                };
                // Until the store drops its end of the channel.
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    let _guard = held.lock().unwrap_or_else(|e| e.into_inner());
                    // Busy (another process checkpointing, a reader on an old snapshot) is fine:
                    // the next round copies what this one could not.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .ok();
        Checkpointer {
            stop: Some(stop),
            thread,
            lock,
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn open(db_path: &std::path::Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        db_path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(pool::BUSY_TIMEOUT)?;
    Ok(conn)
}
