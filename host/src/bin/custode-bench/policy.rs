//! The retention policy: the four bundled rules evaluated and combined over every subject, as a
//! dry run reads, evaluates and combines them.

use crate::report::{Report, Target};
use custode::bundled;
use custode::domain::{Actor, Role, Timestamp};
use custode::runtime::{Plugin, PluginSettings, Runtime};
use custode::service::retention::RetentionOptions;
use custode::service::Compliance;
use std::sync::Arc;
use std::time::Instant;

/// The bundled retention rules, in the order a policy combines them (by name).
const RULES: [&str; 4] = [
    "accounting",
    "consent-withdrawn",
    "legitimate-interest",
    "no-basis",
];

pub fn run(
    report: &mut Report,
    compliance: &Compliance,
    runtime: &Arc<Runtime>,
) -> anyhow::Result<()> {
    eprintln!("retention policy");
    let rules = RULES
        .iter()
        .map(|name| {
            Plugin::load(
                runtime,
                bundled::get(name).unwrap().bytes,
                PluginSettings::default(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rules: Vec<&Plugin> = rules.iter().collect();
    // As of 2026-12-01, as the single rule's scenario: about a third of the subjects past the
    // 24-month limit.
    let options = RetentionOptions {
        now: Timestamp(1_796_083_200),
        dry_run: true,
        actor: Actor::new("bench", Role::Dpo),
    };
    let started = Instant::now();
    let policy = compliance.run_policy(&rules, &options)?;
    let rate = policy.subjects as f64 / started.elapsed().as_secs_f64();
    anyhow::ensure!(policy.subjects > 0, "the imported database has no subjects");
    report.add(
        "retention_policy_subjects_per_s",
        "the whole policy (4 bundled rules) as a dry run: views read from the store, evaluated by each rule, combined",
        rate,
        "subjects/s",
        Target::AtLeast(500_000.0),
    );
    report.note(format!(
        "retention policy: {} subjects, {} decisions combined ({} erased, {} anonymised, {} for review) as of 2026-12-01",
        policy.subjects,
        policy.decisions.len(),
        policy.erased,
        policy.anonymised,
        policy.to_review
    ));
    Ok(())
}
