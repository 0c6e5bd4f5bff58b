//! Efficacy endpoints (clinical-rules.md §2.3): ADTTE-like time-to-event records for OS, PFS,
//! duration of response, TTP and hepatic TTP, and per-arm summaries (ORR and DCR with exact
//! Clopper-Pearson CIs; Kaplan-Meier medians, log-rank and hazard ratios from
//! [`crate::survival`]).
//!
//! Time-to-event rules (admiral `derive_param_tte`, NOTES.md rule 8):
//! - the event is the earliest event date (on equal dates the first-listed source wins); without
//!   an event the record is censored (`CNSR = 1`) at the **latest** censoring date (on equal
//!   dates the last-listed source wins);
//! - `ADT = max(ADT, STARTDT)`; `AVAL = ADT − STARTDT + 1` days;
//! - subjects without a start date (no randomisation) get no record.
//!
//! | PARAMCD | start | events | censoring |
//! |---|---|---|---|
//! | OS | RANDDT | death | last known alive, RANDDT |
//! | PFS | RANDDT | PD, death | last tumour assessment (LSTA), RANDDT |
//! | RSD (DoR) | first response (RSP, unconfirmed) | PD, death | LSTA |
//! | TTP | RANDDT | PD (death is censored, §2.3) | LSTA, RANDDT |
//! | HTTP | RANDDT | intrahepatic PD (§2.3; derived time points only) | LSTA, RANDDT |
//!
//! New anticancer therapy (default on, [`EndpointOptions::censor_new_therapy`]; FDA "Clinical
//! Trial Endpoints for the Approval of Cancer Drugs and Biologics" (2018), PFS censoring
//! table; EMA "Guideline on the evaluation of anticancer medicinal products", Appendix 1): when
//! a new anticancer therapy ([`SubjectInfo::new_therapy`]) starts after the start date and
//! before the PFS/TTP/HTTP/RSD event — or before the censoring date when there is no event —
//! the record is censored at the last adequate assessment on or before the therapy start
//! (the start date when there is none), `EVNTDESC` "Last Tumor Assessment before New
//! Anticancer Therapy", reason [`censor_reasons::NEW_THERAPY`]. OS is not affected.
//!
//! Option (§2.3, FDA): a PFS/TTP/HTTP/RSD event that follows a gap longer than
//! `missed_assessment_gap_days` since the last adequate assessment (≥ 2 missed assessments) is
//! censored at that last assessment instead.
//!
//! ORR = BOR ∈ {CR, PR}; DCR = BOR ∈ {CR, PR, SD, NON-CR/NON-PD} (SD already requires the
//! 42-day minimum; NON-CR/NON-PD is admiral's clinical benefit for non-measurable disease). Both
//! are reported unconfirmed (BOR) and confirmed (CBOR).

use std::collections::BTreeMap;

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF};

use super::bor::SubjectResponse;
use super::lesions::SubjectInfo;
use crate::survival::analyze_by_arm;
use tm_model::date::Date;

/// Days per month for reporting (§2.3): the UCUM mean month of tm-units.
pub const DAYS_PER_MONTH: f64 = tm_units::DAYS_PER_MONTH;

/// Endpoint options.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointOptions {
    /// Censor a PD/death that follows a gap longer than this many days since the last adequate
    /// assessment (e.g. 2 × the scheduled interval + window). `None` = off (admiral default).
    pub missed_assessment_gap_days: Option<i32>,
    /// Denominator of ORR/DCR.
    pub denominator: Denominator,
    /// Confidence level of every interval.
    pub level: f64,
    /// Censor PFS, TTP, HTTP and duration of response at the last adequate assessment on or
    /// before the start of a new anticancer therapy that began before the event (FDA
    /// "Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics" (2018),
    /// Table: PFS censoring; EMA anticancer guideline, Appendix 1 on PFS). Default on.
    pub censor_new_therapy: bool,
}

impl Default for EndpointOptions {
    fn default() -> Self {
        EndpointOptions {
            missed_assessment_gap_days: None,
            denominator: Denominator::All,
            level: 0.95,
            censor_new_therapy: true,
        }
    }
}

/// Which subjects ORR and DCR are computed over (§2.3: per protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Denominator {
    /// Every randomised subject (ITT); all subjects when none has a randomisation date.
    All,
    /// Subjects with measurable disease at baseline.
    Measurable,
    /// Subjects with at least one post-baseline response assessment.
    Evaluable,
}

impl std::str::FromStr for Denominator {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" | "itt" => Ok(Denominator::All),
            "measurable" => Ok(Denominator::Measurable),
            "evaluable" => Ok(Denominator::Evaluable),
            o => Err(format!(
                "unknown denominator {o:?} (all, measurable, evaluable)"
            )),
        }
    }
}

/// One ADTTE-like record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TteRecord {
    pub subject: String,
    pub arm: Option<String>,
    pub paramcd: &'static str,
    pub start: Date,
    pub adt: Date,
    /// `ADT − STARTDT + 1` days.
    pub aval: i64,
    /// 0 = event, 1 = censored.
    pub cnsr: u8,
    pub evntdesc: String,
    pub srcdom: &'static str,
    pub srcvar: &'static str,
    /// Why the record is censored (`null` for events): see [`censor_reasons`].
    pub censor_reason: Option<&'static str>,
}

/// The censoring reasons of [`TteRecord::censor_reason`] (ADTTE-like `CNSRRSN`).
pub mod censor_reasons {
    /// No event; censored at the last tumour assessment.
    pub const LAST_ASSESSMENT: &str = "NO EVENT: LAST TUMOR ASSESSMENT";
    /// No post-baseline assessment; censored at randomisation.
    pub const NO_ASSESSMENT: &str = "NO POST-BASELINE ASSESSMENT";
    /// OS: alive at the last contact.
    pub const ALIVE: &str = "ALIVE AT LAST CONTACT";
    /// A new anticancer therapy started before the event (or before the last assessment).
    pub const NEW_THERAPY: &str = "NEW ANTICANCER THERAPY";
    /// The event followed ≥ 2 missed assessments.
    pub const MISSED: &str = "EVENT AFTER MISSED ASSESSMENTS";
    /// Other censoring (e.g. death for TTP).
    pub const OTHER: &str = "NO EVENT";
}

/// ADaM `PARAM` label of a time-to-event parameter.
pub fn tte_label(paramcd: &str) -> &'static str {
    match paramcd {
        "OS" => "Overall Survival",
        "PFS" => "Progression Free Survival",
        "RSD" => "Duration of Response",
        "TTP" => "Time to Progression",
        "HTTP" => "Time to Intrahepatic Progression",
        _ => "",
    }
}

struct Source {
    date: Option<Date>,
    desc: &'static str,
    srcdom: &'static str,
    srcvar: &'static str,
}

fn censor_reason_of(c: &Source) -> &'static str {
    match (c.srcdom, c.srcvar) {
        ("ADSL", "RANDDT") => censor_reasons::NO_ASSESSMENT,
        ("ADSL", "LSTALVDT") => censor_reasons::ALIVE,
        ("ADRS", _) => censor_reasons::LAST_ASSESSMENT,
        _ => censor_reasons::OTHER,
    }
}

#[allow(clippy::too_many_arguments)]
fn tte(
    info: &SubjectInfo,
    paramcd: &'static str,
    start: Option<Date>,
    events: &[Source],
    censors: &[Source],
    assessments: &[Date],
    gap: Option<i32>,
    new_therapy: Option<Date>,
) -> Option<TteRecord> {
    let start = start?;
    // Earliest event; the first listed wins ties.
    let mut event: Option<&Source> = None;
    for e in events {
        if let Some(d) = e.date {
            if event.is_none_or(|b| d < b.date.unwrap_or(d)) {
                event = Some(e);
            }
        }
    }
    // Latest censoring; the last listed wins ties.
    let mut censor: Option<&Source> = None;
    for c in censors {
        if let Some(d) = c.date {
            if censor.is_none_or(|b| d >= b.date.unwrap_or(d)) {
                censor = Some(c);
            }
        }
    }
    let (adt, cnsr, desc, srcdom, srcvar, reason) = match (event, gap) {
        (Some(e), Some(g)) => {
            let ed = e.date.unwrap_or(start);
            let last = assessments
                .iter()
                .copied()
                .filter(|d| *d < ed)
                .max()
                .unwrap_or(start)
                .max(start);
            if ed.days() - last.days() > g {
                (
                    last,
                    1,
                    "Last Tumor Assessment before missed assessments".to_string(),
                    "ADRS",
                    "ADT",
                    Some(censor_reasons::MISSED),
                )
            } else {
                (ed, 0, e.desc.to_string(), e.srcdom, e.srcvar, None)
            }
        }
        (Some(e), None) => (
            e.date.unwrap_or(start),
            0,
            e.desc.to_string(),
            e.srcdom,
            e.srcvar,
            None,
        ),
        (None, _) => {
            let c = censor?;
            (
                c.date.unwrap_or(start),
                1,
                c.desc.to_string(),
                c.srcdom,
                c.srcvar,
                Some(censor_reason_of(c)),
            )
        }
    };
    // New anticancer therapy before the event (or, without an event, before the censoring
    // date): censored at the last adequate assessment on or before its start.
    let (adt, cnsr, desc, srcdom, srcvar, reason) = match new_therapy {
        Some(nt) if nt >= start && nt < adt => {
            let last = assessments
                .iter()
                .copied()
                .filter(|d| *d <= nt)
                .max()
                .unwrap_or(start)
                .max(start);
            (
                last,
                1,
                "Last Tumor Assessment before New Anticancer Therapy".to_string(),
                "ADRS",
                "ADT",
                Some(censor_reasons::NEW_THERAPY),
            )
        }
        _ => (adt, cnsr, desc, srcdom, srcvar, reason),
    };
    let adt = adt.max(start);
    Some(TteRecord {
        subject: info.subject.clone(),
        arm: info.arm.clone(),
        paramcd,
        start,
        adt,
        aval: (adt.days() - start.days()) as i64 + 1,
        cnsr,
        evntdesc: desc,
        srcdom,
        srcvar,
        censor_reason: reason,
    })
}

/// The time-to-event records of one subject. `intrahepatic_pd` is the first intrahepatic PD
/// date when per-time-point responses were derived from measurements (`None` otherwise; HTTP
/// is then only produced when `derived` is true).
pub fn derive_tte(
    info: &SubjectInfo,
    resp: &SubjectResponse,
    intrahepatic_pd: Option<Date>,
    derived: bool,
    opts: &EndpointOptions,
) -> Vec<TteRecord> {
    let rand = info.randomization;
    let death = || Source {
        date: info.death,
        desc: "Death",
        srcdom: "ADRS",
        srcvar: "ADT",
    };
    let pd = || Source {
        date: resp.pd.date,
        desc: "Disease Progression",
        srcdom: "ADRS",
        srcvar: "ADT",
    };
    let lsta = || Source {
        date: resp.lsta.date,
        desc: "Last Tumor Assessment",
        srcdom: "ADRS",
        srcvar: "ADT",
    };
    let randc = || Source {
        date: rand,
        desc: "Randomization",
        srcdom: "ADSL",
        srcvar: "RANDDT",
    };
    let assessments: Vec<Date> = resp
        .ovr
        .iter()
        .filter(|o| o.anl01)
        .filter_map(|o| o.date)
        .collect();
    let gap = opts.missed_assessment_gap_days;
    let nt = info.new_therapy.filter(|_| opts.censor_new_therapy);
    let mut out = Vec::new();
    let alive = Source {
        date: info.last_alive,
        desc: "Alive",
        srcdom: "ADSL",
        srcvar: "LSTALVDT",
    };
    out.extend(tte(
        info,
        "OS",
        rand,
        &[death()],
        &[alive, randc()],
        &[],
        None,
        None,
    ));
    out.extend(tte(
        info,
        "PFS",
        rand,
        &[pd(), death()],
        &[lsta(), randc()],
        &assessments,
        gap,
        nt,
    ));
    if resp.rsp.is_yes() {
        out.extend(tte(
            info,
            "RSD",
            resp.rsp.date,
            &[pd(), death()],
            &[lsta()],
            &assessments,
            gap,
            nt,
        ));
    }
    out.extend(tte(
        info,
        "TTP",
        rand,
        &[pd()],
        &[lsta(), randc()],
        &assessments,
        gap,
        nt,
    ));
    if derived {
        let hpd = Source {
            date: intrahepatic_pd,
            desc: "Intrahepatic Progression",
            srcdom: "ADRS",
            srcvar: "ADT",
        };
        out.extend(tte(
            info,
            "HTTP",
            rand,
            &[hpd],
            &[lsta(), randc()],
            &assessments,
            gap,
            nt,
        ));
    }
    out
}

/// A proportion with its exact CI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proportion {
    pub responders: u64,
    pub n: u64,
    pub estimate: Option<f64>,
    /// Clopper-Pearson exact interval.
    pub ci: [Option<f64>; 2],
}

/// Exact (Clopper-Pearson) confidence interval for `k` successes out of `n` (§2.3):
/// lower = Beta⁻¹(α/2; k, n−k+1), upper = Beta⁻¹(1−α/2; k+1, n−k); 0 and 1 at the edges.
pub fn clopper_pearson(k: u64, n: u64, level: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let alpha = 1.0 - level;
    let (kf, nf) = (k as f64, n as f64);
    let lower = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0).ok()?.inverse_cdf(alpha / 2.0)
    };
    let upper = if k == n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf)
            .ok()?
            .inverse_cdf(1.0 - alpha / 2.0)
    };
    Some((lower, upper))
}

fn proportion(k: u64, n: u64, level: f64) -> Proportion {
    let ci = clopper_pearson(k, n, level);
    Proportion {
        responders: k,
        n,
        estimate: (n > 0).then(|| k as f64 / n as f64),
        ci: [ci.map(|c| c.0), ci.map(|c| c.1)],
    }
}

/// Response summary of one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmResponse {
    pub arm: String,
    /// Subjects in the denominator.
    pub n: u64,
    /// BOR counts (unconfirmed), by code.
    pub bor: BTreeMap<String, u64>,
    /// Confirmed BOR counts.
    pub cbor: BTreeMap<String, u64>,
    pub orr: Proportion,
    pub orr_confirmed: Proportion,
    pub dcr: Proportion,
    pub dcr_confirmed: Proportion,
}

/// Kaplan-Meier summary of one arm for one time-to-event parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmTte {
    pub arm: String,
    pub n: u64,
    pub events: u64,
    /// Median in days; `null` = not reached.
    pub median_days: Option<f64>,
    pub median_ci_days: [Option<f64>; 2],
    /// Median in months (days / `tm_units::DAYS_PER_MONTH`).
    pub median_months: Option<f64>,
}

/// One time-to-event parameter across arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TteSummary {
    pub paramcd: String,
    pub label: String,
    pub arms: Vec<ArmTte>,
    /// Log-rank test across arms (`null` with one arm or no events).
    pub logrank_p: Option<f64>,
    pub logrank_chi2: Option<f64>,
}

/// Per-arm endpoint summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointSummary {
    pub denominator: Denominator,
    pub conf_level: f64,
    pub response: Vec<ArmResponse>,
    pub time_to_event: Vec<TteSummary>,
}

fn arm_of(info: Option<&SubjectInfo>) -> String {
    info.and_then(|i| i.arm.clone())
        .unwrap_or_else(|| "(no arm)".to_string())
}

/// Summarises responses and time-to-event records per arm.
pub fn summarize(
    subjects: &[SubjectInfo],
    responses: &[SubjectResponse],
    tte: &[TteRecord],
    opts: &EndpointOptions,
) -> EndpointSummary {
    let by_subject: BTreeMap<&str, &SubjectInfo> =
        subjects.iter().map(|s| (s.subject.as_str(), s)).collect();
    let any_randomised = subjects.iter().any(|s| s.randomization.is_some());
    let mut arms: BTreeMap<String, Vec<&SubjectResponse>> = BTreeMap::new();
    for r in responses {
        let info = by_subject.get(r.subject.as_str()).copied();
        let include = match opts.denominator {
            Denominator::All => !any_randomised || info.is_some_and(|i| i.randomization.is_some()),
            Denominator::Measurable => r.mdis.is_yes(),
            Denominator::Evaluable => r.ovr.iter().any(|o| o.anl01),
        };
        if include {
            arms.entry(arm_of(info)).or_default().push(r);
        }
    }
    let is = |p: &str, set: &[&str]| set.contains(&p);
    let response = arms
        .iter()
        .map(|(arm, rs)| {
            let n = rs.len() as u64;
            let count =
                |f: &dyn Fn(&SubjectResponse) -> bool| rs.iter().filter(|r| f(r)).count() as u64;
            let mut bor = BTreeMap::new();
            let mut cbor = BTreeMap::new();
            for r in rs {
                *bor.entry(r.bor.avalc.clone()).or_insert(0) += 1;
                *cbor.entry(r.cbor.avalc.clone()).or_insert(0) += 1;
            }
            let resp = ["CR", "PR"];
            let dc = ["CR", "PR", "SD", "NON-CR/NON-PD"];
            ArmResponse {
                arm: arm.clone(),
                n,
                orr: proportion(count(&|r| is(&r.bor.avalc, &resp)), n, opts.level),
                orr_confirmed: proportion(count(&|r| is(&r.cbor.avalc, &resp)), n, opts.level),
                dcr: proportion(count(&|r| is(&r.bor.avalc, &dc)), n, opts.level),
                dcr_confirmed: proportion(count(&|r| is(&r.cbor.avalc, &dc)), n, opts.level),
                bor,
                cbor,
            }
        })
        .collect();
    let mut params: Vec<&'static str> = Vec::new();
    for t in tte {
        if !params.contains(&t.paramcd) {
            params.push(t.paramcd);
        }
    }
    let time_to_event = params
        .into_iter()
        .map(|p| {
            let records = tte
                .iter()
                .filter(|t| t.paramcd == p)
                .map(|t| (t.aval as f64, t.cnsr == 0, t.arm.clone()));
            match analyze_by_arm(records, opts.level) {
                Ok(rep) => TteSummary {
                    paramcd: p.to_string(),
                    label: tte_label(p).to_string(),
                    arms: rep
                        .groups
                        .iter()
                        .map(|g| ArmTte {
                            arm: g.group.clone().unwrap_or_default(),
                            n: g.n,
                            events: g.events,
                            median_days: g.median,
                            median_ci_days: g.median_ci,
                            median_months: g.median.map(|m| m / DAYS_PER_MONTH),
                        })
                        .collect(),
                    logrank_p: rep.logrank_p(),
                    logrank_chi2: rep.logrank_chi2(),
                },
                Err(_) => TteSummary {
                    paramcd: p.to_string(),
                    label: tte_label(p).to_string(),
                    arms: Vec::new(),
                    logrank_p: None,
                    logrank_chi2: None,
                },
            }
        })
        .collect();
    EndpointSummary {
        denominator: opts.denominator,
        conf_level: opts.level,
        response,
        time_to_event,
    }
}
