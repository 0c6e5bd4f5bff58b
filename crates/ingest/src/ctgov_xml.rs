//! ClinicalTrials.gov classic XML (`<clinical_study>`, the pre-2024 bulk
//! download, one study per file), read with quick-xml in one streaming pass
//! over the events; the results section (`<clinical_results>`) is cut out
//! and mapped by [`crate::results::from_xml`].
//!
//! Classic text spellings are normalised to API v2 enum spellings
//! (`Interventional` → `INTERVENTIONAL`, `Non-Randomized` → `NON_RANDOMIZED`,
//! `Single Group Assignment` → `SINGLE_GROUP`, `None (Open Label)` → `NONE`,
//! `Educational/Counseling/Training` → `ECT`, `U.S. Fed` → `FED`,
//! `Anticipated` → `ESTIMATED`, `Phase 1/Phase 2` → both phases …) and
//! dates (`July 3, 2007`, `January 2007`) to ISO (`2007-07-03`, `2007-01`).
//!
//! Text: entity and character references are decoded (`&#xD;` becomes a
//! carriage return, so CRLF line ends in the source stay CRLF); line ends
//! are not normalised. A `<textblock>` (summaries, eligibility criteria) is
//! kept exactly as the source has it — including the indentation of every
//! line — except that leading and trailing whitespace of the whole block is
//! trimmed (the indentation before the first line and the newline plus
//! indentation before `</textblock>` belong to the XML layout, not to the
//! text). Every text then goes through [`crate::repair::repair_text`].
//!
//! Secondary ids carry no type in this format: the kind is recognised from
//! the id's shape (see [`crate::ctgov_json`]), else `other`. `nct_alias`
//! ids go to `Trial::aliases`. `<reference>` maps to type `BACKGROUND`,
//! `<results_reference>` to `RESULT`.

use crate::ctgov_json::{pick_id, secondary_registry_id};
use crate::detect::{strip_bom, Format};
use crate::identity::content_hash;
use crate::repair::repair_text;
use crate::{RecordError, RecordResult};
use quick_xml::events::Event;
use quick_xml::Reader;
use tm_model::{
    AgeLimit, Arm, Enrollment, Intervention, Location, Official, Outcome, OverallStatus, Phase,
    RegistryId, ResponsibleParty, SexEligibility, SourceRef, Sponsor, Trial,
};

/// Reads one classic XML document, calling `sink` once.
pub fn read(bytes: &[u8], file: &str, sink: &mut dyn FnMut(RecordResult)) {
    sink(parse(bytes, file).map_err(|(pos, reason)| RecordError {
        file: file.to_string(),
        record: Some(format!("byte {pos}")),
        reason,
    }));
}

/// Element names the reader cares about; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    ClinicalStudy,
    IdInfo,
    OrgStudyId,
    SecondaryId,
    NctId,
    NctAlias,
    BriefTitle,
    OfficialTitle,
    Acronym,
    Sponsors,
    LeadSponsor,
    Collaborator,
    Agency,
    AgencyClass,
    BriefSummary,
    DetailedDescription,
    Textblock,
    OverallStatus,
    StartDate,
    CompletionDate,
    PrimaryCompletionDate,
    StudyFirstPosted,
    LastUpdatePosted,
    Phase,
    StudyType,
    StudyDesignInfo,
    Allocation,
    InterventionModel,
    PrimaryPurpose,
    Masking,
    ObservationalModel,
    TimePerspective,
    PrimaryOutcome,
    SecondaryOutcome,
    OtherOutcome,
    Measure,
    TimeFrame,
    Description,
    Enrollment,
    Condition,
    Keyword,
    ArmGroup,
    ArmGroupLabel,
    ArmGroupType,
    Intervention,
    InterventionType,
    InterventionName,
    OtherName,
    Eligibility,
    Criteria,
    Gender,
    MinimumAge,
    MaximumAge,
    HealthyVolunteers,
    OverallOfficial,
    LastName,
    Role,
    Affiliation,
    Location,
    Facility,
    Name,
    Address,
    City,
    State,
    Zip,
    Country,
    Status,
    Reference,
    ResultsReference,
    Citation,
    Pmid,
    ResponsibleParty,
    ResponsiblePartyType,
    InvestigatorFullName,
    InvestigatorAffiliation,
    NameTitle,
    Organization,
    ClinicalResults,
    Other,
}

fn tag(name: &[u8]) -> Tag {
    use Tag::*;
    match name {
        b"clinical_study" => ClinicalStudy,
        b"id_info" => IdInfo,
        b"org_study_id" => OrgStudyId,
        b"secondary_id" => SecondaryId,
        b"nct_id" => NctId,
        b"nct_alias" => NctAlias,
        b"brief_title" => BriefTitle,
        b"official_title" => OfficialTitle,
        b"acronym" => Acronym,
        b"sponsors" => Sponsors,
        b"lead_sponsor" => LeadSponsor,
        b"collaborator" => Collaborator,
        b"agency" => Agency,
        b"agency_class" => AgencyClass,
        b"brief_summary" => BriefSummary,
        b"detailed_description" => DetailedDescription,
        b"textblock" => Textblock,
        b"overall_status" => OverallStatus,
        b"start_date" => StartDate,
        b"completion_date" => CompletionDate,
        b"primary_completion_date" => PrimaryCompletionDate,
        b"study_first_posted" => StudyFirstPosted,
        b"last_update_posted" => LastUpdatePosted,
        b"phase" => Phase,
        b"study_type" => StudyType,
        b"study_design_info" => StudyDesignInfo,
        b"allocation" => Allocation,
        b"intervention_model" => InterventionModel,
        b"primary_purpose" => PrimaryPurpose,
        b"masking" => Masking,
        b"observational_model" => ObservationalModel,
        b"time_perspective" => TimePerspective,
        b"primary_outcome" => PrimaryOutcome,
        b"secondary_outcome" => SecondaryOutcome,
        b"other_outcome" => OtherOutcome,
        b"measure" => Measure,
        b"time_frame" => TimeFrame,
        b"description" => Description,
        b"enrollment" => Enrollment,
        b"condition" => Condition,
        b"keyword" => Keyword,
        b"arm_group" => ArmGroup,
        b"arm_group_label" => ArmGroupLabel,
        b"arm_group_type" => ArmGroupType,
        b"intervention" => Intervention,
        b"intervention_type" => InterventionType,
        b"intervention_name" => InterventionName,
        b"other_name" => OtherName,
        b"eligibility" => Eligibility,
        b"criteria" => Criteria,
        b"gender" => Gender,
        b"minimum_age" => MinimumAge,
        b"maximum_age" => MaximumAge,
        b"healthy_volunteers" => HealthyVolunteers,
        b"overall_official" => OverallOfficial,
        b"last_name" => LastName,
        b"role" => Role,
        b"affiliation" => Affiliation,
        b"location" => Location,
        b"facility" => Facility,
        b"name" => Name,
        b"address" => Address,
        b"city" => City,
        b"state" => State,
        b"zip" => Zip,
        b"country" => Country,
        b"status" => Status,
        b"reference" => Reference,
        b"results_reference" => ResultsReference,
        b"citation" => Citation,
        b"PMID" => Pmid,
        b"responsible_party" => ResponsibleParty,
        b"responsible_party_type" => ResponsiblePartyType,
        b"investigator_full_name" => InvestigatorFullName,
        b"investigator_affiliation" => InvestigatorAffiliation,
        b"name_title" => NameTitle,
        b"organization" => Organization,
        b"clinical_results" => ClinicalResults,
        _ => Other,
    }
}

/// Records under construction while their element is open.
#[derive(Default)]
struct Open {
    sponsor: Sponsor,
    outcome: Outcome,
    arm: Arm,
    intervention: Intervention,
    official: Official,
    location: Location,
    reference: tm_model::Reference,
    party: tm_model::ResponsibleParty,
    enrollment_type: Option<String>,
    allocation: Option<String>,
    observational_model: Option<String>,
    time_perspective: Option<String>,
}

type Fail = (u64, String);

fn parse(bytes: &[u8], file: &str) -> Result<Trial, Fail> {
    let body = strip_bom(bytes);
    let bom = (bytes.len() - body.len()) as u64;
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Tag> = Vec::with_capacity(16);
    let mut buf = String::new();
    let mut t = Trial::default();
    let mut nct: Option<String> = None;
    let mut secondary: Vec<RegistryId> = Vec::new();
    let mut org: Option<String> = None;
    let mut open = Open::default();
    let mut saw_root = false;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let pos = bom + reader.error_position();
                return Err((pos, format!("malformed XML at byte {pos}: {e}")));
            }
        };
        match ev {
            Event::Start(e) => {
                let tg = tag(e.name().as_ref());
                if stack.is_empty() {
                    if tg != Tag::ClinicalStudy {
                        let pos = bom + reader.buffer_position();
                        return Err((
                            pos,
                            format!(
                                "not a classic CT.gov XML study: root element <{}>",
                                String::from_utf8_lossy(e.name().as_ref())
                            ),
                        ));
                    }
                    saw_root = true;
                }
                if tg == Tag::ClinicalResults && stack.len() == 1 {
                    // The results section is read apart (crate::results).
                    t.has_results = Some(true);
                    let end = e.to_end().into_owned();
                    match reader.read_to_end(end.name()) {
                        Ok(span) => {
                            let inner = &body[span.start as usize..span.end as usize];
                            t.results = crate::results::from_xml(inner).map_err(|m| {
                                let pos = bom + span.start;
                                (pos, format!("{m} (results section at byte {pos})"))
                            })?;
                        }
                        Err(err) => {
                            let pos = bom + reader.error_position();
                            return Err((pos, format!("malformed XML at byte {pos}: {err}")));
                        }
                    }
                    buf.clear();
                    continue;
                }
                if tg == Tag::Enrollment && stack.len() == 1 {
                    open.enrollment_type = e
                        .try_get_attribute("type")
                        .ok()
                        .flatten()
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()));
                }
                stack.push(tg);
                buf.clear();
            }
            Event::Empty(e) => {
                // `<x/>`: an element with empty text.
                let tg = tag(e.name().as_ref());
                if stack.is_empty() {
                    let pos = bom + reader.buffer_position();
                    return Err((pos, "not a classic CT.gov XML study: empty root".into()));
                }
                stack.push(tg);
                buf.clear();
                end_element(
                    &stack,
                    "",
                    &mut t,
                    &mut open,
                    &mut nct,
                    &mut secondary,
                    &mut org,
                );
                stack.pop();
            }
            Event::Text(e) => {
                // Text matters only inside elements the reader knows.
                if stack.len() > 1 && stack.last() != Some(&Tag::Other) {
                    let s = e.decode().map_err(|err| {
                        let pos = bom + reader.buffer_position();
                        (pos, format!("invalid text encoding near byte {pos}: {err}"))
                    })?;
                    buf.push_str(&s);
                }
            }
            Event::CData(e) => {
                if stack.len() > 1 {
                    let s = e.decode().map_err(|err| {
                        let pos = bom + reader.buffer_position();
                        (pos, format!("invalid text encoding near byte {pos}: {err}"))
                    })?;
                    buf.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if stack.len() > 1 {
                    let pos = bom + reader.buffer_position();
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => buf.push(c),
                        Ok(None) => {
                            let name = r.decode().map_err(|err| {
                                (pos, format!("invalid entity near byte {pos}: {err}"))
                            })?;
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(s) => buf.push_str(s),
                                None => {
                                    // Unknown entity: kept as written.
                                    buf.push('&');
                                    buf.push_str(&name);
                                    buf.push(';');
                                }
                            }
                        }
                        Err(err) => {
                            return Err((
                                pos,
                                format!("bad character reference near byte {pos}: {err}"),
                            ))
                        }
                    }
                }
            }
            Event::End(_) => {
                let text = std::mem::take(&mut buf);
                end_element(
                    &stack,
                    &text,
                    &mut t,
                    &mut open,
                    &mut nct,
                    &mut secondary,
                    &mut org,
                );
                buf = text;
                buf.clear();
                stack.pop();
                if stack.is_empty() {
                    break;
                }
            }
            Event::Eof => {
                let pos = bom + reader.buffer_position();
                return Err(if !saw_root {
                    (
                        pos,
                        "not a classic CT.gov XML study: no <clinical_study> element".into(),
                    )
                } else {
                    (
                        pos,
                        format!(
                            "truncated XML: end of file at byte {pos} inside <{}>",
                            stack
                                .last()
                                .map_or("clinical_study".to_string(), |t| format!("{t:?}"))
                        ),
                    )
                });
            }
            // Entity declarations are never expanded (no billion laughs, no
            // XXE); a record relying on them would keep `&name;` in its
            // text, so it is refused.
            Event::DocType(d) if has_entity_declaration(&d) => {
                let pos = bom + reader.buffer_position();
                return Err((
                    pos,
                    "XML with a DTD declaring entities (<!ENTITY …>) is refused: \
                     entities are not expanded"
                        .into(),
                ));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }

    // Identifiers: NCT id first, then secondary ids, then the org id.
    if let Some(n) = nct {
        t.registry_ids.push(RegistryId {
            id: n,
            kind: "nct".into(),
            source: Some("ClinicalTrials.gov".into()),
        });
    }
    t.registry_ids.append(&mut secondary);
    if let Some(o) = org {
        t.registry_ids.push(RegistryId {
            id: o,
            kind: "org".into(),
            source: t.lead_sponsor().map(str::to_string),
        });
    }
    t.id = pick_id(&t);
    if let Some(k) = open.enrollment_type.take() {
        if let Some(e) = t.enrollment.as_mut() {
            e.kind = Some(enrollment_kind(&k));
        }
    }
    t.design.allocation = open.allocation.take();
    t.design.observational_model = match (open.observational_model, open.time_perspective) {
        (Some(m), Some(tp)) => Some(format!("{m}; {tp}")),
        (m, tp) => m.or(tp),
    };
    if t.has_results.is_none() {
        t.has_results = Some(false);
    }
    t.sources.push(SourceRef {
        format: Format::CtgovXml.name().into(),
        file: file.into(),
        record: None,
        content_hash: content_hash(bytes),
        current_as_of: None,
    });
    Ok(t)
}

/// Non-empty trimmed text.
/// A DOCTYPE whose internal subset declares an entity.
fn has_entity_declaration(d: &quick_xml::events::BytesText<'_>) -> bool {
    let raw: &[u8] = d.as_ref();
    raw.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY"))
}

fn val(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Non-empty trimmed human text, through text repair.
fn txt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| repair_text(s))
}

fn end_element(
    stack: &[Tag],
    text: &str,
    t: &mut Trial,
    open: &mut Open,
    nct: &mut Option<String>,
    secondary: &mut Vec<RegistryId>,
    org: &mut Option<String>,
) {
    use Tag as T;
    // Paths below the root.
    let path = match stack.split_first() {
        Some((T::ClinicalStudy, rest)) => rest,
        _ => return,
    };
    match path {
        [T::IdInfo, T::NctId] => *nct = val(text),
        [T::IdInfo, T::OrgStudyId] => *org = val(text),
        [T::IdInfo, T::SecondaryId] => {
            if let Some(id) = val(text) {
                secondary.push(secondary_registry_id(&id, None, None));
            }
        }
        [T::IdInfo, T::NctAlias] => t.aliases.extend(val(text)),
        [T::BriefTitle] => t.title = txt(text),
        [T::OfficialTitle] => t.official_title = txt(text),
        [T::Acronym] => t.acronym = txt(text),
        [T::Sponsors, T::LeadSponsor | T::Collaborator, T::Agency] => {
            open.sponsor.name = txt(text).unwrap_or_default()
        }
        [T::Sponsors, T::LeadSponsor | T::Collaborator, T::AgencyClass] => {
            open.sponsor.class = val(text).map(|c| agency_class(&c))
        }
        [T::Sponsors, role @ (T::LeadSponsor | T::Collaborator)] => {
            let mut s = std::mem::take(&mut open.sponsor);
            s.role = if *role == T::LeadSponsor {
                "lead"
            } else {
                "collaborator"
            }
            .into();
            if !s.name.is_empty() {
                t.sponsors.push(s);
            }
        }
        [T::BriefSummary, T::Textblock] => t.brief_summary = txt(text),
        [T::DetailedDescription, T::Textblock] => t.detailed_description = txt(text),
        [T::OverallStatus] => t.status = OverallStatus::parse(text),
        [T::StartDate] => t.dates.start = iso_date(text),
        [T::CompletionDate] => t.dates.completion = iso_date(text),
        [T::PrimaryCompletionDate] => t.dates.primary_completion = iso_date(text),
        [T::StudyFirstPosted] => t.dates.first_posted = iso_date(text),
        [T::LastUpdatePosted] => t.dates.last_update = iso_date(text),
        [T::Phase] => {
            let mut p = Phase::parse_list(text);
            t.phase.append(&mut p);
            t.phase.sort();
            t.phase.dedup();
        }
        [T::StudyType] => {
            // `Observational [Patient Registry]` → `OBSERVATIONAL`.
            let base = text.split('[').next().unwrap_or(text);
            t.study_type = val(base).map(|s| enum_spelling(&s));
        }
        [T::StudyDesignInfo, field] => {
            let v = val(text);
            match field {
                T::Allocation => open.allocation = v.map(|s| allocation(&s)),
                T::InterventionModel => {
                    t.design.intervention_model = v.map(|s| {
                        enum_spelling(s.trim_end_matches("Assignment").trim_end_matches(' '))
                    })
                }
                T::PrimaryPurpose => t.design.primary_purpose = v.map(|s| primary_purpose(&s)),
                T::Masking => t.design.masking = v.map(|s| masking(&s)),
                T::ObservationalModel => open.observational_model = v.map(|s| enum_spelling(&s)),
                T::TimePerspective => open.time_perspective = v.map(|s| enum_spelling(&s)),
                _ => {}
            }
        }
        [T::PrimaryOutcome | T::SecondaryOutcome | T::OtherOutcome, field] => match field {
            T::Measure => open.outcome.measure = txt(text).unwrap_or_default(),
            T::TimeFrame => open.outcome.time_frame = txt(text),
            T::Description => open.outcome.description = txt(text),
            _ => {}
        },
        [kind @ (T::PrimaryOutcome | T::SecondaryOutcome | T::OtherOutcome)] => {
            let o = std::mem::take(&mut open.outcome);
            if !o.measure.is_empty() {
                match kind {
                    T::PrimaryOutcome => t.outcomes.primary.push(o),
                    T::SecondaryOutcome => t.outcomes.secondary.push(o),
                    _ => t.outcomes.other.push(o),
                }
            }
        }
        [T::Enrollment] => {
            t.enrollment = text
                .trim()
                .parse::<u32>()
                .ok()
                .map(|count| Enrollment { count, kind: None })
        }
        [T::Condition] => t.conditions.extend(txt(text)),
        [T::Keyword] => t.keywords.extend(txt(text)),
        [T::ArmGroup, field] => match field {
            T::ArmGroupLabel => open.arm.label = txt(text).unwrap_or_default(),
            T::ArmGroupType => open.arm.kind = val(text).map(|s| enum_spelling(&s)),
            T::Description => open.arm.description = txt(text),
            _ => {}
        },
        [T::ArmGroup] => {
            let a = std::mem::take(&mut open.arm);
            if !a.label.is_empty() {
                t.arms.push(a);
            }
        }
        [T::Intervention, field] => match field {
            T::InterventionType => {
                open.intervention.kind = val(text).map(|s| enum_spelling(&s)).unwrap_or_default()
            }
            T::InterventionName => open.intervention.name = txt(text).unwrap_or_default(),
            T::Description => open.intervention.description = txt(text),
            T::OtherName => open.intervention.other_names.extend(txt(text)),
            T::ArmGroupLabel => open.intervention.arm_labels.extend(txt(text)),
            _ => {}
        },
        [T::Intervention] => {
            let mut i = std::mem::take(&mut open.intervention);
            if !i.name.is_empty() {
                if i.kind.is_empty() {
                    i.kind = "OTHER".into();
                }
                t.interventions.push(i);
            }
        }
        [T::Eligibility, T::Criteria, T::Textblock] => t.eligibility.criteria_text = txt(text),
        [T::Eligibility, T::Gender] => t.eligibility.sex = SexEligibility::parse(text),
        [T::Eligibility, T::MinimumAge] => t.eligibility.min_age = AgeLimit::parse(text),
        [T::Eligibility, T::MaximumAge] => t.eligibility.max_age = AgeLimit::parse(text),
        [T::Eligibility, T::HealthyVolunteers] => {
            t.eligibility.healthy_volunteers = match text.trim().to_ascii_lowercase().as_str() {
                "accepts healthy volunteers" | "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            }
        }
        [T::OverallOfficial, field] => match field {
            T::LastName => open.official.name = txt(text).unwrap_or_default(),
            T::Role => open.official.role = val(text).map(|s| enum_spelling(&s)),
            T::Affiliation => open.official.affiliation = txt(text),
            _ => {}
        },
        [T::OverallOfficial] => {
            let o = std::mem::take(&mut open.official);
            if !o.name.is_empty() {
                t.officials.push(o);
            }
        }
        [T::Location, T::Facility, T::Name] => open.location.facility = txt(text),
        [T::Location, T::Facility, T::Address, field] => match field {
            T::City => open.location.city = txt(text),
            T::State => open.location.state = txt(text),
            T::Zip => open.location.zip = val(text),
            T::Country => open.location.country = txt(text),
            _ => {}
        },
        [T::Location, T::Status] => open.location.status = val(text).map(|s| site_status(&s)),
        [T::Location] => t.locations.push(std::mem::take(&mut open.location)),
        [T::Reference | T::ResultsReference, T::Citation] => open.reference.citation = txt(text),
        [T::Reference | T::ResultsReference, T::Pmid] => open.reference.pmid = val(text),
        [kind @ (T::Reference | T::ResultsReference)] => {
            let mut r = std::mem::take(&mut open.reference);
            if r.citation.is_some() || r.pmid.is_some() {
                r.kind = Some(
                    if *kind == T::Reference {
                        "BACKGROUND"
                    } else {
                        "RESULT"
                    }
                    .into(),
                );
                t.references.push(r);
            }
        }
        [T::ResponsibleParty, field] => match field {
            T::ResponsiblePartyType => open.party.kind = val(text).map(|s| enum_spelling(&s)),
            T::InvestigatorFullName | T::NameTitle if open.party.name.is_none() => {
                open.party.name = txt(text)
            }
            T::InvestigatorAffiliation | T::Organization if open.party.affiliation.is_none() => {
                open.party.affiliation = txt(text)
            }
            _ => {}
        },
        [T::ResponsibleParty] => {
            let p = std::mem::take(&mut open.party);
            if p != ResponsibleParty::default() {
                t.responsible_party = Some(p);
            }
        }
        _ => {}
    }
}

/// Classic display text → API v2 enum spelling: upper case, every run of
/// non-alphanumerics one `_` (`Active Comparator` → `ACTIVE_COMPARATOR`,
/// `Case-Only` → `CASE_ONLY`).
pub(crate) fn enum_spelling(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn allocation(s: &str) -> String {
    match s.trim() {
        "N/A" | "NA" => "NA".into(),
        other => enum_spelling(other),
    }
}

fn masking(s: &str) -> String {
    let first = s.split(['(', ' ']).next().unwrap_or(s);
    match first.trim().to_ascii_lowercase().as_str() {
        "none" | "open" | "no" => "NONE".into(),
        "single" => "SINGLE".into(),
        "double" => "DOUBLE".into(),
        "triple" => "TRIPLE".into(),
        "quadruple" => "QUADRUPLE".into(),
        _ => enum_spelling(s),
    }
}

fn primary_purpose(s: &str) -> String {
    match s.trim() {
        "Educational/Counseling/Training" => "ECT".into(),
        other => enum_spelling(other),
    }
}

fn agency_class(s: &str) -> String {
    match s.trim() {
        "U.S. Fed" => "FED".into(),
        other => enum_spelling(other),
    }
}

fn site_status(s: &str) -> String {
    OverallStatus::parse(s).map_or_else(|| enum_spelling(s), |st| st.as_str().to_string())
}

fn enrollment_kind(s: &str) -> String {
    match s.trim().to_ascii_lowercase().as_str() {
        "anticipated" | "estimate" | "estimated" => "ESTIMATED".into(),
        "actual" => "ACTUAL".into(),
        _ => enum_spelling(s),
    }
}

/// `July 3, 2007` → `2007-07-03`, `January 2007` → `2007-01`, ISO kept.
pub(crate) fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if tm_model::Date::parse_partial(s).is_some() {
        return Some(s.to_string());
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let cleaned = s.replace(',', " ");
    let parts: Vec<&str> = cleaned.split_whitespace().collect();
    let month_of = |w: &str| {
        let w = w.trim_end_matches('.').to_ascii_lowercase();
        if w.len() < 3 {
            return None;
        }
        MONTHS.iter().position(|m| m.starts_with(&w)).map(|i| i + 1)
    };
    let year_of = |w: &str| (w.len() == 4).then(|| w.parse::<i32>().ok()).flatten();
    match parts.as_slice() {
        [m, y] => Some(format!("{:04}-{:02}", year_of(y)?, month_of(m)?)),
        [m, d, y] => {
            let (y, m, d) = (year_of(y)?, month_of(m)?, d.parse::<u32>().ok()?);
            tm_model::Date::from_ymd(y, m as u32, d)?;
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clinical_study>\n  <id_info>\n    <org_study_id>FT-019</org_study_id>\n    <secondary_id>2006-002087-26</secondary_id>\n    <nct_id>NCT00496392</nct_id>\n  </id_info>\n  <brief_title>Nasal &amp; oral</brief_title>\n  <sponsors><lead_sponsor><agency>Nycomed</agency><agency_class>Industry</agency_class></lead_sponsor>\n  <collaborator><agency>NCI</agency><agency_class>NIH</agency_class></collaborator></sponsors>\n  <overall_status>Active, not recruiting</overall_status>\n  <start_date>January 2007</start_date>\n  <completion_date type=\"Actual\">October 3, 2009</completion_date>\n  <phase>Phase 1/Phase 2</phase>\n  <study_type>Interventional</study_type>\n  <study_design_info><allocation>Non-Randomized</allocation><intervention_model>Single Group Assignment</intervention_model><primary_purpose>Treatment</primary_purpose><masking>None (Open Label)</masking></study_design_info>\n  <primary_outcome><measure>Time</measure><time_frame>26 weeks</time_frame></primary_outcome>\n  <enrollment type=\"Anticipated\">115</enrollment>\n  <condition>Pain</condition>\n  <arm_group><arm_group_label>A</arm_group_label><arm_group_type>Active Comparator</arm_group_type></arm_group>\n  <intervention><intervention_type>Dietary Supplement</intervention_type><intervention_name>X</intervention_name><other_name>Y</other_name><arm_group_label>A</arm_group_label></intervention>\n  <eligibility>\n    <criteria>\n      <textblock>\n        Inclusion Criteria:&#xD;\n&#xD;\n          -  Age &gt;= 18&#xD;\n      </textblock>\n    </criteria>\n    <gender>All</gender>\n    <minimum_age>18 Years</minimum_age>\n    <maximum_age>N/A</maximum_age>\n    <healthy_volunteers>Accepts Healthy Volunteers</healthy_volunteers>\n  </eligibility>\n  <location><facility><name>H</name><address><city>Roskilde</city><zip>4000</zip><country>Denmark</country></address></facility><status>Recruiting</status></location>\n  <location><facility><address><city>Oslo</city><country>Norway</country></address></facility></location>\n  <results_reference><citation>C</citation><PMID>123</PMID></results_reference>\n  <responsible_party><responsible_party_type>Sponsor-Investigator</responsible_party_type></responsible_party>\n</clinical_study>\n";

    fn run(input: &[u8]) -> RecordResult {
        let mut out = Vec::new();
        read(input, "t.xml", &mut |r| out.push(r));
        assert_eq!(out.len(), 1);
        out.remove(0)
    }

    #[test]
    fn maps_classic_fields() {
        let t = run(DOC.as_bytes()).expect("reads");
        assert_eq!(t.id, "NCT00496392");
        assert_eq!(t.title.as_deref(), Some("Nasal & oral"));
        assert_eq!(t.status, Some(OverallStatus::ActiveNotRecruiting));
        assert_eq!(t.phase, vec![Phase::Phase1, Phase::Phase2]);
        assert_eq!(t.study_type.as_deref(), Some("INTERVENTIONAL"));
        assert_eq!(
            t.enrollment,
            Some(Enrollment {
                count: 115,
                kind: Some("ESTIMATED".into())
            })
        );
        assert_eq!(t.dates.start.as_deref(), Some("2007-01"));
        assert_eq!(t.dates.completion.as_deref(), Some("2009-10-03"));
        assert_eq!(t.design.allocation.as_deref(), Some("NON_RANDOMIZED"));
        assert_eq!(t.design.intervention_model.as_deref(), Some("SINGLE_GROUP"));
        assert_eq!(t.design.masking.as_deref(), Some("NONE"));
        assert_eq!(t.design.primary_purpose.as_deref(), Some("TREATMENT"));
        assert_eq!(
            t.eligibility.criteria_text.as_deref(),
            // Line ends normalised: stored text never holds `\r` (issue 29).
            Some("Inclusion Criteria:\n\n          -  Age >= 18")
        );
        assert_eq!(t.eligibility.max_age, None);
        assert_eq!(t.eligibility.healthy_volunteers, Some(true));
        assert_eq!(t.arms[0].kind.as_deref(), Some("ACTIVE_COMPARATOR"));
        assert_eq!(t.interventions[0].kind, "DIETARY_SUPPLEMENT");
        assert_eq!(t.interventions[0].arm_labels, vec!["A"]);
        assert_eq!(t.locations.len(), 2);
        assert_eq!(t.locations[0].status.as_deref(), Some("RECRUITING"));
        assert_eq!(t.locations[1].facility, None);
        assert_eq!(t.sponsors[1].class.as_deref(), Some("NIH"));
        assert_eq!(t.sponsors[1].role, "collaborator");
        assert_eq!(t.references[0].kind.as_deref(), Some("RESULT"));
        assert_eq!(
            t.responsible_party.as_ref().and_then(|p| p.kind.as_deref()),
            Some("SPONSOR_INVESTIGATOR")
        );
        assert_eq!(t.registry_ids[1].kind, "eudract");
        assert_eq!(t.registry_ids[2].kind, "org");
        assert_eq!(t.has_results, Some(false));
        assert_eq!(t.sources[0].content_hash, content_hash(DOC.as_bytes()));
        assert_eq!(t.sources[0].format, "ctgov-xml");
    }

    #[test]
    fn truncated_xml_is_an_error() {
        let cut = &DOC.as_bytes()[..DOC.len() / 2];
        let e = run(cut).expect_err("truncated");
        assert_eq!(e.file, "t.xml");
        assert!(e.record.as_deref().is_some_and(|r| r.starts_with("byte ")));
        assert!(
            e.reason.contains("truncated") || e.reason.contains("malformed"),
            "{}",
            e.reason
        );
        // Cut inside a tag.
        let inside = DOC.find("<eligibility>").map_or(10, |p| p + 5);
        assert!(run(&DOC.as_bytes()[..inside]).is_err());
    }

    #[test]
    fn malformed_and_foreign_xml() {
        let e = run(b"<clinical_study><brief_title>x</official_title></clinical_study>")
            .expect_err("mismatched end tag");
        assert!(e.reason.contains("malformed XML"), "{}", e.reason);
        let e = run(b"<html><body/></html>").expect_err("not a study");
        assert!(e.reason.contains("root element <html>"), "{}", e.reason);
        // No registry id at all: the derived id of title and sponsor.
        let t = run(b"<clinical_study><brief_title>x</brief_title></clinical_study>")
            .expect("reads without an id");
        assert!(t.id.starts_with("TM-"), "{}", t.id);
        assert!(run(b"").is_err());
        assert!(run(b"\x00\x01\x02<").is_err());
    }

    #[test]
    fn dates_and_spellings() {
        assert_eq!(iso_date("July 3, 2007").as_deref(), Some("2007-07-03"));
        assert_eq!(iso_date("Sept 2010").as_deref(), Some("2010-09"));
        assert_eq!(iso_date("2021-06-15").as_deref(), Some("2021-06-15"));
        assert_eq!(iso_date("February 30, 2007"), None);
        assert_eq!(enum_spelling("Case-Only"), "CASE_ONLY");
        assert_eq!(
            enum_spelling("Ecologic or Community"),
            "ECOLOGIC_OR_COMMUNITY"
        );
        assert_eq!(masking("Double (Participant, Investigator)"), "DOUBLE");
        assert_eq!(agency_class("U.S. Fed"), "FED");
        assert_eq!(primary_purpose("Educational/Counseling/Training"), "ECT");
        assert_eq!(
            site_status("Active, not recruiting"),
            "ACTIVE_NOT_RECRUITING"
        );
    }
}
