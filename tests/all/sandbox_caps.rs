//! Text a plugin hands the host has caps, and its instances a share of the pool: an error message, a
//! row error or a `describe()` far over its cap is refused with a message naming the plugin, the
//! field and the cap, and none of the text reaches the job list, the API or the log; one plugin
//! called too often at once is refused by name, and other plugins keep working.

use crate::support::plugin_bytes;
use crate::support::server::TestServer;
use custode::runtime::importer::ImportSession;
use custode::runtime::{Failure, LoadError, Plugin, PluginSettings};
use serde_json::json;

/// The error `push` fails with on this input.
fn push_error(plugin: &Plugin, input: &[u8]) -> custode::runtime::PluginError {
    let mut session = ImportSession::open(plugin).expect("open");
    session.push(input).expect_err("the text is over its cap")
}

#[test]
fn error_messages_and_row_errors_over_their_caps_are_refused() {
    let runtime = crate::support::runtime();
    let plugin = Plugin::load(
        &runtime,
        &plugin_bytes("testing/long-strings"),
        PluginSettings::default(),
    )
    .unwrap();
    let cases = [
        ("error", "error message", 4096),
        ("error-column", "error column", 256),
        ("row-error", "row error message", 512),
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
    let runtime = crate::support::runtime();
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
    for (input, cap) in [("error", 4096), ("row-error", 512)] {
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
                .contains(&format!("(the cap is {cap} bytes)")),
            "{job}"
        );
    }
    let list = c.get("/api/v1/imports", &server.operator);
    assert_eq!(list.status, 200);
    let size = list.body.to_string().len();
    assert!(size < 10_000, "the job list is {size} bytes");
}

/// One plugin called many times at once gets its share of the instance pool, not all of it: past
/// its share a call waits a little, then fails naming that plugin, and other plugins keep working.
#[test]
fn one_plugin_cannot_take_every_instance_of_the_pool() {
    use custode::runtime::engine::MAX_CONCURRENT_INSTANCES;
    use custode::runtime::slots::{MAX_INSTANCES_PER_PLUGIN, SLOT_WAIT};
    use custode::runtime::StartError;
    let runtime = crate::support::runtime();
    let busy = Plugin::load(&runtime, &plugin_bytes("lines"), PluginSettings::default()).unwrap();
    let other = Plugin::load(&runtime, &plugin_bytes("csv"), PluginSettings::default()).unwrap();
    // Each open session holds an instance until it is dropped.
    let mut held = Vec::new();
    let refused = loop {
        match ImportSession::open(&busy) {
            Ok(session) => held.push(session),
            Err(e) => break e,
        }
        assert!(
            held.len() <= MAX_CONCURRENT_INSTANCES as usize,
            "never refused"
        );
    };
    assert_eq!(held.len(), MAX_INSTANCES_PER_PLUGIN);
    let StartError::Plugin(refused) = refused else {
        panic!("{refused}")
    };
    assert_eq!(
        refused.failure,
        Failure::Busy {
            running: MAX_INSTANCES_PER_PLUGIN,
            waited: SLOT_WAIT
        }
    );
    assert!(
        refused.to_string().starts_with(&format!(
            "plugin `lines` 0.1.0 could not start another call: {MAX_INSTANCES_PER_PLUGIN} of its calls were running"
        )),
        "{refused}"
    );
    // Another plugin still runs, and so does this one once a call has ended.
    let mut session = ImportSession::open(&other).expect("another plugin still starts");
    session.push(b"email\nstill@example.com\n").unwrap();
    session.finish().unwrap();
    held.pop();
    ImportSession::open(&busy).expect("a slot was given back");
}

/// When the instances of all plugins together fill the pool, the call that finds none free fails
/// saying so (not blaming its own plugin), and starts again once one has ended. Its own runtime:
/// filling the shared one would fail other tests' calls.
#[test]
fn a_full_shared_pool_is_named_as_the_cause() {
    use custode::runtime::engine::MAX_CONCURRENT_INSTANCES;
    use custode::runtime::slots::MAX_INSTANCES_PER_PLUGIN;
    use custode::runtime::{Runtime, StartError};
    let runtime = Runtime::new(None).unwrap();
    let shares = MAX_CONCURRENT_INSTANCES as usize / MAX_INSTANCES_PER_PLUGIN;
    // Each loaded copy has its own share: `shares` of them, each at its share, fill the pool.
    let plugins: Vec<Plugin> = (0..=shares)
        .map(|_| Plugin::load(&runtime, &plugin_bytes("lines"), PluginSettings::default()).unwrap())
        .collect();
    let mut held = Vec::new();
    for plugin in &plugins[..shares] {
        for _ in 0..MAX_INSTANCES_PER_PLUGIN {
            held.push(ImportSession::open(plugin).expect("the pool has room"));
        }
    }
    let last = &plugins[shares];
    let refused = ImportSession::open(last).err().expect("the pool is full");
    let StartError::Plugin(refused) = refused else {
        panic!("{refused}")
    };
    assert!(matches!(refused.failure, Failure::PoolFull(_)), "{refused}");
    let text = refused.to_string();
    assert!(
        text.contains(
            "the plugin instances the server keeps for all plugins together were all in use"
        ) && text.contains("try again when the calls running now have ended")
            && !text.contains("bug in the plugin"),
        "{text}"
    );
    held.pop();
    ImportSession::open(last).expect("an instance was given back to the pool");
}
