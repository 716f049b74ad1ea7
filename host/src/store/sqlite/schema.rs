//! Schema migrations. Each released version's SQL is frozen in its own file; a database created by any
//! earlier version is migrated forward on open (the migration test opens a version-1 database).

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::store::error::StoreError;

pub const V1: &str = include_str!("v1.sql");
pub const V2: &str = include_str!("v2.sql");
pub const V3: &str = include_str!("v3.sql");
pub const V4: &str = include_str!("v4.sql");
pub const V5: &str = include_str!("v5.sql");
pub const V6: &str = include_str!("v6.sql");
pub const V7: &str = include_str!("v7.sql");

static MIGRATIONS: &[M<'static>] = &[
    M::up(V1),
    M::up(V2),
    M::up(V3),
    M::up(V4),
    M::up(V5),
    M::up(V6),
    M::up(V7),
];

pub fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// The schema version this binary writes.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::MigrationDefinition(
            rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
        ) => StoreError::Setup(format!(
            "the database was written by a newer Custode (schema newer than version {}): upgrade this binary",
            latest_version()
        )),
        other => StoreError::Setup(format!("cannot migrate the database schema: {other}")),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
