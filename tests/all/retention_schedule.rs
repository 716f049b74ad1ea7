//! The retention schedule through a server, with the clock moved by the test: the policy (every
//! enabled rule, combined) runs once a day at the configured local time, and a run missed while the server was down runs at
//! start, once.

use crate::support::repo_root;
use crate::support::server::TestServer;
use custode::domain::Timestamp;
use custode::service::retention::schedule::Schedule;

#[test]
fn the_schedule_runs_the_policy_daily_and_a_missed_run_once_at_start() {
    let server = TestServer::start();
    let c = server.client();
    let csv = std::fs::read(repo_root().join("examples/contacts.csv")).unwrap();
    let job = c.import(
        &server.operator,
        "plugin=csv&source=Fiera%202026&channel=fair",
        &csv,
    );
    assert_eq!(job["state"], "succeeded", "{job}");
    let schedule = Schedule::parse("daily 02:00", "Europe/Rome").unwrap();
    let at = |t: &str| Timestamp::parse("at", t).unwrap();
    let tick = |t: &str| server.app.scheduled_retention(&schedule, at(t));

    // Never run before: due at once, one run of every enabled rule combined.
    let first = tick("2029-01-10T12:00:00Z").expect("due").unwrap();
    let rules: Vec<&str> = first.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        rules,
        [
            "accounting",
            "consent-withdrawn",
            "legitimate-interest",
            "no-basis"
        ],
        "every enabled retention rule, in one run"
    );
    assert_eq!((first.trigger.as_str(), first.erased), ("schedule", 1));
    // Later the same day, and before 02:00 in Rome (01:00 UTC in winter) the next: nothing.
    assert!(tick("2029-01-10T23:59:00Z").is_none());
    assert!(tick("2029-01-11T00:59:00Z").is_none());
    assert!(tick("2029-01-11T01:00:00Z").expect("due").is_ok());
    // Down for three days: one run when it starts again, not three.
    assert!(tick("2029-01-14T09:00:00Z").expect("due").is_ok());
    assert!(tick("2029-01-14T09:00:30Z").is_none());

    let runs = c.get("/api/v1/retention/runs", &server.dpo).body;
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert!(
        runs.iter()
            .all(|r| r["trigger"] == "schedule" && r["state"] == "applied"),
        "{runs:?}"
    );
    assert_eq!(runs[0]["now"], "2029-01-14T09:00:00Z");
}
