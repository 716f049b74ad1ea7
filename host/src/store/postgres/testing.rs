//! A database of its own for each test, on the PostgreSQL server named by `CUSTODE_TEST_POSTGRES`
//! (a connection string of a role that may create databases; CI sets it). Without the variable the
//! PostgreSQL half of the store suite is skipped with a note; with it, a server that cannot be
//! reached fails the test.

use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Client, NoTls};

pub(crate) const ENV: &str = "CUSTODE_TEST_POSTGRES";

/// A throwaway database, dropped (with any connection still open to it) when this is dropped.
pub(crate) struct TestDb {
    admin: String,
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A fresh empty database, or None when no test server is configured.
    pub(crate) fn create() -> Option<TestDb> {
        let admin = match std::env::var(ENV) {
            Ok(url) if !url.is_empty() => url,
            _ => {
                eprintln!("{ENV} is not set: the PostgreSQL half of this test is skipped");
                return None;
            }
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "custode_test_{}_{}_{:08x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut client = Client::connect(&admin, NoTls)
            .unwrap_or_else(|e| panic!("{ENV} is set but its server cannot be reached: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let mut config: postgres::Config = admin.parse().expect("CUSTODE_TEST_POSTGRES");
        config.dbname(&name);
        let url = to_url(&config);
        Some(TestDb { admin, name, url })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.admin, NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The configuration back as a key=value connection string (which `postgres::Config` parses).
fn to_url(config: &postgres::Config) -> String {
    let mut parts = Vec::new();
    if let Some(postgres::config::Host::Tcp(h)) = config.get_hosts().first() {
        parts.push(format!("host={h}"));
    }
    if let Some(port) = config.get_ports().first() {
        parts.push(format!("port={port}"));
    }
    if let Some(user) = config.get_user() {
        parts.push(format!("user={user}"));
    }
    if let Some(pw) = config.get_password() {
        parts.push(format!("password='{}'", String::from_utf8_lossy(pw)));
    }
    if let Some(db) = config.get_dbname() {
        parts.push(format!("dbname={db}"));
    }
    parts.join(" ")
}
