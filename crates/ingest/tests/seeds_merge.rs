//! Identity and merging on the seeds.

mod seeds_common;
use seeds_common::*;
use tm_ingest::{identity, merge};

#[test]
fn seed_000_and_001_merge_order_independent() {
    let p = page(&seed_bytes("000"));
    let r = csv_row(&seed_bytes("001"));
    // The store finds the CSV row's trial through a shared title key.
    let kp = identity::identity_keys(&p);
    let kr = identity::identity_keys(&r);
    assert!(kr.iter().any(|k| kp.contains(k)), "{kp:?} / {kr:?}");
    assert!(identity::same_trial(&p, &r));

    let a = merge::merge(&[p.clone(), r.clone()]);
    let b = merge::merge(&[r.clone(), p.clone()]);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap(),
        "merge must not depend on input order"
    );
    assert_eq!(a.id, "NCT06310590");
    assert_eq!(a.aliases, vec![r.id.clone()], "derived id stays as alias");
    assert!(r.id.starts_with("TM-"));
    let formats: Vec<&str> = a.sources.iter().map(|s| s.format.as_str()).collect();
    assert_eq!(formats, vec!["ctgov-page", "ctgov-csv-row"]);
    // Outcomes from the CSV row, sites from the page.
    assert_eq!(a.outcomes.primary.len(), 2);
    assert_eq!(a.outcomes.secondary.len(), 10);
    assert_eq!(a.outcomes, r.outcomes);
    assert_eq!(a.locations.len(), 19);
    assert_eq!(a.locations, p.locations);
    assert_eq!(a.provenance["outcomes"], vec![1]);
    assert_eq!(a.provenance["locations"], vec![0]);
    // Both sources agree on the title, summary and (repaired) description.
    assert_eq!(a.provenance["title"], vec![0, 1]);
    assert_eq!(a.provenance["brief_summary"], vec![0, 1]);
    assert_eq!(a.provenance["detailed_description"], vec![0, 1]);
    assert_eq!(a.provenance["interventions"], vec![0, 1]);
    assert!(a.conflicts.is_empty(), "{:?}", a.conflicts);
    // Registry ids kept; related trial not an id.
    assert!(a.registry_ids.iter().any(|r| r.id == "CTR20230515"));
    assert_eq!(a.related_trials, vec!["NCT05396937".to_string()]);
    assert!(!a.all_ids().contains(&"NCT05396937"));
    // Idempotent: merging the merged inputs again with a duplicate.
    let c = merge::merge(&[r.clone(), p.clone(), r.clone()]);
    assert_eq!(c, a);
}

#[test]
fn related_trials_never_become_ids_or_merge_reasons() {
    let p = page(&seed_bytes("000"));
    assert!(!identity::identity_keys(&p)
        .iter()
        .any(|k| k.contains("NCT05396937")));
    // A record of the related trial is not the same trial.
    let mut other = p.clone();
    other.id = "NCT05396937".into();
    other.registry_ids = vec![identity::registry_id("NCT05396937", "nct", None)];
    other.title = Some("Efficacy and Safety of T+A+RAD in HCC".into());
    other.related_trials = vec!["NCT06310590".into()];
    other.sources[0].content_hash = "00000000000000ff".into();
    assert!(!identity::same_trial(&p, &other));
    // Even a forced merge keeps the best NCT id and records the clash.
    let m = merge::merge(&[p.clone(), other.clone()]);
    assert!(m.conflicts.iter().any(|c| c.field == "id"));
    assert!(!m.related_trials.contains(&m.id));
}

#[test]
fn derived_id_becomes_alias_when_nct_arrives() {
    let cc = clinconnect(&seed_bytes("003"));
    let mut ct = cc.clone();
    // A later CT.gov import of the same trial (same title, same sponsor).
    ct.id = String::new();
    ct.registry_ids = vec![identity::registry_id("NCT04837612", "nct", None)];
    ct.sources[0].format = "ctgov-json".into();
    ct.sources[0].content_hash = "0123456789abcdef".into();
    ct.lay_summary = None;
    ct.sponsors[0].description = None;
    ct.sponsors[0].name = "University Hospital, Bordeaux".into();
    let ct = merge::finalize(ct);
    assert_eq!(ct.id, "NCT04837612");
    assert!(identity::same_trial(&cc, &ct));
    let m1 = merge::merge(&[cc.clone(), ct.clone()]);
    let m2 = merge::merge(&[ct.clone(), cc.clone()]);
    assert_eq!(m1, m2);
    assert_eq!(m1.id, "NCT04837612");
    assert_eq!(m1.aliases, vec![cc.id.clone()]);
    // ClinConnect's summary and sponsor blurb survive the merge.
    assert_eq!(m1.lay_summary, cc.lay_summary);
    assert!(m1.sponsors[0].description.is_some());
    assert_eq!(m1.provenance["lay_summary"], vec![1]);
}

#[test]
fn conflicting_values_are_kept_not_overwritten() {
    let p = page(&seed_bytes("000"));
    let mut r = csv_row(&seed_bytes("001"));
    r.conditions = vec!["Liver cancer".into()];
    let m = merge::merge(&[r.clone(), p.clone()]);
    assert_eq!(m.conditions, p.conditions, "page wins over csv row");
    let c = m
        .conflicts
        .iter()
        .find(|c| c.field == "conditions")
        .expect("conflict kept");
    assert_eq!(c.values.len(), 2);
    assert_eq!(c.values[0].source, 0);
    assert_eq!(c.values[1].source, 1);
    assert_eq!(c.values[1].value, serde_json::json!(["Liver cancer"]));
}
