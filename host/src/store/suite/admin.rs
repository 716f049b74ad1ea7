//! The administration of a server: installed plugins and API tokens, each change audited and
//! counted in the administration version other servers watch.

use sha2::Digest;

use super::*;
use crate::store::{
    AuditFilter, AuditStore, NextStep, PluginStore, StoreError, StoredPlugin, TokenStore,
};

on_both_backends!(
    plugins_are_saved_replaced_and_deleted_each_with_its_audit_entry,
    a_bundled_plugin_is_remembered_after_it_is_deleted,
    tokens_are_named_once_revoked_once_and_only_active_ones_log_in,
);

fn plugin(name: &str, version: &str, component: &[u8]) -> StoredPlugin {
    StoredPlugin {
        name: name.into(),
        version: version.into(),
        kind: "importer".into(),
        digest: hex::encode(sha2::Sha256::digest(component)),
        component: component.to_vec(),
        enabled: false,
        settings: serde_json::json!({"limits": {"memory": "64MiB"}}),
        bundled: false,
        installed_at: day(2026, 3, 1),
        updated_at: day(2026, 3, 1),
    }
}

fn last_audit<S: AuditStore>(store: &S) -> crate::store::AuditEntry {
    store
        .audit_list(&AuditFilter::default())
        .unwrap()
        .pop()
        .expect("an audit entry")
}

fn plugins_are_saved_replaced_and_deleted_each_with_its_audit_entry<S: PluginStore + AuditStore>(
    store: &S,
) {
    assert_eq!(store.admin_version().unwrap(), 0);
    assert_eq!(store.plugin("csv").unwrap(), None);
    // Every byte value survives the round trip (a component is binary).
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let first = plugin("csv", "0.1.0", &bytes);
    store.save_plugin(&dpo(), &first, "plugin.install").unwrap();
    assert_eq!(store.plugin("csv").unwrap().as_ref(), Some(&first));
    assert_eq!(store.admin_version().unwrap(), 1);
    let entry = last_audit(store);
    assert_eq!(
        (entry.action.as_str(), entry.target.as_str()),
        ("plugin.install", "plugin:csv")
    );
    assert_eq!(entry.details["digest"], first.digest.as_str());
    assert_eq!(entry.details["enabled"], false);
    assert!(entry.details.get("replaced").is_none());

    // Enabled with the same component: nothing replaced.
    let enabled = StoredPlugin {
        enabled: true,
        updated_at: day(2026, 3, 2),
        ..first.clone()
    };
    store
        .save_plugin(&dpo(), &enabled, "plugin.enable")
        .unwrap();
    assert!(last_audit(store).details.get("replaced").is_none());
    // A new component: the old one is named in the audit entry.
    let upgraded = StoredPlugin {
        installed_at: first.installed_at,
        ..plugin("csv", "0.2.0", b"new component")
    };
    store
        .save_plugin(&dpo(), &upgraded, "plugin.upgrade")
        .unwrap();
    let entry = last_audit(store);
    assert_eq!(entry.action, "plugin.upgrade");
    assert_eq!(
        entry.details["replaced"],
        serde_json::json!({"version": "0.1.0", "digest": first.digest})
    );
    store
        .save_plugin(
            &dpo(),
            &plugin("anonymiser", "1.0.0", b"x"),
            "plugin.install",
        )
        .unwrap();
    let names: Vec<String> = store
        .plugins()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["anonymiser", "csv"]);
    assert_eq!(store.plugin("csv").unwrap(), Some(upgraded.clone()));
    assert_eq!(store.admin_version().unwrap(), 4);

    store.delete_plugin(&dpo(), "csv").unwrap();
    assert_eq!(store.plugin("csv").unwrap(), None);
    let entry = last_audit(store);
    assert_eq!(
        (entry.action.as_str(), entry.details["digest"].as_str()),
        ("plugin.delete", Some(upgraded.digest.as_str()))
    );
    let before = store.audit_list(&AuditFilter::default()).unwrap().len();
    let err = store.delete_plugin(&dpo(), "csv").unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert_eq!(err.to_string(), "plugin `csv` does not exist");
    // A refused change is not audited and changes no version.
    assert_eq!(
        store.audit_list(&AuditFilter::default()).unwrap().len(),
        before
    );
    assert_eq!(store.admin_version().unwrap(), 5);
    assert!(store.audit_verify().unwrap().ok());
}

fn a_bundled_plugin_is_remembered_after_it_is_deleted<S: PluginStore>(store: &S) {
    let bundled = StoredPlugin {
        bundled: true,
        ..plugin("retention-basic", "1.0.0", b"bundled")
    };
    assert!(!store.bundled_seen(&bundled.digest).unwrap());
    store
        .save_plugin(&dpo(), &bundled, "plugin.install")
        .unwrap();
    // Saved twice (enabled later): still one record of having seen it.
    store
        .save_plugin(&dpo(), &bundled, "plugin.enable")
        .unwrap();
    assert!(store.plugin("retention-basic").unwrap().unwrap().bundled);
    store.delete_plugin(&dpo(), "retention-basic").unwrap();
    assert!(store.bundled_seen(&bundled.digest).unwrap());
    let uploaded = plugin("mine", "1.0.0", b"uploaded");
    store
        .save_plugin(&dpo(), &uploaded, "plugin.install")
        .unwrap();
    assert!(!store.bundled_seen(&uploaded.digest).unwrap());
}

fn tokens_are_named_once_revoked_once_and_only_active_ones_log_in<
    S: TokenStore + PluginStore + AuditStore,
>(
    store: &S,
) {
    let admin = Actor::new("ops-admin", Role::Admin);
    store
        .create_token(&admin, "crm-sync", Role::Operator, &[7; 32])
        .unwrap();
    store
        .create_token(&admin, "giulia", Role::Dpo, &[9; 32])
        .unwrap();
    let entry = last_audit(store);
    assert_eq!(
        (
            entry.action.as_str(),
            entry.target.as_str(),
            entry.actor.as_str()
        ),
        ("token.create", "token:giulia", "ops-admin")
    );
    assert_eq!(entry.details, serde_json::json!({"role": "dpo"}));
    let mut active = store.active_tokens().unwrap();
    active.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(active.len(), 2);
    assert_eq!(
        (active[0].name.as_str(), active[0].role, active[0].hash),
        ("crm-sync", Role::Operator, [7; 32])
    );
    let err = store
        .create_token(&admin, "crm-sync", Role::Admin, &[8; 32])
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("never reused"), "{err}");

    store.revoke_token(&admin, "crm-sync").unwrap();
    assert_eq!(last_audit(store).action, "token.revoke");
    let active = store.active_tokens().unwrap();
    assert_eq!(
        active.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["giulia"]
    );
    let err = store.revoke_token(&admin, "crm-sync").unwrap_err();
    assert_eq!(err.next_step(), Some(&NextStep::ListTokens));
    assert!(err.to_string().contains("an active token named `crm-sync`"));
    // A revoked name stays taken: it is an actor of the audit log.
    assert!(matches!(
        store.create_token(&admin, "crm-sync", Role::Operator, &[10; 32]),
        Err(StoreError::Conflict(_))
    ));
    let tokens = store.tokens().unwrap();
    assert_eq!(tokens.len(), 2);
    let revoked = tokens.iter().find(|t| t.name == "crm-sync").unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(revoked.created_by, "ops-admin");
    assert_eq!(revoked.role, Role::Operator);
    // Created twice, revoked once; the refusals count nothing.
    assert_eq!(store.admin_version().unwrap(), 3);
    assert!(store.audit_verify().unwrap().ok());
}
