//! Retention scenarios: subjects through the bundled `legitimate-interest` rule, in batches.

use crate::report::{Report, Target};
use custode::bundled;
use custode::domain::{Actor, Role, Timestamp};
use custode::runtime::bindings::types as wit;
use custode::runtime::{Plugin, PluginSettings, Runtime};
use custode::service::retention::{self, RetentionOptions, BATCH};
use custode::service::Compliance;
use std::sync::Arc;
use std::time::Instant;

pub fn run(
    report: &mut Report,
    compliance: &Compliance,
    runtime: &Arc<Runtime>,
) -> anyhow::Result<()> {
    eprintln!("retention");
    let rule = Plugin::load(
        runtime,
        bundled::get("legitimate-interest").unwrap().bytes,
        PluginSettings::default(),
    )?;
    // Decide as of three years after the data was generated, so the rule finds silent subjects.
    let now = Timestamp(Timestamp::now().0 + 3 * 365 * 86_400);

    // The views, read once; then only the plugin's work is timed (batches through Wasm: lowering the
    // views into the sandbox, the rule, lifting the decisions back).
    let mut batches: Vec<Vec<wit::SubjectView>> = Vec::new();
    let mut after = None;
    loop {
        let views = compliance.subject_views(after, BATCH)?;
        let Some(last) = views.last() else { break };
        after = Some(last.contact_id);
        batches.push(views.iter().map(Into::into).collect());
    }
    let subjects: usize = batches.iter().map(Vec::len).sum();
    let mut job = rule.start_retention()?;
    let started = Instant::now();
    let mut decided = 0;
    for batch in &batches {
        decided += job.evaluate(now.0, batch)?.len();
    }
    let took = started.elapsed().as_secs_f64();
    report.add(
        "retention_subjects_per_s",
        "subjects evaluated by the bundled retention rule plugin, batches through Wasm",
        subjects as f64 / took,
        "subjects/s",
        Target::AtLeast(1_000_000.0),
    );
    report.note(format!(
        "retention: {subjects} subjects in batches of {BATCH}, {decided} decisions (non-keep and explained keeps)"
    ));

    // The whole dry run as a DPO starts it: views read from the store, converted, evaluated.
    let started = Instant::now();
    let dry = retention::run(
        compliance,
        &rule,
        &RetentionOptions {
            now,
            dry_run: true,
            actor: Actor::new("bench", Role::Dpo),
        },
    )?;
    report.add(
        "retention_dry_run_subjects_per_s",
        "a whole dry run: views read from the store, converted, evaluated",
        dry.subjects as f64 / started.elapsed().as_secs_f64(),
        "subjects/s",
        Target::None,
    );
    Ok(())
}
