//! Log-rank test (2 and k groups, optionally stratified) and the two-group Peto,
//! Mantel-Haenszel and O/E hazard-ratio estimates (clinical-rules.md §3.4, §3.5).

use super::{chi2_sf, z_two_sided, Obs};

/// Observed, expected and hypergeometric covariance, summed over strata (§3.4).
#[derive(Debug, Clone, PartialEq)]
pub struct LogrankStats {
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    /// k × k covariance of O − E (row-major).
    pub variance: Vec<f64>,
    pub k: usize,
}

/// Result of a log-rank test: χ², degrees of freedom and upper-tail p.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LogrankTest {
    pub chi2: f64,
    pub df: usize,
    pub p: f64,
}

/// Accumulates O, E and V over observations sorted by (stratum, time), with `group < k`.
/// Each distinct event time within a stratum contributes
/// E_j += d n_j/n, V_jj += d (n_j/n)(1 − n_j/n)(n − d)/(n − 1),
/// V_jl −= d (n_j n_l/n²)(n − d)/(n − 1) (§3.4; 0 when n = 1).
pub fn logrank_stats(obs: &[Obs], k: usize) -> LogrankStats {
    let mut st = LogrankStats {
        observed: vec![0.0; k],
        expected: vec![0.0; k],
        variance: vec![0.0; k * k],
        k,
    };
    let mut at_risk = vec![0u64; k];
    let mut d_j = vec![0u64; k];
    let mut gone = vec![0u64; k];
    for stratum in strata_slices(obs) {
        at_risk.iter_mut().for_each(|x| *x = 0);
        for o in stratum {
            at_risk[o.group] += 1;
        }
        let mut i = 0;
        while i < stratum.len() {
            let t = stratum[i].time;
            d_j.iter_mut().for_each(|x| *x = 0);
            gone.iter_mut().for_each(|x| *x = 0);
            while i < stratum.len() && stratum[i].time == t {
                let o = &stratum[i];
                if o.event {
                    d_j[o.group] += 1;
                }
                gone[o.group] += 1;
                i += 1;
            }
            let d: u64 = d_j.iter().sum();
            if d > 0 {
                let n: u64 = at_risk.iter().sum();
                let (nf, df) = (n as f64, d as f64);
                let factor = if n > 1 {
                    df * (nf - df) / (nf - 1.0) / (nf * nf)
                } else {
                    0.0
                };
                for j in 0..k {
                    let nj = at_risk[j] as f64;
                    st.observed[j] += d_j[j] as f64;
                    st.expected[j] += df * nj / nf;
                    if factor != 0.0 && nj > 0.0 {
                        st.variance[j * k + j] += factor * nj * (nf - nj);
                        for (l, &nl) in at_risk.iter().enumerate().skip(j + 1) {
                            let v = factor * nj * nl as f64;
                            st.variance[j * k + l] -= v;
                            st.variance[l * k + j] -= v;
                        }
                    }
                }
            }
            for j in 0..k {
                at_risk[j] -= gone[j];
            }
        }
    }
    st
}

/// Splits observations sorted by stratum into per-stratum slices.
pub(crate) fn strata_slices(obs: &[Obs]) -> impl Iterator<Item = &[Obs]> {
    obs.chunk_by(|a, b| a.stratum == b.stratum)
}

impl LogrankStats {
    /// χ² = Uᵀ V⁻ U over the groups that contribute variance, dropping one (§3.4).
    /// `None` when fewer than two groups contribute (no comparison possible).
    pub fn test(&self) -> Option<LogrankTest> {
        let k = self.k;
        let used: Vec<usize> = (0..k)
            .filter(|&j| self.variance[j * k + j] > 1e-12)
            .collect();
        if used.len() < 2 {
            return None;
        }
        let idx = &used[..used.len() - 1];
        let m = idx.len();
        let mut a = vec![0.0; m * m];
        let mut u = vec![0.0; m];
        for (r, &j) in idx.iter().enumerate() {
            u[r] = self.observed[j] - self.expected[j];
            for (c, &l) in idx.iter().enumerate() {
                a[r * m + c] = self.variance[j * k + l];
            }
        }
        let x = super::solve(&a, &u, m)?;
        let chi2: f64 = u.iter().zip(&x).map(|(a, b)| a * b).sum();
        if !chi2.is_finite() {
            return None;
        }
        let chi2 = chi2.max(0.0);
        Some(LogrankTest {
            chi2,
            df: m,
            p: chi2_sf(chi2, m as f64),
        })
    }
}

/// Two-group hazard-ratio estimates of group `a` relative to group `b` (§3.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoGroupEstimates {
    pub observed_a: f64,
    pub expected_a: f64,
    pub observed_b: f64,
    pub expected_b: f64,
    /// Hypergeometric variance of O_a − E_a.
    pub variance: f64,
    /// Peto one-step: exp((O−E)/V).
    pub peto_hr: f64,
    /// Peto CI: exp((O−E)/V ± z/√V).
    pub peto_ci: (f64, f64),
    /// Mantel-Haenszel: Σ d_a n_b/n ÷ Σ d_b n_a/n.
    pub mantel_haenszel_hr: f64,
    /// Pike O/E ratio (O_a/E_a)/(O_b/E_b); biased towards 1, reported for reference.
    pub oe_ratio: f64,
}

/// Computes Peto, Mantel-Haenszel and O/E estimates for `a` vs `b` on observations sorted by
/// (stratum, time); observations of other groups are ignored. Non-estimable values are NaN.
pub fn two_group_estimates(obs: &[Obs], a: usize, b: usize, level: f64) -> TwoGroupEstimates {
    let (mut oa, mut ea, mut ob, mut eb, mut v) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut mh_num, mut mh_den) = (0.0, 0.0);
    for stratum in strata_slices(obs) {
        let mut na = stratum.iter().filter(|o| o.group == a).count() as f64;
        let mut nb = stratum.iter().filter(|o| o.group == b).count() as f64;
        let mut i = 0;
        while i < stratum.len() {
            let t = stratum[i].time;
            let (mut da, mut db, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0);
            while i < stratum.len() && stratum[i].time == t {
                let o = &stratum[i];
                let ev = if o.event { 1.0 } else { 0.0 };
                if o.group == a {
                    da += ev;
                    ga += 1.0;
                } else if o.group == b {
                    db += ev;
                    gb += 1.0;
                }
                i += 1;
            }
            let d = da + db;
            let n = na + nb;
            if d > 0.0 && n > 0.0 {
                oa += da;
                ob += db;
                ea += d * na / n;
                eb += d * nb / n;
                if n > 1.0 {
                    v += na * nb * d * (n - d) / (n * n * (n - 1.0));
                }
                mh_num += da * nb / n;
                mh_den += db * na / n;
            }
            na -= ga;
            nb -= gb;
        }
    }
    let z = z_two_sided(level);
    let (peto_hr, peto_ci) = if v > 0.0 {
        let b = (oa - ea) / v;
        let h = z / v.sqrt();
        (b.exp(), ((b - h).exp(), (b + h).exp()))
    } else {
        (f64::NAN, (f64::NAN, f64::NAN))
    };
    let mantel_haenszel_hr = if mh_den > 0.0 {
        mh_num / mh_den
    } else {
        f64::NAN
    };
    let oe_ratio = if ea > 0.0 && eb > 0.0 && ob > 0.0 {
        (oa / ea) / (ob / eb)
    } else {
        f64::NAN
    };
    TwoGroupEstimates {
        observed_a: oa,
        expected_a: ea,
        observed_b: ob,
        expected_b: eb,
        variance: v,
        peto_hr,
        peto_ci,
        mantel_haenszel_hr,
        oe_ratio,
    }
}
