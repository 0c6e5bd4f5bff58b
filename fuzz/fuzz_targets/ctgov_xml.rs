#![no_main]
//! Fuzz target: reader for Format::CtgovXml — must never panic.
use libfuzzer_sys::fuzz_target;
use tm_ingest::Format;

fuzz_target!(|data: &[u8]| {
    tm_ingest::read_bytes(data, "fuzz", Some(Format::CtgovXml), &mut |_| {});
});
