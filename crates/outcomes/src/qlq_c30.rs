//! EORTC QLQ-C30 version 3.0 scoring — clinical-rules.md §5 [S6] (Fayers et al., Scoring
//! Manual 3rd ed. 2001; summary score Giesinger 2016).
//!
//! - Items 1–28 take 1–4, items 29–30 take 1–7 (§5). Out-of-range responses are rejected.
//! - Raw score = mean of the answered items; functional `(1 − (RS − 1)/range) × 100`;
//!   symptom and global `((RS − 1)/range) × 100`.
//! - Half-items rule (§5.6): a scale is scored when at least half of its items are answered
//!   (2-item scales: 1 item; FA: 2 of 3; EF: 2 of 4; PF2: 3 of 5); single items need the item.
//! - Summary score (§5.7): mean of PF, RF, EF, CF, SF and 100 − each of FA, NV, PA, DY, SL, AP,
//!   CO, DI; only when all 13 are present (PROscorer's rule). QL and FI excluded.
//!
//! Inputs (docs/contracts.md "qol"): the long-form CSV `subject,visit,date,item,response`, one
//! row per answered item, blank response = missing ([`read_qlq_csv`]); or SDTM QS with the CDISC
//! item codes `EOR0101`–`EOR0130` ([`read_qlq_qs`], [`qs_item`]); [`read_qlq_path`] takes either
//! file or an SDTM directory. Both go through one collector, so grouping, duplicate and range
//! rules are the same.

use std::collections::BTreeMap;
use std::path::Path;

pub use crate::sdtm::SkippedRow;
use serde::{Deserialize, Serialize};
use tm_model::Date;

/// A QLQ-C30 v3.0 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scale {
    QL2,
    PF2,
    RF2,
    EF,
    CF,
    SF,
    FA,
    NV,
    PA,
    DY,
    SL,
    AP,
    CO,
    DI,
    FI,
}

/// Kind of scale (decides the linear transformation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    Global,
    Functional,
    Symptom,
}

/// Scale definition row (§5 table).
#[derive(Debug, Clone, Copy)]
pub struct ScaleDef {
    pub scale: Scale,
    pub name: &'static str,
    pub kind: ScaleKind,
    pub items: &'static [u8],
    pub range: f64,
}

/// The 15 scales of §5, in the manual's order.
pub const SCALES: &[ScaleDef] = &[
    ScaleDef {
        scale: Scale::QL2,
        name: "Global health status / QoL",
        kind: ScaleKind::Global,
        items: &[29, 30],
        range: 6.0,
    },
    ScaleDef {
        scale: Scale::PF2,
        name: "Physical functioning",
        kind: ScaleKind::Functional,
        items: &[1, 2, 3, 4, 5],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::RF2,
        name: "Role functioning",
        kind: ScaleKind::Functional,
        items: &[6, 7],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::EF,
        name: "Emotional functioning",
        kind: ScaleKind::Functional,
        items: &[21, 22, 23, 24],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::CF,
        name: "Cognitive functioning",
        kind: ScaleKind::Functional,
        items: &[20, 25],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::SF,
        name: "Social functioning",
        kind: ScaleKind::Functional,
        items: &[26, 27],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::FA,
        name: "Fatigue",
        kind: ScaleKind::Symptom,
        items: &[10, 12, 18],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::NV,
        name: "Nausea and vomiting",
        kind: ScaleKind::Symptom,
        items: &[14, 15],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::PA,
        name: "Pain",
        kind: ScaleKind::Symptom,
        items: &[9, 19],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::DY,
        name: "Dyspnoea",
        kind: ScaleKind::Symptom,
        items: &[8],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::SL,
        name: "Insomnia",
        kind: ScaleKind::Symptom,
        items: &[11],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::AP,
        name: "Appetite loss",
        kind: ScaleKind::Symptom,
        items: &[13],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::CO,
        name: "Constipation",
        kind: ScaleKind::Symptom,
        items: &[16],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::DI,
        name: "Diarrhoea",
        kind: ScaleKind::Symptom,
        items: &[17],
        range: 3.0,
    },
    ScaleDef {
        scale: Scale::FI,
        name: "Financial difficulties",
        kind: ScaleKind::Symptom,
        items: &[28],
        range: 3.0,
    },
];

/// One questionnaire's 30 item responses (`items[0]` = item 1); `None` = not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Responses {
    pub items: [Option<u8>; 30],
}

/// Why a response cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResponseError {
    ItemOutOfRange(u32),
    ResponseOutOfRange { item: u8, response: u32 },
}

impl std::fmt::Display for ResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResponseError::ItemOutOfRange(i) => write!(f, "item {i} is not 1–30"),
            ResponseError::ResponseOutOfRange { item, response } => {
                let max = if *item >= 29 { 7 } else { 4 };
                write!(f, "item {item}: response {response} is not 1–{max}")
            }
        }
    }
}

impl Responses {
    /// Sets item `item` (1–30) to `response`, validating the range (1–4, or 1–7 for 29–30).
    pub fn set(&mut self, item: u32, response: u32) -> Result<(), ResponseError> {
        if !(1..=30).contains(&item) {
            return Err(ResponseError::ItemOutOfRange(item));
        }
        let max = if item >= 29 { 7 } else { 4 };
        if !(1..=max).contains(&response) {
            return Err(ResponseError::ResponseOutOfRange {
                item: item as u8,
                response,
            });
        }
        self.items[(item - 1) as usize] = Some(response as u8);
        Ok(())
    }

    /// Builds from 30 values, `None` = missing. Errors on out-of-range values.
    pub fn from_slice(v: &[Option<u32>; 30]) -> Result<Self, ResponseError> {
        let mut r = Responses::default();
        for (i, x) in v.iter().enumerate() {
            if let Some(x) = x {
                r.set(i as u32 + 1, *x)?;
            }
        }
        Ok(r)
    }
}

/// One scale's score; `score: None` when fewer than half the items were answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleScore {
    pub scale: Scale,
    pub answered: usize,
    pub of: usize,
    pub raw: Option<f64>,
    pub score: Option<f64>,
}

/// All 15 scales plus the summary score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub scales: Vec<ScaleScore>,
    /// `None` unless all 13 component scales are present.
    pub summary: Option<f64>,
}

impl Scores {
    pub fn get(&self, s: Scale) -> Option<f64> {
        self.scales
            .iter()
            .find(|x| x.scale == s)
            .and_then(|x| x.score)
    }
}

/// Scores one scale (§5.1–5.6).
pub fn score_scale(def: &ScaleDef, r: &Responses) -> ScaleScore {
    let vals: Vec<f64> = def
        .items
        .iter()
        .filter_map(|&i| r.items[(i - 1) as usize].map(f64::from))
        .collect();
    let n = def.items.len();
    // at least half: 2·answered ≥ n
    let (raw, score) = if !vals.is_empty() && 2 * vals.len() >= n {
        let rs = vals.iter().sum::<f64>() / vals.len() as f64;
        let s = match def.kind {
            ScaleKind::Functional => (1.0 - (rs - 1.0) / def.range) * 100.0,
            ScaleKind::Symptom | ScaleKind::Global => (rs - 1.0) / def.range * 100.0,
        };
        (Some(rs), Some(s))
    } else {
        (None, None)
    };
    ScaleScore {
        scale: def.scale,
        answered: vals.len(),
        of: n,
        raw,
        score,
    }
}

/// Scores all scales and the summary score (§5.7).
pub fn score(r: &Responses) -> Scores {
    let scales: Vec<ScaleScore> = SCALES.iter().map(|d| score_scale(d, r)).collect();
    let mut parts = Vec::with_capacity(13);
    for s in &scales {
        let def = SCALES.iter().find(|d| d.scale == s.scale);
        let Some(def) = def else { continue };
        if matches!(s.scale, Scale::QL2 | Scale::FI) {
            continue;
        }
        parts.push(s.score.map(|x| match def.kind {
            ScaleKind::Functional => x,
            _ => 100.0 - x,
        }));
    }
    let summary = if parts.len() == 13 && parts.iter().all(Option::is_some) {
        Some(parts.iter().flatten().sum::<f64>() / 13.0)
    } else {
        None
    };
    Scores { scales, summary }
}

/// One questionnaire administration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub subject: String,
    pub visit: String,
    pub date: Option<Date>,
    pub responses: Responses,
}

/// Parsed long-form CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QlqData {
    pub assessments: Vec<Assessment>,
    pub skipped: Vec<SkippedRow>,
}

/// Groups item answers into assessments — shared by the long-form CSV and the SDTM QS readers,
/// so both apply the same rules: an assessment is (subject, visit) in first-seen order, its date
/// is the first non-empty one, a blank answer is missing, out-of-range items/answers and
/// duplicate (subject, visit, item) rows are skipped with a reason (the first answer is kept).
#[derive(Default)]
struct Collector {
    order: Vec<(String, String)>,
    map: BTreeMap<(String, String), Assessment>,
    first_line: BTreeMap<(String, String), usize>,
    skipped: Vec<SkippedRow>,
}

impl Collector {
    fn skip(&mut self, line: usize, reason: String) {
        self.skipped.push(SkippedRow {
            line: line as u64,
            reason,
        });
    }

    /// One answered (or unanswered, `Ok(None)`) item; `Err` = an unreadable answer.
    fn add(
        &mut self,
        line: usize,
        subject: String,
        visit: String,
        date: Option<Date>,
        item: u32,
        response: Result<Option<u32>, String>,
    ) {
        let key = (subject.clone(), visit.clone());
        if !self.map.contains_key(&key) {
            self.order.push(key.clone());
            self.first_line.insert(key.clone(), line);
        }
        let a = self.map.entry(key).or_insert_with(|| Assessment {
            subject,
            visit,
            date,
            responses: Responses::default(),
        });
        if a.date.is_none() {
            a.date = date;
        }
        let response = match response {
            Ok(Some(r)) => r,
            Ok(None) => {
                // missing answer
                if !(1..=30).contains(&item) {
                    let reason = ResponseError::ItemOutOfRange(item).to_string();
                    self.skip(line, reason);
                }
                return;
            }
            Err(reason) => {
                self.skip(line, reason);
                return;
            }
        };
        if (1..=30).contains(&item) && a.responses.items[(item - 1) as usize].is_some() {
            self.skip(line, format!("duplicate item {item}; first kept"));
            return;
        }
        if let Err(e) = a.responses.set(item, response) {
            self.skip(line, e.to_string());
        }
    }

    /// The assessments in first-seen order; one without any answered item is not an
    /// assessment (issue 29: a run with nothing usable must fail, not print an all-null
    /// subject): it is dropped and reported at its first line.
    fn finish(mut self) -> QlqData {
        let mut assessments = Vec::new();
        for k in std::mem::take(&mut self.order) {
            let Some(a) = self.map.remove(&k) else {
                continue;
            };
            if a.responses.items.iter().all(Option::is_none) {
                let line = self.first_line.get(&k).copied().unwrap_or(0);
                self.skip(
                    line,
                    format!(
                        "subject {} visit {}: no answered item; assessment dropped",
                        a.subject, a.visit
                    ),
                );
            } else {
                assessments.push(a);
            }
        }
        self.skipped.sort_by_key(|s| s.line);
        QlqData {
            assessments,
            skipped: self.skipped,
        }
    }
}

/// Reads the long-form CSV `subject,visit,date,item,response` (header required, any column
/// order; `date` optional, ISO `YYYY-MM-DD`). Bad rows are skipped with a reason; duplicate
/// (subject, visit, item) rows keep the first.
pub fn read_qlq_csv(text: &str) -> Result<QlqData, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("missing column '{name}' (need subject, visit, item, response)"))
    };
    let (cs, cv, ci, cr) = (
        col("subject")?,
        col("visit")?,
        col("item")?,
        col("response")?,
    );
    let cd = headers.iter().position(|h| h.eq_ignore_ascii_case("date"));
    let mut c = Collector::default();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                c.skip(line, e.to_string());
                continue;
            }
        };
        let get = |c: usize| rec.get(c).unwrap_or("").to_string();
        let (subject, visit) = (get(cs), get(cv));
        if subject.is_empty() || visit.is_empty() {
            c.skip(line, "empty subject or visit".into());
            continue;
        }
        let item: u32 = match get(ci).parse() {
            Ok(x) => x,
            Err(_) => {
                c.skip(line, format!("item '{}' is not a number", get(ci)));
                continue;
            }
        };
        let date_s = cd.map(get).unwrap_or_default();
        let date = if date_s.is_empty() {
            None
        } else {
            Date::parse(&date_s)
        };
        if !date_s.is_empty() && date.is_none() {
            c.skip(line, format!("date '{date_s}' is not YYYY-MM-DD"));
            continue;
        }
        let resp = get(cr);
        let response = if resp.is_empty() {
            Ok(None)
        } else {
            resp.parse::<u32>()
                .map(Some)
                .map_err(|_| format!("response '{resp}' is not a number"))
        };
        c.add(line, subject, visit, date, item, response);
    }
    Ok(c.finish())
}

/// The QLQ-C30 item (1–30) of an SDTM `QSTESTCD`. Accepted codes:
/// - `EOR0101` … `EOR0130`: CDISC Controlled Terminology for the EORTC QLQ-C30 v3.0 items
///   (`QSCAT` "EORTC QLQ-C30 V3.0"); `EOR0131` … `EOR0145` are sponsor-derived scale scores and
///   are not items (they are ignored: trialmatch scores the items itself);
/// - `Q1` … `Q30` (also `Q01`) only when `qscat` names the QLQ-C30 (contains "QLQ-C30" or
///   "QLQC30"), a common EDC export form.
pub fn qs_item(testcd: &str, qscat: &str) -> Option<u32> {
    let code = testcd.trim().to_ascii_uppercase();
    let number = |digits: &str| -> Option<u32> {
        (!digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u32>().ok())
            .flatten()
            .filter(|n| (1..=30).contains(n))
    };
    if let Some(rest) = code.strip_prefix("EOR01") {
        return (rest.len() == 2).then(|| number(rest)).flatten();
    }
    let cat = qscat.to_ascii_uppercase();
    if cat.contains("QLQ-C30") || cat.contains("QLQC30") {
        if let Some(rest) = code.strip_prefix('Q') {
            return number(rest);
        }
    }
    None
}

/// The numeric answer of a QS record: `QSSTRESN`, else `QSSTRESC`, else `QSORRES` — a number
/// (an integer, or a text starting with one, as CDISC's "1 Very Poor" … "7 Excellent" of items
/// 29–30) or, for items 1–28, the answer text "Not at All" 1, "A Little" 2, "Quite a Bit" 3,
/// "Very Much" 4 (case-insensitive). `Ok(None)` = not answered.
fn qs_response(stresn: &str, stresc: &str, orres: &str) -> Result<Option<u32>, String> {
    let text = [stresn, stresc, orres]
        .into_iter()
        .map(str::trim)
        .find(|t| !t.is_empty());
    let Some(text) = text else {
        return Ok(None);
    };
    if let Ok(x) = text.parse::<f64>() {
        return if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) {
            Ok(Some(x as u32))
        } else {
            Err(format!("response '{text}' is not a whole number"))
        };
    }
    let lead: String = text.chars().take_while(char::is_ascii_digit).collect();
    if !lead.is_empty() && text[lead.len()..].starts_with(' ') {
        return lead
            .parse::<u32>()
            .map(Some)
            .map_err(|_| format!("response '{text}' is not readable"));
    }
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match words.to_ascii_uppercase().as_str() {
        "NOT AT ALL" => Ok(Some(1)),
        "A LITTLE" => Ok(Some(2)),
        "QUITE A BIT" => Ok(Some(3)),
        "VERY MUCH" => Ok(Some(4)),
        _ => Err(format!("response '{text}' is not a QLQ-C30 answer")),
    }
}

/// Reads an SDTM QS domain (CSV, header line): `USUBJID`; `QSTESTCD` ([`qs_item`] codes; rows
/// of other questionnaires are ignored); the answer in `QSSTRESN`, else `QSSTRESC`, else
/// `QSORRES` (a whole number, a text starting with one, or the CDISC answer text of items 1–28);
/// the assessment in `VISIT` (else `VISITNUM`, else `QSDTC`); its date in `QSDTC` (a time part
/// is ignored; a partial date is kept as no date, not imputed); `QSSTAT = NOT DONE` means not
/// answered. Errors when no QLQ-C30 item is present.
pub fn read_qlq_qs(text: &str) -> Result<QlqData, String> {
    let t = crate::sdtm::Table::parse(text)?;
    t.need("USUBJID", "QS")?;
    t.need("QSTESTCD", "QS")?;
    if ["QSSTRESN", "QSSTRESC", "QSORRES"]
        .iter()
        .all(|c| t.col(c).is_none())
    {
        return Err("QS: no result column (QSSTRESN, QSSTRESC or QSORRES)".into());
    }
    let mut c = Collector::default();
    let mut items = 0usize;
    for i in 0..t.len() {
        let Some(item) = qs_item(t.get(i, "QSTESTCD"), t.get(i, "QSCAT")) else {
            continue;
        };
        items += 1;
        let line = i + 2;
        let subject = t.get(i, "USUBJID").to_string();
        let dtc = t.get(i, "QSDTC");
        let visit = [t.get(i, "VISIT"), t.get(i, "VISITNUM"), dtc]
            .into_iter()
            .find(|v| !v.is_empty())
            .unwrap_or("")
            .to_string();
        if subject.is_empty() || visit.is_empty() {
            c.skip(line, "empty USUBJID or VISIT/VISITNUM/QSDTC".into());
            continue;
        }
        let response = if t.get(i, "QSSTAT").eq_ignore_ascii_case("NOT DONE") {
            Ok(None)
        } else {
            qs_response(
                t.get(i, "QSSTRESN"),
                t.get(i, "QSSTRESC"),
                t.get(i, "QSORRES"),
            )
        };
        c.add(line, subject, visit, Date::parse(dtc), item, response);
    }
    if items == 0 {
        return Err(
            "QS: no EORTC QLQ-C30 items (QSTESTCD EOR0101–EOR0130, or Q1–Q30 with a QLQ-C30 QSCAT)"
                .into(),
        );
    }
    Ok(c.finish())
}

/// Reads QLQ-C30 answers from a path: an SDTM directory (its QS domain, found by
/// [`crate::sdtm::find_domain`]), a QS CSV (recognised by its `QSTESTCD` column) or the
/// long-form CSV of [`read_qlq_csv`]. Errors name the file.
pub fn read_qlq_path(path: &Path) -> Result<QlqData, String> {
    let file = if path.is_dir() {
        let mut warnings = Vec::new();
        let found = crate::sdtm::find_domain(path, "qs", &mut warnings);
        if !warnings.is_empty() {
            return Err(warnings.join("; "));
        }
        found.ok_or_else(|| format!("{}: no qs.csv (SDTM QS) found", path.display()))?
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let is_qs = path.is_dir()
        || crate::sdtm::Table::parse(text.lines().next().unwrap_or(""))
            .is_ok_and(|t| t.col("QSTESTCD").is_some());
    let data = if is_qs {
        read_qlq_qs(&text)
    } else {
        read_qlq_csv(&text)
    };
    data.map_err(|e| format!("{}: {e}", file.display()))
}

/// One assessment's scores and change from the subject's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitScores {
    pub visit: String,
    pub date: Option<Date>,
    pub baseline: bool,
    pub scores: BTreeMap<Scale, Option<f64>>,
    pub summary: Option<f64>,
    /// score − baseline score, per scale (`None` when either is missing).
    pub change: BTreeMap<Scale, Option<f64>>,
    pub summary_change: Option<f64>,
}

/// One subject's visits in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectQol {
    pub subject: String,
    pub baseline_visit: Option<String>,
    pub visits: Vec<VisitScores>,
}

/// The `qol` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QolReport {
    pub instrument: String,
    pub subjects: Vec<SubjectQol>,
    /// Mean change from baseline per visit and scale over subjects with both values.
    pub mean_change_by_visit: Vec<VisitMeanChange>,
    pub skipped: Vec<SkippedRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitMeanChange {
    pub visit: String,
    pub n: BTreeMap<Scale, usize>,
    pub mean_change: BTreeMap<Scale, Option<f64>>,
}

/// Baseline choice: a named visit, else the subject's earliest-dated assessment (file order
/// when dates are missing).
pub fn report(data: &QlqData, baseline_visit: Option<&str>) -> QolReport {
    let mut by_subject: BTreeMap<&str, Vec<&Assessment>> = BTreeMap::new();
    for a in &data.assessments {
        by_subject.entry(a.subject.as_str()).or_default().push(a);
    }
    let mut visit_order: Vec<String> = Vec::new();
    let mut subjects = Vec::new();
    for (subject, mut list) in by_subject {
        // stable sort: dated ones by date; undated keep file order after dated
        list.sort_by_key(|a| a.date.map(|d| (0, d.days())).unwrap_or((1, 0)));
        let base_idx = match baseline_visit {
            Some(v) => list.iter().position(|a| a.visit.eq_ignore_ascii_case(v)),
            None => (!list.is_empty()).then_some(0),
        };
        let scored: Vec<Scores> = list.iter().map(|a| score(&a.responses)).collect();
        let base = base_idx.and_then(|i| scored.get(i));
        let mut visits = Vec::new();
        for (i, (a, s)) in list.iter().zip(&scored).enumerate() {
            if !visit_order.contains(&a.visit) {
                visit_order.push(a.visit.clone());
            }
            let scores: BTreeMap<Scale, Option<f64>> =
                s.scales.iter().map(|x| (x.scale, x.score)).collect();
            let change = s
                .scales
                .iter()
                .map(|x| {
                    let b = base.and_then(|b| b.get(x.scale));
                    (x.scale, x.score.zip(b).map(|(v, b)| v - b))
                })
                .collect();
            visits.push(VisitScores {
                visit: a.visit.clone(),
                date: a.date,
                baseline: Some(i) == base_idx,
                scores,
                summary: s.summary,
                change,
                summary_change: s
                    .summary
                    .zip(base.and_then(|b| b.summary))
                    .map(|(v, b)| v - b),
            });
        }
        subjects.push(SubjectQol {
            subject: subject.to_string(),
            baseline_visit: base_idx.and_then(|i| list.get(i)).map(|a| a.visit.clone()),
            visits,
        });
    }
    let mut mean_change_by_visit = Vec::new();
    for v in &visit_order {
        let mut n = BTreeMap::new();
        let mut mean = BTreeMap::new();
        for def in SCALES {
            let xs: Vec<f64> = subjects
                .iter()
                .flat_map(|s| s.visits.iter())
                .filter(|x| &x.visit == v && !x.baseline)
                .filter_map(|x| x.change.get(&def.scale).copied().flatten())
                .collect();
            n.insert(def.scale, xs.len());
            mean.insert(
                def.scale,
                (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64),
            );
        }
        if n.values().any(|&k| k > 0) {
            mean_change_by_visit.push(VisitMeanChange {
                visit: v.clone(),
                n,
                mean_change: mean,
            });
        }
    }
    QolReport {
        instrument: "EORTC QLQ-C30 v3.0".into(),
        subjects,
        mean_change_by_visit,
        skipped: data.skipped.clone(),
    }
}

impl QolReport {
    /// Human-readable table.
    pub fn to_text(&self) -> String {
        let mut out = format!("{} — {} subject(s)\n", self.instrument, self.subjects.len());
        let order: Vec<Scale> = SCALES.iter().map(|d| d.scale).collect();
        let head: Vec<String> = order
            .iter()
            .map(|s| format!("{:>6}", format!("{s:?}")))
            .collect();
        for s in &self.subjects {
            out.push_str(&format!(
                "\nSubject {} (baseline: {})\n  {:<14}{} {:>7}\n",
                s.subject,
                s.baseline_visit.as_deref().unwrap_or("none"),
                "visit",
                head.join(""),
                "SUM"
            ));
            for v in &s.visits {
                let cells: Vec<String> = order
                    .iter()
                    .map(|k| fmt_cell(v.scores.get(k).copied().flatten()))
                    .collect();
                out.push_str(&format!(
                    "  {:<14}{} {:>7}\n",
                    v.visit,
                    cells.join(""),
                    fmt_cell(v.summary)
                ));
                if !v.baseline {
                    let cells: Vec<String> = order
                        .iter()
                        .map(|k| fmt_delta(v.change.get(k).copied().flatten()))
                        .collect();
                    out.push_str(&format!(
                        "  {:<14}{} {:>7}\n",
                        "  Δ baseline",
                        cells.join(""),
                        fmt_delta(v.summary_change)
                    ));
                }
            }
        }
        out.push_str(&SkippedRow::summary(&self.skipped));
        out
    }
}

fn fmt_cell(x: Option<f64>) -> String {
    x.map(|v| format!("{v:>6.1}"))
        .unwrap_or_else(|| format!("{:>6}", "–"))
}

fn fmt_delta(x: Option<f64>) -> String {
    x.map(|v| format!("{v:>+6.1}"))
        .unwrap_or_else(|| format!("{:>6}", "–"))
}
