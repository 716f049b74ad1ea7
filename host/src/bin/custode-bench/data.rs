//! The benchmark's own data: CSV files of Italian fair and web contacts as Excel exports them (`;`
//! separators, `dd/mm/yyyy` dates, `sì`/`no` consent cells), with the mess real files have: phones
//! written five ways, upper-case emails, a column the field catalogue does not know, repeated people.
//!
//! Deterministic (a fixed seed), so every run imports the same bytes.

use std::io::Write;
use std::path::Path;

pub const HEADER: &str = "Nome;Cognome;E-mail;Telefono;Azienda;Città;Consenso marketing;Consenso profilazione;Versione informativa;Data raccolta;Ultimo contatto;Fonte;Codice sconto";

const FIRST: &[&str] = &[
    "Mario",
    "Giulia",
    "Luca",
    "Anna",
    "Marco",
    "Francesca",
    "Giuseppe",
    "Chiara",
    "Alessandro",
    "Sara",
    "Andrea",
    "Valentina",
    "Matteo",
    "Elena",
    "Lorenzo",
    "Martina",
    "Davide",
    "Federica",
    "Simone",
    "Alessia",
    "Stefano",
    "Silvia",
    "Paolo",
    "Laura",
    "Roberto",
    "Paola",
    "Niccolò",
    "Ilaria",
    "Fabio",
    "Beatrice",
];
const LAST: &[&str] = &[
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
    "Ferrara", "Galli", "Martini", "Leone",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "libero.it",
    "hotmail.it",
    "yahoo.it",
    "outlook.com",
    "tiscali.it",
    "virgilio.it",
    "fastwebnet.it",
];
const CITIES: &[&str] = &[
    "Milano", "Roma", "Torino", "Napoli", "Bologna", "Firenze", "Genova", "Verona", "Padova",
    "Bari", "Brescia", "Bergamo", "Monza", "Trieste", "Parma",
];
const COMPANY_KINDS: &[&str] = &["S.r.l.", "S.p.A.", "& Figli", "S.n.c.", "Group"];
const SOURCES: &[&str] = &[
    "Fiera Milano 2026",
    "Sito web - modulo contatti",
    "Biglietti da visita",
    "Evento Roma 2025",
];
const MOBILE_PREFIXES: &[u32] = &[
    320, 324, 327, 328, 329, 330, 333, 334, 335, 338, 339, 340, 342, 345, 346, 347, 348, 349, 366,
    380, 388, 389,
];

/// A small, fast, deterministic generator (splitmix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// What was generated, for the scenarios' checks.
#[derive(Debug, Default, Clone)]
pub struct Generated {
    pub rows: u64,
    /// Rows that repeat an earlier person: with changed values (a merge) or exactly (unchanged).
    pub repeated_changed: u64,
    pub repeated_exact: u64,
    /// Emails the scenario puts on the suppression list before importing (about 1% of people).
    pub suppressed_emails: Vec<String>,
}

/// The email of person `p`: unique per person; one in seven written in capitals (normalised to the
/// same identity).
fn email(p: u64, shout: bool) -> String {
    let first = FIRST[(p % FIRST.len() as u64) as usize];
    let last = LAST[((p / 7) % LAST.len() as u64) as usize].replace(' ', "");
    let domain = DOMAINS[((p / 3) % DOMAINS.len() as u64) as usize];
    let e = format!("{first}.{last}{p}@{domain}").replace('ò', "o");
    if shout {
        e.to_uppercase()
    } else {
        e.to_lowercase()
    }
}

/// A phone of person `p` in one of the ways people write Italian numbers; unique per person.
fn phone(p: u64, style: u64) -> String {
    let prefix = MOBILE_PREFIXES[(p % MOBILE_PREFIXES.len() as u64) as usize];
    let n = format!("{:07}", p % 10_000_000);
    match style % 8 {
        0 | 1 => format!("{prefix} {} {}", &n[..3], &n[3..]),
        2 => format!("+39 {prefix} {n}"),
        3 => format!("0039 {prefix}{n}"),
        4 => format!("{prefix}-{}-{}", &n[..3], &n[3..]),
        5 => format!("+39{prefix}{n}"),
        // Landlines of Milan and Rome: the leading zero stays in E.164.
        6 => format!("02 {} {}", &n[..3], &n[3..]),
        _ => format!("06 {}{}", (p / 10_000_000) % 10, n),
    }
}

fn date(days_since_2024: u64) -> String {
    // Civil date from days since 2024-01-01, months of real lengths.
    let mut days = days_since_2024;
    let mut year = 2024;
    loop {
        let len = if year % 4 == 0 { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let feb = if year % 4 == 0 { 29 } else { 28 };
    let months = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while days >= months[month] {
        days -= months[month];
        month += 1;
    }
    format!("{:02}/{:02}/{year}", days + 1, month + 1)
}

/// One person's row. `variant` changes the values a repeated row carries (another city, a later
/// last contact) without changing who it is.
fn row(out: &mut Vec<u8>, rng: &mut Rng, p: u64, variant: u64) {
    let mut r = Rng::new(p.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ variant);
    let first = FIRST[(p % FIRST.len() as u64) as usize];
    let last = LAST[((p / 7) % LAST.len() as u64) as usize];
    let shout = r.chance(14);
    let company = if r.chance(70) {
        format!("{} {}", r.pick(LAST), r.pick(COMPANY_KINDS))
    } else {
        String::new()
    };
    let phone = if r.chance(85) {
        phone(p, r.next())
    } else {
        String::new()
    };
    let city = if variant == 0 {
        r.pick(CITIES)
    } else {
        CITIES[((p + variant) % CITIES.len() as u64) as usize]
    };
    let yes_no = |r: &mut Rng, yes: u64, no: u64| {
        let x = r.below(100);
        if x < yes {
            if r.chance(50) {
                "sì"
            } else {
                "SI"
            }
        } else if x < yes + no {
            "no"
        } else {
            ""
        }
    };
    let marketing = yes_no(&mut r, 60, 30);
    let profiling = yes_no(&mut r, 30, 50);
    let notice = if r.chance(50) { "2025-01" } else { "2026-01" };
    let collected = date(r.below(800));
    let last_contact = if r.chance(80) {
        date(r.below(800) + variant * 3)
    } else {
        String::new()
    };
    let source = r.pick(SOURCES);
    let discount = if rng.chance(20) {
        format!("FIERA{}", r.below(1000))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{first};{last};{};{phone};{company};{city};{marketing};{profiling};{notice};{collected};{last_contact};{source};{discount}",
        email(p, shout),
    );
}

/// Writes a CSV of `rows` rows about people numbered from `first_person`: about 5% of the rows repeat
/// an earlier person of the file (4% with changed values, 1% exactly), and about 1% of the people are
/// listed in `suppressed_emails`.
pub fn write_csv(
    path: &Path,
    rows: u64,
    first_person: u64,
    seed: u64,
) -> std::io::Result<Generated> {
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(256);
    let mut g = Generated::default();
    file.write_all(HEADER.as_bytes())?;
    file.write_all(b"\n")?;
    let mut people = 0u64;
    // Exact repeats copy a row already written: the last few hundred rows are kept for that.
    let mut recent: Vec<Vec<u8>> = Vec::new();
    for i in 0..rows {
        out.clear();
        let roll = rng.below(100);
        if people > 0 && roll < 4 {
            let p = first_person + rng.below(people);
            let variant = 1 + rng.below(5);
            row(&mut out, &mut rng, p, variant);
            g.repeated_changed += 1;
        } else if roll == 4 && !recent.is_empty() {
            out.extend_from_slice(&recent[rng.below(recent.len() as u64) as usize]);
            g.repeated_exact += 1;
        } else {
            let p = first_person + people;
            people += 1;
            row(&mut out, &mut rng, p, 0);
            if p % 100 == 37 {
                g.suppressed_emails.push(email(p, false));
            }
            if recent.len() < 512 {
                recent.push(out.clone());
            } else {
                recent[(i % 512) as usize] = out.clone();
            }
        }
        file.write_all(&out)?;
    }
    file.flush()?;
    g.rows = rows;
    Ok(g)
}
