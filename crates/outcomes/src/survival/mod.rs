//! Survival statistics (clinical-rules.md §3): Kaplan-Meier with Greenwood variance and
//! log-log CIs, medians with CIs, log-rank tests (2/k groups, stratified), hazard ratios
//! (Cox PH with Efron/Breslow ties, Peto, Mantel-Haenszel), CSV input, a JSON/text report and
//! a Kaplan-Meier SVG plot.

pub mod analysis;
pub mod cox;
pub mod io;
pub mod km;
pub mod logrank;
pub mod plot;

pub use analysis::{analyze, analyze_by_arm, AnalysisOptions, SurvivalReport};
pub use cox::{fit_cox, CoxFit, Ties};
pub use io::{read_survival_csv, ColumnSpec, Record, SkippedRow, SurvivalData};
pub use km::{KaplanMeier, KmRow, MedianCi};
pub use logrank::{logrank_stats, two_group_estimates, LogrankStats, LogrankTest};

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// One subject prepared for the group comparisons: group and stratum are dense indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obs {
    pub time: f64,
    pub event: bool,
    pub group: usize,
    pub stratum: usize,
}

/// Sorts observations by (stratum, time), the order every comparison routine expects.
pub fn sort_obs(obs: &mut [Obs]) {
    obs.sort_unstable_by(|a, b| {
        a.stratum
            .cmp(&b.stratum)
            .then_with(|| a.time.total_cmp(&b.time))
    });
}

/// Two-sided standard-normal critical value for a confidence level (0.95 → 1.959964).
pub fn z_two_sided(level: f64) -> f64 {
    let level = if level > 0.0 && level < 1.0 {
        level
    } else {
        0.95
    };
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.inverse_cdf(1.0 - (1.0 - level) / 2.0),
        Err(_) => 1.959_963_984_540_054,
    }
}

/// Upper tail of the χ² distribution; NaN for invalid input.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    match ChiSquared::new(df) {
        Ok(d) if x.is_finite() => d.sf(x),
        _ => f64::NAN,
    }
}

/// Upper tail of the standard normal distribution.
pub fn normal_sf(x: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.sf(x),
        Err(_) => f64::NAN,
    }
}

/// Solves the m × m system `a x = b` (row-major) by Gaussian elimination with partial
/// pivoting; `None` if singular.
pub(crate) fn solve(a: &[f64], b: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs())).max(1e-300);
    for c in 0..m {
        let piv = (c..m).max_by(|&i, &j| a[i * m + c].abs().total_cmp(&a[j * m + c].abs()))?;
        if a[piv * m + c].abs() <= scale * 1e-13 {
            return None;
        }
        if piv != c {
            for k in 0..m {
                a.swap(c * m + k, piv * m + k);
            }
            b.swap(c, piv);
        }
        for r in (c + 1)..m {
            let f = a[r * m + c] / a[c * m + c];
            if f != 0.0 {
                for k in c..m {
                    a[r * m + k] -= f * a[c * m + k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    let mut x = vec![0.0; m];
    for r in (0..m).rev() {
        let s: f64 = ((r + 1)..m).map(|k| a[r * m + k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r * m + r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The distinct labels of `labels` in natural order ([`sort_labels`]).
pub fn distinct_labels(mut labels: Vec<String>) -> Vec<String> {
    labels.sort();
    labels.dedup();
    sort_labels(&mut labels);
    labels
}

/// Orders labels naturally: numerically when all parse as numbers, else lexicographically.
pub fn sort_labels(labels: &mut [String]) {
    let all_numeric = labels.iter().all(|l| l.trim().parse::<f64>().is_ok());
    if all_numeric {
        labels.sort_by(|a, b| {
            let x = a.trim().parse::<f64>().unwrap_or(0.0);
            let y = b.trim().parse::<f64>().unwrap_or(0.0);
            x.total_cmp(&y).then_with(|| a.cmp(b))
        });
    } else {
        labels.sort();
    }
}
