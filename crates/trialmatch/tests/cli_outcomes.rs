//! The outcome commands (`survival`, `response`, `safety`, `qol`, `dosimetry`) through the real
//! binary. Expected values are the worked examples of ../shared/reference/clinical-rules.md
//! (§3.6 survival vector, §5 QLQ-C30 formulas, §6 dosimetry examples) or counted by hand from
//! the small inputs the tests write. The pharmaverse variant skips when ../shared is absent.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output};

/// Runs `trialmatch args…` (the outcome commands ignore the store).
fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("TRIALMATCH_DB")
        .env_remove("TRIALMATCH_LOG")
        .output()
        .expect("run trialmatch")
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert!(
        o.status.success(),
        "trialmatch {args:?} failed: {}\n{}",
        stdout(&o),
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(&o)))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn example(rel: &str) -> String {
    root().join("examples").join(rel).display().to_string()
}

/// The contents of the SVG's `<text>` elements, trimmed, in document order.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let body = chunk.split_once('>')?.1;
            Some(body.split("</text>").next()?.trim().to_string())
        })
        .collect()
}

fn close(v: &serde_json::Value, want: f64, tol: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"));
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

/// The §3.6 worked vector: arm A 3, 5, 5, 9+, 10, 12+, 15, 18+; arm B 1, 2, 3, 4+, 6, 6, 9, 11+.
const SURVIVAL_CSV: &str = "time,event,arm\n\
    3,1,A\n5,1,A\n5,1,A\n9,0,A\n10,1,A\n12,0,A\n15,1,A\n18,0,A\n\
    1,1,B\n2,1,B\n3,1,B\n4,0,B\n6,1,B\n6,1,B\n9,1,B\n11,0,B\n";

#[test]
fn survival_json_reproduces_the_worked_vector_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("surv.csv");
    std::fs::write(&csv, SURVIVAL_CSV).unwrap();
    let svg = dir.path().join("km.svg");
    let j = run_json(&[
        "survival",
        p(&csv),
        "--time",
        "time",
        "--event",
        "event",
        "--group",
        "arm",
        "--reference",
        "B",
        "--plot",
        p(&svg),
    ]);
    for key in ["groups", "logrank", "hazard_ratios"] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    let groups = j["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let g = |name: &str| groups.iter().find(|g| g["group"] == name).unwrap();
    let (a, b) = (g("A"), g("B"));
    for grp in [a, b] {
        for key in ["group", "n", "events", "median", "median_ci", "curve"] {
            assert!(grp.get(key).is_some(), "group missing {key}");
        }
        let row = &grp["curve"][1];
        for key in [
            "time", "at_risk", "events", "censored", "survival", "ci_lower", "ci_upper",
        ] {
            assert!(row.get(key).is_some(), "curve row missing {key}");
        }
    }
    assert_eq!((a["n"].as_u64(), a["events"].as_u64()), (Some(8), Some(5)));
    assert_eq!((b["n"].as_u64(), b["events"].as_u64()), (Some(8), Some(6)));
    // Medians: A = 10 (95 % CI 3 – not reached), B = 6 (1 – 9).
    close(&a["median"], 10.0, 0.0, "median A");
    close(&a["median_ci"][0], 3.0, 0.0, "median A lower");
    assert!(a["median_ci"][1].is_null(), "upper bound not reached");
    close(&b["median"], 6.0, 0.0, "median B");
    close(&b["median_ci"][0], 1.0, 0.0, "median B lower");
    close(&b["median_ci"][1], 9.0, 0.0, "median B upper");
    // One curve row per distinct time (A: 3, 5, 9, 10, 12, 15, 18), after the time-0 row;
    // the censoring at 9 keeps S = 0.625 with 5 at risk; S(15) = 0.234375, CI 0.013015–0.615806.
    let curve_a = a["curve"].as_array().unwrap();
    let times: Vec<f64> = curve_a
        .iter()
        .map(|r| r["time"].as_f64().unwrap())
        .collect();
    assert_eq!(times, [0.0, 3.0, 5.0, 9.0, 10.0, 12.0, 15.0, 18.0]);
    let at = |t: f64| curve_a.iter().find(|r| r["time"] == t).unwrap();
    assert_eq!(at(9.0)["at_risk"], 5);
    assert_eq!(at(9.0)["censored"], 1);
    close(&at(9.0)["survival"], 0.625, 1e-12, "S(9)");
    close(&at(15.0)["survival"], 0.234375, 1e-9, "S(15)");
    close(&at(15.0)["ci_lower"], 0.013015, 5e-7, "LL(15)");
    close(&at(15.0)["ci_upper"], 0.615806, 5e-7, "UL(15)");
    // Log-rank: χ² = 1.988606, df 1, p = 0.158487.
    close(&j["logrank"]["chi2"], 1.988606, 5e-7, "chi2");
    assert_eq!(j["logrank"]["df"], 1);
    close(&j["logrank"]["p"], 0.158487, 5e-7, "p");
    // Hazard ratio A vs B: Cox (Efron) 0.411309, Peto 0.383398, Mantel-Haenszel 0.395272.
    let hr = j["hazard_ratios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["group"] == "A")
        .expect("HR of A vs B");
    assert_eq!(hr["reference"], "B");
    close(&hr["cox"]["hr"], 0.411309, 5e-7, "Cox HR");
    // §3.6 prints 0.176657 (lifelines' β stops ~1e-7 short of the MLE, whose p is 0.17665647).
    close(&hr["cox"]["p"], 0.176657, 6e-7, "Wald p");
    close(&hr["peto"]["hr"], 0.383398, 5e-7, "Peto HR");
    close(&hr["mantel_haenszel"], 0.395272, 5e-7, "MH HR");
    // The plot: an SVG with both groups in the legend and the number-at-risk table under the
    // axis (ticks 0, 5, 10, 15, 20). By hand: A 8, 7, 4, 2, 0; B 8, 4, 1, 0, 0.
    let text = std::fs::read_to_string(&svg).expect("SVG written");
    assert!(text.trim_start().starts_with("<svg") && text.trim_end().ends_with("</svg>"));
    let labels = svg_texts(&text);
    assert!(
        labels.iter().any(|l| l.contains("n=8, events=5")),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.contains("n=8, events=6")),
        "{labels:?}"
    );
    let row = |g: &str| -> Vec<&str> {
        let i = labels
            .iter()
            .rposition(|l| l == g)
            .unwrap_or_else(|| panic!("at-risk row {g}: {labels:?}"));
        labels[i + 1..i + 6].iter().map(String::as_str).collect()
    };
    assert_eq!(row("A"), ["8", "7", "4", "2", "0"]);
    assert_eq!(row("B"), ["8", "4", "1", "0", "0"]);
    // A missing column is a clean failure, not a panic.
    let o = run(&["survival", p(&csv), "--time", "nope", "--event", "event"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
}

#[test]
fn response_on_the_example_lesions() {
    let lesions = example("response/lesions.csv");
    let bor = |criteria: &str| -> Vec<(String, String)> {
        let j = run_json(&["response", &lesions, "--criteria", criteria]);
        assert_eq!(j["input_kind"], "lesions");
        j["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["subject"].as_str().unwrap().to_string(),
                    s["bor"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let m = bor("mrecist");
    let r = bor("recist11");
    let get = |v: &[(String, String)], s: &str| v.iter().find(|x| x.0 == s).unwrap().1.clone();
    // HCC-004: viable diameter 55 → 30 mm (−45 %) at week 8, 28 mm at week 16 → PR by
    // mRECIST; the whole lesion 60 → 57 mm (−5 %) is SD by RECIST 1.1.
    assert_eq!(get(&m, "HCC-004"), "PR");
    assert_eq!(get(&r, "HCC-004"), "SD");
    // HCC-002: a new "ascites" lesion at week 8 is PD by RECIST 1.1 but not by mRECIST (no
    // cytology); its viable growth 36 → 44 mm comes too late to beat the week-8 SD.
    assert_eq!(get(&r, "HCC-002"), "PD");
    assert_eq!(get(&m, "HCC-002"), "SD");
}

fn write_sdtm(dir: &Path) {
    std::fs::write(
        dir.join("dm.csv"),
        "STUDYID,USUBJID,ARM,ACTARM\nT,S1,Drug,Drug\nT,S2,Drug,Drug\nT,S3,Placebo,Placebo\nT,S4,Drug,Drug\n",
    )
    .unwrap();
    // S2's second record has no end date: TRTEDT stays 2024-01-05 (admiral; no fallback to the
    // record's start). S4 was never dosed.
    std::fs::write(
        dir.join("ex.csv"),
        "USUBJID,EXTRT,EXDOSE,EXSTDTC,EXENDTC\n\
         S1,DRUG,10,2024-01-10,2024-01-20\n\
         S2,DRUG,10,2024-01-05,2024-01-05\n\
         S2,DRUG,10,2024-01-06,\n\
         S3,PLACEBO,0,2024-01-01,2024-02-01\n\
         S4,DRUG,0,2024-01-01,2024-01-02\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ae.csv"),
        "USUBJID,AESEQ,AEDECOD,AESTDTC,AEENDTC,AETOXGR,AESEV,AESER\n\
         S1,1,HEADACHE,2024-01-09,2024-01-09,1,MILD,N\n\
         S1,2,HEADACHE,2024-01-12,,2,MODERATE,N\n\
         S1,3,NAUSEA,2024-02-19,,3,SEVERE,N\n\
         S1,4,RASH,2024-02-20,,1,MILD,N\n\
         S2,1,NAUSEA,2024-01,,1,MILD,Y\n\
         S2,2,VOMITING,2024-02-05,,2,MODERATE,N\n\
         S3,1,FATIGUE,2024-01-15,,1,MILD,N\n\
         S4,1,FATIGUE,2024-01-15,,1,MILD,N\n",
    )
    .unwrap();
}

#[test]
fn safety_on_a_synthetic_sdtm_dir() {
    let dir = tempfile::tempdir().unwrap();
    write_sdtm(dir.path());
    let j = run_json(&["safety", p(dir.path())]);
    let teae: Vec<(String, String)> = j["adverse_events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["teae"] == true)
        .map(|a| {
            (
                a["usubjid"].as_str().unwrap().to_string(),
                a["aeseq"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // By hand: S1-1 before the first dose; S1-3 is last dose + 30 d (in), S1-4 + 31 d (out);
    // S2-1 "2024-01" → imputed to TRTSDT 2024-01-05 (in); S2-2 = 2024-01-05 + 31 d (out);
    // S3 (placebo dose 0 counts); S4 never dosed.
    let want: Vec<(String, String)> = [("S1", "2"), ("S1", "3"), ("S2", "1"), ("S3", "1")]
        .iter()
        .map(|(u, s)| (u.to_string(), s.to_string()))
        .collect();
    assert_eq!(teae, want);
    let arm = |name: &str| {
        j["arms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["arm"] == name)
            .unwrap()
            .clone()
    };
    let drug = arm("Drug");
    assert_eq!(drug["dosed"], 2);
    assert_eq!(drug["with_teae"], 2);
    assert_eq!(drug["with_serious_teae"], 1); // S2 nausea
    assert_eq!(drug["with_grade3_plus_teae"], 1); // S1 nausea grade 3
    assert_eq!(drug["with_severe_teae"], 1);
    let nausea = drug["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["term"] == "NAUSEA")
        .unwrap();
    assert_eq!(
        (
            &nausea["subjects"],
            &nausea["grade3_plus"],
            &nausea["serious"]
        ),
        (&2.into(), &1.into(), &1.into())
    );
    assert_eq!(drug["terms"][0]["term"], "NAUSEA", "most frequent first");
    let placebo = arm("Placebo");
    assert_eq!(
        (&placebo["dosed"], &placebo["with_teae"]),
        (&1.into(), &1.into())
    );
    assert!(j["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("AFP")));
    // A 31-day window takes in S1's rash and S2's vomiting.
    let j31 = run_json(&["safety", p(dir.path()), "--window-days", "31"]);
    let n31 = j31["adverse_events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["teae"] == true)
        .count();
    assert_eq!(n31, 6);
    // Missing AE is a clean failure.
    std::fs::remove_file(dir.path().join("ae.csv")).unwrap();
    let o = run(&["safety", p(dir.path())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("ae.csv"), "{}", stderr(&o));
}

#[test]
fn safety_on_pharmaverse_matches_adae_count() {
    let Some(data) = shared_data() else {
        eprintln!("note: ../shared/data absent; pharmaverse safety CLI test skipped");
        return;
    };
    let sdtm = data.join("pharmaverse/sdtm");
    if !sdtm.join("ae.csv").exists() {
        eprintln!("note: {} absent; skipped", sdtm.display());
        return;
    }
    let j = run_json(&["safety", p(&sdtm)]);
    let aes = j["adverse_events"].as_array().unwrap();
    assert_eq!(aes.len(), 1191);
    // NOTES.md: 1122 ADAE rows are TRTEMFL = Y.
    assert_eq!(aes.iter().filter(|a| a["teae"] == true).count(), 1122);
    assert!(j["arms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["with_grade3_plus_teae"].is_null()));
}

#[test]
fn qol_on_the_example_csv_and_on_sdtm_qs() {
    let j = run_json(&["qol", &example("qlq_c30_example.csv")]);
    assert_eq!(j["instrument"], "EORTC QLQ-C30 v3.0");
    let subjects = j["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 2);
    let s1 = &subjects[0];
    assert_eq!(s1["subject"], "HCC-001");
    assert_eq!(s1["baseline_visit"], "BASELINE");
    let v = |name: &str| {
        s1["visits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["visit"] == name)
            .unwrap()
            .clone()
    };
    // §5: PF2 items 1–5 at baseline 1,1,2,2,2 → RS 1.6 → (1 − 0.6/3) × 100 = 80; week 6
    // 2,2,1,2,1 → 80 again. QL2 (items 29, 30): baseline 6,6 → 83.33; week 6 5,6 → RS 5.5 →
    // 4.5/6 × 100 = 75, change −8.33.
    let (base, w6) = (v("BASELINE"), v("WEEK 6"));
    assert_eq!(base["baseline"], true);
    close(&base["scores"]["PF2"], 80.0, 1e-9, "PF2 baseline");
    close(&base["scores"]["QL2"], 500.0 / 6.0, 1e-9, "QL2 baseline");
    close(&w6["scores"]["PF2"], 80.0, 1e-9, "PF2 week 6");
    close(&w6["scores"]["QL2"], 75.0, 1e-9, "QL2 week 6");
    close(&w6["change"]["QL2"], 75.0 - 500.0 / 6.0, 1e-9, "QL2 change");
    assert!(w6["summary"].is_number() && w6["summary_change"].is_number());
    assert!(j["skipped"].as_array().unwrap().is_empty());

    // The same command on an SDTM directory with a QS domain (CDISC codes EOR0129/EOR0130,
    // answers as text "6 Very Good" and numbers in QSSTRESN).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("qs.csv"),
        "USUBJID,QSTESTCD,QSCAT,QSORRES,QSSTRESN,VISIT,QSDTC\n\
         P1,EOR0129,EORTC QLQ-C30 V3.0,6 Very Good,,BASELINE,2025-01-06\n\
         P1,EOR0130,EORTC QLQ-C30 V3.0,6 Very Good,,BASELINE,2025-01-06\n\
         P1,EOR0129,EORTC QLQ-C30 V3.0,,4,WEEK 6,2025-02-17\n\
         P1,EOR0130,EORTC QLQ-C30 V3.0,,4,WEEK 6,2025-02-17\n\
         P1,EOR0131,EORTC QLQ-C30 V3.0,,50,WEEK 6,2025-02-17\n",
    )
    .unwrap();
    let j = run_json(&["qol", p(dir.path())]);
    let visits = j["subjects"][0]["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 2);
    // QL2: (6 − 1)/6 × 100 = 83.33 → (4 − 1)/6 × 100 = 50, change −33.33.
    close(
        &visits[0]["scores"]["QL2"],
        500.0 / 6.0,
        1e-9,
        "QS QL2 baseline",
    );
    close(&visits[1]["scores"]["QL2"], 50.0, 1e-9, "QS QL2 week 6");
    close(
        &visits[1]["change"]["QL2"],
        50.0 - 500.0 / 6.0,
        1e-9,
        "QS change",
    );
    assert!(visits[1]["scores"]["PF2"].is_null());
    // A QS file given directly works too; a directory without QS is a clean failure.
    let j2 = run_json(&["qol", p(&dir.path().join("qs.csv"))]);
    assert_eq!(j2["subjects"], j["subjects"]);
    let empty = tempfile::tempdir().unwrap();
    let o = run(&["qol", p(empty.path())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("qs.csv"), "{}", stderr(&o));
}

#[test]
fn dosimetry_on_the_example_csv() {
    let j = run_json(&["dosimetry", &example("dosimetry_example.csv")]);
    close(&j["config"]["gy_kg_per_gbq"], 49.67, 0.0, "coefficient");
    let t = j["treatments"].as_array().unwrap();
    assert_eq!(t.len(), 4);
    assert!(j["skipped"].as_array().unwrap().is_empty());
    // §6.2: A = 2.0 GBq, M = 1.5 kg, LSF 8 % → D_liver 60.93 Gy, lung 7.95 Gy.
    close(&t[0]["mird_liver_dose_gy"], 60.93, 0.005, "§6.2 liver dose");
    close(&t[0]["lung_dose_gy"], 7.95, 0.005, "§6.2 lung dose");
    assert_eq!(t[0]["lung_single_within_limit"], true);
    // §6.5: A = 1.838 GBq, T/N 3, M_T 0.3, M_N 1.2, LSF 8 % → D_N 40, D_T 120, lung 7.30 Gy.
    let part = &t[1]["partition"];
    close(&part["dose_normal"], 40.0, 0.02, "§6.5 normal liver");
    close(&part["dose_tumour"], 120.0, 0.06, "§6.5 tumour");
    close(&part["dose_lung"], 7.30, 0.005, "§6.5 lung");
    // Glass rows have no resin reduction; resin rows show §6.3: LSF 12.5 % → −20 %
    // (3.0 → 2.4 GBq), LSF 18 % → −40 % (2.5 → 1.5 GBq).
    assert!(t[0]["resin_lsf_reduction"].is_null());
    let r3 = &t[2]["resin_lsf_reduction"];
    assert_eq!(r3["decision"], "reduce");
    close(&r3["reduction"], 20.0, 1e-9, "SIRT-03 reduction");
    close(
        &r3["recommended_activity_gbq"],
        2.4,
        1e-9,
        "SIRT-03 activity",
    );
    let r4 = &t[3]["resin_lsf_reduction"];
    close(&r4["reduction"], 40.0, 1e-9, "SIRT-04 reduction");
    close(
        &r4["recommended_activity_gbq"],
        1.5,
        1e-9,
        "SIRT-04 activity",
    );
    // The human view shows it too.
    let o = run(&["dosimetry", &example("dosimetry_example.csv")]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("resin LSF reduction  reduce by 40 %"));
    // From arguments: resin at LSF 25 % → do not treat (a note, not a failure).
    let j = run_json(&[
        "dosimetry",
        "--activity",
        "2",
        "--lsf",
        "25",
        "--microsphere",
        "resin",
    ]);
    assert_eq!(
        j["treatments"][0]["resin_lsf_reduction"]["decision"],
        "do_not_treat"
    );
    assert!(j["treatments"][0]["resin_lsf_reduction"]["recommended_activity_gbq"].is_null());
    // Neither a CSV nor --activity/--lsf: usage error.
    assert_eq!(run(&["dosimetry"]).status.code(), Some(2));
}

#[test]
fn survival_plot_legend_carries_the_time_unit() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("surv.csv");
    std::fs::write(&csv, SURVIVAL_CSV).unwrap();
    let svg = dir.path().join("km.svg");
    let o = run(&[
        "survival",
        p(&csv),
        "--time",
        "time",
        "--event",
        "event",
        "--group",
        "arm",
        "--plot",
        p(&svg),
        "--time-unit",
        "days",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let labels = svg_texts(&std::fs::read_to_string(&svg).unwrap());
    // §3.6: median A = 10, B = 6; the time axis names the column and the unit.
    assert!(
        labels.iter().any(|l| l.contains("median 10 days")),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.contains("median 6 days")),
        "{labels:?}"
    );
    assert!(labels.iter().any(|l| l == "time (days)"), "{labels:?}");
}

/// Bad inputs end with exit 1 and a message naming the problem — never a panic (exit 101).
#[test]
fn outcome_commands_reject_bad_inputs_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = |name: &str, text: &str| {
        let path = d.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let empty = file("empty.csv", "");
    let header = file("header.csv", "time,event,arm\n");
    let words = file("words.csv", "time,event\nabc,1\nxyz,0\n");
    let negative = file("negative.csv", "time,event\n-5,1\n-1,0\n");
    let no_dm = d.join("no_dm");
    std::fs::create_dir(&no_dm).unwrap();
    std::fs::write(no_dm.join("ae.csv"), "USUBJID,AETERM\nS1,NAUSEA\n").unwrap();
    let no_dm = no_dm.display().to_string();
    let out = d.join("out").display().to_string();
    fn surv(f: &str) -> Vec<&str> {
        vec!["survival", f, "--time", "time", "--event", "event"]
    }
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (surv(&empty), "no header line"),
        (surv(&header), "no data rows"),
        (surv(&words), "invalid time \"abc\""),
        (surv(&negative), "must be finite and >= 0"),
        (
            vec!["survival", &words, "--time", "t", "--event", "event"],
            "column \"t\" not found",
        ),
        (vec!["response", &no_dm], "no dm.csv"),
        (vec!["response", &empty], "empty file"),
        (vec!["safety", &no_dm], "no dm.csv"),
        (vec!["safety", &empty], "not a directory"),
        (vec!["report", &no_dm, "--out", &out], "no dm.csv"),
        (vec!["qol", &header], "missing column"),
        (vec!["dosimetry", &header], "missing column"),
    ];
    for (args, want) in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
}
