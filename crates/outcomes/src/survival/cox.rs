//! Cox proportional-hazards model fitted by Newton-Raphson on the partial likelihood, with
//! Efron (default; R `coxph`, lifelines) or Breslow (SAS `PHREG`) handling of ties
//! (clinical-rules.md §3.5). Covariates are dense; the CLI uses group dummies.
//! Strata get separate baseline hazards (the partial likelihood is summed over strata).

use super::{normal_sf, solve, z_two_sided, Obs};

/// Tie handling in the partial likelihood (§3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    #[default]
    Efron,
    Breslow,
}

impl std::str::FromStr for Ties {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "efron" => Ok(Ties::Efron),
            "breslow" => Ok(Ties::Breslow),
            other => Err(format!(
                "unknown tie method {other:?} (use efron or breslow)"
            )),
        }
    }
}

/// Log partial likelihood, score (gradient) and information (negative Hessian, p × p).
#[derive(Debug, Clone, PartialEq)]
pub struct PartialLikelihood {
    pub log_likelihood: f64,
    pub score: Vec<f64>,
    pub information: Vec<f64>,
}

/// Evaluates the partial likelihood at `beta`. `obs` is sorted by (stratum, time) and `x`
/// holds `p` covariates per observation (row-major, same order as `obs`).
pub fn partial_likelihood(
    obs: &[Obs],
    x: &[f64],
    p: usize,
    beta: &[f64],
    ties: Ties,
) -> PartialLikelihood {
    let mut ll = 0.0;
    let mut score = vec![0.0; p];
    let mut info = vec![0.0; p * p];
    let (mut s1, mut s2) = (vec![0.0; p], vec![0.0; p * p]);
    let (mut d1, mut d2) = (vec![0.0; p], vec![0.0; p * p]);
    let (mut a1, mut a2) = (vec![0.0; p], vec![0.0; p * p]);
    let mut start = 0;
    for stratum in obs.chunk_by(|a, b| a.stratum == b.stratum) {
        let base = start;
        start += stratum.len();
        let mut s0 = 0.0;
        s1.iter_mut().for_each(|v| *v = 0.0);
        s2.iter_mut().for_each(|v| *v = 0.0);
        // Walk distinct times from the latest to the earliest, growing the risk set.
        let mut end = stratum.len();
        while end > 0 {
            let t = stratum[end - 1].time;
            let mut begin = end;
            while begin > 0 && stratum[begin - 1].time == t {
                begin -= 1;
            }
            let mut d0 = 0.0;
            let mut nd = 0usize;
            d1.iter_mut().for_each(|v| *v = 0.0);
            d2.iter_mut().for_each(|v| *v = 0.0);
            for i in begin..end {
                let xi = &x[(base + i) * p..(base + i + 1) * p];
                let eta: f64 = xi.iter().zip(beta).map(|(a, b)| a * b).sum();
                let r = eta.exp();
                s0 += r;
                for a in 0..p {
                    s1[a] += r * xi[a];
                    for b in 0..p {
                        s2[a * p + b] += r * xi[a] * xi[b];
                    }
                }
                if stratum[i].event {
                    nd += 1;
                    ll += eta;
                    d0 += r;
                    for a in 0..p {
                        score[a] += xi[a];
                        d1[a] += r * xi[a];
                        for b in 0..p {
                            d2[a * p + b] += r * xi[a] * xi[b];
                        }
                    }
                }
            }
            for l in 0..nd {
                let f = match ties {
                    Ties::Efron => l as f64 / nd as f64,
                    Ties::Breslow => 0.0,
                };
                let a0 = s0 - f * d0;
                for a in 0..p {
                    a1[a] = s1[a] - f * d1[a];
                }
                for ab in 0..p * p {
                    a2[ab] = s2[ab] - f * d2[ab];
                }
                ll -= a0.ln();
                for a in 0..p {
                    score[a] -= a1[a] / a0;
                    for b in 0..p {
                        info[a * p + b] += a2[a * p + b] / a0 - a1[a] * a1[b] / (a0 * a0);
                    }
                }
            }
            end = begin;
        }
    }
    PartialLikelihood {
        log_likelihood: ll,
        score,
        information: info,
    }
}

/// One coefficient of a fitted Cox model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxCoefficient {
    pub beta: f64,
    pub se: f64,
    pub hr: f64,
    pub ci: (f64, f64),
    pub z: f64,
    pub p: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxFit {
    pub ties: Ties,
    pub coefficients: Vec<CoxCoefficient>,
    pub log_likelihood: f64,
    /// Log partial likelihood at β = 0.
    pub log_likelihood_null: f64,
    /// Score test at β = 0: U(0)ᵀ I(0)⁻¹ U(0).
    pub score_test: f64,
    pub iterations: usize,
    /// False when Newton-Raphson did not converge or a coefficient diverged (monotone
    /// likelihood, e.g. a group without events); such coefficients are NaN.
    pub converged: bool,
}

/// Fits the model by Newton-Raphson with step halving, starting at β = 0.
pub fn fit_cox(obs: &[Obs], x: &[f64], p: usize, ties: Ties, level: f64) -> CoxFit {
    let z_crit = z_two_sided(level);
    let mut beta = vec![0.0; p];
    let mut cur = partial_likelihood(obs, x, p, &beta, ties);
    let ll0 = cur.log_likelihood;
    let score_test = solve(&cur.information, &cur.score, p)
        .map(|v| v.iter().zip(&cur.score).map(|(a, b)| a * b).sum())
        .unwrap_or(f64::NAN);
    let mut converged = false;
    let mut iterations = 0;
    const MAX_BETA: f64 = 30.0;
    for it in 1..=100 {
        iterations = it;
        let Some(step) = solve(&cur.information, &cur.score, p) else {
            break;
        };
        let mut scale = 1.0;
        let mut next = None;
        for _ in 0..40 {
            let cand: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
            if cand.iter().any(|b| b.abs() > MAX_BETA) {
                scale *= 0.5;
                continue;
            }
            let pl = partial_likelihood(obs, x, p, &cand, ties);
            if pl.log_likelihood.is_finite() && pl.log_likelihood >= cur.log_likelihood - 1e-12 {
                next = Some((cand, pl));
                break;
            }
            scale *= 0.5;
        }
        let Some((cand, pl)) = next else {
            break;
        };
        let max_step = step.iter().map(|s| (s * scale).abs()).fold(0.0, f64::max);
        let dll = (pl.log_likelihood - cur.log_likelihood).abs();
        beta = cand;
        cur = pl;
        if max_step < 1e-10 || dll < 1e-13 * (1.0 + cur.log_likelihood.abs()) && max_step < 1e-6 {
            converged = true;
            break;
        }
    }
    // Standard errors from the inverse information at the estimate.
    let inv = invert(&cur.information, p);
    let mut coefficients = Vec::with_capacity(p);
    let mut all_ok = converged;
    for j in 0..p {
        let var = inv.as_ref().map(|m| m[j * p + j]).unwrap_or(f64::NAN);
        let se = if var > 0.0 { var.sqrt() } else { f64::NAN };
        let b = beta[j];
        let diverged = b.is_nan() || b.abs() >= 15.0 || !se.is_finite() || se > 1e3;
        if diverged {
            all_ok = false;
            coefficients.push(CoxCoefficient {
                beta: f64::NAN,
                se: f64::NAN,
                hr: f64::NAN,
                ci: (f64::NAN, f64::NAN),
                z: f64::NAN,
                p: f64::NAN,
            });
            continue;
        }
        let z = b / se;
        coefficients.push(CoxCoefficient {
            beta: b,
            se,
            hr: b.exp(),
            ci: ((b - z_crit * se).exp(), (b + z_crit * se).exp()),
            z,
            p: 2.0 * normal_sf(z.abs()),
        });
    }
    CoxFit {
        ties,
        coefficients,
        log_likelihood: cur.log_likelihood,
        log_likelihood_null: ll0,
        score_test,
        iterations,
        converged: all_ok,
    }
}

fn invert(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut out = vec![0.0; p * p];
    for c in 0..p {
        let mut e = vec![0.0; p];
        e[c] = 1.0;
        let col = solve(a, &e, p)?;
        for r in 0..p {
            out[r * p + c] = col[r];
        }
    }
    Some(out)
}
