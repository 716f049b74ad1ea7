//! Data-subject request scenarios: the full access package of one subject, and erasure.

use crate::measure::percentile;
use crate::report::{Report, Target};
use custode::bundled;
use custode::domain::{Actor, ContactId, Role, Timestamp};
use custode::runtime::{Plugin, PluginSettings, Runtime};
use custode::service::{Compliance, Subject};
use std::sync::Arc;
use std::time::Instant;

/// `contacts` are ids of live contacts of the benchmark's database, in random order; the erasure
/// scenario erases some of them, so it runs last.
pub fn run(
    report: &mut Report,
    compliance: &Compliance,
    runtime: &Arc<Runtime>,
    contacts: &[ContactId],
) -> anyhow::Result<()> {
    eprintln!("data-subject requests");
    let actor = Actor::new("bench", Role::Dpo);
    let exporter = Plugin::load(
        runtime,
        bundled::get("json").unwrap().bytes,
        PluginSettings::default(),
    )?;
    let samples = contacts.len().min(1000);
    let (exports, erasures) = contacts.split_at(samples.min(contacts.len() / 2));

    let mut times = Vec::with_capacity(exports.len());
    for id in exports {
        let t = Instant::now();
        let document = compliance.access_package(
            &exporter,
            &Subject::Contact(*id),
            Timestamp::now(),
            &actor,
        )?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(!document.bytes.is_empty());
    }
    report.add(
        "access_export_p99_ms",
        "full access package (data, consents, provenance, processing) for one subject, JSON exporter plugin",
        percentile(&mut times, 99.0),
        "ms",
        Target::AtMost(5.0),
    );

    let mut times = Vec::new();
    for id in erasures.iter().take(300) {
        let t = Instant::now();
        compliance.erase(&actor, *id, "benchmark")?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report.add(
        "erasure_p99_ms",
        "erase one subject (data gone, suppression hash kept, audit entry written)",
        percentile(&mut times, 99.0),
        "ms",
        Target::AtMost(10.0),
    );
    Ok(())
}
