//! Makes a plugin's `name` section independent of where the repository is checked out.
//!
//! Cargo gives every crate a hash that ends up in its mangled symbol names. For a path dependency
//! outside the workspace being built (the SDK, `../sdk` from `plugins/`), that hash includes the
//! dependency's absolute path, so the same sources built in `/work/main` and in a CI checkout give
//! modules whose function names differ (and nothing else). Rewriting the function names in their
//! demangled form without hashes (`custode_sdk::csv::CsvReader::read`) makes the output the same
//! everywhere and keeps the names readable in wasmtime's backtraces.

use anyhow::{bail, Context, Result};
use wasm_encoder::{IndirectNameMap, NameMap, NameSection, RawSection};
use wasmparser::{KnownCustom, Name, Parser, Payload};

/// The module with its function names demangled without hashes; other sections are copied as they are.
pub fn stable_names(module: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.context("reading the built module")?;
        if let Payload::Version { encoding, .. } = &payload {
            if *encoding != wasmparser::Encoding::Module {
                bail!("expected a core module, found a component");
            }
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let data = &module[range.start as usize..range.end as usize];
        match &payload {
            Payload::CustomSection(c) if c.name() == "name" => {
                let KnownCustom::Name(reader) = c.as_known() else {
                    bail!("unreadable name section")
                };
                out.section(&rewrite(reader)?);
            }
            _ => {
                out.section(&RawSection { id, data });
            }
        }
    }
    Ok(out.finish())
}

fn rewrite(reader: wasmparser::NameSectionReader<'_>) -> Result<NameSection> {
    let mut names = NameSection::new();
    for sub in reader {
        match sub? {
            Name::Module { name, .. } => names.module(name),
            Name::Function(map) => names.functions(&name_map(map, true)?),
            Name::Local(map) => names.locals(&indirect(map)?),
            Name::Label(map) => names.labels(&indirect(map)?),
            Name::Type(map) => names.types(&name_map(map, false)?),
            Name::Table(map) => names.tables(&name_map(map, false)?),
            Name::Memory(map) => names.memories(&name_map(map, false)?),
            Name::Global(map) => names.globals(&name_map(map, false)?),
            Name::Element(map) => names.elements(&name_map(map, false)?),
            Name::Data(map) => names.data(&name_map(map, false)?),
            Name::Field(map) => names.fields(&indirect(map)?),
            Name::Tag(map) => names.tags(&name_map(map, false)?),
            // Not written by wasm-ld; dropping them loses nothing.
            Name::Parameter(_) | Name::TagParameter(_) => {}
            Name::Unknown { ty, data, .. } => names.raw(ty, data),
        }
    }
    Ok(names)
}

fn name_map(map: wasmparser::NameMap<'_>, demangle: bool) -> Result<NameMap> {
    let mut out = NameMap::new();
    for naming in map {
        let naming = naming?;
        if demangle {
            // `{:#}` leaves out the hashes; names that are not Rust symbols come back unchanged.
            out.append(
                naming.index,
                &format!("{:#}", rustc_demangle::demangle(naming.name)),
            );
        } else {
            out.append(naming.index, naming.name);
        }
    }
    Ok(out)
}

fn indirect(map: wasmparser::IndirectNameMap<'_>) -> Result<IndirectNameMap> {
    let mut out = IndirectNameMap::new();
    for inner in map {
        let inner = inner?;
        out.append(inner.index, &name_map(inner.names, false)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_with_names(function_name: &str) -> Vec<u8> {
        let mut m = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut funcs = wasm_encoder::FunctionSection::new();
        funcs.function(0);
        m.section(&funcs);
        let mut code = wasm_encoder::CodeSection::new();
        let mut f = wasm_encoder::Function::new([]);
        f.instructions().end();
        code.function(&f);
        m.section(&code);
        m.section(&wasm_encoder::CustomSection {
            name: "producers".into(),
            data: b"\x00".into(),
        });
        let mut names = NameSection::new();
        names.module("plugin.wasm");
        let mut map = NameMap::new();
        map.append(0, function_name);
        names.functions(&map);
        m.section(&names);
        m.finish()
    }

    #[test]
    fn symbols_differing_only_in_crate_hash_become_identical() {
        // The same function of `custode_sdk` as two checkouts name it (v0 mangling, other crate hash).
        let a = module_with_names("_RNvNtCs7TJKLjeUHJ3_11custode_sdk3csv4read");
        let b = module_with_names("_RNvNtCs3lIZlnk7TH7_11custode_sdk3csv4read");
        assert_ne!(a, b);
        let (a, b) = (stable_names(&a).unwrap(), stable_names(&b).unwrap());
        assert_eq!(a, b);
        assert!(String::from_utf8_lossy(&a).contains("custode_sdk::csv::read"));
        wasmparser::validate(&a).unwrap();
    }

    #[test]
    fn other_sections_are_copied_unchanged() {
        let m = module_with_names("dlmalloc");
        assert_eq!(stable_names(&m).unwrap(), m);
    }
}
