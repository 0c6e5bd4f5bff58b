//! CTCAE v5.0 lab grading boundaries (clinical-rules.md §4). Each threshold is tested just
//! inside and just outside; "<" boundaries exactly at the threshold stay in the milder grade.

use tm_outcomes::ctcae::{grade, signif8, spec, Basis, LabObservation, LabTerm, TERMS};

fn g(term: LabTerm, v: f64, unit: &str, lln: Option<f64>, uln: Option<f64>) -> Option<u8> {
    grade(term, &LabObservation::new(v, unit, lln, uln)).grade
}

fn gb(term: LabTerm, v: f64, uln: f64, base: f64) -> (Option<u8>, Basis) {
    let r = grade(
        term,
        &LabObservation::new(v, "U/L", None, Some(uln)).with_baseline(base),
    );
    (r.grade, r.basis)
}

#[test]
fn every_term_has_one_spec() {
    for t in TERMS {
        assert_eq!(TERMS.iter().filter(|s| s.term == t.term).count(), 1);
        assert_eq!(spec(t.term).name, t.name);
    }
    assert_eq!(TERMS.len(), 23);
}

#[test]
fn neutrophils_low_direction_boundaries() {
    use LabTerm::NeutrophilCountDecreased as N;
    let lln = Some(2.0);
    assert_eq!(g(N, 2.0, "10*9/L", lln, None), Some(0)); // = LLN: not < LLN
    assert_eq!(g(N, 1.99, "10*9/L", lln, None), Some(1));
    assert_eq!(g(N, 1.5, "10*9/L", lln, None), Some(1)); // "< LLN – 1.5": 1.5 is grade 1
    assert_eq!(g(N, 1.49, "10*9/L", lln, None), Some(2));
    assert_eq!(g(N, 1.0, "10*9/L", lln, None), Some(2));
    assert_eq!(g(N, 0.99, "10*9/L", lln, None), Some(3));
    assert_eq!(g(N, 0.5, "10*9/L", lln, None), Some(3));
    assert_eq!(g(N, 0.49, "10*9/L", lln, None), Some(4));
    // /mm3 converts through tm-units: 1499/mm3 = 1.499 ×10⁹/L
    assert_eq!(g(N, 1499.0, "/mm3", Some(2000.0), None), Some(2));
    assert_eq!(g(N, 1500.0, "/mm3", Some(2000.0), None), Some(1));
}

#[test]
fn grade1_needs_the_lln_but_absolute_grades_do_not() {
    use LabTerm::PlateletCountDecreased as P;
    let r = grade(P, &LabObservation::new(100.0, "10*9/L", None, None));
    assert_eq!(r.grade, None);
    assert!(r.not_graded.unwrap().contains("LLN"));
    assert_eq!(g(P, 74.9, "10*9/L", None, None), Some(2));
    assert_eq!(g(P, 75.0, "10*9/L", Some(150.0), None), Some(1));
    assert_eq!(g(P, 50.0, "10*9/L", None, None), Some(2));
    assert_eq!(g(P, 49.9, "10*9/L", None, None), Some(3));
    assert_eq!(g(P, 25.0, "10*9/L", None, None), Some(3));
    assert_eq!(g(P, 24.9, "10*9/L", None, None), Some(4));
}

#[test]
fn other_cytopenias() {
    use LabTerm::*;
    assert_eq!(
        g(WhiteBloodCellDecreased, 3.0, "10*9/L", Some(4.0), None),
        Some(1)
    );
    assert_eq!(
        g(WhiteBloodCellDecreased, 2.99, "10*9/L", Some(4.0), None),
        Some(2)
    );
    assert_eq!(
        g(WhiteBloodCellDecreased, 1.99, "10*9/L", None, None),
        Some(3)
    );
    assert_eq!(
        g(WhiteBloodCellDecreased, 0.99, "10*9/L", None, None),
        Some(4)
    );
    assert_eq!(
        g(LymphocyteCountDecreased, 0.8, "10*9/L", Some(1.0), None),
        Some(1)
    );
    assert_eq!(
        g(LymphocyteCountDecreased, 0.79, "10*9/L", None, None),
        Some(2)
    );
    assert_eq!(
        g(LymphocyteCountDecreased, 0.49, "10*9/L", None, None),
        Some(3)
    );
    assert_eq!(
        g(LymphocyteCountDecreased, 0.19, "10*9/L", None, None),
        Some(4)
    );
}

#[test]
fn anemia_units_and_clinical_context() {
    use LabTerm::Anemia as A;
    // 10.0 g/dL = 100 g/L is still grade 1; 9.99 g/dL grade 2; 8.0 grade 2; 7.99 grade 3.
    assert_eq!(g(A, 10.0, "g/dL", Some(12.0), None), Some(1));
    assert_eq!(g(A, 9.99, "g/dL", Some(12.0), None), Some(2));
    assert_eq!(g(A, 80.0, "g/L", Some(120.0), None), Some(2));
    assert_eq!(g(A, 79.9, "g/L", Some(120.0), None), Some(3));
    assert_eq!(g(A, 120.0, "g/L", Some(120.0), None), Some(0));
    let r = grade(A, &LabObservation::new(75.0, "g/L", Some(120.0), None));
    assert_eq!(r.grade, Some(3));
    assert!(r.clinical_context.unwrap().contains("life-threatening"));
    // mmol/L (SDTM HGB) via the tm-units haemoglobin bridge: 4.9 mmol/L ≈ 79.0 g/L → grade 3
    assert_eq!(g(A, 4.9, "mmol/L", Some(7.4), None), Some(3));
    assert_eq!(g(A, 6.3, "mmol/L", Some(7.4), None), Some(1));
}

#[test]
fn hypoalbuminemia() {
    use LabTerm::Hypoalbuminemia as H;
    assert_eq!(g(H, 3.0, "g/dL", Some(3.5), None), Some(1));
    assert_eq!(g(H, 29.9, "g/L", Some(35.0), None), Some(2));
    assert_eq!(g(H, 20.0, "g/L", None, None), Some(2));
    assert_eq!(g(H, 19.9, "g/L", None, None), Some(3));
    let r = grade(H, &LabObservation::new(19.0, "g/L", None, None));
    assert!(
        r.clinical_context.is_some(),
        "grade 4 needs clinical context"
    );
    assert_eq!(g(H, 35.0, "g/L", Some(35.0), None), Some(0));
}

#[test]
fn alt_baseline_normal_uses_uln() {
    use LabTerm::AlanineAminotransferaseIncreased as T;
    // ULN 40, baseline 30 (normal)
    assert_eq!(gb(T, 40.0, 40.0, 30.0), (Some(0), Basis::Uln));
    assert_eq!(gb(T, 41.0, 40.0, 30.0), (Some(1), Basis::Uln));
    assert_eq!(gb(T, 120.0, 40.0, 30.0), (Some(1), Basis::Uln)); // 3.0 × ULN exactly (signif)
    assert_eq!(gb(T, 121.0, 40.0, 30.0), (Some(2), Basis::Uln));
    assert_eq!(gb(T, 200.0, 40.0, 30.0), (Some(2), Basis::Uln));
    assert_eq!(gb(T, 201.0, 40.0, 30.0), (Some(3), Basis::Uln));
    assert_eq!(gb(T, 800.0, 40.0, 30.0), (Some(3), Basis::Uln));
    assert_eq!(gb(T, 801.0, 40.0, 30.0), (Some(4), Basis::Uln));
    // baseline exactly at ULN is normal ("abnormal" = > ULN)
    assert_eq!(gb(T, 41.0, 40.0, 40.0), (Some(1), Basis::Uln));
}

#[test]
fn alt_ast_baseline_abnormal_uses_baseline() {
    for t in [
        LabTerm::AlanineAminotransferaseIncreased,
        LabTerm::AspartateAminotransferaseIncreased,
    ] {
        // ULN 40, baseline 80 (abnormal): grade 1 from 1.5 × 80 = 120 inclusive
        assert_eq!(gb(t, 119.0, 40.0, 80.0), (Some(0), Basis::Baseline)); // > ULN but < 1.5×BL
        assert_eq!(gb(t, 120.0, 40.0, 80.0), (Some(1), Basis::Baseline));
        assert_eq!(gb(t, 240.0, 40.0, 80.0), (Some(1), Basis::Baseline));
        assert_eq!(gb(t, 241.0, 40.0, 80.0), (Some(2), Basis::Baseline));
        assert_eq!(gb(t, 400.0, 40.0, 80.0), (Some(2), Basis::Baseline));
        assert_eq!(gb(t, 401.0, 40.0, 80.0), (Some(3), Basis::Baseline));
        assert_eq!(gb(t, 1600.0, 40.0, 80.0), (Some(3), Basis::Baseline));
        assert_eq!(gb(t, 1601.0, 40.0, 80.0), (Some(4), Basis::Baseline));
    }
}

#[test]
fn bilirubin_baseline_rule_and_units() {
    use LabTerm::BloodBilirubinIncreased as B;
    // normal baseline, ULN 20 umol/L
    let r = |v: f64, base: f64| {
        grade(
            B,
            &LabObservation::new(v, "umol/L", None, Some(20.0)).with_baseline(base),
        )
        .grade
    };
    assert_eq!(r(20.0, 10.0), Some(0));
    assert_eq!(r(20.1, 10.0), Some(1));
    assert_eq!(r(30.0, 10.0), Some(1));
    assert_eq!(r(30.1, 10.0), Some(2));
    assert_eq!(r(60.0, 10.0), Some(2));
    assert_eq!(r(60.1, 10.0), Some(3));
    assert_eq!(r(200.0, 10.0), Some(3));
    assert_eq!(r(200.1, 10.0), Some(4));
    // abnormal baseline 30: grade 1 is > 1.0 × baseline (strict)
    assert_eq!(r(30.0, 30.0), Some(0));
    assert_eq!(r(30.1, 30.0), Some(1));
    assert_eq!(r(45.1, 30.0), Some(2));
    assert_eq!(r(90.1, 30.0), Some(3));
    assert_eq!(r(300.1, 30.0), Some(4));
    // mg/dL values convert through tm-units (×17.1): 1.2 mg/dL = 20.52 umol/L > ULN 20
    let mg = grade(
        B,
        &LabObservation::new(1.2, "mg/dL", None, Some(1.0)).with_baseline(0.5),
    );
    assert_eq!(mg.grade, Some(1));
}

#[test]
fn alp_ggt_abnormal_baseline_floor_is_inclusive_2x() {
    for t in [LabTerm::AlkalinePhosphataseIncreased, LabTerm::GgtIncreased] {
        // normal baseline: 2.5 / 5 / 20 × ULN 100
        assert_eq!(gb(t, 250.0, 100.0, 50.0).0, Some(1));
        assert_eq!(gb(t, 251.0, 100.0, 50.0).0, Some(2));
        assert_eq!(gb(t, 501.0, 100.0, 50.0).0, Some(3));
        assert_eq!(gb(t, 2001.0, 100.0, 50.0).0, Some(4));
        // abnormal baseline 150
        assert_eq!(gb(t, 299.0, 100.0, 150.0).0, Some(0));
        assert_eq!(gb(t, 300.0, 100.0, 150.0).0, Some(1));
        assert_eq!(gb(t, 375.0, 100.0, 150.0).0, Some(1));
        assert_eq!(gb(t, 376.0, 100.0, 150.0).0, Some(2));
        assert_eq!(gb(t, 751.0, 100.0, 150.0).0, Some(3));
        assert_eq!(gb(t, 3001.0, 100.0, 150.0).0, Some(4));
    }
}

#[test]
fn creatinine_worse_of_uln_and_baseline() {
    use LabTerm::CreatinineIncreased as C;
    let r = |v: f64, uln: Option<f64>, base: Option<f64>| {
        let mut o = LabObservation::new(v, "umol/L", None, uln);
        if let Some(b) = base {
            o = o.with_baseline(b);
        }
        let x = grade(C, &o);
        (x.grade, x.basis)
    };
    // ULN 100, baseline 50: 80 is within ULN but > 1.5 × baseline → grade 2 (baseline wins)
    assert_eq!(r(80.0, Some(100.0), Some(50.0)), (Some(2), Basis::Baseline));
    assert_eq!(r(75.0, Some(100.0), Some(50.0)), (Some(0), Basis::Uln));
    assert_eq!(
        r(151.0, Some(100.0), Some(50.0)),
        (Some(3), Basis::Baseline)
    ); // > 3 × BL
    assert_eq!(
        r(150.0, Some(100.0), Some(50.0)),
        (Some(2), Basis::Baseline)
    );
    // ULN side: > ULN grade 1, > 1.5 grade 2, > 3 grade 3, > 6 grade 4 (ULN only)
    assert_eq!(r(101.0, Some(100.0), Some(100.0)), (Some(1), Basis::Uln));
    assert_eq!(r(150.0, Some(100.0), None), (Some(1), Basis::Uln));
    assert_eq!(r(151.0, Some(100.0), None), (Some(2), Basis::Uln));
    assert_eq!(r(301.0, Some(100.0), None), (Some(3), Basis::Uln));
    assert_eq!(r(600.0, Some(100.0), None), (Some(3), Basis::Uln));
    assert_eq!(r(601.0, Some(100.0), Some(10.0)), (Some(4), Basis::Uln));
    // no ULN: baseline criterion alone (grades 2–3), else not graded
    assert_eq!(r(160.0, None, Some(100.0)), (Some(2), Basis::Baseline));
    assert_eq!(r(110.0, None, Some(100.0)).0, None);
}

#[test]
fn inr_absolute_and_anticoagulation() {
    use LabTerm::InrIncreased as I;
    let r = |v: f64| g(I, v, "{INR}", None, Some(1.1));
    assert_eq!(r(1.2), Some(0));
    assert_eq!(r(1.21), Some(1)); // lab ULN 1.1 is not used
    assert_eq!(r(1.5), Some(1));
    assert_eq!(r(1.51), Some(2));
    assert_eq!(r(2.5), Some(2));
    assert_eq!(r(2.51), Some(3));
    // baseline 2.0, value 3.1: absolute grade 3 either way; value 2.2: > 1 × BL
    let mut o = LabObservation::new(2.2, "{INR}", None, None).with_baseline(1.0);
    assert_eq!(grade(I, &o).grade, Some(2));
    o.anticoagulated = Some(true);
    assert_eq!(grade(I, &o).grade, Some(2)); // 2.2 > 1.5 × 1.0 → 2; abs 2
    let mut o = LabObservation::new(1.1, "{INR}", None, None).with_baseline(0.9);
    let unknown = grade(I, &o);
    assert_eq!(unknown.grade, Some(0));
    assert!(unknown
        .clinical_context
        .unwrap()
        .contains("anticoagulation"));
    o.anticoagulated = Some(true);
    assert_eq!(grade(I, &o).grade, Some(1));
    assert_eq!(grade(I, &o).basis, Basis::Baseline);
    o.anticoagulated = Some(false);
    let no = grade(I, &o);
    assert_eq!((no.grade, no.clinical_context), (Some(0), None));
}

#[test]
fn high_direction_electrolytes() {
    use LabTerm::*;
    assert_eq!(g(Hyperkalemia, 5.1, "mmol/L", None, Some(5.0)), Some(1));
    assert_eq!(g(Hyperkalemia, 5.0, "mmol/L", None, Some(5.0)), Some(0));
    assert_eq!(g(Hyperkalemia, 5.5, "mmol/L", None, Some(5.0)), Some(1));
    assert_eq!(g(Hyperkalemia, 5.51, "mmol/L", None, None), Some(2));
    assert_eq!(g(Hyperkalemia, 6.01, "mmol/L", None, None), Some(3));
    assert_eq!(g(Hyperkalemia, 7.01, "mmol/L", None, None), Some(4));
    assert_eq!(g(Hyperkalemia, 5.2, "mmol/L", None, None), None); // grade 1 needs ULN
    assert_eq!(
        g(Hypernatremia, 150.0, "mmol/L", None, Some(145.0)),
        Some(1)
    );
    assert_eq!(g(Hypernatremia, 151.0, "mmol/L", None, None), Some(2));
    assert_eq!(g(Hypernatremia, 161.0, "mmol/L", None, None), Some(4));
    // calcium mg/dL → mmol/L via tm-units (×0.2495): 12.0 mg/dL = 2.994 mmol/L → grade 2
    assert_eq!(g(Hypercalcemia, 12.0, "mg/dL", None, Some(10.5)), Some(2));
    assert_eq!(g(CholesterolHigh, 7.76, "mmol/L", None, None), Some(2));
    assert_eq!(g(CholesterolHigh, 12.93, "mmol/L", None, None), Some(4));
}

#[test]
fn low_direction_electrolytes_and_context() {
    use LabTerm::*;
    assert_eq!(g(Hypokalemia, 3.0, "mmol/L", Some(3.5), None), Some(1));
    assert_eq!(g(Hypokalemia, 2.99, "mmol/L", None, None), Some(3));
    assert_eq!(g(Hypokalemia, 2.49, "mmol/L", None, None), Some(4));
    let k = grade(
        Hypokalemia,
        &LabObservation::new(3.2, "mmol/L", Some(3.5), None),
    );
    assert!(k.clinical_context.is_some(), "grade 2 if symptomatic");
    assert_eq!(g(Hyponatremia, 130.0, "mmol/L", Some(135.0), None), Some(1));
    let na = grade(
        Hyponatremia,
        &LabObservation::new(129.0, "mmol/L", Some(135.0), None),
    );
    assert_eq!(na.grade, Some(2));
    assert!(na.clinical_context.unwrap().contains("symptomatic"));
    assert_eq!(g(Hyponatremia, 125.0, "mmol/L", None, None), Some(2));
    assert_eq!(g(Hyponatremia, 124.0, "mmol/L", None, None), Some(3));
    assert_eq!(g(Hyponatremia, 120.0, "mmol/L", None, None), Some(3));
    assert_eq!(g(Hyponatremia, 119.0, "mmol/L", None, None), Some(4));
    assert_eq!(g(Hypocalcemia, 1.99, "mmol/L", None, None), Some(2));
    assert_eq!(g(Hypocalcemia, 1.49, "mmol/L", None, None), Some(4));
    assert_eq!(g(Hypoglycemia, 2.99, "mmol/L", None, None), Some(2));
    assert_eq!(g(Hypoglycemia, 1.69, "mmol/L", None, None), Some(4));
}

#[test]
fn uln_multiple_terms() {
    use LabTerm::*;
    assert_eq!(g(CpkIncreased, 250.0, "U/L", None, Some(100.0)), Some(1));
    assert_eq!(g(CpkIncreased, 251.0, "U/L", None, Some(100.0)), Some(2));
    assert_eq!(g(CpkIncreased, 1001.0, "U/L", None, Some(100.0)), Some(4));
    assert_eq!(g(CpkIncreased, 1001.0, "U/L", None, None), None);
    let a = grade(
        ApttProlonged,
        &LabObservation::new(80.0, "s", None, Some(30.0)),
    );
    assert_eq!(a.grade, Some(3));
    assert!(a.clinical_context.is_none(), "3 is the top grade of aPTT");
    let a = grade(
        ApttProlonged,
        &LabObservation::new(40.0, "s", None, Some(30.0)),
    );
    assert_eq!(a.grade, Some(1));
    assert!(a.clinical_context.unwrap().contains("bleeding"));
}

#[test]
fn precision_and_bad_input() {
    // 3 × 40.0 = 120.00000000000001 must not push 120 over the 3 × ULN boundary
    assert_eq!(signif8(3.0 * 40.0), 120.0);
    let nan = grade(
        LabTerm::Anemia,
        &LabObservation::new(f64::NAN, "g/L", Some(120.0), None),
    );
    assert_eq!(nan.grade, None);
    let unit = grade(
        LabTerm::Anemia,
        &LabObservation::new(10.0, "furlongs", Some(12.0), None),
    );
    assert_eq!(unit.grade, None);
    assert!(unit.not_graded.unwrap().contains("convert"));
}

/// Real pharmaverse LB rows graded by hand (values copied; no file needed).
#[test]
fn pharmaverse_rows_checked_by_hand() {
    use LabTerm::*;
    // 01-701-1239 ALT 61 U/L, ULN 43, baseline 64 (HIGH): v5 grades against the baseline:
    // 61 < 1.5 × 64 = 96 → grade 0. (CTCAE v4, the ADLB oracle's version, would say 1: > ULN.)
    let alt = grade(
        AlanineAminotransferaseIncreased,
        &LabObservation::new(61.0, "U/L", Some(6.0), Some(43.0)).with_baseline(64.0),
    );
    assert_eq!((alt.grade, alt.basis), (Some(0), Basis::Baseline));
    // 01-701-1302 CK 1860 U/L, ULN 198: 1860 / 198 = 9.39 × ULN → > 5, ≤ 10 → grade 3.
    assert_eq!(g(CpkIncreased, 1860.0, "U/L", None, Some(198.0)), Some(3));
    // 01-705-1186 bilirubin 116.28 umol/L, ULN 21, baseline 25.65 (HIGH): 4.53 × baseline
    // → grade 3 (v4: 5.54 × ULN → also 3).
    let bili = grade(
        BloodBilirubinIncreased,
        &LabObservation::new(116.28, "umol/L", None, Some(21.0)).with_baseline(25.65),
    );
    assert_eq!((bili.grade, bili.basis), (Some(3), Basis::Baseline));
}
