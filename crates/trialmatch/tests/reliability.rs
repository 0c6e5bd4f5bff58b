//! Reliability (issue 29): what a careless or hostile input does. Each test
//! names the promise it checks (docs/reliability.md).

mod common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn import_json(db: &Path, paths: &[&Path]) -> (std::process::Output, Option<serde_json::Value>) {
    let mut args: Vec<String> = vec!["--json".into(), "import".into()];
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = tm(db, &refs);
    let v = serde_json::from_slice(&o.stdout).ok();
    (o, v)
}

fn n(v: &serde_json::Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"))
}

/// A classic XML study with an eligibility text (`\n` line ends).
fn xml_study(nct: &str, title: &str, criteria: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clinical_study>\n  <id_info>\n    \
         <nct_id>{nct}</nct_id>\n  </id_info>\n  <brief_title>{title}</brief_title>\n  \
         <overall_status>Recruiting</overall_status>\n  <study_type>Interventional</study_type>\n  \
         <condition>Hepatocellular Carcinoma</condition>\n  <eligibility>\n    <criteria>\n      \
         <textblock>\n{criteria}\n      </textblock>\n    </criteria>\n    <gender>All</gender>\n  \
         </eligibility>\n</clinical_study>\n"
    )
}

const CRITERIA: &str = "        Inclusion Criteria:\n\n          -  Age >= 18 years\n\n        \
                        Exclusion Criteria:\n\n          -  Pregnancy";

// ---------------------------------------------------------------- item 3

/// A 50 MB record is refused with its reason while the rest of its batch is
/// imported, quickly and in bounded memory (the process runs under a 1 GiB
/// address-space limit where the shell allows it); a criteria text over the
/// limit is refused too.
#[test]
fn oversized_records_are_rejected_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let line = "- Platelets >= 100 x 10^9/L and haemoglobin >= 9 g/dL\\n";
    let big_text = line.repeat(52_000_000 / line.len());
    let big = api_v2_study("NCT09000002", "Huge", "RECRUITING", "HCC").replacen(
        "\"protocolSection\":{",
        &format!(
            "\"protocolSection\":{{\"eligibilityModule\":{{\"eligibilityCriteria\":\"{big_text}\"}},"
        ),
        1,
    );
    assert!(big.len() > 50_000_000);
    let array = format!(
        "[{},{big},{}]",
        api_v2_study("NCT09000001", "Small one", "RECRUITING", "HCC"),
        api_v2_study("NCT09000003", "Small three", "RECRUITING", "HCC")
    );
    let json = dir.path().join("a.json");
    std::fs::write(&json, array).unwrap();
    drop(big);
    let ndjson = dir.path().join("b.ndjson");
    std::fs::write(
        &ndjson,
        format!(
            "{}\n{}\n",
            api_v2_study("NCT09000004", "Small four", "RECRUITING", "HCC"),
            api_v2_study("NCT09000005", "Small five", "RECRUITING", "HCC").replacen(
                "{",
                &format!("{{\"pad\":\"{}\",", "x".repeat(20 << 20)),
                1
            )
        ),
    )
    .unwrap();
    // Under the record limit, over the criteria-text limit (300 KB).
    let xml = dir.path().join("c.xml");
    let long = "          -  ALT &lt;= 5 x ULN\n".repeat(300_000 / 28);
    std::fs::write(&xml, xml_study("NCT09000006", "Long criteria", &long)).unwrap();

    let started = Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 2>/dev/null; exec \"$@\"")
        .arg("sh")
        .arg(bin())
        .args(["--json", "--db"])
        .arg(&db)
        .arg("import")
        .args([&json, &ndjson, &xml])
        .env_remove("TRIALMATCH_DB")
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(n(&v, "imported"), 3, "{v}");
    assert_eq!(n(&v, "rejected"), 3, "{v}");
    assert!(
        err.contains("a.json:record 1: record of ") && err.contains("MAX_RECORD_BYTES"),
        "{err}"
    );
    assert!(err.contains("b.ndjson:line 2: record of "), "{err}");
    assert!(
        err.contains("c.xml:") && err.contains("MAX_CRITERIA_BYTES"),
        "{err}"
    );
    assert!(took < Duration::from_secs(60), "import took {took:?}");
    let list = tm_json(&db, &["list"]);
    assert_eq!(list.as_array().unwrap().len(), 3);
}

// ---------------------------------------------------------------- item 4

#[test]
fn csv_unterminated_quote_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let csv = dir.path().join("x.csv");
    std::fs::write(
        &csv,
        "NCT Number,Study Title,Study Status\nNCT09100001,\"A, quoted\",RECRUITING\nNCT09100002,\"Cut here,RECRUITING\nNCT09100003,Lost,RECRUITING\n",
    )
    .unwrap();
    let (o, v) = import_json(&db, &[&csv]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = v.unwrap();
    assert_eq!(n(&v, "imported"), 1, "{v}");
    let err = stderr(&o);
    assert!(
        err.contains("x.csv:line 3: unterminated quote starting at line 3"),
        "{err}"
    );
    assert!(!err.contains("neither an NCT number"), "{err}");
}

// ---------------------------------------------------------------- item 6

#[test]
fn read_commands_never_create_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    let patient = root().join("examples/patients");
    let patient = std::fs::read_dir(&patient)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let p = patient.to_string_lossy().into_owned();
    for args in [
        vec!["list"],
        vec!["--json", "list"],
        vec!["show", "NCT06310590"],
        vec!["criteria", "NCT06310590"],
        vec!["match", "--patient", &p],
        vec!["match", "--patient", &p, "--trial", "NCT06310590"],
    ] {
        let o = tm(&db, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        assert!(
            stderr(&o).contains(&format!(
                "no store at {} (run `trialmatch import` first)",
                db.display()
            )),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(!db.exists(), "{args:?} created the store");
    }
}

#[test]
fn an_import_that_reads_nothing_leaves_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    let o = tm(&db, &["import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!db.exists(), "an empty store was left behind");
    for suffix in ["-wal", "-shm"] {
        assert!(!dir.path().join(format!("t.db{suffix}")).exists());
    }
    // An existing store is kept (and unchanged) when an import reads nothing.
    let seeds = seeds();
    assert!(tm(&db, &["import", seeds.to_str().unwrap()])
        .status
        .success());
    let before = tm_json(&db, &["list"]);
    let o = tm(&db, &["import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(db.exists());
    assert_eq!(tm_json(&db, &["list"]), before);
}

/// Read commands open the store read-only: they work on a file of mode 444
/// in a directory of mode 555 and leave it byte-for-byte unchanged (as root
/// the permissions do not bind; the unchanged bytes still show nothing was
/// written).
#[cfg(unix)]
#[test]
fn read_commands_work_on_a_read_only_store() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let db = ro.join("t.db");
    let seeds = seeds();
    assert!(tm(&db, &["import", seeds.to_str().unwrap()])
        .status
        .success());
    // A store whose compiled criteria are missing for this compiler: match
    // must compile in memory, not write them.
    {
        let c = rusqlite_exec(&db, "DELETE FROM compiled_criteria");
        assert!(c, "could not clear compiled criteria");
    }
    let before = std::fs::read(&db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let patient = root().join("examples/patients");
    let patient = std::fs::read_dir(&patient)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let p = patient.to_string_lossy().into_owned();
    for args in [
        vec!["list"],
        vec!["show", "NCT06310590"],
        vec!["criteria", "NCT06310590"],
        vec!["match", "--patient", &p, "--any-status"],
    ] {
        let o = tm(&db, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("readonly"), "{}", stderr(&o));
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "a read command wrote the store"
    );
    for suffix in ["-wal", "-shm"] {
        let side = ro.join(format!("t.db{suffix}"));
        if let Ok(m) = std::fs::metadata(&side) {
            assert!(
                suffix == "-shm" || m.len() == 0,
                "{suffix} written ({} bytes)",
                m.len()
            );
        }
    }
}

/// Runs SQL on a store (tests only).
fn rusqlite_exec(db: &Path, sql: &str) -> bool {
    rusqlite::Connection::open(db)
        .and_then(|c| c.execute_batch(sql))
        .is_ok()
}

// ---------------------------------------------------------------- item 7

fn utf16(s: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in s.encode_utf16() {
        out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn utf16_xml_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let le = dir.path().join("le.xml");
    let be = dir.path().join("be.xml");
    let doc = |nct: &str| {
        xml_study(nct, "Étude hépatique ≥ 18", CRITERIA)
            .replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"")
    };
    std::fs::write(&le, utf16(&doc("NCT09200001"), true)).unwrap();
    std::fs::write(&be, utf16(&doc("NCT09200002"), false)).unwrap();
    let (o, v) = import_json(&db, &[&le, &be]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(n(&v.unwrap(), "imported"), 2, "{}", stderr(&o));
    for id in ["NCT09200001", "NCT09200002"] {
        let t = tm_json(&db, &["show", id]);
        assert_eq!(t["title"], "Étude hépatique ≥ 18");
        assert!(t["eligibility"]["criteria_text"]
            .as_str()
            .unwrap()
            .contains("Pregnancy"));
    }
}

#[test]
fn crlf_and_bom_reimport_is_unchanged_and_stores_no_cr() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let f = dir.path().join("s.xml");
    let clean = xml_study("NCT09300001", "Line ends", CRITERIA);
    std::fs::write(&f, &clean).unwrap();
    let (_, v) = import_json(&db, &[&f]);
    assert_eq!(n(&v.unwrap(), "imported"), 1);
    let mut dos = b"\xEF\xBB\xBF".to_vec();
    dos.extend_from_slice(clean.replace('\n', "\r\n").as_bytes());
    std::fs::write(&f, &dos).unwrap();
    let (o, v) = import_json(&db, &[&f]);
    let v = v.unwrap();
    assert_eq!(
        (n(&v, "unchanged"), n(&v, "merged")),
        (1, 0),
        "{}",
        stderr(&o)
    );
    // XML char references (`&#xD;`, as CT.gov writes them) and JSON "\r\n"
    // are line ends too: no stored text holds `\r`.
    let g = dir.path().join("r.xml");
    std::fs::write(
        &g,
        xml_study(
            "NCT09300002",
            "Char refs",
            &CRITERIA.replace('\n', "&#xD;\n"),
        ),
    )
    .unwrap();
    let j = dir.path().join("r.json");
    std::fs::write(
        &j,
        api_v2_study("NCT09300003", "Escaped CR", "RECRUITING", "HCC").replacen(
            "\"protocolSection\":{",
            "\"protocolSection\":{\"eligibilityModule\":{\"eligibilityCriteria\":\"Inclusion Criteria:\\r\\n\\r\\n* Age >= 18\\r\\n\"},",
            1,
        ),
    )
    .unwrap();
    let (o, _) = import_json(&db, &[&g, &j]);
    assert!(o.status.success(), "{}", stderr(&o));
    for id in ["NCT09300001", "NCT09300002", "NCT09300003"] {
        let t = tm_json(&db, &["show", id]);
        let text = t["eligibility"]["criteria_text"].as_str().unwrap();
        assert!(!text.contains('\r'), "{id}: {text:?}");
        assert!(text.contains("Age >= 18"), "{id}: {text:?}");
    }
}

#[test]
fn xml_entity_declarations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let lol = dir.path().join("lol.xml");
    let mut dtd = String::from("<!DOCTYPE clinical_study [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>\n");
    let doc = xml_study("NCT09400001", "&lol9;", CRITERIA).replacen(
        "<clinical_study>",
        &format!("{dtd}<clinical_study>"),
        1,
    );
    std::fs::write(&lol, doc).unwrap();
    let xxe = dir.path().join("xxe.xml");
    let doc = xml_study("NCT09400002", "&xxe;", CRITERIA).replacen(
        "<clinical_study>",
        "<!DOCTYPE clinical_study [ <!entity xxe SYSTEM \"file:///etc/passwd\"> ]>\n<clinical_study>",
        1,
    );
    std::fs::write(&xxe, doc).unwrap();
    let ok = dir.path().join("ok.xml");
    std::fs::write(&ok, xml_study("NCT09400003", "Fine", CRITERIA)).unwrap();
    let (o, v) = import_json(&db, &[&lol, &xxe, &ok]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = v.unwrap();
    assert_eq!((n(&v, "imported"), n(&v, "rejected")), (1, 2), "{v}");
    let err = stderr(&o);
    for f in ["lol.xml", "xxe.xml"] {
        assert!(
            err.lines()
                .any(|l| l.contains(f) && l.contains("<!ENTITY") && l.contains("refused")),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------- item 8

/// A file name with a newline cannot forge a `file:record: reason` line,
/// nor send terminal escapes.
#[cfg(unix)]
#[test]
fn control_characters_in_messages_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let name = "x\nforged.json:record 9: all good\x1b[31m.json";
    let f = dir.path().join(name);
    std::fs::write(&f, "{broken").unwrap();
    let good = dir.path().join("good.xml");
    std::fs::write(&good, xml_study("NCT09500001", "Good", CRITERIA)).unwrap();
    let o = tm(
        &db,
        &["import", f.to_str().unwrap(), good.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.lines().any(|l| l.starts_with("forged.json")), "{err}");
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(
        err.contains("x\\nforged.json:record 9: all good\\x1b[31m.json"),
        "{err}"
    );
    // Also in --json messages, and in CLI errors naming the store.
    let (o, v) = import_json(&db, &[&f]);
    let v = v.unwrap();
    let msg = v["rejections"][0]["message"].as_str().unwrap();
    assert!(!msg.contains('\n') && msg.contains("\\n"), "{msg}");
    assert_eq!(v["rejections"][0]["file"], f.to_str().unwrap());
    let _ = o;
    let odd = dir.path().join("no\nstore.db");
    let o = tm(&odd, &["list"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

// ---------------------------------------------------------------- item 9

/// Two imports at once compile each trial's criteria once in total.
#[test]
fn concurrent_imports_compile_each_trial_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    for i in 0..400u32 {
        let nct = format!("NCT4{i:07}");
        let body = api_v2_study(&nct, &format!("Compile study {i}"), "RECRUITING", "HCC")
            .replacen(
                "\"protocolSection\":{",
                &format!("\"protocolSection\":{{\"eligibilityModule\":{{\"eligibilityCriteria\":\"Inclusion Criteria:\\n\\n* Age >= {}\\n* ALT <= 5 x ULN\"}},", 18 + i % 5),
                1,
            );
        std::fs::write(a.join(format!("{nct}.json")), &body).unwrap();
        std::fs::write(b.join(format!("{nct}.json")), &body).unwrap();
    }
    let spawn = |p: &Path| {
        std::process::Command::new(bin())
            .args(["--json", "--db", db.to_str().unwrap(), "import"])
            .arg(p)
            .env_remove("TRIALMATCH_DB")
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
    assert_eq!(n(&sa, "imported") + n(&sb, "imported"), 400);
    assert_eq!(
        n(&sa, "criteria_compiled") + n(&sb, "criteria_compiled"),
        400,
        "{sa}\n{sb}"
    );
}
