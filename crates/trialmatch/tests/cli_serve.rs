//! `trialmatch serve` end to end: the real binary on a loopback port; the
//! API answers exactly what `match --json` / `patient --json` print.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::*;

/// One HTTP/1.1 request; (status, body).
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/fhir+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

#[test]
fn cli_and_api_give_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = tm(&db, &["demo", "--no-screening"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tm(&db, &["token", "create", "me"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let token = stdout(&o);
    assert_eq!(token.lines().count(), 1);
    let token = token.trim().to_string();
    assert!(token.starts_with("tm_"));

    let mut child = Command::new(bin())
        .args(["--db"])
        .arg(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("TRIALMATCH_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "serve ended early");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep reading stderr so the server never blocks on a full pipe.
    let log = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        rest
    });

    let patient = root().join("examples/patients/seed000-eligible.json");
    let body = std::fs::read(&patient).unwrap();
    let p = patient.to_str().unwrap();
    for (query, args) in [
        (
            "as_of=2025-03-01&any_status=true",
            vec!["--as-of", "2025-03-01", "--any-status"],
        ),
        ("as_of=2025-03-01", vec!["--as-of", "2025-03-01"]),
        (
            "as_of=2025-03-01&trial=NCT06310590&trial=nct06310590",
            vec![
                "--as-of",
                "2025-03-01",
                "--trial",
                "NCT06310590",
                "--trial",
                "nct06310590",
            ],
        ),
    ] {
        let mut cli = vec!["--json", "match", "--patient", p];
        cli.extend(args);
        let o = tm(&db, &cli);
        assert!(o.status.success(), "{}", stderr(&o));
        let (status, api) = http(
            &addr,
            "POST",
            &format!("/api/v1/match?{query}"),
            Some(&token),
            &body,
        );
        assert_eq!(status, 200, "{api}");
        assert_eq!(api, stdout(&o), "match ?{query}");
    }
    let o = tm(&db, &["--json", "patient", p, "--as-of", "2025-03-01"]);
    let (status, api) = http(
        &addr,
        "POST",
        "/api/v1/patients/read?as_of=2025-03-01",
        Some(&token),
        &body,
    );
    assert_eq!(status, 200);
    assert_eq!(api, stdout(&o));
    let (status, _) = http(&addr, "POST", "/api/v1/match", None, &body);
    assert_eq!(status, 401);

    // SIGTERM: graceful shutdown, exit 0.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let log = log.join().unwrap();
    assert!(
        log.contains("status=200") && log.contains("shutting down"),
        "{log}"
    );
    assert!(!log.contains("1962-05-14"), "{log}");
}

#[test]
fn no_auth_only_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = tm(&db, &["demo", "--no-screening"]);
    assert!(o.status.success());
    let o = tm(&db, &["serve", "--addr", "0.0.0.0:0", "--no-auth"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("loopback"));
    // No store: refused, none created.
    let none = dir.path().join("none.db");
    let o = tm(&none, &["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!none.exists());
}

/// `serve` on a missing store fails like every read command (the same
/// `no store at` message, exit 1) and creates nothing.
#[test]
fn serve_on_a_missing_store_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    let o = tm(&db, &["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "no store at {} (run `trialmatch import` first)",
            db.display()
        )),
        "{}",
        stderr(&o)
    );
    assert!(!db.exists(), "serve created the store");
}
