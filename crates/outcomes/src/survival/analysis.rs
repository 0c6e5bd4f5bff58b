//! The full `trialmatch survival` analysis: per-group Kaplan-Meier curves with medians, the
//! log-rank test and hazard ratios of every group against a reference, as one serialisable
//! report (shape documented in docs/contracts.md, section "survival") plus a text rendering.

use std::fmt::Write as _;

use serde::Serialize;

use super::cox::{fit_cox, Ties};
use super::io::{Record, SkippedRow, SurvivalData};
use super::km::KaplanMeier;
use super::logrank::{logrank_stats, two_group_estimates, LogrankTest};
use super::{chi2_sf, distinct_labels, sort_obs, Obs};

/// Version of the [`SurvivalReport`] JSON shape.
pub const SURVIVAL_SCHEMA_VERSION: u32 = 1;

/// Options of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Confidence level for every interval (default 0.95).
    pub level: f64,
    /// Tie handling of the Cox model (default Efron).
    pub ties: Ties,
    /// Reference group of the hazard ratios (default: the first group in natural order).
    pub reference: Option<String>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            level: 0.95,
            ties: Ties::Efron,
            reference: None,
        }
    }
}

fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// One row of a group's curve (one per distinct time, plus t = 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurveRow {
    pub time: f64,
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
    pub survival: f64,
    pub ci_lower: Option<f64>,
    pub ci_upper: Option<f64>,
}

/// Per-group Kaplan-Meier summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// Group label; `null` when no group column was given.
    pub group: Option<String>,
    pub n: u64,
    pub events: u64,
    /// Median survival; `null` = not reached.
    pub median: Option<f64>,
    /// [lower, upper]; `null` bound = not reached.
    pub median_ci: [Option<f64>; 2],
    pub curve: Vec<CurveRow>,
}

/// Cox coefficient of one group against the reference (all fields null when not estimable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxEstimate {
    pub hr: Option<f64>,
    pub ci: [Option<f64>; 2],
    pub beta: Option<f64>,
    pub se: Option<f64>,
    pub z: Option<f64>,
    pub p: Option<f64>,
}

/// Peto one-step estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetoEstimate {
    pub hr: Option<f64>,
    pub ci: [Option<f64>; 2],
}

/// Hazard ratio of `group` relative to `reference`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HazardRatio {
    pub group: String,
    pub reference: String,
    pub cox: CoxEstimate,
    pub peto: PetoEstimate,
    pub mantel_haenszel: Option<f64>,
    /// Pike (O/E)/(O/E) ratio; biased towards 1, for reference only.
    pub oe_ratio: Option<f64>,
    pub observed: f64,
    pub expected: f64,
}

/// Whole-model summary of the Cox fit (all groups as dummies against the reference).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxModel {
    pub ties: Ties,
    pub log_likelihood: Option<f64>,
    pub log_likelihood_null: Option<f64>,
    pub likelihood_ratio: Option<LogrankLike>,
    pub score_test: Option<LogrankLike>,
    pub converged: bool,
    pub iterations: usize,
}

/// A χ² statistic with df and p.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LogrankLike {
    pub chi2: f64,
    pub df: usize,
    pub p: f64,
}

/// Number at risk at fixed times (the plot's time ticks).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskTable {
    pub times: Vec<f64>,
    pub groups: Vec<AtRiskRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskRow {
    pub group: Option<String>,
    pub at_risk: Vec<u64>,
}

/// The complete report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalReport {
    /// Version of this shape (docs/contracts.md, "survival").
    pub schema_version: u32,
    pub groups: Vec<GroupSummary>,
    /// Log-rank test across all groups (stratified when strata are given); `null` with fewer
    /// than two comparable groups.
    pub logrank: Option<LogrankTest>,
    pub hazard_ratios: Vec<HazardRatio>,
    pub cox_model: Option<CoxModel>,
    pub at_risk_table: AtRiskTable,
    pub strata: Vec<String>,
    pub conf_level: f64,
    pub n: usize,
    pub events: u64,
    pub skipped_rows: Vec<SkippedRow>,
}

/// "Nice" axis ticks (steps of 1, 2, 2.5 or 5 × 10^k) from 0 covering `max`.
pub fn nice_ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0];
    }
    let raw = max / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step - 1e-9).ceil() as usize;
    (0..=n.max(1)).map(|i| i as f64 * step).collect()
}

/// Kaplan-Meier, log-rank and hazard ratios by arm of `(time, event, arm)` records at
/// confidence level `level` (other options default) — the per-arm time-to-event summary of the
/// response endpoints ([`crate::response::endpoints::summarize`]) and the report's tables.
/// Records without an arm are grouped as "(no arm)".
pub fn analyze_by_arm(
    records: impl IntoIterator<Item = (f64, bool, Option<String>)>,
    level: f64,
) -> Result<SurvivalReport, String> {
    let data = SurvivalData {
        records: records
            .into_iter()
            .map(|(time, event, arm)| Record {
                time,
                event,
                group: Some(arm.unwrap_or_else(|| "(no arm)".into())),
                stratum: None,
            })
            .collect(),
        skipped: Vec::new(),
    };
    let opts = AnalysisOptions {
        level,
        ..AnalysisOptions::default()
    };
    analyze(&data, &opts)
}

impl SurvivalReport {
    /// The log-rank p-value when the test could be computed (finite).
    pub fn logrank_p(&self) -> Option<f64> {
        self.logrank.as_ref().and_then(|l| fin(l.p))
    }

    /// The log-rank χ² when the test could be computed (finite).
    pub fn logrank_chi2(&self) -> Option<f64> {
        self.logrank.as_ref().and_then(|l| fin(l.chi2))
    }
}

/// Runs every analysis on parsed data.
pub fn analyze(data: &SurvivalData, opts: &AnalysisOptions) -> Result<SurvivalReport, String> {
    let level = opts.level;
    let mut group_labels: Vec<String> = Vec::new();
    let mut strata_labels: Vec<String> = Vec::new();
    {
        let gs = distinct_labels(
            data.records
                .iter()
                .filter_map(|r| r.group.clone())
                .collect(),
        );
        group_labels = if gs.is_empty() { group_labels } else { gs };
        let ss = distinct_labels(
            data.records
                .iter()
                .filter_map(|r| r.stratum.clone())
                .collect(),
        );
        strata_labels = if ss.is_empty() { strata_labels } else { ss };
    }
    let grouped = !group_labels.is_empty();
    let k = group_labels.len().max(1);
    let index_of = |labels: &[String], v: &Option<String>| -> usize {
        v.as_ref()
            .and_then(|v| labels.iter().position(|l| l == v))
            .unwrap_or(0)
    };
    let mut obs: Vec<Obs> = data
        .records
        .iter()
        .filter(|r| r.time.is_finite() && r.time >= 0.0)
        .map(|r| Obs {
            time: r.time,
            event: r.event,
            group: index_of(&group_labels, &r.group),
            stratum: index_of(&strata_labels, &r.stratum),
        })
        .collect();

    // Kaplan-Meier per group (pooled over strata).
    let mut per_group: Vec<Vec<(f64, bool)>> = vec![Vec::new(); k];
    for o in &obs {
        per_group[o.group].push((o.time, o.event));
    }
    let mut fits = Vec::with_capacity(k);
    for g in per_group.iter_mut() {
        g.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        fits.push(KaplanMeier::fit_sorted(g, level));
    }
    let label = |g: usize| -> Option<String> { group_labels.get(g).cloned() };
    let groups: Vec<GroupSummary> = fits
        .iter()
        .enumerate()
        .filter(|(g, fit)| fit.n > 0 || !grouped && *g == 0)
        .map(|(g, fit)| {
            let m = fit.median();
            GroupSummary {
                group: label(g),
                n: fit.n,
                events: fit.events,
                median: m.median,
                median_ci: [m.lower, m.upper],
                curve: fit
                    .rows
                    .iter()
                    .map(|r| CurveRow {
                        time: r.time,
                        at_risk: r.at_risk,
                        events: r.events,
                        censored: r.censored,
                        survival: r.survival,
                        ci_lower: fin(r.ci_lower),
                        ci_upper: fin(r.ci_upper),
                    })
                    .collect(),
            }
        })
        .collect();
    let max_time = obs.iter().map(|o| o.time).fold(0.0, f64::max);
    let ticks = nice_ticks(max_time);
    let at_risk_table = AtRiskTable {
        groups: fits
            .iter()
            .enumerate()
            .filter(|(_, f)| f.n > 0)
            .map(|(g, f)| AtRiskRow {
                group: label(g),
                at_risk: ticks.iter().map(|t| f.at_risk_at(*t)).collect(),
            })
            .collect(),
        times: ticks,
    };

    sort_obs(&mut obs);
    let mut logrank = None;
    let mut hazard_ratios = Vec::new();
    let mut cox_model = None;
    if grouped && k >= 2 {
        logrank = logrank_stats(&obs, k).test();
        let reference = match &opts.reference {
            Some(r) => group_labels.iter().position(|l| l == r).ok_or_else(|| {
                format!(
                    "reference group {r:?} not found; groups: {}",
                    group_labels.join(", ")
                )
            })?,
            None => 0,
        };
        let others: Vec<usize> = (0..k).filter(|&g| g != reference).collect();
        let p = others.len();
        let mut x = vec![0.0; obs.len() * p];
        for (i, o) in obs.iter().enumerate() {
            if let Some(j) = others.iter().position(|&g| g == o.group) {
                x[i * p + j] = 1.0;
            }
        }
        let fit = fit_cox(&obs, &x, p, opts.ties, level);
        let lr = 2.0 * (fit.log_likelihood - fit.log_likelihood_null);
        cox_model = Some(CoxModel {
            ties: fit.ties,
            log_likelihood: fin(fit.log_likelihood),
            log_likelihood_null: fin(fit.log_likelihood_null),
            likelihood_ratio: (fit.converged && lr.is_finite()).then(|| LogrankLike {
                chi2: lr.max(0.0),
                df: p,
                p: chi2_sf(lr.max(0.0), p as f64),
            }),
            score_test: fin(fit.score_test).map(|s| LogrankLike {
                chi2: s,
                df: p,
                p: chi2_sf(s, p as f64),
            }),
            converged: fit.converged,
            iterations: fit.iterations,
        });
        for (j, &g) in others.iter().enumerate() {
            let c = fit.coefficients[j];
            let t = two_group_estimates(&obs, g, reference, level);
            hazard_ratios.push(HazardRatio {
                group: group_labels[g].clone(),
                reference: group_labels[reference].clone(),
                cox: CoxEstimate {
                    hr: fin(c.hr),
                    ci: [fin(c.ci.0), fin(c.ci.1)],
                    beta: fin(c.beta),
                    se: fin(c.se),
                    z: fin(c.z),
                    p: fin(c.p),
                },
                peto: PetoEstimate {
                    hr: fin(t.peto_hr),
                    ci: [fin(t.peto_ci.0), fin(t.peto_ci.1)],
                },
                mantel_haenszel: fin(t.mantel_haenszel_hr),
                oe_ratio: fin(t.oe_ratio),
                observed: t.observed_a,
                expected: t.expected_a,
            });
        }
    }
    Ok(SurvivalReport {
        schema_version: SURVIVAL_SCHEMA_VERSION,
        groups,
        logrank,
        hazard_ratios,
        cox_model,
        at_risk_table,
        strata: strata_labels,
        conf_level: level,
        n: obs.len(),
        events: obs.iter().filter(|o| o.event).count() as u64,
        skipped_rows: data.skipped.clone(),
    })
}

/// Formats a number compactly (up to 4 significant decimals), "NR" for `None`.
pub fn fmt_opt(x: Option<f64>) -> String {
    match x {
        None => "NR".to_string(),
        Some(v) => fmt_num(v),
    }
}

/// A time-axis tick: whole numbers without decimals, else up to 3 decimals without trailing
/// zeros (0.5, 1.25) — the same labels in the plot and in the text at-risk table.
pub fn fmt_tick(t: f64) -> String {
    if t == t.trunc() {
        format!("{t:.0}")
    } else {
        let s = format!("{t:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "NA".into();
    }
    if v == v.trunc() && v.abs() < 1e12 {
        return format!("{v:.0}");
    }
    let s = if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    };
    s
}

/// Four significant digits (hazard ratios: "1.003", never a rounded "1.00"); "NA" for `None`.
fn fmt_sig(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v != 0.0 => {
            let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
            format!("{v:.decimals$}")
        }
        Some(0.0) => "0".into(),
        _ => "NA".into(),
    }
}

fn fmt_p(p: f64) -> String {
    if !p.is_finite() {
        "NA".into()
    } else if p < 0.0001 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

impl SurvivalReport {
    /// Human-readable rendering: per-group summary, number at risk, log-rank and HRs.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let pct = (self.conf_level * 100.0).round();
        let name = |g: &Option<String>| g.clone().unwrap_or_else(|| "all".into());
        let w = self
            .groups
            .iter()
            .map(|g| name(&g.group).chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "Kaplan-Meier ({pct}% CI: log-log, Greenwood); {} subjects, {} events",
            self.n, self.events
        );
        if !self.strata.is_empty() {
            let _ = writeln!(out, "Strata: {}", self.strata.join(", "));
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<w$}  {:>7}  {:>7}  {:>10}  {:>22}",
            "group",
            "n",
            "events",
            "median",
            format!("{pct}% CI")
        );
        for g in &self.groups {
            let ci = format!("{} - {}", fmt_opt(g.median_ci[0]), fmt_opt(g.median_ci[1]));
            let _ = writeln!(
                out,
                "{:<w$}  {:>7}  {:>7}  {:>10}  {:>22}",
                name(&g.group),
                g.n,
                g.events,
                fmt_opt(g.median),
                ci
            );
        }
        let _ = writeln!(out, "(NR = not reached)");
        let _ = writeln!(out);
        let _ = writeln!(out, "Number at risk");
        let cols: Vec<String> = self
            .at_risk_table
            .times
            .iter()
            .map(|t| fmt_tick(*t))
            .collect();
        let cw = cols.iter().map(|c| c.len()).max().unwrap_or(4).max(5);
        let mut line = format!("{:<w$}", "time");
        for c in &cols {
            let _ = write!(line, "  {c:>cw$}");
        }
        let _ = writeln!(out, "{line}");
        for row in &self.at_risk_table.groups {
            let mut line = format!("{:<w$}", name(&row.group));
            for n in &row.at_risk {
                let _ = write!(line, "  {n:>cw$}");
            }
            let _ = writeln!(out, "{line}");
        }
        if let Some(lr) = &self.logrank {
            let _ = writeln!(out);
            let strat = if self.strata.is_empty() {
                ""
            } else {
                "stratified "
            };
            let _ = writeln!(
                out,
                "{strat}log-rank test: chi2 = {:.4}, df = {}, p = {}",
                lr.chi2,
                lr.df,
                fmt_p(lr.p)
            );
        }
        if !self.hazard_ratios.is_empty() {
            let ties = self
                .cox_model
                .as_ref()
                .map(|m| format!("{:?}", m.ties).to_lowercase())
                .unwrap_or_default();
            let _ = writeln!(out);
            let _ = writeln!(out, "Hazard ratios ({pct}% CI)");
            let cw = self
                .hazard_ratios
                .iter()
                .map(|h| h.group.chars().count() + h.reference.chars().count() + 4)
                .max()
                .unwrap_or(10)
                .max(10);
            let _ = writeln!(
                out,
                "{:<cw$}  {:>26}  {:>8}  {:>26}  {:>8}",
                "comparison",
                format!("Cox ({ties})"),
                "Wald p",
                "Peto",
                "M-H"
            );
            for h in &self.hazard_ratios {
                let cox = format!(
                    "{} ({} - {})",
                    fmt_sig(h.cox.hr),
                    fmt_sig(h.cox.ci[0]),
                    fmt_sig(h.cox.ci[1])
                );
                let peto = format!(
                    "{} ({} - {})",
                    fmt_sig(h.peto.hr),
                    fmt_sig(h.peto.ci[0]),
                    fmt_sig(h.peto.ci[1])
                );
                let _ = writeln!(
                    out,
                    "{:<cw$}  {:>26}  {:>8}  {:>26}  {:>8}",
                    format!("{} vs {}", h.group, h.reference),
                    cox,
                    h.cox.p.map(fmt_p).unwrap_or_else(|| "NA".into()),
                    peto,
                    fmt_sig(h.mantel_haenszel)
                );
            }
            if let Some(m) = &self.cox_model {
                if !m.converged {
                    let _ = writeln!(
                        out,
                        "note: the Cox fit did not converge (a group without events?); NR = not estimable"
                    );
                }
            }
        }
        if !self.skipped_rows.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "Skipped {} row(s):", self.skipped_rows.len());
            for s in self.skipped_rows.iter().take(20) {
                let _ = writeln!(out, "  line {}: {}", s.line, s.reason);
            }
            if self.skipped_rows.len() > 20 {
                let _ = writeln!(out, "  ... and {} more", self.skipped_rows.len() - 20);
            }
        }
        out
    }
}
