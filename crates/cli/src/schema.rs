//! `dfmt validate` against JSON Schema: the schema given with `--schema` for every input, or the one an input
//! names for itself; every violation rendered at its line and column.

use crate::args::SchemaArgs;
use crate::diagnostic::{self, SchemaNote};
use crate::inputs::Source;
use crate::task::{Report, Settings, Status};
use anyhow::{Context, Result};
use dfmt_core::{Format, Limits};
use dfmt_schema::{Declared, Schema, Sources, declared_schema, is_meta_schema};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// How much of a file is read to find the schema it names: a `$schema` key, or the comment, comes first.
const HEAD_BYTES: u64 = 64 << 10;

/// The project file whose `[[schema]]` entries associate schemas with files, found in the current folder or
/// the nearest folder above it. Other keys of the file (a service's settings) are left to those who read them.
pub(crate) const CONFIG_FILE: &str = "dfmt.toml";

/// `[[schema]]` entries of the project file: a schema and the files it applies to.
#[derive(Debug)]
struct Association {
    /// Globs over paths relative to the project file's folder (`.github/workflows/*.yml`).
    include: globset::GlobSet,
    /// The schema file, relative to the project file's folder, as written.
    path: PathBuf,
}

/// The project file: where it is, its associations and its URL mappings (`[schema-map]`).
#[derive(Debug, Default)]
struct Project {
    folder: PathBuf,
    associations: Vec<Association>,
    mappings: Vec<(String, PathBuf)>,
}

impl Project {
    /// The nearest `dfmt.toml` at or above the current folder, read; `None` when there is none.
    fn find(limits: Limits) -> Result<Option<Project>> {
        let start = std::env::current_dir().context("finding the current folder")?;
        for folder in start.ancestors() {
            let file = folder.join(CONFIG_FILE);
            if file.is_file() {
                return Project::read(&file, limits).map(Some);
            }
        }
        Ok(None)
    }

    fn read(file: &Path, limits: Limits) -> Result<Project> {
        let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let value = dfmt_schema::read_value(&text, Format::Toml, &limits).map_err(|d| {
            anyhow::anyhow!("{}:{}:{}: {}", file.display(), d.position.line, d.position.column, d.message)
        })?;
        let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = file.display();
        let mut project = Project { folder: folder.clone(), ..Project::default() };
        if let Some(entries) = value.get("schema") {
            let entries = entries
                .as_array()
                .with_context(|| format!("{name}: `schema` must be an array of tables ([[schema]])"))?;
            for (i, entry) in entries.iter().enumerate() {
                let at = format!("{name}: schema[{i}]");
                let table = entry.as_object().with_context(|| format!("{at} must be a table"))?;
                if let Some(unknown) = table.keys().find(|k| !matches!(k.as_str(), "path" | "include")) {
                    anyhow::bail!("{at}: unknown key `{unknown}` (expected `path` and `include`)");
                }
                let path = table
                    .get("path")
                    .and_then(|p| p.as_str())
                    .with_context(|| format!("{at}: `path` (a string) is missing"))?;
                let globs = table
                    .get("include")
                    .and_then(|g| g.as_array())
                    .with_context(|| format!("{at}: `include` (an array of globs) is missing"))?;
                let mut set = globset::GlobSetBuilder::new();
                for glob in globs {
                    let glob = glob.as_str().with_context(|| format!("{at}: `include` holds strings (globs)"))?;
                    let glob = globset::GlobBuilder::new(glob)
                        .literal_separator(true)
                        .build()
                        .with_context(|| format!("{at}: the glob {glob:?}"))?;
                    set.add(glob);
                }
                let include = set.build().with_context(|| format!("{at}: the globs"))?;
                project.associations.push(Association { include, path: PathBuf::from(path) });
            }
        }
        if let Some(map) = value.get("schema-map") {
            let map =
                map.as_object().with_context(|| format!("{name}: `schema-map` must be a table of URL prefixes"))?;
            for (prefix, dir) in map {
                let dir = dir
                    .as_str()
                    .with_context(|| format!("{name}: schema-map.{prefix:?} must be a folder (a string)"))?;
                anyhow::ensure!(prefix.contains("://"), "{name}: schema-map: the prefix {prefix:?} is not a URL");
                project.mappings.push((prefix.clone(), folder.join(dir)));
            }
        }
        Ok(project)
    }

    /// The schema file associated with `path` (an input), if any: the first entry whose globs match its path
    /// relative to the project's folder.
    fn schema_for(&self, path: &Path) -> Option<PathBuf> {
        let absolute = std::path::absolute(path).ok()?;
        let folder = std::path::absolute(&self.folder).ok()?;
        let relative = absolute.strip_prefix(&folder).ok()?;
        let entry = self.associations.iter().find(|a| a.include.is_match(relative))?;
        Some(self.folder.join(&entry.path))
    }
}

/// The schemas of one run, shared by the workers.
#[derive(Debug)]
pub(crate) struct Setup {
    /// `--schema`: the compiled schema and its name as given.
    given: Option<(Arc<Schema>, String)>,
    discover: bool,
    /// The project file's associations, when there is one.
    project: Option<Project>,
    sources: Sources,
    settings: dfmt_schema::Settings,
    max_errors: usize,
    /// Schemas named by inputs, compiled once each (by file, or by URL), or why they could not be.
    declared: Mutex<HashMap<String, Result<Arc<Schema>, String>>>,
}

/// The schema for one input.
enum Choice {
    Use(Arc<Schema>, String),
    /// None applies: validate the syntax only; the note says why a schema the input names was skipped.
    None {
        note: Option<String>,
    },
}

/// What [`validate`] did with one input.
pub(crate) enum Outcome {
    /// Checked against a schema (or failed trying): the report.
    Checked(Report),
    /// No schema applies: the caller checks the syntax, after printing the note if there is one.
    SyntaxOnly { note: Option<String> },
}

impl Setup {
    /// The setup for `args`, compiling `--schema` now (an unusable schema stops the run before any input).
    /// `None` when no schema can apply (no `--schema`, and discovery off).
    pub(crate) fn new(args: &SchemaArgs, limits: Limits) -> Result<Option<Setup>> {
        let project = if args.no_schema_discovery { None } else { Project::find(limits)? };
        let mut mappings = args.schema_map.clone();
        mappings.extend(project.iter().flat_map(|p| p.mappings.iter().cloned()));
        let sources = Sources { mappings, ..Sources::default() };
        let settings = dfmt_schema::Settings { formats: args.schema_formats, limits, draft: None };
        let given = match &args.schema {
            Some(path) => {
                let schema = Schema::from_file(path, &sources, &settings).map_err(|e| match e {
                    // Already `PATH:LINE:COLUMN: message`.
                    dfmt_schema::SchemaError::Syntax { .. } => anyhow::anyhow!("{e}"),
                    other => anyhow::anyhow!("the schema {}: {other}", path.display()),
                })?;
                Some((Arc::new(schema), path.display().to_string()))
            }
            None => None,
        };
        if given.is_none() && args.no_schema_discovery {
            return Ok(None);
        }
        let max_errors = if args.max_errors == 0 { usize::MAX } else { args.max_errors };
        Ok(Some(Setup {
            given,
            discover: !args.no_schema_discovery,
            project,
            sources,
            settings,
            max_errors,
            declared: Mutex::new(HashMap::new()),
        }))
    }

    /// The schema `declared` (found in the input at `source`) leads to, or a note on why none applies; an error
    /// when it cannot be used.
    fn resolve(&self, source: &Source, declared: &Declared) -> Result<Choice, String> {
        let (key, name) = if declared.is_url() {
            match self.sources.mapped(&declared.reference) {
                Some(path) => (path.display().to_string(), declared.reference.clone()),
                None if is_meta_schema(&declared.reference) => (declared.reference.clone(), declared.reference.clone()),
                None => {
                    let note = format!(
                        "dfmt: note: {source} names the schema {} ({}), which is not read: dfmt fetches nothing; \
                         give --schema-map PREFIX=DIR to read it from a folder\n",
                        declared.reference, declared.how
                    );
                    return Ok(Choice::None { note: Some(note) });
                }
            }
        } else {
            let folder = match source {
                Source::File(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
                Source::Stdin => PathBuf::new(),
            };
            let path = folder.join(&declared.reference);
            (path.display().to_string(), path.display().to_string())
        };
        let mut cache = self.declared.lock().unwrap_or_else(PoisonError::into_inner);
        let compiled = cache.entry(key.clone()).or_insert_with(|| {
            let compiled = if declared.is_url() && !Path::new(&key).exists() {
                // A meta-schema: the validator holds the drafts' own; the reference resolves inside it.
                Schema::from_reference(&key, &self.sources, &self.settings)
            } else {
                Schema::from_file(Path::new(&key), &self.sources, &self.settings)
            };
            compiled.map(Arc::new).map_err(|e| format!("{source}: error: the schema {name} ({}): {e}", declared.how))
        });
        compiled.clone().map(|schema| Choice::Use(schema, name))
    }

    /// The schema for `source`: `--schema`, else the one its first bytes name, else the project file's.
    fn choose(&self, source: &Source, settings: &Settings) -> Result<Choice> {
        if let Some((schema, name)) = &self.given {
            return Ok(Choice::Use(schema.clone(), name.clone()));
        }
        let Source::File(path) = source else { return Ok(Choice::None { note: None }) };
        if !self.discover {
            return Ok(Choice::None { note: None });
        }
        let mut head = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(HEAD_BYTES).read_to_end(&mut head))
            .with_context(|| format!("reading {}", path.display()))?;
        let format = source.format(settings.from).unwrap_or_else(|| Format::sniff(&head));
        // The input's own choice first (as editors do), then the project file's association.
        let mut skipped = None;
        if let Some(declared) = declared_schema(&head, format) {
            match self.resolve(source, &declared).map_err(anyhow::Error::msg)? {
                Choice::None { note } => skipped = note,
                used => return Ok(used),
            }
        }
        let associated = self.project.as_ref().and_then(|project| project.schema_for(path));
        let Some(schema_path) = associated else { return Ok(Choice::None { note: skipped }) };
        let declared = Declared { reference: schema_path.display().to_string(), how: "dfmt.toml" };
        // An absolute path (the project's folder is found from the current one), so the input's folder is moot.
        self.resolve(source, &declared).map_err(anyhow::Error::msg)
    }
}

/// Validates one input against its schema, if one applies.
pub(crate) fn validate(source: &Source, settings: &Settings, setup: &Setup) -> Outcome {
    let mut report = Report::new(Status::Failed);
    let (schema, name) = match setup.choose(source, settings) {
        Ok(Choice::Use(schema, name)) => (schema, name),
        Ok(Choice::None { note }) => return Outcome::SyntaxOnly { note },
        Err(error) => {
            report.stderr.push_str(&format!("{error:#}\n"));
            return Outcome::Checked(report);
        }
    };
    let text = match crate::task::read_whole(source) {
        Ok(text) => text,
        Err(error) => {
            report.stderr.push_str(&format!("dfmt: error: {error:#}\n"));
            return Outcome::Checked(report);
        }
    };
    report.status = Status::Ok;
    let format = source.format(settings.from).unwrap_or_else(|| Format::sniff(&text[..text.len().min(64 << 10)]));
    let locate = |at| dfmt_core::locate(&text, at);
    let label = source.to_string();
    match schema.check_at_most(&text, format, &settings.options, setup.max_errors, &|| false) {
        Err(diagnostics) => {
            report.status = Status::Invalid;
            for d in &diagnostics {
                report.diagnostics.push_str(&diagnostic::render(&label, d, &locate, settings.style));
            }
        }
        Ok(checked) => {
            if !checked.violations.is_empty() {
                report.status = Status::Invalid;
            }
            for v in &checked.violations {
                let note = SchemaNote {
                    keyword: v.keyword.clone(),
                    schema_path: v.schema_path.clone(),
                    instance_path: v.instance_path.clone(),
                    schema: name.clone(),
                };
                let end = Some(v.end_position);
                let rendered =
                    diagnostic::render_with(&label, &v.diagnostic, &locate, settings.style, Some(&note), end);
                report.diagnostics.push_str(&rendered);
            }
            if checked.violations.len() >= setup.max_errors {
                report.stderr.push_str(&format!(
                    "dfmt: note: {label}: stopped after {} violations (--max-errors)\n",
                    checked.violations.len()
                ));
            }
        }
    }
    Outcome::Checked(report)
}
