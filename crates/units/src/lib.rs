//! UCUM subset: unit spellings, conversions, analyte-specific factors,
//! plausibility checks (issue 7, item 5; clinical-rules §7).
//!
//! **Architecture invariant: this is the only module where conversion
//! factors live.** Every other crate converts a [`Quantity`] by calling
//! [`convert`]; no crate multiplies by 17.1, 88.4, 10 or 1000 on its own.
//!
//! Three layers:
//! 1. **Spelling** — [`normalize_unit`] maps the UCUM codes we know and the
//!    spellings met in practice (`µmol/L`, `x10^9/L`, `×10⁹/L`, `cells/mm3`,
//!    `IU/mL`, `copies/mL`, `mL/min/1.73m2`, `sec`, `mg/dl`, `mmHg`) to one
//!    case-sensitive UCUM code.
//! 2. **Dimensional conversion** — units of the same dimension convert by
//!    their scale (g/dL ↔ g/L, 10*3/uL ↔ 10*9/L ↔ /mm3, mCi ↔ MBq, [lb_av] ↔ kg).
//! 3. **Analyte-specific conversion** — mass ↔ substance concentration and
//!    similar bridges exist only for a named concept (bilirubin ×17.1,
//!    creatinine ×88.4, glucose ×18.02, haemoglobin ×0.6206 …; see
//!    [`ANALYTE_BRIDGES`]). Assay-dependent conversions (HBV DNA IU/mL ↔
//!    copies/mL, HCV RNA, AFP IU/mL ↔ ng/mL) are refused with
//!    [`UnitError::AssayDependent`], never applied silently.
//!
//! Canonical codes: `mm[Hg]` (UCUM) for blood pressure — `mmHg` is accepted
//! as a spelling; `{INR}` for INR; `%` for percentages; `a` for years.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;
pub use tm_model::Quantity;

/// The physical (or arbitrary) dimension of a unit. Units convert
/// generically only within one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// mass / volume (base g/L)
    MassConcentration,
    /// amount of substance / volume (base mol/L)
    SubstanceConcentration,
    /// equivalents / volume (base eq/L)
    EquivalentConcentration,
    /// count / volume (base 1/L)
    NumberConcentration,
    /// enzyme activity / volume (base U/L)
    CatalyticConcentration,
    /// international units / volume (base [IU]/L) — arbitrary, assay-defined
    InternationalUnitConcentration,
    /// copies / volume (base {copies}/L)
    CopiesConcentration,
    /// volume / time (base mL/min)
    VolumeFlow,
    /// volume / time / 1.73 m² (eGFR)
    VolumeFlowPerBsa,
    /// base s
    Time,
    /// ratios, %, INR, scores (base 1)
    Dimensionless,
    /// base mm[Hg]
    Pressure,
    /// base Gy
    AbsorbedDose,
    /// base Bq
    Activity,
    /// base m
    Length,
    /// base kg
    Mass,
    /// base L
    Volume,
    /// base m2
    Area,
    /// kg/m2 (BMI)
    MassPerArea,
    /// mass / time (base mg/d), e.g. steroid dose
    MassRate,
    /// events / time (base /min), e.g. heart rate
    Frequency,
}

/// A known unit: its UCUM code, dimension and scale to the dimension's base.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    pub code: &'static str,
    pub dimension: Dimension,
    /// value_in_base = value × factor
    pub factor: f64,
}

/// Why a conversion or a unit was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnitError {
    /// The unit string is not in our UCUM subset nor a known spelling.
    UnknownUnit { unit: String },
    /// The units measure different things (and no analyte bridge applies).
    Incompatible { from: String, to: String },
    /// Mass ↔ substance (or similar) needs an analyte; none was given or the
    /// concept has no factor.
    NeedsConcept {
        from: String,
        to: String,
        concept: Option<String>,
    },
    /// The conversion depends on the assay (HBV DNA IU/mL ↔ copies/mL):
    /// refused; compare in the unit the protocol uses, or flag.
    AssayDependent {
        from: String,
        to: String,
        concept: Option<String>,
    },
    /// NaN or infinite value.
    NotFinite,
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::UnknownUnit { unit } => write!(f, "unknown unit {unit:?}"),
            UnitError::Incompatible { from, to } => {
                write!(f, "cannot convert {from} to {to}: different dimensions")
            }
            UnitError::NeedsConcept { from, to, concept } => match concept {
                Some(c) => write!(f, "no {c} factor to convert {from} to {to}"),
                None => write!(f, "converting {from} to {to} needs an analyte"),
            },
            UnitError::AssayDependent { from, to, concept } => write!(
                f,
                "{from} to {to}{} depends on the assay; not converted",
                concept
                    .as_ref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            ),
            UnitError::NotFinite => write!(f, "value is not a finite number"),
        }
    }
}

impl std::error::Error for UnitError {}

use Dimension::*;

/// The UCUM codes we know: (code, dimension, factor to the dimension base).
const UNITS: &[(&str, Dimension, f64)] = &[
    // mass concentration, base g/L
    ("g/L", MassConcentration, 1.0),
    ("g/dL", MassConcentration, 10.0),
    ("mg/dL", MassConcentration, 0.01),
    ("mg/L", MassConcentration, 1e-3),
    ("mg/mL", MassConcentration, 1.0),
    ("ug/mL", MassConcentration, 1e-3),
    ("ug/dL", MassConcentration, 1e-5),
    ("ug/L", MassConcentration, 1e-6),
    ("ng/mL", MassConcentration, 1e-6),
    ("ng/dL", MassConcentration, 1e-8),
    ("ng/L", MassConcentration, 1e-9),
    ("pg/mL", MassConcentration, 1e-9),
    // substance concentration, base mol/L
    ("mol/L", SubstanceConcentration, 1.0),
    ("mmol/L", SubstanceConcentration, 1e-3),
    ("umol/L", SubstanceConcentration, 1e-6),
    ("nmol/L", SubstanceConcentration, 1e-9),
    ("pmol/L", SubstanceConcentration, 1e-12),
    // equivalents, base eq/L
    ("eq/L", EquivalentConcentration, 1.0),
    ("meq/L", EquivalentConcentration, 1e-3),
    // number concentration, base /L
    ("/L", NumberConcentration, 1.0),
    ("10*9/L", NumberConcentration, 1e9),
    ("10*12/L", NumberConcentration, 1e12),
    ("10*6/L", NumberConcentration, 1e6),
    ("10*3/uL", NumberConcentration, 1e9),
    ("10*6/uL", NumberConcentration, 1e12),
    ("/uL", NumberConcentration, 1e6),
    ("/mm3", NumberConcentration, 1e6),
    ("/mL", NumberConcentration, 1e3),
    ("10*3/mL", NumberConcentration, 1e6),
    // catalytic, base U/L
    ("U/L", CatalyticConcentration, 1.0),
    ("U/mL", CatalyticConcentration, 1e3),
    ("ukat/L", CatalyticConcentration, 60.0),
    // international units, base [IU]/L
    ("[IU]/L", InternationalUnitConcentration, 1.0),
    ("[IU]/mL", InternationalUnitConcentration, 1e3),
    ("k[IU]/L", InternationalUnitConcentration, 1e3),
    ("m[IU]/mL", InternationalUnitConcentration, 1.0),
    ("m[IU]/L", InternationalUnitConcentration, 1e-3),
    // copies, base {copies}/L
    ("{copies}/mL", CopiesConcentration, 1e3),
    ("{copies}/L", CopiesConcentration, 1.0),
    // volume flow, base mL/min
    ("mL/min", VolumeFlow, 1.0),
    ("mL/s", VolumeFlow, 60.0),
    ("L/min", VolumeFlow, 1000.0),
    ("mL/min/{1.73_m2}", VolumeFlowPerBsa, 1.0),
    // time, base s
    ("s", Time, 1.0),
    ("min", Time, 60.0),
    ("h", Time, 3600.0),
    ("d", Time, 86400.0),
    ("wk", Time, 604800.0),
    ("mo", Time, DAYS_PER_MONTH * 86400.0), // UCUM mean Julian month
    ("a", Time, DAYS_PER_YEAR * 86400.0),   // UCUM mean Julian year
    // dimensionless, base 1
    ("1", Dimensionless, 1.0),
    ("%", Dimensionless, 0.01),
    ("{INR}", Dimensionless, 1.0),
    ("{ratio}", Dimensionless, 1.0),
    ("{score}", Dimensionless, 1.0),
    // pressure, base mm[Hg]
    ("mm[Hg]", Pressure, 1.0),
    ("kPa", Pressure, 7.500_616_827),
    // absorbed dose, base Gy
    ("Gy", AbsorbedDose, 1.0),
    ("cGy", AbsorbedDose, 0.01),
    ("mGy", AbsorbedDose, 1e-3),
    // activity, base Bq; 1 mCi = 37 MBq (clinical-rules §6.1)
    ("Bq", Activity, 1.0),
    ("kBq", Activity, 1e3),
    ("MBq", Activity, 1e6),
    ("GBq", Activity, 1e9),
    ("Ci", Activity, 3.7e10),
    ("mCi", Activity, 3.7e7),
    ("uCi", Activity, 3.7e4),
    // length, base m
    ("m", Length, 1.0),
    ("cm", Length, 0.01),
    ("mm", Length, 1e-3),
    ("[in_i]", Length, 0.0254),
    // mass, base kg
    ("kg", Mass, 1.0),
    ("g", Mass, 1e-3),
    ("mg", Mass, 1e-6),
    ("ug", Mass, 1e-9),
    ("[lb_av]", Mass, 0.453_592_37),
    // volume, base L
    ("L", Volume, 1.0),
    ("dL", Volume, 0.1),
    ("mL", Volume, 1e-3),
    ("uL", Volume, 1e-6),
    ("cm3", Volume, 1e-3),
    // area, base m2
    ("m2", Area, 1.0),
    ("cm2", Area, 1e-4),
    ("kg/m2", MassPerArea, 1.0),
    // mass rate, base mg/d
    ("mg/d", MassRate, 1.0),
    ("g/d", MassRate, 1e3),
    ("/min", Frequency, 1.0),
    ("/s", Frequency, 60.0),
];

/// Spellings met in practice → UCUM code. Matched after the clean-up done
/// by [`normalize_unit`] (µ/μ → u, superscripts, "x10^9" → "10*9", spaces
/// removed); first case-sensitively, then lower-cased.
const CASE_SENSITIVE_ALIASES: &[(&str, &str)] = &[
    // French lab style: G/L = giga per litre, T/L = tera per litre
    ("G/L", "10*9/L"),
    ("T/L", "10*12/L"),
    ("M/uL", "10*6/uL"),
    ("K/uL", "10*3/uL"),
];

const ALIASES: &[(&str, &str)] = &[
    ("g/l", "g/L"),
    ("gm/dl", "g/dL"),
    ("gr/dl", "g/dL"),
    ("mcg/l", "ug/L"),
    ("mcg/ml", "ug/mL"),
    ("mcg/dl", "ug/dL"),
    ("mmol/l", "mmol/L"),
    ("mmol", "mmol/L"),
    ("meq/l", "meq/L"),
    ("mequiv/l", "meq/L"),
    ("10^9/l", "10*9/L"),
    ("10e9/l", "10*9/L"),
    ("10*9/l", "10*9/L"),
    ("e9/l", "10*9/L"),
    ("giga/l", "10*9/L"),
    ("10^12/l", "10*12/L"),
    ("10e12/l", "10*12/L"),
    ("10^6/l", "10*6/L"),
    ("10^3/ul", "10*3/uL"),
    ("10e3/ul", "10*3/uL"),
    ("10*3/ul", "10*3/uL"),
    ("10^3/mm3", "10*3/uL"),
    ("10*3/mm3", "10*3/uL"),
    ("10^3/mm^3", "10*3/uL"),
    ("10^3/mcl", "10*3/uL"),
    ("10^3/cumm", "10*3/uL"),
    ("k/ul", "10*3/uL"),
    ("thou/ul", "10*3/uL"),
    ("thou/mm3", "10*3/uL"),
    ("10^6/ul", "10*6/uL"),
    ("10*6/ul", "10*6/uL"),
    ("/ul", "/uL"),
    ("/mcl", "/uL"),
    ("cells/ul", "/uL"),
    ("cell/ul", "/uL"),
    ("{cells}/ul", "/uL"),
    ("/mm^3", "/mm3"),
    ("/cumm", "/mm3"),
    ("cells/mm3", "/mm3"),
    ("cells/mm^3", "/mm3"),
    ("cell/mm3", "/mm3"),
    ("{cells}/mm3", "/mm3"),
    ("cells/ml", "/mL"),
    ("cell/ml", "/mL"),
    ("{cells}/ml", "/mL"),
    ("/ml", "/mL"),
    ("u/l", "U/L"),
    ("units/l", "U/L"),
    ("u/ml", "U/mL"),
    ("ukat/l", "ukat/L"),
    ("iu/l", "[IU]/L"),
    ("[iu]/l", "[IU]/L"),
    ("iu/ml", "[IU]/mL"),
    ("[iu]/ml", "[IU]/mL"),
    ("kiu/l", "k[IU]/L"),
    ("miu/ml", "m[IU]/mL"),
    ("miu/l", "m[IU]/L"),
    ("copies/ml", "{copies}/mL"),
    ("copy/ml", "{copies}/mL"),
    ("cp/ml", "{copies}/mL"),
    ("{copies}/ml", "{copies}/mL"),
    ("{copies}/l", "{copies}/L"),
    ("copies/l", "{copies}/L"),
    ("ml/min", "mL/min"),
    ("ml/s", "mL/s"),
    ("ml/sec", "mL/s"),
    ("l/min", "L/min"),
    ("ml/min/1.73m2", "mL/min/{1.73_m2}"),
    ("ml/min/1.73m^2", "mL/min/{1.73_m2}"),
    ("ml/min/{1.73_m2}", "mL/min/{1.73_m2}"),
    ("ml/min/1.73_m2", "mL/min/{1.73_m2}"),
    ("ml/min/{1.73m2}", "mL/min/{1.73_m2}"),
    ("ml/min/1.73", "mL/min/{1.73_m2}"),
    ("sec", "s"),
    ("secs", "s"),
    ("second", "s"),
    ("seconds", "s"),
    ("mins", "min"),
    ("minute", "min"),
    ("minutes", "min"),
    ("hr", "h"),
    ("hrs", "h"),
    ("hour", "h"),
    ("hours", "h"),
    ("day", "d"),
    ("days", "d"),
    ("week", "wk"),
    ("weeks", "wk"),
    ("month", "mo"),
    ("months", "mo"),
    ("yr", "a"),
    ("yrs", "a"),
    ("year", "a"),
    ("years", "a"),
    ("percent", "%"),
    ("pct", "%"),
    ("inr", "{INR}"),
    ("{inr}", "{INR}"),
    ("ratio", "{ratio}"),
    ("{ratio}", "{ratio}"),
    ("score", "{score}"),
    ("{score}", "{score}"),
    ("mmhg", "mm[Hg]"),
    ("mm[hg]", "mm[Hg]"),
    ("mm hg", "mm[Hg]"),
    ("kpa", "kPa"),
    ("gy", "Gy"),
    ("cgy", "cGy"),
    ("mgy", "mGy"),
    ("bq", "Bq"),
    ("kbq", "kBq"),
    ("mbq", "MBq"),
    ("gbq", "GBq"),
    ("ci", "Ci"),
    ("mci", "mCi"),
    ("uci", "uCi"),
    ("in", "[in_i]"),
    ("inch", "[in_i]"),
    ("inches", "[in_i]"),
    ("[in_i]", "[in_i]"),
    ("lb", "[lb_av]"),
    ("lbs", "[lb_av]"),
    ("[lb_av]", "[lb_av]"),
    ("l", "L"),
    ("liter", "L"),
    ("litre", "L"),
    ("dl", "dL"),
    ("ml", "mL"),
    ("ul", "uL"),
    ("cc", "mL"),
    ("cm^3", "cm3"),
    ("m^2", "m2"),
    ("kg/m^2", "kg/m2"),
    ("mg/day", "mg/d"),
    ("mg/24h", "mg/d"),
    ("bpm", "/min"),
    ("beats/min", "/min"),
    ("{beats}/min", "/min"),
];

fn table() -> &'static HashMap<&'static str, Unit> {
    static T: OnceLock<HashMap<&'static str, Unit>> = OnceLock::new();
    T.get_or_init(|| {
        UNITS
            .iter()
            .map(|&(code, dimension, factor)| {
                (
                    code,
                    Unit {
                        code,
                        dimension,
                        factor,
                    },
                )
            })
            .collect()
    })
}

fn lower_aliases() -> &'static HashMap<String, &'static str> {
    static T: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m: HashMap<String, &'static str> = HashMap::new();
        for &(code, _, _) in UNITS {
            m.entry(code.to_lowercase()).or_insert(code);
        }
        for &(alias, code) in ALIASES {
            m.insert(alias.to_lowercase(), code);
        }
        m
    })
}

/// Clean-up before lookup: unicode micro/mu → u, superscripts, the many
/// ways to write ×10ⁿ, spaces.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.trim().chars() {
        match ch {
            'µ' | 'μ' => out.push('u'),
            '⁰' => out.push('0'),
            '¹' => out.push('1'),
            '²' => out.push('2'),
            '³' => out.push('3'),
            '⁴' => out.push('4'),
            '⁵' => out.push('5'),
            '⁶' => out.push('6'),
            '⁷' => out.push('7'),
            '⁸' => out.push('8'),
            '⁹' => out.push('9'),
            '×' | '·' => out.push('x'),
            '\\' => {}
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    // "x10^9/L", "x 10*9/L", "10⁹/L" (superscript already mapped to "109/L")
    let mut s = out;
    for prefix in ["x10", "X10", "*10"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = format!("10{rest}");
        }
    }
    // "10^9" / "10e9" / "10E9" / "10*9" all become "10*9"
    if let Some(rest) = s.strip_prefix("10") {
        let rest2 = rest
            .strip_prefix('^')
            .or_else(|| rest.strip_prefix('e'))
            .or_else(|| rest.strip_prefix('E'))
            .or_else(|| rest.strip_prefix('*'));
        if let Some(r) = rest2 {
            s = format!("10*{r}");
        } else if let Some(r) = rest
            .strip_prefix(['3', '6', '9'])
            .filter(|r| r.starts_with('/'))
        {
            // superscript form "10⁹/L" → "109/L" → "10*9/L"
            let digit = &rest[..1];
            s = format!("10*{digit}{r}");
        }
    }
    if s.starts_with("10*12") || s.starts_with("1012/") {
        s = s.replacen("1012/", "10*12/", 1);
    }
    s
}

/// Maps a unit spelling to its UCUM code in our subset, or `None`.
/// `""` maps to `None` (no unit); use `"1"` for dimensionless.
pub fn normalize_unit(s: &str) -> Option<&'static str> {
    let c = clean(s);
    if c.is_empty() {
        return None;
    }
    if let Some(u) = table().get(c.as_str()) {
        return Some(u.code);
    }
    if let Some(&(_, code)) = CASE_SENSITIVE_ALIASES.iter().find(|(a, _)| *a == c) {
        return Some(code);
    }
    let lc = c.to_lowercase();
    if let Some(code) = lower_aliases().get(&lc) {
        return Some(code);
    }
    // "10*9/l" style after lowering / "10*3/ul"
    lower_aliases().get(&lc.replace("10*", "10^")).copied()
}

/// Parses a unit spelling into a known [`Unit`].
pub fn parse_unit(s: &str) -> Result<Unit, UnitError> {
    normalize_unit(s)
        .and_then(|c| table().get(c).copied())
        .ok_or_else(|| UnitError::UnknownUnit {
            unit: s.to_string(),
        })
}

/// The quantity with its unit spelled as UCUM (value unchanged).
pub fn normalize(q: &Quantity) -> Result<Quantity, UnitError> {
    let u = parse_unit(&q.unit)?;
    Ok(Quantity::new(q.value, u.code))
}

/// An analyte-specific bridge: for `concept`, `value_in_to = value_in_from × factor`.
/// Applied in both directions; units of the same dimension as `from`/`to`
/// reach it by generic scaling (so bilirubin mg/L → umol/L works too).
#[derive(Debug, Clone, Copy)]
pub struct Bridge {
    pub concepts: &'static [&'static str],
    pub from: &'static str,
    pub to: &'static str,
    pub factor: f64,
    /// clinical-rules section the factor comes from.
    pub source: &'static str,
}

/// All analyte-specific factors (clinical-rules §7.1).
pub const ANALYTE_BRIDGES: &[Bridge] = &[
    Bridge {
        concepts: &["total_bilirubin", "direct_bilirubin", "indirect_bilirubin"],
        from: "mg/dL",
        to: "umol/L",
        factor: 17.1,
        source: "§7.1, §1.2",
    },
    Bridge {
        concepts: &["creatinine"],
        from: "mg/dL",
        to: "umol/L",
        factor: 88.4,
        source: "§7.1, §1.4",
    },
    Bridge {
        concepts: &["glucose", "glucose_fasting"],
        from: "mmol/L",
        to: "mg/dL",
        factor: 18.02,
        source: "§7.1",
    },
    Bridge {
        concepts: &["hemoglobin"],
        from: "g/dL",
        to: "mmol/L",
        factor: 0.6206,
        source: "§7.1 (mmol/L × 1.61 = g/dL)",
    },
    Bridge {
        concepts: &["albumin"],
        from: "g/L",
        to: "umol/L",
        factor: 1.0 / 66.5,
        source: "§7.1",
    },
    Bridge {
        concepts: &["calcium"],
        from: "mg/dL",
        to: "mmol/L",
        factor: 0.2495,
        source: "§7.1",
    },
    Bridge {
        concepts: &["sodium", "potassium", "chloride", "bicarbonate"],
        from: "meq/L",
        to: "mmol/L",
        factor: 1.0,
        source: "§7.1 (mEq/L = mmol/L, monovalent)",
    },
    Bridge {
        concepts: &["alt", "ast", "alp", "ggt", "ldh"],
        from: "[IU]/L",
        to: "U/L",
        factor: 1.0,
        source: "enzyme IU = U (µmol/min)",
    },
];

/// Pairs of dimensions whose conversion depends on the assay; refused for
/// every analyte (clinical-rules §7.1: HBV DNA, HCV RNA; AFP IU/mL).
fn assay_dependent(a: Dimension, b: Dimension) -> bool {
    let pair = |x, y| (a == x && b == y) || (a == y && b == x);
    pair(InternationalUnitConcentration, CopiesConcentration)
        || pair(InternationalUnitConcentration, MassConcentration)
        || pair(InternationalUnitConcentration, SubstanceConcentration)
        || pair(CopiesConcentration, MassConcentration)
}

/// Days in a UCUM month `mo` (mean Julian month; clinical-rules §2.3
/// reports months as days / 30.4375).
pub const DAYS_PER_MONTH: f64 = 30.4375;
/// Days in a UCUM year `a` (mean Julian year).
pub const DAYS_PER_YEAR: f64 = 365.25;

/// A duration of `value` in time unit `from` expressed in time unit `to`
/// (any UCUM time unit or spelling: `s`, `min`, `h`, `d`, `wk`, `mo`, `a`,
/// "months" …; `mo` = [`DAYS_PER_MONTH`] d, `a` = [`DAYS_PER_YEAR`] d).
/// `None` when a unit is unknown or not a time, or the result is not finite.
/// The one place time factors live: window lengths, age limits, months
/// for reporting.
pub fn duration(value: f64, from: &str, to: &str) -> Option<f64> {
    let f = parse_unit(from).ok()?;
    let t = parse_unit(to).ok()?;
    if f.dimension != Dimension::Time || t.dimension != Dimension::Time {
        return None;
    }
    let v = value * f.factor / t.factor;
    v.is_finite().then_some(v)
}

/// Converts `q` to unit `to`. `concept` (a lexicon concept id) enables the
/// analyte-specific bridges of [`ANALYTE_BRIDGES`].
///
/// The result is rounded to 12 significant digits (no binary noise).
///
/// Errors: unknown unit; incompatible dimensions; mass ↔ substance without
/// a factor for `concept`; assay-dependent pairs (always refused).
pub fn convert(q: &Quantity, to: &str, concept: Option<&str>) -> Result<Quantity, UnitError> {
    convert_raw(q, to, concept).map(|r| Quantity::new(tidy(r.value), r.unit))
}

fn convert_raw(q: &Quantity, to: &str, concept: Option<&str>) -> Result<Quantity, UnitError> {
    if !q.value.is_finite() {
        return Err(UnitError::NotFinite);
    }
    let from = parse_unit(&q.unit)?;
    let target = parse_unit(to)?;
    if from.dimension == target.dimension {
        let v = q.value * from.factor / target.factor;
        return Ok(Quantity::new(v, target.code));
    }
    if assay_dependent(from.dimension, target.dimension) {
        return Err(UnitError::AssayDependent {
            from: from.code.into(),
            to: target.code.into(),
            concept: concept.map(str::to_string),
        });
    }
    if let Some(c) = concept {
        for b in ANALYTE_BRIDGES.iter().filter(|b| b.concepts.contains(&c)) {
            let (Some(bf), Some(bt)) = (table().get(b.from), table().get(b.to)) else {
                continue;
            };
            // forward: from ~ b.from, target ~ b.to
            if from.dimension == bf.dimension && target.dimension == bt.dimension {
                let in_bf = q.value * from.factor / bf.factor;
                let in_bt = in_bf * b.factor;
                return Ok(Quantity::new(
                    in_bt * bt.factor / target.factor,
                    target.code,
                ));
            }
            if from.dimension == bt.dimension && target.dimension == bf.dimension {
                let in_bt = q.value * from.factor / bt.factor;
                let in_bf = in_bt / b.factor;
                return Ok(Quantity::new(
                    in_bf * bf.factor / target.factor,
                    target.code,
                ));
            }
        }
    }
    let chemical = |d| {
        matches!(
            d,
            MassConcentration | SubstanceConcentration | EquivalentConcentration
        )
    };
    if chemical(from.dimension) && chemical(target.dimension)
        || (from.dimension == InternationalUnitConcentration
            && target.dimension == CatalyticConcentration)
        || (from.dimension == CatalyticConcentration
            && target.dimension == InternationalUnitConcentration)
    {
        return Err(UnitError::NeedsConcept {
            from: from.code.into(),
            to: target.code.into(),
            concept: concept.map(str::to_string),
        });
    }
    Err(UnitError::Incompatible {
        from: from.code.into(),
        to: target.code.into(),
    })
}

/// Rounds a converted value to 12 significant digits: the binary noise of
/// scaling (79.56 umol/L → 0.9000000000000001 mg/dL) goes, the precision
/// of any lab value stays.
fn tidy(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = v.abs().log10().floor() as i32;
    let scale = 10f64.powi(11 - mag);
    let r = (v * scale).round() / scale;
    if r.is_finite() {
        r
    } else {
        v
    }
}

/// True when `a` can be converted to `b` for `concept`.
pub fn convertible(a: &str, b: &str, concept: Option<&str>) -> bool {
    convert(&Quantity::new(1.0, a), b, concept).is_ok()
}

/// A reading of a number written without a unit: the number taken in
/// `read_as`, expressed in the target unit as `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct BareReading {
    pub value: f64,
    pub read_as: String,
}

/// The plausible readings of a number written without a unit ("platelets
/// at least 100,000"): for each unit the analyte is commonly reported in
/// (`units`, e.g. the lexicon's `alt_units`), the number converted to
/// `target`, kept when it falls inside the plausible range `[low, high]`
/// (given in `target`). Readings that coincide (`/uL` and `/mm3`) are
/// kept once. An empty result means no unit makes the number plausible;
/// more than one means the unit is ambiguous (clinical-rules §7.1:
/// a number is compared only in a unit that is known or unambiguous).
pub fn bare_readings(
    x: f64,
    target: &str,
    concept: Option<&str>,
    units: &[String],
    low: f64,
    high: f64,
) -> Vec<BareReading> {
    let mut out: Vec<BareReading> = Vec::new();
    let fallback = [target.to_string()];
    let units = if units.is_empty() {
        &fallback[..]
    } else {
        units
    };
    for u in units {
        let Ok(q) = convert(&Quantity::new(x, u), target, concept) else {
            continue;
        };
        if !q.value.is_finite() || q.value < low || q.value > high {
            continue;
        }
        let same = |r: &BareReading| (r.value - q.value).abs() <= 1e-9 * q.value.abs().max(1.0);
        if !out.iter().any(same) {
            out.push(BareReading {
                value: q.value,
                read_as: u.clone(),
            });
        }
    }
    out
}

/// Outcome of a plausibility check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plausibility {
    /// Within the plausible range.
    Plausible,
    /// Outside the range, and no other unit of the analyte explains it.
    Implausible,
    /// Outside the range as labelled, but plausible if the unit were
    /// `likely_unit` (a g/dL value labelled g/L).
    UnitMismatch { likely_unit: String },
    /// The range or the value could not be compared (unit problems).
    Unchecked { reason: String },
}

/// Checks `q` against the concept's plausible range `[low, high]` (sanity
/// limits, not clinical limits). `alternatives` are other units the analyte
/// is commonly reported in; if `q` is implausible as labelled but plausible
/// when read in one of them, the result is [`Plausibility::UnitMismatch`].
pub fn check_plausible(
    q: &Quantity,
    low: &Quantity,
    high: &Quantity,
    concept: Option<&str>,
    alternatives: &[&str],
) -> Plausibility {
    let within = |q: &Quantity| -> Result<bool, UnitError> {
        let lo = convert(low, &q.unit, concept)?;
        let hi = convert(high, &q.unit, concept)?;
        Ok(q.value >= lo.value && q.value <= hi.value)
    };
    match within(q) {
        Ok(true) => Plausibility::Plausible,
        Ok(false) => {
            let labelled = normalize_unit(&q.unit);
            for alt in alternatives {
                let Some(code) = normalize_unit(alt) else {
                    continue;
                };
                if Some(code) == labelled {
                    continue;
                }
                let re = Quantity::new(q.value, code);
                if let Ok(true) = within(&re) {
                    return Plausibility::UnitMismatch {
                        likely_unit: code.to_string(),
                    };
                }
            }
            Plausibility::Implausible
        }
        Err(e) => Plausibility::Unchecked {
            reason: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_numbers_read_only_in_plausible_units() {
        let cells: Vec<String> = ["10*9/L", "10*3/uL", "/uL", "/mm3"]
            .map(String::from)
            .to_vec();
        // Platelets "at least 100,000": only per µL is plausible (100 × 10⁹/L).
        let r = bare_readings(100_000.0, "10*9/L", Some("platelets"), &cells, 1.0, 2000.0);
        assert_eq!(r.len(), 1, "{r:?}");
        assert!((r[0].value - 100.0).abs() < 1e-9);
        assert_eq!(r[0].read_as, "/uL");
        // "Platelets at least 100": 100 × 10⁹/L (10*3/uL is the same value).
        let r = bare_readings(100.0, "10*9/L", Some("platelets"), &cells, 1.0, 2000.0);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].read_as, "10*9/L");
        // Haemoglobin 9: g/dL or mmol/L are both plausible → ambiguous.
        let hb: Vec<String> = ["g/dL", "g/L", "mmol/L"].map(String::from).to_vec();
        let r = bare_readings(9.0, "g/dL", Some("hemoglobin"), &hb, 3.0, 25.0);
        assert_eq!(r.len(), 2, "{r:?}");
        // Nothing plausible.
        let r = bare_readings(1e12, "g/dL", Some("hemoglobin"), &hb, 3.0, 25.0);
        assert!(r.is_empty());
    }

    fn q(v: f64, u: &str) -> Quantity {
        Quantity::new(v, u)
    }
    fn conv(v: f64, from: &str, to: &str, c: Option<&str>) -> f64 {
        convert(&q(v, from), to, c).unwrap().value
    }
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn spellings_map_to_ucum() {
        let cases = [
            ("µmol/L", "umol/L"),
            ("μmol/l", "umol/L"),
            ("x10^9/L", "10*9/L"),
            ("×10⁹/L", "10*9/L"),
            ("× 10^9/L", "10*9/L"),
            ("10^9/L", "10*9/L"),
            ("10E9/L", "10*9/L"),
            ("10*9/L", "10*9/L"),
            ("G/L", "10*9/L"),
            ("10^3/µL", "10*3/uL"),
            ("10*3/uL", "10*3/uL"),
            ("K/uL", "10*3/uL"),
            ("cells/mm3", "/mm3"),
            ("/mm³", "/mm3"),
            ("/µL", "/uL"),
            ("IU/mL", "[IU]/mL"),
            ("[IU]/mL", "[IU]/mL"),
            ("copies/mL", "{copies}/mL"),
            ("copies/ml", "{copies}/mL"),
            ("mL/min/1.73m2", "mL/min/{1.73_m2}"),
            ("mL/min/1.73 m²", "mL/min/{1.73_m2}"),
            ("mL/min/{1.73_m2}", "mL/min/{1.73_m2}"),
            ("sec", "s"),
            ("mg/dl", "mg/dL"),
            ("g/dl", "g/dL"),
            ("g/L", "g/L"),
            ("mmHg", "mm[Hg]"),
            ("mm[Hg]", "mm[Hg]"),
            ("{INR}", "{INR}"),
            ("INR", "{INR}"),
            ("ng/ml", "ng/mL"),
            ("µg/L", "ug/L"),
            ("mcg/L", "ug/L"),
            ("U/l", "U/L"),
            ("IU/L", "[IU]/L"),
            ("Gy", "Gy"),
            ("GBq", "GBq"),
            ("mCi", "mCi"),
            ("lb", "[lb_av]"),
            ("[lb_av]", "[lb_av]"),
            ("kg", "kg"),
            ("cm", "cm"),
            ("mm", "mm"),
            ("L", "L"),
            ("%", "%"),
            ("mL/min", "mL/min"),
            ("{copies}/mL", "{copies}/mL"),
            ("cells/mL", "/mL"),
        ];
        for (spelling, ucum) in cases {
            assert_eq!(normalize_unit(spelling), Some(ucum), "{spelling}");
        }
        assert_eq!(normalize_unit(""), None);
        assert_eq!(normalize_unit("furlongs/fortnight"), None);
        // g/L (grams) and G/L (giga) stay apart
        assert_eq!(parse_unit("g/L").unwrap().dimension, MassConcentration);
        assert_eq!(parse_unit("G/L").unwrap().dimension, NumberConcentration);
    }

    #[test]
    fn generic_conversions() {
        assert!(close(conv(9.0, "g/dL", "g/L", None), 90.0));
        assert!(close(conv(35.0, "g/L", "g/dL", Some("albumin")), 3.5));
        assert!(close(conv(150_000.0, "/uL", "10*9/L", None), 150.0));
        assert!(close(conv(1500.0, "/mm3", "10*9/L", None), 1.5));
        assert!(close(conv(75.0, "10*3/uL", "10*9/L", None), 75.0));
        assert!(close(conv(1.5, "x10^9/L", "cells/mm3", None), 1500.0));
        assert!(close(conv(10.0, "ng/mL", "ug/L", None), 10.0));
        assert!(close(conv(1.0, "mCi", "MBq", None), 37.0));
        assert!(close(conv(1.0, "GBq", "mCi", None), 1000.0 / 37.0));
        assert!(close(conv(2.0, "cm", "mm", None), 20.0));
        assert!(close(conv(100.0, "[lb_av]", "kg", None), 45.359237));
        assert!(close(conv(60.0, "mL/min", "mL/s", None), 1.0));
        assert!(close(conv(55.0, "%", "1", None), 0.55));
        assert!(close(conv(2.0, "kPa", "mmHg", None), 15.001233654));
        assert!(close(conv(1500.0, "mL", "L", None), 1.5));
        assert!(close(conv(300.0, "cGy", "Gy", None), 3.0));
        assert!(close(conv(2.0, "wk", "d", None), 14.0));
        assert_eq!(duration(6.0, "mo", "a"), Some(0.5));
        assert_eq!(duration(1.0, "mo", "d"), Some(30.4375));
        assert_eq!(duration(1.0, "a", "d"), Some(365.25));
        assert_eq!(duration(72.0, "h", "d"), Some(3.0));
        assert_eq!(duration(2.0, "wk", "d"), Some(14.0));
        assert_eq!(duration(18.0, "years", "a"), Some(18.0));
        assert_eq!(duration(1.0, "mg", "d"), None);
        assert_eq!(duration(1.0, "d", "bananas"), None);
        assert!(close(conv(60.0, "U/L", "ukat/L", None), 1.0));
    }

    #[test]
    fn analyte_factors() {
        // bilirubin ×17.1 (§7.1)
        assert!(close(
            conv(1.0, "mg/dL", "umol/L", Some("total_bilirubin")),
            17.1
        ));
        assert!(close(
            conv(34.2, "µmol/L", "mg/dL", Some("total_bilirubin")),
            2.0
        ));
        // mg/L reaches the bridge by generic scaling
        assert!(close(
            conv(10.0, "mg/L", "umol/L", Some("total_bilirubin")),
            17.1
        ));
        // creatinine ×88.4
        assert!(close(
            conv(1.0, "mg/dL", "umol/L", Some("creatinine")),
            88.4
        ));
        assert!(close(
            conv(132.6, "umol/L", "mg/dL", Some("creatinine")),
            1.5
        ));
        // glucose ×18.02
        assert!(close(
            conv(10.0, "mmol/L", "mg/dL", Some("glucose_fasting")),
            180.2
        ));
        assert!(close(conv(180.2, "mg/dL", "mmol/L", Some("glucose")), 10.0));
        // haemoglobin g/dL × 0.6206 = mmol/L
        assert!(close(
            conv(10.0, "g/dL", "mmol/L", Some("hemoglobin")),
            6.206
        ));
        assert!(close(
            conv(6.206, "mmol/L", "g/L", Some("hemoglobin")),
            100.0
        ));
        // albumin g/L ÷ 66.5 = umol/L
        assert!(close(conv(66.5, "g/L", "umol/L", Some("albumin")), 1.0));
        // calcium
        assert!(close(conv(10.0, "mg/dL", "mmol/L", Some("calcium")), 2.495));
        // sodium mEq/L = mmol/L
        assert!(close(conv(140.0, "mEq/L", "mmol/L", Some("sodium")), 140.0));
        // enzymes IU/L = U/L
        assert!(close(conv(40.0, "IU/L", "U/L", Some("alt")), 40.0));
    }

    #[test]
    fn refusals() {
        // assay-dependent: never converted, even with a concept
        for c in [Some("hbv_dna"), None] {
            let e = convert(&q(2000.0, "copies/mL"), "[IU]/mL", c).unwrap_err();
            assert!(matches!(e, UnitError::AssayDependent { .. }), "{e:?}");
        }
        let e = convert(&q(400.0, "IU/mL"), "ng/mL", Some("afp")).unwrap_err();
        assert!(matches!(e, UnitError::AssayDependent { .. }));
        // mass ↔ substance needs an analyte factor
        let e = convert(&q(1.0, "mg/dL"), "umol/L", None).unwrap_err();
        assert!(matches!(e, UnitError::NeedsConcept { .. }));
        let e = convert(&q(1.0, "mg/dL"), "umol/L", Some("platelets")).unwrap_err();
        assert!(matches!(e, UnitError::NeedsConcept { .. }));
        // the bilirubin factor does not apply to creatinine
        assert!(!close(
            conv(1.0, "mg/dL", "umol/L", Some("creatinine")),
            17.1
        ));
        // different dimensions
        let e = convert(&q(1.0, "10*9/L"), "g/L", None).unwrap_err();
        assert!(matches!(e, UnitError::Incompatible { .. }));
        // eGFR (indexed) is not CrCl (mL/min)
        let e = convert(&q(60.0, "mL/min/1.73m2"), "mL/min", Some("crcl")).unwrap_err();
        assert!(matches!(e, UnitError::Incompatible { .. }));
        let e = convert(&q(1.0, "bogus"), "g/L", None).unwrap_err();
        assert!(matches!(e, UnitError::UnknownUnit { .. }));
        assert_eq!(
            convert(&q(f64::NAN, "g/L"), "g/dL", None).unwrap_err(),
            UnitError::NotFinite
        );
    }

    #[test]
    fn plausibility() {
        let lo = q(30.0, "g/L");
        let hi = q(250.0, "g/L");
        let alts = ["g/dL", "g/L", "mmol/L"];
        let c = Some("hemoglobin");
        assert_eq!(
            check_plausible(&q(9.5, "g/dL"), &lo, &hi, c, &alts),
            Plausibility::Plausible
        );
        assert_eq!(
            check_plausible(&q(900.0, "g/L"), &lo, &hi, c, &alts),
            Plausibility::Implausible
        );
        assert_eq!(
            check_plausible(&q(9.5, "g/L"), &lo, &hi, c, &alts),
            Plausibility::UnitMismatch {
                likely_unit: "g/dL".into()
            }
        );
        assert!(matches!(
            check_plausible(&q(9.5, "furlong"), &lo, &hi, c, &alts),
            Plausibility::Unchecked { .. }
        ));
    }
}
