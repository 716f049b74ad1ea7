use super::*;

const LANGS: [Lang; 3] = [Lang::Rust, Lang::Js, Lang::Python];
const KINDS: [Kind; 3] = [Kind::Importer, Kind::RetentionRule, Kind::Exporter];

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("custode-scaffold-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn every_template_is_filled_in_and_names_the_plugin() {
    for lang in LANGS {
        for kind in KINDS {
            for sdk in [None, Some("/opt/custode/sdk")] {
                let files = project("erp-sync", kind, lang, sdk);
                let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
                assert!(names.contains(&"README.md"), "{lang:?} {kind:?}: {names:?}");
                assert!(names.contains(&templates::sample(kind).path), "{names:?}");
                assert!(
                    names.iter().any(|n| n.contains("test")),
                    "a unit test: {names:?}"
                );
                for (path, text) in &files {
                    assert!(
                        !text.contains("{{"),
                        "{lang:?} {kind:?} {path}: a placeholder is left"
                    );
                }
                let readme = &files.iter().find(|(p, _)| p == "README.md").unwrap().1;
                for command in [
                    "custode plugin try erp-sync.wasm",
                    "custode plugin check erp-sync.wasm",
                    "custode plugin install erp-sync.wasm",
                ] {
                    assert!(
                        readme.contains(command),
                        "{lang:?} {kind:?}: README lacks `{command}`"
                    );
                }
            }
        }
    }
}

#[test]
fn the_sdk_is_a_path_with_sdk_and_a_registry_version_without() {
    let manifest = |lang, sdk| {
        project("erp-sync", Kind::Importer, lang, sdk)
            .into_iter()
            .find(|(p, _)| {
                p == "Cargo.toml" || p == "package.json" || p == "README.md" && lang == Lang::Python
            })
            .unwrap()
            .1
    };
    let rust = manifest(Lang::Rust, Some("/opt/sdk"));
    assert!(
        rust.contains(r#"custode-sdk = { path = "/opt/sdk", features = ["importer"] }"#),
        "{rust}"
    );
    assert!(rust.contains("name = \"erp-sync\""), "{rust}");
    let rust = manifest(Lang::Rust, None);
    assert!(
        rust.contains(&format!(
            r#"custode-sdk = {{ version = "{RUST_SDK_VERSION}", features = ["importer"] }}"#
        )),
        "{rust}"
    );
    let js: serde_json::Value =
        serde_json::from_str(&manifest(Lang::Js, Some("/opt/sdk/js"))).unwrap();
    assert_eq!(
        js["dependencies"]["@custode/plugin-sdk"],
        "file:/opt/sdk/js"
    );
    assert_eq!(js["custode"]["world"], "importer");
    let js: serde_json::Value = serde_json::from_str(&manifest(Lang::Js, None)).unwrap();
    assert_eq!(js["dependencies"]["@custode/plugin-sdk"], JS_SDK_VERSION);
    assert!(manifest(Lang::Python, Some("/opt/sdk/python"))
        .contains("pip install -e '/opt/sdk/python[build]'"));
}

#[test]
fn the_registry_versions_are_the_sdks_own() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let js: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("sdk/js/package.json")).unwrap())
            .unwrap();
    assert_eq!(js["version"], JS_SDK_VERSION, "update JS_SDK_VERSION");
    let cargo = std::fs::read_to_string(root.join("sdk/Cargo.toml")).unwrap();
    let rust = cargo
        .lines()
        .find_map(|l| {
            l.strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
        })
        .unwrap_or(env!("CARGO_PKG_VERSION"));
    assert_eq!(rust, RUST_SDK_VERSION, "update RUST_SDK_VERSION");
}

#[test]
fn names_the_host_refuses_or_that_cannot_name_a_package_are_refused() {
    for bad in [
        "",
        "Erp",
        "erp_sync",
        "-erp",
        "erp-",
        "1erp",
        "erp sync",
        "../erp",
        &"a".repeat(65),
    ] {
        let error = check_name(bad).unwrap_err().to_string();
        assert!(error.contains("is not allowed"), "{bad:?}: {error}");
    }
    for good in ["erp-sync", "csv2", "a"] {
        check_name(good).unwrap();
    }
}

#[test]
fn writes_into_a_new_or_empty_folder_only() {
    let dir = scratch("write");
    let files = project("erp-sync", Kind::Exporter, Lang::Js, None);
    write_project(&dir, &files).unwrap();
    assert!(dir.join("src/exporter.js").is_file());
    assert!(dir.join("subject-package.json").is_file());
    let error = write_project(&dir, &files).unwrap_err().to_string();
    assert!(error.contains("is not empty"), "{error}");
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    write_project(&empty, &files).unwrap();
    let error = write_project(&dir.join("package.json"), &files)
        .unwrap_err()
        .to_string();
    assert!(error.contains("is a file"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_sdk_folder_must_hold_that_languages_sdk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk");
    assert!(sdk_folder(&root, Lang::Rust).unwrap().ends_with("sdk"));
    assert!(sdk_folder(&root.join("js"), Lang::Js).is_ok());
    assert!(sdk_folder(&root.join("python"), Lang::Python).is_ok());
    let error = sdk_folder(&root.join("js"), Lang::Python)
        .unwrap_err()
        .to_string();
    assert!(error.contains("not the Python SDK"), "{error}");
    let error = sdk_folder(&root.join("missing"), Lang::Rust)
        .unwrap_err()
        .to_string();
    assert!(error.contains("no such folder"), "{error}");
}
