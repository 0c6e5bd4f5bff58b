//! CT.gov CSV formats:
//! - `CtgovCsvRow` — one header-less record, one field per line (seed 001):
//!   title, brief summary, conditions, `TYPE: name` interventions, primary
//!   outcomes, secondary outcomes, then the detailed description (which may
//!   span several lines). Multi-valued fields are `|`-separated; each
//!   outcome is `measure, description, time frame`.
//! - `CtgovCsv` — the 30-column export with header (`NCT Number,Study
//!   Title,…`), one trial per row, record = `line N`.
//! - `CtgovCsvLegacy` — the old SearchResults export (`Rank,NCT
//!   Number,Title,…`), comma- or tab-separated.
//!
//! Columns are found by header name, so column order does not matter.

use std::collections::HashMap;

use tm_model::{
    AgeLimit, Enrollment, Intervention, Location, OverallStatus, Phase, RegistryId, SexEligibility,
    SourceRef, Sponsor, Trial,
};

use crate::identity::{self, content_hash};
use crate::repair::{decode_text, repair_text};
use crate::{Format, RecordError, RecordResult};

/// Reads CSV records of the given CSV `format`.
pub fn read(bytes: &[u8], file: &str, format: Format, sink: &mut dyn FnMut(RecordResult)) {
    match format {
        Format::CtgovCsvRow => sink(read_row(bytes, file)),
        Format::CtgovCsv | Format::CtgovCsvLegacy => read_table(bytes, file, format, sink),
        other => sink(Err(RecordError {
            file: file.to_string(),
            record: None,
            reason: format!("ctgov_csv cannot read format {}", other.name()),
        })),
    }
}

fn source(format: Format, file: &str, record: Option<String>, bytes: &[u8]) -> SourceRef {
    SourceRef {
        format: format.name().to_string(),
        file: file.to_string(),
        record,
        content_hash: content_hash(bytes),
        current_as_of: None,
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = repair_text(s.trim());
    (!s.is_empty()).then_some(s)
}

fn split_list(s: &str) -> Vec<String> {
    s.split('|').filter_map(non_empty).collect()
}

// ---------------------------------------------------------------- helpers

/// An enum-like value in API v2 spelling: `Parallel Assignment` →
/// `PARALLEL_ASSIGNMENT`, `Non-Randomized` → `NON_RANDOMIZED`.
pub fn upper_enum(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// ISO 8601 (partial) date from `2024-03-15`, `2024-03`, `March 15, 2024`,
/// `Mar 15, 2024`, `March 2024`, `July 25, 2025`.
pub fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let iso_like = s.len() >= 4
        && b[..4].iter().all(u8::is_ascii_digit)
        && s.chars().all(|c| c.is_ascii_digit() || c == '-');
    if iso_like {
        return Some(s.to_string());
    }
    let words: Vec<&str> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let month = |w: &str| -> Option<u32> {
        const M: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let w = w.to_ascii_lowercase();
        if w.len() < 3 || !w.is_char_boundary(3) {
            return None;
        }
        M.iter()
            .position(|m| w.starts_with(m))
            .and_then(|p| u32::try_from(p + 1).ok())
    };
    match words.as_slice() {
        [m, d, y] => {
            let m = month(m)?;
            let d: u32 = d.parse().ok()?;
            let y: i32 = y.parse().ok()?;
            tm_model::Date::from_ymd(y, m, d)?;
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        [m, y] => {
            let m = month(m)?;
            let y: i32 = y.parse().ok()?;
            (1000..=9999).contains(&y).then(|| format!("{y:04}-{m:02}"))
        }
        _ => None,
    }
}

/// A site from `Facility, City, State, Zip, Country` (facility optional when
/// `with_facility` is false: `City, State, Country`). Empty parts
/// (`Chongqing, , China`) are skipped; a part with digits just before the
/// country is the postal code.
pub fn parse_address(s: &str, with_facility: bool) -> Location {
    let raw: Vec<&str> = s.split(',').map(str::trim).collect();
    let mut loc = Location::default();
    // Keep positions: empty state is still a state slot.
    let mut parts: Vec<Option<String>> = raw.iter().map(|p| non_empty(p)).collect();
    while parts.last().is_some_and(|p| p.is_none()) {
        parts.pop();
    }
    loc.country = parts.pop().flatten();
    if parts
        .last()
        .and_then(|p| p.as_ref())
        .is_some_and(|p| p.chars().any(|c| c.is_ascii_digit()))
    {
        loc.zip = parts.pop().flatten();
    }
    if with_facility {
        match parts.len() {
            0 => {}
            1 => loc.facility = parts.pop().flatten(),
            2 => {
                loc.city = parts.pop().flatten();
                loc.facility = parts.pop().flatten();
            }
            _ => {
                loc.state = parts.pop().flatten();
                loc.city = parts.pop().flatten();
                let f: Vec<String> = parts.into_iter().flatten().collect();
                loc.facility = (!f.is_empty()).then(|| f.join(", "));
            }
        }
    } else {
        match parts.len() {
            0 => {}
            1 => loc.city = parts.pop().flatten(),
            _ => {
                loc.state = parts.pop().flatten();
                let c: Vec<String> = parts.into_iter().flatten().collect();
                loc.city = (!c.is_empty()).then(|| c.join(", "));
            }
        }
    }
    loc
}

/// One outcome `measure, description, time frame`: the measure ends at the
/// first comma, the time frame starts after the last; the raw text is kept.
pub fn parse_outcome(s: &str) -> Option<tm_model::Outcome> {
    let raw = s.trim();
    if raw.is_empty() {
        return None;
    }
    let text = repair_text(raw);
    let mut o = tm_model::Outcome {
        raw: Some(text.clone()),
        ..Default::default()
    };
    match text.split_once(',') {
        None => o.measure = text.trim().to_string(),
        Some((m, rest)) => {
            o.measure = m.trim().to_string();
            match rest.rsplit_once(',') {
                Some((d, tf)) => {
                    o.description = non_empty(d);
                    o.time_frame = non_empty(tf);
                }
                None if looks_like_time_frame(rest) => o.time_frame = non_empty(rest),
                None => o.description = non_empty(rest),
            }
        }
    }
    Some(o)
}

fn looks_like_time_frame(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [
        "day", "week", "month", "year", "hour", "minute", "baseline", "visit", "through", "up to",
        "end of",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// `DRUG: name`, `Drug: name` → (`DRUG`, name).
fn parse_intervention(s: &str) -> Option<Intervention> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (kind, name) = match s.split_once(':') {
        Some((k, n)) if is_intervention_kind(&upper_enum(k)) => (upper_enum(k), n),
        _ => ("OTHER".to_string(), s),
    };
    Some(Intervention {
        kind,
        name: repair_text(name.trim()),
        ..Default::default()
    })
}

fn is_intervention_kind(k: &str) -> bool {
    matches!(
        k,
        "DRUG"
            | "DEVICE"
            | "BIOLOGICAL"
            | "PROCEDURE"
            | "RADIATION"
            | "BEHAVIORAL"
            | "GENETIC"
            | "DIETARY_SUPPLEMENT"
            | "COMBINATION_PRODUCT"
            | "DIAGNOSTIC_TEST"
            | "OTHER"
    )
}

/// Design values in API v2 spelling (legacy export spells them out).
fn design_value(key: &str, v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let up = upper_enum(v);
    let out = match key {
        "masking" => up.split('_').next().unwrap_or_default().to_string(),
        "intervention_model" => up.trim_end_matches("_ASSIGNMENT").to_string(),
        "allocation" if up == "N_A" => "NA".to_string(),
        "primary_purpose" if up == "EDUCATIONAL_COUNSELING_TRAINING" => "ECT".to_string(),
        _ => up,
    };
    (!out.is_empty()).then_some(out)
}

/// `Allocation: RANDOMIZED|Intervention Model: PARALLEL|Masking: …`.
fn apply_design(s: &str, t: &mut Trial) {
    let mut obs: Vec<String> = Vec::new();
    for part in s.split('|') {
        let Some((k, v)) = part.split_once(':') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        match k.as_str() {
            "allocation" => t.design.allocation = design_value("allocation", v),
            "intervention model" => {
                t.design.intervention_model = design_value("intervention_model", v)
            }
            "masking" => t.design.masking = design_value("masking", v),
            "primary purpose" => t.design.primary_purpose = design_value("primary_purpose", v),
            "observational model" | "time perspective" => {
                if let Some(v) = non_empty(v) {
                    obs.push(format!(
                        "{}: {v}",
                        part.split_once(':').map_or("", |p| p.0).trim()
                    ));
                }
            }
            _ => {}
        }
    }
    if !obs.is_empty() {
        t.design.observational_model = Some(obs.join("|"));
    }
}

/// Legacy age column: `18 Years and older   (Adult, Older Adult)`,
/// `28 Weeks to 40 Weeks (Child)`, `up to 17 Years (Child)`; new export:
/// `ADULT, OLDER_ADULT`.
fn apply_age(s: &str, t: &mut Trial) {
    let (range, groups) = match s.split_once('(') {
        Some((r, g)) => (r.trim(), g.trim_end_matches(')')),
        None if s.chars().any(|c| c.is_ascii_digit()) => (s.trim(), ""),
        None => ("", s),
    };
    t.eligibility.std_ages = groups
        .split(',')
        .map(upper_enum)
        .filter(|g| !g.is_empty())
        .collect();
    let low = range.to_ascii_lowercase();
    if let Some(rest) = low.strip_prefix("up to") {
        t.eligibility.max_age = AgeLimit::parse(rest);
    } else if let Some((a, b)) = low.split_once(" to ") {
        t.eligibility.min_age = AgeLimit::parse(a);
        t.eligibility.max_age = AgeLimit::parse(b);
    } else if let Some(a) = low.strip_suffix("and older") {
        t.eligibility.min_age = AgeLimit::parse(a);
    }
}

fn sponsor_class(s: &str) -> Option<String> {
    let up = upper_enum(s);
    let c = match up.as_str() {
        "" => return None,
        "U_S_FED" | "FED" => "FED",
        "OTHER_U_S_FED" => "FED",
        "INDIVIDUAL" => "INDIV",
        other => other,
    };
    Some(c.to_string())
}

fn other_ids(s: &str, lead: Option<&str>) -> Vec<RegistryId> {
    let mut out: Vec<RegistryId> = Vec::new();
    for (i, id) in s
        .split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .enumerate()
    {
        // The export lists the organisation's own study id first.
        let (kind, src) = if i == 0 {
            ("org", lead)
        } else {
            ("other", None)
        };
        let r = identity::registry_id(id, kind, src);
        if !out.iter().any(|x| x.id == r.id) {
            out.push(r);
        }
    }
    out
}

// ---------------------------------------------------------------- row

fn read_row(bytes: &[u8], file: &str) -> RecordResult {
    let text = decode_text(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let field = |i: usize| lines.get(i).map_or("", |l| l.trim());
    let mut t = Trial {
        title: non_empty(field(0)),
        ..Default::default()
    };
    if t.title.is_none() {
        return Err(RecordError {
            file: file.to_string(),
            record: None,
            reason: "CSV row: first line (title) is empty".into(),
        });
    }
    t.brief_summary = non_empty(field(1));
    t.conditions = split_list(field(2));
    t.interventions = field(3).split('|').filter_map(parse_intervention).collect();
    t.outcomes.primary = field(4).split('|').filter_map(parse_outcome).collect();
    t.outcomes.secondary = field(5).split('|').filter_map(parse_outcome).collect();
    let desc: Vec<&str> = lines.iter().skip(6).map(|l| l.trim_end()).collect();
    t.detailed_description = non_empty(&desc.join("\n"));
    t.sources = vec![source(Format::CtgovCsvRow, file, None, bytes)];
    Ok(crate::merge::finalize(t))
}

// ---------------------------------------------------------------- table

fn read_table(bytes: &[u8], file: &str, format: Format, sink: &mut dyn FnMut(RecordResult)) {
    let text = decode_text(bytes);
    let first = text.lines().next().unwrap_or_default();
    let delim = if first.matches('\t').count() > first.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    // A quote never closed swallows the rest of the file into one cell:
    // read the rows before it and refuse the rest, saying why.
    let cut = unterminated_quote(&text, delim);
    let body = cut.map_or(text.as_str(), |u| &text[..u.row_start]);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(body.as_bytes());
    let (headers, n_columns): (HashMap<String, usize>, usize) = match rdr.headers() {
        Ok(h) => (
            h.iter()
                .enumerate()
                .map(|(i, n)| (n.trim().to_ascii_lowercase(), i))
                .collect(),
            h.len(),
        ),
        Err(e) => {
            sink(Err(RecordError {
                file: file.to_string(),
                record: Some("line 1".into()),
                reason: format!("CSV header: {e}"),
            }));
            return;
        }
    };
    if !headers.contains_key("nct number") {
        sink(Err(RecordError {
            file: file.to_string(),
            record: Some("line 1".into()),
            reason: "CSV header has no `NCT Number` column".into(),
        }));
        return;
    }
    let mut rec = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let locator = format!("line {}", rec.position().map_or(line, |p| p.line()));
                // A row longer than the header (an unquoted separator)
                // puts values under the wrong headers: refuse it, never
                // guess. A shorter row only lacks trailing cells (empty).
                if rec.len() > n_columns {
                    sink(Err(RecordError {
                        file: file.to_string(),
                        record: Some(locator),
                        reason: format!(
                            "CSV row has {} fields, the header has {n_columns}",
                            rec.len()
                        ),
                    }));
                    continue;
                }
                let row_len: usize = rec.iter().map(str::len).sum();
                if row_len > crate::MAX_RECORD_BYTES {
                    sink(Err(RecordError {
                        file: file.to_string(),
                        record: Some(locator),
                        reason: crate::too_large(
                            row_len,
                            rec.position().map_or(0, |p| p.byte() as usize),
                        ),
                    }));
                    continue;
                }
                let row_bytes = rec.iter().collect::<Vec<_>>().join("\u{1f}");
                let row = Row {
                    headers: &headers,
                    rec: &rec,
                };
                sink(table_row(&row, format, file, locator, row_bytes.as_bytes()));
            }
            Err(e) => {
                let locator = e
                    .position()
                    .map_or(format!("line {line}"), |p| format!("line {}", p.line()));
                sink(Err(RecordError {
                    file: file.to_string(),
                    record: Some(locator),
                    reason: format!("CSV: {e}"),
                }));
                if e.is_io_error() {
                    break;
                }
            }
        }
    }
    if let Some(u) = cut {
        sink(Err(RecordError {
            file: file.to_string(),
            record: Some(format!("line {}", u.row_line)),
            reason: format!(
                "unterminated quote starting at line {}: the rest of the file is not read",
                u.quote_line
            ),
        }));
    }
}

/// Where a quoted field is opened and never closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unterminated {
    /// Byte offset of the start of the row holding the quote.
    row_start: usize,
    /// 1-based line of that row's start and of the opening quote.
    row_line: u64,
    quote_line: u64,
}

/// Scans CSV text as the reader does (a quote opens a field only at its
/// start; `""` inside is an escaped quote) and finds a quote still open at
/// the end of the text.
fn unterminated_quote(text: &str, delim: u8) -> Option<Unterminated> {
    let b = text.as_bytes();
    let (mut line, mut row_start, mut row_line) = (1u64, 0usize, 1u64);
    let mut field_start = true;
    let mut open: Option<u64> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
        }
        if open.is_some() {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                }
            }
        } else if c == b'"' && field_start {
            open = Some(line);
        } else if c == b'\n' {
            row_start = i + 1;
            row_line = line;
        }
        field_start = open.is_none() && (c == delim || c == b'\n');
        i += 1;
    }
    open.map(|quote_line| Unterminated {
        row_start,
        row_line,
        quote_line,
    })
}

struct Row<'a> {
    headers: &'a HashMap<String, usize>,
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The cell under a (lower-case) header name; empty when absent.
    fn get(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|&i| self.rec.get(i))
            .unwrap_or_default()
    }
}

fn table_row(row_: &Row, format: Format, file: &str, locator: String, row: &[u8]) -> RecordResult {
    let legacy = format == Format::CtgovCsvLegacy;
    let mut t = Trial::default();
    let nct = row_.get("nct number").trim();
    if identity::classify_registry_id(nct) == Some("nct") {
        t.registry_ids.push(identity::registry_id(
            nct,
            "nct",
            Some("ClinicalTrials.gov"),
        ));
    }
    t.title = non_empty(row_.get(if legacy { "title" } else { "study title" }));
    if t.title.is_none() && t.registry_ids.is_empty() {
        return Err(RecordError {
            file: file.to_string(),
            record: Some(locator),
            reason: "CSV row has neither an NCT number nor a title".into(),
        });
    }
    t.acronym = non_empty(row_.get("acronym"));
    t.status = OverallStatus::parse(row_.get(if legacy { "status" } else { "study status" }));
    t.brief_summary = non_empty(row_.get("brief summary"));
    let results = row_.get("study results").trim().to_ascii_lowercase();
    t.has_results = match results.as_str() {
        "yes" | "has results" => Some(true),
        "no" | "no results available" => Some(false),
        _ => None,
    };
    t.conditions = split_list(row_.get("conditions"));
    t.interventions = row_
        .get("interventions")
        .split('|')
        .filter_map(parse_intervention)
        .collect();
    if legacy {
        t.outcomes.other = row_
            .get("outcome measures")
            .split('|')
            .filter_map(parse_outcome)
            .collect();
    } else {
        t.outcomes.primary = row_
            .get("primary outcome measures")
            .split('|')
            .filter_map(parse_outcome)
            .collect();
        t.outcomes.secondary = row_
            .get("secondary outcome measures")
            .split('|')
            .filter_map(parse_outcome)
            .collect();
        t.outcomes.other = row_
            .get("other outcome measures")
            .split('|')
            .filter_map(parse_outcome)
            .collect();
    }
    let funders: Vec<String> = row_
        .get(if legacy { "funded bys" } else { "funder type" })
        .split('|')
        .filter_map(sponsor_class)
        .collect();
    let names: Vec<String> = if legacy {
        split_list(row_.get("sponsor/collaborators"))
    } else {
        let mut v: Vec<String> = non_empty(row_.get("sponsor")).into_iter().collect();
        v.extend(split_list(row_.get("collaborators")));
        v
    };
    for (i, n) in names.into_iter().enumerate() {
        t.sponsors.push(Sponsor {
            name: n,
            role: if i == 0 { "lead" } else { "collaborator" }.into(),
            class: if i == 0 {
                funders.first().cloned()
            } else {
                None
            },
            description: None,
        });
    }
    t.eligibility.sex = SexEligibility::parse(row_.get(if legacy { "gender" } else { "sex" }));
    apply_age(row_.get("age"), &mut t);
    t.phase = Phase::parse_list(row_.get("phases"));
    if let Ok(count) = row_.get("enrollment").trim().parse::<u32>() {
        t.enrollment = Some(Enrollment { count, kind: None });
    }
    let st = row_.get("study type");
    let st = st.split('[').next().unwrap_or_default();
    t.study_type = Some(upper_enum(st)).filter(|s| !s.is_empty());
    apply_design(
        row_.get(if legacy {
            "study designs"
        } else {
            "study design"
        }),
        &mut t,
    );
    let lead = t.lead_sponsor().map(str::to_string);
    for r in other_ids(row_.get("other ids"), lead.as_deref()) {
        if !t.registry_ids.iter().any(|x| x.id == r.id) {
            t.registry_ids.push(r);
        }
    }
    t.dates.start = iso_date(row_.get("start date"));
    t.dates.primary_completion = iso_date(row_.get("primary completion date"));
    t.dates.completion = iso_date(row_.get("completion date"));
    t.dates.first_posted = iso_date(row_.get("first posted"));
    t.dates.last_update = iso_date(row_.get("last update posted"));
    t.locations = row_
        .get("locations")
        .split('|')
        .filter(|l| !l.trim().is_empty())
        .map(|l| parse_address(l, true))
        .collect();
    t.sources = vec![source(format, file, Some(locator), row)];
    Ok(crate::merge::finalize(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_split_first_and_last_comma() {
        let o = parse_outcome(
            "Yttrium-90 distribution, Assessed by SPECT-CT, including shunts., Within 24 hours",
        )
        .unwrap();
        assert_eq!(o.measure, "Yttrium-90 distribution");
        assert_eq!(
            o.description.as_deref(),
            Some("Assessed by SPECT-CT, including shunts.")
        );
        assert_eq!(o.time_frame.as_deref(), Some("Within 24 hours"));
        let o = parse_outcome("Overall survival, 5 years").unwrap();
        assert_eq!(o.time_frame.as_deref(), Some("5 years"));
        assert_eq!(parse_outcome("  "), None);
    }

    #[test]
    fn unterminated_quote_is_reported_with_its_line() {
        let csv = "NCT Number,Study Title\nNCT00000001,\"ok, quoted\"\nNCT00000002,\"cut \"\"here\nand on\n";
        assert_eq!(
            unterminated_quote(csv, b','),
            Some(Unterminated {
                row_start: 48,
                row_line: 3,
                quote_line: 3
            })
        );
        assert_eq!(unterminated_quote("a,b\n\"x\ny\",z\n", b','), None);
        assert_eq!(unterminated_quote("a,b\nx\"y,z\n", b','), None);
        let mut got = Vec::new();
        read(csv.as_bytes(), "f.csv", Format::CtgovCsv, &mut |r| {
            got.push(r)
        });
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].is_ok());
        let e = got[1].as_ref().unwrap_err();
        assert_eq!(e.record.as_deref(), Some("line 3"));
        assert!(
            e.reason
                .starts_with("unterminated quote starting at line 3"),
            "{e}"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date("February 1, 2020").as_deref(), Some("2020-02-01"));
        assert_eq!(iso_date("Apr 7, 2021").as_deref(), Some("2021-04-07"));
        assert_eq!(iso_date("February 2020").as_deref(), Some("2020-02"));
        assert_eq!(iso_date("2025-06").as_deref(), Some("2025-06"));
        assert_eq!(iso_date("February 30, 2020"), None);
        assert_eq!(iso_date("Not reported"), None);
    }

    #[test]
    fn addresses() {
        let l = parse_address(
            "Haydarpaşa Hospital, Istanbul, Uskudar, 34668, Turkey",
            true,
        );
        assert_eq!(l.facility.as_deref(), Some("Haydarpaşa Hospital"));
        assert_eq!(l.city.as_deref(), Some("Istanbul"));
        assert_eq!(l.state.as_deref(), Some("Uskudar"));
        assert_eq!(l.zip.as_deref(), Some("34668"));
        assert_eq!(l.country.as_deref(), Some("Turkey"));
        let l = parse_address("Chongqing, , China", false);
        assert_eq!(l.city.as_deref(), Some("Chongqing"));
        assert_eq!(l.state, None);
        assert_eq!(l.country.as_deref(), Some("China"));
    }

    #[test]
    fn legacy_ages_and_design() {
        let mut t = Trial::default();
        apply_age("28 Weeks to 40 Weeks   (Child)", &mut t);
        assert_eq!(
            t.eligibility.min_age.as_ref().map(|a| a.unit.as_str()),
            Some("wk")
        );
        assert_eq!(t.eligibility.std_ages, vec!["CHILD"]);
        apply_design("Allocation: Randomized|Intervention Model: Parallel Assignment|Masking: Double (Participant, Investigator)|Primary Purpose: Treatment", &mut t);
        assert_eq!(t.design.allocation.as_deref(), Some("RANDOMIZED"));
        assert_eq!(t.design.intervention_model.as_deref(), Some("PARALLEL"));
        assert_eq!(t.design.masking.as_deref(), Some("DOUBLE"));
        assert_eq!(t.design.primary_purpose.as_deref(), Some("TREATMENT"));
    }
}
