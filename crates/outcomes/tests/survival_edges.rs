//! Edge cases: no panic, no NaN in JSON, input parsing rules (clinical-rules.md §3).

use tm_outcomes::survival::plot::{km_svg, PlotOptions};
use tm_outcomes::survival::{
    analyze, read_survival_csv, AnalysisOptions, ColumnSpec, KaplanMeier, Record, SurvivalData,
};

fn rec(time: f64, event: bool, group: &str) -> Record {
    Record {
        time,
        event,
        group: Some(group.into()),
        stratum: None,
    }
}

fn report_json(records: Vec<Record>) -> (serde_json::Value, String) {
    let data = SurvivalData {
        records,
        skipped: vec![],
    };
    let rep = analyze(&data, &AnalysisOptions::default()).expect("analysis");
    let text = serde_json::to_string(&rep).expect("json");
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
    let svg = km_svg(&rep, &PlotOptions::default()).expect("svg");
    assert!(svg.contains("<svg"));
    let _ = rep.to_text();
    (serde_json::from_str(&text).expect("valid json"), text)
}

#[test]
fn all_censored() {
    let fit = KaplanMeier::fit(&[1.0, 2.0, 3.0], &[false, false, false], 0.95);
    assert!(fit
        .rows
        .iter()
        .all(|r| r.survival == 1.0 && r.ci_lower == 1.0));
    assert_eq!(fit.median().median, None);
    let (json, _) = report_json(vec![
        rec(1.0, false, "a"),
        rec(2.0, false, "a"),
        rec(3.0, false, "b"),
    ]);
    assert!(json["groups"][0]["median"].is_null());
    assert!(json["logrank"].is_null(), "no events: no test");
}

#[test]
fn single_subject_event() {
    let fit = KaplanMeier::fit(&[5.0], &[true], 0.95);
    let last = fit.rows.last().expect("row");
    assert_eq!((last.at_risk, last.survival), (1, 0.0));
    assert!(
        last.variance().is_nan(),
        "§3.1: Greenwood undefined at S = 0"
    );
    assert_eq!(fit.median().median, Some(5.0));
    let (json, _) = report_json(vec![rec(5.0, true, "a")]);
    assert_eq!(json["groups"][0]["curve"][1]["survival"], 0.0);
}

#[test]
fn zero_event_group_is_not_estimable() {
    let mut r = vec![];
    for i in 1..=10 {
        r.push(rec(i as f64, true, "a"));
        r.push(rec(i as f64 + 0.5, false, "b"));
    }
    let (json, _) = report_json(r);
    // The log-rank test exists; the Cox HR of b vs a diverges (monotone likelihood) -> null.
    assert!(json["logrank"]["chi2"].as_f64().is_some_and(|c| c > 0.0));
    assert!(json["hazard_ratios"][0]["cox"]["hr"].is_null());
    assert_eq!(json["cox_model"]["converged"], false);
    assert_eq!(json["hazard_ratios"][0]["mantel_haenszel"], 0.0);
}

#[test]
fn ties_events_before_censorings() {
    // Three at risk at t = 2: one event and one censoring at 2, so S(2) = 2/3.
    let fit = KaplanMeier::fit(&[2.0, 2.0, 4.0], &[true, false, true], 0.95);
    let r2 = fit.rows.iter().find(|r| r.time == 2.0).expect("row");
    assert_eq!((r2.at_risk, r2.events, r2.censored), (3, 1, 1));
    assert!((r2.survival - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(fit.at_risk_at(4.0), 1);
    assert_eq!(fit.survival_at(3.0), Some(r2.survival));
    // Beyond the last time, which is an event with S = 0: defined.
    assert_eq!(fit.survival_at(10.0), Some(0.0));
}

#[test]
fn empty_input() {
    let (json, _) = report_json(vec![]);
    assert!(json["logrank"].is_null());
}

#[test]
fn k_groups_and_strata_shape() {
    let mut r = vec![];
    for i in 0..30 {
        let g = ["x", "y", "z"][i % 3];
        let mut x = rec((i * 7 % 23) as f64 + 1.0, i % 4 != 0, g);
        x.stratum = Some(if i % 2 == 0 { "s1" } else { "s2" }.into());
        r.push(x);
    }
    let (json, _) = report_json(r);
    assert_eq!(json["logrank"]["df"], 2);
    assert_eq!(json["hazard_ratios"].as_array().map(|a| a.len()), Some(2));
    assert_eq!(json["strata"].as_array().map(|a| a.len()), Some(2));
}

#[test]
fn csv_missing_values_and_encodings() {
    let text = "id,time,status,arm\n\
                1,5,dead,A\n\
                2,,1,A\n\
                3,7,censored,B\n\
                4,NA,0,B\n\
                5,8,TRUE,B\n\
                6,9,2,A\n\
                7,-1,1,A\n\
                8,3,0,\n\
                9,4.5,1.0,A\n";
    let spec = ColumnSpec {
        time: "time".into(),
        event: "status".into(),
        group: Some("arm".into()),
        ..Default::default()
    };
    let d = read_survival_csv(text, &spec).expect("parse");
    let events: Vec<bool> = d.records.iter().map(|r| r.event).collect();
    assert_eq!(events, vec![true, false, true, true]);
    let lines: Vec<u64> = d.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![3, 5, 7, 8, 9]);
    assert_eq!(d.skipped[0].reason, "missing time");
    assert!(d.skipped[2].reason.contains("unrecognised event value"));
    assert_eq!(d.skipped[4].reason, "missing group");
    // R-style 1 = censored / 2 = dead via event_value.
    let spec2 = ColumnSpec {
        event_value: Some("2".into()),
        ..spec.clone()
    };
    let d2 = read_survival_csv("time,status,arm\n1,2,A\n2,1,A\n", &spec2).expect("parse");
    assert_eq!(
        d2.records.iter().map(|r| r.event).collect::<Vec<_>>(),
        vec![true, false]
    );
    // Unknown column: an error naming the available columns.
    let bad = ColumnSpec {
        time: "days".into(),
        ..spec
    };
    let e = read_survival_csv(text, &bad).expect_err("missing column");
    assert!(e
        .to_string()
        .contains("available columns: id, time, status, arm"));
}
