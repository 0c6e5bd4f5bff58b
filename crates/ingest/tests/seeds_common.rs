//! Shared helpers for the seed tests (included with `mod`).
#![allow(dead_code)]

use std::path::PathBuf;
use tm_ingest::{RecordResult, Trial};

pub fn seed_path(prefix: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/seeds exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    names.sort();
    names.pop().expect("seed present")
}

pub fn seed_bytes(prefix: &str) -> Vec<u8> {
    std::fs::read(seed_path(prefix)).expect("seed readable")
}

pub fn collect(f: impl FnOnce(&mut dyn FnMut(RecordResult))) -> Vec<RecordResult> {
    let mut out = Vec::new();
    f(&mut |r| out.push(r));
    out
}

pub fn one(f: impl FnOnce(&mut dyn FnMut(RecordResult))) -> Trial {
    let mut v = collect(f);
    assert_eq!(v.len(), 1, "exactly one record");
    match v.pop() {
        Some(Ok(t)) => t,
        other => panic!("expected a trial, got {other:?}"),
    }
}

pub fn page(bytes: &[u8]) -> Trial {
    one(|s| tm_ingest::ctgov_page::read(bytes, "seed", s))
}

pub fn clinconnect(bytes: &[u8]) -> Trial {
    one(|s| tm_ingest::clinconnect::read(bytes, "seed", s))
}

pub fn csv_row(bytes: &[u8]) -> Trial {
    one(|s| tm_ingest::ctgov_csv::read(bytes, "seed", tm_ingest::Format::CtgovCsvRow, s))
}
