//! Shared helpers for criteria tests: the eligibility section of each seed.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn seed_path(prefix: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
    std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
}

/// The criteria section of a seed as the page shows it (with markdown
/// escapes as published), found by simple string search.
pub fn seed_criteria_raw(prefix: &str) -> Option<String> {
    let text = std::fs::read_to_string(seed_path(prefix)?).ok()?;
    let (start_pat, end_pats): (&str, &[&str]) = if text.contains("- Inclusion Criteria:") {
        ("- Inclusion Criteria:", &["\nAbout "])
    } else {
        ("Inclusion Criteria\n", &["Minimum Eligible Age"])
    };
    let start = text.find(start_pat)?;
    let rest = &text[start..];
    let end = end_pats
        .iter()
        .filter_map(|p| rest.find(p))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end().to_string())
}

/// The same with markdown escapes removed (what text repair stores).
pub fn seed_criteria_repaired(prefix: &str) -> Option<String> {
    let raw = seed_criteria_raw(prefix)?;
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if "[]<>^*_()#+-.!|`{}".contains(n) {
                    continue;
                }
            }
        }
        out.push(c);
    }
    Some(out)
}
