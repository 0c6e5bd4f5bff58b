//! SDTM TU/TR in the shape of a conforming oncology study (issue 30): `SUMDIAM` summary rows
//! without TRLNKID, two evaluators (investigator and an independent reader), LDIAM / LPERP /
//! DIAMETER / TUMSTATE rows, a baseline visit named BASELINE, and an independent reader whose
//! TR rows link to the investigator's TULNKID. Data: examples/response/sdtm-sumdiam
//! (written by its generate.py; the measurements imply the responses asserted below).

use std::collections::BTreeMap;
use std::path::PathBuf;

use tm_outcomes::response::pipeline::{run_sdtm, OvrSource, ResponseOptions, ResponseReport};
use tm_outcomes::response::{Criteria, Response};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/response/sdtm-sumdiam")
}

fn run(evaluator: Option<&str>) -> ResponseReport {
    let mut opts = ResponseOptions::new(Criteria::Recist11);
    opts.source = OvrSource::Derived;
    opts.evaluator = evaluator.map(String::from);
    run_sdtm(&dir(), &opts).expect("pipeline")
}

fn bor(rep: &ResponseReport) -> BTreeMap<String, (String, String)> {
    rep.subjects
        .iter()
        .map(|s| (s.subject.clone(), (s.bor.clone(), s.confirmed_bor.clone())))
        .collect()
}

fn expect(pairs: &[(&str, &str, &str)]) -> BTreeMap<String, (String, String)> {
    pairs
        .iter()
        .map(|(s, b, c)| (s.to_string(), (b.to_string(), c.to_string())))
        .collect()
}

#[test]
fn summary_rows_are_not_lesions_and_responses_follow_the_measurements() {
    let rep = run(None);
    assert_eq!(rep.response_source, "derived");
    assert_eq!(rep.input_usage.primary_evaluator, "INVESTIGATOR");
    assert_eq!(
        bor(&rep),
        expect(&[
            ("TM-001", "CR", "CR"),
            ("TM-002", "PR", "PR"),
            ("TM-003", "SD", "SD"),
            ("TM-004", "PD", "PD"),
            ("TM-005", "PD", "PD"),
            // PR at week 6, PD at week 12: unconfirmed PR, confirmed SD (day 45 ≥ 42).
            ("TM-006", "PR", "SD"),
        ])
    );
    let sdtm = rep.input_usage.sdtm.as_ref().expect("sdtm usage");
    // One SUMDIAM row per evaluator and visit: 6 subjects × 2 readers, 16 visits each.
    assert_eq!(sdtm.tr_summary_rows.get("SUMDIAM"), Some(&32));
    assert_eq!(sdtm.tr_rows_without_lesion, 0);
    // TM-004's independent reader has no TU rows: its 10 TR rows link to the investigator's.
    assert_eq!(sdtm.tr_rows_linked_across_evaluators, 10);
    assert_eq!(
        sdtm.tr_rows_used + 32,
        sdtm.tr_rows,
        "every lesion row is used"
    );
    // Every lesion is measured: no post-baseline NE for either evaluator (< 5 % required).
    assert_eq!(rep.input_usage.evaluators.len(), 2);
    for e in &rep.input_usage.evaluators {
        assert_eq!(e.baseline_timepoints, 6, "{e:?}");
        assert_eq!(e.post_baseline_timepoints, 10, "{e:?}");
        assert_eq!(e.post_baseline_ne, 0, "{e:?}");
        assert_eq!(e.incomplete_baseline, 0, "{e:?}");
    }
    for t in &rep.timepoints {
        assert!(
            t.expected_lesions.iter().all(|l| !l.is_empty()),
            "{:?}",
            t.expected_lesions
        );
        if !t.baseline {
            assert_ne!(t.overall, Some(Response::Ne), "{t:?}");
        }
    }
    // The baseline is the visit named BASELINE.
    assert!(rep
        .timepoints
        .iter()
        .filter(|t| t.baseline)
        .all(|t| t.visit.as_deref() == Some("BASELINE")));
    // ADTR sums are the investigator's only.
    let adtr_1: Vec<f64> = rep
        .adtr
        .iter()
        .filter(|a| a.subject == "TM-002")
        .map(|a| a.aval.0)
        .collect();
    assert_eq!(adtr_1, vec![60.0, 39.0, 37.0]);
}

#[test]
fn one_evaluator_can_be_chosen() {
    let rep = run(Some("RADIOLOGIST 1"));
    assert_eq!(
        rep.input_usage.primary_evaluator,
        "INDEPENDENT ASSESSOR RADIOLOGIST 1"
    );
    // The reader measured TM-002 at −25 %: SD, where the investigator saw PR.
    assert_eq!(
        bor(&rep),
        expect(&[
            ("TM-001", "CR", "CR"),
            ("TM-002", "SD", "SD"),
            ("TM-003", "SD", "SD"),
            ("TM-004", "PD", "PD"),
            ("TM-005", "PD", "PD"),
            ("TM-006", "PR", "SD"),
        ])
    );
    let sdtm = rep.input_usage.sdtm.as_ref().unwrap();
    assert!(sdtm.tr_rows_other_evaluator > 0);
    assert!(rep
        .timepoints
        .iter()
        .all(|t| t.evaluator == "INDEPENDENT ASSESSOR RADIOLOGIST 1"));
    assert_eq!(rep.input_usage.evaluators.len(), 1);
}
