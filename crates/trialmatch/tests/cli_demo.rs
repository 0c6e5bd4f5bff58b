//! `demo` and `match` through the real binary: the README's main command.
mod common;
use common::*;

/// The demo line of one patient and trial: `  TRIAL  verdict  details`.
fn demo_line<'a>(out: &'a str, patient: &str, trial: &str) -> Option<&'a str> {
    let mut lines = out.lines().skip_while(|l| l.trim() != patient).skip(1);
    lines
        .by_ref()
        .take_while(|l| l.starts_with("  "))
        .find(|l| l.split_whitespace().next() == Some(trial))
}

#[test]
fn demo_screens_every_example_patient_against_the_seed_trials() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = tm(&db, &["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Screening 13 example patients"), "{out}");
    // Child-Pugh 8 fails seed 000's inclusion 5 (Child-Pugh score ≤ 7).
    let line = demo_line(&out, "seed000-child-pugh-8", "NCT06310590").expect(&out);
    assert!(line.contains("ineligible") && line.contains("I5"), "{line}");
    // The MAA lung dose of 35 Gy fails exclusion 14 (> 30 Gy).
    let line = demo_line(&out, "seed000-lung-dose-35", "NCT06310590").expect(&out);
    assert!(
        line.contains("ineligible") && line.contains("E14"),
        "{line}"
    );
    // No example patient is called eligible for a trial it fails.
    for l in out.lines().filter(|l| l.contains(" eligible ")) {
        assert!(!l.contains("failed:"), "{l}");
    }
    // The screening reads the compiled criteria stored at import.
    let o = tm(&db, &["--json", "import", &seeds().to_string_lossy()]);
    let sum: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(sum["criteria_compiled"], 0, "{sum}");
}

#[test]
fn match_json_names_the_deciding_criterion_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(tm(&db, &["demo", "--no-screening"]).status.success());
    let patient = root().join("examples/patients/seed000-child-pugh-8.json");
    let v = tm_json(
        &db,
        &[
            "match",
            "--patient",
            &patient.to_string_lossy(),
            "--trial",
            "NCT06310590",
            "--as-of",
            "2025-03-01",
        ],
    );
    assert_eq!(v["as_of"], "2025-03-01");
    let r = &v["results"][0];
    assert_eq!(r["trial"], "NCT06310590");
    assert_eq!(r["verdict"], "ineligible");
    let score = r["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score));
    let crit = r["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "I5")
        .unwrap();
    assert_eq!(crit["outcome"], "fail");
    assert_eq!(crit["holds"], false);
    assert_eq!(crit["kind"], "inclusion");
    let ev = crit["evidence"].as_array().unwrap();
    assert!(!ev.is_empty(), "{crit}");
    // The span slices the stored criteria text back to the criterion.
    let show = tm_json(&db, &["show", "NCT06310590"]);
    let text = show["eligibility"]["criteria_text"].as_str().unwrap();
    let (s, e) = (
        crit["span"][0].as_u64().unwrap() as usize,
        crit["span"][1].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], crit["text"].as_str().unwrap());
}
