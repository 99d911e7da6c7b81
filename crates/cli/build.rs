//! Names the git commit the binary is built from, for `dfmt --version`: `DFMT_GIT_COMMIT` if set (a build from
//! an archive), else `git` in the checkout, else the commit cargo recorded when it packaged the crate
//! (`.cargo_vcs_info.json`, a build from crates.io), else `unknown`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=DFMT_GIT_COMMIT");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let commit = std::env::var("DFMT_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| from_git(Path::new(&dir)))
        .or_else(|| from_package(Path::new(&dir)))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=DFMT_GIT_COMMIT={commit}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn from_git(dir: &Path) -> Option<String> {
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    // Build again when HEAD moves (a commit, a checkout).
    // Only files that exist: cargo runs a build script every time when a file it watches is missing.
    if let Some(git_dir) = git(dir, &["rev-parse", "--absolute-git-dir"]) {
        let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
        watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
        for file in watched {
            let path = Path::new(&git_dir).join(file);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}

fn from_package(dir: &Path) -> Option<String> {
    let info = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let at = info.find("\"sha1\"")?;
    let rest = &info[at + 6..];
    let start = rest.find('"')? + 1;
    let sha = rest[start..].split('"').next()?;
    Some(sha.chars().take(12).collect())
}
