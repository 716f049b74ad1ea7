//! `custode serve`: the HTTP admin API on an embedded database, with the bundled plugins installed.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use crate::app::App;
use crate::config::Config;
use crate::domain::{Actor, Role};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default from the configuration: 127.0.0.1:7878).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, env = "CUSTODE_LOG_JSON")]
    pub log_json: bool,
}

pub fn run(data_dir: &Path, config_file: Option<&Path>, args: &ServeArgs) -> anyhow::Result<i32> {
    super::log::init(args.log_json, "info");
    crate::store::files::create_private_dir(data_dir)
        .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    let mut config = Config::load(data_dir, config_file)?;
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    let listen = config.server.listen;
    let app = Arc::new(App::open(data_dir, config)?);
    if app.tokens.none_active() {
        first_admin_token(&app)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("custode-http")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let shutdown = shutdown_signal();
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}: is another server using it? Choose another with --listen or `[server] listen`"))?;
        tracing::info!(
            address = %listener.local_addr()?,
            data_dir = %data_dir.display(),
            store = %app.config.store.url.as_deref().map_or_else(|| "sqlite (in the data directory)".to_string(), crate::config::redact),
            plugins = app.plugins.list().len(),
            "custode is serving: API under /api/v1, documentation at /docs"
        );
        if !listen.ip().is_loopback() {
            // Tokens and personal data would cross the network in clear text.
            tracing::warn!(
                address = %listen,
                "listening beyond this machine over plain HTTP: bearer tokens and personal data travel unencrypted; listen on 127.0.0.1 behind a TLS reverse proxy (and list it in `[server] trusted_proxies`)"
            );
        }
        crate::api::serve(app, listener, shutdown)
            .await
            .context("serving the API")
    })?;
    Ok(0)
}

/// No token can be used: make an admin token and show it this once.
fn first_admin_token(app: &App) -> anyhow::Result<()> {
    let names = app.tokens.list()?;
    let name = (1..)
        .map(|n| {
            if n == 1 {
                "admin".to_string()
            } else {
                format!("admin-{n}")
            }
        })
        .find(|candidate| !names.iter().any(|t| &t.name == candidate))
        .expect("some name is free");
    let token = app.tokens.create(&Actor::system(), &name, Role::Admin)?;
    println!(
        "No API token existed, so an admin token named `{}` was created. It is shown only this once: store it now.\n\n    {}\n\nUse it as `Authorization: Bearer <token>`; make more with `custode token create --role R --name N`.",
        token.name, token.token
    );
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    // Registered now, before the port is bound: a SIGTERM sent as soon as the port answers must
    // stop the server gracefully, not kill it with the default action.
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let interrupt = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = interrupt => tracing::info!("SIGINT received"),
            () = terminate => tracing::info!("SIGTERM received"),
        }
    }
}
