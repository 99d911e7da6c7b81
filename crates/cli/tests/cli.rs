//! The real `dfmt` binary, run as users run it: exit codes, standard input, --check, --write, folders.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn dfmt(args: &[&str], dir: &Path, stdin: &[u8]) -> Output {
    run(&mut command(args, dir), stdin)
}

/// `dfmt` with `args`, run in `dir`.
fn command(args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dfmt"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

fn run(command: &mut Command, stdin: &[u8]) -> Output {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // dfmt may exit before reading its input (a usage error, a file argument): that closes the pipe early.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const UGLY: &str = "{\"b\":[1,2.50,-0],\"a\":{}}";
const PRETTY: &str = "{\n  \"b\": [\n    1,\n    2.50,\n    -0\n  ],\n  \"a\": {}\n}\n";

#[test]
fn formats_standard_input_and_dash() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["fmt"][..], &["fmt", "-"][..]] {
        let out = dfmt(args, dir.path(), UGLY.as_bytes());
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), PRETTY);
    }
    let out = dfmt(&["fmt", "--compact"], dir.path(), PRETTY.as_bytes());
    assert_eq!(text(&out.stdout), format!("{UGLY}\n"));
    let out = dfmt(&["fmt", "--indent", "4", "--sort-keys"], dir.path(), UGLY.as_bytes());
    assert_eq!(text(&out.stdout), "{\n    \"a\": {},\n    \"b\": [\n        1,\n        2.50,\n        -0\n    ]\n}\n");
    let out = dfmt(&["fmt", "--tab"], dir.path(), b"[1]");
    assert_eq!(text(&out.stdout), "[\n\t1\n]\n");
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.json"), PRETTY).unwrap();
    fs::write(dir.path().join("bad.json"), "{\"a\": }").unwrap();
    assert_eq!(code(&dfmt(&["validate", "ok.json"], dir.path(), b"")), 0);
    let out = dfmt(&["validate", "ok.json", "bad.json"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).starts_with("bad.json:1:7: error: expected a value, found '}'"), "{}", text(&out.stderr));
    assert_eq!(code(&dfmt(&["validate", "missing.json"], dir.path(), b"")), 2);
    assert_eq!(code(&dfmt(&["fmt", "--no-such-flag"], dir.path(), b"")), 2);
    assert_eq!(code(&dfmt(&["convert", "--to", "xml"], dir.path(), b"")), 2);
    // An invalid input prints nothing on standard output.
    let out = dfmt(&["fmt"], dir.path(), b"[1, 2");
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).starts_with("<stdin>:1:6: error: "), "{}", text(&out.stderr));
}

/// The held output (`stdout.rs`, `region.rs`) on files large enough to be read into a mapping of their own and to
/// need many batches of output pages: valid, it is all printed; invalid, nothing is, until the output passes the
/// 8 MiB hold and streams (the exit code still says it failed).
#[test]
fn large_outputs_are_held_whole_until_the_input_is_known_good() {
    let dir = tempfile::tempdir().unwrap();
    let entry = |i: usize| format!("- name: item {i}\n  tags: [a, b]\n  size: {i}\n");
    let valid: String = (0..60_000).map(entry).collect(); // 2 MB of YAML, about 6 MB of JSON
    fs::write(dir.path().join("valid.yaml"), &valid).unwrap();
    let out = dfmt(&["convert", "--to", "json", "valid.yaml"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = data.as_array().unwrap();
    assert_eq!(items.len(), 60_000);
    assert_eq!(items[59_999], serde_json::json!({"name": "item 59999", "tags": ["a", "b"], "size": 59_999}));

    fs::write(dir.path().join("invalid.yaml"), format!("{valid}- [unclosed\n")).unwrap();
    let out = dfmt(&["convert", "--to", "json", "invalid.yaml"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty(), "{} bytes printed", out.stdout.len());
    assert!(
        text(&out.stderr).starts_with("invalid.yaml:180002:1: error: unterminated flow collection"),
        "{}",
        text(&out.stderr)
    );

    // Past the hold: 3 × the output above.
    let longer: String = (0..180_000).map(entry).collect();
    fs::write(dir.path().join("long.yaml"), format!("{longer}- [unclosed\n")).unwrap();
    let out = dfmt(&["convert", "--to", "json", "long.yaml"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    assert!(out.stdout.len() >= 8 << 20, "{} bytes printed", out.stdout.len());
    assert!(
        text(&out.stderr).starts_with("long.yaml:540002:1: error: unterminated flow collection"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_lists_changed_files_and_diff_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pretty.json"), PRETTY).unwrap();
    fs::write(dir.path().join("ugly.json"), UGLY).unwrap();
    let out = dfmt(&["fmt", "--check", "pretty.json"], dir.path(), b"");
    assert_eq!(code(&out), 0);
    assert!(out.stdout.is_empty());
    let out = dfmt(&["fmt", "--check", "pretty.json", "ugly.json"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    assert_eq!(text(&out.stdout), "ugly.json\n");
    assert!(text(&out.stderr).contains("2 files checked: 1 would be reformatted"), "{}", text(&out.stderr));
    let out = dfmt(&["fmt", "--check", "--diff", "ugly.json"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    let diff = text(&out.stdout);
    assert!(diff.starts_with("--- ugly.json\n+++ ugly.json\n"), "{diff}");
    assert!(diff.contains("-{\"b\":[1,2.50,-0],\"a\":{}}") && diff.contains("+    2.50,"), "{diff}");
    // --check never writes.
    assert_eq!(fs::read_to_string(dir.path().join("ugly.json")).unwrap(), UGLY);
}

#[test]
fn write_rewrites_in_place_keeping_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ugly.json");
    fs::write(&path, UGLY).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let out = dfmt(&["fmt", "--write", "ugly.json"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&path).unwrap(), PRETTY);
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    // No temporary files are left behind.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn write_keeps_a_comment_after_a_flow_collection() {
    // The comment after `]` lands after `x` in block style, still after the same node: not a change of data
    // (the safety net refused these files with "internal: formatting changed the data").
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.yaml");
    fs::write(&path, "a: [x] # c\nb: {k: v} # d\n").unwrap();
    let out = dfmt(&["fmt", "--write", "c.yaml"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&path).unwrap(), "a:\n  - x # c\nb:\n  k: v # d\n");
}

#[test]
fn write_leaves_an_invalid_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    let original = b"{\"a\": [1, 2,]}\n  \xff";
    fs::write(&path, original).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    let out = dfmt(&["fmt", "--write", "bad.json"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).starts_with("bad.json:1:12: error: trailing comma before ']'"), "{}", text(&out.stderr));
    assert_eq!(fs::read(&path).unwrap(), original);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    // Standard input cannot be rewritten.
    assert_eq!(code(&dfmt(&["fmt", "--write"], dir.path(), b"{}")), 2);
}

/// The entries of `dir` whose names mark them as dfmt's temporary files (the old `.NAME.dfmt-PID.tmp` and the
/// current `.NAME.RANDOM.dfmt.tmp`).
fn temporary_files(dir: &Path) -> Vec<String> {
    let names = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    names.filter(|n| n.starts_with('.') && n.contains(".dfmt") && n.ends_with(".tmp")).collect()
}

/// A neighbour who can write to the folder plants links at the names the temporary file may take, pointing at a
/// file of the victim's (the old name held dfmt's process id, the next ones to be handed out are easy to guess).
/// Nothing may be written through them, and nothing may change the victim's mode.
#[test]
fn write_ignores_links_planted_at_temporary_names() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, "secret").unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
    let path = dir.path().join("ugly.json");
    fs::write(&path, UGLY).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    let last: u32 = fs::read_to_string("/proc/sys/kernel/ns_last_pid").unwrap().trim().parse().unwrap();
    let max: u32 = fs::read_to_string("/proc/sys/kernel/pid_max").unwrap().trim().parse().unwrap();
    let mut planted: Vec<String> = (1..=20_000)
        .map(|k| last + k)
        .map(|pid| if pid < max { pid } else { 300 + (pid - max) % (max - 300) })
        .map(|pid| format!(".ugly.json.dfmt-{pid}.tmp"))
        .collect();
    planted.extend(
        [".ugly.json.dfmt.tmp", ".ugly.json.tmp", ".ugly.json..dfmt.tmp", ".ugly.json.000000.dfmt.tmp"]
            .map(String::from),
    );
    for name in &planted {
        std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
    }

    let out = dfmt(&["fmt", "--write", "ugly.json"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "secret");
    assert_eq!(fs::metadata(&victim).unwrap().permissions().mode() & 0o777, 0o600);
    let file = fs::symlink_metadata(&path).unwrap();
    assert!(file.file_type().is_file());
    assert_eq!(file.permissions().mode() & 0o777, 0o644);
    assert_eq!(fs::read_to_string(&path).unwrap(), PRETTY);
    // The planted links are still there, still pointing at the victim; dfmt added nothing.
    for name in &planted {
        assert_eq!(fs::read_link(dir.path().join(name)).unwrap(), victim);
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), planted.len() + 2);
}

/// The rewritten file keeps its mode, and its content never sits in a file that others may read: the temporary
/// file of a 0600 file is 0600 from its creation on (watched while dfmt writes a large file).
#[test]
fn write_gives_the_temporary_file_its_mode_before_any_byte() {
    let dir = tempfile::tempdir().unwrap();
    for (name, mode) in [("private.json", 0o600), ("script.json", 0o755)] {
        fs::write(dir.path().join(name), UGLY).unwrap();
        fs::set_permissions(dir.path().join(name), fs::Permissions::from_mode(mode)).unwrap();
        let out = dfmt(&["fmt", "--write", name], dir.path(), b"");
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        assert_eq!(fs::read_to_string(dir.path().join(name)).unwrap(), PRETTY);
        assert_eq!(fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o7777, mode);
    }

    let big = dir.path().join("big.json");
    let rows: Vec<String> =
        (0..100_000).map(|i| format!("{{\"id\":{i},\"tags\":[\"a\",\"b\"],\"ok\":true}}")).collect();
    fs::write(&big, format!("[{}]", rows.join(","))).unwrap();
    fs::set_permissions(&big, fs::Permissions::from_mode(0o600)).unwrap();
    let mut child = command(&["fmt", "--write", "big.json"], dir.path()).stderr(Stdio::piped()).spawn().unwrap();
    let mut modes = std::collections::BTreeSet::new();
    while child.try_wait().unwrap().is_none() {
        for name in temporary_files(dir.path()) {
            if let Ok(metadata) = fs::symlink_metadata(dir.path().join(name)) {
                modes.insert(metadata.permissions().mode() & 0o7777);
            }
        }
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(!modes.is_empty(), "the temporary file was never seen");
    assert_eq!(modes.into_iter().collect::<Vec<_>>(), [0o600]);
    assert_eq!(fs::metadata(&big).unwrap().permissions().mode() & 0o7777, 0o600);
}

/// Root rewriting someone else's file keeps it theirs; anyone else cannot give a file away, and gets a refusal
/// rather than a file that changed owner.
#[test]
fn write_keeps_the_owner_or_refuses() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: only root may create files owned by others and run dfmt as another user");
        return;
    }
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("theirs.json");
    fs::write(&path, UGLY).unwrap();
    std::os::unix::fs::chown(&path, Some(1234), Some(1234)).unwrap();
    let out = dfmt(&["fmt", "--write", "theirs.json"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&path).unwrap(), PRETTY);
    let metadata = fs::metadata(&path).unwrap();
    assert_eq!((metadata.uid(), metadata.gid()), (1234, 1234));

    // A folder that user 1234 may write to, holding a file of user 4321's that 1234 may read.
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    std::os::unix::fs::chown(&shared, Some(1234), Some(1234)).unwrap();
    let path = shared.join("theirs.json");
    fs::write(&path, UGLY).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::chown(&path, Some(4321), Some(4321)).unwrap();
    let out = run(command(&["fmt", "--write", "theirs.json"], &shared).uid(1234).gid(1234), b"");
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "theirs.json: error: theirs.json belongs to 4321:4321, an owner dfmt may not give the new file; \
         the file was left unchanged\n"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), UGLY);
    let metadata = fs::metadata(&path).unwrap();
    assert_eq!((metadata.uid(), metadata.gid()), (4321, 4321));
    assert_eq!(fs::read_dir(&shared).unwrap().count(), 1);
}

/// A link (a dotfile kept in a dotfiles repository) stays a link; the file it points to gets the new content.
#[test]
fn write_through_a_link_rewrites_its_target() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("dots")).unwrap();
    let target = dir.path().join("dots/real.json");
    fs::write(&target, UGLY).unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("dots/real.json", &link).unwrap();

    let out = dfmt(&["fmt", "--write", "link.json"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("dots/real.json"));
    assert_eq!(fs::read_to_string(&target).unwrap(), PRETTY);
    assert_eq!(fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    assert_eq!(fs::read_dir(dir.path().join("dots")).unwrap().count(), 1);
}

/// A rename would give the new content to one name of a file with hard links and leave the others on the old.
#[test]
fn write_refuses_a_file_with_hard_links() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), UGLY).unwrap();
    fs::hard_link(dir.path().join("a.json"), dir.path().join("b.json")).unwrap();
    let out = dfmt(&["fmt", "--write", "a.json"], dir.path(), b"");
    assert_eq!(code(&out), 2);
    assert_eq!(
        text(&out.stderr),
        "a.json: error: a.json has 2 hard links; --write would break them; the file was left unchanged\n"
    );
    for name in ["a.json", "b.json"] {
        assert_eq!(fs::read_to_string(dir.path().join(name)).unwrap(), UGLY);
        assert_eq!(fs::metadata(dir.path().join(name)).unwrap().nlink(), 2);
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// Durability, as the system calls show it: the new file is synced before it takes the name, and the folder
/// after (once for a batch). Needs strace (scripts/test installs it); skipped without it, except in CI.
#[test]
fn write_syncs_the_file_before_the_rename_and_the_folder_after() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = fs::canonicalize(dir.path()).unwrap();
    for name in ["a.json", "b.json", "c.json"] {
        fs::write(dir_path.join(name), UGLY).unwrap();
    }
    let trace = dir_path.join("trace");
    let traced = Command::new("strace")
        .args(["-f", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_dfmt"))
        .args(["fmt", "--write", "a.json", "b.json", "c.json"])
        .current_dir(&dir_path)
        .output();
    let in_ci = std::env::var_os("CI").is_some_and(|v| v == "true");
    let out = match traced {
        Ok(out) => out,
        Err(error) if !in_ci => return eprintln!("skipped: no strace: {error}"),
        Err(error) => panic!("strace is needed in CI (scripts/test installs it): {error}"),
    };
    // strace exits with dfmt's code, and says why when it cannot trace (no ptrace in a container, say).
    if !out.status.success() && text(&out.stderr).starts_with("strace: ") {
        assert!(!in_ci, "strace cannot trace in CI: {}", text(&out.stderr));
        return eprintln!("skipped: strace cannot trace here: {}", text(&out.stderr));
    }
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let trace = fs::read_to_string(trace).unwrap();
    // Lines in the order the calls started (a call another thread interrupts ends on a later "resumed" line).
    let calls: Vec<&str> = trace.lines().collect();
    let folder = format!("<{}>", dir_path.display());
    let is_folder_sync = |l: &str| l.contains("fsync(") && l.contains(&folder);
    for name in ["a.json", "b.json", "c.json"] {
        let temp = format!("/.{name}.");
        let synced = calls.iter().position(|l| l.contains("fsync(") && l.contains(&temp)).unwrap();
        let renamed = calls.iter().position(|l| l.contains("rename") && l.contains(&temp)).unwrap();
        let folder_synced = calls.iter().rposition(|l| is_folder_sync(l)).unwrap();
        assert!(synced < renamed && renamed < folder_synced, "{name}:\n{trace}");
    }
    assert_eq!(calls.iter().filter(|l| is_folder_sync(l)).count(), 1, "{trace}");
    for name in ["a.json", "b.json", "c.json"] {
        assert_eq!(fs::read_to_string(dir_path.join(name)).unwrap(), PRETTY);
    }
}

/// One file named twice (as written, with `./`, through its folder, through a link) is rewritten once: two
/// workers on one file used to fail each other.
#[test]
fn write_formats_a_file_named_twice_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    std::os::unix::fs::symlink("a.json", dir.path().join("link.json")).unwrap();
    for args in [["a.json", "a.json"], ["a.json", "./a.json"], [".", "a.json"], ["link.json", "a.json"]] {
        for _ in 0..20 {
            fs::write(&path, UGLY).unwrap();
            let out = dfmt(&["fmt", "--write", args[0], args[1]], dir.path(), b"");
            assert_eq!(code(&out), 0, "{args:?}: {}", text(&out.stderr));
            assert_eq!(fs::read_to_string(&path).unwrap(), PRETTY);
            assert!(temporary_files(dir.path()).is_empty());
        }
    }
}

#[test]
fn folders_are_walked_honouring_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("sub/deeper")).unwrap();
    fs::create_dir_all(root.join("ignored-dir")).unwrap();
    fs::write(root.join(".gitignore"), "ignored.json\nignored-dir/\n").unwrap();
    fs::write(root.join("sub/.ignore"), "*.jsonc\n").unwrap();
    for name in ["a.json", "ignored.json", "ignored-dir/x.json", "sub/b.ndjson", "sub/c.jsonc", "sub/deeper/d.json"] {
        fs::write(root.join(name), "{\"x\":1}\n").unwrap();
    }
    fs::write(root.join("notes.txt"), "not json").unwrap();
    let out = dfmt(&["fmt", "--check", "."], root, b"");
    assert_eq!(code(&out), 1);
    // Stable order, whatever the threads did; only selected, non-ignored files.
    assert_eq!(text(&out.stdout), "./a.json\n./sub/deeper/d.json\n");
    assert!(text(&out.stderr).contains("3 files checked: 2 would be reformatted"), "{}", text(&out.stderr));
    let out = dfmt(&["fmt", "--write", "."], root, b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(root.join("sub/deeper/d.json")).unwrap(), "{\n  \"x\": 1\n}\n");
    assert_eq!(fs::read_to_string(root.join("ignored.json")).unwrap(), "{\"x\":1}\n");
    assert_eq!(code(&dfmt(&["fmt", "--check", "."], root, b"")), 0);
}

#[test]
fn batches_keep_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..40).map(|i| format!("f{i:02}.json")).collect();
    for (i, name) in names.iter().enumerate() {
        // Make early files slower, so that threads finish out of order.
        let body = format!("[{}{i}]", "0,".repeat((40 - i) * 2000));
        fs::write(dir.path().join(name), body).unwrap();
    }
    let mut args = vec!["fmt", "--compact"];
    args.extend(names.iter().map(String::as_str));
    let out = dfmt(&args, dir.path(), b"");
    assert_eq!(code(&out), 0);
    let lasts: Vec<String> =
        text(&out.stdout).lines().map(|l| l.rsplit(',').next().unwrap().trim_end_matches(']').to_owned()).collect();
    let expected: Vec<String> = (0..40).map(|i| i.to_string()).collect();
    assert_eq!(lasts, expected);
}

#[test]
fn convert_between_json_and_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let out = dfmt(&["convert", "--to", "ndjson"], dir.path(), b"[{\"a\": 1}, 2, [3]]");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\"a\":1}\n2\n[3]\n");
    let out = dfmt(&["convert", "--from", "ndjson", "--to", "json"], dir.path(), b"{\"a\":1}\n\n2\n[3]\n");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "[\n  {\n    \"a\": 1\n  },\n  2,\n  [\n    3\n  ]\n]\n");
    let out = dfmt(&["convert", "--from", "ndjson", "--to", "json", "--compact"], dir.path(), b"1\n2\n");
    assert_eq!(text(&out.stdout), "[1,2]\n");
    // By extension.
    fs::write(dir.path().join("rows.jsonl"), "{\"a\":1}\n{\"a\":2}\n").unwrap();
    let out = dfmt(&["convert", "--to", "json", "--compact", "rows.jsonl"], dir.path(), b"");
    assert_eq!(text(&out.stdout), "[{\"a\":1},{\"a\":2}]\n");
}

#[test]
fn jsonc_keeps_comments_and_json_points_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let source = "// settings\n{\n    \"a\": 1, // one\n    /* the list */\n    \"b\": [2,],\n}\n";
    fs::write(dir.path().join("s.jsonc"), source).unwrap();
    let out = dfmt(&["fmt", "s.jsonc"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "// settings\n{\n  \"a\": 1, // one\n  /* the list */\n  \"b\": [\n    2\n  ]\n}\n");
    let out = dfmt(&["validate", "--from", "json", "s.jsonc"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.starts_with("s.jsonc:1:1: error: comments are not allowed in JSON"), "{err}");
    assert!(err.contains("comments are allowed with --from jsonc"), "{err}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("[{}1]", "{\"key\": [1, 2, 3]},".repeat(400_000));
    fs::write(dir.path().join("big.json"), big).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfmt"))
        .args(["fmt", "big.json"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    child.stdout.as_mut().unwrap().read_exact(&mut head).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn help_version_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dfmt(&["--help"], dir.path(), b"");
    assert_eq!(code(&out), 0);
    let help = text(&out.stdout);
    for needle in ["fmt", "validate", "convert", "completions", "Examples:", "Exit codes:"] {
        assert!(help.contains(needle), "{needle} missing from\n{help}");
    }
    let out = dfmt(&["fmt", "--help"], dir.path(), b"");
    for needle in ["--check", "--diff", "--write", "--indent", "--tab", "--compact", "--sort-keys", "--from"] {
        assert!(text(&out.stdout).contains(needle), "{needle}");
    }
    let out = dfmt(&["--version"], dir.path(), b"");
    assert_eq!(text(&out.stdout), format!("dfmt {} ({})\n", env!("CARGO_PKG_VERSION"), env!("DFMT_GIT_COMMIT")));
    // Built in a git checkout (as the tests are), the commit is the checkout's.
    let head = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    if head.status.success() && std::env::var_os("DFMT_GIT_COMMIT").is_none() {
        assert_eq!(env!("DFMT_GIT_COMMIT"), text(&head.stdout).trim());
    }
    for shell in ["bash", "zsh", "fish"] {
        let out = dfmt(&["completions", shell], dir.path(), b"");
        assert_eq!(code(&out), 0);
        assert!(text(&out.stdout).contains("validate"), "{shell}");
    }
}

#[test]
fn man_pages_for_packagers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dfmt(&["manpages", "man"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let page = std::fs::read_to_string(dir.path().join("man/dfmt-fmt.1")).unwrap();
    assert!(page.contains("\\-\\-write") || page.contains("--write"), "{page}");
    for name in ["dfmt", "dfmt-validate", "dfmt-convert", "dfmt-serve", "dfmt-completions"] {
        assert!(dir.path().join(format!("man/{name}.1")).is_file(), "{name}.1");
    }
    // Hidden from the help, and from the pages.
    assert!(!text(&dfmt(&["--help"], dir.path(), b"").stdout).contains("manpages"));
    assert!(!dir.path().join("man/dfmt-manpages.1").exists());
    // A folder that cannot be made: an error naming it, exit 2.
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let out = dfmt(&["manpages", "file/man"], dir.path(), b"");
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("file/man"), "{}", text(&out.stderr));
}

#[test]
fn depth_limit_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let deep = "[".repeat(100_000);
    let out = dfmt(&["validate"], dir.path(), deep.as_bytes());
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).starts_with("<stdin>:1:1025: error: nesting is deeper than the limit of 1024"));
    let nested = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    assert_eq!(code(&dfmt(&["validate"], dir.path(), nested.as_bytes())), 1);
    assert_eq!(code(&dfmt(&["validate", "--max-depth", "5000"], dir.path(), nested.as_bytes())), 0);
}

#[test]
fn yaml_converts_one_json_text_or_line_per_document() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("two.yaml"), "a: 0x1F\nb: [yes, ~]\n---\n- 1.0\n").unwrap();
    let out = dfmt(&["convert", "--to", "json", "two.yaml"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\n  \"a\": 31,\n  \"b\": [\n    \"yes\",\n    null\n  ]\n}\n[\n  1.0\n]\n");
    let out = dfmt(&["convert", "--to", "ndjson", "two.yaml"], dir.path(), b"");
    assert_eq!(text(&out.stdout), "{\"a\":31,\"b\":[\"yes\",null]}\n[1.0]\n");
    // JSON and NDJSON to YAML: one document per value; strings that YAML 1.1 would misread are quoted.
    let out = dfmt(&["convert", "--from", "ndjson", "--to", "yaml"], dir.path(), b"{\"on\":\"0755\"}\n[1]\n");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "\"on\": \"0755\"\n---\n- 1\n");
    // Standard input is sniffed as YAML.
    let out = dfmt(&["convert", "--to", "json", "--compact"], dir.path(), b"# c\nk: v\n");
    assert_eq!(text(&out.stdout), "{\"k\":\"v\"}\n");
}

#[test]
fn yaml_aliases_merges_and_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = b"base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n";
    let out = dfmt(&["convert", "--from", "yaml", "--to", "json", "--compact"], dir.path(), yaml);
    assert_eq!(text(&out.stdout), "{\"base\":{\"x\":1,\"y\":2},\"use\":{\"x\":1,\"y\":3}}\n");
    let out =
        dfmt(&["convert", "--from", "yaml", "--to", "json", "--compact", "--yaml-merge-keys=false"], dir.path(), yaml);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\"base\":{\"x\":1,\"y\":2},\"use\":{\"<<\":{\"x\":1,\"y\":2},\"y\":3}}\n");
    // Billion laughs: nine levels of ten aliases is a clean error, fast.
    let mut laughs = String::from("a0: &a0 [lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let started = std::time::Instant::now();
    let out = dfmt(&["convert", "--from", "yaml", "--to", "json"], dir.path(), laughs.as_bytes());
    assert_eq!(code(&out), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
    let err = text(&out.stderr);
    assert!(err.contains("alias expansion exceeds the limit of 1000000 nodes"), "{err}");
    assert!(out.stdout.len() < 64 << 20, "printed {} bytes before failing", out.stdout.len());
    // The limit is configurable: five levels (111,110 nodes) pass by default and fail under a lower limit.
    let five: String = laughs.lines().take(6).map(|l| format!("{l}\n")).collect();
    let out = dfmt(&["convert", "--from", "yaml", "--to", "json", "--compact"], dir.path(), five.as_bytes());
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let out =
        dfmt(&["convert", "--from", "yaml", "--to", "json", "--max-alias-nodes", "5000"], dir.path(), five.as_bytes());
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("limit of 5000 nodes"), "{}", text(&out.stderr));
    // The byte budget's flag: a negative or oversized value is refused by name; 0 leaves 10 bytes per input byte.
    for bad in ["-1", "18446744073709551616", "1e9"] {
        let flag = format!("--max-alias-bytes={bad}");
        let out = dfmt(&["convert", "--from", "yaml", "--to", "json", &flag], dir.path(), b"a: 1\n");
        assert_eq!(code(&out), 2, "{bad}");
        assert!(text(&out.stderr).contains("--max-alias-bytes"), "{}", text(&out.stderr));
    }
    let long = format!("s: &s {}\nt: [{}]\n", "x".repeat(1000), vec!["*s"; 200].join(", "));
    let out =
        dfmt(&["convert", "--from", "yaml", "--to", "json", "--max-alias-bytes", "0"], dir.path(), long.as_bytes());
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("alias"), "{}", text(&out.stderr));
}

#[test]
fn yaml_data_errors_name_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dfmt(&["convert", "--from", "yaml", "--to", "json"], dir.path(), b"a: 1\nb: 2\na: 3\n");
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.starts_with("<stdin>:3:1: error: duplicate key"), "{err}");
    assert!(err.contains("first defined at <stdin>:1:1"), "{err}");
    let out = dfmt(&["convert", "--from", "yaml", "--to", "json"], dir.path(), b"when: !timestamp 2001-12-14\n");
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.starts_with("<stdin>:1:7: error: the tag !timestamp has no meaning"), "{err}");
    let out = dfmt(
        &["convert", "--from", "yaml", "--to", "json", "--yaml-drop-tags"],
        dir.path(),
        b"when: !timestamp 2001-12-14\n",
    );
    assert_eq!(text(&out.stdout), "{\n  \"when\": \"2001-12-14\"\n}\n");
    let out = dfmt(&["convert", "--from", "yaml", "--to", "json"], dir.path(), b"x: .inf\n");
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).starts_with("<stdin>:1:4: error: NaN and Infinity"), "{}", text(&out.stderr));
}

#[test]
fn yaml_fmt_keeps_comments_and_check_write_work() {
    let dir = tempfile::tempdir().unwrap();
    let source = "# top\nkey:   value   # trailing\n\n\n\nlist:\n- a\n-   b\n";
    fs::write(dir.path().join("c.yml"), source).unwrap();
    let out = dfmt(&["fmt", "c.yml"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let formatted = "# top\nkey: value # trailing\n\nlist:\n  - a\n  - b\n";
    assert_eq!(text(&out.stdout), formatted);
    let out = dfmt(&["fmt", "--yaml-seq-indent=false", "c.yml"], dir.path(), b"");
    assert_eq!(text(&out.stdout), "# top\nkey: value # trailing\n\nlist:\n- a\n- b\n");
    assert_eq!(code(&dfmt(&["fmt", "--check", "c.yml"], dir.path(), b"")), 1);
    assert_eq!(code(&dfmt(&["fmt", "--write", "c.yml"], dir.path(), b"")), 0);
    assert_eq!(fs::read_to_string(dir.path().join("c.yml")).unwrap(), formatted);
    assert_eq!(code(&dfmt(&["fmt", "--check", "c.yml"], dir.path(), b"")), 0);
}

#[test]
fn toml_converts_to_and_from_json_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let src = "title = \"x\" # comment\nhex = 0x1F\nbig = 1_000\nwhen = 1979-05-27 07:32:00Z\n\n[a.b]\nc = [1, 2.5]\n\n[[p]]\nn = 1\n[[p]]\nn = 2\n";
    fs::write(dir.path().join("c.toml"), src).unwrap();
    let out = dfmt(&["convert", "--to", "json", "c.toml"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let json = "{\n  \"title\": \"x\",\n  \"hex\": 31,\n  \"big\": 1000,\n  \"when\": \"1979-05-27 07:32:00Z\",\n  \"a\": {\n    \
                \"b\": {\n      \"c\": [\n        1,\n        2.5\n      ]\n    }\n  },\n  \"p\": [\n    {\n      \"n\": 1\n    },\n    \
                {\n      \"n\": 2\n    }\n  ]\n}\n";
    assert_eq!(text(&out.stdout), json);
    // Standard input is sniffed as TOML; NDJSON is one line.
    let out = dfmt(&["convert", "--to", "ndjson"], dir.path(), src.as_bytes());
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("{\"title\":\"x\",\"hex\":31,"), "{}", text(&out.stdout));
    // Back to TOML from the JSON: sections; short flat tables in an array stay inline.
    let out = dfmt(&["convert", "--from", "json", "--to", "toml"], dir.path(), json.as_bytes());
    assert_eq!(
        text(&out.stdout),
        "title = \"x\"\nhex = 31\nbig = 1000\nwhen = \"1979-05-27 07:32:00Z\"\np = [{ n = 1 }, { n = 2 }]\n\n[a.b]\nc = [1, 2.5]\n"
    );
    let out = dfmt(&["convert", "--from", "yaml", "--to", "toml"], dir.path(), b"a: {b: [x, y]}\n");
    assert_eq!(text(&out.stdout), "[a]\nb = [\"x\", \"y\"]\n");
    // inf has a YAML spelling and no JSON one.
    let out = dfmt(&["convert", "--from", "toml", "--to", "yaml"], dir.path(), b"x = -inf\n");
    assert_eq!(text(&out.stdout), "x: -.inf\n");
    let out = dfmt(&["convert", "--from", "toml", "--to", "json"], dir.path(), b"a = 1\nx = nan\n");
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).starts_with("<stdin>:2:5: error: NaN and Infinity are not JSON numbers"));
}

#[test]
fn toml_errors_name_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dfmt(&["convert", "--from", "json", "--to", "toml"], dir.path(), b"{\"a\": {\"b\": null}}");
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).starts_with("<stdin>:1:13: error: null has no TOML form"), "{}", text(&out.stderr));
    // From a file, the diagnostic also names the key path.
    fs::write(dir.path().join("s.json"), "{\"servers\": [{\"host\": \"a\", \"port\": null}]}").unwrap();
    let out = dfmt(&["convert", "--to", "toml", "s.json"], dir.path(), b"");
    assert!(text(&out.stderr).contains("= note: at key path servers[0].port"), "{}", text(&out.stderr));
    let out = dfmt(&["convert", "--from", "json", "--to", "toml"], dir.path(), b"{\"n\": 9223372036854775808}");
    assert!(text(&out.stderr).starts_with("<stdin>:1:7: error: integer beyond TOML's 64-bit range"));
    let out = dfmt(&["convert", "--from", "json", "--to", "toml"], dir.path(), b"[1]");
    assert!(text(&out.stderr).starts_with("<stdin>:1:1: error: TOML's top level must be a table"));
    let out = dfmt(&["validate", "--from", "toml"], dir.path(), b"[a]\nx = 1\n[b]\n[a]\n");
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.starts_with("<stdin>:4:2: error: table defined twice"), "{err}");
    assert!(err.contains("the earlier definition is at <stdin>:1:2"), "{err}");
    let out = dfmt(&["validate", "--from", "toml"], dir.path(), b"a = 1\na = 2\n");
    assert!(text(&out.stderr).contains("the key was first defined at <stdin>:1:1"));
    let deep = format!("a = {}", "[".repeat(100_000));
    let out = dfmt(&["validate", "--from", "toml"], dir.path(), deep.as_bytes());
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).starts_with("<stdin>:1:1028: error: nesting is deeper than the limit of 1024"));
}

#[test]
fn toml_fmt_keeps_comments_and_check_write_work() {
    let dir = tempfile::tempdir().unwrap();
    let source = "# top\n\n\n[package]\nname=\"dfmt\"   # the tool\nkeywords = [ \"json\" ,\"toml\" ]\ndeps = [\n\"a\",  # first\n\"b\"\n]\n";
    fs::write(dir.path().join("Cargo.toml"), source).unwrap();
    let formatted = "# top\n\n[package]\nname = \"dfmt\" # the tool\nkeywords = [\"json\", \"toml\"]\ndeps = [\n  \"a\", # first\n  \"b\",\n]\n";
    let out = dfmt(&["fmt", "Cargo.toml"], dir.path(), b"");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), formatted);
    let out = dfmt(&["fmt", "--indent", "4", "Cargo.toml"], dir.path(), b"");
    assert!(text(&out.stdout).contains("deps = [\n    \"a\", # first\n"), "{}", text(&out.stdout));
    assert_eq!(code(&dfmt(&["fmt", "--check", "Cargo.toml"], dir.path(), b"")), 1);
    assert_eq!(code(&dfmt(&["fmt", "--write", "Cargo.toml"], dir.path(), b"")), 0);
    assert_eq!(fs::read_to_string(dir.path().join("Cargo.toml")).unwrap(), formatted);
    assert_eq!(code(&dfmt(&["fmt", "--check", "Cargo.toml"], dir.path(), b"")), 0);
    // An invalid file is reported and left as it was.
    let broken = "[a]\nx = 1\nx = 2\n";
    fs::write(dir.path().join("broken.toml"), broken).unwrap();
    let out = dfmt(&["fmt", "--write", "broken.toml"], dir.path(), b"");
    assert_eq!(code(&out), 1);
    assert_eq!(fs::read_to_string(dir.path().join("broken.toml")).unwrap(), broken);
}

#[cfg(unix)]
#[test]
fn serve_answers_and_exits_0_on_sigterm() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfmt"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .env("DFMT_WORKERS", "3")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(log.read_line(&mut line).unwrap() > 0, "dfmt serve exited before listening");
        if let Some(at) = line.find("address=") {
            break line[at + "address=".len()..].trim().to_owned();
        }
    };
    // The I/O threads asked for (the blocking pool starts none until a large body comes).
    #[cfg(target_os = "linux")]
    {
        let tasks = fs::read_dir(format!("/proc/{}/task", child.id())).unwrap();
        let names = tasks.map(|t| fs::read_to_string(t.unwrap().path().join("comm")).unwrap_or_default());
        assert_eq!(names.filter(|name| name.trim() == "dfmt-serve").count(), 3);
    }
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    let body = "a: [1, 2]\n";
    let head = format!(
        "POST /v1/convert?from=yaml&to=json&compact=true HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("\r\n\r\n{\"a\":[1,2]}\n"), "{response}");
    // One log line per request, with status and latency.
    line.clear();
    log.read_line(&mut line).unwrap();
    assert!(
        line.contains("path=\"/v1/convert\"") && line.contains("status=200") && line.contains("latency_us="),
        "{line}"
    );
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
