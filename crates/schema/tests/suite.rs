//! The JSON Schema Test Suite (`../shared/conformance/jsonschema`): every required test of drafts 4, 6, 7,
//! 2019-09 and 2020-12 must pass; the optional ones (`optional/`, formats as assertions in `optional/format/`)
//! run too, and their failures must be exactly the ones listed in `KNOWN_OPTIONAL_FAILURES` — a listed test
//! that starts passing fails this test until it is taken off the list.
//!
//! Each instance goes through dfmt's own JSON reader, as a user's file would; the suite's remote documents
//! (`http://localhost:1234/…`) are served from its `remotes` folder through a prefix mapping, so nothing is
//! fetched.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use dfmt_core::{Format, Options};
use dfmt_schema::{Draft, Schema, Settings, Sources};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Optional tests that fail, by `draft/file: group / test`, with the reason.
const KNOWN_OPTIONAL_FAILURES: &[(&str, &str)] = &[
    (
        "draft2020-12/optional/format-assertion.json: schema that uses custom metaschema with format-assertion: false / format-assertion: false: invalid string",
        "the validator asserts `format` when asked (--schema-formats), not because a custom meta-schema declares the format-assertion vocabulary",
    ),
    (
        "draft2020-12/optional/format-assertion.json: schema that uses custom metaschema with format-assertion: true / format-assertion: true: invalid string",
        "as above",
    ),
];

const DRAFTS: &[(&str, Draft)] = &[
    ("draft4", Draft::Draft4),
    ("draft6", Draft::Draft6),
    ("draft7", Draft::Draft7),
    ("draft2019-09", Draft::Draft201909),
    ("draft2020-12", Draft::Draft202012),
];

fn shared_dir() -> Option<PathBuf> {
    let candidates = std::env::var_os("DFMT_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")]);
    for dir in candidates {
        let dir = dir.join("conformance/jsonschema");
        if dir.is_dir() {
            return Some(dir);
        }
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "shared data conformance/jsonschema not found (set DFMT_SHARED or put shared/ beside the checkout)"
    );
    eprintln!("SKIPPED: shared data conformance/jsonschema not found; set DFMT_SHARED to run this test");
    None
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[derive(Default)]
struct Tally {
    passed: usize,
    total: usize,
    failures: Vec<String>,
}

/// Runs one file of the suite; `formats` turns `format` into an assertion (the `optional/format` files).
fn run_file(file: &Path, name: &str, draft: Draft, formats: bool, sources: &Sources, tally: &mut Tally) {
    let groups: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let settings = Settings { formats, draft: Some(draft), ..Settings::default() };
    for group in groups.as_array().unwrap() {
        let description = group["description"].as_str().unwrap_or("?");
        let schema = Schema::from_value(&group["schema"], None, sources, &settings);
        for test in group["tests"].as_array().unwrap() {
            let id = format!("{name}: {description} / {}", test["description"].as_str().unwrap_or("?"));
            let expected = test["valid"].as_bool().unwrap();
            tally.total += 1;
            let outcome = match &schema {
                Err(error) => Err(format!("schema refused: {error}")),
                Ok(schema) => {
                    let text = serde_json::to_string(&test["data"]).unwrap();
                    match schema.check(text.as_bytes(), Format::Json, &Options::default(), &|| false) {
                        Ok(report) => Ok(report.violations.is_empty()),
                        Err(diagnostics) => Err(format!("reading the instance: {}", diagnostics[0])),
                    }
                }
            };
            match outcome {
                Ok(valid) if valid == expected => tally.passed += 1,
                Ok(valid) => tally.failures.push(format!("{id} (valid: {valid}, expected {expected})")),
                Err(why) => tally.failures.push(format!("{id} ({why})")),
            }
        }
    }
}

#[test]
fn json_schema_test_suite() {
    let Some(suite) = shared_dir() else { return };
    let sources =
        Sources { mappings: vec![("http://localhost:1234/".into(), suite.join("remotes"))], ..Sources::default() };
    let known: BTreeSet<&str> = KNOWN_OPTIONAL_FAILURES.iter().map(|(id, _)| *id).collect();
    let mut required_failures = Vec::new();
    let mut optional_failures = Vec::new();
    println!("{:<14} {:>18} {:>18}", "draft", "required", "optional");
    for &(dir, draft) in DRAFTS {
        let base = suite.join("tests").join(dir);
        let mut required = Tally::default();
        for file in json_files(&base) {
            let name = format!("{dir}/{}", file.file_name().unwrap().to_string_lossy());
            run_file(&file, &name, draft, false, &sources, &mut required);
        }
        let mut optional = Tally::default();
        for file in json_files(&base.join("optional")) {
            let name = format!("{dir}/optional/{}", file.file_name().unwrap().to_string_lossy());
            run_file(&file, &name, draft, false, &sources, &mut optional);
        }
        for file in json_files(&base.join("optional/format")) {
            let name = format!("{dir}/optional/format/{}", file.file_name().unwrap().to_string_lossy());
            run_file(&file, &name, draft, true, &sources, &mut optional);
        }
        println!(
            "{dir:<14} {:>10}/{:<7} {:>10}/{:<7}",
            required.passed, required.total, optional.passed, optional.total
        );
        assert!(required.total > 100 && optional.total > 50, "{dir}: too few tests found under {}", base.display());
        required_failures.extend(required.failures);
        optional_failures.extend(optional.failures);
    }
    for failure in &required_failures {
        println!("  REQUIRED FAILS {failure}");
    }
    let mut unexpected = Vec::new();
    let mut seen = BTreeSet::new();
    for failure in &optional_failures {
        let id = failure.rsplit_once(" (").map_or(failure.as_str(), |(id, _)| id);
        seen.insert(id.to_owned());
        let mark = if known.contains(id) { "known" } else { "NEW  " };
        println!("  optional {mark} {failure}");
        if !known.contains(id) {
            unexpected.push(failure.clone());
        }
    }
    let fixed: Vec<&&str> = known.iter().filter(|id| !seen.contains(**id)).collect();
    assert!(required_failures.is_empty(), "{} required tests fail", required_failures.len());
    assert!(unexpected.is_empty(), "{} optional tests fail that are not in KNOWN_OPTIONAL_FAILURES", unexpected.len());
    assert!(fixed.is_empty(), "these known failures pass now; take them off the list: {fixed:?}");
}
