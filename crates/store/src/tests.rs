//! Store unit tests with simple hooks (identity = NCT id or title; merge =
//! union of sources, ids and conditions, canonical id = NCT id if any).

use tm_model::{Enrollment, OverallStatus, Phase, RegistryId, SourceRef, Trial};

use crate::*;

struct Hooks;

impl ImportHooks for Hooks {
    fn identity_keys(&self, t: &Trial) -> Vec<String> {
        let mut k: Vec<String> = t
            .registry_ids
            .iter()
            .filter(|r| r.kind == "nct")
            .map(|r| format!("nct:{}", r.id.to_ascii_uppercase()))
            .collect();
        if let Some(title) = &t.title {
            k.push(format!("title:{}", title.to_lowercase()));
        }
        k
    }

    fn merge(&self, records: &[Trial]) -> Trial {
        let mut out = records[0].clone();
        out.sources.clear();
        out.registry_ids.clear();
        out.conditions.clear();
        for r in records {
            out.sources.extend(r.sources.iter().cloned());
            for id in &r.registry_ids {
                if !out.registry_ids.contains(id) {
                    out.registry_ids.push(id.clone());
                }
            }
            for c in &r.conditions {
                if !out.conditions.contains(c) {
                    out.conditions.push(c.clone());
                }
            }
            if r.id != out.id && !out.aliases.contains(&r.id) {
                out.aliases.push(r.id.clone());
            }
        }
        out.registry_ids.sort();
        out.conditions.sort();
        out.sources.sort();
        if let Some(nct) = out.nct_id().map(str::to_string) {
            out.id = nct;
        } else {
            out.id = records
                .iter()
                .map(|r| r.id.clone())
                .min()
                .unwrap_or_default();
        }
        out.aliases.retain(|a| *a != out.id);
        out.aliases.sort();
        out.aliases.dedup();
        out
    }

    fn same_trial(&self, record: &Trial, trial: &Trial, _sources: &[Trial]) -> bool {
        match (record.nct_id(), trial.nct_id()) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        }
    }
}

fn rec(id: &str, nct: Option<&str>, title: &str, format: &str, hash: &str) -> Trial {
    Trial {
        id: id.to_string(),
        registry_ids: nct
            .map(|n| {
                vec![RegistryId {
                    id: n.to_string(),
                    kind: "nct".into(),
                    source: None,
                }]
            })
            .unwrap_or_default(),
        title: Some(title.to_string()),
        status: Some(OverallStatus::Recruiting),
        phase: vec![Phase::Phase2],
        enrollment: Some(Enrollment {
            count: 40,
            kind: None,
        }),
        conditions: vec!["Hepatocellular Carcinoma".into()],
        sources: vec![SourceRef {
            format: format.into(),
            file: format!("{id}.{format}"),
            record: Some("0".into()),
            content_hash: hash.into(),
            current_as_of: None,
        }],
        ..Trial::default()
    }
}

fn import(store: &mut Store, records: Vec<Trial>, batch: usize) -> ImportSummary {
    let hooks = Hooks;
    let mut imp = store.importer(&hooks, batch);
    for r in records {
        imp.add(r).unwrap();
    }
    imp.finish().unwrap()
}

#[test]
fn file_store_is_wal_and_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    {
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
    // Reopening does not re-run migrations (tables exist; would fail).
    let s = Store::open(&path).unwrap();
    assert_eq!(s.integrity_check().unwrap(), "ok");
    assert!(Store::open_existing(&dir.path().join("none.db"))
        .unwrap()
        .is_none());
}

#[test]
fn read_only_open_reads_and_never_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    assert!(Store::open_read_only(&path).unwrap().is_none());
    assert!(!path.exists(), "a read-only open created the file");
    {
        let mut s = Store::open(&path).unwrap();
        import(
            &mut s,
            vec![rec("NCT1", Some("NCT1"), "One", "ctgov-json", "h1")],
            10,
        );
    }
    let s = Store::open_read_only(&path).unwrap().unwrap();
    assert_eq!(s.count_trials().unwrap(), 1);
    assert!(s.get_trial("NCT1").unwrap().is_some());
    let err = s.put_compiled("NCT1", "v", &1).unwrap_err().to_string();
    assert!(err.contains("readonly"), "{err}");
}

#[test]
fn compile_missing_batch_skips_what_is_stored() {
    let mut s = Store::open_in_memory().unwrap();
    import(
        &mut s,
        vec![
            rec("NCT1", Some("NCT1"), "One", "ctgov-json", "h1"),
            rec("NCT2", Some("NCT2"), "Two", "ctgov-json", "h2"),
        ],
        10,
    );
    s.put_compiled("NCT1", "v1", &"done").unwrap();
    let ids = s.trials_missing_compiled("v1").unwrap();
    assert_eq!(ids, vec!["NCT2".to_string()]);
    let mut calls = 0;
    let all = vec!["NCT1".to_string(), "NCT2".to_string()];
    let n = s
        .compile_missing_batch("v1", &all, |t| {
            calls += 1;
            t.id.clone()
        })
        .unwrap();
    assert_eq!((n, calls), (1, 1));
    assert_eq!(
        s.get_compiled::<String>("NCT2", "v1").unwrap().as_deref(),
        Some("NCT2")
    );
    assert_eq!(s.compile_missing_batch("v1", &all, |_| 0).unwrap(), 0);
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    {
        let s = Store::open(&path).unwrap();
        s.conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    match Store::open(&path) {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
}

#[test]
fn import_is_idempotent_and_detects_changes() {
    let mut s = Store::open_in_memory().unwrap();
    let a = rec(
        "NCT01234567",
        Some("NCT01234567"),
        "Study A",
        "ctgov-json",
        "h1",
    );
    let b = rec(
        "NCT07654321",
        Some("NCT07654321"),
        "Study B",
        "ctgov-json",
        "h2",
    );
    let sum = import(&mut s, vec![a.clone(), b.clone()], 500);
    assert_eq!((sum.imported, sum.merged, sum.unchanged), (2, 0, 0));
    let before = s.trials_json().unwrap();

    let sum = import(&mut s, vec![a.clone(), b.clone()], 500);
    assert_eq!((sum.imported, sum.merged, sum.unchanged), (0, 0, 2));
    assert_eq!(s.trials_json().unwrap(), before);

    // Same source, changed content: replaces the source record.
    let mut a2 = rec(
        "NCT01234567",
        Some("NCT01234567"),
        "Study A v2",
        "ctgov-json",
        "h1b",
    );
    a2.status = Some(OverallStatus::Completed);
    let sum = import(&mut s, vec![a2], 500);
    assert_eq!((sum.imported, sum.merged, sum.unchanged), (0, 1, 0));
    assert_eq!(s.count_trials().unwrap(), 2);
    assert_eq!(s.count_source_records().unwrap(), 2);
    let t = s.get_trial("NCT01234567").unwrap().unwrap();
    assert_eq!(t.title.as_deref(), Some("Study A v2"));
    assert_eq!(t.status, Some(OverallStatus::Completed));
    assert_eq!(t.sources.len(), 1);
}

#[test]
fn second_source_merges_and_linking_record_joins_trials() {
    let mut s = Store::open_in_memory().unwrap();
    // A page with only a title (derived id) and a JSON record with the NCT id
    // but another title: two trials.
    let page = rec("TM-aaaa", None, "Liver Study", "clinconnect-page", "p1");
    let json = rec(
        "NCT00000001",
        Some("NCT00000001"),
        "LIVER-1",
        "ctgov-json",
        "j1",
    );
    let sum = import(&mut s, vec![page, json], 500);
    assert_eq!(sum.imported, 2);
    assert_eq!(s.count_trials().unwrap(), 2);

    // A CSV row carrying both the NCT id and the page's title links them.
    let csv = rec(
        "NCT00000001",
        Some("NCT00000001"),
        "Liver Study",
        "ctgov-csv",
        "c1",
    );
    let sum = import(&mut s, vec![csv], 500);
    assert_eq!((sum.imported, sum.merged, sum.joined), (0, 1, 1));
    assert_eq!(s.count_trials().unwrap(), 1);
    let t = s.get_trial("TM-aaaa").unwrap().unwrap();
    assert_eq!(t.id, "NCT00000001");
    assert_eq!(t.sources.len(), 3);
    assert_eq!(
        s.resolve_id("nct00000001").unwrap().as_deref(),
        Some("NCT00000001")
    );
    assert_eq!(
        s.resolve_id("tm-AAAA").unwrap().as_deref(),
        Some("NCT00000001")
    );
    assert_eq!(s.resolve_id("NCT99999999").unwrap(), None);

    // Re-importing any of the three is a no-op.
    let page = rec("TM-aaaa", None, "Liver Study", "clinconnect-page", "p1");
    let sum = import(&mut s, vec![page], 500);
    assert_eq!(sum.unchanged, 1);
}

#[test]
fn import_order_does_not_matter() {
    let recs = || {
        vec![
            rec("TM-aaaa", None, "Liver Study", "clinconnect-page", "p1"),
            rec(
                "NCT00000001",
                Some("NCT00000001"),
                "LIVER-1",
                "ctgov-json",
                "j1",
            ),
            rec(
                "NCT00000001",
                Some("NCT00000001"),
                "Liver Study",
                "ctgov-csv",
                "c1",
            ),
            rec(
                "NCT00000002",
                Some("NCT00000002"),
                "Other",
                "ctgov-json",
                "j2",
            ),
        ]
    };
    let mut s1 = Store::open_in_memory().unwrap();
    import(&mut s1, recs(), 500);
    let mut s2 = Store::open_in_memory().unwrap();
    let mut rev = recs();
    rev.reverse();
    import(&mut s2, rev, 1);
    assert_eq!(s1.trials_json().unwrap(), s2.trials_json().unwrap());
    assert_eq!(s1.count_trials().unwrap(), 2);
}

#[test]
fn invalid_records_are_reported_and_the_batch_goes_on() {
    let mut s = Store::open_in_memory().unwrap();
    let mut none = rec(
        "NCT00000003",
        Some("NCT00000003"),
        "No source",
        "ctgov-json",
        "x",
    );
    none.sources.clear();
    let mut noid = rec("", None, "No id", "ctgov-json", "y");
    noid.sources[0].file = "bad.json".into();
    let good = rec(
        "NCT00000004",
        Some("NCT00000004"),
        "Good",
        "ctgov-json",
        "z",
    );
    let sum = import(&mut s, vec![none, noid, good], 500);
    assert_eq!(sum.imported, 1);
    assert_eq!(sum.failures.len(), 2);
    assert_eq!(sum.failures[1].file, "bad.json");
    assert!(sum.failures[1].reason.contains("no id"));
    assert_eq!(s.count_trials().unwrap(), 1);
}

#[test]
fn committed_batches_survive_an_unfinished_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    {
        let mut s = Store::open(&path).unwrap();
        let hooks = Hooks;
        let mut imp = s.importer(&hooks, 2);
        for i in 0..3 {
            let id = format!("NCT0000001{i}");
            imp.add(rec(&id, Some(&id), &format!("T{i}"), "ctgov-json", "h"))
                .unwrap();
        }
        assert_eq!(imp.summary().imported, 2);
        // Dropped without finish(): like a killed process.
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.count_trials().unwrap(), 2);
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

#[test]
fn list_filters() {
    let mut s = Store::open_in_memory().unwrap();
    let a = rec("NCT00000001", Some("NCT00000001"), "A", "ctgov-json", "1");
    let mut b = rec("NCT00000002", Some("NCT00000002"), "B", "ctgov-json", "2");
    b.status = Some(OverallStatus::Completed);
    b.phase = vec![Phase::Phase1, Phase::Phase2];
    b.conditions = vec!["Non-Small Cell Lung Cancer".into()];
    let mut c = rec("NCT00000003", Some("NCT00000003"), "C", "ctgov-json", "3");
    c.phase = vec![Phase::Phase3];
    import(&mut s, vec![c, b, a], 500);

    let all = s.list(&ListFilter::default()).unwrap();
    let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["NCT00000001", "NCT00000002", "NCT00000003"]);
    assert_eq!(all[1].phase, vec![Phase::Phase1, Phase::Phase2]);
    assert_eq!(all[0].enrollment, Some(40));

    let f = ListFilter {
        status: Some(OverallStatus::Recruiting),
        ..Default::default()
    };
    let ids: Vec<String> = s.list(&f).unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["NCT00000001", "NCT00000003"]);

    let f = ListFilter {
        phases: vec![Phase::Phase2],
        ..Default::default()
    };
    let ids: Vec<String> = s.list(&f).unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["NCT00000001", "NCT00000002"]);

    let f = ListFilter {
        condition: Some("lung".into()),
        ..Default::default()
    };
    let ids: Vec<String> = s.list(&f).unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["NCT00000002"]);
}

#[test]
fn compiled_criteria_roundtrip_and_invalidation() {
    let mut s = Store::open_in_memory().unwrap();
    let a = rec("NCT00000001", Some("NCT00000001"), "A", "ctgov-json", "1");
    import(&mut s, vec![a], 500);
    let v = serde_json::json!({"criteria": [1, 2, 3]});
    s.put_compiled("NCT00000001", "c1", &v).unwrap();
    let got: Option<serde_json::Value> = s.get_compiled("NCT00000001", "c1").unwrap();
    assert_eq!(got, Some(v));
    let other: Option<serde_json::Value> = s.get_compiled("NCT00000001", "c2").unwrap();
    assert_eq!(other, None);
    // A changed source drops the stale compilation.
    let a2 = rec("NCT00000001", Some("NCT00000001"), "A2", "ctgov-json", "1b");
    import(&mut s, vec![a2], 500);
    let got: Option<serde_json::Value> = s.get_compiled("NCT00000001", "c1").unwrap();
    assert_eq!(got, None);
}

#[test]
fn trials_missing_compiled_follow_version_and_changes() {
    let mut s = Store::open_in_memory().unwrap();
    let a = rec("NCT00000001", Some("NCT00000001"), "A", "ctgov-json", "1");
    let b = rec("NCT00000002", Some("NCT00000002"), "B", "ctgov-json", "2");
    import(&mut s, vec![a, b], 500);
    assert_eq!(
        s.trials_missing_compiled("v1").unwrap(),
        ["NCT00000001", "NCT00000002"]
    );
    let items = vec![
        ("NCT00000001".to_string(), serde_json::json!({"n": 1})),
        ("NCT00000002".to_string(), serde_json::json!({"n": 2})),
    ];
    s.put_compiled_batch("v1", &items).unwrap();
    assert!(s.trials_missing_compiled("v1").unwrap().is_empty());
    // A new compiler version needs everything again; storing it drops v1.
    assert_eq!(s.trials_missing_compiled("v2").unwrap().len(), 2);
    s.put_compiled_batch("v2", &items[..1]).unwrap();
    let old: Option<serde_json::Value> = s.get_compiled("NCT00000001", "v1").unwrap();
    assert_eq!(old, None);
    assert_eq!(s.trials_missing_compiled("v2").unwrap(), ["NCT00000002"]);
    // A changed source makes its trial missing again.
    let a2 = rec("NCT00000001", Some("NCT00000001"), "A2", "ctgov-json", "1b");
    import(&mut s, vec![a2], 500);
    assert_eq!(
        s.trials_missing_compiled("v2").unwrap(),
        ["NCT00000001", "NCT00000002"]
    );
}

#[test]
fn a_shared_title_does_not_join_different_nct_ids() {
    let mut s = Store::open_in_memory().unwrap();
    let a = rec(
        "NCT00000001",
        Some("NCT00000001"),
        "Same Title",
        "ctgov-json",
        "1",
    );
    let b = rec(
        "NCT00000002",
        Some("NCT00000002"),
        "Same Title",
        "ctgov-json",
        "2",
    );
    let sum = import(&mut s, vec![a, b], 500);
    assert_eq!((sum.imported, sum.merged), (2, 0));
    assert_eq!(s.count_trials().unwrap(), 2);
    // A record sharing no key stays a trial of its own.
    let c = rec("TM-cccc", None, "Other Title", "clinconnect-page", "3");
    let sum = import(&mut s, vec![c], 500);
    assert_eq!(sum.imported, 1);
    assert_eq!(s.count_trials().unwrap(), 3);
}

#[test]
fn the_newer_version_of_a_source_record_wins_in_any_order() {
    let mut old = rec(
        "NCT00000009",
        Some("NCT00000009"),
        "Old",
        "ctgov-json",
        "aaa",
    );
    old.dates.last_update = Some("2023-01-10".into());
    let mut new = rec(
        "NCT00000009",
        Some("NCT00000009"),
        "New",
        "ctgov-json",
        "000",
    );
    new.dates.last_update = Some("2024-05-01".into());

    let mut s1 = Store::open_in_memory().unwrap();
    let a = import(&mut s1, vec![old.clone(), new.clone()], 500);
    assert_eq!((a.imported, a.merged, a.unchanged), (1, 1, 0));
    let mut s2 = Store::open_in_memory().unwrap();
    let b = import(&mut s2, vec![new.clone(), old.clone()], 500);
    assert_eq!((b.imported, b.unchanged, b.superseded), (1, 1, 1));
    assert_eq!(s1.trials_json().unwrap(), s2.trials_json().unwrap());
    let t = s1.get_trial("NCT00000009").unwrap().unwrap();
    assert_eq!(t.title.as_deref(), Some("New"));

    // Re-importing both is a no-op.
    let c = import(&mut s1, vec![old, new], 500);
    assert_eq!((c.imported, c.merged, c.unchanged), (0, 0, 2));
}
