//! The benchmark on PostgreSQL (`--store postgres://…`). Every installation a scenario makes (the
//! main import, the native one, the small one) is a schema of the one database given, put first on
//! the search path of its connections; the data directory beside it holds only the key file. The
//! database must hold nothing when the run starts: the bench writes millions of rows and drops its
//! schemas at the end, so it must never be pointed at a database with anything else in it.

use postgres::{Client, NoTls};

/// Schemas the bench makes are named with this prefix.
const PREFIX: &str = "custode_bench_";

/// The PostgreSQL database a run writes into.
pub struct Pg {
    url: String,
}

impl Pg {
    /// Connects to `url` and refuses a database that already holds tables or schemas.
    pub fn open_empty(url: &str) -> anyhow::Result<Pg> {
        let config: postgres::Config = url.parse().map_err(|e| {
            anyhow::anyhow!(
                "--store is not a PostgreSQL connection string ({e}): write it as `postgres://user:password@host:port/database`"
            )
        })?;
        anyhow::ensure!(
            config.get_options().is_none(),
            "--store sets `options`: custode-bench sets the search path itself (one schema per installation); leave `options` out of the connection string"
        );
        let mut client = Client::connect(url, NoTls).map_err(|e| {
            anyhow::anyhow!("cannot connect to the PostgreSQL database of --store: {e}")
        })?;
        let row = client.query_one(
            "SELECT current_database(),
                    (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                        AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'),
                    (SELECT count(*) FROM pg_namespace n
                      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
                        AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%')",
            &[],
        )?;
        let (database, relations, schemas): (String, i64, i64) =
            (row.get(0), row.get(1), row.get(2));
        anyhow::ensure!(
            relations == 0 && schemas == 0,
            "the PostgreSQL database `{database}` is not empty ({relations} tables, indexes or sequences; {schemas} schemas besides `public`): custode-bench writes millions of rows into the database it is given and drops them at the end, so it only runs on an empty database of its own. Create one, e.g. `createdb custode_bench_1` (or `psql -c 'CREATE DATABASE custode_bench_1'`), and pass its URL"
        );
        Ok(Pg {
            url: url.to_string(),
        })
    }

    /// A new, empty installation `name` (its schema dropped first if this run made it before); the
    /// connection string whose connections see only it.
    pub fn installation(&self, name: &str) -> anyhow::Result<String> {
        let schema = format!("{PREFIX}{name}");
        let mut client = Client::connect(&self.url, NoTls)?;
        client.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))?;
        Ok(with_search_path(&self.url, &schema))
    }

    /// Drops the installation `name` (its schema and everything in it).
    pub fn drop_installation(&self, name: &str) -> anyhow::Result<()> {
        let mut client = Client::connect(&self.url, NoTls)?;
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {PREFIX}{name} CASCADE"))?;
        Ok(())
    }

    /// Drops every schema this run made: the database is left as empty as it was.
    pub fn drop_all(&self) -> anyhow::Result<()> {
        let mut client = Client::connect(&self.url, NoTls)?;
        let schemas: Vec<String> = client
            .query(
                "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)",
                &[&PREFIX],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for schema in schemas {
            client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
        }
        Ok(())
    }
}

/// `url` with `schema` alone on the search path, in either form of connection string.
fn with_search_path(url: &str, schema: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-c%20search_path%3D{schema}")
    } else {
        format!("{url} options='-c search_path={schema}'")
    }
}

/// What an installation holds per contact.
pub struct Storage {
    /// Rows of `tables` together.
    pub rows: f64,
    /// Rows of each table.
    pub per_table: Vec<(String, f64)>,
    /// Bytes of every table of the installation with its indexes and TOAST.
    pub bytes: f64,
}

/// Rows per contact of `tables` and bytes per contact of the installation at `url`, for the storage
/// note.
pub fn storage(url: &str, tables: &[&str]) -> anyhow::Result<Storage> {
    let mut client = Client::connect(url, NoTls)?;
    let mut count = |table: &str| -> anyhow::Result<i64> {
        Ok(client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .get(0))
    };
    let contacts = count("contacts")?.max(1) as f64;
    let mut rows = 0;
    let mut per_table = Vec::new();
    for table in tables {
        let n = count(table)?;
        rows += n;
        per_table.push((table.to_string(), n as f64 / contacts));
    }
    let bytes: i64 = client
        .query_one(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind = 'r'",
            &[],
        )?
        .get(0);
    Ok(Storage {
        rows: rows as f64 / contacts,
        per_table,
        bytes: bytes as f64 / contacts,
    })
}

/// The highest contact id of the installation at `url`.
pub fn max_contact_id(url: &str) -> anyhow::Result<i64> {
    let mut client = Client::connect(url, NoTls)?;
    Ok(client
        .query_one("SELECT coalesce(max(id), 0)::bigint FROM contacts", &[])?
        .get(0))
}

#[cfg(test)]
mod tests {
    use super::{with_search_path, Pg};
    use postgres::{Client, NoTls};

    /// On the server `CUSTODE_TEST_POSTGRES` names (a role that may create databases; skipped
    /// without it): an empty database is taken, its installations live in their own schemas and
    /// are dropped at the end, and a database with a table in it is refused.
    #[test]
    fn only_an_empty_database_is_taken_and_it_is_left_empty() {
        let Ok(admin) = std::env::var("CUSTODE_TEST_POSTGRES") else {
            eprintln!("CUSTODE_TEST_POSTGRES is not set: skipped");
            return;
        };
        let name = format!("custode_bench_test_{}", std::process::id());
        let mut server = Client::connect(&admin, NoTls).unwrap();
        server
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let mut config: postgres::Config = admin.parse().unwrap();
        config.dbname(&name);
        let host = match &config.get_hosts()[0] {
            postgres::config::Host::Tcp(h) => h.clone(),
            other => panic!("a TCP host in CUSTODE_TEST_POSTGRES, not {other:?}"),
        };
        let url = format!(
            "host={host} port={} user={} dbname={name}",
            config.get_ports()[0],
            config.get_user().unwrap()
        );
        let result = std::panic::catch_unwind(|| {
            let pg = Pg::open_empty(&url).unwrap();
            let installation = pg.installation("wasm").unwrap();
            let mut client = Client::connect(&installation, NoTls).unwrap();
            client
                .batch_execute("CREATE TABLE contacts (id BIGINT)")
                .unwrap();
            let schema: String = client
                .query_one("SELECT current_schema()", &[])
                .unwrap()
                .get(0);
            assert_eq!(schema, "custode_bench_wasm");
            let refused = Pg::open_empty(&url)
                .err()
                .expect("a database in use is refused");
            assert!(refused.to_string().contains("not empty"), "{refused}");
            pg.drop_all().unwrap();
            Pg::open_empty(&url).expect("empty again after the run");
            let mut plain = Client::connect(&url, NoTls).unwrap();
            plain
                .batch_execute("CREATE TABLE public.mine (x INT)")
                .unwrap();
            let refused = Pg::open_empty(&url)
                .err()
                .expect("a table in public is refused");
            assert!(refused.to_string().contains("createdb"), "{refused}");
        });
        let _ = server.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    }

    #[test]
    fn the_search_path_goes_into_either_form_of_connection_string() {
        let url = "postgres://u@h:5432/db";
        assert_eq!(
            with_search_path(url, "s"),
            "postgres://u@h:5432/db?options=-c%20search_path%3Ds"
        );
        let with_query = with_search_path("postgresql://u@h/db?sslmode=disable", "s");
        assert!(with_query.ends_with("?sslmode=disable&options=-c%20search_path%3Ds"));
        for url in [
            with_search_path(url, "s"),
            with_query,
            with_search_path("host=h user=u dbname=db", "s"),
        ] {
            let config: postgres::Config = url.parse().unwrap();
            assert_eq!(config.get_options(), Some("-c search_path=s"), "{url}");
        }
    }
}
