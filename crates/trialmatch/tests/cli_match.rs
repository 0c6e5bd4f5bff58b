//! `trialmatch match` and `trialmatch bench match|match-all` through the
//! real binary, on a temporary store of synthetic CT.gov API v2 studies
//! with simple criteria texts and a synthetic FHIR patient.
mod common;
use common::*;

use serde_json::{json, Value};
use std::path::PathBuf;

/// A RECRUITING-or-other API v2 study with an eligibility criteria text.
fn study(nct: &str, status: &str, condition: &str, criteria: &str) -> Value {
    let mut v: Value = serde_json::from_str(&api_v2_study(nct, nct, status, condition)).unwrap();
    v["protocolSection"]["eligibilityModule"] =
        json!({"eligibilityCriteria": criteria, "sex": "ALL"});
    v
}

fn with_phase(mut v: Value, phase: &str) -> Value {
    v["protocolSection"]["designModule"]["phases"] = json!([phase]);
    v
}

fn with_country(mut v: Value, country: &str) -> Value {
    v["protocolSection"]["contactsLocationsModule"] =
        json!({"locations": [{"facility": "Hospital", "city": "City", "country": country}]});
    v
}

/// A male patient born 1960-06-15 (64 on 2025-03-01, 65 from 2025-06-15)
/// with active hepatocellular carcinoma, platelets 150 × 10⁹/L on
/// 2025-02-20 and a TACE on 2025-02-10; no LVEF, no haemoglobin.
fn patient_bundle() -> Value {
    let coding = |code: &str, display: &str| {
        json!({"coding": [{"system": "https://trialmatch.dev/fhir/CodeSystem/trialmatch",
                           "code": code, "display": display}], "text": display})
    };
    json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "gender": "male",
                      "birthDate": "1960-06-15"}},
        {"resource": {"resourceType": "Condition", "id": "c1",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "code": coding("hcc", "Hepatocellular carcinoma"),
            "subject": {"reference": "Patient/p1"}, "onsetDateTime": "2024-11-02"}},
        {"resource": {"resourceType": "Observation", "id": "plt1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "777-3",
                                 "display": "Platelets [#/volume] in Blood by Automated count"}]},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2025-02-20",
            "valueQuantity": {"value": 150, "unit": "10*9/L",
                              "system": "http://unitsofmeasure.org", "code": "10*9/L"}}},
        {"resource": {"resourceType": "Procedure", "id": "tace1", "status": "completed",
            "code": coding("tace", "Transarterial chemoembolisation"),
            "subject": {"reference": "Patient/p1"}, "performedDateTime": "2025-02-10"}}
    ]})
}

/// A temporary store holding `studies`, and the patient file.
struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    patient: PathBuf,
}

fn fixture(studies: &[Value]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let sdir = dir.path().join("studies");
    std::fs::create_dir_all(&sdir).unwrap();
    for s in studies {
        let id = s["protocolSection"]["identificationModule"]["nctId"]
            .as_str()
            .unwrap()
            .to_string();
        std::fs::write(sdir.join(format!("{id}.json")), s.to_string()).unwrap();
    }
    let db = dir.path().join("t.db");
    let o = tm(&db, &["import", &sdir.to_string_lossy()]);
    assert!(o.status.success(), "import: {}", stderr(&o));
    let patient = dir.path().join("patient.json");
    std::fs::write(&patient, patient_bundle().to_string()).unwrap();
    Fixture {
        _dir: dir,
        db,
        patient,
    }
}

impl Fixture {
    /// `match --json --patient P --as-of 2025-03-01 extra…`.
    fn matched(&self, extra: &[&str]) -> Value {
        let p = self.patient.to_string_lossy();
        let mut args = vec!["match", "--patient", &p, "--as-of", "2025-03-01"];
        args.extend_from_slice(extra);
        tm_json(&self.db, &args)
    }
}

fn results(v: &Value) -> &Vec<Value> {
    v["results"].as_array().expect("results")
}

fn ids(v: &Value) -> Vec<String> {
    results(v)
        .iter()
        .map(|r| r["trial"].as_str().unwrap().to_string())
        .collect()
}

fn result<'a>(v: &'a Value, trial: &str) -> &'a Value {
    results(v)
        .iter()
        .find(|r| r["trial"] == trial)
        .unwrap_or_else(|| panic!("{trial} not in {v}"))
}

fn criterion<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {r}"))
}

const PLT_100: &str =
    "Inclusion Criteria:\n\n* Platelet count ≥ 100 × 10^9/L\n\nExclusion Criteria:\n\n* Pregnancy";
const HCC: &str = "Hepatocellular Carcinoma";

#[test]
fn ranking_orders_verdicts_unknowns_condition_match_and_score() {
    // Ids run against the expected order, so an id sort cannot pass.
    let f = fixture(&[
        study(
            "NCT90000001",
            "RECRUITING",
            HCC,
            "Inclusion Criteria:\n\n* Platelet count ≥ 200 × 10^9/L",
        ),
        study(
            "NCT90000002",
            "RECRUITING",
            HCC,
            "Inclusion Criteria:\n\n* LVEF ≥ 50%\n* Hemoglobin ≥ 9 g/dL",
        ),
        study(
            "NCT90000003",
            "RECRUITING",
            HCC,
            "Inclusion Criteria:\n\n* LVEF ≥ 50%\n* Platelet count ≥ 100 × 10^9/L",
        ),
        study(
            "NCT90000004",
            "RECRUITING",
            HCC,
            "Inclusion Criteria:\n\n* Zorbified flanges per local custom\n* Platelet count ≥ 100 × 10^9/L",
        ),
        study("NCT90000005", "RECRUITING", "Asthma", PLT_100),
        study("NCT90000006", "RECRUITING", HCC, PLT_100),
    ]);
    let v = f.matched(&[]);
    assert_eq!(
        ids(&v),
        [
            "NCT90000006",
            "NCT90000004",
            "NCT90000005",
            "NCT90000003",
            "NCT90000002",
            "NCT90000001"
        ],
        "{v}"
    );
    let verdicts: Vec<&str> = results(&v)
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        [
            "eligible",
            "needs_review",
            "needs_review",
            "needs_data",
            "needs_data",
            "ineligible"
        ]
    );
    // An asthma trial is never "eligible" for a patient with HCC only: the
    // studied condition goes to review; condition match then breaks the
    // tie between the two needs_review trials.
    assert_eq!(result(&v, "NCT90000006")["condition_match"], true);
    assert_eq!(result(&v, "NCT90000005")["condition_match"], false);
    let cond = criterion(result(&v, "NCT90000005"), "COND");
    assert_eq!(cond["outcome"], "review");
    assert_eq!(cond["review_reason"][0]["kind"], "condition");
    assert_eq!(
        criterion(result(&v, "NCT90000006"), "COND")["outcome"],
        "pass"
    );
    // needs_data: fewest unknowns first; the unknown is the missing fact.
    assert_eq!(result(&v, "NCT90000003")["unknowns"], 1);
    assert_eq!(result(&v, "NCT90000002")["unknowns"], 2);
    assert_eq!(
        criterion(result(&v, "NCT90000003"), "I1")["outcome"],
        "unknown"
    );
    assert_eq!(result(&v, "NCT90000001")["failed"], json!(["I1"]));
    // Scores lie in [0, 1] and strictly decrease along this ranking.
    let scores: Vec<f64> = results(&v)
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    for s in &scores {
        assert!((0.0..=1.0).contains(s), "{scores:?}");
    }
    for w in scores.windows(2) {
        assert!(w[0] > w[1], "score not decreasing: {scores:?}");
    }
}

#[test]
fn default_status_filter_is_recruiting_and_any_status_ranks_recruiting_first() {
    let f = fixture(&[
        study("NCT90000011", "COMPLETED", HCC, PLT_100),
        study("NCT90000012", "RECRUITING", HCC, PLT_100),
        study("NCT90000013", "NOT_YET_RECRUITING", HCC, PLT_100),
        study("NCT90000014", "ACTIVE_NOT_RECRUITING", HCC, PLT_100),
    ]);
    let v = f.matched(&[]);
    assert_eq!(ids(&v), ["NCT90000012", "NCT90000013"], "{v}");
    // The human view says what the status filter left out.
    let p = f.patient.to_string_lossy();
    let o = tm(&f.db, &["match", "--patient", &p, "--as-of", "2025-03-01"]);
    let out = stdout(&o);
    assert!(out.contains("2 trial(s) screened"), "{out}");
    assert!(
        out.contains("2 trial(s) not screened because they are not recruiting"),
        "{out}"
    );
    let v = f.matched(&["--any-status"]);
    assert_eq!(
        ids(&v),
        ["NCT90000012", "NCT90000013", "NCT90000011", "NCT90000014"],
        "{v}"
    );
    for r in results(&v) {
        assert_eq!(r["verdict"], "eligible", "{r}");
    }
    // Same verdict and condition match: the recruiting trial scores higher.
    assert!(
        result(&v, "NCT90000012")["score"].as_f64() > result(&v, "NCT90000011")["score"].as_f64()
    );
}

#[test]
fn condition_phase_and_country_filters() {
    let f = fixture(&[
        with_country(
            with_phase(study("NCT90000021", "RECRUITING", HCC, PLT_100), "PHASE2"),
            "France",
        ),
        with_country(
            with_phase(study("NCT90000022", "RECRUITING", HCC, PLT_100), "PHASE3"),
            "Germany",
        ),
        with_country(
            with_phase(
                study("NCT90000023", "RECRUITING", "Asthma", PLT_100),
                "PHASE3",
            ),
            "France",
        ),
    ]);
    let sorted = |v: &Value| {
        let mut i = ids(v);
        i.sort();
        i
    };
    assert_eq!(
        sorted(&f.matched(&["--condition", "hepatocellular"])),
        ["NCT90000021", "NCT90000022"]
    );
    assert_eq!(
        sorted(&f.matched(&["--condition", "ASTHMA"])),
        ["NCT90000023"]
    );
    assert_eq!(
        sorted(&f.matched(&["--phase", "3"])),
        ["NCT90000022", "NCT90000023"]
    );
    assert_eq!(
        sorted(&f.matched(&["--country", "france"])),
        ["NCT90000021", "NCT90000023"]
    );
    assert_eq!(
        sorted(&f.matched(&["--phase", "3", "--country", "France"])),
        ["NCT90000023"]
    );
    assert!(results(&f.matched(&["--country", "Japan"])).is_empty());
    // An unknown phase is a usage error.
    let p = f.patient.to_string_lossy();
    let o = tm(&f.db, &["match", "--patient", &p, "--phase", "banana"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn named_trials_are_evaluated_whatever_their_status() {
    let f = fixture(&[
        study("NCT90000031", "COMPLETED", HCC, PLT_100),
        study("NCT90000032", "RECRUITING", HCC, PLT_100),
    ]);
    // Not evaluated by default (completed) …
    assert_eq!(ids(&f.matched(&[])), ["NCT90000032"]);
    // … but evaluated, and only it, when named.
    let v = f.matched(&["--trial", "NCT90000031"]);
    assert_eq!(ids(&v), ["NCT90000031"]);
    assert_eq!(results(&v)[0]["verdict"], "eligible");
    assert_eq!(results(&v)[0]["status"], "COMPLETED");
    let v = f.matched(&["--trial", "NCT90000031", "--trial", "NCT90000032"]);
    assert_eq!(ids(&v).len(), 2);
    // An unknown id: exit 1, naming the id.
    let p = f.patient.to_string_lossy();
    let o = tm(&f.db, &["match", "--patient", &p, "--trial", "NCT99999999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("NCT99999999"), "{}", stderr(&o));
}

#[test]
fn planned_start_moves_a_window_prior_to_dosing() {
    // The patient had a TACE on 2025-02-10.
    let f = fixture(&[study(
        "NCT90000041",
        "RECRUITING",
        HCC,
        "Inclusion Criteria:\n\n* Platelet count ≥ 100 × 10^9/L\n\nExclusion Criteria:\n\n* Received antitumor therapy within 30 days prior to dosing",
    )]);
    // Dosing on the index date (2025-03-01): 19 days after the TACE.
    let v = f.matched(&[]);
    assert_eq!(v["planned_start"], "2025-03-01");
    let r = result(&v, "NCT90000041");
    assert_eq!(criterion(r, "E1")["outcome"], "fail", "{r}");
    assert_eq!(r["verdict"], "ineligible");
    // Dosing on 2025-03-05: 23 days, still inside the window.
    let v = f.matched(&["--planned-start", "2025-03-05"]);
    assert_eq!(
        criterion(result(&v, "NCT90000041"), "E1")["outcome"],
        "fail"
    );
    // Dosing on 2025-04-15: 64 days, the TACE is outside the window.
    let v = f.matched(&["--planned-start", "2025-04-15"]);
    assert_eq!(v["planned_start"], "2025-04-15");
    let r = result(&v, "NCT90000041");
    assert_ne!(criterion(r, "E1")["outcome"], "fail", "{r}");
    assert_ne!(r["verdict"], "ineligible", "{r}");
    // The index date (lab recency, age) did not move.
    assert_eq!(v["as_of"], "2025-03-01");
    assert_eq!(criterion(r, "I1")["outcome"], "pass", "{r}");
}

#[test]
fn as_of_sets_the_age() {
    let mut structured = study(
        "NCT90000052",
        "RECRUITING",
        HCC,
        "Inclusion Criteria:\n\n* Age ≥ 18 years",
    );
    structured["protocolSection"]["eligibilityModule"]["maximumAge"] = json!("64 Years");
    let f = fixture(&[
        study(
            "NCT90000051",
            "RECRUITING",
            HCC,
            "Inclusion Criteria:\n\n* Age 18 to 64 years",
        ),
        structured,
    ]);
    // Born 1960-06-15: 64 on 2025-03-01, 65 on 2025-07-01.
    let v = f.matched(&[]);
    assert_eq!(
        criterion(result(&v, "NCT90000051"), "I1")["outcome"],
        "pass"
    );
    assert_eq!(
        criterion(result(&v, "NCT90000052"), "AGE")["outcome"],
        "pass"
    );
    assert_eq!(result(&v, "NCT90000051")["verdict"], "eligible");
    let p = f.patient.to_string_lossy();
    let v = tm_json(&f.db, &["match", "--patient", &p, "--as-of", "2025-07-01"]);
    assert_eq!(v["as_of"], "2025-07-01");
    let r = result(&v, "NCT90000051");
    assert_eq!(criterion(r, "I1")["outcome"], "fail", "{r}");
    assert_eq!(r["verdict"], "ineligible");
    let r = result(&v, "NCT90000052");
    assert_eq!(criterion(r, "AGE")["outcome"], "fail", "{r}");
    assert_eq!(r["failed"], json!(["AGE"]));
}

#[test]
fn bad_dates_are_usage_errors() {
    let f = fixture(&[study("NCT90000061", "RECRUITING", HCC, PLT_100)]);
    let p = f.patient.to_string_lossy();
    for args in [
        ["--as-of", "2025-13-01"],
        ["--as-of", "01/03/2025"],
        ["--planned-start", "soon"],
    ] {
        let mut all = vec!["match", "--patient", &p];
        all.extend_from_slice(&args);
        let o = tm(&f.db, &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(args[0]), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn human_view_puts_the_verdict_first_and_names_what_is_missing() {
    let f = fixture(&[study(
        "NCT90000071",
        "RECRUITING",
        HCC,
        "Inclusion Criteria:\n\n* LVEF ≥ 50%\n* Platelet count ≥ 100 × 10^9/L",
    )]);
    let p = f.patient.to_string_lossy();
    let o = tm(&f.db, &["match", "--patient", &p, "--as-of", "2025-03-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let sheet = out
        .lines()
        .position(|l| l.contains("NCT90000071"))
        .expect(&out);
    assert!(
        out.lines().nth(sheet).unwrap().starts_with("NEEDS DATA"),
        "{out}"
    );
    // The counts come before the sheets.
    let counts = out
        .lines()
        .position(|l| {
            l.starts_with("1 trial(s) screened: 0 eligible, 0 needs review, 1 needs data")
        })
        .expect(&out);
    assert!(counts < sheet, "{out}");
    let missing = out.find("Missing data:").expect(&out);
    assert!(
        out[missing..].to_lowercase().contains("lvef") || out[missing..].contains("ejection"),
        "{out}"
    );
}

fn demo_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(tm(&db, &["demo", "--no-screening"]).status.success());
    (dir, db)
}

#[test]
fn bench_match_checks_fast_and_explained_verdicts_agree() {
    let (_dir, db) = demo_store();
    let patient = root().join("examples/patients/seed000-child-pugh-8.json");
    let v = tm_json(
        &db,
        &[
            "bench",
            "match",
            "--patient",
            &patient.to_string_lossy(),
            "--repeat",
            "2",
        ],
    );
    assert_eq!(v["patient"], "seed000-child-pugh-8");
    assert_eq!(v["as_of"], "2025-03-01");
    assert_eq!(v["mismatches"], 0, "{v}");
    // Criteria were compiled at import, not by the benchmark.
    assert_eq!(v["compiled_now"], 0, "{v}");
    let n = v["trials"].as_u64().unwrap();
    assert!(n >= 1 && n <= v["trials_in_store"].as_u64().unwrap(), "{v}");
    let c = &v["verdicts"];
    let sum: u64 = ["eligible", "needs_review", "needs_data", "ineligible"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .sum();
    assert_eq!(sum, n);
    // Child-Pugh 8 is ineligible for seed 000 (NCT06310590).
    assert!(c["ineligible"].as_u64().unwrap() >= 1, "{v}");
    assert!(v["fast"]["per_pair_us"].as_f64().unwrap() > 0.0);
    // No store: exit 1, and none is created.
    let missing = _dir.path().join("none.db");
    let o = tm(
        &missing,
        &["bench", "match", "--patient", &patient.to_string_lossy()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(!missing.exists());
}

#[test]
fn bench_match_all_runs_every_example_patient_without_panic() {
    let (dir, db) = demo_store();
    let patients = root().join("examples/patients");
    let v = tm_json(
        &db,
        &[
            "bench",
            "match-all",
            "--patients",
            &patients.to_string_lossy(),
        ],
    );
    assert_eq!(v["panics"], json!([]), "{v}");
    assert_eq!(v["mismatches"], 0, "{v}");
    let n_files = std::fs::read_dir(&patients)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(v["files"], n_files);
    let rows = v["patients"].as_array().unwrap();
    assert!(rows.len() >= n_files, "{v}");
    let trials = v["trials"].as_u64().unwrap();
    assert_eq!(v["pairs"].as_u64().unwrap(), rows.len() as u64 * trials);
    let row = rows
        .iter()
        .find(|r| r["patient"] == "seed000-child-pugh-8")
        .expect("row");
    assert!(
        row["verdicts"]["ineligible"].as_u64().unwrap() >= 1,
        "{row}"
    );
    // A directory without patient files: exit 1.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = tm(
        &db,
        &["bench", "match-all", "--patients", &empty.to_string_lossy()],
    );
    assert_eq!(o.status.code(), Some(1));
}
