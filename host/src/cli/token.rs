//! `custode token create|list|revoke`: API tokens. A new token is printed once, alone on stdout (so
//! `TOKEN=$(custode token create …)` works); what it is goes to stderr.

use std::io::Write;

use clap::Subcommand;

use crate::domain::Role;
use crate::service::tokens::NewToken;
use crate::service::tokens::Tokens;
use crate::store::TokenInfo;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once and only its hash is kept.
    Create {
        /// admin, dpo, operator or auditor.
        #[arg(long)]
        role: Role,
        /// The name the audit log shows for everything done with the token, e.g. `crm-sync`.
        #[arg(long)]
        name: String,
    },
    /// List the tokens (names, roles, dates; never the tokens).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token at once.
    Revoke { name: String },
}

pub fn run(command: &TokenCommand, tokens: &Tokens, out: &mut dyn Write) -> anyhow::Result<i32> {
    let actor = super::compliance::cli_actor();
    match command {
        TokenCommand::Create { role, name } => {
            print_created(&tokens.create(&actor, name, *role)?, out)
        }
        TokenCommand::List { json } => print_tokens(&tokens.list()?, *json, out),
        TokenCommand::Revoke { name } => {
            tokens.revoke(&actor, name)?;
            print_revoked(name, out)
        }
    }
}

pub(crate) fn print_created(t: &NewToken, out: &mut dyn Write) -> anyhow::Result<i32> {
    eprintln!(
        "token `{}` ({}) created. It is shown only now: store it (e.g. in a password manager); Custode keeps only its hash.",
        t.name, t.role
    );
    writeln!(out, "{}", t.token)?;
    Ok(0)
}

pub(crate) fn print_tokens(
    list: &[TokenInfo],
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(list)?)?;
        return Ok(0);
    }
    for t in list {
        let state = t
            .revoked_at
            .map_or("active".to_string(), |at| format!("revoked {at}"));
        writeln!(
            out,
            "{:<24} {:<9} created {} by {:<20} {state}",
            t.name, t.role, t.created_at, t.created_by
        )?;
    }
    Ok(0)
}

pub(crate) fn print_revoked(name: &str, out: &mut dyn Write) -> anyhow::Result<i32> {
    // A server running beside a local `custode token revoke` notices within a second (it checks
    // for token changes once a second, not on every request).
    writeln!(
        out,
        "token `{name}` revoked (a running server refuses it within a second)"
    )?;
    Ok(0)
}
