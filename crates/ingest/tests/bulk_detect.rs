//! Content detection on the real inputs: the five seeds (always present in
//! examples/seeds) and the shared CT.gov data files (skipped when absent).

mod bulk_common;

use std::path::PathBuf;
use tm_ingest::{detect_format, Format};

fn head(path: &PathBuf) -> Vec<u8> {
    let mut b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    b.truncate(tm_ingest::detect::HEAD_LEN);
    b
}

#[test]
fn bulk_detect_seeds() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
    let (files, errors) = tm_ingest::collect_files(std::slice::from_ref(&seeds));
    assert!(errors.is_empty(), "{errors:?}");
    let got: Vec<(String, Option<Format>)> = files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy()[..3].to_string();
            (name, detect_format(&head(p)))
        })
        .collect();
    let want = vec![
        ("000".to_string(), Some(Format::CtgovPage)),
        ("001".to_string(), Some(Format::CtgovCsvRow)),
        ("002".to_string(), Some(Format::CtgovPage)),
        ("003".to_string(), Some(Format::ClinConnectPage)),
        ("004".to_string(), Some(Format::ClinConnectPage)),
    ];
    assert_eq!(got, want);
}

#[test]
fn bulk_detect_shared_data_files() {
    let Some(dir) = bulk_common::ctgov_dir() else {
        eprintln!("note: /work/shared/data/ctgov absent; detection test on data skipped");
        return;
    };
    let cases = [
        ("csv/ctg-studies-1000.csv", Format::CtgovCsv),
        ("csv/old-search-results.csv", Format::CtgovCsvLegacy),
        ("csv/old-search-results.tsv", Format::CtgovCsvLegacy),
        ("api-v2/misc-1.json", Format::CtgovJson),
        ("api-v2/nsclc-phase3-100.json", Format::CtgovJson),
        ("classic-xml/NCT00496392.xml", Format::CtgovXml),
    ];
    for (rel, want) in cases {
        assert_eq!(detect_format(&head(&dir.join(rel))), Some(want), "{rel}");
    }
    // The OpenAPI spec is YAML: not a trial format.
    assert_eq!(detect_format(&head(&dir.join("ctg-oas-v2.yaml"))), None);
}
