//! Compiler stage — lexical annotation: operators, numbers (ranges, thousands
//! separators, scientific forms), units, × ULN / × LLN forms, time windows,
//! review cues, negation and carve-out markers, and the readers that turn a
//! match into an operator, a value and a unit.

use super::*;

pub(super) const OPS: &str = r"(?P<op>[><]\s*/\s*=|[><]\s+or\s+=|equal\s+(?:to\s+)?or\s+(?:greater|more|higher|above|over|less|lower|below|under)(?:\s+than)?(?:\s+to)?|(?:greater|more|higher|above|less|lower|below)\s+(?:than\s+)?or\s+equal(?:\s+to)?|≥|>=|=>|≤|<=|=<|>|<|=|greater\s+than\s+or\s+equal\s+(?:to\s+)?|more\s+than\s+or\s+equal\s+(?:to\s+)?|less\s+than\s+or\s+equal\s+(?:to\s+)?|equal\s+to\s+or\s+(?:greater|more|higher)\s+than|equal\s+to\s+or\s+(?:less|lower)\s+than|no\s+less\s+than|not\s+less\s+than|no\s+lower\s+than|no\s+more\s+than|not\s+more\s+than|no\s+greater\s+than|not\s+greater\s+than|no\s+higher\s+than|not\s+higher\s+than|not\s+exceeding|not\s+to\s+exceed|not\s+above|not\s+below|at\s+least|a\s+minimum\s+of|minimum(?:\s+of)?|at\s+most|a\s+maximum\s+of|maximum(?:\s+of)?|up\s+to|greater\s+than|more\s+than|higher\s+than|exceeding|exceeds?|above|over|less\s+than|lower\s+than|fewer\s+than|below|under|equal\s+to|of)";

pub(super) const NUM: &str = r"(?P<num>\d{1,3}(?:[.,]\d{3})+(?:\.\d+)?|\d+(?:[.,]\s?\d+)?)";

pub(super) static THRESH: LazyLock<Regex> =
    LazyLock::new(|| re_big(&format!(r"(?i){OPS}\s*:?\s*{NUM}")).expect("threshold regex"));

/// Grading systems other than CTCAE.
pub(super) static OTHER_GRADING: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?-u:\b)(?:ASA|WHO|NYHA|ESH|ESC|Gleason|histolog\w*|tumou?r|Fuhrman|ISUP|hypertension|Child|Clavien|Tanner|Mallampati|Kellgren|Los\s+Angeles|Hunt|Fisher|Spetzler|Hurley|Breslow|Gustilo|Outerbridge|Enneking|FIGO|Nottingham|Bloom|Elston|nuclear|Kellgren|Sanders|Salter|Lenke|Meyerding|varicocele|varices|esophagitis|reflux|hemorrhoids?|glioma|astrocytoma)(?-u:\b)").expect("other grading")
});

/// `25th`, `3rd`: the suffix of an ordinal right after its digits.
pub(super) static ORDINAL_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| re_big(r"(?i)^(?:st|nd|rd|th)(?-u:\b)").expect("ordinal"));

/// "2x normal", "3 times normal": a multiple of the ULN without the words
/// "upper limit".
pub(super) static X_NORMAL: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)^\s*(?:[×xX*]|times|-?fold)\s*(?:the\s+)?(?:institutional\s+)?normal(?:\s+(?:values?|limits?|range))?(?-u:\b)")
        .expect("x normal")
});

/// Multiplier of the ULN/LLN after a number.
pub(super) static ULN: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)^\s*(?:[×xX*]|times|-?fold)?\s*(?:the\s+)?(?:institutional\s+)?(?:(?P<u>(?:maximum|upper)\s+normal\s+(?:values?|limits?)|normal\s+upper\s+limits?|upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+(?:range|value|limit))*(?:\s*\((?-i:ULN)\))?|(?-i:ULN|IULN|UNL))|(?P<l>lower\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+(?:range|value|limit))*(?:\s*\((?-i:LLN)\))?|(?-i:LLN)))")
        .expect("uln regex")
});

/// A unit after a number.
pub(super) static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?ix)^\s*(?P<unit>
          (?:[×x*·]\s*10\s*(?:\^|\*\*?|E)?\s*(?:\d{1,2}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})\s*/\s*(?:L|µL|μL|uL|mm\s*\^?\s*3|mm³|mcL)(?-u:\b)?)
        | (?:cells?\s*)?/\s*(?:mm\s*\^?\s*3|mm³|µL|μL|uL|mcL|m[lL](?-u:\b)|L(?-u:\b)|cu\s*mm)
        | (?:cells?\s+)?per\s+(?:µL|μL|uL|mcL|mm\s*\^?\s*3|mm³|cubic\s+mm)(?-u:\b)?
        | kg\s*(?:/|\.|\*)?\s*m\s*(?:2|²|\^\s*2)(?-u:\b)?
        | (?:g|gr|gm|mg|µg|μg|ug|mcg|ng|pg)\s*/\s*(?:dL|dl|L|l|mL|ml)(?-u:\b)
        | (?:[µμu]mol|mmol|nmol)\s*/\s*[lL](?-u:\b)
        | (?:mEq|meq)\s*/\s*[lL](?-u:\b)
        | m[lL]\s*/\s*min(?:ute)?s?(?:\s*/\s*1[.,]73\s*m(?:2|²|\^2))?
        | L\s*/\s*min(?-u:\b)
        | (?:IU|U|iu)\s*/\s*(?:mL|ml|L|l)(?-u:\b)
        | copies\s*/\s*m[lL](?-u:\b)
        | %
        | per\s*cent(?-u:\b) | percent(?:age)?(?-u:\b)
        | mm\s*Hg(?-u:\b) | mmHg(?-u:\b)
        | Gy(?-u:\b)
        | seconds?(?-u:\b) | secs?(?-u:\b) | s(?-u:\b)
        | min(?:ute)?s?(?-u:\b)
        | (?:years?|yrs?|y\.?o\.?)(?-u:\b)
        | months?(?-u:\b) | weeks?(?-u:\b) | days?(?-u:\b) | hours?(?-u:\b) | h(?-u:\b)
        | mg\s*/\s*(?:day|d)(?-u:\b)
        | mg(?-u:\b) | kg(?-u:\b) | g(?-u:\b) | cm(?-u:\b) | mm(?-u:\b)
        )",
    )
    .expect("unit regex")
});

/// `18 to 80`, `between 18 and 75`, `18-80`, `0-2`.
pub(super) static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?:between\s+|from\s+)?(?P<lo>\d+(?:[.,]\d+)?)\s*(?:years?|%)?\s*(?:-|~|to|and)\s*(?P<hi>\d+(?:[.,]\d+)?)")
        .expect("range regex")
});

/// `18 years or older`, `65 and over`.
pub(super) static POST_OP: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?P<num>\d+(?:[.,]\d+)?)\s*(?:years?|yrs?)?(?:\s+of\s+age)?\s+(?:or|and)\s+(?P<dir>older|over|above|more|greater|higher|less|lower|below|younger|under)")
        .expect("post-op regex")
});

pub(super) static ULN_PLUS: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?:exceeding|above|over|greater\s+than)\s+(?:the\s+)?(?:upper\s+limit\s+of\s+normal|uln)\s*(?:by\s*)?$")
        .expect("uln plus")
});

pub(super) static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?-u:\b)(?:within|in|during|for)\s+(?:the\s+)?(?:last|past|previous|preceding|prior)?\s*(?P<n>\d+|one|two|three|four|six|twelve)?\s*(?P<u>hours?|days?|weeks?|months?|years?|yrs?)(?:\s+(?:prior\s+to|before|of|preceding)\s+(?:the\s+)?(?P<anchor>first\s+dose|dosing|enrol?lment|registration|randomi[sz]ation|screening|study\s+entry|study\s+treatment|start\s+of\s+(?:study\s+)?treatment|inclusion|(?:the\s+)?first\s+medication))?")
        .expect("window regex")
});

pub(super) static REVIEW_CUES: LazyLock<Vec<(ReviewKind, Regex)>> = LazyLock::new(|| {
    let r = |p: &str| re_big(&format!("(?i){p}")).expect("review cue regex");
    vec![
        // A catch-all ("other conditions that … render the participant
        // unable to tolerate surgery / make participation inappropriate")
        // is the investigator's general judgement, not a specific clinical
        // question — checked first so that its inner words ("unable to
        // tolerate", "participation in clinical trials") are not read as a
        // clinical cue or a concept.
        (
            ReviewKind::Investigator,
            r(
                r"(?-u:\b)(?:any\s+)?other\s+(?:medical\s+|serious\s+)?(?:conditions?|reasons?|circumstances|diseases?|situations?|factors?)\s+(?:that|which)\s+(?:are\s+expected\s+to\s+|is\s+expected\s+to\s+|may\s+|would\s+|could\s+|might\s+)?(?:render|make|makes)(?-u:\b)[^.;]*",
            ),
        ),
        (
            ReviewKind::Consent,
            r(
                r"(?:signed?|sign(?:ing)?|written|give|giving|provide)\s+(?:a\s+|the\s+|their\s+)?(?:written\s+)?(?:informed\s+)?consent(?:\s+form)?|informed\s+consent(?:\s+form)?|consent\s+form",
            ),
        ),
        (
            ReviewKind::Agreement,
            r(
                r"(?-u:\b)agree(?:s|d|ing|ment)?(?-u:\b)|contracepti\w*|birth\s+control|donate\s+sperm|sperm\s+donation|social\s+security|willing(?:ness)?(?-u:\b)|(?-u:\b)comply(?-u:\b)|compliance|able\s+to\s+understand",
            ),
        ),
        (
            ReviewKind::Clinical,
            r(
                r"(?:medically|physically|clinically)\s+fit(?-u:\b)|fit\s+(?:to|for)\s+(?:participate|participation|undergo|surgery|treatment|the\s+study)|despite\s+aggressive\s+treatment|clinically\s+significant|(?-u:\b)uncontrolled(?-u:\b)|poorly\s+controlled|deemed\s+resectable|not\s+amenable|unable\s+to\s+tolerate|unresectable|dominant|threatening|contraindicat\w+|tolerat(?:e|ing)\s+surgery|well\s+defined\s+tumou?r|measurable|assessable",
            ),
        ),
        (
            ReviewKind::Investigator,
            r(
                r"(?:investigators?|physicians?|clinicians?)\s+(?:deems?|judges?|considers?|believes?|should\s+evaluate)|judged\s+by\s+(?:the\s+)?investigators?|judge?ment\s+of\s+(?:the\s+)?investigators?|opinion\s+of\s+(?:the\s+)?investigators?|considered\s+by\s+(?:the\s+)?(?:clinicians?|investigators?)|at\s+the\s+discretion|unsuitable|inappropriate|not\s+suitable|any\s+other\s+reason",
            ),
        ),
    ]
});

/// [`REVIEW_CUES`] as one set: which cues occur at all (one scan).
pub(super) static REVIEW_CUE_SET: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSetBuilder::new(REVIEW_CUES.iter().map(|(_, r)| r.as_str()))
        .dfa_size_limit(32 << 20)
        .build()
        .unwrap_or_else(|_| regex::RegexSet::empty())
});

/// Words one of which every [`REVIEW_CUES`] match contains.
pub(super) static REVIEW_GATE: LazyLock<Regex> = LazyLock::new(|| {
    gate(&[
        "consent",
        "agree",
        "contracepti",
        "birth",
        "sperm",
        "social",
        "willing",
        "comply",
        "complian",
        "understand",
        "despite",
        "fit",
        "clinically",
        "uncontrolled",
        "poorly",
        "deemed",
        "amenable",
        "tolerat",
        "unresectable",
        "dominant",
        "threatening",
        "contraindicat",
        "defined",
        "measurable",
        "assessable",
        "recist",
        "investigator",
        "physician",
        "clinician",
        "judg",
        "opinion",
        "discretion",
        "suitable",
        "appropriate",
        "reason",
        "render",
        "make",
    ])
});

/// Every [`NEGATIVE_RESULT`] match contains "negative".
pub(super) static NEGATIVE_GATE: LazyLock<Regex> = LazyLock::new(|| gate(&["negative"]));

pub(super) fn negative_result(seg: &str) -> Option<regex::Match<'_>> {
    if NEGATIVE_GATE.is_match(seg) {
        NEGATIVE_RESULT.find(seg)
    } else {
        None
    }
}

pub(super) static NEG_START: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)^\W*(?:[a-z][a-z ]{1,30}:\s*)?(?:no|not|without|absence\s+of|free\s+of|never|none\s+of|non)(?-u:\b)")
        .expect("neg regex")
});

pub(super) static NEGATIVE_RESULT: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?-u:\b)(?:must\s+be\s+|be\s+|are\s+|is\s+)?negative(?-u:\b)")
        .expect("negative regex")
});

pub(super) static CARVE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?i)^\W*(?:unless|except(?:\s+for)?|excluding|other\s+than|but\s+not|however,?)(?-u:\b)",
    )
    .expect("carve regex")
});

pub(super) fn parse_op(s: &str) -> Option<Op> {
    let l = s.to_lowercase();
    let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match l.as_str() {
        "≥" | ">=" | "=>" | "at least" | "a minimum of" | "minimum" | "minimum of"
        | "no less than" | "not less than" | "no lower than" | "not below" => Op::Ge,
        "≤" | "<=" | "=<" | "at most" | "a maximum of" | "maximum" | "maximum of" | "up to"
        | "no more than" | "not more than" | "no greater than" | "not greater than"
        | "no higher than" | "not higher than" | "not exceeding" | "not to exceed"
        | "not above" => Op::Le,
        ">" | "greater than" | "more than" | "higher than" | "exceeding" | "exceed" | "exceeds"
        | "above" | "over" => Op::Gt,
        "<" | "less than" | "lower than" | "fewer than" | "below" | "under" => Op::Lt,
        "=" | "equal to" | "of" => Op::Eq,
        _ => {
            let compact: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            if compact == ">/=" || compact == ">or=" {
                return Some(Op::Ge);
            }
            if compact == "</=" || compact == "<or=" {
                return Some(Op::Le);
            }
            if l.contains("or equal") || l.starts_with("equal to or") || l.starts_with("equal or") {
                if l.contains("greater")
                    || l.contains("more")
                    || l.contains("higher")
                    || l.contains("above")
                    || l.contains("over")
                {
                    Op::Ge
                } else {
                    Op::Le
                }
            } else {
                return None;
            }
        }
    })
}

/// Number readings: (value, ambiguous separator).
pub(super) fn parse_number(s: &str) -> Vec<f64> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    // Thousands groups: d{1,3}([.,]ddd)+
    let groups: Vec<&str> = t.split([',', '.']).collect();
    let seps: Vec<char> = t.chars().filter(|c| *c == ',' || *c == '.').collect();
    if seps.is_empty() {
        return t.parse::<f64>().ok().into_iter().collect();
    }
    if seps.len() == 1 {
        let (a, b) = (groups[0], groups[1]);
        let dec = format!("{a}.{b}").parse::<f64>().ok();
        if b.len() == 3 {
            let thou = format!("{a}{b}").parse::<f64>().ok();
            return dec.into_iter().chain(thou).collect();
        }
        return dec.into_iter().collect();
    }
    // Several separators: all groups of three after the first → thousands,
    // unless the last separator differs (1,500.5).
    let last = seps[seps.len() - 1];
    if seps.iter().all(|c| *c == seps[0]) && groups[1..].iter().all(|g| g.len() == 3) {
        return groups.concat().parse::<f64>().ok().into_iter().collect();
    }
    let int: String = groups[..groups.len() - 1].concat();
    let v = if last == '.' || last == ',' {
        format!("{int}.{}", groups[groups.len() - 1])
    } else {
        t.clone()
    };
    v.parse::<f64>().ok().into_iter().collect()
}

pub(super) fn unit_ucum(unit_text: &str) -> Option<String> {
    let u = unit_text.trim();
    let lower = u.to_lowercase();
    let mapped = match lower.as_str() {
        "percent" | "per cent" | "percentage" | "%" => Some("%"),
        "seconds" | "second" | "sec" | "secs" | "s" => Some("s"),
        "gy" => Some("Gy"),
        "mmhg" | "mm hg" => Some("mm[Hg]"),
        "years" | "year" | "yrs" | "yr" | "y.o." | "yo" | "y.o" => Some("a"),
        "months" | "month" => Some("mo"),
        "weeks" | "week" => Some("wk"),
        "days" | "day" => Some("d"),
        "hours" | "hour" | "h" => Some("h"),
        "min" | "mins" | "minute" | "minutes" => Some("min"),
        _ => None,
    };
    if let Some(m) = mapped {
        return Some(m.to_string());
    }
    let compact: String = u.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact
        .replace("/minute", "/min")
        .replace("/minutes", "/min")
        .replace("/mins", "/min");
    let compact = compact.replace("cells/", "/").replace("cell/", "/");
    let lc = compact.to_lowercase();
    // "kg/m²", "kg.m2", "kg/m^2", "kgm2" (BMI).
    if let Some(r) = lc.strip_prefix("kg") {
        let r = r.trim_start_matches(['/', '.', '*']);
        if matches!(r, "m2" | "m²" | "m^2") {
            return Some("kg/m2".to_string());
        }
    }
    // "per µL", "cells per mm3".
    let compact = match lc.find("per") {
        Some(i) if lc[..i].chars().all(|c| c.is_alphabetic()) => format!("/{}", &lc[i + 3..]),
        _ => compact,
    };
    // "gr/dl", "gm/dl": grams.
    let compact = if lc.starts_with("gr/") || lc.starts_with("gm/") {
        format!("g{}", &compact[2..])
    } else {
        compact
    };
    tm_units::normalize_unit(&compact)
        .or_else(|| tm_units::normalize_unit(&compact.replace('\\', "")))
        .map(str::to_string)
}

/// Converts `v unit` to the concept's canonical unit.
pub(super) fn to_canonical(def: usize, v: f64, unit: &str) -> Option<(f64, String)> {
    let d = &DEFS[def];
    let concept = d.ids.first().copied();
    let Some(canon) = canonical_unit(def) else {
        return Some((v, unit.to_string()));
    };
    if unit == canon {
        return Some((v, canon));
    }
    match tm_units::convert(&tm_units::Quantity::new(v, unit), &canon, concept) {
        Ok(q) => Some((q.value, q.unit)),
        Err(_) => None,
    }
}

pub(super) fn plausible(def: usize, v: f64) -> bool {
    let (lo, hi) = plausible_range(def);
    v >= lo && v <= hi
}

/// Reads value and unit after a number at `pos` (view offset after the
/// number). Returns (value, unit, end, flags).
pub(super) struct ValueRead {
    pub(super) value: Value,
    pub(super) unit: Option<String>,
    pub(super) end: usize,
    pub(super) ambiguous: bool,
    pub(super) unit_missing: bool,
    /// The unit as written (UCUM), before conversion.
    pub(super) raw_unit: Option<String>,
}

pub(super) fn read_value(
    view: &View,
    def: Option<usize>,
    num_text: &str,
    after: usize,
) -> Option<ValueRead> {
    let rest = view.s.get(after..).unwrap_or("");
    let readings = parse_number(num_text);
    if readings.is_empty() {
        return None;
    }
    // × ULN / × LLN.
    if let Some(m) = X_NORMAL.find(rest).filter(|_| !ULN.is_match(rest)) {
        return Some(ValueRead {
            value: Value::XUln { x_uln: readings[0] },
            unit: None,
            end: after + m.end(),
            ambiguous: false,
            unit_missing: false,
            raw_unit: None,
        });
    }
    if let Some(c) = ULN.captures(rest) {
        let end = after + c.get(0).map_or(0, |m| m.end());
        let v = readings[0];
        let value = if c.name("u").is_some() {
            Value::XUln { x_uln: v }
        } else {
            Value::XLln { x_lln: v }
        };
        return Some(ValueRead {
            value,
            unit: None,
            end,
            ambiguous: false,
            unit_missing: false,
            raw_unit: None,
        });
    }
    let (unit, end) = match UNIT.captures(rest) {
        Some(c) => {
            let m = c.name("unit");
            let ut = m.map_or("", |m| m.as_str());
            (unit_ucum(ut), after + c.get(0).map_or(0, |m| m.end()))
        }
        None => (None, after),
    };
    let Some(def) = def else {
        return Some(ValueRead {
            value: Value::Number(readings[0]),
            raw_unit: unit.clone(),
            unit,
            end,
            ambiguous: readings.len() > 1,
            unit_missing: false,
        });
    };
    let d = &DEFS[def];
    // Implicit units: scores have none; percent-, year- and INR-valued
    // concepts accept a bare number.
    let canon = canonical_unit(def);
    let unit = match (&unit, canon.as_deref()) {
        (None, Some(c)) if matches!(c, "%" | "a" | "{INR}") => Some(c.to_string()),
        _ => unit,
    };
    let unit_missing = unit.is_none() && d.unit.is_some() && d.cat == Cat::Measure;
    // A written unit that cannot be converted to the concept's unit (`BMI
    // > 30 kg`, a weight in mmHg) means the reading is wrong: no atom
    // (precision first; the text stays unparsed). Assay-dependent copy
    // counts are kept as written (clinical-rules §7.1).
    if let (Some(u), Some(c)) = (&unit, canon.as_deref()) {
        let fits = u == c
            || u.contains("copies")
            || (u == "%" && d.ids == ["fev1"])
            || tm_units::convertible(u, c, d.ids.first().copied());
        if !fits {
            return None;
        }
    }
    // Choose the reading the plausible range accepts.
    let mut candidates: Vec<(f64, Option<String>)> = Vec::new();
    for r in &readings {
        match &unit {
            Some(u) => match to_canonical(def, *r, u) {
                Some((cv, cu)) => candidates.push((cv, Some(cu))),
                None => candidates.push((*r, Some(u.clone()))),
            },
            None => candidates.push((*r, None)),
        }
    }
    let plaus: Vec<&(f64, Option<String>)> = candidates
        .iter()
        .filter(|(v, u)| {
            u.as_deref()
                .is_none_or(|u| canon.as_deref().is_none_or(|c| c == u))
                && plausible(def, *v)
        })
        .collect();
    // A single reading converted to the canonical unit but outside the
    // plausible range ("WBC < 3,000 cells/mL" = 3 × 10⁻⁶ × 10⁹/L): the
    // text or its reading is wrong; no atom (precision first).
    if readings.len() == 1 && d.cat == Cat::Measure {
        if let Some((v, Some(u))) = candidates.first() {
            if canon.as_deref() == Some(u.as_str()) && !plausible(def, *v) {
                return None;
            }
        }
    }
    let (chosen, ambiguous) = if readings.len() > 1 {
        if unit.is_none() && unit_missing && num_text.contains(',') && !num_text.contains('.') {
            // No unit: the plausible range (in the canonical unit) cannot
            // decide; an English thousands comma ("< 20,000") is read as
            // such and the value kept as written, flagged unit_missing.
            (candidates[candidates.len() - 1].clone(), false)
        } else if plaus.len() == 1 {
            (plaus[0].clone(), false)
        } else {
            (candidates[0].clone(), true)
        }
    } else {
        (candidates[0].clone(), false)
    };
    Some(ValueRead {
        value: Value::Number(chosen.0),
        unit: chosen.1,
        end,
        ambiguous,
        unit_missing,
        raw_unit: unit,
    })
}

pub(super) fn word_num(s: &str) -> Option<f64> {
    Some(match s.to_lowercase().as_str() {
        "" => 1.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "six" => 6.0,
        "twelve" => 12.0,
        other => other.parse().ok()?,
    })
}

/// Unit words every [`WINDOW`] match needs.
pub(super) static WINDOW_GATE: LazyLock<Regex> =
    LazyLock::new(|| gate(&["hour", "day", "week", "month", "year", "yr"]));

/// What a window anchor counts back from: words naming the start of
/// treatment or enrolment (dosing, first dose, enrolment, treatment,
/// administration, start, randomisation, registration, medication,
/// inclusion, surgery) → [`WindowFrom::TreatmentStart`]; anything else
/// (no anchor, "screening", "study entry", "concurrent") → [`WindowFrom::Now`].
pub fn window_from(anchor: Option<&str>) -> WindowFrom {
    let Some(a) = anchor else {
        return WindowFrom::Now;
    };
    let a = a.to_ascii_lowercase();
    let start = [
        "dos",
        "enrol",
        "treat",
        "administ",
        "first",
        "start",
        "random",
        "registration",
        "medication",
        "inclusion",
        "surgery",
    ]
    .iter()
    .any(|k| a.contains(k));
    if start {
        WindowFrom::TreatmentStart
    } else {
        WindowFrom::Now
    }
}

pub(super) fn window_in(ctx: &Ctx, a: usize, b: usize) -> Option<Window> {
    let s = ctx.view.s.get(a..b)?;
    if !WINDOW_GATE.is_match(s) {
        return None;
    }
    for c in WINDOW.captures_iter(s) {
        let m = c.get(0)?;
        let n = c.name("n").map_or("", |x| x.as_str());
        // "for at least 6 months after" is not a look-back window.
        if m.as_str().to_lowercase().starts_with("for ") {
            continue;
        }
        if c.name("n").is_none()
            && !m.as_str().to_lowercase().contains("past")
            && !m.as_str().to_lowercase().contains("last")
        {
            continue;
        }
        let value = word_num(n)?;
        let unit = unit_ucum(c.name("u").map_or("", |x| x.as_str()))?;
        let unit = if unit == "min" { return None } else { unit };
        return Some(Window {
            value,
            unit,
            anchor: c.name("anchor").map(|x| x.as_str().to_lowercase()),
            from: window_from(c.name("anchor").map(|x| x.as_str())),
            span: ctx.span(a + m.start(), a + m.end()),
        });
    }
    None
}

pub(super) fn trim_view(s: &str, mut a: usize, mut b: usize) -> (usize, usize) {
    let t = &s[a..b];
    let lead = t.len()
        - t.trim_start_matches(|c: char| c.is_whitespace() || ",;:.".contains(c))
            .len();
    a += lead;
    let t = &s[a..b];
    let trail = t.len()
        - t.trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c))
            .len();
    b -= trail;
    (a, b.max(a))
}

pub(super) fn word_iter(s: &str) -> impl Iterator<Item = (usize, &str)> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| re_big(r"[\p{L}\p{N}][\p{L}\p{N}'´\-]*").expect("word"));
    WORD.find_iter(s).map(|m| (m.start(), m.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_in_words_and_symbols() {
        assert_eq!(parse_op("≥"), Some(Op::Ge));
        assert_eq!(parse_op("no more  than"), Some(Op::Le));
        assert_eq!(parse_op("less than"), Some(Op::Lt));
        assert_eq!(parse_op("exceeds"), Some(Op::Gt));
    }

    #[test]
    fn threshold_regex_finds_operator_and_number() {
        let c = THRESH
            .captures("ANC at least 1,500/mm3")
            .expect("threshold");
        assert_eq!(&c["op"], "at least");
        assert_eq!(&c["num"], "1,500");
    }

    #[test]
    fn numbers_with_separators() {
        assert!(parse_number("1.5").contains(&1.5));
        assert!(parse_number("1,500").contains(&1500.0));
    }

    #[test]
    fn word_numbers() {
        assert_eq!(word_num("two"), Some(2.0));
        assert_eq!(word_num("7"), Some(7.0));
        assert_eq!(word_num("many"), None);
    }
}
