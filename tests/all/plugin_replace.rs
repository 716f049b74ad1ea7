//! An upload never silently replaces an installed plugin: a component with the name of one is
//! refused unless the upload asks to replace it by name, and the audit entry of a replacement names
//! the old and the new component. Settings are checked by the plugin itself when they are set.

use crate::support::plugin_bytes;
use crate::support::server::TestServer;

/// The bundled `lines` importer with a custom section appended: the same plugin, another digest,
/// as a modified build claiming the same name would be.
fn another_lines() -> Vec<u8> {
    let mut bytes = plugin_bytes("lines");
    let name = b"custode-test";
    let payload = b"another build";
    bytes.push(0); // custom section
    bytes.push((1 + name.len() + payload.len()) as u8);
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(payload);
    bytes
}

#[test]
fn replacing_an_installed_plugin_must_be_asked_for_by_name() {
    let server = TestServer::start();
    let c = server.client();
    let admin = &server.admin;
    let before = c.get("/api/v1/plugins/lines", admin).body;
    let old_digest = before["inspection"]["digest"].as_str().unwrap().to_string();
    let bytes = another_lines();

    let silent = c.post_bytes("/api/v1/plugins", admin, &bytes);
    assert_eq!(silent.status, 409, "{:?}", silent.body);
    let detail = silent.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("plugin `lines` 0.1.0") && detail.contains("replace=lines"),
        "{detail}"
    );
    let after = c.get("/api/v1/plugins/lines", admin).body;
    assert_eq!(after["inspection"]["digest"], old_digest.as_str());

    let wrong = c.post_bytes("/api/v1/plugins?replace=csv", admin, &bytes);
    assert_eq!(wrong.status, 422, "{:?}", wrong.body);
    assert!(
        wrong.body["detail"]
            .as_str()
            .unwrap()
            .contains("`replace` names plugin `csv`"),
        "{:?}",
        wrong.body
    );

    let replaced = c.post_bytes("/api/v1/plugins?replace=lines", admin, &bytes);
    assert_eq!(replaced.status, 201, "{:?}", replaced.body);
    let new_digest = c.get("/api/v1/plugins/lines", admin).body["inspection"]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_digest, old_digest);

    let audit = c.get("/api/v1/audit?target=plugin:lines", &server.auditor);
    let last = audit.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["details"]["digest"], new_digest.as_str(), "{last}");
    assert_eq!(
        last["details"]["replaced"]["digest"],
        old_digest.as_str(),
        "{last}"
    );
    assert_eq!(last["details"]["replaced"]["version"], "0.1.0", "{last}");
}

/// A setting the plugin itself refuses is refused when it is set, not at the first run.
#[test]
fn settings_the_plugin_refuses_are_refused_at_configure_time() {
    let server = TestServer::start();
    let c = server.client();
    let admin = &server.admin;
    let bad = serde_json::json!({"config": {"months": "ten"}});
    let refused = c.put("/api/v1/plugins/legitimate-interest/settings", admin, &bad);
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("plugin `legitimate-interest` 0.1.0 refuses these settings")
            && detail.contains("months"),
        "{detail}"
    );
    let good = serde_json::json!({"config": {"months": "36"}});
    let accepted = c.put("/api/v1/plugins/legitimate-interest/settings", admin, &good);
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
}

/// An exporter's settings are checked when they are set too: it renders an empty package.
#[test]
fn settings_an_exporter_refuses_are_refused_at_configure_time() {
    let server = TestServer::start();
    let c = server.client();
    let admin = &server.admin;
    let bad = serde_json::json!({"config": {"bom": "maybe"}});
    let refused = c.put("/api/v1/plugins/csv-export/settings", admin, &bad);
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("plugin `csv-export` 0.1.0 refuses these settings")
            && detail.contains("bom"),
        "{detail}"
    );
    let good = serde_json::json!({"config": {"bom": "false"}});
    let accepted = c.put("/api/v1/plugins/csv-export/settings", admin, &good);
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
}
