//! Best overall response and the other ADRS parameters from per-visit overall responses,
//! exactly as admiralonco's `ad_adrs.R` template derives them (rules quoted in
//! ../shared/data/pharmaverse/NOTES.md, "admiralonco derivation rules"; clinical background in
//! clinical-rules.md §2.1 "Best overall response"):
//!
//! 1. `ANL01FL`: records with a response and `ADT ≥ RANDDT`; one per date, the worst by
//!    NE < CR < PR < SD < NON-CR/NON-PD < PD, ties to the last sequence number.
//! 2. `ANL02FL`: records up to and including the first PD (by date, sequence); all without PD.
//! 3. The analysis set is ANL01FL & ANL02FL.
//! 4. BOR: the first event in the order CR, PR, SD (CR/PR/SD at ≥ RANDDT + 42 days, no +1),
//!    NON-CR/NON-PD (≥ RANDDT + 42), PD, NE (any CR/PR/SD/NON-CR/NON-PD/NE), MISSING; dated
//!    at that event's earliest record.
//! 5. Confirmation (`event_joined`, join "after"): a CR is confirmed by the first later CR at
//!    ≥ 28 days when every record up to it is CR or NE with at most one NE; a PR by the first
//!    later CR/PR at ≥ 28 days when every record up to it is CR, PR or NE (SD not accepted by
//!    default), at most one NE, and no PR after a CR inside. CBOR uses confirmed CR/PR in
//!    place of CR/PR; CRSP is the earliest confirmed response.
//! 6. PD: the first PD with ANL01FL (ANL02FL not needed). RSP: the first CR/PR (unconfirmed).
//!    CB: the earliest CR/PR, or CR/PR/SD/NON-CR/NON-PD at ≥ RANDDT + 42. CCB: the earliest
//!    confirmed CR/PR or that SD rule. BCP/CBCP: BOR/CBOR ∈ {CR, PR}. LSTA: the last ANL01FL
//!    record. DEATH: a death date. MDIS: measurable disease at baseline.
//!
//! CBCP deliberately differs from the pharmaverse oracle, whose CBCP is "N" for everyone
//! because of a template defect (NOTES.md): here CBCP = Y whenever CBOR is CR or PR.

use serde::Serialize;

use super::Response;
use tm_model::date::Date;

/// Confirmation and SD-duration parameters (admiralonco template defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BorOptions {
    /// Minimum days from a CR/PR to the confirming assessment (`ADT.conf ≥ ADT + 28`).
    pub confirmation_days: i32,
    /// Minimum days from the reference date for SD (`ADT ≥ RANDDT + 42`).
    pub sd_min_days: i32,
    /// Maximum number of NE assessments between a response and its confirmation.
    pub max_ne_between: usize,
    /// Accept SD between a PR and its confirmation (`accept_sd`; default false).
    pub accept_sd: bool,
}

impl Default for BorOptions {
    fn default() -> Self {
        BorOptions {
            confirmation_days: 28,
            sd_min_days: 42,
            max_ne_between: 1,
            accept_sd: false,
        }
    }
}

/// One per-visit overall response (an ADRS `OVR` record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OvrRecord {
    pub subject: String,
    pub visit: Option<String>,
    pub visitnum: Option<f64>,
    pub date_text: String,
    /// The date after the response imputation (last day for `YYYY-MM` by default).
    pub date: Option<Date>,
    /// `ADTF`: `D` / `M` when imputed.
    pub date_flag: Option<&'static str>,
    pub response: Option<Response>,
    /// Source order (`RSSEQ`, or the row order of derived responses).
    pub seq: i64,
    pub anl01: bool,
    pub anl02: bool,
}

/// One subject-level parameter (an ADRS record): `AVALC`, `AVAL`, `ADT` and the OVR record
/// it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub paramcd: &'static str,
    pub avalc: String,
    pub aval: Option<f64>,
    pub date: Option<Date>,
    /// Index into [`SubjectResponse::ovr`].
    #[serde(skip)]
    pub source: Option<usize>,
}

impl Param {
    fn yn(paramcd: &'static str, hit: Option<(Date, usize)>) -> Param {
        Param {
            paramcd,
            avalc: if hit.is_some() { "Y" } else { "N" }.to_string(),
            aval: Some(if hit.is_some() { 1.0 } else { 0.0 }),
            date: hit.map(|h| h.0),
            source: hit.map(|h| h.1),
        }
    }

    fn resp(paramcd: &'static str, hit: Option<(Response, Date, usize)>) -> Param {
        match hit {
            Some((r, d, i)) => Param {
                paramcd,
                avalc: r.code().to_string(),
                aval: Some(r.aval() as f64),
                date: Some(d),
                source: Some(i),
            },
            None => Param {
                paramcd,
                avalc: Response::Missing.code().to_string(),
                aval: Some(Response::Missing.aval() as f64),
                date: None,
                source: None,
            },
        }
    }

    pub fn is_yes(&self) -> bool {
        self.avalc == "Y"
    }
}

/// The ADRS parameters of one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectResponse {
    pub subject: String,
    pub ovr: Vec<OvrRecord>,
    pub bor: Param,
    pub cbor: Param,
    pub bcp: Param,
    pub cbcp: Param,
    pub rsp: Param,
    pub crsp: Param,
    pub cb: Param,
    pub ccb: Param,
    pub pd: Param,
    pub death: Param,
    pub lsta: Param,
    pub mdis: Param,
}

impl SubjectResponse {
    /// Every parameter, in the ADRS `PARAMCD` order used for output.
    pub fn params(&self) -> [&Param; 12] {
        [
            &self.bor,
            &self.cbor,
            &self.bcp,
            &self.cbcp,
            &self.rsp,
            &self.crsp,
            &self.cb,
            &self.ccb,
            &self.pd,
            &self.death,
            &self.lsta,
            &self.mdis,
        ]
    }

    /// Date of the last adequate tumour assessment (LSTA).
    pub fn last_assessment(&self) -> Option<Date> {
        self.lsta.date
    }
}

/// ADaM `PARAM` labels.
pub fn param_label(paramcd: &str) -> &'static str {
    match paramcd {
        "OVR" => "Overall Response by Investigator",
        "BOR" => "Best Overall Response by Investigator (confirmation not required)",
        "CBOR" => "Best Confirmed Overall Response by Investigator",
        "BCP" => "Best Overall Response of CR/PR by Investigator (confirmation not required)",
        "CBCP" => "Best Confirmed Overall Response of CR/PR by Investigator",
        "RSP" => "Response by Investigator (confirmation not required)",
        "CRSP" => "Confirmed Response by Investigator",
        "CB" => "Clinical Benefit by Investigator (confirmation for response not required)",
        "CCB" => "Confirmed Clinical Benefit by Investigator",
        "PD" => "Disease Progression by Investigator",
        "DEATH" => "Death",
        "LSTA" => "Last Disease Assessment by Investigator",
        "MDIS" => "Measurable Disease at Baseline by Investigator",
        _ => "",
    }
}

fn ord_key(r: &OvrRecord) -> (bool, Date, i64) {
    // Missing dates sort last (as dplyr::arrange puts NA last).
    (
        r.date.is_none(),
        r.date.unwrap_or(Date::from_days(i32::MAX / 2)),
        r.seq,
    )
}

/// Sets ANL01FL / ANL02FL on the records (rules 1–2).
pub fn flag_records(ovr: &mut [OvrRecord], reference: Option<Date>) {
    for r in ovr.iter_mut() {
        r.anl01 = false;
        r.anl02 = false;
    }
    // ANL01FL: worst per date among eligible records.
    let mut best: std::collections::BTreeMap<Date, usize> = std::collections::BTreeMap::new();
    for (i, r) in ovr.iter().enumerate() {
        let (Some(d), Some(resp), Some(refd)) = (r.date, r.response, reference) else {
            continue;
        };
        if d < refd {
            continue;
        }
        match best.get(&d) {
            Some(&j) => {
                let o = &ovr[j];
                let cur = (o.response.map_or(0, |x| x.worst_rank()), o.seq);
                if (resp.worst_rank(), r.seq) > cur {
                    best.insert(d, i);
                }
            }
            None => {
                best.insert(d, i);
            }
        }
    }
    for &i in best.values() {
        ovr[i].anl01 = true;
    }
    // ANL02FL: up to and including the first PD.
    let mut order: Vec<usize> = (0..ovr.len()).collect();
    order.sort_by_key(|&i| ord_key(&ovr[i]));
    let mut seen_pd = false;
    for i in order {
        if seen_pd {
            break;
        }
        ovr[i].anl02 = true;
        if ovr[i].response == Some(Response::Pd) {
            seen_pd = true;
        }
    }
}

/// Derives every ADRS parameter of one subject. `reference` is RANDDT.
pub fn derive_subject(
    subject: &str,
    mut ovr: Vec<OvrRecord>,
    reference: Option<Date>,
    death: Option<Date>,
    measurable: bool,
    opts: &BorOptions,
) -> SubjectResponse {
    flag_records(&mut ovr, reference);
    let mut order: Vec<usize> = (0..ovr.len()).collect();
    order.sort_by_key(|&i| ord_key(&ovr[i]));
    // The analysis set, in date order (all have a date and a response).
    let set: Vec<(usize, Response, Date)> = order
        .iter()
        .filter(|&&i| ovr[i].anl01 && ovr[i].anl02)
        .filter_map(|&i| Some((i, ovr[i].response?, ovr[i].date?)))
        .collect();
    let sd_ok = |d: Date| reference.is_some_and(|r| d >= r.add_days(opts.sd_min_days));
    let first = |pred: &dyn Fn(Response, Date) -> bool| -> Option<(Date, usize)> {
        set.iter()
            .find(|(_, r, d)| pred(*r, *d))
            .map(|(i, _, d)| (*d, *i))
    };
    use Response::*;
    let is_resp = |r: Response| matches!(r, Cr | Pr);
    let is_benefit = |r: Response| matches!(r, Cr | Pr | Sd | NonCrNonPd);

    // Confirmation (rule 5).
    let confirmed: Vec<Option<Response>> = (0..set.len()).map(|k| confirm(&set, k, opts)).collect();

    let pd = order
        .iter()
        .find(|&&i| ovr[i].anl01 && ovr[i].response == Some(Pd))
        .and_then(|&i| Some((ovr[i].date?, i)));
    let rsp = first(&|r, _| is_resp(r));
    let cb = first(&|r, d| is_resp(r) || (is_benefit(r) && sd_ok(d)));
    let crsp = set
        .iter()
        .zip(&confirmed)
        .find(|(_, c)| c.is_some())
        .map(|((i, _, d), _)| (*d, *i));
    let ccb = set
        .iter()
        .zip(&confirmed)
        .find(|((_, r, d), c)| c.is_some() || (is_benefit(*r) && sd_ok(*d)))
        .map(|((i, _, d), _)| (*d, *i));

    // The events after CR/PR, shared by BOR and CBOR.
    type Pred<'a> = &'a dyn Fn(Response, Date) -> bool;
    let tail = || -> Option<(Response, Date, usize)> {
        let steps: [(Response, Pred); 4] = [
            (Sd, &|r, d| matches!(r, Cr | Pr | Sd) && sd_ok(d)),
            (NonCrNonPd, &|r, d| r == NonCrNonPd && sd_ok(d)),
            (Pd, &|r, _| r == Pd),
            (Ne, &|r, _| matches!(r, Cr | Pr | Sd | NonCrNonPd | Ne)),
        ];
        steps
            .iter()
            .find_map(|(out, pred)| first(*pred).map(|(d, i)| (*out, d, i)))
    };
    let bor = first(&|r, _| r == Cr)
        .map(|(d, i)| (Cr, d, i))
        .or_else(|| first(&|r, _| r == Pr).map(|(d, i)| (Pr, d, i)))
        .or_else(tail);
    let conf_first = |want: Response| {
        set.iter()
            .zip(&confirmed)
            .find(|(_, c)| **c == Some(want))
            .map(|((i, _, d), _)| (want, *d, *i))
    };
    let cbor = conf_first(Cr).or_else(|| conf_first(Pr)).or_else(tail);

    let bcp = bor.filter(|b| is_resp(b.0)).map(|b| (b.1, b.2));
    let cbcp = cbor.filter(|b| is_resp(b.0)).map(|b| (b.1, b.2));
    let lsta = order
        .iter()
        .rev()
        .find(|&&i| ovr[i].anl01)
        .and_then(|&i| Some((ovr[i].response?, ovr[i].date?, i)));
    let lsta = match lsta {
        Some((r, d, i)) => Param {
            paramcd: "LSTA",
            avalc: r.code().to_string(),
            aval: Some(r.aval() as f64),
            date: Some(d),
            source: Some(i),
        },
        None => Param {
            paramcd: "LSTA",
            avalc: String::new(),
            aval: None,
            date: None,
            source: None,
        },
    };
    let mut death_p = Param::yn("DEATH", death.map(|d| (d, usize::MAX)));
    death_p.source = None;
    let mut mdis = Param::yn("MDIS", None);
    if measurable {
        mdis.avalc = "Y".into();
        mdis.aval = Some(1.0);
    }
    SubjectResponse {
        subject: subject.to_string(),
        bor: Param::resp("BOR", bor),
        cbor: Param::resp("CBOR", cbor),
        bcp: Param::yn("BCP", bcp),
        cbcp: Param::yn("CBCP", cbcp),
        rsp: Param::yn("RSP", rsp),
        crsp: Param::yn("CRSP", crsp),
        cb: Param::yn("CB", cb),
        ccb: Param::yn("CCB", ccb),
        pd: Param::yn("PD", pd),
        death: death_p,
        lsta,
        mdis,
        ovr,
    }
}

/// Whether the record at position `k` of the analysis set is a confirmed CR or PR (rule 5).
fn confirm(set: &[(usize, Response, Date)], k: usize, opts: &BorOptions) -> Option<Response> {
    use Response::*;
    let (_, resp, date) = set[k];
    let upper_ok = |r: Response| match resp {
        Cr => r == Cr,
        _ => matches!(r, Cr | Pr),
    };
    if !matches!(resp, Cr | Pr) {
        return None;
    }
    let limit = date.add_days(opts.confirmation_days);
    let j = (k + 1..set.len()).find(|&j| upper_ok(set[j].1) && set[j].2 >= limit)?;
    let joined = &set[k + 1..=j];
    let allowed = |r: Response| match resp {
        Cr => matches!(r, Cr | Ne),
        _ => matches!(r, Cr | Pr | Ne) || (opts.accept_sd && r == Sd),
    };
    if !joined.iter().all(|(_, r, _)| allowed(*r)) {
        return None;
    }
    if joined.iter().filter(|(_, r, _)| *r == Ne).count() > opts.max_ne_between {
        return None;
    }
    if resp == Pr {
        let first_cr = joined.iter().filter(|x| x.1 == Cr).map(|x| x.2).min();
        let last_pr = joined.iter().filter(|x| x.1 == Pr).map(|x| x.2).max();
        if let (Some(c), Some(p)) = (first_cr, last_pr) {
            if c <= p {
                return None;
            }
        }
    }
    Some(resp)
}
