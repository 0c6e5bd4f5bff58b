//! Safety tables from SDTM (DM, EX, AE, LB): treatment-emergent flags, worst grade per subject
//! and term by arm, serious and grade ≥ 3 events reported separately, CTCAE v5 lab grades
//! (clinical-rules.md §4 via [`crate::ctcae`]) and AFP change from baseline.
//!
//! "Severe" is a grade (CTCAE grade 3, or AESEV = SEVERE on the mild/moderate/severe scale);
//! "serious" (AESER = Y) is a regulatory category. They are counted separately. When AE has no
//! AETOXGR column (the pharmaverse CDISC-pilot AE has AESEV only) grade ≥ 3 counts are `null`
//! and the AESEV = SEVERE counts are given instead, labelled as severity, not grade.
//!
//! Treatment-emergent (admiral `derive_var_trtemfl`, end window configurable, default 30 d):
//! TRTSDT = first EXSTDTC with EXDOSE > 0 (or EXDOSE = 0 for placebo), TRTEDT = last EXENDTC —
//! [`crate::sdtm::exposure`], the same derivation the response pipeline uses.
//! AE start dates are imputed like admiral `derive_vars_dt(highest_imputation = "M",
//! date_imputation = "first", min_dates = TRTSDT)`: a missing day/month goes to the first,
//! or to TRTSDT when TRTSDT lies inside the partial date's range; a missing year is not
//! imputed. Then TRTEMFL = Y when TRTSDT is known, the AE did not end before TRTSDT, and the
//! start is missing or TRTSDT ≤ start ≤ TRTEDT + window.
//!
//! SDTM CSVs are read with [`crate::sdtm::Table`] and located with [`crate::sdtm::find_domain`]
//! (comma-separated, header line, ISO 8601 `--DTC`, possibly partial); [`Table`], [`Exposure`]
//! and [`exposure`] are re-exported here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};
use tm_model::{Date, DatePrecision};

use crate::ctcae::{self, LabObservation, LabTerm};
pub use crate::sdtm::{exposure, Exposure, Table};

/// Partial ISO date → (earliest, latest) possible day. `None` when the year is missing.
pub fn date_range(dtc: &str) -> Option<(Date, Date)> {
    let (d, p) = Date::parse_partial(dtc)?;
    let (y, m, _) = d.ymd();
    let last = match p {
        DatePrecision::Day => d,
        DatePrecision::Month => Date::from_ymd(y, m, tm_model::date::days_in_month(y, m))?,
        DatePrecision::Year => Date::from_ymd(y, 12, 31)?,
    };
    Some((d, last))
}

/// admiral start-date imputation (module docs): first of the range, or `min_date` when it
/// falls inside the range.
pub fn impute_start(dtc: &str, min_date: Option<Date>) -> Option<Date> {
    let (lo, hi) = date_range(dtc)?;
    match min_date {
        Some(m) if lo < hi && m >= lo && m <= hi => Some(m),
        _ => Some(lo),
    }
}

/// Options of the safety analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyOptions {
    /// Days after the last dose during which a new AE is still treatment-emergent.
    pub end_window_days: i32,
    /// DM variable defining the arm: `ACTARM` (actual, default) or `ARM` (planned).
    pub arm_variable: String,
}

impl Default for SafetyOptions {
    fn default() -> Self {
        SafetyOptions {
            end_window_days: 30,
            arm_variable: "ACTARM".into(),
        }
    }
}

/// Treatment-emergent flag (admiral `derive_var_trtemfl`, module docs).
pub fn treatment_emergent(
    start: Option<Date>,
    end: Option<Date>,
    exp: Option<&Exposure>,
    end_window_days: i32,
) -> bool {
    let Some(trtsdt) = exp.and_then(|e| e.trtsdt) else {
        return false;
    };
    if end.is_some_and(|e| e < trtsdt) {
        return false;
    }
    match start {
        None => true,
        Some(s) => {
            s >= trtsdt
                && exp
                    .and_then(|e| e.trtedt)
                    .is_none_or(|te| s <= te.add_days(end_window_days))
        }
    }
}

/// One AE record with its derived flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AeRecord {
    pub usubjid: String,
    pub aeseq: String,
    pub term: String,
    pub start: Option<Date>,
    pub teae: bool,
    /// CTCAE grade from AETOXGR when present.
    pub grade: Option<u8>,
    /// AESEV: 1 mild, 2 moderate, 3 severe.
    pub severity: Option<u8>,
    pub serious: bool,
}

fn severity_code(s: &str) -> Option<u8> {
    match s.to_ascii_uppercase().as_str() {
        "MILD" => Some(1),
        "MODERATE" => Some(2),
        "SEVERE" => Some(3),
        _ => None,
    }
}

/// Severity name of an AESEV code.
pub fn severity_name(c: u8) -> &'static str {
    match c {
        1 => "MILD",
        2 => "MODERATE",
        _ => "SEVERE",
    }
}

/// Derives the AE records (flags, grades) from AE and the exposure.
pub fn ae_records(
    ae: &Table,
    exp: &HashMap<String, Exposure>,
    opts: &SafetyOptions,
) -> Result<Vec<AeRecord>, String> {
    let cu = ae.need("USUBJID", "AE")?;
    let cs = ae.col("AESTDTC");
    let ce = ae.col("AEENDTC");
    let cq = ae.col("AESEQ");
    let cdec = ae.col("AEDECOD");
    let cterm = ae.col("AETERM");
    let cg = ae.col("AETOXGR");
    let csev = ae.col("AESEV");
    let cser = ae.col("AESER");
    let mut out = Vec::new();
    for r in &ae.rows {
        let u = Table::cell(r, Some(cu)).to_string();
        let e = exp.get(&u);
        let start = impute_start(Table::cell(r, cs), e.and_then(|e| e.trtsdt));
        let end = date_range(Table::cell(r, ce)).map(|(_, hi)| hi);
        let mut term = Table::cell(r, cdec).to_string();
        if term.is_empty() {
            term = Table::cell(r, cterm).to_string();
        }
        out.push(AeRecord {
            teae: treatment_emergent(start, end, e, opts.end_window_days),
            usubjid: u,
            aeseq: Table::cell(r, cq).to_string(),
            term,
            start,
            grade: Table::cell(r, cg)
                .parse::<u8>()
                .ok()
                .filter(|g| (1..=5).contains(g)),
            severity: severity_code(Table::cell(r, csev)),
            serious: Table::cell(r, cser).eq_ignore_ascii_case("Y"),
        });
    }
    Ok(out)
}

/// Worst grade/severity of one subject's treatment-emergent AEs of one term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectTermWorst {
    pub usubjid: String,
    pub arm: String,
    pub term: String,
    pub worst_grade: Option<u8>,
    pub worst_severity: Option<String>,
    pub serious: bool,
}

/// Per-term row of an arm's table (subject counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermCounts {
    pub term: String,
    pub subjects: usize,
    /// `None` when AE has no AETOXGR.
    pub grade3_plus: Option<usize>,
    pub severe: usize,
    pub serious: usize,
}

/// Lab grade distribution of one term within an arm: subjects by worst post-baseline grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabTermCounts {
    pub term: LabTerm,
    /// Index = grade 0..=4.
    pub worst_grade: [usize; 5],
    pub not_gradable: usize,
    /// Subjects whose worst grade is a lower bound (clinical context could raise it).
    pub clinical_context: usize,
}

/// One arm's safety summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    pub arm: String,
    /// Subjects with a dose in EX.
    pub dosed: usize,
    pub with_teae: usize,
    pub with_serious_teae: usize,
    pub with_grade3_plus_teae: Option<usize>,
    pub with_severe_teae: usize,
    pub terms: Vec<TermCounts>,
    pub lab: Vec<LabTermCounts>,
}

/// One AFP value and its change from baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfpPoint {
    pub visit: String,
    pub date: Option<Date>,
    pub value: f64,
    pub unit: String,
    pub change: Option<f64>,
    pub percent_change: Option<f64>,
}

/// AFP course of one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfpSubject {
    pub usubjid: String,
    pub arm: String,
    pub baseline: Option<f64>,
    pub points: Vec<AfpPoint>,
}

/// AFP section; `present: false` when LB has no AFP rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfpSection {
    pub present: bool,
    pub subjects: Vec<AfpSubject>,
}

/// The `safety` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyReport {
    pub options: SafetyOptions,
    pub grade_source: String,
    pub arms: Vec<ArmSummary>,
    pub worst_by_subject_term: Vec<SubjectTermWorst>,
    pub adverse_events: Vec<AeRecord>,
    pub afp: AfpSection,
    pub notes: Vec<String>,
    /// Input rows that could not be read (EX dose or dates), each `file`, `line`, `reason`;
    /// the CLI prints them on stderr as `file:line: reason`.
    #[serde(default)]
    pub skipped: Vec<crate::response::lesions::Skipped>,
}

/// Maps SDTM standard unit spellings that `tm-units` does not know to UCUM.
fn ucum(unit: &str) -> String {
    match unit.trim() {
        "GI/L" => "10*9/L".into(),
        "TI/L" => "10*12/L".into(),
        "" => "1".into(),
        u => u.to_string(),
    }
}

/// The SDTM input tables (DM, EX and AE required; LB optional).
#[derive(Debug, Clone, Default)]
pub struct SdtmInput {
    pub dm: Table,
    pub ex: Table,
    pub ae: Table,
    pub lb: Option<Table>,
}

impl SdtmInput {
    /// Reads DM, EX, AE (required) and LB (optional) from a directory, each found by
    /// [`crate::sdtm::find_domain`] (`dm.csv`, case-insensitive, else the single `dm_*.csv`).
    /// Several candidate files for one of these domains is an error (which one is meant cannot
    /// be guessed).
    pub fn read_dir(dir: &Path) -> Result<SdtmInput, String> {
        if !dir.is_dir() {
            return Err(format!(
                "{}: not a directory of SDTM CSV files (dm.csv, ex.csv, ae.csv)",
                dir.display()
            ));
        }
        let read = |dom: &str| -> Result<Option<Table>, String> {
            let mut warnings = Vec::new();
            let found = crate::sdtm::find_domain(dir, dom, &mut warnings);
            if !warnings.is_empty() {
                return Err(warnings.join("; "));
            }
            found.map(|p| Table::read(&p)).transpose()
        };
        let req = |dom: &str| -> Result<Table, String> {
            read(dom)?.ok_or_else(|| {
                format!(
                    "{}: no {dom}.csv (SDTM {} is required for the safety tables)",
                    dir.display(),
                    dom.to_ascii_uppercase()
                )
            })
        };
        Ok(SdtmInput {
            dm: req("dm")?,
            ex: req("ex")?,
            ae: req("ae")?,
            lb: read("lb")?,
        })
    }
}

/// One graded LB result (post-baseline, on treatment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradedLab {
    pub usubjid: String,
    pub lbtestcd: String,
    pub visit: String,
    pub grade: ctcae::LabGrade,
}

struct LbCols {
    u: usize,
    test: usize,
    val: Option<usize>,
    unit: Option<usize>,
    lo: Option<usize>,
    hi: Option<usize>,
    bl: Option<usize>,
    visit: Option<usize>,
    dtc: Option<usize>,
}

fn lb_cols(lb: &Table) -> Result<LbCols, String> {
    Ok(LbCols {
        u: lb.need("USUBJID", "LB")?,
        test: lb.need("LBTESTCD", "LB")?,
        val: lb.col("LBSTRESN"),
        unit: lb.col("LBSTRESU"),
        lo: lb.col("LBSTNRLO"),
        hi: lb.col("LBSTNRHI"),
        bl: lb.col("LBBLFL"),
        visit: lb.col("VISIT"),
        dtc: lb.col("LBDTC"),
    })
}

/// Grades every post-baseline LB row (date ≥ TRTSDT, not the baseline record) for the CTCAE
/// terms of its LBTESTCD. Baseline = the LBBLFL = Y record.
pub fn grade_lb(lb: &Table, exp: &HashMap<String, Exposure>) -> Result<Vec<GradedLab>, String> {
    let c = lb_cols(lb)?;
    let num = |r: &[String], col: Option<usize>| Table::cell(r, col).parse::<f64>().ok();
    // baseline: (subject, test) → (value, unit, uln)
    let mut base: HashMap<(String, String), (f64, String, Option<f64>)> = HashMap::new();
    for r in &lb.rows {
        if Table::cell(r, c.bl).eq_ignore_ascii_case("Y") {
            if let Some(v) = num(r, c.val) {
                base.insert(
                    (
                        Table::cell(r, Some(c.u)).to_string(),
                        Table::cell(r, Some(c.test)).to_string(),
                    ),
                    (v, ucum(Table::cell(r, c.unit)), num(r, c.hi)),
                );
            }
        }
    }
    let mut out = Vec::new();
    for r in &lb.rows {
        let test = Table::cell(r, Some(c.test));
        if ctcae::terms_for_lbtestcd(test).is_empty()
            || Table::cell(r, c.bl).eq_ignore_ascii_case("Y")
        {
            continue;
        }
        let u = Table::cell(r, Some(c.u));
        let Some(trtsdt) = exp.get(u).and_then(|e| e.trtsdt) else {
            continue;
        };
        let Some(d) = Date::parse(Table::cell(r, c.dtc)) else {
            continue;
        };
        if d < trtsdt {
            continue;
        }
        let Some(v) = num(r, c.val) else { continue };
        let unit = ucum(Table::cell(r, c.unit));
        let mut obs = LabObservation::new(v, &unit, num(r, c.lo), num(r, c.hi));
        if let Some((bv, bu, buln)) = base.get(&(u.to_string(), test.to_string())) {
            obs.baseline = Some(tm_model::Quantity::new(*bv, bu.clone()));
            obs.baseline_uln = *buln;
        }
        for g in ctcae::grade_lbtestcd(test, &obs) {
            out.push(GradedLab {
                usubjid: u.to_string(),
                lbtestcd: test.to_string(),
                visit: Table::cell(r, c.visit).to_string(),
                grade: g,
            });
        }
    }
    Ok(out)
}

fn is_afp(code: &str, name: &str) -> bool {
    code.eq_ignore_ascii_case("AFP") || name.to_ascii_lowercase().contains("fetoprotein")
}

/// AFP change from baseline by visit (baseline = LBBLFL = Y, else the last value on or
/// before TRTSDT).
pub fn afp(
    lb: &Table,
    exp: &HashMap<String, Exposure>,
    arm: &HashMap<String, String>,
) -> AfpSection {
    let Ok(c) = lb_cols(lb) else {
        return AfpSection {
            present: false,
            subjects: vec![],
        };
    };
    let cname = lb.col("LBTEST");
    // per subject: (date, visit, value, unit, baseline flag)
    type Row = (Option<Date>, String, f64, String, bool);
    let mut by: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for r in &lb.rows {
        if !is_afp(Table::cell(r, Some(c.test)), Table::cell(r, cname)) {
            continue;
        }
        let Ok(v) = Table::cell(r, c.val).parse::<f64>() else {
            continue;
        };
        by.entry(Table::cell(r, Some(c.u)).to_string())
            .or_default()
            .push((
                Date::parse(Table::cell(r, c.dtc)),
                Table::cell(r, c.visit).to_string(),
                v,
                Table::cell(r, c.unit).to_string(),
                Table::cell(r, c.bl).eq_ignore_ascii_case("Y"),
            ));
    }
    let mut subjects = Vec::new();
    for (u, mut rows) in by {
        rows.sort_by_key(|x| x.0);
        let trtsdt = exp.get(&u).and_then(|e| e.trtsdt);
        let bidx = rows.iter().position(|x| x.4).or_else(|| {
            rows.iter()
                .rposition(|x| matches!((x.0, trtsdt), (Some(d), Some(t)) if d <= t))
        });
        let baseline = bidx.map(|i| rows[i].2);
        let points = rows
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != bidx)
            .filter(|(_, x)| matches!((x.0, trtsdt), (Some(d), Some(t)) if d > t) || bidx.is_none())
            .map(|(_, x)| AfpPoint {
                visit: x.1.clone(),
                date: x.0,
                value: x.2,
                unit: x.3.clone(),
                change: baseline.map(|b| x.2 - b),
                percent_change: baseline
                    .filter(|b| *b != 0.0)
                    .map(|b| (x.2 - b) / b * 100.0),
            })
            .collect();
        subjects.push(AfpSubject {
            arm: arm.get(&u).cloned().unwrap_or_default(),
            usubjid: u,
            baseline,
            points,
        });
    }
    AfpSection {
        present: !subjects.is_empty(),
        subjects,
    }
}

/// Builds the full safety report.
pub fn analyze(input: &SdtmInput, opts: &SafetyOptions) -> Result<SafetyReport, String> {
    let (exp, ex_skipped) = crate::sdtm::exposure_checked(&input.ex)?;
    let ex_file = if input.ex.file.is_empty() {
        "ex.csv".to_string()
    } else {
        input.ex.file.clone()
    };
    let skipped: Vec<crate::response::lesions::Skipped> = ex_skipped
        .into_iter()
        .map(|s| crate::response::lesions::Skipped {
            file: ex_file.clone(),
            line: s.line,
            reason: s.reason,
        })
        .collect();
    if !input.ex.is_empty() && exp.values().all(|e| e.trtsdt.is_none()) {
        return Err(format!(
            "{ex_file}: no usable dose record ({} EX rows, {} unreadable{}): no dosed subject",
            input.ex.len(),
            skipped.len(),
            skipped
                .first()
                .map(|s| format!("; line {}: {}", s.line, s.reason))
                .unwrap_or_default()
        ));
    }
    let cu = input.dm.need("USUBJID", "DM")?;
    let ca = input.dm.need(&opts.arm_variable, "DM")?;
    let arm_of: HashMap<String, String> = input
        .dm
        .rows
        .iter()
        .map(|r| {
            (
                Table::cell(r, Some(cu)).to_string(),
                Table::cell(r, Some(ca)).to_string(),
            )
        })
        .collect();
    let aes = ae_records(&input.ae, &exp, opts)?;
    let has_grade = input.ae.col("AETOXGR").is_some();
    let mut notes = Vec::new();
    if !has_grade {
        notes.push(
            "AE has no AETOXGR: grade ≥ 3 counts are not available; AESEV = SEVERE counts \
             (severity, not CTCAE grade) are given instead"
                .to_string(),
        );
    }
    if !skipped.is_empty() {
        notes.push(format!(
            "{} EX row(s) unreadable (listed in skipped; first: line {}: {}); dosed counts use the readable records only",
            skipped.len(),
            skipped[0].line,
            skipped[0].reason
        ));
    }
    // dosed subjects per arm
    let mut arms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (u, e) in &exp {
        if e.trtsdt.is_some() {
            arms.entry(
                arm_of
                    .get(u)
                    .cloned()
                    .unwrap_or_else(|| "(no DM arm)".into()),
            )
            .or_default()
            .insert(u.clone());
        }
    }
    // worst per subject & term
    let mut worst: BTreeMap<(String, String), SubjectTermWorst> = BTreeMap::new();
    for a in aes.iter().filter(|a| a.teae) {
        let w = worst
            .entry((a.usubjid.clone(), a.term.clone()))
            .or_insert_with(|| SubjectTermWorst {
                usubjid: a.usubjid.clone(),
                arm: arm_of.get(&a.usubjid).cloned().unwrap_or_default(),
                term: a.term.clone(),
                worst_grade: None,
                worst_severity: None,
                serious: false,
            });
        w.worst_grade = w.worst_grade.max(a.grade);
        let cur = w.worst_severity.as_deref().and_then(severity_code);
        if let Some(s) = cur.max(a.severity) {
            w.worst_severity = Some(severity_name(s).to_string());
        }
        w.serious |= a.serious;
    }
    let graded = match &input.lb {
        Some(lb) => grade_lb(lb, &exp)?,
        None => {
            notes.push("no lb.csv: lab grades not computed".into());
            vec![]
        }
    };
    // lab worst per (subject, term)
    let mut lab_worst: BTreeMap<(String, LabTerm), (Option<u8>, bool, bool)> = BTreeMap::new();
    for g in &graded {
        let e = lab_worst
            .entry((g.usubjid.clone(), g.grade.term))
            .or_insert((None, false, false));
        match g.grade.grade {
            Some(x) if Some(x) > e.0 || e.0.is_none() => {
                e.0 = Some(x);
                e.1 = g.grade.clinical_context.is_some();
            }
            Some(x) if Some(x) == e.0 => e.1 |= g.grade.clinical_context.is_some(),
            Some(_) => {}
            None => e.2 = true,
        }
    }
    let mut summaries = Vec::new();
    for (arm, subs) in &arms {
        let in_arm = |u: &str| subs.contains(u);
        let teae_subs = |f: &dyn Fn(&AeRecord) -> bool| {
            aes.iter()
                .filter(|a| a.teae && in_arm(&a.usubjid) && f(a))
                .map(|a| a.usubjid.as_str())
                .collect::<BTreeSet<_>>()
                .len()
        };
        let mut terms: BTreeMap<&str, TermCounts> = BTreeMap::new();
        for w in worst.values().filter(|w| in_arm(&w.usubjid)) {
            let t = terms.entry(w.term.as_str()).or_insert_with(|| TermCounts {
                term: w.term.clone(),
                subjects: 0,
                grade3_plus: has_grade.then_some(0),
                severe: 0,
                serious: 0,
            });
            t.subjects += 1;
            if let Some(g3) = t.grade3_plus.as_mut() {
                *g3 += usize::from(w.worst_grade.is_some_and(|g| g >= 3));
            }
            t.severe += usize::from(w.worst_severity.as_deref() == Some("SEVERE"));
            t.serious += usize::from(w.serious);
        }
        let mut terms: Vec<TermCounts> = terms.into_values().collect();
        terms.sort_by(|a, b| b.subjects.cmp(&a.subjects).then(a.term.cmp(&b.term)));
        let mut lab: BTreeMap<LabTerm, LabTermCounts> = BTreeMap::new();
        for ((u, term), (g, ctx, ng)) in &lab_worst {
            if !in_arm(u) {
                continue;
            }
            let e = lab.entry(*term).or_insert(LabTermCounts {
                term: *term,
                worst_grade: [0; 5],
                not_gradable: 0,
                clinical_context: 0,
            });
            match g {
                Some(g) => {
                    e.worst_grade[usize::from((*g).min(4))] += 1;
                    e.clinical_context += usize::from(*ctx);
                }
                None if *ng => e.not_gradable += 1,
                None => {}
            }
        }
        summaries.push(ArmSummary {
            arm: arm.clone(),
            dosed: subs.len(),
            with_teae: teae_subs(&|_| true),
            with_serious_teae: teae_subs(&|a| a.serious),
            with_grade3_plus_teae: has_grade
                .then(|| teae_subs(&|a| a.grade.is_some_and(|g| g >= 3))),
            with_severe_teae: teae_subs(&|a| a.severity == Some(3)),
            terms,
            lab: lab.into_values().collect(),
        });
    }
    let afp = match &input.lb {
        Some(lb) => afp(lb, &exp, &arm_of),
        None => AfpSection {
            present: false,
            subjects: vec![],
        },
    };
    if !afp.present {
        notes.push("AFP: no AFP results in LB — no change from baseline reported".into());
    }
    Ok(SafetyReport {
        options: opts.clone(),
        grade_source: if has_grade {
            "AETOXGR"
        } else {
            "AESEV (no AETOXGR)"
        }
        .into(),
        arms: summaries,
        worst_by_subject_term: worst.into_values().collect(),
        adverse_events: aes,
        afp,
        notes,
        skipped,
    })
}

impl SafetyReport {
    /// Human-readable summary (top terms per arm, lab grade distribution, AFP).
    pub fn to_text(&self, top_terms: usize) -> String {
        let mut out = format!(
            "Safety — treatment-emergent window {} d after last dose; arms by {}; grades from {}\n",
            self.options.end_window_days, self.options.arm_variable, self.grade_source
        );
        let n_teae = self.adverse_events.iter().filter(|a| a.teae).count();
        out.push_str(&format!(
            "{} AE records, {} treatment-emergent\n",
            self.adverse_events.len(),
            n_teae
        ));
        for a in &self.arms {
            let g3 = a
                .with_grade3_plus_teae
                .map(|n| n.to_string())
                .unwrap_or_else(|| "n/a".into());
            out.push_str(&format!(
                "\n{} (dosed N={})\n  any TEAE {}  serious TEAE {}  grade ≥3 TEAE {}  severe (AESEV) TEAE {}\n",
                a.arm, a.dosed, a.with_teae, a.with_serious_teae, g3, a.with_severe_teae
            ));
            out.push_str(&format!(
                "  {:<44}{:>6}{:>8}{:>8}{:>9}\n",
                "term", "any", "gr≥3", "severe", "serious"
            ));
            for t in a.terms.iter().take(top_terms) {
                out.push_str(&format!(
                    "  {:<44}{:>6}{:>8}{:>8}{:>9}\n",
                    truncate(&t.term, 43),
                    t.subjects,
                    t.grade3_plus
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "n/a".into()),
                    t.severe,
                    t.serious
                ));
            }
            if a.terms.len() > top_terms {
                out.push_str(&format!(
                    "  … {} more terms (--json for all)\n",
                    a.terms.len() - top_terms
                ));
            }
            if !a.lab.is_empty() {
                out.push_str(&format!(
                    "  CTCAE v5 lab: subjects by worst post-baseline grade (n/g = not gradable; ctx = lower bound, clinical context could raise it)\n  {:<44}{:>5}{:>5}{:>5}{:>5}{:>5}{:>6}{:>6}\n",
                    "term", "G0", "G1", "G2", "G3", "G4", "n/g", "ctx"
                ));
                for l in &a.lab {
                    out.push_str(&format!(
                        "  {:<44}{:>5}{:>5}{:>5}{:>5}{:>5}{:>6}{:>6}\n",
                        truncate(ctcae::spec(l.term).name, 43),
                        l.worst_grade[0],
                        l.worst_grade[1],
                        l.worst_grade[2],
                        l.worst_grade[3],
                        l.worst_grade[4],
                        l.not_gradable,
                        l.clinical_context
                    ));
                }
            }
        }
        if self.afp.present {
            out.push_str(&format!(
                "\nAFP change from baseline: {} subject(s)\n",
                self.afp.subjects.len()
            ));
            for s in &self.afp.subjects {
                let b = s
                    .baseline
                    .map(|b| format!("{b}"))
                    .unwrap_or_else(|| "none".into());
                out.push_str(&format!("  {} ({}) baseline {b}\n", s.usubjid, s.arm));
                for p in &s.points {
                    out.push_str(&format!(
                        "    {:<16} {} {}  Δ {}  ({})\n",
                        p.visit,
                        p.value,
                        p.unit,
                        p.change
                            .map(|c| format!("{c:+}"))
                            .unwrap_or_else(|| "–".into()),
                        p.percent_change
                            .map(|c| format!("{c:+.1} %"))
                            .unwrap_or_else(|| "–".into())
                    ));
                }
            }
        }
        for n in &self.notes {
            out.push_str(&format!("\nnote: {n}"));
        }
        out.push('\n');
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
