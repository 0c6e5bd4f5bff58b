//! Per-time-point response from lesion measurements (clinical-rules.md §2.1 RECIST 1.1 and
//! §2.2 mRECIST): target, non-target and new-lesion response, the overall response, the sum of
//! diameters, the nadir and the percent changes.
//!
//! Conventions (all from §2.1 unless stated):
//! - Baseline = the last assessment marked as baseline by the SDTM flag (`TRBLFL`/`TRLOBXFL`
//!   = Y, or `baseline = y` in the lesion CSV); else the last one whose `EPOCH` or visit name
//!   says SCREENING/BASELINE; else the last assessment on or before the reference date
//!   (randomisation; admiral's ADTR `BASE` = last value with ADY ≤ 1); else the first
//!   assessment ([`BaselineMark`]). Assessments before the baseline are not evaluated.
//! - Target measurement: short axis for nodal targets; longest diameter (RECIST 1.1) or the
//!   viable (arterially enhancing) diameter (mRECIST, §2.2) otherwise. `absent` = 0 mm,
//!   `too_small` = 5 mm.
//! - Sum of diameters (SoD) = sum of the available values. A time point is *complete* when every
//!   baseline target lesion has a value.
//! - Nadir = the smallest SoD of an earlier complete assessment, baseline included.
//! - Thresholds are compared in integer hundredths of a mm, never as rounded percentages:
//!   PR if `10 × (baseline − SoD) ≥ 3 × baseline`; PD if `SoD > nadir` and
//!   `5 × (SoD − nadir) ≥ nadir` and (RECIST 1.1 only) `SoD − nadir ≥ 5 mm`. mRECIST has no
//!   5 mm rule (§2.2) unless [`TimePointOptions::mrecist_min_increase`] sets one.
//! - Target CR: every non-nodal target 0 mm (mRECIST: no viable tumour) and every nodal target
//!   < 10 mm short axis; checked before PD. An incomplete assessment is PD when the assessed
//!   lesions already give PD, otherwise NE.
//! - Non-target: PD on unequivocal progression (a reader flag), NE if any is not evaluated, CR
//!   when all disappeared (nodes < 10 mm), otherwise NON-CR/NON-PD.
//! - New lesion: PD unless equivocal. mRECIST (§2.2): a new lesion counts when ≥ 10 mm with the
//!   typical vascular pattern; an atypical one only after ≥ 10 mm growth over its first
//!   measurement; sub-centimetre nodules do not count; new effusion/ascites counts only with
//!   positive cytology; a porta-hepatis node counts only with a short axis ≥ 20 mm (the same
//!   applies to baseline non-target porta-hepatis nodes). The PD date is the assessment where
//!   the criteria are met (no backdating to first detection: that convention is unverified).
//! - Overall: the §2.1 combination table; target CR with non-target not CR → PR; only
//!   non-target disease → CR, NON-CR/NON-PD, NE or PD.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::dates::{impute, DateRules};
use super::lesions::{BaselineMark, LesionCategory, LesionRecord, LesionStatus};
use super::{Criteria, Millimetres, Response};
use tm_model::date::Date;

/// Tunable thresholds (defaults from §2.1/§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimePointOptions {
    pub criteria: Criteria,
    /// Value of a target present but too small to measure (§2.1: 5 mm).
    pub too_small: Millimetres,
    /// Absolute SoD increase required for PD by RECIST 1.1 (§2.1: 5 mm).
    pub recist_min_increase: Millimetres,
    /// Absolute SoD increase required for PD by mRECIST (§2.2: none unless the protocol adds it).
    pub mrecist_min_increase: Option<Millimetres>,
    /// A porta-hepatis node is malignant only from this short axis (§2.2: 20 mm).
    pub porta_hepatis_min_short_axis: Millimetres,
    /// mRECIST: minimum longest diameter of a new HCC lesion (§2.2: 10 mm).
    pub new_lesion_min_diameter: Millimetres,
    /// mRECIST: interval growth that makes an atypical new lesion HCC (§2.2: 10 mm).
    pub atypical_growth: Millimetres,
}

impl Default for TimePointOptions {
    fn default() -> Self {
        TimePointOptions {
            criteria: Criteria::Recist11,
            too_small: Millimetres(5.0),
            recist_min_increase: Millimetres(5.0),
            mrecist_min_increase: None,
            porta_hepatis_min_short_axis: Millimetres(20.0),
            new_lesion_min_diameter: Millimetres(10.0),
            atypical_growth: Millimetres(10.0),
        }
    }
}

impl TimePointOptions {
    pub fn for_criteria(criteria: Criteria) -> Self {
        TimePointOptions {
            criteria,
            ..Default::default()
        }
    }
}

/// New-lesion status at a time point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NewLesions {
    No,
    /// Only equivocal / not (yet) qualifying new findings: not PD.
    Equivocal,
    Yes,
}

/// The response at one assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimePoint {
    pub subject: String,
    pub evaluator: String,
    pub visit: Option<String>,
    pub visitnum: Option<f64>,
    pub date_text: String,
    /// The date imputed by the measurement rule (first day for `YYYY-MM` by default).
    pub date: Date,
    pub baseline: bool,
    /// `null` when the subject has no target lesions.
    pub target: Option<Response>,
    /// `null` when the subject has no non-target lesions.
    pub non_target: Option<Response>,
    pub new_lesions: NewLesions,
    /// `null` at baseline.
    pub overall: Option<Response>,
    /// Sum of the available target values.
    pub sum: Option<Millimetres>,
    /// Every baseline target lesion has a value.
    pub complete: bool,
    pub baseline_sum: Option<Millimetres>,
    /// Smallest earlier complete SoD (baseline included); `null` at baseline.
    pub nadir: Option<Millimetres>,
    pub pct_change_baseline: Option<f64>,
    pub pct_change_nadir: Option<f64>,
    /// Baseline target lesion ids and the ones with a value here.
    pub expected_lesions: Vec<String>,
    pub assessed_lesions: Vec<String>,
    /// PD driven by intrahepatic disease (new liver lesion, liver non-target progression or
    /// liver-only target SoD meeting PD): the event of hepatic TTP (§2.3).
    pub intrahepatic_progression: bool,
    pub notes: Vec<String>,
}

/// Liver lesion (intrahepatic): organ mentions the liver / hepatic, and not a node.
pub fn is_liver(r: &LesionRecord) -> bool {
    let o = r.organ.to_ascii_lowercase();
    !r.nodal && (o.contains("liver") || o.contains("hepat"))
}

fn is_effusion(r: &LesionRecord) -> bool {
    let o = r.organ.to_ascii_lowercase();
    o.contains("effusion") || o.contains("ascites")
}

fn is_porta_hepatis(r: &LesionRecord) -> bool {
    let o = r.organ.to_ascii_lowercase().replace(['-', '_'], " ");
    o.contains("porta hepatis") || o.contains("hepatic hilum") || o.contains("hepatic hilar")
}

/// The value a target lesion contributes to the SoD; `None` = not assessed.
pub fn target_value(r: &LesionRecord, opts: &TimePointOptions) -> Option<Millimetres> {
    match r.status {
        Some(LesionStatus::Absent) => return Some(Millimetres(0.0)),
        Some(LesionStatus::NotEvaluated) => return None,
        Some(LesionStatus::TooSmall) => return Some(opts.too_small),
        _ => {}
    }
    if r.nodal {
        r.short_axis
    } else {
        match opts.criteria {
            Criteria::Recist11 => r.longest_diameter,
            Criteria::Mrecist => r.viable_diameter,
        }
    }
}

/// PD of the SoD against the nadir (integer hundredths of a mm).
pub fn sum_is_pd(sum: Millimetres, nadir: Millimetres, opts: &TimePointOptions) -> bool {
    let (s, n) = (sum.hundredths(), nadir.hundredths());
    let min_inc = match opts.criteria {
        Criteria::Recist11 => Some(opts.recist_min_increase),
        Criteria::Mrecist => opts.mrecist_min_increase,
    };
    s > n && 5 * (s - n) >= n && min_inc.is_none_or(|m| s - n >= m.hundredths())
}

/// PR of the SoD against the baseline sum (≥ 30 % decrease, exactly 30 % included).
pub fn sum_is_pr(sum: Millimetres, baseline: Millimetres) -> bool {
    let (s, b) = (sum.hundredths(), baseline.hundredths());
    b > 0 && 10 * (b - s) >= 3 * b
}

/// The overall response from the three components (§2.1 table).
pub fn combine(
    target: Option<Response>,
    non_target: Option<Response>,
    new: NewLesions,
) -> Response {
    if new == NewLesions::Yes || target == Some(Response::Pd) || non_target == Some(Response::Pd) {
        return Response::Pd;
    }
    match target {
        Some(Response::Ne) => Response::Ne,
        Some(Response::Cr) => match non_target {
            None | Some(Response::Cr) => Response::Cr,
            _ => Response::Pr,
        },
        Some(Response::Pr) => Response::Pr,
        Some(Response::Sd) => Response::Sd,
        Some(_) => Response::Ne,
        None => match non_target {
            Some(Response::Cr) => Response::Cr,
            Some(Response::NonCrNonPd) => Response::NonCrNonPd,
            _ => Response::Ne,
        },
    }
}

fn pct(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| (num as f64) / (den as f64) * 100.0)
}

struct Assessment<'a> {
    date: Date,
    visitnum: Option<f64>,
    mark: BaselineMark,
    records: Vec<&'a LesionRecord>,
}

/// Evaluates every assessment of one subject and one evaluator, in date order.
/// `reference` is the randomisation date (baseline = last assessment on or before it).
pub fn evaluate(
    records: &[&LesionRecord],
    reference: Option<Date>,
    opts: &TimePointOptions,
    rules: &DateRules,
) -> Vec<TimePoint> {
    let mut groups: BTreeMap<String, Assessment> = BTreeMap::new();
    for r in records {
        let Some(d) = impute(&r.date_text, rules.measurement) else {
            continue;
        };
        let a = groups
            .entry(r.assessment_key())
            .or_insert_with(|| Assessment {
                date: d.date,
                visitnum: r.visitnum,
                mark: BaselineMark::None,
                records: Vec::new(),
            });
        a.mark = a.mark.max(r.baseline_mark);
        a.records.push(r);
    }
    let mut list: Vec<Assessment> = groups.into_values().collect();
    list.sort_by(|a, b| {
        a.date.cmp(&b.date).then_with(|| {
            a.visitnum
                .unwrap_or(0.0)
                .total_cmp(&b.visitnum.unwrap_or(0.0))
        })
    });
    if list.is_empty() {
        return Vec::new();
    }
    // Baseline: the last assessment with the strongest mark (--BLFL, then EPOCH / visit
    // name), else the last on or before the reference date, else the first.
    let strongest = list.iter().map(|a| a.mark).max().unwrap_or_default();
    let base_idx = if strongest > BaselineMark::None {
        list.iter().rposition(|a| a.mark == strongest)
    } else {
        match reference {
            Some(refd) => list.iter().rposition(|a| a.date <= refd),
            None => Some(0),
        }
    };
    let mut notes_base = Vec::new();
    let base_idx = base_idx.unwrap_or_else(|| {
        notes_base.push(
            "no assessment on or before the reference date: the first assessment is the baseline"
                .to_string(),
        );
        0
    });
    let base = &list[base_idx];

    // Baseline lesion sets.
    let mut target_ids: Vec<String> = Vec::new();
    let mut nodal_target: BTreeMap<String, bool> = BTreeMap::new();
    let mut liver_target: BTreeSet<String> = BTreeSet::new();
    let mut nt_ids: Vec<String> = Vec::new();
    let mut excluded_nt: BTreeSet<String> = BTreeSet::new();
    for r in &base.records {
        match r.category {
            LesionCategory::Target => {
                if !target_ids.contains(&r.lesion_id) {
                    target_ids.push(r.lesion_id.clone());
                    nodal_target.insert(r.lesion_id.clone(), r.nodal);
                    if is_liver(r) {
                        liver_target.insert(r.lesion_id.clone());
                    }
                }
            }
            LesionCategory::NonTarget => {
                let not_malignant_porta = opts.criteria == Criteria::Mrecist
                    && is_porta_hepatis(r)
                    && r.short_axis.is_some_and(|s| {
                        s.hundredths() < opts.porta_hepatis_min_short_axis.hundredths()
                    });
                if not_malignant_porta {
                    if excluded_nt.insert(r.lesion_id.clone()) {
                        notes_base.push(format!(
                            "non-target {} (porta hepatis node, short axis < {}) is not malignant by mRECIST and is ignored",
                            r.lesion_id, opts.porta_hepatis_min_short_axis
                        ));
                    }
                } else if !nt_ids.contains(&r.lesion_id) {
                    nt_ids.push(r.lesion_id.clone());
                }
            }
            LesionCategory::New => {
                notes_base.push(format!("new lesion {} at baseline is ignored", r.lesion_id))
            }
        }
    }
    target_ids.sort();
    nt_ids.sort();

    // First measurement of each new lesion (mRECIST atypical growth rule).
    let mut first_new_ld: BTreeMap<String, Millimetres> = BTreeMap::new();

    let mut out = Vec::new();
    let mut nadir: Option<i64> = None;
    let mut liver_nadir: Option<i64> = None;
    let mut baseline_sum: Option<i64> = None;
    for (i, a) in list.iter().enumerate().skip(base_idx) {
        let is_base = i == base_idx;
        let mut notes = if is_base {
            std::mem::take(&mut notes_base)
        } else {
            Vec::new()
        };
        let first = a.records[0];
        // Target values.
        let mut values: BTreeMap<&str, Millimetres> = BTreeMap::new();
        for r in a
            .records
            .iter()
            .filter(|r| r.category == LesionCategory::Target)
        {
            if !target_ids.contains(&r.lesion_id) {
                if !is_base {
                    notes.push(format!(
                        "target {} is not a baseline target; ignored",
                        r.lesion_id
                    ));
                }
                continue;
            }
            if let Some(v) = target_value(r, opts) {
                values.insert(r.lesion_id.as_str(), v);
            }
        }
        let assessed: Vec<String> = values.keys().map(|k| k.to_string()).collect();
        let complete = !target_ids.is_empty() && assessed.len() == target_ids.len();
        let sum_h: Option<i64> =
            (!values.is_empty()).then(|| values.values().map(|v| v.hundredths()).sum());
        let liver_vals: Vec<i64> = values
            .iter()
            .filter(|(k, _)| liver_target.contains(**k))
            .map(|(_, v)| v.hundredths())
            .collect();
        let liver_complete = !liver_target.is_empty() && liver_vals.len() == liver_target.len();
        let liver_sum: Option<i64> = (!liver_vals.is_empty()).then(|| liver_vals.iter().sum());

        let mut intrahepatic = false;
        let target = if target_ids.is_empty() {
            None
        } else if is_base {
            if !complete {
                notes.push("baseline target measurements are incomplete".to_string());
            }
            None
        } else {
            let cr = complete
                && target_ids.iter().all(|id| {
                    let v = values
                        .get(id.as_str())
                        .map(|v| v.hundredths())
                        .unwrap_or(i64::MAX);
                    if nodal_target.get(id).copied().unwrap_or(false) {
                        v < 1000
                    } else {
                        v == 0
                    }
                });
            let pd = match (sum_h, nadir) {
                (Some(s), Some(n)) => sum_is_pd(
                    Millimetres::from_hundredths(s),
                    Millimetres::from_hundredths(n),
                    opts,
                ),
                _ => false,
            };
            if let (Some(s), Some(n)) = (liver_sum, liver_nadir) {
                if sum_is_pd(
                    Millimetres::from_hundredths(s),
                    Millimetres::from_hundredths(n),
                    opts,
                ) {
                    intrahepatic = true;
                }
            }
            let pr = match (sum_h, baseline_sum) {
                (Some(s), Some(b)) => sum_is_pr(
                    Millimetres::from_hundredths(s),
                    Millimetres::from_hundredths(b),
                ),
                _ => false,
            };
            Some(if cr {
                Response::Cr
            } else if pd {
                Response::Pd
            } else if !complete || baseline_sum.is_none() {
                Response::Ne
            } else if pr {
                Response::Pr
            } else {
                Response::Sd
            })
        };

        // Non-target.
        let non_target = if nt_ids.is_empty() || is_base {
            None
        } else {
            let mut any_pd = false;
            let mut any_ne = false;
            let mut all_absent = true;
            for id in &nt_ids {
                let rec = a
                    .records
                    .iter()
                    .find(|r| r.category == LesionCategory::NonTarget && r.lesion_id == *id);
                let Some(r) = rec else {
                    any_ne = true;
                    all_absent = false;
                    continue;
                };
                let normal_node = r.nodal && r.short_axis.is_some_and(|s| s.hundredths() < 1000);
                match r.status {
                    Some(LesionStatus::Progression) | Some(LesionStatus::CytologyPositive)
                        if opts.criteria == Criteria::Mrecist
                            && is_effusion(r)
                            && r.status != Some(LesionStatus::CytologyPositive) =>
                    {
                        notes.push(format!(
                            "non-target {id}: effusion/ascites progression without positive cytology is not PD by mRECIST"
                        ));
                        all_absent = false;
                    }
                    Some(LesionStatus::Progression) | Some(LesionStatus::CytologyPositive) => {
                        any_pd = true;
                        all_absent = false;
                        if is_liver(r) {
                            intrahepatic = true;
                        }
                    }
                    Some(LesionStatus::Absent) => {}
                    Some(LesionStatus::NotEvaluated) => {
                        any_ne = true;
                        all_absent = false;
                    }
                    _ if normal_node => {}
                    _ => all_absent = false,
                }
            }
            Some(if any_pd {
                Response::Pd
            } else if any_ne {
                Response::Ne
            } else if all_absent {
                Response::Cr
            } else {
                Response::NonCrNonPd
            })
        };

        // New lesions.
        let mut new = NewLesions::No;
        if !is_base {
            for r in a
                .records
                .iter()
                .filter(|r| r.category == LesionCategory::New)
            {
                let verdict = new_lesion_verdict(r, opts, &mut first_new_ld, &mut notes);
                if verdict == NewLesions::Yes && is_liver(r) {
                    intrahepatic = true;
                }
                new = match (new, verdict) {
                    (NewLesions::Yes, _) | (_, NewLesions::Yes) => NewLesions::Yes,
                    (NewLesions::Equivocal, _) | (_, NewLesions::Equivocal) => {
                        NewLesions::Equivocal
                    }
                    _ => NewLesions::No,
                };
            }
        }

        let overall = (!is_base).then(|| combine(target, non_target, new));
        if is_base {
            baseline_sum = if complete { sum_h } else { None };
        }
        let prior_nadir = if is_base { None } else { nadir };
        if complete {
            if let Some(s) = sum_h {
                nadir = Some(nadir.map_or(s, |n| n.min(s)));
            }
        }
        if liver_complete {
            if let Some(s) = liver_sum {
                liver_nadir = Some(liver_nadir.map_or(s, |n| n.min(s)));
            }
        }
        let intrahepatic = overall == Some(Response::Pd) && intrahepatic;
        out.push(TimePoint {
            subject: first.subject.clone(),
            evaluator: first.evaluator.clone(),
            visit: first.visit.clone(),
            visitnum: first.visitnum,
            date_text: first.date_text.clone(),
            date: a.date,
            baseline: is_base,
            target,
            non_target,
            new_lesions: new,
            overall,
            sum: sum_h.map(Millimetres::from_hundredths),
            complete,
            baseline_sum: baseline_sum.map(Millimetres::from_hundredths),
            nadir: prior_nadir.map(Millimetres::from_hundredths),
            pct_change_baseline: match (sum_h, baseline_sum) {
                (Some(s), Some(b)) => pct(s - b, b),
                _ => None,
            },
            pct_change_nadir: match (sum_h, prior_nadir) {
                (Some(s), Some(n)) => pct(s - n, n),
                _ => None,
            },
            expected_lesions: target_ids.clone(),
            assessed_lesions: assessed,
            intrahepatic_progression: intrahepatic,
            notes,
        });
    }
    out
}

/// Whether one new-lesion record makes the time point PD.
fn new_lesion_verdict(
    r: &LesionRecord,
    opts: &TimePointOptions,
    first_ld: &mut BTreeMap<String, Millimetres>,
    notes: &mut Vec<String>,
) -> NewLesions {
    let id = &r.lesion_id;
    match r.status {
        Some(LesionStatus::Absent) | Some(LesionStatus::NotEvaluated) => return NewLesions::No,
        Some(LesionStatus::Equivocal) => {
            notes.push(format!(
                "new lesion {id} is equivocal: not PD until confirmed"
            ));
            return NewLesions::Equivocal;
        }
        _ => {}
    }
    if opts.criteria == Criteria::Recist11 {
        if r.nodal && r.short_axis.is_some_and(|s| s.hundredths() < 1000) {
            notes.push(format!(
                "new node {id} < 10 mm short axis is not pathological"
            ));
            return NewLesions::Equivocal;
        }
        return NewLesions::Yes;
    }
    // mRECIST (§2.2).
    if is_effusion(r) {
        if r.status == Some(LesionStatus::CytologyPositive) {
            return NewLesions::Yes;
        }
        notes.push(format!(
            "new effusion/ascites {id} without positive cytology is not PD by mRECIST"
        ));
        return NewLesions::Equivocal;
    }
    if r.nodal {
        let min = if is_porta_hepatis(r) {
            opts.porta_hepatis_min_short_axis
        } else {
            Millimetres(10.0)
        };
        return match r.short_axis {
            Some(s) if s.hundredths() < min.hundredths() => {
                notes.push(format!(
                    "new node {id} ({s} short axis) is below {min}: not malignant by mRECIST"
                ));
                NewLesions::Equivocal
            }
            _ => NewLesions::Yes,
        };
    }
    let ld = r.longest_diameter.or(r.viable_diameter);
    let first = ld.map(|v| *first_ld.entry(id.clone()).or_insert(v));
    match ld {
        Some(v) if v.hundredths() < opts.new_lesion_min_diameter.hundredths() => {
            notes.push(format!(
                "new nodule {id} ({v}) is below {}: not a new lesion by mRECIST",
                opts.new_lesion_min_diameter
            ));
            NewLesions::Equivocal
        }
        Some(v) if r.status == Some(LesionStatus::Atypical) => {
            let grown = first.is_some_and(|f| {
                v.hundredths() - f.hundredths() >= opts.atypical_growth.hundredths()
            });
            if grown {
                NewLesions::Yes
            } else {
                notes.push(format!(
                    "new lesion {id} is atypical: PD only after ≥ {} growth",
                    opts.atypical_growth
                ));
                NewLesions::Equivocal
            }
        }
        None if r.status == Some(LesionStatus::Atypical) => {
            notes.push(format!(
                "new lesion {id} is atypical and unmeasured: not PD"
            ));
            NewLesions::Equivocal
        }
        _ => NewLesions::Yes,
    }
}
