//! Helpers for the CLI tests: run the real binary against a temporary store.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_trialmatch")
}

/// The workspace root.
pub fn root() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::canonicalize(&p).unwrap_or(p)
}

pub fn seeds() -> PathBuf {
    root().join("examples/seeds")
}

/// `../shared/data` beside the repository, if present.
pub fn shared_data() -> Option<PathBuf> {
    let p = root().join("../shared/data");
    p.is_dir().then_some(p)
}

/// Runs `trialmatch --db <db> args…` with a clean environment for our vars.
pub fn tm(db: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TRIALMATCH_DB")
        .env_remove("TRIALMATCH_LOG")
        .output()
        .expect("run trialmatch")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and parses stdout as JSON, asserting success.
pub fn tm_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = tm(db, &all);
    assert!(
        o.status.success(),
        "trialmatch {args:?} failed: {}\n{}",
        stdout(&o),
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(&o)))
}

/// A minimal CT.gov API v2 study record.
pub fn api_v2_study(nct: &str, title: &str, status: &str, condition: &str) -> String {
    serde_json::json!({
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": title},
            "statusModule": {"overallStatus": status},
            "conditionsModule": {"conditions": [condition]},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"],
                              "enrollmentInfo": {"count": 40, "type": "ESTIMATED"}}
        }
    })
    .to_string()
}
