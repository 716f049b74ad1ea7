//! A retention apply of many erasures on the imported database while a reader asks `can_process`:
//! the apply takes the writer a batch at a time, so readers (WAL snapshots) and writes between
//! batches are not held up.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::measure::percentile;
use crate::report::{Report, Target};
use custode::domain::{
    Actor, ContactId, RetentionAction, RetentionDecision, Role, SubjectView, Timestamp,
};
use custode::service::retention::{
    DecisionSource, Guard, RetentionError, RetentionOptions, RuleRef, RunDecision,
};
use custode::service::{Compliance, Subject};

/// Erasures applied by the scenario.
const ERASURES: usize = 10_000;

/// Erases exactly the given contacts, and notes when it decided last (the apply starts then).
struct EraseThese {
    ids: HashSet<ContactId>,
    last_decided: Arc<Mutex<Instant>>,
}

impl DecisionSource for EraseThese {
    fn rules(&self) -> Vec<RuleRef> {
        vec![RuleRef {
            name: "bench".into(),
            version: "1".into(),
            digest: String::new(),
        }]
    }

    fn decide(
        &mut self,
        _now: Timestamp,
        views: &[SubjectView],
    ) -> Result<Vec<RunDecision>, RetentionError> {
        let decisions = views
            .iter()
            .filter(|v| self.ids.contains(&v.contact_id))
            .map(|v| RunDecision {
                decision: RetentionDecision {
                    contact_id: v.contact_id,
                    action: RetentionAction::Erase,
                    reason: "benchmark".into(),
                    legal_reference: "GDPR Art. 5(1)(e)".into(),
                    review_after: None,
                    holds_from: None,
                },
                rules: vec!["bench".into()],
            })
            .collect();
        *self.last_decided.lock().unwrap() = Instant::now();
        Ok(decisions)
    }
}

/// `contacts`: live contacts in random order; the last `ERASURES` of them (at most half) are erased.
pub fn run(
    report: &mut Report,
    compliance: &Compliance,
    contacts: &[ContactId],
) -> anyhow::Result<()> {
    eprintln!("retention apply");
    // Half of a small database: the rest is read meanwhile.
    let split = contacts.len() - ERASURES.min(contacts.len() / 2);
    let (readable, erased) = contacts.split_at(split);
    anyhow::ensure!(
        !readable.is_empty(),
        "too few contacts to read beside the apply"
    );
    let last_decided = Arc::new(Mutex::new(Instant::now()));
    let mut source = EraseThese {
        ids: erased.iter().copied().collect(),
        last_decided: last_decided.clone(),
    };
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (compliance, done) = (compliance.clone(), done.clone());
        let readable = readable.to_vec();
        std::thread::spawn(move || -> anyhow::Result<Vec<(Instant, f64)>> {
            let mut samples = Vec::new();
            let mut i = 0;
            while !done.load(Ordering::Relaxed) {
                let id = readable[i % readable.len()];
                i += 1;
                let t = Instant::now();
                let d =
                    compliance.can_process(&Subject::Contact(id), "marketing", "email", None)?;
                std::hint::black_box(d);
                samples.push((t, t.elapsed().as_secs_f64() * 1e3));
            }
            Ok(samples)
        })
    };
    let mut options =
        RetentionOptions::requested(Actor::new("bench", Role::Dpo), Timestamp::now(), false);
    options.guard = Guard {
        max_erasures: u64::MAX,
        max_share: 1.0,
    };
    let run = compliance.run_retention_with(&mut source, &options);
    let ended = Instant::now();
    done.store(true, Ordering::Relaxed);
    let samples = reader.join().expect("the reader does not panic")?;
    let run = run?;
    let applying_from = *last_decided.lock().unwrap();
    // Contacts the erasure scenario already erased are not among the views: no decision for them.
    anyhow::ensure!(
        run.erased > 0 && run.not_applied == 0 && run.pending == 0,
        "the apply erased {} of {}, {} not applied, {} pending",
        run.erased,
        erased.len(),
        run.not_applied,
        run.pending
    );
    let mut during: Vec<f64> = samples
        .iter()
        .filter(|(t, _)| *t >= applying_from)
        .map(|(_, ms)| *ms)
        .collect();
    anyhow::ensure!(
        !during.is_empty(),
        "no can_process call ran during the apply"
    );
    report.add(
        "retention_apply_erasures_per_s",
        "a retention run's apply: erasures in transactions of 200, each with its audit entry and recorded outcome",
        run.erased as f64 / ended.duration_since(applying_from).as_secs_f64(),
        "erasures/s",
        Target::None,
    );
    report.add(
        "retention_apply_can_process_p99_ms",
        "`can_process` on other contacts while the apply runs (p99)",
        percentile(&mut during, 99.0),
        "ms",
        Target::AtMost(20.0),
    );
    report.note(format!(
        "retention apply: {} erasures, {} can_process calls meanwhile",
        run.erased,
        during.len()
    ));
    Ok(())
}
