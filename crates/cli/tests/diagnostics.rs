//! Snapshot tests of diagnostics: each `diagnostics/NAME.EXT` is validated by the real binary, and its standard
//! error must equal `diagnostics/NAME.EXT.stderr`. Run with `UPDATE_SNAPSHOTS=1` to rewrite the snapshots after
//! an intended change, then review the diff.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::path::Path;
use std::process::Command;

#[test]
fn diagnostics_match_their_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "stderr"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "expected the diagnostic cases in {}", dir.display());
    let mut mismatches = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_str().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_dfmt"))
            .args(["validate", name])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name} should be invalid");
        let stderr = String::from_utf8(out.stderr).unwrap();
        let snapshot = dir.join(format!("{name}.stderr"));
        if update {
            std::fs::write(&snapshot, &stderr).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(stderr.as_str()) {
            mismatches.push(format!("{name}:\n{stderr}"));
        }
    }
    assert!(mismatches.is_empty(), "diagnostics changed (UPDATE_SNAPSHOTS=1 to accept):\n{}", mismatches.join("\n"));
}
