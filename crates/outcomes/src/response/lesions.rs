//! The input model shared by the SDTM reader and the lesion-measurement CSV, and the reader of
//! that CSV (format documented in docs/contracts.md, section "response", with an example in
//! examples/response/lesions.csv).

use std::collections::BTreeMap;

use serde::Serialize;

use super::dates::{impute, DateRules};
use super::Millimetres;
use tm_model::date::Date;

/// The evaluator used for the primary analysis (ADaM `RSEVAL == "INVESTIGATOR"`).
pub const INVESTIGATOR: &str = "INVESTIGATOR";

/// Target, non-target or new lesion (TU `TUSTRESC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LesionCategory {
    Target,
    NonTarget,
    New,
}

impl LesionCategory {
    pub fn parse(s: &str) -> Option<LesionCategory> {
        let c: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match c.as_str() {
            "target" | "t" => Some(LesionCategory::Target),
            "nontarget" | "nt" => Some(LesionCategory::NonTarget),
            "new" | "n" => Some(LesionCategory::New),
            _ => None,
        }
    }
}

/// What the reader recorded about a lesion besides its diameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LesionStatus {
    /// Present (measured, or a non-target lesion persisting).
    Present,
    /// Disappeared (0 mm; for mRECIST: no intratumoral arterial enhancement left).
    Absent,
    /// Present but too small to measure: 5 mm by default (§2.1).
    TooSmall,
    /// Unequivocal progression of a non-target lesion (§2.1 needs a reader flag).
    Progression,
    /// Not assessed at this time point.
    NotEvaluated,
    /// A new lesion that is equivocal: not PD until confirmed (§2.1).
    Equivocal,
    /// mRECIST new lesion with the typical HCC vascular pattern (§2.2).
    Typical,
    /// mRECIST new lesion without the typical pattern: PD only after ≥ 1 cm growth (§2.2).
    Atypical,
    /// Effusion/ascites with cytopathological confirmation of malignancy (§2.2).
    CytologyPositive,
}

impl LesionStatus {
    pub fn parse(s: &str) -> Option<LesionStatus> {
        let c: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Some(match c.as_str() {
            "present" | "measured" | "yes" => LesionStatus::Present,
            "absent" | "disappeared" | "resolved" => LesionStatus::Absent,
            "toosmall" | "toosmalltomeasure" => LesionStatus::TooSmall,
            "progression" | "unequivocalprogression" | "pd" => LesionStatus::Progression,
            "notevaluated" | "notevaluable" | "ne" | "notassessed" | "notdone" => {
                LesionStatus::NotEvaluated
            }
            "equivocal" => LesionStatus::Equivocal,
            "typical" => LesionStatus::Typical,
            "atypical" => LesionStatus::Atypical,
            "cytologypositive" | "cytologyconfirmed" => LesionStatus::CytologyPositive,
            _ => return None,
        })
    }
}

/// One lesion at one assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LesionRecord {
    pub subject: String,
    /// `INVESTIGATOR` or an independent reader (`INDEPENDENT ASSESSOR RADIOLOGIST 1`).
    pub evaluator: String,
    pub visit: Option<String>,
    pub visitnum: Option<f64>,
    /// The assessment date as given (ISO 8601, possibly partial).
    pub date_text: String,
    pub lesion_id: String,
    pub category: LesionCategory,
    pub organ: String,
    /// Lymph node: the short axis is its measurement (§2.1).
    pub nodal: bool,
    pub longest_diameter: Option<Millimetres>,
    pub short_axis: Option<Millimetres>,
    /// mRECIST: longest diameter of the arterially enhancing (viable) part (§2.2).
    pub viable_diameter: Option<Millimetres>,
    pub status: Option<LesionStatus>,
    /// What marks this record as a baseline measurement (SDTM `--BLFL`/`--LOBXFL`, `EPOCH`
    /// or the visit name); see [`BaselineMark`].
    pub baseline_mark: BaselineMark,
}

/// How a measurement record is marked as baseline, strongest last. The per-time-point
/// evaluation takes as baseline the last assessment with the strongest mark present for the
/// subject and evaluator; without any mark, the last assessment on or before the reference
/// date (randomisation), otherwise the first assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BaselineMark {
    /// Nothing says baseline.
    #[default]
    None,
    /// The visit name says `BASELINE` or `SCREENING`, or `EPOCH` is `SCREENING`/`BASELINE`.
    Visit,
    /// The SDTM baseline flag `TRBLFL = Y` (or `TRLOBXFL = Y`, last observation before
    /// exposure), or `baseline = y` in the lesion CSV.
    Flag,
}

impl BaselineMark {
    /// From the SDTM flag, epoch and visit name of a record.
    pub fn from_sdtm(blfl: &str, epoch: &str, visit: &str) -> BaselineMark {
        if blfl.trim().eq_ignore_ascii_case("Y") {
            return BaselineMark::Flag;
        }
        let e = epoch.trim().to_ascii_uppercase();
        let v = visit.trim().to_ascii_uppercase();
        if e.contains("SCREENING") || e.contains("BASELINE") {
            return BaselineMark::Visit;
        }
        if v.contains("BASELINE") || v.contains("SCREENING") {
            return BaselineMark::Visit;
        }
        BaselineMark::None
    }
}

impl LesionRecord {
    /// The assessment this record belongs to: evaluator plus visit (number or label) or date.
    pub fn assessment_key(&self) -> String {
        match (&self.visitnum, &self.visit) {
            (Some(n), _) => format!("{}\u{1f}#{n}\u{1f}{}", self.evaluator, self.date_text),
            (None, Some(v)) => format!("{}\u{1f}{v}\u{1f}{}", self.evaluator, self.date_text),
            (None, None) => format!("{}\u{1f}\u{1f}{}", self.evaluator, self.date_text),
        }
    }
}

/// Subject-level data (ADSL-like).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SubjectInfo {
    pub subject: String,
    pub arm: Option<String>,
    /// Randomisation date: the start of OS/PFS/TTP and the reference of ANL01FL and the SD
    /// minimum (admiral `RANDDT`).
    pub randomization: Option<Date>,
    pub treatment_start: Option<Date>,
    pub treatment_end: Option<Date>,
    /// Death date (imputed per [`DateRules::death`]) and its flag.
    pub death: Option<Date>,
    pub death_flag: Option<&'static str>,
    /// Last date known alive (admiral `LSTALVDT`).
    pub last_alive: Option<Date>,
    /// Measurable disease at baseline (investigator target lesion at screening).
    pub measurable: bool,
    /// Start of the first new anticancer therapy after treatment start (SDTM CM/PR/EX or an
    /// ADaM-like NACTDT; lesion CSV `new_therapy_date`): PFS is censored before it.
    pub new_therapy: Option<Date>,
    /// Where [`SubjectInfo::new_therapy`] came from (`file line N: treatment`).
    pub new_therapy_source: Option<String>,
}

/// A row that was not used, with its 1-based line number and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Skipped {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// The parsed lesion CSV.
#[derive(Debug, Clone, Default)]
pub struct LesionInput {
    pub records: Vec<LesionRecord>,
    pub subjects: Vec<SubjectInfo>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<String>,
}

fn is_missing(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "na" | "n/a" | "nan" | "." | "null" | "none"
    )
}

/// Parses a diameter in mm: finite and ≥ 0, else an error.
fn parse_mm(v: &str, column: &str) -> Result<Option<Millimetres>, String> {
    if is_missing(v) {
        return Ok(None);
    }
    match v.trim().parse::<f64>() {
        Ok(x) if (0.0..10_000.0).contains(&x) => Ok(Some(Millimetres(x))),
        _ => Err(format!("{column}: {v:?} is not a diameter in mm (≥ 0)")),
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "1" | "t" => Some(true),
        "n" | "no" | "false" | "0" | "f" => Some(false),
        _ => None,
    }
}

/// Whether an organ/location names a lymph node (`LYMPH NODE`, `porta hepatis node`).
pub fn organ_is_nodal(organ: &str) -> bool {
    let o = organ.to_ascii_lowercase();
    o.contains("lymph") || o.contains("node")
}

/// Reads the lesion-measurement CSV. Column names are case-insensitive; required: `subject`,
/// `date`, `lesion_id`, `category`; optional: `organ`, `nodal`, `longest_diameter_mm`,
/// `short_axis_mm`, `viable_diameter_mm`, `status`, `visit`, `evaluator`, `baseline` (y/n: this
/// assessment is the baseline), and the subject-level
/// `arm`, `randomization_date`, `death_date`, `last_alive_date`, `new_therapy_date` (start of a
/// new anticancer therapy: PFS censoring).
pub fn read_lesion_csv(text: &str, file: &str, rules: &DateRules) -> Result<LesionInput, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(format!(
            "{file}: empty file (no header line); expected a lesion CSV or an SDTM directory"
        ));
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let required = ["subject", "date", "lesion_id", "category"];
    for r in required {
        if col(r).is_none() {
            return Err(format!(
                "{file}: column {r:?} not found; available columns: {}",
                headers.join(", ")
            ));
        }
    }
    let c = |name: &str| col(name);
    let (c_subj, c_date, c_id, c_cat) = (c("subject"), c("date"), c("lesion_id"), c("category"));
    let (c_organ, c_nodal, c_ld, c_sa, c_vd, c_status) = (
        c("organ"),
        c("nodal"),
        c("longest_diameter_mm"),
        c("short_axis_mm"),
        c("viable_diameter_mm"),
        c("status"),
    );
    let c_baseline = c("baseline");
    let c_nact = c("new_therapy_date");
    let (c_visit, c_eval, c_arm, c_rand, c_death, c_alive) = (
        c("visit"),
        c("evaluator"),
        c("arm"),
        c("randomization_date"),
        c("death_date"),
        c("last_alive_date"),
    );
    let mut out = LesionInput::default();
    let mut subjects: BTreeMap<String, SubjectInfo> = BTreeMap::new();
    for (i, row) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                out.skipped.push(Skipped {
                    file: file.to_string(),
                    line,
                    reason: format!("CSV error: {e}"),
                });
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").trim().to_string();
        if row.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let skip = |reason: String| Skipped {
            file: file.to_string(),
            line,
            reason,
        };
        let subject = get(c_subj);
        let date_text = get(c_date);
        let lesion_id = get(c_id);
        if subject.is_empty() || lesion_id.is_empty() {
            out.skipped
                .push(skip("subject and lesion_id are required".into()));
            continue;
        }
        if impute(&date_text, rules.measurement).is_none() {
            out.skipped.push(skip(format!(
                "date {date_text:?} is not an ISO 8601 date the measurement imputation accepts"
            )));
            continue;
        }
        let Some(category) = LesionCategory::parse(&get(c_cat)) else {
            out.skipped.push(skip(format!(
                "category {:?} is not target, non-target or new",
                get(c_cat)
            )));
            continue;
        };
        let status_text = get(c_status);
        let status = if is_missing(&status_text) {
            None
        } else {
            match LesionStatus::parse(&status_text) {
                Some(s) => Some(s),
                None => {
                    out.skipped
                        .push(skip(format!("unknown status {status_text:?}")));
                    continue;
                }
            }
        };
        let diam = |c: Option<usize>, name: &str| parse_mm(&get(c), name);
        let (ld, sa, vd) = match (
            diam(c_ld, "longest_diameter_mm"),
            diam(c_sa, "short_axis_mm"),
            diam(c_vd, "viable_diameter_mm"),
        ) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                out.skipped.push(skip(e));
                continue;
            }
        };
        let organ = get(c_organ);
        let nodal_text = get(c_nodal);
        let nodal = parse_bool(&nodal_text).unwrap_or_else(|| organ_is_nodal(&organ));
        let evaluator = {
            let e = get(c_eval);
            if e.is_empty() {
                INVESTIGATOR.to_string()
            } else {
                e.to_ascii_uppercase()
            }
        };
        let visit = Some(get(c_visit)).filter(|v| !v.is_empty());
        // Subject-level columns: the first non-empty value wins; conflicts are reported.
        let info = subjects
            .entry(subject.clone())
            .or_insert_with(|| SubjectInfo {
                subject: subject.clone(),
                ..Default::default()
            });
        let arm = get(c_arm);
        if !arm.is_empty() {
            match &info.arm {
                None => info.arm = Some(arm),
                Some(a) if *a != arm => out.warnings.push(format!(
                    "{file} line {line}: subject {subject} has arm {arm:?} but earlier {a:?}; the first is used"
                )),
                _ => {}
            }
        }
        for (c, slot, rule, what) in [
            (c_rand, 0usize, rules.other, "randomization_date"),
            (c_death, 1, rules.death, "death_date"),
            (c_alive, 2, rules.other, "last_alive_date"),
            (c_nact, 3, rules.other, "new_therapy_date"),
        ] {
            let t = get(c);
            if t.is_empty() {
                continue;
            }
            let Some(d) = impute(&t, rule) else {
                out.warnings.push(format!(
                    "{file} line {line}: {what} {t:?} is not a usable date; ignored"
                ));
                continue;
            };
            if slot == 3 && info.new_therapy.is_none() {
                info.new_therapy_source = Some(format!("{file} line {line}: new_therapy_date"));
            }
            let target = match slot {
                0 => &mut info.randomization,
                1 => &mut info.death,
                2 => &mut info.last_alive,
                _ => &mut info.new_therapy,
            };
            match target {
                None => {
                    *target = Some(d.date);
                    if slot == 1 {
                        info.death_flag = d.flag;
                    }
                }
                Some(prev) if *prev != d.date => out.warnings.push(format!(
                    "{file} line {line}: subject {subject} has {what} {t} but earlier {prev}; the first is used"
                )),
                _ => {}
            }
        }
        out.records.push(LesionRecord {
            subject,
            evaluator,
            visit,
            visitnum: None,
            date_text,
            lesion_id,
            category,
            organ,
            nodal,
            longest_diameter: ld,
            short_axis: sa,
            viable_diameter: vd,
            status,
            baseline_mark: if parse_bool(&get(c_baseline)) == Some(true) {
                BaselineMark::Flag
            } else {
                BaselineMark::None
            },
        });
    }
    out.subjects = subjects.into_values().collect();
    Ok(out)
}
