//! The concept lexicon as data: phrases and codes to concepts, canonical
//! units, plausible ranges, default reference limits.
//!
//! The concepts live in `data/concepts.json` (one concept per line),
//! embedded at compile time and parsed once into a static index. **Adding a
//! concept is one entry in that file**; the tests check that every entry is
//! well-formed (known kind, parseable unit, no phrase claimed by two
//! concepts, `is_a` targets exist).
//!
//! Entry fields (see [`Concept`]): `id` (stable snake_case, never renamed),
//! `kind`, `display`, `synonyms` (lower-case phrases as met in eligibility
//! text, matched case-insensitively), `abbreviations` (matched
//! case-sensitively, for short tokens such as `PT`, `Cr`, `CR`, `HE` that are
//! ordinary words in lower case), `codes` (`system|code`, system one of
//! `loinc`, `snomed`, `icd10`, `rxnorm`, `atc`, `icdo3`), `unit` (canonical
//! UCUM), `alt_units` (units the analyte is commonly reported in; used to
//! detect a value labelled with the wrong one), `plausible` (`[low, high]`
//! sanity limits in the canonical unit — not clinical limits), `reference`
//! (default LLN/ULN when the lab gives none, clinical-rules §7.2), `is_a`
//! (parent concepts, e.g. `tace` is_a `locoregional_therapy`), `note`.
//!
//! Every concept also has the project code `<id>` in the CodeSystem
//! [`TM_SYSTEM`] (docs/fhir-mapping.md).
//!
//! Phrase matching normalises text into word tokens: runs of letters and
//! digits, lower-cased; everything else separates tokens. So "Child-Pugh",
//! "child pugh" and "CHILD–PUGH" are the same phrase. No stemming: plurals
//! are listed as synonyms. The id (with `_` as space) and the display are
//! phrases as well when longer than three characters.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;
use tm_model::patient::Sex;
use tm_model::Quantity;

/// The project CodeSystem for facts without a standard code.
pub const TM_SYSTEM: &str = "https://trialmatch.dev/fhir/CodeSystem/trialmatch";
pub const LOINC: &str = "http://loinc.org";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
pub const ATC: &str = "http://www.whocc.no/atc";
pub const ICDO3: &str = "http://terminology.hl7.org/CodeSystem/icd-o-3";
pub const UCUM: &str = "http://unitsofmeasure.org";

const DATA: &str = include_str!("../data/concepts.json");

/// What a concept is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Lab,
    Vital,
    Score,
    Stage,
    Condition,
    Procedure,
    Drug,
    DrugClass,
    Demographic,
    Imaging,
    State,
}

/// A default limit: one value, or a range `[lo, hi]` when the sources
/// disagree (clinical-rules §7.2: "the choice of ULN changes eligibility
/// near a threshold", so an answer computed with a default stands only
/// when it is the same at both ends).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Limit {
    Value(f64),
    Range([f64; 2]),
}

impl Limit {
    /// `(lo, hi)`; equal for a single value.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Limit::Value(v) => (v, v),
            Limit::Range([lo, hi]) => (lo, hi),
        }
    }
}

/// Limits of one sex, overriding the concept's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SexLimits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Limit>,
}

/// Default reference limits in the canonical unit (clinical-rules §7.2:
/// used by the matcher only when the lab gives no range; the decision is
/// flagged). `low`/`high` apply when the patient's sex is unknown or has
/// no own limits; `male`/`female` where the limits differ by sex. `note`
/// cites the source (shown with every answer that used a default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub male: Option<SexLimits>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub female: Option<SexLimits>,
    pub note: String,
}

/// A default limit range of a concept for one sex, in the canonical unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitRange {
    pub lo: f64,
    pub hi: f64,
    pub unit: String,
    /// Where the numbers come from (the data's `reference.note`).
    pub note: String,
}

/// How long a measured value stays current when a criterion gives no
/// window (the matcher's recency classes, `MatchConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Recency {
    /// Laboratory values (28 days by default).
    #[default]
    Lab,
    /// ECOG / Karnofsky.
    Performance,
    /// Imaging, dosimetry, function tests (LVEF, spirometry), staging.
    Imaging,
    /// Vitals and body measures.
    Vital,
    /// Not time-bound (age, treatment counts).
    Timeless,
}

/// How the criteria compiler reads a mention of the concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mention {
    /// A measured quantity compared with a value.
    Measure,
    /// A score or stage compared with a number.
    Score,
    /// A condition present or absent.
    Condition,
    /// A therapy or procedure received.
    Therapy,
    /// Trial participation.
    Trial,
}

/// The derived value (`tm_clinical::Derived` key) that answers a measured
/// concept when the patient has no direct observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedFrom {
    /// Key in `tm_clinical::Derived::KEYS`.
    pub key: String,
    /// The derived value wins over a recorded one (scores whose recorded
    /// form is often stale or hand-computed).
    #[serde(default)]
    pub first: bool,
}

/// A qualified form of a broader procedure, answered by the procedure's
/// recorded details ("TACE with lipiodol").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualifies {
    /// The broader concept whose facts carry the detail.
    pub concept: String,
    /// Detail text meaning present.
    pub present: String,
    /// Detail text meaning absent.
    pub absent: String,
}

/// A code of a concept, with the system as a FHIR URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub system: String,
    pub code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    id: String,
    kind: Kind,
    display: String,
    #[serde(default)]
    synonyms: Vec<String>,
    #[serde(default)]
    abbreviations: Vec<String>,
    #[serde(default)]
    codes: Vec<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    alt_units: Vec<String>,
    #[serde(default)]
    plausible: Option<[f64; 2]>,
    #[serde(default)]
    reference: Option<Reference>,
    #[serde(default)]
    is_a: Vec<String>,
    #[serde(default)]
    recency: Recency,
    #[serde(default)]
    mention: Option<Mention>,
    #[serde(default)]
    compile: bool,
    #[serde(default)]
    derived: Option<DerivedFrom>,
    #[serde(default)]
    negative_tests: Vec<String>,
    #[serde(default)]
    qualifies: Option<Qualifies>,
    #[serde(default)]
    note: Option<String>,
}

/// One concept of the lexicon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concept {
    /// Stable snake_case id (`platelets`, `total_bilirubin`, `tace`).
    pub id: String,
    pub kind: Kind,
    pub display: String,
    /// Lower-case phrases, matched case-insensitively.
    pub synonyms: Vec<String>,
    /// Matched case-sensitively (`PT`, `Cr`).
    pub abbreviations: Vec<String>,
    /// Standard codes (system URL + code).
    pub codes: Vec<Code>,
    /// Canonical UCUM unit.
    pub unit: Option<String>,
    /// Units the analyte is commonly reported in.
    pub alt_units: Vec<String>,
    /// Plausible `[low, high]` in the canonical unit.
    pub plausible: Option<[f64; 2]>,
    /// Default reference limits in the canonical unit.
    pub reference: Option<Reference>,
    /// Parent concepts.
    pub is_a: Vec<String>,
    /// Recency class of a measured value (matcher default windows).
    pub recency: Recency,
    /// How the compiler reads a mention: the data's `mention`, else from
    /// `kind` and `unit` ([`Concept::mention`]).
    mention: Option<Mention>,
    /// The compiler finds this concept by its phrases (synonyms,
    /// abbreviations, id, display) compiled into word-bounded patterns.
    /// Without it only a hand pattern (tm-criteria `concepts.rs`, keyed by
    /// id) finds it.
    pub compile: bool,
    /// Derived value answering the concept.
    pub derived: Option<DerivedFrom>,
    /// Tests whose negative result documents the concept's absence
    /// (clinical-rules §8: anti-HCV / HCV RNA, HBsAg, HIV Ab/Ag, hCG).
    pub negative_tests: Vec<String>,
    /// A qualified form of a broader procedure.
    pub qualifies: Option<Qualifies>,
    pub note: Option<String>,
}

impl Concept {
    /// Plausible range as quantities in the canonical unit.
    pub fn plausible_range(&self) -> Option<(Quantity, Quantity)> {
        let [lo, hi] = self.plausible?;
        let u = self.unit.clone().unwrap_or_else(|| "1".to_string());
        Some((Quantity::new(lo, u.clone()), Quantity::new(hi, u)))
    }
    /// Default upper (`upper`) or lower limit of normal for a patient of
    /// `sex` (§7.2), canonical unit: the sex's own limit, else the
    /// concept's.
    pub fn default_limit(&self, upper: bool, sex: Sex) -> Option<LimitRange> {
        let r = self.reference.as_ref()?;
        let pick = |l: &SexLimits| if upper { l.high } else { l.low };
        let own = match sex {
            Sex::Male => r.male.as_ref().and_then(pick),
            Sex::Female => r.female.as_ref().and_then(pick),
            _ => None,
        };
        let lim = own.or(if upper { r.high } else { r.low })?;
        let (lo, hi) = lim.bounds();
        Some(LimitRange {
            lo,
            hi,
            unit: self.unit.clone()?,
            note: r.note.clone(),
        })
    }
    /// How the compiler reads a mention: the data's `mention`, else a
    /// score or stage is a score, a concept with a unit a measure, a
    /// procedure or drug a therapy, anything else a condition.
    pub fn mention(&self) -> Mention {
        if let Some(m) = self.mention {
            return m;
        }
        match self.kind {
            Kind::Score | Kind::Stage => Mention::Score,
            _ if self.unit.is_some() => Mention::Measure,
            Kind::Procedure | Kind::Drug | Kind::DrugClass => Mention::Therapy,
            _ => Mention::Condition,
        }
    }
    /// The concept's code in `system` (URL or short name), if any.
    pub fn code_in(&self, system: &str) -> Option<&str> {
        let sys = system_url(system)?;
        self.codes
            .iter()
            .find(|c| c.system == sys)
            .map(|c| c.code.as_str())
    }
}

/// Maps a short system name or a URL to the canonical URL used in
/// [`Concept::codes`]. ICD-10 and ICD-10-CM share one URL ([`ICD10`]).
pub fn system_url(system: &str) -> Option<&'static str> {
    let s = system.trim().trim_end_matches('/').to_ascii_lowercase();
    Some(match s.as_str() {
        "loinc" | "http://loinc.org" | "https://loinc.org" => LOINC,
        "snomed" | "sct" | "snomed ct" | "snomed-ct" | "http://snomed.info/sct" => SNOMED,
        "icd10"
        | "icd-10"
        | "icd10cm"
        | "icd-10-cm"
        | "http://hl7.org/fhir/sid/icd-10"
        | "http://hl7.org/fhir/sid/icd-10-cm"
        | "urn:oid:2.16.840.1.113883.6.90"
        | "urn:oid:2.16.840.1.113883.6.3" => ICD10,
        "rxnorm" | "http://www.nlm.nih.gov/research/umls/rxnorm" => RXNORM,
        "atc" | "http://www.whocc.no/atc" => ATC,
        "icdo3" | "icd-o-3" | "http://terminology.hl7.org/codesystem/icd-o-3" => ICDO3,
        "tm" | "trialmatch" => TM_SYSTEM,
        _ if s == TM_SYSTEM.to_ascii_lowercase() => TM_SYSTEM,
        _ => return None,
    })
}

/// Word tokens of `text`: (lower-cased token, byte range in `text`).
pub fn tokens(text: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, ch) in text.char_indices() {
        if ch.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push((text[s..i].to_lowercase(), s..i));
        }
    }
    if let Some(s) = start {
        out.push((text[s..].to_lowercase(), s..text.len()));
    }
    out
}

/// Normalised form of a phrase: its tokens joined by one space.
pub fn normalize_phrase(text: &str) -> String {
    tokens(text)
        .into_iter()
        .map(|(t, _)| t)
        .collect::<Vec<_>>()
        .join(" ")
}

fn raw_tokens(text: &str) -> Vec<&str> {
    tokens(text).into_iter().map(|(_, r)| &text[r]).collect()
}

/// The parsed, indexed lexicon.
pub struct Lexicon {
    concepts: Vec<Concept>,
    by_id: HashMap<String, usize>,
    /// normalised synonym → concept index
    phrases: HashMap<String, usize>,
    /// abbreviation tokens joined by ' ' (case kept) → concept index
    abbrevs: HashMap<String, usize>,
    /// (system URL, code) → concept index
    codes: HashMap<(String, String), usize>,
    max_phrase_tokens: usize,
    /// Problems found while indexing (duplicate phrases, bad codes); empty
    /// for a healthy data file (checked by a test).
    pub problems: Vec<String>,
}

fn norm_code(system: &str, code: &str) -> String {
    if system == ICD10 {
        code.trim().to_ascii_uppercase().replace('.', "")
    } else {
        code.trim().to_string()
    }
}

impl Lexicon {
    /// Builds a lexicon from the JSON text of a concepts file.
    pub fn from_json(text: &str) -> Result<Lexicon, String> {
        let raw: Vec<RawConcept> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut lx = Lexicon {
            concepts: Vec::with_capacity(raw.len()),
            by_id: HashMap::new(),
            phrases: HashMap::new(),
            abbrevs: HashMap::new(),
            codes: HashMap::new(),
            max_phrase_tokens: 1,
            problems: Vec::new(),
        };
        for r in raw {
            let idx = lx.concepts.len();
            if lx.by_id.insert(r.id.clone(), idx).is_some() {
                lx.problems.push(format!("duplicate id {}", r.id));
            }
            let mut codes = Vec::new();
            for c in &r.codes {
                let Some((sys, code)) = c.split_once('|') else {
                    lx.problems
                        .push(format!("{}: code {c:?} is not system|code", r.id));
                    continue;
                };
                let Some(url) = system_url(sys) else {
                    lx.problems
                        .push(format!("{}: unknown code system {sys:?}", r.id));
                    continue;
                };
                codes.push(Code {
                    system: url.to_string(),
                    code: code.to_string(),
                });
                let key = (url.to_string(), norm_code(url, code));
                if let Some(&other) = lx.codes.get(&key) {
                    lx.problems.push(format!(
                        "{}: code {c} already used by {}",
                        r.id, lx.concepts[other].id
                    ));
                } else {
                    lx.codes.insert(key, idx);
                }
            }
            lx.codes.insert((TM_SYSTEM.to_string(), r.id.clone()), idx);
            let mut phrases: Vec<String> = r.synonyms.clone();
            // id and display are phrases too, unless short (a short token
            // must be listed explicitly, as a synonym or an abbreviation).
            for extra in [r.id.replace('_', " "), r.display.clone()] {
                if extra.chars().count() > 3 {
                    phrases.push(extra);
                }
            }
            for (n, p) in phrases.iter().enumerate() {
                let key = normalize_phrase(p);
                if key.is_empty() {
                    continue;
                }
                lx.max_phrase_tokens = lx.max_phrase_tokens.max(key.split(' ').count());
                match lx.phrases.get(&key) {
                    Some(&other) if other != idx => {
                        // id/display collisions are tolerated (first wins);
                        // synonym collisions are data errors.
                        if n < r.synonyms.len() {
                            lx.problems.push(format!(
                                "{}: phrase {p:?} already belongs to {}",
                                r.id, lx.concepts[other].id
                            ));
                        }
                    }
                    Some(_) => {}
                    None => {
                        lx.phrases.insert(key, idx);
                    }
                }
            }
            for a in &r.abbreviations {
                let key = raw_tokens(a).join(" ");
                lx.max_phrase_tokens = lx.max_phrase_tokens.max(key.split(' ').count());
                if let Some(&other) = lx.abbrevs.get(&key) {
                    if other != idx {
                        lx.problems.push(format!(
                            "{}: abbreviation {a:?} already belongs to {}",
                            r.id, lx.concepts[other].id
                        ));
                    }
                } else {
                    lx.abbrevs.insert(key, idx);
                }
            }
            lx.concepts.push(Concept {
                id: r.id,
                kind: r.kind,
                display: r.display,
                synonyms: r.synonyms,
                abbreviations: r.abbreviations,
                codes,
                unit: r.unit,
                alt_units: r.alt_units,
                plausible: r.plausible,
                reference: r.reference,
                is_a: r.is_a,
                recency: r.recency,
                mention: r.mention,
                compile: r.compile,
                derived: r.derived,
                negative_tests: r.negative_tests,
                qualifies: r.qualifies,
                note: r.note,
            });
        }
        for c in &lx.concepts {
            for p in &c.is_a {
                if !lx.by_id.contains_key(p) {
                    lx.problems
                        .push(format!("{}: is_a {p} is not a concept", c.id));
                }
            }
            for t in &c.negative_tests {
                if !lx.by_id.contains_key(t) {
                    lx.problems
                        .push(format!("{}: negative test {t} is not a concept", c.id));
                }
            }
            if let Some(q) = &c.qualifies {
                if !lx.by_id.contains_key(&q.concept) {
                    lx.problems.push(format!(
                        "{}: qualifies {} which is not a concept",
                        c.id, q.concept
                    ));
                }
            }
            if let (Some(r), None) = (&c.reference, &c.unit) {
                if r.low.is_some() || r.high.is_some() || r.male.is_some() || r.female.is_some() {
                    lx.problems
                        .push(format!("{}: reference limits without a unit", c.id));
                }
            }
        }
        Ok(lx)
    }

    pub fn get(&self, id: &str) -> Option<&Concept> {
        self.by_id.get(id).map(|&i| &self.concepts[i])
    }

    pub fn all(&self) -> &[Concept] {
        &self.concepts
    }

    pub fn by_code(&self, system: &str, code: &str) -> Option<&Concept> {
        let url = system_url(system)?;
        let code = norm_code(url, code);
        if let Some(&i) = self.codes.get(&(url.to_string(), code.clone())) {
            return Some(&self.concepts[i]);
        }
        if url == ICD10 {
            // ICD-10 hierarchy: K74.60 → K746 → K74 (not below the category).
            let mut c = code;
            while c.len() > 3 {
                c.pop();
                if let Some(&i) = self.codes.get(&(url.to_string(), c.clone())) {
                    return Some(&self.concepts[i]);
                }
            }
        }
        None
    }

    pub fn lookup_phrase(&self, text: &str) -> Option<&Concept> {
        let raw = raw_tokens(text).join(" ");
        if let Some(&i) = self.abbrevs.get(&raw) {
            return Some(&self.concepts[i]);
        }
        let key = normalize_phrase(text);
        if let Some(&i) = self.phrases.get(&key) {
            return Some(&self.concepts[i]);
        }
        // an abbreviation written in another case, when unambiguous
        let mut hit = None;
        for (a, &i) in &self.abbrevs {
            if a.to_lowercase() == key {
                if hit.is_some_and(|h| h != i) {
                    return None;
                }
                hit = Some(i);
            }
        }
        hit.map(|i| &self.concepts[i])
    }

    pub fn find_in<'s>(&'s self, text: &str) -> Vec<(Range<usize>, &'s Concept)> {
        let toks = tokens(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let mut found = None;
            let max = self.max_phrase_tokens.min(toks.len() - i);
            for n in (1..=max).rev() {
                let window = &toks[i..i + n];
                let raw = window
                    .iter()
                    .map(|(_, r)| &text[r.clone()])
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(&c) = self.abbrevs.get(&raw) {
                    found = Some((n, c));
                    break;
                }
                let key = window
                    .iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(&c) = self.phrases.get(&key) {
                    found = Some((n, c));
                    break;
                }
            }
            match found {
                Some((n, c)) => {
                    let span = toks[i].1.start..toks[i + n - 1].1.end;
                    out.push((span, &self.concepts[c]));
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }

    /// True when `id` is `ancestor` or descends from it through `is_a`.
    pub fn is_a(&self, id: &str, ancestor: &str) -> bool {
        let mut stack = vec![id.to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(c) = stack.pop() {
            if c == ancestor {
                return true;
            }
            if !seen.insert(c.clone()) {
                continue;
            }
            if let Some(con) = self.get(&c) {
                stack.extend(con.is_a.iter().cloned());
            }
        }
        false
    }
}

/// The embedded lexicon, parsed on first use.
pub fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        // The data file is compiled in and validated by the tests; a parse
        // failure is a build defect, not an input error.
        Lexicon::from_json(DATA)
            .unwrap_or_else(|e| panic!("crates/lexicon/data/concepts.json: {e}"))
    })
}

/// The concept with this id.
pub fn get(id: &str) -> Option<&'static Concept> {
    lexicon().get(id)
}

/// The concept carrying `code` in `system` (URL such as `http://loinc.org`
/// or short name `loinc`, `snomed`, `icd10`, `rxnorm`, `atc`, `tm`). ICD-10
/// codes match with or without the dot and fall back to their parent
/// category (`K74.60` → `K74.6`).
pub fn by_code(system: &str, code: &str) -> Option<&'static Concept> {
    lexicon().by_code(system, code)
}

/// The concept whose synonym, abbreviation, id or display is exactly
/// `text` after normalisation (case, punctuation, spacing).
pub fn lookup_phrase(text: &str) -> Option<&'static Concept> {
    lexicon().lookup_phrase(text)
}

/// Scans free text for every concept phrase: longest match first, whole
/// words only, case-insensitive for synonyms and case-sensitive for
/// abbreviations. Returns byte spans into `text`, in order, not
/// overlapping.
pub fn find_in(text: &str) -> Vec<(Range<usize>, &'static Concept)> {
    lexicon().find_in(text)
}

/// All concepts, in data-file order.
pub fn all() -> &'static [Concept] {
    lexicon().all()
}

/// True when `id` is `ancestor` or descends from it (`is_a`, transitive).
pub fn is_a(id: &str, ancestor: &str) -> bool {
    lexicon().is_a(id, ancestor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_is_healthy() {
        let lx = lexicon();
        assert!(lx.problems.is_empty(), "{:#?}", lx.problems);
        assert!(all().len() > 150);
        for c in all() {
            assert!(
                c.id.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                "id {}",
                c.id
            );
            if let Some(u) = &c.unit {
                assert!(tm_units::parse_unit(u).is_ok(), "{}: unit {u}", c.id);
                for a in &c.alt_units {
                    assert!(
                        tm_units::convertible(a, u, Some(&c.id))
                            || c.note.as_deref().unwrap_or("").contains("assay"),
                        "{}: alt unit {a} not convertible to {u}",
                        c.id
                    );
                }
            }
            if let Some([lo, hi]) = c.plausible {
                assert!(lo <= hi, "{}", c.id);
            }
            for s in &c.synonyms {
                assert_eq!(
                    s,
                    &s.to_lowercase(),
                    "{}: synonym {s:?} not lower case",
                    c.id
                );
            }
        }
    }

    #[test]
    fn ids_and_codes() {
        assert_eq!(get("platelets").unwrap().unit.as_deref(), Some("10*9/L"));
        assert_eq!(by_code(LOINC, "777-3").unwrap().id, "platelets");
        assert_eq!(by_code("loinc", "1975-2").unwrap().id, "total_bilirubin");
        assert_eq!(by_code("loinc", "89247-1").unwrap().id, "ecog");
        assert_eq!(by_code("loinc", "89243-0").unwrap().id, "karnofsky");
        assert_eq!(by_code(SNOMED, "19943007").unwrap().id, "cirrhosis");
        assert_eq!(by_code(ICD10CM, "C22.0").unwrap().id, "hcc");
        assert_eq!(by_code(ICD10, "C220").unwrap().id, "hcc");
        assert_eq!(by_code(ICD10CM, "K74.60").unwrap().id, "cirrhosis");
        assert_eq!(by_code(ICD10CM, "B18.19").unwrap().id, "hbv");
        assert_eq!(by_code(RXNORM, "495881").unwrap().id, "sorafenib");
        assert_eq!(by_code(TM_SYSTEM, "bclc_stage").unwrap().id, "bclc_stage");
        assert!(by_code(LOINC, "0000-0").is_none());
        assert!(by_code("http://example.org", "777-3").is_none());
        assert_eq!(get("inr").unwrap().code_in("loinc"), Some("6301-6"));
        let alt = get("alt").unwrap().default_limit(true, Sex::Male).unwrap();
        assert_eq!((alt.lo, alt.hi, alt.unit.as_str()), (40.0, 55.0, "U/L"));
        let alb = get("albumin").unwrap().default_limit(false, Sex::Unknown);
        assert_eq!(alb.map(|l| (l.lo, l.hi)), Some((3.5, 3.5)));
        let cr = |s| {
            let l = get("creatinine").unwrap().default_limit(true, s).unwrap();
            (l.lo, l.hi)
        };
        assert_eq!(cr(Sex::Male), (1.2, 1.35));
        assert_eq!(cr(Sex::Female), (1.0, 1.1));
        assert_eq!(cr(Sex::Unknown), (1.0, 1.35));
        assert!(get("albumin")
            .unwrap()
            .default_limit(true, Sex::Male)
            .is_none());
        assert!(is_a("tace", "locoregional_therapy"));
        assert!(is_a("sorafenib", "systemic_therapy"));
        assert!(!is_a("tace", "systemic_therapy"));
    }

    #[test]
    fn phrases() {
        for (p, id) in [
            ("ANC", "anc"),
            ("Absolute Neutrophil Count", "anc"),
            ("PLT", "platelets"),
            ("platelet count", "platelets"),
            ("TBIL", "total_bilirubin"),
            ("serum bilirubin", "total_bilirubin"),
            ("SGPT", "alt"),
            ("alanine aminotransferase", "alt"),
            ("CCr", "crcl"),
            ("creatinine clearance", "crcl"),
            ("Child-Pugh", "child_pugh_score"),
            ("child pugh class", "child_pugh_class"),
            ("PT", "pt"),
            ("Cr", "creatinine"),
            ("CR", "complete_response"),
            ("up-to-seven", "up_to_seven"),
            ("ICG-R15", "icg_r15"),
            ("iNKT", "inkt_cells"),
            ("Vp classification", "vp_grade"),
            ("hepatocellular carcinoma", "hcc"),
        ] {
            assert_eq!(lookup_phrase(p).map(|c| c.id.as_str()), Some(id), "{p}");
        }
        assert!(lookup_phrase("patient").is_none());
        // an exact phrase falls back to an abbreviation in another case only
        // when unambiguous: "cr" could be Cr (creatinine) or CR (response)
        assert_eq!(lookup_phrase("pt").unwrap().id, "pt");
        assert!(lookup_phrase("cr").is_none());
    }

    fn ids(text: &str) -> Vec<String> {
        find_in(text)
            .into_iter()
            .map(|(_, c)| c.id.clone())
            .collect()
    }

    #[test]
    fn find_in_free_text() {
        let t = "absolute neutrophil count (ANC) ≥ 1.5 × 10^9/L; platelet (PLT) ≥ 80 × 10^9/L; hemoglobin (HGB) ≥ 90 g/L";
        assert_eq!(
            ids(t),
            [
                "anc",
                "anc",
                "platelets",
                "platelets",
                "hemoglobin",
                "hemoglobin"
            ]
        );
        for (span, c) in find_in(t) {
            let s = &t[span];
            assert!(lookup_phrase(s).is_some_and(|x| x.id == c.id), "{s}");
        }
        // longest match wins; word boundaries respected
        assert_eq!(ids("HBV DNA > 2000 copies/ml"), ["hbv_dna"]);
        assert_eq!(ids("chronic hepatitis B"), ["hbv"]);
        assert_eq!(ids("platelets"), ["platelets"]);
        assert!(ids("implant").is_empty());
        // case-sensitive abbreviation: "pt" (patient) is not PT
        assert_eq!(ids("PT ≤ 1.5×ULN"), ["pt"]);
        assert!(ids("each pt was seen").is_empty());
        assert_eq!(ids("Child-Pugh class A"), ["child_pugh_class"]);
        let t = "Portal vein tumor thrombus, central nervous system tumor metastasis";
        assert_eq!(ids(t), ["pvtt", "cns_metastases"]);
        let spans = find_in(t);
        assert_eq!(&t[spans[0].0.clone()], "Portal vein tumor thrombus");
    }

    /// Every concept phrase the five seeds need is found (seeds 000–004).
    #[test]
    fn seed_coverage() {
        let seed000 = "Child-Pugh score ≤ 7; Eastern Cooperative Oncology Group performance status ≤ 1; Tumor burden ≤ 50 percent of the total liver volume; total bilirubin (TBIL); alanine transaminase (ALT) and aspartate aminotransferase (AST); Albumin; Creatinine (Cr); creatinine clearance rate (CCr); international normalized ratio (INR), prothrombin time (PT) and activated partial thromboplastin time (APTT); left ventricular ejection fraction (LVEF); FEV1/FVC; maximum voluntary ventilation (MVV); HIV antibody test; radiotherapy or transcatheter arterial chemoembolization; single lung radiation absorbed dose > 30 Gy; Pregnant or lactating women; extrahepatic metastasis";
        let found = ids(seed000);
        for need in [
            "child_pugh_score",
            "ecog",
            "tumour_burden_pct",
            "liver_volume",
            "total_bilirubin",
            "alt",
            "ast",
            "albumin",
            "creatinine",
            "crcl",
            "inr",
            "pt",
            "aptt",
            "lvef",
            "fev1_fvc",
            "mvv",
            "hiv_test",
            "radiotherapy",
            "tace",
            "maa_lung_dose_gy",
            "pregnant",
            "extrahepatic_spread",
        ] {
            assert!(
                found.iter().any(|f| f == need),
                "seed 000 needs {need}: {found:?}"
            );
        }
        let seed004 = "BCLC Stage A or B, and beyond the Up-to-Seven criteria; ECOG performance status score of 0; Child-Pugh Class A and ICG retention rate at 15 minutes ≤ 10%; Hemoglobin; Neutrophil count; Platelet count; Alkaline phosphatase; Serum albumin; International Normalized Ratio (INR); hepatitis B virus (HBV) DNA > 2000 copies/ml, hepatitis C virus (HCV) RNA > 1000; fasting blood glucose ≥ 10 mmol/L; systolic blood pressure ≥ 140 mmHg; renal replacement therapy; radiofrequency ablation";
        let found = ids(seed004);
        for need in [
            "bclc_stage",
            "up_to_seven",
            "ecog",
            "child_pugh_class",
            "icg_r15",
            "hemoglobin",
            "anc",
            "platelets",
            "alp",
            "albumin",
            "inr",
            "hbv_dna",
            "hcv_rna",
            "glucose_fasting",
            "sbp",
            "renal_replacement_therapy",
            "ablation",
        ] {
            assert!(
                found.iter().any(|f| f == need),
                "seed 004 needs {need}: {found:?}"
            );
        }
        let seed002 = "WBC>3.0×10^9/L, LYMPH> 0.8×10^9/L, Hb>85g/L, PLT>50×10^9/L, Cre<1.5×ULN. iNKT>10 cell/mL; Portal vein tumor thrombus; AIDS or syphilis; ascites";
        let found = ids(seed002);
        for need in [
            "wbc",
            "lymphocytes",
            "hemoglobin",
            "platelets",
            "creatinine",
            "inkt_cells",
            "pvtt",
            "hiv",
            "syphilis",
            "ascites",
        ] {
            assert!(
                found.iter().any(|f| f == need),
                "seed 002 needs {need}: {found:?}"
            );
        }
        let seed003 = "neuroendocrine tumor (NET); LUTATHERA; ECOG performance status 0-2; creatinine clearance; neutrophils ≥ 1500/ mm3, platelets ≥ 75.000/mm3; Carcinoid heart disease (LVEF < 40%); portal thrombosis; Child Pugh B8; Serum albumin; prothrombin time";
        let found = ids(seed003);
        for need in [
            "net",
            "lutathera",
            "ecog",
            "crcl",
            "anc",
            "platelets",
            "carcinoid_heart_disease",
            "lvef",
            "portal_vein_thrombosis",
            "child_pugh_score",
            "albumin",
            "pt",
        ] {
            assert!(
                found.iter().any(|f| f == need),
                "seed 003 needs {need}: {found:?}"
            );
        }
    }

    /// clinical-rules §8 glossary: every row's subject is a concept.
    #[test]
    fn glossary_coverage() {
        for (p, id) in [
            ("LI-RADS", "lirads"),
            ("measurable disease", "measurable_disease"),
            ("extrahepatic spread", "extrahepatic_spread"),
            ("macrovascular invasion", "macrovascular_invasion"),
            ("PVTT", "pvtt"),
            ("Vp classification", "vp_grade"),
            ("Child-Pugh class", "child_pugh_class"),
            ("ALBI grade", "albi_grade"),
            ("decompensated cirrhosis", "decompensated_cirrhosis"),
            ("hepatic encephalopathy", "hepatic_encephalopathy"),
            ("West Haven grade", "hepatic_encephalopathy"),
            ("ascites", "ascites"),
            ("varices", "varices"),
            ("TACE", "tace"),
            ("TARE", "sirt"),
            ("ablation", "ablation"),
            ("prior systemic therapy", "systemic_therapy"),
            ("HBsAg", "hbsag"),
            ("anti-HBc", "anti_hbc"),
            ("HBV DNA", "hbv_dna"),
            ("HCV RNA", "hcv_rna"),
            ("HIV", "hiv"),
            ("CD4 count", "cd4"),
            ("WOCBP", "childbearing_potential"),
            ("pregnancy test", "pregnancy_test"),
            ("contraception", "contraception"),
            ("iodinated contrast", "iodinated_contrast"),
            ("gadolinium", "gadolinium_contrast"),
            ("LVEF", "lvef"),
            ("FEV1", "fev1"),
            ("tumour burden", "tumour_burden_pct"),
            ("lung shunt fraction", "lung_shunt_fraction"),
            ("lung dose", "maa_lung_dose_gy"),
            ("GI shunting", "gi_shunting"),
            ("biliary stent", "biliary_intervention"),
            ("bilio-enteric anastomosis", "biliary_anastomosis"),
            ("SSTR", "sstr_uptake"),
            ("Krenning score", "krenning_score"),
            ("Ki-67", "ki67"),
            ("AFP", "afp"),
            ("liver transplant", "liver_transplant"),
            ("autoimmune disease", "autoimmune_disease"),
            ("systemic steroids", "corticosteroid"),
            ("ECOG", "ecog"),
            ("KPS", "karnofsky"),
            ("G-CSF", "gcsf"),
            ("transfusion", "transfusion"),
            ("MELD", "meld"),
            ("BCLC", "bclc_stage"),
            ("up-to-seven", "up_to_seven"),
            ("Milan criteria", "milan_criteria"),
            ("mRECIST", "mrecist"),
        ] {
            assert_eq!(lookup_phrase(p).map(|c| c.id.as_str()), Some(id), "{p}");
        }
    }

    #[test]
    fn bad_data_is_reported() {
        let lx = Lexicon::from_json(
            r#"[{"id":"a","kind":"lab","display":"A","synonyms":["foo"],"codes":["loinc|1-1"]},
                {"id":"b","kind":"lab","display":"B","synonyms":["foo"],"codes":["nope|2"],"is_a":["zzz"]}]"#,
        )
        .unwrap();
        assert_eq!(lx.problems.len(), 3, "{:?}", lx.problems);
        assert!(Lexicon::from_json("[{]").is_err());
        // a field nothing reads is an error, not silently ignored (issue 18)
        let e = Lexicon::from_json(r#"[{"id":"a","kind":"lab","display":"A","uln":3}]"#);
        assert!(e.is_err_and(|e| e.contains("unknown field")));
        let e = Lexicon::from_json(
            r#"[{"id":"a","kind":"lab","display":"A","unit":"U/L","reference":{"high":3,"note":"x","sex":1}}]"#,
        );
        assert!(e.is_err_and(|e| e.contains("unknown field")));
    }
}
