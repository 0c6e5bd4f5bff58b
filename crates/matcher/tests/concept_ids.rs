//! Issue 18: code may name only concept ids the data defines
//! (`crates/lexicon/data/*.json`). Scans the matcher's and the compiler's
//! sources (outside `#[cfg(test)]` modules) for string literals used as
//! concept ids — every snake_case literal with an underscore, and any
//! literal compared with a field / concept / id or in an `ids == [..]`
//! test — and fails on one the lexicon does not define.

use std::path::{Path, PathBuf};

/// snake_case literals that are not concept ids (status flags, result
/// fields, origins).
const NOT_CONCEPTS: &[&str] = &[
    "ambiguous_number",
    "at_treatment",
    "needs_data",
    "needs_review",
    "reference_range",
    "snake_case",
    "unit_ambiguous",
    "unit_missing",
];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// String literals in `code` (no escapes inside: ids have none).
fn literals(code: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != b'"' && b[j] != b'\\' && b[j] != b'\n' {
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                out.push((i, &code[start..j]));
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Literals of `code` used as concept ids that the lexicon does not define
/// (`(line, literal)`).
fn undefined_ids(code: &str) -> Vec<(usize, String)> {
    let derived = tm_clinical::Derived::KEYS;
    let mut bad = Vec::new();
    for (at, lit) in literals(code) {
        if !snake(lit) || tm_lexicon::get(lit).is_some() {
            continue;
        }
        let before = code[..at].trim_end();
        let id_position = ["field ==", "field !=", "concept ==", "id ==", "ids == ["]
            .iter()
            .any(|p| before.ends_with(p))
            || before.ends_with("has(");
        let looks_like_id =
            lit.contains('_') && !NOT_CONCEPTS.contains(&lit) && !derived.contains(&lit);
        if id_position || looks_like_id {
            bad.push((code[..at].lines().count(), lit.to_string()));
        }
    }
    bad
}

#[test]
fn code_names_only_defined_concepts() {
    let ws = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    rs_files(&ws.join("crates/matcher/src"), &mut files);
    rs_files(&ws.join("crates/criteria/src"), &mut files);
    assert!(files.len() > 10);
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (line, lit) in undefined_ids(code) {
            bad.push(format!("{}:{line}: {lit:?}", f.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "concept ids not defined in crates/lexicon/data:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scan_sees_a_bad_id() {
    let code = "if field == \"lvf\" {}\nlet x = \"child_pugh_scor\";\nlet y = \"word\"; if field == \"lvef\" {}";
    let bad: Vec<String> = undefined_ids(code).into_iter().map(|(_, l)| l).collect();
    assert_eq!(bad, ["lvf", "child_pugh_scor"]);
}
