//! CSV exports: the 30-column CT.gov export and the legacy SearchResults
//! csv/tsv. Inline samples always run; the full files under
//! ../shared/data/ctgov/csv are read when present (skipped otherwise).

mod seeds_common;
use seeds_common::*;
use std::path::PathBuf;
use tm_ingest::{Format, RecordResult, Trial};
use tm_model::{OverallStatus, Phase};

fn read(bytes: &[u8], format: Format) -> Vec<RecordResult> {
    collect(|s| tm_ingest::ctgov_csv::read(bytes, "t.csv", format, s))
}

fn oks(v: Vec<RecordResult>) -> Vec<Trial> {
    v.into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("record error: {e}")))
        .collect()
}

const NEW: &str = "NCT Number,Study Title,Study URL,Acronym,Study Status,Brief Summary,Study Results,Conditions,Interventions,Primary Outcome Measures,Secondary Outcome Measures,Other Outcome Measures,Sponsor,Collaborators,Sex,Age,Phases,Enrollment,Funder Type,Study Type,Study Design,Other IDs,Start Date,Primary Completion Date,Completion Date,First Posted,Results First Posted,Last Update Posted,Locations,Study Documents\r\n\
NCT06964828,\"Proof of Concept, Randomized, and Crossover Study\",https://clinicaltrials.gov/study/NCT06964828,LipeGar,RECOVERING,\"Multi\nline \\> summary\",NO,Lipedema|Edema,DEVICE: Flat-knitted garment|OTHER: Placebo,\"PVC, The change, computed as x, y, At 6 and 12 months\",,,Hospital La Fe,Hospital A|Hospital B,FEMALE,\"ADULT, OLDER_ADULT\",PHASE1|PHASE2,34,OTHER,INTERVENTIONAL,Allocation: RANDOMIZED|Intervention Model: CROSSOVER|Masking: SINGLE (PARTICIPANT)|Primary Purpose: TREATMENT,LipeGar|2023-501234-12-00,2024-05-08,2025-05,2025-12-31,2025-05-09,,2025-05-09,\"Hospital La Fe, Valencia, 46026, Spain|Clinic B, Madrid, Spain\",\r\n\
,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n\
NCT00000002,Second,u,,COMPLETED,,YES\r\n";

#[test]
fn new_export_inline() {
    let v = read(NEW.as_bytes(), Format::CtgovCsv);
    assert_eq!(v.len(), 3);
    let e = v[1].as_ref().expect_err("empty row is an error");
    assert_eq!(e.record.as_deref(), Some("line 4"), "{e}");
    let t = v[0].as_ref().unwrap();
    assert_eq!(t.id, "NCT06964828");
    assert_eq!(t.sources[0].record.as_deref(), Some("line 2"));
    assert_eq!(t.sources[0].format, "ctgov-csv");
    assert_eq!(t.status, None, "unknown status spelling is not guessed");
    assert_eq!(t.brief_summary.as_deref(), Some("Multi\nline > summary"));
    assert_eq!(t.conditions, vec!["Lipedema", "Edema"]);
    assert_eq!(t.interventions[0].kind, "DEVICE");
    assert_eq!(t.interventions[1].name, "Placebo");
    let o = &t.outcomes.primary[0];
    assert_eq!(o.measure, "PVC");
    assert_eq!(
        o.description.as_deref(),
        Some("The change, computed as x, y")
    );
    assert_eq!(o.time_frame.as_deref(), Some("At 6 and 12 months"));
    assert_eq!(
        o.raw.as_deref(),
        Some("PVC, The change, computed as x, y, At 6 and 12 months")
    );
    assert_eq!(t.lead_sponsor(), Some("Hospital La Fe"));
    assert_eq!(t.sponsors[0].class.as_deref(), Some("OTHER"));
    assert_eq!(t.sponsors.len(), 3);
    assert_eq!(t.eligibility.std_ages, vec!["ADULT", "OLDER_ADULT"]);
    assert_eq!(t.phase, vec![Phase::Phase1, Phase::Phase2]);
    assert_eq!(t.enrollment.as_ref().map(|e| e.count), Some(34));
    assert_eq!(t.design.masking.as_deref(), Some("SINGLE"));
    assert_eq!(t.design.intervention_model.as_deref(), Some("CROSSOVER"));
    let kinds: Vec<(&str, &str)> = t
        .registry_ids
        .iter()
        .map(|r| (r.id.as_str(), r.kind.as_str()))
        .collect();
    assert!(kinds.contains(&("LipeGar", "org")));
    assert!(kinds.contains(&("2023-501234-12-00", "euct")));
    assert_eq!(t.dates.primary_completion.as_deref(), Some("2025-05"));
    assert_eq!(t.locations.len(), 2);
    assert_eq!(t.locations[0].zip.as_deref(), Some("46026"));
    assert_eq!(t.locations[1].city.as_deref(), Some("Madrid"));
    let t2 = v[2].as_ref().unwrap();
    assert_eq!(t2.status, Some(OverallStatus::Completed));
    assert_eq!(t2.has_results, Some(true));
    assert_eq!(t2.sources[0].record.as_deref(), Some("line 5"));
}

const LEGACY: &str = "\"Rank\",\"NCT Number\",\"Title\",\"Acronym\",\"Status\",\"Study Results\",\"Conditions\",\"Interventions\",\"Outcome Measures\",\"Sponsor/Collaborators\",\"Gender\",\"Age\",\"Phases\",\"Enrollment\",\"Funded Bys\",\"Study Type\",\"Study Designs\",\"Other IDs\",\"Start Date\",\"Primary Completion Date\",\"Completion Date\",\"First Posted\",\"Results First Posted\",\"Last Update Posted\",\"Locations\",\"Study Documents\",\"URL\"\n\
1,\"NCT05712642\",\"A Dosing Study of Intravitreal Bevacizumab\",,\"Not yet recruiting\",\"No Results Available\",\"Retinopathy of Prematurity\",\"Drug: Intravitreal Bevacizumab|Dietary Supplement: Milk\",\"Change in VEGF|Adverse events\",\"Cairo University|Other Univ\",\"All\",\"28 Weeks to 40 Weeks   (Child)\",\"Phase 3\",\"19\",\"Other\",\"Interventional\",\"Allocation: Randomized|Intervention Model: Parallel Assignment|Masking: Double (Participant, Investigator)|Primary Purpose: Treatment\",\"MD-108-2019\",\"February 1, 2020\",\"December 2020\",\"January 28, 2021\",\"February 3, 2023\",,\"February 3, 2023\",\"Faculty of Medicine Cairo University, Cairo, Egypt\",,\"https://ClinicalTrials.gov/show/NCT05712642\"\n";

#[test]
fn legacy_export_inline_csv_and_tsv() {
    let t = oks(read(LEGACY.as_bytes(), Format::CtgovCsvLegacy)).remove(0);
    assert_eq!(t.id, "NCT05712642");
    assert_eq!(t.sources[0].format, "ctgov-csv-legacy");
    assert_eq!(t.status, Some(OverallStatus::NotYetRecruiting));
    assert_eq!(t.has_results, Some(false));
    assert_eq!(t.interventions[1].kind, "DIETARY_SUPPLEMENT");
    assert_eq!(t.outcomes.other.len(), 2);
    assert_eq!(t.lead_sponsor(), Some("Cairo University"));
    assert_eq!(
        t.eligibility.min_age.as_ref().map(|a| a.unit.as_str()),
        Some("wk")
    );
    assert_eq!(t.eligibility.max_age.as_ref().map(|a| a.value), Some(40.0));
    assert_eq!(t.phase, vec![Phase::Phase3]);
    assert_eq!(t.design.allocation.as_deref(), Some("RANDOMIZED"));
    assert_eq!(t.design.intervention_model.as_deref(), Some("PARALLEL"));
    assert_eq!(t.design.masking.as_deref(), Some("DOUBLE"));
    assert_eq!(t.dates.start.as_deref(), Some("2020-02-01"));
    assert_eq!(t.dates.primary_completion.as_deref(), Some("2020-12"));
    assert_eq!(t.study_type.as_deref(), Some("INTERVENTIONAL"));
    assert_eq!(t.locations[0].city.as_deref(), Some("Cairo"));
    // Same data tab-separated.
    let tsv = LEGACY
        .replace("\",\"", "\"\t\"")
        .replace(",\"", "\t\"")
        .replace("\",", "\"\t")
        .replace(",,", "\t\t");
    let t2 = oks(read(tsv.as_bytes(), Format::CtgovCsvLegacy)).remove(0);
    assert_eq!(t2.title, t.title);
    assert_eq!(t2.eligibility, t.eligibility);
    assert_eq!(t2.locations, t.locations);
}

fn shared(name: &str) -> Option<Vec<u8>> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ctgov/csv")
        .join(name);
    match std::fs::read(&p) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("note: {} absent, skipping", p.display());
            None
        }
    }
}

#[test]
fn shared_new_export_1000_rows() {
    let Some(bytes) = shared("ctg-studies-1000.csv") else {
        return;
    };
    let v = oks(read(&bytes, Format::CtgovCsv));
    assert_eq!(v.len(), 1000);
    assert!(v.iter().all(|t| t.id.starts_with("NCT")));
    let mut ids: Vec<&str> = v.iter().map(|t| t.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
    assert_eq!(v[0].sources[0].record.as_deref(), Some("line 2"));
    let recruiting = v
        .iter()
        .filter(|t| t.status == Some(OverallStatus::Recruiting))
        .count();
    assert_eq!(recruiting, 237);
    let t = v.iter().find(|t| t.id == "NCT06964828").unwrap();
    assert_eq!(t.acronym.as_deref(), Some("LipeGar"));
    assert!(t.outcomes.primary[0]
        .description
        .as_deref()
        .unwrap()
        .contains("PVC = [ (Baseline volume"));
}

#[test]
fn shared_legacy_csv_and_tsv() {
    for name in ["old-search-results.csv", "old-search-results.tsv"] {
        let Some(bytes) = shared(name) else {
            return;
        };
        let v = oks(read(&bytes, Format::CtgovCsvLegacy));
        assert!(!v.is_empty(), "{name}");
        assert!(v.iter().all(|t| t.nct_id().is_some()), "{name}");
        assert!(v.iter().all(|t| t.title.is_some()), "{name}");
        assert!(v.iter().any(|t| t.eligibility.min_age.is_some()), "{name}");
        eprintln!("{name}: {} records", v.len());
    }
}

#[test]
fn a_row_longer_than_the_header_is_refused_short_rows_are_read() {
    let csv = "NCT Number,Study Title,Study Status\n\
               NCT01234567,Title A,RECRUITING\n\
               NCT01234568,Title B\n\
               NCT01234569,Title, C,COMPLETED\n";
    let v = read(csv.as_bytes(), Format::CtgovCsv);
    assert_eq!(v.len(), 3);
    assert_eq!(
        v[0].as_ref().map(|t| t.status).ok(),
        Some(Some(OverallStatus::Recruiting))
    );
    let short = v[1]
        .as_ref()
        .expect("a short row lacks only trailing cells");
    assert_eq!(short.title.as_deref(), Some("Title B"));
    assert_eq!(short.status, None);
    let e = v[2]
        .as_ref()
        .expect_err("an unquoted comma shifts the columns");
    assert_eq!(e.record.as_deref(), Some("line 4"));
    assert!(
        e.reason.contains("4 fields, the header has 3"),
        "{}",
        e.reason
    );
}
