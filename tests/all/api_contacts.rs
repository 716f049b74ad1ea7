//! A contact's consents over HTTP: the ledger with its evidence, and the state it results in now —
//! the same state `can-process` decides on.

use crate::support::server::TestServer;
use serde_json::{json, Value};

fn record(server: &TestServer, channel: &str, action: &str, at: &str, method: &str) {
    let answer = server.client().post(
        "/api/v1/consent-events",
        &server.operator,
        &json!({
            "subject": "lucia.bianchi@example.it", "purpose": "marketing", "channel": channel,
            "action": action, "at": at, "evidence": {"method": method}
        }),
    );
    assert_eq!(answer.status, 201, "{:?}", answer.body);
}

/// `(channel, action, decided_by_channel)` of each current entry.
fn current(body: &Value) -> Vec<(String, String, String)> {
    body["current"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["purpose"], "marketing");
            let text = |k: &str| c[k].as_str().unwrap().to_string();
            (text("channel"), text("action"), text("decided_by_channel"))
        })
        .collect()
}

fn triple(channel: &str, action: &str, by: &str) -> (String, String, String) {
    (channel.into(), action.into(), by.into())
}

#[test]
fn consents_answer_the_history_and_the_current_state_per_channel() {
    let server = TestServer::start();
    let client = server.client();
    let created = client.post(
        "/api/v1/contacts",
        &server.operator,
        &json!({
            "identities": [{"email": "lucia.bianchi@example.it"}],
            "source_label": "web form", "channel": "web-form"
        }),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    let path = format!("/api/v1/contacts/{}/consents", created.body["id"]);

    let empty = client.get(&path, &server.operator);
    assert_eq!(empty.status, 200, "{:?}", empty.body);
    assert_eq!(empty.body, json!({"history": [], "current": []}));

    record(
        &server,
        "email",
        "granted",
        "2026-01-10",
        "newsletter checkbox",
    );
    record(&server, "any", "withdrawn", "2026-02-01", "phone call");
    let answer = client.get(&path, &server.operator);
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let history = answer.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["evidence"]["method"], "newsletter checkbox");
    // The later withdrawal from everything stops email too.
    assert_eq!(
        current(&answer.body),
        [
            triple("any", "withdrawn", "any"),
            triple("email", "withdrawn", "any")
        ]
    );
    let decided_by = answer.body["current"][1]["decided_by_seq"].clone();
    assert_eq!(decided_by, history[1]["seq"]);

    // A new email grant re-allows email only.
    record(
        &server,
        "email",
        "granted",
        "2026-03-01",
        "newsletter checkbox",
    );
    let answer = client.get(&path, &server.operator);
    assert_eq!(
        current(&answer.body),
        [
            triple("any", "withdrawn", "any"),
            triple("email", "granted", "email")
        ]
    );
    let can = |channel: &str| {
        let a = client.get(
            &format!("/api/v1/can-process?subject=lucia.bianchi@example.it&purpose=marketing&channel={channel}"),
            &server.operator,
        );
        assert_eq!(a.status, 200, "{:?}", a.body);
        a.body["reason"].as_str().unwrap().to_string()
    };
    assert!(can("sms").contains("withdrawn"), "{}", can("sms"));
    assert!(!can("email").contains("withdrawn"), "{}", can("email"));
}
