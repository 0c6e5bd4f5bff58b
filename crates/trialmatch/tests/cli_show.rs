//! `show` through the real binary.

mod common;
use common::*;

fn store_with_seeds() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = tm(&db, &["import", seeds().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, db)
}

#[test]
fn show_json_has_the_normalised_trial() {
    let (_d, db) = store_with_seeds();
    let t = tm_json(&db, &["show", "nct06310590"]);
    assert_eq!(t["schema_version"], 1);
    assert_eq!(t["id"], "NCT06310590");
    for key in [
        "registry_ids",
        "title",
        "status",
        "phase",
        "enrollment",
        "conditions",
        "interventions",
        "arms",
        "outcomes",
        "eligibility",
        "locations",
        "sponsors",
        "sources",
        "conflicts",
    ] {
        assert!(t.get(key).is_some(), "missing {key}");
    }
    assert!(t["phase"].is_array());
    for key in ["primary", "secondary"] {
        assert!(t["outcomes"][key].is_array());
    }
    for key in [
        "min_age",
        "max_age",
        "sex",
        "healthy_volunteers",
        "criteria_text",
    ] {
        assert!(t["eligibility"].get(key).is_some(), "eligibility.{key}");
    }
    let ids: Vec<&str> = t["registry_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"NCT06310590"));
    assert!(!t["sources"].as_array().unwrap().is_empty());
}

#[test]
fn show_human_view_reads_well() {
    let (_d, db) = store_with_seeds();
    let o = tm(&db, &["show", "NCT04011033"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("NCT04011033  "), "{out}");
    for label in ["Status:", "Phase:", "Eligibility", "Sources"] {
        assert!(out.contains(label), "{label} missing:\n{out}");
    }
}

#[test]
fn unknown_id_is_a_clear_error() {
    let (_d, db) = store_with_seeds();
    let o = tm(&db, &["show", "NCT99999999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no trial with id or alias \"NCT99999999\""),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
    // Also on a store that does not exist (and it is not created).
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("none.db");
    assert_eq!(tm(&none, &["show", "NCT06310590"]).status.code(), Some(1));
    assert!(!none.exists());
}

#[test]
fn every_listed_id_and_registry_id_resolves() {
    let (_d, db) = store_with_seeds();
    for t in tm_json(&db, &["list"]).as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let shown = tm_json(&db, &["show", id]);
        assert_eq!(shown["id"], id);
        for r in shown["registry_ids"].as_array().unwrap() {
            let by_alias = tm_json(&db, &["show", &r["id"].as_str().unwrap().to_lowercase()]);
            assert_eq!(by_alias["id"], id);
        }
    }
}
