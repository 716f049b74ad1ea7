//! Prometheus metrics in the text exposition format: requests and latencies per route, plugin calls and
//! failures by cause, imports. Counters are atomics indexed by the route's place in the list given to
//! [`Metrics::for_routes`] (the access matrix), so recording a request costs a few relaxed additions
//! and no lock.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::service::jobs::ImportJobs;
use crate::service::retention::RunRecord;
use crate::store::cases::CaseCounts;

/// The last retention run as gauges (none before the first run): when it started, its state, what it
/// did and how long it took, so an alert can fire on a run that failed, waits for confirmation, or
/// did not happen.
pub fn render_retention(last: Option<&RunRecord>) -> String {
    let Some(run) = last else {
        return String::new();
    };
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, value: f64| {
        let _ = writeln!(out, "# HELP custode_retention_last_run_{name} {help}");
        let _ = writeln!(out, "# TYPE custode_retention_last_run_{name} gauge");
        let _ = writeln!(out, "custode_retention_last_run_{name} {value}");
    };
    gauge("id", "The id of the last retention run.", run.id as f64);
    gauge(
        "started_seconds",
        "When the last retention run started (Unix time).",
        run.started_at.0 as f64,
    );
    gauge(
        "duration_seconds",
        "How long the last retention run took.",
        run.duration_ms.unwrap_or(0) as f64 / 1000.0,
    );
    gauge(
        "subjects",
        "Subjects the last retention run looked at.",
        run.subjects as f64,
    );
    for (outcome, n) in [
        ("erased", run.erased),
        ("anonymised", run.anonymised),
        ("review", run.to_review),
        ("not_applied", run.not_applied),
        ("pending", run.pending),
    ] {
        gauge(
            outcome,
            "Decisions of the last retention run with this outcome.",
            n as f64,
        );
    }
    let _ = writeln!(out, "# HELP custode_retention_last_run_state The state of the last retention run (1 for its state).");
    let _ = writeln!(out, "# TYPE custode_retention_last_run_state gauge");
    let _ = writeln!(
        out,
        "custode_retention_last_run_state{{state=\"{}\"}} 1",
        run.state.as_str()
    );
    out
}

/// Latency histogram bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];
/// Status classes counted: 1xx … 5xx.
const CLASSES: usize = 5;

#[derive(Default)]
struct RouteMetrics {
    by_class: [AtomicU64; CLASSES],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// The problem type (`urn:custode:problem:<type>`) a client gets for a plugin failure of each metric
/// cause. The metric keeps the finer cause — a panic, a trap and a failed start are all
/// `plugin-crashed` to a client, which can do nothing different about them, but tell a plugin author
/// different things — and carries the problem type as a second label, so the two can be matched.
fn problem_of_cause(cause: &str) -> &'static str {
    match cause {
        "deadline" => "plugin-deadline",
        "memory" => "plugin-memory",
        "panic" | "trap" | "instantiate" => "plugin-crashed",
        "reported" => "plugin-reported-error",
        "output-too-large" | "contract" => "plugin-contract",
        "stopped" => "cancelled",
        "busy" => "plugin-busy",
        _ => "internal",
    }
}

pub struct Metrics {
    /// `(method, route)` of each route, in the order requests are recorded by.
    labels: Vec<(&'static str, &'static str)>,
    routes: Vec<RouteMetrics>,
}

impl Metrics {
    /// Metrics for these routes, `(method, route)` each; [`Metrics::record`] takes the index.
    pub fn for_routes(routes: impl IntoIterator<Item = (&'static str, &'static str)>) -> Self {
        let labels: Vec<_> = routes.into_iter().collect();
        Metrics {
            routes: labels.iter().map(|_| RouteMetrics::default()).collect(),
            labels,
        }
    }

    pub fn record(&self, route: usize, status: u16, took: Duration) {
        let Some(m) = self.routes.get(route) else {
            return;
        };
        let class = (usize::from(status / 100)).clamp(1, CLASSES) - 1;
        m.by_class[class].fetch_add(1, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        if let Some(b) = BUCKETS.iter().position(|&bound| secs <= bound) {
            m.buckets[b].fetch_add(1, Ordering::Relaxed);
        }
        m.count.fetch_add(1, Ordering::Relaxed);
        m.sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self, jobs: &ImportJobs, cases: Option<CaseCounts>) -> String {
        let mut out = String::new();
        out +=
            "# HELP custode_http_requests_total HTTP requests by route, method and status class.\n";
        out += "# TYPE custode_http_requests_total counter\n";
        for ((method, path), m) in self.labels.iter().zip(&self.routes) {
            for (i, c) in m.by_class.iter().enumerate() {
                let n = c.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "custode_http_requests_total{{method=\"{method}\",route=\"{path}\",status=\"{}xx\"}} {n}",
                        i + 1
                    );
                }
            }
        }
        out += "# HELP custode_http_request_duration_seconds Time to answer, by route.\n";
        out += "# TYPE custode_http_request_duration_seconds histogram\n";
        for ((method, path), m) in self.labels.iter().zip(&self.routes) {
            let count = m.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let labels = format!("method=\"{method}\",route=\"{path}\"");
            let mut cumulative = 0;
            for (bound, b) in BUCKETS.iter().zip(&m.buckets) {
                cumulative += b.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "custode_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "custode_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}"
            );
            let sum = m.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "custode_http_request_duration_seconds_sum{{{labels}}} {sum}"
            );
            let _ = writeln!(
                out,
                "custode_http_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
        let stats = crate::runtime::stats::snapshot();
        out += "# HELP custode_plugin_calls_total Calls into plugins.\n";
        out += "# TYPE custode_plugin_calls_total counter\n";
        let _ = writeln!(out, "custode_plugin_calls_total {}", stats.calls);
        out += "# HELP custode_plugin_failures_total Failed plugin calls, by cause, with the API problem type the cause is answered with (several causes share one).\n";
        out += "# TYPE custode_plugin_failures_total counter\n";
        for (cause, n) in stats.failures {
            let _ = writeln!(
                out,
                "custode_plugin_failures_total{{cause=\"{cause}\",problem=\"{}\"}} {n}",
                problem_of_cause(cause)
            );
        }
        out += "# HELP custode_imports_total Import jobs, by outcome.\n";
        out += "# TYPE custode_imports_total counter\n";
        for (outcome, n) in [
            ("started", &jobs.started),
            ("succeeded", &jobs.succeeded),
            ("failed", &jobs.failed),
        ] {
            let _ = writeln!(
                out,
                "custode_imports_total{{outcome=\"{outcome}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        out += "# HELP custode_imports_running Import jobs running now.\n";
        out += "# TYPE custode_imports_running gauge\n";
        let _ = writeln!(out, "custode_imports_running {}", jobs.running());
        if let Some(c) = cases {
            out += "# HELP custode_requests_open Data-subject request cases not yet answered.\n";
            out += "# TYPE custode_requests_open gauge\n";
            let _ = writeln!(out, "custode_requests_open {}", c.open);
            out +=
                "# HELP custode_requests_due_within_7_days Open request cases due within 7 days.\n";
            out += "# TYPE custode_requests_due_within_7_days gauge\n";
            let _ = writeln!(
                out,
                "custode_requests_due_within_7_days {}",
                c.due_within_7_days
            );
            out += "# HELP custode_requests_overdue Open request cases past their due date.\n";
            out += "# TYPE custode_requests_overdue gauge\n";
            let _ = writeln!(out, "custode_requests_overdue {}", c.overdue);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::problem_of_cause;
    use crate::runtime::error::Failure;
    use crate::runtime::stats::CAUSES;
    use crate::service::jobs::plugin_failure_kind;

    #[test]
    fn each_metric_cause_is_labelled_with_the_problem_type_clients_get() {
        let samples = [
            ("deadline", Failure::Deadline(Duration::from_secs(5))),
            (
                "memory",
                Failure::Memory {
                    limit: 1,
                    requested: 2,
                },
            ),
            ("panic", Failure::Panic("at lib.rs".into())),
            ("trap", Failure::Trap("unreachable".into())),
            (
                "reported",
                crate::runtime::limits::reported("bad".into(), None, None),
            ),
            (
                "output-too-large",
                Failure::OutputTooLarge {
                    what: "records",
                    count: 2,
                    limit: 1,
                    counted: "records and row errors together",
                },
            ),
            ("contract", Failure::Contract("no".into())),
            ("instantiate", Failure::Instantiate("no".into())),
            ("stopped", Failure::Stopped),
            (
                "busy",
                Failure::Busy {
                    running: 64,
                    waited: Duration::from_secs(2),
                },
            ),
        ];
        let named: Vec<&str> = samples.iter().map(|(c, _)| *c).collect();
        assert_eq!(named, CAUSES, "a cause was added: give it a sample here");
        for (cause, failure) in &samples {
            assert_eq!(
                problem_of_cause(cause),
                plugin_failure_kind(failure),
                "{cause}"
            );
        }
    }
}
