//! The WAL is copied into the database file by the store's own thread, not by the request whose
//! commit crosses SQLite's threshold.

use super::*;

#[test]
fn a_commit_reaches_the_database_file_without_any_checkpoint_of_its_own() {
    let (dir, store) = open();
    let db = dir.path().join(super::super::DB_FILE);
    let marker = "Checkpointed-Quintiliani";
    // One small import: a few pages, far below the writer's own checkpoint threshold, so only the
    // checkpoint thread can move them from the WAL into the database file.
    import(
        &store,
        "marker.csv",
        &[record(1, "quintiliani@example.com", marker)],
    );
    let in_db = || {
        let bytes = std::fs::read(&db).unwrap();
        bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !in_db() {
        assert!(
            std::time::Instant::now() < deadline,
            "after 5 s the committed row is still only in the WAL: no background checkpoint ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Dropping the store stops the thread (the test would hang on a thread that never ends).
    drop(store);
}
