//! The plugin API versions this host runs, one module each (`since_vX_Y_Z`, generated from
//! `wit/since_vX.Y.Z`), the newest re-exported as [`latest`]. Everything above this module speaks
//! the domain's types; only the version modules see generated ones.
//!
//! A plugin's API version is read from its exports when it is loaded ([`ApiVersion::of`]), and
//! every call then goes through that version's bindings: [`Pre`] and [`Instance`] hold one variant
//! per version and forward to it. Adding a version is a new module (its bindings and its
//! conversions — to the domain's types directly, or to `latest`'s, whose conversions are then
//! reused), a variant in each enum here, and an arm in each `match`, which the compiler asks for.

pub(crate) mod since_v0_1_0;
pub(crate) mod since_v0_2_0;
pub(crate) mod since_v0_3_0;

/// The newest plugin API version: what new plugins are built against.
pub(crate) use since_v0_3_0 as latest;

use super::error::Reported;
use super::info::{ConfigProblem, Description, PluginKind};
use super::state::PluginState;
use crate::domain::{self, Document, RetentionDecision, SourceChunk, SubjectPackage, Timestamp};
use wasmtime::component::{InstancePre, Linker, ResourceAny};
use wasmtime::Store;

/// A plugin API version this host runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V0_1,
    V0_2,
    V0_3,
}

impl ApiVersion {
    /// Every version this host runs, oldest first.
    pub const ALL: [ApiVersion; 3] = [ApiVersion::V0_1, ApiVersion::V0_2, ApiVersion::V0_3];
    /// The version of [`latest`], which new plugins should target.
    pub const LATEST: ApiVersion = ApiVersion::V0_3;

    /// The bindings that run a component built against `version` (e.g. `0.1.2`, read from the
    /// names of its exports): those of the same `major.minor`.
    pub fn of(version: &str) -> Option<ApiVersion> {
        Self::ALL.into_iter().find(|v| {
            version
                .strip_prefix(v.series())
                .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// The versions of components it runs, as `major.minor`: `0.1` for every `0.1.x`.
    pub fn series(self) -> &'static str {
        match self {
            ApiVersion::V0_1 => since_v0_1_0::SERIES,
            ApiVersion::V0_2 => since_v0_2_0::SERIES,
            ApiVersion::V0_3 => since_v0_3_0::SERIES,
        }
    }

    /// The exact package version of its WIT, e.g. `0.1.0`.
    pub fn package(self) -> &'static str {
        match self {
            ApiVersion::V0_1 => since_v0_1_0::VERSION,
            ApiVersion::V0_2 => since_v0_2_0::VERSION,
            ApiVersion::V0_3 => since_v0_3_0::VERSION,
        }
    }

    /// Its WIT folder from the repository's root, `wit/since_vX.Y.Z`.
    pub fn wit_folder(self) -> &'static str {
        match self {
            ApiVersion::V0_1 => since_v0_1_0::wit_folder(),
            ApiVersion::V0_2 => since_v0_2_0::wit_folder(),
            ApiVersion::V0_3 => since_v0_3_0::wit_folder(),
        }
    }

    /// The functions its `custode:plugin/host` gives plugins.
    pub fn host_functions(self) -> &'static [&'static str] {
        match self {
            ApiVersion::V0_1 => since_v0_1_0::HOST_FUNCTIONS,
            ApiVersion::V0_2 => since_v0_2_0::HOST_FUNCTIONS,
            ApiVersion::V0_3 => since_v0_3_0::HOST_FUNCTIONS,
        }
    }
}

/// Defines the `custode:plugin/host` of every version in `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<PluginState>) -> wasmtime::Result<()> {
    since_v0_1_0::add_to_linker(linker)?;
    since_v0_2_0::add_to_linker(linker)?;
    since_v0_3_0::add_to_linker(linker)
}

/// A checked, linked component, ready to be instantiated for each job, with its version's bindings.
pub(crate) enum Pre {
    V0_1(since_v0_1_0::Pre),
    V0_2(since_v0_2_0::Pre),
    V0_3(since_v0_3_0::Pre),
}

impl Pre {
    pub(crate) fn new(
        version: ApiVersion,
        kind: PluginKind,
        pre: InstancePre<PluginState>,
    ) -> wasmtime::Result<Pre> {
        Ok(match version {
            ApiVersion::V0_1 => Pre::V0_1(since_v0_1_0::Pre::new(kind, pre)?),
            ApiVersion::V0_2 => Pre::V0_2(since_v0_2_0::Pre::new(kind, pre)?),
            ApiVersion::V0_3 => Pre::V0_3(since_v0_3_0::Pre::new(kind, pre)?),
        })
    }

    /// Whether its API version lets the plugin check its own settings ([`Instance::check_config`]).
    pub(crate) fn checks_config(&self) -> bool {
        match self {
            Pre::V0_1(_) => false,
            Pre::V0_2(_) | Pre::V0_3(_) => true,
        }
    }

    pub(crate) fn instantiate(&self, store: &mut Store<PluginState>) -> wasmtime::Result<Instance> {
        Ok(match self {
            Pre::V0_1(pre) => Instance::V0_1(pre.instantiate(store)?),
            Pre::V0_2(pre) => Instance::V0_2(pre.instantiate(store)?),
            Pre::V0_3(pre) => Instance::V0_3(pre.instantiate(store)?),
        })
    }
}

/// Subject views lowered for one version's rules, ready for [`Instance::evaluate`].
pub(crate) enum Views {
    V0_1(Vec<since_v0_1_0::SubjectView>),
    V0_2(Vec<since_v0_2_0::SubjectView>),
    V0_3(Box<since_v0_3_0::SubjectBatch>),
}

/// One instance of a plugin: each call converts the domain's types to its version's and back.
pub(crate) enum Instance {
    V0_1(since_v0_1_0::Instance),
    V0_2(since_v0_2_0::Instance),
    V0_3(since_v0_3_0::Instance),
}

impl Instance {
    /// Whether `views` were lowered for this instance's API version (and so can be evaluated by it).
    pub(crate) fn reads(&self, views: &Views) -> bool {
        matches!(
            (self, views),
            (Instance::V0_1(_), Views::V0_1(_))
                | (Instance::V0_2(_), Views::V0_2(_))
                | (Instance::V0_3(_), Views::V0_3(_))
        )
    }

    pub(crate) fn describe(&self, store: &mut Store<PluginState>) -> wasmtime::Result<Description> {
        match self {
            Instance::V0_1(i) => i.describe(store),
            Instance::V0_2(i) => i.describe(store),
            Instance::V0_3(i) => i.describe(store),
        }
    }

    /// The plugin's own check of its settings; a version without one (0.1) accepts them all.
    pub(crate) fn check_config(
        &self,
        store: &mut Store<PluginState>,
    ) -> wasmtime::Result<Result<(), Vec<ConfigProblem>>> {
        match self {
            Instance::V0_1(_) => Ok(Ok(())),
            Instance::V0_2(i) => i.check_config(store),
            Instance::V0_3(i) => i.check_config(store),
        }
    }

    pub(crate) fn open(
        &self,
        store: &mut Store<PluginState>,
    ) -> wasmtime::Result<Result<ResourceAny, Reported>> {
        match self {
            Instance::V0_1(i) => i.open(store),
            Instance::V0_2(i) => i.open(store),
            Instance::V0_3(i) => i.open(store),
        }
    }

    pub(crate) fn push(
        &self,
        store: &mut Store<PluginState>,
        session: ResourceAny,
        chunk: &[u8],
    ) -> wasmtime::Result<Result<SourceChunk, Reported>> {
        match self {
            Instance::V0_1(i) => i.push(store, session, chunk),
            Instance::V0_2(i) => i.push(store, session, chunk),
            Instance::V0_3(i) => i.push(store, session, chunk),
        }
    }

    pub(crate) fn finish(
        &self,
        store: &mut Store<PluginState>,
        session: ResourceAny,
    ) -> wasmtime::Result<Result<SourceChunk, Reported>> {
        match self {
            Instance::V0_1(i) => i.finish(store, session),
            Instance::V0_2(i) => i.finish(store, session),
            Instance::V0_3(i) => i.finish(store, session),
        }
    }

    /// Lowers `batch` into this instance's version, for [`Instance::evaluate`].
    pub(crate) fn views(&self, batch: &[domain::SubjectView]) -> Views {
        match self {
            Instance::V0_1(_) => Views::V0_1(since_v0_1_0::views(batch)),
            Instance::V0_2(_) => Views::V0_2(since_v0_2_0::views(batch)),
            Instance::V0_3(_) => Views::V0_3(Box::new(since_v0_3_0::views(batch))),
        }
    }

    pub(crate) fn evaluate(
        &self,
        store: &mut Store<PluginState>,
        now: Timestamp,
        views: &Views,
    ) -> wasmtime::Result<Result<Vec<RetentionDecision>, String>> {
        match (self, views) {
            (Instance::V0_1(i), Views::V0_1(views)) => i.evaluate(store, now, views),
            (Instance::V0_2(i), Views::V0_2(views)) => i.evaluate(store, now, views),
            (Instance::V0_3(i), Views::V0_3(batch)) => i.evaluate(store, now, batch),
            // Views are prepared by the instance that evaluates them (`RetentionJob::prepare`).
            _ => Err(wasmtime::Error::msg(
                "subject views lowered for another plugin API version",
            )),
        }
    }

    pub(crate) fn render(
        &self,
        store: &mut Store<PluginState>,
        package: &SubjectPackage,
    ) -> wasmtime::Result<Result<Document, String>> {
        match self {
            Instance::V0_1(i) => i.render(store, package),
            Instance::V0_2(i) => i.render(store, package),
            Instance::V0_3(i) => i.render(store, package),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// A released version is frozen: plugins built against it are out there, and a host that read
    /// its WIT differently would run them wrongly. Changing a released folder, even a comment, fails
    /// here; a change goes into a new version's folder (see `wit/CHANGELOG.md`).
    #[test]
    fn released_versions_are_frozen() {
        let released = [
            (
                ApiVersion::V0_1,
                "669e95c0e05f7d4c143e4ed3e044a5e1282bb7781d6a9111d46f54a1f53e3a4d",
            ),
            (
                ApiVersion::V0_2,
                "313bb0f856f16372b517e48b6ffd5120a3db4a4d041e08d1fc0a460fe7f59134",
            ),
        ];
        for (version, expected) in released {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(version.wit_folder());
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            let mut hash = Sha256::new();
            for file in &files {
                hash.update(file.file_name().unwrap().as_encoded_bytes());
                hash.update(std::fs::read(file).unwrap());
            }
            assert_eq!(
                hex::encode(hash.finalize()),
                expected,
                "{} changed: released plugin API versions are frozen",
                version.wit_folder()
            );
        }
    }

    /// Each version's [`ApiVersion::host_functions`] are what its `host.wit` declares in
    /// `interface host`, and its folder is its package's.
    #[test]
    fn each_versions_host_functions_are_its_wit_ones() {
        for version in ApiVersion::ALL {
            let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(version.wit_folder());
            let wit = std::fs::read_to_string(folder.join("host.wit")).unwrap();
            let body = wit
                .split("interface host {")
                .nth(1)
                .and_then(|rest| rest.split("\n}").next())
                .expect("host.wit has `interface host { … }`");
            let declared: Vec<&str> = body
                .lines()
                .map(str::trim)
                .filter(|l| !l.starts_with("//"))
                .filter_map(|l| l.split_once(": func").map(|(name, _)| name.trim()))
                .collect();
            assert_eq!(declared, version.host_functions(), "{version:?}");
            let package = version.package();
            assert!(wit.starts_with(&format!("package custode:plugin@{package};")));
            assert!(version.wit_folder().ends_with(&format!("since_v{package}")));
        }
    }

    #[test]
    fn each_version_runs_its_own_series() {
        assert_eq!(ApiVersion::of("0.1.0"), Some(ApiVersion::V0_1));
        assert_eq!(ApiVersion::of("0.1.7"), Some(ApiVersion::V0_1));
        assert_eq!(ApiVersion::of("0.2.0"), Some(ApiVersion::V0_2));
        assert_eq!(ApiVersion::of("0.2"), None);
        assert_eq!(ApiVersion::of("0.3.0"), Some(ApiVersion::V0_3));
        assert_eq!(ApiVersion::of("0.4.0"), None);
        assert_eq!(ApiVersion::LATEST.package(), latest::VERSION);
        assert_eq!(ApiVersion::ALL.last(), Some(&ApiVersion::LATEST));
    }
}
