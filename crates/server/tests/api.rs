//! The API in process (tower `oneshot`): authentication, limits, errors,
//! the OpenAPI document, robustness.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;

#[tokio::test]
async fn patient_and_import_routes_need_a_token() {
    let f = fixture();
    let r = router(&f, tm_server::Config::default());
    for uri in ["/api/v1/match", "/api/v1/patients/read", "/api/v1/import"] {
        let (s, body) = send(&r, post(uri, None, patient_file())).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{uri}: {body}");
        assert!(body.contains("\"code\":\"unauthorized\""), "{body}");
        let (s, _) = send(&r, post(uri, Some("tm_wrong"), patient_file())).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{uri}");
    }
    let (s, body) = send(
        &r,
        post(
            "/api/v1/match?as_of=2025-03-01",
            Some(&f.token),
            patient_file(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // Public routes.
    for uri in [
        "/api/v1/health",
        "/api/v1/trials",
        "/api/v1/trials/NCT06310590",
    ] {
        let (s, body) = send(&r, Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {body}");
    }
    // --no-auth
    let open = router(
        &f,
        tm_server::Config {
            auth: false,
            ..Default::default()
        },
    );
    let (s, _) = send(&open, post("/api/v1/patients/read", None, patient_file())).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn oversized_body_is_413_json() {
    let f = fixture();
    let r = router(
        &f,
        tm_server::Config {
            max_body: 1000,
            ..Default::default()
        },
    );
    let big = "x".repeat(5000);
    let (s, body) = send(&r, post("/api/v1/match", Some(&f.token), big.clone())).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1000 bytes"));
    // With a declared content-length: refused before reading.
    let req = Request::post("/api/v1/patients/read")
        .header("authorization", format!("Bearer {}", f.token))
        .header("content-length", "5000")
        .body(Body::from(big))
        .unwrap();
    let (s, _) = send(&r, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // The default limit is 10 MiB.
    assert_eq!(tm_server::Config::default().max_body, 10 * 1024 * 1024);
}

#[tokio::test]
async fn malformed_patient_is_422_with_the_readers_messages() {
    let f = fixture();
    let r = router(&f, tm_server::Config::default());
    for uri in ["/api/v1/match", "/api/v1/patients/read"] {
        let (s, body) = send(
            &r,
            post(uri, Some(&f.token), "{\"resourceType\": \"Bundle\", "),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "unprocessable");
        let details = v["error"]["details"].as_array().unwrap();
        assert!(
            details
                .iter()
                .any(|d| d.as_str().unwrap().starts_with("body:1:")),
            "{body}"
        );
    }
    // Bad parameters are 400, unknown trials 404.
    let (s, _) = send(
        &r,
        post(
            "/api/v1/match?as_of=yesterday",
            Some(&f.token),
            patient_file(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = send(
        &r,
        post("/api/v1/match?banana=1", Some(&f.token), patient_file()),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = send(
        &r,
        post(
            "/api/v1/match?trial=NCT00000000",
            Some(&f.token),
            patient_file(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = send(
        &r,
        Request::get("/api/v1/trials/NCT00000000")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = send(
        &r,
        Request::get("/api/v1/trials?status=banana")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn match_answers_what_the_app_screens_and_sees_new_imports() {
    let f = fixture();
    let r = router(&f, tm_server::Config::default());
    let (s, body) = send(
        &r,
        post(
            "/api/v1/match?as_of=2025-03-01&any_status=true&trial=NCT06310590",
            Some(&f.token),
            patient_file(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let read = tm_app::patient::read_text("x", &patient_file(), false);
    let opts = tm_app::MatchOptions {
        trials: vec!["NCT06310590".into()],
        as_of: tm_model::Date::parse("2025-03-01"),
        any_status: true,
        ..Default::default()
    };
    let s2 = tm_app::App::cli(&f.db)
        .screen(&read.patients[0], &opts)
        .unwrap();
    assert_eq!(
        body,
        serde_json::to_string_pretty(&s2.report).unwrap() + "\n"
    );
    // Paging.
    let (_, page) = send(
        &r,
        Request::get("/api/v1/trials?limit=2&offset=1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&page).unwrap();
    assert_eq!(v["total"], 4);
    assert_eq!(v["trials"].as_array().unwrap().len(), 2);
    // A trial imported through the API is seen by the next request (the
    // registry is reloaded when the store changes).
    let (_, h) = send(
        &r,
        Request::get("/api/v1/health").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(h.contains("\"trials\": 4"), "{h}");
    let seed_file = tm_ingest_files(&root().join("examples/seeds")).0[0].clone();
    let seed = std::fs::read_to_string(seed_file).unwrap();
    let changed = seed.replace("NCT06310590", "NCT09999999");
    {
        let (s, body) = send(
            &r,
            post("/api/v1/import?name=copy.json", Some(&f.token), changed),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let n = v["trials_in_store"].as_u64().unwrap();
        let (_, h) = send(
            &r,
            Request::get("/api/v1/health").body(Body::empty()).unwrap(),
        )
        .await;
        assert!(h.contains(&format!("\"trials\": {n}")), "{n}: {h}");
    }
}

#[tokio::test]
async fn every_route_is_in_the_openapi_document() {
    let f = fixture();
    let r = router(&f, tm_server::Config::default());
    let (s, body) = send(
        &r,
        Request::get("/api/v1/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let mut listed: Vec<String> = Vec::new();
    for (p, ops) in paths {
        for m in ops.as_object().unwrap().keys() {
            listed.push(format!("{} {p}", m.to_uppercase()));
        }
    }
    listed.sort();
    let expected = [
        "GET /api/v1/health",
        "GET /api/v1/openapi.json",
        "GET /api/v1/trials",
        "GET /api/v1/trials/{id}",
        "POST /api/v1/import",
        "POST /api/v1/match",
        "POST /api/v1/patients/read",
    ];
    assert_eq!(listed, expected);
    // Every documented route is served (not the 404/405 fallbacks), and a
    // path that is not documented is not.
    for route in &listed {
        let (m, p) = route.split_once(' ').unwrap();
        let uri = p.replace("{id}", "NCT06310590");
        let req = Request::builder()
            .method(m)
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let (s, body) = send(&r, req).await;
        assert!(
            s != StatusCode::METHOD_NOT_ALLOWED && !body.contains("no such route"),
            "{route}: {s} {body}"
        );
    }
    let (s, _) = send(
        &r,
        Request::get("/api/v1/secret").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Deterministic pseudo-random bytes (xorshift).
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[tokio::test]
async fn malformed_and_random_bodies_never_panic_or_500() {
    let f = fixture();
    let r = router(&f, tm_server::Config::default());
    let mut bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{}".to_vec(),
        b"{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":null}]}".to_vec(),
        b"{\"resourceType\":\"Patient\"}".to_vec(),
        b"{\"resourceType\":\"Patient\",\"id\":\"p\",\"birthDate\":\"9999-99-99\"}".to_vec(),
        b"{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":1e400}}".to_vec(),
        b"{\"a\":1}\n{\"b\":2}\n".to_vec(),
        "\u{feff}{\"id\":\"x\",\"birth_date\":\"1960-01-01\",\"observations\":[{\"concept\":7}]}"
            .as_bytes()
            .to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        b"<clinical_study><brief_title>x".to_vec(),
    ];
    let text = patient_file();
    for cut in [1usize, 10, 100, text.len() / 2, text.len() - 1] {
        bodies.push(text.as_bytes()[..cut].to_vec());
    }
    for seed in 1..20u64 {
        bodies.push(noise(seed, (seed as usize * 97) % 3000));
    }
    let routes = [
        ("POST", "/api/v1/match?as_of=2025-03-01"),
        ("POST", "/api/v1/match?any_status=true"),
        ("POST", "/api/v1/patients/read"),
        ("POST", "/api/v1/import?name=x.json"),
        ("GET", "/api/v1/trials"),
        ("GET", "/api/v1/trials/%00%ff"),
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/openapi.json"),
        ("POST", "/api/v1/trials"),
    ];
    for (m, uri) in routes {
        for b in &bodies {
            for ct in ["application/fhir+json", "application/x-ndjson"] {
                let req = Request::builder()
                    .method(m)
                    .uri(uri)
                    .header("content-type", ct)
                    .header("authorization", format!("Bearer {}", f.token))
                    .body(Body::from(b.clone()))
                    .unwrap();
                let (s, body) = send(&r, req).await;
                assert!(!s.is_server_error(), "{m} {uri} → {s}: {body}");
                if !s.is_success() {
                    let v: serde_json::Value = serde_json::from_str(&body)
                        .unwrap_or_else(|e| panic!("{m} {uri} → {s}: not JSON ({e}): {body}"));
                    assert_eq!(v["error"]["status"], s.as_u16());
                }
            }
        }
    }
    // Random query strings.
    for seed in 1..30u64 {
        let q: String = noise(seed, 40)
            .iter()
            .map(|b| (b % 94 + 33) as char)
            .filter(|c| *c != '#')
            .collect();
        let uri = format!("/api/v1/match?{q}");
        let Ok(req) = Request::post(uri.as_str())
            .header("authorization", format!("Bearer {}", f.token))
            .body(Body::from(text.clone()))
        else {
            continue;
        };
        let (s, body) = send(&r, req).await;
        assert!(!s.is_server_error(), "{uri} → {s}: {body}");
    }
}
