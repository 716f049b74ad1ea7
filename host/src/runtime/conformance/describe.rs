//! `describe()`: the host calls it on a fresh instance whenever it loads the plugin, so it must
//! give the same answer every time (no state, no dependence on the settings), and one an admin can
//! use.

use super::Check;
use crate::runtime::Plugin;
use std::collections::BTreeSet;

pub(super) fn checks(plugin: &Plugin) -> Vec<Check> {
    vec![
        Check::result("describe() gives the same answer every time", same(plugin)),
        Check::result("describe() is usable", usable(plugin)),
    ]
}

fn same(plugin: &Plugin) -> Result<String, String> {
    let first = plugin.describe().map_err(|e| e.to_string())?;
    let second = plugin.describe().map_err(|e| e.to_string())?;
    if first != second {
        return Err(format!(
            "two calls on fresh instances answered differently ({first:?}, then {second:?}): \
             build the answer from constants, not from settings, time or state"
        ));
    }
    let i = plugin.inspection();
    if (&first.name, &first.version, &first.summary) != (&i.name, &i.version, &i.summary) {
        return Err("the answer differs from the one given when the plugin was loaded: build it from constants".into());
    }
    Ok(format!("{} {} ({})", first.name, first.version, first.kind))
}

fn usable(plugin: &Plugin) -> Result<String, String> {
    let i = plugin.inspection();
    let mut problems = Vec::new();
    let numbers: Vec<&str> = i
        .version
        .split(['-', '+'])
        .next()
        .unwrap_or("")
        .split('.')
        .collect();
    if numbers.len() != 3
        || numbers
            .iter()
            .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        problems.push(format!(
            "version `{}` is not a semantic version such as `0.1.0`: admins compare versions when they replace a plugin",
            i.version
        ));
    }
    if i.summary.trim().is_empty() {
        problems.push(
            "the summary is empty: say in one sentence what the plugin does, for admins".into(),
        );
    }
    let mut seen = BTreeSet::new();
    for key in &i.config_keys {
        if !seen.insert(&key.name) {
            problems.push(format!(
                "setting `{}` is declared twice: declare each once",
                key.name
            ));
        }
        if key.required && key.default_value.is_some() {
            problems.push(format!(
                "setting `{}` is required and has a default: a setting with a default is optional",
                key.name
            ));
        }
        if key.doc.trim().is_empty() {
            problems.push(format!(
                "setting `{}` has no documentation: say what it does and its values",
                key.name
            ));
        }
    }
    if problems.is_empty() {
        Ok(format!(
            "version {}, {} settings",
            i.version,
            i.config_keys.len()
        ))
    } else {
        Err(problems.join("; "))
    }
}
