//! A PostgreSQL database of its own for a test, on the server `CUSTODE_TEST_POSTGRES` names (a
//! connection string of a role that may create databases; CI sets it to a throwaway cluster).
//! Without the variable the test is skipped with a note; with it, a server that cannot be reached
//! fails the test.

use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Client, NoTls};

const ENV: &str = "CUSTODE_TEST_POSTGRES";

/// A throwaway database, dropped (with any connection still open to it) when this is dropped.
pub struct TestDb {
    admin: String,
    name: String,
    /// `postgres://…` for `[store] url`.
    pub url: String,
}

impl TestDb {
    pub fn create() -> Option<TestDb> {
        let admin = match std::env::var(ENV) {
            Ok(url) if !url.is_empty() => url,
            _ => {
                eprintln!("{ENV} is not set: this PostgreSQL test is skipped");
                return None;
            }
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "custode_e2e_{}_{}_{:08x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut client = Client::connect(&admin, NoTls)
            .unwrap_or_else(|e| panic!("{ENV} is set but its server cannot be reached: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let config: postgres::Config = admin.parse().expect("CUSTODE_TEST_POSTGRES");
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("postgres");
        let auth = match config.get_password() {
            Some(pw) => format!("{user}:{}", String::from_utf8_lossy(pw)),
            None => user.to_string(),
        };
        let url = format!("postgres://{auth}@{host}:{port}/{name}");
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
