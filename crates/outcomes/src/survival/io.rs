//! Reading time-to-event data from delimited text (CSV, TSV, semicolon or whitespace
//! separated; the delimiter is detected from the header line).
//!
//! Missing values (`""`, `NA`, `N/A`, `NaN`, `.`, `null`, `None`) in the time, event, group or
//! strata column make the row skipped; skipped rows are reported with their line number and
//! reason, never silently dropped. Event encodings (case-insensitive):
//! - event: `1`, `1.0`, `true`, `t`, `yes`, `y`, `dead`, `death`, `died`, `deceased`, `event`,
//!   `progressed`, `progression`, `relapse`, `relapsed`
//! - censored: `0`, `0.0`, `false`, `f`, `no`, `n`, `alive`, `censored`, `censor`, `cens`
//! - anything else (e.g. R's 1/2 coding) is rejected unless `event_value` names the value that
//!   marks an event, in which case every other non-missing value means censored.
//!
//! Times must be finite and ≥ 0 (units are whatever the column holds; they are reported as is).

use std::fmt;

/// Which columns hold the data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnSpec {
    pub time: String,
    pub event: String,
    pub group: Option<String>,
    pub strata: Option<String>,
    /// Value of the event column that marks an event (all other non-missing values: censored).
    pub event_value: Option<String>,
}

/// One usable subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub time: f64,
    pub event: bool,
    pub group: Option<String>,
    pub stratum: Option<String>,
}

pub use crate::sdtm::SkippedRow;

/// Parsed input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurvivalData {
    pub records: Vec<Record>,
    pub skipped: Vec<SkippedRow>,
}

/// Errors that prevent reading the file at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    Empty,
    MissingColumn {
        column: String,
        available: Vec<String>,
    },
    Csv(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => write!(f, "the input has no header line"),
            InputError::MissingColumn { column, available } => write!(
                f,
                "column {column:?} not found; available columns: {}",
                available.join(", ")
            ),
            InputError::Csv(e) => write!(f, "CSV error: {e}"),
        }
    }
}

impl std::error::Error for InputError {}

fn is_missing(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "na" | "n/a" | "nan" | "." | "null" | "none"
    )
}

/// Parses an event indicator (see the module docs). `Err` carries the reason.
pub fn parse_event(raw: &str, event_value: Option<&str>) -> Result<bool, String> {
    let v = raw.trim();
    if is_missing(v) {
        return Err("missing event".into());
    }
    if let Some(ev) = event_value {
        let ev = ev.trim();
        let same = match (v.parse::<f64>(), ev.parse::<f64>()) {
            (Ok(a), Ok(b)) => a == b,
            _ => v.eq_ignore_ascii_case(ev),
        };
        return Ok(same);
    }
    let lower = v.to_ascii_lowercase();
    match lower.as_str() {
        "true" | "t" | "yes" | "y" | "dead" | "death" | "died" | "deceased" | "event"
        | "progressed" | "progression" | "relapse" | "relapsed" => return Ok(true),
        "false" | "f" | "no" | "n" | "alive" | "censored" | "censor" | "cens" => return Ok(false),
        _ => {}
    }
    match lower.parse::<f64>() {
        Ok(1.0) => Ok(true),
        Ok(0.0) => Ok(false),
        _ => Err(format!(
            "unrecognised event value {v:?} (use 1/0, true/false, dead/censored, or --event-value)"
        )),
    }
}

/// Parses a time value: finite and ≥ 0.
pub fn parse_time(raw: &str) -> Result<f64, String> {
    let v = raw.trim();
    if is_missing(v) {
        return Err("missing time".into());
    }
    match v.parse::<f64>() {
        Ok(t) if t.is_finite() && t >= 0.0 => Ok(t),
        Ok(t) => Err(format!("invalid time {t} (must be finite and >= 0)")),
        Err(_) => Err(format!("invalid time {v:?}")),
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// Reads delimited text with a header line.
pub fn read_survival_csv(text: &str, spec: &ColumnSpec) -> Result<SurvivalData, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(InputError::Empty)?;
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .find(|d| header_line.as_bytes().contains(d));
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let header: Vec<String>;
    match delimiter {
        Some(d) => {
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(d)
                .flexible(true)
                .has_headers(true)
                .from_reader(text.as_bytes());
            header = rdr
                .headers()
                .map_err(|e| InputError::Csv(e.to_string()))?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            for rec in rdr.records() {
                let rec = rec.map_err(|e| InputError::Csv(e.to_string()))?;
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                rows.push((line, rec.iter().map(|f| f.to_string()).collect()));
            }
        }
        None => {
            let mut lines = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty());
            header = lines
                .next()
                .map(|(_, l)| {
                    l.split_whitespace()
                        .map(|h| unquote(h).to_string())
                        .collect()
                })
                .ok_or(InputError::Empty)?;
            for (i, l) in lines {
                rows.push((
                    i as u64 + 1,
                    l.split_whitespace()
                        .map(|f| unquote(f).to_string())
                        .collect(),
                ));
            }
        }
    }
    let col = |name: &str| -> Result<usize, InputError> {
        header
            .iter()
            .position(|h| h == name)
            .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
            .ok_or_else(|| InputError::MissingColumn {
                column: name.to_string(),
                available: header.clone(),
            })
    };
    let ti = col(&spec.time)?;
    let ei = col(&spec.event)?;
    let gi = spec.group.as_deref().map(col).transpose()?;
    let si = spec.strata.as_deref().map(col).transpose()?;
    let mut out = SurvivalData::default();
    for (line, fields) in rows {
        let get = |i: usize| fields.get(i).map(|s| s.as_str()).unwrap_or("");
        let parsed = (|| -> Result<Record, String> {
            let time = parse_time(get(ti))?;
            let event = parse_event(get(ei), spec.event_value.as_deref())?;
            let label = |i: Option<usize>, what: &str| -> Result<Option<String>, String> {
                match i {
                    None => Ok(None),
                    Some(i) if is_missing(get(i)) => Err(format!("missing {what}")),
                    Some(i) => Ok(Some(get(i).trim().to_string())),
                }
            };
            Ok(Record {
                time,
                event,
                group: label(gi, "group")?,
                stratum: label(si, "stratum")?,
            })
        })();
        match parsed {
            Ok(r) => out.records.push(r),
            Err(reason) => out.skipped.push(SkippedRow { line, reason }),
        }
    }
    Ok(out)
}
