//! `trialmatch sync` against a local replay server (loopback, ephemeral
//! port) serving API v2 pages built from ../shared/data/ctgov/api-v2 (or a
//! small fixture when absent), with an injected 429, a 503 and a dropped
//! connection; a kill -9 in the middle of a run and its resumption. No test
//! touches the network.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
enum Fault {
    TooMany,
    Unavailable,
    Drop,
}

#[derive(Default)]
struct State {
    /// (last update date, study JSON) in serving order.
    studies: Vec<(String, Value)>,
    /// Fault for the n-th request (1-based, counted over the server's life).
    faults: HashMap<usize, Fault>,
    requests: usize,
    /// Query parameters of every request, and whether it was answered 200.
    log: Vec<(HashMap<String, String>, bool)>,
    /// Hold the answer to a request with this page token until released.
    hold: Option<String>,
    held: bool,
}

struct Replay {
    port: u16,
    state: Arc<(Mutex<State>, Condvar)>,
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn respond(mut s: &TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = s.flush();
}

impl Replay {
    fn start(studies: Vec<(String, Value)>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new((
            Mutex::new(State {
                studies,
                ..State::default()
            }),
            Condvar::new(),
        ));
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                Self::serve(&st, conn);
            }
        });
        Replay { port, state }
    }

    fn serve(st: &Arc<(Mutex<State>, Condvar)>, conn: TcpStream) {
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                break;
            }
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let params: HashMap<String, String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        let (lock, cv) = &**st;
        let mut s = lock.lock().unwrap();
        s.requests += 1;
        let n = s.requests;
        let fault = s.faults.get(&n).copied();
        if s.hold.is_some() && params.get("pageToken") == s.hold.as_ref() {
            s.held = true;
            cv.notify_all();
            while s.hold.is_some() {
                s = cv.wait(s).unwrap();
            }
        }
        if path != "/api/v2/studies" {
            s.log.push((params, false));
            respond(&conn, "404 Not Found", "", "{}");
            return;
        }
        match fault {
            Some(Fault::TooMany) => {
                s.log.push((params, false));
                respond(&conn, "429 Too Many Requests", "Retry-After: 1\r\n", "{}");
                return;
            }
            Some(Fault::Unavailable) => {
                s.log.push((params, false));
                respond(&conn, "503 Service Unavailable", "", "{}");
                return;
            }
            Some(Fault::Drop) => {
                s.log.push((params, false));
                let _ = conn.shutdown(std::net::Shutdown::Both);
                return;
            }
            None => {}
        }
        let since = params
            .get("filter.advanced")
            .and_then(|a| a.split("RANGE[").nth(1))
            .and_then(|r| r.split(',').next())
            .map(str::to_string);
        let selected: Vec<&Value> = s
            .studies
            .iter()
            .filter(|(d, _)| since.as_ref().is_none_or(|x| d >= x))
            .map(|(_, v)| v)
            .collect();
        let size: usize = params
            .get("pageSize")
            .and_then(|p| p.parse().ok())
            .unwrap_or(10);
        let offset: usize = params
            .get("pageToken")
            .and_then(|t| t.strip_prefix('o'))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let end = (offset + size).min(selected.len());
        let mut page = json!({"studies": selected[offset.min(end)..end]});
        if end < selected.len() {
            page["nextPageToken"] = json!(format!("o{end}"));
        }
        if params.get("countTotal").map(String::as_str) == Some("true") {
            page["totalCount"] = json!(selected.len());
        }
        s.log.push((params, true));
        drop(s);
        respond(&conn, "200 OK", "", &page.to_string());
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}/api/v2", self.port)
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.0.lock().unwrap())
    }
}

/// The studies to serve: every shared API v2 record (last update date
/// order), or a small fixture of our own (also when
/// `TRIALMATCH_TEST_FIXTURE_ONLY` is set, to exercise that path).
fn studies() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let shared =
        shared_data().filter(|_| std::env::var_os("TRIALMATCH_TEST_FIXTURE_ONLY").is_none());
    if let Some(data) = shared {
        let dir = data.join("ctgov/api-v2");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut seen = std::collections::HashSet::new();
        for f in files {
            let v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
            for s in v.as_array().unwrap() {
                let id = s["protocolSection"]["identificationModule"]["nctId"].clone();
                if seen.insert(id.to_string()) {
                    let d = s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]
                        ["date"]
                        .as_str()
                        .unwrap_or("2000-01-01")
                        .to_string();
                    out.push((d, s.clone()));
                }
            }
        }
    } else {
        eprintln!("note: ../shared/data absent; replay server serves a small fixture");
        for i in 0..60 {
            let mut s: Value = serde_json::from_str(&api_v2_study(
                &format!("NCT0900{i:04}"),
                &format!("Fixture trial {i}"),
                "RECRUITING",
                "Hepatocellular carcinoma",
            ))
            .unwrap();
            let d = format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] =
                json!({"date": d, "type": "ACTUAL"});
            out.push((d, s));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn sync_args(base: &str) -> Vec<String> {
    [
        "--json",
        "sync",
        "--base-url",
        base,
        "--rate",
        "0",
        "--backoff-ms",
        "10",
        "--page-size",
        "25",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn sync(db: &Path, base: &str) -> Value {
    let args = sync_args(base);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = tm(db, &args);
    assert!(
        o.status.success(),
        "sync failed: {}\n{}",
        stdout(&o),
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn list(db: &Path) -> Value {
    tm_json(db, &["list"])
}

#[test]
fn sync_imports_every_record_once_through_faults_and_second_run_fetches_nothing_new() {
    let served = studies();
    let n = served.len();
    let max_date = served.iter().map(|(d, _)| d.clone()).max().unwrap();
    let at_max = served.iter().filter(|(d, _)| *d == max_date).count();
    let replay = Replay::start(served);
    replay.with(|s| {
        s.faults.insert(1, Fault::TooMany);
        s.faults.insert(3, Fault::Unavailable);
        s.faults.insert(5, Fault::Drop);
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let started = Instant::now();
    let out = sync(&db, &replay.base());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(out["complete"], true);
    assert_eq!(out["retries"], 3, "{out:#}");
    assert_eq!(out["fetched"], n);
    assert_eq!(out["imported"], n, "{out:#}");
    assert_eq!(out["rejected"], 0);
    assert_eq!(out["trials_in_store"], n);
    assert_eq!(out["max_last_update"], max_date.as_str());
    assert_eq!(list(&db).as_array().unwrap().len(), n);
    // Every page was served successfully exactly once.
    let pages: Vec<String> = replay.with(|s| {
        s.log
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(p, _)| p.get("pageToken").cloned().unwrap_or_default())
            .collect()
    });
    let mut unique = pages.clone();
    unique.dedup();
    assert_eq!(pages, unique);
    assert_eq!(pages.len(), n.div_ceil(25));
    // Provenance: fetched from the API.
    let first = list(&db)[0]["id"].as_str().unwrap().to_string();
    let t = tm_json(&db, &["show", &first]);
    let file = t["sources"][0]["file"].as_str().unwrap();
    assert!(
        file.starts_with("ctgov-api-v2 ") && file.contains(", fetched at "),
        "{file}"
    );

    // Second run: asks only for studies updated since the newest date seen;
    // nothing new.
    let before = replay.with(|s| s.log.len());
    let out = sync(&db, &replay.base());
    assert_eq!(out["imported"], 0);
    assert_eq!(out["merged"], 0);
    assert_eq!(
        out["fetched"], at_max,
        "only the boundary day is asked again"
    );
    assert_eq!(out["trials_in_store"], n);
    let asked = replay.with(|s| s.log[before].0.get("filter.advanced").cloned());
    assert_eq!(
        asked.as_deref(),
        Some(format!("AREA[LastUpdatePostDate]RANGE[{max_date},MAX]").as_str())
    );

    // A study updated on the registry comes back as a changed source.
    replay.with(|s| {
        let (d, v) = &mut s.studies[0];
        *d = "2099-01-01".into();
        v["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] =
            json!("2099-01-01");
        v["protocolSection"]["identificationModule"]["briefTitle"] = json!("Updated title");
    });
    let out = sync(&db, &replay.base());
    assert_eq!(out["merged"], 1, "{out:#}");
    assert_eq!(out["imported"], 0);
    assert_eq!(out["max_last_update"], "2099-01-01");
}

#[test]
fn sync_resumes_after_kill_and_equals_an_uninterrupted_run() {
    let served = studies();
    let n = served.len();
    assert!(n > 25, "at least two pages");
    let replay = Replay::start(served);
    let dir = tempfile::tempdir().unwrap();

    // Uninterrupted reference run.
    let reference = dir.path().join("ref.db");
    assert_eq!(sync(&reference, &replay.base())["fetched"], n);

    // Interrupted run: killed (SIGKILL) while waiting for page 2.
    let db = dir.path().join("t.db");
    replay.with(|s| {
        s.hold = Some("o25".into());
        s.held = false;
    });
    let mut child = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(sync_args(&replay.base()))
        .env_remove("TRIALMATCH_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    {
        let (lock, cv) = &*replay.state;
        let mut s = lock.lock().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !s.held {
            assert!(Instant::now() < deadline, "page 2 never requested");
            s = cv.wait_timeout(s, Duration::from_millis(100)).unwrap().0;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    replay.with(|s| s.hold = None);
    replay.state.1.notify_all();
    // Page 1 is committed, nothing of page 2.
    assert_eq!(list(&db).as_array().unwrap().len(), 25);

    // Rerun: resumes at page 2.
    let before = replay.with(|s| s.log.len());
    let out = sync(&db, &replay.base());
    assert_eq!(out["resumed"], true);
    assert_eq!(out["complete"], true);
    assert_eq!(out["fetched"], n - 25);
    assert_eq!(out["imported"], n - 25);
    let first = replay.with(|s| s.log[before].0.get("pageToken").cloned());
    assert_eq!(first.as_deref(), Some("o25"));

    // The final store equals the uninterrupted run's.
    assert_eq!(list(&db), list(&reference));
    for t in list(&reference).as_array().unwrap().iter().take(40) {
        let id = t["id"].as_str().unwrap();
        let mut a = tm_json(&db, &["show", id]);
        let mut b = tm_json(&reference, &["show", id]);
        for x in [&mut a, &mut b] {
            x["sources"] = Value::Null;
        }
        assert_eq!(a, b, "{id}");
    }

    // The hidden --max-pages stop is resumable too.
    let db2 = dir.path().join("t2.db");
    let mut args = sync_args(&replay.base());
    args.extend(["--max-pages".to_string(), "1".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = tm(&db2, &args);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["complete"], false);
    assert_eq!(out["fetched"], 25);
    let out = sync(&db2, &replay.base());
    assert_eq!(out["resumed"], true);
    assert_eq!(list(&db2), list(&reference));
}

#[test]
fn sync_usage_errors_and_unreachable_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let o = tm(&db, &["sync", "--status", "banana"]);
    assert_eq!(o.status.code(), Some(2));
    let o = tm(&db, &["sync", "--since", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    // A closed port on loopback: retried, then exit 1 with a resume hint.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/api/v2");
    let o = tm(
        &db,
        &[
            "sync",
            "--base-url",
            &base,
            "--retries",
            "1",
            "--backoff-ms",
            "1",
            "--rate",
            "0",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("run the same command again to resume"),
        "{}",
        stderr(&o)
    );
}
