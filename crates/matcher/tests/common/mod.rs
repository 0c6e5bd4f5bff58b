//! Shared helpers: seeds read with tm_ingest and compiled, example
//! patients read with tm_patient, hand-built IR.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tm_criteria::{Atom, CompiledCriteria, CompiledCriterion, Expr, Kind, Op, Status, Value};
use tm_matcher::{evaluate_trial, MatchConfig, PatientFacts, TrialInfo, TrialResult};
use tm_model::patient::{ObsValue, Observation, Patient, ReferenceRange};
use tm_model::{Date, Quantity};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn as_of() -> Date {
    Date::from_ymd(2025, 3, 1).expect("valid date")
}

/// The seed trial whose file name starts with `prefix`, compiled; `None`
/// when the reader does not support its format yet.
pub fn seed(prefix: &str) -> Option<(TrialInfo, CompiledCriteria)> {
    let dir = root().join("examples/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let f = files.into_iter().find(|f| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix))
    })?;
    let mut out = None;
    tm_ingest::read_file(&f, &mut |r| {
        if let Ok(t) = r {
            if out.is_none() {
                if let Some(text) = t.eligibility.criteria_text.as_deref() {
                    out = Some((TrialInfo::from_trial(&t), tm_criteria::compile(text)));
                }
            }
        }
    });
    out
}

pub fn patient(name: &str) -> Patient {
    let p = root()
        .join("examples/patients")
        .join(format!("{name}.json"));
    let rep = tm_patient::read_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert!(rep.errors.is_empty(), "{name}: {:?}", rep.errors);
    rep.patients
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{name}: no patient"))
}

pub fn screen(name: &str, seed_prefix: &str) -> Option<TrialResult> {
    let (t, c) = seed(seed_prefix)?;
    let p = patient(name);
    let facts = PatientFacts::new(&p, MatchConfig::new(as_of()));
    Some(evaluate_trial(&t, &c, &facts))
}

pub fn outcome<'a>(r: &'a TrialResult, id: &str) -> &'a tm_matcher::CriterionResult {
    r.criteria
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no criterion {id} in {}", r.trial))
}

// ---- hand-built IR ----

pub fn atom(field: &str, op: Op, value: Value, unit: Option<&str>) -> Atom {
    Atom {
        field: field.into(),
        op,
        value,
        unit: unit.map(str::to_string),
        span: (0, 0),
        window: None,
    }
}

pub fn crit(id: &str, kind: Kind, expr: Expr, atoms: Vec<Atom>) -> CompiledCriterion {
    CompiledCriterion {
        id: id.into(),
        kind,
        text: id.into(),
        span: (0, 0),
        parent: None,
        status: Status::Computable,
        review_reason: Vec::new(),
        expr,
        atoms,
    }
}

pub fn single(id: &str, kind: Kind, a: Atom) -> CompiledCriterion {
    crit(id, kind, Expr::Compare { atom: 0 }, vec![a])
}

pub fn trial(criteria: Vec<CompiledCriterion>) -> (TrialInfo, CompiledCriteria) {
    let t = TrialInfo {
        id: "T1".into(),
        title: "test".into(),
        status: None,
        phases: Vec::new(),
        conditions: Vec::new(),
        condition_concepts: Vec::new(),
        countries: Vec::new(),
        min_age: None,
        max_age: None,
        sex: None,
        min_age_text: None,
        max_age_text: None,
    };
    (
        t,
        CompiledCriteria {
            compiler_version: "test".into(),
            criteria,
        },
    )
}

pub fn lab(concept: &str, v: f64, unit: &str, date: &str) -> Observation {
    Observation {
        concept: Some(concept.into()),
        value: Some(ObsValue::Quantity(Quantity::new(v, unit))),
        effective: Date::parse(date),
        source: format!("Observation/{concept}-{date}"),
        ..Default::default()
    }
}

pub fn lab_rr(concept: &str, v: f64, unit: &str, date: &str, high: f64) -> Observation {
    let mut o = lab(concept, v, unit, date);
    o.reference_range = Some(ReferenceRange {
        low: None,
        high: Some(Quantity::new(high, unit)),
        text: None,
    });
    o
}

pub fn run(p: &Patient, t: &(TrialInfo, CompiledCriteria)) -> TrialResult {
    let facts = PatientFacts::new(p, MatchConfig::new(as_of()));
    evaluate_trial(&t.0, &t.1, &facts)
}
