//! Test vectors of clinical-rules.md §1 and §6, to their stated precision,
//! plus every boundary (exactly-at-threshold) the sections define.

use tm_clinical::albi::{self, albi, albi_grade, malbi_grade, AlbiConfig, AlbiGrade, MalbiGrade};
use tm_clinical::body::{bmi, bmi_band, bsa_dubois, bsa_mosteller, BmiBand};
use tm_clinical::child_pugh::*;
use tm_clinical::meld::{meld, meld_na, MeldInput};
use tm_clinical::performance::*;
use tm_clinical::renal::*;
use tm_clinical::staging::*;
use tm_clinical::units::*;
use tm_clinical::y90::*;
use tm_clinical::ClinicalError;

/// Asserts `actual` and `expected` agree when rounded to `decimals` decimals
/// (for a literal vector value: `actual` reproduces it to its stated precision).
fn approx(actual: f64, expected: f64, decimals: i32) {
    let scale = 10f64.powi(decimals);
    assert_eq!(
        (actual * scale).round() / scale,
        (expected * scale).round() / scale,
        "{actual} does not round to {expected} at {decimals} decimals"
    );
}

// ------------------------------------------------------------ §1.1 ----

fn cp(bili: f64, alb: f64, inr: f64, asc: Ascites, he: Encephalopathy) -> ChildPugh {
    child_pugh(&ChildPughInput {
        bilirubin: MgPerDl(bili),
        albumin: GPerDl(alb),
        coagulation: Coagulation::Inr(Inr(inr)),
        ascites: asc,
        encephalopathy: he,
        bilirubin_scale: BilirubinScale::Standard,
    })
    .unwrap()
}

#[test]
fn child_pugh_bilirubin_boundaries() {
    let p = |b| bilirubin_points(MgPerDl(b), BilirubinScale::Standard).unwrap();
    assert_eq!(p(1.99), 1);
    assert_eq!(p(2.0), 2, "bilirubin exactly 2.0 mg/dL is 2 points");
    assert_eq!(p(3.0), 2, "bilirubin exactly 3.0 mg/dL is 2 points");
    assert_eq!(p(3.01), 3);
    let c = |b| bilirubin_points(MgPerDl(b), BilirubinScale::Cholestatic).unwrap();
    assert_eq!(c(3.99), 1);
    assert_eq!(c(4.0), 2);
    assert_eq!(c(10.0), 2);
    assert_eq!(c(10.01), 3);
    // A float artefact on the boundary must not move it (34.2 / 17.1).
    assert_eq!(p(34.2 / 17.1), 2);
}

#[test]
fn child_pugh_albumin_and_coagulation_boundaries() {
    let a = |x| albumin_points(GPerDl(x)).unwrap();
    assert_eq!(a(3.51), 1);
    assert_eq!(a(3.5), 2, "albumin exactly 3.5 is 2 points");
    assert_eq!(a(2.8), 2, "albumin exactly 2.8 is 2 points");
    assert_eq!(a(2.79), 3);
    let i = |x| coagulation_points(Coagulation::Inr(Inr(x))).unwrap();
    assert_eq!(i(1.69), 1);
    assert_eq!(i(1.7), 2);
    assert_eq!(i(2.3), 2);
    assert_eq!(i(2.31), 3);
    let pt = |x| coagulation_points(Coagulation::PtProlongation(Seconds(x))).unwrap();
    assert_eq!(pt(-1.0), 1);
    assert_eq!(pt(3.9), 1);
    assert_eq!(pt(4.0), 2);
    assert_eq!(pt(6.0), 2);
    assert_eq!(pt(6.1), 3);
}

#[test]
fn child_pugh_totals_and_classes() {
    use Ascites as A;
    use Encephalopathy as E;
    let r = cp(1.0, 4.0, 1.0, A::None, E::None);
    assert_eq!((r.points, r.class), (5, ChildPughClass::A));
    let r = cp(2.0, 3.5, 1.0, A::None, E::None);
    assert_eq!((r.points, r.class), (7, ChildPughClass::B));
    let r = cp(1.0, 4.0, 1.0, A::Slight, E::None);
    assert_eq!((r.points, r.class), (6, ChildPughClass::A));
    // 8 = bilirubin 2 + albumin 2 + INR 1 + ascites 2 + encephalopathy 1
    let r = cp(2.5, 3.0, 1.2, A::Slight, E::None);
    assert_eq!(r.points, 8);
    assert_eq!(
        r.components,
        ChildPughPoints {
            bilirubin: 2,
            albumin: 2,
            coagulation: 1,
            ascites: 2,
            encephalopathy: 1
        }
    );
    let r = cp(2.5, 3.0, 1.8, A::Slight, E::Grade1To2);
    assert_eq!((r.points, r.class), (10, ChildPughClass::C));
    let r = cp(3.5, 2.5, 2.5, A::ModerateSevere, E::Grade3To4);
    assert_eq!((r.points, r.class), (15, ChildPughClass::C));
    assert_eq!(ChildPughClass::from_points(9), Some(ChildPughClass::B));
    assert_eq!(ChildPughClass::from_points(4), None);
    // PT variant
    let r = child_pugh(&ChildPughInput {
        bilirubin: MgPerDl(1.0),
        albumin: GPerDl(4.0),
        coagulation: Coagulation::PtProlongation(Seconds(5.0)),
        ascites: A::None,
        encephalopathy: E::None,
        bilirubin_scale: BilirubinScale::Standard,
    })
    .unwrap();
    assert_eq!((r.points, r.components.coagulation), (6, 2));
}

#[test]
fn child_pugh_grades_from_iac_and_west_haven() {
    let m = IacMapping::default();
    assert_eq!(Ascites::from_iac(0, false, &m).unwrap(), Ascites::None);
    assert_eq!(Ascites::from_iac(1, false, &m).unwrap(), Ascites::Slight);
    assert_eq!(Ascites::from_iac(2, false, &m).unwrap(), Ascites::Slight);
    assert_eq!(
        Ascites::from_iac(3, false, &m).unwrap(),
        Ascites::ModerateSevere
    );
    assert_eq!(
        Ascites::from_iac(1, true, &m).unwrap(),
        Ascites::ModerateSevere
    );
    let strict = IacMapping {
        grade1: Ascites::None,
        ..m
    };
    assert_eq!(Ascites::from_iac(1, false, &strict).unwrap(), Ascites::None);
    assert!(Ascites::from_iac(4, false, &m).is_err());
    let wh = |g, med, refr| Encephalopathy::from_west_haven(g, med, refr).unwrap();
    assert_eq!(wh(0, false, false), Encephalopathy::None);
    assert_eq!(wh(0, true, false), Encephalopathy::Grade1To2);
    assert_eq!(wh(2, false, false), Encephalopathy::Grade1To2);
    assert_eq!(wh(3, false, false), Encephalopathy::Grade3To4);
    assert_eq!(wh(1, false, true), Encephalopathy::Grade3To4);
    assert!(Encephalopathy::from_west_haven(5, false, false).is_err());
}

#[test]
fn child_pugh_refuses_out_of_range_input() {
    let e = bilirubin_points(MgPerDl(60.0), BilirubinScale::Standard).unwrap_err();
    assert!(matches!(
        e,
        ClinicalError::OutOfRange {
            input: "bilirubin",
            ..
        }
    ));
    assert!(matches!(
        albumin_points(GPerDl(f64::NAN)).unwrap_err(),
        ClinicalError::NotFinite { input: "albumin" }
    ));
    assert!(coagulation_points(Coagulation::Inr(Inr(-1.0))).is_err());
}

// ------------------------------------------------------------ §1.2 ----

#[test]
fn albi_vectors() {
    let c = AlbiConfig::default();
    assert_eq!(c.albumin_coef, -0.085);
    let r = albi(UmolPerL(17.1), GPerL(40.0), &c).unwrap();
    approx(r.score, -2.586, 3);
    assert_eq!(r.grade, AlbiGrade::G2);
    let r = albi(UmolPerL(10.0), GPerL(45.0), &c).unwrap();
    approx(r.score, -3.165, 3);
    assert_eq!(r.grade, AlbiGrade::G1);
    let r = albi(UmolPerL(51.3), GPerL(28.0), &c).unwrap();
    approx(r.score, -1.251, 3);
    assert_eq!(r.grade, AlbiGrade::G3);
    approx(r.bilirubin_term + r.albumin_term, r.score, 12);
}

#[test]
fn albi_coefficient_can_flip_a_grade() {
    // 17.1/40.1: −2.5947 with −0.085 (grade 2), −2.6026 with −0.0852 (grade 1).
    let a = albi(UmolPerL(17.1), GPerL(40.1), &AlbiConfig::default()).unwrap();
    let b = albi(
        UmolPerL(17.1),
        GPerL(40.1),
        &AlbiConfig {
            albumin_coef: albi::ALBUMIN_COEF_0852,
            ..AlbiConfig::default()
        },
    )
    .unwrap();
    assert_eq!(a.grade, AlbiGrade::G2);
    assert_eq!(b.grade, AlbiGrade::G1);
    assert_eq!(b.albumin_coef, -0.0852);
}

#[test]
fn albi_grade_boundaries() {
    assert_eq!(albi_grade(-2.60), AlbiGrade::G1, "−2.60 is grade 1 (≤)");
    assert_eq!(albi_grade(-2.5999), AlbiGrade::G2);
    assert_eq!(albi_grade(-1.39), AlbiGrade::G2, "−1.39 is grade 2 (≤)");
    assert_eq!(albi_grade(-1.3899), AlbiGrade::G3);
    let c = AlbiConfig::default();
    assert_eq!(malbi_grade(-2.60, &c), MalbiGrade::G1);
    assert_eq!(malbi_grade(-2.27, &c), MalbiGrade::G2a);
    assert_eq!(malbi_grade(-2.2699, &c), MalbiGrade::G2b);
    assert_eq!(malbi_grade(-1.39, &c), MalbiGrade::G2b);
    assert_eq!(malbi_grade(-1.0, &c), MalbiGrade::G3);
}

#[test]
fn albi_refuses_zero_bilirubin() {
    assert!(matches!(
        albi(UmolPerL(0.0), GPerL(40.0), &AlbiConfig::default()).unwrap_err(),
        ClinicalError::OutOfRange {
            input: "bilirubin",
            ..
        }
    ));
}

// ------------------------------------------------------------ §1.3 ----

fn mi(cr: f64, bili: f64, inr: f64, dialysis: bool) -> MeldInput {
    MeldInput {
        creatinine: MgPerDl(cr),
        bilirubin: MgPerDl(bili),
        inr: Inr(inr),
        dialysis,
    }
}

#[test]
fn meld_vectors() {
    let r = meld_na(&mi(1.9, 3.2, 1.6, false), MmolPerL(130.0)).unwrap();
    assert_eq!(r.meld.meld, 22.0);
    approx(r.meld_na_raw, 26.16, 2);
    assert_eq!(r.meld_na, 26.0);
    let r = meld_na(&mi(2.5, 5.0, 2.0, false), MmolPerL(124.0)).unwrap();
    assert_eq!(r.meld.meld, 29.0);
    assert_eq!(r.sodium_used, 125.0, "Na 124 is bounded to 125");
    approx(r.meld_na_raw, 33.36, 2);
    assert_eq!(r.meld_na, 33.0);
    let r = meld_na(&mi(1.2, 2.0, 1.4, true), MmolPerL(128.0)).unwrap();
    assert_eq!(r.meld.creatinine_used, 4.0);
    assert!(r.meld.creatinine_set_by_dialysis);
    assert_eq!(r.meld.meld, 26.0);
    approx(r.meld_na_raw, 30.16, 2);
    assert_eq!(r.meld_na, 30.0);
}

#[test]
fn meld_bounds() {
    // All labs < 1.0 are set to 1.0: minimum 6.
    let r = meld(&mi(0.5, 0.3, 0.9, false)).unwrap();
    assert_eq!(
        (r.creatinine_used, r.bilirubin_used, r.inr_used),
        (1.0, 1.0, 1.0)
    );
    assert_eq!(r.meld, 6.0);
    // Creatinine exactly 4.0 is kept; above is set to 4.0.
    assert_eq!(
        meld(&mi(4.0, 1.0, 1.0, false)).unwrap().creatinine_used,
        4.0
    );
    let r = meld(&mi(6.0, 1.0, 1.0, false)).unwrap();
    assert_eq!(r.creatinine_used, 4.0);
    assert!(!r.creatinine_set_by_dialysis);
    // Maximum 40.
    assert_eq!(meld(&mi(4.0, 40.0, 9.0, false)).unwrap().meld, 40.0);
    let r = meld_na(&mi(4.0, 40.0, 9.0, false), MmolPerL(120.0)).unwrap();
    assert!(r.meld_na <= 40.0);
    // Na above 137 bounded to 137: no change.
    let r = meld_na(&mi(1.9, 3.2, 1.6, false), MmolPerL(140.0)).unwrap();
    assert_eq!((r.sodium_used, r.meld_na), (137.0, 22.0));
    // Non-positive labs are refused (logarithm).
    assert!(meld(&mi(0.0, 1.0, 1.0, false)).is_err());
}

#[test]
fn meld_na_applies_only_above_11() {
    // MELD(i) exactly 11: no sodium correction. Cr 1.0, bili 1.0, INR x with
    // 1.120 ln x + 0.643 = 1.1 → x = exp(0.457/1.12) ≈ 1.504.
    let r11 = meld_na(&mi(1.0, 1.0, 1.5, false), MmolPerL(125.0)).unwrap();
    assert_eq!(r11.meld.meld, 11.0);
    assert!(!r11.sodium_applied);
    assert_eq!(r11.meld_na, 11.0);
    let r12 = meld_na(&mi(1.0, 1.0, 1.6, false), MmolPerL(125.0)).unwrap();
    assert_eq!(r12.meld.meld, 12.0);
    assert!(r12.sodium_applied);
    // 12 + 1.32×12 − 0.033×12×12 = 23.088
    approx(r12.meld_na_raw, 23.088, 3);
}

// ------------------------------------------------------------ §1.4 ----

fn cg_in(sex: Sex) -> CgInput {
    CgInput {
        age: Years(60.0),
        sex,
        weight: Kg(72.0),
        creatinine: MgPerDl(1.0),
        stature: None,
    }
}

#[test]
fn cockcroft_gault_vectors() {
    let m = cockcroft_gault(&cg_in(Sex::Male), CgWeightBasis::default()).unwrap();
    approx(m.crcl.0, 80.0, 1);
    assert_eq!(m.weight_basis, CgWeightBasis::Actual);
    assert_eq!(m.weight_used, Kg(72.0));
    let f = cockcroft_gault(&cg_in(Sex::Female), CgWeightBasis::Actual).unwrap();
    approx(f.crcl.0, 68.0, 1);
    assert_eq!(f.sex_factor, 0.85);
    // The SI form (K = 1.23 / 1.04, SCr 88.4 µmol/L): 80.1 and 67.8.
    let si = |sex| cockcroft_gault_si(Years(60.0), sex, Kg(72.0), UmolPerL(88.4)).unwrap();
    approx(si(Sex::Male).0, 80.1, 1);
    approx(si(Sex::Female).0, 67.8, 1);
    assert!(cockcroft_gault_si(Years(60.0), Sex::Male, Kg(72.0), UmolPerL(0.0)).is_err());
}

#[test]
fn cockcroft_gault_weight_bases() {
    // 70 in male: IBW 50 + 2.3 × 10 = 73 kg.
    assert_eq!(
        ideal_body_weight_devine(Inches(70.0), Sex::Male).unwrap(),
        Kg(73.0)
    );
    approx(
        ideal_body_weight_devine(Inches(64.0), Sex::Female)
            .unwrap()
            .0,
        54.7,
        6,
    );
    let mut i = cg_in(Sex::Male);
    assert!(cockcroft_gault(&i, CgWeightBasis::Ideal).is_err());
    i.weight = Kg(100.0);
    i.stature = Some(CgStature {
        height: Inches(70.0),
        bmi: KgPerM2(31.6),
    });
    let r = cockcroft_gault(&i, CgWeightBasis::MdcalcByBmi).unwrap();
    assert_eq!(r.weight_basis, CgWeightBasis::Adjusted);
    approx(r.weight_used.0, 73.0 + 0.4 * 27.0, 6);
    i.stature = Some(CgStature {
        height: Inches(70.0),
        bmi: KgPerM2(25.0),
    });
    let r = cockcroft_gault(&i, CgWeightBasis::MdcalcByBmi).unwrap();
    assert_eq!(r.weight_basis, CgWeightBasis::Adjusted, "BMI 25 → adjusted");
    i.stature = Some(CgStature {
        height: Inches(70.0),
        bmi: KgPerM2(18.5),
    });
    let r = cockcroft_gault(&i, CgWeightBasis::MdcalcByBmi).unwrap();
    assert_eq!(r.weight_basis, CgWeightBasis::Ideal, "BMI 18.5 → ideal");
    i.stature = Some(CgStature {
        height: Inches(70.0),
        bmi: KgPerM2(18.4),
    });
    let r = cockcroft_gault(&i, CgWeightBasis::MdcalcByBmi).unwrap();
    assert_eq!(r.weight_basis, CgWeightBasis::Actual);
}

#[test]
fn cockcroft_gault_refuses_bad_input() {
    let mut i = cg_in(Sex::Male);
    i.weight = Kg(-70.0);
    assert!(matches!(
        cockcroft_gault(&i, CgWeightBasis::Actual).unwrap_err(),
        ClinicalError::OutOfRange {
            input: "weight",
            ..
        }
    ));
    let mut i = cg_in(Sex::Male);
    i.age = Years(17.0);
    assert!(cockcroft_gault(&i, CgWeightBasis::Actual).is_err());
    i.age = Years(18.0);
    assert!(cockcroft_gault(&i, CgWeightBasis::Actual).is_ok());
    i.creatinine = MgPerDl(0.0);
    assert!(cockcroft_gault(&i, CgWeightBasis::Actual).is_err());
}

// ------------------------------------------------------------ §1.5 ----

#[test]
fn ckd_epi_2021_vectors() {
    approx(
        ckd_epi_2021(Years(55.0), Sex::Male, MgPerDl(1.2))
            .unwrap()
            .egfr
            .0,
        71.4,
        1,
    );
    approx(
        ckd_epi_2021(Years(60.0), Sex::Female, MgPerDl(0.8))
            .unwrap()
            .egfr
            .0,
        84.3,
        1,
    );
    approx(
        ckd_epi_2021(Years(70.0), Sex::Male, MgPerDl(0.7))
            .unwrap()
            .egfr
            .0,
        99.1,
        1,
    );
    // Continuous at SCr = κ.
    let at = ckd_epi_2021(Years(50.0), Sex::Male, MgPerDl(0.9)).unwrap();
    approx(at.egfr.0, 142.0 * 0.9938f64.powf(50.0), 9);
    assert!(ckd_epi_2021(Years(10.0), Sex::Male, MgPerDl(0.9)).is_err());
}

// ------------------------------------------------------------ §1.6 ----

#[test]
fn bsa_bmi_vectors() {
    approx(bsa_mosteller(Cm(170.0), Kg(70.0)).unwrap().0, 1.818, 3);
    approx(bsa_dubois(Cm(170.0), Kg(70.0)).unwrap().0, 1.810, 3);
    let b = bmi(Cm(170.0), Kg(70.0)).unwrap();
    approx(b.0, 24.22, 2);
    assert_eq!(bmi_band(b), BmiBand::Normal);
    assert_eq!(bmi_band(KgPerM2(18.49)), BmiBand::Underweight);
    assert_eq!(bmi_band(KgPerM2(18.5)), BmiBand::Normal);
    assert_eq!(bmi_band(KgPerM2(24.95)), BmiBand::Normal);
    assert_eq!(bmi_band(KgPerM2(25.0)), BmiBand::Overweight);
    assert_eq!(bmi_band(KgPerM2(30.0)), BmiBand::ObeseI);
    assert_eq!(bmi_band(KgPerM2(35.0)), BmiBand::ObeseII);
    assert_eq!(bmi_band(KgPerM2(40.0)), BmiBand::ObeseIII);
    assert!(bmi(Cm(170.0), Kg(-1.0)).is_err());
    assert!(bsa_mosteller(Cm(0.0), Kg(70.0)).is_err());
}

// ------------------------------------------------------------ §1.7 ----

#[test]
fn ecog_karnofsky() {
    let e = |k| kps_to_ecog(Kps::new(k).unwrap()).grade();
    let table = [
        (100, 0),
        (90, 0),
        (80, 1),
        (70, 1),
        (60, 2),
        (50, 2),
        (40, 3),
        (30, 3),
        (20, 4),
        (10, 4),
        (0, 5),
    ];
    for (k, g) in table {
        assert_eq!(e(k), g, "KPS {k}");
        // Round trip: the KPS lies in the range of its ECOG.
        let r = ecog_to_kps(Ecog::new(g).unwrap());
        assert!(r.min <= k && k <= r.max);
    }
    assert!(Kps::new(75).is_err());
    assert!(Kps::new(110).is_err());
    assert!(Ecog::new(6).is_err());
    let r1 = ecog_to_kps(Ecog::new(1).unwrap());
    assert_eq!((r1.min, r1.max), (70, 80));
    assert_eq!(r1.at_least(70), Implied::Likely, "KPS ≥ 70 with ECOG 1");
    assert_eq!(r1.at_least(80), Implied::Uncertain);
    assert_eq!(r1.at_least(90), Implied::Unlikely);
}

// ------------------------------------------------------------ §1.8 ----

fn staged(r: &Bclc) -> Option<BclcStage> {
    match r {
        Bclc::Staged { stage, .. } => Some(*stage),
        _ => None,
    }
}

fn full(nodules: &[f64], mvi: bool, ehs: bool, cp: ChildPughClass, ecog: u8) -> BclcInput {
    BclcInput {
        nodules: Some(nodules.iter().map(|&d| Cm(d)).collect()),
        macrovascular_invasion: Some(mvi),
        extrahepatic_spread: Some(ehs),
        child_pugh_class: Some(cp),
        ascites: Some(false),
        ecog: Some(ecog),
        ps_cancer_related: Some(true),
    }
}

#[test]
fn bclc_stages() {
    use ChildPughClass::*;
    let c = BclcConfig::default();
    let s = |i: &BclcInput| staged(&bclc(i, &c).unwrap());
    assert_eq!(
        s(&full(&[2.0], false, false, A, 0)),
        Some(BclcStage::VeryEarly)
    );
    assert_eq!(s(&full(&[2.1], false, false, A, 0)), Some(BclcStage::A));
    assert_eq!(s(&full(&[8.0], false, false, A, 0)), Some(BclcStage::A));
    assert_eq!(
        s(&full(&[3.0, 3.0, 3.0], false, false, A, 0)),
        Some(BclcStage::A)
    );
    assert_eq!(
        s(&full(&[3.1, 2.0], false, false, A, 0)),
        Some(BclcStage::B)
    );
    assert_eq!(s(&full(&[1.0; 4], false, false, A, 0)), Some(BclcStage::B));
    assert_eq!(s(&full(&[1.0], true, false, A, 0)), Some(BclcStage::C));
    assert_eq!(s(&full(&[1.0], false, true, A, 0)), Some(BclcStage::C));
    assert_eq!(s(&full(&[1.0], false, false, A, 1)), Some(BclcStage::C));
    assert_eq!(s(&full(&[1.0], false, false, A, 3)), Some(BclcStage::D));
    assert_eq!(s(&full(&[1.0], false, false, C, 0)), Some(BclcStage::D));
    // PS 1 not cancer-related: stays on the tumour branch.
    let mut i = full(&[1.0], false, false, A, 1);
    i.ps_cancer_related = Some(false);
    assert_eq!(s(&i), Some(BclcStage::VeryEarly));
}

#[test]
fn bclc_liver_function() {
    use ChildPughClass::*;
    let c = BclcConfig::default();
    let r = bclc(&full(&[1.0], false, false, B, 0), &c).unwrap();
    assert!(matches!(r, Bclc::IndeterminateLiverFunction { .. }));
    let mut i = full(&[1.0], false, false, A, 0);
    i.ascites = Some(true);
    assert!(matches!(
        bclc(&i, &c).unwrap(),
        Bclc::IndeterminateLiverFunction { .. }
    ));
    let lenient = BclcConfig {
        preserved_requires_no_ascites: false,
        ..c
    };
    assert_eq!(
        staged(&bclc(&i, &lenient).unwrap()),
        Some(BclcStage::VeryEarly)
    );
}

#[test]
fn bclc_missing_inputs() {
    use ChildPughClass::*;
    let c = BclcConfig::default();
    // Nothing known.
    match bclc(&BclcInput::default(), &c).unwrap() {
        Bclc::Indeterminate {
            possible, missing, ..
        } => {
            assert_eq!(possible.len(), 5);
            for m in [
                "ecog",
                "child_pugh_class",
                "macrovascular_invasion",
                "extrahepatic_spread",
                "nodules",
            ] {
                assert!(missing.iter().any(|x| x == m), "{m} in {missing:?}");
            }
        }
        other => panic!("{other:?}"),
    }
    // ECOG 3 decides D whatever else is missing.
    let i = BclcInput {
        ecog: Some(3),
        ..BclcInput::default()
    };
    assert_eq!(staged(&bclc(&i, &c).unwrap()), Some(BclcStage::D));
    // Only the nodules missing: 0, A or B.
    let mut i = full(&[1.0], false, false, A, 0);
    i.nodules = None;
    assert_eq!(
        bclc(&i, &c).unwrap(),
        Bclc::Indeterminate {
            possible: vec![BclcStage::VeryEarly, BclcStage::A, BclcStage::B],
            liver_function_unplaced: false,
            missing: vec!["nodules".into()],
        }
    );
    // ECOG 1 with unknown cause: C or the tumour stage.
    let mut i = full(&[1.0], false, false, A, 1);
    i.ps_cancer_related = None;
    assert_eq!(
        bclc(&i, &c).unwrap(),
        Bclc::Indeterminate {
            possible: vec![BclcStage::VeryEarly, BclcStage::C],
            liver_function_unplaced: false,
            missing: vec!["ps_cancer_related".into()],
        }
    );
    let assume = BclcConfig {
        assume_ps_cancer_related: true,
        ..c
    };
    assert_eq!(staged(&bclc(&i, &assume).unwrap()), Some(BclcStage::C));
    // MVI known true: C regardless of missing extrahepatic spread.
    let mut i = full(&[1.0], true, false, A, 0);
    i.extrahepatic_spread = None;
    assert_eq!(staged(&bclc(&i, &c).unwrap()), Some(BclcStage::C));
    // Ascites unknown with Child-Pugh A: liver function unplaced possible.
    let mut i = full(&[1.0], false, false, A, 0);
    i.ascites = None;
    match bclc(&i, &c).unwrap() {
        Bclc::Indeterminate {
            liver_function_unplaced,
            missing,
            ..
        } => {
            assert!(liver_function_unplaced);
            assert_eq!(missing, vec!["ascites".to_string()]);
        }
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------ §1.9 ----

fn cms(d: &[f64]) -> Vec<Cm> {
    d.iter().map(|&x| Cm(x)).collect()
}

#[test]
fn milan_boundaries() {
    assert!(milan(&cms(&[5.0]), false, false).unwrap().within);
    assert!(!milan(&cms(&[5.1]), false, false).unwrap().within);
    assert!(milan(&cms(&[3.0, 3.0, 3.0]), false, false).unwrap().within);
    assert!(!milan(&cms(&[3.0, 3.1]), false, false).unwrap().within);
    assert!(!milan(&cms(&[1.0; 4]), false, false).unwrap().within);
    let r = milan(&cms(&[2.0]), true, false).unwrap();
    assert!(!r.within && r.size_criteria_met);
    assert!(!milan(&cms(&[2.0]), false, true).unwrap().within);
    assert!(milan(&[], false, false).is_err());
}

#[test]
fn up_to_seven_vectors() {
    let r = up_to_seven(&cms(&[4.0, 2.0, 1.0])).unwrap();
    assert_eq!((r.sum, r.within), (7.0, true), "3 + 4 = 7 is within");
    let r = up_to_seven(&cms(&[3.5, 1.0, 1.0, 2.0])).unwrap();
    assert_eq!((r.sum, r.within), (7.5, false));
    // A float artefact from a unit conversion (4 cm read as 4.000000000000001)
    // must not push the sum over 7.
    let r = up_to_seven(&cms(&[4.000000000000001, 1.0, 1.0])).unwrap();
    assert!(r.within);
    assert!(!up_to_seven(&cms(&[4.01, 1.0, 1.0])).unwrap().within);
    assert!(up_to_seven(&cms(&[-1.0])).is_err());
}

// ----------------------------------------------------------- §1.10 ----

#[test]
fn tumour_burden_percent() {
    approx(tumour_burden(Ml(400.0), Ml(1600.0)).unwrap().0, 25.0, 9);
    approx(tumour_burden(Ml(800.0), Ml(1600.0)).unwrap().0, 50.0, 9);
    assert!(tumour_burden(Ml(1700.0), Ml(1600.0)).is_err());
    assert!(tumour_burden(Ml(10.0), Ml(0.0)).is_err());
    // Sphere of 2 cm: π/6 × 8 = 4.18879 mL.
    approx(
        ellipsoid_volume(Cm(2.0), Cm(2.0), Cm(2.0)).unwrap().0,
        4.18879,
        5,
    );
}

// ------------------------------------------------------------- §6 -----

#[test]
fn decay_vectors() {
    approx(
        100.0 * decay_fraction(Hours(24.0), Y90_HALF_LIFE).unwrap(),
        77.14,
        2,
    );
    approx(
        100.0 * decay_fraction(Days(7.0), LU177_HALF_LIFE).unwrap(),
        48.19,
        2,
    );
    approx(decay_fraction(Hours(64.1), Y90_HALF_LIFE).unwrap(), 0.5, 12);
    approx(y90_decay(Gbq(3.0), Hours(0.0)).unwrap().0, 3.0, 12);
    approx(
        delivered_activity(Gbq(2.0), Percent(5.0), Hours(24.0))
            .unwrap()
            .0,
        2.0 * 0.95 * 0.7714,
        3,
    );
    assert!(decay_fraction(Hours(-1.0), Y90_HALF_LIFE).is_err());
}

#[test]
fn mird_vectors() {
    let c = DosimetryConfig::default();
    assert_eq!(c.gy_kg_per_gbq, 49.67);
    approx(
        mird_liver_dose(Gbq(2.0), Percent(8.0), Kg(1.5), &c)
            .unwrap()
            .0,
        60.93,
        2,
    );
    approx(
        lung_dose(Gbq(2.0), Percent(8.0), LUNG_MASS_CONVENTION, &c)
            .unwrap()
            .0,
        7.95,
        2,
    );
    approx(
        mird_activity_for_dose(Gy(120.0), Percent(8.0), Kg(1.5), &c)
            .unwrap()
            .0,
        3.94,
        2,
    );
    let thera = DosimetryConfig {
        gy_kg_per_gbq: GY_KG_PER_GBQ_50,
        ..c
    };
    approx(
        mird_liver_dose(Gbq(2.0), Percent(8.0), Kg(1.5), &thera)
            .unwrap()
            .0,
        50.0 * 2.0 * 0.92 / 1.5,
        9,
    );
    assert!(mird_liver_dose(Gbq(2.0), Percent(8.0), Kg(-1.5), &c).is_err());
}

#[test]
fn lung_limits_and_shunt() {
    let c = DosimetryConfig::default();
    let ok = check_lung_dose(Gy(30.0), Gy(50.0), &c);
    assert!(ok.single_within && ok.cumulative_within, "limits inclusive");
    let over = check_lung_dose(Gy(30.01), Gy(50.01), &c);
    assert!(!over.single_within && !over.cumulative_within);
    // Geometric means: lung sqrt(100×400) = 200, liver sqrt(900×1600) = 1200.
    approx(
        lung_shunt_fraction(100.0, 400.0, 900.0, 1600.0).unwrap().0,
        100.0 * 200.0 / 1400.0,
        9,
    );
    assert!(lung_shunt_fraction(0.0, 0.0, 0.0, 0.0).is_err());
}

#[test]
fn resin_reduction_boundaries() {
    let c = ResinLsfConfig::default();
    let d = |x| resin_lsf_reduction(Percent(x), &c).unwrap();
    assert_eq!(d(9.99), ResinLsfDecision::FullActivity);
    let r20 = ResinLsfDecision::Reduce {
        reduction: Percent(20.0),
        factor: 0.8,
    };
    let r40 = ResinLsfDecision::Reduce {
        reduction: Percent(40.0),
        factor: 0.6,
    };
    assert_eq!(d(10.0), r20, "default: exactly 10 % → reduce 20 %");
    assert_eq!(d(14.99), r20);
    assert_eq!(d(15.0), r40, "default: exactly 15 % → reduce 40 %");
    assert_eq!(d(20.0), r40, "default: exactly 20 % → reduce 40 %");
    assert_eq!(d(20.01), ResinLsfDecision::DoNotTreat);
    // Each boundary flips with its setting.
    let flipped = ResinLsfConfig {
        at_t1: AtThreshold::Lower,
        at_t2: AtThreshold::Lower,
        at_t3: AtThreshold::Upper,
        ..c
    };
    let f = |x| resin_lsf_reduction(Percent(x), &flipped).unwrap();
    assert_eq!(f(10.0), ResinLsfDecision::FullActivity);
    assert_eq!(f(15.0), r20);
    assert_eq!(f(20.0), ResinLsfDecision::DoNotTreat);
    approx(d(12.0).apply(Gbq(2.0)).unwrap().0, 1.6, 9);
    assert_eq!(d(25.0).apply(Gbq(2.0)), None);
    assert!(resin_lsf_reduction(Percent(101.0), &c).is_err());
}

#[test]
fn resin_bsa_method_vector() {
    // BSA 1.8, tumour 400 of a 1600 mL liver → 1.85 GBq.
    approx(
        resin_bsa_activity(M2(1.8), Ml(400.0), Ml(1200.0), None)
            .unwrap()
            .0,
        1.85,
        2,
    );
    approx(
        resin_bsa_activity(M2(1.8), Ml(400.0), Ml(1200.0), Some(0.5))
            .unwrap()
            .0,
        0.925,
        3,
    );
}

#[test]
fn partition_vectors() {
    let c = DosimetryConfig::default();
    let p = PartitionInput {
        lsf: Percent(8.0),
        tn_ratio: 3.0,
        tumour_mass: Kg(0.3),
        normal_liver_mass: Kg(1.2),
        lung_mass: LUNG_MASS_CONVENTION,
    };
    let r = partition_for_normal_dose(Gy(40.0), &p, &c).unwrap();
    approx(r.activity.0, 1.838, 3);
    approx(r.dose_lung.0, 7.30, 2);
    approx(r.dose_normal.0, 40.0, 9);
    approx(r.dose_tumour.0, 120.0, 9);
    approx(
        r.activity_tumour.0 + r.activity_normal.0 + r.activity_lung.0,
        r.activity.0,
        12,
    );
    // T/N from counts and masses.
    approx(
        tumour_to_normal_ratio(900.0, Kg(0.3), 1200.0, Kg(1.2)).unwrap(),
        3.0,
        12,
    );
}
