#![no_main]
//! Fuzz target: text repair, identity and merge of whatever the readers accept — must never panic.
use libfuzzer_sys::fuzz_target;
use tm_ingest::{identity, merge, repair, Format};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = repair::repair_text(&text);
    let mut trials = Vec::new();
    for f in [Format::CtgovPage, Format::ClinConnectPage, Format::CtgovCsvRow] {
        tm_ingest::read_bytes(data, "fuzz", Some(f), &mut |r| {
            if let Ok(t) = r {
                trials.push(t);
            }
        });
    }
    for t in &trials {
        let _ = identity::identity_keys(t);
    }
    let a = merge::merge(&trials);
    trials.reverse();
    let b = merge::merge(&trials);
    assert_eq!(a, b, "merge depends on input order");
});
