//! toml-test (`../shared/conformance/toml`), the cases that apply to TOML 1.0.0 (the list `files-toml-1.0.0`:
//! 210 valid pairs, 499 invalid files): every valid file loads and holds the data of its tagged `.json`, every
//! invalid file is rejected with an error span inside the file.
//!
//! Data is compared as the suite's README says: tables by keys in any order, integers and floats by value (`nan`
//! of any sign equals `nan`; the sign of zero and of infinity counts), strings byte for byte, date-times by kind
//! (offset date-time, local date-time, local date, local time) and by value — offset date-times as instants,
//! fractions of seconds to the nanosecond.
//!
//! Run one case, or every case under a directory, and see the input beside both data:
//! `TOML_CASE=valid/datetime/milliseconds.toml cargo test -p dfmt-core --test conformance_toml -- --nocapture`
//! (also `TOML_CASE=valid/datetime/milliseconds`, `TOML_CASE=invalid/table`).

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod shared;

use std::path::Path;
use std::time::Duration;

use dfmt_core::{Event, EventKind, Limits, ScalarKind, ScalarStyle, toml};
use serde_json::Value;

/// Cases that fail today, by path relative to the suite, with why. The test fails when a case outside this list
/// fails, and also when a listed case passes, so that the list stays honest.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// The list of the files that apply to TOML 1.0.0.
const LIST: &str = "files-toml-1.0.0";
const VALID_CASES: usize = 210;
const INVALID_CASES: usize = 499;

/// How long one case may take before it counts as a hang.
const DEADLINE: Duration = Duration::from_secs(10);

/// More events than any case of the suite produces by far; an emitter past this is looping.
const MAX_EVENTS: usize = 100_000;

/// One file of the suite.
struct Case {
    /// `valid/array/array.toml`.
    path: String,
    toml: Vec<u8>,
    /// The tagged JSON of a valid case; `None` for an invalid case.
    json: Option<Vec<u8>>,
}

/// A TOML value as data, from either side.
#[derive(Clone, Debug)]
enum Node {
    /// Entries in the order they came; compared in any order.
    Table(Vec<(Vec<u8>, Node)>),
    Array(Vec<Node>),
    Leaf(Type, Vec<u8>),
}

/// The suite's value types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Type {
    String,
    Integer,
    Float,
    Bool,
    /// An offset date-time.
    Datetime,
    DatetimeLocal,
    DateLocal,
    TimeLocal,
}

impl Type {
    fn from_tag(tag: &str) -> Option<Type> {
        Some(match tag {
            "string" => Type::String,
            "integer" => Type::Integer,
            "float" => Type::Float,
            "bool" => Type::Bool,
            "datetime" => Type::Datetime,
            "datetime-local" => Type::DatetimeLocal,
            "date-local" => Type::DateLocal,
            "time-local" => Type::TimeLocal,
            _ => return None,
        })
    }

    fn tag(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Integer => "integer",
            Type::Float => "float",
            Type::Bool => "bool",
            Type::Datetime => "datetime",
            Type::DatetimeLocal => "datetime-local",
            Type::DateLocal => "date-local",
            Type::TimeLocal => "time-local",
        }
    }
}

/// The expected data: the suite's tagged JSON as a [`Node`]. An object with exactly the string members `type`
/// and `value` is a value; any other object is a table (a TOML table with keys `type` and `value` holds tagged
/// objects there, not strings).
fn expected_node(json: &Value) -> Result<Node, String> {
    Ok(match json {
        Value::Object(map) => {
            if let (2, Some(Value::String(tag)), Some(Value::String(value))) =
                (map.len(), map.get("type"), map.get("value"))
            {
                let ty = Type::from_tag(tag).ok_or_else(|| format!("unknown type {tag:?} in the expected JSON"))?;
                return Ok(Node::Leaf(ty, value.as_bytes().to_vec()));
            }
            let mut entries = Vec::new();
            for (key, value) in map {
                entries.push((key.as_bytes().to_vec(), expected_node(value)?));
            }
            Node::Table(entries)
        }
        Value::Array(items) => Node::Array(items.iter().map(expected_node).collect::<Result<_, _>>()?),
        other => return Err(format!("untagged {other} in the expected JSON")),
    })
}

/// One event, owned, so that it outlives the document that emitted it.
#[derive(Debug)]
enum Owned {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    Scalar(ScalarKind, ScalarStyle, Vec<u8>),
    /// An event a TOML document should not emit, described.
    Other(String),
}

/// What dfmt made of one file.
enum Outcome {
    /// Loaded; the events that the document emitted.
    Loaded(Result<Vec<Owned>, String>),
    /// Rejected: the error's span, and the error located (`3:5: message`).
    Rejected { start: u64, end: u64, located: String },
}

fn run(src: &[u8]) -> Outcome {
    match toml::load(src, &Limits::DEFAULT) {
        Err(e) => Outcome::Rejected { start: e.span.start, end: e.span.end, located: shared::located(src, &e) },
        Ok(doc) => {
            let mut events = Vec::new();
            let emitted = doc.emit(
                &mut |event: Event<'_>| {
                    if events.len() == MAX_EVENTS {
                        // The test stops an emitter that produced too many events.
                        return Err(dfmt_core::Error::new(dfmt_core::ErrorCode::Stopped, event.span));
                    }
                    events.push(owned(&event));
                    Ok(())
                },
                false,
            );
            Outcome::Loaded(emitted.map(|()| events).map_err(|e| format!("emit failed: {}", shared::located(src, &e))))
        }
    }
}

fn owned(event: &Event<'_>) -> Owned {
    match event.kind {
        EventKind::StreamStart => Owned::StreamStart,
        EventKind::StreamEnd => Owned::StreamEnd,
        EventKind::DocumentStart { .. } => Owned::DocumentStart,
        EventKind::DocumentEnd { .. } => Owned::DocumentEnd,
        EventKind::MappingStart(_) => Owned::MappingStart,
        EventKind::MappingEnd => Owned::MappingEnd,
        EventKind::SequenceStart(_) => Owned::SequenceStart,
        EventKind::SequenceEnd => Owned::SequenceEnd,
        EventKind::Scalar(s) => Owned::Scalar(s.kind, s.style, s.text.to_vec()),
        other => Owned::Other(format!("{other:?}")),
    }
}

/// Our data: the events of one document, `StreamStart DocumentStart MappingStart … MappingEnd DocumentEnd
/// StreamEnd`, as a [`Node`], or what is wrong with them.
fn our_node(events: &[Owned]) -> Result<Node, String> {
    let mut at = 0;
    for expected in ["StreamStart", "DocumentStart"] {
        match events.get(at) {
            Some(Owned::StreamStart) if expected == "StreamStart" => {}
            Some(Owned::DocumentStart) if expected == "DocumentStart" => {}
            other => return Err(format!("event {}: expected {expected}, got {other:?}", at + 1)),
        }
        at += 1;
    }
    let root = node(events, &mut at)?;
    if !matches!(root, Node::Table(_)) {
        return Err("the document is not a table".to_owned());
    }
    for expected in ["DocumentEnd", "StreamEnd"] {
        match events.get(at) {
            Some(Owned::DocumentEnd) if expected == "DocumentEnd" => {}
            Some(Owned::StreamEnd) if expected == "StreamEnd" => {}
            other => return Err(format!("event {}: expected {expected}, got {other:?}", at + 1)),
        }
        at += 1;
    }
    if at != events.len() {
        return Err(format!("event {}: expected no more events, got {:?}", at + 1, events[at]));
    }
    Ok(root)
}

/// The node that starts at `events[*at]`, moving `at` past it.
fn node(events: &[Owned], at: &mut usize) -> Result<Node, String> {
    let here = *at;
    let event = events.get(here).ok_or_else(|| format!("event {}: expected a node, got no more events", here + 1))?;
    *at += 1;
    Ok(match event {
        Owned::MappingStart => {
            let mut entries = Vec::new();
            loop {
                match events.get(*at) {
                    Some(Owned::MappingEnd) => {
                        *at += 1;
                        break Node::Table(entries);
                    }
                    Some(Owned::Scalar(ScalarKind::String, style, key)) if style.is_decoded() => {
                        *at += 1;
                        entries.push((key.clone(), node(events, at)?));
                    }
                    other => return Err(format!("event {}: expected a key or MappingEnd, got {other:?}", *at + 1)),
                }
            }
        }
        Owned::SequenceStart => {
            let mut items = Vec::new();
            loop {
                if let Some(Owned::SequenceEnd) = events.get(*at) {
                    *at += 1;
                    break Node::Array(items);
                }
                items.push(node(events, at)?);
            }
        }
        Owned::Scalar(kind, style, text) => {
            if !style.is_decoded() {
                return Err(format!("event {}: scalar {:?} is not decoded ({style:?})", here + 1, lossy(text)));
            }
            let ty = match kind {
                ScalarKind::String => Type::String,
                ScalarKind::Integer => Type::Integer,
                ScalarKind::Float => Type::Float,
                ScalarKind::Bool => Type::Bool,
                ScalarKind::DateTime => DateTime::parse(text)
                    .map_err(|why| format!("event {}: date-time {:?}: {why}", here + 1, lossy(text)))?
                    .ty(),
                ScalarKind::Null => return Err(format!("event {}: a null scalar; TOML has no null", here + 1)),
            };
            Node::Leaf(ty, text.clone())
        }
        Owned::Other(what) => return Err(format!("event {}: a TOML document has no {what} event", here + 1)),
        other => return Err(format!("event {}: expected a node, got {other:?}", here + 1)),
    })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Where `ours` first differs from `expected`, in one line (`at /a/0: expected integer "1", got integer "2"`),
/// or `None` when they hold the same data.
fn difference(expected: &Node, ours: &Node, path: &str) -> Option<String> {
    let at = if path.is_empty() { "/" } else { path };
    match (expected, ours) {
        (Node::Table(e), Node::Table(o)) => {
            for (i, (key, _)) in o.iter().enumerate() {
                if o[..i].iter().any(|(k, _)| k == key) {
                    return Some(format!("at {at}: key {:?} twice in our table", lossy(key)));
                }
            }
            for (key, e_value) in e {
                let child = format!("{path}/{}", lossy(key));
                match o.iter().find(|(k, _)| k == key) {
                    None => return Some(format!("at {at}: key {:?} missing", lossy(key))),
                    Some((_, o_value)) => {
                        if let Some(why) = difference(e_value, o_value, &child) {
                            return Some(why);
                        }
                    }
                }
            }
            o.iter()
                .find(|(k, _)| !e.iter().any(|(ek, _)| ek == k))
                .map(|(key, _)| format!("at {at}: key {:?} not expected", lossy(key)))
        }
        (Node::Array(e), Node::Array(o)) => {
            if e.len() != o.len() {
                return Some(format!("at {at}: {} items, expected {}", o.len(), e.len()));
            }
            e.iter().zip(o).enumerate().find_map(|(i, (e, o))| difference(e, o, &format!("{path}/{i}")))
        }
        (Node::Leaf(et, ev), Node::Leaf(ot, ov)) => {
            let shown = || format!("at {at}: expected {} {:?}, got {} {:?}", et.tag(), lossy(ev), ot.tag(), lossy(ov));
            if et != ot {
                return Some(shown());
            }
            match leaf_equal(*et, ev, ov) {
                Ok(true) => None,
                Ok(false) => Some(shown()),
                Err(why) => Some(format!("{}: {why}", shown())),
            }
        }
        _ => Some(format!("at {at}: expected {}, got {}", describe(expected), describe(ours))),
    }
}

fn describe(node: &Node) -> String {
    match node {
        Node::Table(_) => "a table".to_owned(),
        Node::Array(_) => "an array".to_owned(),
        Node::Leaf(ty, text) => format!("{} {:?}", ty.tag(), lossy(text)),
    }
}

/// Whether two values of type `ty` are equal: `expected` as the suite writes it, `ours` as dfmt emits it.
fn leaf_equal(ty: Type, expected: &[u8], ours: &[u8]) -> Result<bool, String> {
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).map_err(|_| "not UTF-8".to_owned());
    Ok(match ty {
        Type::String => expected == ours,
        Type::Bool => {
            if !matches!(ours, b"true" | b"false") {
                return Err("not `true` or `false`".to_owned());
            }
            expected == ours
        }
        Type::Integer => {
            let e: i64 = text(expected)?.parse().map_err(|e| format!("expected value: {e}"))?;
            let o: i64 = text(ours)?.parse().map_err(|e| format!("our text is not a decimal i64: {e}"))?;
            e == o
        }
        Type::Float => {
            let e = float(&text(expected)?).map_err(|e| format!("expected value: {e}"))?;
            let o = float(&text(ours)?).map_err(|e| format!("our text: {e}"))?;
            (e.is_nan() && o.is_nan()) || (e == o && e.is_sign_negative() == o.is_sign_negative())
        }
        Type::Datetime | Type::DatetimeLocal | Type::DateLocal | Type::TimeLocal => {
            let e = DateTime::parse(expected).map_err(|why| format!("expected value: {why}"))?;
            let o = DateTime::parse(ours).map_err(|why| format!("our text: {why}"))?;
            e.same_as(&o)
        }
    })
}

/// A float from the suite's spelling (`inf`, `+inf`, `-nan`, `1.5e3`) or ours (`.inf`, `-.inf`, `.nan`, `1.5e3`).
fn float(text: &str) -> Result<f64, String> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = match rest.strip_prefix('.').unwrap_or(rest) {
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            if !rest.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+')) {
                return Err(format!("{text:?} is not a plain number"));
            }
            rest.parse::<f64>().map_err(|e| format!("{text:?}: {e}"))?
        }
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// A date, a time, or both, with an offset or not, from RFC 3339 text as TOML allows it (`T`, `t` or a space
/// between date and time; `Z` or `z`).
#[derive(Debug, PartialEq, Eq)]
struct DateTime {
    date: Option<(i64, u32, u32)>,
    /// Hour, minute, second, nanosecond (the fraction padded or cut to nine digits).
    time: Option<(u32, u32, u32, u32)>,
    /// The offset in minutes east of UTC (`Z` and `-00:00` are 0).
    offset: Option<i64>,
}

impl DateTime {
    fn parse(bytes: &[u8]) -> Result<DateTime, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())?;
        let number = |s: &str| -> Result<u32, String> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{s:?} is not a number"));
            }
            s.parse().map_err(|e| format!("{s:?}: {e}"))
        };
        let mut rest = text;
        let mut date = None;
        if rest.len() >= 10 && rest.as_bytes()[4] == b'-' && rest.as_bytes()[7] == b'-' {
            date = Some((i64::from(number(&rest[..4])?), number(&rest[5..7])?, number(&rest[8..10])?));
            rest = &rest[10..];
            if rest.is_empty() {
                return Ok(DateTime { date, time: None, offset: None });
            }
            match rest.as_bytes()[0] {
                b'T' | b't' | b' ' => rest = &rest[1..],
                _ => return Err("no `T` or space after the date".to_owned()),
            }
        }
        if rest.len() < 8 || rest.as_bytes()[2] != b':' || rest.as_bytes()[5] != b':' {
            return Err("no time `HH:MM:SS`".to_owned());
        }
        let (hour, minute, second) = (number(&rest[..2])?, number(&rest[3..5])?, number(&rest[6..8])?);
        rest = &rest[8..];
        let mut nanos = 0;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err("no digits after `.`".to_owned());
            }
            let kept: String = fraction[..digits].chars().chain(std::iter::repeat('0')).take(9).collect();
            nanos = number(&kept)?;
            rest = &fraction[digits..];
        }
        let offset = match rest {
            "" => None,
            "Z" | "z" => Some(0),
            _ => {
                let b = rest.as_bytes();
                if b.len() != 6 || !matches!(b[0], b'+' | b'-') || b[3] != b':' {
                    return Err(format!("{rest:?} is not an offset"));
                }
                let minutes = i64::from(number(&rest[1..3])? * 60 + number(&rest[4..6])?);
                Some(if b[0] == b'-' { -minutes } else { minutes })
            }
        };
        if offset.is_some() && date.is_none() {
            return Err("a time with an offset but no date".to_owned());
        }
        Ok(DateTime { date, time: Some((hour, minute, second, nanos)), offset })
    }

    fn ty(&self) -> Type {
        match (self.date, self.time, self.offset) {
            (Some(_), Some(_), Some(_)) => Type::Datetime,
            (Some(_), Some(_), None) => Type::DatetimeLocal,
            (Some(_), None, _) => Type::DateLocal,
            (None, _, _) => Type::TimeLocal,
        }
    }

    /// Offset date-times by instant, the others field by field.
    fn same_as(&self, other: &DateTime) -> bool {
        match (self.instant(), other.instant()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self == other,
            _ => false,
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z and the nanosecond, for an offset date-time.
    fn instant(&self) -> Option<(i64, u32)> {
        let ((y, m, d), (hh, mm, ss, nanos), offset) = (self.date?, self.time?, self.offset?);
        let seconds = days_from_civil(y, m, d) * 86_400 + i64::from(hh * 3600 + mm * 60 + ss) - offset * 60;
        Some((seconds, nanos))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Our data in the suite's tagged JSON, for showing beside the expected.
fn tagged(node: &Node) -> Value {
    match node {
        Node::Table(entries) => Value::Object(entries.iter().map(|(k, v)| (lossy(k), tagged(v))).collect()),
        Node::Array(items) => Value::Array(items.iter().map(tagged).collect()),
        Node::Leaf(ty, text) => serde_json::json!({ "type": ty.tag(), "value": lossy(text) }),
    }
}

impl Case {
    fn is_valid(&self) -> bool {
        self.json.is_some()
    }

    /// Why the case fails, in one line, or `None` when it passes; with our data when there is some.
    fn check(&self) -> (Option<String>, Option<Node>) {
        let toml = self.toml.clone();
        let outcome = match shared::within(DEADLINE, move || run(&toml)) {
            Ok(outcome) => outcome,
            Err(failure) => return (Some(format!("the reader {failure}")), None),
        };
        let len = self.toml.len() as u64;
        match (outcome, &self.json) {
            (Outcome::Rejected { start, end, located }, None) => {
                let inside = start <= end && end <= len;
                let why = format!("rejected at {located}, but the span {start}..{end} is not within the {len} bytes");
                ((!inside).then_some(why), None)
            }
            (Outcome::Loaded(_), None) => (Some("accepted; should be rejected".to_owned()), None),
            (Outcome::Rejected { located, .. }, Some(_)) => (Some(format!("rejected at {located}")), None),
            (Outcome::Loaded(Err(why)), Some(_)) => (Some(why), None),
            (Outcome::Loaded(Ok(events)), Some(json)) => {
                let ours = match our_node(&events) {
                    Ok(ours) => ours,
                    Err(why) => return (Some(format!("bad events: {why}")), None),
                };
                let expected: Value = serde_json::from_slice(json).unwrap();
                let expected = expected_node(&expected).unwrap_or_else(|why| panic!("{}: {why}", self.path));
                (difference(&expected, &ours, ""), Some(ours))
            }
        }
    }

    /// Prints everything about the case: input, expected and our data, verdict.
    fn show(&self, failure: Option<&str>, ours: Option<&Node>) {
        println!("==== {}", self.path);
        println!("---- toml (tabs shown as », CR as ␍)");
        println!("{}", String::from_utf8_lossy(&self.toml).replace('\t', "»").replace('\r', "␍"));
        if let Some(json) = &self.json {
            println!("---- expected\n{}", String::from_utf8_lossy(json).trim_end());
            if let Some(ours) = ours {
                println!("---- ours\n{}", serde_json::to_string_pretty(&tagged(ours)).unwrap());
            }
        }
        println!("---- verdict: {}\n", failure.unwrap_or("pass"));
    }
}

/// The cases of `list` (paths relative to `root`): each `.toml`, with its `.json` for a valid case.
fn cases(root: &Path) -> Vec<Case> {
    let list = std::fs::read_to_string(root.join(LIST)).unwrap();
    let mut cases: Vec<Case> = list
        .lines()
        .map(str::trim)
        .filter(|line| line.ends_with(".toml"))
        .map(|path| {
            let toml = std::fs::read(root.join(path)).unwrap();
            let json = if path.starts_with("valid/") {
                let json_path = format!("{}.json", path.strip_suffix(".toml").unwrap());
                assert!(list.lines().any(|l| l.trim() == json_path), "{json_path} is not in {LIST}");
                Some(std::fs::read(root.join(&json_path)).unwrap())
            } else {
                assert!(path.starts_with("invalid/"), "{path} in {LIST} is neither valid/ nor invalid/");
                None
            };
            Case { path: path.to_owned(), toml, json }
        })
        .collect();
    cases.sort_by(|a, b| a.path.cmp(&b.path));
    cases
}

#[test]
fn toml_test_suite() {
    let Some(root) = shared::shared_dir("conformance/toml") else { return };
    let only = std::env::var("TOML_CASE").ok().map(|f| f.trim_end_matches('/').to_owned()).filter(|f| !f.is_empty());
    let selected = |path: &str| {
        only.as_deref().is_none_or(|only| {
            path == only || path.strip_suffix(".toml") == Some(only) || path.starts_with(&format!("{only}/"))
        })
    };
    let all = cases(&root);
    let cases: Vec<&Case> = all.iter().filter(|case| selected(&case.path)).collect();
    match &only {
        None => {
            let valid = cases.iter().filter(|c| c.is_valid()).count();
            assert_eq!((valid, cases.len() - valid), (VALID_CASES, INVALID_CASES), "valid and invalid cases in {LIST}");
        }
        Some(only) => assert!(!cases.is_empty(), "no case {only} in {LIST}"),
    }

    let (mut matched, mut valid, mut rejected, mut invalid) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let (failure, ours) = case.check();
        if only.is_some() {
            case.show(failure.as_deref(), ours.as_ref());
        }
        if case.is_valid() {
            valid += 1;
            matched += usize::from(failure.is_none());
        } else {
            invalid += 1;
            rejected += usize::from(failure.is_none());
        }
        if let Some(why) = failure {
            failures.push((case.path.as_str(), why));
        }
    }

    println!("toml-test ({LIST}): {} cases", cases.len());
    println!("  valid matched     {matched}/{valid}");
    println!("  invalid rejected  {rejected}/{invalid}");
    let is_known = |path: &str| KNOWN_FAILURES.iter().any(|(known, _)| *known == path);
    let new: Vec<&str> = failures.iter().map(|(path, _)| *path).filter(|path| !is_known(path)).collect();
    println!("  failing           {} ({} new, {} known)", failures.len(), new.len(), failures.len() - new.len());
    for (path, why) in &failures {
        let mark = if is_known(path) { "known" } else { "NEW  " };
        println!("  {mark} {path} — {why}");
    }

    // The list stays honest: every entry is a case of the list, and fails.
    let unknown: Vec<&str> =
        KNOWN_FAILURES.iter().map(|(path, _)| *path).filter(|path| !all.iter().any(|c| c.path == *path)).collect();
    let fixed: Vec<&str> = KNOWN_FAILURES
        .iter()
        .map(|(path, _)| *path)
        .filter(|path| selected(path) && !failures.iter().any(|(failed, _)| failed == path))
        .collect();
    assert!(
        new.is_empty() && fixed.is_empty() && unknown.is_empty(),
        "cases that fail and are not in KNOWN_FAILURES (reasons above): {new:?}\n\
         cases in KNOWN_FAILURES that pass now (remove them): {fixed:?}\n\
         paths in KNOWN_FAILURES that are not cases of {LIST}: {unknown:?}"
    );
}

/// The runner itself: values compare the way the suite's README says.
#[test]
fn comparison_follows_the_readme() {
    let dt = |s: &str| DateTime::parse(s.as_bytes()).unwrap();
    assert_eq!(dt("1987-07-05 17:45:00z").ty(), Type::Datetime);
    assert_eq!(dt("1987-07-05t17:45:00").ty(), Type::DatetimeLocal);
    assert_eq!(dt("1987-07-05").ty(), Type::DateLocal);
    assert_eq!(dt("17:45:00.5").ty(), Type::TimeLocal);
    assert!(dt("1987-07-05 17:45:00z").same_as(&dt("1987-07-05T17:45:00Z")));
    assert!(dt("1987-07-05T17:45:00-00:00").same_as(&dt("1987-07-05T17:45:00+00:00")));
    assert!(dt("1987-07-05T17:45:00+01:00").same_as(&dt("1987-07-05T16:45:00Z")));
    assert!(dt("1979-05-27T00:32:00.6").same_as(&dt("1979-05-27T00:32:00.600")));
    assert!(!dt("1979-05-27T00:32:00.6").same_as(&dt("1979-05-27T00:32:00.060")));
    assert!(!dt("1979-05-27T00:32:00").same_as(&dt("1979-05-27T00:32:01")));
    assert!(DateTime::parse(b"07:32").is_err());
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(days_from_civil(1, 1, 1), -719_162);

    let eq = |ty, e: &str, o: &str| leaf_equal(ty, e.as_bytes(), o.as_bytes());
    assert_eq!(eq(Type::Float, "nan", "-.nan"), Ok(true));
    assert_eq!(eq(Type::Float, "-inf", "-.inf"), Ok(true));
    assert_eq!(eq(Type::Float, "+inf", "-.inf"), Ok(false));
    assert_eq!(eq(Type::Float, "-0", "-0.0"), Ok(true));
    assert_eq!(eq(Type::Float, "0", "-0.0"), Ok(false));
    assert_eq!(eq(Type::Float, "3.14", "314e-2"), Ok(true));
    assert!(eq(Type::Float, "1000", "1_000.0").is_err());
    assert_eq!(eq(Type::Integer, "255", "255"), Ok(true));
    assert!(eq(Type::Integer, "255", "0xff").is_err());
    assert_eq!(eq(Type::String, "a\u{0}b", "a\u{0}b"), Ok(true));

    let expected = serde_json::json!({
        "a": {"type": "integer", "value": "1"},
        "t": {"type": {"type": "string", "value": "x"}, "value": {"type": "string", "value": "y"}},
        "arr": [{"type": "bool", "value": "true"}, {}],
    });
    let expected = expected_node(&expected).unwrap();
    let leaf = |ty, s: &str| Node::Leaf(ty, s.as_bytes().to_vec());
    let ours = Node::Table(vec![
        (b"arr".to_vec(), Node::Array(vec![leaf(Type::Bool, "true"), Node::Table(vec![])])),
        (
            b"t".to_vec(),
            Node::Table(vec![
                (b"value".to_vec(), leaf(Type::String, "y")),
                (b"type".to_vec(), leaf(Type::String, "x")),
            ]),
        ),
        (b"a".to_vec(), leaf(Type::Integer, "1")),
    ]);
    assert_eq!(difference(&expected, &ours, ""), None);
    let Node::Table(mut twice) = ours.clone() else { unreachable!() };
    twice.push((b"a".to_vec(), leaf(Type::Integer, "1")));
    assert!(difference(&expected, &Node::Table(twice), "").unwrap().contains("twice"));
    let Node::Table(mut fewer) = ours else { unreachable!() };
    fewer.pop();
    assert_eq!(difference(&expected, &Node::Table(fewer), ""), Some("at /: key \"a\" missing".to_owned()));
}
