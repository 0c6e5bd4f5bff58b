//! Shared normalisation for every reader: codes/text → lexicon concept,
//! units → UCUM and the concept's canonical unit (via `tm-units`, the only
//! place with conversion factors), plausibility flags, categorical and
//! yes/no values; the typed reading of coded / text values comes from
//! [`crate::reading`].

use tm_lexicon::{Concept, Kind};
use tm_model::patient::{flag, Coding, Flag, ObsValue, Observation, ReferenceRange};
use tm_model::{Date, Quantity};
use tm_units::{Plausibility, UnitError};

/// The lexicon concept for a set of codings and a text: codes first (in
/// order), then the text as an exact phrase, then the longest concept
/// phrase found in the text when it covers the text's main words.
pub fn concept_for(codes: &[Coding], text: Option<&str>) -> Option<&'static Concept> {
    for c in codes {
        if let Some(k) = tm_lexicon::by_code(&c.system, &c.code) {
            return Some(k);
        }
    }
    // A standard code we do not know (LOINC 5792-7 "Glucose [Mass/volume]
    // in Urine") must not be mapped by a word of its text: only an exact
    // phrase counts then. Text-only resources may use a phrase inside.
    let has_standard = codes
        .iter()
        .any(|c| tm_lexicon::system_url(&c.system).is_some_and(|u| u != tm_lexicon::TM_SYSTEM));
    let texts: Vec<&str> = text
        .into_iter()
        .chain(codes.iter().filter_map(|c| c.display.as_deref()))
        .collect();
    for t in &texts {
        if let Some(k) = tm_lexicon::lookup_phrase(t) {
            return Some(k);
        }
    }
    if has_standard {
        return None;
    }
    texts.iter().find_map(|t| phrase_in_text(t))
}

/// A single concept found in a short free text ("Serum albumin level
/// (g/L)"), when exactly one concept is found. Negated texts ("no
/// ascites") are not mapped.
fn phrase_in_text(t: &str) -> Option<&'static Concept> {
    let lower = t.to_lowercase();
    if ["no ", "not ", "without ", "absence of ", "negative for "]
        .iter()
        .any(|n| lower.starts_with(n) || lower.contains(&format!(" {n}")))
    {
        return None;
    }
    let found = tm_lexicon::find_in(t);
    let mut ids = found.iter().map(|(_, c)| c.id.as_str()).collect::<Vec<_>>();
    ids.dedup();
    if ids.len() == 1 {
        return found.first().map(|(_, c)| *c);
    }
    None
}

/// Converts FHIR codings to model codings.
pub fn codings(cc: Option<&crate::fhir::CodeableConcept>) -> Vec<Coding> {
    cc.map(|cc| {
        cc.coding
            .iter()
            .map(|c| Coding {
                system: c.system.clone().unwrap_or_default(),
                code: c.code.clone().unwrap_or_default(),
                display: c.display.clone(),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A FHIR Quantity → model Quantity with the unit as given (UCUM `code`
/// preferred, else the human `unit`), plus its comparator.
pub fn fhir_quantity(q: &crate::fhir::Quantity) -> Option<(Quantity, Option<String>)> {
    let v = q.value?;
    let unit = q
        .code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| q.unit.clone())
        .unwrap_or_default();
    Some((Quantity::new(v, unit), q.comparator.clone()))
}

/// Parses a date-ish string (full or partial ISO); a partial date is its
/// first day. Bad dates produce `None` and the caller flags.
pub fn date(s: Option<&str>) -> Option<Date> {
    let s = s?;
    Date::parse(s).or_else(|| Date::parse_partial(s).map(|(d, _)| d))
}

pub use crate::reading::yes_no;
use crate::reading::{self, yes_no_text};

/// ECOG answer codes (mCODE, LOINC LA9622-7 … LA9627-6 = 0 … 5).
const ECOG_LA: &[(&str, i64)] = &[
    ("LA9622-7", 0),
    ("LA9623-5", 1),
    ("LA9624-3", 2),
    ("LA9625-0", 3),
    ("LA9626-8", 4),
    ("LA9627-6", 5),
];

fn leading_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s
        .trim_start_matches(|c: char| c.is_alphabetic() || c == ' ' || c == ':' || c == '-')
        .trim_start();
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

/// Concepts whose values are integers (scores).
fn is_integer_score(c: &Concept) -> bool {
    matches!(
        c.id.as_str(),
        "ecog"
            | "karnofsky"
            | "child_pugh_score"
            | "meld"
            | "meld_na"
            | "vp_grade"
            | "ctcae_grade"
            | "krenning_score"
            | "lesion_count"
            | "albi_grade"
    )
}

/// Concepts whose values are categories written as short codes (BCLC "B",
/// Child-Pugh class "A").
fn is_categorical(c: &Concept) -> bool {
    matches!(
        c.id.as_str(),
        "bclc_stage" | "child_pugh_class" | "net_grade" | "lirads" | "tnm_stage"
    )
}

/// Short category value: "BCLC stage B" → "B", "Child-Pugh class A" → "A",
/// "Vp3" → "3" for Vp, "LR-5" → "LR5".
pub fn category(concept: &Concept, text: &str) -> String {
    let mut toks: Vec<String> = tm_lexicon::tokens(text)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let noise: Vec<String> = concept
        .synonyms
        .iter()
        .flat_map(|s| tm_lexicon::tokens(s).into_iter().map(|(t, _)| t))
        .chain(
            [
                "stage", "class", "grade", "category", "bclc", "child", "pugh", "who",
            ]
            .map(String::from),
        )
        .collect();
    toks.retain(|t| !noise.contains(t));
    let s = toks.join("").to_uppercase();
    if s.is_empty() {
        text.trim().to_uppercase()
    } else {
        s
    }
}

/// Builds the value of an observation for `concept` from a FHIR value[x].
pub fn value_from_fhir(v: &crate::fhir::Value) -> (Option<ObsValue>, Option<String>) {
    if let Some(q) = &v.value_quantity {
        if let Some((q, comp)) = fhir_quantity(q) {
            return (Some(ObsValue::Quantity(q)), comp);
        }
    }
    if let Some(cc) = &v.value_codeable_concept {
        return (
            Some(ObsValue::Coded {
                codes: codings(Some(cc)),
                text: cc.text.clone(),
            }),
            None,
        );
    }
    if let Some(s) = &v.value_string {
        return (Some(ObsValue::Text(s.clone())), None);
    }
    if let Some(b) = v.value_boolean {
        return (Some(ObsValue::Bool(b)), None);
    }
    if let Some(i) = v.value_integer {
        return (Some(ObsValue::Integer(i)), None);
    }
    (None, None)
}

/// Normalises an observation in place: concept-specific value shape
/// (integer scores, categories, yes/no states), unit spelling and canonical
/// unit, reference range, plausibility and comparator flags.
pub fn normalize_observation(o: &mut Observation) {
    if o.comparator.as_deref().is_some_and(|c| !c.is_empty()) && !o.has_flag(flag::CENSORED) {
        let c = o.comparator.clone().unwrap_or_default();
        o.flags
            .push(Flag::new(flag::CENSORED, format!("value is {c} a limit")));
    }
    let concept = o.concept.as_deref().and_then(tm_lexicon::get);
    let Some(value) = o.value.take() else {
        return;
    };
    let Some(concept) = concept else {
        // no concept: only spell the unit as UCUM when we know it
        o.value = Some(match value {
            ObsValue::Quantity(q) => ObsValue::Quantity(tm_units::normalize(&q).unwrap_or(q)),
            v => v,
        });
        o.reading = o.value.as_ref().and_then(|v| reading::read_value(None, v));
        return;
    };
    // "Child-Pugh class A (score 5)": the class is A, the score is read
    // apart (and added as its own observation by the reader).
    let mut stated_score = None;
    let value = match value.as_text().map(reading::split_score) {
        Some((rest, Some(n))) if concept.id == "child_pugh_class" => {
            stated_score = Some(n);
            ObsValue::Text(rest)
        }
        _ => value,
    };
    let value = shape_value(concept, value, &mut o.flags);
    o.value = Some(match value {
        ObsValue::Quantity(q) => {
            let (q, original, rr) =
                normalize_quantity(concept, q, o.reference_range.take(), &mut o.flags);
            o.original = original;
            o.reference_range = rr;
            ObsValue::Quantity(q)
        }
        v => v,
    });
    o.reading = o
        .value
        .as_ref()
        .and_then(|v| reading::read_value(Some(&concept.id), v));
    if let (Some(r), Some(n)) = (o.reading.as_mut(), stated_score) {
        r.score = Some(n);
    }
}

/// Concept-specific value shape.
fn shape_value(concept: &Concept, value: ObsValue, flags: &mut Vec<Flag>) -> ObsValue {
    let text_of = |v: &ObsValue| v.as_text().map(str::to_string);
    if is_integer_score(concept) {
        match &value {
            ObsValue::Integer(_) => return value,
            ObsValue::Quantity(q) if q.value.fract() == 0.0 && q.value.abs() < 1e9 => {
                return ObsValue::Integer(q.value as i64)
            }
            ObsValue::Coded { codes, text } => {
                if concept.id == "ecog" {
                    for c in codes {
                        if let Some(&(_, n)) = ECOG_LA.iter().find(|(la, _)| *la == c.code) {
                            return ObsValue::Integer(n);
                        }
                    }
                }
                let n = text
                    .as_deref()
                    .and_then(leading_int)
                    .or_else(|| {
                        codes
                            .iter()
                            .find_map(|c| c.display.as_deref().and_then(leading_int))
                    })
                    .or_else(|| {
                        codes
                            .iter()
                            .filter(|c| !c.code.starts_with("LA"))
                            .find_map(|c| c.code.trim().parse().ok())
                    });
                if let Some(n) = n {
                    return ObsValue::Integer(n);
                }
            }
            ObsValue::Text(t) => {
                if let Some(n) = leading_int(t) {
                    return ObsValue::Integer(n);
                }
            }
            _ => {}
        }
        if let Some([lo, hi]) = concept.plausible {
            if let ObsValue::Integer(n) = value {
                if (n as f64) < lo || (n as f64) > hi {
                    flags.push(Flag::new(
                        flag::IMPLAUSIBLE,
                        format!("{n} outside {lo}–{hi}"),
                    ));
                }
            }
        }
        return value;
    }
    if is_categorical(concept) {
        if let Some(t) = text_of(&value).or_else(|| match &value {
            ObsValue::Coded { codes, .. } => codes.first().map(|c| c.code.clone()),
            _ => None,
        }) {
            return ObsValue::Text(category(concept, &t));
        }
        return value;
    }
    let boolean_kind = matches!(concept.kind, Kind::State | Kind::Imaging | Kind::Condition)
        || (concept.kind == Kind::Lab && concept.unit.is_none());
    if boolean_kind {
        match &value {
            ObsValue::Coded { codes, text } => {
                if let Some(b) = yes_no(codes, text.as_deref()) {
                    return ObsValue::Bool(b);
                }
            }
            ObsValue::Text(t) => {
                if let Some(b) = yes_no_text(t) {
                    return ObsValue::Bool(b);
                }
            }
            _ => {}
        }
    }
    value
}

/// Unit normalisation and plausibility of a measured value. Returns the
/// value (canonical unit when safely convertible), the original when
/// converted, and the reference range converted alike.
pub fn normalize_quantity(
    concept: &Concept,
    q: Quantity,
    rr: Option<ReferenceRange>,
    flags: &mut Vec<Flag>,
) -> (Quantity, Option<Quantity>, Option<ReferenceRange>) {
    let Some(canon) = concept.unit.as_deref() else {
        return (tm_units::normalize(&q).unwrap_or(q), None, rr);
    };
    let unit_given = q.unit.trim();
    let q = if unit_given.is_empty() {
        match tm_units::parse_unit(canon) {
            Ok(u) if u.dimension == tm_units::Dimension::Dimensionless => {
                Quantity::new(q.value, canon)
            }
            _ => {
                flags.push(Flag::new(
                    flag::UNIT_MISSING,
                    format!("{} without a unit (expected {canon})", q.value),
                ));
                return (q, None, rr);
            }
        }
    } else {
        match tm_units::normalize(&q) {
            Ok(n) => n,
            Err(e) => {
                flags.push(Flag::new(flag::UNIT_UNKNOWN, e.to_string()));
                return (q, None, rr);
            }
        }
    };
    if let Some((lo, hi)) = concept.plausible_range() {
        let alts: Vec<&str> = concept.alt_units.iter().map(String::as_str).collect();
        match tm_units::check_plausible(&q, &lo, &hi, Some(&concept.id), &alts) {
            Plausibility::Plausible | Plausibility::Unchecked { .. } => {}
            Plausibility::Implausible => flags.push(Flag::new(
                flag::IMPLAUSIBLE,
                format!("{q} outside plausible {lo}–{hi}"),
            )),
            Plausibility::UnitMismatch { likely_unit } => flags.push(Flag::new(
                flag::UNIT_MISMATCH,
                format!("{q} is implausible as labelled; plausible if the unit were {likely_unit}"),
            )),
        }
    }
    if q.unit == canon {
        return (q, None, rr);
    }
    match tm_units::convert(&q, canon, Some(&concept.id)) {
        Ok(c) => {
            let rr = rr.map(|r| convert_range(r, canon, &concept.id));
            (c, Some(q), rr)
        }
        Err(UnitError::AssayDependent { .. }) => {
            flags.push(Flag::new(
                flag::ASSAY_DEPENDENT,
                format!(
                    "{} ↔ {canon} depends on the assay; kept as {}",
                    q.unit, q.unit
                ),
            ));
            (q, None, rr)
        }
        Err(e) => {
            flags.push(Flag::new(flag::UNIT_INCOMPATIBLE, e.to_string()));
            (q, None, rr)
        }
    }
}

fn convert_range(r: ReferenceRange, to: &str, concept: &str) -> ReferenceRange {
    let conv =
        |q: Option<Quantity>| q.map(|q| tm_units::convert(&q, to, Some(concept)).unwrap_or(q));
    ReferenceRange {
        low: conv(r.low),
        high: conv(r.high),
        text: r.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(concept: &str, v: f64, unit: &str) -> Observation {
        let mut o = Observation {
            concept: Some(concept.into()),
            value: Some(ObsValue::Quantity(Quantity::new(v, unit))),
            ..Default::default()
        };
        normalize_observation(&mut o);
        o
    }

    #[test]
    fn converts_to_canonical_and_keeps_original() {
        let o = obs("total_bilirubin", 34.2, "µmol/L");
        let q = o.quantity().unwrap();
        assert_eq!(q.unit, "mg/dL");
        assert!((q.value - 2.0).abs() < 1e-9);
        assert_eq!(o.original.as_ref().unwrap().unit, "umol/L");
        assert!(o.is_usable());
        let o = obs("platelets", 150_000.0, "/uL");
        assert!((o.quantity().unwrap().value - 150.0).abs() < 1e-9);
        assert!(o.flags.is_empty(), "{:?}", o.flags);
    }

    #[test]
    fn flags_impossible_values() {
        // Hb 900 g/L: impossible in any unit
        let o = obs("hemoglobin", 900.0, "g/L");
        assert!(o.has_flag(flag::IMPLAUSIBLE), "{:?}", o.flags);
        assert!(!o.is_usable());
        // a g/dL value labelled g/L
        let o = obs("hemoglobin", 9.5, "g/L");
        assert!(o.has_flag(flag::UNIT_MISMATCH), "{:?}", o.flags);
        assert!(!o.is_usable());
        // albumin 35 labelled g/dL (a g/L value)
        let o = obs("albumin", 35.0, "g/dL");
        assert!(o.has_flag(flag::UNIT_MISMATCH), "{:?}", o.flags);
        // unknown unit, missing unit, wrong dimension
        assert!(obs("platelets", 150.0, "bananas").has_flag(flag::UNIT_UNKNOWN));
        assert!(obs("platelets", 150.0, "").has_flag(flag::UNIT_MISSING));
        assert!(obs("platelets", 1.5, "mg/dL").has_flag(flag::UNIT_INCOMPATIBLE));
        // plausible values pass
        assert!(obs("hemoglobin", 95.0, "g/L").is_usable());
    }

    #[test]
    fn assay_dependent_is_kept_and_flagged() {
        let o = obs("hbv_dna", 2000.0, "copies/mL");
        assert!(o.has_flag(flag::ASSAY_DEPENDENT));
        assert!(o.is_usable());
        assert_eq!(o.quantity().unwrap().unit, "{copies}/mL");
        assert_eq!(o.quantity().unwrap().value, 2000.0);
    }

    #[test]
    fn scores_categories_and_states() {
        let mut o = Observation {
            concept: Some("ecog".into()),
            value: Some(ObsValue::Coded {
                codes: vec![Coding {
                    system: "http://loinc.org".into(),
                    code: "LA9623-5".into(),
                    display: None,
                }],
                text: None,
            }),
            ..Default::default()
        };
        normalize_observation(&mut o);
        assert_eq!(o.value, Some(ObsValue::Integer(1)));
        let mut o = Observation {
            concept: Some("bclc_stage".into()),
            value: Some(ObsValue::Text("BCLC stage B".into())),
            ..Default::default()
        };
        normalize_observation(&mut o);
        assert_eq!(o.value, Some(ObsValue::Text("B".into())));
        let mut o = Observation {
            concept: Some("pregnant".into()),
            value: Some(ObsValue::Coded {
                codes: vec![Coding {
                    system: "http://snomed.info/sct".into(),
                    code: "60001007".into(),
                    display: Some("Not pregnant".into()),
                }],
                text: None,
            }),
            ..Default::default()
        };
        normalize_observation(&mut o);
        assert_eq!(o.value, Some(ObsValue::Bool(false)));
    }

    #[test]
    fn concept_mapping() {
        let loinc = |c: &str| Coding {
            system: "http://loinc.org".into(),
            code: c.into(),
            display: None,
        };
        assert_eq!(
            concept_for(&[loinc("777-3")], None).unwrap().id,
            "platelets"
        );
        assert_eq!(
            concept_for(&[loinc("9999-9")], Some("Serum albumin"))
                .unwrap()
                .id,
            "albumin"
        );
        // an unknown standard code is not mapped by a word of its text
        assert!(concept_for(&[loinc("5792-7")], Some("Glucose [Mass/volume] in Urine")).is_none());
        assert_eq!(
            concept_for(&[], Some("Albumin [Mass/volume] in Serum"))
                .unwrap()
                .id,
            "albumin"
        );
        assert!(concept_for(&[], Some("no ascites")).is_none());
        assert!(concept_for(&[], Some("Body temperature")).is_none());
    }
}
