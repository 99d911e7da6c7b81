//! Data survives TOML: formatting TOML changes no data and no comment and is idempotent (over the bench-data
//! files and the toml-test valid cases); JSON → TOML → JSON returns the same data for every JSON input TOML can
//! represent (bench-data, JSONTestSuite `y_` files, and generated values), and the rest is refused with the
//! reason.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod shared;

use std::time::Duration;

use dfmt_core::{Detail, Error, ErrorCode, Format, Limits, Options, SliceInput, convert, toml};
use proptest::prelude::*;
use serde_json::Value;
use shared::values::{Compare, first_difference, parse_stream};
use shared::{files, report};

const DEADLINE: Duration = Duration::from_secs(300);

fn run(src: &[u8], from: Format, to: Format) -> Result<Vec<u8>, Error> {
    convert(&mut SliceInput::new(src), from, to, &Options::default(), Vec::new())
}

fn check(label: &str, work: impl FnOnce() -> Result<(), String> + Send + 'static) -> Option<String> {
    shared::within(DEADLINE, work).and_then(|checked| checked).err().map(|why| format!("{label}: {why}"))
}

/// Formatting `src` keeps its data and every comment (the fingerprints agree), changes nothing the second
/// time, and the formatted text converts to the same JSON as the original.
fn fmt_keeps_everything(src: &[u8]) -> Result<(), String> {
    let (limits, indent) = (Limits::DEFAULT, b"  ");
    let first = toml::format(src, &limits, indent).map_err(|e| format!("format: {}", shared::located(src, &e)))?;
    let second = toml::format(&first.text, &limits, indent)
        .map_err(|e| format!("the formatted text does not read: {}", shared::located(&first.text, &e)))?;
    if second.text != first.text {
        return Err("formatting twice changes the text again".into());
    }
    if second.fingerprint != first.fingerprint {
        return Err("formatting changed the data or a comment".into());
    }
    if comments_in(&first.text) != comments_in(src) {
        return Err("a comment is missing".into());
    }
    // Values that JSON cannot hold (inf, nan) keep the comparison to YAML, which can.
    let to = if run(src, Format::Toml, Format::Json).is_ok() { Format::Json } else { Format::Yaml };
    let before = run(src, Format::Toml, to).map_err(|e| format!("original to {to}: {}", shared::located(src, &e)))?;
    let after = run(&first.text, Format::Toml, to).map_err(|e| format!("formatted to {to}: {e}"))?;
    if before != after {
        return Err(format!("the data changed ({to} differs)"));
    }
    Ok(())
}

/// The comments of a TOML text, counted by the reader.
fn comments_in(src: &[u8]) -> usize {
    struct Count(usize);
    impl toml::Visit for Count {
        fn comment(&mut self, _: dfmt_core::Span, _: bool) -> Result<(), Error> {
            self.0 += 1;
            Ok(())
        }
    }
    let mut count = Count(0);
    toml::read(src, &Limits::DEFAULT, &mut count).map(|()| count.0).unwrap_or(0)
}

#[test]
fn formatting_bench_data_changes_no_data() {
    let Some(dir) = shared::shared_dir("bench-data/toml") else { return };
    let inputs = files(&dir, |name| name.ends_with(".toml"));
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|path| {
            let src = std::fs::read(path).unwrap();
            check(&path.file_name().unwrap().to_string_lossy(), move || fmt_keeps_everything(&src))
        })
        .collect();
    report("fmt on bench-data/toml", inputs.len(), &failures);
}

#[test]
fn formatting_conformance_cases_changes_no_data() {
    let Some(dir) = shared::shared_dir("conformance/toml") else { return };
    let list = std::fs::read_to_string(dir.join("files-toml-1.0.0")).unwrap();
    let cases: Vec<&str> = list.lines().filter(|l| l.starts_with("valid/") && l.ends_with(".toml")).collect();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let src = std::fs::read(dir.join(case)).unwrap();
            check(case, move || fmt_keeps_everything(&src))
        })
        .collect();
    report("fmt on toml-test valid cases", cases.len(), &failures);
}

/// Why TOML cannot hold a JSON input, if it cannot: the errors that say so are the only acceptable ones.
fn unrepresentable(error: &Error) -> bool {
    matches!(
        error.code,
        ErrorCode::TomlNull | ErrorCode::TomlTopLevelNotTable | ErrorCode::TomlIntegerRange | ErrorCode::DuplicateKey
    )
}

/// JSON → TOML → JSON gives the same data, numbers with the same text; `Ok(false)` when TOML cannot hold it.
fn json_round_trip(src: &[u8]) -> Result<bool, String> {
    let expected = parse_stream(src).map_err(|e| format!("the input is not JSON: {e}"))?;
    let toml = match run(src, Format::Json, Format::Toml) {
        Ok(toml) => toml,
        Err(e) if unrepresentable(&e) => return Ok(false),
        Err(e) => return Err(format!("to TOML: {}", shared::located(src, &e))),
    };
    let back = run(&toml, Format::Toml, Format::Json)
        .map_err(|e| format!("back from TOML: {}\n{}", shared::located(&toml, &e), String::from_utf8_lossy(&toml)))?;
    let got = parse_stream(&back).map_err(|e| format!("the output is not JSON: {e}"))?;
    match first_difference(&expected[0], &got[0], Compare::Data) {
        Some(why) => Err(why),
        None => Ok(true),
    }
}

#[test]
fn json_to_toml_and_back_keeps_the_data() {
    let mut inputs = Vec::new();
    if let Some(dir) = shared::shared_dir("bench-data/json") {
        inputs.extend(files(&dir, |name| name.ends_with(".json")));
    }
    if let Some(dir) = shared::shared_dir("conformance/json/parsing") {
        inputs.extend(files(&dir, |name| name.starts_with("y_")));
    }
    if inputs.is_empty() {
        return;
    }
    let represented = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|path| {
            let src = std::fs::read(path).unwrap();
            let represented = represented.clone();
            check(&path.file_name().unwrap().to_string_lossy(), move || {
                if json_round_trip(&src)? {
                    represented.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(())
            })
        })
        .collect();
    println!(
        "TOML can hold {} of {} JSON inputs",
        represented.load(std::sync::atomic::Ordering::Relaxed),
        inputs.len()
    );
    report("JSON → TOML → JSON", inputs.len(), &failures);
}

/// A JSON value TOML can hold below the top level: no null, integers within 64 bits, any string.
fn value() -> impl Strategy<Value = Value> {
    let key = prop_oneof!["[a-z_-]{1,8}", "\\PC{0,6}", Just(String::new()), "[ .\"'\\\\#=\\[\\]]{1,3}"];
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1.0e12f64..1.0e12).prop_map(|f| serde_json::from_str::<Value>(&format!("{f:?}")).unwrap()),
        "(\\PC|[\\n\\t\\r\"\\\\\u{7f}\u{1}])*".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = Value> {
    prop::collection::vec(("[a-z]{1,6}|\\PC{1,4}", value()), 0..6)
        .prop_map(|entries| Value::Object(entries.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_json_survives_toml(doc in document()) {
        let src = serde_json::to_vec(&doc).unwrap();
        let toml = run(&src, Format::Json, Format::Toml).unwrap();
        let back = run(&toml, Format::Toml, Format::Json)
            .map_err(|e| format!("{}\n{}", shared::located(&toml, &e), String::from_utf8_lossy(&toml)))
            .unwrap();
        let got: Value = serde_json::from_slice(&back).unwrap();
        prop_assert!(first_difference(&doc, &got, Compare::Data).is_none(),
            "{:?}\n{}", first_difference(&doc, &got, Compare::Data), String::from_utf8_lossy(&toml));
        // And the TOML written is already formatted.
        let formatted = toml::format(&toml, &Limits::DEFAULT, b"  ").unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&formatted.text), String::from_utf8_lossy(&toml));
    }
}

#[test]
fn layout_of_written_toml() {
    let src = br#"{"name": "dfmt", "tags": ["a", "b"], "deps": {"serde": {"version": "1"}}, "authors": [{"name": "A"}],
        "bin": [{"name": "x", "path": "src/main.rs", "required-features": ["cli", "server"]}], "odd key": {}}"#;
    let toml = String::from_utf8(run(src, Format::Json, Format::Toml).unwrap()).unwrap();
    let expected = "name = \"dfmt\"\ntags = [\"a\", \"b\"]\nauthors = [{ name = \"A\" }]\n\n[deps.serde]\nversion = \"1\"\n\n\
                    [[bin]]\nname = \"x\"\npath = \"src/main.rs\"\nrequired-features = [\"cli\", \"server\"]\n\n[\"odd key\"]\n";
    assert_eq!(toml, expected);
}

#[test]
fn formatting_layout() {
    let src = b"# top\ntitle=\"x\"   # t\n\n\n[ a . b ]\nc=0x1F\nd = [1,2,\n  3, # three\n\n  # own line\n  4]\ne = {x=1,y=[ 1 ,2 ]}\n[[f]]\n";
    let out = toml::format(src, &Limits::DEFAULT, b"  ").unwrap();
    let expected = "# top\ntitle = \"x\" # t\n\n[a.b]\nc = 0x1F\nd = [\n  1,\n  2,\n  3, # three\n\n  # own line\n  4,\n]\n\
                    e = { x = 1, y = [1, 2] }\n[[f]]\n";
    assert_eq!(String::from_utf8(out.text).unwrap(), expected);
}

#[test]
fn limits_hold_for_hostile_input() {
    let deep = format!("a = {}", "[".repeat(100_000));
    let error = toml::load(deep.as_bytes(), &Limits::DEFAULT).unwrap_err();
    assert_eq!((error.code, error.detail), (ErrorCode::DepthLimit, Detail::Limit(1024)));
    let deep = format!("a = {}", "{b = ".repeat(100_000));
    assert_eq!(toml::load(deep.as_bytes(), &Limits::DEFAULT).unwrap_err().code, ErrorCode::DepthLimit);
    let long_path = format!("[{}a]", "a.".repeat(100_000));
    assert_eq!(toml::load(long_path.as_bytes(), &Limits::DEFAULT).unwrap_err().code, ErrorCode::DepthLimit);
    // Headers and dotted keys add up: the depth of the data is what is limited.
    let nested = format!("[{}]\n{} = 1\n", vec!["a"; 600].join("."), vec!["b"; 600].join("."));
    assert_eq!(toml::load(nested.as_bytes(), &Limits::DEFAULT).unwrap_err().code, ErrorCode::DepthLimit);
    let limits = Limits { max_depth: 5, ..Limits::DEFAULT };
    assert!(toml::load(b"a = [[[[1]]]]", &limits).is_ok());
    assert!(toml::load(b"a = [[[[[1]]]]]", &limits).is_err());
    // Formatting checks the same limits.
    assert!(toml::format(deep.as_bytes(), &Limits::DEFAULT, b"  ").is_err());
}
