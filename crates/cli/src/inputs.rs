//! Turning the paths on the command line into a list of inputs: files, walked folders, or standard input.

use anyhow::{Context, Result};
use dfmt_core::Format;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// One input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// The input's format: `--from` if given, else the file's extension; `None` means "sniff it".
    pub(crate) fn format(&self, from: Option<Format>) -> Option<Format> {
        from.or_else(|| match self {
            Source::Stdin => None,
            Source::File(path) => path.extension().and_then(|e| e.to_str()).and_then(Format::from_extension),
        })
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Stdin => f.write_str("<stdin>"),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The inputs named by `paths`, in a stable order: paths as given, each folder's files sorted by path.
/// Returns also whether any folder was walked (which makes a run a batch even with one file).
pub(crate) fn collect(paths: &[PathBuf]) -> Result<(Vec<Source>, bool)> {
    if paths.is_empty() {
        return Ok((vec![Source::Stdin], false));
    }
    let mut sources = Vec::new();
    let mut walked = false;
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(Source::Stdin);
        } else if path.is_dir() {
            walked = true;
            sources.extend(walk(path)?.into_iter().map(Source::File));
        } else {
            sources.push(Source::File(path.clone()));
        }
    }
    Ok((sources, walked))
}

/// `sources` without repeats, the first occurrence of each file kept in place. Two names of one file
/// (`a.json ./a.json`, a file given alone and in its folder, a link and its target) would have two workers rewrite
/// it at once. A path that does not resolve (a missing file) is compared as written, and fails later on its own.
pub(crate) fn dedup(sources: Vec<Source>) -> Vec<Source> {
    let mut seen = HashSet::new();
    sources
        .into_iter()
        .filter(|source| match source {
            Source::Stdin => true,
            Source::File(path) => seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
        })
        .collect()
}

/// The files under `dir` whose extension names a known format, honouring .gitignore and .ignore files (also
/// outside a git repository) and skipping hidden files.
fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(dir).require_git(false).sort_by_file_path(|a, b| a.cmp(b)).build();
    for entry in walker {
        let entry = entry.with_context(|| format!("walking {}", dir.display()))?;
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        let known = entry.path().extension().and_then(|e| e.to_str()).and_then(Format::from_extension).is_some();
        if is_file && known {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}
