//! The JSON Schemas the service validates against: every schema file of one folder (`--schema-dir`), compiled
//! at start and named by their file stem (`ci.schema.json` is `ci.schema`). A schema's references may read
//! other files of that folder, nothing else.

use dfmt_core::{Format, Limits};
use dfmt_schema::{FileAccess, Schema, Settings, Sources};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The schemas registered at start, by name.
#[derive(Debug, Default)]
pub struct Schemas {
    by_name: BTreeMap<String, Arc<Schema>>,
}

/// A schema folder that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemaDirError {
    /// The folder could not be listed.
    #[error("reading the schema folder {path}: {source}")]
    Read {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A schema could not be compiled.
    #[error("{0}")]
    Schema(String),
    /// Two files have the same name (`a.json` and `a.yaml`).
    #[error("two schemas are named {0}: rename one of the files")]
    Twice(String),
}

impl Schemas {
    /// Compiles every `.json`, `.yaml`, `.yml` and `.toml` file directly in `dir` (references may read any file
    /// under `dir`). `formats` makes `format` an assertion.
    pub fn load(dir: &Path, limits: Limits, formats: bool) -> Result<Schemas, SchemaDirError> {
        let read_error = |source| SchemaDirError::Read { path: dir.display().to_string(), source };
        let root = std::fs::canonicalize(dir).map_err(read_error)?;
        let sources = Sources { mappings: Vec::new(), files: FileAccess::Under(root.clone()) };
        let settings = Settings { formats, limits, draft: None };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
            .map_err(read_error)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.is_file() && schema_format(path).is_some())
            .collect();
        files.sort();
        let mut by_name = BTreeMap::new();
        for path in files {
            let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else { continue };
            let schema = Schema::from_file(&path, &sources, &settings)
                .map_err(|e| SchemaDirError::Schema(format!("the schema {}: {e}", path.display())))?;
            if by_name.insert(name.clone(), Arc::new(schema)).is_some() {
                return Err(SchemaDirError::Twice(name));
            }
        }
        Ok(Schemas { by_name })
    }

    /// The schema called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Schema>> {
        self.by_name.get(name)
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

fn schema_format(path: &Path) -> Option<Format> {
    let format = Format::from_extension(path.extension()?.to_str()?)?;
    matches!(format, Format::Json | Format::Yaml | Format::Toml).then_some(format)
}
