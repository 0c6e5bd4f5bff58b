//! Agreement with lifelines 0.30.3 on the shared datasets (../shared/data/survival):
//! every curve of oracle/km_oracles.json, and log-rank / Cox values produced by
//! tests/oracle/gen_lifelines_comparisons.py. Skips (with a note) when ../shared is absent.

use std::path::PathBuf;

use serde_json::Value;
use tm_outcomes::survival::{
    analyze, read_survival_csv, AnalysisOptions, ColumnSpec, Record, SurvivalData, SurvivalReport,
    Ties,
};

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/survival");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "note: {} absent; skipping lifelines oracle test",
            p.display()
        );
        None
    }
}

fn load(
    path: PathBuf,
    time: &str,
    event: &str,
    group: Option<&str>,
    strata: Option<&str>,
) -> SurvivalData {
    let text = std::fs::read_to_string(&path).expect("read dataset");
    let spec = ColumnSpec {
        time: time.into(),
        event: event.into(),
        group: group.map(Into::into),
        strata: strata.map(Into::into),
        event_value: None,
    };
    read_survival_csv(&text, &spec).expect("parse dataset")
}

fn run(data: &SurvivalData, reference: Option<&str>, ties: Ties) -> SurvivalReport {
    let opts = AnalysisOptions {
        reference: reference.map(Into::into),
        ties,
        ..Default::default()
    };
    analyze(data, &opts).expect("analysis")
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs().min(1.0)),
        "{what}: got {a}, expected {b}"
    );
}

/// Relative comparison for statistics (p-values can be ~1e-21).
fn rel(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * b.abs() + 1e-300,
        "{what}: got {a}, expected {b}"
    );
}

fn opt_eq(got: Option<f64>, want: &Value, what: &str) {
    match (got, want.as_f64()) {
        (Some(g), Some(w)) => close(g, w, 1e-9, what),
        (None, None) => {}
        (g, _) => panic!("{what}: got {g:?}, expected {want}"),
    }
}

fn nums(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[test]
fn km_curves_match_lifelines_oracles() {
    let Some(root) = shared() else { return };
    let text = std::fs::read_to_string(root.join("oracle/km_oracles.json")).expect("oracle");
    let oracle: Value = serde_json::from_str(&text).expect("oracle json");
    let oracles = oracle["oracles"].as_object().expect("oracles");
    let mut curves = 0;
    for (name, expected) in oracles {
        let data = if name == "lifelines_lung" {
            load(root.join("datasets/lung.csv"), "time", "status", None, None)
        } else if name == "lifelines_waltons_by_group" {
            load(
                root.join("datasets/waltons_dataset.csv"),
                "T",
                "E",
                Some("group"),
                None,
            )
        } else if let Some(id) = name.strip_prefix("kmdata_") {
            load(
                root.join(format!("kmdata/csv/{id}.csv")),
                "time",
                "event",
                Some("arm"),
                None,
            )
        } else {
            panic!("unknown oracle {name}: extend this test");
        };
        assert!(
            data.skipped.is_empty(),
            "{name}: skipped rows {:?}",
            data.skipped
        );
        let report = run(&data, None, Ties::Efron);
        for exp in expected.as_array().expect("groups") {
            let label = exp["group"].as_str().map(String::from);
            let what = format!("{name}/{label:?}");
            let g = report
                .groups
                .iter()
                .find(|g| g.group == label)
                .unwrap_or_else(|| panic!("{what}: group missing"));
            assert_eq!(Some(g.n), exp["n"].as_u64(), "{what} n");
            assert_eq!(Some(g.events), exp["events"].as_u64(), "{what} events");
            opt_eq(g.median, &exp["median"], &format!("{what} median"));
            opt_eq(
                g.median_ci[0],
                &exp["median_ci_lower"],
                &format!("{what} median lower"),
            );
            opt_eq(
                g.median_ci[1],
                &exp["median_ci_upper"],
                &format!("{what} median upper"),
            );
            let timeline = nums(exp, "timeline");
            assert_eq!(g.curve.len(), timeline.len(), "{what}: timeline length");
            let (s, lo, hi) = (
                nums(exp, "survival"),
                nums(exp, "ci_lower"),
                nums(exp, "ci_upper"),
            );
            let (ar, ob, ce) = (
                nums(exp, "at_risk"),
                nums(exp, "observed"),
                nums(exp, "censored"),
            );
            for (i, row) in g.curve.iter().enumerate() {
                let w = format!("{what} t={}", timeline[i]);
                assert_eq!(row.time, timeline[i], "{w} time");
                assert_eq!(row.at_risk as f64, ar[i], "{w} at risk");
                assert_eq!(row.events as f64, ob[i], "{w} events");
                assert_eq!(row.censored as f64, ce[i], "{w} censored");
                close(row.survival, s[i], 1e-6, &format!("{w} survival"));
                close(
                    row.ci_lower.unwrap_or(f64::NAN),
                    lo[i],
                    1e-6,
                    &format!("{w} lower"),
                );
                close(
                    row.ci_upper.unwrap_or(f64::NAN),
                    hi[i],
                    1e-6,
                    &format!("{w} upper"),
                );
            }
            curves += 1;
        }
    }
    assert!(curves >= 9, "only {curves} curves compared");
}

/// Expected (chi2, df, p) and Cox (coef, se, hr, lo, hi, p) per non-reference group.
struct Expect {
    chi2: f64,
    df: usize,
    p: f64,
    cox: &'static [(&'static str, f64, f64, f64, f64, f64, f64)],
    loglik: f64,
}

fn check(report: &SurvivalReport, e: &Expect, what: &str) {
    let lr = report.logrank.expect("log-rank");
    rel(lr.chi2, e.chi2, 1e-9, &format!("{what} chi2"));
    assert_eq!(lr.df, e.df, "{what} df");
    rel(lr.p, e.p, 1e-8, &format!("{what} p"));
    // Generated with fit_options precision 1e-14 (lifelines' default stops ~1e-6 short of the MLE).
    for &(group, coef, se, hr, lo, hi, p) in e.cox {
        let h = report
            .hazard_ratios
            .iter()
            .find(|h| h.group == group)
            .unwrap_or_else(|| panic!("{what}: no HR for {group}"));
        let w = format!("{what} {group}");
        rel(
            h.cox.beta.unwrap_or(f64::NAN),
            coef,
            1e-8,
            &format!("{w} coef"),
        );
        rel(h.cox.se.unwrap_or(f64::NAN), se, 1e-8, &format!("{w} se"));
        rel(h.cox.hr.unwrap_or(f64::NAN), hr, 1e-8, &format!("{w} hr"));
        rel(
            h.cox.ci[0].unwrap_or(f64::NAN),
            lo,
            1e-8,
            &format!("{w} lo"),
        );
        rel(
            h.cox.ci[1].unwrap_or(f64::NAN),
            hi,
            1e-8,
            &format!("{w} hi"),
        );
        rel(h.cox.p.unwrap_or(f64::NAN), p, 1e-8, &format!("{w} p"));
    }
    let ll = report.cox_model.as_ref().and_then(|m| m.log_likelihood);
    rel(
        ll.unwrap_or(f64::NAN),
        e.loglik,
        1e-8,
        &format!("{what} loglik"),
    );
}

#[test]
fn lung_by_sex() {
    let Some(root) = shared() else { return };
    let data = load(
        root.join("datasets/lung.csv"),
        "time",
        "status",
        Some("sex"),
        None,
    );
    let rep = run(&data, None, Ties::Efron);
    let e = Expect {
        chi2: 10.3267419549,
        df: 1,
        p: 1.3111645204e-03,
        cox: &[(
            "2",
            -0.5310235400,
            0.1671785833,
            0.5880028172,
            0.4237178293,
            0.8159848113,
            1.4912291384e-03,
        )],
        loglik: -744.5929990250,
    };
    check(&rep, &e, "lung sex");
}

#[test]
fn lung_by_sex_stratified_by_ecog() {
    let Some(root) = shared() else { return };
    let data = load(
        root.join("datasets/lung.csv"),
        "time",
        "status",
        Some("sex"),
        Some("ph.ecog"),
    );
    // lung has one subject without ph.ecog: reported and skipped.
    assert_eq!(data.skipped.len(), 1, "{:?}", data.skipped);
    assert_eq!(data.skipped[0].reason, "missing stratum");
    let rep = run(&data, None, Ties::Efron);
    assert_eq!(rep.strata, vec!["0.0", "1.0", "2.0", "3.0"]);
    // Stratified log-rank: independent numpy computation in the generator script.
    let lr = rep.logrank.expect("log-rank");
    rel(lr.chi2, 10.7950596335, 1e-9, "stratified chi2");
    // Stratified Cox: lifelines CoxPHFitter(strata=["ph.ecog"]).
    let h = &rep.hazard_ratios[0];
    rel(
        h.cox.beta.unwrap_or(f64::NAN),
        -0.5543644595,
        1e-8,
        "strat coef",
    );
    rel(h.cox.se.unwrap_or(f64::NAN), 0.1705852039, 1e-8, "strat se");
    rel(
        h.cox.p.unwrap_or(f64::NAN),
        1.1549413865e-03,
        1e-8,
        "strat p",
    );
    let ll = rep.cox_model.as_ref().and_then(|m| m.log_likelihood);
    rel(
        ll.unwrap_or(f64::NAN),
        -561.3602127066,
        1e-8,
        "strat loglik",
    );
}

#[test]
fn rossi_by_financial_aid() {
    let Some(root) = shared() else { return };
    let data = load(
        root.join("datasets/rossi.csv"),
        "week",
        "arrest",
        Some("fin"),
        None,
    );
    let e = Expect {
        chi2: 3.8375695765,
        df: 1,
        p: 5.0116117409e-02,
        cox: &[(
            "1",
            -0.3690692103,
            0.1897224368,
            0.6913775584,
            0.4766759574,
            1.0027838005,
            5.1737516505e-02,
        )],
        loglik: -673.4621040921,
    };
    check(&run(&data, None, Ties::Efron), &e, "rossi fin");
}

#[test]
fn waltons_by_group() {
    let Some(root) = shared() else { return };
    let data = load(
        root.join("datasets/waltons_dataset.csv"),
        "T",
        "E",
        Some("group"),
        None,
    );
    let e = Expect {
        chi2: 122.2491255730,
        df: 1,
        p: 2.0359832223e-28,
        cox: &[(
            "miR-137",
            2.0525351545,
            0.2169740037,
            7.7876189189,
            5.0899801033,
            11.9149794685,
            3.0847193018e-21,
        )],
        loglik: -613.1818820185,
    };
    check(&run(&data, None, Ties::Efron), &e, "waltons");
}

#[test]
fn larynx_four_stages() {
    let Some(root) = shared() else { return };
    let text = std::fs::read_to_string(root.join("datasets/larynx.csv")).expect("larynx");
    // Rebuild the stage from the dummy columns (time,age,death,Stage_II,Stage_III,Stage_IV).
    let mut records = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .map(|x| x.trim().parse().expect("number"))
            .collect();
        let stage = 1.0 + f[3] + 2.0 * f[4] + 3.0 * f[5];
        records.push(Record {
            time: f[0],
            event: f[2] == 1.0,
            group: Some(format!("{stage}")),
            stratum: None,
        });
    }
    let data = SurvivalData {
        records,
        skipped: vec![],
    };
    let e = Expect {
        chi2: 22.7627570646,
        df: 3,
        p: 4.5252112204e-05,
        cox: &[
            (
                "2",
                0.0648111568,
                0.4584270932,
                1.0669575176,
                0.4344434748,
                2.6203600943,
                8.8757193423e-01,
            ),
            (
                "3",
                0.6148073243,
                0.3551870586,
                1.8493002500,
                0.9218741898,
                3.7097376761,
                8.3462548218e-02,
            ),
            (
                "4",
                1.7349038167,
                0.4193878774,
                5.6683825736,
                2.4915840711,
                12.8956359020,
                3.5225582121e-05,
            ),
        ],
        loglik: -188.6207907107,
    };
    check(&run(&data, None, Ties::Efron), &e, "larynx");
}

/// Gehan (1965) leukaemia remission data: 6-MP (group 2) vs placebo (group 1). Published:
/// log-rank χ² = 16.79; Cox (Efron) HR placebo vs 6-MP ≈ 4.8; lifelines gives the values below.
#[test]
fn gehan_leukaemia() {
    let Some(root) = shared() else { return };
    let text = std::fs::read_to_string(root.join("datasets/gehan.dat")).expect("gehan");
    let with_header = format!("group time event\n{text}");
    let spec = ColumnSpec {
        time: "time".into(),
        event: "event".into(),
        group: Some("group".into()),
        ..Default::default()
    };
    let data = read_survival_csv(&with_header, &spec).expect("whitespace-separated input");
    assert_eq!(data.records.len(), 42);
    let rep = run(&data, Some("2"), Ties::Efron);
    assert_eq!(format!("{:.2}", rep.logrank.expect("lr").chi2), "16.79");
    let e = Expect {
        chi2: 16.7929409892,
        df: 1,
        p: 4.1688091093e-05,
        cox: &[(
            "1",
            1.5721251488,
            0.4123967177,
            4.8168738983,
            2.1465082127,
            10.8093106816,
            1.3775376199e-04,
        )],
        loglik: -85.0084245774,
    };
    check(&rep, &e, "gehan");
    // Breslow: published β = 1.509 (HR 4.52), e.g. Kleinbaum & Klein.
    let b = run(&data, Some("2"), Ties::Breslow);
    let beta = b.hazard_ratios[0].cox.beta.unwrap_or(f64::NAN);
    assert_eq!(format!("{beta:.3}"), "1.509");
    // Medians: 6-MP 23 weeks, placebo 8 weeks.
    let med = |g: &str| {
        rep.groups
            .iter()
            .find(|x| x.group.as_deref() == Some(g))
            .and_then(|x| x.median)
    };
    assert_eq!((med("1"), med("2")), (Some(8.0), Some(23.0)));
}
