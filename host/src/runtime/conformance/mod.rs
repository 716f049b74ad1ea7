//! The conformance kit (`custode plugin check`): the contract's checks, run on any plugin whatever
//! language built it. Each check is named, and a failed one says what is wrong and what to fix, so
//! an SDK author learns from it where their SDK breaks the contract.
//!
//! - [`describe`]: `describe()` gives the same answer every time and a usable one.
//! - [`importer`]: the same records whatever the chunk boundaries; `finish` after no input.
//! - [`others`]: a retention rule decides only about its batch, each subject on its own; an
//!   exporter's document has a plain file name, and the same package gives the same document.

mod describe;
mod importer;
mod others;

use super::{Plugin, PluginKind};
use crate::domain::{SubjectPackage, SubjectView, Timestamp};

/// The largest sample an importer is checked with: one chunk of an import.
pub const MAX_SAMPLE_BYTES: usize = super::importer::CHUNK_SIZE;

/// The built-in samples, used when the author gives none: a CSV file with a multi-byte character
/// and a quoted field spanning two lines, two subjects for a retention rule, one package.
pub const SAMPLE_CSV: &str = include_str!("../../../assets/samples/sample.csv");
pub const SAMPLE_SUBJECTS: &str = include_str!("../../../assets/samples/subjects.json");
pub const SAMPLE_PACKAGE: &str = include_str!("../../../assets/samples/package.json");

/// What the checks run on. Absent samples are replaced by the built-in ones.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    pub input: Option<Vec<u8>>,
    pub subjects: Option<Vec<SubjectView>>,
    pub package: Option<SubjectPackage>,
    /// The date a retention rule decides for (also three years later).
    pub at: Option<Timestamp>,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// What the contract asks, e.g. `same records whatever the chunk boundaries`.
    pub name: &'static str,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "kebab-case")]
pub enum Outcome {
    /// What was checked (and what the sample could not cover).
    Passed(String),
    /// What went wrong, and what to fix.
    Failed(String),
}

impl Check {
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed(_))
    }

    fn result(name: &'static str, result: Result<String, String>) -> Check {
        let outcome = match result {
            Ok(detail) => Outcome::Passed(detail),
            Err(problem) => Outcome::Failed(problem),
        };
        Check { name, outcome }
    }
}

/// Runs every check of the plugin's world, and those of `describe()`.
pub fn check(plugin: &Plugin, samples: &Samples) -> Result<Vec<Check>, String> {
    let mut checks = describe::checks(plugin);
    checks.extend(match plugin.kind() {
        PluginKind::Importer => {
            let input = samples
                .input
                .clone()
                .unwrap_or_else(|| SAMPLE_CSV.as_bytes().to_vec());
            if input.len() > MAX_SAMPLE_BYTES {
                return Err(format!(
                    "the sample is {} bytes: give one of at most {MAX_SAMPLE_BYTES} bytes (a few rows are enough)",
                    input.len()
                ));
            }
            importer::checks(plugin, &input)
        }
        PluginKind::RetentionRule => {
            let subjects = match &samples.subjects {
                Some(s) => s.clone(),
                None => serde_json::from_str(SAMPLE_SUBJECTS).expect("the built-in subjects"),
            };
            let at = samples.at.unwrap_or_else(Timestamp::now);
            others::retention_checks(plugin, &subjects, at)
        }
        PluginKind::Exporter => {
            let package = match &samples.package {
                Some(p) => p.clone(),
                None => serde_json::from_str(SAMPLE_PACKAGE).expect("the built-in package"),
            };
            others::exporter_checks(plugin, &package)
        }
    });
    Ok(checks)
}
