use rusqlite::Connection;

use super::*;
use crate::store::AuditProblem;

/// Five audited writes, then the store is closed so the test can tamper with the file like an attacker
/// with database access (who drops the append-only triggers first).
fn log_with_entries() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, store) = open();
    for i in 0..5 {
        store
            .publish_notice(
                &dpo(),
                &Notice {
                    version: format!("2026-0{}", i + 1),
                    published_at: day(2026, 1, 1),
                    text_digest: None,
                    summary: None,
                },
            )
            .unwrap();
    }
    assert!(store.audit_verify().unwrap().ok());
    let path = store.db_path().to_path_buf();
    drop(store);
    (dir, path)
}

fn tamper(path: &std::path::Path, sql: &str) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn verify(dir: &tempfile::TempDir) -> AuditVerification {
    SqliteStore::open(dir.path(), Policy::default())
        .unwrap()
        .audit_verify()
        .unwrap()
}

#[test]
fn an_untouched_log_verifies() {
    let (dir, _) = log_with_entries();
    let v = verify(&dir);
    assert_eq!(v.entries, 5);
    assert_eq!(v.problem, None);
    assert_eq!(v.head.unwrap().len(), 64);
}

#[test]
fn an_edited_entry_is_named() {
    let (dir, path) = log_with_entries();
    tamper(
        &path,
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3",
    );
    let problem = verify(&dir).problem.unwrap();
    assert_eq!(problem, AuditProblem::Edited { seq: 3 });
    assert_eq!(
        problem.to_string(),
        "audit entry 3 was edited: its content no longer matches its hash"
    );
}

#[test]
fn a_deleted_entry_is_named() {
    let (dir, path) = log_with_entries();
    tamper(&path, "DELETE FROM audit_log WHERE seq = 2");
    let problem = verify(&dir).problem.unwrap();
    assert_eq!(
        problem,
        AuditProblem::Deleted {
            after: Some(1),
            before: 3,
            missing: vec![2]
        }
    );
    assert!(
        problem.to_string().starts_with("audit entry 2 was deleted"),
        "{problem}"
    );
}

#[test]
fn a_deleted_first_entry_is_named() {
    let (dir, path) = log_with_entries();
    tamper(&path, "DELETE FROM audit_log WHERE seq = 1");
    assert_eq!(
        verify(&dir).problem.unwrap(),
        AuditProblem::Deleted {
            after: None,
            before: 2,
            missing: vec![1]
        }
    );
}

#[test]
fn reordered_entries_are_named() {
    let (dir, path) = log_with_entries();
    tamper(&path, "UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -3;");
    let problem = verify(&dir).problem.unwrap();
    assert_eq!(
        problem,
        AuditProblem::Reordered {
            seq: 3,
            written_after: 4
        }
    );
    assert!(problem
        .to_string()
        .contains("entry 3 was written right after the entry now numbered 4"));
}

#[test]
fn a_cut_off_tail_is_named() {
    let (dir, path) = log_with_entries();
    tamper(&path, "DELETE FROM audit_log WHERE seq = 5");
    assert_eq!(
        verify(&dir).problem.unwrap(),
        AuditProblem::Truncated {
            last: Some(4),
            expected_last: 5
        }
    );
}

#[test]
fn a_rehashed_entry_without_the_key_is_still_caught() {
    let (dir, path) = log_with_entries();
    // An attacker recomputing an unkeyed SHA-256 chain gets nowhere: the chain is keyed by secret.key.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update")
        .unwrap();
    let prev: Vec<u8> = conn
        .query_row("SELECT prev_hash FROM audit_log WHERE seq = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    let forged = <sha2::Sha256 as sha2::Digest>::digest([prev.as_slice(), b"forged"].concat());
    conn.execute(
        "UPDATE audit_log SET action = 'nothing', hash = ?1 WHERE seq = 2",
        [forged.as_slice()],
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        verify(&dir).problem.unwrap(),
        AuditProblem::Edited { seq: 2 }
    );
}

#[test]
fn the_database_refuses_edits_through_sql() {
    let (_dir, store) = open();
    store
        .publish_notice(
            &dpo(),
            &Notice {
                version: "v1".into(),
                published_at: day(2026, 1, 1),
                text_digest: None,
                summary: None,
            },
        )
        .unwrap();
    let conn = store.writer().unwrap();
    let err = conn
        .execute("UPDATE audit_log SET actor = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"));
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
}
