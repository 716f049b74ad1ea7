//! Text a plugin hands the host has caps: an error message, a row error or a `describe()` far
//! over its cap is refused with a message naming the plugin, the field and the cap, and none of
//! the text reaches the job list, the API or the log.

use custode::runtime::importer::ImportSession;
use custode::runtime::{Failure, LoadError, Plugin, PluginSettings, Runtime};
use custode_tests::plugin_bytes;
use custode_tests::server::TestServer;
use serde_json::json;

/// The error `push` fails with on this input.
fn push_error(plugin: &Plugin, input: &[u8]) -> custode::runtime::PluginError {
    let mut session = ImportSession::open(plugin).expect("open");
    session.push(input).expect_err("the text is over its cap")
}

#[test]
fn error_messages_and_row_errors_over_their_caps_are_refused() {
    let runtime = Runtime::new(None).unwrap();
    let plugin = Plugin::load(
        &runtime,
        &plugin_bytes("testing/long-strings"),
        PluginSettings::default(),
    )
    .unwrap();
    let cases = [
        ("error", "error message", 4096),
        ("error-column", "error column", 256),
        ("row-error", "row error message", 4096),
        ("row-column", "error column", 256),
    ];
    for (input, field, cap) in cases {
        let err = push_error(&plugin, input.as_bytes());
        assert_eq!(
            err.failure,
            Failure::TooLong {
                field,
                bytes: 8 << 20,
                cap
            },
            "{input}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "plugin `long-strings` 0.1.0 returned a {field} of 8388608 bytes (the cap is {cap} bytes) in `push`"
            )),
            "{message}"
        );
        assert!(message.len() < 500, "{message}");
    }
}

#[test]
fn a_describe_over_its_caps_is_refused_at_install() {
    let runtime = Runtime::new(None).unwrap();
    let refused =
        Plugin::inspect(&runtime, &plugin_bytes("testing/long-describe")).expect_err("refused");
    assert!(matches!(refused, LoadError::Description(_)), "{refused:?}");
    let message = refused.to_string();
    assert_eq!(
        message,
        "plugin `long-describe` declares 100000 config keys in `describe()`; the cap is 64: declare fewer"
    );
}

#[test]
fn an_import_failing_with_a_huge_message_keeps_the_job_list_small() {
    let server = TestServer::start();
    let c = server.client();
    let admin = &server.admin;
    let installed = c.post_bytes(
        "/api/v1/plugins",
        admin,
        &plugin_bytes("testing/long-strings"),
    );
    assert_eq!(installed.status, 201, "{:?}", installed.body);
    let enabled = c.post("/api/v1/plugins/long-strings/enable", admin, &json!(null));
    assert_eq!(enabled.status, 200, "{:?}", enabled.body);
    for input in ["error", "row-error"] {
        let job = c.import(
            &server.operator,
            "plugin=long-strings&source=Newsletter&channel=newsletter&on_error=skip",
            input.as_bytes(),
        );
        assert_eq!(job["state"], "failed", "{job}");
        assert_eq!(job["error"]["kind"], "plugin-contract", "{job}");
        assert!(
            job["error"]["message"]
                .as_str()
                .unwrap()
                .contains("(the cap is 4096 bytes)"),
            "{job}"
        );
    }
    let list = c.get("/api/v1/imports", &server.operator);
    assert_eq!(list.status, 200);
    let size = list.body.to_string().len();
    assert!(size < 10_000, "the job list is {size} bytes");
}
