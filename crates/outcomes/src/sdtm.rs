//! Reading CDISC SDTM domains stored as CSV (one file per domain, a header line with the
//! SDTM variable names; empty field = missing). Used by the tumour-response pipeline
//! ([`crate::response`]) and the safety tables ([`crate::safety`]): [`Table`] is the CSV reader,
//! [`find_domain`] the file lookup and [`exposure`] the EX derivation of both.
//!
//! Files are found in a directory by domain: `<dom>.csv` (case-insensitive), otherwise the
//! single `<dom>_*.csv`; when several match, the one naming RECIST (and not iRECIST) is used,
//! e.g. `rs_onco_recist.csv` over `rs_onco_irecist.csv` (a warning names the choice).
//!
//! Derived subject-level variables follow admiral's `ad_adsl.R` (NOTES.md "How SDTM links to
//! ADaM"):
//! - `ARM` from DM; `RANDDT` = DS `DSSTDTC` of `DSDECOD = RANDOMIZED` (complete dates only);
//! - `TRTSDT`/`TRTEDT` = first EX start / last EX end with `EXDOSE > 0`, or dose 0 of a placebo
//!   (`EXTRT` contains PLACEBO) (complete dates only) — [`exposure`], shared with
//!   [`crate::safety`];
//! - `DTHDT` = DM `DTHDTC`, imputed by [`DateRules::death`] (first day/month by default);
//! - `LSTALVDT` = the latest of AE start and end dates (imputed by [`DateRules::other`]), LB
//!   dates (complete only) and TRTEDT — AE and LB are optional files;
//! - measurable disease (ADRS MDIS) = an investigator TU `TARGET` lesion at screening/baseline.
//!
//! Tumour data: RS `OVRLRESP` records (all evaluators), TU lesion identification (category,
//! location; `LYMPH NODE` locations are nodal) and TR measurements: `LDIAM` (longest
//! diameter), `LPERP` (short axis of nodes), `TUMSTATE` (PRESENT / ABSENT / UNEQUIVOCAL
//! PROGRESSION / NOT EVALUABLE) and, a trialmatch convention for mRECIST, `VIABDIAM` (viable
//! enhancing diameter).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::response::dates::{impute, DateRules, Imputation};
use crate::response::lesions::{
    organ_is_nodal, BaselineMark, LesionCategory, LesionRecord, LesionStatus, SubjectInfo,
    INVESTIGATOR,
};
use crate::response::Millimetres;
use serde::{Deserialize, Serialize};
use tm_model::date::Date;

/// One SDTM domain (or any CSV with a header line) held in memory — the one CSV table reader of
/// the outcome modules ([`crate::safety`] uses it too). Headers keep their spelling (a BOM and
/// surrounding blanks removed) and are looked up case-insensitively; every cell is trimmed; rows
/// may have fewer or more fields than the header (a missing field reads as "").
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Where the table came from (a path, or "" for text parsed with [`Table::parse`]).
    pub file: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads a CSV file; errors name the file.
    pub fn read(path: &Path) -> Result<Table, String> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| format!("{file}: {e}"))?;
        let text = String::from_utf8_lossy(&bytes);
        Table::parse_named(&text, &file)
    }

    /// Parses CSV text (header line required).
    pub fn parse(text: &str) -> Result<Table, String> {
        Table::parse_inner(text, "").map_err(|e| e.to_string())
    }

    /// Parses CSV text; errors and [`Table::file`] name `file`.
    pub fn parse_named(text: &str, file: &str) -> Result<Table, String> {
        Table::parse_inner(text, file).map_err(|e| format!("{file}: {e}"))
    }

    fn parse_inner(text: &str, file: &str) -> Result<Table, csv::Error> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let mut rows = Vec::new();
        for r in rdr.records() {
            rows.push(r?.iter().map(|c| c.trim().to_string()).collect());
        }
        Ok(Table {
            file: file.to_string(),
            headers,
            rows,
        })
    }

    /// Index of a column (case-insensitive).
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// Index of a required column; the error names `what` (e.g. the domain).
    pub fn need(&self, name: &str, what: &str) -> Result<usize, String> {
        self.col(name)
            .ok_or_else(|| format!("{what}: missing column {name}"))
    }

    /// Checks that every column of `names` exists.
    pub fn require(&self, names: &[&str]) -> Result<(), String> {
        for n in names {
            if self.col(n).is_none() {
                return Err(format!("{}: column {n} not found", self.file));
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The value of `name` in row `i` ("" when the column or the field is absent).
    pub fn get(&self, i: usize, name: &str) -> &str {
        self.rows
            .get(i)
            .map_or("", |r| Table::cell(r, self.col(name)))
    }

    /// The value in column `col` of `row` ("" when `col` is `None` or the field is absent).
    pub fn cell(row: &[String], col: Option<usize>) -> &str {
        col.and_then(|c| row.get(c)).map_or("", String::as_str)
    }

    /// A table built in memory (a derived dataset to be written with [`Table::to_csv`]).
    pub fn new(headers: Vec<String>, rows: Vec<Vec<String>>) -> Table {
        Table {
            file: String::new(),
            headers,
            rows,
        }
    }

    /// Whether column `name` exists (case-insensitive).
    pub fn has(&self, name: &str) -> bool {
        self.col(name).is_some()
    }

    /// The value of column `name` in `row`; `None` when the column is absent or the cell is
    /// empty or `NA` (R's missing value; pharmaverse NOTES.md: "Empty field = R NA").
    pub fn field<'a>(&self, row: &'a [String], name: &str) -> Option<&'a str> {
        let v = Table::cell(row, self.col(name));
        (!v.is_empty() && v != "NA").then_some(v)
    }

    /// [`Table::field`] or "".
    pub fn text<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.field(row, name).unwrap_or("")
    }

    /// A finite numeric [`Table::field`].
    pub fn num(&self, row: &[String], name: &str) -> Option<f64> {
        self.field(row, name).and_then(parse_num)
    }

    /// The table as CSV text ([`write_csv`]).
    pub fn to_csv(&self) -> Result<String, String> {
        write_csv(&self.headers, &self.rows)
    }
}

/// A CSV data row that was not used, with its 1-based line number in the file and the reason —
/// the skipped-row record of every CSV reader of the outcome modules (survival, QLQ-C30,
/// dosimetry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    pub line: u64,
    pub reason: String,
}

impl SkippedRow {
    /// The error when a CSV gave no usable row: "SOURCE: no data rows (only a header line)",
    /// or "SOURCE: no usable rows (N skipped; line L: reason)" naming the first skipped row.
    pub fn no_usable_rows(source: &str, rows: &[SkippedRow]) -> String {
        match rows.first() {
            None => format!("{source}: no data rows (only a header line)"),
            Some(s) => format!(
                "{source}: no usable rows ({} skipped; line {}: {})",
                rows.len(),
                s.line,
                s.reason
            ),
        }
    }

    /// "\nN row(s) skipped; line L: reason\n" naming the first one ("" when none).
    pub fn summary(rows: &[SkippedRow]) -> String {
        match rows.first() {
            None => String::new(),
            Some(s) => format!(
                "\n{} row(s) skipped; line {}: {}\n",
                rows.len(),
                s.line,
                s.reason
            ),
        }
    }
}

/// CSV text of a header line and rows (RFC 4180 quoting) — the one CSV writer of the outcome
/// modules' ADaM-like datasets.
pub fn write_csv<H: AsRef<str>>(header: &[H], rows: &[Vec<String>]) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header.iter().map(|h| h.as_ref()))
        .map_err(|e| e.to_string())?;
    for r in rows {
        w.write_record(r).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// Finds the file of a domain in `dir` (see the module docs).
pub fn find_domain(dir: &Path, dom: &str, warnings: &mut Vec<String>) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut cands: Vec<(String, PathBuf)> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_ascii_lowercase();
        if !name.ends_with(".csv") {
            continue;
        }
        let stem = name.trim_end_matches(".csv").to_string();
        if stem == dom {
            return Some(e.path());
        }
        if stem.starts_with(&format!("{dom}_")) && !stem.starts_with("supp") {
            cands.push((stem, e.path()));
        }
    }
    cands.sort();
    if cands.len() > 1 {
        let recist: Vec<&(String, PathBuf)> = cands
            .iter()
            .filter(|(s, _)| s.contains("recist") && !s.contains("irecist"))
            .collect();
        let chosen = recist.first().copied().unwrap_or(&cands[0]);
        warnings.push(format!(
            "{} files for domain {}: using {} ({})",
            cands.len(),
            dom.to_ascii_uppercase(),
            chosen.1.display(),
            cands
                .iter()
                .map(|c| c.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Some(chosen.1.clone());
    }
    cands.pop().map(|c| c.1)
}

/// One RS record (any test; the pipeline uses `OVRLRESP`).
#[derive(Debug, Clone, PartialEq)]
pub struct RsRecord {
    pub subject: String,
    pub evaluator: String,
    pub testcd: String,
    pub result: String,
    pub visit: Option<String>,
    pub visitnum: Option<f64>,
    pub dtc: String,
    pub seq: i64,
}

/// What was read from an SDTM directory.
#[derive(Debug, Clone, Default)]
pub struct SdtmStudy {
    pub subjects: Vec<SubjectInfo>,
    pub rs: Vec<RsRecord>,
    pub lesions: Vec<LesionRecord>,
    pub files: Vec<String>,
    pub warnings: Vec<String>,
    /// (subject, evaluator) pairs with a target lesion identified at screening/baseline.
    pub measurable: BTreeSet<(String, String)>,
    /// What was read, used and skipped.
    pub usage: SdtmUsage,
    /// RS records of an iRECIST file (`rs*irecist*.csv`), compared with derived iRECIST.
    pub rs_irecist: Vec<RsRecord>,
}

/// What the SDTM reader used and skipped of TU, TR and RS (the `input_usage.sdtm` object of
/// the `response` JSON, docs/contracts.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SdtmUsage {
    /// The `--evaluator` restriction (upper case), if any.
    pub evaluator_filter: Option<String>,
    /// Every evaluator seen in TU/TR/RS (`INVESTIGATOR`, `INDEPENDENT ASSESSOR RADIOLOGIST 1` …).
    pub evaluators: Vec<String>,
    pub tu_rows: usize,
    pub tu_rows_used: usize,
    pub tu_rows_other_evaluator: usize,
    pub tr_rows: usize,
    /// TR rows that became part of a lesion measurement.
    pub tr_rows_used: usize,
    /// Summary records by TRTESTCD (`SUMDIAM`, percent changes, nadir, or any row without
    /// TRLNKID): not lesions, never used.
    pub tr_summary_rows: BTreeMap<String, usize>,
    /// Rows of tests the response rules do not use, by TRTESTCD.
    pub tr_unknown_tests: BTreeMap<String, usize>,
    pub tr_rows_other_evaluator: usize,
    /// Rows whose lesion has no TU record (of any evaluator) and no TRGRPID category.
    pub tr_rows_without_lesion: usize,
    /// Rows whose TRLNKID was found only in another evaluator's TU records.
    pub tr_rows_linked_across_evaluators: usize,
    pub rs_rows: usize,
    pub rs_rows_other_evaluator: usize,
}

impl SdtmUsage {
    fn saw(&mut self, ev: &str) {
        if !self.evaluators.iter().any(|e| e == ev) {
            self.evaluators.push(ev.to_string());
        }
    }

    fn keeps(&self, ev: &str) -> bool {
        self.evaluator_filter
            .as_deref()
            .is_none_or(|f| evaluator_matches(ev, f))
    }
}

/// Whether an evaluator key ([`evaluator_key`]) is the one asked for: equal (case-insensitive)
/// to the key, to its `--EVAL` part alone when that has one evaluator, or to its `--EVALID`
/// part (`RADIOLOGIST 1`).
pub fn evaluator_matches(key: &str, wanted: &str) -> bool {
    let k = key.trim().to_ascii_uppercase();
    let w = wanted.trim().to_ascii_uppercase();
    !w.is_empty() && (k == w || k.ends_with(&format!(" {w}")))
}

/// TR test codes that summarise an assessment rather than measure a lesion (SDTM CT for
/// TRTESTCD: sums of diameters, absolute/percent changes from baseline or nadir, the nadir).
pub fn is_summary_test(testcd: &str) -> bool {
    let t = testcd.trim().to_ascii_uppercase();
    t.starts_with("SUM")
        || t.starts_with("NADIR")
        || matches!(
            t.as_str(),
            "PCBSD" | "PCNSD" | "ACBSD" | "ACNSD" | "CHBSD" | "CHNSD" | "PCHGBL" | "PCHGNAD"
        )
}

#[derive(Clone, Copy)]
enum TrMeasure {
    Longest,
    Short,
    Diameter,
    Viable,
    State,
}

/// Whether a CM/PR category or class names an anticancer therapy (`ANTI-CANCER`,
/// `ANTINEOPLASTIC`, `ANTITUMOR`, `SUBSEQUENT … THERAPY`) that is not a prior one.
fn is_anticancer_category(text: &str) -> bool {
    let t: String = text
        .to_ascii_uppercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    !t.contains("PRIOR")
        && (t.contains("ANTICANCER")
            || t.contains("ANTINEOPLAST")
            || t.contains("ANTITUMO")
            || t.contains("SUBSEQUENT"))
}

/// Finds the first new anticancer therapy per subject (FDA 2018 / EMA PFS censoring; see
/// [`crate::response::endpoints`]):
/// - CM / PR records whose `--CAT`, `--SCAT` or `CMCLAS` names an anticancer therapy
///   ([`is_anticancer_category`]) starting after treatment start (TRTSDT; RANDDT without
///   exposure);
/// - EX records whose `EXCAT`/`EXSCAT` says `SUBSEQUENT` or `NEW` anticancer therapy (the study
///   treatment itself never counts), after the same reference;
/// - an ADaM-like date: `NACTDT` in `adsl.csv`, `adnact.csv` or `nact.csv` (or `ASTDT` in
///   `adnact.csv`), taken as given.
///
/// Partial start dates are imputed by [`DateRules::other`] (first day: the earlier, more
/// conservative censoring). The earliest date wins; its source is kept.
fn new_therapy(
    dir: &Path,
    rules: &DateRules,
    subjects: &mut BTreeMap<String, SubjectInfo>,
    study: &mut SdtmStudy,
    ex: Option<&Table>,
) {
    let mut found: Vec<(String, Date, String)> = Vec::new();
    let mut scan = |t: &Table, dom: &str, cats: &[&str], only_new: bool| {
        let stcol = format!("{dom}STDTC");
        let trtcol = format!("{dom}TRT");
        for (i, r) in t.rows.iter().enumerate() {
            let cat = cats
                .iter()
                .map(|c| t.text(r, c))
                .collect::<Vec<_>>()
                .join(" ");
            let ok = if only_new {
                let u = cat.to_ascii_uppercase();
                u.contains("SUBSEQUENT") || (u.contains("NEW") && is_anticancer_category(&cat))
            } else {
                is_anticancer_category(&cat)
            };
            if !ok {
                continue;
            }
            let Some(d) = impute(t.text(r, &stcol), rules.other) else {
                continue;
            };
            found.push((
                t.text(r, "USUBJID").to_string(),
                d.date,
                format!("{} line {}: {}", t.file, i + 2, t.text(r, &trtcol)),
            ));
        }
    };
    for (dom, cats) in [
        ("cm", &["CMCAT", "CMSCAT", "CMCLAS"][..]),
        ("pr", &["PRCAT", "PRSCAT"][..]),
    ] {
        if let Some(p) = find_domain(dir, dom, &mut study.warnings) {
            match Table::read(&p) {
                Ok(t) => {
                    study.files.push(p.display().to_string());
                    scan(&t, &dom.to_ascii_uppercase(), cats, false);
                }
                Err(e) => study.warnings.push(e),
            }
        }
    }
    if let Some(ex) = ex {
        scan(ex, "EX", &["EXCAT", "EXSCAT"], true);
    }
    // ADaM-like inputs: dates as given.
    for name in ["adsl.csv", "adnact.csv", "nact.csv"] {
        let p = dir.join(name);
        let Ok(t) = Table::read(&p) else {
            continue;
        };
        let col = if t.has("NACTDT") {
            "NACTDT"
        } else if name != "adsl.csv" && t.has("ASTDT") {
            "ASTDT"
        } else {
            continue;
        };
        study.files.push(p.display().to_string());
        for (i, r) in t.rows.iter().enumerate() {
            if let Some(d) = complete_date(t.text(r, col)) {
                found.push((
                    t.text(r, "USUBJID").to_string(),
                    d,
                    format!("{} line {}: {col}", t.file, i + 2),
                ));
            }
        }
    }
    for (id, d, src) in found {
        let Some(s) = subjects.get_mut(&id) else {
            continue;
        };
        // CM/PR/EX evidence must start after treatment start (randomisation without EX);
        // ADaM-like dates are taken as derived.
        let adam = src.contains("NACTDT") || src.contains("ASTDT");
        let after = s.treatment_start.or(s.randomization);
        if !adam && after.is_none_or(|a| d <= a) {
            continue;
        }
        if s.new_therapy.is_none_or(|x| d < x) {
            s.new_therapy = Some(d);
            s.new_therapy_source = Some(src);
        }
    }
}

/// `INVESTIGATOR`, or the evaluator and its id (`INDEPENDENT ASSESSOR RADIOLOGIST 1`).
pub fn evaluator_key(eval: &str, evalid: &str) -> String {
    let e = eval.trim().to_ascii_uppercase();
    let e = if e.is_empty() {
        INVESTIGATOR.to_string()
    } else {
        e
    };
    if e == INVESTIGATOR || evalid.trim().is_empty() {
        e
    } else {
        format!("{e} {}", evalid.trim().to_ascii_uppercase())
    }
}

fn complete_date(s: &str) -> Option<Date> {
    impute(s, Imputation::NONE).map(|d| d.date)
}

fn parse_num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Treatment start and end of one subject (ADSL `TRTSDT` / `TRTEDT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    pub trtsdt: Option<Date>,
    pub trtedt: Option<Date>,
}

/// Whether an EX record is a dose (admiral `ad_adsl.R` filter): `EXDOSE > 0`, or `EXDOSE = 0`
/// with `EXTRT` containing PLACEBO. When EX has no EXDOSE column at all every record counts as a
/// dose (a trialmatch convention for minimal EX extracts; admiral requires the column).
pub fn is_dose_record(exdose: Option<&str>, extrt: &str) -> bool {
    let Some(text) = exdose else {
        return true;
    };
    let placebo = extrt.to_ascii_uppercase().contains("PLACEBO");
    match parse_num(text) {
        Some(d) => d > 0.0 || (d == 0.0 && placebo),
        None => false,
    }
}

/// `TRTSDT` / `TRTEDT` per subject from EX — the one exposure rule of the outcome modules
/// (response pipeline, safety, report), following admiral `ad_adsl.R` (NOTES.md "How SDTM links
/// to ADaM"):
/// - only dose records count ([`is_dose_record`]);
/// - `TRTSDT` = the earliest complete `EXSTDTC`, `TRTEDT` = the latest complete `EXENDTC`
///   (a time part is ignored; partial dates are not imputed, as admiral's `derive_vars_dtm`
///   with the default `highest_imputation = "h"`);
/// - a record without a complete `EXENDTC` does not give `TRTEDT` (no fallback to its start
///   date): this reproduces pharmaverse ADSL `TRTEDT` for all subjects, including the six whose
///   last EX record has no end date.
///
/// Every subject with a dose record gets an entry (dates `None` when none is complete).
/// Errors when EX lacks USUBJID or EXSTDTC.
pub fn exposure(ex: &Table) -> Result<HashMap<String, Exposure>, String> {
    exposure_checked(ex).map(|(e, _)| e)
}

/// [`exposure`] and the EX rows it could not read, each with its line (header = line 1) and
/// reason: an `EXDOSE` that is not a number (the record is then not a dose, as admiral's
/// `EXDOSE > 0` filter on NA), an `EXSTDTC`/`EXENDTC` that is not an ISO 8601 date (partial
/// dates are valid and simply give no date), a record without USUBJID.
pub fn exposure_checked(
    ex: &Table,
) -> Result<(HashMap<String, Exposure>, Vec<SkippedRow>), String> {
    let mut skipped = Vec::new();
    {
        let cu = ex.col("USUBJID");
        let cd = ex.col("EXDOSE");
        for (i, r) in ex.rows.iter().enumerate() {
            let line = i as u64 + 2;
            let mut why: Vec<String> = Vec::new();
            if Table::cell(r, cu).is_empty() {
                why.push("no USUBJID".into());
            }
            if let Some(c) = cd {
                let d = Table::cell(r, Some(c));
                if !d.is_empty() && d != "NA" && parse_num(d).is_none() {
                    why.push(format!(
                        "EXDOSE {d:?} is not a number: the record is not counted as a dose"
                    ));
                }
            }
            for col in ["EXSTDTC", "EXENDTC"] {
                let v = ex.get(i, col);
                if !v.is_empty() && v != "NA" && impute(v, ANY_PARTIAL).is_none() {
                    why.push(format!(
                        "{col} {v:?} is not an ISO 8601 date: no treatment date from this record"
                    ));
                }
            }
            if !why.is_empty() {
                skipped.push(SkippedRow {
                    line,
                    reason: why.join("; "),
                });
            }
        }
    }
    Ok((exposure_inner(ex)?, skipped))
}

/// Accepts any ISO 8601 date, partial ones included (the readability check of EX dates).
const ANY_PARTIAL: Imputation = Imputation {
    highest: crate::response::dates::Highest::Month,
    side: crate::response::dates::Side::First,
};

fn exposure_inner(ex: &Table) -> Result<HashMap<String, Exposure>, String> {
    let cu = ex.need("USUBJID", "EX")?;
    let cs = ex.need("EXSTDTC", "EX")?;
    let ce = ex.col("EXENDTC");
    let cd = ex.col("EXDOSE");
    let ct = ex.col("EXTRT");
    let mut out: HashMap<String, Exposure> = HashMap::new();
    for r in &ex.rows {
        let id = Table::cell(r, Some(cu));
        let dose = cd.map(|c| Table::cell(r, Some(c)));
        if id.is_empty() || !is_dose_record(dose, Table::cell(r, ct)) {
            continue;
        }
        let e = out.entry(id.to_string()).or_insert(Exposure {
            trtsdt: None,
            trtedt: None,
        });
        if let Some(s) = complete_date(Table::cell(r, Some(cs))) {
            e.trtsdt = Some(e.trtsdt.map_or(s, |x| x.min(s)));
        }
        if let Some(en) = complete_date(Table::cell(r, ce)) {
            e.trtedt = Some(e.trtedt.map_or(en, |x| x.max(en)));
        }
    }
    Ok(out)
}

/// Reads DM (required), DS, EX, AE, LB, RS, TU and TR from a directory. `evaluator`, when
/// given, keeps only the TU/TR/RS rows of that evaluator ([`evaluator_matches`]).
pub fn read_sdtm_dir(
    dir: &Path,
    rules: &DateRules,
    evaluator: Option<&str>,
) -> Result<SdtmStudy, String> {
    let mut study = SdtmStudy::default();
    let mut usage = SdtmUsage {
        evaluator_filter: evaluator.map(|e| e.trim().to_ascii_uppercase()),
        ..Default::default()
    };
    let mut measurable: BTreeSet<(String, String)> = BTreeSet::new();
    let load = |dom: &str, study: &mut SdtmStudy| -> Result<Option<Table>, String> {
        match find_domain(dir, dom, &mut study.warnings) {
            Some(p) => {
                let t = Table::read(&p)?;
                study.files.push(p.display().to_string());
                Ok(Some(t))
            }
            None => Ok(None),
        }
    };
    let dm = load("dm", &mut study)?
        .ok_or_else(|| format!("{}: no dm.csv (DM is required)", dir.display()))?;
    dm.require(&["USUBJID"])?;
    let ds = load("ds", &mut study)?;
    let ex = load("ex", &mut study)?;
    let ae = load("ae", &mut study)?;
    let lb = load("lb", &mut study)?;
    let rs = load("rs", &mut study)?;
    let tu = load("tu", &mut study)?;
    let tr = load("tr", &mut study)?;
    if rs.is_none() && tr.is_none() {
        return Err(format!(
            "{}: neither RS nor TR found (rs*.csv / tr*.csv): no tumour data",
            dir.display()
        ));
    }

    let mut subjects: BTreeMap<String, SubjectInfo> = BTreeMap::new();
    for i in 0..dm.len() {
        let id = dm.get(i, "USUBJID").to_string();
        if id.is_empty() {
            continue;
        }
        let death = impute(dm.get(i, "DTHDTC"), rules.death);
        let arm = dm.get(i, "ARM");
        subjects.insert(
            id.clone(),
            SubjectInfo {
                subject: id,
                arm: (!arm.is_empty()).then(|| arm.to_string()),
                death: death.map(|d| d.date),
                death_flag: death.and_then(|d| d.flag),
                ..Default::default()
            },
        );
    }
    if let Some(ds) = &ds {
        for i in 0..ds.len() {
            if !ds.get(i, "DSDECOD").eq_ignore_ascii_case("RANDOMIZED") {
                continue;
            }
            if let (Some(s), Some(d)) = (
                subjects.get_mut(ds.get(i, "USUBJID")),
                complete_date(ds.get(i, "DSSTDTC")),
            ) {
                s.randomization = Some(s.randomization.map_or(d, |x| x.min(d)));
            }
        }
    } else {
        study
            .warnings
            .push("no DS file: no randomisation dates, so no OS/PFS records".to_string());
    }
    if let Some(ex) = &ex {
        match exposure(ex) {
            Ok(exp) => {
                for s in subjects.values_mut() {
                    if let Some(e) = exp.get(&s.subject) {
                        s.treatment_start = e.trtsdt;
                        s.treatment_end = e.trtedt;
                    }
                }
            }
            Err(e) => study
                .warnings
                .push(format!("{e}: no treatment dates derived")),
        }
    }
    // Last known alive.
    let mut alive: BTreeMap<String, Date> = BTreeMap::new();
    let mut bump = |id: &str, d: Option<Date>| {
        if let Some(d) = d {
            let e = alive.entry(id.to_string()).or_insert(d);
            if d > *e {
                *e = d;
            }
        }
    };
    if let Some(ae) = &ae {
        for i in 0..ae.len() {
            let id = ae.get(i, "USUBJID");
            bump(
                id,
                impute(ae.get(i, "AESTDTC"), rules.other).map(|d| d.date),
            );
            bump(
                id,
                impute(ae.get(i, "AEENDTC"), rules.other).map(|d| d.date),
            );
        }
    }
    if let Some(lb) = &lb {
        for i in 0..lb.len() {
            bump(lb.get(i, "USUBJID"), complete_date(lb.get(i, "LBDTC")));
        }
    }
    for s in subjects.values_mut() {
        let mut best = s.treatment_end;
        if let Some(d) = alive.get(&s.subject) {
            best = Some(best.map_or(*d, |b| b.max(*d)));
        }
        s.last_alive = best;
    }
    new_therapy(dir, rules, &mut subjects, &mut study, ex.as_ref());
    if ae.is_none() && lb.is_none() {
        study.warnings.push(
            "no AE/LB files: last-known-alive dates come from exposure only (OS censoring)"
                .to_string(),
        );
    }

    if let Some(rs) = &rs {
        rs.require(&["USUBJID", "RSTESTCD", "RSSTRESC", "RSDTC"])?;
        usage.rs_rows = rs.len();
        for i in 0..rs.len() {
            let visit = rs.get(i, "VISIT");
            let ev = evaluator_key(rs.get(i, "RSEVAL"), rs.get(i, "RSEVALID"));
            usage.saw(&ev);
            if !usage.keeps(&ev) {
                usage.rs_rows_other_evaluator += 1;
                continue;
            }
            study.rs.push(RsRecord {
                subject: rs.get(i, "USUBJID").to_string(),
                evaluator: ev,
                testcd: rs.get(i, "RSTESTCD").to_ascii_uppercase(),
                result: rs.get(i, "RSSTRESC").to_string(),
                visit: (!visit.is_empty()).then(|| visit.to_string()),
                visitnum: parse_num(rs.get(i, "VISITNUM")),
                dtc: rs.get(i, "RSDTC").to_string(),
                seq: parse_num(rs.get(i, "RSSEQ")).map_or(i as i64 + 1, |x| x as i64),
            });
        }
    }

    // iRECIST RS (never the RS of the RECIST analysis; find_domain prefers RECIST).
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let n = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                n.starts_with("rs") && n.contains("irecist") && n.ends_with(".csv")
            })
            .collect();
        names.sort();
        if let Some(p) = names.first() {
            let t = Table::read(p)?;
            study.files.push(p.display().to_string());
            for i in 0..t.len() {
                let ev = evaluator_key(t.get(i, "RSEVAL"), t.get(i, "RSEVALID"));
                if !usage.keeps(&ev) {
                    continue;
                }
                let visit = t.get(i, "VISIT");
                study.rs_irecist.push(RsRecord {
                    subject: t.get(i, "USUBJID").to_string(),
                    evaluator: ev,
                    testcd: t.get(i, "RSTESTCD").to_ascii_uppercase(),
                    result: t.get(i, "RSSTRESC").to_string(),
                    visit: (!visit.is_empty()).then(|| visit.to_string()),
                    visitnum: parse_num(t.get(i, "VISITNUM")),
                    dtc: t.get(i, "RSDTC").to_string(),
                    seq: parse_num(t.get(i, "RSSEQ")).map_or(i as i64 + 1, |x| x as i64),
                });
            }
        }
    }

    // TU: lesion identification per (subject, evaluator, lesion id).
    let mut tu_map: BTreeMap<(String, String, String), (LesionCategory, String)> = BTreeMap::new();
    // The same lesion id of any evaluator (TRLNKID ↔ TULNKID across evaluators).
    let mut tu_any: BTreeMap<(String, String), (LesionCategory, String)> = BTreeMap::new();
    if let Some(tu) = &tu {
        tu.require(&["USUBJID", "TULNKID"])?;
        usage.tu_rows = tu.len();
        for i in 0..tu.len() {
            let subj = tu.get(i, "USUBJID").to_string();
            let ev = evaluator_key(tu.get(i, "TUEVAL"), tu.get(i, "TUEVALID"));
            usage.saw(&ev);
            let lnk = tu.get(i, "TULNKID").to_string();
            let cat = LesionCategory::parse(tu.get(i, "TUSTRESC"));
            let loc = tu.get(i, "TULOC").to_string();
            let (Some(cat), false) = (cat, lnk.is_empty()) else {
                continue;
            };
            // Another evaluator's identification still names the lesion for a TR row of the
            // kept evaluator that has no TU row of its own.
            tu_any
                .entry((subj.clone(), lnk.clone()))
                .or_insert_with(|| (cat, loc.clone()));
            if !usage.keeps(&ev) {
                usage.tu_rows_other_evaluator += 1;
                continue;
            }
            usage.tu_rows_used += 1;
            let mark = BaselineMark::from_sdtm(
                tu.get(i, "TUBLFL"),
                tu.get(i, "EPOCH"),
                tu.get(i, "VISIT"),
            );
            let at_baseline = tu.get(i, "VISIT").is_empty() || mark > BaselineMark::None;
            if cat == LesionCategory::Target && at_baseline {
                measurable.insert((subj.clone(), ev.clone()));
            }
            tu_map.insert((subj, ev, lnk), (cat, loc));
        }
    }
    if let Some(tr) = &tr {
        tr.require(&["USUBJID", "TRTESTCD", "TRDTC"])?;
        usage.tr_rows = tr.len();
        let mut merged: BTreeMap<(String, String, String, String, String), LesionRecord> =
            BTreeMap::new();
        for i in 0..tr.len() {
            let subj = tr.get(i, "USUBJID").to_string();
            let ev = evaluator_key(tr.get(i, "TREVAL"), tr.get(i, "TREVALID"));
            usage.saw(&ev);
            if !usage.keeps(&ev) {
                usage.tr_rows_other_evaluator += 1;
                continue;
            }
            let lnk = tr.get(i, "TRLNKID").to_string();
            let testcd = tr.get(i, "TRTESTCD").to_ascii_uppercase();
            if lnk.is_empty() || is_summary_test(&testcd) {
                // Summary records (sum of diameters, changes, nadir) describe the assessment,
                // not a lesion (SDTM IG TR: they carry no TRLNKID).
                let k = if testcd.is_empty() {
                    "(no TRTESTCD)".to_string()
                } else {
                    testcd
                };
                *usage.tr_summary_rows.entry(k).or_default() += 1;
                continue;
            }
            let measure = match testcd.as_str() {
                "LDIAM" | "LONGDIAM" => TrMeasure::Longest,
                "LPERP" | "SAXIS" | "SHORTAX" | "SHORTAXIS" => TrMeasure::Short,
                "DIAMETER" | "DIAM" => TrMeasure::Diameter,
                "VIABDIAM" => TrMeasure::Viable,
                "TUMSTATE" => TrMeasure::State,
                _ => {
                    *usage.tr_unknown_tests.entry(testcd).or_default() += 1;
                    continue;
                }
            };
            let dtc = tr.get(i, "TRDTC").to_string();
            let visitnum = parse_num(tr.get(i, "VISITNUM"));
            let own = tu_map.get(&(subj.clone(), ev.clone(), lnk.clone()));
            let other = tu_any.get(&(subj.clone(), lnk.clone()));
            let (cat, loc) = match (own, other) {
                (Some((c, l)), _) => (*c, l.clone()),
                (None, Some((c, l))) => {
                    usage.tr_rows_linked_across_evaluators += 1;
                    (*c, l.clone())
                }
                (None, None) => match LesionCategory::parse(tr.get(i, "TRGRPID")) {
                    Some(c) => (c, String::new()),
                    None => {
                        usage.tr_rows_without_lesion += 1;
                        study.warnings.push(format!(
                            "{} row {}: lesion {lnk} of {subj} has no TU record or TRGRPID; skipped",
                            tr.file,
                            i + 2
                        ));
                        continue;
                    }
                },
            };
            usage.tr_rows_used += 1;
            let visit = tr.get(i, "VISIT");
            let mark = BaselineMark::from_sdtm(
                if tr.has("TRBLFL") {
                    tr.get(i, "TRBLFL")
                } else {
                    tr.get(i, "TRLOBXFL")
                },
                tr.get(i, "EPOCH"),
                visit,
            );
            let key = (
                subj.clone(),
                ev.clone(),
                visitnum.map(|v| format!("{v}")).unwrap_or_default(),
                dtc.clone(),
                lnk.clone(),
            );
            let rec = merged.entry(key).or_insert_with(|| LesionRecord {
                subject: subj.clone(),
                evaluator: ev.clone(),
                visit: (!visit.is_empty()).then(|| visit.to_string()),
                visitnum,
                date_text: dtc.clone(),
                lesion_id: lnk.clone(),
                category: cat,
                nodal: organ_is_nodal(&loc),
                organ: loc.clone(),
                longest_diameter: None,
                short_axis: None,
                viable_diameter: None,
                status: None,
                baseline_mark: BaselineMark::None,
            });
            rec.baseline_mark = rec.baseline_mark.max(mark);
            let stresc = tr.get(i, "TRSTRESC").to_ascii_uppercase();
            let num = parse_num(tr.get(i, "TRSTRESN")).or_else(|| parse_num(&stresc));
            let mm = num.filter(|x| *x >= 0.0).map(Millimetres);
            let not_done = tr.get(i, "TRSTAT").eq_ignore_ascii_case("NOT DONE");
            let text_status = if stresc.contains("TOO SMALL") {
                Some(LesionStatus::TooSmall)
            } else if stresc.starts_with("NOT") || stresc == "NE" || (mm.is_none() && not_done) {
                Some(LesionStatus::NotEvaluated)
            } else {
                None
            };
            match measure {
                TrMeasure::Longest => {
                    rec.longest_diameter = mm;
                    if mm.is_none() && text_status.is_some() && !rec.nodal {
                        rec.status = text_status;
                    }
                }
                TrMeasure::Short => {
                    rec.short_axis = mm;
                    if mm.is_none() && text_status.is_some() && rec.nodal {
                        rec.status = text_status;
                    }
                }
                // DIAMETER: the lesion's measurement — the short axis of a node, the longest
                // diameter otherwise (a specific LDIAM / LPERP row of the lesion wins).
                TrMeasure::Diameter => {
                    if rec.nodal {
                        rec.short_axis = rec.short_axis.or(mm);
                    } else {
                        rec.longest_diameter = rec.longest_diameter.or(mm);
                    }
                    if mm.is_none() && text_status.is_some() {
                        rec.status = text_status;
                    }
                }
                TrMeasure::Viable => rec.viable_diameter = mm,
                TrMeasure::State => {
                    rec.status = match stresc.as_str() {
                        "ABSENT" => Some(LesionStatus::Absent),
                        "PRESENT" => Some(LesionStatus::Present),
                        s if s.contains("PROGRESSION") => Some(LesionStatus::Progression),
                        s if s.starts_with("NOT") || s == "NE" => Some(LesionStatus::NotEvaluated),
                        "EQUIVOCAL" => Some(LesionStatus::Equivocal),
                        _ => rec.status,
                    }
                }
            }
        }
        study.lesions = merged.into_values().collect();
    }
    study.measurable = measurable;
    study.usage = usage;
    study.subjects = subjects.into_values().collect();
    Ok(study)
}
