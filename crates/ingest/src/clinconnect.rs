//! ClinConnect page text (seeds 003 and 004).
//!
//! Layout: title; `Launched by SPONSOR · Mon D, YYYY`; then sections by
//! heading — `Trial Information` (`Current as of …`, status), `Keywords`,
//! `ClinConnect Summary` (→ `lay_summary`), `Gender`, `Eligibility criteria`
//! (`- Inclusion Criteria:` / `- • bullet` lines → `criteria_text`),
//! `About SPONSOR` (→ `Sponsor::description`), `Contacts` (page
//! boilerplate: the same person on every page — dropped), `Locations`,
//! `Patients applied`, `Trial Officials`, `Timeline`, `Similar Trials`.
//! ClinConnect pages carry no registry id, so the trial gets the derived id
//! of its title and lead sponsor; the "Current as of" date only goes to
//! `SourceRef::current_as_of`.

use tm_model::{Official, OverallStatus, SexEligibility, SourceRef, Sponsor, Trial};

use crate::ctgov_csv::{iso_date, parse_address, upper_enum};
use crate::identity::{self, content_hash};
use crate::repair::{decode_text, repair_text};
use crate::{RecordError, RecordResult};

const FORMAT: &str = "clinconnect-page";

const HEADINGS: &[&str] = &[
    "Trial Information",
    "Keywords",
    "ClinConnect Summary",
    "Gender",
    "Age",
    "Phase",
    "Eligibility criteria",
    "Contacts",
    "Locations",
    "Patients applied",
    "Trial Officials",
    "Timeline",
    "Similar Trials",
];

fn heading_of(line: &str) -> Option<String> {
    if let Some(h) = HEADINGS.iter().find(|h| line.eq_ignore_ascii_case(h)) {
        return Some(h.to_string());
    }
    if line.starts_with("About ") && line.len() > 6 && !line.ends_with('.') {
        return Some("About".to_string());
    }
    None
}

/// Reads one ClinConnect page.
pub fn read(bytes: &[u8], file: &str, sink: &mut dyn FnMut(RecordResult)) {
    sink(parse(bytes, file));
}

fn parse(bytes: &[u8], file: &str) -> RecordResult {
    let err = |reason: &str| RecordError {
        file: file.to_string(),
        record: None,
        reason: reason.to_string(),
    };
    let text = decode_text(bytes);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut t = Trial::default();
    let mut src = SourceRef {
        format: FORMAT.into(),
        file: file.to_string(),
        record: None,
        content_hash: content_hash(bytes),
        current_as_of: None,
    };

    // Header lines up to the first heading.
    let first_heading = lines
        .iter()
        .position(|l| heading_of(l).is_some())
        .unwrap_or(lines.len());
    let mut lead_name: Option<String> = None;
    for l in &lines[..first_heading] {
        if let Some(rest) = l.strip_prefix("Launched by ") {
            let (who, when) = match rest.rsplit_once('·') {
                Some((w, d)) => (w.trim(), Some(d.trim())),
                None => (rest.trim(), None),
            };
            if !who.is_empty() {
                lead_name = Some(repair_text(who));
            }
            t.dates.start = when.and_then(iso_date);
        } else if t.title.is_none() {
            t.title = Some(repair_text(l));
        }
    }
    let Some(title) = t.title.clone() else {
        return Err(err("not a ClinConnect page: no title"));
    };
    if first_heading == lines.len() {
        return Err(err("not a ClinConnect page: no known section heading"));
    }

    // Sections.
    let mut sections: Vec<(String, &str, Vec<&str>)> = Vec::new();
    for l in &lines[first_heading..] {
        match heading_of(l) {
            Some(h) => sections.push((h, l, Vec::new())),
            None => {
                if let Some(s) = sections.last_mut() {
                    s.2.push(l);
                }
            }
        }
    }

    let mut sponsor_desc: Option<(String, String)> = None;
    for (name, heading, body) in &sections {
        match name.as_str() {
            "Trial Information" => {
                for l in body {
                    if let Some(d) = l.strip_prefix("Current as of ") {
                        src.current_as_of = iso_date(d);
                    } else if let Some(s) = OverallStatus::parse(l) {
                        t.status = Some(s);
                    }
                }
            }
            "Keywords" => t.keywords = body.iter().map(|l| repair_text(l)).collect(),
            "ClinConnect Summary" => {
                let s = repair_text(&body.join("\n"));
                t.lay_summary = (!s.is_empty()).then_some(s);
            }
            "Gender" => t.eligibility.sex = body.first().and_then(|g| SexEligibility::parse(g)),
            "Phase" => {
                t.phase = body
                    .iter()
                    .flat_map(|p| tm_model::Phase::parse_list(p))
                    .collect()
            }
            "Eligibility criteria" => {
                let s = criteria(body);
                t.eligibility.criteria_text = (!s.is_empty()).then_some(s);
            }
            "About" => {
                let who = heading.trim_start_matches("About ").trim().to_string();
                let d = repair_text(&body.join("\n"));
                if !d.is_empty() {
                    sponsor_desc = Some((who, d));
                }
            }
            "Contacts" => {} // site-wide boilerplate, not trial data
            "Locations" => {
                // Sites are `City, State, Country`; other lines (an unknown
                // heading and its text) are not sites.
                t.locations = body
                    .iter()
                    .filter(|l| l.contains(','))
                    .map(|l| parse_address(l, false))
                    .collect();
            }
            "Trial Officials" => t.officials = officials(body),
            "Timeline" => timeline(body, &mut t),
            "Similar Trials" => {
                for l in body {
                    for w in l.split(|c: char| !c.is_ascii_alphanumeric()) {
                        if identity::classify_registry_id(w) == Some("nct") {
                            t.related_trials.push(w.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }

    // Lead sponsor: "Launched by" gives it (often upper-case); the "About"
    // heading spells the same name in its usual case.
    let lead = match (&lead_name, &sponsor_desc) {
        (Some(l), Some((a, _))) if identity::normalise(l) == identity::normalise(a) => {
            Some(a.clone())
        }
        (Some(l), _) => Some(l.clone()),
        (None, Some((a, _))) => Some(a.clone()),
        (None, None) => None,
    };
    if let Some(name) = lead {
        let description = sponsor_desc
            .as_ref()
            .filter(|(a, _)| identity::normalise(a) == identity::normalise(&name))
            .map(|(_, d)| d.clone());
        t.sponsors.push(Sponsor {
            name,
            role: "lead".into(),
            class: None,
            description,
        });
    }
    t.id = identity::derived_id(&title, t.lead_sponsor());
    t.sources = vec![src];
    Ok(crate::merge::finalize(t))
}

/// `- Inclusion Criteria:` → `Inclusion Criteria:`; `- • text` → `• text`.
fn criteria(body: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    for l in body {
        let l = l.strip_prefix("- ").unwrap_or(l).trim();
        out.push(l.to_string());
    }
    repair_text(&out.join("\n"))
}

const ROLES: &[&str] = &[
    "Principal Investigator",
    "Study Chair",
    "Study Director",
    "Sub-Investigator",
    "Study Principal Investigator",
];

/// `Trial Officials`: name, role, affiliation.
fn officials(body: &[&str]) -> Vec<Official> {
    let is_role = |l: &str| ROLES.iter().any(|r| l.eq_ignore_ascii_case(r));
    let mut out = Vec::new();
    for (i, l) in body.iter().enumerate() {
        if !is_role(l) {
            continue;
        }
        let Some(name) = i.checked_sub(1).and_then(|p| body.get(p)) else {
            continue;
        };
        let aff = body
            .get(i + 1)
            .filter(|a| !is_role(a) && body.get(i + 2).is_none_or(|n| !is_role(n)));
        out.push(Official {
            name: repair_text(name),
            affiliation: aff.map(|a| repair_text(a)),
            role: Some(upper_enum(l)),
        });
    }
    out
}

/// `Timeline`: labels each optionally followed by a date.
fn timeline(body: &[&str], t: &mut Trial) {
    const LABELS: &[&str] = &[
        "First submit",
        "Trial launched",
        "Trial updated",
        "Estimated completion",
        "Completion",
    ];
    let is_label = |l: &str| LABELS.iter().any(|k| l.eq_ignore_ascii_case(k));
    for (i, l) in body.iter().enumerate() {
        if !is_label(l) {
            continue;
        }
        let Some(d) = body
            .get(i + 1)
            .filter(|v| !is_label(v))
            .and_then(|v| iso_date(v))
        else {
            continue;
        };
        match l.to_ascii_lowercase().as_str() {
            "first submit" => t.dates.first_posted = Some(d),
            "trial launched" => t.dates.start = Some(d),
            "trial updated" => t.dates.last_update = Some(d),
            _ => t.dates.completion = Some(d),
        }
    }
}
