//! Helpers shared by the bulk data tests (not a test file of its own).
#![allow(dead_code)]

use std::path::PathBuf;

/// `/work/shared/data/ctgov` (the workspace's `../shared`), if present.
pub fn ctgov_dir() -> Option<PathBuf> {
    let rel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ctgov");
    let abs = PathBuf::from("/work/shared/data/ctgov");
    [rel, abs].into_iter().find(|p| p.is_dir())
}

/// `18 Years` → (18.0, "a"), `6 Months` → (6.0, "mo"); `N/A` → None.
/// An independent reading of the CT.gov age spelling for comparisons.
pub fn expected_age(s: &str) -> Option<(f64, &'static str)> {
    let mut it = s.split_whitespace();
    let value: f64 = it.next()?.parse().ok()?;
    let unit = match it.next().unwrap_or("Years").to_ascii_lowercase().as_str() {
        "year" | "years" => "a",
        "month" | "months" => "mo",
        "week" | "weeks" => "wk",
        "day" | "days" => "d",
        "hour" | "hours" => "h",
        "minute" | "minutes" => "min",
        other => panic!("unexpected age unit {other:?} in {s:?}"),
    };
    Some((value, unit))
}
