//! How long a write on this thread may wait for the writer: SQLite's writer connection or
//! PostgreSQL's writer lock. Set per request by the HTTP layer, read by both backends.

use std::cell::Cell;
use std::time::Duration;

thread_local! {
    /// How long a write on this thread may wait for the writer; `None`: as long as it takes.
    static WRITE_WAIT: Cell<Option<Duration>> = const { Cell::new(None) };
}

/// Runs `f` with every write it makes on this thread waiting at most `limit` for the writer, then
/// failing with [`crate::store::StoreError::WriterBusy`]. An import holds the writer for its whole
/// transaction (minutes for a large file): an HTTP request must not hang that long, while the CLI and
/// import jobs (which do not call this) keep waiting their turn.
pub fn with_write_wait<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Duration>);
    impl Drop for Restore {
        fn drop(&mut self) {
            WRITE_WAIT.set(self.0);
        }
    }
    let _restore = Restore(WRITE_WAIT.replace(Some(limit)));
    f()
}

/// How long a write on this thread may wait for the writer (see [`with_write_wait`]); the PostgreSQL
/// store sets it as the write transaction's `lock_timeout`.
pub(crate) fn write_wait() -> Option<Duration> {
    WRITE_WAIT.get()
}
