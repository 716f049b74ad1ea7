//! The PostgreSQL schema and its migrations. Each released version's SQL is frozen in its own file,
//! like SQLite's; a database is migrated forward on open, under a session advisory lock so that two
//! servers starting together do not both migrate.

use postgres::Client;

use crate::store::error::{DbContext, StoreError};

pub const V1: &str = include_str!("v1.sql");

static MIGRATIONS: &[&str] = &[V1];

/// The SQLite schema version the latest PostgreSQL one holds the same tables as. A new SQLite
/// migration needs its PostgreSQL twin in the same change (the test below says so).
pub const SQLITE_EQUIVALENT: usize = 7;

/// Serialises migrations between processes (`pg_advisory_lock` key: "custode" + 1).
const MIGRATION_LOCK: i64 = 0x6375_7374_6f64_6501;

/// The schema version this binary writes.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

/// Brings the database to the latest version; refuses one written by a newer Custode.
pub fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .db("cannot take the migration lock")?;
    let result = migrate_locked(client);
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .db("cannot release the migration lock");
    result.and(unlocked.map(drop))
}

fn migrate_locked(client: &mut Client) -> Result<(), StoreError> {
    // A server connecting as the service role (see `service_grants`) may not create tables: when
    // the schema is current there is nothing to create.
    let exists: bool = client
        .query_one("SELECT to_regclass('custode_schema') IS NOT NULL", &[])
        .db("cannot read the schema version")?
        .get(0);
    if exists {
        let current: i64 = client
            .query_one("SELECT coalesce(max(version), 0) FROM custode_schema", &[])
            .db("cannot read the schema version")?
            .get(0);
        if usize::try_from(current).ok() == Some(latest_version()) {
            return Ok(());
        }
    }
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS custode_schema (
                 version    BIGINT PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .map_err(|e| setup_error("cannot create the schema version table", e))?;
    let current: i64 = client
        .query_one("SELECT coalesce(max(version), 0) FROM custode_schema", &[])
        .db("cannot read the schema version")?
        .get(0);
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > latest_version() {
        return Err(StoreError::Setup(format!(
            "the PostgreSQL database was written by a newer Custode (schema version {current}, this binary knows up to {}): upgrade this binary",
            latest_version()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let version = i64::try_from(i + 1).unwrap_or(i64::MAX);
        let mut tx = client.transaction().db("cannot start a migration")?;
        tx.batch_execute(sql).map_err(|e| {
            setup_error(
                &format!("cannot migrate the schema to version {version}"),
                e,
            )
        })?;
        tx.execute(
            "INSERT INTO custode_schema (version) VALUES ($1)",
            &[&version],
        )
        .db("cannot record the schema version")?;
        tx.commit().db("cannot commit a migration")?;
    }
    Ok(())
}

/// A migration refused by the server: most often the role may not create tables in the schema.
fn setup_error(what: &str, e: postgres::Error) -> StoreError {
    let detail = e
        .as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string());
    StoreError::Setup(format!(
        "{what}: {detail} (the role in `[store] url` must own Custode's tables, or an owner must run `custode serve` once to create them)"
    ))
}

/// The SQL an owner of Custode's tables runs so that servers can connect as `role`, a role that
/// reads and writes the data but cannot change the append-only tables: no UPDATE, DELETE or
/// TRUNCATE on the audit log, the suppression periods and the history of request cases, and, not
/// owning the tables, no way to drop or disable their triggers. `role` must be a plain identifier.
pub fn service_grants(role: &str) -> Result<String, StoreError> {
    if role.is_empty()
        || !role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::invalid(
            "role",
            format!("`{role}` is not a plain role name: use lower-case letters, digits and `_`, e.g. `custode_app`"),
        ));
    }
    Ok(format!(
        "DO $$ BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO {role}', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {role}', current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {role}', current_schema());
END $$;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, suppression_periods, request_case_steps FROM {role};
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON custode_schema FROM {role};"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_sqlite_migration_has_its_postgresql_twin() {
        assert_eq!(
            crate::store::sqlite::schema::latest_version(),
            super::SQLITE_EQUIVALENT,
            "a SQLite migration was added: write the same change for PostgreSQL (store/postgres/vN.sql) and raise SQLITE_EQUIVALENT"
        );
    }
}
