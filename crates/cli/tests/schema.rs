//! `dfmt validate` against JSON Schema, and the message formats programs read (`--message-format json`,
//! `github`, `sarif`), run as users run them.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn dfmt(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfmt")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The header lines (`PATH:LINE:COLUMN: error: …`) of a human report.
fn headers(text: &str) -> Vec<String> {
    text.lines().filter(|l| l.contains(": error: ") && !l.starts_with(' ')).map(str::to_owned).collect()
}

const SCHEMA: &str = "\
$schema: https://json-schema.org/draft/2020-12/schema
type: object
required: [name, servers]
additionalProperties: false
properties:
  name: {type: string, minLength: 1}
  servers:
    type: array
    items:
      type: object
      required: [host, port]
      properties:
        host: {type: string}
        port: {$ref: 'defs/port.json'}
";

const PORT: &str = r#"{"type": "integer", "minimum": 1, "maximum": 65535}"#;

const APP_YAML: &str = "\
name: demo
servers:
  - host: a.example.com
    port: \"8080\"
  - host: b.example.com
    port: 70000
  - port: 1
colour: blue
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("schema.yaml"), SCHEMA).unwrap();
    fs::create_dir(dir.path().join("defs")).unwrap();
    fs::write(dir.path().join("defs/port.json"), PORT).unwrap();
    fs::write(dir.path().join("app.yaml"), APP_YAML).unwrap();
    dir
}

#[test]
fn every_violation_at_its_value_in_every_format() {
    let dir = project();
    let out = dfmt(&["validate", "--schema", "schema.yaml", "app.yaml"], dir.path());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        headers(&err),
        [
            "app.yaml:4:11: error: \"8080\" is not of type \"integer\"",
            "app.yaml:6:11: error: 70000 is greater than the maximum of 65535",
            "app.yaml:7:5: error: \"host\" is a required property",
            "app.yaml:8:1: error: Additional properties are not allowed ('colour' was unexpected)",
        ],
        "{err}"
    );
    // The source line, the key path, and where in the schema (through the reference into defs/port.json).
    assert!(err.contains("4 |     port: \"8080\"") && err.contains("^^^^^^"), "{err}");
    assert!(err.contains("at key path servers[0].port"), "{err}");
    assert!(
        err.contains("`type` of the schema schema.yaml, at /properties/servers/items/properties/port/$ref/type"),
        "{err}"
    );

    // The same data as TOML, JSON and NDJSON: the same findings, each at its own line.
    let toml =
        "name = \"demo\"\ncolour = \"blue\"\n\n[[servers]]\nhost = \"a\"\nport = 0x1F90\n\n[[servers]]\nport = 0\n";
    fs::write(dir.path().join("app.toml"), toml).unwrap();
    let out = dfmt(&["validate", "--schema", "schema.yaml", "app.toml"], dir.path());
    assert_eq!(
        headers(&stderr(&out)),
        [
            "app.toml:2:1: error: Additional properties are not allowed ('colour' was unexpected)",
            // An element of an array of tables starts at its header.
            "app.toml:8:1: error: \"host\" is a required property",
            "app.toml:9:8: error: 0 is less than the minimum of 1",
        ],
        "{}",
        stderr(&out)
    );
    let json = "{\n  \"name\": \"\",\n  \"servers\": [{\"host\": \"a\", \"port\": 1e400}]\n}\n";
    fs::write(dir.path().join("app.json"), json).unwrap();
    let out = dfmt(&["validate", "--schema", "schema.yaml", "app.json"], dir.path());
    assert_eq!(
        headers(&stderr(&out)),
        [
            "app.json:2:11: error: \"\" is shorter than 1 character",
            "app.json:3:37: error: 1e+400 is greater than the maximum of 65535",
        ],
        "{}",
        stderr(&out)
    );
    let ndjson = "{\"name\": \"a\", \"servers\": []}\n{\"name\": 1, \"servers\": []}\n{\"servers\": []}\n";
    fs::write(dir.path().join("app.ndjson"), ndjson).unwrap();
    let out = dfmt(&["validate", "--schema", "schema.yaml", "app.ndjson"], dir.path());
    assert_eq!(
        headers(&stderr(&out)),
        [
            "app.ndjson:2:10: error: 1 is not of type \"string\"",
            "app.ndjson:3:1: error: \"name\" is a required property"
        ],
        "{}",
        stderr(&out)
    );
    // A valid file: exit 0. A syntax error is reported as without a schema.
    fs::write(dir.path().join("ok.yaml"), "name: x\nservers: [{host: h, port: 443}]\n").unwrap();
    assert_eq!(code(&dfmt(&["validate", "--schema", "schema.yaml", "ok.yaml"], dir.path())), 0);
    fs::write(dir.path().join("broken.yaml"), "name: [x\n").unwrap();
    let out = dfmt(&["validate", "--schema", "schema.yaml", "broken.yaml"], dir.path());
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).starts_with("broken.yaml:2:1: error: "), "{}", stderr(&out));
}

#[test]
fn max_errors_stops_early_and_says_so() {
    let dir = project();
    let out = dfmt(&["validate", "--schema", "schema.yaml", "--max-errors", "2", "app.yaml"], dir.path());
    assert_eq!(code(&out), 1);
    assert_eq!(headers(&stderr(&out)).len(), 2);
    assert!(stderr(&out).contains("stopped after 2 violations (--max-errors)"), "{}", stderr(&out));
    // 0 is no limit; a value past any count is fine; a negative or huge one is a usage error.
    let out = dfmt(&["validate", "--schema", "schema.yaml", "--max-errors", "0", "app.yaml"], dir.path());
    assert_eq!(headers(&stderr(&out)).len(), 4);
    for bad in ["-1", "99999999999999999999999", "x"] {
        let flag = format!("--max-errors={bad}");
        let out = dfmt(&["validate", "--schema", "schema.yaml", &flag, "app.yaml"], dir.path());
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("--max-errors"), "{}", stderr(&out));
    }
}

#[test]
fn schemas_named_by_the_documents_themselves() {
    let dir = project();
    let p = dir.path();
    let with_comment = format!("# yaml-language-server: $schema=schema.yaml\n{APP_YAML}");
    fs::write(p.join("commented.yaml"), with_comment).unwrap();
    fs::write(p.join("keyed.json"), r#"{"$schema": "./schema.yaml", "name": "x", "servers": 3}"#).unwrap();
    fs::create_dir(p.join("sub")).unwrap();
    fs::write(p.join("sub/app.toml"), "#:schema ../schema.yaml\nname = 5\nservers = []\n").unwrap();
    let out = dfmt(&["validate", "commented.yaml", "keyed.json", "sub/app.toml"], p);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let found = headers(&stderr(&out));
    assert_eq!(found.len(), 7, "{}", stderr(&out));
    // `$schema` is a key like any other: a schema that allows no other keys refuses it too.
    let keyed: Vec<&String> = found.iter().filter(|h| h.starts_with("keyed.json:1:")).collect();
    assert_eq!(keyed.len(), 2, "{found:?}");
    assert!(
        keyed[0].contains("'$schema' was unexpected") && keyed[1].contains("3 is not of type \"array\""),
        "{keyed:?}"
    );
    assert!(found.iter().any(|h| h.starts_with("sub/app.toml:2:8: error: 5 is not of type \"string\"")), "{found:?}");
    // `--no-schema-discovery` checks the syntax only.
    assert_eq!(code(&dfmt(&["validate", "--no-schema-discovery", "commented.yaml", "keyed.json"], p)), 0);

    // A URL nothing maps: skipped with a note, never an error (package.json must not start failing).
    fs::write(p.join("package.json"), r#"{"$schema": "https://json.schemastore.org/package.json", "name": 1}"#)
        .unwrap();
    let out = dfmt(&["validate", "package.json"], p);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("which is not read: dfmt fetches nothing"), "{}", stderr(&out));
    // Mapped to a folder: used.
    fs::create_dir(p.join("store")).unwrap();
    fs::write(p.join("store/package.json"), r#"{"properties": {"name": {"type": "string"}}}"#).unwrap();
    let out = dfmt(&["validate", "--schema-map", "https://json.schemastore.org/=store", "package.json"], p);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("package.json:1:66: error: 1 is not of type \"string\""), "{}", stderr(&out));
    // A schema file that names its draft is checked against the draft's meta-schema, which needs no fetch.
    fs::write(p.join("bad-schema.json"), r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": 3}"#)
        .unwrap();
    let out = dfmt(&["validate", "bad-schema.json"], p);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("bad-schema.json:1:64: error: "), "{}", stderr(&out));
    // A local schema that is missing: an error that names it.
    fs::write(p.join("lost.yaml"), "# yaml-language-server: $schema=nowhere.json\na: 1\n").unwrap();
    let out = dfmt(&["validate", "lost.yaml"], p);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("nowhere.json"), "{}", stderr(&out));
}

#[test]
fn unusable_schemas_and_hostile_values_are_clear_errors() {
    let dir = project();
    let p = dir.path();
    let cases: &[(&str, &str, &str)] = &[
        ("missing", "", "reading missing.json"),
        ("remote.json", r#"{"$ref": "https://example.com/s.json"}"#, "is not fetched"),
        ("invalid.json", r#"{"type": 3}"#, "the schema is not valid"),
        ("syntax.yaml", "a: [1\n", "syntax.yaml:2:1: "),
        ("escape.json", r#"{"$ref": "https://example.com/s/../../../etc/passwd"}"#, "is not fetched"),
        ("deep.json", &format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)), "nesting is deeper than the limit"),
    ];
    for (name, text, expected) in cases {
        let mut args = vec!["validate", "--schema"];
        let path = format!("{name}{}", if name.contains('.') { "" } else { ".json" });
        if !text.is_empty() {
            fs::write(p.join(&path), text).unwrap();
        }
        args.push(&path);
        args.push("app.yaml");
        let out = dfmt(&args, p);
        assert_eq!(code(&out), 2, "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(&path), "{name} is named: {}", stderr(&out));
    }
    for bad in ["foo", "=dir", "https://x/=", "relative/=dir"] {
        let out = dfmt(&["validate", "--schema-map", bad, "app.yaml"], p);
        assert_eq!(code(&out), 2, "{bad}");
        assert!(stderr(&out).contains("--schema-map"), "{}", stderr(&out));
    }
    // A mapped prefix never reads outside its folder.
    fs::write(p.join("outside.json"), r#"{"type": "string"}"#).unwrap();
    fs::create_dir(p.join("maps")).unwrap();
    fs::write(p.join("trap.json"), r#"{"$ref": "https://s.example/%2e%2e/outside.json"}"#).unwrap();
    let out = dfmt(&["validate", "--schema-map", "https://s.example/=maps", "--schema", "trap.json", "app.yaml"], p);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn patterns_cannot_backtrack_without_bound() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // Nested quantifiers (linear on the regex crate's automata), and a back-reference that needs backtracking
    // (bounded: past the limit the match fails with a violation that says so).
    fs::write(
        p.join("s.json"),
        r#"{"properties": {"a": {"pattern": "^(a+)+$"}, "b": {"pattern": "^(a|a)*(?=b)\\1$"}}}"#,
    )
    .unwrap();
    let evil = format!("{}!", "a".repeat(50_000));
    fs::write(p.join("d.json"), format!(r#"{{"a": "{evil}", "b": "{evil}"}}"#)).unwrap();
    let started = Instant::now();
    let out = dfmt(&["validate", "--schema", "s.json", "d.json"], p);
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("d.json:1:7: error: "), "{}", stderr(&out));
}

fn shared(sub: &str) -> Option<PathBuf> {
    let candidates = std::env::var_os("DFMT_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")]);
    for dir in candidates {
        if dir.join(sub).exists() {
            return Some(dir.join(sub));
        }
    }
    assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "shared data {sub} not found");
    eprintln!("SKIPPED: shared data {sub} not found; set DFMT_SHARED to run this test");
    None
}

#[test]
fn message_formats_for_programs() {
    let dir = project();
    let p = dir.path();
    fs::write(p.join("unformatted.json"), "{\"a\":1}").unwrap();

    // JSON lines on standard error, with the end of the span and the schema's part.
    let out = dfmt(&["validate", "--schema", "schema.yaml", "--message-format", "json", "app.yaml"], p);
    let lines: Vec<serde_json::Value> =
        stderr(&out).lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    let first = &lines[0];
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(4), Some(11)));
    assert_eq!((first["end_line"].as_u64(), first["end_column"].as_u64()), (Some(4), Some(17)));
    assert_eq!(first["code"], "schema_violation");
    assert_eq!(first["path"], "servers[0].port");
    assert_eq!(first["schema"]["keyword"], "type");
    assert_eq!(first["schema"]["instance_path"], "/servers/0/port");

    // GitHub annotations on standard output; messages and properties escaped.
    let out = dfmt(&["validate", "--schema", "schema.yaml", "--message-format", "github", "app.yaml"], p);
    let annotations: Vec<&str> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter_map(|l| std::str::from_utf8(l).ok())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(annotations.len(), 4, "{}", stdout(&out));
    assert!(
        annotations[0].starts_with(
            "::error file=app.yaml,line=4,col=11,endLine=4,endColumn=17,title=dfmt schema_violation::\"8080\" is not of type \"integer\" (at servers[0].port)%0Aschema schema.yaml"
        ),
        "{}",
        annotations[0]
    );
    fs::write(p.join("a,b:c.json"), "{\"a\":1}").unwrap();
    let out = dfmt(&["fmt", "--check", "--message-format", "github", "a,b:c.json"], p);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "::error file=a%2Cb%3Ac.json,line=1,title=dfmt unformatted::the file is not formatted as dfmt fmt would format it\n"
    );

    // SARIF: one log on standard output for the whole run, valid against the SARIF 2.1.0 schema (checked by
    // dfmt itself), and a broken log fails that check.
    let out =
        dfmt(&["validate", "--schema", "schema.yaml", "--message-format", "sarif", "app.yaml", "defs/port.json"], p);
    assert_eq!(code(&out), 1);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    // Four in app.yaml; port.json lacks two required keys and has three unexpected ones (one finding).
    assert_eq!(results.len(), 7, "{log}");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    let out_fmt = dfmt(&["fmt", "--check", "--message-format", "sarif", "unformatted.json", "app.yaml"], p);
    assert_eq!(code(&out_fmt), 1);
    let Some(sarif_schema) = shared("conformance/sarif/sarif-schema-2.1.0.json") else { return };
    for (name, bytes) in [("validate.sarif", &out.stdout), ("fmt.sarif", &out_fmt.stdout)] {
        fs::write(p.join(name), bytes).unwrap();
        let check = dfmt(&["validate", "--schema", sarif_schema.to_str().unwrap(), name], p);
        assert_eq!(code(&check), 0, "{name} is not valid SARIF: {}", stderr(&check));
    }
    let broken = stdout(&out)
        .replace("\"startLine\":4", "\"startLine\":0")
        .replace("\"version\":\"2.1.0\"", "\"version\":\"2\"");
    fs::write(p.join("broken.sarif"), broken).unwrap();
    let check = dfmt(&["validate", "--schema", sarif_schema.to_str().unwrap(), "broken.sarif"], p);
    assert_eq!(code(&check), 1);
    assert_eq!(headers(&stderr(&check)).len(), 2, "{}", stderr(&check));
}

#[test]
fn a_project_file_associates_schemas_with_files() {
    let dir = project();
    let p = dir.path();
    fs::create_dir_all(p.join(".github/workflows")).unwrap();
    fs::create_dir_all(p.join("sub")).unwrap();
    fs::write(p.join(".github/workflows/ci.yml"), "name: 5\nservers: []\n").unwrap();
    fs::write(p.join(".github/workflows/notes.txt.yml"), "name: 5\n").unwrap();
    fs::write(p.join("other.yml"), "name: 5\n").unwrap();
    fs::write(
        p.join("dfmt.toml"),
        "# the service's settings may share the file\nmax_body_bytes = 1000\n\n[[schema]]\npath = \"schema.yaml\"\ninclude = [\".github/workflows/ci.yml\", \"sub/*.json\"]\n",
    )
    .unwrap();
    fs::write(p.join("sub/x.json"), r#"{"name": "x"}"#).unwrap();
    // From the project's folder and from a folder below it (the file is found upwards).
    let out = dfmt(&["validate", ".github/workflows/ci.yml", "other.yml", "sub/x.json"], p);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let found = headers(&stderr(&out));
    assert_eq!(
        found,
        [
            ".github/workflows/ci.yml:1:7: error: 5 is not of type \"string\"",
            "sub/x.json:1:1: error: \"servers\" is a required property",
        ],
        "{}",
        stderr(&out)
    );
    let out = dfmt(&["validate", "x.json"], &p.join("sub"));
    assert_eq!(headers(&stderr(&out)), ["x.json:1:1: error: \"servers\" is a required property"], "{}", stderr(&out));
    // The file's own choice comes first; --no-schema-discovery ignores both.
    fs::write(p.join("sub/own.json"), r#"{"$schema": "../defs/port.json", "name": "x"}"#).unwrap();
    fs::write(p.join("dfmt.toml"), "[[schema]]\npath = \"schema.yaml\"\ninclude = [\"sub/*.json\"]\n").unwrap();
    let out = dfmt(&["validate", "sub/own.json"], p);
    assert!(stderr(&out).contains("is not of type \"integer\""), "{}", stderr(&out));
    assert_eq!(code(&dfmt(&["validate", "--no-schema-discovery", "sub/x.json"], p)), 0);
    // Mistakes in the file are errors that name it.
    for (text, expected) in [
        ("[[schema]]\npath = \"s.json\"\n", "`include` (an array of globs) is missing"),
        ("[[schema]]\npath = \"s.json\"\ninclude = [\"[\"]\n", "the glob \"[\""),
        ("[[schema]]\npath = 1\ninclude = []\n", "`path` (a string) is missing"),
        ("[[schema]]\npath = \"s\"\ninclude = []\nglob = 1\n", "unknown key `glob`"),
        ("schema = 3\n", "must be an array of tables"),
        ("[schema-map]\n\"relative/\" = \"x\"\n", "is not a URL"),
        ("[schema\n", "dfmt.toml:1:"),
    ] {
        fs::write(p.join("dfmt.toml"), text).unwrap();
        let out = dfmt(&["validate", "sub/x.json"], p);
        assert_eq!(code(&out), 2, "{text}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected) && stderr(&out).contains("dfmt.toml"), "{text}: {}", stderr(&out));
    }
    // `[schema-map]` folders are relative to the file.
    fs::write(p.join("dfmt.toml"), "[schema-map]\n\"https://example.com/s/\" = \"defs\"\n").unwrap();
    fs::write(p.join("mapped.json"), r#"{"$schema": "https://example.com/s/port.json"}"#).unwrap();
    let out = dfmt(&["validate", "mapped.json"], p);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("is not of type \"integer\""), "{}", stderr(&out));
}
