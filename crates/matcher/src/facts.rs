//! The patient side: facts indexed once per patient (derived values
//! computed once), and the answer of every IR leaf — a comparison
//! ([`tm_criteria::Atom`]) or a presence question ([`Expr::Has`]) — with
//! its evidence or what is missing.
//!
//! Clinical conventions (clinical-rules sections cited inline):
//! - the newest usable value dated on or before the index date decides
//!   ("a newer value supersedes an older one"); values with a blocking flag
//!   (implausible, unit mismatch …) are never compared;
//! - a value older than the recency window is missing, not used;
//! - ×ULN uses the observation's own reference range, else a default
//!   *range* (§7.2) and the answer stands only if it is the same at both
//!   ends ("ULN not reported" otherwise);
//! - units are converted with `tm_units::convert` only; a refused
//!   conversion (HBV DNA IU/mL ↔ copies/mL, §7.1) leaves the leaf unknown;
//! - a presence question is answered yes by a matching condition,
//!   procedure, medication or positive observation (lexicon hierarchy
//!   included), and no only by a documented absence: a negative
//!   observation of the concept, a negative test (§8: HBsAg, anti-HCV /
//!   HCV RNA, HIV, hCG), a resolved condition, or sex (a male patient is
//!   neither pregnant nor lactating).

use std::collections::HashMap;

use serde_json::json;
use tm_clinical::staging::BclcStage;
use tm_clinical::{derive, Derived, DerivedValue};
use tm_criteria::{Atom, HasKind, Op, Value, Window, WindowFrom};
use tm_model::patient::{flag, ObsValue, Observation, Patient, Sex};
use tm_model::{Date, Quantity};

use crate::concepts::{self, answers, derived_key, fact_kind, negative_tests, FactKind};
use crate::config::{default_limit, window_days, MatchConfig};
use crate::result::{Evidence, LimitUsed, Missing};

/// The answer of one leaf.
#[derive(Debug, Clone, Default)]
pub struct LeafAnswer {
    pub value: Option<bool>,
    pub evidence: Vec<Evidence>,
    pub missing: Vec<Missing>,
    /// Why an answer is unknown although data exists (ULN not reported,
    /// refused conversion, censored value …) or a remark on the answer.
    pub note: Option<String>,
    /// A treatment-time check (non-blocking review item).
    pub at_treatment: bool,
    /// Short description of the leaf (`platelets >= 80 10*9/L`).
    pub label: String,
    /// The reading of the leaf is not certain enough to decide (a number
    /// without a unit that several units fit): a blocking review item,
    /// never an unknown for missing data, never a pass or fail.
    pub uncertain: Option<String>,
    /// The review kind of `uncertain` (default `unit_ambiguous`).
    pub uncertain_kind: Option<&'static str>,
    /// The answer relied on an inference the coordinator should see (the
    /// unit of a number written without one).
    pub inferred: Option<String>,
}

/// A patient prepared for matching: derived values computed once,
/// observations indexed by concept (newest first, usable only).
pub struct PatientFacts<'p> {
    pub patient: &'p Patient,
    pub cfg: MatchConfig,
    pub derived: Derived,
    obs: HashMap<&'p str, Vec<&'p Observation>>,
    /// Lexicon ancestors of every condition / procedure / medication concept.
    ancestors: HashMap<&'p str, Vec<String>>,
    /// For a concept, the observed concepts that descend from it (lexicon
    /// `is_a`), sorted: their yes/no observations answer it.
    narrower_obs: HashMap<String, Vec<&'p str>>,
}

fn display(id: &str) -> String {
    tm_lexicon::get(id)
        .map(|c| c.display.clone())
        .unwrap_or_else(|| id.replace('_', " "))
}

fn fmt_num(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e12 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

fn unit_suffix(u: &str) -> String {
    if u.is_empty() || u == "1" {
        String::new()
    } else {
        format!(" {u}")
    }
}

/// Atom as a short string (`platelets >= 80 10*9/L`, `alt <= 5 × ULN`).
pub fn atom_label(a: &Atom) -> String {
    let rhs = match a.value {
        Value::Number(x) => format!(
            "{}{}",
            fmt_num(x),
            unit_suffix(a.unit.as_deref().unwrap_or(""))
        ),
        Value::XUln { x_uln } => format!("{} × ULN", fmt_num(x_uln)),
        Value::XLln { x_lln } => format!("{} × LLN", fmt_num(x_lln)),
        Value::UlnPlus { uln_plus } => format!(
            "ULN + {}{}",
            fmt_num(uln_plus),
            unit_suffix(a.unit.as_deref().unwrap_or(""))
        ),
    };
    format!("{} {} {}", a.field, a.op.as_str(), rhs)
}

fn window_label(w: &Option<Window>) -> String {
    match w {
        Some(w) => format!(
            " within {} {}{}",
            fmt_num(w.value),
            w.unit,
            w.anchor
                .as_ref()
                .map(|a| format!(" before {a}"))
                .unwrap_or_default()
        ),
        None => String::new(),
    }
}

/// `op` over intervals: Some(true) when it holds for every pair of points,
/// Some(false) for none, None otherwise.
/// A unit with a physical dimension (not a score, ratio or count).
fn dimensioned(unit: &str) -> bool {
    !unit.is_empty()
        && tm_units::parse_unit(unit)
            .is_ok_and(|u| u.dimension != tm_units::Dimension::Dimensionless)
}

fn holds_interval(op: Op, v: (f64, f64), t: (f64, f64)) -> Option<bool> {
    let degenerate = v.0 == v.1 && t.0 == t.1;
    if matches!(op, Op::Eq | Op::Ne) && !degenerate {
        let disjoint = v.1 < t.0 || t.1 < v.0;
        return if disjoint { Some(op == Op::Ne) } else { None };
    }
    let corners = [(v.0, t.0), (v.0, t.1), (v.1, t.0), (v.1, t.1)];
    let n = corners.iter().filter(|(a, b)| op.holds(*a, *b)).count();
    match n {
        4 => Some(true),
        0 => Some(false),
        _ => None,
    }
}

fn date_str(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn obs_value_json(o: &Observation) -> serde_json::Value {
    match &o.value {
        Some(ObsValue::Quantity(q)) => json!(q.value),
        Some(ObsValue::Integer(i)) => json!(i),
        Some(ObsValue::Bool(b)) => json!(b),
        Some(v) => json!(v.as_text().unwrap_or("")),
        None => serde_json::Value::Null,
    }
}

fn obs_evidence(o: &Observation) -> Evidence {
    Evidence {
        concept: o.concept.clone().unwrap_or_default(),
        value: obs_value_json(o),
        unit: o.quantity().map(|q| q.unit.clone()),
        date: date_str(o.effective),
        source: o.source.clone(),
        inputs: Vec::new(),
        explanation: None,
        uln: None,
        original: o.original.as_ref().map(|q| q.to_string()),
        comparator: o.comparator.clone(),
    }
}

fn derived_evidence(key: &str, d: &DerivedValue, as_of: Date) -> Evidence {
    Evidence {
        concept: key.to_string(),
        value: d
            .value
            .as_ref()
            .map(|v| serde_json::to_value(v).unwrap_or_default())
            .unwrap_or_default(),
        unit: d.unit.clone(),
        date: Some(as_of.to_string()),
        source: format!("derived:{key}"),
        inputs: d
            .inputs
            .iter()
            .map(|i| Evidence {
                concept: i.concept.clone(),
                value: serde_json::to_value(&i.value).unwrap_or_default(),
                unit: i.unit.clone(),
                date: date_str(i.date),
                source: i.source.clone(),
                inputs: Vec::new(),
                explanation: i.points.map(|p| format!("{} point(s)", p)),
                uln: None,
                original: i.original.as_ref().map(|q| q.to_string()),
                comparator: i.comparator.clone(),
            })
            .collect(),
        explanation: d.explanation.clone(),
        uln: None,
        original: None,
        comparator: None,
    }
}

/// Yes/no reading of an observation value: booleans, grades (0 = absent),
/// else what tm-patient read from a coded / text value.
fn obs_yes_no(o: &Observation) -> Option<bool> {
    match o.value.as_ref()? {
        ObsValue::Bool(b) => Some(*b),
        ObsValue::Integer(i) => Some(*i > 0),
        ObsValue::Coded { .. } | ObsValue::Text(_) => o.reading.as_ref().and_then(|r| r.yes_no),
        ObsValue::Quantity(_) => None,
    }
}

/// A derived BCLC stage → 0–4 (0, A, B, C, D).
fn bclc_number(code: &str) -> Option<f64> {
    BclcStage::from_code(code).map(|s| s.ordinal() as f64)
}

/// A value to compare: an interval (a censored value is a half-line) in
/// `unit`, with the observation's own reference limits in that unit.
struct Val {
    lo: f64,
    hi: f64,
    unit: String,
    /// Fact concept (lexicon id) for conversions.
    concept: String,
    ref_high: Option<Quantity>,
    ref_low: Option<Quantity>,
    evidence: Evidence,
}

impl<'p> PatientFacts<'p> {
    /// Prepares `patient` for matching as of `cfg.as_of`.
    pub fn new(patient: &'p Patient, cfg: MatchConfig) -> PatientFacts<'p> {
        let derived = derive(patient, cfg.as_of, &cfg.derive_config());
        let mut obs: HashMap<&'p str, Vec<&'p Observation>> = HashMap::new();
        for o in &patient.observations {
            if let Some(c) = o.concept.as_deref() {
                if o.is_usable() && o.effective.is_none_or(|d| d <= cfg.as_of) {
                    obs.entry(c).or_default().push(o);
                }
            }
        }
        for v in obs.values_mut() {
            // newest first; undated last
            v.sort_by(|a, b| {
                b.effective
                    .map(|d| d.days())
                    .unwrap_or(i32::MIN)
                    .cmp(&a.effective.map(|d| d.days()).unwrap_or(i32::MIN))
            });
        }
        let mut ancestors: HashMap<&'p str, Vec<String>> = HashMap::new();
        let ids = patient
            .conditions
            .iter()
            .map(|c| &c.concept)
            .chain(patient.procedures.iter().map(|p| &p.concept))
            .chain(patient.medications.iter().map(|m| &m.concept));
        for c in ids.flatten() {
            ancestors
                .entry(c.as_str())
                .or_insert_with(|| concepts::ancestors(c));
        }
        let mut narrower_obs: HashMap<String, Vec<&'p str>> = HashMap::new();
        for c in obs.keys() {
            let a = ancestors.entry(c).or_insert_with(|| concepts::ancestors(c));
            for b in a.iter().filter(|b| b.as_str() != *c) {
                narrower_obs.entry(b.clone()).or_default().push(c);
            }
        }
        for v in narrower_obs.values_mut() {
            v.sort_unstable();
        }
        PatientFacts {
            patient,
            cfg,
            derived,
            obs,
            ancestors,
            narrower_obs,
        }
    }

    /// The newest usable observation of `id`.
    fn newest(&self, id: &str) -> Option<&'p Observation> {
        let mut best: Option<&'p Observation> = None;
        let ids = std::iter::once(id);
        for k in ids {
            if let Some(o) = self.obs.get(k).and_then(|v| v.first()) {
                let newer = match (best.and_then(|b| b.effective), o.effective) {
                    (None, _) => true,
                    (Some(b), Some(d)) => d > b,
                    (Some(_), None) => false,
                };
                if best.is_none() || newer {
                    best = Some(o);
                }
            }
        }
        best
    }

    /// (earliest allowed date, max age in days, anchor) of a window.
    fn window(&self, w: &Option<Window>, default_days: Option<i32>) -> Option<(Date, i64, Date)> {
        match w {
            Some(w) => {
                let days = window_days(w.value, &w.unit)?;
                let anchor = if w.from == WindowFrom::TreatmentStart {
                    self.cfg.planned_start
                } else {
                    self.cfg.as_of
                };
                let d = days.ceil() as i64;
                Some((anchor.add_days(-(d.min(1_000_000) as i32)), d, anchor))
            }
            None => default_days.map(|d| (self.cfg.as_of.add_days(-d), d as i64, self.cfg.as_of)),
        }
    }

    fn at_treatment(&self, w: &Option<Window>) -> bool {
        match w {
            Some(w) => {
                w.from == WindowFrom::TreatmentStart
                    && tm_units::duration(w.value, &w.unit, "h")
                        .is_some_and(|h| h <= self.cfg.at_treatment_max_hours)
            }
            None => false,
        }
    }

    fn default_window(&self, field: &str) -> Option<i32> {
        match fact_kind(field) {
            FactKind::Lab => Some(self.cfg.lab_window_days),
            FactKind::Performance => Some(self.cfg.performance_window_days),
            FactKind::Imaging => Some(self.cfg.imaging_window_days),
            FactKind::Vital => Some(self.cfg.vital_window_days),
            FactKind::Timeless => None,
        }
    }

    /// Answers a comparison atom.
    pub fn eval_atom(&self, a: &Atom, ex: bool) -> LeafAnswer {
        let mut out = LeafAnswer {
            label: if ex {
                format!("{}{}", atom_label(a), window_label(&a.window))
            } else {
                String::new()
            },
            ..Default::default()
        };
        if self.at_treatment(&a.window) {
            out.at_treatment = true;
            out.note = ex.then(|| "can only be checked at the time of treatment".to_string());
            return out;
        }
        let val = match self.value_for(a, ex, &mut out) {
            Some(v) => v,
            None => return out,
        };
        // Threshold interval in the value's unit.
        let (t, limit): ((f64, f64), Option<LimitUsed>) = match a.value {
            Value::Number(x) if a.unit.is_none() && dimensioned(&val.unit) => {
                match self.bare_threshold(x, &val, a.op) {
                    Ok((t, inferred)) => {
                        out.inferred = Some(inferred);
                        (t, None)
                    }
                    Err(e) => {
                        out.note = Some(e.clone());
                        out.uncertain = Some(e);
                        out.evidence.push(val.evidence);
                        return out;
                    }
                }
            }
            Value::Number(x) => match self.number_in(x, a.unit.as_deref(), &val) {
                Ok(t) => ((t, t), None),
                Err(e) => {
                    out.note = Some(e);
                    out.evidence.push(val.evidence);
                    return out;
                }
            },
            Value::XUln { x_uln: k } | Value::XLln { x_lln: k } => {
                let upper = matches!(a.value, Value::XUln { .. });
                match self.limit(&val, upper) {
                    Some((lo, hi, used)) => ((k * lo, k * hi), Some(used)),
                    None => {
                        out.note = Some(format!(
                            "{} not reported",
                            if upper { "ULN" } else { "LLN" }
                        ));
                        if ex {
                            out.missing.push(Missing {
                                concept: a.field.clone(),
                                text: format!(
                                    "{} with the laboratory's reference range ({} not reported)",
                                    display(&a.field),
                                    if upper { "ULN" } else { "LLN" }
                                ),
                                max_age_days: None,
                                criteria: Vec::new(),
                            });
                        }
                        out.evidence.push(val.evidence);
                        return out;
                    }
                }
            }
            Value::UlnPlus { uln_plus } => {
                let plus = match self.number_in(uln_plus, a.unit.as_deref(), &val) {
                    Ok(p) => p,
                    Err(e) => {
                        out.note = Some(e);
                        out.evidence.push(val.evidence);
                        return out;
                    }
                };
                match self.limit(&val, true) {
                    Some((lo, hi, used)) => ((lo + plus, hi + plus), Some(used)),
                    None => {
                        out.note = Some("ULN not reported".into());
                        out.evidence.push(val.evidence);
                        return out;
                    }
                }
            }
        };
        out.value = holds_interval(a.op, (val.lo, val.hi), t);
        if out.value.is_none() {
            out.note = Some(if limit.as_ref().is_some_and(|l| l.origin == "default") {
                format!(
                    "ULN not reported: the answer differs within the default range ({}–{} {})",
                    fmt_num(limit.as_ref().map(|l| l.value).unwrap_or_default()),
                    fmt_num(limit.as_ref().and_then(|l| l.value_hi).unwrap_or_default()),
                    limit.as_ref().map(|l| l.unit.as_str()).unwrap_or("")
                )
            } else {
                "the value is a detection limit that does not settle the comparison".to_string()
            });
            if ex && limit.as_ref().is_some_and(|l| l.origin == "default") {
                out.missing.push(Missing {
                    concept: a.field.clone(),
                    text: format!(
                        "{} with the laboratory's reference range (ULN not reported)",
                        display(&a.field)
                    ),
                    max_age_days: None,
                    criteria: Vec::new(),
                });
            }
        }
        let mut ev = val.evidence;
        ev.uln = limit;
        out.evidence.push(ev);
        out
    }

    /// A threshold written without a unit, in the value's unit: read in
    /// every unit the concept is reported in whose reading is plausible
    /// (`tm_units::bare_readings`). One plausible reading decides; several
    /// decide only when they all give the same answer for this value
    /// (the threshold is then their interval); otherwise the reading is
    /// uncertain (Err, with the readings and the likely answer).
    fn bare_threshold(&self, x: f64, val: &Val, op: Op) -> Result<((f64, f64), String), String> {
        let concept = tm_lexicon::get(&val.concept);
        let units: Vec<String> = concept.map(|c| c.alt_units.clone()).unwrap_or_default();
        let (lo, hi) = concept
            .and_then(|c| c.plausible_range())
            .and_then(|(lo, hi)| {
                let lo = tm_units::convert(&lo, &val.unit, Some(&val.concept)).ok()?;
                let hi = tm_units::convert(&hi, &val.unit, Some(&val.concept)).ok()?;
                Some((lo.value, hi.value))
            })
            .unwrap_or((f64::MIN, f64::MAX));
        let rs = tm_units::bare_readings(x, &val.unit, Some(&val.concept), &units, lo, hi);
        let shown = |r: &tm_units::BareReading| {
            format!(
                "{} {} (= {} {})",
                fmt_num(x),
                r.read_as,
                fmt_num(r.value),
                val.unit
            )
        };
        match rs.as_slice() {
            [] => Err(format!(
                "no unit stated, and {} is not plausible in any unit of {}",
                fmt_num(x),
                display(&val.concept)
            )),
            [r] => Ok((
                (r.value, r.value),
                format!(
                    "no unit stated: read as {} (the only plausible unit)",
                    shown(r)
                ),
            )),
            many => {
                let t = many.iter().fold((f64::MAX, f64::MIN), |(a, b), r| {
                    (a.min(r.value), b.max(r.value))
                });
                let list = many.iter().map(shown).collect::<Vec<_>>().join(" or ");
                if holds_interval(op, (val.lo, val.hi), t).is_some() {
                    Ok((
                        t,
                        format!("no unit stated: {list}; every reading gives the same answer"),
                    ))
                } else {
                    let likely =
                        holds_interval(op, (val.lo, val.hi), (many[0].value, many[0].value));
                    Err(format!(
                        "no unit stated: {list} give different answers{}",
                        match likely {
                            Some(true) => format!(" (likely holds, read as {})", many[0].read_as),
                            Some(false) => {
                                format!(" (likely does not hold, read as {})", many[0].read_as)
                            }
                            None => String::new(),
                        }
                    ))
                }
            }
        }
    }

    /// A number of the atom (in `unit`) in the value's unit.
    fn number_in(&self, x: f64, unit: Option<&str>, val: &Val) -> Result<f64, String> {
        match unit {
            None => Ok(x),
            Some(u) if u == val.unit => Ok(x),
            Some(u) => tm_units::convert(&Quantity::new(x, u), &val.unit, Some(&val.concept))
                .map(|q| q.value)
                .map_err(|e| format!("cannot compare: {e}")),
        }
    }

    /// The ULN (upper) or LLN as an interval in the value's unit, with
    /// where it came from.
    fn limit(&self, val: &Val, upper: bool) -> Option<(f64, f64, LimitUsed)> {
        let own = if upper { &val.ref_high } else { &val.ref_low };
        let name = if upper { "uln" } else { "lln" };
        if let Some(q) = own {
            if let Ok(c) = tm_units::convert(q, &val.unit, Some(&val.concept)) {
                return Some((
                    c.value,
                    c.value,
                    LimitUsed {
                        limit: name,
                        value: c.value,
                        value_hi: None,
                        unit: val.unit.clone(),
                        origin: "reference_range",
                        note: None,
                    },
                ));
            }
        }
        let sex = self.patient.sex;
        let d = default_limit(&val.concept, upper, sex)?;
        let lo = tm_units::convert(&Quantity::new(d.lo, &d.unit), &val.unit, Some(&val.concept))
            .ok()?
            .value;
        let hi = tm_units::convert(&Quantity::new(d.hi, &d.unit), &val.unit, Some(&val.concept))
            .ok()?
            .value;
        Some((
            lo,
            hi,
            LimitUsed {
                limit: name,
                value: lo,
                value_hi: Some(hi),
                unit: val.unit.clone(),
                origin: "default",
                note: Some(d.note),
            },
        ))
    }

    /// The patient's value for an atom's field, converted to the atom's
    /// unit when the atom compares with a number in a unit. `None` (with
    /// `out` filled) when missing or unusable.
    fn value_for(&self, a: &Atom, ex: bool, out: &mut LeafAnswer) -> Option<Val> {
        let field = a.field.as_str();
        if field == "age" {
            let Some(age) = self.patient.age_on(self.cfg.as_of) else {
                if ex {
                    out.missing.push(Missing {
                        concept: "age".into(),
                        text: "date of birth".into(),
                        max_age_days: None,
                        criteria: Vec::new(),
                    });
                }
                return None;
            };
            let ev = Evidence {
                concept: "age".into(),
                value: json!(age),
                unit: Some("a".into()),
                date: Some(self.cfg.as_of.to_string()),
                source: format!("Patient/{}", self.patient.id),
                inputs: Vec::new(),
                explanation: ex.then(|| {
                    format!(
                        "born {}",
                        date_str(self.patient.birth_date).unwrap_or_default()
                    )
                }),
                uln: None,
                original: None,
                comparator: None,
            };
            return self.finish_val(a, age as f64, "a".into(), "age".into(), None, ev, out);
        }
        let win = self.window(&a.window, self.default_window(field));
        let newest = self.newest(field);
        let in_window = |o: &Observation| match (win, o.effective) {
            (None, _) => true,
            (Some((earliest, _, _)), Some(d)) => d >= earliest,
            (Some(_), None) => false,
        };
        // Derived values (with their inputs) for scores; a direct
        // observation within the window otherwise first.
        let derived = derived_key(field)
            .and_then(|k| self.derived.get(k).map(|d| (k, d)))
            .filter(|(_, d)| d.is_computed());
        let prefer_derived = concepts::prefer_derived(field);
        let obs_ok = newest.filter(|o| in_window(o));
        if let (Some((k, d)), true) = (derived, prefer_derived || obs_ok.is_none()) {
            let ev = if ex {
                derived_evidence(k, d, self.cfg.as_of)
            } else {
                Evidence::light(k)
            };
            let num = if field == "albi_grade" {
                d.part("grade").and_then(|v| v.as_f64())
            } else if field == "bclc_stage" {
                d.value
                    .as_ref()
                    .and_then(|v| v.as_str())
                    .and_then(bclc_number)
            } else {
                d.number()
            };
            let Some(num) = num else {
                out.note = Some(format!("{k} has no numeric value"));
                return None;
            };
            return self.finish_val(
                a,
                num,
                d.unit.clone().unwrap_or_default(),
                field.to_string(),
                None,
                ev,
                out,
            );
        }
        let Some(o) = obs_ok else {
            // §8: "anti-HCV+ → check HCV RNA": a negative anti-HCV means
            // there is no HCV RNA to measure (undetectable).
            if field == "hcv_rna" {
                let lim = self.cfg.as_of.add_days(-self.cfg.serology_window_days);
                if let Some(t) = self
                    .obs
                    .get("anti_hcv")
                    .and_then(|v| v.first())
                    .filter(|t| t.effective.is_some_and(|d| d >= lim))
                {
                    if obs_yes_no(t) == Some(false) {
                        let mut ev = if ex {
                            obs_evidence(t)
                        } else {
                            Evidence::light("anti_hcv")
                        };
                        if ex {
                            ev.explanation =
                                Some("anti-HCV negative: no HCV RNA (clinical-rules §8)".into());
                        }
                        let unit = a.unit.clone().unwrap_or_else(|| "[IU]/mL".into());
                        return Some(Val {
                            lo: 0.0,
                            hi: 0.0,
                            unit,
                            concept: "hcv_rna".into(),
                            ref_high: None,
                            ref_low: None,
                            evidence: ev,
                        });
                    }
                }
            }
            if ex {
                let (days, text) = match (win, newest) {
                    (Some((earliest, d, anchor)), Some(o)) => (
                        Some(d),
                        format!(
                            "{} within {} days before {} (latest {} is older than {})",
                            display(field),
                            d,
                            anchor,
                            date_str(o.effective).unwrap_or_else(|| "undated".into()),
                            earliest
                        ),
                    ),
                    (Some((_, d, anchor)), None) => (
                        Some(d),
                        format!("{} within {} days before {}", display(field), d, anchor),
                    ),
                    (None, _) => (None, display(field)),
                };
                let note = derived.is_none().then(|| {
                    derived_key(field)
                        .and_then(|k| self.derived.get(k))
                        .filter(|d| !d.missing.is_empty())
                        .map(|d| format!(" (to compute: {})", d.missing.join(", ")))
                        .unwrap_or_default()
                });
                out.missing.push(Missing {
                    concept: field.to_string(),
                    text: format!("{text}{}", note.unwrap_or_default()),
                    max_age_days: days,
                    criteria: Vec::new(),
                });
            }
            return None;
        };
        let ev = if ex {
            obs_evidence(o)
        } else {
            Evidence::light(field)
        };
        let concept = o.concept.clone().unwrap_or_else(|| field.to_string());
        match &o.value {
            Some(ObsValue::Quantity(q)) => {
                let rr = o.reference_range.as_ref();
                let (mut lo, mut hi) = match o.comparator.as_deref() {
                    Some("<") | Some("<=") => (f64::NEG_INFINITY, q.value),
                    Some(">") | Some(">=") => (q.value, f64::INFINITY),
                    _ => (q.value, q.value),
                };
                // Conflicting values on the same day (issue 29): the value is
                // the interval they span, so the leaf is decided only when
                // every one of them decides it the same way — never by
                // which came first in the file.
                if o.effective.is_some() {
                    let same_day = self
                        .obs
                        .get(field)
                        .into_iter()
                        .flatten()
                        .filter(|x| !std::ptr::eq(**x, o) && x.effective == o.effective);
                    for x in same_day {
                        let Some(xq) = x.quantity() else { continue };
                        if let Ok(c) = tm_units::convert(xq, &q.unit, Some(field)) {
                            lo = lo.min(c.value);
                            hi = hi.max(c.value);
                        }
                    }
                    if lo != hi && o.comparator.is_none() {
                        out.note = Some(format!(
                            "conflicting values on {}: {} to {} {} (flagged; decided only if all agree)",
                            date_str(o.effective).unwrap_or_default(),
                            fmt_num(lo),
                            fmt_num(hi),
                            q.unit
                        ));
                    }
                }
                let mut v = Val {
                    lo,
                    hi,
                    unit: q.unit.clone(),
                    concept,
                    ref_high: rr.and_then(|r| r.high.clone()),
                    ref_low: rr.and_then(|r| r.low.clone()),
                    evidence: ev,
                };
                // Compare in the atom's unit when it gives a number in a unit.
                if let (Value::Number(_), Some(u)) = (a.value, a.unit.as_deref()) {
                    if u != v.unit {
                        let conv = |x: f64| -> Result<f64, tm_units::UnitError> {
                            if x.is_infinite() {
                                return Ok(x);
                            }
                            tm_units::convert(
                                &Quantity::new(x, v.unit.as_str()),
                                u,
                                Some(&v.concept),
                            )
                            .map(|q| q.value)
                        };
                        match (conv(v.lo), conv(v.hi)) {
                            (Ok(l), Ok(h)) => {
                                v.lo = l;
                                v.hi = h;
                                v.unit = u.to_string();
                            }
                            (Err(e), _) | (_, Err(e)) => {
                                out.note = Some(format!(
                                    "cannot compare {} with a threshold in {u}: {e}",
                                    q
                                ));
                                out.evidence.push(v.evidence);
                                if ex {
                                    out.missing.push(Missing {
                                        concept: field.to_string(),
                                        text: format!(
                                            "{} in {u} (the value in {} cannot be converted)",
                                            display(field),
                                            q.unit
                                        ),
                                        max_age_days: win.map(|w| w.1),
                                        criteria: Vec::new(),
                                    });
                                }
                                return None;
                            }
                        }
                    }
                }
                Some(v)
            }
            Some(ObsValue::Integer(i)) => {
                self.finish_val(a, *i as f64, String::new(), concept, None, ev, out)
            }
            Some(_) => {
                let reading = o.reading.as_ref();
                let num = if field == "bclc_stage" {
                    reading.and_then(|r| r.ordinal).map(f64::from)
                } else {
                    reading.and_then(|r| r.number)
                };
                match num {
                    Some(n) => self.finish_val(a, n, String::new(), concept, None, ev, out),
                    None => {
                        out.note = Some(format!("{} has no comparable value", display(field)));
                        out.evidence.push(ev);
                        None
                    }
                }
            }
            None => {
                out.note = Some(format!("{} has no value", display(field)));
                out.evidence.push(ev);
                None
            }
        }
    }

    /// A scalar value in `unit`, converted to the atom's unit when needed.
    #[allow(clippy::too_many_arguments)]
    fn finish_val(
        &self,
        a: &Atom,
        x: f64,
        unit: String,
        concept: String,
        _rr: Option<()>,
        ev: Evidence,
        out: &mut LeafAnswer,
    ) -> Option<Val> {
        let mut v = Val {
            lo: x,
            hi: x,
            unit,
            concept,
            ref_high: None,
            ref_low: None,
            evidence: ev,
        };
        if let (Value::Number(_), Some(u)) = (a.value, a.unit.as_deref()) {
            let dimensionless = v.unit.is_empty() || v.unit == "1";
            if !dimensionless && u != v.unit {
                match tm_units::convert(&Quantity::new(x, v.unit.as_str()), u, Some(&v.concept)) {
                    Ok(q) => {
                        v.lo = q.value;
                        v.hi = q.value;
                        v.unit = u.to_string();
                    }
                    Err(e) => {
                        out.note = Some(format!("cannot compare: {e}"));
                        out.evidence.push(v.evidence);
                        return None;
                    }
                }
            } else if dimensionless {
                v.unit = u.to_string();
            }
        }
        Some(v)
    }

    /// Answers a presence question.
    pub fn eval_has(
        &self,
        concept: &str,
        what: HasKind,
        window: &Option<Window>,
        ex: bool,
    ) -> LeafAnswer {
        let mut out = LeafAnswer {
            label: if ex {
                format!("has {}{}", concept, window_label(window))
            } else {
                String::new()
            },
            ..Default::default()
        };
        if self.at_treatment(window) {
            out.at_treatment = true;
            out.note = ex.then(|| "can only be checked at the time of treatment".to_string());
            return out;
        }
        let p = self.patient;
        let as_of = self.cfg.as_of;
        let win = self.window(window, None);
        let earliest = win.map(|w| w.0);
        let mut yes: Vec<Evidence> = Vec::new();
        let mut no: Vec<Evidence> = Vec::new();
        let mut measurable_missing: Option<String> = None;
        let ev = |concept: &Option<String>,
                  value: serde_json::Value,
                  date: Option<Date>,
                  source: &str| Evidence {
            concept: concept.clone().unwrap_or_default(),
            value,
            unit: None,
            date: date_str(date),
            source: source.to_string(),
            inputs: Vec::new(),
            explanation: None,
            uln: None,
            original: None,
            comparator: None,
        };
        // Sex as a condition of a check ("female participants of
        // childbearing age …", seed 000 I9; clinical-rules §8 WOCBP): known
        // from the patient's administrative sex; other/unknown sex stays
        // unknown.
        if concept == "female" {
            out.value = match p.sex {
                Sex::Female => Some(true),
                Sex::Male => Some(false),
                _ => None,
            };
            if ex && out.value.is_some() {
                let s = if p.sex == Sex::Female {
                    "female"
                } else {
                    "male"
                };
                out.evidence.push(ev(
                    &Some("sex".into()),
                    json!(s),
                    None,
                    &format!("Patient/{}", p.id),
                ));
            }
            return out;
        }
        // §8 pregnancy: a male patient is neither pregnant nor lactating
        // (nor of childbearing potential).
        if matches!(concept, "pregnant" | "lactating" | "childbearing_potential")
            && p.sex == Sex::Male
        {
            out.value = Some(false);
            if ex {
                out.evidence.push(ev(
                    &Some("sex".into()),
                    json!("male"),
                    None,
                    &format!("Patient/{}", p.id),
                ));
                out.note = Some("a male patient is neither pregnant nor lactating".into());
            }
            return out;
        }
        let matches = |c: &Option<String>| {
            c.as_deref().is_some_and(|c| match self.ancestors.get(c) {
                Some(a) => concepts::answers_with(a, concept),
                None => answers(c, concept),
            })
        };
        for c in &p.conditions {
            if !matches(&c.concept)
                || c.flags.iter().any(|f| f.code == flag::UNCONFIRMED)
                || c.onset.is_some_and(|d| d > as_of)
            {
                continue;
            }
            let active_in_window = match earliest {
                Some(e) => {
                    c.abatement.is_none_or(|a| a >= e)
                        && !(c.abatement.is_none()
                            && !c.is_active_on(as_of)
                            && c.onset.is_some_and(|o| o < e))
                }
                None => c.is_active_on(as_of),
            };
            let v = json!(c
                .clinical_status
                .clone()
                .unwrap_or_else(|| "present".into()));
            if active_in_window {
                yes.push(ev(&c.concept, v, c.onset, &c.source));
            } else {
                no.push(ev(
                    &c.concept,
                    json!(format!(
                        "resolved{}",
                        c.abatement.map(|d| format!(" {d}")).unwrap_or_default()
                    )),
                    c.abatement.or(c.onset),
                    &c.source,
                ));
            }
        }
        for pr in &p.procedures {
            if !matches(&pr.concept) {
                continue;
            }
            let Some(d) = pr.date else {
                if earliest.is_none() {
                    yes.push(ev(
                        &pr.concept,
                        json!("performed (undated)"),
                        None,
                        &pr.source,
                    ));
                }
                continue;
            };
            // Outside the window: neither presence nor a documented absence.
            if d > as_of || earliest.is_some_and(|e| d < e) {
                continue;
            }
            let mut e = ev(&pr.concept, json!("performed"), Some(d), &pr.source);
            if !pr.details.is_empty() {
                e.explanation = Some(pr.details.join("; "));
            }
            yes.push(e);
        }
        // A qualified procedure (`tace_lipiodol`) answered by the details of
        // the broader one (a `tace` "with lipiodol" / "without lipiodol").
        if let Some((broader, with, without)) = concepts::qualified(concept) {
            for pr in &p.procedures {
                let is_broader = pr.concept.as_deref().is_some_and(|c| answers(c, broader));
                if !is_broader || matches(&pr.concept) || pr.date.is_some_and(|d| d > as_of) {
                    continue;
                }
                let has = |d: &str| pr.details.iter().any(|x| x.eq_ignore_ascii_case(d));
                let value = if has(with) {
                    true
                } else if has(without) {
                    false
                } else {
                    continue;
                };
                let mut e = ev(
                    &pr.concept,
                    json!(if value { with } else { without }),
                    pr.date,
                    &pr.source,
                );
                e.explanation = Some(pr.details.join("; "));
                if value {
                    yes.push(e);
                } else {
                    no.push(e);
                }
            }
        }
        for m in &p.medications {
            if !matches(&m.concept) {
                continue;
            }
            let started = m.start.is_none_or(|s| s <= as_of);
            let ended_before = match (m.end, earliest) {
                (Some(end), Some(e)) => end < e,
                _ => false,
            };
            if started
                && !ended_before
                && (earliest.is_some() || m.start.is_some() || m.end.is_none())
            {
                yes.push(ev(
                    &m.concept,
                    json!(m.status.clone().unwrap_or_else(|| "taken".into())),
                    m.start,
                    &m.source,
                ));
            }
        }
        if matches!(concept, "pvtt" | "macrovascular_invasion") {
            let e = self.cfg.as_of.add_days(-self.cfg.imaging_window_days);
            if let Some(v) = p
                .vascular_invasion
                .iter()
                .filter(|v| v.effective.is_some_and(|d| d <= as_of && d >= e))
                .max_by_key(|v| v.effective)
            {
                let item = ev(
                    &Some(concept.to_string()),
                    json!(v.present),
                    v.effective,
                    &v.source,
                );
                if v.present {
                    yes.push(item);
                } else {
                    no.push(item);
                }
            }
        }
        // §2 / §8: measurable disease from the lesion list.
        if matches!(concept, "measurable_disease" | "measurable_disease_mrecist") {
            use tm_clinical::measurable::{assess, Criteria};
            let crit = if concept == "measurable_disease_mrecist" {
                Criteria::Mrecist
            } else {
                Criteria::Recist11
            };
            let prior_local = p.procedures.iter().any(|pr| {
                pr.date.is_none_or(|d| d <= as_of)
                    && pr.concept.as_deref().is_some_and(|c| {
                        answers(c, "locoregional_therapy") || answers(c, "radiotherapy")
                    })
            });
            let a = assess(
                &p.lesions,
                crit,
                as_of,
                self.cfg.imaging_window_days,
                prior_local,
            );
            let lesion_ev = |r: &tm_clinical::measurable::LesionReading| {
                let mut e = ev(&Some("lesion".into()), json!(r.label), r.date, &r.source);
                e.explanation = Some(r.reason.clone());
                e
            };
            match a.value {
                Some(true) => yes.extend(
                    a.lesions
                        .iter()
                        .filter(|r| r.qualifies == Some(true))
                        .map(lesion_ev),
                ),
                Some(false) => no.extend(a.lesions.iter().map(lesion_ev)),
                None => {
                    if ex {
                        measurable_missing = a.missing;
                    }
                }
            }
        }
        if concept == "extrahepatic_spread" {
            let e = self.cfg.as_of.add_days(-self.cfg.imaging_window_days);
            for l in &p.lesions {
                if l.intrahepatic == Some(false)
                    && l.effective.is_some_and(|d| d <= as_of && d >= e)
                {
                    yes.push(ev(
                        &Some("lesion".into()),
                        json!(l.site.clone().unwrap_or_else(|| "extrahepatic".into())),
                        l.effective,
                        &l.source,
                    ));
                }
            }
        }
        // Observations of the concept itself (yes/no, grade) and negative
        // tests (§8).
        let obs_window = |id: &str| -> i32 {
            if matches!(id, "pregnant" | "pregnancy_test") {
                self.cfg.pregnancy_status_window_days
            } else if negative_tests(concept).contains(&id) {
                self.cfg.serology_window_days
            } else {
                self.cfg.imaging_window_days
            }
        };
        // The concept's own observations answer yes or no; a documented
        // absence of a broader concept answers no ("no autoimmune disease"
        // → no SLE); a documented presence of a narrower one answers yes
        // (lexicon `is_a`, yes/no observations only — never a quantity).
        #[derive(PartialEq)]
        enum Rel {
            Own,
            Broader,
            Narrower,
        }
        let broader = concepts::ancestors(concept);
        let related = broader
            .iter()
            .map(|b| {
                (
                    b.as_str(),
                    if b == concept { Rel::Own } else { Rel::Broader },
                )
            })
            .chain(
                self.narrower_obs
                    .get(concept)
                    .into_iter()
                    .flatten()
                    .map(|n| (*n, Rel::Narrower)),
            );
        for (id, rel) in related {
            let Some(o) = self.obs.get(id).and_then(|v| v.first()) else {
                continue;
            };
            let Some(d) = o.effective else { continue };
            let lim = earliest.unwrap_or_else(|| as_of.add_days(-obs_window(id)));
            if d < lim {
                continue;
            }
            match obs_yes_no(o) {
                Some(true) if rel != Rel::Broader => yes.push(obs_evidence(o)),
                Some(false) if rel != Rel::Narrower => no.push(obs_evidence(o)),
                _ => {}
            }
        }
        for t in negative_tests(concept) {
            let Some(o) = self.obs.get(t).and_then(|v| v.first()) else {
                continue;
            };
            let Some(d) = o.effective else { continue };
            if d < as_of.add_days(-obs_window(t)) {
                continue;
            }
            let answer = match (&o.value, t) {
                (Some(ObsValue::Quantity(q)), _) => match o.comparator.as_deref() {
                    Some("<") | Some("<=") => Some(false),
                    _ => Some(q.value > 0.0),
                },
                _ => obs_yes_no(o),
            };
            match answer {
                // A positive antibody does not prove active infection (§8:
                // anti-HCV+ → check HCV RNA).
                Some(true) if t != "anti_hcv" => yes.push(obs_evidence(o)),
                Some(false) => no.push(obs_evidence(o)),
                _ => {}
            }
        }
        if !yes.is_empty() {
            out.value = Some(true);
            if ex {
                out.evidence = yes;
            }
        } else if !no.is_empty() {
            out.value = Some(false);
            if ex {
                out.evidence = no;
                out.note = Some("documented absence".into());
            }
        } else if ex {
            let what_s = match what {
                HasKind::Condition => "",
                HasKind::Therapy => " (received or not)",
                HasKind::Trial => " (participation or not)",
            };
            let text = match measurable_missing {
                Some(m) => format!("{}: {m}", display(concept)),
                None => format!(
                    "documented presence or absence of {}{}{}",
                    display(concept),
                    what_s,
                    win.map(|(_, d, a)| format!(" within {d} days before {a}"))
                        .unwrap_or_default()
                ),
            };
            out.missing.push(Missing {
                concept: concept.to_string(),
                text,
                max_age_days: win.map(|w| w.1),
                criteria: Vec::new(),
            });
        }
        out
    }
}

impl PatientFacts<'_> {
    /// Whether the patient has, as of the index date, an active condition
    /// that is (or descends from, lexicon `is_a`) one of `concepts`.
    pub fn has_active_condition(&self, concepts: &[String]) -> bool {
        !concepts.is_empty()
            && self.patient.conditions.iter().any(|c| {
                c.is_active_on(self.cfg.as_of)
                    && c.concept
                        .as_deref()
                        .is_some_and(|k| match self.ancestors.get(k) {
                            Some(a) => concepts.iter().any(|t| concepts::answers_with(a, t)),
                            None => concepts.iter().any(|t| answers(k, t)),
                        })
            })
    }
}

impl Evidence {
    /// Placeholder evidence for the fast path (nothing is shown).
    fn light(concept: &str) -> Evidence {
        Evidence {
            concept: concept.to_string(),
            value: serde_json::Value::Null,
            unit: None,
            date: None,
            source: String::new(),
            inputs: Vec::new(),
            explanation: None,
            uln: None,
            original: None,
            comparator: None,
        }
    }
}
