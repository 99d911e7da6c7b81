//! JSON Schema validation for dfmt: data in any format dfmt reads (JSON, JSONC, NDJSON, YAML, TOML) checked
//! against a schema in any of them, every violation reported at the line and column of the value it is about.
//!
//! The validator is the `jsonschema` crate (drafts 4, 6, 7, 2019-09 and 2020-12); this crate feeds it what the
//! core reads and leads its findings back to the source. Nothing is fetched over a network: a schema's
//! references are resolved by [`Sources`], from local files and from folders that URL prefixes are mapped to.
//!
//! ```
//! use dfmt_core::{Format, Options};
//! use dfmt_schema::{Schema, Settings, Sources};
//!
//! let schema = Schema::from_text(
//!     b"type: object\nproperties:\n  port: {type: integer}\nrequired: [name]\n",
//!     Format::Yaml, None, &Sources::default(), &Settings::default(),
//! ).unwrap();
//! let report = schema.check(b"port: \"8080\"\n", Format::Yaml, &Options::default(), &|| false).unwrap();
//! let found: Vec<_> = report.violations.iter().map(|v| (v.keyword.as_str(), v.diagnostic.position.line)).collect();
//! assert_eq!(found, [("required", 1), ("type", 1)]);
//! ```

mod declared;
mod sources;
mod value;

pub use declared::{Declared, declared_schema};
pub use sources::{FileAccess, Sources, file_uri};

use dfmt_core::{Action, Diagnostic, Error, ErrorCode, Format, Job, Limits, Options, Severity, SliceInput, Span};
use jsonschema::paths::LocationSegment;
use serde_json::Value;
use std::path::Path;
use value::{Builder, Document, Lookup};

/// How schemas are compiled.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Check `format` (`date-time`, `email`, …) as an assertion. Off by default, as the specifications of
    /// 2019-09 and 2020-12 say (`format` is an annotation unless asked for).
    pub formats: bool,
    /// The limits for reading schema files (depth, alias expansion, sizes).
    pub limits: Limits,
    /// The draft for a schema whose `$schema` names none [default: 2020-12].
    pub draft: Option<Draft>,
}

/// The drafts of JSON Schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draft {
    /// Draft 4.
    Draft4,
    /// Draft 6.
    Draft6,
    /// Draft 7.
    Draft7,
    /// 2019-09.
    Draft201909,
    /// 2020-12.
    Draft202012,
}

impl Draft {
    fn engine(self) -> jsonschema::Draft {
        match self {
            Draft::Draft4 => jsonschema::Draft::Draft4,
            Draft::Draft6 => jsonschema::Draft::Draft6,
            Draft::Draft7 => jsonschema::Draft::Draft7,
            Draft::Draft201909 => jsonschema::Draft::Draft201909,
            Draft::Draft202012 => jsonschema::Draft::Draft202012,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings { formats: false, limits: Limits::DEFAULT, draft: None }
    }
}

/// Most steps a regular expression of a schema may backtrack through on one string before the match counts
/// as failed (a violation that says so). Expressions without look-around or back-references never backtrack:
/// they run on the `regex` crate's automata, in time linear in the string.
pub const REGEX_BACKTRACK_LIMIT: usize = 1_000_000;

/// A schema that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The schema's file could not be read.
    #[error("reading {path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// The schema's text is not valid in its format.
    #[error("{at}:{}:{}: {}", diagnostic.position.line, diagnostic.position.column, diagnostic.message)]
    Syntax {
        /// The file or URI, for the message.
        at: String,
        /// What is wrong, where.
        diagnostic: Box<Diagnostic>,
    },
    /// The schema is not a valid JSON Schema, or a reference in it could not be resolved.
    #[error("{0}")]
    Invalid(String),
}

/// A compiled schema.
#[derive(Debug)]
pub struct Schema {
    validator: jsonschema::Validator,
}

/// One place where the data breaks the schema.
#[derive(Clone, Debug)]
pub struct Violation {
    /// Code [`ErrorCode::SchemaViolation`], the validator's message, and the position: the offending value, or
    /// the key of the mapping for `required` (and `dependencies`), or the unexpected key for
    /// `additionalProperties` and `unevaluatedProperties`. The key path is in `diagnostic.path`.
    pub diagnostic: Diagnostic,
    /// The span's end, for the end line and column of machine-read formats.
    pub end: u64,
    /// The line and column of `end` (the start's, for an empty span).
    pub end_position: dfmt_core::Position,
    /// The keyword that failed (`type`, `required`, …).
    pub keyword: String,
    /// Where in the document, as a JSON Pointer (`/servers/0/port`).
    pub instance_path: String,
    /// Where in the schema, as a JSON Pointer from its root through the references followed
    /// (`/properties/servers/items/$ref/properties/port/type`).
    pub schema_path: String,
    /// Which document of the input (0 for the first; YAML streams and NDJSON hold several).
    pub document: usize,
}

/// The outcome of checking one input.
#[derive(Debug, Default)]
pub struct Report {
    /// Every violation, document by document, each document's in the order of the text.
    pub violations: Vec<Violation>,
    /// The documents checked.
    pub documents: usize,
}

impl Schema {
    /// Compiles the schema in `text` (JSON, YAML or TOML), whose references resolve against `base` (a URI; a
    /// schema from a file has the file's, [`file_uri`]).
    pub fn from_text(
        text: &[u8],
        format: Format,
        base: Option<&str>,
        sources: &Sources,
        settings: &Settings,
    ) -> Result<Schema, SchemaError> {
        let value = read_value(text, format, &settings.limits)
            .map_err(|diagnostic| SchemaError::Syntax { at: base.unwrap_or("<schema>").to_owned(), diagnostic })?;
        Schema::from_value(&value, base, sources, settings)
    }

    /// Reads and compiles the schema in the file at `path`, its format from its extension (JSON when it has
    /// none that dfmt knows).
    pub fn from_file(path: &Path, sources: &Sources, settings: &Settings) -> Result<Schema, SchemaError> {
        let text = std::fs::read(path).map_err(|error| SchemaError::Io { path: path.display().to_string(), error })?;
        let base = file_uri(path);
        let value = read_value(&text, sources::format_of(path), &settings.limits)
            .map_err(|diagnostic| SchemaError::Syntax { at: path.display().to_string(), diagnostic })?;
        Schema::from_value(&value, Some(&base), sources, settings)
    }

    /// Compiles the schema at `uri`, through `sources` (the drafts' meta-schemas need nothing: the validator
    /// holds them).
    pub fn from_reference(uri: &str, sources: &Sources, settings: &Settings) -> Result<Schema, SchemaError> {
        let mut wrapper = serde_json::json!({ "$ref": uri });
        // A draft's meta-schema is in the validator's registry when the wrapper is of that draft.
        if is_meta_schema(uri) {
            wrapper["$schema"] = Value::String(uri.to_owned());
        }
        Schema::from_value(&wrapper, None, sources, settings)
    }

    /// Compiles a schema already read.
    pub fn from_value(
        value: &Value,
        base: Option<&str>,
        sources: &Sources,
        settings: &Settings,
    ) -> Result<Schema, SchemaError> {
        let patterns = jsonschema::PatternOptions::fancy_regex().backtrack_limit(REGEX_BACKTRACK_LIMIT);
        let mut options = jsonschema::options()
            .should_validate_formats(settings.formats)
            .with_pattern_options(patterns)
            .with_retriever(sources::Retriever::new(sources.clone(), settings.limits));
        if let Some(base) = base {
            options = options.with_base_uri(base.to_owned());
        }
        if let Some(draft) = settings.draft {
            options = options.with_draft(draft.engine());
        }
        let validator = options.build(value).map_err(|error| SchemaError::Invalid(invalid_schema(&error)))?;
        Ok(Schema { validator })
    }

    /// Checks every document of `text` (in `format`, read with `options`' limits) and reports every violation.
    /// `stop` is asked now and then whether to give up (a deadline passed): reading stops with
    /// [`ErrorCode::Cancelled`], and between documents and violations. Invalid text is an error with the
    /// core's diagnostic, as `validate` gives it.
    pub fn check(
        &self,
        text: &[u8],
        format: Format,
        options: &Options,
        stop: &dyn Fn() -> bool,
    ) -> Result<Report, Vec<Diagnostic>> {
        self.check_at_most(text, format, options, usize::MAX, stop)
    }

    /// [`Schema::check`], stopping after `max` violations.
    pub fn check_at_most(
        &self,
        text: &[u8],
        format: Format,
        options: &Options,
        max: usize,
        stop: &dyn Fn() -> bool,
    ) -> Result<Report, Vec<Diagnostic>> {
        let job = data_job(format, options);
        // Most data matches its schema: a first pass makes values only, and stops at the first document that
        // does not; positions are recorded, in a second pass, only then.
        let mut documents = 0;
        let mut mismatch = false;
        let first = read_data(
            &job,
            text,
            Builder::without_positions(|document: Document| {
                documents += 1;
                let valid = self.validator.is_valid(&document.value);
                release(document);
                if valid {
                    Ok(())
                } else {
                    mismatch = true;
                    Err(Error::new(ErrorCode::Stopped, Span::default()))
                }
            }),
            stop,
        );
        match first {
            Ok(()) => return Ok(Report { violations: Vec::new(), documents }),
            Err(_) if mismatch => {}
            Err(error) => return Err(vec![job.diagnose_in(&error, text)]),
        }
        let mut report = Report::default();
        // Documents come in the order of the text: positions are counted on from one to the next.
        let mut locators = (dfmt_core::Locator::new(text), dfmt_core::Locator::new(text));
        let result = {
            let done = |document: Document| {
                if report.violations.len() < max {
                    let (index, out) = (report.documents, &mut report.violations);
                    self.check_document(&mut locators, &document, index, max, out, stop)?;
                }
                release(document);
                report.documents += 1;
                Ok(())
            };
            read_data(&job, text, Builder::new(done), stop)
        };
        match result {
            Ok(()) => Ok(report),
            Err(error) => Err(vec![job.diagnose_in(&error, text)]),
        }
    }

    fn check_document(
        &self,
        locators: &mut (dfmt_core::Locator<'_>, dfmt_core::Locator<'_>),
        document: &Document,
        index: usize,
        max: usize,
        out: &mut Vec<Violation>,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        if self.validator.is_valid(&document.value) {
            return Ok(());
        }
        if stop() {
            return Err(Error::new(ErrorCode::Cancelled, document.span));
        }
        let mut lookup = Lookup::default();
        let mut found: Vec<Violation> = self
            .validator
            .iter_errors(&document.value)
            .map(|error| violation(document, index, &error, &mut lookup))
            .collect();
        // In the order of the text, as a person reads it (the validator's follows the schema).
        found.sort_by_key(|v| v.diagnostic.span.start);
        found.truncate(max.saturating_sub(out.len()));
        place(locators, &mut found);
        out.extend(found);
        Ok(())
    }

    /// True when `value` satisfies the schema.
    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }
}

/// True when `uri` names a draft's meta-schema, which the validator holds (so a schema file that names one can
/// be checked without fetching anything).
pub fn is_meta_schema(uri: &str) -> bool {
    let uri = uri.trim_end_matches('#');
    [
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    ]
    .contains(&uri)
}

/// The job whose events are the data: YAML resolved (aliases, merge keys) with JSON's rules for keys and
/// numbers, TOML as its tables, NDJSON line by line.
fn data_job(format: Format, options: &Options) -> Job {
    let to = if format == Format::Ndjson { Format::Ndjson } else { Format::Json };
    Job { action: Action::Convert(to), from: format, options: Options { sort_keys: false, ..*options } }
}

/// Runs `job`'s reader over `text` into `builder`. A key given twice in JSON is refused (with both positions),
/// as YAML and TOML refuse it: which of the two values a schema should see is not the data's to say.
fn read_data<F>(job: &Job, text: &[u8], builder: Builder<F>, stop: &dyn Fn() -> bool) -> Result<(), Error>
where
    F: FnMut(Document) -> Result<(), Error>,
{
    let mut input = SliceInput::new(text);
    match job.from {
        Format::Json | Format::Jsonc | Format::Ndjson => {
            let unique = dfmt_core::yaml::UniqueKeys::new(builder).seeded(job.options.limits.hash_seed);
            job.events_until(&mut input, unique, stop).map(drop)
        }
        _ => job.events_until(&mut input, builder, stop).map(drop),
    }
}

/// The first document of `text` as a value (a schema, or data for a program that wants the value).
pub fn read_value(text: &[u8], format: Format, limits: &Limits) -> Result<Value, Box<Diagnostic>> {
    let options = Options { limits: *limits, ..Options::default() };
    let job = data_job(format, &options);
    let mut first = None;
    let result = read_data(
        &job,
        text,
        Builder::new(|document: Document| {
            first.get_or_insert(document.value);
            Ok(())
        }),
        &|| false,
    );
    match result {
        Ok(()) => Ok(first.unwrap_or(Value::Null)),
        Err(error) => Err(Box::new(job.diagnose_in(&error, text))),
    }
}

/// The message for a schema the validator refused, without the schema's text (which may be long).
fn invalid_schema(error: &jsonschema::ValidationError<'_>) -> String {
    let at = error.instance_path().as_str();
    let message = short_message(error);
    if at.is_empty() {
        format!("the schema is not valid: {message}")
    } else {
        format!("the schema is not valid at {at}: {message}")
    }
}

/// Messages name the offending value; a long one (a whole object) is left out.
const LONGEST_VALUE_IN_MESSAGE: usize = 80;

fn short_message(error: &jsonschema::ValidationError<'_>) -> String {
    let full = error.to_string();
    let value_len = match error.instance().as_ref() {
        Value::Object(map) if !map.is_empty() => usize::MAX,
        Value::Array(items) if !items.is_empty() => usize::MAX,
        Value::String(s) => s.len(),
        _ => 0,
    };
    if value_len > LONGEST_VALUE_IN_MESSAGE { error.masked_with("the value").to_string() } else { full }
}

/// Documents larger than this are freed on a thread of their own.
const FREE_APART_ABOVE: u64 = 8 << 20;

/// Frees a document's value. A large one is millions of small allocations: freed on a thread of its own, the
/// answer does not wait for them (and a process that exits first skips them); `dfmt validate --schema` of a
/// 50 MB document took 28 % less time (docs/benchmarks.md). Not on wasm, which has no threads.
fn release(document: Document) {
    #[cfg(not(target_family = "wasm"))]
    if document.span.end.saturating_sub(document.span.start) > FREE_APART_ABOVE {
        // If no thread can be started, the document is dropped with the closure, here.
        let _ = std::thread::Builder::new().name("dfmt-free".into()).spawn(move || drop(document));
        return;
    }
    drop(document);
}

/// Gives each violation (sorted by start) its line and column, and those of its end: one pass over the text for
/// the starts and one for the ends, however many violations and documents there are.
fn place((starts, ends): &mut (dfmt_core::Locator<'_>, dfmt_core::Locator<'_>), found: &mut [Violation]) {
    for v in found.iter_mut() {
        v.diagnostic.position = starts.position(v.diagnostic.span.start);
    }
    let mut by_end: Vec<usize> = (0..found.len()).collect();
    by_end.sort_by_key(|&i| found[i].end);
    for i in by_end {
        let v = &mut found[i];
        v.end_position = if v.end > v.diagnostic.span.start { ends.position(v.end) } else { v.diagnostic.position };
    }
}

fn violation(
    document: &Document,
    index: usize,
    error: &jsonschema::ValidationError<'_>,
    lookup: &mut Lookup,
) -> Violation {
    use jsonschema::error::ValidationErrorKind as K;
    let path: Vec<LocationSegment<'_>> = error.instance_path().iter().collect();
    let node = document.spans.find(&document.value, &path, lookup);
    let kind = error.kind();
    // Where a person looks: the key that holds a mapping missing an entry; the unexpected key itself.
    let span = match kind {
        K::Required { .. } => node.key.unwrap_or(Span::at(node.span.start)),
        K::AdditionalProperties { unexpected } | K::UnevaluatedProperties { unexpected } => match unexpected.first() {
            Some(key) => {
                let mut deeper = path.clone();
                deeper.push(LocationSegment::Property(key.as_str().into()));
                let entry = document.spans.find(&document.value, &deeper, lookup);
                entry.key.unwrap_or(entry.span)
            }
            None => node.span,
        },
        _ => node.span,
    };
    let mut key_path = String::new();
    for segment in &path {
        match segment {
            LocationSegment::Property(key) => dfmt_core::push_key(&mut key_path, key),
            LocationSegment::Index(i) => dfmt_core::push_index(&mut key_path, *i),
        }
    }
    let unplaced = dfmt_core::Position { line: 0, column: 0 };
    Violation {
        diagnostic: Diagnostic {
            severity: Severity::Error,
            code: ErrorCode::SchemaViolation,
            message: short_message(error),
            span,
            position: unplaced,
            path: (!key_path.is_empty()).then_some(key_path),
            related: None,
            hint: None,
        },
        end: span.end,
        end_position: unplaced,
        keyword: kind.keyword().to_owned(),
        instance_path: error.instance_path().as_str().to_owned(),
        schema_path: error.evaluation_path().as_str().to_owned(),
        document: index,
    }
}
