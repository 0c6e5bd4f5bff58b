//! CT.gov study-page text (the page's visible text; seeds 000 and 002).
//!
//! The page is a title, `NCT ID:` and `Last Updated:` lines, then sections
//! recognised by their headings (`Basic Information`, `Brief Summary`,
//! `Study Groups`, `Locations`, …) in any order. Each heading is followed by
//! a boilerplate sentence ("Get a concise snapshot of the trial…") that is
//! dropped. Sections this reader does not know (a heading followed by such a
//! sentence) are skipped; a missing section simply leaves its fields empty.
//! Values sit on their own lines under a label; a label may have an empty
//! value (`Site Status` with nothing after it), so labels are recognised by
//! their text and a following label is never taken for a value.

use tm_model::{
    AgeLimit, Arm, Enrollment, Intervention, Location, Official, OverallStatus, Phase, Reference,
    ResponsibleParty, SexEligibility, SourceRef, Sponsor, Trial,
};

use crate::ctgov_csv::{parse_address, upper_enum};
use crate::identity::{self, content_hash};
use crate::repair::{decode_text, repair_text};
use crate::{RecordError, RecordResult};

const FORMAT: &str = "ctgov-page";

/// Section headings, as the page writes them.
const HEADINGS: &[&str] = &[
    "Study Results",
    "Basic Information",
    "Brief Summary",
    "Detailed Description",
    "Conditions",
    "Keywords",
    "Study Design",
    "Study Groups",
    "Interventions",
    "Other Intervention Names",
    "Eligibility Criteria",
    "Sponsors",
    "Collaborators",
    "Responsible Party",
    "Principal Investigators",
    "Locations",
    "Countries",
    "References",
    "Provided Documents",
    "Other Identifiers",
    "More Related Trials",
];

/// Sentences the page template puts under headings; never trial data.
const BOILERPLATE_STARTS: &[&str] = &[
    "Get a concise snapshot of the trial",
    "Review the sponsor-provided synopsis",
    "Dive into the extended narrative",
    "See the medical conditions",
    "Understand how the trial is structured",
    "Review each arm or cohort",
    "Learn about the drugs, procedures",
    "Discover alternative or legacy names",
    "Check the participation requirements",
    "Meet the organizations funding",
    "Identify the individual or organization",
    "Learn about the lead researchers",
    "Explore where the study is taking place",
    "Review the countries where the study",
    "Explore related publications",
    "Download supplemental materials",
    "Review additional registry numbers",
    "Additional clinical trials that may be relevant",
    "Check back later for updates",
    "The study team has not published",
    "Outcome measurements, participant flow",
    "View full results",
    "View Document",
];

/// Verbs the template's heading descriptions start with; a short line
/// followed by such a sentence is an (unknown) section heading.
const DESCRIPTION_VERBS: &[&str] = &[
    "Get ",
    "Review ",
    "Dive ",
    "See ",
    "Understand ",
    "Learn ",
    "Discover ",
    "Check ",
    "Meet ",
    "Identify ",
    "Explore ",
    "Download ",
    "Additional ",
    "Find ",
    "Browse ",
];

fn is_boilerplate(line: &str) -> bool {
    BOILERPLATE_STARTS.iter().any(|b| line.starts_with(b))
        || line.ends_with("Check back later for updates.")
}

fn heading_of(line: &str) -> Option<&'static str> {
    HEADINGS
        .iter()
        .find(|h| line.eq_ignore_ascii_case(h))
        .copied()
}

fn looks_like_description(line: &str) -> bool {
    DESCRIPTION_VERBS.iter().any(|v| line.starts_with(v)) && line.ends_with('.')
}

fn looks_like_unknown_heading(line: &str, next: Option<&str>) -> bool {
    let words = line.split_whitespace().count();
    (1..=5).contains(&words)
        && line.chars().next().is_some_and(|c| c.is_uppercase())
        && !line.ends_with(['.', ':', ';', ','])
        && next.is_some_and(looks_like_description)
}

/// One line of the page, with its position in the raw text.
#[derive(Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    /// Index in the raw line list (blank lines included).
    raw: usize,
}

struct Section<'a> {
    name: &'static str,
    lines: Vec<Line<'a>>,
}

/// Reads one CT.gov study page.
pub fn read(bytes: &[u8], file: &str, sink: &mut dyn FnMut(RecordResult)) {
    sink(parse(bytes, file));
}

fn err(file: &str, reason: &str) -> RecordError {
    RecordError {
        file: file.to_string(),
        record: None,
        reason: reason.to_string(),
    }
}

fn parse(bytes: &[u8], file: &str) -> RecordResult {
    let text = decode_text(bytes);
    let raw: Vec<&str> = text.lines().collect();
    let lines: Vec<Line> = raw
        .iter()
        .enumerate()
        .map(|(i, l)| Line {
            text: l.trim(),
            raw: i,
        })
        .filter(|l| !l.text.is_empty())
        .collect();

    // Header: everything before the first heading.
    let mut t = Trial::default();
    let mut sections: Vec<Section> = Vec::new();
    let mut header: Vec<Line> = Vec::new();
    let mut skipping_unknown = false;
    for (i, l) in lines.iter().enumerate() {
        if let Some(h) = heading_of(l.text) {
            sections.push(Section {
                name: h,
                lines: Vec::new(),
            });
            skipping_unknown = false;
            continue;
        }
        if is_boilerplate(l.text) {
            continue;
        }
        let next = lines.get(i + 1).map(|n| n.text);
        if !sections.is_empty() && looks_like_unknown_heading(l.text, next) {
            skipping_unknown = true;
            continue;
        }
        if skipping_unknown
            || looks_like_description(l.text) && i > 0 && {
                let prev = lines[i - 1].text;
                heading_of(prev).is_some() || looks_like_unknown_heading(prev, Some(l.text))
            }
        {
            continue;
        }
        match sections.last_mut() {
            Some(s) => s.lines.push(*l),
            None => header.push(*l),
        }
    }

    for l in &header {
        if let Some(v) = strip_label(l.text, "NCT ID:") {
            if identity::classify_registry_id(v) == Some("nct") {
                t.registry_ids
                    .push(identity::registry_id(v, "nct", Some("ClinicalTrials.gov")));
            }
        } else if let Some(v) = strip_label(l.text, "Last Updated:") {
            t.dates.last_update = crate::ctgov_csv::iso_date(v);
        } else if t.title.is_none() {
            t.title = Some(repair_text(l.text));
        }
    }
    if t.title.is_none() && t.nct_id().is_none() {
        return Err(err(
            file,
            "not a CT.gov study page: no title or NCT ID before the first section",
        ));
    }
    if sections.is_empty() {
        return Err(err(
            file,
            "not a CT.gov study page: no known section heading",
        ));
    }

    let mut other_names: Vec<String> = Vec::new();
    let mut ids: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for s in &sections {
        let ls: Vec<&str> = s.lines.iter().map(|l| l.text).collect();
        match s.name {
            "Study Results" => {
                for l in &ls {
                    let low = l.to_ascii_lowercase();
                    if low.starts_with("results available") || low.starts_with("has results") {
                        t.has_results = Some(true);
                    } else if low.starts_with("results pending") || low.starts_with("no results") {
                        t.has_results = Some(false);
                    }
                }
            }
            "Basic Information" => basic_information(&ls, &mut t),
            "Brief Summary" => t.brief_summary = paragraphs(&raw, &s.lines),
            "Detailed Description" => t.detailed_description = paragraphs(&raw, &s.lines),
            "Conditions" => t.conditions.extend(ls.iter().map(|l| repair_text(l))),
            "Keywords" => t.keywords.extend(ls.iter().map(|l| repair_text(l))),
            "Study Design" => study_design(&ls, &mut t),
            "Interventions" => t.interventions = interventions(&ls),
            "Study Groups" => {} // after Interventions, which it consults
            "Other Intervention Names" => other_names.extend(ls.iter().map(|l| repair_text(l))),
            "Eligibility Criteria" => eligibility(&raw, &s.lines, &mut t),
            "Sponsors" | "Collaborators" => sponsors(&ls, s.name, &mut t),
            "Responsible Party" => t.responsible_party = responsible_party(&ls),
            "Principal Investigators" => t.officials = officials(&ls),
            "Locations" => t.locations = locations(&ls),
            "Countries" => {}
            "References" => t.references = references(&ls),
            "Other Identifiers" => ids = other_identifiers(&ls),
            "More Related Trials" => {
                for l in &ls {
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
    if let Some(s) = sections.iter().find(|s| s.name == "Study Groups") {
        let ls: Vec<&str> = s.lines.iter().map(|l| l.text).collect();
        study_groups(&ls, &mut t);
    }
    if !other_names.is_empty() {
        if t.interventions.len() == 1 {
            t.interventions[0].other_names = other_names;
        } else {
            t.other_intervention_names = other_names;
        }
    }
    let lead = t.lead_sponsor().map(str::to_string);
    for (id, kind, source) in ids {
        let is_org = source.as_deref() == Some("org_study_id");
        let fallback_kind = if is_org { "org" } else { "other" };
        let mut r = identity::registry_id(
            &id,
            fallback_kind,
            if is_org { lead.as_deref() } else { None },
        );
        if r.source.is_none() {
            // The page's identifier source (`secondary_id`) and type.
            r.source = match (source.as_deref(), kind.as_deref()) {
                (Some(s), Some(k)) if k != "-" => Some(format!("{s} ({k})")),
                (Some(s), _) => Some(s.to_string()),
                (None, k) => k.filter(|k| *k != "-").map(str::to_string),
            };
        }
        if !t.registry_ids.iter().any(|x| x.id == r.id) {
            t.registry_ids.push(r);
        }
    }
    let own = t.nct_id().map(str::to_string);
    t.related_trials.retain(|r| Some(r) != own.as_ref());
    t.related_trials.sort();
    t.related_trials.dedup();

    t.sources = vec![SourceRef {
        format: FORMAT.into(),
        file: file.to_string(),
        record: None,
        content_hash: content_hash(bytes),
        current_as_of: None,
    }];
    Ok(crate::merge::finalize(t))
}

/// `label value` → `value` (label matched case-insensitively).
fn strip_label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let n = label.len();
    if line.len() >= n && line.is_char_boundary(n) && line[..n].eq_ignore_ascii_case(label) {
        Some(line[n..].trim())
    } else {
        None
    }
}

/// Paragraphs of a text section, blank lines between them preserved as one
/// empty line.
fn paragraphs(raw: &[&str], lines: &[Line]) -> Option<String> {
    let mut out = String::new();
    let mut prev: Option<usize> = None;
    for l in lines {
        if let Some(p) = prev {
            out.push_str(if l.raw > p + 1 { "\n\n" } else { "\n" });
        }
        out.push_str(raw.get(l.raw).map_or(l.text, |r| r.trim_end()));
        prev = Some(l.raw);
    }
    let out = repair_text(out.trim());
    (!out.is_empty()).then_some(out)
}

/// Label/value pairs where a value may be missing: a value is the line after
/// a label unless that line is itself a label.
fn pairs<'a>(ls: &[&'a str], labels: &[&str]) -> Vec<(&'a str, Option<&'a str>)> {
    let is_label = |l: &str| labels.iter().any(|k| l.eq_ignore_ascii_case(k));
    let mut out = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        if is_label(ls[i]) {
            let v = ls.get(i + 1).copied().filter(|v| !is_label(v));
            out.push((ls[i], v));
            i += if v.is_some() { 2 } else { 1 };
        } else {
            i += 1;
        }
    }
    out
}

fn basic_information(ls: &[&str], t: &mut Trial) {
    const LABELS: &[&str] = &[
        "Recruitment Status",
        "Clinical Phase",
        "Total Enrollment",
        "Study Classification",
        "Study Start Date",
        "Primary Completion Date",
        "Study Completion Date",
        "First Posted",
        "First Submitted",
        "Last Updated",
        "Acronym",
        "Official Title",
    ];
    for (k, v) in pairs(ls, LABELS) {
        let Some(v) = v else { continue };
        match k.to_ascii_lowercase().as_str() {
            "recruitment status" => t.status = OverallStatus::parse(v),
            "clinical phase" => t.phase = Phase::parse_list(v),
            "total enrollment" => {
                let digits: String = v
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .filter(char::is_ascii_digit)
                    .collect();
                if let Ok(count) = digits.parse::<u32>() {
                    let low = v.to_ascii_lowercase();
                    let kind = if low.contains("actual") {
                        Some("ACTUAL".to_string())
                    } else if low.contains("estimated") || low.contains("anticipated") {
                        Some("ESTIMATED".to_string())
                    } else {
                        None
                    };
                    t.enrollment = Some(Enrollment { count, kind });
                }
            }
            "study classification" => t.study_type = Some(upper_enum(v)),
            "study start date" => t.dates.start = crate::ctgov_csv::iso_date(v),
            "primary completion date" => t.dates.primary_completion = crate::ctgov_csv::iso_date(v),
            "study completion date" => t.dates.completion = crate::ctgov_csv::iso_date(v),
            "first posted" | "first submitted" => {
                t.dates.first_posted = crate::ctgov_csv::iso_date(v)
            }
            "last updated" => t.dates.last_update = crate::ctgov_csv::iso_date(v),
            "acronym" => t.acronym = Some(repair_text(v)),
            "official title" => t.official_title = Some(repair_text(v)),
            _ => {}
        }
    }
}

fn study_design(ls: &[&str], t: &mut Trial) {
    const LABELS: &[&str] = &[
        "Allocation Method",
        "Intervention Model",
        "Primary Study Purpose",
        "Blinding Strategy",
        "Observational Model",
        "Time Perspective",
    ];
    for (k, v) in pairs(ls, LABELS) {
        let Some(v) = v else { continue };
        let v = upper_enum(v);
        match k.to_ascii_lowercase().as_str() {
            "allocation method" => t.design.allocation = Some(v),
            "intervention model" => t.design.intervention_model = Some(v),
            "primary study purpose" => t.design.primary_purpose = Some(v),
            "blinding strategy" => t.design.masking = Some(v),
            "observational model" | "time perspective" => {
                t.design.observational_model = Some(match t.design.observational_model.take() {
                    Some(prev) => format!("{prev}|{v}"),
                    None => v,
                })
            }
            _ => {}
        }
    }
}

/// `Interventions` section: name, description lines, `Intervention Type X`.
fn interventions(ls: &[&str]) -> Vec<Intervention> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, l) in ls.iter().enumerate() {
        if let Some(kind) = strip_label(l, "Intervention Type") {
            let block = &ls[start..i];
            if let Some((name, desc)) = block.split_first() {
                let desc = desc.join("\n");
                out.push(Intervention {
                    kind: upper_enum(kind),
                    name: repair_text(name),
                    description: (!desc.is_empty()).then(|| repair_text(&desc)),
                    ..Default::default()
                });
            }
            start = i + 1;
        }
    }
    out
}

/// `Study Groups`: per arm a label, description lines, `Group Type X`, then
/// its interventions as name, `Intervention Type X`, description.
fn study_groups(ls: &[&str], t: &mut Trial) {
    let known_desc = |name: &str| -> Option<String> {
        t.interventions
            .iter()
            .find(|iv| identity::normalise(&iv.name) == identity::normalise(name))
            .map(|iv| iv.description.clone().unwrap_or_default())
    };
    let is_anchor = |l: &str| {
        strip_label(l, "Group Type").is_some() || strip_label(l, "Intervention Type").is_some()
    };
    let mut arms: Vec<Arm> = Vec::new();
    let mut found: Vec<Intervention> = Vec::new();
    let mut pending: Vec<&str> = Vec::new(); // lines not yet assigned
    let mut i = 0;
    while i < ls.len() {
        let l = ls[i];
        if let Some(kind) = strip_label(l, "Group Type") {
            if let Some((label, desc)) = pending.split_first() {
                let desc = desc.join("\n");
                arms.push(Arm {
                    label: repair_text(label),
                    kind: Some(upper_enum(kind)),
                    description: (!desc.is_empty()).then(|| repair_text(&desc)),
                    interventions: Vec::new(),
                });
            }
            pending.clear();
            i += 1;
            continue;
        }
        // name followed by "Intervention Type X"
        if let Some(kind) = ls
            .get(i + 1)
            .and_then(|n| strip_label(n, "Intervention Type"))
        {
            let name = repair_text(l);
            let mut j = i + 2;
            let mut desc: Option<String> = None;
            if let Some(d) = ls.get(j).filter(|d| !is_anchor(d)) {
                let take = match known_desc(&name) {
                    Some(k) => !k.is_empty() && repair_text(d) == k,
                    // Unknown (no Interventions section): one description
                    // line, unless the line is followed by a type line (it
                    // is then a name or an arm label).
                    None => ls.get(j + 1).is_none_or(|n| !is_anchor(n)),
                };
                if take {
                    desc = Some(repair_text(d));
                    j += 1;
                }
            }
            if let Some(arm) = arms.last_mut() {
                arm.interventions.push(name.clone());
            }
            if !found.iter().any(|f| f.name == name) {
                found.push(Intervention {
                    kind: upper_enum(kind),
                    name,
                    description: desc,
                    ..Default::default()
                });
            }
            pending.clear();
            i = j;
            continue;
        }
        pending.push(l);
        i += 1;
    }
    // Interventions section missing: use what the groups list.
    if t.interventions.is_empty() {
        t.interventions = found;
    }
    for iv in &mut t.interventions {
        let n = identity::normalise(&iv.name);
        iv.arm_labels = arms
            .iter()
            .filter(|a| a.interventions.iter().any(|x| identity::normalise(x) == n))
            .map(|a| a.label.clone())
            .collect();
    }
    t.arms = arms;
}

/// Criteria text: everything between the section's description and the
/// first age/sex/volunteer label, line structure kept, repaired.
fn eligibility(raw: &[&str], lines: &[Line], t: &mut Trial) {
    const LABELS: &[&str] = &[
        "Minimum Eligible Age",
        "Maximum Eligible Age",
        "Eligible Sex",
        "Accepts Healthy Volunteers",
        "Age Groups",
        "Standard Age Groups",
    ];
    let is_label = |l: &str| LABELS.iter().any(|k| l.eq_ignore_ascii_case(k));
    let end = lines
        .iter()
        .position(|l| is_label(l.text))
        .unwrap_or(lines.len());
    if let (Some(first), Some(last)) = (lines.first(), lines[..end].last()) {
        // Line structure kept; runs of blank lines become one blank line.
        let mut text: Vec<&str> = Vec::new();
        for l in raw.get(first.raw..=last.raw).unwrap_or_default() {
            let l = l.trim_end();
            if l.trim().is_empty() && text.last().is_some_and(|p| p.trim().is_empty()) {
                continue;
            }
            text.push(l);
        }
        let text = repair_text(text.join("\n").trim());
        if !text.is_empty() {
            t.eligibility.criteria_text = Some(text);
        }
    }
    let ls: Vec<&str> = lines[end..].iter().map(|l| l.text).collect();
    for (k, v) in pairs(&ls, LABELS) {
        let Some(v) = v else { continue };
        match k.to_ascii_lowercase().as_str() {
            "minimum eligible age" => t.eligibility.min_age = AgeLimit::parse(v),
            "maximum eligible age" => t.eligibility.max_age = AgeLimit::parse(v),
            "eligible sex" => t.eligibility.sex = SexEligibility::parse(v),
            "accepts healthy volunteers" => {
                t.eligibility.healthy_volunteers = match v.to_ascii_lowercase().as_str() {
                    "yes" | "true" => Some(true),
                    "no" | "false" => Some(false),
                    _ => None,
                }
            }
            _ => {
                t.eligibility.std_ages = v
                    .split([',', '|'])
                    .map(upper_enum)
                    .filter(|s| !s.is_empty())
                    .collect()
            }
        }
    }
}

const SPONSOR_CLASSES: &[&str] = &[
    "INDUSTRY",
    "NIH",
    "FED",
    "OTHER_GOV",
    "NETWORK",
    "INDIV",
    "OTHER",
    "UNKNOWN",
    "AMBIG",
];

/// `Sponsors`: name, class, `Sponsor Role lead|collaborator`.
fn sponsors(ls: &[&str], section: &str, t: &mut Trial) {
    let mut block: Vec<&str> = Vec::new();
    let flush = |block: &mut Vec<&str>, role: Option<&str>, t: &mut Trial| {
        if let Some((name, rest)) = block.split_first() {
            let class = rest
                .iter()
                .find(|c| SPONSOR_CLASSES.contains(&c.to_ascii_uppercase().as_str()))
                .map(|c| c.to_ascii_uppercase());
            let role = role.map(|r| r.to_ascii_lowercase()).unwrap_or_else(|| {
                if section == "Collaborators" {
                    "collaborator".into()
                } else {
                    "lead".into()
                }
            });
            t.sponsors.push(Sponsor {
                name: repair_text(name),
                role,
                class,
                description: None,
            });
        }
        block.clear();
    };
    for l in ls {
        if let Some(role) = strip_label(l, "Sponsor Role") {
            flush(&mut block, Some(role), t);
        } else if block.len() >= 2 {
            // A sponsor without a role line: name and class already seen.
            flush(&mut block, None, t);
            block.push(l);
        } else {
            block.push(l);
        }
    }
    flush(&mut block, None, t);
    // Lead sponsor first.
    t.sponsors.sort_by_key(|s| s.role != "lead");
}

fn responsible_party(ls: &[&str]) -> Option<ResponsibleParty> {
    let mut rp = ResponsibleParty::default();
    let mut rest = Vec::new();
    for l in ls {
        if let Some(r) = strip_label(l, "Responsibility Role") {
            rp.kind = Some(upper_enum(r));
        } else {
            rest.push(*l);
        }
    }
    // Name then the investigator's title (kept as affiliation text only when
    // a third line names the institution).
    rp.name = rest.first().map(|s| repair_text(s));
    rp.affiliation = rest.get(2).map(|s| repair_text(s));
    (rp != ResponsibleParty::default()).then_some(rp)
}

/// `Principal Investigators`: name, `Role: X`, affiliation.
fn officials(ls: &[&str]) -> Vec<Official> {
    let mut out = Vec::new();
    for (i, l) in ls.iter().enumerate() {
        if let Some(role) = strip_label(l, "Role:") {
            let Some(name) = i.checked_sub(1).and_then(|p| ls.get(p)) else {
                continue;
            };
            if strip_label(name, "Role:").is_some() {
                continue;
            }
            let aff = ls.get(i + 1).filter(|a| {
                strip_label(a, "Role:").is_none()
                    && ls
                        .get(i + 2)
                        .is_none_or(|n| strip_label(n, "Role:").is_none())
            });
            out.push(Official {
                name: repair_text(name),
                affiliation: aff.map(|a| repair_text(a)),
                role: Some(upper_enum(role)),
            });
        }
    }
    out
}

/// `Locations`: facility, `City, State, Country`, `Site Status [value]` — the
/// status value may be empty, on the same line or on the next.
fn locations(ls: &[&str]) -> Vec<Location> {
    let mut out = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        let l = ls[i];
        if let Some(v) = strip_label(l, "Site Status") {
            let mut status = OverallStatus::parse(v).map(|s| s.as_str().to_string());
            if v.is_empty() {
                if let Some(s) = ls.get(i + 1).and_then(|n| OverallStatus::parse(n)) {
                    status = Some(s.as_str().to_string());
                    i += 1;
                }
            }
            out.push(location_from(&block, status));
            block.clear();
        } else {
            block.push(l);
        }
        i += 1;
    }
    if !block.is_empty() {
        // Trailing sites without a status line.
        for pair in block.chunks(2) {
            out.push(location_from(pair, None));
        }
    }
    out
}

fn location_from(block: &[&str], status: Option<String>) -> Location {
    let mut loc = match block {
        [] => Location::default(),
        [one] if one.contains(',') => parse_address(one, false),
        [one] => Location {
            facility: Some(repair_text(one)),
            ..Default::default()
        },
        [facility @ .., address] => {
            let mut l = parse_address(address, false);
            l.facility = Some(repair_text(&facility.join(" ")));
            l
        }
    };
    loc.status = status;
    loc
}

/// `References`: citation lines, `Reference Type X`, `PMID: N (View on PubMed)`.
fn references(ls: &[&str]) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    let mut cur = Reference::default();
    let mut complete = false;
    for l in ls {
        if let Some(k) = strip_label(l, "Reference Type") {
            cur.kind = Some(upper_enum(k));
            complete = true;
        } else if let Some(p) = strip_label(l, "PMID:") {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() {
                cur.pmid = Some(digits);
            }
            complete = true;
        } else {
            if complete {
                out.push(std::mem::take(&mut cur));
                complete = false;
            }
            let text = repair_text(l);
            cur.citation = Some(match cur.citation.take() {
                Some(c) => format!("{c} {text}"),
                None => text,
            });
        }
    }
    if cur != Reference::default() {
        out.push(cur);
    }
    out
}

/// `Other Identifiers`: id, `Identifier Type: X`, `Identifier Source: Y`.
fn other_identifiers(ls: &[&str]) -> Vec<(String, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    for (i, l) in ls.iter().enumerate() {
        if let Some(kind) = strip_label(l, "Identifier Type:") {
            let Some(id) = i.checked_sub(1).and_then(|p| ls.get(p)) else {
                continue;
            };
            let source = ls
                .get(i + 1)
                .and_then(|s| strip_label(s, "Identifier Source:"))
                .map(str::to_string);
            out.push((id.to_string(), Some(kind.to_string()), source));
        }
    }
    out
}
