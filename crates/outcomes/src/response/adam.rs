//! ADaM-like CSV outputs so every number can be traced (docs/contracts.md, section
//! "response"): `adrs.csv` (OVR records with ANL01FL/ANL02FL and the subject-level
//! parameters), `adtte.csv` (OS, PFS, RSD, TTP, HTTP), `adtr.csv` (SDIAM sums, base, nadir,
//! changes) and `timepoints.csv` (target / non-target / new-lesion / overall response of every
//! evaluator and assessment).

use super::bor::param_label;
use super::endpoints::tte_label;
use super::pipeline::ResponseReport;
use super::trim_float;
use tm_model::date::Date;

fn d(x: Option<Date>) -> String {
    x.map(|d| d.to_string()).unwrap_or_default()
}

fn f(x: Option<f64>) -> String {
    x.map(trim_float).unwrap_or_default()
}

fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        ""
    }
}

fn write(header: &[&str], rows: Vec<Vec<String>>) -> Result<String, String> {
    crate::sdtm::write_csv(header, &rows)
}

/// `adrs.csv`.
pub fn adrs_csv(rep: &ResponseReport) -> Result<String, String> {
    let crit = rep.criteria.label();
    let arm: std::collections::BTreeMap<&str, String> = rep
        .subject_info
        .iter()
        .map(|s| (s.subject.as_str(), s.arm.clone().unwrap_or_default()))
        .collect();
    let mut rows = Vec::new();
    for r in &rep.responses {
        let a = arm.get(r.subject.as_str()).cloned().unwrap_or_default();
        for o in &r.ovr {
            rows.push(vec![
                r.subject.clone(),
                a.clone(),
                "OVR".into(),
                param_label("OVR").into(),
                o.response.map(|x| x.code().to_string()).unwrap_or_default(),
                o.response.map(|x| x.aval().to_string()).unwrap_or_default(),
                d(o.date),
                o.date_flag.unwrap_or("").into(),
                o.visit.clone().unwrap_or_default(),
                o.date_text.clone(),
                o.seq.to_string(),
                yn(o.anl01).into(),
                yn(o.anl02).into(),
                crit.into(),
                rep.response_source.into(),
            ]);
        }
        for p in r.params() {
            let src = p.source.and_then(|i| r.ovr.get(i));
            rows.push(vec![
                r.subject.clone(),
                a.clone(),
                p.paramcd.into(),
                param_label(p.paramcd).into(),
                p.avalc.clone(),
                f(p.aval),
                d(p.date),
                src.and_then(|s| s.date_flag).unwrap_or("").into(),
                src.and_then(|s| s.visit.clone()).unwrap_or_default(),
                src.map(|s| s.date_text.clone()).unwrap_or_default(),
                src.map(|s| s.seq.to_string()).unwrap_or_default(),
                "Y".into(),
                String::new(),
                crit.into(),
                rep.response_source.into(),
            ]);
        }
    }
    write(
        &[
            "USUBJID", "ARM", "PARAMCD", "PARAM", "AVALC", "AVAL", "ADT", "ADTF", "VISIT",
            "SRCDTC", "SRCSEQ", "ANL01FL", "ANL02FL", "CRITERIA", "SOURCE",
        ],
        rows,
    )
}

/// `adtte.csv`.
pub fn adtte_csv(rep: &ResponseReport) -> Result<String, String> {
    let rows = rep
        .tte
        .iter()
        .map(|t| {
            vec![
                t.subject.clone(),
                t.arm.clone().unwrap_or_default(),
                t.paramcd.into(),
                tte_label(t.paramcd).into(),
                t.start.to_string(),
                t.adt.to_string(),
                t.aval.to_string(),
                t.cnsr.to_string(),
                t.evntdesc.clone(),
                t.srcdom.into(),
                t.srcvar.into(),
                t.censor_reason.unwrap_or_default().into(),
            ]
        })
        .collect();
    write(
        &[
            "USUBJID", "ARM", "PARAMCD", "PARAM", "STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC",
            "SRCDOM", "SRCVAR", "CNSRRSN",
        ],
        rows,
    )
}

/// `adtr.csv` (PARAMCD SDIAM, investigator target lesions).
pub fn adtr_csv(rep: &ResponseReport) -> Result<String, String> {
    let rows = rep
        .adtr
        .iter()
        .map(|r| {
            vec![
                r.subject.clone(),
                r.arm.clone().unwrap_or_default(),
                "SDIAM".into(),
                "Target Lesions Sum of Diameters".into(),
                r.visit.clone().unwrap_or_default(),
                r.date_text.clone(),
                r.adt.to_string(),
                r.adtf.unwrap_or("").into(),
                r.ady.map(|x| x.to_string()).unwrap_or_default(),
                trim_float(r.aval.0),
                f(r.base.map(|b| b.0)),
                f(r.chg),
                f(r.pchg),
                f(r.nadir.map(|n| n.0)),
                f(r.chgnad),
                f(r.pchgnad),
                yn(r.ablfl).into(),
                yn(r.anl01fl).into(),
                r.lsexp.clone(),
                r.lsass.clone(),
            ]
        })
        .collect();
    write(
        &[
            "USUBJID", "ARM", "PARAMCD", "PARAM", "VISIT", "TRDTC", "ADT", "ADTF", "ADY", "AVAL",
            "BASE", "CHG", "PCHG", "NADIR", "CHGNAD", "PCHGNAD", "ABLFL", "ANL01FL", "LSEXP",
            "LSASS",
        ],
        rows,
    )
}

/// `timepoints.csv`.
pub fn timepoints_csv(rep: &ResponseReport) -> Result<String, String> {
    let code = |r: Option<super::Response>| r.map(|x| x.code().to_string()).unwrap_or_default();
    let rows = rep
        .timepoints
        .iter()
        .map(|t| {
            vec![
                t.subject.clone(),
                t.evaluator.clone(),
                t.visit.clone().unwrap_or_default(),
                t.date_text.clone(),
                t.date.to_string(),
                yn(t.baseline).into(),
                code(t.target),
                code(t.non_target),
                format!("{:?}", t.new_lesions).to_ascii_uppercase(),
                code(t.overall),
                f(t.sum.map(|s| s.0)),
                yn(t.complete).into(),
                f(t.baseline_sum.map(|s| s.0)),
                f(t.nadir.map(|s| s.0)),
                f(t.pct_change_baseline),
                f(t.pct_change_nadir),
                yn(t.intrahepatic_progression).into(),
                t.notes.join("; "),
            ]
        })
        .collect();
    write(
        &[
            "USUBJID",
            "EVALUATOR",
            "VISIT",
            "DTC",
            "DATE",
            "BASELINE",
            "TARGET",
            "NONTARGET",
            "NEWLESIONS",
            "OVERALL",
            "SUM",
            "COMPLETE",
            "BASESUM",
            "NADIR",
            "PCHG",
            "PCHGNAD",
            "INTRAHEPATIC_PD",
            "NOTES",
        ],
        rows,
    )
}
