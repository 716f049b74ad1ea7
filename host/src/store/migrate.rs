//! Moving an installation from SQLite to PostgreSQL (`custode migrate`): every table copied row for
//! row in one PostgreSQL transaction, ids, sequence numbers and the audit chain unchanged, then the
//! chain verified on the new database with the installation's own key.

use std::path::Path;

use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::{ToSql, Type};
use ::postgres::{Client, NoTls};
use rusqlite::types::Value;

use crate::domain::Policy;
use crate::store::error::{DbContext, StoreError};
use crate::store::{postgres, sqlite, AuditStore, PostgresStore, Result, SqliteStore};

/// Every table, parents before the tables that refer to them.
const TABLES: &[&str] = &[
    "meta",
    "purposes",
    "import_batches",
    "provenance",
    "contacts",
    "identities",
    "field_values",
    "notices",
    "consent_events",
    "legal_bases",
    "notice_receipts",
    "suppression",
    "suppression_periods",
    "contact_suppressions",
    "restrictions",
    "former_identities",
    "audit_log",
    "plugins",
    "bundled_plugins_seen",
    "api_tokens",
    "request_cases",
    "request_case_steps",
    "request_documents",
    "retention_runs",
    "retention_decisions",
    "review_items",
];

/// The tables whose `id` PostgreSQL numbers: their sequences continue after the copied ids.
const NUMBERED: &[&str] = &[
    "purposes",
    "import_batches",
    "provenance",
    "contacts",
    "notices",
    "request_cases",
    "retention_runs",
    "review_items",
];

/// What a migration moved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrationReport {
    /// Rows per table, in copy order.
    pub rows: Vec<(String, u64)>,
    pub audit_entries: u64,
    /// The audit chain's last hash, the same on both databases.
    pub audit_head: Option<String>,
}

/// Copies the installation in `data_dir` (SQLite) into the empty PostgreSQL database at `url`.
/// The SQLite database is read in one snapshot and left as it was.
pub fn sqlite_to_postgres(data_dir: &Path, url: &str, policy: Policy) -> Result<MigrationReport> {
    let db_path = data_dir.join(sqlite::DB_FILE);
    if !db_path.exists() {
        return Err(StoreError::Setup(format!(
            "`{}` holds no Custode database (`{}` is missing): give the data directory of the installation to move",
            data_dir.display(),
            sqlite::DB_FILE
        )));
    }
    // Brings the source to the latest schema (the one PostgreSQL's version 1 mirrors) and checks its
    // key file belongs to it.
    let source = SqliteStore::open(data_dir, policy.clone())?;
    let source_audit = source.audit_verify()?;
    if !source_audit.ok() {
        return Err(StoreError::Setup(format!(
            "the audit log of `{}` does not verify ({:?}): it would be moved broken; investigate it first (`custode audit verify`)",
            data_dir.display(),
            source_audit.problem
        )));
    }
    drop(source);
    let config: ::postgres::Config = url.parse().map_err(|e| {
        StoreError::Setup(format!(
            "`--to` is not a PostgreSQL connection string ({e}): write `postgres://user:password@host:port/database`"
        ))
    })?;
    let mut client = config.connect(NoTls).map_err(|e| {
        StoreError::Setup(format!(
            "cannot connect to the PostgreSQL database to move into: {e}"
        ))
    })?;
    postgres::schema::migrate(&mut client)?;
    refuse_unless_empty(&mut client)?;

    let sqlite_conn =
        rusqlite::Connection::open_with_flags(&db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .db("cannot open the SQLite database")?;
    sqlite_conn
        .execute_batch("BEGIN")
        .db("cannot start reading the SQLite database")?;
    let mut tx = client.transaction().db("cannot start the copy")?;
    postgres::lock_writer(&mut tx)?;
    let mut rows = Vec::new();
    for table in TABLES {
        let n = copy_table(&sqlite_conn, &mut tx, table)?;
        rows.push((table.to_string(), n));
    }
    for table in NUMBERED {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"
            ),
            &[],
        )
        .db("cannot move the id sequences on")?;
    }
    tx.commit().db("cannot commit the copy")?;
    drop(sqlite_conn);

    // The moved installation, opened as a server would open it: its key's fingerprint and audit
    // chain must check out.
    let moved = PostgresStore::open(url, data_dir, policy)?;
    let verification = moved.audit_verify()?;
    if !verification.ok() || verification.head != source_audit.head {
        return Err(StoreError::Setup(format!(
            "the audit log moved to PostgreSQL does not verify as it did on SQLite ({:?}): drop the PostgreSQL database and try again; the SQLite installation is unchanged",
            verification.problem
        )));
    }
    Ok(MigrationReport {
        rows,
        audit_entries: verification.entries,
        audit_head: verification.head,
    })
}

fn refuse_unless_empty(client: &mut Client) -> Result<()> {
    let used: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM contacts)
                    OR EXISTS (SELECT 1 FROM meta WHERE key = 'key_fingerprint')",
            &[],
        )
        .db("cannot read the PostgreSQL database")?
        .get(0);
    if used {
        return Err(StoreError::Conflict(
            "the PostgreSQL database already holds a Custode installation: move into a new, empty database (`createdb`), so that nothing is mixed or overwritten".into(),
        ));
    }
    // `custode serve` may have been started on it once: only the purpose catalogue is there.
    client
        .batch_execute("DELETE FROM purposes")
        .db("cannot empty the purpose catalogue")?;
    Ok(())
}

/// A SQLite value as the PostgreSQL column's type wants it.
fn convert(value: Value, ty: &Type, table: &str, column: &str) -> Result<Box<dyn ToSql + Sync>> {
    let wrong = |what: &str| {
        StoreError::Setup(format!(
            "`{table}.{column}` holds {what} where PostgreSQL keeps {ty}: the SQLite database was changed by hand; fix the row and migrate again"
        ))
    };
    Ok(match (value, ty) {
        (Value::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
        (Value::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
        (Value::Null, _) => Box::new(None::<String>),
        (Value::Integer(i), t) if *t == Type::INT8 => Box::new(i),
        (Value::Text(s), t) if *t == Type::INT8 => {
            Box::new(s.trim().parse::<i64>().map_err(|_| wrong("text"))?)
        }
        (Value::Integer(i), t) if *t == Type::TEXT => Box::new(i.to_string()),
        (Value::Real(r), t) if *t == Type::TEXT => Box::new(r.to_string()),
        (Value::Text(s), t) if *t == Type::TEXT => Box::new(s),
        (Value::Blob(b), t) if *t == Type::BYTEA => Box::new(b),
        (Value::Text(s), t) if *t == Type::BYTEA => Box::new(s.into_bytes()),
        (Value::Blob(_), _) => return Err(wrong("bytes")),
        (Value::Real(_), _) => return Err(wrong("a fraction")),
        (Value::Integer(_), _) => return Err(wrong("a number")),
        (Value::Text(_), _) => return Err(wrong("text")),
    })
}

/// The columns of `table` in SQLite: PostgreSQL's tables may have more (an identity column
/// numbering rows), which their defaults fill in.
fn sqlite_columns(conn: &rusqlite::Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .db("cannot read the SQLite schema")?;
    let names = stmt
        .query_map([], |r| r.get(0))
        .db("cannot read the SQLite schema")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .db("cannot read the SQLite schema")?;
    Ok(names)
}

/// The columns of `table` in PostgreSQL that SQLite has too, with their PostgreSQL types.
fn shared_columns(
    tx: &mut ::postgres::Transaction<'_>,
    sqlite: &rusqlite::Connection,
    table: &str,
) -> Result<Vec<(String, Type)>> {
    let in_sqlite = sqlite_columns(sqlite, table)?;
    let columns: Vec<(String, Type)> = tx
        .query(
            "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .db("cannot read the PostgreSQL schema")?
        .iter()
        .map(|r| {
            let ty = match r.get::<_, String>(1).as_str() {
                "bigint" => Type::INT8,
                "bytea" => Type::BYTEA,
                _ => Type::TEXT,
            };
            (r.get::<_, String>(0), ty)
        })
        .filter(|(name, _)| in_sqlite.contains(name))
        .collect();
    Ok(columns)
}

fn copy_table(
    source: &rusqlite::Connection,
    tx: &mut ::postgres::Transaction<'_>,
    table: &str,
) -> Result<u64> {
    let columns = shared_columns(tx, source, table)?;
    let names: Vec<String> = columns.iter().map(|(c, _)| format!("\"{c}\"")).collect();
    let list = names.join(", ");
    let types: Vec<Type> = columns.iter().map(|(_, t)| t.clone()).collect();
    let mut stmt = source
        .prepare(&format!("SELECT {list} FROM {table}"))
        .db(&format!("cannot read `{table}` from SQLite"))?;
    let mut rows = stmt
        .query([])
        .db(&format!("cannot read `{table}` from SQLite"))?;
    let sink = tx
        .copy_in(&format!("COPY {table} ({list}) FROM STDIN BINARY"))
        .db(&format!("cannot copy into `{table}`"))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut n = 0u64;
    while let Some(row) = rows
        .next()
        .db(&format!("cannot read `{table}` from SQLite"))?
    {
        let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(columns.len());
        for (i, (column, ty)) in columns.iter().enumerate() {
            let v: Value = row
                .get(i)
                .db(&format!("cannot read `{table}` from SQLite"))?;
            values.push(convert(v, ty, table, column)?);
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        writer
            .write(&refs)
            .db(&format!("cannot copy into `{table}`"))?;
        n += 1;
    }
    writer.finish().db(&format!("cannot copy into `{table}`"))?;
    Ok(n)
}

/// Copies every table of the PostgreSQL snapshot `tx` into the SQLite database `dest` (created
/// with the SQLite schema): a PostgreSQL installation's backup is an SQLite installation's database.
/// Returns the rows copied per table.
pub(crate) fn postgres_to_sqlite(
    tx: &mut ::postgres::Transaction<'_>,
    dest: &mut rusqlite::Connection,
) -> Result<Vec<(String, u64)>> {
    sqlite::schema::migrate(dest)?;
    let out = dest.transaction().db("cannot start writing the copy")?;
    let mut rows = Vec::new();
    for table in TABLES {
        let columns = shared_columns(tx, &out, table)?;
        let list = columns
            .iter()
            .map(|(c, _)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        // SQLite keeps `restrictions` and `suppression_periods` in insertion order (its rowid), which
        // PostgreSQL's `seq` records: the copy keeps it.
        let order = if NUMBERED.contains(table) {
            " ORDER BY id"
        } else if ["restrictions", "suppression_periods"].contains(table) {
            " ORDER BY seq"
        } else {
            ""
        };
        let source = tx
            .query_raw(
                &format!("SELECT {list} FROM {table}{order}"),
                std::iter::empty::<i64>(),
            )
            .db(&format!("cannot read `{table}`"))?;
        let placeholders = (1..=columns.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut insert = out
            .prepare(&format!(
                "INSERT INTO {table} ({list}) VALUES ({placeholders})"
            ))
            .db(&format!("cannot write `{table}` into the copy"))?;
        let mut n = 0u64;
        let mut source = source;
        while let Some(row) = ::postgres::fallible_iterator::FallibleIterator::next(&mut source)
            .db(&format!("cannot read `{table}`"))?
        {
            let values: Vec<Value> = columns
                .iter()
                .enumerate()
                .map(|(i, (_, ty))| {
                    if *ty == Type::INT8 {
                        row.get::<_, Option<i64>>(i)
                            .map_or(Value::Null, Value::Integer)
                    } else if *ty == Type::BYTEA {
                        row.get::<_, Option<Vec<u8>>>(i)
                            .map_or(Value::Null, Value::Blob)
                    } else {
                        row.get::<_, Option<String>>(i)
                            .map_or(Value::Null, Value::Text)
                    }
                })
                .collect();
            insert
                .execute(rusqlite::params_from_iter(values))
                .db(&format!("cannot write `{table}` into the copy"))?;
            n += 1;
        }
        drop(insert);
        rows.push((table.to_string(), n));
    }
    out.commit().db("cannot commit the copy")?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use crate::store::postgres::testing::TestDb;
    use crate::store::suite::RawSql;
    use crate::store::{ConsentStore, ContactStore, ErasureCause, ErasureStore, NewContact};

    fn email(text: &str) -> Identity {
        Identity::Email(Email::parse(text).unwrap())
    }

    /// An installation with contacts, a consent, a notice and an erasure: every kind of row.
    fn installation(dir: &Path) {
        let store = SqliteStore::open(dir, Policy::default()).unwrap();
        let dpo = Actor::new("giulia.dpo", Role::Dpo);
        for (i, mail) in ["mario@example.it", "anna@example.it", "luca@example.it"]
            .iter()
            .enumerate()
        {
            let id = store
                .create_contact(
                    &dpo,
                    &NewContact {
                        identities: vec![email(mail)],
                        fields: vec![FieldValue {
                            name: "last_name".into(),
                            value: format!("Rossi{i}"),
                        }],
                        source_label: "phone call".into(),
                        channel: SourceChannel::Phone,
                        collected_at: None,
                        last_interaction: None,
                    },
                )
                .unwrap();
            store
                .append_consent(
                    &dpo,
                    id,
                    &ConsentEvent {
                        purpose: "marketing".into(),
                        channel: ConsentChannel::Email,
                        action: ConsentAction::Granted,
                        at: Timestamp::from_date(2026, 1, 10).unwrap(),
                        evidence: Evidence {
                            method: "web form".into(),
                            notice_version: None,
                            text: Some("checkbox on /signup".into()),
                            collected_by: "website".into(),
                        },
                    },
                )
                .unwrap();
        }
        store
            .erase(
                &dpo,
                ContactId(2),
                "request of 2026-03-01",
                Timestamp::now(),
                ErasureCause::Request,
            )
            .unwrap();
    }

    #[test]
    fn an_installation_moves_whole_with_its_audit_chain_and_only_into_an_empty_database() {
        let Some(db) = TestDb::create() else { return };
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let report = sqlite_to_postgres(dir.path(), &db.url, Policy::default()).unwrap();
        let count = |t: &str| report.rows.iter().find(|(n, _)| n == t).unwrap().1;
        assert_eq!(count("contacts"), 3);
        assert_eq!(count("suppression"), 1, "the erased person's email");
        assert_eq!(
            count("consent_events"),
            2,
            "the erased contact's event is gone"
        );
        assert!(report.audit_entries >= 7, "{report:?}");

        let source = SqliteStore::open(dir.path(), Policy::default()).unwrap();
        let moved = PostgresStore::open(&db.url, dir.path(), Policy::default()).unwrap();
        let all = crate::store::AuditFilter::default();
        assert_eq!(
            source.audit_list(&all).unwrap(),
            moved.audit_list(&all).unwrap()
        );
        // New rows continue the ids instead of colliding with the copied ones.
        moved
            .raw("INSERT INTO contacts (created_at, updated_at) VALUES (1, 1)")
            .unwrap();
        let mut conn = moved.conn().unwrap();
        let max: i64 = conn
            .query_one("SELECT max(id) FROM contacts", &[])
            .unwrap()
            .get(0);
        assert_eq!(max, 4);
        drop(conn);

        let again = sqlite_to_postgres(dir.path(), &db.url, Policy::default()).unwrap_err();
        assert!(again.to_string().contains("already holds"), "{again}");
    }

    #[test]
    fn a_data_directory_without_a_database_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = sqlite_to_postgres(
            dir.path(),
            "postgres://nobody@127.0.0.1:1/x",
            Policy::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("holds no Custode database"),
            "{err}"
        );
    }
}
