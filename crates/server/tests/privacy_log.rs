//! No patient content in the log of a full run (own test binary: the
//! global subscriber captures every thread).

mod common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::*;

/// A writer collecting the log in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_log_of_a_full_match_holds_no_patient_content() {
    let f = fixture();
    // The example patient with a name and a distinctive lab value.
    let mut bundle: serde_json::Value = serde_json::from_str(&patient_file()).unwrap();
    let mut lab = None;
    for e in bundle["entry"].as_array_mut().unwrap() {
        let res = &mut e["resource"];
        if res["resourceType"] == "Patient" {
            res["name"] = serde_json::json!([{"family": "Quixotezebul", "given": ["Ottoline"]}]);
        }
        if lab.is_none()
            && res["resourceType"] == "Observation"
            && res["valueQuantity"]["value"].is_number()
        {
            res["valueQuantity"]["value"] = serde_json::json!(4.713);
            lab = Some("4.713");
        }
    }
    let birth = bundle["entry"][0]["resource"]["birthDate"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(lab.is_some());
    let body = serde_json::to_string(&bundle).unwrap();

    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let statuses = {
        rt.block_on(async {
            let r = router(&f, tm_server::Config::default());
            let mut out = Vec::new();
            for uri in [
                "/api/v1/match?as_of=2025-03-01&any_status=true",
                "/api/v1/patients/read?as_of=2025-03-01",
            ] {
                let (s, text) = send(&r, post(uri, Some(&f.token), body.clone())).await;
                assert!(text.contains("seed000-eligible"), "{text}");
                out.push(s);
            }
            // A malformed body too (the reader's message stays out of the log).
            let half = body[..body.len() / 2].to_string();
            let (s, _) = send(&r, post("/api/v1/match", Some(&f.token), half)).await;
            out.push(s);
            out
        })
    };
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::UNPROCESSABLE_ENTITY
        ]
    );
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("route=/api/v1/match") && text.contains("status=200"),
        "{text}"
    );
    for secret in [
        "Quixotezebul",
        "Ottoline",
        birth.as_str(),
        "4.713",
        "seed000-eligible",
    ] {
        assert!(!text.contains(secret), "the log holds {secret:?}:\n{text}");
    }
}
