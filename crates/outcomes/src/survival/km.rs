//! Kaplan-Meier estimator with Greenwood variance and log-log confidence intervals.
//!
//! Conventions (../shared/reference/clinical-rules.md §3):
//! - §3 tie convention: at a time with both events and censorings, events are processed first;
//!   subjects censored at t are still at risk at t.
//! - §3.1 product-limit estimate and Greenwood variance.
//! - §3.2 log-log ("exponential Greenwood") pointwise CI. At S = 1 both limits are reported as 1
//!   and at S = 0 both as 0 (the limits of the band; this is what lifelines 0.30.3 reports).
//! - §3.3 median = first time with S(t) ≤ 0.5 (lifelines convention, not R's midpoint rule);
//!   CI limits = first time the lower / upper confidence curve is ≤ 0.5; `None` = not reached.

use super::z_two_sided;

/// One row of the Kaplan-Meier table: one per distinct observed time (event or censoring),
/// preceded by a row at t = 0 when no subject has time 0 (as lifelines' timeline).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KmRow {
    pub time: f64,
    /// Number at risk just before `time` (everyone with time ≥ `time`).
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
    pub survival: f64,
    /// Cumulative Greenwood sum Σ d/(n(n−d)); infinite once S reaches 0.
    #[serde(skip)]
    pub greenwood_sum: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
}

impl KmRow {
    /// Greenwood variance of S(t) (§3.1). NaN where S = 0 (the sum is infinite).
    pub fn variance(&self) -> f64 {
        if self.survival <= 0.0 {
            return f64::NAN;
        }
        self.survival * self.survival * self.greenwood_sum
    }
}

/// A fitted Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    pub n: u64,
    pub events: u64,
    pub rows: Vec<KmRow>,
    /// Confidence level used for the CIs (e.g. 0.95).
    pub level: f64,
}

/// Median (or another quantile) with its confidence interval; `None` = not reached.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MedianCi {
    pub median: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Log-log CI limits for S given the cumulative Greenwood sum (§3.2).
pub fn loglog_ci(s: f64, greenwood_sum: f64, z: f64) -> (f64, f64) {
    if s >= 1.0 {
        return (1.0, 1.0);
    }
    if s <= 0.0 || !greenwood_sum.is_finite() {
        return (0.0, 0.0);
    }
    let theta = z * greenwood_sum.sqrt() / s.ln().abs();
    (s.powf(theta.exp()), s.powf((-theta).exp()))
}

impl KaplanMeier {
    /// Fits the estimator. `times` and `events` must have equal length; subjects with a
    /// non-finite or negative time are ignored (callers validate input and report them).
    pub fn fit(times: &[f64], events: &[bool], level: f64) -> KaplanMeier {
        let mut obs: Vec<(f64, bool)> = times
            .iter()
            .zip(events)
            .filter(|(t, _)| t.is_finite() && **t >= 0.0)
            .map(|(t, e)| (*t, *e))
            .collect();
        obs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        Self::fit_sorted(&obs, level)
    }

    /// Fits from observations already sorted by time (ascending, finite, non-negative).
    pub fn fit_sorted(obs: &[(f64, bool)], level: f64) -> KaplanMeier {
        let z = z_two_sided(level);
        let n = obs.len() as u64;
        let mut rows = Vec::new();
        if obs.first().is_none_or(|o| o.0 > 0.0) {
            rows.push(KmRow {
                time: 0.0,
                at_risk: n,
                events: 0,
                censored: 0,
                survival: 1.0,
                greenwood_sum: 0.0,
                ci_lower: 1.0,
                ci_upper: 1.0,
            });
        }
        let mut at_risk = n;
        let mut s = 1.0f64;
        let mut gw = 0.0f64;
        let mut total_events = 0u64;
        let mut i = 0;
        while i < obs.len() {
            let t = obs[i].0;
            let (mut d, mut c) = (0u64, 0u64);
            while i < obs.len() && obs[i].0 == t {
                if obs[i].1 {
                    d += 1;
                } else {
                    c += 1;
                }
                i += 1;
            }
            if d > 0 {
                let (nf, df) = (at_risk as f64, d as f64);
                s *= 1.0 - df / nf;
                gw += if d >= at_risk {
                    f64::INFINITY
                } else {
                    df / (nf * (nf - df))
                };
            }
            let (lo, hi) = loglog_ci(s, gw, z);
            rows.push(KmRow {
                time: t,
                at_risk,
                events: d,
                censored: c,
                survival: s,
                greenwood_sum: gw,
                ci_lower: lo,
                ci_upper: hi,
            });
            total_events += d;
            at_risk -= d + c;
        }
        KaplanMeier {
            n,
            events: total_events,
            rows,
            level,
        }
    }

    /// S(t) of the right-continuous step function; `None` beyond the last observation
    /// when that observation is censored and S > 0 (§3.1: undefined there).
    pub fn survival_at(&self, t: f64) -> Option<f64> {
        let idx = self.rows.partition_point(|r| r.time <= t);
        if idx == 0 {
            return Some(1.0);
        }
        let row = &self.rows[idx - 1];
        let last = self.rows.last()?;
        if t > last.time && last.survival > 0.0 {
            return None;
        }
        Some(row.survival)
    }

    /// Number at risk just before `t` (subjects with time ≥ t).
    pub fn at_risk_at(&self, t: f64) -> u64 {
        let idx = self.rows.partition_point(|r| r.time < t);
        match self.rows.get(idx) {
            Some(r) => r.at_risk,
            None => 0,
        }
    }

    /// The q-th quantile time: first time where `curve(row)` ≤ q.
    fn first_at_or_below(&self, q: f64, curve: impl Fn(&KmRow) -> f64) -> Option<f64> {
        self.rows.iter().find(|r| curve(r) <= q).map(|r| r.time)
    }

    /// Median survival with its CI (§3.3).
    pub fn median(&self) -> MedianCi {
        self.quantile(0.5)
    }

    /// Time at which survival first drops to `q` or below, with the CI obtained by
    /// inverting the log-log band (§3.3).
    pub fn quantile(&self, q: f64) -> MedianCi {
        MedianCi {
            median: self.first_at_or_below(q, |r| r.survival),
            lower: self.first_at_or_below(q, |r| r.ci_lower),
            upper: self.first_at_or_below(q, |r| r.ci_upper),
        }
    }
}
