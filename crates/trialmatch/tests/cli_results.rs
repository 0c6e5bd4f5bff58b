//! `show ID --results` and `show --json` `results`: posted results of a
//! fixture record of our own, and of shared records with results (API v2
//! and classic XML; skipped with a note when ../shared is absent).

mod common;

use common::*;
use serde_json::Value;

const FIXTURE_JSON: &str = r#"{"protocolSection":{"identificationModule":{"nctId":"NCT09999902","briefTitle":"Results fixture JSON"},"statusModule":{"overallStatus":"COMPLETED"}},
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
fn show_results_of_a_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let f = dir.path().join("study.json");
    std::fs::write(&f, FIXTURE_JSON).unwrap();
    let o = tm(&db, &["-q", "import", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = tm(&db, &["show", "NCT09999902", "--results"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "Participant flow",
        "Overall Study",
        "STARTED",
        "Not completed: Adverse Event",
        "Baseline characteristics",
        "Sex: Female, Male",
        "Outcome measures",
        "1. Progression-free survival (Primary)",
        "Time frame: 24 months",
        "7.2 (5.1 to 9.8)",
        "Log Rank; p = 0.003; Hazard Ratio (HR) 0.52 (95% CI 0.33 to 0.81)",
        "Adverse events",
        "Serious adverse events",
        "Hepatic failure",
        "2/10 (20.00%)",
        "Limitations and caveats",
        "Results from source [0] ctgov-json",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    // The summary view points to the results.
    let o = tm(&db, &["show", "NCT09999902"]);
    assert!(stdout(&o).contains("Results posted: trialmatch show NCT09999902 --results"));

    let j = tm_json(&db, &["show", "NCT09999902"]);
    let r = &j["results"];
    assert_eq!(
        r["participant_flow"]["periods"][0]["milestones"][0]["type"],
        "STARTED"
    );
    assert_eq!(
        r["participant_flow"]["periods"][0]["milestones"][0]["counts"][1]["count"],
        "11"
    );
    assert_eq!(
        r["baseline"]["measures"][0]["measurements"][0]["value"],
        "4"
    );
    let om = &r["outcome_measures"][0];
    assert_eq!(om["title"], "Progression-free survival");
    assert_eq!(om["type"], "PRIMARY");
    assert_eq!(om["time_frame"], "24 months");
    assert_eq!(om["groups"][1]["id"], "OG001");
    assert_eq!(om["measurements"][0]["lower_limit"], "5.1");
    assert_eq!(om["analyses"][0]["p_value"], "0.003");
    assert_eq!(r["adverse_events"]["serious"][0]["term"], "Hepatic failure");
    assert_eq!(r["adverse_events"]["groups"][0]["serious_affected"], 2);
    assert_eq!(j["provenance"]["results"], serde_json::json!([0]));
    // --results with --json prints the same document.
    assert_eq!(tm_json(&db, &["show", "NCT09999902", "--results"]), j);
}

#[test]
fn show_without_results_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let f = dir.path().join("study.json");
    std::fs::write(
        &f,
        api_v2_study("NCT09999903", "No results", "RECRUITING", "X"),
    )
    .unwrap();
    assert!(tm(&db, &["-q", "import", f.to_str().unwrap()])
        .status
        .success());
    let o = tm(&db, &["show", "NCT09999903", "--results"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("No results posted."));
    assert!(tm_json(&db, &["show", "NCT09999903"])
        .get("results")
        .is_none());
}

/// Shared records: every outcome title, milestone count and serious event of
/// the source appears in `show --results`, and `show --json` carries them.
#[test]
fn show_results_of_shared_records_match_the_source() {
    let Some(data) = shared_data() else {
        eprintln!("note: ../shared/data absent; shared results CLI test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let json_file = data.join("ctgov/api-v2/nsclc-phase3-100.json");
    let xml_file = data.join("ctgov/classic-xml/NCT0000xxxx/NCT00004635.xml");
    let o = tm(
        &db,
        &[
            "-q",
            "import",
            json_file.to_str().unwrap(),
            xml_file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // API v2: NCT02369484.
    let studies: Value = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    let src = studies
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["protocolSection"]["identificationModule"]["nctId"] == "NCT02369484")
        .unwrap();
    let rs = &src["resultsSection"];
    let text = stdout(&tm(&db, &["show", "NCT02369484", "--results"]));
    let j = tm_json(&db, &["show", "NCT02369484"]);
    for (i, om) in rs["outcomeMeasures"]
        .as_array()
        .or(rs["outcomeMeasuresModule"]["outcomeMeasures"].as_array())
        .unwrap()
        .iter()
        .enumerate()
    {
        let title = om["title"].as_str().unwrap();
        assert!(text.contains(title), "missing outcome {title}");
        assert_eq!(j["results"]["outcome_measures"][i]["title"], title);
        assert_eq!(
            j["results"]["outcome_measures"][i]["time_frame"],
            om["timeFrame"]
        );
    }
    let started = &rs["participantFlowModule"]["periods"][0]["milestones"][0];
    assert_eq!(started["type"], "STARTED");
    let n = started["achievements"][0]["numSubjects"].as_str().unwrap();
    assert!(text
        .lines()
        .any(|l| l.trim_start().starts_with("STARTED") && l.trim_end().ends_with(n)));
    for e in rs["adverseEventsModule"]["seriousEvents"]
        .as_array()
        .unwrap()
    {
        let term = e["term"].as_str().unwrap();
        assert!(
            text.contains(&term[..term.len().min(30)]),
            "missing AE {term}"
        );
    }

    // Classic XML: NCT00004635.
    let text = stdout(&tm(&db, &["show", "NCT00004635", "--results"]));
    for line in [
        "Period One",
        "STARTED",
        "Not completed: PSA did not go <5 ng/mL",
        "1. Time to Progression (Primary)",
        "15 (12.0 to 22.1)",
        "117/138 (84.78%)",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let j = tm_json(&db, &["show", "NCT00004635"]);
    let flow = &j["results"]["participant_flow"]["periods"][0]["milestones"][0]["counts"];
    assert_eq!(flow[0]["count"], "79");
    assert_eq!(flow[1]["count"], "80");
    assert_eq!(j["results"]["outcome_measures"][0]["type"], "PRIMARY");
    assert!(
        j["results"]["adverse_events"]["serious"]
            .as_array()
            .unwrap()
            .len()
            > 5
    );
}
