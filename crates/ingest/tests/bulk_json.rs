//! Every study in /work/shared/data/ctgov/api-v2/*.json reads without a
//! rejection, and a sample of fields matches an independent reading of the
//! source with `serde_json::Value`. Skips (passes with a note) when the
//! data directory is absent.

mod bulk_common;

use serde_json::Value;
use tm_ingest::identity::content_hash;
use tm_ingest::repair::repair_text;
use tm_model::{OverallStatus, Phase};

#[test]
fn bulk_api_v2_json_reads_every_study_and_matches_source() {
    let Some(dir) = bulk_common::ctgov_dir() else {
        eprintln!("note: /work/shared/data/ctgov absent; bulk JSON test skipped");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(dir.join("api-v2"))
        .expect("api-v2 dir lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no API v2 JSON files found");
    let mut total = 0usize;
    for path in &files {
        let bytes = std::fs::read(path).expect("read JSON file");
        let source: Value = serde_json::from_slice(&bytes).expect("source JSON parses");
        let studies = source.as_array().expect("each data file is an array");
        let mut got = Vec::new();
        tm_ingest::read_file(path, &mut |r| got.push(r));
        let errors: Vec<String> = got
            .iter()
            .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
            .collect();
        assert!(
            errors.is_empty(),
            "rejections in {}: {errors:#?}",
            path.display()
        );
        assert_eq!(got.len(), studies.len(), "{}", path.display());
        // The files hold one study per line: `[`, `{…},`, …, `{…}`, `]`.
        let lines: Vec<&[u8]> = bytes
            .split(|&b| b == b'\n')
            .map(|l| l.trim_ascii())
            .filter(|l| l.starts_with(b"{"))
            .map(|l| l.strip_suffix(b",").unwrap_or(l))
            .collect();
        for (i, (r, s)) in got.iter().zip(studies).enumerate() {
            let t = r.as_ref().expect("checked above");
            let ps = &s["protocolSection"];
            let ctx = format!("{} record {i}", path.display());
            assert_eq!(
                t.id,
                ps["identificationModule"]["nctId"].as_str().unwrap(),
                "{ctx}"
            );
            assert_eq!(t.nct_id(), Some(t.id.as_str()), "{ctx}");
            assert_eq!(t.sources.len(), 1, "{ctx}");
            assert_eq!(t.sources[0].format, "ctgov-json");
            assert_eq!(
                t.sources[0].record.as_deref(),
                Some(format!("record {i}").as_str())
            );
            if lines.len() == studies.len() {
                assert_eq!(t.sources[0].content_hash, content_hash(lines[i]), "{ctx}");
            }
            // Status.
            let status = ps["statusModule"]["overallStatus"].as_str().unwrap();
            assert_eq!(t.status.map(|s| s.as_str()), Some(status), "{ctx}");
            assert_eq!(t.status, OverallStatus::parse(status));
            // Phases, in the API v2 spelling.
            let mut want: Vec<&str> = ps["designModule"]["phases"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            want.sort();
            let mut have: Vec<&str> = t.phase.iter().map(|p: &Phase| p.as_str()).collect();
            have.sort();
            assert_eq!(have, want, "{ctx} phases");
            // Enrollment.
            let ei = &ps["designModule"]["enrollmentInfo"];
            assert_eq!(
                t.enrollment.as_ref().map(|e| u64::from(e.count)),
                ei["count"].as_u64(),
                "{ctx} enrollment"
            );
            assert_eq!(
                t.enrollment.as_ref().and_then(|e| e.kind.as_deref()),
                ei["type"].as_str(),
                "{ctx} enrollment type"
            );
            // Ages.
            let em = &ps["eligibilityModule"];
            for (have, key) in [
                (&t.eligibility.min_age, "minimumAge"),
                (&t.eligibility.max_age, "maximumAge"),
            ] {
                let want = em[key].as_str().and_then(bulk_common::expected_age);
                let have = have.as_ref().map(|a| (a.value, a.unit.as_str()));
                assert_eq!(have, want, "{ctx} {key}");
            }
            // Locations.
            let n_loc = ps["contactsLocationsModule"]["locations"]
                .as_array()
                .map_or(0, Vec::len);
            assert_eq!(t.locations.len(), n_loc, "{ctx} locations");
            // Criteria text, byte for byte (after text repair).
            let crit = em["eligibilityCriteria"].as_str().map(repair_text);
            assert_eq!(t.eligibility.criteria_text, crit, "{ctx} criteria");
            assert!(t.provenance.is_empty() && t.conflicts.is_empty());
            total += 1;
        }
    }
    eprintln!(
        "read {total} API v2 studies from {} files, 0 rejected",
        files.len()
    );
    assert!(total >= 100);
}
