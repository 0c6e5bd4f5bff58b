#![no_main]
//! Fuzz target: format detection and dispatch (no format given) — must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tm_ingest::detect_format(data);
    tm_ingest::read_bytes(data, "fuzz", None, &mut |_| {});
});
