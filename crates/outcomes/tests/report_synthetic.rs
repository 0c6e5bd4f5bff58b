//! `report::generate` on a small synthetic SDTM set written by the test: participant flow,
//! baseline numbers, AE counts and the outcome-measure matching are asserted against values
//! computed independently from the test's own subject specification.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use tm_model::{Outcome, Outcomes, Trial};
use tm_outcomes::report::{generate, matching, ReportOptions};

struct Subj {
    id: &'static str,
    arm: &'static str,
    age: u32,
    sex: &'static str,
    randomised: bool,
    treated: bool,
    /// DS disposition DSDECOD (None = ongoing).
    disposition: Option<&'static str>,
    ecog: Option<&'static str>,
    death: Option<&'static str>,
}

/// (subject, SOC, term, grade, serious, start date)
type Ae = (
    &'static str,
    &'static str,
    &'static str,
    u8,
    bool,
    &'static str,
);

fn subjects() -> Vec<Subj> {
    let s = |id, arm, age, sex, randomised, treated, disposition, ecog, death| Subj {
        id,
        arm,
        age,
        sex,
        randomised,
        treated,
        disposition,
        ecog,
        death,
    };
    vec![
        s(
            "S-01",
            "Drug",
            61,
            "M",
            true,
            true,
            Some("COMPLETED"),
            Some("0"),
            None,
        ),
        s(
            "S-02",
            "Drug",
            55,
            "F",
            true,
            true,
            Some("ADVERSE EVENT"),
            Some("1"),
            None,
        ),
        s(
            "S-03",
            "Drug",
            70,
            "M",
            true,
            true,
            Some("DEATH"),
            Some("1"),
            Some("2024-03-20"),
        ),
        s(
            "S-04",
            "Drug",
            48,
            "F",
            true,
            false,
            Some("WITHDRAWAL BY SUBJECT"),
            None,
            None,
        ),
        s(
            "S-05",
            "Control",
            66,
            "F",
            true,
            true,
            Some("COMPLETED"),
            Some("0"),
            None,
        ),
        s(
            "S-06",
            "Control",
            59,
            "M",
            true,
            true,
            None,
            Some("2"),
            None,
        ),
        s(
            "S-07",
            "Control",
            73,
            "F",
            true,
            true,
            Some("ADVERSE EVENT"),
            Some("0"),
            None,
        ),
        s(
            "S-08",
            "Screen Failure",
            50,
            "M",
            false,
            false,
            Some("SCREEN FAILURE"),
            None,
            None,
        ),
        s(
            "S-09",
            "Screen Failure",
            44,
            "F",
            false,
            false,
            Some("SCREEN FAILURE"),
            None,
            None,
        ),
    ]
}

fn aes() -> Vec<Ae> {
    vec![
        (
            "S-01",
            "GASTROINTESTINAL DISORDERS",
            "NAUSEA",
            1,
            false,
            "2024-01-10",
        ),
        (
            "S-01",
            "GASTROINTESTINAL DISORDERS",
            "NAUSEA",
            2,
            false,
            "2024-02-10",
        ),
        (
            "S-01",
            "GASTROINTESTINAL DISORDERS",
            "DIARRHOEA",
            3,
            false,
            "2024-01-20",
        ),
        (
            "S-02",
            "GASTROINTESTINAL DISORDERS",
            "NAUSEA",
            1,
            false,
            "2024-01-12",
        ),
        (
            "S-02",
            "HEPATOBILIARY DISORDERS",
            "HEPATITIS",
            3,
            true,
            "2024-01-25",
        ),
        (
            "S-03",
            "GENERAL DISORDERS",
            "FATIGUE",
            2,
            false,
            "2024-01-15",
        ),
        ("S-03", "INFECTIONS", "SEPSIS", 5, true, "2024-03-18"),
        (
            "S-05",
            "GENERAL DISORDERS",
            "FATIGUE",
            1,
            false,
            "2024-01-11",
        ),
        (
            "S-06",
            "GASTROINTESTINAL DISORDERS",
            "NAUSEA",
            2,
            false,
            "2024-01-09",
        ),
        // Before the first dose: not treatment-emergent.
        (
            "S-07",
            "GENERAL DISORDERS",
            "FATIGUE",
            3,
            false,
            "2023-12-20",
        ),
        // Untreated subject: never treatment-emergent.
        (
            "S-04",
            "GENERAL DISORDERS",
            "FATIGUE",
            1,
            false,
            "2024-01-10",
        ),
    ]
}

const FIRST_DOSE: &str = "2024-01-05";
const LAST_DOSE: &str = "2024-04-30";

fn write_sdtm(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    let subs = subjects();
    let mut dm = String::from("STUDYID,DOMAIN,USUBJID,RFSTDTC,DTHDTC,DTHFL,AGE,AGEU,SEX,ARMCD,ARM,ACTARMCD,ACTARM,ARMNRS\n");
    for s in &subs {
        let (armcd, nrs) = if s.arm == "Screen Failure" {
            ("SCRNFAIL", "SCREEN FAILURE")
        } else {
            (if s.arm == "Drug" { "DRG" } else { "CTL" }, "")
        };
        dm.push_str(&format!(
            "SYN01,DM,{},{},{},{},{},YEARS,{},{armcd},{},{armcd},{},{nrs}\n",
            s.id,
            if s.randomised { "2024-01-05" } else { "" },
            s.death.unwrap_or(""),
            if s.death.is_some() { "Y" } else { "" },
            s.age,
            s.sex,
            s.arm,
            s.arm
        ));
    }
    std::fs::write(dir.join("dm.csv"), dm).unwrap();
    let mut ds = String::from("STUDYID,DOMAIN,USUBJID,DSSEQ,DSTERM,DSDECOD,DSCAT,DSSTDTC\n");
    for s in &subs {
        if s.randomised {
            ds.push_str(&format!(
                "SYN01,DS,{},1,RANDOMIZED,RANDOMIZED,PROTOCOL MILESTONE,2024-01-05\n",
                s.id
            ));
        }
        if let Some(d) = s.disposition {
            ds.push_str(&format!(
                "SYN01,DS,{},2,{d},{d},DISPOSITION EVENT,2024-05-01\n",
                s.id
            ));
        }
    }
    std::fs::write(dir.join("ds.csv"), ds).unwrap();
    let mut ex = String::from("STUDYID,DOMAIN,USUBJID,EXSEQ,EXTRT,EXDOSE,EXDOSU,EXSTDTC,EXENDTC\n");
    for s in subs.iter().filter(|s| s.treated) {
        let trt = if s.arm == "Drug" { "DRUGX" } else { "PLACEBO" };
        let dose = if s.arm == "Drug" { 50 } else { 0 };
        ex.push_str(&format!(
            "SYN01,EX,{},1,{trt},{dose},mg,{FIRST_DOSE},{LAST_DOSE}\n",
            s.id
        ));
    }
    std::fs::write(dir.join("ex.csv"), ex).unwrap();
    let mut ae = String::from("STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AEDECOD,AEBODSYS,AETOXGR,AESER,AEOUT,AESTDTC,AEENDTC\n");
    for (i, (u, soc, term, g, ser, st)) in aes().iter().enumerate() {
        let out = if *g == 5 {
            "FATAL"
        } else {
            "RECOVERED/RESOLVED"
        };
        ae.push_str(&format!(
            "SYN01,AE,{u},{},{term},{term},{soc},{g},{},{out},{st},\n",
            i + 1,
            if *ser { "Y" } else { "N" }
        ));
    }
    std::fs::write(dir.join("ae.csv"), ae).unwrap();
    let mut supp = String::from("STUDYID,RDOMAIN,USUBJID,IDVAR,IDVARVAL,QNAM,QLABEL,QVAL\n");
    for s in &subs {
        if let Some(e) = s.ecog {
            supp.push_str(&format!("SYN01,DM,{},,,ECOG,ECOG at baseline,{e}\n", s.id));
        }
    }
    std::fs::write(dir.join("suppdm.csv"), supp).unwrap();
    // Investigator overall responses for two subjects.
    let rs = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSORRES,RSSTRESC,RSEVAL,VISIT,RSDTC\n\
SYN01,RS,S-01,1,OVRLRESP,Overall Response,PR,PR,INVESTIGATOR,WEEK 6,2024-02-16\n\
SYN01,RS,S-01,2,OVRLRESP,Overall Response,PR,PR,INVESTIGATOR,WEEK 12,2024-03-29\n\
SYN01,RS,S-05,1,OVRLRESP,Overall Response,SD,SD,INVESTIGATOR,WEEK 6,2024-02-16\n\
SYN01,RS,S-05,2,OVRLRESP,Overall Response,PD,PD,INVESTIGATOR,WEEK 12,2024-03-29\n";
    std::fs::write(dir.join("rs.csv"), rs).unwrap();
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tm_report_{}_{}", std::process::id(), name));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn json_of(out: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn row<'a>(rows: &'a serde_json::Value, label: &str) -> &'a serde_json::Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("no row {label:?} in {rows}"))
}

fn counts(v: &serde_json::Value) -> (Vec<u64>, u64) {
    (
        v["by_arm"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect(),
        v["total"].as_u64().unwrap(),
    )
}

#[test]
fn synthetic_report_counts_match_independent_computation() {
    let dir = tmp("sdtm");
    let out = tmp("out");
    write_sdtm(&dir);
    let trial = Trial {
        id: "NCT00000000".into(),
        title: Some("Synthetic".into()),
        outcomes: Outcomes {
            primary: vec![Outcome {
                measure: "Objective Response Rate (ORR) by RECIST 1.1".into(),
                ..Default::default()
            }],
            secondary: vec![
                Outcome {
                    measure: "Overall Survival".into(),
                    ..Default::default()
                },
                Outcome {
                    measure: "Incidence of treatment-emergent adverse events".into(),
                    ..Default::default()
                },
                Outcome {
                    measure: "EORTC QLQ-C30 global health status".into(),
                    ..Default::default()
                },
            ],
            other: Vec::new(),
        },
        ..Default::default()
    };
    let g = generate(
        &dir,
        &out,
        &ReportOptions {
            trial: Some(trial),
            ..Default::default()
        },
    )
    .unwrap();
    for f in [
        "report.md",
        "report.html",
        "report.json",
        "adsl.csv",
        "adae.csv",
        "adtte.csv",
        "adrs.csv",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let j = json_of(&out);
    let subs = subjects();
    let arms = ["Control", "Drug"]; // natural order
    assert_eq!(j["participant_flow"]["arms"], serde_json::json!(arms));

    // Participant flow, computed from the specification.
    let per_arm = |pred: &dyn Fn(&Subj) -> bool| -> (Vec<u64>, u64) {
        let v: Vec<u64> = arms
            .iter()
            .map(|a| {
                subs.iter()
                    .filter(|s| s.randomised && s.arm == *a && pred(s))
                    .count() as u64
            })
            .collect();
        let t = v.iter().sum();
        (v, t)
    };
    let pf = &j["participant_flow"];
    assert_eq!(pf["screened"], subs.len() as u64);
    assert_eq!(
        pf["screen_failures"],
        subs.iter()
            .filter(|s| s.disposition == Some("SCREEN FAILURE"))
            .count() as u64
    );
    assert_eq!(counts(row(&pf["rows"], "Randomised")), per_arm(&|_| true));
    assert_eq!(
        counts(row(&pf["rows"], "Treated (received any study treatment)")),
        per_arm(&|s| s.treated)
    );
    assert_eq!(
        counts(row(&pf["rows"], "Completed the study")),
        per_arm(&|s| s.disposition == Some("COMPLETED"))
    );
    assert_eq!(
        counts(row(&pf["rows"], "Discontinued the study")),
        per_arm(&|s| !matches!(s.disposition, None | Some("COMPLETED")))
    );
    assert_eq!(
        counts(row(&pf["rows"], "Ongoing (no disposition event)")),
        per_arm(&|s| s.disposition.is_none())
    );
    for reason in ["ADVERSE EVENT", "WITHDRAWAL BY SUBJECT", "DEATH"] {
        assert_eq!(
            counts(row(&pf["discontinuation_reasons"], reason)),
            per_arm(&|s| s.disposition == Some(reason)),
            "{reason}"
        );
    }

    // Baseline: age mean per arm, sex and ECOG counts.
    let bl = &j["baseline"];
    let age = &bl["characteristics"][0];
    for (i, a) in arms.iter().enumerate() {
        let ages: Vec<f64> = subs
            .iter()
            .filter(|s| s.randomised && s.arm == *a)
            .map(|s| s.age as f64)
            .collect();
        let mean = ages.iter().sum::<f64>() / ages.len() as f64;
        assert!((age["summary"][i]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
        assert_eq!(age["summary"][i]["n"], ages.len() as u64);
        let min = ages.iter().cloned().fold(f64::INFINITY, f64::min);
        assert_eq!(age["summary"][i]["min"].as_f64().unwrap(), min);
    }
    let ch = |name: &str| {
        bl["characteristics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["variable"] == name)
            .unwrap()
            .clone()
    };
    let sex = ch("SEX");
    assert_eq!(
        counts(row(&sex["categories"], "Female")),
        per_arm(&|s| s.sex == "F")
    );
    let ecog = ch("ECOG");
    assert_eq!(ecog["collected"], true);
    for v in ["0", "1", "2"] {
        assert_eq!(
            counts(row(&ecog["categories"], v)),
            per_arm(&|s| s.ecog == Some(v)),
            "ECOG {v}"
        );
    }
    assert_eq!(
        counts(row(&ecog["categories"], "Missing")),
        per_arm(&|s| s.ecog.is_none())
    );
    assert_eq!(ch("CHILDPUGH")["collected"], false);
    assert_eq!(ch("BCLC")["collected"], false);

    // Adverse events: treatment-emergent = treated subject, start within [first dose, last + 30].
    let treated_arm: BTreeMap<&str, &str> = subs
        .iter()
        .filter(|s| s.treated)
        .map(|s| (s.id, s.arm))
        .collect();
    let all_aes = aes();
    let teae: Vec<&Ae> = all_aes
        .iter()
        .filter(|a| treated_arm.contains_key(a.0) && a.5 >= FIRST_DOSE && a.5 <= "2024-05-30")
        .collect();
    let subj_count = |pred: &dyn Fn(&Ae) -> bool| -> (Vec<u64>, u64) {
        let sets: Vec<BTreeSet<&str>> = arms
            .iter()
            .map(|arm| {
                teae.iter()
                    .filter(|a| treated_arm[a.0] == *arm && pred(a))
                    .map(|a| a.0)
                    .collect()
            })
            .collect();
        let v: Vec<u64> = sets.iter().map(|s| s.len() as u64).collect();
        let t = v.iter().sum();
        (v, t)
    };
    let ae = &j["adverse_events"];
    let safety_n: Vec<u64> = arms
        .iter()
        .map(|a| subs.iter().filter(|s| s.treated && s.arm == *a).count() as u64)
        .collect();
    assert_eq!(ae["n"][0], safety_n[0]);
    assert_eq!(ae["n"][1], safety_n[1]);
    assert_eq!(ae["grade_collected"], true);
    assert_eq!(
        counts(row(&ae["summary"], "Subjects with ≥ 1 TEAE")),
        subj_count(&|_| true)
    );
    assert_eq!(
        counts(row(
            &ae["summary"],
            "Subjects with a grade ≥ 3 TEAE (CTCAE)"
        )),
        subj_count(&|a| a.3 >= 3)
    );
    assert_eq!(
        counts(row(
            &ae["summary"],
            "Subjects with a serious TEAE (AESER = Y)"
        )),
        subj_count(&|a| a.4)
    );
    assert_eq!(
        counts(row(&ae["summary"], "Subjects with a fatal TEAE")),
        subj_count(&|a| a.3 == 5)
    );
    // Nausea: subjects, not events (S-01 has two nausea AEs).
    let nausea = ae["by_soc_term"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["term"] == "NAUSEA")
        .unwrap();
    assert_eq!(counts(nausea), subj_count(&|a| a.2 == "NAUSEA"));

    // Outcome measures: ORR and OS computed, AE matched, QoL not computed.
    let om = j["outcome_measures"].as_array().unwrap();
    assert_eq!(om.len(), 4);
    assert_eq!(om[0]["matched"], "ORR");
    assert_eq!(om[0]["status"], "computed");
    // ORR, Drug arm: S-01 has PR (unconfirmed BOR) among 4 randomised.
    let drug = om[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["arm"] == "Drug")
        .unwrap();
    assert!(
        drug["value"].as_str().unwrap().starts_with("1/4 "),
        "{drug}"
    );
    assert_eq!(om[1]["matched"], "OS");
    assert_eq!(om[1]["status"], "computed");
    assert_eq!(om[2]["matched"], "AE");
    assert_eq!(om[3]["matched"], serde_json::Value::Null);
    assert_eq!(om[3]["status"], "not computed");
    // OS: one death (S-03) among the randomised.
    let os = j["efficacy"]["time_to_event"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["paramcd"] == "OS")
        .unwrap();
    let deaths: u64 = os["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["events"].as_u64().unwrap())
        .sum();
    assert_eq!(
        deaths,
        subs.iter()
            .filter(|s| s.randomised && s.death.is_some())
            .count() as u64
    );

    // HTML is self-contained with inline SVG plots.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"));
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<link")
    );
    assert!(html.contains("not collected"));
    assert!(g.report.plots.iter().any(|p| p.id == "km_os"));
    assert!(g.report.plots.iter().any(|p| p.id == "swimmer"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn outcome_keyword_matching() {
    let m = |s: &str| matching::match_text(s).map(|x| x.0);
    assert_eq!(m("Duration of Response (DoR)"), Some("DOR"));
    assert_eq!(m("Progression-free survival"), Some("PFS"));
    assert_eq!(m("Overall survival at 2 years"), Some("OS"));
    assert_eq!(m("Disease control rate"), Some("DCR"));
    assert_eq!(m("Objective response rate per mRECIST"), Some("ORR"));
    assert_eq!(m("Time to progression"), Some("TTP"));
    assert_eq!(m("Hepatic time to progression (hTTP)"), Some("HTTP"));
    assert_eq!(m("Number of participants with adverse events"), Some("AE"));
    // "os" must be a whole word: "dose" and "dosimetry" do not match OS.
    assert_eq!(m("Absorbed dose by dosimetry"), None);
    assert_eq!(m("Quality of life (EORTC QLQ-C30)"), None);
}

#[test]
fn sdtm_without_tumour_data_still_reports_os_from_adsl() {
    let dir = tmp("sdtm_notumour");
    let out = tmp("out_notumour");
    write_sdtm(&dir);
    std::fs::remove_file(dir.join("rs.csv")).unwrap();
    let g = generate(&dir, &out, &ReportOptions::default()).unwrap();
    assert!(g.report.efficacy.response.is_empty());
    let os = g
        .report
        .efficacy
        .time_to_event
        .iter()
        .find(|t| t.paramcd == "OS")
        .unwrap();
    let n: u64 = os.arms.iter().map(|a| a.n).sum();
    assert_eq!(n, subjects().iter().filter(|s| s.randomised).count() as u64);
    assert!(g
        .report
        .notes
        .iter()
        .any(|n| n.contains("Tumour response not computed")));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&out);
}
