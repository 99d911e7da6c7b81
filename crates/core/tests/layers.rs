//! The core's modules keep their layers: formats meet only at events. Reads every source file of the crate and
//! fails on a forbidden edge, so the rule cannot rot silently.
//!
//! - The foundation (`bytes`, `error`, `event`, `source`, `limits`, `input`, `output`, `options`, `fingerprint`,
//!   `diagnostic`, `keys`) uses nothing above it.
//! - A format (`json/`, `yaml/`, `toml/`) uses the foundation and itself: never another format, nor the job layer
//!   (`job`, `format`, `path`, `tree`, `reshape`), so there is no cycle between the job and a format.
//!
//! Test modules (from `#[cfg(test)]` to the end of a file) may use anything: a test of the YAML reader may print
//! with the JSON writer.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const FOUNDATION: &[&str] =
    &["bytes", "error", "event", "source", "limits", "input", "output", "options", "fingerprint", "diagnostic", "keys"];
const FORMATS: &[&str] = &["json", "yaml", "toml"];

/// The module a source file belongs to: its folder for a format, else its file name.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_str().unwrap();
    first.trim_end_matches(".rs").to_owned()
}

/// The modules of the crate that `text` names (`crate::json::…`, `use crate::{error, event}` is not used here),
/// outside comments and test modules.
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap();
    let mut found = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && name.chars().next().unwrap().is_ascii_lowercase() {
                found.insert(name);
            }
        }
    }
    found
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Where `module` may reach, or `None` when it may reach anything (the job layer and the crate root).
fn allowed(module: &str) -> Option<Vec<&'static str>> {
    if FOUNDATION.contains(&module) {
        return Some(FOUNDATION.to_vec());
    }
    if let Some(format) = FORMATS.iter().find(|f| **f == module) {
        let mut allowed = FOUNDATION.to_vec();
        allowed.push(format);
        return Some(allowed);
    }
    None
}

#[test]
fn formats_meet_only_at_events() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    assert!(all.len() > 20, "expected the core's sources in {}", src.display());
    let mut broken = Vec::new();
    for file in &all {
        let module = module_of(&src, file);
        let Some(allowed) = allowed(&module) else { continue };
        for used in uses(&std::fs::read_to_string(file).unwrap()) {
            if !allowed.contains(&used.as_str()) {
                broken.push(format!("{}: {module} uses crate::{used}", file.strip_prefix(&src).unwrap().display()));
            }
        }
    }
    assert!(broken.is_empty(), "forbidden edges between the core's layers:\n{}", broken.join("\n"));
}

#[test]
fn the_rule_sees_an_edge() {
    let text = "use crate::json::scan::eq_mask;\n// crate::toml in a comment\nfn f() { crate::yaml::read(); }\n#[cfg(test)]\nuse crate::job;";
    assert_eq!(uses(text).into_iter().collect::<Vec<_>>(), ["json", "yaml"]);
}
