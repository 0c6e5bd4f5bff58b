//! Posted results: API v2 `resultsSection` and classic XML
//! `<clinical_results>` against an independent reading of the source — the
//! shared records with results (skipped with a note when ../shared is
//! absent) and small fixtures of our own.

mod bulk_common;

use serde_json::Value;
use tm_model::Results;

fn read_one(bytes: &[u8], name: &str) -> tm_model::Trial {
    let mut got = Vec::new();
    tm_ingest::read_bytes(bytes, name, None, &mut |r| got.push(r));
    assert_eq!(got.len(), 1, "{name}: one record");
    got.pop().unwrap().expect("record reads")
}

fn str_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

/// Every measurement value of an API v2 measure, in source order.
fn json_values(m: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in m["classes"].as_array().into_iter().flatten() {
        for cat in c["categories"].as_array().into_iter().flatten() {
            for x in cat["measurements"].as_array().into_iter().flatten() {
                out.push(format!(
                    "{}={}",
                    str_of(&x["groupId"]),
                    x.get("value").map(str_of).unwrap_or_default()
                ));
            }
        }
    }
    out
}

fn model_values(ms: &[tm_model::results::Measurement]) -> Vec<String> {
    ms.iter()
        .map(|m| format!("{}={}", m.group_id, m.value.clone().unwrap_or_default()))
        .collect()
}

/// Compares the model with the source `resultsSection`.
fn check_json(id: &str, rs: &Value, r: &Results) {
    // Participant flow: every period × milestone × group count.
    let pf = &rs["participantFlowModule"];
    let flow = r.participant_flow.as_ref().expect("participant flow");
    assert_eq!(flow.groups.len(), pf["groups"].as_array().unwrap().len());
    let periods = pf["periods"].as_array().unwrap();
    assert_eq!(flow.periods.len(), periods.len(), "{id}");
    for (p, sp) in flow.periods.iter().zip(periods) {
        let ms = sp["milestones"].as_array().unwrap();
        assert_eq!(p.milestones.len(), ms.len(), "{id}");
        for (m, sm) in p.milestones.iter().zip(ms) {
            assert_eq!(m.kind, str_of(&sm["type"]));
            let want: Vec<(String, String)> = sm["achievements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (str_of(&a["groupId"]), str_of(&a["numSubjects"])))
                .collect();
            let got: Vec<(String, String)> = m
                .counts
                .iter()
                .map(|c| (c.group_id.clone(), c.count.clone()))
                .collect();
            assert_eq!(got, want, "{id} {}", m.kind);
        }
    }
    // Baseline: measures × groups.
    let b = &rs["baselineCharacteristicsModule"];
    let base = r.baseline.as_ref().expect("baseline");
    let measures = b["measures"].as_array().unwrap();
    assert_eq!(base.measures.len(), measures.len());
    for (m, sm) in base.measures.iter().zip(measures) {
        assert_eq!(m.title, str_of(&sm["title"]));
        assert_eq!(
            model_values(&m.measurements),
            json_values(sm),
            "{id} {}",
            m.title
        );
    }
    // Outcome measures with analyses.
    let oms = rs["outcomeMeasuresModule"]["outcomeMeasures"]
        .as_array()
        .unwrap();
    assert_eq!(r.outcome_measures.len(), oms.len());
    for (o, so) in r.outcome_measures.iter().zip(oms) {
        assert_eq!(o.title, str_of(&so["title"]));
        assert_eq!(o.kind.as_deref(), so["type"].as_str());
        assert_eq!(
            o.time_frame.as_deref(),
            so["timeFrame"].as_str().map(str::trim)
        );
        assert_eq!(o.groups.len(), so["groups"].as_array().map_or(0, Vec::len));
        assert_eq!(
            model_values(&o.measurements),
            json_values(so),
            "{id} {}",
            o.title
        );
        let an = so["analyses"].as_array().cloned().unwrap_or_default();
        assert_eq!(o.analyses.len(), an.len());
        for (a, sa) in o.analyses.iter().zip(&an) {
            assert_eq!(a.p_value.as_deref(), sa["pValue"].as_str());
            assert_eq!(a.param_value.as_deref(), sa["paramValue"].as_str());
            assert_eq!(a.ci_lower.as_deref(), sa["ciLowerLimit"].as_str());
            assert_eq!(a.ci_upper.as_deref(), sa["ciUpperLimit"].as_str());
        }
    }
    // Adverse events: serious / other, term × group.
    let ae = &rs["adverseEventsModule"];
    let events = r.adverse_events.as_ref().expect("adverse events");
    for (got, key) in [
        (&events.serious, "seriousEvents"),
        (&events.other, "otherEvents"),
    ] {
        let src = ae[key].as_array().cloned().unwrap_or_default();
        assert_eq!(got.len(), src.len(), "{id} {key}");
        for (e, se) in got.iter().zip(&src) {
            assert_eq!(e.term, str_of(&se["term"]));
            let want: Vec<(String, Option<u64>, Option<u64>)> = se["stats"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        str_of(&s["groupId"]),
                        s["numAffected"].as_u64(),
                        s["numAtRisk"].as_u64(),
                    )
                })
                .collect();
            let got: Vec<(String, Option<u64>, Option<u64>)> = e
                .stats
                .iter()
                .map(|s| (s.group_id.clone(), s.affected, s.at_risk))
                .collect();
            assert_eq!(got, want, "{id} {}", e.term);
        }
    }
    for (g, sg) in events
        .groups
        .iter()
        .zip(ae["eventGroups"].as_array().unwrap())
    {
        assert_eq!(g.serious_affected, sg["seriousNumAffected"].as_u64());
        assert_eq!(g.other_at_risk, sg["otherNumAtRisk"].as_u64());
    }
}

#[test]
fn api_v2_results_match_the_source() {
    let Some(dir) = bulk_common::ctgov_dir() else {
        eprintln!("note: ../shared/data/ctgov absent; API v2 results test skipped");
        return;
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("api-v2")).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let source: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let mut trials = Vec::new();
        tm_ingest::read_file(&path, &mut |r| trials.extend(r.ok()));
        for (study, trial) in source.as_array().unwrap().iter().zip(&trials) {
            match study.get("resultsSection") {
                Some(rs) => {
                    let r = trial.results.as_ref().expect("results mapped");
                    check_json(&trial.id, rs, r);
                    checked += 1;
                }
                None => assert!(trial.results.is_none()),
            }
        }
    }
    assert_eq!(
        checked, 5,
        "the shared API v2 set has 5 records with results"
    );
}

/// Values of attribute `attr` on every `<elem ` of `text`, in order.
fn attr_values(text: &str, elem: &str, attr: &str) -> Vec<String> {
    let open = format!("<{elem} ");
    let key = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let tail = &rest[i..];
        let end = tail.find('>').unwrap();
        let tag = &tail[..end];
        if let Some(k) = tag.find(&key) {
            let v = &tag[k + key.len()..];
            out.push(v[..v.find('"').unwrap()].to_string());
        } else {
            out.push(String::new());
        }
        rest = &tail[end..];
    }
    out
}

fn section<'a>(text: &'a str, name: &str) -> &'a str {
    let a = text.find(&format!("<{name}>")).unwrap_or(0);
    let b = text.find(&format!("</{name}>")).unwrap_or(a);
    &text[a..b]
}

/// Compares the model with the raw `<clinical_results>` text: every
/// participant count, every measurement value (baseline, then outcomes) and
/// every adverse-event count, in source order.
fn check_xml(id: &str, text: &str, r: &Results) {
    let cr = section(text, "clinical_results");
    let flow = r.participant_flow.as_ref().expect("participant flow");
    let got: Vec<String> = flow
        .periods
        .iter()
        .flat_map(|p| p.milestones.iter().chain(&p.drop_withdraws))
        .flat_map(|m| m.counts.iter().map(|c| c.count.clone()))
        .collect();
    let want = attr_values(section(cr, "participant_flow"), "participants", "count");
    assert_eq!(got, want, "{id}: participant flow");

    let base = r.baseline.as_ref().expect("baseline");
    let got: Vec<String> = base
        .measures
        .iter()
        .flat_map(|m| m.measurements.iter())
        .map(|m| m.value.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        got,
        attr_values(section(cr, "baseline"), "measurement", "value"),
        "{id}: baseline"
    );

    let got: Vec<String> = r
        .outcome_measures
        .iter()
        .flat_map(|m| m.measurements.iter())
        .map(|m| m.value.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        got,
        attr_values(section(cr, "outcome_list"), "measurement", "value"),
        "{id}: outcomes"
    );
    assert_eq!(
        r.outcome_measures.len(),
        section(cr, "outcome_list").matches("<outcome>").count(),
        "{id}"
    );
    assert_eq!(
        r.outcome_measures
            .iter()
            .map(|o| o.analyses.len())
            .sum::<usize>(),
        cr.matches("<analysis>").count(),
        "{id}: analyses"
    );

    if let Some(ae) = &r.adverse_events {
        let re = section(cr, "reported_events");
        let in_events: usize = ae
            .serious
            .iter()
            .chain(&ae.other)
            .map(|e| e.stats.len())
            .sum();
        assert_eq!(
            in_events + total_counts(re),
            re.matches("<counts ").count(),
            "{id}: AE counts"
        );
        let got: Vec<String> = ae
            .serious
            .iter()
            .flat_map(|e| e.stats.iter())
            .map(|s| s.affected.map(|a| a.to_string()).unwrap_or_default())
            .collect();
        let ser = section(re, "serious_events");
        let mut want = attr_values(ser, "counts", "subjects_affected");
        // The "Total" category's counts are group totals, not events.
        if let Some(at) = ser.find("<title>Total</title>") {
            let before = ser[..at].matches("<counts ").count();
            want.drain(before..before + total_counts(ser));
        }
        assert_eq!(got, want, "{id}: serious events");
        let serious_total = ae
            .groups
            .iter()
            .filter(|g| g.serious_affected.is_some())
            .count();
        if ser.contains("Total, serious adverse events") {
            assert_eq!(serious_total, ae.groups.len(), "{id}: serious totals");
        }
    }
}

/// `<counts ` inside the "Total" categories of `text`.
fn total_counts(text: &str) -> usize {
    let mut n = 0;
    let mut rest = text;
    while let Some(i) = rest.find("<title>Total</title>") {
        let tail = &rest[i..];
        let end = tail.find("</category>").unwrap_or(tail.len());
        n += tail[..end].matches("<counts ").count();
        rest = &tail[end..];
    }
    n
}

#[test]
fn classic_xml_results_match_the_source() {
    let Some(dir) = bulk_common::ctgov_dir() else {
        eprintln!("note: ../shared/data/ctgov absent; classic XML results test skipped");
        return;
    };
    let files = tm_ingest::collect_files(&[dir.join("classic-xml")]).0;
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut got = Vec::new();
        tm_ingest::read_file(&path, &mut |r| got.push(r));
        let trial = got.pop().unwrap().expect("reads");
        if text.contains("<clinical_results>") {
            check_xml(&trial.id, &text, trial.results.as_ref().expect("results"));
            checked += 1;
        } else {
            assert!(trial.results.is_none());
        }
    }
    assert_eq!(
        checked, 435,
        "the shared classic XML set has 435 records with results"
    );
}

const FIXTURE_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clinical_study>
  <id_info><nct_id>NCT09999901</nct_id></id_info>
  <brief_title>Results fixture</brief_title>
  <overall_status>Completed</overall_status>
  <clinical_results>
    <participant_flow>
      <group_list>
        <group group_id="P1"><title>Drug A</title></group>
        <group group_id="P2"><title>Placebo</title></group>
      </group_list>
      <period_list><period><title>Overall Study</title>
        <milestone_list>
          <milestone><title>STARTED</title><participants_list>
            <participants group_id="P1" count="10"/><participants group_id="P2" count="11"/>
          </participants_list></milestone>
          <milestone><title>COMPLETED</title><participants_list>
            <participants group_id="P1" count="8"/><participants group_id="P2" count="11"/>
          </participants_list></milestone>
        </milestone_list>
        <drop_withdraw_reason_list><drop_withdraw_reason><title>Adverse Event</title><participants_list>
          <participants group_id="P1" count="2"/><participants group_id="P2" count="0"/>
        </participants_list></drop_withdraw_reason></drop_withdraw_reason_list>
      </period></period_list>
    </participant_flow>
    <baseline>
      <group_list><group group_id="B1"><title>Drug A</title></group><group group_id="B2"><title>Placebo</title></group><group group_id="B3"><title>Total</title></group></group_list>
      <analyzed_list><analyzed><units>Participants</units><scope>Overall</scope><count_list>
        <count group_id="B1" value="10"/><count group_id="B2" value="11"/><count group_id="B3" value="21"/>
      </count_list></analyzed></analyzed_list>
      <measure_list><measure><title>Age</title><units>years</units><param>Mean</param><dispersion>Standard Deviation</dispersion>
        <class_list><class><category_list><category><measurement_list>
          <measurement group_id="B1" value="61.5" spread="8.2"/><measurement group_id="B2" value="59.0" spread="9.1"/><measurement group_id="B3" value="60.2" spread="8.7"/>
        </measurement_list></category></category_list></class></class_list>
      </measure></measure_list>
    </baseline>
    <outcome_list><outcome>
      <type>Primary</type><title>Objective response rate</title><time_frame>12 weeks</time_frame>
      <group_list><group group_id="O1"><title>Drug A</title></group><group group_id="O2"><title>Placebo</title></group></group_list>
      <measure><title>Objective response rate</title><units>percentage of participants</units><param>Number</param><dispersion>95% Confidence Interval</dispersion>
        <analyzed_list><analyzed><units>Participants</units><scope>Measure</scope><count_list><count group_id="O1" value="10"/><count group_id="O2" value="11"/></count_list></analyzed></analyzed_list>
        <class_list><class><category_list><category><measurement_list>
          <measurement group_id="O1" value="40.0" lower_limit="12.2" upper_limit="73.8"/><measurement group_id="O2" value="9.1" lower_limit="0.2" upper_limit="41.3"/>
        </measurement_list></category></category_list></class></class_list>
      </measure>
      <analysis_list><analysis><group_id_list><group_id>O1</group_id><group_id>O2</group_id></group_id_list>
        <non_inferiority_type>Superiority or Other</non_inferiority_type><p_value>0.04</p_value><method>Fisher Exact</method>
        <param_type>Odds Ratio (OR)</param_type><param_value>6.67</param_value><ci_percent>95</ci_percent><ci_n_sides>2-Sided</ci_n_sides><ci_lower_limit>1.1</ci_lower_limit><ci_upper_limit>40.2</ci_upper_limit>
      </analysis></analysis_list>
    </outcome>
    </outcome_list>
    <reported_events>
      <time_frame>6 months</time_frame>
      <group_list><group group_id="E1"><title>Drug A</title></group><group group_id="E2"><title>Placebo</title></group></group_list>
      <serious_events><category_list>
        <category><title>Total</title><event_list><event><sub_title>Total, serious adverse events</sub_title>
          <counts group_id="E1" subjects_affected="2" subjects_at_risk="10"/><counts group_id="E2" subjects_affected="1" subjects_at_risk="11"/></event></event_list></category>
        <category><title>Hepatobiliary disorders</title><event_list><event><sub_title vocab="MedDRA 20.0">Hepatic failure</sub_title>
          <counts group_id="E1" events="2" subjects_affected="2" subjects_at_risk="10"/><counts group_id="E2" events="1" subjects_affected="1" subjects_at_risk="11"/></event></event_list></category>
      </category_list></serious_events>
      <other_events><frequency_threshold>5</frequency_threshold><default_vocab>MedDRA 20.0</default_vocab><default_assessment>Systematic Assessment</default_assessment><category_list>
        <category><title>Total</title><event_list><event><sub_title>Total, other adverse events</sub_title>
          <counts group_id="E1" subjects_affected="9" subjects_at_risk="10"/><counts group_id="E2" subjects_affected="4" subjects_at_risk="11"/></event></event_list></category>
        <category><title>General disorders</title><event_list><event><sub_title>Fatigue</sub_title>
          <counts group_id="E1" events="12" subjects_affected="7" subjects_at_risk="10"/><counts group_id="E2" events="3" subjects_affected="3" subjects_at_risk="11"/></event></event_list></category>
      </category_list></other_events>
    </reported_events>
    <limitations_and_caveats>Small sample &amp; early stop.</limitations_and_caveats>
  </clinical_results>
</clinical_study>
"#;

#[test]
fn fixture_classic_xml_results() {
    let t = read_one(FIXTURE_XML.as_bytes(), "fixture.xml");
    assert_eq!(t.has_results, Some(true));
    let r = t.results.expect("results");
    check_xml(&t.id, FIXTURE_XML, &r);
    let flow = r.participant_flow.unwrap();
    assert_eq!(flow.periods[0].milestones[0].kind, "STARTED");
    assert_eq!(flow.periods[0].milestones[0].counts[1].count, "11");
    assert_eq!(flow.periods[0].drop_withdraws[0].kind, "Adverse Event");
    let b = r.baseline.unwrap();
    assert_eq!(b.measures[0].param_type.as_deref(), Some("MEAN"));
    assert_eq!(
        b.measures[0].dispersion_type.as_deref(),
        Some("STANDARD_DEVIATION")
    );
    assert_eq!(b.measures[0].measurements[2].spread.as_deref(), Some("8.7"));
    let o = &r.outcome_measures[0];
    assert_eq!(o.kind.as_deref(), Some("PRIMARY"));
    assert_eq!(o.time_frame.as_deref(), Some("12 weeks"));
    assert_eq!(o.dispersion_type.as_deref(), Some("CONFIDENCE_95"));
    assert_eq!(o.measurements[0].upper_limit.as_deref(), Some("73.8"));
    let a = &o.analyses[0];
    assert_eq!(a.group_ids, ["O1", "O2"]);
    assert_eq!(
        a.non_inferiority_type.as_deref(),
        Some("SUPERIORITY_OR_OTHER")
    );
    assert_eq!(a.ci_sides.as_deref(), Some("TWO_SIDED"));
    assert_eq!(a.p_value.as_deref(), Some("0.04"));
    let ae = r.adverse_events.unwrap();
    assert_eq!(ae.groups[0].serious_affected, Some(2));
    assert_eq!(ae.groups[1].other_at_risk, Some(11));
    assert_eq!(ae.serious.len(), 1);
    assert_eq!(
        ae.serious[0].organ_system.as_deref(),
        Some("Hepatobiliary disorders")
    );
    assert_eq!(ae.serious[0].vocabulary.as_deref(), Some("MedDRA 20.0"));
    assert_eq!(
        ae.other[0].assessment.as_deref(),
        Some("SYSTEMATIC_ASSESSMENT")
    );
    assert_eq!(ae.other[0].stats[0].events, Some(12));
    assert_eq!(ae.frequency_threshold.as_deref(), Some("5"));
    assert_eq!(r.limitations.as_deref(), Some("Small sample & early stop."));
}

pub const FIXTURE_JSON: &str = r#"{"protocolSection":{"identificationModule":{"nctId":"NCT09999902","briefTitle":"Results fixture JSON"},"statusModule":{"overallStatus":"COMPLETED"}},
"resultsSection":{
 "participantFlowModule":{"groups":[{"id":"FG000","title":"Drug A"},{"id":"FG001","title":"Placebo"}],
  "periods":[{"title":"Overall Study","milestones":[{"type":"STARTED","achievements":[{"groupId":"FG000","numSubjects":"10"},{"groupId":"FG001","numSubjects":"11"}]},{"type":"COMPLETED","achievements":[{"groupId":"FG000","numSubjects":"8"},{"groupId":"FG001","numSubjects":"11"}]}],
   "dropWithdraws":[{"type":"Adverse Event","reasons":[{"groupId":"FG000","numSubjects":"2"},{"groupId":"FG001","numSubjects":"0"}]}]}]},
 "baselineCharacteristicsModule":{"groups":[{"id":"BG000","title":"Drug A"},{"id":"BG001","title":"Placebo"}],"denoms":[{"units":"Participants","counts":[{"groupId":"BG000","value":"10"},{"groupId":"BG001","value":"11"}]}],
  "measures":[{"title":"Sex: Female, Male","paramType":"COUNT_OF_PARTICIPANTS","unitOfMeasure":"Participants","classes":[{"categories":[{"title":"Female","measurements":[{"groupId":"BG000","value":"4"},{"groupId":"BG001","value":"6"}]},{"title":"Male","measurements":[{"groupId":"BG000","value":"6"},{"groupId":"BG001","value":"5"}]}]}]}]},
 "outcomeMeasuresModule":{"outcomeMeasures":[{"type":"PRIMARY","title":"Progression-free survival","timeFrame":"24 months","paramType":"MEDIAN","dispersionType":"CONFIDENCE_95","unitOfMeasure":"months",
  "groups":[{"id":"OG000","title":"Drug A"},{"id":"OG001","title":"Placebo"}],
  "classes":[{"categories":[{"measurements":[{"groupId":"OG000","value":"7.2","lowerLimit":"5.1","upperLimit":"9.8"},{"groupId":"OG001","value":"3.1","lowerLimit":"2.0","upperLimit":"4.4"}]}]}],
  "analyses":[{"groupIds":["OG000","OG001"],"nonInferiorityType":"SUPERIORITY","pValue":"0.003","statisticalMethod":"Log Rank","paramType":"Hazard Ratio (HR)","paramValue":"0.52","ciPctValue":"95","ciNumSides":"TWO_SIDED","ciLowerLimit":"0.33","ciUpperLimit":"0.81"}]}]},
 "adverseEventsModule":{"frequencyThreshold":"5","timeFrame":"6 months","eventGroups":[{"id":"EG000","title":"Drug A","seriousNumAffected":2,"seriousNumAtRisk":10,"otherNumAffected":9,"otherNumAtRisk":10},{"id":"EG001","title":"Placebo","seriousNumAffected":1,"seriousNumAtRisk":11,"otherNumAffected":4,"otherNumAtRisk":11}],
  "seriousEvents":[{"term":"Hepatic failure","organSystem":"Hepatobiliary disorders","stats":[{"groupId":"EG000","numEvents":2,"numAffected":2,"numAtRisk":10},{"groupId":"EG001","numEvents":1,"numAffected":1,"numAtRisk":11}]}],
  "otherEvents":[{"term":"Fatigue","organSystem":"General disorders","stats":[{"groupId":"EG000","numEvents":12,"numAffected":7,"numAtRisk":10},{"groupId":"EG001","numEvents":3,"numAffected":3,"numAtRisk":11}]}]},
 "moreInfoModule":{"limitationsAndCaveats":{"description":"Small sample."}}},
"hasResults":true}"#;

#[test]
fn fixture_api_v2_results() {
    let t = tm_ingest::merge::finalize(read_one(FIXTURE_JSON.as_bytes(), "fixture.json"));
    let source: Value = serde_json::from_str(FIXTURE_JSON).unwrap();
    let r = t.results.as_ref().expect("results");
    check_json(&t.id, &source["resultsSection"], r);
    let b = r.baseline.as_ref().unwrap();
    assert_eq!(
        b.measures[0].measurements[2].category.as_deref(),
        Some("Male")
    );
    assert_eq!(
        r.outcome_measures[0].analyses[0].method.as_deref(),
        Some("Log Rank")
    );
    assert_eq!(r.limitations.as_deref(), Some("Small sample."));
    assert_eq!(t.provenance.get("results"), Some(&vec![0]));
}

#[test]
fn merged_results_come_whole_from_the_best_source_without_conflict() {
    let json = read_one(FIXTURE_JSON.as_bytes(), "fixture.json");
    let xml_text = FIXTURE_XML.replace("NCT09999901", "NCT09999902");
    let xml = read_one(xml_text.as_bytes(), "fixture.xml");
    let m = tm_ingest::merge::merge(&[xml.clone(), json.clone()]);
    assert_eq!(m.results, json.results);
    let src = m.provenance.get("results").expect("provenance");
    assert_eq!(src.len(), 1);
    assert_eq!(m.sources[src[0]].format, "ctgov-json");
    assert!(m.conflicts.iter().all(|c| c.field != "results"));
    // A source without results never removes them.
    let mut bare = json.clone();
    bare.results = None;
    bare.sources[0].content_hash = "other".into();
    let m = tm_ingest::merge::merge(&[bare, xml.clone()]);
    assert_eq!(m.results, xml.results);
    assert_eq!(m.sources[m.provenance["results"][0]].format, "ctgov-xml");
}
