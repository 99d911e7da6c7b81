//! The shared test vectors (`tests/vectors/vectors.json`), run through the real `dfmt` binary on standard input.
//! The web page's browser tests run the same file through the page, so the two cannot drift.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn vectors() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/vectors.json");
    let text = std::fs::read_to_string(path).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Array(all) => all,
        _ => panic!("{path}: expected an array of vectors"),
    }
}

/// The command line a vector stands for.
fn args(vector: &Value) -> Vec<String> {
    let field = |name: &str| vector[name].as_str().unwrap_or_else(|| panic!("vector without {name}: {vector}"));
    let action = field("action");
    let mut args: Vec<String> = match action {
        "format" => vec!["fmt".into()],
        "minify" => vec!["fmt".into(), "--compact".into()],
        "convert" => vec!["convert".into(), "--to".into(), field("to").into()],
        "validate" => vec!["validate".into()],
        other => panic!("unknown action {other}"),
    };
    args.extend(["--from".into(), field("from").into()]);
    let options = &vector["options"];
    if action != "validate" {
        match &options["indent"] {
            Value::Null => {}
            Value::String(s) if s == "tab" => args.push("--tab".into()),
            Value::Number(n) if action != "minify" => args.extend(["--indent".into(), n.to_string()]),
            Value::Number(_) => {}
            other => panic!("bad indent {other}"),
        }
        if options["sort_keys"].as_bool().unwrap_or(false) {
            args.push("--sort-keys".into());
        }
    }
    args
}

/// Runs `dfmt ARGS` on the vector's input.
fn dfmt(args: &[String], vector: &Value) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfmt"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(vector["input"].as_str().unwrap().as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// The first diagnostic of `dfmt ARGS --message-format json` on the vector's input.
fn json_diagnostic(args: &[String], vector: &Value) -> Value {
    let args = [args, &["--message-format".into(), "json".into()]].concat();
    let stderr = String::from_utf8_lossy(&dfmt(&args, vector).stderr).into_owned();
    serde_json::from_str(stderr.lines().next().unwrap_or("null")).unwrap_or(Value::Null)
}

#[test]
fn the_cli_gives_every_vector_its_expected_result() {
    let all = vectors();
    assert!(all.len() >= 40, "expected the full set of vectors, found {}", all.len());
    let mut failures = Vec::new();
    for vector in &all {
        let name = vector["name"].as_str().unwrap();
        let args = args(vector);
        let out = dfmt(&args, vector);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let problem = if let Some(error) = vector.get("error") {
            let expected =
                format!("<stdin>:{}:{}: error: {}", error["line"], error["column"], error["message"].as_str().unwrap());
            let first = stderr.lines().next().unwrap_or("");
            let code = json_diagnostic(&args, vector)["code"].clone();
            (out.status.code() != Some(1) || first != expected || code != error["code"]).then(|| {
                format!(
                    "expected exit 1, `{expected}` and code {}, got {:?}, `{first}` and code {code}",
                    error["code"],
                    out.status.code()
                )
            })
        } else {
            let expected = vector.get("output").and_then(Value::as_str).unwrap_or("");
            (out.status.code() != Some(0) || stdout != expected).then(|| {
                format!("expected exit 0 and\n{expected}\ngot {:?} and\n{stdout}\n{stderr}", out.status.code())
            })
        };
        if let Some(problem) = problem {
            failures.push(format!("{name} (dfmt {}): {problem}", args.join(" ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n\n{}", failures.len(), all.len(), failures.join("\n\n"));
}

#[test]
fn the_vectors_cover_every_format_action_and_errors() {
    let all = vectors();
    for format in ["json", "jsonc", "ndjson", "yaml", "toml"] {
        for action in ["format", "convert", "validate"] {
            assert!(
                all.iter().any(|v| v["from"] == format && v["action"] == action),
                "no vector for {action} from {format}"
            );
        }
        assert!(all.iter().any(|v| v["from"] == format && v.get("error").is_some()), "no error vector for {format}");
        assert!(all.iter().any(|v| v["to"] == format), "no conversion to {format}");
    }
    // The same code on every surface for the failures each one words its own way.
    for code in ["unsupported_tag", "duplicate_key", "depth_limit"] {
        assert!(all.iter().any(|v| v["error"]["code"] == code), "no error vector with code {code}");
    }
}
