//! Custode's end-to-end tests: real plugins through the runtime, the `custode` binary, the HTTP API.
//!
//! One test binary (as wasmtime does), so the tests link once instead of once per file; each file is
//! a module of it. The tests run in parallel threads of one process, so a test must not change what
//! the process shares: no environment variables or current directory (give them to a child
//! `Command` instead), no signal handlers or global tracing subscriber, and no file or port another
//! test may use: each test has its own temporary directory (`tempfile`) and a free port. Helpers
//! shared by several files are in `support`.

mod api_versions;
mod support;

mod api_access;
mod api_cli;
mod api_contacts;
mod api_legal_hold;
mod api_notices;
mod api_plugins;
mod api_problems;
mod api_requests;
mod api_serve;
mod api_shutdown;
mod api_tour;
mod api_writer_busy;
mod cli_plugins;
mod import_killed;
mod import_parity;
mod import_uploads;
mod importers;
mod migration_v1;
mod plugin_examples;
mod plugin_kit;
mod plugin_replace;
mod plugin_templates;
mod requests;
mod requests_cases;
mod requests_cases_cli;
mod requests_reports;
mod retention_killed;
mod retention_policy;
mod retention_runs;
mod retention_schedule;
mod runtime;
mod sandbox;
mod sandbox_attack;
mod sandbox_caps;
mod sandbox_wasi;
mod two_servers;
mod worlds;
