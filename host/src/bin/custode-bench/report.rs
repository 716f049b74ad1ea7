//! The benchmark's results: a table for people, JSON for machines, Markdown for BENCHMARKS.md.

use serde_json::{json, Map, Value};

/// One measured value with its target.
pub struct Measure {
    pub key: &'static str,
    pub what: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub target: Target,
}

/// The target a value is held to (shown beside each result in `BENCHMARKS.md`).
#[derive(Clone, Copy)]
#[allow(dead_code)] // every kind is used once all scenarios are in
pub enum Target {
    AtLeast(f64),
    AtMost(f64),
    None,
}

impl Target {
    fn met(self, v: f64) -> Option<bool> {
        match self {
            Target::AtLeast(t) => Some(v >= t),
            Target::AtMost(t) => Some(v <= t),
            Target::None => None,
        }
    }

    fn describe(self) -> String {
        match self {
            Target::AtLeast(t) => format!("≥ {}", num(t)),
            Target::AtMost(t) => format!("≤ {}", num(t)),
            Target::None => "—".into(),
        }
    }
}

pub struct Report {
    contacts: usize,
    /// The database the store scenarios ran on: "SQLite" or "PostgreSQL".
    store: &'static str,
    measures: Vec<Measure>,
    notes: Vec<String>,
}

impl Report {
    pub fn new(contacts: usize, store: &'static str) -> Report {
        Report {
            contacts,
            store,
            measures: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn add(
        &mut self,
        key: &'static str,
        what: &'static str,
        value: f64,
        unit: &'static str,
        target: Target,
    ) {
        eprintln!("  {key} = {} {unit}", num(value));
        self.measures.push(Measure {
            key,
            what,
            value,
            unit,
            target,
        });
    }

    /// A line printed under the table (what was measured how, anything unusual).
    pub fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    pub fn json(&self) -> Value {
        let mut map = Map::new();
        map.insert("contacts".into(), json!(self.contacts));
        map.insert("store".into(), json!(self.store));
        for m in &self.measures {
            map.insert(m.key.into(), json!(round(m.value)));
        }
        Value::Object(map)
    }

    pub fn table(&self) -> String {
        let mut out = format!(
            "custode-bench, {} contacts, on {}\n\n",
            self.contacts, self.store
        );
        out += &format!(
            "{:<28} {:>14} {:<10} {:>12}  {}\n",
            "scenario", "value", "unit", "target", ""
        );
        for m in &self.measures {
            let verdict = match m.target.met(m.value) {
                Some(true) => "ok",
                Some(false) => "MISSED",
                None => "",
            };
            out += &format!(
                "{:<28} {:>14} {:<10} {:>12}  {verdict}\n",
                m.key,
                num(m.value),
                m.unit,
                m.target.describe()
            );
        }
        for n in &self.notes {
            out += &format!("\n{n}");
        }
        out.push('\n');
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "# Benchmarks\n\nWritten by `custode-bench --markdown BENCHMARKS.md`; do not edit by hand.\n\n",
        );
        out += &format!(
            "- contacts: {}\n- store: {}\n- machine: {}\n- date: {}\n\n",
            self.contacts,
            self.store,
            machine(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        );
        out += "| scenario | what | value | target | |\n|---|---|---:|---:|---|\n";
        for m in &self.measures {
            let verdict = match m.target.met(m.value) {
                Some(true) => "met",
                Some(false) => "**missed**",
                None => "",
            };
            out += &format!(
                "| `{}` | {} | {} {} | {} | {verdict} |\n",
                m.key,
                m.what,
                num(m.value),
                m.unit,
                m.target.describe()
            );
        }
        if !self.notes.is_empty() {
            out += "\n";
            for n in &self.notes {
                out += &format!("- {n}\n");
            }
        }
        out
    }
}

fn round(v: f64) -> f64 {
    if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 1000.0).round() / 1000.0
    }
}

fn num(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 && c != '-' {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// CPU model, core count and memory, from /proc (Linux).
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{} GiB", kb / 1024 / 1024))
        .unwrap_or_else(|| "unknown memory".into());
    format!(
        "{cpu}, {cores} cores, {mem}, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
