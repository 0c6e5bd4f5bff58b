//! Self-contained tests of every response rule (clinical-rules.md §2.1 RECIST 1.1, §2.2
//! mRECIST, §2.3 endpoints; admiralonco BOR/confirmation rules from NOTES.md). No shared data.

use tm_model::date::Date;
use tm_outcomes::response::bor::{derive_subject, BorOptions, OvrRecord};
use tm_outcomes::response::dates::DateRules;
use tm_outcomes::response::endpoints::{clopper_pearson, EndpointOptions};
use tm_outcomes::response::lesions::read_lesion_csv;
use tm_outcomes::response::pipeline::{run_lesion_text, ResponseOptions};
use tm_outcomes::response::timepoint::{
    combine, evaluate, sum_is_pd, sum_is_pr, NewLesions, TimePoint, TimePointOptions,
};
use tm_outcomes::response::{Criteria, Millimetres, Response};

const HEADER: &str = "subject,date,lesion_id,category,organ,longest_diameter_mm,short_axis_mm,viable_diameter_mm,status\n";

/// Evaluates one subject's lesion rows (CSV body without header) by `criteria`.
fn tps(body: &str, criteria: Criteria) -> Vec<TimePoint> {
    let text = format!("{HEADER}{body}");
    let rules = DateRules::default();
    let input = read_lesion_csv(&text, "test.csv", &rules).expect("csv");
    assert!(input.skipped.is_empty(), "{:?}", input.skipped);
    let recs: Vec<_> = input.records.iter().collect();
    evaluate(
        &recs,
        None,
        &TimePointOptions::for_criteria(criteria),
        &rules,
    )
}

fn overall(body: &str, criteria: Criteria) -> Vec<Option<Response>> {
    tps(body, criteria)
        .iter()
        .skip(1)
        .map(|t| t.overall)
        .collect()
}

fn mm(x: f64) -> Millimetres {
    Millimetres(x)
}

// §2.1 target thresholds -------------------------------------------------------------------

#[test]
fn exactly_30_percent_decrease_is_pr_and_just_less_is_sd() {
    assert!(sum_is_pr(mm(70.0), mm(100.0)));
    assert!(!sum_is_pr(mm(70.01), mm(100.0)));
    // 42 / 60 = 0.7 exactly: a value that is not exact in binary floating point.
    assert!(sum_is_pr(mm(42.0), mm(60.0)));
    let body = "S1,2024-01-01,T1,target,lung,60,,,\nS1,2024-02-01,T1,target,lung,42,,,\nS1,2024-03-01,T1,target,lung,42.01,,,\n";
    let t = tps(body, Criteria::Recist11);
    assert_eq!(t[1].target, Some(Response::Pr));
    assert_eq!(t[1].pct_change_baseline, Some(-30.0));
    assert_eq!(t[2].target, Some(Response::Sd), "−29.98 % is not PR");
}

#[test]
fn twenty_percent_increase_needs_5_mm_by_recist_but_not_by_mrecist() {
    // Nadir 20 → 24: +20 % but only +4 mm.
    assert!(!sum_is_pd(
        mm(24.0),
        mm(20.0),
        &TimePointOptions::for_criteria(Criteria::Recist11)
    ));
    assert!(sum_is_pd(
        mm(24.0),
        mm(20.0),
        &TimePointOptions::for_criteria(Criteria::Mrecist)
    ));
    // Nadir 25 → 30: +20 % and +5 mm exactly.
    assert!(sum_is_pd(
        mm(30.0),
        mm(25.0),
        &TimePointOptions::for_criteria(Criteria::Recist11)
    ));
    // Nadir 25 → 29.99: +19.96 %.
    assert!(!sum_is_pd(
        mm(29.99),
        mm(25.0),
        &TimePointOptions::for_criteria(Criteria::Recist11)
    ));
    // After a complete response (nadir 0) RECIST needs 5 mm; any regrowth is not yet PD below.
    let r = TimePointOptions::for_criteria(Criteria::Recist11);
    assert!(sum_is_pd(mm(5.0), mm(0.0), &r));
    assert!(!sum_is_pd(mm(4.0), mm(0.0), &r));
    assert!(!sum_is_pd(
        mm(0.0),
        mm(0.0),
        &TimePointOptions::for_criteria(Criteria::Mrecist)
    ));
    // Through the pipeline: nadir is the smallest earlier sum, baseline included.
    let body = "S1,2024-01-01,T1,target,liver,22,,22,\nS1,2024-02-01,T1,target,liver,20,,20,\nS1,2024-03-01,T1,target,liver,24,,24,\n";
    assert_eq!(
        overall(body, Criteria::Recist11),
        vec![Some(Response::Sd), Some(Response::Sd)]
    );
    assert_eq!(
        overall(body, Criteria::Mrecist),
        vec![Some(Response::Sd), Some(Response::Pd)]
    );
    let t = tps(body, Criteria::Recist11);
    assert_eq!(t[2].nadir, Some(mm(20.0)));
    assert_eq!(t[2].pct_change_nadir, Some(20.0));
}

#[test]
fn nodes_under_10_mm_short_axis_allow_cr_and_keep_their_value_in_the_sum() {
    let base = "S1,2024-01-01,T1,target,lung,20,,,\nS1,2024-01-01,N1,target,lymph node,25,18,,\n";
    let cr = format!(
        "{base}S1,2024-03-01,T1,target,lung,0,,,\nS1,2024-03-01,N1,target,lymph node,12,9.9,,\n"
    );
    let t = tps(&cr, Criteria::Recist11);
    assert_eq!(t[1].target, Some(Response::Cr));
    assert_eq!(
        t[1].sum,
        Some(mm(9.9)),
        "the node's short axis stays in the SoD"
    );
    let not_cr = format!(
        "{base}S1,2024-03-01,T1,target,lung,0,,,\nS1,2024-03-01,N1,target,lymph node,12,10,,\n"
    );
    let t = tps(&not_cr, Criteria::Recist11);
    assert_eq!(
        t[1].target,
        Some(Response::Pr),
        "a 10 mm node is not normal"
    );
    // absent / too small statuses
    let ts = format!("{base}S1,2024-03-01,T1,target,lung,,,,too_small\nS1,2024-03-01,N1,target,lymph node,,,,absent\n");
    let t = tps(&ts, Criteria::Recist11);
    assert_eq!(t[1].sum, Some(mm(5.0)));
    assert_eq!(t[1].target, Some(Response::Pr));
}

#[test]
fn missing_target_is_ne_unless_the_assessed_lesions_already_give_pd() {
    let base = "S1,2024-01-01,T1,target,lung,20,,,\nS1,2024-01-01,T2,target,liver,30,,,\n";
    let ne = format!("{base}S1,2024-02-01,T1,target,lung,10,,,\n");
    let t = tps(&ne, Criteria::Recist11);
    assert_eq!(t[1].target, Some(Response::Ne));
    assert!(!t[1].complete);
    let pd = format!("{base}S1,2024-02-01,T1,target,lung,61,,,\n");
    assert_eq!(overall(&pd, Criteria::Recist11), vec![Some(Response::Pd)]);
}

// §2.1 non-target, new lesions and the overall table ----------------------------------------

#[test]
fn overall_combination_table() {
    use NewLesions::*;
    use Response::*;
    assert_eq!(combine(Some(Cr), Some(Cr), No), Cr);
    assert_eq!(combine(Some(Cr), None, No), Cr);
    assert_eq!(combine(Some(Cr), Some(NonCrNonPd), No), Pr);
    assert_eq!(combine(Some(Cr), Some(Ne), No), Pr);
    assert_eq!(combine(Some(Pr), Some(Ne), No), Pr);
    assert_eq!(combine(Some(Sd), Some(NonCrNonPd), No), Sd);
    assert_eq!(combine(Some(Ne), Some(NonCrNonPd), No), Ne);
    assert_eq!(combine(Some(Pr), Some(Pd), No), Pd);
    assert_eq!(combine(Some(Cr), Some(Cr), Yes), Pd);
    assert_eq!(combine(Some(Cr), Some(Cr), Equivocal), Cr);
    assert_eq!(combine(None, Some(Cr), No), Cr);
    assert_eq!(combine(None, Some(NonCrNonPd), No), NonCrNonPd);
    assert_eq!(combine(None, Some(Ne), No), Ne);
    assert_eq!(combine(None, Some(NonCrNonPd), Yes), Pd);
}

#[test]
fn non_target_and_new_lesion_rules() {
    let base = "S1,2024-01-01,NT1,non-target,bone,,,,present\nS1,2024-01-01,NT2,non-target,lymph node,,12,,present\n";
    let body = format!(
        "{base}S1,2024-02-01,NT1,non-target,bone,,,,present\nS1,2024-02-01,NT2,non-target,lymph node,,8,,\n\
         S1,2024-03-01,NT1,non-target,bone,,,,absent\nS1,2024-03-01,NT2,non-target,lymph node,,8,,\n\
         S1,2024-04-01,NT1,non-target,bone,,,,absent\n\
         S1,2024-05-01,NT1,non-target,bone,,,,absent\nS1,2024-05-01,NT2,non-target,lymph node,,8,,\nS1,2024-05-01,X1,new,lung,8,,,equivocal\n\
         S1,2024-06-01,NT1,non-target,bone,,,,progression\nS1,2024-06-01,NT2,non-target,lymph node,,8,,\n"
    );
    assert_eq!(
        overall(&body, Criteria::Recist11),
        vec![
            Some(Response::NonCrNonPd),
            Some(Response::Cr), // node back below 10 mm counts as disappeared
            Some(Response::Ne), // NT2 not evaluated
            Some(Response::Cr), // equivocal new lesion is not PD
            Some(Response::Pd), // unequivocal non-target progression
        ]
    );
    let new = format!("{base}S1,2024-02-01,NT1,non-target,bone,,,,present\nS1,2024-02-01,NT2,non-target,lymph node,,12,,\nS1,2024-02-01,X1,new,lung,6,,,\n");
    assert_eq!(overall(&new, Criteria::Recist11), vec![Some(Response::Pd)]);
}

// §2.2 mRECIST -------------------------------------------------------------------------------

#[test]
fn mrecist_uses_the_viable_diameter_for_pr_and_pd() {
    // Whole-lesion diameter unchanged (RECIST SD) while the enhancing part shrinks 40 → 28
    // (−30 %): mRECIST PR; then viable 28 → 33 (+17.9 %) SD, then 34 (+21.4 %, +6 mm) PD.
    let body = "S1,2024-01-01,T1,target,liver,50,,40,\nS1,2024-02-01,T1,target,liver,50,,28,\n\
                S1,2024-03-01,T1,target,liver,50,,33,\nS1,2024-04-01,T1,target,liver,50,,34,\n";
    assert_eq!(
        overall(body, Criteria::Mrecist),
        vec![Some(Response::Pr), Some(Response::Sd), Some(Response::Pd)]
    );
    assert_eq!(
        overall(body, Criteria::Recist11),
        vec![Some(Response::Sd), Some(Response::Sd), Some(Response::Sd)]
    );
    // No viable tumour left = mRECIST CR even though a scar remains.
    let cr = "S1,2024-01-01,T1,target,liver,50,,40,\nS1,2024-02-01,T1,target,liver,45,,0,\n";
    assert_eq!(overall(cr, Criteria::Mrecist), vec![Some(Response::Cr)]);
    assert_eq!(overall(cr, Criteria::Recist11), vec![Some(Response::Sd)]);
    // Viable 10 → 12: +20 %, +2 mm: PD by mRECIST (no 5 mm rule), SD by RECIST.
    let small = "S1,2024-01-01,T1,target,liver,10,,10,\nS1,2024-02-01,T1,target,liver,12,,12,\n";
    assert_eq!(overall(small, Criteria::Mrecist), vec![Some(Response::Pd)]);
    assert_eq!(overall(small, Criteria::Recist11), vec![Some(Response::Sd)]);
}

#[test]
fn mrecist_porta_hepatis_node_of_15_mm_is_not_malignant() {
    let base = "S1,2024-01-01,T1,target,liver,40,,40,\n";
    let new15 = format!("{base}S1,2024-02-01,T1,target,liver,40,,40,\nS1,2024-02-01,P1,new,porta hepatis lymph node,22,15,,\n");
    let t = tps(&new15, Criteria::Mrecist);
    assert_eq!(t[1].overall, Some(Response::Sd));
    assert_eq!(t[1].new_lesions, NewLesions::Equivocal);
    assert!(t[1].notes.iter().any(|n| n.contains("not malignant")));
    // RECIST 1.1 has no such rule: a new 15 mm node is PD.
    assert_eq!(
        overall(&new15, Criteria::Recist11),
        vec![Some(Response::Pd)]
    );
    let new20 = format!("{base}S1,2024-02-01,T1,target,liver,40,,40,\nS1,2024-02-01,P1,new,porta hepatis lymph node,25,20,,\n");
    assert_eq!(overall(&new20, Criteria::Mrecist), vec![Some(Response::Pd)]);
    // A 15 mm porta-hepatis node at baseline is not non-target disease: CR stays reachable.
    let nt = "S1,2024-01-01,T1,target,liver,40,,40,\nS1,2024-01-01,P1,non-target,porta hepatis lymph node,,15,,present\n\
              S1,2024-02-01,T1,target,liver,40,,0,\nS1,2024-02-01,P1,non-target,porta hepatis lymph node,,15,,present\n";
    let t = tps(nt, Criteria::Mrecist);
    assert_eq!(t[1].non_target, None);
    assert_eq!(t[1].overall, Some(Response::Cr));
}

#[test]
fn mrecist_atypical_new_lesion_is_not_pd_until_it_grows_1_cm() {
    let base = "S1,2024-01-01,T1,target,liver,40,,40,\n";
    let body = format!(
        "{base}S1,2024-02-01,T1,target,liver,40,,40,\nS1,2024-02-01,X1,new,liver,12,,,atypical\n\
         S1,2024-03-01,T1,target,liver,40,,40,\nS1,2024-03-01,X1,new,liver,21.99,,,atypical\n\
         S1,2024-04-01,T1,target,liver,40,,40,\nS1,2024-04-01,X1,new,liver,22,,,atypical\n"
    );
    let t = tps(&body, Criteria::Mrecist);
    let o: Vec<_> = t.iter().skip(1).map(|t| t.overall).collect();
    assert_eq!(
        o,
        vec![Some(Response::Sd), Some(Response::Sd), Some(Response::Pd)]
    );
    assert!(
        t[3].intrahepatic_progression,
        "a new liver lesion is intrahepatic progression"
    );
    // Typical pattern ≥ 1 cm: PD at once; sub-centimetre: not a new lesion.
    let typical = format!(
        "{base}S1,2024-02-01,T1,target,liver,40,,40,\nS1,2024-02-01,X1,new,liver,10,,,typical\n"
    );
    assert_eq!(
        overall(&typical, Criteria::Mrecist),
        vec![Some(Response::Pd)]
    );
    let subcm = format!(
        "{base}S1,2024-02-01,T1,target,liver,40,,40,\nS1,2024-02-01,X1,new,liver,9,,,typical\n"
    );
    assert_eq!(overall(&subcm, Criteria::Mrecist), vec![Some(Response::Sd)]);
}

#[test]
fn mrecist_effusion_is_pd_only_with_positive_cytology() {
    let base = "S1,2024-01-01,T1,target,liver,40,,40,\n";
    let no = format!(
        "{base}S1,2024-02-01,T1,target,liver,40,,40,\nS1,2024-02-01,E1,new,ascites,,,,present\n"
    );
    assert_eq!(overall(&no, Criteria::Mrecist), vec![Some(Response::Sd)]);
    let yes = format!("{base}S1,2024-02-01,T1,target,liver,40,,40,\nS1,2024-02-01,E1,new,pleural effusion,,,,cytology_positive\n");
    assert_eq!(overall(&yes, Criteria::Mrecist), vec![Some(Response::Pd)]);
    let t = tps(&yes, Criteria::Mrecist);
    assert!(
        !t[1].intrahepatic_progression,
        "an effusion is extrahepatic"
    );
}

// BOR and confirmation (NOTES.md rules 2–6) ---------------------------------------------------

fn ovr(days: &[(i32, Response)], rand: Date) -> Vec<OvrRecord> {
    days.iter()
        .enumerate()
        .map(|(i, (d, r))| OvrRecord {
            subject: "S".into(),
            visit: None,
            visitnum: None,
            date_text: rand.add_days(*d).to_string(),
            date: Some(rand.add_days(*d)),
            date_flag: None,
            response: Some(*r),
            seq: i as i64 + 1,
            anl01: false,
            anl02: false,
        })
        .collect()
}

fn bor(days: &[(i32, Response)]) -> (String, String, Option<i32>) {
    let rand = Date::from_ymd(2024, 1, 1).unwrap();
    let s = derive_subject(
        "S",
        ovr(days, rand),
        Some(rand),
        None,
        true,
        &BorOptions::default(),
    );
    (
        s.bor.avalc,
        s.cbor.avalc,
        s.crsp.date.map(|d| d.days() - rand.days()),
    )
}

#[test]
fn confirmation_needs_28_days_and_at_most_one_ne() {
    use Response::*;
    assert_eq!(
        bor(&[(42, Cr), (70, Cr)]),
        ("CR".into(), "CR".into(), Some(42))
    );
    assert_eq!(bor(&[(42, Cr), (69, Cr)]).1, "SD", "27 days is too early");
    assert_eq!(bor(&[(42, Cr), (56, Ne), (70, Cr)]).1, "CR");
    assert_eq!(
        bor(&[(42, Cr), (50, Ne), (60, Ne), (70, Cr)]).1,
        "SD",
        "two NE between"
    );
    assert_eq!(bor(&[(42, Pr), (70, Pr)]).1, "PR");
    assert_eq!(
        bor(&[(42, Pr), (56, Sd), (70, Pr)]).1,
        "SD",
        "SD between not accepted"
    );
    assert_eq!(
        bor(&[(42, Pr), (56, Cr), (70, Pr)]).1,
        "SD",
        "PR after CR inside the window"
    );
    assert_eq!(bor(&[(42, Pr), (70, Cr)]).1, "PR");
    // An unconfirmed response before day 42 becomes NE; after, SD.
    assert_eq!(bor(&[(21, Pr)]), ("PR".into(), "NE".into(), None));
}

#[test]
fn sd_needs_42_days_from_randomisation_without_plus_one() {
    use Response::*;
    assert_eq!(bor(&[(41, Sd)]).0, "NE");
    assert_eq!(bor(&[(42, Sd)]).0, "SD");
    assert_eq!(bor(&[(21, Sd), (42, Pd)]).0, "PD");
    assert_eq!(bor(&[(50, NonCrNonPd)]).0, "NON-CR/NON-PD");
    assert_eq!(bor(&[]).0, "MISSING");
    // Records after the first PD are not used for BOR (ANL02FL).
    assert_eq!(bor(&[(21, Pd), (63, Cr)]).0, "PD");
}

#[test]
fn one_record_per_date_keeps_the_worst() {
    let rand = Date::from_ymd(2024, 1, 1).unwrap();
    let mut o = ovr(
        &[(50, Response::Pr), (50, Response::Sd), (50, Response::Ne)],
        rand,
    );
    o.push(ovr(&[(-5, Response::Cr)], rand).remove(0)); // before randomisation: not used
    let s = derive_subject("S", o, Some(rand), None, true, &BorOptions::default());
    let kept: Vec<_> = s
        .ovr
        .iter()
        .filter(|x| x.anl01)
        .map(|x| x.response)
        .collect();
    assert_eq!(kept, vec![Some(Response::Sd)]);
    assert_eq!(s.bor.avalc, "SD");
}

// Endpoints (§2.3) ------------------------------------------------------------------------------

#[test]
fn clopper_pearson_exact_interval() {
    let (l, u) = clopper_pearson(5, 10, 0.95).unwrap();
    assert!(
        (l - 0.187_086_0).abs() < 1e-6 && (u - 0.812_914_0).abs() < 1e-6,
        "{l} {u}"
    );
    let (l, u) = clopper_pearson(0, 10, 0.95).unwrap();
    assert_eq!(l, 0.0);
    assert!((u - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-9);
    let (l, u) = clopper_pearson(10, 10, 0.95).unwrap();
    assert!((l - 0.025f64.powf(0.1)).abs() < 1e-9 && u == 1.0);
    assert_eq!(clopper_pearson(0, 0, 0.95), None);
}

const FULL: &str = "subject,arm,randomization_date,death_date,last_alive_date,date,lesion_id,category,organ,longest_diameter_mm,viable_diameter_mm,status\n\
A,X,2024-01-01,,2024-12-31,2024-01-01,T1,target,liver,50,40,\n\
A,X,,,,2024-02-15,T1,target,liver,50,20,\n\
A,X,,,,2024-03-20,T1,target,liver,50,20,\n\
A,X,,,,2024-05-01,T1,target,liver,50,30,\n\
B,X,2024-01-01,2024-04-10,,2024-01-01,T1,target,lung,30,30,\n\
B,X,,,,2024-02-15,T1,target,lung,30,30,\n\
C,Y,2024-01-01,,2024-06-30,2024-01-01,T1,target,lung,30,30,\n\
C,Y,,,,2024-02-15,T1,target,lung,30,30,\n\
C,Y,,,,2024-06-01,T1,target,lung,30,30,\n\
C,Y,,,,2024-06-01,X1,new,liver,15,15,typical\n";

#[test]
fn endpoints_from_the_lesion_csv() {
    let rep = run_lesion_text(FULL, "full.csv", &ResponseOptions::new(Criteria::Mrecist)).unwrap();
    let get = |s: &str| rep.subjects.iter().find(|x| x.subject == s).unwrap();
    assert_eq!(get("A").bor, "PR");
    assert_eq!(
        get("A").confirmed_bor,
        "PR",
        "PR on 02-15 confirmed 34 days later"
    );
    assert_eq!(
        get("A").progression_date.map(|d| d.to_string()).as_deref(),
        Some("2024-05-01")
    );
    assert_eq!(get("B").bor, "SD");
    assert_eq!(get("C").bor, "SD");
    let tte = |s: &str, p: &str| {
        rep.tte
            .iter()
            .find(|t| t.subject == s && t.paramcd == p)
            .cloned()
    };
    // A: PFS event at PD 2024-05-01: 121 days after randomisation, AVAL = 121 + 1.
    let a = tte("A", "PFS").unwrap();
    assert_eq!((a.aval, a.cnsr), (122, 0));
    // A: duration of response from 2024-02-15 to 2024-05-01.
    let d = tte("A", "RSD").unwrap();
    assert_eq!((d.aval, d.cnsr), (77, 0));
    // B: death without PD is a PFS event, censored for TTP at the last assessment.
    let b = tte("B", "PFS").unwrap();
    assert_eq!(
        (b.adt.to_string(), b.cnsr, b.evntdesc.as_str()),
        ("2024-04-10".into(), 0, "Death")
    );
    let b = tte("B", "TTP").unwrap();
    assert_eq!((b.adt.to_string(), b.cnsr), ("2024-02-15".into(), 1));
    // OS: censored at the last-known-alive date; death is an event.
    assert_eq!(tte("A", "OS").unwrap().cnsr, 1);
    assert_eq!(tte("A", "OS").unwrap().adt.to_string(), "2024-12-31");
    assert_eq!(tte("B", "OS").unwrap().cnsr, 0);
    // Hepatic TTP: C progresses by a new liver lesion; A by liver target growth.
    assert_eq!(tte("C", "HTTP").unwrap().cnsr, 0);
    assert_eq!(tte("A", "HTTP").unwrap().cnsr, 0);
    assert_eq!(tte("B", "HTTP").unwrap().cnsr, 1);
    // Per-arm ORR with Clopper-Pearson CI.
    let x = rep
        .endpoints
        .response
        .iter()
        .find(|r| r.arm == "X")
        .unwrap();
    assert_eq!((x.orr.responders, x.orr.n), (1, 2));
    assert_eq!(x.dcr.responders, 2);
    let os = rep
        .endpoints
        .time_to_event
        .iter()
        .find(|t| t.paramcd == "OS")
        .unwrap();
    assert_eq!(os.arms.len(), 2);
}

#[test]
fn missed_assessments_option_censors_a_late_progression() {
    let mut opts = ResponseOptions::new(Criteria::Mrecist);
    opts.endpoints = EndpointOptions {
        missed_assessment_gap_days: Some(60),
        ..Default::default()
    };
    let rep = run_lesion_text(FULL, "full.csv", &opts).unwrap();
    // C: last adequate assessment 2024-02-15, PD 2024-06-01 (107 days later) → censored.
    let c = rep
        .tte
        .iter()
        .find(|t| t.subject == "C" && t.paramcd == "PFS")
        .unwrap();
    assert_eq!((c.adt.to_string(), c.cnsr), ("2024-02-15".into(), 1));
    // A: assessments every ≤ 42 days → the PD stays an event.
    let a = rep
        .tte
        .iter()
        .find(|t| t.subject == "A" && t.paramcd == "PFS")
        .unwrap();
    assert_eq!(a.cnsr, 0);
}

#[test]
fn lesion_csv_reports_bad_rows_without_failing() {
    let text = format!(
        "{HEADER}S1,2024-01-01,T1,target,lung,20,,,\nS1,not-a-date,T1,target,lung,20,,,\n\
         S1,2024-02-01,T1,banana,lung,20,,,\nS1,2024-02-01,T1,target,lung,-3,,,\nS1,2024-02-01,T1,target,lung,20,,,weird\n"
    );
    let input = read_lesion_csv(&text, "x.csv", &DateRules::default()).unwrap();
    assert_eq!(input.records.len(), 1);
    let lines: Vec<u64> = input.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6]);
    assert!(read_lesion_csv("a,b\n1,2\n", "x.csv", &DateRules::default()).is_err());
}
