//! iRECIST (clinical-rules.md §2.1 "iRECIST (immunotherapy; brief)"; Seymour et al., Lancet
//! Oncol 2017): per-visit iRECIST responses derived from the RECIST 1.1 time points, best
//! overall response, ORR and DCR, and agreement with RS iRECIST `OVRLRESP` records.
//!
//! Rules as implemented:
//! - RECIST 1.1 PD becomes **iUPD** (unconfirmed progression); CR/PR/SD/NON-CR/NON-PD/NE map
//!   to iCR/iPR/iSD/NON-iCR/NON-iUPD/NE.
//! - While an iUPD is pending, the next assessment at least [`IrecistOptions::confirm_min_days`]
//!   after it confirms it as **iCPD** when progression continues: the target sum grew
//!   ≥ 5 mm over the iUPD sum, a new lesion is present again, or non-target PD; a RECIST PD
//!   without such a further increase stays iUPD (still pending). A confirming assessment later
//!   than [`IrecistOptions::confirm_max_days`] (8 weeks) is used and noted.
//! - When the next assessment shows iSD/iPR/iCR (or NON-iCR/NON-iUPD), the iUPD was not
//!   confirmed: the pending status is **reset** and a later PD must again be confirmed.
//! - Assessments earlier than `confirm_min_days` after the iUPD and NE keep it pending.
//! - BOR (unconfirmed): best of iCR > iPR > iSD (≥ `sd_min_days` from randomisation) >
//!   NON-iCR/NON-iUPD > iCPD > iUPD > NE; ORR = iCR/iPR; DCR adds iSD and NON-iCR/NON-iUPD.
//!
//! Known simplifications (docs/outcomes-irecist.md): new-lesion sums ("new target" ≤ 5) are
//! not tracked separately — a new lesion at the confirming visit counts as continued
//! progression; the reference sums after a reset stay RECIST 1.1's (baseline and nadir).

use std::collections::BTreeMap;

use serde::Serialize;

use super::timepoint::{NewLesions, TimePoint};
use super::Response;
use crate::sdtm::RsRecord;
use tm_model::date::Date;

/// iRECIST options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IrecistOptions {
    /// Earliest confirmation of an iUPD, days after it (4 weeks).
    pub confirm_min_days: i32,
    /// Latest confirmation in the usual window, days (8 weeks); later ones are noted.
    pub confirm_max_days: i32,
    /// Minimum days from randomisation for iSD as best response (as SD).
    pub sd_min_days: i32,
    /// Further target-sum increase that confirms an iUPD (5 mm).
    pub further_increase_mm: f64,
}

impl Default for IrecistOptions {
    fn default() -> Self {
        IrecistOptions {
            confirm_min_days: 28,
            confirm_max_days: 56,
            sd_min_days: 42,
            further_increase_mm: 5.0,
        }
    }
}

/// One derived iRECIST time point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ITimePoint {
    pub subject: String,
    pub evaluator: String,
    pub visit: Option<String>,
    pub date: Date,
    pub date_text: String,
    /// The RECIST 1.1 overall response it came from.
    pub recist: Option<String>,
    /// `iCR`, `iPR`, `iSD`, `NON-iCR/NON-iUPD`, `iUPD`, `iCPD`, `NE`.
    pub response: String,
    pub note: Option<String>,
}

/// Subject-level iRECIST result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ISubject {
    pub subject: String,
    pub bor: String,
    pub bor_date: Option<Date>,
}

/// RS iRECIST OVRLRESP compared with the derived iRECIST time points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IAgreement {
    pub compared: usize,
    pub agreed: usize,
    pub mismatches: Vec<IMismatch>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IMismatch {
    pub subject: String,
    pub visit: Option<String>,
    pub date_text: String,
    pub rs: String,
    pub derived: Option<String>,
}

/// The iRECIST block of the response report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IrecistReport {
    pub options: IrecistOptions,
    pub timepoints: Vec<ITimePoint>,
    pub subjects: Vec<ISubject>,
    /// BOR counts, ORR and DCR over the subjects with an iRECIST time point.
    pub bor_counts: BTreeMap<String, usize>,
    pub n: usize,
    pub orr: Option<f64>,
    pub dcr: Option<f64>,
    /// Against RS iRECIST records (`rs*irecist*.csv`), when present.
    pub rs_agreement: Option<IAgreement>,
}

fn map(r: Response) -> &'static str {
    match r {
        Response::Cr => "iCR",
        Response::Pr => "iPR",
        Response::Sd => "iSD",
        Response::NonCrNonPd => "NON-iCR/NON-iUPD",
        Response::Pd => "iUPD",
        Response::Ne | Response::Missing => "NE",
    }
}

/// Normalises an RS iRECIST code (`iUPD`, `IUPD`, `NON-iCR/NON-iUPD` …) for comparison.
pub fn norm(code: &str) -> String {
    code.trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// iRECIST time points of one subject × evaluator from its RECIST 1.1 time points (date order).
pub fn derive(tps: &[&TimePoint], opts: &IrecistOptions) -> Vec<ITimePoint> {
    let mut out = Vec::new();
    // The pending iUPD: its date and target sum.
    let mut pending: Option<(Date, Option<i64>)> = None;
    let mut confirmed = false;
    for t in tps.iter().filter(|t| !t.baseline) {
        let Some(overall) = t.overall else { continue };
        let sum = t.sum.map(|s| s.hundredths());
        let mut note = None;
        let response: &str = if confirmed {
            "iCPD"
        } else {
            match pending {
                None => map(overall),
                Some((d, psum)) => {
                    let days = t.date.days() - d.days();
                    if overall == Response::Ne || days < opts.confirm_min_days {
                        if overall == Response::Pd {
                            "iUPD"
                        } else {
                            "NE"
                        }
                    } else if overall == Response::Pd {
                        let grew = match (sum, psum) {
                            (Some(s), Some(p)) => {
                                s - p >= (opts.further_increase_mm * 100.0).round() as i64
                            }
                            _ => false,
                        };
                        let continued = grew
                            || t.new_lesions == NewLesions::Yes
                            || t.non_target == Some(Response::Pd);
                        if continued {
                            if days > opts.confirm_max_days {
                                note = Some(format!(
                                    "iCPD confirmed {days} days after iUPD (outside the 4–8 week window)"
                                ));
                            }
                            "iCPD"
                        } else {
                            note =
                                Some("PD without further increase: iUPD stays unconfirmed".into());
                            "iUPD"
                        }
                    } else {
                        note = Some("iUPD not confirmed: reset".into());
                        map(overall)
                    }
                }
            }
        };
        match response {
            "iCPD" => {
                confirmed = true;
                pending = None;
            }
            "iUPD" => {
                if pending.is_none() {
                    pending = Some((t.date, sum));
                }
            }
            "NE" => {}
            _ => pending = None,
        }
        out.push(ITimePoint {
            subject: t.subject.clone(),
            evaluator: t.evaluator.clone(),
            visit: t.visit.clone(),
            date: t.date,
            date_text: t.date_text.clone(),
            recist: Some(overall.code().to_string()),
            response: response.to_string(),
            note,
        });
    }
    out
}

fn rank(code: &str) -> u8 {
    match code {
        "iCR" => 7,
        "iPR" => 6,
        "iSD" => 5,
        "NON-iCR/NON-iUPD" => 4,
        "iCPD" => 3,
        "iUPD" => 2,
        "NE" => 1,
        _ => 0,
    }
}

/// Best overall iRECIST response of one subject.
pub fn best(tps: &[&ITimePoint], randomization: Option<Date>, opts: &IrecistOptions) -> ISubject {
    let mut bestc = ("MISSING".to_string(), None, 0u8);
    for t in tps {
        let mut code = t.response.as_str();
        if code == "iSD"
            && randomization.is_some_and(|r| t.date.days() - r.days() < opts.sd_min_days)
        {
            code = "NE";
        }
        let r = rank(code);
        if r > bestc.2 {
            bestc = (code.to_string(), Some(t.date), r);
        }
    }
    ISubject {
        subject: tps.first().map(|t| t.subject.clone()).unwrap_or_default(),
        bor: bestc.0,
        bor_date: bestc.1,
    }
}

/// The iRECIST block: derived time points of the primary evaluator, BOR, ORR/DCR, agreement.
pub fn report(
    timepoints: &[TimePoint],
    primary: &str,
    randomization: &BTreeMap<String, Option<Date>>,
    rs: &[RsRecord],
    opts: &IrecistOptions,
) -> IrecistReport {
    let mut by: BTreeMap<&str, Vec<&TimePoint>> = BTreeMap::new();
    for t in timepoints.iter().filter(|t| t.evaluator == primary) {
        by.entry(t.subject.as_str()).or_default().push(t);
    }
    let mut itps = Vec::new();
    let mut subjects = Vec::new();
    for (s, tps) in by {
        let d = derive(&tps, opts);
        if !d.is_empty() {
            let refs: Vec<&ITimePoint> = d.iter().collect();
            subjects.push(best(&refs, randomization.get(s).copied().flatten(), opts));
        }
        itps.extend(d);
    }
    let mut bor_counts: BTreeMap<String, usize> = BTreeMap::new();
    for s in &subjects {
        *bor_counts.entry(s.bor.clone()).or_default() += 1;
    }
    let n = subjects.len();
    let count = |codes: &[&str]| {
        subjects
            .iter()
            .filter(|s| codes.contains(&s.bor.as_str()))
            .count()
    };
    let orr = (n > 0).then(|| count(&["iCR", "iPR"]) as f64 / n as f64);
    let dcr = (n > 0).then(|| count(&["iCR", "iPR", "iSD", "NON-iCR/NON-iUPD"]) as f64 / n as f64);
    let ovr: Vec<&RsRecord> = rs
        .iter()
        .filter(|r| r.testcd == "OVRLRESP" && r.evaluator == primary)
        .collect();
    let rs_agreement = (!ovr.is_empty()).then(|| {
        let mut a = IAgreement {
            compared: 0,
            agreed: 0,
            mismatches: Vec::new(),
        };
        for r in ovr {
            let tp = itps.iter().find(|t| {
                t.subject == r.subject
                    && (t.date_text == r.dtc || (r.visit.is_some() && t.visit == r.visit))
            });
            let derived = tp.map(|t| t.response.clone());
            a.compared += 1;
            if derived.as_deref().map(norm) == Some(norm(&r.result)) {
                a.agreed += 1;
            } else {
                a.mismatches.push(IMismatch {
                    subject: r.subject.clone(),
                    visit: r.visit.clone(),
                    date_text: r.dtc.clone(),
                    rs: r.result.clone(),
                    derived,
                });
            }
        }
        a
    });
    IrecistReport {
        options: *opts,
        timepoints: itps,
        subjects,
        bor_counts,
        n,
        orr,
        dcr,
        rs_agreement,
    }
}
