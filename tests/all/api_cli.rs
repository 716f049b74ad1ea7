//! CLI parity: the same subcommand prints the same thing run locally and with `--server` against the
//! real `custode serve` binary; SIGTERM stops that server with exit status 0.

use std::process::{Command, Output, Stdio};

use crate::support::{custode_binary, free_address, repo_root, terminate, wait_until_up};

struct Cli {
    bin: std::path::PathBuf,
    data: std::path::PathBuf,
}

impl Cli {
    fn run(&self, args: &[&str], server: Option<(&str, &str)>) -> Output {
        let mut command = Command::new(&self.bin);
        command
            .env("CUSTODE_DATA_DIR", &self.data)
            .env_remove("CUSTODE_SERVER")
            .env_remove("CUSTODE_TOKEN");
        if let Some((url, token)) = server {
            command.args(["--server", url, "--token", token]);
        }
        command.args(args).output().expect("custode runs")
    }

    fn stdout(&self, args: &[&str], server: Option<(&str, &str)>) -> (i32, String) {
        let out = self.run(args, server);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{args:?}: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap(), text)
    }
}

#[test]
fn local_and_remote_commands_print_the_same_and_sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        bin: custode_binary(),
        data: dir.path().join("data"),
    };
    let (_, admin) = cli.stdout(
        &["token", "create", "--role", "admin", "--name", "ada"],
        None,
    );
    let (_, dpo) = cli.stdout(
        &["token", "create", "--role", "dpo", "--name", "dora"],
        None,
    );
    let (_, operator) = cli.stdout(
        &["token", "create", "--role", "operator", "--name", "oscar"],
        None,
    );
    let (admin, dpo, operator) = (admin.trim(), dpo.trim(), operator.trim());
    assert!(
        admin.starts_with("custode_") && admin.len() == 72,
        "{admin}"
    );

    let address = free_address();
    let mut server = Command::new(&cli.bin)
        .args(["serve", "--listen", &address])
        .env("CUSTODE_DATA_DIR", &cli.data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_up(&address, &mut server);
    let url = format!("http://{address}");

    let csv = repo_root().join("examples/contacts.csv");
    let import = [
        "import",
        "--plugin",
        "csv",
        "--source",
        "Fiera Milano 2026",
        "--channel",
        "fair",
        csv.to_str().unwrap(),
    ];
    let (_, report) = cli.stdout(&import, Some((&url, operator)));
    assert!(report.contains("4 created"), "{report}");

    let same = |args: &[&str], token: &str| {
        let local = cli.stdout(args, None);
        let remote = cli.stdout(args, Some((&url, token)));
        assert_eq!(
            local,
            remote,
            "`custode {}` differs locally and remotely",
            args.join(" ")
        );
        local
    };
    let can = |who: &str| {
        [
            "can-process",
            "--subject",
            who,
            "--purpose",
            "marketing",
            "--channel",
            "email",
            "--at",
            "2026-06-01",
        ]
        .map(String::from)
    };
    let mario = can("mario.rossi@example.it");
    let (code, text) = same(
        &mario.iter().map(String::as_str).collect::<Vec<_>>(),
        operator,
    );
    assert_eq!(code, 0, "{text}");
    let giulia = can("giulia.bianchi@example.it");
    assert_eq!(
        same(
            &giulia.iter().map(String::as_str).collect::<Vec<_>>(),
            operator
        )
        .0,
        1
    );
    assert!(same(&["audit", "verify"], dpo)
        .1
        .starts_with("audit log intact"));
    same(&["audit", "list", "--json"], dpo);
    let (_, plugins) = same(&["plugin", "list"], admin);
    assert!(
        plugins.contains("csv") && plugins.contains("legitimate-interest"),
        "{plugins}"
    );
    same(&["plugin", "inspect", "csv"], admin);

    // Without a token, or with a token of the wrong role, the server's problem is the error message.
    let refused = cli.run(&["audit", "verify"], Some((&url, operator)));
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("needs one of: dpo, auditor")
            && message.contains("urn:custode:problem:forbidden"),
        "{message}"
    );

    terminate(&mut server);
}
