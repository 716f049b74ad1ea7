//! The audit log's hash chain, independent of the backend. Each entry's hash is a keyed HMAC over the
//! previous entry's hash and the entry's content (not its number): an edited entry no longer matches its
//! own hash; a deleted one leaves its successor pointing at a hash no entry has; entries renumbered into
//! another order keep valid hashes but point at the wrong predecessor. Without the key (outside the
//! database) an attacker cannot re-hash the chain after editing it.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::secret::Keys;

/// The `prev_hash` of the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// The hashed content of an entry.
pub struct EntryContent<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
}

pub fn entry_hash(keys: &Keys, prev_hash: &[u8], e: &EntryContent<'_>) -> [u8; 32] {
    keys.audit_hash(&[
        prev_hash,
        &e.at.to_le_bytes(),
        e.actor.as_bytes(),
        e.role.as_bytes(),
        e.action.as_bytes(),
        e.target.as_bytes(),
        e.details.as_bytes(),
    ])
}

/// An entry as read back for verification.
pub struct StoredEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The first thing found wrong with the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case", tag = "problem")]
pub enum AuditProblem {
    /// The entry's content no longer matches its hash.
    Edited { seq: i64 },
    /// Entries between `after` and `before` were removed (`missing` lists their numbers when the
    /// numbering still shows the gap).
    Deleted {
        after: Option<i64>,
        before: i64,
        missing: Vec<i64>,
    },
    /// The entry is genuine but was moved: it was written right after `written_after`.
    Reordered { seq: i64, written_after: i64 },
    /// Entries at the end were removed: the log ends at `last` but the recorded head is `expected_last`.
    Truncated {
        last: Option<i64>,
        expected_last: i64,
    },
}

impl fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditProblem::Edited { seq } => {
                write!(f, "audit entry {seq} was edited: its content no longer matches its hash")
            }
            AuditProblem::Deleted { after, before, missing } => {
                let after = after.map_or("the start of the log".to_string(), |a| format!("entry {a}"));
                if missing.is_empty() {
                    write!(f, "an audit entry between {after} and entry {before} was deleted (and the rest renumbered)")
                } else {
                    let list: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
                    write!(f, "audit entry {} was deleted: entry {before} does not follow {after}", list.join(", "))
                }
            }
            AuditProblem::Reordered { seq, written_after } => write!(
                f,
                "audit entries were reordered: entry {seq} was written right after the entry now numbered {written_after}"
            ),
            AuditProblem::Truncated { last, expected_last } => write!(
                f,
                "audit entries at the end were deleted: the log ends at {} but entry {expected_last} was written",
                last.map_or("nothing".to_string(), |l| format!("entry {l}"))
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditVerification {
    pub entries: u64,
    /// Hex hash of the last entry: note it somewhere outside the database to detect, later, a log cut
    /// short together with its recorded head.
    pub head: Option<String>,
    pub problem: Option<AuditProblem>,
}

impl AuditVerification {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Walks the entries in number order and reports the first problem. `recorded_head` is the last
/// (seq, hash) the store wrote, kept apart from the entries to notice a cut-off tail.
pub fn verify(
    keys: &Keys,
    entries: impl IntoIterator<Item = StoredEntry>,
    recorded_head: Option<(i64, Vec<u8>)>,
) -> AuditVerification {
    // Hash -> number, to say where a moved entry belongs. Only hashes are kept: 40 bytes per entry.
    let mut seen: HashMap<Vec<u8>, i64> = HashMap::new();
    let mut pending: Vec<(i64, Vec<u8>)> = Vec::new();
    let mut prev: Option<(i64, Vec<u8>)> = None;
    let mut count = 0u64;
    let mut problem = None;
    for e in entries {
        count += 1;
        let content = EntryContent {
            at: e.at,
            actor: &e.actor,
            role: &e.role,
            action: &e.action,
            target: &e.target,
            details: &e.details,
        };
        if problem.is_none() {
            if entry_hash(keys, &e.prev_hash, &content)[..] != e.hash[..] {
                problem = Some(AuditProblem::Edited { seq: e.seq });
            } else {
                let expected: &[u8] = prev.as_ref().map_or(&GENESIS[..], |(_, h)| h);
                if e.prev_hash != expected {
                    // Decided once every hash is known: the predecessor may come later (reordered).
                    pending.push((e.seq, e.prev_hash.clone()));
                    if pending.len() == 1 {
                        let after = prev.as_ref().map(|(s, _)| *s);
                        let first_missing = after.map_or(1, |a| a + 1);
                        problem = Some(AuditProblem::Deleted {
                            after,
                            before: e.seq,
                            missing: (first_missing..e.seq).collect(),
                        });
                    }
                }
            }
        }
        seen.insert(e.hash.clone(), e.seq);
        prev = Some((e.seq, e.hash));
    }
    if let (Some((seq, prev_hash)), Some(AuditProblem::Deleted { .. })) =
        (pending.first(), &problem)
    {
        if let Some(&written_after) = seen.get(prev_hash) {
            problem = Some(AuditProblem::Reordered {
                seq: *seq,
                written_after,
            });
        }
    }
    if problem.is_none() {
        if let Some((expected_last, head_hash)) = recorded_head {
            let last = prev.as_ref().map(|(s, _)| *s);
            let matches = prev
                .as_ref()
                .is_some_and(|(s, h)| *s == expected_last && *h == head_hash);
            if !matches && last.is_none_or(|l| l <= expected_last) {
                problem = Some(AuditProblem::Truncated {
                    last,
                    expected_last,
                });
            }
        }
    }
    AuditVerification {
        entries: count,
        head: prev.map(|(_, h)| hex::encode(h)),
        problem,
    }
}
