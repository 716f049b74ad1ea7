//! Install-time checks on a component, before any of its code runs: is it a component, which world
//! and API version does it implement, and does it import only what Custode gives.

use super::error::LoadError;
use super::info::PluginKind;
use super::wit::{latest, ApiVersion};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::Component;
use wasmtime::Engine;

const PACKAGE: &str = "custode:plugin/";

fn refused(message: String) -> LoadError {
    LoadError::Refused(message)
}

/// What a component imports and exports, which can be read whether or not it is accepted:
/// `custode plugin inspect` prints it for a refused component too.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Surface {
    /// Imported interfaces (and bare functions, marked `(function)`), sorted.
    pub imports: Vec<String>,
    /// Exported interfaces (and bare functions), sorted.
    pub exports: Vec<String>,
    /// `(interface, function)` for each function imported from a `custode:plugin/host` version.
    pub host_functions: Vec<(String, String)>,
}

impl Surface {
    pub fn of(component: &Component, engine: &Engine) -> Surface {
        let ty = component.component_type();
        let name = |n: &str, item: &ComponentItem| match item {
            ComponentItem::ComponentFunc(_) => format!("{n} (function)"),
            _ => n.to_string(),
        };
        let mut imports = Vec::new();
        let mut host_functions = Vec::new();
        for (n, item) in ty.imports(engine) {
            if let (Some(("host", _)), ComponentItem::ComponentInstance(instance)) =
                (custode_interface(n), &item.ty)
            {
                // Only functions: the interface also re-exports types (`log-level`).
                for (function, item) in instance.exports(engine) {
                    if matches!(item.ty, ComponentItem::ComponentFunc(_)) {
                        host_functions.push((n.to_string(), function.to_string()));
                    }
                }
            }
            imports.push(name(n, &item.ty));
        }
        let mut exports: Vec<String> = ty.exports(engine).map(|(n, i)| name(n, &i.ty)).collect();
        imports.sort();
        exports.sort();
        host_functions.sort();
        Surface {
            imports,
            exports,
            host_functions,
        }
    }

    /// The world the component implements, the API version it was built against, and the
    /// bindings that run it.
    pub fn world(&self) -> Result<(PluginKind, String, ApiVersion), LoadError> {
        world_of(&self.exports)
    }

    /// Refuses imports Custode does not provide, naming them and the fix.
    pub fn check_imports(&self) -> Result<(), LoadError> {
        check_imports(&self.imports)?;
        check_host_functions(&self.host_functions)
    }
}

pub fn check_is_component(bytes: &[u8]) -> Result<(), LoadError> {
    if wasmparser::Parser::is_component(bytes) {
        return Ok(());
    }
    if wasmparser::Parser::is_core_wasm(bytes) {
        return Err(refused(
            "this is a core WebAssembly module, not a component: build plugins with `cargo xtask plugins` \
             (or turn the module into a component with `wasm-tools component new`)"
                .into(),
        ));
    }
    Err(refused("this is not a WebAssembly component (it does not start with the `\\0asm` header of a component)".into()))
}

pub fn check_name(name: &str) -> Result<(), LoadError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if !ok {
        return Err(LoadError::Description(format!(
            "plugin name `{}` is not allowed: use 1 to 64 lower-case letters, digits and dashes, e.g. `csv` or `erp-sync`",
            super::limits::excerpt(name)
        )));
    }
    Ok(())
}

/// Splits `custode:plugin/source@0.1.0` into (`source`, `0.1.0`).
fn custode_interface(name: &str) -> Option<(&str, &str)> {
    name.strip_prefix(PACKAGE)?.split_once('@')
}

/// The plugin API versions this host runs, for messages: `0.1.x`.
pub fn supported_versions() -> String {
    ApiVersion::ALL
        .iter()
        .map(|v| format!("{}.x", v.series()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fix when a component built against `api`'s series needs more of it than this host has.
pub fn newer_api_fix(api: ApiVersion) -> String {
    let latest = if api == ApiVersion::LATEST {
        String::new()
    } else {
        format!(
            " or the newest, {} ({})",
            latest::VERSION,
            latest::wit_folder()
        )
    };
    format!(
        "the plugin was built against a newer custode:plugin {}.x than this Custode's {}: rebuild it against \
         {} ({}, or the custode-sdk of this Custode){latest}, or upgrade Custode",
        api.series(),
        api.package(),
        api.package(),
        api.wit_folder(),
    )
}

/// Finds which world a component implements, from its exports.
fn world_of(exports: &[String]) -> Result<(PluginKind, String, ApiVersion), LoadError> {
    for name in exports {
        let Some((interface, version)) = custode_interface(name) else {
            continue;
        };
        let Some(kind) = PluginKind::ALL
            .into_iter()
            .find(|k| k.marker_interface() == interface)
        else {
            continue;
        };
        let Some(api) = ApiVersion::of(version) else {
            return Err(refused(format!(
                "the component exports `{name}`, built against plugin API {version}, but this Custode runs plugin API \
                 {} (custode:plugin@{}): rebuild the plugin against {} or upgrade Custode",
                supported_versions(),
                supported_versions(),
                ApiVersion::LATEST.wit_folder()
            )));
        };
        let describe = format!("{PACKAGE}plugin@{version}");
        if !exports.contains(&describe) {
            return Err(refused(format!("the component implements the {kind} world but does not export `{describe}` (describe): rebuild it with the SDK")));
        }
        return Ok((kind, version.to_string(), api));
    }
    Err(refused(format!(
        "the component implements no Custode plugin world (importer, retention-rule or exporter of custode:plugin@{}); \
         it exports: {}",
        supported_versions(),
        if exports.is_empty() { "nothing".to_string() } else { exports.join(", ") }
    )))
}

/// The WASI 0.2 interfaces plugins get (an empty sandbox, see `runtime::wasi`): the ones
/// wasmtime-wasi's `p2::add_to_linker_sync` links, as `package/interface`. Any other `wasi:*`
/// import (`wasi:http`, `wasi:keyvalue`, …) would fail at linking with a message about versions.
pub const WASI_INTERFACES: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stderr",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stderr",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:filesystem/preopens",
    "wasi:filesystem/types",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:random/random",
    "wasi:sockets/instance-network",
    "wasi:sockets/ip-name-lookup",
    "wasi:sockets/network",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
];

/// Whether `name` (`wasi:io/streams@0.2.3`) is a WASI 0.2 interface Custode links.
fn is_provided_wasi(name: &str) -> bool {
    name.split_once('@').is_some_and(|(interface, version)| {
        version.starts_with("0.2.") && WASI_INTERFACES.contains(&interface)
    })
}

/// Plugins may import our `host` and `types` interfaces and WASI p2 (given an empty sandbox); nothing else.
fn check_imports(imports: &[String]) -> Result<(), LoadError> {
    let unknown_wasi: Vec<&str> = imports
        .iter()
        .map(String::as_str)
        .filter(|name| name.starts_with("wasi:") && !is_provided_wasi(name))
        .collect();
    if !unknown_wasi.is_empty() {
        return Err(refused(format!(
            "the component imports the WASI interface{} {}, which Custode does not provide: plugins get only an \
             empty WASI 0.2 sandbox ({}: no files, network, environment or real time); remove the import from \
             the plugin (for `wasm32-wasip2`, stop using what needs it, e.g. an HTTP client)",
            if unknown_wasi.len() == 1 { "" } else { "s" },
            unknown_wasi.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            wasi_packages()
        )));
    }
    let foreign: Vec<&str> = imports
        .iter()
        .map(String::as_str)
        .filter(|name| match custode_interface(name) {
            Some(("host" | "types", version)) => ApiVersion::of(version).is_none(),
            Some(_) => true,
            None => !name.starts_with("wasi:"),
        })
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    Err(refused(format!(
        "the component imports {}, which Custode does not provide: a plugin may import only `custode:plugin/host@{}` \
         (and WASI 0.2, which it gets as an empty sandbox); remove the import from the plugin",
        foreign.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
        supported_versions()
    )))
}

/// The WASI packages plugins get, with their interfaces: `wasi:io (error, poll, streams)`, ….
fn wasi_packages() -> String {
    let mut packages: Vec<(&str, Vec<&str>)> = Vec::new();
    for name in WASI_INTERFACES {
        let (package, interface) = name.split_once('/').unwrap_or((name, ""));
        match packages.iter_mut().find(|(p, _)| *p == package) {
            Some((_, interfaces)) => interfaces.push(interface),
            None => packages.push((package, vec![interface])),
        }
    }
    packages
        .iter()
        .map(|(p, i)| format!("`{p}` ({})", i.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every function imported from a `custode:plugin/host@X.Y.z` must be one the bindings of `X.Y`
/// have. A newer `X.Y.z` may add functions; the interface name alone does not show that, and
/// linking would fail with a type error that does not say what to do.
fn check_host_functions(functions: &[(String, String)]) -> Result<(), LoadError> {
    let mut missing = Vec::new();
    let mut known: &[&str] = &[];
    let mut series = ApiVersion::LATEST;
    for (interface, f) in functions {
        let Some(api) = custode_interface(interface).and_then(|(_, v)| ApiVersion::of(v)) else {
            continue; // an unsupported version: `check_imports` names it
        };
        if !api.host_functions().contains(&f.as_str()) {
            missing.push(format!("`{f}` (from `{interface}`)"));
            known = api.host_functions();
            series = api;
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(refused(format!(
        "the component imports the host function{} {}, which this Custode does not have (its `custode:plugin/host` has {}): {}",
        if missing.len() == 1 { "" } else { "s" },
        missing.join(", "),
        known
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", "),
        newer_api_fix(series)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recognises_each_world_and_its_version() {
        let importer = names(&["custode:plugin/plugin@0.1.0", "custode:plugin/source@0.1.0"]);
        assert_eq!(
            world_of(&importer).unwrap(),
            (PluginKind::Importer, "0.1.0".into(), ApiVersion::V0_1)
        );
        // A later 0.1.y runs on the 0.1 bindings.
        let rule = names(&["custode:plugin/plugin@0.1.2", "custode:plugin/rule@0.1.2"]);
        assert_eq!(
            world_of(&rule).unwrap(),
            (PluginKind::RetentionRule, "0.1.2".into(), ApiVersion::V0_1)
        );
        let exporter = names(&["custode:plugin/plugin@0.1.0", "custode:plugin/render@0.1.0"]);
        assert_eq!(world_of(&exporter).unwrap().0, PluginKind::Exporter);
        // Each minor version on its own bindings.
        let newer = names(&["custode:plugin/plugin@0.2.1", "custode:plugin/render@0.2.1"]);
        assert_eq!(
            world_of(&newer).unwrap(),
            (PluginKind::Exporter, "0.2.1".into(), ApiVersion::V0_2)
        );
        let newest = names(&["custode:plugin/plugin@0.3.0", "custode:plugin/rule@0.3.0"]);
        assert_eq!(
            world_of(&newest).unwrap(),
            (PluginKind::RetentionRule, "0.3.0".into(), ApiVersion::V0_3)
        );
    }

    #[test]
    fn refuses_unsupported_versions_and_foreign_worlds_with_the_fix() {
        let future = names(&["custode:plugin/plugin@0.4.0", "custode:plugin/source@0.4.0"]);
        let e = world_of(&future).unwrap_err().to_string();
        assert!(
            e.contains("plugin API 0.4.0")
                && e.contains("0.1.x, 0.2.x, 0.3.x")
                && e.contains("rebuild"),
            "{e}"
        );
        // 0.10 is not 0.1.
        assert_eq!(ApiVersion::of("0.10.0"), None);
        let e = world_of(&names(&["wasi:cli/run@0.2.0"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no Custode plugin world") && e.contains("wasi:cli/run@0.2.0"),
            "{e}"
        );
        let e = world_of(&names(&["custode:plugin/source@0.1.0"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("does not export `custode:plugin/plugin@0.1.0`"),
            "{e}"
        );
    }

    #[test]
    fn allows_only_host_types_and_wasi_imports() {
        check_imports(&names(&[
            "custode:plugin/host@0.1.0",
            "custode:plugin/types@0.1.0",
            "wasi:io/streams@0.2.3",
        ]))
        .unwrap();
        let e = check_imports(&names(&[
            "custode:plugin/host@0.1.0",
            "evil:net/socket@0.1.0",
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("`evil:net/socket@0.1.0`") && e.contains("remove the import"),
            "{e}"
        );
        let e = check_imports(&names(&[
            "wasi:io/streams@0.2.0",
            "wasi:http/outgoing-handler@0.2.0",
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(
                "WASI interface `wasi:http/outgoing-handler@0.2.0`, which Custode does not provide"
            ) && e.contains("`wasi:io` (error, poll, streams)")
                && !e.contains("newer custode:plugin"),
            "{e}"
        );
        // WASI 0.3 is not linked either.
        let e = check_imports(&names(&["wasi:io/streams@0.3.0"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`wasi:io/streams@0.3.0`"), "{e}");
        let e = check_imports(&names(&["custode:plugin/host@0.9.0"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("custode:plugin/host@0.9.0"), "{e}");
    }

    #[test]
    fn a_host_function_this_host_lacks_is_named_with_the_fix() {
        let host = "custode:plugin/host@0.1.1".to_string();
        let known: Vec<(String, String)> = ApiVersion::V0_1
            .host_functions()
            .iter()
            .map(|f| (host.clone(), f.to_string()))
            .collect();
        check_host_functions(&known).unwrap();
        let mut newer = known;
        newer.push((host.clone(), "now".into()));
        let e = check_host_functions(&newer).unwrap_err().to_string();
        assert!(
            e.contains("host function `now` (from `custode:plugin/host@0.1.1`)"),
            "{e}"
        );
        assert!(
            e.contains("built against a newer custode:plugin 0.1.x")
                && e.contains("rebuild it against 0.1.0")
                && e.contains("or the newest, 0.3.0")
                && e.contains("upgrade Custode"),
            "{e}"
        );
    }

    #[test]
    fn plugin_names_are_kebab_case() {
        check_name("csv").unwrap();
        check_name("erp-sync-2").unwrap();
        for bad in ["", "CSV", "my plugin", "-x", "a/b"] {
            assert!(check_name(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn refuses_bytes_that_are_not_a_component() {
        let e = check_is_component(b"\0asm\x01\0\0\0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("core WebAssembly module"), "{e}");
        let e = check_is_component(b"PK\x03\x04").unwrap_err().to_string();
        assert!(e.contains("not a WebAssembly component"), "{e}");
    }
}
