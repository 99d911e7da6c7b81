//! Finding `../shared` (conformance suites, benchmark inputs): at `$DFMT_SHARED`, or beside the checkout.
//! In CI (`CI=true`) missing data fails the test; elsewhere the test says loudly that it skipped.

use std::path::PathBuf;

pub(crate) fn shared_dir(sub: &str) -> Option<PathBuf> {
    let candidates = std::env::var_os("DFMT_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")]);
    for dir in candidates {
        let dir = dir.join(sub);
        if dir.is_dir() {
            return Some(dir);
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("shared data {sub} not found (set DFMT_SHARED or put shared/ beside the checkout)");
    }
    eprintln!("SKIPPED: shared data {sub} not found; set DFMT_SHARED to run this test");
    None
}
