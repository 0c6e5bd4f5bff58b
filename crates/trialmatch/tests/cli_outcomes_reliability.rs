//! Issue 29 item 5: careless input to the outcome commands is reported, never absorbed.
//! `safety` lists every unreadable EX row on stderr (file:line: reason); `qol` with no usable
//! row exits 1; `dosimetry` refuses non-finite or negative flags (exit 2) and prints readable
//! numbers in range messages.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("TRIALMATCH_DB")
        .env_remove("TRIALMATCH_LOG")
        .output()
        .expect("run trialmatch")
}

fn write_sdtm(dir: &Path, ex: &str) {
    std::fs::write(
        dir.join("dm.csv"),
        "USUBJID,ARM,ACTARM\nS1,Drug,Drug\nS2,Drug,Drug\nS3,Drug,Drug\n",
    )
    .unwrap();
    std::fs::write(dir.join("ex.csv"), ex).unwrap();
    std::fs::write(
        dir.join("ae.csv"),
        "USUBJID,AESEQ,AEDECOD,AESTDTC,AEENDTC,AETOXGR,AESEV,AESER\nS1,1,NAUSEA,2024-01-10,,1,MILD,N\n",
    )
    .unwrap();
}

/// The longest run of digits in a text (a 300-digit number is unreadable).
fn longest_digits(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

#[test]
fn safety_reports_every_unreadable_ex_row() {
    let dir = tempfile::tempdir().unwrap();
    write_sdtm(
        dir.path(),
        "USUBJID,EXTRT,EXDOSE,EXSTDTC,EXENDTC\n\
         S1,DRUG,10,2024-01-05,2024-02-05\n\
         S2,DRUG,lots,2024-01-05,2024-02-05\n\
         S3,DRUG,10,not-a-date,2024-02-05\n",
    );
    let o = run(&["--json", "safety", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let ex = dir.path().join("ex.csv").display().to_string();
    assert!(
        err.contains(&format!("{ex}:3: EXDOSE \"lots\" is not a number")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{ex}:4: EXSTDTC \"not-a-date\" is not an ISO 8601 date"
        )),
        "{err}"
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["skipped"].as_array().unwrap().len(), 2);
    // S1 is dosed; S2 (no readable dose) and S3 (no readable start) are not — and a note says
    // why the count is lower.
    assert_eq!(j["arms"][0]["dosed"], 1);
    assert!(j["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("2 EX row(s) unreadable")));
}

#[test]
fn safety_without_any_usable_dose_fails() {
    let dir = tempfile::tempdir().unwrap();
    write_sdtm(
        dir.path(),
        "USUBJID,EXTRT,EXDOSE,EXSTDTC,EXENDTC\nS1,DRUG,lots,2024-01-05,\nS2,DRUG,10,not-a-date,\n",
    );
    let o = run(&["safety", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("no usable dose record"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn qol_without_a_usable_row_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("q.csv");
    std::fs::write(
        &f,
        "subject,visit,date,item,response\nS1,BASELINE,2024-01-01,1,9\nS1,BASELINE,2024-01-01,2,abc\nS2,BASELINE,2024-01-01,3,\n",
    )
    .unwrap();
    let o = run(&["--json", "qol", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("no usable rows"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn dosimetry_refuses_non_finite_and_negative_flags() {
    for bad in ["NaN", "inf", "-inf", "-3", "0"] {
        let flag = format!("--activity={bad}");
        let o = run(&["dosimetry", &flag, "--lsf", "5"]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stdout(&o));
        assert!(stderr(&o).contains("--activity"), "{bad}: {}", stderr(&o));
    }
    for (flag, bad) in [
        ("--lsf", "NaN"),
        ("--lsf", "150"),
        ("--residual", "-1"),
        ("--hours", "inf"),
    ] {
        let o = run(&[
            "dosimetry",
            "--activity",
            "2",
            &format!("{flag}={bad}"),
            "--lsf=5",
        ]);
        let o = if flag == "--lsf" {
            run(&["dosimetry", "--activity", "2", &format!("--lsf={bad}")])
        } else {
            o
        };
        assert_eq!(o.status.code(), Some(2), "{flag} {bad}: {}", stdout(&o));
    }
    // A finite but absurd activity: not computable → exit 1, and the message is readable.
    let o = run(&["dosimetry", "--activity=1e300", "--lsf", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let msg = stderr(&o);
    assert!(msg.contains("1e300"), "{msg}");
    assert!(longest_digits(&msg) < 20, "{msg}");
}
