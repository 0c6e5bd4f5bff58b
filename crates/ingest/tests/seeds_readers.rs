//! Seed readers: every seed parses and yields the fields its page carries.

mod seeds_common;
use seeds_common::*;
use tm_ingest::identity;
use tm_model::{OverallStatus, Phase};

fn json(t: &tm_ingest::Trial) -> String {
    serde_json::to_string(t).expect("serialisable")
}

#[test]
fn all_five_seeds_parse() {
    let t0 = page(&seed_bytes("000"));
    let t1 = csv_row(&seed_bytes("001"));
    let t2 = page(&seed_bytes("002"));
    let t3 = clinconnect(&seed_bytes("003"));
    let t4 = clinconnect(&seed_bytes("004"));
    for t in [&t0, &t1, &t2, &t3, &t4] {
        assert!(t.title.as_deref().is_some_and(|s| !s.is_empty()));
        assert_eq!(t.sources.len(), 1);
        assert!(!t.id.is_empty());
    }
    assert_eq!(t0.sources[0].format, "ctgov-page");
    assert_eq!(t1.sources[0].format, "ctgov-csv-row");
    assert_eq!(t3.sources[0].format, "clinconnect-page");
}

#[test]
fn seed_000_page_sites_identifiers_boilerplate() {
    let t = page(&seed_bytes("000"));
    assert_eq!(t.id, "NCT06310590");
    assert_eq!(t.status, Some(OverallStatus::ActiveNotRecruiting));
    assert_eq!(t.phase, vec![Phase::Phase1]);
    assert_eq!(t.enrollment.as_ref().map(|e| e.count), Some(40));
    assert_eq!(t.has_results, Some(false));
    // 19 sites, none lost to an empty "Site Status" value.
    assert_eq!(t.locations.len(), 19);
    assert_eq!(
        t.locations[0].facility.as_deref(),
        Some("Anhui Provincial Hospital")
    );
    assert_eq!(t.locations[0].city.as_deref(), Some("Hefei"));
    assert_eq!(t.locations[0].state.as_deref(), Some("Anhui"));
    assert_eq!(
        t.locations[1].facility.as_deref(),
        Some("Fujian Provincial Cancer Hospital")
    );
    assert!(t.locations.iter().all(|l| l.status.is_none()));
    assert!(t
        .locations
        .iter()
        .all(|l| l.country.as_deref() == Some("China")));
    let chongqing = &t.locations[13];
    assert_eq!(chongqing.city.as_deref(), Some("Chongqing"));
    assert_eq!(chongqing.state, None);
    // Identifiers with type and source.
    let ctr = t
        .registry_ids
        .iter()
        .find(|r| r.id == "CTR20230515")
        .expect("CTR id");
    assert_eq!(ctr.kind, "ctr");
    let org = t
        .registry_ids
        .iter()
        .find(|r| r.id == "NRT6003-HCC-2022")
        .expect("org id");
    assert_eq!(org.kind, "org");
    assert_eq!(
        org.source.as_deref(),
        Some("Chengdu New Radiomedicine Technology Co. LTD.")
    );
    // Related trials are captured, not taken as this trial's id.
    assert_eq!(t.related_trials, vec!["NCT05396937".to_string()]);
    assert!(!t.all_ids().contains(&"NCT05396937"));
    // Boilerplate sentences are gone from every field.
    let j = json(&t);
    for b in [
        "Get a concise snapshot",
        "Check back later for updates",
        "Review the sponsor-provided synopsis",
        "Explore where the study",
        "Additional clinical trials",
    ] {
        assert!(!j.contains(b), "boilerplate {b:?} leaked");
    }
    // Eligibility: criteria repaired, labels parsed.
    let c = t.eligibility.criteria_text.as_deref().expect("criteria");
    assert!(c.starts_with("Inclusion Criteria"));
    assert!(c.contains("\nExclusion Criteria\n"));
    assert!(
        c.contains("ANC) ≥ 1.5 × 10^9/L"),
        "markdown escapes removed"
    );
    assert!(c.contains("[no blood transfusion"));
    assert!(!c.contains('\\'));
    assert!(c.ends_with("unsuitable for participating in this trial."));
    assert_eq!(t.eligibility.min_age.as_ref().map(|a| a.value), Some(18.0));
    assert_eq!(t.eligibility.max_age.as_ref().map(|a| a.value), Some(80.0));
    assert_eq!(t.eligibility.healthy_volunteers, Some(false));
    assert_eq!(
        t.lead_sponsor(),
        Some("Chengdu New Radiomedicine Technology Co. LTD.")
    );
    assert_eq!(t.sponsors[0].class.as_deref(), Some("INDUSTRY"));
    assert_eq!(t.officials.len(), 1);
    assert_eq!(
        t.officials[0].affiliation.as_deref(),
        Some("Zhongda Hospital")
    );
    assert_eq!(t.interventions.len(), 1);
    assert_eq!(
        t.interventions[0].other_names,
        vec!["Yttrium-90 carbon microspheres".to_string()]
    );
    assert_eq!(t.arms.len(), 1);
    assert_eq!(t.arms[0].kind.as_deref(), Some("EXPERIMENTAL"));
    assert!(t
        .detailed_description
        .as_deref()
        .unwrap()
        .contains("patients´ quality"));
}

#[test]
fn seed_002_arms_interventions_design_reference() {
    let t = page(&seed_bytes("002"));
    assert_eq!(t.id, "NCT04011033");
    assert_eq!(t.arms.len(), 2);
    let names: Vec<&str> = t.interventions.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"iNKT cells"));
    assert!(names.iter().any(|n| n.contains("Interleukin-2")), "IL-2");
    assert!(names.contains(&"TAE/TACE"));
    let kinds: Vec<&str> = t.interventions.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, vec!["BIOLOGICAL", "DRUG", "PROCEDURE"]);
    assert_eq!(t.arms[0].interventions.len(), 3);
    assert_eq!(t.arms[1].interventions, vec!["TAE/TACE".to_string()]);
    assert_eq!(t.arms[1].kind.as_deref(), Some("OTHER"));
    let tace = t
        .interventions
        .iter()
        .find(|i| i.name == "TAE/TACE")
        .unwrap();
    assert_eq!(tace.arm_labels.len(), 2);
    assert_eq!(t.enrollment.as_ref().map(|e| e.count), Some(60));
    assert_eq!(t.phase, vec![Phase::Phase2]);
    assert_eq!(t.design.allocation.as_deref(), Some("RANDOMIZED"));
    assert_eq!(t.design.intervention_model.as_deref(), Some("PARALLEL"));
    assert_eq!(t.has_results, Some(true));
    assert_eq!(t.references.len(), 1);
    assert_eq!(t.references[0].pmid.as_deref(), Some("37637501"));
    assert_eq!(t.references[0].kind.as_deref(), Some("DERIVED"));
    assert!(t.references[0]
        .citation
        .as_deref()
        .unwrap()
        .starts_with("Guo J, Bao X"));
    assert_eq!(t.lead_sponsor(), Some("Beijing YouAn Hospital"));
    assert_eq!(t.sponsors.len(), 3);
    assert_eq!(t.locations.len(), 1);
    assert_eq!(t.status, Some(OverallStatus::Completed));
    assert!(t.related_trials.is_empty());
    let c = t.eligibility.criteria_text.as_deref().unwrap();
    assert!(c.contains("WBC>3.0×10^9/L"));
    assert!(c.ends_with("Unsuitable subjects considered by clinicians."));
}

#[test]
fn seed_001_csv_row_outcomes_and_repair() {
    let t = csv_row(&seed_bytes("001"));
    assert!(t.id.starts_with("TM-"));
    assert_eq!(t.outcomes.primary.len(), 2);
    assert_eq!(t.outcomes.secondary.len(), 10);
    let p0 = &t.outcomes.primary[0];
    assert_eq!(p0.measure, "Adverse events/ Severe adverse events");
    assert_eq!(p0.time_frame.as_deref(), Some("Up to 12 months"));
    assert!(p0.raw.is_some());
    let y90 = t
        .outcomes
        .secondary
        .iter()
        .find(|o| o.measure == "Yttrium-90 distribution")
        .unwrap();
    assert_eq!(y90.time_frame.as_deref(), Some("Within 24 hours"));
    assert!(y90
        .description
        .as_deref()
        .unwrap()
        .contains("including extrahepatic shunts, intrahepatic distribution"));
    assert_eq!(t.interventions.len(), 1);
    assert_eq!(t.interventions[0].kind, "DRUG");
    assert_eq!(t.interventions[0].name, "NRT6003 Injection");
    let d = t.detailed_description.as_deref().unwrap();
    assert!(
        d.contains("patients´ quality of life"),
        "mojibake repaired: {d}"
    );
    assert!(!d.contains('Â'));
    assert!(d.contains("\n\nThe primary objective"));
}

fn bullets(c: &str, from: &str, to: Option<&str>) -> usize {
    let start = c.find(from).expect("heading present");
    let end = to.and_then(|t| c.find(t)).unwrap_or(c.len());
    c[start..end]
        .lines()
        .filter(|l| l.starts_with("• "))
        .count()
}

#[test]
fn seeds_003_004_clinconnect() {
    let t3 = clinconnect(&seed_bytes("003"));
    let t4 = clinconnect(&seed_bytes("004"));
    for t in [&t3, &t4] {
        assert!(t.id.starts_with("TM-") && t.id.len() == 19);
        assert!(t.registry_ids.is_empty());
        assert_eq!(t.status, Some(OverallStatus::Recruiting));
        assert!(t
            .lay_summary
            .as_deref()
            .unwrap()
            .starts_with("This clinical trial is"));
        assert!(t.sponsors[0].description.is_some());
        // The site-wide "Contacts" block is not trial data.
        let j = json(t);
        assert!(!j.contains("Jennifer Cobb"));
        assert!(!j.contains("NIAID"));
    }
    assert_eq!(
        t3.id,
        identity::derived_id(
            t3.title.as_deref().unwrap(),
            Some("UNIVERSITY HOSPITAL, BORDEAUX")
        )
    );
    assert_eq!(t3.lead_sponsor(), Some("University Hospital, Bordeaux"));
    assert_eq!(t3.sources[0].current_as_of.as_deref(), Some("2025-07-25"));
    assert_eq!(t3.dates.start.as_deref(), Some("2021-04-07"));
    let c3 = t3.eligibility.criteria_text.as_deref().unwrap();
    assert!(c3.starts_with("Inclusion Criteria:\n• Histologically proven"));
    assert_eq!(
        bullets(c3, "Inclusion Criteria:", Some("Exclusion Criteria:")),
        11
    );
    assert_eq!(bullets(c3, "Exclusion Criteria:", None), 13);
    assert!(c3.contains("hepatic invasion > 50%"), "escape repaired");
    assert!(c3.contains("Patient´s signed"));
    assert!(c3.ends_with("cancellation of the following dose"));
    assert_eq!(t3.locations.len(), 4);
    assert!(t3
        .locations
        .iter()
        .all(|l| l.country.as_deref() == Some("France")));
    let cities: Vec<&str> = t3
        .locations
        .iter()
        .filter_map(|l| l.city.as_deref())
        .collect();
    assert_eq!(cities, vec!["Bordeaux", "Pessac", "Nîmes", "Toulouse"]);
    assert_eq!(t3.officials.len(), 1);
    assert_eq!(
        t3.officials[0].role.as_deref(),
        Some("PRINCIPAL_INVESTIGATOR")
    );
    let c4 = t4.eligibility.criteria_text.as_deref().unwrap();
    assert_eq!(
        bullets(c4, "Inclusion Criteria:", Some("Exclusion Criteria:")),
        9
    );
    assert_eq!(bullets(c4, "Exclusion Criteria:", None), 15);
    assert!(c4.contains("HBV) DNA > 2000 copies/ml"));
    assert_eq!(t4.locations.len(), 1);
    assert_ne!(t3.id, t4.id);
}

#[test]
fn derived_ids_ignore_fetch_dates_and_are_stable() {
    for seed in ["003", "004"] {
        let bytes = seed_bytes(seed);
        let a = clinconnect(&bytes);
        let b = clinconnect(&bytes);
        assert_eq!(a.id, b.id, "same across runs");
        let text = String::from_utf8(bytes).unwrap();
        let refetched = text
            .lines()
            .map(|l| {
                if l.starts_with("Current as of") {
                    "Current as of January 1, 2030".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = clinconnect(refetched.as_bytes());
        assert_eq!(c.id, a.id, "fetch date must not change the id");
        assert_eq!(c.sources[0].current_as_of.as_deref(), Some("2030-01-01"));
        assert_ne!(c.sources[0].content_hash, a.sources[0].content_hash);
    }
}
