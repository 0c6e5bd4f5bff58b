//! Two processes importing overlapping inputs into one store at once.

mod common;
use common::*;
use std::process::Command;

#[test]
fn concurrent_imports_do_not_corrupt_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    // 0..300 in a, 150..450 in b: 150 shared, 450 distinct trials.
    for i in 0..450u32 {
        let nct = format!("NCT3{i:07}");
        let body = api_v2_study(
            &nct,
            &format!("Concurrent study {i}"),
            "RECRUITING",
            "Condition",
        );
        if i < 300 {
            std::fs::write(a.join(format!("{nct}.json")), &body).unwrap();
        }
        if i >= 150 {
            std::fs::write(b.join(format!("{nct}.json")), &body).unwrap();
        }
    }
    // Small batches so the two writers interleave.
    let spawn = |p: &std::path::Path| {
        Command::new(bin())
            .args([
                "--json",
                "--db",
                db.to_str().unwrap(),
                "import",
                "--batch-size",
                "7",
            ])
            .arg(p)
            .output()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let ha = s.spawn(|| spawn(&a));
        let hb = s.spawn(|| spawn(&b));
        (ha.join().unwrap().unwrap(), hb.join().unwrap().unwrap())
    });
    for r in [&ra, &rb] {
        assert!(r.status.success(), "{}", stderr(r));
    }
    let sa: serde_json::Value = serde_json::from_slice(&ra.stdout).unwrap();
    let sb: serde_json::Value = serde_json::from_slice(&rb.stdout).unwrap();
    let n = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap();
    // Every shared record was imported by exactly one of the two.
    assert_eq!(n(&sa, "imported") + n(&sb, "imported"), 450);
    assert_eq!(n(&sa, "unchanged") + n(&sb, "unchanged"), 150);

    let store = tm_store::Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert_eq!(store.count_trials().unwrap(), 450);
    assert_eq!(store.count_source_records().unwrap(), 450);
}
