//! `custode --server URL --token T <subcommand>`: the same subcommands against a running server, over
//! its HTTP API, printed by the same functions as locally. Problem details from the server become the
//! error message.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use super::args::{Cli, Command};
use super::client::{answer, Client};
use super::compliance::{self, AuditCommand};
use super::plugin::{self, PluginCommand};
use super::token::{self, TokenCommand};
use crate::service::jobs::{JobState, JobStatus};

/// Runs the command against the server; the exit codes are those of the local commands.
pub fn run(cli: &Cli, server: &str, out: &mut dyn Write) -> anyhow::Result<i32> {
    let token = cli.token.as_deref().context(
        "--server needs a token: pass --token or set CUSTODE_TOKEN (create one with `custode token create`)",
    )?;
    let client = Client::new(server, token);
    match &cli.command {
        Command::Serve(_) => anyhow::bail!("`serve` runs a server here; drop --server"),
        Command::CanProcess(args) => {
            let mut query = vec![
                ("subject", args.subject.clone()),
                ("purpose", args.purpose.clone()),
                ("channel", args.channel.clone()),
            ];
            if let Some(at) = args.at {
                query.push(("at", at.0.to_string()));
            }
            compliance::print_decision(
                &client.get_json("/api/v1/can-process", &query)?,
                args.json,
                out,
            )
        }
        Command::Audit(AuditCommand::Verify { json }) => compliance::print_verification(
            &client.get_json("/api/v1/audit/verify", &[])?,
            *json,
            out,
        ),
        Command::Audit(AuditCommand::List {
            after,
            target,
            limit,
            json,
        }) => {
            let mut query = vec![("limit", limit.to_string())];
            query.extend(after.map(|a| ("after", a.to_string())));
            query.extend(target.clone().map(|t| ("target", t)));
            compliance::print_entries(
                &client.get_json::<Vec<_>>("/api/v1/audit", &query)?,
                *json,
                out,
            )
        }
        Command::Backup(args) => {
            let name = args
                .file
                .file_name()
                .and_then(|n| n.to_str())
                .context("give the backup a file name")?;
            if args.file.components().count() > 1 {
                eprintln!("note: a server writes backups to its data directory's `backups/` folder; only the name `{name}` is used");
            }
            compliance::print_backup(
                &client.send_json("POST", "/api/v1/backup", &json!({ "file": name }))?,
                out,
            )
        }
        Command::Import(args) => import(&client, args, out),
        Command::Retention(super::requests::RetentionCommand::Run(args)) => {
            if !args.settings.is_empty() {
                anyhow::bail!("--set is not available with --server: a server runs the rule with its installed settings; change them with `custode plugin configure`");
            }
            let body = json!({ "rule": args.rule, "dry_run": args.dry_run, "at": args.at.map(|t| t.0.to_string()) });
            match args.rule {
                Some(_) => super::requests::print_retention(
                    &client.send_json("POST", "/api/v1/retention/runs", &body)?,
                    args.json,
                    out,
                ),
                None => super::retention::print_policy(
                    &client.send_json("POST", "/api/v1/retention/runs", &body)?,
                    args.json,
                    out,
                ),
            }
        }
        Command::Retention(super::requests::RetentionCommand::Explain(args)) => {
            let id = remote_contact(&client, &args.subject)?;
            let query: Vec<(&str, String)> =
                args.at.iter().map(|t| ("at", t.0.to_string())).collect();
            super::retention::print_explanation(
                &client.get_json(&format!("/api/v1/retention/explain/{id}"), &query)?,
                args.json,
                out,
            )
        }
        Command::Erase(args) => {
            let body = json!({ "subject": args.subject, "reason": args.reason });
            super::requests::print_erasure(
                &client.send_json("POST", "/api/v1/requests/erasure", &body)?,
                args.json,
                out,
            )
        }
        Command::Export(args) => {
            let body = json!({ "subject": args.subject, "plugin": args.plugin });
            let (media_type, bytes) = client.document("/api/v1/requests/access", &body)?;
            super::requests::print_document(&bytes, &media_type, args.out.as_deref(), out)
        }
        Command::Requests(command) => super::cases_remote::run_remote(&client, command, out),
        Command::Notice(command) => super::cases_remote::run_notice_remote(&client, command, out),
        Command::Plugin(command) => plugins(&client, cli, command, out),
        Command::Token(command) => tokens(&client, command, out),
    }
}

fn import(
    client: &Client,
    args: &super::import::ImportArgs,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if !args.settings.is_empty() {
        anyhow::bail!("--set is not available with --server: a server uses the plugin's installed settings; change them with `custode plugin configure`");
    }
    let file = std::fs::File::open(&args.file).with_context(|| {
        format!(
            "{} is not a file: give the path of the file to import",
            args.file.display()
        )
    })?;
    let path = format!("/api/v1/imports?{}", args.request.query());
    let mut job: JobStatus = client.post_file(&path, file)?;
    let path = format!("/api/v1/imports/{}", job.id);
    let mut wait = Duration::from_millis(20);
    while job.state == JobState::Running {
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_millis(500));
        job = client.get_json(&path, &[])?;
    }
    match (job.report, job.error) {
        (Some(report), _) => super::import::print_report(&report, args.json, out),
        (_, Some(e)) => anyhow::bail!("{}", e.message),
        _ => anyhow::bail!("import job {} ended without a report or an error", job.id),
    }
}

fn plugins(
    client: &Client,
    cli: &Cli,
    command: &PluginCommand,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let at = |name: &str, action: &str| format!("/api/v1/plugins/{name}{action}");
    match command {
        // A file on this machine is inspected here: nothing to ask the server.
        PluginCommand::Inspect { file, .. } if file.exists() => plugin::run(
            command,
            || anyhow::bail!("inspecting a file needs no installation"),
            || anyhow::bail!("inspecting a file needs no configuration"),
            out,
        ),
        // A try-out or a check runs here, with this machine's configuration: it writes nothing, on no server.
        PluginCommand::Try(_) | PluginCommand::Check(_) => plugin::run(
            command,
            || anyhow::bail!("trying a plugin needs no installation"),
            || crate::config::Config::load(&cli.data_dir, cli.config.as_deref()),
            out,
        ),
        PluginCommand::Inspect { file, json } => {
            let details: serde_json::Value =
                client.get_json(&at(&file.display().to_string(), ""), &[])?;
            let inspection = serde_json::from_value(details["inspection"].clone())?;
            super::inspect::print_inspection(&inspection, *json, out)
        }
        PluginCommand::List { json } => plugin::print_list(
            &client.get_json::<Vec<_>>("/api/v1/plugins", &[])?,
            *json,
            out,
        ),
        PluginCommand::Install {
            file,
            replace,
            json,
        } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let mut request = client
                .with_body("POST", "/api/v1/plugins")
                .header("Content-Type", "application/wasm");
            if let Some(name) = replace {
                request = request.query("replace", name);
            }
            plugin::print_installed(&answer(&client.base, request.send(&bytes))?, *json, out)
        }
        PluginCommand::Enable { name } => {
            plugin::print_one(&client.post_empty(&at(name, "/enable"))?, out)
        }
        PluginCommand::Disable { name } => {
            plugin::print_one(&client.post_empty(&at(name, "/disable"))?, out)
        }
        PluginCommand::Delete { name } => {
            client.delete(&at(name, ""))?;
            plugin::print_deleted(name, out)
        }
        PluginCommand::Configure { name, .. } => {
            let current: crate::service::plugins::PluginInfo = serde_json::from_value(
                client.get_json::<serde_json::Value>(&at(name, ""), &[])?["plugin"].clone(),
            )?;
            let change = plugin::settings_change(command, current.settings.limits);
            plugin::print_one(
                &client.send_json("PUT", &at(name, "/settings"), &change)?,
                out,
            )
        }
    }
}

fn tokens(client: &Client, command: &TokenCommand, out: &mut dyn Write) -> anyhow::Result<i32> {
    match command {
        TokenCommand::Create { role, name } => token::print_created(
            &client.send_json(
                "POST",
                "/api/v1/tokens",
                &json!({ "name": name, "role": role.as_str() }),
            )?,
            out,
        ),
        TokenCommand::List { json } => token::print_tokens(
            &client.get_json::<Vec<_>>("/api/v1/tokens", &[])?,
            *json,
            out,
        ),
        TokenCommand::Revoke { name } => {
            client.delete(&format!("/api/v1/tokens/{name}"))?;
            token::print_revoked(name, out)
        }
    }
}

/// The id of the contact a subject names: `#42`, or the contact holding the identity.
fn remote_contact(client: &Client, subject: &str) -> anyhow::Result<i64> {
    if let Some(id) = subject.trim().strip_prefix('#') {
        return id
            .parse()
            .with_context(|| format!("`{subject}` is not a contact number; write it as `#42`"));
    }
    let page: crate::store::ContactPage =
        client.get_json("/api/v1/contacts", &[("identity", subject.to_string())])?;
    page.items
        .first()
        .map(|c| c.id.0)
        .with_context(|| format!("no contact has the identity `{subject}`"))
}
