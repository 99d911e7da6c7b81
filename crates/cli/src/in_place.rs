//! Replacing a file atomically: write a temporary file beside it, then rename it over the original.
//!
//! The rename is atomic on POSIX file systems, so a reader of the file sees either the old or the new content,
//! and a failure at any step leaves the original byte-identical.
//!
//! The folder may be shared with people who do not wish us well (a project checked out in /tmp, a group-writable
//! folder): the temporary file gets a random name and is created with O_EXCL, so that nothing planted beside the
//! file (a link to another file) is ever opened; it has the original's owner and mode before it holds a byte; and
//! the rename happens only if the file is still the one that was read.

use anyhow::{Context, Result, bail};
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a file was when it was read: a rewrite goes ahead only if the file is still exactly this. The change
/// time catches what the others miss: a new hard link, a new owner or mode, a write that restored the mtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    len: u64,
    regular: bool,
    /// Everything else the system says about the file: identity, times, owner, mode, links.
    more: platform::Identity,
}

impl Snapshot {
    fn of(metadata: &fs::Metadata) -> Snapshot {
        Snapshot {
            len: metadata.len(),
            regular: metadata.file_type().is_file(),
            more: platform::Identity::of(metadata),
        }
    }
}

/// Reads the whole file at `path`, with a snapshot taken from the same descriptor, so that both describe the
/// same file even if the path is swapped meanwhile.
pub(crate) fn read(path: &Path) -> Result<(Vec<u8>, Snapshot)> {
    let mut file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let metadata = file.metadata().with_context(|| format!("reading metadata of {}", path.display()))?;
    // The size reserves room, up to a bound: a size that lies (a growing file, /proc) must not ask for more.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0).min(1 << 30));
    file.read_to_end(&mut bytes).with_context(|| format!("reading {}", path.display()))?;
    Ok((bytes, Snapshot::of(&metadata)))
}

/// Fails unless the file at `path` (not following a final symbolic link) is still the one of `before`.
pub(crate) fn unchanged(before: &Snapshot, path: &Path) -> Result<()> {
    let now = fs::symlink_metadata(path).with_context(|| format!("reading metadata of {}", path.display()))?;
    if Snapshot::of(&now) != *before {
        bail!("{} changed while dfmt was formatting it; left unchanged", path.display());
    }
    Ok(())
}

/// Replaces the file that `path` names with `content`, keeping its owner and mode. `before` is the snapshot of
/// the file as it was read; if the file differs from it now, nothing is replaced.
///
/// Returns the folder whose entry changed; it must be synced (see [`sync_folder`]) for the rename to survive a
/// crash. That is left to the caller so that a batch syncs each folder once, not once per file.
pub(crate) fn replace(path: &Path, before: &Snapshot, content: &[u8]) -> Result<PathBuf> {
    let target = resolve(path)?;
    let shown = target.display();
    if !before.regular {
        bail!("{shown} is not a regular file; the file was left unchanged");
    }
    // A rename gives the new content to this name only; the other names would keep the old file.
    if before.more.links() > 1 {
        let links = before.more.links();
        bail!("{shown} has {links} hard links; --write would break them; the file was left unchanged");
    }
    unchanged(before, &target)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    // The name only tells a person what a left-over file was; cut to 100 bytes (at a character boundary), a long
    // one still leaves room in a file name (255 bytes at most) for the random part and the suffix.
    let full = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let cut = (0..=full.len().min(100)).rev().find(|&at| full.is_char_boundary(at)).unwrap_or(0);
    let name = &full[..cut];
    // A random name, created with O_CREAT | O_EXCL (which never follows a link) and mode 0600: the name cannot be
    // planted in advance, and nobody else can read the file before its mode is set. Dropping it deletes it, so
    // every failure below leaves no temporary file behind.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".dfmt.tmp")
        .tempfile_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    let temp_path = temp.path().to_owned();
    platform::keep_owner_and_mode(&mut temp, &before.more, &target, content)?;
    // Before the rename, or a crash could leave the new name on a file whose content never reached the disk.
    temp.as_file().sync_all().with_context(|| format!("syncing {}", temp_path.display()))?;
    unchanged(before, &target)?;
    temp.persist(&target).map_err(|e| e.error).with_context(|| format!("replacing {shown}"))?;
    Ok(dir)
}

/// The file that a rewrite of `path` replaces: `path` itself, or the file a symbolic link points to. Users keep
/// dotfiles as links into a dotfiles repository: replacing the link by a regular file would silently take the file
/// out of the repository, so the link stays and its target gets the new content, in the target's folder.
fn resolve(path: &Path) -> Result<PathBuf> {
    let metadata = fs::symlink_metadata(path).with_context(|| format!("reading metadata of {}", path.display()))?;
    if metadata.file_type().is_symlink() {
        fs::canonicalize(path).with_context(|| format!("resolving the link {}", path.display()))
    } else {
        Ok(path.to_owned())
    }
}

#[cfg(unix)]
mod platform {
    use anyhow::{Context, Result, bail};
    use std::fs::{Metadata, Permissions};
    use std::io::{ErrorKind, Write};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;
    use tempfile::NamedTempFile;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) struct Identity {
        dev: u64,
        ino: u64,
        mtime: (i64, i64),
        ctime: (i64, i64),
        mode: u32,
        uid: u32,
        gid: u32,
        nlink: u64,
    }

    impl Identity {
        pub(super) fn of(metadata: &Metadata) -> Identity {
            Identity {
                dev: metadata.dev(),
                ino: metadata.ino(),
                mtime: (metadata.mtime(), metadata.mtime_nsec()),
                ctime: (metadata.ctime(), metadata.ctime_nsec()),
                mode: metadata.mode(),
                uid: metadata.uid(),
                gid: metadata.gid(),
                nlink: metadata.nlink(),
            }
        }

        pub(super) fn links(&self) -> u64 {
            self.nlink
        }
    }

    /// Gives the temporary file the original's owner, group and mode, then writes `content` into it.
    pub(super) fn keep_owner_and_mode(
        temp: &mut NamedTempFile,
        before: &Identity,
        target: &Path,
        content: &[u8],
    ) -> Result<()> {
        let temp_path = temp.path().to_owned();
        keep_owner(temp.as_file(), before, target)?;
        // After the owner: changing the owner clears the set-user-ID and set-group-ID bits.
        let permissions = Permissions::from_mode(before.mode & 0o7777);
        temp.as_file()
            .set_permissions(permissions.clone())
            .with_context(|| format!("setting permissions of {}", temp_path.display()))?;
        temp.write_all(content).with_context(|| format!("writing {}", temp_path.display()))?;
        // Writing clears the set-ID bits unless the writer is privileged; they are set again, now the content is in.
        if before.mode & 0o6000 != 0 {
            temp.as_file()
                .set_permissions(permissions)
                .with_context(|| format!("setting permissions of {}", temp_path.display()))?;
        }
        Ok(())
    }

    /// Gives the temporary file the owner and group of the original. Only root may give a file away; anyone else
    /// gets a refusal rather than a file that silently changed hands.
    fn keep_owner(file: &std::fs::File, before: &Identity, target: &Path) -> Result<()> {
        let now = file.metadata().context("reading metadata of the temporary file")?;
        if (now.uid(), now.gid()) == (before.uid, before.gid) {
            return Ok(());
        }
        match std::os::unix::fs::fchown(file, Some(before.uid), Some(before.gid)) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == ErrorKind::PermissionDenied => bail!(
                "{} belongs to {}:{}, an owner dfmt may not give the new file; the file was left unchanged",
                target.display(),
                before.uid,
                before.gid
            ),
            Err(error) => Err(error).with_context(|| format!("setting the owner of a new {}", target.display())),
        }
    }

    /// Makes the renames in `dir` durable: without this, a crash soon after could bring back the old file.
    pub(super) fn sync_folder(dir: &Path) -> Result<()> {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("syncing the folder {}", dir.display()))
    }
}

/// Windows (built, not run by the tests): the file's identity is what stable Rust reads of it, its size, times and
/// attributes (the file index and link count are not yet stable in `std`, so a second hard link goes unnoticed);
/// the new file inherits its access rules from the folder, as any new file there does, and keeps the read-only
/// attribute. Folders cannot be opened to be synced; the rename is as durable as `MoveFileEx` makes it.
#[cfg(windows)]
mod platform {
    use anyhow::{Context, Result};
    use std::fs::Metadata;
    use std::io::Write;
    use std::os::windows::fs::MetadataExt;
    use std::path::Path;
    use tempfile::NamedTempFile;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) struct Identity {
        created: u64,
        written: u64,
        attributes: u32,
        read_only: bool,
    }

    impl Identity {
        pub(super) fn of(metadata: &Metadata) -> Identity {
            Identity {
                created: metadata.creation_time(),
                written: metadata.last_write_time(),
                attributes: metadata.file_attributes(),
                read_only: metadata.permissions().readonly(),
            }
        }

        pub(super) fn links(&self) -> u64 {
            1
        }
    }

    /// Writes `content` into the temporary file, then gives it the original's read-only attribute.
    pub(super) fn keep_owner_and_mode(
        temp: &mut NamedTempFile,
        before: &Identity,
        _target: &Path,
        content: &[u8],
    ) -> Result<()> {
        let temp_path = temp.path().to_owned();
        temp.write_all(content).with_context(|| format!("writing {}", temp_path.display()))?;
        if before.read_only {
            let mut permissions = temp.as_file().metadata().context("reading the temporary file")?.permissions();
            permissions.set_readonly(true);
            temp.as_file()
                .set_permissions(permissions)
                .with_context(|| format!("setting permissions of {}", temp_path.display()))?;
        }
        Ok(())
    }

    pub(super) fn sync_folder(_dir: &Path) -> Result<()> {
        Ok(())
    }
}

/// Makes the renames in `dir` durable: without this, a crash soon after could bring back the old file.
pub(crate) fn sync_folder(dir: &Path) -> Result<()> {
    platform::sync_folder(dir)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // Tests fail loudly by design.

    use super::*;
    use std::io::Write;

    #[test]
    fn unchanged_notices_any_change_since_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        fs::write(&path, "{}").unwrap();
        let (_, before) = read(&path).unwrap();
        unchanged(&before, &path).unwrap();

        // More content.
        fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b" ").unwrap();
        let error = unchanged(&before, &path).unwrap_err().to_string();
        assert!(error.ends_with("a.json changed while dfmt was formatting it; left unchanged"), "{error}");

        // Same length, other bytes, the modification time put back: the change time still differs.
        let (_, before) = read(&path).unwrap();
        let mtime = fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
        (&file).write_all(b"[]").unwrap();
        file.set_modified(mtime).unwrap();
        assert!(unchanged(&before, &path).is_err());

        // Another file renamed over it, with the same content.
        let (_, before) = read(&path).unwrap();
        let other = dir.path().join("b.json");
        fs::copy(&path, &other).unwrap();
        fs::rename(&other, &path).unwrap();
        assert!(unchanged(&before, &path).is_err());

        // A new hard link.
        let (_, before) = read(&path).unwrap();
        fs::hard_link(&path, dir.path().join("c.json")).unwrap();
        assert!(unchanged(&before, &path).is_err());

        // Gone.
        let (_, before) = read(&path).unwrap();
        fs::remove_file(&path).unwrap();
        assert!(unchanged(&before, &path).is_err());
    }
}
