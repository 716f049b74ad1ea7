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
use super::retention::{self, RetentionCommand, ReviewCommand, RunsCommand};
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
        Command::Purge => anyhow::bail!(
            "`purge` works on the database files of this machine's installation; drop --server and run it where the data directory is"
        ),
        Command::Migrate(_) => anyhow::bail!(
            "`migrate` moves a data directory on this machine into PostgreSQL; drop --server and run it where the data directory is"
        ),
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
        Command::Retention(command) => retention(&client, command, out),
        Command::Erase(args) => {
            let body = json!({ "subject": args.subject, "reason": args.reason });
            super::requests::print_erasure(
                &client.send_json("POST", "/api/v1/requests/erasure", &body)?,
                args.json,
                out,
            )
        }
        Command::LegalHold(args) => {
            let id = remote_contact(&client, &args.subject)?;
            let body = json!({ "held": !args.lift, "reason": args.reason });
            client.send_json::<()>("POST", &format!("/api/v1/contacts/{id}/legal-hold"), &body)?;
            super::requests::print_legal_hold(id, args.lift, out)
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

fn retention(
    client: &Client,
    command: &RetentionCommand,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    match command {
        RetentionCommand::Run(args) => {
            if !args.settings.is_empty() {
                anyhow::bail!("--set is not available with --server: a server runs the rule with its installed settings; change them with `custode plugin configure`");
            }
            let body = json!({ "rule": args.rule, "dry_run": args.dry_run, "at": args.at.map(|t| t.0.to_string()) });
            retention::print_report(
                &client.send_json("POST", "/api/v1/retention/runs", &body)?,
                args.json,
                out,
            )
        }
        RetentionCommand::Runs(RunsCommand::List { limit, json }) => retention::print_runs(
            &client
                .get_json::<Vec<_>>("/api/v1/retention/runs", &[("limit", limit.to_string())])?,
            *json,
            out,
        ),
        RetentionCommand::Runs(RunsCommand::Show {
            id,
            after,
            limit,
            json,
        }) => {
            let mut query = vec![("limit", limit.to_string())];
            query.extend(after.map(|a| ("after", a.to_string())));
            retention::print_report(
                &client.get_json(&format!("/api/v1/retention/runs/{id}"), &query)?,
                *json,
                out,
            )
        }
        RetentionCommand::Explain(args) => {
            let id = remote_contact(client, &args.subject)?;
            let query: Vec<(&str, String)> =
                args.at.iter().map(|t| ("at", t.0.to_string())).collect();
            retention::print_explanation(
                &client.get_json(&format!("/api/v1/retention/explain/{id}"), &query)?,
                args.json,
                out,
            )
        }
        RetentionCommand::Confirm { id, json } => retention::print_report(
            &client.post_empty(&format!("/api/v1/retention/runs/{id}/confirm"))?,
            *json,
            out,
        ),
        RetentionCommand::Review(command) => match command.resolution()? {
            None => {
                let ReviewCommand::List { all, json } = command else {
                    unreachable!("only `list` resolves nothing")
                };
                retention::print_review(
                    &client.get_json::<Vec<_>>(
                        "/api/v1/retention/review",
                        &[("all", all.to_string()), ("limit", "1000".into())],
                    )?,
                    *json,
                    out,
                )
            }
            Some((id, resolution)) => retention::print_review(
                &[client.send_json::<crate::service::retention::ReviewItem>(
                    "POST",
                    &format!("/api/v1/retention/review/{id}"),
                    &crate::service::retention::ReviewRequest::from(&resolution),
                )?],
                false,
                out,
            ),
        },
    }
}

/// The id of the contact a subject names (`#42`, or an identity the server looks up).
fn remote_contact(client: &Client, subject: &str) -> anyhow::Result<i64> {
    if let Some(id) = subject.trim().strip_prefix('#') {
        return id
            .parse()
            .with_context(|| format!("`{subject}` is not a contact number: write `#42`"));
    }
    let page: crate::store::ContactPage = client.get_json(
        "/api/v1/contacts",
        &[("identity", subject.to_string()), ("limit", "1".into())],
    )?;
    match page.items.first() {
        Some(c) => Ok(c.id.0),
        None => anyhow::bail!("no contact has the identity `{subject}`: check the spelling, or name the contact as `#42`"),
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
        PluginCommand::Try(_) | PluginCommand::Check(_) | PluginCommand::New(_) => plugin::run(
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
