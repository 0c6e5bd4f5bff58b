//! Helpers: a store with the seed trials and a token, requests in process.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub db: PathBuf,
    pub token: String,
}

/// A store with the seed trials and one token.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let app = tm_app::App::cli(&db);
    let (files, _) = tm_ingest_files(&root().join("examples/seeds"));
    let inputs: Vec<tm_app::import::Input> =
        files.into_iter().map(tm_app::import::Input::Path).collect();
    app.import(&inputs, 500, &mut tm_app::import::Silent)
        .unwrap();
    let store = tm_store::Store::open(&db).unwrap();
    let token = tm_app::tokens::create(&store, "test").unwrap();
    Fixture {
        _dir: dir,
        db,
        token,
    }
}

pub fn tm_ingest_files(dir: &Path) -> (Vec<PathBuf>, ()) {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    (v, ())
}

pub fn router(f: &Fixture, cfg: tm_server::Config) -> Router {
    tm_server::router(Arc::new(tm_app::App::service(&f.db)), cfg)
}

pub async fn send(r: &Router, req: Request<Body>) -> (StatusCode, String) {
    let res = r.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub fn post(uri: &str, token: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::post(uri).header("content-type", "application/fhir+json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(body.into()).unwrap()
}

pub fn patient_file() -> String {
    std::fs::read_to_string(root().join("examples/patients/seed000-eligible.json")).unwrap()
}
