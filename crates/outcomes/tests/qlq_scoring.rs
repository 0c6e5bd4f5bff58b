//! EORTC QLQ-C30 v3.0 scoring (clinical-rules.md §5): the §5 test vectors, the half-items
//! boundary, the summary score and change from baseline. Expected values computed by hand
//! from the manual's formulas.

use tm_outcomes::qlq_c30::{read_qlq_csv, report, score, Responses, Scale};

fn resp(pairs: &[(u32, u32)]) -> Responses {
    let mut r = Responses::default();
    for &(i, v) in pairs {
        r.set(i, v).unwrap();
    }
    r
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn section5_test_vectors() {
    // PF (1,2,1,1,1) → RS 1.2 → (1 − 0.2/3) × 100 = 93.33
    let s = score(&resp(&[(1, 1), (2, 2), (3, 1), (4, 1), (5, 1)]));
    assert!(close(s.get(Scale::PF2), 100.0 * (1.0 - 0.2 / 3.0)));
    assert_eq!(format!("{:.2}", s.get(Scale::PF2).unwrap()), "93.33");
    // QL (5,6) → RS 5.5 → 75.00
    let s = score(&resp(&[(29, 5), (30, 6)]));
    assert!(close(s.get(Scale::QL2), 75.0));
    // FA (2,3,missing) → RS 2.5 → 50.00 (2 of 3 answered ≥ half)
    let s = score(&resp(&[(10, 2), (12, 3)]));
    assert!(close(s.get(Scale::FA), 50.0));
    // EF (missing ×3, 2) → 1 of 4 < half → missing
    let s = score(&resp(&[(24, 2)]));
    assert_eq!(s.get(Scale::EF), None);
}

#[test]
fn half_items_boundaries() {
    // EF: exactly 2 of 4 is enough: (21=1, 22=3) → RS 2 → (1 − 1/3) × 100
    assert!(close(
        score(&resp(&[(21, 1), (22, 3)])).get(Scale::EF),
        100.0 * (2.0 / 3.0)
    ));
    // PF2: 3 of 5 scored, 2 of 5 missing
    assert!(close(
        score(&resp(&[(1, 4), (2, 4), (3, 4)])).get(Scale::PF2),
        0.0
    ));
    assert_eq!(score(&resp(&[(1, 4), (2, 4)])).get(Scale::PF2), None);
    // FA: 1 of 3 missing
    assert_eq!(score(&resp(&[(10, 4)])).get(Scale::FA), None);
    // 2-item scales: 1 answered = half → scored
    assert!(close(
        score(&resp(&[(6, 2)])).get(Scale::RF2),
        100.0 * (1.0 - 1.0 / 3.0)
    ));
    assert!(close(score(&resp(&[(30, 7)])).get(Scale::QL2), 100.0));
    // single items: missing → missing
    assert_eq!(score(&resp(&[])).get(Scale::DY), None);
    assert!(close(score(&resp(&[(8, 4)])).get(Scale::DY), 100.0));
}

#[test]
fn ranges_are_validated() {
    let mut r = Responses::default();
    assert!(r.set(28, 5).is_err()); // items 1–28 are 1–4
    assert!(r.set(29, 7).is_ok());
    assert!(r.set(30, 8).is_err());
    assert!(r.set(0, 1).is_err());
    assert!(r.set(31, 1).is_err());
    assert!(r.set(5, 0).is_err());
}

#[test]
fn summary_score_by_hand() {
    // All 1–28 answered 2 ("a little"), QL (4,4):
    // functional scales = (1 − 1/3) × 100 = 66.667; symptoms = 33.333 → 100 − 33.333 = 66.667
    // summary = mean of 13 × 66.667 = 66.667; QL and FI excluded.
    let mut pairs: Vec<(u32, u32)> = (1..=28).map(|i| (i, 2)).collect();
    pairs.push((29, 4));
    pairs.push((30, 4));
    let s = score(&resp(&pairs));
    assert!(close(s.summary, 200.0 / 3.0));
    assert!(close(s.get(Scale::QL2), 50.0));
    // change FI (excluded) and the summary does not move
    pairs[27] = (28, 4);
    assert!(close(score(&resp(&pairs)).summary, 200.0 / 3.0));
    // change DI (item 17) to 4: DI = 100 → contributes 0 instead of 66.667
    pairs[16] = (17, 4);
    let s = score(&resp(&pairs));
    assert!(close(s.summary, (12.0 * 200.0 / 3.0) / 13.0));
    // one component missing → no summary
    pairs.remove(16);
    assert_eq!(score(&resp(&pairs)).summary, None);
}

#[test]
fn csv_and_change_from_baseline() {
    let csv = "subject,visit,date,item,response\n\
               S1,BASELINE,2024-01-01,29,4\n\
               S1,BASELINE,2024-01-01,30,4\n\
               S1,WEEK 6,2024-02-12,29,6\n\
               S1,WEEK 6,2024-02-12,30,5\n\
               S1,WEEK 6,2024-02-12,10,9\n\
               S2,WEEK 6,2024-02-15,29,2\n\
               S2,BASELINE,2024-01-05,29,3\n\
               S2,BASELINE,2024-01-05,30,\n";
    let data = read_qlq_csv(csv).unwrap();
    assert_eq!(data.assessments.len(), 4);
    assert_eq!(data.skipped.len(), 1, "item 10 response 9 is out of range");
    let rep = report(&data, None);
    let s1 = &rep.subjects[0];
    assert_eq!(s1.baseline_visit.as_deref(), Some("BASELINE"));
    // QL baseline (4,4) → 50; week 6 (6,5) → 5.5 → 75; change +25
    let w6 = &s1.visits[1];
    assert!(close(w6.scores[&Scale::QL2], 75.0));
    assert!(close(w6.change[&Scale::QL2], 25.0));
    // S2 listed out of order: baseline is the earliest date; QL (3) → 33.33, (2) → 16.67
    let s2 = &rep.subjects[1];
    assert_eq!(s2.baseline_visit.as_deref(), Some("BASELINE"));
    assert!(close(s2.visits[1].change[&Scale::QL2], -100.0 / 6.0));
    let m = rep
        .mean_change_by_visit
        .iter()
        .find(|v| v.visit == "WEEK 6")
        .unwrap();
    assert_eq!(m.n[&Scale::QL2], 2);
    assert!(close(
        m.mean_change[&Scale::QL2],
        (25.0 - 100.0 / 6.0) / 2.0
    ));
    assert!(read_qlq_csv("subject,visit\nS1,V1\n").is_err());
}

#[test]
fn example_file_scores() {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/qlq_c30_example.csv");
    let Ok(text) = std::fs::read_to_string(&p) else {
        eprintln!("note: {} absent; skipped", p.display());
        return;
    };
    let data = read_qlq_csv(&text).unwrap();
    assert!(data.skipped.is_empty(), "{:?}", data.skipped);
    let rep = report(&data, None);
    assert!(rep.subjects.len() >= 2);
    assert!(rep.subjects.iter().all(|s| s.visits.len() >= 2));
}
