//! `docs/LEGAL.md` names, for each situation the rules decide, the test that checks it. These tests
//! read the table and fail when a named test (or a named case of a table-driven test) no longer
//! exists, so the table a DPO audits cannot drift from the code.

use std::path::{Path, PathBuf};

/// One row of a situation table.
#[derive(Debug, PartialEq)]
struct Row {
    situation: String,
    rests_on: String,
    test: String,
    case: Option<String>,
}

/// The rows of every situation table, or what is wrong with a row.
fn rows(doc: &str) -> Result<Vec<Row>, String> {
    let mut out = Vec::new();
    for (n, line) in doc.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.first() == Some(&"situation") {
            continue;
        }
        let [situation, answer, rests_on, checked_by] = cells[..] else {
            return Err(format!("line {n}: a row has 4 cells (situation, answer, rests on, checked by), this one {}", cells.len()));
        };
        if situation.is_empty() || answer.is_empty() {
            return Err(format!(
                "line {n}: the situation and the answer must be given"
            ));
        }
        if !["Art.", "art.", "Recital", "Guidelines"]
            .iter()
            .any(|w| rests_on.contains(w))
        {
            return Err(format!(
                "line {n}: `{rests_on}` names no article, recital or guideline"
            ));
        }
        let mut parts = checked_by.splitn(3, '`');
        let (Some(""), Some(test), rest) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "line {n}: the last cell starts with the test's name in backticks"
            ));
        };
        if test.is_empty() || !test.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("line {n}: `{test}` is not a test function's name"));
        }
        let rest = rest.unwrap_or_default().trim();
        let case = match rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(case) => Some(case.to_string()),
            None if rest.is_empty() => None,
            None => return Err(format!("line {n}: after the test's name only a case in double quotes may follow, not `{rest}`")),
        };
        out.push(Row {
            situation: situation.to_string(),
            rests_on: rests_on.to_string(),
            test: test.to_string(),
            case,
        });
    }
    Ok(out)
}

/// Whether `source` defines `test` as a test and, when a case is named, holds that case too.
fn defines(source: &str, test: &str, case: Option<&str>) -> bool {
    // Generic functions (the store suite's) have `<` after the name.
    let Some(at) = source
        .find(&format!("fn {test}("))
        .or_else(|| source.find(&format!("fn {test}<")))
    else {
        return false;
    };
    // The attributes and comments right above the function, up to the previous item.
    let is_test = source[..at]
        .trim_end_matches([' ', '\t'])
        .lines()
        .rev()
        .map(str::trim)
        .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
        .any(|l| l == "#[test]")
        || registered_in_store_suite(source, test);
    is_test && case.is_none_or(|case| source.contains(&format!("\"{case}\"")))
}

/// The store suite's tests are generic functions that `on_both_backends!` (or, until the PostgreSQL
/// store has every trait they use, `on_sqlite_for_now!`) makes into one test per backend.
fn registered_in_store_suite(source: &str, test: &str) -> bool {
    ["on_both_backends!(", "on_sqlite_for_now!("]
        .iter()
        .any(|macro_call| {
            source.split(macro_call).skip(1).any(|after| {
                after
                    .split(')')
                    .next()
                    .is_some_and(|list| list.split(',').any(|name| name.trim() == test))
            })
        })
}

/// What is wrong with the rows against these source files, one line per problem.
fn missing(rows: &[Row], sources: &[(PathBuf, String)]) -> Vec<String> {
    rows.iter()
        .filter(|row| {
            !sources
                .iter()
                .any(|(_, text)| defines(text, &row.test, row.case.as_deref()))
        })
        .map(|row| match &row.case {
            Some(case) => format!(
                "\"{}\": no test `{}` with the case \"{case}\"",
                row.situation, row.test
            ),
            None => format!("\"{}\": no test `{}`", row.situation, row.test),
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !matches!(name.to_str(), Some("target" | "dist" | ".git")) {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn every_row_of_docs_legal_md_names_a_test_that_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let doc = std::fs::read_to_string(root.join("docs/LEGAL.md")).unwrap();
    let rows = rows(&doc).unwrap();
    assert!(
        rows.len() >= 40,
        "only {} situations in docs/LEGAL.md",
        rows.len()
    );
    let mut situations: Vec<&str> = rows.iter().map(|r| r.situation.as_str()).collect();
    situations.sort();
    situations.dedup();
    assert_eq!(situations.len(), rows.len(), "a situation is listed twice");
    let mut sources = Vec::new();
    for dir in ["host", "tests", "plugins", "sdk"] {
        rust_files(&root.join(dir), &mut sources);
    }
    let problems = missing(&rows, &sources);
    assert!(
        problems.is_empty(),
        "docs/LEGAL.md names tests that do not exist (rename the test back, or fix the row):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_catches_a_renamed_test_a_lost_case_and_a_row_without_an_article() {
    let doc = "| situation | answer | rests on | checked by |\n|---|---|---|---|\n\
               | A | yes | GDPR Art. 6(1)(a) | `a_test` \"case one\" |\n\
               | B | no | GDPR Art. 7(3) | `a_test` \"case two\" |\n\
               | C | no | GDPR Art. 17 | `gone` |\n";
    let rows = rows(doc).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].case.as_deref(), Some("case one"));
    let source = "#[test]\nfn a_test() {\n    check(\"case one\");\n}\nfn gone() {}\n";
    let sources = [(PathBuf::from("x.rs"), source.to_string())];
    assert_eq!(
        missing(&rows, &sources),
        [
            "\"B\": no test `a_test` with the case \"case two\"",
            "\"C\": no test `gone`"
        ]
    );
    for bad in [
        "| A | yes | common sense | `a_test` |",
        "| A | yes | Art. 6 | a_test |",
        "| A | yes | Art. 6 | `a test` |",
        "| A | yes | Art. 6 | `a_test` case one |",
        "| A | yes | Art. 6 |",
    ] {
        assert!(super::legal_doc_tests::rows(bad).is_err(), "{bad}");
    }
}
