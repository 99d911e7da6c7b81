//! Data survives YAML: JSON → YAML → JSON returns the same data; formatting YAML keeps its data, its comments,
//! anchors and tags, and formatting twice changes nothing more; NDJSON lines and YAML documents map one to one.
//!
//! Inputs come from `../shared` (`bench-data/json`, `bench-data/yaml`, the JSONTestSuite `y_` files, and the
//! yaml-test-suite cases that have an `in.json`).

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod shared;

use std::path::{Path, PathBuf};
use std::time::Duration;

use dfmt_core::{Error, ErrorCode, Event, EventKind, Format, Limits, Options, SliceInput, convert, format, yaml};
use serde_json::Value;
use shared::values::{Compare, first_difference, parse_stream};
use shared::{files, report};

/// JSONTestSuite `y_` files that cannot round-trip through YAML: their objects repeat a key, which JSON allows
/// and YAML forbids (mapping keys are unique; DESIGN.md: "Duplicate keys are an error that names both
/// positions"). For these the round trip must stop with a duplicate-key error, in either direction.
const REPEATED_KEYS: &[&str] = &["y_object_duplicated_key.json", "y_object_duplicated_key_and_value.json"];

/// How long one input may take: the benchmark inputs are megabytes, and tests run unoptimised.
const DEADLINE: Duration = Duration::from_secs(300);

fn run(src: &[u8], from: Format, to: Format) -> Result<Vec<u8>, Error> {
    convert(&mut SliceInput::new(src), from, to, &Options::default(), Vec::new())
}

fn run_format(src: &[u8]) -> Result<Vec<u8>, Error> {
    format(&mut SliceInput::new(src), Format::Yaml, &Options::default(), Vec::new())
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_str().unwrap().to_owned()
}

/// Runs one check within the deadline; `Some("label: why")` when it fails.
fn check(label: &str, work: impl FnOnce() -> Result<(), String> + Send + 'static) -> Option<String> {
    shared::within(DEADLINE, work).and_then(|checked| checked).err().map(|why| format!("{label}: {why}"))
}

/// `expected` and `got` hold the same documents.
fn same_documents(expected: &[Value], got: &[Value], compare: Compare) -> Result<(), String> {
    if expected.len() != got.len() {
        return Err(format!("{} documents, expected {}", got.len(), expected.len()));
    }
    match expected.iter().zip(got).enumerate().find_map(|(i, (e, g))| Some((i, first_difference(e, g, compare)?))) {
        Some((i, why)) => Err(format!("document {i}: {why}")),
        None => Ok(()),
    }
}

/// JSON (or NDJSON) → YAML → the same format returns the same data, numbers with the same literal text.
fn json_round_trip(src: &[u8], json: Format) -> Result<(), String> {
    let expected = parse_stream(src).map_err(|e| format!("the input is not JSON: {e}"))?;
    let yaml = run(src, json, Format::Yaml).map_err(|e| format!("to YAML: {}", shared::located(src, &e)))?;
    let back = run(&yaml, Format::Yaml, json).map_err(|e| format!("back from YAML: {}", shared::located(&yaml, &e)))?;
    let got = parse_stream(&back).map_err(|e| format!("the output is not JSON: {e}"))?;
    same_documents(&expected, &got, Compare::Exact)
}

/// JSON whose objects repeat a key stops with a duplicate-key error on its way through YAML.
fn repeated_keys_refused(src: &[u8]) -> Result<(), String> {
    let refused = |e: &Error| e.code == ErrorCode::DuplicateKey;
    let yaml = match run(src, Format::Json, Format::Yaml) {
        Err(e) if refused(&e) => return Ok(()),
        Err(e) => return Err(format!("to YAML: {} (expected a duplicate-key error)", shared::located(src, &e))),
        Ok(yaml) => yaml,
    };
    match run(&yaml, Format::Yaml, Format::Json) {
        Err(e) if refused(&e) => Ok(()),
        Err(e) => Err(format!("back from YAML: {} (expected a duplicate-key error)", shared::located(&yaml, &e))),
        Ok(_) => Err(format!("a repeated key went through YAML without an error:\n{}", String::from_utf8_lossy(&yaml))),
    }
}

/// What a YAML text holds besides the data JSON can show: its comments, and its nodes' anchors and tags.
struct Annotations {
    /// The text of every `#` comment, in order.
    comments: Vec<String>,
    /// For every node in order, its anchor and tag (`&a <!foo>`, empty for none); `*a` for an alias.
    props: Vec<String>,
}

fn annotations(src: &[u8]) -> Result<Annotations, Error> {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let (mut comments, mut props) = (Vec::new(), Vec::new());
    yaml::read(src, &Limits::DEFAULT, &mut |event: Event<'_>| {
        let node = match event.kind {
            EventKind::MappingStart(node) | EventKind::SequenceStart(node) => node,
            EventKind::Scalar(scalar) => scalar.props,
            EventKind::Alias(name) => {
                props.push(format!("*{}", text(name)));
                return Ok(());
            }
            EventKind::Comment(comment) => {
                comments.push(text(comment.text));
                return Ok(());
            }
            _ => return Ok(()),
        };
        let anchor = node.anchor.map(|a| format!("&{}", text(a)));
        let tag = node.tag.map(|t| format!("<{}>", text(t)));
        props.push([anchor, tag].into_iter().flatten().collect::<Vec<_>>().join(" "));
        Ok(())
    })?;
    Ok(Annotations { comments, props })
}

/// The first line where `before` and `after` differ, in one line.
fn first_line_difference(before: &[u8], after: &[u8]) -> String {
    let (before, after) = (String::from_utf8_lossy(before), String::from_utf8_lossy(after));
    let (mut old, mut new) = (before.lines(), after.lines());
    for line in 1.. {
        match (old.next(), new.next()) {
            (Some(a), Some(b)) if a == b => {}
            (None, None) => break,
            (a, b) => return format!("line {line}: {:?} became {:?}", a.unwrap_or("<end>"), b.unwrap_or("<end>")),
        }
    }
    "only the line ends differ".to_owned()
}

/// Formatting YAML keeps its data (as dfmt reads the input), its comments, its anchors and tags, and formatting the
/// result again changes nothing.
///
/// The data is compared as JSON with tagged nodes read as untagged (`yaml_drop_tags`), so that inputs with tags
/// JSON has no meaning for are checked too; the tags themselves are compared as YAML.
fn formatting_keeps_data_and_comments(src: &[u8]) -> Result<(), String> {
    let options = Options { yaml_drop_tags: true, ..Options::default() };
    let to_json = |yaml: &[u8]| convert(&mut SliceInput::new(yaml), Format::Yaml, Format::Json, &options, Vec::new());
    let data = to_json(src).map_err(|e| format!("the input does not convert to JSON: {}", shared::located(src, &e)))?;
    let formatted = run_format(src).map_err(|e| format!("fmt: {}", shared::located(src, &e)))?;
    let mut reasons = Vec::new();
    match to_json(&formatted) {
        Ok(again) => {
            let (data, again) = (parse_stream(&data).unwrap(), parse_stream(&again).unwrap());
            if let Err(why) = same_documents(&data, &again, Compare::Exact) {
                reasons.push(format!("the data changed: {why}"));
            }
        }
        Err(e) => reasons.push(format!("the formatted text does not convert: {}", shared::located(&formatted, &e))),
    }
    match run_format(&formatted) {
        Ok(twice) if twice == formatted => {}
        Ok(twice) => reasons.push(format!("fmt is not idempotent: {}", first_line_difference(&formatted, &twice))),
        Err(e) => reasons.push(format!("the formatted text does not format: {}", shared::located(&formatted, &e))),
    }
    match (annotations(src), annotations(&formatted)) {
        (Ok(before), Ok(after)) => {
            if before.comments.len() != after.comments.len() {
                let lost = before.comments.iter().find(|c| !after.comments.contains(c));
                let (n, expected) = (after.comments.len(), before.comments.len());
                reasons.push(format!("{n} comments, expected {expected} (first missing: {lost:?})"));
            }
            if let Some(i) =
                (0..before.props.len().max(after.props.len())).find(|&i| before.props.get(i) != after.props.get(i))
            {
                let (was, is) = (before.props.get(i), after.props.get(i));
                reasons.push(format!("node {i}: anchor and tag {was:?} became {is:?}"));
            }
        }
        (Err(e), _) => reasons.push(format!("yaml::read rejects the input: {}", shared::located(src, &e))),
        (_, Err(e)) => reasons.push(format!("yaml::read rejects the output: {}", shared::located(&formatted, &e))),
    }
    if reasons.is_empty() { Ok(()) } else { Err(reasons.join("; ")) }
}

#[test]
fn json_bench_data_round_trips_through_yaml() {
    let Some(dir) = shared::shared_dir("bench-data/json") else { return };
    let inputs = files(&dir, |_| true);
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let json = Format::from_extension(path.extension().unwrap().to_str().unwrap()).unwrap();
            check(&file_name(path), move || json_round_trip(&bytes, json))
        })
        .collect();
    report("bench-data/json through YAML", inputs.len(), &failures);
}

#[test]
fn json_test_suite_y_files_round_trip_through_yaml() {
    let Some(dir) = shared::shared_dir("conformance/json/parsing") else { return };
    let inputs = files(&dir, |name| name.starts_with("y_"));
    assert_eq!(inputs.len(), 95);
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|path| {
            let (name, bytes) = (file_name(path), std::fs::read(path).unwrap());
            if REPEATED_KEYS.contains(&name.as_str()) {
                check(&name, move || repeated_keys_refused(&bytes))
            } else {
                check(&name, move || json_round_trip(&bytes, Format::Json))
            }
        })
        .collect();
    report("JSONTestSuite y_ files through YAML", inputs.len(), &failures);
}

#[test]
fn yaml_test_suite_formatting_keeps_data_and_comments() {
    let Some(root) = shared::shared_dir("conformance/yaml") else { return };
    let cases: Vec<(String, PathBuf)> = shared::yaml_suite_cases(&root)
        .into_iter()
        .filter(|(_, dir)| dir.join("in.json").exists() && !dir.join("error").exists())
        .collect();
    assert_eq!(cases.len(), 279);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(id, dir)| {
            let bytes = std::fs::read(dir.join("in.yaml")).unwrap();
            check(id, move || formatting_keeps_data_and_comments(&bytes))
        })
        .collect();
    report("yaml-test-suite cases with in.json, formatted", cases.len(), &failures);
}

#[test]
fn yaml_bench_data_formatting_keeps_data_and_comments() {
    let Some(dir) = shared::shared_dir("bench-data/yaml") else { return };
    let inputs = files(&dir, |_| true);
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).unwrap();
            check(&file_name(path), move || formatting_keeps_data_and_comments(&bytes))
        })
        .collect();
    report("bench-data/yaml, formatted", inputs.len(), &failures);
}

#[test]
fn ndjson_lines_become_yaml_documents() {
    let ndjson = b"{\"a\":1,\"b\":[true,null]}\n\"text\"\n[]\n{}\n-0.5e3\n";
    let yaml = run(ndjson, Format::Ndjson, Format::Yaml).unwrap();
    let text = String::from_utf8(yaml.clone()).unwrap();
    let mut starts = Vec::new();
    yaml::read(&yaml, &Limits::DEFAULT, &mut |event: Event<'_>| {
        if let EventKind::DocumentStart { explicit } = event.kind {
            starts.push(explicit);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(starts.len(), 5, "one document per line:\n{text}");
    assert!(starts[1..].iter().all(|&explicit| explicit), "documents are separated by `---`:\n{text}");
    // The float's exponent gained the sign YAML 1.1 readers need.
    assert!(text.ends_with("-0.5e+3\n"), "{text}");
    let back = b"{\"a\":1,\"b\":[true,null]}\n\"text\"\n[]\n{}\n-0.5e+3\n";
    assert_eq!(run(&yaml, Format::Yaml, Format::Ndjson).unwrap(), back, "and back:\n{text}");
}

#[test]
fn yaml_documents_become_ndjson_lines() {
    let yaml = b"a: 1\nb: [x, 2]\n---\n- x\n- -0.5e3\n--- \"s\"\n...\n---\n# nothing but a comment\n";
    let ndjson = run(yaml, Format::Yaml, Format::Ndjson).unwrap();
    assert_eq!(
        String::from_utf8(ndjson).unwrap(),
        "{\"a\":1,\"b\":[\"x\",2]}\n[\"x\",-0.5e3]\n\"s\"\nnull\n",
        "one line per document"
    );
}
