//! The retention policy: the four bundled rules evaluated and combined over every subject.

use crate::report::{Report, Target};
use custode::bundled;
use custode::domain::{SubjectView, Timestamp};
use custode::runtime::{Plugin, PluginSettings, Runtime};
use custode::service::policy::PolicyJob;
use custode::service::retention::BATCH;
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
    // 24-month limit. The views are read once; then only the rules and the combination are timed.
    let now = Timestamp(1_796_083_200);
    let mut views: Vec<Vec<SubjectView>> = Vec::new();
    let mut after = None;
    loop {
        let batch = compliance.subject_views(after, BATCH)?;
        let Some(last) = batch.last() else { break };
        after = Some(last.contact_id);
        views.push(batch);
    }
    let subjects: usize = views.iter().map(Vec::len).sum();
    anyhow::ensure!(subjects > 0, "the imported database has no subjects");
    let mut job = PolicyJob::start(&rules)?;
    // Marks the start of the timed part for a profiler attached by hand.
    eprintln!("  {subjects} subject views read; evaluating");
    let started = Instant::now();
    let mut combined = 0;
    for batch in &views {
        combined += job.combined(now, batch)?.len();
    }
    let rate = subjects as f64 / started.elapsed().as_secs_f64();
    report.add(
        "retention_policy_subjects_per_s",
        "the whole policy (4 bundled rules): each batch through every rule in Wasm, the decisions combined per subject",
        rate,
        "subjects/s",
        Target::AtLeast(500_000.0),
    );
    report.note(format!(
        "retention policy: {subjects} subjects in batches of {BATCH}, one pass; {combined} combined decisions as of 2026-12-01"
    ));
    Ok(())
}
