//! A real Custode server for end-to-end tests: `custode::api::serve` on a free loopback port, in this
//! process, on its own data directory; and a small blocking HTTP client.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use custode::app::App;
use custode::config::{Config, DataDir};
use custode::domain::{Actor, Role};
use serde_json::Value;

pub struct TestServer {
    pub url: String,
    pub addr: SocketAddr,
    pub app: Arc<App>,
    /// A token of each role: admin, dpo, operator, auditor.
    pub admin: String,
    pub dpo: String,
    pub operator: String,
    pub auditor: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
    // Dropped after the server has stopped: its directory, then its place among the running ones.
    pub dir: tempfile::TempDir,
    _slot: ServerSlot,
}

/// How many test servers may run at once in this process: each has its own wasmtime engine, and a
/// process has room for about 30 (see `support::runtime`). Past this, a test waits for a server to
/// stop, however many test threads run.
const MAX_SERVERS: usize = 8;

static RUNNING_SERVERS: Mutex<usize> = Mutex::new(0);
static SERVER_STOPPED: Condvar = Condvar::new();

/// A place among the `MAX_SERVERS` running servers, given back when dropped.
struct ServerSlot;

impl ServerSlot {
    fn take() -> ServerSlot {
        let mut running = RUNNING_SERVERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *running >= MAX_SERVERS {
            running = SERVER_STOPPED
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        ServerSlot
    }
}

impl Drop for ServerSlot {
    fn drop(&mut self) {
        *RUNNING_SERVERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner) -= 1;
        SERVER_STOPPED.notify_one();
    }
}

/// The files of a `plugin-cache` holding the bundled plugins' compiled code: compiled once per test
/// process, then written into each test server's own data directory. Without it every server would
/// compile them again (about a second); with one directory shared instead, each test would read
/// files other tests write.
fn compiled_bundled_plugins() -> &'static [(OsString, Vec<u8>)] {
    static ENTRIES: OnceLock<Vec<(OsString, Vec<u8>)>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        drop(App::open(dir.path(), Config::default()).expect("an installation opens"));
        let cache = DataDir(dir.path().to_path_buf()).plugin_cache();
        std::fs::read_dir(&cache)
            .expect("opening an installation fills its plugin cache")
            .map(|entry| {
                let entry = entry.unwrap();
                (entry.file_name(), std::fs::read(entry.path()).unwrap())
            })
            .collect()
    })
}

fn warm_plugin_cache(data_dir: &Path) {
    let cache = DataDir(data_dir.to_path_buf()).plugin_cache();
    std::fs::create_dir_all(&cache).unwrap();
    for (name, code) in compiled_bundled_plugins() {
        std::fs::write(cache.join(name), code).unwrap();
    }
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_with(|_| {})
    }

    /// Starts a server with the default configuration changed by `tweak`.
    pub fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_full(tweak, None, "")
    }

    /// One of several servers on the PostgreSQL database `url`: the first one (`key_from` None)
    /// creates the installation, the others start with a copy of its `secret.key`, as an operator
    /// copies it to each server. Token names end with `-{name}`, so each server's actors differ.
    pub fn start_shared(url: &str, key_from: Option<&Path>, name: &str) -> TestServer {
        let url = url.to_string();
        TestServer::start_full(
            move |c| c.store.url = Some(url),
            key_from,
            &format!("-{name}"),
        )
    }

    fn start_full(
        tweak: impl FnOnce(&mut Config),
        key_from: Option<&Path>,
        suffix: &str,
    ) -> TestServer {
        let slot = ServerSlot::take();
        let dir = tempfile::tempdir().expect("a temporary directory");
        warm_plugin_cache(dir.path());
        if let Some(from) = key_from {
            std::fs::copy(from.join("secret.key"), dir.path().join("secret.key"))
                .expect("copying the installation's key file");
        }
        let mut config = Config::default();
        tweak(&mut config);
        // As `Config::load` does for a real server: a test must not run on a configuration
        // `custode serve` would refuse.
        config
            .check()
            .expect("the test's configuration is one custode serve accepts");
        let app = Arc::new(App::open(dir.path(), config).expect("the installation opens"));
        let setup = Actor::new("test-setup", Role::Admin);
        let token = |name: &str, role| {
            let name = format!("{name}{suffix}");
            app.tokens.create(&setup, &name, role).unwrap().token
        };
        let (admin, dpo, operator, auditor) = (
            token("ada", Role::Admin),
            token("dora", Role::Dpo),
            token("oscar", Role::Operator),
            token("audrey", Role::Auditor),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = app.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                custode::api::serve(served, listener, async {
                    let _ = stopped.await;
                })
                .await
            })
        });
        TestServer {
            url: format!("http://{addr}"),
            addr,
            app,
            admin,
            dpo,
            operator,
            auditor,
            stop: Some(stop),
            thread: Some(thread),
            dir,
            _slot: slot,
        }
    }

    /// The token of a role.
    pub fn token(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.admin,
            Role::Dpo => &self.dpo,
            Role::Operator => &self.operator,
            Role::Auditor | Role::System => &self.auditor,
        }
    }

    /// Stops the server as SIGTERM does (graceful shutdown) and waits for it.
    pub fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(t) => Ok(t.join().expect("the server thread does not panic")?),
            None => Ok(()),
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// An HTTP answer: status, headers we look at, and the body as JSON (or a string if it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub request_id: String,
    /// The `Retry-After` header, empty when absent.
    pub retry_after: String,
    pub body: Value,
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            // A fresh connection per request: a server may close a connection whose request body it
            // refused unread (401 before an upload), and a pooled client would then reuse a dead one.
            .max_idle_connections(0)
            .build()
            .into();
        Client {
            agent,
            base: base.to_string(),
        }
    }

    /// Sends `method path` with an optional bearer token and body (JSON text or bytes).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Answer {
        let url = format!("{}{path}", self.base);
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = token {
            request = request.header("Authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            request = request.header("Content-Type", "application/json");
        }
        let request = request.body(body.unwrap_or_default().to_vec()).unwrap();
        let mut response = self.agent.run(request).expect("the server answers");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (content_type, request_id, retry_after) = (
            header("content-type"),
            header("x-request-id"),
            header("retry-after"),
        );
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            content_type,
            request_id,
            retry_after,
            body,
        }
    }

    pub fn get(&self, path: &str, token: &str) -> Answer {
        self.send("GET", path, Some(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send("POST", path, Some(token), Some(body.to_string().as_bytes()))
    }

    pub fn put(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send("PUT", path, Some(token), Some(body.to_string().as_bytes()))
    }

    pub fn post_bytes(&self, path: &str, token: &str, bytes: &[u8]) -> Answer {
        self.send("POST", path, Some(token), Some(bytes))
    }

    pub fn delete(&self, path: &str, token: &str) -> Answer {
        self.send("DELETE", path, Some(token), None)
    }

    /// Starts an import of `file` and waits for the job to end; returns the job's final status.
    pub fn import(&self, token: &str, query: &str, file: &[u8]) -> Value {
        let started = self.post_bytes(&format!("/api/v1/imports?{query}"), token, file);
        assert_eq!(started.status, 202, "{:?}", started.body);
        self.wait_for_job(token, started.body["id"].as_u64().unwrap())
    }

    pub fn wait_for_job(&self, token: &str, id: u64) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let job = self.get(&format!("/api/v1/imports/{id}"), token);
            assert_eq!(job.status, 200, "{:?}", job.body);
            if job.body["state"] != "running" {
                return job.body;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "import job {id} never ended"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
