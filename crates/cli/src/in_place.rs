//! Replacing a file atomically: write a temporary file beside it, then rename it over the original.
//!
//! The rename is atomic on POSIX file systems, so a reader of the file sees either the old or the new content,
//! and a failure at any step leaves the original byte-identical.

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::path::Path;

/// Replaces `path` with `content`, keeping its permissions.
pub(crate) fn replace(path: &Path, content: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let permissions =
        fs::metadata(path).with_context(|| format!("reading metadata of {}", path.display()))?.permissions();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.dfmt-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp).with_context(|| format!("creating {}", temp.display()))?;
        file.write_all(content).with_context(|| format!("writing {}", temp.display()))?;
        file.sync_all().with_context(|| format!("syncing {}", temp.display()))?;
        fs::set_permissions(&temp, permissions)
            .with_context(|| format!("setting permissions of {}", temp.display()))?;
        fs::rename(&temp, path).with_context(|| format!("replacing {}", path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}
