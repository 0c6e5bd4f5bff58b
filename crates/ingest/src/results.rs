//! Posted results → [`tm_model::Results`]: CT.gov API v2 `resultsSection`
//! ([`from_json`]) and classic XML `<clinical_results>` ([`from_xml`]).
//!
//! Values stay as the registry wrote them (strings); free texts (titles,
//! descriptions) go through [`repair_text`]. Classic spellings are mapped to
//! API v2 enums: `Count of Participants` → `COUNT_OF_PARTICIPANTS`,
//! `95% Confidence Interval` → `CONFIDENCE_95`, `Other Pre-specified` →
//! `OTHER_PRE_SPECIFIED`, `Superiority or Other` → `SUPERIORITY_OR_OTHER`,
//! `2-Sided` → `TWO_SIDED`, `Systematic Assessment` → `SYSTEMATIC_ASSESSMENT`.
//! Classic milestone and drop-out titles are kept verbatim (`STARTED`,
//! `NOT COMPLETED`, as API v2 has them). Classic's "Total" adverse-event
//! category (one `Total, serious adverse events` row) becomes the groups'
//! `serious_affected` / `serious_at_risk` (`other_…` likewise), as API v2
//! reports them.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::Value;
use tm_model::results::{
    AdverseEvent, AdverseEvents, Analysis, Baseline, BaselineMeasure, Denom, EventGroup,
    EventStats, FlowCount, FlowPeriod, FlowRow, GroupValue, Measurement, OutcomeMeasure,
    ParticipantFlow, ResultGroup, Results,
};

use crate::repair::repair_text;

// ---------------------------------------------------------------- API v2

fn s(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(x) => {
            let t = x.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn txt(v: &Value, key: &str) -> Option<String> {
    s(v, key).map(|t| repair_text(&t))
}

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn n(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(x) => x.as_u64(),
        Value::String(x) => x.trim().parse().ok(),
        _ => None,
    }
}

fn j_groups(v: &Value) -> Vec<ResultGroup> {
    list(v, "groups")
        .iter()
        .map(|g| ResultGroup {
            id: s(g, "id").unwrap_or_default(),
            title: txt(g, "title").unwrap_or_default(),
            description: txt(g, "description"),
        })
        .collect()
}

fn j_denoms(v: &Value, class: Option<&str>) -> Vec<Denom> {
    list(v, "denoms")
        .iter()
        .map(|d| Denom {
            units: s(d, "units").unwrap_or_default(),
            class: class.map(str::to_string),
            counts: list(d, "counts")
                .iter()
                .map(|c| GroupValue {
                    group_id: s(c, "groupId").unwrap_or_default(),
                    value: s(c, "value").unwrap_or_default(),
                })
                .collect(),
        })
        .collect()
}

/// Class-level denominators and the flat measurement list of a measure.
fn j_classes(v: &Value, denoms: &mut Vec<Denom>) -> Vec<Measurement> {
    let mut out = Vec::new();
    for c in list(v, "classes") {
        let class = txt(c, "title");
        denoms.extend(j_denoms(c, Some(class.as_deref().unwrap_or(""))));
        for cat in list(c, "categories") {
            let category = txt(cat, "title");
            for m in list(cat, "measurements") {
                out.push(Measurement {
                    class: class.clone(),
                    category: category.clone(),
                    group_id: s(m, "groupId").unwrap_or_default(),
                    value: s(m, "value"),
                    spread: s(m, "spread"),
                    lower_limit: s(m, "lowerLimit"),
                    upper_limit: s(m, "upperLimit"),
                    comment: txt(m, "comment"),
                });
            }
        }
    }
    out
}

fn j_flow_rows(v: &Value, key: &str, counts_key: &str) -> Vec<FlowRow> {
    list(v, key)
        .iter()
        .map(|m| FlowRow {
            kind: txt(m, "type").unwrap_or_default(),
            comment: txt(m, "comment"),
            counts: list(m, counts_key)
                .iter()
                .map(|a| FlowCount {
                    group_id: s(a, "groupId").unwrap_or_default(),
                    count: s(a, "numSubjects").unwrap_or_default(),
                    units: s(a, "numUnits"),
                    comment: txt(a, "comment"),
                })
                .collect(),
        })
        .collect()
}

fn j_events(v: &Value, key: &str) -> Vec<AdverseEvent> {
    list(v, key)
        .iter()
        .map(|e| AdverseEvent {
            term: txt(e, "term").unwrap_or_default(),
            organ_system: txt(e, "organSystem"),
            vocabulary: s(e, "sourceVocabulary"),
            assessment: s(e, "assessmentType"),
            notes: txt(e, "notes"),
            stats: list(e, "stats")
                .iter()
                .map(|st| EventStats {
                    group_id: s(st, "groupId").unwrap_or_default(),
                    events: n(st, "numEvents"),
                    affected: n(st, "numAffected"),
                    at_risk: n(st, "numAtRisk"),
                })
                .collect(),
        })
        .collect()
}

/// Maps an API v2 `resultsSection`; `None` when it holds nothing.
pub fn from_json(rs: &Value) -> Option<Results> {
    let mut r = Results::default();
    if let Some(pf) = rs.get("participantFlowModule") {
        r.participant_flow = Some(ParticipantFlow {
            recruitment_details: txt(pf, "recruitmentDetails"),
            pre_assignment_details: txt(pf, "preAssignmentDetails"),
            type_units_analyzed: txt(pf, "typeUnitsAnalyzed"),
            groups: j_groups(pf),
            periods: list(pf, "periods")
                .iter()
                .map(|p| FlowPeriod {
                    title: txt(p, "title").unwrap_or_default(),
                    milestones: j_flow_rows(p, "milestones", "achievements"),
                    drop_withdraws: j_flow_rows(p, "dropWithdraws", "reasons"),
                })
                .collect(),
        });
    }
    if let Some(b) = rs.get("baselineCharacteristicsModule") {
        r.baseline = Some(Baseline {
            population: txt(b, "populationDescription"),
            groups: j_groups(b),
            denoms: j_denoms(b, None),
            measures: list(b, "measures")
                .iter()
                .map(|m| {
                    let mut denoms = j_denoms(m, None);
                    let measurements = j_classes(m, &mut denoms);
                    BaselineMeasure {
                        title: txt(m, "title").unwrap_or_default(),
                        description: txt(m, "description"),
                        population: txt(m, "populationDescription"),
                        param_type: s(m, "paramType"),
                        dispersion_type: s(m, "dispersionType"),
                        unit: txt(m, "unitOfMeasure"),
                        denoms,
                        measurements,
                    }
                })
                .collect(),
        });
    }
    if let Some(om) = rs.get("outcomeMeasuresModule") {
        r.outcome_measures = list(om, "outcomeMeasures")
            .iter()
            .map(|o| {
                let mut denoms = j_denoms(o, None);
                let measurements = j_classes(o, &mut denoms);
                OutcomeMeasure {
                    kind: s(o, "type"),
                    title: txt(o, "title").unwrap_or_default(),
                    description: txt(o, "description"),
                    population: txt(o, "populationDescription"),
                    time_frame: txt(o, "timeFrame"),
                    reporting_status: s(o, "reportingStatus"),
                    param_type: s(o, "paramType"),
                    dispersion_type: s(o, "dispersionType"),
                    unit: txt(o, "unitOfMeasure"),
                    groups: j_groups(o),
                    denoms,
                    measurements,
                    analyses: list(o, "analyses")
                        .iter()
                        .map(|a| Analysis {
                            group_ids: list(a, "groupIds")
                                .iter()
                                .filter_map(|g| g.as_str().map(str::to_string))
                                .collect(),
                            group_description: txt(a, "groupDescription"),
                            non_inferiority_type: s(a, "nonInferiorityType"),
                            non_inferiority_comment: txt(a, "nonInferiorityComment"),
                            p_value: s(a, "pValue"),
                            p_value_comment: txt(a, "pValueComment"),
                            method: txt(a, "statisticalMethod"),
                            method_comment: txt(a, "statisticalComment"),
                            param_type: txt(a, "paramType"),
                            param_value: s(a, "paramValue"),
                            dispersion_type: s(a, "dispersionType"),
                            dispersion_value: s(a, "dispersionValue"),
                            ci_percent: s(a, "ciPctValue"),
                            ci_sides: s(a, "ciNumSides"),
                            ci_lower: s(a, "ciLowerLimit"),
                            ci_upper: s(a, "ciUpperLimit"),
                            estimate_comment: txt(a, "estimateComment"),
                            other_description: txt(a, "otherAnalysisDescription"),
                        })
                        .collect(),
                }
            })
            .collect();
    }
    if let Some(ae) = rs.get("adverseEventsModule") {
        r.adverse_events = Some(AdverseEvents {
            frequency_threshold: s(ae, "frequencyThreshold"),
            time_frame: txt(ae, "timeFrame"),
            description: txt(ae, "description"),
            groups: list(ae, "eventGroups")
                .iter()
                .map(|g| EventGroup {
                    id: s(g, "id").unwrap_or_default(),
                    title: txt(g, "title").unwrap_or_default(),
                    description: txt(g, "description"),
                    deaths_affected: n(g, "deathsNumAffected"),
                    deaths_at_risk: n(g, "deathsNumAtRisk"),
                    serious_affected: n(g, "seriousNumAffected"),
                    serious_at_risk: n(g, "seriousNumAtRisk"),
                    other_affected: n(g, "otherNumAffected"),
                    other_at_risk: n(g, "otherNumAtRisk"),
                })
                .collect(),
            serious: j_events(ae, "seriousEvents"),
            other: j_events(ae, "otherEvents"),
        });
    }
    r.limitations = rs
        .get("moreInfoModule")
        .and_then(|m| m.get("limitationsAndCaveats"))
        .and_then(|l| txt(l, "description"));
    (!r.is_empty()).then_some(r)
}

// ---------------------------------------------------------------- classic XML

/// A small element tree of the results section (a few hundred kB at most).
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// Children `item` of the list child `list` (`group_list/group`).
    fn items<'a>(&'a self, list: &str, item: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.child(list).into_iter().flat_map(move |l| l.all(item))
    }
    fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
    /// Raw (trimmed) text of a child.
    fn raw(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }
    /// Repaired free text of a child.
    fn txt(&self, name: &str) -> Option<String> {
        self.raw(name).map(|t| repair_text(&t))
    }
}

fn start_el(e: &BytesStart) -> El {
    let attrs = e
        .attributes()
        .flatten()
        .map(|a| {
            (
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                a.unescape_value()
                    .map(|v| v.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned()),
            )
        })
        .collect();
    El {
        name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
        attrs,
        ..El::default()
    }
}

fn tree(xml: &[u8]) -> Result<El, String> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("malformed results XML: {e}"))?;
        match ev {
            Event::Start(e) => stack.push(start_el(&e)),
            Event::Empty(e) => {
                let el = start_el(&e);
                if let Some(top) = stack.last_mut() {
                    top.children.push(el);
                }
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err("malformed results XML: unbalanced end tag".into());
                }
                let el = stack.pop().unwrap_or_default();
                if let Some(top) = stack.last_mut() {
                    top.children.push(el);
                }
            }
            Event::Text(t) => {
                if let (Some(top), Ok(x)) = (stack.last_mut(), t.decode()) {
                    top.text.push_str(&x);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => top.text.push(c),
                        _ => {
                            let name = String::from_utf8_lossy(&r).into_owned();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(x) => top.text.push_str(x),
                                None => {
                                    top.text.push('&');
                                    top.text.push_str(&name);
                                    top.text.push(';');
                                }
                            }
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("malformed results XML: unclosed element".into());
    }
    Ok(stack.pop().unwrap_or_default())
}

/// Classic spelling → API v2 enum: `Count of Participants` →
/// `COUNT_OF_PARTICIPANTS`, `95% Confidence Interval` → `CONFIDENCE_95`,
/// `97.5% Confidence Interval` → `CONFIDENCE_975`, `Geometric Coefficient of
/// Variation` → `GEOMETRIC_COEFFICIENT`, `2-Sided` → `TWO_SIDED`.
fn classic_enum(s: &str) -> String {
    let t = s.trim();
    if let Some(pct) = t.strip_suffix("% Confidence Interval") {
        return format!("CONFIDENCE_{}", pct.trim().replace('.', ""));
    }
    match t {
        "Geometric Coefficient of Variation" => return "GEOMETRIC_COEFFICIENT".into(),
        "1-Sided" => return "ONE_SIDED".into(),
        "2-Sided" => return "TWO_SIDED".into(),
        "Standard Error of the Mean" => return "STANDARD_ERROR_OF_MEAN".into(),
        _ => {}
    }
    crate::ctgov_xml::enum_spelling(t)
}

fn x_groups(e: &El) -> Vec<ResultGroup> {
    e.items("group_list", "group")
        .map(|g| ResultGroup {
            id: g.attr("group_id").unwrap_or_default(),
            title: g.txt("title").unwrap_or_default(),
            description: g.txt("description"),
        })
        .collect()
}

/// `analyzed_list/analyzed` → denominators.
fn x_denoms(e: &El, class: Option<&str>) -> Vec<Denom> {
    e.items("analyzed_list", "analyzed")
        .map(|a| Denom {
            units: a.raw("units").unwrap_or_default(),
            class: class.map(str::to_string),
            counts: a
                .items("count_list", "count")
                .map(|c| GroupValue {
                    group_id: c.attr("group_id").unwrap_or_default(),
                    value: c.attr("value").unwrap_or_default(),
                })
                .collect(),
        })
        .collect()
}

fn x_classes(m: &El, denoms: &mut Vec<Denom>) -> Vec<Measurement> {
    let mut out = Vec::new();
    for c in m.items("class_list", "class") {
        let class = c.txt("title");
        denoms.extend(x_denoms(c, Some(class.as_deref().unwrap_or(""))));
        for cat in c.items("category_list", "category") {
            let category = cat.txt("title");
            for x in cat.items("measurement_list", "measurement") {
                out.push(Measurement {
                    class: class.clone(),
                    category: category.clone(),
                    group_id: x.attr("group_id").unwrap_or_default(),
                    value: x.attr("value"),
                    spread: x.attr("spread"),
                    lower_limit: x.attr("lower_limit"),
                    upper_limit: x.attr("upper_limit"),
                    comment: x.txt("comment").or_else(|| {
                        let t = x.text.trim();
                        (!t.is_empty()).then(|| repair_text(t))
                    }),
                });
            }
        }
    }
    out
}

fn x_flow_rows(p: &El, list: &str, item: &str) -> Vec<FlowRow> {
    p.items(list, item)
        .map(|m| FlowRow {
            kind: m.txt("title").unwrap_or_default(),
            comment: None,
            counts: m
                .items("participants_list", "participants")
                .map(|a| FlowCount {
                    group_id: a.attr("group_id").unwrap_or_default(),
                    count: a.attr("count").unwrap_or_default(),
                    units: None,
                    comment: {
                        let t = a.text.trim();
                        (!t.is_empty()).then(|| repair_text(t))
                    },
                })
                .collect(),
        })
        .collect()
}

/// Events of `serious_events` / `other_events`; the "Total" category fills
/// the groups' totals through `total`.
fn x_events(
    sec: &El,
    mut total: impl FnMut(&str, &str, Option<u64>, Option<u64>),
) -> Vec<AdverseEvent> {
    let default_vocab = sec.raw("default_vocab");
    let default_assessment = sec.raw("default_assessment").map(|a| classic_enum(&a));
    let mut out = Vec::new();
    for cat in sec.items("category_list", "category") {
        let organ = cat.txt("title");
        let is_total = organ.as_deref() == Some("Total");
        for ev in cat.items("event_list", "event") {
            let counts = ev.all("counts").map(|c| EventStats {
                group_id: c.attr("group_id").unwrap_or_default(),
                events: c.attr("events").and_then(|v| v.parse().ok()),
                affected: c.attr("subjects_affected").and_then(|v| v.parse().ok()),
                at_risk: c.attr("subjects_at_risk").and_then(|v| v.parse().ok()),
            });
            if is_total {
                let what = ev.raw("sub_title").unwrap_or_default();
                for c in counts {
                    total(&what, &c.group_id, c.affected, c.at_risk);
                }
                continue;
            }
            let sub = ev.child("sub_title");
            out.push(AdverseEvent {
                term: ev.txt("sub_title").unwrap_or_default(),
                organ_system: organ.clone(),
                vocabulary: sub
                    .and_then(|s| s.attr("vocab"))
                    .or_else(|| default_vocab.clone()),
                assessment: ev
                    .raw("assessment")
                    .map(|a| classic_enum(&a))
                    .or_else(|| default_assessment.clone()),
                notes: ev.txt("description"),
                stats: counts.collect(),
            });
        }
    }
    out
}

/// Maps the inner content of a classic `<clinical_results>` element.
pub fn from_xml(inner: &[u8]) -> Result<Option<Results>, String> {
    let root = tree(inner)?;
    let mut r = Results::default();
    if let Some(pf) = root.child("participant_flow") {
        r.participant_flow = Some(ParticipantFlow {
            recruitment_details: pf.txt("recruitment_details"),
            pre_assignment_details: pf.txt("pre_assignment_details"),
            type_units_analyzed: pf.txt("units_analyzed"),
            groups: x_groups(pf),
            periods: pf
                .items("period_list", "period")
                .map(|p| FlowPeriod {
                    title: p.txt("title").unwrap_or_default(),
                    milestones: x_flow_rows(p, "milestone_list", "milestone"),
                    drop_withdraws: x_flow_rows(
                        p,
                        "drop_withdraw_reason_list",
                        "drop_withdraw_reason",
                    ),
                })
                .collect(),
        });
    }
    if let Some(b) = root.child("baseline") {
        r.baseline = Some(Baseline {
            population: b.txt("population"),
            groups: x_groups(b),
            denoms: x_denoms(b, None),
            measures: b
                .items("measure_list", "measure")
                .map(|m| {
                    let mut denoms = x_denoms(m, None);
                    let measurements = x_classes(m, &mut denoms);
                    BaselineMeasure {
                        title: m.txt("title").unwrap_or_default(),
                        description: m.txt("description"),
                        population: m.txt("population"),
                        param_type: m.raw("param").map(|p| classic_enum(&p)),
                        dispersion_type: m.raw("dispersion").map(|p| classic_enum(&p)),
                        unit: m.txt("units"),
                        denoms,
                        measurements,
                    }
                })
                .collect(),
        });
    }
    for o in root.items("outcome_list", "outcome") {
        let m = o.child("measure");
        let mut denoms = m.map(|m| x_denoms(m, None)).unwrap_or_default();
        let measurements = m.map(|m| x_classes(m, &mut denoms)).unwrap_or_default();
        r.outcome_measures.push(OutcomeMeasure {
            kind: o.raw("type").map(|t| classic_enum(&t)),
            title: o.txt("title").unwrap_or_default(),
            description: o.txt("description"),
            population: o.txt("population"),
            time_frame: o.txt("time_frame"),
            reporting_status: None,
            param_type: m.and_then(|m| m.raw("param")).map(|p| classic_enum(&p)),
            dispersion_type: m
                .and_then(|m| m.raw("dispersion"))
                .map(|p| classic_enum(&p)),
            unit: m.and_then(|m| m.txt("units")),
            groups: x_groups(o),
            denoms,
            measurements,
            analyses: o
                .items("analysis_list", "analysis")
                .map(|a| Analysis {
                    group_ids: a
                        .items("group_id_list", "group_id")
                        .map(|g| g.text.trim().to_string())
                        .collect(),
                    group_description: a.txt("groups_desc"),
                    non_inferiority_type: a.raw("non_inferiority_type").map(|t| classic_enum(&t)),
                    non_inferiority_comment: a.txt("non_inferiority_desc"),
                    p_value: a.raw("p_value"),
                    p_value_comment: a.txt("p_value_desc"),
                    method: a.txt("method"),
                    method_comment: a.txt("method_desc"),
                    param_type: a.txt("param_type"),
                    param_value: a.raw("param_value"),
                    dispersion_type: a.raw("dispersion_type").map(|t| classic_enum(&t)),
                    dispersion_value: a.raw("dispersion_value"),
                    ci_percent: a.raw("ci_percent"),
                    ci_sides: a.raw("ci_n_sides").map(|t| classic_enum(&t)),
                    ci_lower: a.raw("ci_lower_limit"),
                    ci_upper: a.raw("ci_upper_limit"),
                    estimate_comment: a.txt("estimate_desc"),
                    other_description: a.txt("other_analysis_desc"),
                })
                .collect(),
        });
    }
    if let Some(re) = root.child("reported_events") {
        let mut groups: Vec<EventGroup> = re
            .items("group_list", "group")
            .map(|g| EventGroup {
                id: g.attr("group_id").unwrap_or_default(),
                title: g.txt("title").unwrap_or_default(),
                description: g.txt("description"),
                ..EventGroup::default()
            })
            .collect();
        // (row, group, affected, at risk) of the "Total" categories.
        let mut totals: Vec<(String, String, Option<u64>, Option<u64>)> = Vec::new();
        let serious = re
            .child("serious_events")
            .map(|s| {
                x_events(s, |w, g, a, r| {
                    let row = if w.to_ascii_lowercase().contains("mortality") {
                        "deaths"
                    } else {
                        "serious"
                    };
                    totals.push((row.into(), g.to_string(), a, r));
                })
            })
            .unwrap_or_default();
        let other = re
            .child("other_events")
            .map(|s| {
                x_events(s, |_, g, a, r| {
                    totals.push(("other".into(), g.to_string(), a, r))
                })
            })
            .unwrap_or_default();
        for (row, gid, a, r) in totals {
            if let Some(g) = groups.iter_mut().find(|g| g.id == gid) {
                match row.as_str() {
                    "deaths" => (g.deaths_affected, g.deaths_at_risk) = (a, r),
                    "serious" => (g.serious_affected, g.serious_at_risk) = (a, r),
                    _ => (g.other_affected, g.other_at_risk) = (a, r),
                }
            }
        }
        let frequency_threshold = re
            .child("other_events")
            .and_then(|o| o.raw("frequency_threshold"));
        r.adverse_events = Some(AdverseEvents {
            frequency_threshold,
            time_frame: re.txt("time_frame"),
            description: re.txt("desc"),
            groups,
            serious,
            other,
        });
    }
    r.limitations = root.txt("limitations_and_caveats");
    Ok((!r.is_empty()).then_some(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_enums() {
        assert_eq!(
            classic_enum("Count of Participants"),
            "COUNT_OF_PARTICIPANTS"
        );
        assert_eq!(classic_enum("95% Confidence Interval"), "CONFIDENCE_95");
        assert_eq!(classic_enum("97.5% Confidence Interval"), "CONFIDENCE_975");
        assert_eq!(classic_enum("Other Pre-specified"), "OTHER_PRE_SPECIFIED");
        assert_eq!(classic_enum("Post-Hoc"), "POST_HOC");
        assert_eq!(classic_enum("2-Sided"), "TWO_SIDED");
        assert_eq!(classic_enum("Standard Deviation"), "STANDARD_DEVIATION");
    }

    #[test]
    fn malformed_results_are_an_error() {
        assert!(from_xml(b"<participant_flow><group_list>").is_err());
        assert_eq!(from_xml(b"").unwrap(), None);
    }
}
