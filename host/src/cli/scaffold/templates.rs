//! The project templates `custode plugin new` writes, embedded in the binary: one per language and
//! plugin kind, from `host/assets/templates/<lang>/`. `{{...}}` marks what is filled in.

use super::{Kind, Lang};

macro_rules! template {
    ($path:literal) => {
        include_str!(concat!("../../../assets/templates/", $path))
    };
}

/// A file of a new project: where it goes, relative to the project folder, and its template.
pub struct TemplateFile {
    pub path: &'static str,
    pub text: &'static str,
}

const fn file(path: &'static str, text: &'static str) -> TemplateFile {
    TemplateFile { path, text }
}

/// The sample input `plugin try` and `plugin check` take for each kind, and its file name.
pub fn sample(kind: Kind) -> TemplateFile {
    match kind {
        Kind::Importer => file("sample.csv", template!("../samples/sample.csv")),
        Kind::RetentionRule => file("subjects.json", template!("../samples/subjects.json")),
        // Not `package.json`: that is a JavaScript project's manifest.
        Kind::Exporter => file("subject-package.json", template!("../samples/package.json")),
    }
}

/// The usage section every README ends with.
pub const USAGE: &str = template!("usage.md");

/// Every file of a project in `lang` for `kind`, the sample input excluded.
pub fn files(lang: Lang, kind: Kind) -> Vec<TemplateFile> {
    match lang {
        Lang::Rust => {
            let (lib, tests) = match kind {
                Kind::Importer => (
                    template!("rust/importer/lib.rs"),
                    template!("rust/importer/tests.rs"),
                ),
                Kind::RetentionRule => (
                    template!("rust/retention-rule/lib.rs"),
                    template!("rust/retention-rule/tests.rs"),
                ),
                Kind::Exporter => (
                    template!("rust/exporter/lib.rs"),
                    template!("rust/exporter/tests.rs"),
                ),
            };
            vec![
                file("Cargo.toml", template!("rust/Cargo.toml")),
                file("README.md", template!("rust/README.md")),
                file(".gitignore", template!("rust/gitignore")),
                file("src/lib.rs", lib),
                file("src/tests.rs", tests),
            ]
        }
        Lang::Js => {
            let (entry, logic, test) = match kind {
                Kind::Importer => (
                    template!("js/importer/plugin.js"),
                    template!("js/importer/importer.js"),
                    template!("js/importer/test.js"),
                ),
                Kind::RetentionRule => (
                    template!("js/retention-rule/plugin.js"),
                    template!("js/retention-rule/rule.js"),
                    template!("js/retention-rule/test.js"),
                ),
                Kind::Exporter => (
                    template!("js/exporter/plugin.js"),
                    template!("js/exporter/exporter.js"),
                    template!("js/exporter/test.js"),
                ),
            };
            let (logic_path, test_path) = match kind {
                Kind::Importer => ("src/importer.js", "test/importer.test.js"),
                Kind::RetentionRule => ("src/rule.js", "test/rule.test.js"),
                Kind::Exporter => ("src/exporter.js", "test/exporter.test.js"),
            };
            vec![
                file("package.json", template!("js/package.json")),
                file("README.md", template!("js/README.md")),
                file(".gitignore", template!("js/gitignore")),
                file("src/plugin.js", entry),
                file(logic_path, logic),
                file(test_path, test),
            ]
        }
        Lang::Python => {
            let (app, logic, test) = match kind {
                Kind::Importer => (
                    template!("python/importer/app.py"),
                    template!("python/importer/module.py"),
                    template!("python/importer/test.py"),
                ),
                Kind::RetentionRule => (
                    template!("python/retention-rule/app.py"),
                    template!("python/retention-rule/module.py"),
                    template!("python/retention-rule/test.py"),
                ),
                Kind::Exporter => (
                    template!("python/exporter/app.py"),
                    template!("python/exporter/module.py"),
                    template!("python/exporter/test.py"),
                ),
            };
            let (logic_path, test_path) = match kind {
                Kind::Importer => ("plugin_importer.py", "tests/test_plugin_importer.py"),
                Kind::RetentionRule => ("plugin_rule.py", "tests/test_plugin_rule.py"),
                Kind::Exporter => ("plugin_exporter.py", "tests/test_plugin_exporter.py"),
            };
            vec![
                file("pyproject.toml", template!("python/pyproject.toml")),
                file("README.md", template!("python/README.md")),
                file(".gitignore", template!("python/gitignore")),
                file("app.py", app),
                file(logic_path, logic),
                file(test_path, test),
            ]
        }
    }
}

/// The module holding a project's logic (`src/<module>.js`, `<module>.py`).
pub fn module(lang: Lang, kind: Kind) -> &'static str {
    match (lang, kind) {
        (Lang::Python, Kind::Importer) => "plugin_importer",
        (Lang::Python, Kind::RetentionRule) => "plugin_rule",
        (Lang::Python, Kind::Exporter) => "plugin_exporter",
        (_, Kind::Importer) => "importer",
        (_, Kind::RetentionRule) => "rule",
        (_, Kind::Exporter) => "exporter",
    }
}
