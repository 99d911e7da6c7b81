//! The yaml-test-suite (`../shared/conformance/yaml`, 402 cases): every error case is rejected, every case's
//! events equal its `test.event`, and every case with an `in.json` converts to the same data. Where the default
//! options refuse a tag that JSON has no meaning for (a decision, see [`to_json`]), the case converts again with
//! `yaml_drop_tags` and must match then.
//!
//! Run one case, or every sub-test of an id, and see our events beside the expected ones:
//! `YAML_CASE=229Q cargo test -p dfmt-core --test conformance_yaml -- --nocapture` (or `YAML_CASE=DK95`).

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod shared;

use std::path::Path;
use std::time::Duration;

use dfmt_core::{ErrorCode, Event, EventKind, Format, Limits, Options, Props, ScalarStyle, SliceInput, convert, yaml};
use shared::values::{Compare, first_difference, parse_stream};

/// Cases that fail today, by id, with why. The test fails when a case outside this list fails, and also when a
/// listed case passes, so that the list stays honest.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// How long one step of one case may take before it counts as a hang.
const DEADLINE: Duration = Duration::from_secs(10);

/// More events than any case of the suite produces by far; a reader past this is looping.
const MAX_EVENTS: usize = 10_000;

/// One directory of the suite.
struct Case {
    /// `229Q`, or `DK95/00` for a sub-test.
    id: String,
    /// The test's name, from `===`.
    name: String,
    yaml: Vec<u8>,
    /// `test.event`, with the flow markers (` {}`, ` []`) dropped: events do not record flow or block style.
    expected_events: Vec<String>,
    /// `in.json` of a case that is not an error case.
    json: Option<Vec<u8>>,
    /// The input must be rejected.
    error: bool,
}

impl Case {
    fn load(id: String, dir: &Path) -> Case {
        let read = |file: &str| std::fs::read(dir.join(file)).unwrap();
        let text = |file: &str| String::from_utf8(read(file)).unwrap();
        let error = dir.join("error").exists();
        let expected_events = text("test.event").lines().map(without_flow_marker).collect();
        let json = (!error && dir.join("in.json").exists()).then(|| read("in.json"));
        Case { id, name: text("===").trim().to_owned(), yaml: read("in.yaml"), expected_events, json, error }
    }
}

/// `+MAP {} &a` → `+MAP &a`, `+SEQ []` → `+SEQ`.
fn without_flow_marker(line: &str) -> String {
    for (start, marker) in [("+MAP", " {}"), ("+SEQ", " []")] {
        if let Some(rest) = line.strip_prefix(start).and_then(|rest| rest.strip_prefix(marker)) {
            return format!("{start}{rest}");
        }
    }
    line.to_owned()
}

/// What dfmt made of one case.
struct Outcome {
    /// Our events in test.event notation, up to the error if reading failed.
    events: Vec<String>,
    /// Whether the reader accepted the input.
    verdict: Verdict,
    /// The YAML → JSON output, or why there is none; only for cases with `in.json`.
    json: Option<Result<Vec<u8>, String>>,
    /// Where the default conversion refused a tag, for a case that then converted with `yaml_drop_tags`.
    refused_tag: Option<String>,
}

/// What the reader said.
enum Verdict {
    Accepted,
    /// Rejected, with where and why (`3:5: message`).
    Rejected(String),
    /// Panicked, or did not finish in time.
    Broke(String),
}

impl Outcome {
    fn of(case: &Case) -> Outcome {
        let yaml = case.yaml.clone();
        let (events, verdict) = match shared::within(DEADLINE, move || read_events(&yaml)) {
            Ok(read) => read,
            Err(failure) => (Vec::new(), Verdict::Broke(format!("the reader {failure}"))),
        };
        let (json, refused_tag) = match &case.json {
            None => (None, None),
            Some(_) => {
                let yaml = case.yaml.clone();
                match shared::within(DEADLINE, move || to_json(&yaml)).and_then(|converted| converted) {
                    Ok((json, refused_tag)) => (Some(Ok(json)), refused_tag),
                    Err(why) => (Some(Err(why)), None),
                }
            }
        };
        Outcome { events, verdict, json, refused_tag }
    }

    fn events_match(&self, case: &Case) -> bool {
        self.events == case.expected_events
    }

    /// Why the case fails, in one line, or `None` when it passes. For an error case only the verdict counts:
    /// the events before the error are reported, not required.
    fn failure(&self, case: &Case) -> Option<String> {
        let mut reasons = Vec::new();
        match (&self.verdict, case.error) {
            (Verdict::Broke(why), _) => return Some(why.clone()),
            (Verdict::Accepted, true) => return Some("accepted; should be rejected".to_owned()),
            (Verdict::Rejected(_), true) => return None,
            (Verdict::Accepted, false) => {}
            (Verdict::Rejected(why), false) => reasons.push(format!("rejected at {why}")),
        }
        if let Some(why) = first_event_difference(&case.expected_events, &self.events) {
            reasons.push(why);
        }
        if let Some(why) = self.json_difference(case) {
            reasons.push(format!("in.json: {why}"));
        }
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }

    fn json_difference(&self, case: &Case) -> Option<String> {
        let expected = parse_stream(case.json.as_ref()?).unwrap();
        let ours = match self.json.as_ref()? {
            Ok(ours) => ours,
            Err(why) => return Some(format!("conversion failed: {why}")),
        };
        let ours = match parse_stream(ours) {
            Ok(ours) => ours,
            Err(why) => return Some(format!("our output is not JSON: {why}")),
        };
        if ours.len() != expected.len() {
            return Some(format!("{} documents, expected {}", ours.len(), expected.len()));
        }
        expected
            .iter()
            .zip(&ours)
            .enumerate()
            .find_map(|(i, (e, o))| first_difference(e, o, Compare::Data).map(|why| format!("document {i}: {why}")))
    }
}

/// Converts `src` to JSON with the default options, and where they refuse a tag, again with `yaml_drop_tags`:
/// a tag that JSON has no meaning for (`!foo`, `!!set`) is an error by design (DESIGN.md: a YAML tag has no JSON
/// form), and the suite's `in.json` reads such nodes as if untagged, which is what `yaml_drop_tags` does. Returns
/// the JSON and, if a tag was refused, where.
fn to_json(src: &[u8]) -> Result<(Vec<u8>, Option<String>), String> {
    let run = |yaml_drop_tags| {
        let options = Options { yaml_drop_tags, ..Options::default() };
        convert(&mut SliceInput::new(src), Format::Yaml, Format::Json, &options, Vec::new())
    };
    match run(false) {
        Ok(json) => Ok((json, None)),
        Err(e) if e.code == ErrorCode::UnsupportedTag => {
            let refused = shared::located(src, &e);
            run(true).map(|json| (json, Some(refused))).map_err(|e| shared::located(src, &e))
        }
        Err(e) => Err(shared::located(src, &e)),
    }
}

/// Reads `src` and renders its events in test.event notation; comments and blank lines are layout, not events
/// of the suite.
fn read_events(src: &[u8]) -> (Vec<String>, Verdict) {
    let mut events = Vec::new();
    let result = yaml::read(src, &Limits::DEFAULT, &mut |event: Event<'_>| {
        if events.len() == MAX_EVENTS {
            // The test stops a reader that produced too many events.
            return Err(dfmt_core::Error::new(ErrorCode::Stopped, event.span));
        }
        events.extend(notation(&event));
        Ok(())
    });
    match result {
        Ok(()) => (events, Verdict::Accepted),
        Err(e) => (events, Verdict::Rejected(shared::located(src, &e))),
    }
}

/// One event as a line of test.event, or `None` for the events the suite does not have.
fn notation(event: &Event<'_>) -> Option<String> {
    Some(match event.kind {
        EventKind::StreamStart => "+STR".to_owned(),
        EventKind::StreamEnd => "-STR".to_owned(),
        EventKind::DocumentStart { explicit } => if explicit { "+DOC ---" } else { "+DOC" }.to_owned(),
        EventKind::DocumentEnd { explicit } => if explicit { "-DOC ..." } else { "-DOC" }.to_owned(),
        EventKind::MappingStart(props) => format!("+MAP{}", props_notation(props)),
        EventKind::MappingEnd => "-MAP".to_owned(),
        EventKind::SequenceStart(props) => format!("+SEQ{}", props_notation(props)),
        EventKind::SequenceEnd => "-SEQ".to_owned(),
        EventKind::Scalar(scalar) => {
            let style = match scalar.style {
                ScalarStyle::Plain => ':',
                ScalarStyle::SingleQuoted => '\'',
                ScalarStyle::DoubleQuoted => '"',
                ScalarStyle::Literal => '|',
                ScalarStyle::Folded => '>',
                // A YAML reader has no business with these; the mark makes the line differ.
                ScalarStyle::JsonQuoted | ScalarStyle::JsonUnescaped | ScalarStyle::Decoded => '?',
            };
            format!("=VAL{} {style}{}", props_notation(scalar.props), escaped(scalar.text))
        }
        EventKind::Alias(name) => format!("=ALI *{}", String::from_utf8_lossy(name)),
        EventKind::Comment(_) | EventKind::BlankLine => return None,
    })
}

/// ` &anchor <tag>`, each part only when present.
fn props_notation(props: Props<'_>) -> String {
    let mut out = String::new();
    if let Some(anchor) = props.anchor {
        out.push_str(&format!(" &{}", String::from_utf8_lossy(anchor)));
    }
    if let Some(tag) = props.tag {
        out.push_str(&format!(" <{}>", String::from_utf8_lossy(tag)));
    }
    out
}

/// A scalar's value as test.event spells it: a backslash and the control characters escaped (the suite uses
/// `\\ \b \t \n \r`; the others follow the same C-like convention), everything else as it is.
fn escaped(text: &[u8]) -> String {
    let mut out = String::new();
    for c in String::from_utf8_lossy(text).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            c if c.is_control() && (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The first line where our events differ from the expected ones, in one line.
fn first_event_difference(expected: &[String], ours: &[String]) -> Option<String> {
    let at = expected.iter().zip(ours).position(|(e, o)| e != o).unwrap_or(expected.len().min(ours.len()));
    match (expected.get(at), ours.get(at)) {
        (None, None) => None,
        (Some(e), Some(o)) => Some(format!("event {}: expected `{e}`, got `{o}`", at + 1)),
        (Some(e), None) => Some(format!("event {}: expected `{e}`, got no more events", at + 1)),
        (None, Some(o)) => Some(format!("event {}: expected no more events, got `{o}`", at + 1)),
    }
}

/// Prints everything about one case: input, events side by side, JSON, verdict.
fn show(case: &Case, outcome: &Outcome) {
    println!("==== {} — {}{}", case.id, case.name, if case.error { " (error case)" } else { "" });
    println!("---- in.yaml (tabs shown as »)\n{}", String::from_utf8_lossy(&case.yaml).replace('\t', "»"));
    let width = outcome.events.iter().map(|e| e.chars().count()).max().unwrap_or(0).clamp(16, 60);
    println!("---- events (ours | expected; ! marks a difference)");
    for i in 0..outcome.events.len().max(case.expected_events.len()) {
        let (ours, expected) = (outcome.events.get(i), case.expected_events.get(i));
        let mark = if ours == expected { ' ' } else { '!' };
        let (ours, expected) = (ours.map_or("", String::as_str), expected.map_or("", String::as_str));
        println!("{mark} {ours:<width$} | {expected}");
    }
    match &outcome.verdict {
        Verdict::Accepted => println!("---- accepted"),
        Verdict::Rejected(why) => println!("---- rejected at {why}"),
        Verdict::Broke(why) => println!("---- {why}"),
    }
    if let (Some(expected), Some(ours)) = (&case.json, &outcome.json) {
        println!("---- in.json\n{}", String::from_utf8_lossy(expected));
        if let Some(refused) = &outcome.refused_tag {
            println!("---- the default options refused a tag at {refused}; converted with yaml_drop_tags");
        }
        match ours {
            Ok(ours) => println!("---- our JSON\n{}", String::from_utf8_lossy(ours)),
            Err(why) => println!("---- our JSON: none, {why}"),
        }
    }
    println!("---- verdict: {}\n", outcome.failure(case).unwrap_or_else(|| "pass".to_owned()));
}

#[test]
fn yaml_test_suite() {
    let Some(root) = shared::shared_dir("conformance/yaml") else { return };
    let only = std::env::var("YAML_CASE").ok().filter(|id| !id.is_empty());
    let selected = |id: &str| only.as_deref().is_none_or(|only| id == only || id.starts_with(&format!("{only}/")));
    let cases: Vec<Case> = shared::yaml_suite_cases(&root)
        .into_iter()
        .filter(|(id, _)| selected(id))
        .map(|(id, dir)| Case::load(id, &dir))
        .collect();
    match &only {
        None => assert_eq!(cases.len(), 402, "the suite should hold 402 cases"),
        Some(id) => assert!(!cases.is_empty(), "no case {id} in {}", root.display()),
    }

    let (mut rejected, mut errors) = (0, 0);
    let (mut valid_events, mut valid) = (0, 0);
    let mut error_prefixes_differ = Vec::new();
    let (mut json_matched, mut json_total) = (0, 0);
    let mut refused_tags = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = Outcome::of(case);
        if only.is_some() {
            show(case, &outcome);
        }
        if case.error {
            errors += 1;
            let refused = matches!(outcome.verdict, Verdict::Rejected(_));
            rejected += usize::from(refused);
            if refused && !outcome.events_match(case) {
                error_prefixes_differ.push(case.id.as_str());
            }
        } else {
            valid += 1;
            valid_events += usize::from(matches!(outcome.verdict, Verdict::Accepted) && outcome.events_match(case));
        }
        if outcome.refused_tag.is_some() {
            refused_tags.push(case.id.as_str());
        }
        if case.json.is_some() {
            json_total += 1;
            json_matched += usize::from(outcome.json_difference(case).is_none());
        }
        if let Some(why) = outcome.failure(case) {
            failures.push((case, why));
        }
    }

    println!("yaml-test-suite: {} cases", cases.len());
    println!("  errors rejected   {rejected}/{errors}");
    // An error case's events up to the error are reported, not required: where exactly a reader notices the
    // error is its own business.
    let error_prefixes = rejected - error_prefixes_differ.len();
    println!(
        "  events matched    {}/{}  ({valid_events}/{valid} valid cases; {error_prefixes}/{errors} error cases \
         up to the error)",
        valid_events + error_prefixes,
        cases.len()
    );
    println!(
        "  in.json matched   {json_matched}/{json_total}  ({} after the default options refused a tag: {refused_tags:?})",
        refused_tags.len()
    );
    let is_known = |id: &str| KNOWN_FAILURES.iter().any(|(known, _)| *known == id);
    let new: Vec<&str> = failures.iter().map(|(case, _)| case.id.as_str()).filter(|id| !is_known(id)).collect();
    println!("  failing           {} ({} new, {} known)", failures.len(), new.len(), failures.len() - new.len());
    if !error_prefixes_differ.is_empty() {
        println!("  error cases whose events before the error differ (not a failure): {error_prefixes_differ:?}");
    }
    for (case, why) in &failures {
        let mark = if is_known(&case.id) { "known" } else { "NEW  " };
        println!("  {mark} {:<8} {} — {why}", case.id, case.name);
    }

    // The list stays honest: every entry is a case of the suite, and fails.
    let ids: Vec<String> = shared::yaml_suite_cases(&root).into_iter().map(|(id, _)| id).collect();
    let unknown: Vec<&str> =
        KNOWN_FAILURES.iter().map(|(id, _)| *id).filter(|id| !ids.iter().any(|c| c == id)).collect();
    let fixed: Vec<&str> = KNOWN_FAILURES
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| selected(id) && !failures.iter().any(|(case, _)| case.id == *id))
        .collect();
    assert!(
        new.is_empty() && fixed.is_empty() && unknown.is_empty(),
        "cases that fail and are not in KNOWN_FAILURES (reasons above): {new:?}\n\
         cases in KNOWN_FAILURES that pass now (remove them): {fixed:?}\n\
         ids in KNOWN_FAILURES that are not cases of the suite: {unknown:?}"
    );
}

/// The runner itself: events are spelled the way test.event spells them.
#[test]
fn notation_follows_test_event() {
    use dfmt_core::{Comment, CommentStyle, Scalar, ScalarKind, Span};
    let event = |kind| Event::new(kind, Span::at(0));
    let scalar = |text, style, props| event(EventKind::Scalar(Scalar { text, kind: ScalarKind::String, style, props }));
    let both = Props { anchor: Some(b"a"), tag: Some(b"tag:yaml.org,2002:str") };
    let cases = [
        (event(EventKind::DocumentStart { explicit: true }), "+DOC ---"),
        (event(EventKind::DocumentEnd { explicit: false }), "-DOC"),
        (event(EventKind::MappingStart(Props { anchor: Some(b"m"), tag: None })), "+MAP &m"),
        (event(EventKind::SequenceStart(Props { anchor: None, tag: Some(b"!") })), "+SEQ <!>"),
        (event(EventKind::Alias(b"a")), "=ALI *a"),
        (scalar(b"", ScalarStyle::Plain, Props::NONE), "=VAL :"),
        (scalar(b"x", ScalarStyle::SingleQuoted, both), "=VAL &a <tag:yaml.org,2002:str> 'x"),
        (
            scalar(b"a\\b\n\t\r\x08\0\x01\xe2\x98\xba", ScalarStyle::DoubleQuoted, Props::NONE),
            r#"=VAL "a\\b\n\t\r\b\0\x01☺"#,
        ),
        (scalar(b"l\n", ScalarStyle::Literal, Props::NONE), r"=VAL |l\n"),
        (scalar(b"f", ScalarStyle::Folded, Props::NONE), "=VAL >f"),
    ];
    for (event, expected) in cases {
        assert_eq!(notation(&event).as_deref(), Some(expected));
    }
    let comment = Comment { text: b" c", style: CommentStyle::Line, trailing: false };
    assert_eq!(notation(&event(EventKind::Comment(comment))), None);
    assert_eq!(notation(&event(EventKind::BlankLine)), None);
    assert_eq!(without_flow_marker("+MAP {} &g"), "+MAP &g");
    assert_eq!(without_flow_marker("+SEQ [] <tag:yaml.org,2002:seq>"), "+SEQ <tag:yaml.org,2002:seq>");
    assert_eq!(without_flow_marker("=VAL :+MAP {}"), "=VAL :+MAP {}");
}
