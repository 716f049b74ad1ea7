//! What the scenarios measure with: a child process's report (rates, CPU time, peak memory) and
//! percentiles of samples.

use custode::service::import::ImportReport;
use serde::{Deserialize, Serialize};

/// What a child process measured.
#[derive(Debug, Serialize, Deserialize)]
pub struct Measured {
    pub records: u64,
    pub wall_s: f64,
    /// CPU time of the whole process (all threads) during the measured part.
    pub cpu_s: f64,
    /// Peak resident memory of the process, KiB.
    pub peak_rss_kib: u64,
    pub report: Option<ImportReport>,
}

impl Measured {
    pub fn rate(&self) -> f64 {
        self.records as f64 / self.wall_s
    }
}

/// CPU time of this process, all threads (user + system), from /proc.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat; here 0-based after the state field (field 3).
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident memory of this process (VmHWM), KiB.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The `p`-th percentile (0–100) of `samples`, which it sorts.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank]
}
