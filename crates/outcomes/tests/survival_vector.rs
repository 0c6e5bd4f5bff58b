//! The worked test vector of clinical-rules.md §3.6 (self-contained: no external files).

use tm_outcomes::survival::{
    analyze, fit_cox, logrank_stats, sort_obs, two_group_estimates, AnalysisOptions, KaplanMeier,
    Obs, Record, SurvivalData, Ties,
};

const A: [(f64, bool); 8] = [
    (3.0, true),
    (5.0, true),
    (5.0, true),
    (9.0, false),
    (10.0, true),
    (12.0, false),
    (15.0, true),
    (18.0, false),
];
const B: [(f64, bool); 8] = [
    (1.0, true),
    (2.0, true),
    (3.0, true),
    (4.0, false),
    (6.0, true),
    (6.0, true),
    (9.0, true),
    (11.0, false),
];

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol + 1e-12,
        "{what}: got {a}, expected {b}"
    );
}

fn km(arm: &[(f64, bool)]) -> KaplanMeier {
    let t: Vec<f64> = arm.iter().map(|x| x.0).collect();
    let e: Vec<bool> = arm.iter().map(|x| x.1).collect();
    KaplanMeier::fit(&t, &e, 0.95)
}

/// (t, n, d, S, Greenwood var, LL, UL) from the §3.6 tables.
fn check_km(fit: &KaplanMeier, table: &[(f64, u64, u64, f64, f64, f64, f64)]) {
    for &(t, n, d, s, var, ll, ul) in table {
        let row = fit
            .rows
            .iter()
            .find(|r| r.time == t)
            .expect("row at event time");
        assert_eq!(row.at_risk, n, "n at {t}");
        assert_eq!(row.events, d, "d at {t}");
        close(row.survival, s, 5e-7, "S");
        close(row.variance(), var, 5e-7, "Greenwood variance");
        close(row.variance().sqrt(), var.sqrt(), 5e-6, "SE");
        close(row.ci_lower, ll, 5e-7, "lower");
        close(row.ci_upper, ul, 5e-7, "upper");
    }
}

#[test]
fn kaplan_meier_arm_a_and_b() {
    let a = km(&A);
    check_km(
        &a,
        &[
            (3.0, 8, 1, 0.875, 0.013672, 0.387000, 0.981393),
            (5.0, 7, 2, 0.625, 0.029297, 0.229333, 0.860698),
            (10.0, 4, 1, 0.468750, 0.034790, 0.119929, 0.762856),
            (15.0, 2, 1, 0.234375, 0.036163, 0.013015, 0.615806),
        ],
    );
    // Tie convention: the censoring at 9 is a row of its own, with S unchanged.
    let r9 = a.rows.iter().find(|r| r.time == 9.0).expect("row at 9");
    assert_eq!((r9.at_risk, r9.events, r9.censored), (5, 0, 1));
    close(r9.survival, 0.625, 1e-12, "S(9) in A");
    let b = km(&B);
    check_km(
        &b,
        &[
            (1.0, 8, 1, 0.875, 0.013672, 0.387000, 0.981393),
            (2.0, 7, 1, 0.75, 0.023438, 0.314807, 0.930898),
            (3.0, 6, 1, 0.625, 0.029297, 0.229333, 0.860698),
            (6.0, 4, 2, 0.3125, 0.031738, 0.047849, 0.640770),
            (9.0, 2, 1, 0.15625, 0.020142, 0.007881, 0.490927),
        ],
    );
    let ma = a.median();
    assert_eq!(
        (ma.median, ma.lower, ma.upper),
        (Some(10.0), Some(3.0), None)
    );
    let mb = b.median();
    assert_eq!(
        (mb.median, mb.lower, mb.upper),
        (Some(6.0), Some(1.0), Some(9.0))
    );
}

fn pooled() -> Vec<Obs> {
    let mut obs: Vec<Obs> = A
        .iter()
        .map(|&(time, event)| Obs {
            time,
            event,
            group: 0,
            stratum: 0,
        })
        .chain(B.iter().map(|&(time, event)| Obs {
            time,
            event,
            group: 1,
            stratum: 0,
        }))
        .collect();
    sort_obs(&mut obs);
    obs
}

#[test]
fn logrank_peto_mantel_haenszel() {
    let obs = pooled();
    let st = logrank_stats(&obs, 2);
    close(st.observed[0], 5.0, 1e-12, "O_A");
    close(st.expected[0], 7.074315, 5e-7, "E_A");
    close(st.expected[1], 3.925685, 5e-7, "E_B");
    close(st.variance[0], 2.163718, 5e-7, "V");
    let t = st.test().expect("test");
    close(t.chi2, 1.988606, 5e-7, "chi2");
    assert_eq!(t.df, 1);
    close(t.p, 0.158487, 5e-7, "p");
    let e = two_group_estimates(&obs, 0, 1, 0.95);
    close(e.peto_hr, 0.383398, 5e-7, "Peto");
    close(e.peto_ci.0, 0.101153, 5e-7, "Peto lower");
    close(e.peto_ci.1, 1.453188, 5e-7, "Peto upper");
    close(e.mantel_haenszel_hr, 0.395272, 5e-7, "MH");
    close(e.oe_ratio, 0.462434, 5e-7, "O/E");
}

#[test]
fn cox_efron_and_breslow() {
    let obs = pooled();
    let x: Vec<f64> = obs
        .iter()
        .map(|o| if o.group == 0 { 1.0 } else { 0.0 })
        .collect();
    let f = fit_cox(&obs, &x, 1, Ties::Efron, 0.95);
    assert!(f.converged);
    let c = f.coefficients[0];
    close(c.beta, -0.888409, 5e-7, "beta efron");
    close(c.hr, 0.411309, 5e-7, "HR efron");
    close(c.se, 0.657535, 5e-7, "SE efron");
    close(c.ci.0, 0.113364, 5e-7, "lower efron");
    close(c.ci.1, 1.492325, 5e-7, "upper efron");
    // §3.6 prints 0.176657 (lifelines: 0.1766565, whose β stops ~1e-7 short of the MLE);
    // the exact MLE gives 0.17665647, so allow the rounding boundary: 6e-7.
    close(c.p, 0.176657, 6e-7, "p efron");
    close(f.log_likelihood, -22.971208, 5e-7, "loglik efron");
    let b = fit_cox(&obs, &x, 1, Ties::Breslow, 0.95);
    let c = b.coefficients[0];
    close(c.beta, -0.873083, 5e-7, "beta breslow");
    close(c.hr, 0.417662, 5e-7, "HR breslow");
    close(c.se, 0.658129, 5e-7, "SE breslow");
    close(b.score_test, 1.863157, 5e-7, "Breslow score test");
}

#[test]
fn full_report_json() {
    let records = A
        .iter()
        .map(|&(time, event)| ("A", time, event))
        .chain(B.iter().map(|&(time, event)| ("B", time, event)))
        .map(|(g, time, event)| Record {
            time,
            event,
            group: Some(g.into()),
            stratum: None,
        })
        .collect();
    let data = SurvivalData {
        records,
        skipped: vec![],
    };
    let opts = AnalysisOptions {
        reference: Some("B".into()),
        ..Default::default()
    };
    let rep = analyze(&data, &opts).expect("analysis");
    let json = serde_json::to_value(&rep).expect("json");
    assert_eq!(json["groups"][0]["group"], "A");
    assert_eq!(json["groups"][0]["median"], 10.0);
    assert!(json["groups"][0]["median_ci"][1].is_null());
    // A: t = 0 row plus 3, 5, 9, 10, 12, 15, 18.
    assert_eq!(
        json["groups"][0]["curve"].as_array().map(|a| a.len()),
        Some(8)
    );
    close(
        json["logrank"]["chi2"].as_f64().unwrap_or(0.0),
        1.988606,
        5e-7,
        "chi2",
    );
    let hr = &json["hazard_ratios"][0];
    assert_eq!(hr["group"], "A");
    assert_eq!(hr["reference"], "B");
    close(
        hr["cox"]["hr"].as_f64().unwrap_or(0.0),
        0.411309,
        5e-7,
        "cox",
    );
    close(
        hr["mantel_haenszel"].as_f64().unwrap_or(0.0),
        0.395272,
        5e-7,
        "mh",
    );
    let text = rep.to_text();
    assert!(text.contains("log-rank"), "{text}");
}
