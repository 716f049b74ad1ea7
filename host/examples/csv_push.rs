//! Pushes N MiB of generated CSV (default 100) through the bundled CSV importer in 1 MiB chunks, as
//! the import service does, and reports the time. The plugin's work and the lifting of its records
//! into the host are measured; nothing is written to a database.
//!
//! ```sh
//! cargo run --release -p custode --example csv_push -- 100
//! cargo run --release -p custode --example csv_push -- 100 other/csv.wasm   # another build of it
//! ```

use custode::bundled;
use custode::runtime::importer::ImportSession;
use custode::runtime::importer::CHUNK_SIZE;
use custode::runtime::{Plugin, PluginSettings, Runtime};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mib: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100);
    // A component file instead of the bundled importer: compares two builds of it in one binary.
    let file = std::env::args().nth(2).map(std::fs::read).transpose()?;
    let bytes = file
        .as_deref()
        .unwrap_or_else(|| bundled::get("csv").unwrap().bytes);
    let csv = generate(mib << 20);
    let runtime = Runtime::new(None)?;
    let plugin = Plugin::load(&runtime, bytes, PluginSettings::default())?;

    let started = Instant::now();
    let mut session = ImportSession::open(&plugin)?;
    let mut records = 0usize;
    for chunk in csv.chunks(CHUNK_SIZE) {
        records += session.push(chunk)?.records.len();
    }
    records += session.finish()?.records.len();
    let took = started.elapsed().as_secs_f64();
    println!(
        "{:.1} MiB of CSV ({records} records) through `csv` {}: {:.2} s, {:.0} MiB/s, {:.0} records/s",
        csv.len() as f64 / (1 << 20) as f64,
        plugin.version(),
        took,
        csv.len() as f64 / (1 << 20) as f64 / took,
        records as f64 / took
    );
    Ok(())
}

/// A realistic export: Italian headers, `;`, quoted company names, consent columns, dates.
fn generate(bytes: usize) -> Vec<u8> {
    let mut out = String::with_capacity(bytes + 256);
    out.push_str("Nome;Cognome;E-mail;Telefono;Azienda;Città;Consenso marketing;Versione informativa;Data raccolta\n");
    let names = [
        "Mario", "Giulia", "Luca", "Anna", "Paolo", "Sara", "Marco", "Elena",
    ];
    let surnames = [
        "Rossi", "Bianchi", "Verdi", "Neri", "Gialli", "Russo", "Ferrari", "Esposito",
    ];
    let cities = ["Milano", "Roma", "Torino", "Napoli", "Bologna", "Forlì"];
    let mut i = 0usize;
    while out.len() < bytes {
        let (n, s) = (names[i % 8], surnames[(i / 8) % 8]);
        out.push_str(&format!(
            "{n};{s};{}.{}{i}@example.it;+39 333 {:07};\"{s} & Figli, S.r.l.\";{};{};2026-01;{:02}/{:02}/2026\n",
            n.to_lowercase(),
            s.to_lowercase(),
            i % 10_000_000,
            cities[i % 6],
            if i.is_multiple_of(3) { "sì" } else { "no" },
            1 + i % 28,
            1 + i % 12
        ));
        i += 1;
    }
    out.into_bytes()
}
