//! Patient readers: FHIR R4 (Bundles of every type, single resources, bulk
//! NDJSON, directories of them) and the hand-entry profile, all producing
//! the typed [`tm_model::patient::Patient`] (issue 7).
//!
//! - [`read_path`]: a file or a directory (recursively: `*.json`,
//!   `*.ndjson`, `*.jsonl`), grouped into patients by subject reference.
//! - [`read_str`]: the same for text already in memory.
//! - [`canonical`]: the provenance-free projection used to compare two
//!   readings of one patient (FHIR vs profile).
//!
//! Rules: refuted / entered-in-error / not-done resources are not facts
//! (counted in [`ReadReport::excluded`]); unknown resource types are
//! skipped and counted; malformed JSON is reported with file and line and
//! reading continues. Units are normalised through `tm-units`; concepts
//! come from `tm-lexicon`. Mapping conventions: docs/fhir-mapping.md.

pub mod fhir;
mod map;
pub mod normalize;
pub mod profile;
pub mod reading;

use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
pub use tm_model::patient::Patient;
use tm_model::patient::{flag, Flag};
use tm_model::Date;

/// What a read produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadReport {
    /// Patients in order of first appearance.
    pub patients: Vec<Patient>,
    /// Resource types we do not read, with counts (`Encounter: 130`).
    pub skipped_types: BTreeMap<String, usize>,
    /// Malformed input: `file:line[:column]: message`.
    pub errors: Vec<String>,
    /// Files read.
    pub files: usize,
    /// Resources turned into facts (or patients).
    pub resources_read: usize,
    /// Resources left out because refuted, entered-in-error, not done,
    /// cancelled.
    pub excluded: usize,
    /// Observations whose code and text map to no lexicon concept.
    pub unmapped_observations: usize,
}

/// Reading failed as a whole (the path cannot be read at all).
#[derive(Debug)]
pub enum ReadError {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for ReadError {}

/// Accumulates facts per patient across files.
pub(crate) struct Builder {
    pub patients: Vec<Patient>,
    index: HashMap<String, usize>,
    pub skipped_types: BTreeMap<String, usize>,
    pub errors: Vec<String>,
    pub resources_read: usize,
    pub excluded: usize,
    pub unmapped: usize,
    /// Medication resources by id (and fullUrl uuid), for medicationReference.
    pub medications: HashMap<String, fhir::CodeableConcept>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            patients: Vec::new(),
            index: HashMap::new(),
            skipped_types: BTreeMap::new(),
            errors: Vec::new(),
            resources_read: 0,
            excluded: 0,
            unmapped: 0,
            medications: HashMap::new(),
        }
    }

    pub fn patient_mut(&mut self, id: &str) -> &mut Patient {
        let i = match self.index.get(id) {
            Some(&i) => i,
            None => {
                self.patients.push(Patient {
                    id: id.to_string(),
                    ..Default::default()
                });
                self.index.insert(id.to_string(), self.patients.len() - 1);
                self.patients.len() - 1
            }
        };
        &mut self.patients[i]
    }

    fn finish(mut self, files: usize) -> ReadReport {
        for p in &mut self.patients {
            reading::add_stated_scores(p);
            flag_same_day_conflicts(p);
            flag_future_birth_date(p, Date::today());
        }
        ReadReport {
            patients: self.patients,
            skipped_types: self.skipped_types,
            errors: self.errors,
            files,
            resources_read: self.resources_read,
            excluded: self.excluded,
            unmapped_observations: self.unmapped,
        }
    }
}

/// A parsed top-level JSON value with where it came from.
struct Item {
    value: Value,
    origin: String,
}

/// Resource types the readers use (everything else is skipped and counted).
const READ_TYPES: &[&str] = &[
    "Bundle",
    "Patient",
    "Observation",
    "Condition",
    "Procedure",
    "MedicationStatement",
    "MedicationRequest",
    "MedicationAdministration",
    "Medication",
    "AllergyIntolerance",
    "DiagnosticReport",
    "Consent",
];

/// Just the type of a resource, read without building the whole value.
#[derive(serde::Deserialize)]
struct Probe<'a> {
    #[serde(rename = "resourceType", borrow, default)]
    resource_type: Option<std::borrow::Cow<'a, str>>,
}

/// Parses one file's text into top-level JSON values (one for a JSON file,
/// one per non-empty line for NDJSON). Errors carry `name:line[:col]`.
/// NDJSON lines of a type we do not read are only counted in `skipped`.
fn parse_text(
    name: &str,
    text: &str,
    ndjson: bool,
    errors: &mut Vec<String>,
    skipped: &mut BTreeMap<String, usize>,
) -> Vec<Item> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parse_lines = |errors: &mut Vec<String>| {
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            if let Ok(Probe {
                resource_type: Some(t),
            }) = serde_json::from_str::<Probe>(line)
            {
                if !READ_TYPES.contains(&t.as_ref()) {
                    *skipped.entry(t.into_owned()).or_default() += 1;
                    continue;
                }
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v) => out.push(Item {
                    value: v,
                    origin: format!("{name}:{}", n + 1),
                }),
                Err(e) => errors.push(format!(
                    "{name}:{}:{}: {}",
                    n + 1,
                    e.column(),
                    json_error_text(&e)
                )),
            }
        }
        out
    };
    if ndjson {
        return parse_lines(errors);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => vec![Item {
            value: v,
            origin: name.to_string(),
        }],
        Err(e) => {
            // several JSON objects on separate lines: NDJSON without the
            // extension
            let looks_ndjson = e.to_string().contains("trailing characters")
                && text.lines().filter(|l| !l.trim().is_empty()).count() > 1;
            if looks_ndjson {
                let mut errs = Vec::new();
                let items = parse_lines(&mut errs);
                if errs.is_empty() {
                    return items;
                }
            }
            if text.trim().is_empty() {
                errors.push(format!("{name}:1: empty file"));
            } else {
                errors.push(format!(
                    "{name}:{}:{}: {}",
                    e.line(),
                    e.column(),
                    json_error_text(&e)
                ));
            }
            Vec::new()
        }
    }
}

/// serde_json's message without its own " at line L column C" suffix (the
/// caller prints the position as `file:line:column`, counted in the file).
fn json_error_text(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn is_profile(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    if o.contains_key("resourceType") {
        return false;
    }
    o.get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| f.starts_with("trialmatch-profile"))
        || (o.contains_key("id")
            && ["observations", "conditions", "birth_date", "lesions"]
                .iter()
                .any(|k| o.contains_key(*k)))
}

/// Flattens Bundles (recursively) into (resource, origin, bundle patient).
fn collect(item: Item, out: &mut Vec<(Value, String, Option<String>)>, b: &mut Builder) {
    let Item { value, origin } = item;
    if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
        let entries = value
            .get("entry")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let patients: Vec<String> = entries
            .iter()
            .filter_map(|e| e.get("resource"))
            .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("Patient"))
            .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
        let default = (patients.len() == 1).then(|| patients[0].clone());
        for (i, e) in entries.into_iter().enumerate() {
            if e.get("request")
                .and_then(|r| r.get("method"))
                .and_then(Value::as_str)
                == Some("DELETE")
            {
                continue;
            }
            let full_url = e.get("fullUrl").and_then(Value::as_str).map(str::to_string);
            let Some(res) = e.get("resource").cloned() else {
                continue;
            };
            let o = format!("{origin}#entry[{i}]");
            if res.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
                let mut inner = Vec::new();
                collect(
                    Item {
                        value: res,
                        origin: o,
                    },
                    &mut inner,
                    b,
                );
                out.extend(inner);
                continue;
            }
            if res.get("resourceType").and_then(Value::as_str) == Some("Medication") {
                remember_medication(b, &res, full_url.as_deref());
            }
            out.push((res, o, default.clone()));
        }
        return;
    }
    if value.get("resourceType").and_then(Value::as_str) == Some("Medication") {
        remember_medication(b, &value, None);
    }
    out.push((value, origin, None));
}

fn remember_medication(b: &mut Builder, res: &Value, full_url: Option<&str>) {
    let Ok(m) = serde_json::from_value::<fhir::Medication>(res.clone()) else {
        return;
    };
    let Some(code) = m.code else { return };
    if let Some(id) = &m.id {
        b.medications.insert(id.clone(), code.clone());
    }
    if let Some(u) = full_url {
        b.medications
            .insert(u.strip_prefix("urn:uuid:").unwrap_or(u).to_string(), code);
    }
}

/// Reads parsed items: profiles directly, FHIR through the mapper (Patient
/// and Medication resources first so references resolve).
fn ingest(items: Vec<Item>, b: &mut Builder) {
    let mut resources = Vec::new();
    for item in items {
        if is_profile(&item.value) {
            match serde_json::from_value::<profile::Profile>(item.value) {
                Ok(p) => {
                    let pt = profile::to_patient(p);
                    let slot = b.patient_mut(&pt.id.clone());
                    merge(slot, pt);
                    b.resources_read += 1;
                }
                Err(e) => b.errors.push(format!("{}: profile: {e}", item.origin)),
            }
            continue;
        }
        collect(item, &mut resources, b);
    }
    // Patients first: demographics do not depend on order, but this keeps
    // patient order = order of Patient resources when present.
    let (pats, rest): (Vec<_>, Vec<_>) = resources
        .into_iter()
        .partition(|(v, _, _)| v.get("resourceType").and_then(Value::as_str) == Some("Patient"));
    for (v, origin, default) in pats.into_iter().chain(rest) {
        map::resource(b, v, &origin, default.as_deref());
    }
}

fn merge(into: &mut Patient, p: Patient) {
    if into.birth_date.is_none() {
        into.birth_date = p.birth_date;
    }
    if into.sex == tm_model::patient::Sex::Unknown {
        into.sex = p.sex;
    }
    into.observations.extend(p.observations);
    into.conditions.extend(p.conditions);
    into.procedures.extend(p.procedures);
    into.medications.extend(p.medications);
    into.allergies.extend(p.allergies);
    into.lesions.extend(p.lesions);
    into.vascular_invasion.extend(p.vascular_invasion);
    into.consents.extend(p.consents);
    into.flags.extend(p.flags);
}

fn is_ndjson_name(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("ndjson") | Some("jsonl")
    )
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReadError> {
    let rd = std::fs::read_dir(dir).map_err(|error| ReadError::Io {
        path: dir.to_path_buf(),
        error,
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            list_files(&p, out)?;
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("json") | Some("ndjson") | Some("jsonl")
        ) {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads a FHIR JSON file (a resource or a Bundle), an NDJSON file, a
/// hand-entry profile, or a directory of them (recursively). All patients
/// found are returned, with facts grouped by subject reference.
///
/// Errors: only when `path` cannot be read at all; malformed content is
/// reported in [`ReadReport::errors`].
pub fn read_path(path: impl AsRef<Path>) -> Result<ReadReport, ReadError> {
    let path = path.as_ref();
    let files = if path.is_dir() {
        let mut v = Vec::new();
        list_files(path, &mut v)?;
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut b = Builder::new();
    let mut items = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).map_err(|error| ReadError::Io {
            path: f.clone(),
            error,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let name = f.display().to_string();
        items.extend(parse_text(
            &name,
            &text,
            is_ndjson_name(f),
            &mut b.errors,
            &mut b.skipped_types,
        ));
    }
    ingest(items, &mut b);
    Ok(b.finish(files.len()))
}

/// Reads text in memory. `name` labels errors; `ndjson` selects
/// one-resource-per-line parsing.
pub fn read_str(name: &str, text: &str, ndjson: bool) -> ReadReport {
    let mut b = Builder::new();
    let items = parse_text(name, text, ndjson, &mut b.errors, &mut b.skipped_types);
    ingest(items, &mut b);
    b.finish(1)
}

/// Rounds to 9 significant digits (unit conversion leaves noise in the
/// last bits: 20.52 umol/L → 1.2000000000000002 mg/dL).
fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = v.abs().log10().floor() as i32;
    let scale = 10f64.powi(8 - mag);
    (v * scale).round() / scale
}

/// The provenance-free projection of a patient: sources, codes, display
/// texts, components, pre-conversion originals and value-less observations
/// (panels) removed; values rounded to 9 significant digits; lists sorted.
/// Two readings of the same patient (FHIR and profile) have equal
/// projections.
pub fn canonical(p: &Patient) -> Patient {
    let mut p = p.clone();
    macro_rules! sort {
        ($v:expr) => {
            $v.sort_by_cached_key(|x| serde_json::to_string(x).unwrap_or_default());
        };
    }
    p.observations.retain(|o| o.value.is_some());
    let round = |q: &mut tm_model::Quantity| q.value = round_sig(q.value);
    for o in &mut p.observations {
        if let Some(tm_model::patient::ObsValue::Quantity(q)) = &mut o.value {
            round(q);
        }
        if let Some(r) = &mut o.reference_range {
            r.low.iter_mut().for_each(round);
            r.high.iter_mut().for_each(round);
        }
        o.source.clear();
        o.code.clear();
        o.text = None;
        o.original = None;
        o.components.clear();
        o.interpretation.clear();
        if let Some(r) = &mut o.reference_range {
            r.text = None;
        }
        sort!(o.flags);
    }
    for c in &mut p.conditions {
        c.source.clear();
        c.codes.clear();
        c.text = None;
        c.body_site.clear();
        sort!(c.flags);
    }
    for x in &mut p.procedures {
        x.source.clear();
        x.codes.clear();
        x.text = None;
        x.status = None;
        x.details
            .retain(|d| d == "with lipiodol" || d == "without lipiodol");
        sort!(x.flags);
    }
    for m in &mut p.medications {
        m.source.clear();
        m.codes.clear();
        m.text = None;
        m.status = None;
        m.kind = tm_model::patient::MedicationKind::Statement;
    }
    for a in &mut p.allergies {
        a.source.clear();
        a.codes.clear();
        a.text = None;
        a.category.clear();
    }
    for l in &mut p.lesions {
        l.diameters.iter_mut().for_each(round);
        l.source.clear();
        l.label = None;
    }
    for v in &mut p.vascular_invasion {
        v.source.clear();
    }
    for c in &mut p.consents {
        c.source.clear();
    }
    sort!(p.observations);
    sort!(p.conditions);
    sort!(p.procedures);
    sort!(p.medications);
    sort!(p.allergies);
    sort!(p.lesions);
    sort!(p.vascular_invasion);
    sort!(p.consents);
    sort!(p.flags);
    p
}

/// Two different values of one concept at the same effective time (the
/// same day: dates only) are a conflict (issue 29): both observations get a
/// `conflict` flag naming the other value. The matcher then decides a leaf
/// only when both values decide it the same way; nothing is picked by file
/// order.
pub fn flag_same_day_conflicts(p: &mut Patient) {
    let n = p.observations.len();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&p.observations[i], &p.observations[j]);
            if a.concept.is_none()
                || a.concept != b.concept
                || a.effective.is_none()
                || a.effective != b.effective
            {
                continue;
            }
            let (Some(qa), Some(qb)) = (a.quantity(), b.quantity()) else {
                continue;
            };
            let Ok(qb_in_a) = tm_units::convert(qb, &qa.unit, a.concept.as_deref()) else {
                continue;
            };
            if (qa.value - qb_in_a.value).abs() <= 1e-9 * qa.value.abs().max(1.0) {
                continue;
            }
            let day = a.effective.map(|d| d.to_string()).unwrap_or_default();
            let concept = a.concept.clone().unwrap_or_default();
            notes.push((
                i,
                format!(
                    "{concept} on {day}: {} {} vs {} {}",
                    qa.value, qa.unit, qb.value, qb.unit
                ),
            ));
            notes.push((
                j,
                format!(
                    "{concept} on {day}: {} {} vs {} {}",
                    qb.value, qb.unit, qa.value, qa.unit
                ),
            ));
        }
    }
    for (i, note) in notes {
        let o = &mut p.observations[i];
        if !o
            .flags
            .iter()
            .any(|f| f.code == flag::CONFLICT && f.detail == note)
        {
            o.flags.push(Flag::new(flag::CONFLICT, note));
        }
    }
}

/// A birth date after `today` is impossible: flagged (the matcher's age is
/// then unknown, `Patient::age_on`).
pub fn flag_future_birth_date(p: &mut Patient, today: Date) {
    if let Some(b) = p.birth_date.filter(|b| *b > today) {
        let note = format!("birth date {b} is in the future");
        if !p.flags.iter().any(|f| f.detail == note) {
            p.flags.push(Flag::new(flag::IMPLAUSIBLE, note));
        }
    }
}
