//! The documented example lesion CSV (examples/response/lesions.csv) through the mRECIST
//! pipeline: every HCC rule of clinical-rules.md §2.2 it exercises gives the documented result.

use std::path::PathBuf;

use tm_outcomes::response::pipeline::{run_lesions, ResponseOptions};
use tm_outcomes::response::{Criteria, Response};

#[test]
fn example_lesion_csv_by_mrecist() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/response/lesions.csv");
    let rep = run_lesions(&path, &ResponseOptions::new(Criteria::Mrecist)).expect("example");
    assert!(rep.skipped.is_empty(), "{:?}", rep.skipped);
    let overall = |s: &str| -> Vec<Option<Response>> {
        rep.timepoints
            .iter()
            .filter(|t| t.subject == s && !t.baseline)
            .map(|t| t.overall)
            .collect()
    };
    use Response::*;
    // HCC-001: viable PR; the 15 mm porta-hepatis node is ignored; the atypical new lesion is
    // PD only once it has grown ≥ 10 mm (12 → 23 mm).
    assert_eq!(overall("HCC-001"), vec![Some(Pr), Some(Pr), Some(Pd)]);
    // HCC-002: ascites without cytology is not PD; viable growth 36 → 44 (+22 %) is.
    assert_eq!(overall("HCC-002"), vec![Some(Sd), Some(Pd)]);
    // HCC-003: a new porta-hepatis node with a 21 mm short axis is PD (extrahepatic).
    assert_eq!(overall("HCC-003"), vec![Some(Sd), Some(Pd)]);
    let h3 = rep
        .timepoints
        .iter()
        .rfind(|t| t.subject == "HCC-003")
        .unwrap();
    assert!(!h3.intrahepatic_progression);
    assert_eq!(overall("HCC-004"), vec![Some(Pr), Some(Pr), Some(Pr)]);
    // By RECIST 1.1 the whole-lesion diameters barely change: no response at all.
    let recist = run_lesions(&path, &ResponseOptions::new(Criteria::Recist11)).unwrap();
    assert!(recist
        .subjects
        .iter()
        .all(|s| s.bor != "PR" && s.bor != "CR"));
    // Partial date "2024-04": last day for ADRS, first day for measurements.
    let r1 = rep
        .responses
        .iter()
        .find(|r| r.subject == "HCC-001")
        .unwrap();
    let o = r1.ovr.iter().find(|o| o.date_text == "2024-04").unwrap();
    assert_eq!(o.date.map(|d| d.to_string()).as_deref(), Some("2024-04-30"));
    assert_eq!(o.date_flag, Some("D"));
    let t = rep
        .timepoints
        .iter()
        .find(|t| t.date_text == "2024-04")
        .unwrap();
    assert_eq!(t.date.to_string(), "2024-04-01");
    // CSV writers produce one ADTTE row per record and an ADTR row per measured visit.
    let adtte = tm_outcomes::response::adam::adtte_csv(&rep).unwrap();
    assert_eq!(adtte.lines().count(), rep.tte.len() + 1);
    let adtr = tm_outcomes::response::adam::adtr_csv(&rep).unwrap();
    assert_eq!(adtr.lines().count(), 14 + 1);
}
