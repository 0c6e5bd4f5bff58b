//! tm-server — `trialmatch serve`: the JSON API under `/api/v1` (axum),
//! its OpenAPI 3.1 document generated from the handlers (utoipa), bearer
//! tokens, body limit, timeouts, request ids and logs.
//!
//! Architecture invariant: a thin caller of `tm-app` — every route parses
//! its parameters, calls one `tm_app::App` operation on a blocking thread
//! under the panic harness, and writes the CLI's JSON. No rule lives here.
//! Privacy: patient data are read in memory, never stored; logs carry the
//! request id, method, route, status and latency — never a body, a query
//! string or a reader's message.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;
use tm_app::{App, AppError, ErrorKind, MatchOptions};
use tm_model::Date;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Default request body limit: 10 MiB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;
/// Default time a request may take before a 408.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default page size of `GET /trials`, and its maximum.
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;

/// Server options.
#[derive(Debug, Clone)]
pub struct Config {
    /// Require a bearer token on the patient and import routes.
    pub auth: bool,
    /// Largest request body accepted (bytes); larger → 413.
    pub max_body: usize,
    /// Requests taking longer → 408.
    pub timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            auth: true,
            max_body: DEFAULT_MAX_BODY,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

#[derive(Clone)]
struct AppState {
    app: Arc<App>,
    cfg: Config,
    doc: Arc<OnceLock<String>>,
}

// ---------------------------------------------------------------- errors

/// Every error response: `{"error": {"status", "code", "message", "details"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The error of an [`ErrorBody`].
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status code.
    pub status: u16,
    /// `bad_request`, `unauthorized`, `not_found`, `conflict`,
    /// `payload_too_large`, `unprocessable`, `timeout`, `internal`.
    pub code: &'static str,
    pub message: String,
    /// E.g. the patient reader's messages (`body:1:7: expected value`), or
    /// the trials an ambiguous id names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    details: Vec<String>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            details: Vec::new(),
        }
    }
    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

fn code_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        409 => "conflict",
        413 => "payload_too_large",
        422 => "unprocessable",
        _ => "internal",
    }
}

fn error_response(status: StatusCode, message: String, details: Vec<String>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            status: status.as_u16(),
            code: code_of(status),
            message,
            details,
        },
    };
    let mut r = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, self.message, self.details)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = match e.kind {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Ambiguous => StatusCode::CONFLICT,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e.message, "internal error");
        }
        ApiError {
            status,
            message: e.message,
            details: e.details,
        }
    }
}

/// Runs `f` on a blocking thread under the panic harness.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(move || tm_app::guard::guarded(f)).await {
        Ok(Ok(r)) => r.map_err(ApiError::from),
        Ok(Err(p)) => {
            tracing::error!(panic = %p.report, "request panicked");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error (a panic, logged with the request id)",
            ))
        }
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
        )),
    }
}

// ------------------------------------------------------------ parameters

/// The query string as pairs; names may be spelled with `-` or `_`; a name
/// not in `allowed` is a 400 (a typo is not silently ignored).
fn query_pairs(q: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q.unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let k = k.replace('-', "_");
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown query parameter {k:?}; known: {}",
                allowed.join(", ")
            )));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn date_param(name: &str, v: &str) -> Result<Date, ApiError> {
    Date::parse(v.trim())
        .ok_or_else(|| ApiError::bad_request(format!("{name}: expected YYYY-MM-DD, got {v:?}")))
}

fn bool_param(name: &str, v: &str) -> Result<bool, ApiError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "{name}: expected true or false, got {v:?}"
        ))),
    }
}

fn usize_param(name: &str, v: &str) -> Result<usize, ApiError> {
    v.trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{name}: expected a number, got {v:?}")))
}

/// The request body, at most `max` bytes (413 beyond).
async fn read_body(body: Body, headers: &HeaderMap, max: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {max} bytes (serve --max-body)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match axum::body::to_bytes(body, max).await {
        Ok(b) => Ok(b),
        Err(e) => {
            let mut src: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(s) = src {
                if s.to_string().contains("length limit exceeded") {
                    return Err(too_large());
                }
                src = s.source();
            }
            Err(ApiError::bad_request(format!("cannot read the body: {e}")))
        }
    }
}

/// Checks the bearer token (when authentication is on).
fn authorize(st: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if !st.cfg.auth {
        return Ok(());
    }
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            unauthorized("a bearer token is required (Authorization: Bearer …; trialmatch token create NAME)")
        })?;
    match st.app.token_name(token)? {
        Some(_) => Ok(()),
        None => Err(unauthorized("unknown or revoked token")),
    }
}

fn is_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("ndjson") || v.contains("jsonl"))
}

/// The CLI's `--json` text: pretty JSON and a newline.
fn json_response<T: Serialize>(v: &T) -> Result<Response, AppError> {
    let mut s = serde_json::to_string_pretty(v)
        .map_err(|e| AppError::internal(format!("cannot write JSON: {e}")))?;
    s.push('\n');
    Ok(([(header::CONTENT_TYPE, "application/json")], s).into_response())
}

// ---------------------------------------------------------------- routes

/// `GET /api/v1/health`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// trialmatch version.
    pub version: &'static str,
    /// Trials in the registry held in memory.
    pub trials: usize,
    /// The criteria compiler version of the compiled criteria.
    pub compiler_version: &'static str,
}

/// Liveness and the size of the registry in memory.
#[utoipa::path(get, path = "/api/v1/health", tag = "service",
    responses((status = 200, description = "The service is up", body = Health)))]
async fn health(State(st): State<AppState>) -> Result<Response, ApiError> {
    let app = st.app.clone();
    blocking(move || {
        let r = app.registry()?;
        json_response(&Health {
            status: "ok",
            version: env!("CARGO_PKG_VERSION"),
            trials: r.entries().len(),
            compiler_version: tm_criteria_version(),
        })
    })
    .await
}

fn tm_criteria_version() -> &'static str {
    tm_app::COMPILER_VERSION
}

/// `GET /api/v1/trials`: one page of `list --json` rows.
#[derive(Serialize, ToSchema)]
pub struct TrialPage {
    pub schema_version: u32,
    /// Trials passing the filters (all pages).
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    /// `list --json` rows (docs/contracts.md "list").
    #[schema(value_type = Vec<Object>)]
    pub trials: Vec<tm_store::TrialSummary>,
}

/// The trials in the store, filtered like `trialmatch list`, ordered by id, paged.
#[utoipa::path(get, path = "/api/v1/trials", tag = "trials",
    params(
        ("status" = Option<String>, Query, description = "Overall status, any spelling (recruiting, NOT_YET_RECRUITING …)"),
        ("phase" = Option<String>, Query, description = "Phase, any spelling (2, II, 1/2, PHASE3, early phase 1, NA)"),
        ("condition" = Option<String>, Query, description = "Case-insensitive substring of any condition"),
        ("offset" = Option<usize>, Query, description = "Rows to skip (default 0)"),
        ("limit" = Option<usize>, Query, description = "Rows per page (default 100, at most 1000)"),
    ),
    responses(
        (status = 200, description = "One page of trials", body = TrialPage),
        (status = 400, description = "Unknown status, phase or parameter", body = ErrorBody),
    ))]
async fn list_trials(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(
        q.as_deref(),
        &["status", "phase", "condition", "offset", "limit"],
    )?;
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    let offset = get("offset")
        .map(|v| usize_param("offset", &v))
        .transpose()?
        .unwrap_or(0);
    let limit = get("limit")
        .map(|v| usize_param("limit", &v))
        .transpose()?
        .unwrap_or(DEFAULT_LIMIT)
        .min(MAX_LIMIT);
    let filter = tm_app::list_filter(
        get("status").as_deref(),
        get("phase").as_deref(),
        get("condition").as_deref(),
    )?;
    let app = st.app.clone();
    blocking(move || {
        let all = app.list(&filter)?;
        let total = all.len();
        let trials = all.into_iter().skip(offset).take(limit).collect();
        json_response(&TrialPage {
            schema_version: 1,
            total,
            offset,
            limit,
            trials,
        })
    })
    .await
}

/// One trial by any registry id, derived id or alias: the `show --json`
/// record (with provenance) and `compiled_criteria` (criteria with spans,
/// status, IR; the compiler version).
#[utoipa::path(get, path = "/api/v1/trials/{id}", tag = "trials",
    params(("id" = String, Path, description = "NCT id (any case), other registry id, TM- id or alias")),
    responses(
        (status = 200, description = "The trial and its compiled criteria", body = Object),
        (status = 404, description = "No trial with this id or alias", body = ErrorBody),
        (status = 409, description = "The id names several trials (listed in details)", body = ErrorBody),
    ))]
async fn get_trial(
    State(st): State<AppState>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let app = st.app.clone();
    blocking(move || {
        let (trial, compiled) = app.criteria(&id)?;
        json_response(&tm_app::TrialDetail {
            schema_version: tm_model::TRIAL_SCHEMA_VERSION,
            trial: &trial,
            compiled_criteria: &compiled,
        })
    })
    .await
}

const MATCH_PARAMS: &[&str] = &[
    "trial",
    "as_of",
    "planned_start",
    "any_status",
    "condition",
    "phase",
    "country",
    "patient_id",
];

/// Screens one patient against the trials: the `trialmatch match --json`
/// document. Body: a FHIR R4 Bundle or resource (`application/fhir+json`
/// or `application/json`), NDJSON (`application/x-ndjson`, or several
/// objects on separate lines) or the hand-entry profile (detected by
/// content). The patient is not stored.
#[utoipa::path(post, path = "/api/v1/match", tag = "patients",
    params(
        ("trial" = Option<Vec<String>>, Query, description = "Evaluate this trial (any id or alias) whatever its status; repeatable. Default: every trial passing the filters"),
        ("as_of" = Option<String>, Query, description = "Index date YYYY-MM-DD (default today)"),
        ("planned_start" = Option<String>, Query, description = "Planned start of treatment YYYY-MM-DD (default: as_of)"),
        ("any_status" = Option<bool>, Query, description = "Evaluate trials of every status (default: recruiting and not yet recruiting)"),
        ("condition" = Option<String>, Query, description = "Keep trials with a condition containing this text"),
        ("phase" = Option<String>, Query, description = "Keep trials of this phase"),
        ("country" = Option<String>, Query, description = "Keep trials with a site in this country"),
        ("patient_id" = Option<String>, Query, description = "Patient id when the body holds several (default: the first)"),
    ),
    request_body(content = String, description = "FHIR R4 JSON (Bundle or resource), NDJSON, or the hand-entry profile",
        content_type = "application/fhir+json"),
    responses(
        (status = 200, description = "The match --json document", body = Object),
        (status = 400, description = "Bad parameter", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 404, description = "Unknown trial or patient id", body = ErrorBody),
        (status = 413, description = "Body larger than the limit", body = ErrorBody),
        (status = 422, description = "No patient could be read; details: the reader's messages", body = ErrorBody),
    ),
    security(("bearer" = [])))]
async fn match_patient(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&st, &headers)?;
    let pairs = query_pairs(q.as_deref(), MATCH_PARAMS)?;
    let mut opts = MatchOptions::default();
    let mut patient_id = None;
    for (k, v) in pairs {
        match k.as_str() {
            "trial" => opts.trials.push(v),
            "as_of" => opts.as_of = Some(date_param("as_of", &v)?),
            "planned_start" => opts.planned_start = Some(date_param("planned_start", &v)?),
            "any_status" => opts.any_status = bool_param("any_status", &v)?,
            "condition" => opts.condition = Some(v),
            "phase" => opts.phase = Some(v),
            "country" => opts.country = Some(v),
            _ => patient_id = Some(v),
        }
    }
    let ndjson = is_ndjson(&headers);
    let bytes = read_body(body, &headers, st.cfg.max_body).await?;
    let app = st.app.clone();
    blocking(move || {
        let text = String::from_utf8_lossy(&bytes);
        let read = tm_app::patient::read_text("body", &text, ndjson);
        let patient = tm_app::patient::select(&read, patient_id.as_deref())?;
        let s = app.screen(patient, &opts)?;
        json_response(&s.report)
    })
    .await
}

/// Reads patient data: the `trialmatch patient --json` document (normalised
/// patients, derived values, flags). The patient is not stored.
#[utoipa::path(post, path = "/api/v1/patients/read", tag = "patients",
    params(("as_of" = Option<String>, Query, description = "Index date YYYY-MM-DD (default today)")),
    request_body(content = String, description = "FHIR R4 JSON (Bundle or resource), NDJSON, or the hand-entry profile",
        content_type = "application/fhir+json"),
    responses(
        (status = 200, description = "The patient --json document", body = Object),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 413, description = "Body larger than the limit", body = ErrorBody),
        (status = 422, description = "No patient could be read; details: the reader's messages", body = ErrorBody),
    ),
    security(("bearer" = [])))]
async fn read_patients(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&st, &headers)?;
    let pairs = query_pairs(q.as_deref(), &["as_of"])?;
    let as_of = match pairs.last() {
        Some((_, v)) => date_param("as_of", v)?,
        None => Date::today(),
    };
    let ndjson = is_ndjson(&headers);
    let bytes = read_body(body, &headers, st.cfg.max_body).await?;
    blocking(move || {
        let text = String::from_utf8_lossy(&bytes);
        let read = tm_app::patient::read_text("body", &text, ndjson);
        if read.patients.is_empty() {
            return Err(AppError::unprocessable(
                "no patient could be read",
                read.errors.clone(),
            ));
        }
        json_response(&tm_app::patient::patient_json(&read, as_of))
    })
    .await
}

/// Imports one registry file (any format `trialmatch import` reads,
/// detected by content) into the store: the `import --json` summary.
#[utoipa::path(post, path = "/api/v1/import", tag = "trials",
    params(("name" = Option<String>, Query, description = "File name recorded as the source (default: upload)")),
    request_body(content = String, description = "A registry file: CT.gov JSON / XML / page text, CSV, ClinConnect page",
        content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "The import --json summary", body = Object),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 413, description = "Body larger than the limit", body = ErrorBody),
        (status = 422, description = "No record could be read; details: the rejections", body = ErrorBody),
    ),
    security(("bearer" = [])))]
async fn import(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&st, &headers)?;
    let pairs = query_pairs(q.as_deref(), &["name"])?;
    let name = pairs
        .last()
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "upload".to_string());
    let bytes = read_body(body, &headers, st.cfg.max_body).await?;
    let app = st.app.clone();
    blocking(move || {
        let inputs = [tm_app::import::Input::Bytes {
            name,
            bytes: bytes.to_vec(),
        }];
        let (run, summary) = app.import(
            &inputs,
            tm_store::DEFAULT_BATCH_SIZE,
            &mut tm_app::import::Silent,
        )?;
        if run.records == 0 {
            return Err(AppError::unprocessable(
                "nothing could be read",
                run.rejections.iter().map(|r| r.to_string()).collect(),
            ));
        }
        json_response(&summary)
    })
    .await
}

/// This document: OpenAPI 3.1, generated from the handlers.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "service",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
async fn openapi_json(State(st): State<AppState>) -> Response {
    let doc = st.doc.get().cloned().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such route (see /api/v1/openapi.json)",
    )
}

// ------------------------------------------------------------ the router

#[derive(OpenApi)]
#[openapi(
    info(title = "trialmatch", description = "Clinical-trial registry and eligibility screening (docs/contracts.md, \"Service\")."),
    modifiers(&SecurityAddon),
    components(schemas(ErrorBody, ErrorDetail, Health, TrialPage))
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The routes and their OpenAPI document, built together (a route cannot
/// be added without its entry in the document).
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(list_trials))
        .routes(routes!(get_trial))
        .routes(routes!(match_patient))
        .routes(routes!(read_patients))
        .routes(routes!(import))
        .routes(routes!(openapi_json))
        .split_for_parts()
}

/// The OpenAPI 3.1 document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// Request ids: a per-process counter, in hex.
#[derive(Clone, Default)]
struct Ids(Arc<AtomicU64>);

impl MakeRequestId for Ids {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        HeaderValue::from_str(&format!("{n:08x}"))
            .ok()
            .map(RequestId::new)
    }
}

/// The whole service: routes, fallback, request ids, logs, timeout.
pub fn router(app: Arc<App>, cfg: Config) -> Router {
    let (api, doc) = api();
    let state = AppState {
        app,
        cfg: cfg.clone(),
        doc: Arc::new(OnceLock::new()),
    };
    let _ = state
        .doc
        .set(doc.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<Body>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The route template (`/api/v1/trials/{id}`), never the query.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "(no route)".to_string());
            tracing::info_span!("request", id = %id, method = %req.method(), route = %route)
        })
        .on_request(())
        .on_body_chunk(())
        .on_eos(())
        .on_response(|res: &Response, latency: Duration, _: &tracing::Span| {
            tracing::info!(
                status = res.status().as_u16(),
                ms = latency.as_secs_f64() * 1e3,
                "response"
            );
        })
        .on_failure(());
    let layers = tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(Ids::default()))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            cfg.timeout,
        ));
    api.fallback(not_found)
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this route",
            )
        })
        .with_state(state)
        .layer(layers)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Serves on `listener` until SIGINT / SIGTERM; requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    cfg: Config,
) -> std::io::Result<()> {
    let router = router(app, cfg);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}
