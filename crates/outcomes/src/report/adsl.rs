//! The subject-level analysis dataset (`adsl.csv`) the report's participant-flow and baseline
//! tables are computed from. Derived from SDTM DM, DS, EX, AE and LB the way admiral's
//! `ad_adsl.R` template does (../shared/data/pharmaverse/NOTES.md, "How SDTM links to ADaM"):
//!
//! - `RANDFL`/`RANDDT`: DS record with `DSDECOD = RANDOMIZED` (its `DSSTDTC`). When DS has no
//!   RANDOMIZED record for anyone, a subject with an assigned arm (not a screen failure, no
//!   `ARMNRS`) counts as randomised with `RANDDT` = `RFSTDTC`.
//! - `TRTSDT`/`TRTEDT`: [`crate::sdtm::exposure`] (first complete EX start / last complete EX
//!   end of dose records: `EXDOSE > 0`, or a placebo with dose 0). `SAFFL` = Y when the subject
//!   has a dose record.
//! - `EOSSTT`/`EOSDT`/`DCSREAS`: the last DS `DISPOSITION EVENT` — COMPLETED, DISCONTINUED (reason
//!   = its `DSDECOD`) or, for a screen failure, SCREEN FAILURE; ONGOING when there is none.
//! - `DTHDT`: `DTHDTC` with a missing day / month imputed to the first.
//! - `LSTALVDT`: the latest complete date among AE start/end, LB collection and `TRTEDT`.
//! - Baseline disease characteristics `ECOG`, `CHILDPUGH`, `BCLC` (with `*SRC` naming the
//!   SDTM file/test they came from): a DM column of that name, a SUPPDM `QNAM`, or a QS / RS /
//!   SC record whose test code, test name or category contains the name (letters and digits
//!   only, case-insensitive: `ECOG`, `CHILDPUGH`, `BCLC`). The record flagged baseline
//!   (`--BLFL = Y`) wins; else the last one on or before the first dose (or randomisation);
//!   else the earliest. Empty when none of these exist ("not collected" in the report).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use tm_model::date::Date;

use crate::sdtm::{exposure, find_domain, Table};

/// Columns of `adsl.csv`, in order.
pub const ADSL_COLUMNS: [&str; 28] = [
    "STUDYID",
    "USUBJID",
    "SITEID",
    "ARM",
    "ARMCD",
    "ACTARM",
    "ACTARMCD",
    "AGE",
    "AGEU",
    "SEX",
    "RACE",
    "ETHNIC",
    "SCRNFL",
    "RANDFL",
    "RANDDT",
    "SAFFL",
    "TRTSDT",
    "TRTEDT",
    "EOSSTT",
    "EOSDT",
    "DCSREAS",
    "DTHFL",
    "DTHDT",
    "LSTALVDT",
    "ECOG",
    "CHILDPUGH",
    "BCLC",
    "BLSRC",
];

/// Full date of an ISO 8601 `--DTC` (date-times accepted); `None` for partial dates.
pub fn full_date(s: &str) -> Option<Date> {
    Date::parse(s)
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[derive(Debug, Default, Clone)]
struct Subject {
    randdt: Option<Date>,
    randomized_ds: bool,
    screen_fail_ds: bool,
    dosed: bool,
    trtsdt: Option<Date>,
    trtedt: Option<Date>,
    disposition: Option<(Option<Date>, i64, String)>,
    last_alive: Option<Date>,
    baseline: BTreeMap<&'static str, (u8, Option<Date>, String, String)>,
}

fn later(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y > x { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

fn earlier(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y < x { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

const BASELINE_ITEMS: [&str; 3] = ["ECOG", "CHILDPUGH", "BCLC"];

/// Reads the SDTM folder and returns the ADSL table (see the module doc for the rules). Domain
/// files are located with [`find_domain`]; its notes (which of several files was used) are
/// appended to `warnings`.
pub fn derive_adsl(sdtm_dir: &Path, warnings: &mut Vec<String>) -> Result<Table, String> {
    let dm_path = find_domain(sdtm_dir, "dm", warnings)
        .ok_or_else(|| format!("{}: no dm.csv (SDTM DM is required)", sdtm_dir.display()))?;
    let dm = Table::read(&dm_path)?;
    if !dm.has("USUBJID") {
        return Err(format!("{}: no USUBJID column", dm_path.display()));
    }
    let mut read = |name: &str| -> Result<Option<Table>, String> {
        find_domain(sdtm_dir, name, warnings)
            .map(|p| Table::read(&p))
            .transpose()
    };
    let mut subj: HashMap<String, Subject> = HashMap::new();
    let ds = read("ds")?;
    let mut any_randomized = false;
    if let Some(ds) = &ds {
        for r in &ds.rows {
            let Some(id) = ds.field(r, "USUBJID") else {
                continue;
            };
            let s = subj.entry(id.to_string()).or_default();
            let decod = ds.text(r, "DSDECOD").to_ascii_uppercase();
            let date = full_date(ds.text(r, "DSSTDTC"));
            if decod == "RANDOMIZED" {
                s.randomized_ds = true;
                s.randdt = earlier(s.randdt, date);
                any_randomized = true;
            }
            if decod == "SCREEN FAILURE" {
                s.screen_fail_ds = true;
            }
            if ds
                .text(r, "DSCAT")
                .eq_ignore_ascii_case("DISPOSITION EVENT")
            {
                let seq = ds.num(r, "DSSEQ").unwrap_or(0.0) as i64;
                let newer = match &s.disposition {
                    None => true,
                    Some((d, q, _)) => (date, seq) >= (*d, *q),
                };
                if newer {
                    s.disposition = Some((date, seq, decod));
                }
            }
        }
    }
    // Exposure: the shared rule of the outcome modules (crate::sdtm::exposure).
    if let Some(ex) = read("ex")? {
        for (id, e) in exposure(&ex)? {
            let s = subj.entry(id).or_default();
            s.dosed = true;
            s.trtsdt = e.trtsdt;
            s.trtedt = e.trtedt;
        }
    }
    if let Some(ae) = read("ae")? {
        for r in &ae.rows {
            let Some(id) = ae.field(r, "USUBJID") else {
                continue;
            };
            let s = subj.entry(id.to_string()).or_default();
            s.last_alive = later(s.last_alive, full_date(ae.text(r, "AESTDTC")));
            s.last_alive = later(s.last_alive, full_date(ae.text(r, "AEENDTC")));
        }
    }
    if let Some(lb) = read("lb")? {
        for r in &lb.rows {
            let Some(id) = lb.field(r, "USUBJID") else {
                continue;
            };
            let s = subj.entry(id.to_string()).or_default();
            s.last_alive = later(s.last_alive, full_date(lb.text(r, "LBDTC")));
        }
    }
    // Baseline disease characteristics.
    let consider = |s: &mut Subject,
                    item: &'static str,
                    value: &str,
                    date: Option<Date>,
                    bl: bool,
                    src: String| {
        if value.is_empty() {
            return;
        }
        let reference = s.trtsdt.or(s.randdt);
        let rank: u8 = if bl {
            3
        } else if matches!((date, reference), (Some(d), Some(r)) if d <= r) {
            2
        } else {
            1
        };
        let replace = match s.baseline.get(item) {
            None => true,
            Some((r0, d0, _, _)) => {
                rank > *r0
                    || (rank == *r0 && rank == 2 && date > *d0)
                    || (rank == *r0 && rank == 1 && earlier(*d0, date) == date && date != *d0)
            }
        };
        if replace {
            s.baseline
                .insert(item, (rank, date, value.to_string(), src));
        }
    };
    for item in BASELINE_ITEMS {
        if let Some(col) = dm.headers.iter().find(|h| norm(h) == item).cloned() {
            for r in &dm.rows {
                let Some(id) = dm.field(r, "USUBJID") else {
                    continue;
                };
                let v = dm.text(r, &col).to_string();
                let s = subj.entry(id.to_string()).or_default();
                consider(s, item, &v, None, true, format!("dm.{col}"));
            }
        }
    }
    if let Some(supp) = read("suppdm")? {
        for r in &supp.rows {
            let Some(id) = supp.field(r, "USUBJID") else {
                continue;
            };
            let q = norm(supp.text(r, "QNAM"));
            if let Some(item) = BASELINE_ITEMS.iter().find(|i| q.contains(*i)) {
                let s = subj.entry(id.to_string()).or_default();
                let v = supp.text(r, "QVAL").to_string();
                consider(
                    s,
                    item,
                    &v,
                    None,
                    true,
                    format!("suppdm QNAM={}", supp.text(r, "QNAM")),
                );
            }
        }
    }
    for dom in ["qs", "rs", "sc"] {
        let Some(t) = read(dom)? else { continue };
        let p = dom.to_ascii_uppercase();
        for r in &t.rows {
            let Some(id) = t.field(r, "USUBJID") else {
                continue;
            };
            let key = format!(
                "{}|{}|{}",
                norm(t.text(r, &format!("{p}TESTCD"))),
                norm(t.text(r, &format!("{p}TEST"))),
                norm(t.text(r, &format!("{p}CAT")))
            );
            let Some(item) = BASELINE_ITEMS.iter().find(|i| key.contains(*i)) else {
                continue;
            };
            let v = t
                .field(r, &format!("{p}STRESC"))
                .or_else(|| t.field(r, &format!("{p}ORRES")))
                .unwrap_or("")
                .to_string();
            let bl = t.text(r, &format!("{p}BLFL")).eq_ignore_ascii_case("Y");
            let date = full_date(t.text(r, &format!("{p}DTC")));
            let src = format!("{dom} {p}TESTCD={}", t.text(r, &format!("{p}TESTCD")));
            let s = subj.entry(id.to_string()).or_default();
            consider(s, item, &v, date, bl, src);
        }
    }

    let mut rows = Vec::with_capacity(dm.rows.len());
    for r in &dm.rows {
        let Some(id) = dm.field(r, "USUBJID") else {
            continue;
        };
        let s = subj.get(id).cloned().unwrap_or_default();
        let armcd = dm.text(r, "ARMCD");
        let arm = dm.text(r, "ARM");
        let screen_fail = s.screen_fail_ds
            || armcd.eq_ignore_ascii_case("SCRNFAIL")
            || arm.eq_ignore_ascii_case("Screen Failure")
            || dm.text(r, "ARMNRS").eq_ignore_ascii_case("SCREEN FAILURE");
        let assigned = !arm.is_empty() && dm.field(r, "ARMNRS").is_none() && !screen_fail;
        let randomized = if any_randomized {
            s.randomized_ds
        } else {
            assigned
        };
        let randdt = if any_randomized {
            s.randdt
        } else if randomized {
            full_date(dm.text(r, "RFSTDTC"))
        } else {
            None
        };
        let (eosstt, eosdt, dcsreas) = match &s.disposition {
            Some((d, _, decod)) if decod == "COMPLETED" => {
                ("COMPLETED".to_string(), *d, String::new())
            }
            Some((d, _, decod)) if decod == "SCREEN FAILURE" => {
                ("SCREEN FAILURE".to_string(), *d, String::new())
            }
            Some((d, _, decod)) => ("DISCONTINUED".to_string(), *d, decod.clone()),
            None if screen_fail => ("SCREEN FAILURE".to_string(), None, String::new()),
            None => ("ONGOING".to_string(), None, String::new()),
        };
        let dthdt = Date::parse_partial(dm.text(r, "DTHDTC")).map(|(d, _)| d);
        let dthfl = if dm.text(r, "DTHFL").eq_ignore_ascii_case("Y") || dthdt.is_some() {
            "Y"
        } else {
            ""
        };
        let lstalvdt = later(s.last_alive, s.trtedt);
        let d = |x: Option<Date>| x.map(|d| d.to_string()).unwrap_or_default();
        let yn = |b: bool| if b { "Y" } else { "N" }.to_string();
        let bl = |k: &str| s.baseline.get(k).map(|v| v.2.clone()).unwrap_or_default();
        let blsrc: Vec<String> = s
            .baseline
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.3))
            .collect();
        rows.push(vec![
            dm.text(r, "STUDYID").to_string(),
            id.to_string(),
            dm.text(r, "SITEID").to_string(),
            arm.to_string(),
            armcd.to_string(),
            dm.field(r, "ACTARM").unwrap_or(arm).to_string(),
            dm.field(r, "ACTARMCD").unwrap_or(armcd).to_string(),
            dm.text(r, "AGE").to_string(),
            dm.text(r, "AGEU").to_string(),
            dm.text(r, "SEX").to_string(),
            dm.text(r, "RACE").to_string(),
            dm.text(r, "ETHNIC").to_string(),
            "Y".to_string(),
            yn(randomized),
            d(randdt),
            yn(s.dosed),
            d(s.trtsdt),
            d(s.trtedt),
            eosstt,
            d(eosdt),
            dcsreas,
            dthfl.to_string(),
            d(dthdt),
            d(lstalvdt),
            bl("ECOG"),
            bl("CHILDPUGH"),
            bl("BCLC"),
            blsrc.join("; "),
        ]);
    }
    Ok(Table::new(
        ADSL_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows,
    ))
}
