//! Evidence of imported consent (Art. 7(1)): with `require_consent_evidence`, a consent given without
//! evidence is refused with its row named, under the import's on-error rules; withdrawals and
//! objections are always taken. Every imported consent event keeps its batch and source row.

use super::tests::{import_with, options};
use super::*;
use crate::domain::{
    ConsentAction, ContactId, Email, Identity, Policy, Settings, SourceConsent, SourceIdentity,
    SourceRecord,
};
use crate::store::{ConsentStore, ContactStore, SqliteStore};
use std::io::Cursor;

fn open(require: bool) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        require_consent_evidence: require,
        ..Settings::default()
    };
    let policy = Policy::from_settings(&settings).unwrap();
    let store = SqliteStore::open(dir.path(), policy).unwrap();
    (dir, store)
}

/// One record per line, `email,action,evidence`: a marketing-by-email claim with that action
/// (`granted`, `withdrawn`, `objected`) and evidence (none when the cell is empty or absent).
#[derive(Default)]
struct Claims {
    pending: Vec<u8>,
    row: u64,
}

impl Claims {
    fn take(&mut self) -> SourceChunk {
        let text = String::from_utf8(std::mem::take(&mut self.pending)).unwrap();
        let mut records = Vec::new();
        for line in text.lines() {
            self.row += 1;
            let mut cells = line.split(',');
            let email = cells.next().unwrap_or_default().to_string();
            let action = match cells.next().unwrap_or_default() {
                "withdrawn" => ConsentAction::Withdrawn,
                "objected" => ConsentAction::Objected,
                _ => ConsentAction::Granted,
            };
            let evidence = cells.next().map(str::to_string).filter(|e| !e.is_empty());
            records.push(SourceRecord {
                row: self.row,
                identities: vec![SourceIdentity::Email(email)],
                consents: vec![SourceConsent {
                    purpose: "marketing".into(),
                    channel: "email".into(),
                    action,
                    at: None,
                    evidence,
                    notice_version: Some("2026-01".into()),
                    origin: None,
                }],
                ..SourceRecord::default()
            });
        }
        SourceChunk {
            records,
            rejected: vec![],
        }
    }
}

impl ChunkParser for Claims {
    fn push(&mut self, chunk: &[u8]) -> Result<SourceChunk, PluginError> {
        self.pending.extend_from_slice(chunk);
        Ok(SourceChunk::default())
    }
    fn finish(&mut self) -> Result<SourceChunk, PluginError> {
        Ok(self.take())
    }
}

fn claims() -> Result<Box<dyn ChunkParser>, ImportError> {
    Ok(Box::new(Claims::default()))
}

const FILE: &str = "mario.rossi@example.it,granted,CSV column `Consenso` = `sì`\n\
                    anna.neri@example.org,granted,\n\
                    luca.bianchi@example.it,withdrawn,\n\
                    sara.verdi@example.it,granted,   \n";

fn run(store: &SqliteStore, on_error: OnError) -> Result<ImportReport, ImportError> {
    import_with(
        store,
        &claims,
        Cursor::new(FILE),
        '1',
        &options(on_error),
        &JobHandle::default(),
    )
}

fn contact(store: &SqliteStore, email: &str) -> Option<ContactId> {
    store
        .find_contact(&Identity::Email(Email::parse(email).unwrap()))
        .unwrap()
}

#[test]
fn a_consent_without_evidence_is_refused_with_its_row_when_evidence_is_required() {
    let (_dir, store) = open(true);
    let report = run(&store, OnError::Skip).unwrap();
    let refused: Vec<(u64, Option<&str>, RejectKind)> = report
        .rejected_rows
        .iter()
        .map(|r| (r.row, r.column.as_deref(), r.kind))
        .collect();
    assert_eq!(
        refused,
        [
            (
                2,
                Some("consents[0].evidence"),
                RejectKind::ConsentWithoutEvidence
            ),
            (
                4,
                Some("consents[0].evidence"),
                RejectKind::ConsentWithoutEvidence
            ),
        ]
    );
    let reason = &report.rejected_rows[0].reason;
    assert!(
        reason.contains("marketing by email") && reason.contains("require_consent_evidence"),
        "{reason}"
    );
    // The consent with evidence and the withdrawal without it are imported.
    assert!(contact(&store, "mario.rossi@example.it").is_some());
    assert!(contact(&store, "luca.bianchi@example.it").is_some());
    assert!(contact(&store, "anna.neri@example.org").is_none());
    assert!(contact(&store, "sara.verdi@example.it").is_none());
}

#[test]
fn under_abort_a_consent_without_evidence_stops_the_import_at_its_row() {
    let (_dir, store) = open(true);
    let err = run(&store, OnError::Abort).unwrap_err();
    assert!(
        matches!(&err, ImportError::BadRow { row: 2, column: Some(c), .. } if c == "consents[0].evidence"),
        "{err}"
    );
    assert!(contact(&store, "mario.rossi@example.it").is_none());
}

#[test]
fn without_the_setting_every_consent_is_taken_and_keeps_its_batch_and_row() {
    let (_dir, store) = open(false);
    let report = run(&store, OnError::Abort).unwrap();
    assert!(report.rejected_rows.is_empty());
    let anna = contact(&store, "anna.neri@example.org").unwrap();
    let history = store.consent_history(anna).unwrap();
    assert_eq!(history[0].batch.map(|b| b.0), Some(report.batch));
    assert_eq!(history[0].row, Some(2));
    assert_eq!(history[0].evidence.text, None);
    assert_eq!(
        history[0].evidence.method,
        format!(
            "imported from Fiera Milano 2026, import batch {}, row 2",
            report.batch
        )
    );
    let mario = contact(&store, "mario.rossi@example.it").unwrap();
    assert_eq!(
        store.consent_history(mario).unwrap()[0]
            .evidence
            .text
            .as_deref(),
        Some("CSV column `Consenso` = `sì`")
    );
}
