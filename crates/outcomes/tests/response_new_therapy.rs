//! PFS censoring at the start of a new anticancer therapy (issue 30; FDA "Clinical Trial
//! Endpoints for the Approval of Cancer Drugs and Biologics" 2018, EMA anticancer guideline
//! Appendix 1): default on, switchable, evidence from CM / PR / EX or an ADaM-like NACTDT, and
//! the censoring reason per subject in the ADTTE-like output.

use std::path::{Path, PathBuf};

use tm_outcomes::response::adam::adtte_csv;
use tm_outcomes::response::endpoints::censor_reasons;
use tm_outcomes::response::pipeline::{run_sdtm, OvrSource, ResponseOptions, ResponseReport};
use tm_outcomes::response::Criteria;

/// The SUMDIAM example plus extra domains, in a fresh temporary directory.
fn study(name: &str, extra: &[(&str, &str)]) -> PathBuf {
    let src =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/response/sdtm-sumdiam");
    let dir = std::env::temp_dir().join(format!("tm-nact-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["dm.csv", "ds.csv", "tu.csv", "tr.csv"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    for (f, text) in extra {
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

fn run(dir: &Path, censor: bool) -> ResponseReport {
    let mut opts = ResponseOptions::new(Criteria::Recist11);
    opts.source = OvrSource::Derived;
    opts.endpoints.censor_new_therapy = censor;
    run_sdtm(dir, &opts).expect("pipeline")
}

fn pfs(rep: &ResponseReport, subj: &str) -> (String, u8, String, Option<&'static str>) {
    let t = rep
        .tte
        .iter()
        .find(|t| t.subject == subj && t.paramcd == "PFS")
        .expect("PFS record");
    (
        t.adt.to_string(),
        t.cnsr,
        t.evntdesc.clone(),
        t.censor_reason,
    )
}

const CM: &str = "STUDYID,DOMAIN,USUBJID,CMSEQ,CMTRT,CMCAT,CMSTDTC\n\
TMDEMO,CM,TM-004,1,PACLITAXEL,FOLLOW-UP ANTI-CANCER THERAPY,2023-02-01\n\
TMDEMO,CM,TM-002,1,CISPLATIN,PRIOR ANTI-CANCER THERAPY,2022-06-01\n\
TMDEMO,CM,TM-002,2,PARACETAMOL,GENERAL CONMED,2023-02-01\n";
const PR: &str = "STUDYID,DOMAIN,USUBJID,PRSEQ,PRTRT,PRCAT,PRSTDTC\n\
TMDEMO,PR,TM-003,1,RADIOTHERAPY,ANTI-CANCER PROCEDURE,2023-03\n";

#[test]
fn pfs_is_censored_at_the_last_assessment_before_a_new_therapy() {
    let dir = study("cm-pr", &[("cm.csv", CM), ("pr.csv", PR)]);
    let rep = run(&dir, true);
    // TM-004: PD 2023-02-24, paclitaxel from 2023-02-01 with no assessment in between →
    // censored at randomisation (the start date).
    assert_eq!(
        pfs(&rep, "TM-004"),
        (
            "2023-01-10".into(),
            1,
            "Last Tumor Assessment before New Anticancer Therapy".into(),
            Some(censor_reasons::NEW_THERAPY)
        )
    );
    // TM-003: no event (last assessment 2023-04-07); radiotherapy from 2023-03 (imputed
    // 2023-03-01) → censored at the week-6 assessment.
    let p3 = pfs(&rep, "TM-003");
    assert_eq!(
        (p3.0.as_str(), p3.1, p3.3),
        ("2023-02-24", 1, Some(censor_reasons::NEW_THERAPY))
    );
    // TM-002: a prior therapy and a non-cancer medication do not count.
    let p2 = pfs(&rep, "TM-002");
    assert_eq!(
        (p2.0.as_str(), p2.1, p2.3),
        ("2023-04-07", 1, Some(censor_reasons::LAST_ASSESSMENT))
    );
    // TM-005: PD, no new therapy: an event without a censoring reason.
    assert_eq!(pfs(&rep, "TM-005").1, 0);
    assert_eq!(pfs(&rep, "TM-005").3, None);
    // OS is never censored for a new therapy.
    assert!(rep
        .tte
        .iter()
        .filter(|t| t.paramcd == "OS")
        .all(|t| t.censor_reason != Some(censor_reasons::NEW_THERAPY)));
    assert_eq!(rep.input_usage.new_therapy_subjects, 2);
    assert_eq!(rep.input_usage.pfs_censored_new_therapy, 2);
    let s4 = rep.subjects.iter().find(|s| s.subject == "TM-004").unwrap();
    assert_eq!(s4.new_therapy_date.unwrap().to_string(), "2023-02-01");
    assert!(s4
        .new_therapy_source
        .as_deref()
        .unwrap()
        .contains("PACLITAXEL"));
    // The reason per subject in adtte.csv (CNSRRSN, last column).
    let csv = adtte_csv(&rep).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",CNSRRSN"));
    assert!(csv.lines().any(|l| l.starts_with("TM-004,")
        && l.contains(",PFS,")
        && l.ends_with(",NEW ANTICANCER THERAPY")));

    // Switched off: TM-004's PD is an event again.
    let off = run(&dir, false);
    assert_eq!(
        pfs(&off, "TM-004"),
        ("2023-02-24".into(), 0, "Disease Progression".into(), None)
    );
    assert_eq!(off.input_usage.pfs_censored_new_therapy, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ex_subsequent_therapy_and_adam_nactdt_are_evidence() {
    let ex = "STUDYID,DOMAIN,USUBJID,EXTRT,EXCAT,EXDOSE,EXSTDTC,EXENDTC\n\
TMDEMO,EX,TM-004,STUDY DRUG,STUDY TREATMENT,100,2023-01-11,2023-01-31\n\
TMDEMO,EX,TM-004,DOCETAXEL,SUBSEQUENT ANTI-CANCER THERAPY,75,2023-02-10,2023-02-10\n\
TMDEMO,EX,TM-006,STUDY DRUG,STUDY TREATMENT,100,2023-01-11,2023-03-31\n";
    let nact = "USUBJID,NACTDT\nTM-006,2023-03-15\n";
    let dir = study("ex-adam", &[("ex.csv", ex), ("adnact.csv", nact)]);
    let rep = run(&dir, true);
    assert_eq!(pfs(&rep, "TM-004").3, Some(censor_reasons::NEW_THERAPY));
    // TM-006: PR 2023-02-24, PD 2023-04-07; NACTDT 2023-03-15 → censored at 2023-02-24.
    let p6 = pfs(&rep, "TM-006");
    assert_eq!((p6.0.as_str(), p6.1), ("2023-02-24", 1));
    // The study drug itself is never a new therapy.
    assert_eq!(rep.input_usage.new_therapy_subjects, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
