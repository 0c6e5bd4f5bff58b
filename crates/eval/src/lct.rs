//! Scoring numeric-comparison extraction against the Leaf Clinical Trials
//! corpus (LCT, BRAT `.txt` + `.ann` pairs). The scoring rules are
//! documented in docs/evaluation.md; in short:
//!
//! - **Gold**: every `Eq-Comparison` event with an `Operator` argument that
//!   carries an `Eq-Operator-Value` attribute and at least one `Value`
//!   argument whose text reads as a number (digits, thousands commas,
//!   number words, Roman numerals). Gold values that do not read as a
//!   number (dates, `T2a`) are counted as `unscorable` and left out.
//! - **Unit**: the event's `Unit*` / `Temporal-Unit*` / `Per*` arguments,
//!   normalised with [`tm_units::normalize_unit`]; `× ULN` / `× LLN` units
//!   (text or `Eq-Unit-Value ref-range-*` attribute) become multiples of
//!   the ULN / LLN.
//! - **Match**: an atom matches a gold bound when its span overlaps the
//!   gold comparison's span, its operator is the gold operator, and its
//!   value equals the gold value after converting the gold value to the
//!   atom's unit with [`tm_units::convert`] (the IR keeps only the
//!   canonical value, not the as-written one). `BETWEEN` is found when both
//!   bounds are (low: `>`/`>=`, high: `<`/`<=`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tm_criteria::{Atom, Expr, Op, Value, Window};
use tm_model::Quantity;

use crate::brat::{parse_ann, Annotations, CharToByte};

/// A gold operator (the `Eq-Operator-Value` attribute).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum GoldOp {
    #[serde(rename = "GT")]
    Gt,
    #[serde(rename = "GTEQ")]
    Ge,
    #[serde(rename = "LT")]
    Lt,
    #[serde(rename = "LTEQ")]
    Le,
    #[serde(rename = "EQ")]
    Eq,
    #[serde(rename = "BETWEEN")]
    Between,
    /// `v ± d`: the range `[v - d, v + d]`, scored like `BETWEEN`.
    #[serde(rename = "PLUS-MINUS")]
    PlusMinus,
    Other(String),
}

impl GoldOp {
    pub fn parse(s: &str) -> GoldOp {
        match s {
            "GT" => GoldOp::Gt,
            "GTEQ" => GoldOp::Ge,
            "LT" => GoldOp::Lt,
            "LTEQ" => GoldOp::Le,
            "EQ" => GoldOp::Eq,
            "BETWEEN" => GoldOp::Between,
            "PLUS-MINUS" => GoldOp::PlusMinus,
            other => GoldOp::Other(other.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            GoldOp::Gt => "GT",
            GoldOp::Ge => "GTEQ",
            GoldOp::Lt => "LT",
            GoldOp::Le => "LTEQ",
            GoldOp::Eq => "EQ",
            GoldOp::Between => "BETWEEN",
            GoldOp::PlusMinus => "PLUS-MINUS",
            GoldOp::Other(s) => s,
        }
    }
}

/// The LCT name of an IR operator (row key of the per-operator table).
pub fn op_name(op: Op) -> &'static str {
    match op {
        Op::Gt => "GT",
        Op::Ge => "GTEQ",
        Op::Lt => "LT",
        Op::Le => "LTEQ",
        Op::Eq => "EQ",
        Op::Ne => "NE",
    }
}

/// The unit of a gold comparison after normalisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "unit", rename_all = "snake_case")]
pub enum GoldUnit {
    /// No unit annotated.
    None,
    /// A UCUM code from [`tm_units::normalize_unit`].
    Ucum(String),
    /// Multiple of the upper limit of normal.
    Uln,
    /// Multiple of the lower limit of normal.
    Lln,
    /// Annotated, but not a unit tm_units knows (`stage`, `cigarettes`):
    /// compared as a bare number.
    Unknown(String),
}

/// One scoreable gold comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Gold {
    pub doc: String,
    pub event: String,
    pub op: GoldOp,
    /// One value, or two for `BETWEEN` / `PLUS-MINUS` (low/high bounds).
    pub values: Vec<f64>,
    pub unit: GoldUnit,
    /// The unit as annotated (joined fragments), when any.
    pub unit_text: Option<String>,
    /// A time quantity (`Eq-Temporal-Unit`): "within 3 months", "18 years".
    pub temporal: bool,
    /// Byte spans into the document text.
    pub spans: Vec<(usize, usize)>,
    pub text: String,
}

/// Gold events that were left out, by reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Skipped {
    /// Operator without an `Eq-Operator-Value` attribute.
    pub no_operator_attribute: usize,
    /// Value text that does not read as a number (dates, `T2a`, `moderate`).
    pub unscorable_value: usize,
    /// `BETWEEN` with fewer than two values.
    pub incomplete_range: usize,
    /// Offsets outside the text.
    pub bad_offsets: usize,
}

/// A document of the corpus: its text and its scoreable gold.
#[derive(Debug, Clone)]
pub struct Doc {
    pub name: String,
    pub text: String,
    pub gold: Vec<Gold>,
}

/// Finds every `.ann` with a `.txt` of the same stem under `dir`
/// (recursively, sorted). Files that are not such a pair are ignored, and so
/// are system outputs (a stem containing `predict`).
pub fn find_pairs(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, PathBuf)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        // symlinked directories are not followed (no loops)
        let is_link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        if p.is_dir() {
            if !is_link {
                walk(&p, out);
            }
            continue;
        }
        if p.extension().and_then(|e| e.to_str()) != Some("ann") {
            continue;
        }
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if stem.contains("predict") {
            continue;
        }
        let txt = p.with_extension("txt");
        if txt.is_file() {
            out.push((txt, p));
        }
    }
}

/// Reads a number as annotated: `3000`, `1,500`, `2.0`, `-3`, `½`,
/// number words (`three`, `half`) and Roman numerals (`III`, `IVa`→ no).
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches(['.', ',']);
    if t.is_empty() {
        return None;
    }
    let plain: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    // thousands commas: 1,500 / 100,000 (a comma followed by exactly 3 digits)
    let groups: Vec<&str> = plain.split(',').collect();
    let thousands = groups.len() > 1
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 || (g.len() > 3 && g.as_bytes()[3] == b'.'))
        && groups[1..].iter().all(|g| {
            g.get(..3)
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
        });
    let cleaned = if thousands {
        plain.replace(',', "")
    } else {
        plain.replace(',', ".")
    };
    if let Ok(v) = cleaned.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let lower = t.to_lowercase();
    let word = match lower.as_str() {
        "zero" | "none" => Some(0.0),
        "one" | "once" | "single" | "first" => Some(1.0),
        "two" | "twice" | "second" => Some(2.0),
        "three" | "thrice" | "third" => Some(3.0),
        "four" | "fourth" => Some(4.0),
        "five" | "fifth" => Some(5.0),
        "six" => Some(6.0),
        "seven" => Some(7.0),
        "eight" => Some(8.0),
        "nine" => Some(9.0),
        "ten" => Some(10.0),
        "eleven" => Some(11.0),
        "twelve" => Some(12.0),
        "fifteen" => Some(15.0),
        "twenty" => Some(20.0),
        "thirty" => Some(30.0),
        "forty" => Some(40.0),
        "fifty" => Some(50.0),
        "hundred" => Some(100.0),
        "half" | "½" => Some(0.5),
        _ => None,
    };
    if word.is_some() {
        return word;
    }
    roman(t)
}

fn roman(s: &str) -> Option<f64> {
    let uni = match s {
        "Ⅰ" => Some(1.0),
        "Ⅱ" => Some(2.0),
        "Ⅲ" => Some(3.0),
        "Ⅳ" => Some(4.0),
        "Ⅴ" => Some(5.0),
        "Ⅵ" => Some(6.0),
        _ => None,
    };
    if uni.is_some() {
        return uni;
    }
    if s.is_empty() || !s.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) {
        return None;
    }
    let val = |c| match c {
        'I' => 1,
        'V' => 5,
        _ => 10,
    };
    let cs: Vec<i32> = s.chars().map(val).collect();
    let mut total = 0;
    for (i, &v) in cs.iter().enumerate() {
        if cs.get(i + 1).is_some_and(|&n| n > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    (total > 0).then_some(total as f64)
}

fn is_unit_role(role: &str) -> bool {
    role.starts_with("Unit") || role.starts_with("Temporal-Unit") || role.starts_with("Per")
}

/// Normalises the unit of a gold event from its unit fragments.
fn gold_unit(
    ann: &Annotations,
    text: &str,
    map: &CharToByte,
    unit_args: &[(String, String)],
    value_end: usize,
) -> (GoldUnit, Option<String>, bool) {
    struct Frag {
        per: bool,
        text: String,
        span: (usize, usize),
        target: String,
        temporal: bool,
    }
    let mut frags: Vec<Frag> = unit_args
        .iter()
        .filter_map(|(role, id)| {
            let t = ann.text_bounds.get(id)?;
            Some(Frag {
                per: role.starts_with("Per"),
                text: t.text.trim().to_string(),
                span: (t.spans[0].0, t.spans[t.spans.len() - 1].1),
                target: id.clone(),
                temporal: t.kind == "Eq-Temporal-Unit",
            })
        })
        .collect();
    if frags.is_empty() {
        return (GoldUnit::None, None, false);
    }
    frags.sort_by_key(|f| f.span);
    let temporal = frags.iter().all(|f| f.temporal);
    // ref-range attribute or ULN/LLN words
    let joined_all = frags
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let lower = joined_all.to_lowercase();
    let ref_attr = frags
        .iter()
        .find_map(|f| ann.attribute(&f.target, "Eq-Unit-Value"));
    let lln_words = lower.contains("lln") || lower.contains("lower limit");
    let uln_words =
        lower.contains("uln") || lower.contains("upper limit") || lower.contains("upper normal");
    if lln_words {
        return (GoldUnit::Lln, Some(joined_all), temporal);
    }
    let ref_words = lower.contains("normal");
    if uln_words || (ref_words && ref_attr.is_some_and(|v| v.starts_with("ref-range"))) {
        return (GoldUnit::Uln, Some(joined_all), temporal);
    }
    // numerator: distinct non-Per fragments; denominator: distinct Per fragments
    let mut num: Vec<&str> = Vec::new();
    let mut den: Vec<&str> = Vec::new();
    for f in &frags {
        let list = if f.per { &mut den } else { &mut num };
        if !list.iter().any(|x| x.eq_ignore_ascii_case(&f.text)) {
            list.push(&f.text);
        }
    }
    let mut candidates: Vec<String> = Vec::new();
    let (s, e) = (
        frags[0].span.0,
        frags.iter().map(|f| f.span.1).max().unwrap_or(0),
    );
    // the text from the (last) value to the end of the unit: keeps a
    // multiplier or slash the annotators left outside the unit span
    // ("100x109/L" → "x109/L", "50,000/mm3" → "/mm3")
    if value_end <= s && e - value_end <= 30 {
        if let Some(slice) = map
            .span((value_end, e))
            .and_then(|(bs, be)| text.get(bs..be))
        {
            let compact: String = slice.split_whitespace().collect();
            if let Some(p) = power_of_ten(&compact) {
                candidates.push(p);
            }
            if !compact.is_empty() {
                candidates.push(compact);
            }
        }
    }
    // the text covered from the first to the last fragment ("mg/dL", "kg / m2")
    if let Some((bs, be)) = map.span((s, e)) {
        if let Some(slice) = text.get(bs..be) {
            let compact: String = slice.split_whitespace().collect();
            if num.is_empty() && !den.is_empty() {
                candidates.push(format!("/{compact}"));
            }
            candidates.push(compact);
        }
    }
    let n = num.join("");
    let d = den.join("");
    if d.is_empty() {
        candidates.push(n.clone());
    } else {
        candidates.push(format!("{n}/{d}"));
        if n.is_empty() {
            candidates.push(format!("1/{d}"));
        }
    }
    if d.is_empty() {
        if let Some(first) = num.first() {
            candidates.push(first.to_string());
        }
    }
    let written = if d.is_empty() {
        n.clone()
    } else {
        format!("{n}/{d}")
    };
    for c in &candidates {
        // a rate ("days/week", "/day") must normalise to a quotient
        if let Some(code) = tm_units::normalize_unit(c).filter(|c| d.is_empty() || c.contains('/'))
        {
            return (GoldUnit::Ucum(code.to_string()), Some(written), temporal);
        }
    }
    (GoldUnit::Unknown(written.clone()), Some(written), temporal)
}

/// `x109/L`, `*109/L`, `×103/uL` (a superscript lost in the text, the
/// annotators' unit span being only `/L`) → `10^9/L`.
fn power_of_ten(s: &str) -> Option<String> {
    let rest = s.trim_start_matches(['x', 'X', '×', '*']);
    if rest.len() == s.len() {
        return None;
    }
    let rest = rest.strip_prefix("10")?.trim_start_matches('^');
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let tail = &rest[digits.len()..];
    if digits.is_empty() || !tail.starts_with('/') {
        return None;
    }
    Some(format!("10^{digits}{tail}"))
}

/// Extracts the scoreable gold comparisons of one document.
pub fn extract_gold(doc: &str, text: &str, ann: &Annotations, skipped: &mut Skipped) -> Vec<Gold> {
    let map = CharToByte::new(text);
    let mut out = Vec::new();
    for ev in ann.events.iter().filter(|e| e.kind == "Eq-Comparison") {
        let Some(op_id) = ev
            .args
            .iter()
            .find(|(r, _)| r.starts_with("Operator"))
            .map(|(_, id)| id)
        else {
            continue;
        };
        let mut value_ids: Vec<&String> = ev
            .args
            .iter()
            .filter(|(r, _)| r.starts_with("Value"))
            .map(|(_, id)| id)
            .collect();
        if value_ids.is_empty() {
            continue;
        }
        let Some(op) = ann.attribute(op_id, "Eq-Operator-Value").map(GoldOp::parse) else {
            skipped.no_operator_attribute += 1;
            continue;
        };
        // values in text order
        value_ids.sort_by_key(|id| ann.text_bounds.get(*id).map(|t| t.spans[0]));
        let mut values = Vec::new();
        let mut bad = false;
        for id in &value_ids {
            match ann.text_bounds.get(*id).and_then(|t| parse_number(&t.text)) {
                Some(v) => values.push(v),
                None => bad = true,
            }
        }
        if bad || values.is_empty() {
            skipped.unscorable_value += 1;
            continue;
        }
        if matches!(op, GoldOp::Between | GoldOp::PlusMinus) {
            if values.len() < 2 {
                skipped.incomplete_range += 1;
                continue;
            }
            if op == GoldOp::PlusMinus {
                let (v, d) = (values[0], values[1].abs());
                values = vec![v - d, v + d];
            } else {
                values.truncate(2);
                if values[0] > values[1] {
                    values.swap(0, 1);
                }
            }
        } else {
            values.truncate(1);
        }
        let Some(trigger) = ann.text_bounds.get(&ev.trigger) else {
            skipped.bad_offsets += 1;
            continue;
        };
        let spans: Option<Vec<(usize, usize)>> =
            trigger.spans.iter().map(|s| map.span(*s)).collect();
        let Some(spans) = spans else {
            skipped.bad_offsets += 1;
            continue;
        };
        let unit_args: Vec<(String, String)> = ev
            .args
            .iter()
            .filter(|(r, _)| is_unit_role(r))
            .cloned()
            .collect();
        // the end of the (last) value this comparison uses: a second
        // `Eq-Value` of a single comparison is the `109` of `100x109/L`
        let used = if values.len() == 2 { 2 } else { 1 };
        let value_end = value_ids
            .iter()
            .take(used)
            .filter_map(|id| ann.text_bounds.get(*id))
            .map(|t| t.spans[t.spans.len() - 1].1)
            .max()
            .unwrap_or(0);
        let (unit, unit_text, temporal) = gold_unit(ann, text, &map, &unit_args, value_end);
        out.push(Gold {
            doc: doc.to_string(),
            event: ev.id.clone(),
            op,
            values,
            unit,
            unit_text,
            temporal,
            spans,
            text: trigger.text.clone(),
        });
    }
    out
}

/// Loads every pair under `dir`.
pub fn load_corpus(dir: &Path) -> (Vec<Doc>, Skipped, Vec<String>) {
    let mut skipped = Skipped::default();
    let mut errors = Vec::new();
    let mut docs = Vec::new();
    for (txt, ann) in find_pairs(dir) {
        let name = txt
            .strip_prefix(dir)
            .unwrap_or(&txt)
            .with_extension("")
            .display()
            .to_string();
        let (text, ann_text) = match (std::fs::read(&txt), std::fs::read(&ann)) {
            (Ok(t), Ok(a)) => (
                String::from_utf8_lossy(&t).into_owned(),
                String::from_utf8_lossy(&a).into_owned(),
            ),
            (Err(e), _) | (_, Err(e)) => {
                errors.push(format!("{name}: {e}"));
                continue;
            }
        };
        let parsed = parse_ann(&ann_text);
        let gold = extract_gold(&name, &text, &parsed, &mut skipped);
        docs.push(Doc { name, text, gold });
    }
    (docs, skipped, errors)
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-9)
}

/// Does `atom`'s value equal `v` in the gold unit?
fn value_matches(atom: &Atom, v: f64, unit: &GoldUnit) -> bool {
    match (unit, &atom.value) {
        (GoldUnit::Uln, Value::XUln { x_uln }) => close(*x_uln, v),
        (GoldUnit::Lln, Value::XLln { x_lln }) => close(*x_lln, v),
        (GoldUnit::Ucum(code), Value::Number(n)) => match &atom.unit {
            Some(au) => tm_units::convert(&Quantity::new(v, code.as_str()), au, Some(&atom.field))
                .is_ok_and(|q| close(q.value, *n)),
            None => close(*n, v),
        },
        (GoldUnit::None | GoldUnit::Unknown(_), Value::Number(n)) => close(*n, v),
        _ => false,
    }
}

/// Which bounds of `gold` does `atom` match (bit 0: first/only, bit 1: high).
fn atom_matches(atom: &Atom, gold: &Gold) -> u8 {
    if !gold.spans.iter().any(|s| overlaps(*s, atom.span)) {
        return 0;
    }
    match &gold.op {
        GoldOp::Between | GoldOp::PlusMinus => {
            let mut m = 0;
            if matches!(atom.op, Op::Ge | Op::Gt) && value_matches(atom, gold.values[0], &gold.unit)
            {
                m |= 1;
            }
            if matches!(atom.op, Op::Le | Op::Lt) && value_matches(atom, gold.values[1], &gold.unit)
            {
                m |= 2;
            }
            m
        }
        op => {
            let same = matches!(
                (op, atom.op),
                (GoldOp::Gt, Op::Gt)
                    | (GoldOp::Ge, Op::Ge)
                    | (GoldOp::Lt, Op::Lt)
                    | (GoldOp::Le, Op::Le)
                    | (GoldOp::Eq, Op::Eq)
            );
            if same && value_matches(atom, gold.values[0], &gold.unit) {
                1
            } else {
                0
            }
        }
    }
}

/// A time window with the gold's value overlapping a `LT`/`LTEQ` gold.
fn window_matches(windows: &[&Window], gold: &Gold) -> bool {
    let GoldUnit::Ucum(code) = &gold.unit else {
        return false;
    };
    if !matches!(gold.op, GoldOp::Le | GoldOp::Lt) {
        return false;
    }
    windows.iter().any(|w| {
        gold.spans.iter().any(|s| overlaps(*s, w.span))
            && tm_units::convert(&Quantity::new(gold.values[0], code.as_str()), &w.unit, None)
                .is_ok_and(|q| close(q.value, w.value))
    })
}

/// Per-operator counts.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OpCounts {
    pub gold: usize,
    pub found: usize,
    pub atoms: usize,
    pub atoms_matched: usize,
}

/// A gold comparison that was not found, with the atoms overlapping it.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub gold: Gold,
    pub overlapping_atoms: Vec<Atom>,
}

/// An atom that matched no gold comparison.
#[derive(Debug, Clone, Serialize)]
pub struct FalsePositive {
    pub doc: String,
    pub atom: Atom,
    /// The atom's text.
    pub text: String,
    /// Gold comparisons its span overlaps (wrong operator/value/unit), if any.
    pub overlapping_gold: Vec<String>,
}

/// The result of scoring a corpus.
#[derive(Debug, Clone, Serialize)]
pub struct LctReport {
    pub documents: usize,
    pub gold: usize,
    pub found: usize,
    pub atoms: usize,
    pub atoms_matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Keyed by LCT operator name (`GT`, `GTEQ`, …; `BETWEEN` has gold only).
    pub by_operator: BTreeMap<String, OpCounts>,
    /// Gold time quantities (`Eq-Temporal-Unit`: ages, windows) vs the rest.
    pub temporal: OpCounts,
    pub non_temporal: OpCounts,
    /// Diagnostic, not in precision/recall: gold `LT`/`LTEQ` time
    /// quantities ("within 3 months") not found by an atom but by a time
    /// window (`Window` on an atom or a `Has`) with the same value.
    pub found_by_window: usize,
    /// Recall if those counted: `(found + found_by_window) / gold`.
    pub recall_with_windows: f64,
    pub skipped: Skipped,
    pub errors: Vec<String>,
    pub misses: Vec<Miss>,
    pub false_positives: Vec<FalsePositive>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores documents with `compile` (the full compile of each text).
pub fn score_docs(
    docs: &[Doc],
    compile: &dyn Fn(&str) -> tm_criteria::CompiledCriteria,
) -> LctReport {
    let mut by_op: BTreeMap<String, OpCounts> = BTreeMap::new();
    let mut temporal = OpCounts::default();
    let mut non_temporal = OpCounts::default();
    let (mut gold_n, mut found_n, mut atoms_n, mut matched_n) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    let mut fps = Vec::new();
    let mut by_window = 0;
    for doc in docs {
        let compiled = compile(&doc.text);
        let atoms: Vec<&Atom> = compiled.criteria.iter().flat_map(|c| &c.atoms).collect();
        let mut windows: Vec<&Window> = atoms.iter().filter_map(|a| a.window.as_ref()).collect();
        for c in &compiled.criteria {
            for leaf in c.expr.leaves() {
                if let Expr::Has {
                    window: Some(w), ..
                } = leaf
                {
                    windows.push(w);
                }
            }
        }
        let mut atom_matched = vec![false; atoms.len()];
        for g in &doc.gold {
            let mut bits = 0u8;
            for (i, a) in atoms.iter().enumerate() {
                let m = atom_matches(a, g);
                if m != 0 {
                    atom_matched[i] = true;
                    bits |= m;
                }
            }
            let need = if matches!(g.op, GoldOp::Between | GoldOp::PlusMinus) {
                3
            } else {
                1
            };
            let found = bits & need == need;
            let row = by_op.entry(g.op.name().to_string()).or_default();
            row.gold += 1;
            let cat = if g.temporal {
                &mut temporal
            } else {
                &mut non_temporal
            };
            cat.gold += 1;
            gold_n += 1;
            if found {
                row.found += 1;
                cat.found += 1;
                found_n += 1;
            } else {
                if window_matches(&windows, g) {
                    by_window += 1;
                }
                misses.push(Miss {
                    gold: g.clone(),
                    overlapping_atoms: atoms
                        .iter()
                        .filter(|a| g.spans.iter().any(|s| overlaps(*s, a.span)))
                        .map(|a| (*a).clone())
                        .collect(),
                });
            }
        }
        for (i, a) in atoms.iter().enumerate() {
            let row = by_op.entry(op_name(a.op).to_string()).or_default();
            row.atoms += 1;
            atoms_n += 1;
            let overlapping: Vec<&Gold> = doc
                .gold
                .iter()
                .filter(|g| g.spans.iter().any(|s| overlaps(*s, a.span)))
                .collect();
            let cat = if overlapping.iter().any(|g| g.temporal) {
                &mut temporal
            } else {
                &mut non_temporal
            };
            cat.atoms += 1;
            if atom_matched[i] {
                row.atoms_matched += 1;
                cat.atoms_matched += 1;
                matched_n += 1;
            } else {
                fps.push(FalsePositive {
                    doc: doc.name.clone(),
                    atom: (*a).clone(),
                    text: doc.text.get(a.span.0..a.span.1).unwrap_or("").to_string(),
                    overlapping_gold: overlapping.iter().map(|g| g.text.clone()).collect(),
                });
            }
        }
    }
    let precision = ratio(matched_n, atoms_n);
    let recall = ratio(found_n, gold_n);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    LctReport {
        documents: docs.len(),
        gold: gold_n,
        found: found_n,
        atoms: atoms_n,
        atoms_matched: matched_n,
        precision,
        recall,
        f1,
        by_operator: by_op,
        temporal,
        non_temporal,
        found_by_window: by_window,
        recall_with_windows: ratio(found_n + by_window, gold_n),
        skipped: Skipped::default(),
        errors: Vec::new(),
        misses,
        false_positives: fps,
    }
}

/// Loads the corpus under `dir` and scores it with [`tm_criteria::compile`].
pub fn score_dir(dir: &Path) -> LctReport {
    let (docs, skipped, errors) = load_corpus(dir);
    let mut r = score_docs(&docs, &tm_criteria::compile);
    r.skipped = skipped;
    r.errors = errors;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_annotated() {
        assert_eq!(parse_number("1,500"), Some(1500.0));
        assert_eq!(parse_number("100,000"), Some(100000.0));
        assert_eq!(parse_number("2,5"), Some(2.5));
        assert_eq!(parse_number("2.0"), Some(2.0));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("three"), Some(3.0));
        assert_eq!(parse_number("III"), Some(3.0));
        assert_eq!(parse_number("IV"), Some(4.0));
        assert_eq!(parse_number("Ⅲ"), Some(3.0));
        assert_eq!(parse_number("T2a"), None);
        assert_eq!(parse_number("31 december 2016"), None);
    }

    #[test]
    fn lost_superscripts_are_powers_of_ten() {
        assert_eq!(power_of_ten("x109/L").as_deref(), Some("10^9/L"));
        assert_eq!(power_of_ten("*109/L").as_deref(), Some("10^9/L"));
        assert_eq!(power_of_ten("×10^3/uL").as_deref(), Some("10^3/uL"));
        assert_eq!(power_of_ten("109/L"), None);
        assert_eq!(power_of_ten("xULN"), None);
        assert_eq!(
            tm_units::normalize_unit(&power_of_ten("x109/L").unwrap()),
            Some("10*9/L")
        );
    }
}
