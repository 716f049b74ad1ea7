//! `cargo xtask cycles`: no circle among the modules of the `custode` library.
//!
//! `cargo modules dependencies` (the `cargo-modules` crate, `cargo install cargo-modules`) prints
//! every item of the crate and what it uses, as a dot graph. Its own `--acyclic` counts a method
//! using its own type as a cycle, so this folds every item onto the module it is declared in and
//! looks for cycles among modules: an edge `a -> b` means an item of `a` uses an item of `b`. Edges
//! between a module and its own ancestors are left out (a `mod.rs` declaring its children and
//! re-exporting them is not a layer violation).

use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

pub fn check() -> Result<()> {
    let out = Command::new("cargo")
        .args(["modules", "dependencies", "--lib", "-p", "custode"])
        .current_dir(super::repo_root())
        .output()
        .context("running `cargo modules` (install it with `cargo install cargo-modules`)")?;
    if !out.status.success() {
        bail!(
            "`cargo modules dependencies` failed (install it with `cargo install cargo-modules`):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let graph = String::from_utf8(out.stdout).context("the graph is not UTF-8")?;
    let (modules, edges) = module_graph(&graph);
    let cycles = cycles(&edges);
    println!(
        "{} modules, {} edges between them, {} cycles",
        modules,
        edges.values().map(BTreeSet::len).sum::<usize>(),
        cycles.len()
    );
    for cycle in &cycles {
        println!("cycle: {}", cycle.join(" <-> "));
        for a in cycle {
            for b in edges[a].iter().filter(|b| cycle.contains(b)) {
                println!("    {a} -> {b}");
            }
        }
    }
    if !cycles.is_empty() {
        bail!("the modules above use each other: move what both need into a module below both");
    }
    Ok(())
}

/// The number of modules and the module-to-module edges of a `cargo modules dependencies` graph.
fn module_graph(dot: &str) -> (usize, BTreeMap<String, BTreeSet<String>>) {
    let quoted =
        |s: &str| -> Vec<String> { s.split('"').skip(1).step_by(2).map(String::from).collect() };
    let mut modules = BTreeSet::from(["custode".to_string()]);
    for line in dot.lines().filter(|l| !l.contains("->")) {
        if let (Some(name), true) = (quoted(line).first(), line.contains(" mod|")) {
            modules.insert(name.clone());
        }
    }
    let module_of = |item: &str| -> Option<String> {
        let parts: Vec<&str> = item.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|i| parts[..i].join("::"))
            .find(|m| modules.contains(m))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in dot.lines().filter(|l| l.contains("[label=\"uses\"")) {
        let names = quoted(line);
        let (Some(a), Some(b)) = (names.first(), names.get(1)) else {
            continue;
        };
        if !a.starts_with("custode::") || !b.starts_with("custode::") {
            continue;
        }
        let (Some(a), Some(b)) = (module_of(a), module_of(b)) else {
            continue;
        };
        let related =
            a == b || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"));
        if !related {
            edges.entry(a).or_default().insert(b);
        }
    }
    (modules.len(), edges)
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w.as_str()) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w.as_str()]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w.as_str()) {
                    let low = self.low[v].min(self.index[w.as_str()]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let at = self.stack.iter().rposition(|s| *s == v).unwrap();
                let component: Vec<String> = self.stack.drain(at..).map(String::from).collect();
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPH: &str = r#"
    "custode::a" [label="pub mod|custode::a"]; // "mod" node
    "custode::b" [label="pub mod|custode::b"]; // "mod" node
    "custode::c" [label="pub mod|custode::c"]; // "mod" node
    "custode::a::X" [label="pub struct|custode::a::X"]; // "struct" node
    "custode::b::Y" [label="pub struct|custode::b::Y"]; // "struct" node
    "custode::a::X::new" -> "custode::b::Y" [label="uses"]; // "uses" edge
    "custode::b::Y::f" -> "custode::c" [label="uses"]; // "uses" edge
    "custode::a" -> "custode::a::X" [label="uses"]; // "uses" edge
    "#;

    #[test]
    fn items_fold_onto_their_modules_and_a_chain_is_no_cycle() {
        let (modules, edges) = module_graph(GRAPH);
        assert_eq!(modules, 4);
        assert_eq!(
            edges["custode::a"],
            BTreeSet::from(["custode::b".to_string()])
        );
        assert!(cycles(&edges).is_empty());
    }

    #[test]
    fn two_modules_using_each_other_are_a_cycle() {
        let graph = format!("{GRAPH}\n    \"custode::c\" -> \"custode::a::X\" [label=\"uses\"];");
        let (_, edges) = module_graph(&graph);
        let found = cycles(&edges);
        assert_eq!(found.len(), 1);
        let mut cycle = found[0].clone();
        cycle.sort();
        assert_eq!(cycle, ["custode::a", "custode::b", "custode::c"]);
    }
}
