//! The one reading of patient text: yes/no answers, severity grades
//! (ascites IAC, West Haven), classes and stages (Child-Pugh class, BCLC),
//! numbers written as text. Readers store the result as typed data in the
//! model ([`ValueReading`] on an observation, [`Grade`] on a condition);
//! tm-clinical and the matcher read only those typed fields.

use tm_model::patient::{Coding, Condition, Grade, ObsValue, Observation, Patient, ValueReading};

/// Answer codes meaning yes/present/positive and no/absent/negative.
const YES: &[&str] = &[
    "373066001", // SNOMED Yes
    "LA33-6",    // LOINC Yes
    "10828004",  // SNOMED Positive
    "260373001", // SNOMED Detected
    "52101004",  // SNOMED Present
    "77386006",  // SNOMED Pregnant
    "POS",
    "DET",
    "Y",
];
const NO: &[&str] = &[
    "373067005", // SNOMED No
    "LA32-8",    // LOINC No
    "260385009", // SNOMED Negative
    "260415000", // SNOMED Not detected
    "2667000",   // SNOMED Absent
    "60001007",  // SNOMED Not pregnant
    "NEG",
    "ND",
    "N",
];

/// A yes/no word or phrase (the whole text).
pub fn yes_no_text(t: &str) -> Option<bool> {
    match tm_lexicon::normalize_phrase(t).as_str() {
        "yes" | "true" | "positive" | "present" | "detected" | "reactive" | "pregnant" | "y" => {
            Some(true)
        }
        "no" | "false" | "negative" | "absent" | "not detected" | "non reactive"
        | "nonreactive" | "not pregnant" | "none" | "n" => Some(false),
        _ => None,
    }
}

/// A coded or text answer read as yes/no, if recognisable.
pub fn yes_no(codes: &[Coding], text: Option<&str>) -> Option<bool> {
    for c in codes {
        if YES.contains(&c.code.as_str()) {
            return Some(true);
        }
        if NO.contains(&c.code.as_str()) {
            return Some(false);
        }
    }
    text.into_iter()
        .chain(codes.iter().filter_map(|c| c.display.as_deref()))
        .find_map(yes_no_text)
}

/// Severity words of a finding: mild … refractory, grade 1–4 = present;
/// exactly "grade 0" / "none" / "absent" = absent.
fn severity_yes_no(t: Option<&str>) -> Option<bool> {
    let t = tm_lexicon::normalize_phrase(t?);
    if [
        "mild",
        "moderate",
        "severe",
        "large",
        "trace",
        "grade 1",
        "grade 2",
        "grade 3",
        "grade 4",
        "refractory",
    ]
    .iter()
    .any(|w| t.contains(w))
    {
        return Some(true);
    }
    if ["grade 0", "none", "absent"].iter().any(|w| t == *w) {
        return Some(false);
    }
    None
}

/// A negative statement: none, absent, no, negative, not present, nil, or
/// a text starting with "no ", "none", "absent".
fn is_negative(s: &str) -> bool {
    let s = s.trim();
    ["none", "absent", "no", "negative", "not present", "nil"].contains(&s)
        || s.starts_with("no ")
        || s.starts_with("none")
        || s.starts_with("absent")
}

/// A whole text read as yes/no ("no extrahepatic disease" = no).
fn plain_yes_no(s: &str) -> Option<bool> {
    let s = s.trim().to_lowercase();
    if is_negative(&s) || s == "false" {
        Some(false)
    } else if ["yes", "present", "true", "positive"].contains(&s.as_str()) {
        Some(true)
    } else {
        None
    }
}

fn grade_number(s: &str) -> Option<u8> {
    let i = s.find("grade")?;
    let rest = s[i + 5..].trim_start_matches([' ', ':']);
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
    match word.as_str() {
        "0" => Some(0),
        "1" | "i" => Some(1),
        "2" | "ii" => Some(2),
        "3" | "iii" => Some(3),
        "4" | "iv" => Some(4),
        _ => None,
    }
}

fn graded(g: u8) -> Grade {
    Grade {
        grade: Some(g),
        refractory: false,
    }
}

const PRESENT: Grade = Grade {
    grade: None,
    refractory: false,
};

const REFRACTORY: Grade = Grade {
    grade: Some(3),
    refractory: true,
};

/// Ascites text → IAC grade (clinical-rules §8 [S20]): mild/trace/small/
/// slight → 1, moderate → 2, severe/large/tense/massive → 3, refractory →
/// refractory; "ascites" / "present" → present, ungraded.
pub fn ascites_grade(s: &str) -> Option<Grade> {
    let s = s.to_lowercase();
    if s.contains("refractory") {
        return Some(REFRACTORY);
    }
    if let Some(g) = grade_number(&s) {
        return Some(graded(g));
    }
    if is_negative(&s) {
        return Some(graded(0));
    }
    let has = |ws: &[&str]| ws.iter().any(|w| s.contains(w));
    if has(&["severe", "large", "tense", "massive", "marked", "gross"]) {
        Some(graded(3))
    } else if has(&["moderate"]) {
        Some(graded(2))
    } else if has(&["mild", "trace", "small", "slight", "minimal", "minor"]) {
        Some(graded(1))
    } else if has(&["present", "ascites", "yes", "positive"]) {
        Some(PRESENT)
    } else {
        None
    }
}

/// Encephalopathy text → West Haven grade (clinical-rules §8 [S20]):
/// covert/minimal → 1, overt without grade → present, ungraded, coma → 4.
pub fn west_haven_grade(s: &str) -> Option<Grade> {
    let s = s.to_lowercase();
    if s.contains("refractory") {
        return Some(REFRACTORY);
    }
    if let Some(g) = grade_number(&s) {
        return Some(graded(g));
    }
    if is_negative(&s) {
        return Some(graded(0));
    }
    if s.contains("coma") {
        Some(graded(4))
    } else if s.contains("covert") || s.contains("minimal") {
        Some(graded(1))
    } else if s.contains("overt")
        || s.contains("present")
        || s.contains("encephalopathy")
        || s.contains("yes")
    {
        Some(PRESENT)
    } else {
        None
    }
}

/// The grade reader of a graded-finding concept.
fn grade_reader(concept: &str) -> Option<fn(&str) -> Option<Grade>> {
    match concept {
        "ascites" => Some(ascites_grade),
        "hepatic_encephalopathy" => Some(west_haven_grade),
        _ => None,
    }
}

/// BCLC stage text / code → 0–4 (0, A, B, C, D).
fn bclc_ordinal(t: &str) -> Option<u8> {
    let t = t
        .trim()
        .trim_start_matches("BCLC")
        .trim_start_matches("bclc")
        .trim();
    match t.chars().next()? {
        '0' => Some(0),
        'A' | 'a' => Some(1),
        'B' | 'b' => Some(2),
        'C' | 'c' => Some(3),
        'D' | 'd' => Some(4),
        _ => None,
    }
}

/// Child-Pugh class text / code → 1–3 (A, B, C).
fn child_pugh_ordinal(t: &str) -> Option<u8> {
    let t = t.to_uppercase();
    let t = t
        .trim_start_matches("CHILD-PUGH")
        .trim_start_matches("CHILD PUGH")
        .trim_start_matches(" CLASS");
    match t.trim().chars().next() {
        Some('A') => Some(1),
        Some('B') => Some(2),
        Some('C') => Some(3),
        _ => None,
    }
}

/// A score written beside a class: "(score 5)", "score: 8", "9 points".
/// Returns the score and the text without it.
pub fn split_score(text: &str) -> (String, Option<i64>) {
    let toks: Vec<String> = tm_lexicon::tokens(text)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let is_word = |t: &str| matches!(t, "score" | "points" | "point" | "pts");
    let num = |t: &str| t.parse::<i64>().ok();
    for i in 0..toks.len() {
        if !is_word(&toks[i]) {
            continue;
        }
        let pick = |j: usize| (j < toks.len()).then(|| num(&toks[j])).flatten();
        let found = if toks[i] == "score" {
            pick(i + 1).map(|n| (n, i + 1))
        } else {
            i.checked_sub(1).and_then(|j| pick(j).map(|n| (n, j)))
        };
        if let Some((n, j)) = found {
            let rest: Vec<&str> = toks
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i && *k != j)
                .map(|(_, t)| t.as_str())
                .collect();
            return (rest.join(" "), Some(n));
        }
    }
    (text.to_string(), None)
}

/// The reading of a coded or text value of an observation of `concept`
/// (after the value was shaped by `normalize`); `None` for measured,
/// boolean and integer values, which are typed already.
pub fn read_value(concept: Option<&str>, v: &ObsValue) -> Option<ValueReading> {
    let (codes, text): (&[Coding], Option<&str>) = match v {
        ObsValue::Coded { codes, text } => (codes, text.as_deref()),
        ObsValue::Text(t) => (&[], Some(t.as_str())),
        _ => return None,
    };
    let shown = v.as_text();
    let yes_no = yes_no(codes, text)
        .or_else(|| severity_yes_no(text))
        .or_else(|| shown.and_then(plain_yes_no));
    let grade = concept
        .and_then(grade_reader)
        .and_then(|read| shown.and_then(read));
    let ordinal = match concept {
        Some("bclc_stage") => shown.and_then(bclc_ordinal),
        Some("child_pugh_class") => shown.and_then(child_pugh_ordinal),
        _ => None,
    };
    Some(ValueReading {
        yes_no,
        grade,
        number: shown.and_then(|t| t.trim().parse::<f64>().ok()),
        ordinal,
        score: None,
    })
}

/// Reads a condition's grade (graded findings only) from its severity,
/// else its text.
pub fn read_condition(c: &mut Condition) {
    let Some(read) = c.concept.as_deref().and_then(grade_reader) else {
        return;
    };
    c.grade = c
        .severity
        .as_deref()
        .and_then(read)
        .or_else(|| c.text.as_deref().and_then(read));
}

/// A score stated beside a Child-Pugh class becomes its own
/// `child_pugh_score` observation (same date, source, flags), unless the
/// same source already gives one.
pub fn add_stated_scores(p: &mut Patient) {
    let mut extra = Vec::new();
    for o in &p.observations {
        let Some(score) = o.reading.as_ref().and_then(|r| r.score) else {
            continue;
        };
        if o.concept.as_deref() != Some("child_pugh_class") {
            continue;
        }
        let known = p.observations.iter().any(|x| {
            x.concept.as_deref() == Some("child_pugh_score")
                && x.source == o.source
                && x.effective == o.effective
        });
        if known {
            continue;
        }
        let mut s = Observation {
            concept: Some("child_pugh_score".into()),
            text: o.text.clone(),
            value: Some(ObsValue::Integer(score)),
            effective: o.effective,
            source: o.source.clone(),
            flags: o.flags.clone(),
            ..Default::default()
        };
        crate::normalize::normalize_observation(&mut s);
        extra.push(s);
    }
    p.observations.extend(extra);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_grades() {
        assert_eq!(ascites_grade("none"), Some(graded(0)));
        assert_eq!(ascites_grade("Mild"), Some(graded(1)));
        assert_eq!(ascites_grade("trace on CT"), Some(graded(1)));
        assert_eq!(ascites_grade("moderate"), Some(graded(2)));
        assert_eq!(ascites_grade("moderate to severe"), Some(graded(3)));
        assert_eq!(ascites_grade("Grade II"), Some(graded(2)));
        assert_eq!(ascites_grade("refractory"), Some(REFRACTORY));
        assert_eq!(ascites_grade("ascites"), Some(PRESENT));
        assert_eq!(ascites_grade("banana"), None);
        assert_eq!(west_haven_grade("grade 3"), Some(graded(3)));
        assert_eq!(west_haven_grade("covert"), Some(graded(1)));
        assert_eq!(west_haven_grade("overt"), Some(PRESENT));
        assert_eq!(west_haven_grade("absent"), Some(graded(0)));
        assert_eq!(plain_yes_no("No"), Some(false));
        assert_eq!(plain_yes_no("present"), Some(true));
    }

    #[test]
    fn values() {
        let r = read_value(Some("ascites"), &ObsValue::Text("moderate".into())).unwrap();
        assert_eq!(r.yes_no, Some(true));
        assert_eq!(r.grade, Some(graded(2)));
        let r = read_value(Some("bclc_stage"), &ObsValue::Text("B".into())).unwrap();
        assert_eq!(r.ordinal, Some(2));
        let r = read_value(
            Some("extrahepatic_spread"),
            &ObsValue::Text("no spread".into()),
        );
        assert_eq!(r.unwrap().yes_no, Some(false));
        let r = read_value(None, &ObsValue::Text(" 12.5 ".into())).unwrap();
        assert_eq!(r.number, Some(12.5));
        assert!(read_value(None, &ObsValue::Bool(true)).is_none());
    }

    #[test]
    fn scores_beside_classes() {
        assert_eq!(
            split_score("Child-Pugh class A (score 5)"),
            ("child pugh class a".into(), Some(5))
        );
        assert_eq!(split_score("B, 8 points").1, Some(8));
        assert_eq!(split_score("class B").1, None);
    }
}
