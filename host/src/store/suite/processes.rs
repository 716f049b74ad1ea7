//! Two processes on one database — a CLI run beside the server on SQLite, two servers on
//! PostgreSQL: what one writes, the other honours at once.

use std::path::Path;

use super::*;
use crate::store::secret::SECRET_FILE;
use crate::store::{ContactStore, SuppressionStore};

/// `first` and `second` are two stores open on the same database.
fn a_suppression_added_by_another_server_is_honoured_at_once<
    S: ImportStore + ContactStore + SuppressionStore,
>(
    first: &S,
    second: &S,
) {
    let (_, outcomes) = import(first, "file-a", &[record(1, "anna@bianchi.it", "Bianchi")]);
    let anna = created(&outcomes);
    assert_eq!(
        second.find_contact(&email("anna@bianchi.it")).unwrap(),
        Some(anna)
    );
    second
        .suppress(
            &dpo(),
            &email("mario@rossi.it"),
            "asked by phone",
            &SuppressionScope::All,
            day(2026, 2, 1),
        )
        .unwrap();
    let marketing = SuppressionScope::Purposes(vec!["marketing".into()]);
    second
        .suppress(
            &dpo(),
            &phone("+39 333 7654321"),
            "objected by phone",
            &marketing,
            day(2026, 2, 1),
        )
        .unwrap();
    let mut anna_again = record(2, "anna@bianchi.it", "Bianchi");
    anna_again.identities.push(phone("+39 333 7654321"));
    let (_, outcomes) = import(
        first,
        "file-b",
        &[record(1, "Mario@Rossi.it", "Rossi"), anna_again],
    );
    assert_eq!(
        outcomes,
        vec![RecordOutcome::Suppressed, RecordOutcome::Merged(anna)]
    );
    // The phone suppressed for marketing on the other server came to Anna with its period.
    let c = first.contact(anna).unwrap();
    assert_eq!(c.suppression, Some(marketing));
    assert_eq!(c.suppression_periods.len(), 1);
    assert!(first
        .suppression_of(&email("mario@rossi.it"))
        .unwrap()
        .is_some());
}

#[test]
fn sqlite() {
    let opened = super::sqlite(Policy::default());
    // A CLI run beside the server opens the same data directory.
    let cli = SqliteStore::open(opened.dir.path(), Policy::default()).unwrap();
    a_suppression_added_by_another_server_is_honoured_at_once(&opened.store, &cli);
}

/// A second server on the same PostgreSQL database: a data directory of its own holding a copy of
/// the installation's key file.
fn second_server(opened: &Opened<PostgresStore>, dir: &Path) -> PostgresStore {
    std::fs::copy(opened.dir.path().join(SECRET_FILE), dir.join(SECRET_FILE)).unwrap();
    let url = &opened.db.as_ref().unwrap().url;
    PostgresStore::open(url, dir, Policy::default()).unwrap()
}

#[test]
fn postgres() {
    let Some(opened) = super::postgres(Policy::default()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let second = second_server(&opened, dir.path());
    a_suppression_added_by_another_server_is_honoured_at_once(&opened.store, &second);
}
