//! Safety tables on a small synthetic SDTM set (no shared data needed): the treatment-emergent
//! window (configurable), partial start dates, AETOXGR grade ≥ 3 vs serious, by arm, AFP change.

use tm_model::Date;
use tm_outcomes::safety::{
    analyze, impute_start, treatment_emergent, Exposure, SafetyOptions, SdtmInput, Table,
};

fn t(s: &str) -> Table {
    Table::parse(s).unwrap()
}

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn input() -> SdtmInput {
    SdtmInput {
        dm: t("USUBJID,ARM,ACTARM\nS1,Y90,Y90\nS2,TACE,TACE\nS3,Y90,Y90\n"),
        ex: t("USUBJID,EXTRT,EXDOSE,EXSTDTC,EXENDTC\n\
               S1,Y90,2.1,2024-01-10,2024-01-10\n\
               S2,DOX,50,2024-01-05,2024-03-01\n\
               S3,Y90,0,2024-01-10,2024-01-10\n"),
        ae: t(
            "USUBJID,AESEQ,AEDECOD,AESTDTC,AEENDTC,AETOXGR,AESEV,AESER\n\
               S1,1,FATIGUE,2024-01-09,2024-01-12,1,MILD,N\n\
               S1,2,FATIGUE,2024-01-20,,2,MODERATE,N\n\
               S1,3,ABDOMINAL PAIN,2024-02-09,,3,SEVERE,N\n\
               S1,4,LIVER ABSCESS,2024-02-10,,2,MODERATE,Y\n\
               S1,5,NAUSEA,2024-01,,1,MILD,N\n\
               S2,1,NAUSEA,2024-03-31,,4,SEVERE,Y\n\
               S2,2,NAUSEA,2024-03-15,,3,SEVERE,N\n\
               S3,1,FATIGUE,2024-01-11,,1,MILD,N\n",
        ),
        lb: Some(t(
            "USUBJID,LBTESTCD,LBTEST,LBSTRESN,LBSTRESU,LBSTNRLO,LBSTNRHI,LBBLFL,VISIT,LBDTC\n\
               S1,AFP,Alpha-Fetoprotein,400,ug/L,0,10,Y,BASELINE,2024-01-08\n\
               S1,AFP,Alpha-Fetoprotein,200,ug/L,0,10,,WEEK 4,2024-02-07\n\
               S1,ALT,Alanine Aminotransferase,90,U/L,0,40,Y,BASELINE,2024-01-08\n\
               S1,ALT,Alanine Aminotransferase,130,U/L,0,40,,WEEK 4,2024-02-07\n\
               S1,PLAT,Platelets,60,GI/L,150,400,,WEEK 4,2024-02-07\n",
        )),
    }
}

#[test]
fn window_boundary_is_inclusive_and_configurable() {
    let e = Exposure {
        trtsdt: Some(d("2024-01-10")),
        trtedt: Some(d("2024-01-10")),
    };
    assert!(treatment_emergent(
        Some(d("2024-02-09")),
        None,
        Some(&e),
        30
    )); // last + 30
    assert!(!treatment_emergent(
        Some(d("2024-02-10")),
        None,
        Some(&e),
        30
    )); // last + 31
    assert!(treatment_emergent(
        Some(d("2024-02-10")),
        None,
        Some(&e),
        31
    ));
    assert!(!treatment_emergent(
        Some(d("2024-01-09")),
        None,
        Some(&e),
        30
    )); // before first dose
    assert!(treatment_emergent(
        Some(d("2024-01-10")),
        None,
        Some(&e),
        30
    )); // on the first dose day
    assert!(treatment_emergent(None, None, Some(&e), 30)); // missing start: admiral counts it
    assert!(!treatment_emergent(
        None,
        Some(d("2024-01-01")),
        Some(&e),
        30
    )); // ended before
    assert!(!treatment_emergent(Some(d("2024-01-20")), None, None, 30)); // never dosed
                                                                         // partial start date: TRTSDT in the month → TRTSDT; otherwise the first
    assert_eq!(
        impute_start("2024-01", Some(d("2024-01-10"))),
        Some(d("2024-01-10"))
    );
    assert_eq!(
        impute_start("2024-02", Some(d("2024-01-10"))),
        Some(d("2024-02-01"))
    );
    assert_eq!(impute_start("", Some(d("2024-01-10"))), None);
}

#[test]
fn tables_by_arm_severe_vs_serious() {
    let rep = analyze(&input(), &SafetyOptions::default()).unwrap();
    let flags: Vec<(String, String, bool)> = rep
        .adverse_events
        .iter()
        .map(|a| (a.usubjid.clone(), a.aeseq.clone(), a.teae))
        .collect();
    let teae = |u: &str, s: &str| flags.iter().find(|f| f.0 == u && f.1 == s).unwrap().2;
    assert!(!teae("S1", "1"));
    assert!(teae("S1", "3")); // day 30 after last dose
    assert!(!teae("S1", "4")); // day 31
    assert!(teae("S1", "5")); // partial 2024-01 → imputed to TRTSDT
    assert!(teae("S2", "1") && teae("S2", "2"));
    assert!(
        !teae("S3", "1"),
        "S3 got dose 0 of a non-placebo: not dosed"
    );
    let y90 = rep.arms.iter().find(|a| a.arm == "Y90").unwrap();
    assert_eq!(y90.dosed, 1);
    assert_eq!(y90.with_teae, 1);
    assert_eq!(y90.with_grade3_plus_teae, Some(1)); // abdominal pain grade 3
    assert_eq!(y90.with_serious_teae, 0); // the serious abscess is outside the window
    let tace = rep.arms.iter().find(|a| a.arm == "TACE").unwrap();
    assert_eq!(
        (tace.with_serious_teae, tace.with_grade3_plus_teae),
        (1, Some(1))
    );
    let nausea = tace.terms.iter().find(|t| t.term == "NAUSEA").unwrap();
    assert_eq!(
        (nausea.subjects, nausea.grade3_plus, nausea.serious),
        (1, Some(1), 1)
    );
    let w = rep
        .worst_by_subject_term
        .iter()
        .find(|w| w.usubjid == "S1" && w.term == "FATIGUE")
        .unwrap();
    assert_eq!(w.worst_grade, Some(2)); // the grade-1 one started before dosing
                                        // window 31: the abscess becomes a serious TEAE
    let opts = SafetyOptions {
        end_window_days: 31,
        ..Default::default()
    };
    let rep31 = analyze(&input(), &opts).unwrap();
    assert_eq!(
        rep31
            .arms
            .iter()
            .find(|a| a.arm == "Y90")
            .unwrap()
            .with_serious_teae,
        1
    );
}

#[test]
fn afp_change_and_lab_grades() {
    let rep = analyze(&input(), &SafetyOptions::default()).unwrap();
    assert!(rep.afp.present);
    let s1 = &rep.afp.subjects[0];
    assert_eq!(s1.baseline, Some(400.0));
    assert_eq!(s1.points.len(), 1);
    assert_eq!(s1.points[0].change, Some(-200.0));
    assert_eq!(s1.points[0].percent_change, Some(-50.0));
    let y90 = rep.arms.iter().find(|a| a.arm == "Y90").unwrap();
    // ALT baseline 90 > ULN 40 → baseline rule: 130 ≥ 1.5 × 90 = 135? no → grade 0
    let alt = y90
        .lab
        .iter()
        .find(|l| format!("{:?}", l.term).starts_with("Alanine"))
        .unwrap();
    assert_eq!(alt.worst_grade, [1, 0, 0, 0, 0]);
    // platelets 60 ×10⁹/L ("GI/L") → grade 2
    let plt = y90
        .lab
        .iter()
        .find(|l| format!("{:?}", l.term).starts_with("Platelet"))
        .unwrap();
    assert_eq!(plt.worst_grade, [0, 0, 1, 0, 0]);
    let no_afp = SdtmInput {
        lb: None,
        ..input()
    };
    let rep = analyze(&no_afp, &SafetyOptions::default()).unwrap();
    assert!(!rep.afp.present);
    assert!(rep.notes.iter().any(|n| n.contains("AFP")));
}
