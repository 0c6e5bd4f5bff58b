//! The criterion compiler: segmented criteria → [`CompiledCriteria`].
//!
//! Per criterion:
//! 1. a cleaned view of the text (markdown escapes removed, `≧`/`≦`
//!    folded) with a byte map back to the original, so every span points
//!    into the criteria text;
//! 2. concept mentions (phrase table, [`crate::concepts`]), thresholds
//!    (operator + number + unit / × ULN / × LLN / ULN + n), ranges, time
//!    windows, review cues, negation and carve-out markers;
//! 3. clauses (split at `;`, sentence ends, brackets, `unless`, `However,`)
//!    whose atoms are linked by the words between them (`or` → any,
//!    `and`/`with` → all, nothing → all for inclusion, any for exclusion);
//! 4. anything left that carries meaning becomes an `Unparsed` leaf, so the
//!    status says honestly how much was understood.
//!
//! Numbers (issue 5 item 3): `1.5 × 10^9/L`, `10\^9`, `10⁹`, `2,5x` (decimal
//! comma), `75.000/mm3` and `1,500/mm3` (thousands), `5. 0×ULN` (stray
//! space). A separator followed by exactly three digits is read as
//! thousands or decimal only when the concept's plausible range accepts
//! exactly one reading; otherwise the atom is flagged `ambiguous_number`.
//! Values are converted with `tm_units::convert` to the concept's canonical
//! unit (clinical-rules §7.1); assay-dependent units (HBV DNA copies/mL) are
//! kept as written (§7.1: "never convert for eligibility").

use std::sync::LazyLock;

use regex::Regex;

use crate::concepts::negated_mention;
use crate::concepts::{
    canonical_unit, find_mentions, gate, plausible_range, re_big, Cat, Mention, DEFS,
};
use crate::ir::*;
use crate::segment::{segment, Criterion, Kind};

/// Version of the compiler; stored with compiled criteria, which are
/// recompiled when it changes.
pub const COMPILER_VERSION: &str = "tm-criteria/0.3.2";

/// Compiles a whole criteria text: segmentation then one
/// [`CompiledCriterion`] per criterion (spans into `criteria_text`).
pub fn compile(criteria_text: &str) -> CompiledCriteria {
    let segs = segment(criteria_text);
    // Children per criterion (by index).
    let mut children_of: Vec<Vec<usize>> = vec![Vec::new(); segs.len()];
    for (j, c) in segs.iter().enumerate() {
        if let Some(p) = c.parent.as_deref() {
            if let Some(i) = segs.iter().position(|x| x.id == p) {
                children_of[i].push(j);
            }
        }
    }
    let mut out: Vec<CompiledCriterion> = Vec::with_capacity(segs.len());
    for (i, c) in segs.iter().enumerate() {
        if children_of[i].is_empty() || c.parent.is_some() {
            out.push(compile_one(criteria_text, c));
        } else {
            // A top-level parent: its whole-span compilation is replaced
            // below (lead-in + children), so it is not computed.
            out.push(CompiledCriterion {
                id: c.id.clone(),
                kind: c.kind,
                text: c.text.clone(),
                span: c.span,
                parent: c.parent.clone(),
                status: Status::Unparsed,
                review_reason: Vec::new(),
                expr: Expr::True,
                atoms: Vec::new(),
            });
        }
    }
    // A parent with sub-criteria: its own lead-in text only, combined with
    // its children (all for inclusion, any for exclusion).
    for i in 0..out.len() {
        let id = out[i].id.clone();
        let children = std::mem::take(&mut children_of[i]);
        if children.is_empty() {
            continue;
        }
        let first_child_start = children
            .iter()
            .map(|&j| out[j].span.0)
            .min()
            .unwrap_or(out[i].span.1);
        let lead = Criterion {
            id: id.clone(),
            kind: out[i].kind,
            text: criteria_text[out[i].span.0..first_child_start].to_string(),
            span: (out[i].span.0, first_child_start),
            parent: None,
        };
        let mut lead_c = compile_one(criteria_text, &lead);
        let mut parts: Vec<Expr> = Vec::new();
        if !matches!(lead_c.expr, Expr::True) {
            parts.push(lead_c.expr.clone());
        }
        let mut statuses = vec![lead_c.status];
        for &j in &children {
            let offset = lead_c.atoms.len();
            lead_c.atoms.extend(out[j].atoms.iter().cloned());
            parts.push(reindex(out[j].expr.clone(), offset));
            statuses.push(out[j].status);
            lead_c
                .review_reason
                .extend(out[j].review_reason.iter().cloned());
        }
        let expr = match out[i].kind {
            Kind::Inclusion => Expr::And { all: parts },
            Kind::Exclusion => Expr::Or { any: parts },
        };
        let status = combine_status(&statuses, matches!(lead_c.expr, Expr::True));
        let c = &mut out[i];
        c.expr = expr;
        c.atoms = lead_c.atoms;
        c.review_reason = lead_c.review_reason;
        c.status = status;
    }
    CompiledCriteria {
        compiler_version: COMPILER_VERSION.to_string(),
        criteria: out,
    }
}

fn combine_status(statuses: &[Status], lead_empty: bool) -> Status {
    let rel: Vec<Status> = if lead_empty {
        statuses[1..].to_vec()
    } else {
        statuses.to_vec()
    };
    if rel.iter().all(|s| *s == Status::Computable) {
        Status::Computable
    } else if rel
        .iter()
        .any(|s| matches!(s, Status::Computable | Status::Partial))
    {
        Status::Partial
    } else if rel.contains(&Status::Review) {
        Status::Review
    } else {
        Status::Unparsed
    }
}

fn reindex(e: Expr, offset: usize) -> Expr {
    match e {
        Expr::Compare { atom } => Expr::Compare {
            atom: atom + offset,
        },
        Expr::And { all } => Expr::And {
            all: all.into_iter().map(|x| reindex(x, offset)).collect(),
        },
        Expr::Or { any } => Expr::Or {
            any: any.into_iter().map(|x| reindex(x, offset)).collect(),
        },
        Expr::Not { expr } => Expr::Not {
            expr: Box::new(reindex(*expr, offset)),
        },
        Expr::Unless { base, except, span } => Expr::Unless {
            base: Box::new(reindex(*base, offset)),
            except: Box::new(reindex(*except, offset)),
            span,
        },
        other => other,
    }
}

// ---------------------------------------------------------------------------
// Cleaned view with a byte map
// ---------------------------------------------------------------------------

struct View {
    s: String,
    /// For each byte of `s`, the byte offset in the criteria text; plus one
    /// entry for the end.
    map: Vec<usize>,
}

impl View {
    fn new(text: &str, base: usize) -> View {
        let mut s = String::with_capacity(text.len());
        let mut map = Vec::with_capacity(text.len() + 1);
        let mut it = text.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c == '\\' {
                if let Some(&(_, n)) = it.peek() {
                    if "[]<>^*_()#+-.!|`{}=".contains(n) {
                        continue;
                    }
                }
            }
            let c = match c {
                '≧' => '≥',
                '≦' => '≤',
                '\u{a0}' | '\t' | '\r' => ' ',
                '–' | '—' | '‐' => '-',
                _ => c,
            };
            let mut buf = [0u8; 4];
            let enc = c.encode_utf8(&mut buf);
            for _ in 0..enc.len() {
                map.push(base + i);
            }
            s.push(c);
        }
        map.push(base + text.len());
        View { s, map }
    }

    /// Original span of `[a, b)` in the view.
    fn orig(&self, a: usize, b: usize) -> (usize, usize) {
        let a = self.map.get(a).copied().unwrap_or(0);
        let end = if b == 0 {
            a
        } else {
            // End of the last included char in the original.
            let last = self.map.get(b - 1).copied().unwrap_or(a);
            let next = self.map.get(b).copied().unwrap_or(last + 1);
            next.max(last + 1)
                .min(self.map.last().copied().unwrap_or(last + 1))
        };
        (a, end.max(a))
    }
}

// ---------------------------------------------------------------------------
// Lexical pieces
// ---------------------------------------------------------------------------

const OPS: &str = r"(?P<op>[><]\s*/\s*=|[><]\s+or\s+=|equal\s+(?:to\s+)?or\s+(?:greater|more|higher|above|over|less|lower|below|under)(?:\s+than)?(?:\s+to)?|(?:greater|more|higher|above|less|lower|below)\s+(?:than\s+)?or\s+equal(?:\s+to)?|≥|>=|=>|≤|<=|=<|>|<|=|greater\s+than\s+or\s+equal\s+(?:to\s+)?|more\s+than\s+or\s+equal\s+(?:to\s+)?|less\s+than\s+or\s+equal\s+(?:to\s+)?|equal\s+to\s+or\s+(?:greater|more|higher)\s+than|equal\s+to\s+or\s+(?:less|lower)\s+than|no\s+less\s+than|not\s+less\s+than|no\s+lower\s+than|no\s+more\s+than|not\s+more\s+than|no\s+greater\s+than|not\s+greater\s+than|no\s+higher\s+than|not\s+higher\s+than|not\s+exceeding|not\s+to\s+exceed|not\s+above|not\s+below|at\s+least|a\s+minimum\s+of|minimum(?:\s+of)?|at\s+most|a\s+maximum\s+of|maximum(?:\s+of)?|up\s+to|greater\s+than|more\s+than|higher\s+than|exceeding|exceeds?|above|over|less\s+than|lower\s+than|fewer\s+than|below|under|equal\s+to|of)";

const NUM: &str = r"(?P<num>\d{1,3}(?:[.,]\d{3})+(?:\.\d+)?|\d+(?:[.,]\s?\d+)?)";

static THRESH: LazyLock<Regex> =
    LazyLock::new(|| re_big(&format!(r"(?i){OPS}\s*:?\s*{NUM}")).expect("threshold regex"));

/// Grading systems other than CTCAE.
static OTHER_GRADING: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?-u:\b)(?:ASA|WHO|NYHA|ESH|ESC|Gleason|histolog\w*|tumou?r|Fuhrman|ISUP|hypertension|Child|Clavien|Tanner|Mallampati|Kellgren|Los\s+Angeles|Hunt|Fisher|Spetzler|Hurley|Breslow|Gustilo|Outerbridge|Enneking|FIGO|Nottingham|Bloom|Elston|nuclear|Kellgren|Sanders|Salter|Lenke|Meyerding|varicocele|varices|esophagitis|reflux|hemorrhoids?|glioma|astrocytoma)(?-u:\b)").expect("other grading")
});

/// `25th`, `3rd`: the suffix of an ordinal right after its digits.
static ORDINAL_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| re_big(r"(?i)^(?:st|nd|rd|th)(?-u:\b)").expect("ordinal"));

/// "2x normal", "3 times normal": a multiple of the ULN without the words
/// "upper limit".
static X_NORMAL: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)^\s*(?:[×xX*]|times|-?fold)\s*(?:the\s+)?(?:institutional\s+)?normal(?:\s+(?:values?|limits?|range))?(?-u:\b)")
        .expect("x normal")
});

/// Multiplier of the ULN/LLN after a number.
static ULN: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)^\s*(?:[×xX*]|times|-?fold)?\s*(?:the\s+)?(?:institutional\s+)?(?:(?P<u>(?:maximum|upper)\s+normal\s+(?:values?|limits?)|normal\s+upper\s+limits?|upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+(?:range|value|limit))*(?:\s*\((?-i:ULN)\))?|(?-i:ULN|IULN|UNL))|(?P<l>lower\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+(?:range|value|limit))*(?:\s*\((?-i:LLN)\))?|(?-i:LLN)))")
        .expect("uln regex")
});

/// A unit after a number.
static UNIT: LazyLock<Regex> = LazyLock::new(|| {
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
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?:between\s+|from\s+)?(?P<lo>\d+(?:[.,]\d+)?)\s*(?:years?|%)?\s*(?:-|~|to|and)\s*(?P<hi>\d+(?:[.,]\d+)?)")
        .expect("range regex")
});

/// `18 years or older`, `65 and over`.
static POST_OP: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?P<num>\d+(?:[.,]\d+)?)\s*(?:years?|yrs?)?(?:\s+of\s+age)?\s+(?:or|and)\s+(?P<dir>older|over|above|more|greater|higher|less|lower|below|younger|under)")
        .expect("post-op regex")
});

static ULN_PLUS: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?:exceeding|above|over|greater\s+than)\s+(?:the\s+)?(?:upper\s+limit\s+of\s+normal|uln)\s*(?:by\s*)?$")
        .expect("uln plus")
});

static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?-u:\b)(?:within|in|during|for)\s+(?:the\s+)?(?:last|past|previous|preceding|prior)?\s*(?P<n>\d+|one|two|three|four|six|twelve)?\s*(?P<u>hours?|days?|weeks?|months?|years?|yrs?)(?:\s+(?:prior\s+to|before|of|preceding)\s+(?:the\s+)?(?P<anchor>first\s+dose|dosing|enrol?lment|registration|randomi[sz]ation|screening|study\s+entry|study\s+treatment|start\s+of\s+(?:study\s+)?treatment|inclusion|(?:the\s+)?first\s+medication))?")
        .expect("window regex")
});

static REVIEW_CUES: LazyLock<Vec<(ReviewKind, Regex)>> = LazyLock::new(|| {
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
static REVIEW_CUE_SET: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSetBuilder::new(REVIEW_CUES.iter().map(|(_, r)| r.as_str()))
        .dfa_size_limit(32 << 20)
        .build()
        .unwrap_or_else(|_| regex::RegexSet::empty())
});

/// Words one of which every [`REVIEW_CUES`] match contains.
static REVIEW_GATE: LazyLock<Regex> = LazyLock::new(|| {
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
static NEGATIVE_GATE: LazyLock<Regex> = LazyLock::new(|| gate(&["negative"]));

fn negative_result(seg: &str) -> Option<regex::Match<'_>> {
    if NEGATIVE_GATE.is_match(seg) {
        NEGATIVE_RESULT.find(seg)
    } else {
        None
    }
}

static NEG_START: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)^\W*(?:no|not|without|absence\s+of|free\s+of|never|none\s+of|non)(?-u:\b)")
        .expect("neg regex")
});

static NEGATIVE_RESULT: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)(?-u:\b)(?:must\s+be\s+|be\s+|are\s+|is\s+)?negative(?-u:\b)")
        .expect("negative regex")
});

static CARVE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?i)^\W*(?:unless|except(?:\s+for)?|excluding|other\s+than|but\s+not|however,?)(?-u:\b)",
    )
    .expect("carve regex")
});

/// Words that carry no criterion content of their own.
const STOP: &[&str] = &[
    "the",
    "and",
    "with",
    "for",
    "who",
    "that",
    "than",
    "this",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "been",
    "being",
    "must",
    "should",
    "will",
    "may",
    "can",
    "any",
    "all",
    "other",
    "others",
    "following",
    "patients",
    "patient",
    "participants",
    "participant",
    "subjects",
    "subject",
    "individuals",
    "persons",
    "women",
    "men",
    "male",
    "female",
    "females",
    "males",
    "level",
    "levels",
    "count",
    "counts",
    "value",
    "values",
    "serum",
    "plasma",
    "blood",
    "total",
    "function",
    "functions",
    "adequate",
    "organ",
    "routine",
    "liver",
    "renal",
    "kidney",
    "hepatic",
    "cardiovascular",
    "coagulation",
    "test",
    "tests",
    "result",
    "results",
    "positive",
    "score",
    "status",
    "rate",
    "defined",
    "define",
    "include",
    "including",
    "includes",
    "such",
    "known",
    "history",
    "evidence",
    "current",
    "currently",
    "previous",
    "previously",
    "prior",
    "received",
    "receiving",
    "receive",
    "treatment",
    "therapy",
    "use",
    "per",
    "from",
    "into",
    "its",
    "their",
    "his",
    "her",
    "which",
    "within",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "month",
    "years",
    "year",
    "hours",
    "period",
    "time",
    "normal",
    "limit",
    "upper",
    "lower",
    "range",
    "calculated",
    "according",
    "formula",
    "assessed",
    "measured",
    "predicted",
    "volume",
    "also",
    "either",
    "both",
    "only",
    "required",
    "requirements",
    "meet",
    "meets",
    "criteria",
    "indicators",
    "key",
    "least",
    "more",
    "less",
    "greater",
    "times",
    "percent",
    "those",
    "these",
    "has",
    "both",
    "diagnosed",
    "diagnosis",
    "confirmed",
    "active",
    "severe",
    "moderate",
    "mild",
    "participated",
    "participating",
    "presence",
    "absence",
    "interventional",
    "dose",
    "dosing",
    "enrollment",
    "enrolment",
    "study",
    "trial",
    "limitations",
    "load",
    "viral",
    "age",
    "aged",
    "over",
    "under",
    "above",
    "below",
    "older",
    "years",
    "old",
    "between",
    "equal",
    "not",
    "without",
    "prothrombin",
    "cockcroft",
    "gault",
    "cockcroft-gault",
    "ultrasonic",
    "cardiogram",
    "echocardiography",
    "echocardiogram",
    "absorbed",
    "radiation",
    "single",
    "imaging",
    "shows",
    "perfusion",
    "arterial",
    "99mtc-maa",
    "tc-maa",
    "maa",
    "performance",
    "eastern",
    "cooperative",
    "oncology",
    "group",
    "classified",
    "class",
    "stage",
    "staging",
    "beyond",
    "before",
    "after",
    "first",
    "medication",
    "medications",
    "fasting",
    "systolic",
    "diastolic",
    "pressure",
    "copies",
    "mmhg",
    "mmol",
    "seconds",
    "exceeding",
    "women",
    "lactating",
    "superior",
    "no",
    "upper",
    "retention",
    "minutes",
    "person",
    "people",
    "one",
    "second",
    "forced",
    "expiratory",
    "maximum",
    "voluntary",
    "ventilation",
    "survival",
    "estimated",
    "expected",
    "expectancy",
    "life",
    "however",
    "excluded",
    "allowed",
    "unless",
    "the",
    "both",
    "cured",
    "resolved",
    "situ",
    "skin",
    "cervical",
    "carcinoma",
    "basal",
    "cell",
    "last",
    "past",
    "other",
    "malignancies",
    "history",
    "systemic",
    "therapy",
    "treatment",
    "anti",
    "tumor",
    "tumour",
    "of",
    "in",
    "on",
    "at",
    "by",
    "to",
    "or",
    "as",
    "is",
    "be",
    "an",
    "etc",
    "recipients",
    "recipient",
    "ratio",
    "international",
    "normalized",
    "normalised",
    "activated",
    "partial",
    "thromboplastin",
    "but",
];

/// [`STOP`] as a set (lower-case).
static STOP_SET: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| STOP.iter().copied().collect());

/// Whether `w` (any case) is a stop word; no allocation for ASCII words.
fn is_stop(w: &str) -> bool {
    if w.len() > 24 {
        return false;
    }
    if w.is_ascii() {
        let mut buf = [0u8; 24];
        let b = &mut buf[..w.len()];
        b.copy_from_slice(w.as_bytes());
        b.make_ascii_lowercase();
        std::str::from_utf8(b).is_ok_and(|l| STOP_SET.contains(l))
    } else {
        STOP_SET.contains(w.to_lowercase().as_str())
    }
}

// ---------------------------------------------------------------------------
// Atoms found in a clause
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Piece {
    /// A comparison (index into atoms).
    Cmp(usize),
    /// Presence of a concept.
    Has(usize /* def */, usize, usize),
}

#[derive(Debug, Clone)]
struct Placed {
    piece: Piece,
    start: usize,
    end: usize,
    /// Comparisons expanded from one shared threshold ("ALT and AST ≤ 5").
    group: Option<usize>,
}

struct Ctx<'a> {
    view: &'a View,
    kind: Kind,
    atoms: Vec<Atom>,
    reasons: Vec<ReviewReason>,
    covered: Vec<bool>,
}

impl Ctx<'_> {
    fn cover(&mut self, a: usize, b: usize) {
        for i in a..b.min(self.covered.len()) {
            self.covered[i] = true;
        }
    }
    fn span(&self, a: usize, b: usize) -> (usize, usize) {
        self.view.orig(a, b)
    }
    fn text(&self, a: usize, b: usize) -> String {
        self.view.s.get(a..b).unwrap_or("").to_string()
    }
    /// A comparison read from the whole phrase `[a, b)` (covered): its atom
    /// and the `compare` leaf.
    fn compare(
        &mut self,
        field: &str,
        op: Op,
        value: Value,
        unit: Option<&str>,
        (a, b): (usize, usize),
    ) -> Expr {
        let span = self.span(a, b);
        let idx = self.atoms.len();
        self.atoms.push(Atom {
            field: field.to_string(),
            op,
            value,
            unit: unit.map(str::to_string),
            span,
            window: None,
        });
        self.cover(a, b);
        Expr::Compare { atom: idx }
    }
}

/// `e` joined to the clause's expression so far (both must hold).
fn and_with(expr: Option<Expr>, e: Expr) -> Expr {
    match expr {
        Some(x) => Expr::And { all: vec![x, e] },
        None => e,
    }
}

fn parse_op(s: &str) -> Option<Op> {
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
fn parse_number(s: &str) -> Vec<f64> {
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

fn unit_ucum(unit_text: &str) -> Option<String> {
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
fn to_canonical(def: usize, v: f64, unit: &str) -> Option<(f64, String)> {
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

fn plausible(def: usize, v: f64) -> bool {
    let (lo, hi) = plausible_range(def);
    v >= lo && v <= hi
}

/// Reads value and unit after a number at `pos` (view offset after the
/// number). Returns (value, unit, end, flags).
struct ValueRead {
    value: Value,
    unit: Option<String>,
    end: usize,
    ambiguous: bool,
    unit_missing: bool,
    /// The unit as written (UCUM), before conversion.
    raw_unit: Option<String>,
}

fn read_value(view: &View, def: Option<usize>, num_text: &str, after: usize) -> Option<ValueRead> {
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

fn word_num(s: &str) -> Option<f64> {
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
static WINDOW_GATE: LazyLock<Regex> =
    LazyLock::new(|| gate(&["hour", "day", "week", "month", "year", "yr"]));

/// What a window anchor counts back from: words naming the start of
/// treatment or enrolment (dosing, first dose, enrolment, treatment,
/// administration, start, randomisation, registration, medication,
/// inclusion, surgery) → [`WindowFrom::TreatmentStart`]; anything else
/// (no anchor, "screening", "study entry") → [`WindowFrom::Now`].
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

fn window_in(ctx: &Ctx, a: usize, b: usize) -> Option<Window> {
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

// ---------------------------------------------------------------------------
// Clauses
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum ClauseRole {
    Main,
    /// Inside brackets or parentheses.
    Paren,
    /// A carve-out (`unless …`, `However, … is excluded`, `(excluding …)`).
    Carve,
}

#[derive(Debug, Clone)]
struct Clause {
    start: usize,
    end: usize,
    role: ClauseRole,
    /// Index of the clause this one is nested in / attached to.
    host: Option<usize>,
}

/// Splits `[0, len)` of the view into clauses; never splits inside a
/// concept mention.
fn clauses(s: &str, mentions: &[Mention]) -> Vec<Clause> {
    let mut inside_mask = vec![false; s.len() + 1];
    for m in mentions {
        for x in inside_mask
            .iter_mut()
            .take(m.end.min(s.len()))
            .skip(m.start + 1)
        {
            *x = true;
        }
    }
    let inside = |i: usize| inside_mask.get(i).copied().unwrap_or(false);
    let bytes = s.as_bytes();
    let mut out: Vec<Clause> = Vec::new();
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (clause index of host, open pos)
    let mut cur_start = 0usize;
    let mut cur_role = ClauseRole::Main;
    let mut cur_host: Option<usize> = None;
    let push = |out: &mut Vec<Clause>,
                a: usize,
                b: usize,
                role: ClauseRole,
                host: Option<usize>|
     -> usize {
        out.push(Clause {
            start: a,
            end: b,
            role,
            host,
        });
        out.len() - 1
    };
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let is_open = (c == b'(' || c == b'[') && !inside(i);
        let is_close = (c == b')' || c == b']') && !inside(i);
        let is_semi = c == b';';
        let is_sentence = c == b'.'
            && i + 2 < bytes.len()
            && bytes[i + 1] == b' '
            && (bytes[i + 2] as char).is_ascii_uppercase()
            && !s[..i].ends_with("e.g")
            && !s[..i].ends_with("i.e")
            && !s[..i].ends_with("vs");
        if is_open {
            let idx = push(&mut out, cur_start, i, cur_role, cur_host);
            stack.push((idx, i));
            cur_start = i + 1;
            cur_host = Some(idx);
            cur_role = ClauseRole::Paren;
        } else if is_close && !stack.is_empty() {
            push(&mut out, cur_start, i, cur_role, cur_host);
            if let Some((host_idx, _)) = stack.pop() {
                // Continue the host clause after the bracket.
                cur_role = out[host_idx].role;
                cur_host = out[host_idx].host;
            }
            cur_start = i + 1;
        } else if is_semi || is_sentence {
            push(&mut out, cur_start, i + 1, cur_role, cur_host);
            cur_start = i + 1;
            if stack.is_empty() {
                cur_role = ClauseRole::Main;
                cur_host = None;
            }
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    push(&mut out, cur_start, bytes.len(), cur_role, cur_host);
    // Split at "unless" inside clauses.
    let mut res: Vec<Clause> = Vec::new();
    static UNLESS: LazyLock<Regex> =
        LazyLock::new(|| re_big(r"(?i)(?-u:\b)unless(?-u:\b)").expect("unless"));
    let mut old_to_new: Vec<usize> = Vec::with_capacity(out.len());
    let mut carve_hosts: Vec<(usize, usize)> = Vec::new(); // (res idx, host res idx)
    for cl in out {
        old_to_new.push(res.len());
        let text = &s[cl.start..cl.end];
        if let Some(m) = UNLESS.find(text) {
            let host = res.len();
            res.push(Clause {
                end: cl.start + m.start(),
                ..cl.clone()
            });
            carve_hosts.push((res.len(), host));
            res.push(Clause {
                start: cl.start + m.start(),
                end: cl.end,
                role: ClauseRole::Carve,
                host: None,
            });
        } else {
            res.push(cl);
        }
    }
    for c in res.iter_mut() {
        c.host = c.host.and_then(|h| old_to_new.get(h).copied());
    }
    for (k, h) in carve_hosts {
        res[k].host = Some(h);
    }
    // Carve-out roles: a clause starting with a carve marker.
    for k in 0..res.len() {
        let t = &s[res[k].start..res[k].end];
        if CARVE.is_match(t)
            || (t.to_lowercase().contains("however") && t.to_lowercase().contains("excluded"))
        {
            res[k].role = ClauseRole::Carve;
            if k > 0 {
                res[k].host = Some(k - 1);
            }
        }
    }
    // Drop empty clauses, remapping hosts (to the host's host when the host
    // itself is dropped).
    let keep: Vec<bool> = res
        .iter()
        .map(|c| s[c.start..c.end].chars().any(char::is_alphanumeric))
        .collect();
    let mut new_idx: Vec<Option<usize>> = Vec::with_capacity(res.len());
    let mut n = 0;
    for &k in &keep {
        new_idx.push(if k { Some(n) } else { None });
        if k {
            n += 1;
        }
    }
    let resolve = |mut h: Option<usize>| -> Option<usize> {
        let mut guard = 0;
        while let Some(x) = h {
            if let Some(Some(y)) = new_idx.get(x) {
                return Some(*y);
            }
            h = res.get(x).and_then(|c| c.host).filter(|&p| p < x);
            guard += 1;
            if guard > 64 {
                return None;
            }
        }
        None
    };
    let hosts: Vec<Option<usize>> = res.iter().map(|c| resolve(c.host)).collect();
    let mut final_: Vec<Clause> = Vec::with_capacity(n);
    for (i, c) in res.iter().enumerate() {
        if keep[i] {
            let mut c = c.clone();
            c.host = hosts[i].filter(|&h| h < final_.len());
            if c.host.is_none() && c.role == ClauseRole::Paren {
                c.role = ClauseRole::Main;
            }
            final_.push(c);
        }
    }
    final_
}

// ---------------------------------------------------------------------------
// Compilation of one criterion
// ---------------------------------------------------------------------------

/// Compiles one segmented criterion (spans are into `full`).
pub fn compile_one(full: &str, c: &Criterion) -> CompiledCriterion {
    let view = View::new(&full[c.span.0..c.span.1], c.span.0);
    let mut ctx = Ctx {
        view: &view,
        kind: c.kind,
        atoms: Vec::new(),
        reasons: Vec::new(),
        covered: vec![false; view.s.len()],
    };
    let s: &str = &view.s;
    let mentions = find_mentions(s);
    let cls = clauses(s, &mentions);

    // Pieces per clause.
    let mut clause_exprs: Vec<Option<Expr>> = Vec::with_capacity(cls.len());
    let mut clause_has_atoms: Vec<bool> = Vec::with_capacity(cls.len());
    let mut clause_review: Vec<Option<(ReviewKind, usize, usize)>> = Vec::with_capacity(cls.len());
    for cl in &cls {
        let (e, has, rev) = compile_clause(&mut ctx, &mentions, cl);
        clause_exprs.push(e);
        clause_has_atoms.push(has);
        clause_review.push(rev);
    }

    // A bracket that only asks for a judgement about the host ("(participants
    // who … are judged by investigators)") is a carve-out for review; so is
    // one whose concepts are a subclass of the host's (seed 000 E11:
    // "(participants who have received … non-iodized oil chemoembolization
    // are judged by investigators)" under "… or TACE").
    let mut cls = cls;
    for k in 0..cls.len() {
        if cls[k].role != ClauseRole::Paren || clause_review[k].is_none() {
            continue;
        }
        if let Some(h) = cls[k].host {
            let sub = !clause_has_atoms[k] || {
                let host_c = has_concepts(clause_exprs[h].as_ref());
                let own = has_concepts(clause_exprs[k].as_ref());
                !own.is_empty()
                    && own
                        .iter()
                        .all(|c| host_c.iter().any(|p| p != c && is_a(c, p)))
            };
            // "[If any participant takes warfarin …, the investigator
            // should evaluate …]" (seed 000 I8.4): a conditional judgement
            // is an exception path, not a further requirement.
            let conditional = matches!(clause_review[k], Some((ReviewKind::Investigator, _, _)))
                && s[cls[k].start..cls[k].end]
                    .trim_start_matches(|c: char| !c.is_alphanumeric())
                    .to_ascii_lowercase()
                    .starts_with("if ");
            if clause_has_atoms[h] && (sub || conditional) {
                cls[k].role = ClauseRole::Carve;
            }
        }
    }

    // "Uncontrolled diabetes (fasting glucose ≥ 10 mmol/L)", "No significant
    // renal impairment (CrCl < 30 mL/min)": a short phrase directly before a
    // parenthesis of comparisons is defined by it; the phrase's own guesses
    // and review cues give way, and its negation applies to the definition.
    for k in 0..cls.len() {
        // "Contraindications to intra-hepatic arterial infusion (coagulation
        // disorders, portal thrombosis, …)": the list defines the phrase too.
        static CONTRA: LazyLock<Regex> = LazyLock::new(|| {
            re_big(r"(?i)^\W*contraindications?\s+to\s").expect("contraindications to")
        });
        let defines = clause_has_cmp(&clause_exprs[k])
            || (clause_exprs[k].is_some()
                && cls[k]
                    .host
                    .is_some_and(|h| CONTRA.is_match(&s[cls[h].start..cls[h].end])));
        if cls[k].role != ClauseRole::Paren || !defines {
            continue;
        }
        let Some(h) = cls[k].host else { continue };
        if cls[h].end + 1 != cls[k].start {
            continue;
        }
        let phrase_start = s[cls[h].start..cls[h].end]
            .rfind([',', ':'])
            .map_or(cls[h].start, |p| cls[h].start + p + 1);
        let phrase = &s[phrase_start..cls[h].end];
        if phrase.split_whitespace().count() > 6
            || phrase_start != cls[h].start
                && clause_exprs[h].is_some()
                && phrase_has_atoms(&clause_exprs[h], &ctx, phrase_start)
        {
            continue;
        }
        if phrase_start == cls[h].start {
            clause_exprs[h] = None;
            clause_review[h] = None;
            let (a, b) = ctx.span(cls[h].start, cls[h].end);
            ctx.reasons.retain(|r| !(r.span.0 >= a && r.span.1 <= b));
        }
        if NEG_START.is_match(phrase) {
            if let Some(e) = clause_exprs[k].take() {
                clause_exprs[k] = Some(Expr::Not { expr: Box::new(e) });
            }
        }
        ctx.cover(phrase_start, cls[h].end);
    }

    // A parenthesis full of thresholds defines the phrase before it
    // ("Severe pulmonary dysfunction (FEV1/FVC < 50 % …)"): the phrase is
    // covered by its definition.
    for (k, cl) in cls.iter().enumerate() {
        if cl.role == ClauseRole::Paren && clause_has_atoms[k] {
            if let Some(h) = cl.host {
                if !clause_has_atoms[h] || cls[h].end <= cl.start {
                    let h_end = cls[h].end;
                    let words_start = s[cls[h].start..h_end]
                        .rfind([',', ':'])
                        .map_or(cls[h].start, |p| cls[h].start + p + 1);
                    ctx.cover(words_start, h_end);
                }
            }
        }
    }

    // Residual content → Unparsed leaves, one per leftover fragment (see
    // [`residual_fragments`] for the rule).
    let mut residual_exprs: Vec<Option<Expr>> = vec![None; cls.len()];
    // Filler phrases may span a parenthesis ("Technetium (99mTc)-
    // macroaggregated albumin (MAA) … perfusion imaging"): matched over
    // the whole criterion once.
    if let (Some(a), Some(b)) = (
        cls.iter().map(|c| c.start).min(),
        cls.iter().map(|c| c.end).max(),
    ) {
        for m in FILLER.find_iter(&s[a..b]) {
            ctx.cover(a + m.start(), a + m.end());
        }
    }
    for (k, cl) in cls.iter().enumerate() {
        if clause_review[k].is_some() {
            continue;
        }
        let frags = residual_fragments(s, &ctx.covered, cl.start, cl.end);
        let mut leaves: Vec<Expr> = Vec::new();
        for (a, b) in frags {
            let span = ctx.span(a, b);
            let text = ctx.text(a, b);
            ctx.reasons.push(ReviewReason {
                kind: ReviewKind::Unparsed,
                text: text.clone(),
                span,
            });
            leaves.push(Expr::Unparsed { text, span });
        }
        residual_exprs[k] = match leaves.len() {
            0 => None,
            1 => leaves.pop(),
            _ => Some(residual_join(c.kind, cls[k].role, leaves)),
        };
    }
    // Combine clauses: nested ones into their hosts, carve-outs as Unless.
    let n = cls.len();
    let mut exprs: Vec<Option<Expr>> = (0..n)
        .map(
            |k| match (clause_exprs[k].take(), residual_exprs[k].take()) {
                (Some(e), Some(r)) => Some(residual_join(c.kind, cls[k].role, vec![e, r])),
                (Some(e), None) => Some(e),
                (None, Some(r)) => Some(r),
                (None, None) => None,
            },
        )
        .collect();
    // Process from last to first so nested clauses fold into hosts.
    let mut top: Vec<(usize, Expr)> = Vec::new();
    for k in (0..n).rev() {
        let Some(e) = exprs[k].take() else { continue };
        match (cls[k].role, cls[k].host) {
            (ClauseRole::Carve, Some(h)) => {
                let base = exprs[h].take().unwrap_or(Expr::True);
                let span = ctx.span(cls[k].start, cls[k].end);
                exprs[h] = Some(scope_carve(base, e, span));
            }
            (ClauseRole::Paren, Some(h)) => {
                let host = exprs[h].take();
                exprs[h] = Some(match host {
                    None => e,
                    // "systemic hormone treatment (equivalent to > 10 mg
                    // prednisone/day)": a comparison on a measure of the
                    // host's therapy qualifies that therapy.
                    Some(hx) => match qualifying_measure(&hx, &e, &ctx.atoms) {
                        Some(target) => qualify_has(hx, &target, &e),
                        // "No significant renal impairment (CrCl < 30)": the
                        // host's negation applies to its definition.
                        None => join(c.kind, vec![hx, e], false),
                    },
                });
            }
            _ => top.push((k, e)),
        }
    }
    top.reverse();
    // "A (…), or B": top-level clauses linked by a written "or" are
    // alternatives — any of them (three-valued: a true branch decides,
    // otherwise unknown; one false alternative never fails the criterion).
    let mut groups: Vec<Vec<Expr>> = Vec::new();
    let mut prev_k: Option<usize> = None;
    for (k, e) in top {
        let linked_or = prev_k.is_some_and(|pk| {
            or_link(&s[cls[pk].start..cls[pk].end], &s[cls[k].start..cls[k].end])
        });
        match groups.last_mut() {
            Some(g) if linked_or => g.push(e),
            _ => groups.push(vec![e]),
        }
        prev_k = Some(k);
    }
    let mut parts: Vec<Expr> = groups
        .into_iter()
        .map(|mut g| {
            if g.len() == 1 {
                g.pop().unwrap_or(Expr::True)
            } else {
                Expr::Or { any: g }
            }
        })
        .collect();
    let expr = match parts.len() {
        0 => Expr::True,
        1 => parts.pop().unwrap_or(Expr::True),
        _ => join(c.kind, parts, false),
    };
    let expr = flatten(expr);

    // Conflicts: same field and value with different operators.
    for i in 0..ctx.atoms.len() {
        for j in i + 1..ctx.atoms.len() {
            let (a, b) = (&ctx.atoms[i], &ctx.atoms[j]);
            if a.field == b.field && a.value == b.value && a.op != b.op {
                ctx.reasons.push(ReviewReason {
                    kind: ReviewKind::Conflict,
                    text: format!("{} {} vs {}", a.field, a.op.as_str(), b.op.as_str()),
                    span: (a.span.0.min(b.span.0), a.span.1.max(b.span.1)),
                });
            }
        }
    }

    let status = status_of(&expr, &ctx.reasons);
    CompiledCriterion {
        id: c.id.clone(),
        kind: c.kind,
        text: c.text.clone(),
        span: c.span,
        parent: c.parent.clone(),
        status,
        review_reason: ctx.reasons,
        expr,
        atoms: ctx.atoms,
    }
}

/// Whether two consecutive top-level clauses are linked by a written
/// "or": the second starts with it ("…), or as soon as …", "…; or …") or
/// the first ends with it.
fn or_link(prev: &str, next: &str) -> bool {
    let is_or = |w: &str| {
        let w = w.to_ascii_lowercase();
        w == "or" || w == "and/or"
    };
    let starts = next
        .trim_start_matches(|c: char| c.is_whitespace() || ",;:.".contains(c))
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .is_some_and(is_or);
    let ends = prev
        .trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c))
        .rsplit(|c: char| c.is_whitespace() || c == ',')
        .next()
        .is_some_and(is_or);
    starts || ends
}

/// Concepts of the `Has` leaves of `e` (under any negation).
fn has_concepts(e: Option<&Expr>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = e {
        for l in e.leaves() {
            if let Expr::Has { concept, .. } = l {
                out.push(concept.clone());
            }
        }
    }
    out
}

/// The `Has` concept of `host` that comparison `e` measures: `e` is one
/// comparison whose field descends from exactly that concept in the
/// lexicon (`prednisone_equivalent_dose` is a `corticosteroid`).
fn qualifying_measure(host: &Expr, e: &Expr, atoms: &[Atom]) -> Option<String> {
    let Expr::Compare { atom } = e else {
        return None;
    };
    let field = &atoms.get(*atom)?.field;
    let hits: Vec<String> = has_concepts(Some(host))
        .into_iter()
        .filter(|c| c != field && is_a(field, c))
        .collect();
    match hits.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// `host` with its `Has { target }` leaves replaced by `Has ∧ e`.
fn qualify_has(host: Expr, target: &str, e: &Expr) -> Expr {
    match host {
        Expr::Has { ref concept, .. } if concept == target => Expr::And {
            all: vec![host, e.clone()],
        },
        Expr::And { all } => Expr::And {
            all: all.into_iter().map(|x| qualify_has(x, target, e)).collect(),
        },
        Expr::Or { any } => Expr::Or {
            any: any.into_iter().map(|x| qualify_has(x, target, e)).collect(),
        },
        Expr::Not { expr } => Expr::Not {
            expr: Box::new(qualify_has(*expr, target, e)),
        },
        other => other,
    }
}

/// `child` is `parent` or descends from it in the lexicon (`is_a`,
/// transitive): `tace_lipiodol` is a `tace`.
fn is_a(child: &str, parent: &str) -> bool {
    let mut todo = vec![child.to_string()];
    let mut seen: Vec<String> = Vec::new();
    while let Some(c) = todo.pop() {
        if c == parent {
            return true;
        }
        if seen.contains(&c) || seen.len() > 64 {
            continue;
        }
        if let Some(k) = tm_lexicon::get(&c) {
            todo.extend(k.is_a.iter().cloned());
        }
        seen.push(c);
    }
    false
}

/// A carve-out applies to the part of its host it is about: when the
/// carve-out names a subclass of exactly one `Has` leaf of the host ("…
/// radiotherapy or TACE (non-iodized oil TACE: judged by investigators)"),
/// only that leaf becomes `Unless { leaf, except }`; otherwise the whole
/// host is the base.
fn scope_carve(base: Expr, except: Expr, span: (usize, usize)) -> Expr {
    let own = has_concepts(Some(&except));
    let targets: Vec<String> = has_concepts(Some(&base))
        .into_iter()
        .filter(|p| own.iter().any(|c| c != p && is_a(c, p)))
        .collect();
    if targets.len() == 1 {
        let mut except = Some(except);
        let out = replace_has(base, &targets[0], &mut except, span);
        if except.is_none() {
            return out;
        }
        // Not replaced (cannot happen): fall back to the whole host.
        return Expr::Unless {
            base: Box::new(out),
            except: Box::new(except.unwrap_or(Expr::True)),
            span,
        };
    }
    Expr::Unless {
        base: Box::new(base),
        except: Box::new(except),
        span,
    }
}

fn replace_has(e: Expr, target: &str, except: &mut Option<Expr>, span: (usize, usize)) -> Expr {
    match e {
        Expr::Has { ref concept, .. } if concept == target && except.is_some() => {
            let ex = except.take().unwrap_or(Expr::True);
            Expr::Unless {
                base: Box::new(e),
                except: Box::new(ex),
                span,
            }
        }
        Expr::And { all } => Expr::And {
            all: all
                .into_iter()
                .map(|x| replace_has(x, target, except, span))
                .collect(),
        },
        Expr::Or { any } => Expr::Or {
            any: any
                .into_iter()
                .map(|x| replace_has(x, target, except, span))
                .collect(),
        },
        other => other,
    }
}

/// Connective and filler phrases: they carry no criterion content of their
/// own, so they never make an `Unparsed` leaf (see [`residual_fragments`]).
static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?ix)(?-u:\b)(?:
          diagnosed\s+as | with\s+the | combined\s+with | clinically | etc\.? | et\s+al\.?
        | caused\s+by | due\s+to | induced\s+by | grades?
        | (?:liver\s+)?cancer[\s-]related
        | (?:calculated\s+)?(?:according\s+to|by|using)\s+(?:the\s+)?cockcroft[\s-]+gault(?:\s+formula|\s+equation)?
        | assessed\s+by\s+(?:enhanced\s+|contrast[\s-]enhanced\s+)?(?:ultrasonic\s+cardiogram|echocardiograph?y|echocardiogram|MRI|CT|imaging)(?:\s+(?:or|and)\s+(?:MRI|CT))?(?:\s+images?)?
        | in\s+peripheral\s+blood(?:\s+mononuclear\s+cells?)? | (?-i:PBMC)
        | (?:proved|proven|confirmed|diagnosed)\s+(?:by|with)\s+(?:histopathology|histology|pathology|cytology|biopsy|imaging|CT|MRI)(?:\s+(?:or|and|and/or)\s+(?:(?:proved|proven|confirmed)\s+by\s+)?(?:histopathology|histology|pathology|cytology|imaging|CT|MRI))*(?:\s+imaging)?(?:\s+system)?
        | by\s+imaging\s+(?:and/or|and|or)\s+pathology
        | based\s+on\s+the\s+guidelines?\s+of\s+the\s+[^;()]*
        | (?:meeting|according\s+to|based\s+on)\s+(?:the\s+)?[\w/-]+(?:\s+[\w/-]+){0,2}\s+diagnostic\s+(?:criteria|guidelines?)
        | (?:preoperative\s+)?(?:pathological|histological|histopathological)\s+diagnosis
        | (?:(?:hepatic\s+)?artery\s+angiography\s+and\s+)?(?:technetium\s*)?\(?\s*99m\s*-?\s*Tc\s*\)?\s*-?\s*(?:macroaggregated\s+albumin|(?-i:MAA))(?:\s*\((?-i:MAA)\))?(?:\s+(?:hepatic\s+)?arter(?:y|ial))?(?:\s+perfusion)?\s+(?:imaging|scan|scintigraphy|(?-i:SPECT))(?:\s+(?:estimates|shows?|demonstrates?|indicates?|reveals?)(?:\s+that)?)?
        | complications\s+(?:associated\s+with|of)\s+liver\s+diseases?
        | (?:key\s+)?organ\s+function\s+(?:levels?|indicators?)\s+(?:must\s+)?meet\s+(?:the\s+)?(?:following\s+)?(?:requirements|criteria)(?:\s+and\s+are)?
        | (?:preoperative\s+)?assessment\s+indicates(?:\s+that)?
        | (?:(?-i:NCI)[\s-]*)?(?-i:CTCAE)\s*(?:version|v)\.?\s*\d(?:\.\d)?
        | affecting\s+lung\s+function | known\s+or\s+suspected | such\s+as
        | before\s+the\s+first\s+medication\s+in\s+the\s+study
        | negative\s+margins?\s+and\s+(?:the\s+)?remaining\s+liver\s+volume\s+sufficient\s+to\s+meet\s+(?:the\s+)?body(?:'s)?\s+needs
        | without\s+receiving\s+formal | (?:or\s+)?ongoing
        | histologically\s+(?:proven|confirmed|documented)
        | as\s+soon\s+as\s+the\s+diagnosis\s+is\s+made\s+in\s+case\s+of | without\s+waiting\s+for\s+tumou?r\s+progression
        | according\s+to\s+(?-i:RECIST)(?:\s*1\.1)?
        | intrauterine\s+devices? | progestin\s+(?:pills|injectables|implants?) | monthly\s+injectables
        | combined\s+(?:oral\s+contraceptives?|patch|vaginal\s+ring) | (?:female\s+)?sterili[sz]ation | vasectomy | implants
        | after\s+the\s+last\s+(?:cycle|(?:[\w-]+\s*®?\s+)?(?:dose|injection|administration|infusion))
        | (?:with\s+)?no\s+evidence\s+of\s+ha?ematologic(?:al)?\s+(?:alteration|toxicity)\s+after\s+\d+\s+(?:(?-i:LUTATHERA)\s*®?\s+)?cycles
        | realized\s+during\s+morphological\s+imaging\s+at\s+inclusion
        | chest-abdomen-pelvis\s+(?-i:CT)\s+scan\s+and\s+hepatic\s+(?-i:MRI)
        | according\s+to\s+standard\s+177-?Lu\s+scintigraphy\s+performed\s+in\s+the\s+clinical\s+routine(?:\s+\d+\s+hours\s+after\s+each\s+(?:(?-i:LUTATHERA)\s+)?(?:(?-i:IV)\s+)?treatment)?
        )(?-u:\b)?",
    )
    .expect("filler regex")
});

/// The leftover fragments of clause `[a, b)` that carry meaning.
///
/// Rule (issue 9): a partial criterion pairs its understood pieces with
/// `Unparsed` leaves for the *specific* leftover fragments only, never
/// with a copy of the whole text. A fragment is a maximal run of text not
/// covered by an understood piece, bounded by understood text or by `,`
/// `;` `:` `(` `)`, from its first content word to its last word that is
/// not a connective; it is kept only when it has a content word (three or more letters, not a
/// stop word). Connective and filler words ("Diagnosed as", "with the",
/// "clinically", "assessed by …", "(calculated according to
/// Cockcroft-Gault formula)", "etc.", the diagnostic basis of a recorded
/// diagnosis such as "by imaging and/or pathology") are not
/// meaning-bearing ([`STOP`], [`FILLER`]). Qualifiers that change the
/// meaning ("excluding the thrombus limited to liver segments or lobes",
/// "relapsed after previous therapy") are content words and stay.
fn residual_fragments(s: &str, covered: &[bool], a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    // Current run: (first content start, last content end).
    let mut run: Option<(usize, usize)> = None;
    let mut last_end = a;
    let seg = &s[a..b];
    for (off, w) in word_iter(seg) {
        let wa = a + off;
        let wb = wa + w.len();
        let gap = &s[last_end..wa];
        let broken = gap.contains([',', ';', ':', '(', ')', '[', ']'])
            || covered
                .get(last_end..wa)
                .is_some_and(|c| c.iter().any(|x| *x));
        let is_cov = covered.get(wa..wb).is_some_and(|c| c.iter().any(|x| *x));
        if broken || is_cov {
            if let Some(r) = run.take() {
                out.push(r);
            }
        }
        last_end = wb;
        if is_cov {
            continue;
        }
        let content = !(w.len() < 3 || w.bytes().all(|c| c.is_ascii_digit()) || is_stop(w));
        // A run starts at a content word and takes the words after it
        // ("relapsed after previous therapy"), except trailing connectives.
        let connective = matches!(
            w.to_ascii_lowercase().as_str(),
            "and" | "or" | "with" | "the" | "of" | "to" | "in" | "by" | "for" | "a" | "an"
        );
        run = match run {
            Some((ra, _)) if !connective => Some((ra, wb)),
            Some(r) => Some(r),
            None if content => Some((wa, wb)),
            None => None,
        };
    }
    if let Some(r) = run {
        out.push(r);
    }
    out
}

/// Joins understood pieces and `Unparsed` leaves so that the criterion can
/// never *pass* without the unparsed part: `and` in an inclusion, `or` in
/// an exclusion, the other way round inside a carve-out (whose truth
/// lets the criterion pass).
fn residual_join(kind: Kind, role: ClauseRole, parts: Vec<Expr>) -> Expr {
    let and = (kind == Kind::Inclusion) != (role == ClauseRole::Carve);
    if and {
        Expr::And { all: parts }
    } else {
        Expr::Or { any: parts }
    }
}

fn clause_has_cmp(e: &Option<Expr>) -> bool {
    e.as_ref()
        .is_some_and(|e| e.leaves().iter().any(|l| matches!(l, Expr::Compare { .. })))
}

/// Whether the host's expression has atoms whose spans start in the phrase.
fn phrase_has_atoms(_e: &Option<Expr>, _ctx: &Ctx, _from: usize) -> bool {
    false
}

fn trim_view(s: &str, mut a: usize, mut b: usize) -> (usize, usize) {
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

fn word_iter(s: &str) -> impl Iterator<Item = (usize, &str)> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| re_big(r"[\p{L}\p{N}][\p{L}\p{N}'´\-]*").expect("word"));
    WORD.find_iter(s).map(|m| (m.start(), m.as_str()))
}

fn join(kind: Kind, parts: Vec<Expr>, force_and: bool) -> Expr {
    if force_and {
        return Expr::And { all: parts };
    }
    match kind {
        Kind::Inclusion => Expr::And { all: parts },
        Kind::Exclusion => Expr::Or { any: parts },
    }
}

fn flatten(e: Expr) -> Expr {
    match e {
        Expr::And { all } => {
            let mut out = Vec::new();
            for x in all.into_iter().map(flatten) {
                match x {
                    Expr::And { all } => out.extend(all),
                    Expr::True => {}
                    o => out.push(o),
                }
            }
            match out.len() {
                0 => Expr::True,
                1 => out.pop().unwrap_or(Expr::True),
                _ => Expr::And { all: out },
            }
        }
        Expr::Or { any } => {
            let mut out = Vec::new();
            for x in any.into_iter().map(flatten) {
                match x {
                    Expr::Or { any } => out.extend(any),
                    Expr::True => {}
                    o => out.push(o),
                }
            }
            match out.len() {
                0 => Expr::True,
                1 => out.pop().unwrap_or(Expr::True),
                _ => Expr::Or { any: out },
            }
        }
        Expr::Not { expr } => Expr::Not {
            expr: Box::new(flatten(*expr)),
        },
        Expr::Unless { base, except, span } => Expr::Unless {
            base: Box::new(flatten(*base)),
            except: Box::new(flatten(*except)),
            span,
        },
        o => o,
    }
}

fn status_of(expr: &Expr, reasons: &[ReviewReason]) -> Status {
    let leaves = expr.leaves();
    let computable = leaves
        .iter()
        .filter(|l| matches!(l, Expr::Compare { .. } | Expr::Has { .. }))
        .count();
    let review = leaves
        .iter()
        .filter(|l| matches!(l, Expr::Review { .. }))
        .count();
    let unparsed = leaves
        .iter()
        .filter(|l| matches!(l, Expr::Unparsed { .. }))
        .count();
    let flagged = reasons.iter().any(|r| {
        matches!(
            r.kind,
            ReviewKind::UnitMissing | ReviewKind::AmbiguousNumber | ReviewKind::Conflict
        )
    });
    if computable > 0 && review == 0 && unparsed == 0 && !flagged {
        Status::Computable
    } else if computable > 0 {
        Status::Partial
    } else if review > 0 {
        Status::Review
    } else {
        Status::Unparsed
    }
}

/// Compiles one clause: (expression, has computable atoms, review cue).
fn compile_clause<'v>(
    ctx: &mut Ctx<'v>,
    mentions: &[Mention],
    cl: &Clause,
) -> (Option<Expr>, bool, Option<(ReviewKind, usize, usize)>) {
    let view: &'v View = ctx.view;
    let s: &'v str = &view.s;
    let seg = &s[cl.start..cl.end];
    if let Some(e) = pregnancy_test_of_women(ctx, cl) {
        return (Some(e), true, None);
    }
    let other_grading = OTHER_GRADING.is_match(seg);
    let mut ms: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.start >= cl.start && m.end <= cl.end)
        // A bare "grade" is a CTCAE grade only when no other grading
        // system is named in the clause ("ASA grade 1-4", "hypertension
        // grade 1 or 2 according to ESH/ESC").
        .filter(|m| {
            !(other_grading
                && DEFS[m.def].ids == ["ctcae_grade"]
                && !s[m.start..m.end].to_ascii_lowercase().contains("ctcae"))
        })
        .collect();

    // Review cue: the whole clause is for review, but atoms in it still count.
    let mut review: Option<(ReviewKind, usize, usize)> = None;
    let cue_hits = if REVIEW_GATE.is_match(seg) {
        REVIEW_CUE_SET.matches(seg)
    } else {
        REVIEW_CUE_SET.matches("")
    };
    // The first cue (table order) that is not part of an understood
    // concept phrase: "deemed resectable", "capable of tolerating surgery",
    // "well defined tumor (mRECIST)" are concepts answered by documented
    // facts, not judgements left to a reader. The catch-all (index 0)
    // instead swallows the concept words inside it.
    for i in cue_hits.iter() {
        let Some((kind, re)) = REVIEW_CUES.get(i) else {
            continue;
        };
        let Some(m) = re.find(seg) else { continue };
        let (a, b) = (cl.start + m.start(), cl.start + m.end());
        if i == 0 {
            ms.retain(|x| x.end <= a || x.start >= b);
        } else if ms.iter().any(|x| x.start <= a && b <= x.end) {
            continue;
        }
        // "uncontrolled diabetes (glucose ≥ 10)" is defined by its
        // parenthesis; handled by the caller through coverage.
        review = Some((*kind, a, b));
        break;
    }
    // A consent / agreement item covers its own words only ("diagnosed
    // with SLE, …, and provide informed consent" is the condition *and*
    // the consent): when the clause has other parts, the item is split off
    // and the rest is compiled (or left unparsed) — or, when the rest asks
    // for a judgement ("deemed medically fit to participate"), that rest is
    // its own review item of that kind.
    let mut split_review: Option<(ReviewKind, usize, usize)> = None;
    let mut rest_review: Option<(ReviewKind, usize, usize)> = None;
    if let Some((kind, a, b)) = review {
        if matches!(kind, ReviewKind::Consent | ReviewKind::Agreement) {
            let (pa, pb) = consent_part(s, cl.start, cl.end, a, b);
            let (ra, rb) = if pa > cl.start {
                (cl.start, pa)
            } else {
                (pb, cl.end)
            };
            let rest_has_words = pa > cl.start || pb < cl.end;
            if rest_has_words
                && s[ra..rb]
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w.len() >= 3 && !is_stop(w))
            {
                split_review = Some((kind, pa, pb));
                review = None;
                // A judgement cue in the rest.
                let rest = &s[ra..rb];
                let hits = REVIEW_CUE_SET.matches(rest);
                if let Some((k2, re2)) = hits
                    .iter()
                    .filter_map(|i| REVIEW_CUES.get(i))
                    .find(|(k2, _)| !matches!(k2, ReviewKind::Consent | ReviewKind::Agreement))
                {
                    if re2.is_match(rest) && (pa == cl.start || pb == cl.end) {
                        rest_review = Some((*k2, ra, rb));
                        review = Some((*k2, ra, rb));
                    }
                }
            }
        }
    }

    let mut placed: Vec<Placed> = Vec::new();
    let mut used_mentions: Vec<bool> = vec![false; ms.len()];

    // Thresholds with an operator.
    let mut last_cmp_def: Option<Vec<usize>> = None;
    let mut thresholds: Vec<(usize, usize, Op, String, usize)> = Vec::new(); // (start, num_end, op, num, num_start)
                                                                             // Every threshold, range and post-operator form needs a digit.
    let has_digit = seg.bytes().any(|b| b.is_ascii_digit());
    for cap in THRESH.captures_iter(if has_digit { seg } else { "" }) {
        let (Some(all), Some(opm), Some(num)) = (cap.get(0), cap.name("op"), cap.name("num"))
        else {
            continue;
        };
        let Some(op) = parse_op(opm.as_str()) else {
            continue;
        };
        // "5. 0×ULN": a stray space is only part of the number before × / ULN.
        let mut num_s = num.as_str().to_string();
        let mut num_end = cl.start + num.end();
        if num_s.contains(". ") || num_s.contains(", ") {
            let after = s.get(num_end..).unwrap_or("");
            if !ULN.is_match(after) {
                let cut = num_s.find([' ']).unwrap_or(num_s.len());
                let head = num_s[..cut].trim_end_matches(['.', ',']).to_string();
                num_end = cl.start + num.start() + head.len();
                num_s = head;
            }
        }
        // "> 25th percentile": an ordinal, not a value.
        if s.get(num_end..).is_some_and(|r| ORDINAL_SUFFIX.is_match(r)) {
            continue;
        }
        // "ECOG of 0-2", "= 0~2", "of 0 or 1": a range or list follows,
        // not a single value.
        if matches!(op, Op::Eq) {
            static RANGE_AFTER: LazyLock<Regex> =
                LazyLock::new(|| re_big(r"^\s*(?:-|~|to|or|,)\s*\d").expect("range after"));
            if RANGE_AFTER.is_match(s.get(num_end..cl.end).unwrap_or("")) {
                continue;
            }
        }
        // "of" as an operator only for scores right after their mention.
        if opm.as_str().eq_ignore_ascii_case("of") {
            let before = s[cl.start..cl.start + all.start()].trim_end();
            let ok = ms.iter().any(|m| {
                DEFS[m.def].cat == Cat::Score
                    && m.end <= cl.start + all.start()
                    && s[m.end..cl.start + all.start()].trim().is_empty()
            }) || before.to_lowercase().ends_with("score");
            if !ok {
                continue;
            }
        }
        thresholds.push((
            cl.start + all.start(),
            num_end,
            op,
            num_s,
            cl.start + num.start(),
        ));
    }
    // "18 years or older".
    for cap in POST_OP.captures_iter(if has_digit { seg } else { "" }) {
        let (Some(all), Some(num), Some(dir)) = (cap.get(0), cap.name("num"), cap.name("dir"))
        else {
            continue;
        };
        let a = cl.start + all.start();
        if thresholds.iter().any(|t| t.4 <= a + num.end() && t.1 >= a) {
            continue;
        }
        let op = match dir.as_str().to_lowercase().as_str() {
            "less" | "lower" | "below" | "younger" | "under" => Op::Le,
            _ => Op::Ge,
        };
        thresholds.push((a, cl.start + num.end(), op, num.as_str().to_string(), a));
        // Cover the direction words.
        ctx.cover(a, cl.start + all.end());
    }
    thresholds.sort_by_key(|t| t.0);

    let mut prev_end = cl.start;
    for (t_start, num_end, op, num_s, _num_start) in thresholds {
        if t_start < prev_end {
            continue;
        }
        // Concept: the nearest mention before the threshold, after the
        // previous threshold; extended to a list of mentions joined by
        // , / and / or.
        let cands: Vec<usize> = (0..ms.len())
            .filter(|&k| {
                ms[k].end <= t_start
                    && ms[k].start >= prev_end
                    && matches!(DEFS[ms[k].def].cat, Cat::Measure | Cat::Score)
            })
            .collect();
        let mut defs: Vec<(usize, usize)> = Vec::new(); // (mention idx, def)
        if let Some(&last) = cands.last() {
            let gap = &s[ms[last].end..t_start];
            if gap.chars().count() <= 60 && !gap.contains(';') {
                defs.push((last, ms[last].def));
                // Walk back over a list.
                // A bare comma joins only inside "A, B and C" (a later
                // join was a conjunction), not an apposition "X, FEV1/FVC".
                let mut k = cands.len() - 1;
                let mut saw_conj = false;
                while k > 0 {
                    let (p, q) = (cands[k - 1], cands[k]);
                    let between = s[ms[p].end..ms[q].start].trim().to_lowercase();
                    let conj = matches!(
                        between.as_str(),
                        "and" | "or" | "/" | ", and" | ", or" | "and/or" | "&"
                    );
                    if conj || (between == "," && saw_conj) {
                        saw_conj |= conj;
                        defs.insert(0, (p, ms[p].def));
                        k -= 1;
                    } else {
                        break;
                    }
                }
            }
        }
        let concept_defs: Vec<usize> = if defs.is_empty() {
            match &last_cmp_def {
                Some(d)
                    if s[prev_end..t_start]
                        .trim()
                        .trim_start_matches(',')
                        .trim()
                        .to_lowercase()
                        .starts_with("or")
                        || s[prev_end..t_start].trim().is_empty()
                        || s[prev_end..t_start].trim() == "," =>
                {
                    d.clone()
                }
                _ => Vec::new(),
            }
        } else {
            defs.iter().map(|d| d.1).collect()
        };
        for (mi, _) in &defs {
            used_mentions[*mi] = true;
        }
        let Some(&first_def) = concept_defs.first() else {
            prev_end = num_end;
            continue;
        };
        // Special forms: "PT exceeding the upper limit of normal ≤ 6 seconds".
        let before = s[cl.start..t_start].to_lowercase();
        let uln_plus = ULN_PLUS.is_match(before.trim_end());
        let Some(vr) = read_value(ctx.view, Some(first_def), &num_s, num_end) else {
            prev_end = num_end;
            continue;
        };
        let mut value = vr.value;
        // A score outside its scale is not that score.
        if let Value::Number(n) = value {
            if DEFS[first_def].cat == Cat::Score && !plausible(first_def, n) {
                prev_end = num_end;
                continue;
            }
        }
        if uln_plus {
            if let Value::Number(n) = value {
                value = Value::UlnPlus { uln_plus: n };
            }
        }
        // Child-Pugh "class A" etc. handled elsewhere; FEV1 as % → % predicted.
        let atom_start = defs.first().map_or(t_start, |d| ms[d.0].start).min(t_start);
        let span_view = (t_start, vr.end);
        let group = if concept_defs.len() > 1 {
            Some(placed.len())
        } else {
            None
        };
        let mut ids: Vec<&'static str> = Vec::new();
        for d in &concept_defs {
            for id in DEFS[*d].ids {
                ids.push(id);
            }
        }
        for id in ids {
            let mut field = id.to_string();
            let mut unit = vr.unit.clone();
            if field == "fev1" && unit.as_deref() == Some("%") {
                field = "fev1_pct_predicted".to_string();
            }
            // Convert per concept when the list spans concepts of different units.
            if let (Value::Number(v), Some(u)) = (value, unit.clone()) {
                if let Some(d) = DEFS
                    .iter()
                    .position(|d| d.ids.contains(&id) && d.ids.len() == 1)
                {
                    if let Some((cv, cu)) = to_canonical(d, v, &u) {
                        value = Value::Number(cv);
                        unit = Some(cu);
                    }
                }
            }
            if matches!(value, Value::UlnPlus { .. }) && unit.is_none() {
                unit = DEFS[first_def].unit.map(str::to_string);
            }
            let span = ctx.span(span_view.0, span_view.1);
            let idx = ctx.atoms.len();
            ctx.atoms.push(Atom {
                field,
                op,
                value,
                unit,
                span,
                window: None,
            });
            placed.push(Placed {
                piece: Piece::Cmp(idx),
                start: atom_start,
                end: vr.end,
                group,
            });
            if vr.ambiguous {
                ctx.reasons.push(ReviewReason {
                    kind: ReviewKind::AmbiguousNumber,
                    text: ctx.text(t_start, vr.end),
                    span,
                });
            }
            if vr.unit_missing {
                ctx.reasons.push(ReviewReason {
                    kind: ReviewKind::UnitMissing,
                    text: ctx.text(t_start, vr.end),
                    span,
                });
            }
        }
        ctx.cover(atom_start, vr.end);
        last_cmp_def = Some(concept_defs);
        prev_end = vr.end;
    }

    // Ranges and bare values right after a measure/score mention.
    for (k, m) in ms.iter().enumerate() {
        if used_mentions[k] || !matches!(DEFS[m.def].cat, Cat::Measure | Cat::Score) {
            continue;
        }
        let rest_end = ms.get(k + 1).map_or(cl.end, |n| n.start);
        let rest = &s[m.end..rest_end];
        let lead = rest.len() - rest.trim_start_matches([' ', ':', ',']).len();
        let rest_t = &rest[lead..];
        // A range: "Aged 18 to 80", "Age 18-80 years", "ECOG 0-2".
        if let Some(c) = RANGE.captures(rest_t) {
            if c.get(0).is_some_and(|x| x.start() <= 9)
                && !rest_t[..c.get(0).map_or(0, |x| x.start())]
                    .chars()
                    .any(|ch| ch.is_ascii_digit())
            {
                let (Some(all), Some(lo), Some(hi)) = (c.get(0), c.name("lo"), c.name("hi")) else {
                    continue;
                };
                let a = m.end + lead + all.start();
                let b = m.end + lead + all.end();
                let unit_read = read_value(ctx.view, Some(m.def), hi.as_str(), b);
                let (lo_v, hi_v) = (parse_number(lo.as_str()), parse_number(hi.as_str()));
                let (Some(&lo_v), Some(&hi_v)) = (lo_v.first(), hi_v.first()) else {
                    continue;
                };
                if lo_v > hi_v {
                    continue;
                }
                // An unconvertible unit ("BMI 18-25 kg"): no atoms.
                let Some(unit_read) = unit_read else {
                    continue;
                };
                let end = unit_read.end;
                // Both bounds in the unit as written, converted to the
                // concept's canonical unit ("6.1 to 7.0 mmol/L" → mg/dL,
                // "1-12 months" → years).
                let (lo_v, hi_v, unit) = match unit_read.raw_unit.as_deref() {
                    Some(ru) => {
                        match (to_canonical(m.def, lo_v, ru), to_canonical(m.def, hi_v, ru)) {
                            (Some((l, u)), Some((h, _))) => (l, h, Some(u)),
                            _ => (lo_v, hi_v, Some(ru.to_string())),
                        }
                    }
                    None => (lo_v, hi_v, None),
                };
                // Scores and stages outside their scale are not this
                // concept ("grade 8", "Child-Pugh class 2 or 3").
                if DEFS[m.def].cat == Cat::Score
                    && !(plausible(m.def, lo_v) && plausible(m.def, hi_v))
                {
                    continue;
                }
                if unit_read.unit_missing {
                    ctx.reasons.push(ReviewReason {
                        kind: ReviewKind::UnitMissing,
                        text: ctx.text(a, end),
                        span: ctx.span(a, end),
                    });
                }
                let span = ctx.span(a, end);
                let first = placed.len();
                for (op, v) in [(Op::Ge, lo_v), (Op::Le, hi_v)] {
                    for id in DEFS[m.def].ids {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op,
                            value: Value::Number(v),
                            unit: unit.clone(),
                            span,
                            window: None,
                        });
                        placed.push(Placed {
                            piece: Piece::Cmp(idx),
                            start: m.start,
                            end,
                            group: Some(first),
                        });
                    }
                }
                // Ranges are conjunctions regardless of kind.
                used_mentions[k] = true;
                ctx.cover(m.start, end);
                continue;
            }
        }
        // Scores with a bare value: "ECOG performance status score of 0".
        if DEFS[m.def].cat == Cat::Score {
            if let Some(sc) = score_value(s, m, rest_end) {
                let (mut ops_vals, end) = sc;
                // Out of the scale: not this score ("grade 8").
                if ops_vals.iter().any(|(_, v)| !plausible(m.def, *v)) {
                    continue;
                }
                // "> Grade 2", "≥grade 1": the operator stands before the
                // score's name.
                let mut start = m.start;
                if let [(Op::Eq, v)] = ops_vals[..] {
                    if let Some((op, at)) =
                        op_before(s, cl.start.max(prev_cmp_end(&placed)), m.start)
                    {
                        ops_vals = vec![(op, v)];
                        start = at;
                    }
                }
                let span = ctx.span(start, end);
                let first = placed.len();
                for (op, v) in ops_vals {
                    let idx = ctx.atoms.len();
                    ctx.atoms.push(Atom {
                        field: DEFS[m.def].ids[0].to_string(),
                        op,
                        value: Value::Number(v),
                        unit: None,
                        span,
                        window: None,
                    });
                    placed.push(Placed {
                        piece: Piece::Cmp(idx),
                        start,
                        end,
                        group: Some(first),
                    });
                }
                used_mentions[k] = true;
                ctx.cover(start, end);
            }
        }
    }

    // Presence of conditions / therapies / trial participation.
    let window = window_in(ctx, cl.start, cl.end);
    if let Some(w) = &window {
        // Cover the window text.
        if let Some(m) = WINDOW.find(seg) {
            ctx.cover(cl.start + m.start(), cl.start + m.end());
        }
        let _ = w;
    }
    for (k, m) in ms.iter().enumerate() {
        let cat = DEFS[m.def].cat;
        if used_mentions[k] || !matches!(cat, Cat::Condition | Cat::Therapy | Cat::Trial) {
            continue;
        }
        // "anti-tumor treatments for HCC": a condition right after a therapy
        // and "for" names the therapy's indication, not a second condition
        // (seed 004 I2). The therapy concepts are already cancer therapies;
        // the indication is covered as part of the therapy phrase.
        if cat == Cat::Condition && k > 0 && DEFS[ms[k - 1].def].cat == Cat::Therapy {
            let gap = s[ms[k - 1].end..m.start].trim().to_ascii_lowercase();
            if matches!(gap.as_str(), "for" | "for the" | "of" | "against") {
                ctx.cover(ms[k - 1].end, m.end);
                continue;
            }
        }
        // "… anti-tumor treatments for HCC": the disease a therapy was
        // for, not a condition of its own.
        if cat == Cat::Condition
            && s[cl.start..m.start]
                .trim_end()
                .to_ascii_lowercase()
                .ends_with(" for")
            && ms[..k].iter().any(|p| DEFS[p.def].cat == Cat::Therapy)
        {
            ctx.cover(m.start, m.end);
            continue;
        }
        // "not suitable for surgical resection", "tolerating surgery": a
        // treatment being judged or planned, not one received.
        if cat == Cat::Therapy {
            static PLANNED: LazyLock<Regex> = LazyLock::new(|| {
                re_big(r"(?i)(?:suitable\s+for|amenable\s+to|candidates?\s+for|eligible\s+for|tolerat(?:e|ing)|refuses?|undergo(?:ing)?|scheduled\s+for|planned)\s+(?:the\s+)?$")
                    .expect("planned")
            });
            if PLANNED.is_match(&s[cl.start..m.start]) {
                continue;
            }
        }
        // "pregnancy test … negative" is about a test, handled by NEGATIVE below.
        let what = match cat {
            Cat::Therapy => HasKind::Therapy,
            Cat::Trial => HasKind::Trial,
            _ => HasKind::Condition,
        };
        placed.push(Placed {
            piece: Piece::Has(m.def, m.start, m.end),
            start: m.start,
            end: m.end,
            group: None,
        });
        ctx.cover(m.start, m.end);
        let _ = what;
    }
    // Cover mentions that were used as concepts.
    for (k, m) in ms.iter().enumerate() {
        if used_mentions[k] {
            ctx.cover(m.start, m.end);
        }
    }
    // Attach windows to comparisons? Windows apply to presence leaves.
    placed.sort_by_key(|p| (p.start, p.end));

    let negated = NEG_START.is_match(seg) || negative_result(seg).is_some();
    let default_or = ctx.kind == Kind::Exclusion || negated;
    // Link pieces by the words between them.
    let mut groups: Vec<Vec<Expr>> = vec![Vec::new()];
    let mut prev: Option<&Placed> = None;
    for p in &placed {
        let e = match &p.piece {
            Piece::Cmp(i) => Expr::Compare { atom: *i },
            Piece::Has(def, a, b) => {
                let d = &DEFS[*def];
                let win = if matches!(d.cat, Cat::Therapy | Cat::Trial)
                    || window
                        .as_ref()
                        .is_some_and(|_| d.ids[0] == "other_malignancy")
                {
                    window.clone()
                } else {
                    None
                };
                // One phrase naming several concepts ("stem cell or organ
                // transplantation") is any of them.
                let mut hs: Vec<Expr> = d
                    .ids
                    .iter()
                    .map(|id| Expr::Has {
                        concept: id.to_string(),
                        what: match d.cat {
                            Cat::Therapy => HasKind::Therapy,
                            Cat::Trial => HasKind::Trial,
                            _ => HasKind::Condition,
                        },
                        window: win.clone(),
                        span: ctx.span(*a, *b),
                    })
                    .collect();
                let h = if hs.len() == 1 {
                    hs.pop().unwrap_or(Expr::True)
                } else {
                    Expr::Or { any: hs }
                };
                if negated_mention(&s[*a..*b]) {
                    Expr::Not { expr: Box::new(h) }
                } else {
                    h
                }
            }
        };
        if let Some(q) = prev {
            let same_group = q.group.is_some() && q.group == p.group;
            let between = if q.end <= p.start {
                s[q.end..p.start].to_lowercase()
            } else {
                String::new()
            };
            let is_or = OR_WORD.is_match(&between);
            let both_has = matches!(q.piece, Piece::Has(..)) && matches!(p.piece, Piece::Has(..));
            let is_and = AND_WITH.is_match(&between)
                || (AND_WORD.is_match(&between) && !(default_or && both_has));
            let is_or = is_or
                || (default_or
                    && both_has
                    && AND_WORD.is_match(&between)
                    && !AND_WITH.is_match(&between));
            let new_or_group = if same_group {
                // A shared threshold or a range: all for inclusion ranges;
                // lists in exclusions read as any.
                default_or && !is_range_group(&ctx.atoms, &placed, p)
            } else if is_or {
                true
            } else if is_and {
                false
            } else {
                default_or
            };
            if new_or_group {
                groups.push(Vec::new());
            }
        }
        if let Some(g) = groups.last_mut() {
            g.push(e);
        }
        prev = Some(p);
    }
    let mut any: Vec<Expr> = groups
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|mut g| {
            if g.len() == 1 {
                g.pop().unwrap_or(Expr::True)
            } else {
                Expr::And { all: g }
            }
        })
        .collect();
    let has_atoms = !any.is_empty();
    let mut expr = match any.len() {
        0 => None,
        1 => any.pop(),
        _ => Some(Expr::Or { any }),
    };

    // Negation: "No …", "without …", "… must be negative".
    let seg_lower = seg.to_lowercase();
    if let Some(e) = expr.take() {
        let neg_start = NEG_START.find(seg);
        let negative = negative_result(seg);
        expr = Some(if neg_start.is_some() || negative.is_some() {
            if let Some(m) = neg_start {
                ctx.cover(cl.start + m.start(), cl.start + m.end());
            }
            if let Some(m) = negative {
                ctx.cover(cl.start + m.start(), cl.start + m.end());
            }
            Expr::Not { expr: Box::new(e) }
        } else {
            e
        });
    }
    let _ = seg_lower;

    // Carve-out and "However … is excluded" words are structure.
    if let Some(m) = CARVE.find(seg) {
        ctx.cover(cl.start + m.start(), cl.start + m.end());
    }
    static STRUCT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)(?:is|are)\s+(?:excluded|allowed|permitted)(?-u:\b)|(?-u:\b)within\s+the\s+normal\s+range(?-u:\b)|(?-u:\b)within\s+normal\s+limits(?-u:\b)|(?-u:\b)no\s+superior\s+limit(?-u:\b)|(?-u:\b)of\s+(?:the\s+)?total\s+liver\s+volume(?-u:\b)|(?-u:\b)of\s+predicted(?:\s+value)?(?-u:\b)|(?-u:\b)calculated\s+(?:according\s+to|by|using)\s+(?:the\s+)?cockcroft[\s-]+gault(?:\s+formula|\s+equation)?(?-u:\b)|(?-u:\b)assessed\s+by\s+\w+(?:\s+\w+)?(?-u:\b)")
            .expect("struct words")
    });
    static STRUCT_GATE: LazyLock<Regex> = LazyLock::new(|| {
        gate(&[
            "excluded",
            "allowed",
            "permitted",
            "normal",
            "superior",
            "total",
            "predicted",
            "cockcroft",
            "assessed",
        ])
    });
    let struct_gate = STRUCT_GATE.is_match(seg);
    for m in STRUCT_WORDS.find_iter(if struct_gate { seg } else { "" }) {
        ctx.cover(cl.start + m.start(), cl.start + m.end());
    }
    // "(equivalent to) > 10 mg prednisone/day", "> 10 mg/day of
    // prednisone or equivalent": a corticosteroid dose in prednisone
    // equivalents (clinical-rules §8, typical ICI exclusion).
    static STEROID_DOSE: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?:(?:prednisone[\s-])?equivalent(?:\s+dose)?\s+(?:to|of)\s+)?(?P<op>[<>≤≥]=?|more\s+than|greater\s+than|at\s+least|over|above)\s*(?P<n>\d+(?:\.\d+)?)\s*mg\s*(?:(?:/|per)\s*d(?:ay)?\s+(?:of\s+)?prednis(?:one|olone)|(?:of\s+)?prednis(?:one|olone)\s*(?:/|per)\s*d(?:ay)?)(?:\s+or\s+(?:its\s+)?equivalents?)?")
            .expect("steroid dose")
    });
    if seg.contains("mg") {
        if let Some(c) = STEROID_DOSE.captures(seg) {
            let op = c.name("op").and_then(|o| {
                let o = o.as_str().to_ascii_lowercase();
                match o.as_str() {
                    "more than" | "greater than" | "over" | "above" => Some(Op::Gt),
                    "at least" => Some(Op::Ge),
                    _ => parse_op(&o),
                }
            });
            let n = c.name("n").and_then(|n| n.as_str().parse::<f64>().ok());
            if let (Some(op), Some(n), Some(all)) = (op, n, c.get(0)) {
                let e = ctx.compare(
                    "prednisone_equivalent_dose",
                    op,
                    Value::Number(n),
                    Some("mg/d"),
                    (cl.start + all.start(), cl.start + all.end()),
                );
                expr = Some(and_with(expr, e));
            }
        }
    }
    // "has received 4 standard of care LUTATHERA® cycles": cycles of PRRT
    // received, at least the number written.
    static PRRT_CYCLES: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?:has\s+)?(?:received|completed)\s+(?:at\s+least\s+)?(?P<n>\d+)\s+(?:standard\s+of\s+care\s+)?(?:(?-i:LUTATHERA)\s*®?|177\s*-?\s*Lu[\s-]*(?:DOTATATE|oxodotreotide)|(?-i:PRRT))\s+(?:cycles|courses)")
            .expect("prrt cycles")
    });
    if let Some(c) = PRRT_CYCLES.captures(seg) {
        if let (Some(n), Some(all)) = (
            c.name("n").and_then(|n| n.as_str().parse::<f64>().ok()),
            c.get(0),
        ) {
            let e = ctx.compare(
                "prrt_cycles",
                Op::Ge,
                Value::Number(n),
                None,
                (cl.start + all.start(), cl.start + all.end()),
            );
            expr = Some(and_with(expr, e));
        }
    }
    // "PT within the normal range" (no threshold) → PT ≤ 1 × ULN.
    static WNR: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)within\s+(?:the\s+)?normal\s+(?:range|limits?)(?-u:\b)").expect("wnr")
    });
    if let Some(wm) = WNR.find(seg) {
        if let Some((k, m)) = ms.iter().enumerate().rev().find(|(k, m)| {
            !used_mentions[*k] && DEFS[m.def].cat == Cat::Measure && m.end <= cl.start + wm.start()
        }) {
            let _ = k;
            let e = ctx.compare(
                DEFS[m.def].ids[0],
                Op::Le,
                Value::XUln { x_uln: 1.0 },
                None,
                (m.start, cl.start + wm.end()),
            );
            expr = Some(and_with(expr, e));
        }
    }
    // Child-Pugh and BCLC words that are stages, not numbers.
    for (e, a, b) in stage_exprs(ctx, s, &ms, cl) {
        ctx.cover(a, b);
        expr = Some(match expr {
            Some(x) => join(ctx.kind, vec![x, e], false),
            None => e,
        });
    }
    let has_atoms = has_atoms || expr.is_some();

    // Attach windows to comparisons in this clause too (transfusion-free
    // windows are on Has leaves; labs rarely carry one).
    let mut out = expr;
    let mut review_leaves: Vec<(ReviewKind, usize, usize)> = Vec::new();
    if let Some((kind, pa, pb)) = split_review {
        review_leaves.push((kind, pa, pb));
        if let Some(r) = rest_review {
            review_leaves.push(r);
        }
    } else if let Some((kind, _, _)) = review {
        review_leaves.push((kind, cl.start, cl.end));
    }
    for (kind, ra, rb) in review_leaves {
        ctx.cover(ra, rb);
        let (ta, tb) = trim_view(s, ra, rb);
        let (ta, tb) = trim_connective(s, ta, tb);
        let span = ctx.span(ta, tb);
        let text = ctx.text(ta, tb);
        ctx.reasons.push(ReviewReason {
            kind,
            text: text.clone(),
            span,
        });
        let r = Expr::Review {
            reason: kind,
            text,
            span,
        };
        out = Some(match out {
            Some(x) => Expr::And { all: vec![x, r] },
            None => r,
        });
    }
    (out, has_atoms, review)
}

/// "The pregnancy test results of female participants of childbearing age
/// … within 24 hours before administration must be negative" (seed 000
/// I9): a check that applies only to women of childbearing potential and
/// is made at the time of treatment (clinical-rules §8: a male patient is
/// neither pregnant nor lactating). Compiled as
/// `not(female ∧ childbearing_potential) ∨ not(pregnant within <window>)`,
/// the window as written or, when none is written, 1 day before the first
/// dose (a treatment-time check).
fn pregnancy_test_of_women(ctx: &mut Ctx, cl: &Clause) -> Option<Expr> {
    static PREG_TEST: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)pregnancy\s+tests?|(?-u:\b)(?:serum\s+|urine\s+)?(?:beta[\s-]?)?hcg(?-u:\b)")
            .expect("pregnancy test")
    });
    static WOMEN: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)(?:females?|wom[ae]n|wocbp)(?-u:\b)|child[\s-]?bearing")
            .expect("women")
    });
    static NEGATIVE: LazyLock<Regex> =
        LazyLock::new(|| re_big(r"(?i)(?-u:\b)negative(?-u:\b)").expect("negative"));
    static WITHIN: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)within\s+(?P<n>\d+)\s*(?P<u>hours?|hrs?|h|days?|d)(?-u:\b)\s+(?:before|prior\s+to|of)\s+(?:the\s+)?(?P<a>first\s+dose|\w+)")
            .expect("within")
    });
    let s: &str = &ctx.view.s;
    let seg = &s[cl.start..cl.end];
    if !(PREG_TEST.is_match(seg) && WOMEN.is_match(seg) && NEGATIVE.is_match(seg)) {
        return None;
    }
    if NEG_START.is_match(seg) {
        return None;
    }
    let (ta, tb) = trim_view(s, cl.start, cl.end);
    let span = ctx.span(ta, tb);
    let window = match WITHIN.captures(seg) {
        Some(c) => {
            let n: f64 = c.name("n")?.as_str().parse().ok()?;
            let u = c.name("u")?.as_str().to_ascii_lowercase();
            let unit = if u.starts_with('h') { "h" } else { "d" };
            let m = c.get(0)?;
            Window {
                value: n,
                unit: unit.to_string(),
                anchor: c.name("a").map(|a| a.as_str().to_lowercase()),
                from: window_from(c.name("a").map(|a| a.as_str())),
                span: ctx.span(cl.start + m.start(), cl.start + m.end()),
            }
        }
        None => Window {
            value: 1.0,
            unit: "d".to_string(),
            anchor: Some("first dose".to_string()),
            from: WindowFrom::TreatmentStart,
            span,
        },
    };
    ctx.cover(cl.start, cl.end);
    let has = |concept: &str, window: Option<Window>| Expr::Has {
        concept: concept.to_string(),
        what: HasKind::Condition,
        window,
        span,
    };
    Some(Expr::Or {
        any: vec![
            Expr::Not {
                expr: Box::new(Expr::And {
                    all: vec![has("female", None), has("childbearing_potential", None)],
                }),
            },
            Expr::Not {
                expr: Box::new(has("pregnant", Some(window))),
            },
        ],
    })
}

/// Leading "and"/"or" of a split-off review item is not part of it.
fn trim_connective(s: &str, a: usize, b: usize) -> (usize, usize) {
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^(?:and/or|and|or|also)(?-u:\b)\s*").expect("lead connective")
    });
    match LEAD.find(&s[a..b]) {
        Some(m) if a + m.end() < b => (a + m.end(), b),
        _ => (a, b),
    }
}

/// The part of clause `[cs, ce)` that a consent/agreement cue `[a, b)`
/// belongs to: bounded by `,` `;` `:` or by an "and" that starts a new
/// undertaking ("…, and provide informed consent", "… and willing to
/// sign …").
fn consent_part(s: &str, cs: usize, ce: usize, a: usize, b: usize) -> (usize, usize) {
    static UNDERTAKING: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)and\s+(?:(?:is|are|must|should|be|to)\s+)*(?:provide|provides|providing|sign|signs|signed|signing|give|gives|giving|willing|agree|agrees|agreeing|able|comply|complies|consent|consents|written)(?-u:\b)")
            .expect("undertaking")
    });
    let before = &s[cs..a];
    let mut start = before.rfind([',', ';', ':']).map_or(cs, |p| cs + p + 1);
    if let Some(m) = UNDERTAKING.find_iter(&s[start..a]).last() {
        start += m.start();
    }
    // "consent form agreeing to provide stored blood samples, tumour
    // tissue specimens, or fresh biopsies": the list is what is consented to.
    static CONSENT_TO: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^\s*(?:form\s+)?(?:agreeing\s+to|to)\s+(?:provide|donate|allow|the\s+use\s+of|share)(?-u:\b)")
            .expect("consent to")
    });
    let end = if CONSENT_TO.is_match(&s[b..ce]) {
        ce
    } else {
        s[b..ce].find([',', ';', ':']).map_or(ce, |p| b + p)
    };
    (start, end)
}

static OR_WORD: LazyLock<Regex> =
    LazyLock::new(|| re_big(r"(?-u:\b)or(?-u:\b)|and/or").expect("or"));
static AND_WORD: LazyLock<Regex> = LazyLock::new(|| re_big(r"(?-u:\b)and(?-u:\b)").expect("and"));
static AND_WITH: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?-u:\b)with(?-u:\b)|(?-u:\b)plus(?-u:\b)|(?-u:\b)in\s+patients(?-u:\b)|(?-u:\b)caused\s+by(?-u:\b)|(?-u:\b)due\s+to(?-u:\b)|(?-u:\b)induced\s+by(?-u:\b)")
        .expect("with")
});

fn is_range_group(atoms: &[Atom], placed: &[Placed], p: &Placed) -> bool {
    let members: Vec<&Placed> = placed
        .iter()
        .filter(|q| q.group.is_some() && q.group == p.group)
        .collect();
    let ops: Vec<Op> = members
        .iter()
        .filter_map(|q| {
            if let Piece::Cmp(i) = q.piece {
                atoms.get(i).map(|a| a.op)
            } else {
                None
            }
        })
        .collect();
    ops.contains(&Op::Ge) && ops.contains(&Op::Le) && members.len() == 2
        || members.iter().all(|q| q.start == members[0].start)
            && ops.contains(&Op::Ge)
            && ops.contains(&Op::Le)
}

/// End of the last comparison placed so far (0 if none).
fn prev_cmp_end(placed: &[Placed]) -> usize {
    placed.iter().map(|p| p.end).max().unwrap_or(0)
}

/// A symbolic operator right before `at` (`> Grade 2`, `≥grade 1`), after
/// `from`: (operator, its start).
fn op_before(s: &str, from: usize, at: usize) -> Option<(Op, usize)> {
    let before = s.get(from..at)?.trim_end();
    for (tok, op) in [
        ("≥", Op::Ge),
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("≤", Op::Le),
        ("<=", Op::Le),
        ("=<", Op::Le),
        (">", Op::Gt),
        ("<", Op::Lt),
    ] {
        if before.ends_with(tok) {
            return Some((op, from + before.len() - tok.len()));
        }
    }
    None
}

/// "ECOG 0 or 1", "ECOG performance status score of 0", "PS 0-1".
fn score_value(s: &str, m: &Mention, limit: usize) -> Option<(Vec<(Op, f64)>, usize)> {
    static SV: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^\s*(?:score\s+)?(?:of\s+|is\s+|=\s*|:\s*)?(?P<a>\d)(?:\s*(?:or|,)\s*(?P<b>\d))?(?:\s*(?:or|,)\s*(?P<c>\d))?(?-u:\b)").expect("score value")
    });
    let rest = s.get(m.end..limit)?;
    let c = SV.captures(rest)?;
    let all = c.get(0)?;
    let vals: Vec<f64> = ["a", "b", "c"]
        .iter()
        .filter_map(|k| c.name(k))
        .filter_map(|x| x.as_str().parse().ok())
        .collect();
    let end = m.end + all.end();
    if vals.len() == 1 {
        Some((vec![(Op::Eq, vals[0])], end))
    } else {
        let lo = vals.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        Some((vec![(Op::Ge, lo), (Op::Le, hi)], end))
    }
}

/// Stage / class phrases: "Child-Pugh Class A", "Child Pugh B8 or C",
/// "BCLC Stage A or B", "beyond the Up-to-Seven criteria".
///
/// Child-Pugh (clinical-rules §1.1): class A = 5–6 points, B = 7–9, C =
/// 10–15; "B8 or C" means ≥ 8 points. BCLC (§1.8) is coded ordinally
/// 0 = stage 0, 1 = A, 2 = B, 3 = C, 4 = D. Up-to-seven (§1.9): "beyond"
/// means the sum (largest size in cm + number of tumours) exceeds 7.
fn stage_exprs(ctx: &mut Ctx, s: &str, ms: &[&Mention], cl: &Clause) -> Vec<(Expr, usize, usize)> {
    let mut out = Vec::new();
    for m in ms {
        if let Some(x) = stage_expr(ctx, s, m, cl) {
            out.push(x);
        }
    }
    out
}

fn stage_expr(ctx: &mut Ctx, s: &str, m: &Mention, cl: &Clause) -> Option<(Expr, usize, usize)> {
    static CP: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^\s*(?:class(?:ification)?\s+|grade\s+|score\s+)?(?P<a>[ABC])(?P<ap>\d{1,2})?(?:\s*(?:or|to|-|/|,)\s*(?P<b>[ABC])(?P<bp>\d{1,2})?)?(?-u:\b)").expect("cp")
    });
    static BCLC: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^[\s,:]*(?:stage\s*)?(?P<a>0|[ABCD])(?:\s*(?:or|to|-|/|,)\s*(?:stage\s*)?(?P<b>0|[ABCD]))?(?-u:\b)").expect("bclc")
    });
    static BEYOND: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)(?P<w>beyond|exceed(?:ing|s)?|outside|within|meet(?:ing|s)?|fulfil+(?:ing|s)?)\s+(?:the\s+)?$").expect("beyond")
    });
    {
        let id = DEFS[m.def].ids[0];
        let rest = s.get(m.end..cl.end)?;
        match id {
            "child_pugh_score" => {
                if let Some(c) = CP.captures(rest) {
                    let all = c.get(0)?;
                    let pts = |cls: &str, p: Option<regex::Match>| -> (f64, f64) {
                        if let Some(p) = p.and_then(|x| x.as_str().parse::<f64>().ok()) {
                            return (p, p);
                        }
                        match cls.to_ascii_uppercase().as_str() {
                            "A" => (5.0, 6.0),
                            "B" => (7.0, 9.0),
                            _ => (10.0, 15.0),
                        }
                    };
                    let a = c.name("a")?.as_str();
                    let (lo, mut hi) = pts(a, c.name("ap"));
                    if let Some(b) = c.name("b") {
                        hi = pts(b.as_str(), c.name("bp")).1;
                    }
                    let span = ctx.span(m.start, m.end + all.end());
                    let mut parts = Vec::new();
                    if lo > 5.0 {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Ge,
                            value: Value::Number(lo),
                            unit: None,
                            span,
                            window: None,
                        });
                        parts.push(Expr::Compare { atom: idx });
                    }
                    if hi < 15.0 {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Le,
                            value: Value::Number(hi),
                            unit: None,
                            span,
                            window: None,
                        });
                        parts.push(Expr::Compare { atom: idx });
                    }
                    let e = if parts.len() == 1 {
                        parts.pop()?
                    } else {
                        Expr::And { all: parts }
                    };
                    // "C..." trailing dots.
                    return Some((e, m.start, m.end + all.end()));
                }
            }
            "bclc_stage" => {
                if let Some(c) = BCLC.captures(rest) {
                    let all = c.get(0)?;
                    let code = |x: &str| -> f64 {
                        match x.to_ascii_uppercase().as_str() {
                            "0" => 0.0,
                            "A" => 1.0,
                            "B" => 2.0,
                            "C" => 3.0,
                            _ => 4.0,
                        }
                    };
                    let lo = code(c.name("a")?.as_str());
                    let hi = c.name("b").map_or(lo, |b| code(b.as_str()));
                    let span = ctx.span(m.start, m.end + all.end());
                    let e = if lo == hi {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Eq,
                            value: Value::Number(lo),
                            unit: None,
                            span,
                            window: None,
                        });
                        Expr::Compare { atom: idx }
                    } else {
                        let i1 = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Ge,
                            value: Value::Number(lo),
                            unit: None,
                            span,
                            window: None,
                        });
                        let i2 = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Le,
                            value: Value::Number(hi),
                            unit: None,
                            span,
                            window: None,
                        });
                        Expr::And {
                            all: vec![Expr::Compare { atom: i1 }, Expr::Compare { atom: i2 }],
                        }
                    };
                    // Also "Staging in" wording.
                    return Some((e, m.start, m.end + all.end()));
                }
            }
            "up_to_seven" => {
                let before = s.get(cl.start..m.start)?;
                if let Some(c) = BEYOND.captures(before) {
                    let w = c.name("w")?.as_str().to_lowercase();
                    let op = if w.starts_with("beyond")
                        || w.starts_with("exceed")
                        || w.starts_with("outside")
                    {
                        Op::Gt
                    } else {
                        Op::Le
                    };
                    let a = cl.start + c.get(0)?.start();
                    let span = ctx.span(a, m.end);
                    let idx = ctx.atoms.len();
                    ctx.atoms.push(Atom {
                        field: id.to_string(),
                        op,
                        value: Value::Number(7.0),
                        unit: None,
                        span,
                        window: None,
                    });
                    return Some((Expr::Compare { atom: idx }, a, m.end));
                }
            }
            _ => {}
        }
    }
    None
}
