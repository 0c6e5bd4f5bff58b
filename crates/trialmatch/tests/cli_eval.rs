//! `trialmatch eval snapshot` and `eval audit` through the real binary, on
//! the seed trials (examples/seeds) and the example patients
//! (examples/patients), as of 2025-03-01.
mod common;
use common::*;

use serde_json::{json, Value};
use std::path::Path;

fn run(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    // --db is not used by snapshot / audit --trials; point it at nothing.
    tm(&dir.path().join("unused.db"), args)
}

fn snapshot_args(out: Option<&Path>) -> Vec<String> {
    let mut v: Vec<String> = vec![
        "-q".into(),
        "eval".into(),
        "snapshot".into(),
        seeds().display().to_string(),
        "--patients".into(),
        root().join("examples/patients").display().to_string(),
        "--as-of".into(),
        "2025-03-01".into(),
    ];
    if let Some(o) = out {
        v.push("--out".into());
        v.push(o.display().to_string());
    }
    v
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line ({e}): {l}")))
        .collect()
}

#[test]
fn snapshot_is_deterministic_sorted_and_has_the_known_lines() {
    let args = snapshot_args(None);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let a = run(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    let b = run(&args);
    assert_eq!(a.stdout, b.stdout, "two runs must give identical bytes");
    // --out writes the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.jsonl");
    let o = run(&snapshot_args(Some(&out))
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(&out).unwrap(), a.stdout);

    let all = lines(&stdout(&a));
    let (crit, verd): (Vec<&Value>, Vec<&Value>) =
        all.iter().partition(|l| l.get("criterion").is_some());
    // Criterion lines first, then verdict lines.
    assert_eq!(
        &all[..crit.len()],
        crit.iter().map(|v| (*v).clone()).collect::<Vec<_>>()
    );
    // Criteria: sorted by trial, criterion order kept within a trial.
    let trials: Vec<&str> = crit.iter().map(|l| l["trial"].as_str().unwrap()).collect();
    assert!(trials.windows(2).all(|w| w[0] <= w[1]), "{trials:?}");
    let seed000: Vec<&&Value> = crit
        .iter()
        .filter(|l| l["trial"] == "NCT06310590")
        .collect();
    assert!(seed000.len() >= 20, "{}", seed000.len());
    assert_eq!(seed000[0]["criterion"], "I1");
    for l in &seed000 {
        let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["criterion", "ir", "status", "trial"]); // serde_json sorts keys
        assert!(["computable", "partial", "review", "unparsed"]
            .contains(&l["status"].as_str().unwrap()));
    }
    // The platelet threshold of seed 000 (I8.1 of NCT06310590).
    let i81 = seed000
        .iter()
        .find(|l| l["criterion"] == "I8.1")
        .expect("I8.1 line");
    assert!(
        i81["ir"].as_str().unwrap().contains("platelets >= 80"),
        "{i81}"
    );
    // Verdicts: one per patient file × trial (one patient per file),
    // sorted by patient then trial.
    let files = std::fs::read_dir(root().join("examples/patients"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    let mut distinct = trials.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 4);
    assert_eq!(verd.len(), files * 4);
    let keys: Vec<(String, String)> = verd
        .iter()
        .map(|l| (l["patient"].to_string(), l["trial"].to_string()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    let get = |p: &str, t: &str| {
        verd.iter()
            .find(|l| l["patient"] == p && l["trial"] == t)
            .unwrap_or_else(|| panic!("no line {p} × {t}"))
    };
    let e = get("seed000-eligible", "NCT06310590");
    assert_eq!(e["verdict"], "eligible");
    assert_eq!(e["failed"], json!([]));
    assert_eq!(e["unknown"], json!([]));
    let p = get("seed000-platelets-60", "NCT06310590");
    assert_eq!(p["verdict"], "ineligible");
    assert_eq!(p["failed"], json!(["I8.1"]));
    let l = get("seed000-lvef-missing", "NCT06310590");
    assert_eq!(l["verdict"], "needs_data");
    assert!(l["unknown"].as_array().unwrap().contains(&json!("I8.5")));
}

#[test]
fn snapshot_verdicts_equal_match() {
    // The same pair through `import` + `match --json`.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = tm(&db, &["-q", "import", seeds().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let patient = root().join("examples/patients/seed000-child-pugh-8.json");
    let m = tm_json(
        &db,
        &[
            "match",
            "--patient",
            patient.to_str().unwrap(),
            "--any-status",
            "--as-of",
            "2025-03-01",
        ],
    );
    let args = snapshot_args(None);
    let s = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let snap = lines(&stdout(&s));
    let results = m["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        let line = snap
            .iter()
            .find(|l| l["patient"] == "seed000-child-pugh-8" && l["trial"] == r["trial"])
            .unwrap();
        assert_eq!(line["verdict"], r["verdict"], "{}", r["trial"]);
        assert_eq!(line["failed"], r["failed"], "{}", r["trial"]);
    }
}

/// Labels over the seed trials and example patients (as of 2025-03-01):
/// 1 correct not-excluded, 1 caught for the labelled reason, 1 false
/// ineligible (deliberately mislabelled), 1 caught for another reason, 1
/// not caught (needs data), 1 false eligible, 1 ambiguous, 1 unknown
/// patient.
fn labels() -> Value {
    let l = |trial: &str, patient: &str, excluded: bool, ambiguous: bool, by: &[&str]| {
        json!({"trial": trial, "patient": patient, "excluded": excluded, "ambiguous": ambiguous,
               "excluded_by": by.iter().map(|t| json!({"text": t, "why": "test"})).collect::<Vec<_>>(),
               "satisfied_notable": [], "note": format!("{trial} {patient}")})
    };
    json!({"as_of": "2025-03-01", "labels": [
        l("NCT06310590", "seed000-eligible", false, false, &[]),
        l("NCT06310590", "seed000-platelets-60", true, false, &["PLATELET (PLT)  ≥ 80 × 10^9/L"]),
        l("NCT06310590", "seed000-child-pugh-8", false, false, &[]),
        l("NCT06310590", "seed000-lung-dose-35", true, false, &["maximum_age: 40 Years"]),
        l("NCT06310590", "seed000-lvef-missing", true, false, &["LVEF ≥ 50%"]),
        l("NCT04011033", "seed002-eligible", true, false, &["gender: Male"]),
        l("NCT06310590", "seed002-eligible", true, true, &[]),
        l("NCT06310590", "nobody", false, false, &[]),
    ]})
}

fn check_audit(r: &Value) {
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["as_of"], "2025-03-01", "defaults to the labels' as_of");
    assert_eq!(r["labels"], 8);
    assert_eq!(r["ambiguous"], 1);
    assert_eq!(r["screened"], 6);
    assert_eq!(r["skipped"].as_array().unwrap().len(), 1);
    assert_eq!(r["skipped"][0]["patient"], "nobody");
    assert_eq!(r["false_ineligible"], json!({"count": 1, "of": 2}));
    assert_eq!(r["false_eligible"], json!({"count": 1, "of": 4}));
    assert_eq!(
        r["caught"],
        json!({"count": 2, "of": 4, "labelled_reason": 1, "labelled_structured_only": 0,
               "other_reason": 1, "not_caught": 2})
    );
    let d = &r["decided"];
    let n = |k: &str| d[k].as_u64().unwrap();
    assert_eq!(
        n("pass") + n("fail") + n("unknown") + n("review"),
        n("total")
    );
    let share = d["share"].as_f64().unwrap();
    assert!((share - (n("pass") + n("fail")) as f64 / n("total") as f64).abs() < 1e-12);
    assert!(n("fail") >= 2 && n("pass") > n("fail"));
    // The wrong pairs, with the criteria that decided them.
    let wrong = r["wrong_pairs"].as_array().unwrap();
    let kinds: Vec<&str> = wrong.iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["false_ineligible", "caught_other_reason", "false_eligible"]
    );
    let fi = &wrong[0];
    assert_eq!(fi["patient"], "seed000-child-pugh-8");
    assert_eq!(fi["criteria"][0]["id"], "I5");
    assert_eq!(fi["criteria"][0]["outcome"], "fail");
    assert!(fi["criteria"][0]["ir"]
        .as_str()
        .unwrap()
        .contains("child_pugh"));
    let other = &wrong[1];
    assert_eq!(other["patient"], "seed000-lung-dose-35");
    let ids: Vec<&str> = other["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    // E14 failed; the labelled AGE line passed.
    assert_eq!(ids, ["E14", "AGE"]);
    assert_eq!(other["criteria"][1]["outcome"], "pass");
    assert_eq!(other["criteria"][1]["labelled"], true);
    let fe = &wrong[2];
    assert_eq!(fe["trial"], "NCT04011033");
    assert_eq!(fe["verdict"], "eligible");
    assert_eq!(fe["unmatched_snippets"], json!(["gender: Male"]));
}

#[test]
fn audit_counts_a_small_label_set() {
    let dir = tempfile::tempdir().unwrap();
    let labels_file = dir.path().join("labels.json");
    std::fs::write(&labels_file, labels().to_string()).unwrap();
    let patients = root().join("examples/patients");
    let seed_dir = seeds();
    let db = dir.path().join("unused.db");
    let base = [
        "eval",
        "audit",
        "--labels",
        labels_file.to_str().unwrap(),
        "--patients",
        patients.to_str().unwrap(),
    ];
    // --trials: a temporary store.
    let mut args = base.to_vec();
    args.extend(["--trials", seed_dir.to_str().unwrap()]);
    let r = tm_json(&db, &args);
    check_audit(&r);
    assert!(!db.exists(), "--trials must not create --db");
    // --db: the same figures from an imported store.
    let o = tm(&db, &["-q", "import", seeds().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r2 = tm_json(&db, &base);
    assert_eq!(r, r2);
    // The human view.
    let h = tm(&db, &base);
    assert!(h.status.success(), "{}", stderr(&h));
    let text = stdout(&h);
    assert!(text.contains("false ineligible     1 of 2"), "{text}");
    assert!(text.contains("false eligible       1 of 4"), "{text}");
    assert!(
        text.contains("NCT06310590 × seed000-child-pugh-8 → ineligible"),
        "{text}"
    );
    // No store and no --trials: exit 1.
    let none = tm(&dir.path().join("absent.db"), &base);
    assert_eq!(none.status.code(), Some(1));
}

#[test]
fn audit_and_snapshot_usage_errors() {
    let o = run(&[
        "eval",
        "snapshot",
        seeds().to_str().unwrap(),
        "--as-of",
        "2025-13-45",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(&[
        "eval",
        "audit",
        "--labels",
        "/nonexistent/labels.json",
        "--patients",
        ".",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// The real audit set, when ../shared/data is present (figures are
/// measurements: only their consistency is asserted).
#[test]
fn audit_on_the_shared_set_when_present() {
    let Some(data) = shared_data() else {
        eprintln!("note: ../shared/data absent; skipping the shared audit run");
        return;
    };
    let audit = data.join("audit");
    if !audit.join("labels.json").is_file() {
        eprintln!("note: ../shared/data/audit absent; skipping");
        return;
    }
    // Only the labelled trials' files (one classic XML file per trial,
    // named by NCT id): much faster than importing all 6,725.
    let labels: Value =
        serde_json::from_str(&std::fs::read_to_string(audit.join("labels.json")).unwrap()).unwrap();
    let ids: std::collections::BTreeSet<String> = labels["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{}.xml", l["trial"].as_str().unwrap()))
        .collect();
    let mut files = Vec::new();
    for d in std::fs::read_dir(data.join("ctgov/classic-xml")).unwrap() {
        let d = d.unwrap().path();
        if d.is_dir() {
            for f in std::fs::read_dir(&d).unwrap() {
                let f = f.unwrap().path();
                if ids.contains(f.file_name().unwrap().to_str().unwrap()) {
                    files.push(f.display().to_string());
                }
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "eval".to_string(),
        "audit".into(),
        "--labels".into(),
        audit.join("labels.json").display().to_string(),
        "--patients".into(),
        audit.join("patients").display().to_string(),
        "--trials".into(),
    ];
    args.extend(files);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = tm_json(&dir.path().join("unused.db"), &args);
    assert_eq!(r["labels"], 476);
    assert_eq!(r["skipped"], json!([]));
    let fi = &r["false_ineligible"];
    let fe = &r["false_eligible"];
    assert_eq!(
        fi["of"].as_u64().unwrap() + fe["of"].as_u64().unwrap() + r["ambiguous"].as_u64().unwrap(),
        476
    );
    let c = &r["caught"];
    let n = |k: &str| c[k].as_u64().unwrap();
    assert_eq!(n("labelled_reason") + n("other_reason"), n("count"));
    assert_eq!(n("count") + n("not_caught"), n("of"));
}
