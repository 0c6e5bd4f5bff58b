//! `import`, `list`, `demo` through the real binary.

mod common;
use common::*;

#[test]
fn import_seeds_then_list_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let seeds = seeds();
    let sum = tm_json(&db, &["import", seeds.to_str().unwrap()]);
    assert_eq!(sum["schema_version"], 1);
    assert_eq!(sum["files"], 5);
    assert_eq!(sum["rejected"], 0, "seed rejections: {}", sum["rejections"]);
    let records = sum["records"].as_u64().unwrap();
    assert_eq!(records, 5);
    let imported = sum["imported"].as_u64().unwrap();
    let merged = sum["merged"].as_u64().unwrap();
    assert_eq!(imported + merged, 5);
    let trials = sum["trials_in_store"].as_u64().unwrap();
    assert_eq!(trials, imported);

    let list = tm_json(&db, &["list"]);
    let arr = list.as_array().unwrap();
    assert_eq!(arr.len() as u64, trials);
    let ids: Vec<&str> = arr.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"NCT06310590"), "{ids:?}");
    assert!(ids.contains(&"NCT04011033"), "{ids:?}");
    for t in arr {
        assert!(t["title"].as_str().is_some_and(|s| !s.is_empty()), "{t}");
        assert!(t.get("status").is_some() && t.get("phase").is_some());
        assert!(t.get("conditions").is_some() && t.get("enrollment").is_some());
    }

    // The human list names every trial.
    let o = tm(&db, &["list"]);
    assert!(o.status.success());
    for id in ids {
        assert!(stdout(&o).contains(id));
    }
}

#[test]
fn reimport_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let seeds = seeds();
    let first = tm_json(&db, &["import", seeds.to_str().unwrap()]);
    let before = trials_dump(&db);
    let second = tm_json(&db, &["import", seeds.to_str().unwrap()]);
    assert_eq!(second["unchanged"], first["records"]);
    assert_eq!(second["imported"], 0);
    assert_eq!(second["merged"], 0);
    assert_eq!(trials_dump(&db), before);
}

/// Every stored trial's JSON, via the store crate.
fn trials_dump(db: &std::path::Path) -> Vec<(String, String)> {
    tm_store::Store::open(db).unwrap().trials_json().unwrap()
}

#[test]
fn bad_inputs_are_reported_and_good_files_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    std::fs::write(inp.join("empty.txt"), b"").unwrap();
    let mut blob = vec![0u8, 159, 146, 150, 0, 1, 2, 255];
    blob.extend((0..600u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(inp.join("blob.bin"), &blob).unwrap();
    std::fs::write(
        inp.join("trunc.xml"),
        b"<?xml version=\"1.0\"?>\n<clinical_study>\n  <id_info><nct_id>NCT01000001</nct_id></id_info>\n  <brief_title>Cut",
    )
    .unwrap();
    std::fs::write(
        inp.join("bad.json"),
        b"{\"protocolSection\": {\"identificationModule\": ",
    )
    .unwrap();
    std::fs::write(
        inp.join("good.json"),
        api_v2_study(
            "NCT10000001",
            "A good synthetic study",
            "RECRUITING",
            "Liver cancer",
        ),
    )
    .unwrap();
    std::fs::copy(
        seeds().join("000_857b8fccbb1fb5f6.txt"),
        inp.join("seed.txt"),
    )
    .unwrap();

    let o = tm(&db, &["import", inp.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    for bad in ["empty.txt", "blob.bin", "trunc.xml", "bad.json"] {
        let line = err
            .lines()
            .find(|l| l.contains(bad))
            .unwrap_or_else(|| panic!("{bad} not reported:\n{err}"));
        // `file:record: reason` (or `file: reason` for a whole file).
        let file = inp.join(bad).display().to_string();
        assert!(line.starts_with(&file), "{line}");
        let rest = &line[file.len()..];
        assert!(rest.starts_with(':') && rest.contains(": "), "{line}");
        assert!(rest.trim_start_matches(':').len() > 3, "no reason: {line}");
    }
    assert!(!err.contains("good.json"), "{err}");
    assert!(stdout(&o).contains("rejected        4"), "{}", stdout(&o));

    let list = tm_json(&db, &["list"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"NCT10000001"), "{ids:?}");
    assert!(ids.contains(&"NCT06310590"), "{ids:?}");
    assert!(!ids.contains(&"NCT01000001"), "{ids:?}");
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // Nothing readable → 1.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, b"").unwrap();
    let o = tm(&db, &["import", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing could be read"));
    // Missing path → 1.
    let o = tm(&db, &["import", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nope"));
    // Usage errors → 2.
    assert_eq!(tm(&db, &["import"]).status.code(), Some(2));
    assert_eq!(tm(&db, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        tm(&db, &["list", "--status", "banana"]).status.code(),
        Some(2)
    );
    assert_eq!(
        tm(&db, &["list", "--phase", "seven"]).status.code(),
        Some(2)
    );
    // Partly readable → 0.
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        api_v2_study("NCT10000002", "Good", "COMPLETED", "Asthma"),
    )
    .unwrap();
    let o = tm(
        &db,
        &["import", good.to_str().unwrap(), empty.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn list_filters_and_empty_store_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // No store: an error naming it, and none is created (issue 29 item 6).
    let o = tm(&db, &["list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("(run `trialmatch import` first)"),
        "{}",
        stderr(&o)
    );
    assert!(!db.exists(), "list must not create the store");
    // An empty store: the hint, and `[]`.
    drop(tm_store::Store::open(&db).unwrap());
    let o = tm(&db, &["list"]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("trialmatch import examples/seeds"),
        "{}",
        stdout(&o)
    );
    assert_eq!(tm_json(&db, &["list"]), serde_json::json!([]));

    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    for (i, (status, cond)) in [
        ("RECRUITING", "Hepatocellular Carcinoma"),
        ("COMPLETED", "Hepatocellular carcinoma, adult"),
        ("RECRUITING", "Asthma"),
    ]
    .iter()
    .enumerate()
    {
        let nct = format!("NCT2000000{i}");
        std::fs::write(
            inp.join(format!("{nct}.json")),
            api_v2_study(&nct, &format!("Study {i}"), status, cond),
        )
        .unwrap();
    }
    tm_json(&db, &["import", inp.to_str().unwrap()]);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["list"];
        a.extend_from_slice(args);
        tm_json(&db, &a)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&[]).len(), 3);
    assert_eq!(
        ids(&["--status", "recruiting"]),
        ["NCT20000000", "NCT20000002"]
    );
    assert_eq!(ids(&["--status", "Completed"]), ["NCT20000001"]);
    assert_eq!(
        ids(&["--condition", "HEPATOCELLULAR"]),
        ["NCT20000000", "NCT20000001"]
    );
    assert_eq!(
        ids(&["--condition", "carcinoma", "--status", "RECRUITING"]),
        ["NCT20000000"]
    );
    assert_eq!(ids(&["--phase", "2"]).len(), 3);
    assert!(ids(&["--phase", "Phase 3"]).is_empty());
}

#[test]
fn demo_imports_the_embedded_seeds_like_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = tm(&db, &["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("NCT06310590"));
    // Same bytes, same labels: importing the files afterwards changes nothing
    // (run from the workspace root so the file labels match).
    let o = std::process::Command::new(bin())
        .current_dir(root())
        .args([
            "--json",
            "--db",
            db.to_str().unwrap(),
            "import",
            "examples/seeds",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let sum: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(sum["unchanged"], 5, "{sum}");
}

#[test]
fn api_v2_data_imports_without_rejections() {
    let Some(data) = shared_data() else {
        eprintln!("note: ../shared/data absent; skipping the API v2 data test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let p = data.join("ctgov/api-v2");
    let sum = tm_json(&db, &["import", p.to_str().unwrap()]);
    assert_eq!(sum["rejected"], 0, "{}", sum["rejections"]);
    assert_eq!(sum["records"], 161);
    // 10 studies appear in two files: 151 distinct trials.
    assert_eq!(sum["trials_in_store"], 151);
    let again = tm_json(&db, &["import", p.to_str().unwrap()]);
    assert_eq!(again["unchanged"], 161);
}
