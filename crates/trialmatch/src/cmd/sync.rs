//! `trialmatch sync`: fetch studies from the ClinicalTrials.gov API v2
//! (`{base-url}/studies`) and import them through the normal import path.
//!
//! - Incremental: the store remembers per query (base URL, `--cond`,
//!   `--term`, `--status`) the newest last-update date seen; the next run asks
//!   only for studies whose `LastUpdatePostDate` is on or after it (`--since`
//!   overrides). The boundary day is asked again (the registry's dates have
//!   no time), so records of that day come back `unchanged`.
//! - Resumable: each page's records and the run's progress (next page token)
//!   are committed in one transaction; a killed run (even `kill -9`) resumes
//!   at the first page not committed.
//! - Polite: at most `--rate` requests per minute (default 45, under the
//!   registry's ~50); 429, 5xx, dropped connections and cut bodies are retried
//!   with exponential backoff, honouring `Retry-After` (seconds).

use std::io::{IsTerminal, Read};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use tm_model::OverallStatus;
use tm_store::{ImportSummary, SyncState};

use crate::cmd::import::Rejection;
use crate::{CliError, Ctx};
use tm_app::hooks::IngestHooks;

/// Version of the `sync --json` summary shape (docs/contracts.md).
pub const SYNC_SCHEMA_VERSION: u32 = 1;

pub const DEFAULT_BASE_URL: &str = "https://clinicaltrials.gov/api/v2";

/// Largest page body accepted (a page of 1000 studies with results is ~100 MB).
const MAX_BODY: u64 = 256 * 1024 * 1024;
/// Longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);
/// Longest backoff between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(clap::Args)]
pub struct Args {
    /// Conditions or disease (`query.cond`, Essie syntax).
    #[arg(long, value_name = "TEXT")]
    pub cond: Option<String>,
    /// Other terms (`query.term`, Essie syntax).
    #[arg(long, value_name = "TEXT")]
    pub term: Option<String>,
    /// Overall status, any spelling; repeatable (`filter.overallStatus`).
    #[arg(long = "status", value_name = "S")]
    pub status: Vec<String>,
    /// Only studies last updated on or after this date (YYYY-MM-DD);
    /// default: the newest last-update date of the previous sync of this query.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// API base URL; requests go to `{base-url}/studies`.
    #[arg(long, value_name = "URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Requests per minute at most (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 45)]
    pub rate: u32,
    /// Studies per page (`pageSize`, 1–1000).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub page_size: u32,
    /// Retries of one request on 429, 5xx or a dropped connection.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub retries: u32,
    /// Seconds before a request without an answer is abandoned (and retried).
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
    /// First backoff delay in milliseconds (doubles per retry; tests shorten it).
    #[arg(long, default_value_t = 1000, hide = true)]
    pub backoff_ms: u64,
    /// Stop after this many pages, leaving the run to be resumed (tests).
    #[arg(long, hide = true)]
    pub max_pages: Option<u64>,
}

/// The query as remembered in the store (its key).
#[derive(Serialize)]
struct QueryKey<'a> {
    base_url: &'a str,
    cond: Option<&'a str>,
    term: Option<&'a str>,
    status: Vec<&'static str>,
}

/// What a page tells besides its studies.
#[derive(Deserialize)]
struct PageMeta {
    #[serde(rename = "nextPageToken")]
    next_page_token: Option<String>,
    #[serde(rename = "totalCount")]
    total_count: Option<u64>,
    #[serde(default)]
    studies: Vec<serde::de::IgnoredAny>,
}

struct Page {
    body: Vec<u8>,
    meta: PageMeta,
}

/// Why a request failed.
enum FetchError {
    /// Worth retrying after the given delay (server's `Retry-After`, if any).
    Retry(String, Option<Duration>),
    /// Not worth retrying (4xx other than 429, bad URL).
    Fatal(String),
}

struct Client {
    agent: ureq::Agent,
    studies_url: String,
    interval: Duration,
    last_request: Option<Instant>,
    retries: u32,
    backoff: Duration,
    /// Retried attempts so far.
    retried: u64,
    requests: u64,
}

impl Client {
    /// Waits until the rate limit allows another request.
    fn pace(&mut self) {
        if let Some(last) = self.last_request {
            let next = last + self.interval;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
        self.last_request = Some(Instant::now());
    }

    fn once(&mut self, params: &[(&str, String)]) -> Result<Page, FetchError> {
        self.pace();
        self.requests += 1;
        let mut req = self.agent.get(&self.studies_url);
        for (k, v) in params {
            req = req.query(k, v);
        }
        match req.call() {
            Ok(resp) => {
                let mut body = Vec::new();
                resp.into_reader()
                    .take(MAX_BODY)
                    .read_to_end(&mut body)
                    .map_err(|e| FetchError::Retry(format!("reading the page: {e}"), None))?;
                let meta: PageMeta = serde_json::from_slice(&body).map_err(|e| {
                    FetchError::Retry(
                        format!("page is not complete JSON ({} bytes): {e}", body.len()),
                        None,
                    )
                })?;
                Ok(Page { body, meta })
            }
            Err(ureq::Error::Status(code, resp)) => {
                let retry_after = resp
                    .header("Retry-After")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
                let text = resp.into_string().unwrap_or_default();
                let msg = format!(
                    "HTTP {code} from {}: {}",
                    self.studies_url,
                    text.chars().take(200).collect::<String>().trim()
                );
                if code == 429 || code >= 500 {
                    Err(FetchError::Retry(msg, retry_after))
                } else {
                    Err(FetchError::Fatal(msg))
                }
            }
            Err(ureq::Error::Transport(t)) => match t.kind() {
                ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => {
                    Err(FetchError::Fatal(t.to_string()))
                }
                _ => Err(FetchError::Retry(t.to_string(), None)),
            },
        }
    }

    /// One page, retried with exponential backoff.
    fn page(&mut self, params: &[(&str, String)], progress: &ProgressBar) -> Result<Page, String> {
        let mut attempt = 0u32;
        loop {
            match self.once(params) {
                Ok(p) => return Ok(p),
                Err(FetchError::Fatal(m)) => return Err(m),
                Err(FetchError::Retry(m, after)) => {
                    if attempt >= self.retries {
                        return Err(format!("{m} (gave up after {} retries)", self.retries));
                    }
                    let backoff = self
                        .backoff
                        .saturating_mul(1u32 << attempt.min(16))
                        .min(MAX_BACKOFF);
                    let wait = after.unwrap_or(backoff);
                    attempt += 1;
                    self.retried += 1;
                    progress.suspend(|| {
                        eprintln!(
                            "sync: {m}; retry {attempt}/{} in {:.1} s",
                            self.retries,
                            wait.as_secs_f64()
                        )
                    });
                    tracing::debug!(attempt, ?wait, "retrying");
                    std::thread::sleep(wait);
                }
            }
        }
    }
}

/// `2025-03-01T12:00:00Z` from the system clock.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) with plausible numbers.
fn valid_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| p.len() == len && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, d] => {
            num(y, 4)
                && num(m, 2)
                && num(d, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=31).contains(&d.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

fn max_date(a: Option<String>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) if b > a.as_str() => Some(b.to_string()),
        (Some(a), _) => Some(a),
        (None, b) => b.map(str::to_string),
    }
}

#[derive(Serialize)]
struct SyncJson<'a> {
    schema_version: u32,
    db: String,
    base_url: &'a str,
    query: QueryJson<'a>,
    since: Option<&'a str>,
    resumed: bool,
    complete: bool,
    pages: u64,
    requests: u64,
    retries: u64,
    fetched: usize,
    imported: usize,
    merged: usize,
    unchanged: usize,
    rejected: usize,
    rejections: Vec<String>,
    max_last_update: Option<&'a str>,
    last_sync_at: Option<&'a str>,
    trials_in_store: usize,
}

#[derive(Serialize)]
struct QueryJson<'a> {
    cond: Option<&'a str>,
    term: Option<&'a str>,
    status: &'a [&'static str],
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let mut statuses: Vec<&'static str> = Vec::new();
    for s in &args.status {
        let st = OverallStatus::parse(s).ok_or_else(|| {
            let known: Vec<&str> = OverallStatus::ALL.iter().map(|s| s.as_str()).collect();
            CliError::usage(format!("unknown status {s:?}; known: {}", known.join(", ")))
        })?;
        if !statuses.contains(&st.as_str()) {
            statuses.push(st.as_str());
        }
    }
    statuses.sort_unstable();
    if let Some(s) = &args.since {
        if !valid_date(s) {
            return Err(CliError::usage(format!(
                "--since {s:?} is not a date (YYYY-MM-DD)"
            )));
        }
    }
    if !(1..=1000).contains(&args.page_size) {
        return Err(CliError::usage("--page-size must be between 1 and 1000"));
    }
    let base_url = args.base_url.trim_end_matches('/').to_string();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(CliError::usage(format!(
            "--base-url {base_url:?} must start with http:// or https://"
        )));
    }
    let cond = args
        .cond
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let term = args
        .term
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let key = QueryKey {
        base_url: &base_url,
        cond,
        term,
        status: statuses.clone(),
    };
    let query_json = serde_json::to_string(&key)?;

    let mut store = ctx.open_store()?;
    let mut state = store.sync_state(&query_json)?.unwrap_or(SyncState {
        query_key: query_json.clone(),
        query_json: query_json.clone(),
        ..SyncState::default()
    });
    let resumed = state.running;
    if resumed {
        if args.since.is_some() && args.since != state.run_since {
            eprintln!(
                "sync: resuming the interrupted run of this query (since {}); --since applies to the next run",
                state.run_since.as_deref().unwrap_or("the beginning")
            );
        }
    } else {
        state.running = true;
        state.run_since = args.since.clone().or_else(|| state.max_last_update.clone());
        state.run_started_at = Some(utc_now());
        state.cursor = None;
        state.pages_done = 0;
        state.records_done = 0;
        state.run_max_last_update = None;
        store.put_sync_state(&state)?;
    }
    let since = state.run_since.clone();

    let mut client = Client {
        agent: ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(30))
            .timeout(Duration::from_secs(args.timeout.max(1)))
            .user_agent(concat!("trialmatch/", env!("CARGO_PKG_VERSION")))
            .build(),
        studies_url: format!("{base_url}/studies"),
        interval: if args.rate == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(60.0 / f64::from(args.rate))
        },
        last_request: None,
        retries: args.retries,
        backoff: Duration::from_millis(args.backoff_ms),
        retried: 0,
        requests: 0,
    };

    let progress = if !ctx.quiet && std::io::stderr().is_terminal() {
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} studies ({eta}) {msg}",
        ) {
            pb.set_style(style);
        }
        pb.set_position(state.records_done);
        pb
    } else {
        ProgressBar::hidden()
    };

    let hooks = IngestHooks;
    let mut total = ImportSummary::default();
    let mut rejections: Vec<Rejection> = Vec::new();
    let mut fetched = 0usize;
    let mut pages = 0u64;
    let mut complete = !state.running;
    while state.running {
        if args.max_pages.is_some_and(|m| pages >= m) {
            break;
        }
        let mut params: Vec<(&str, String)> = vec![
            ("format", "json".into()),
            ("pageSize", args.page_size.to_string()),
        ];
        if let Some(c) = cond {
            params.push(("query.cond", c.to_string()));
        }
        if let Some(t) = term {
            params.push(("query.term", t.to_string()));
        }
        if !statuses.is_empty() {
            params.push(("filter.overallStatus", statuses.join("|")));
        }
        if let Some(s) = &since {
            params.push((
                "filter.advanced",
                format!("AREA[LastUpdatePostDate]RANGE[{s},MAX]"),
            ));
        }
        match &state.cursor {
            Some(tok) => params.push(("pageToken", tok.clone())),
            None => params.push(("countTotal", "true".into())),
        }
        progress.set_message(format!("page {}", state.pages_done + 1));
        let page = client.page(&params, &progress).map_err(|m| {
            progress.finish_and_clear();
            CliError::failure(format!(
                "sync stopped: {m}; {} page(s) committed — run the same command again to resume",
                state.pages_done
            ))
        })?;
        if let Some(n) = page.meta.total_count {
            progress.set_length(n);
        }
        let fetched_at = utc_now();
        let label = format!(
            "ctgov-api-v2 {}, fetched at {fetched_at}",
            client.studies_url
        );
        let mut records = Vec::new();
        tm_ingest::read_bytes(&page.body, &label, None, &mut |r| match r {
            Ok(mut t) => {
                for s in &mut t.sources {
                    s.record = Some(format!(
                        "page {} {}",
                        state.pages_done + 1,
                        s.record.as_deref().unwrap_or("record 0")
                    ));
                    s.current_as_of = Some(fetched_at[..10].to_string());
                }
                records.push(t);
            }
            Err(e) => rejections.push(e.into()),
        });
        fetched += records.len();
        let mut run_max = state.run_max_last_update.take();
        for t in &records {
            run_max = max_date(run_max, t.dates.last_update.as_deref());
        }
        state.run_max_last_update = run_max;
        state.records_done += page.meta.studies.len() as u64;
        state.pages_done += 1;
        state.cursor = page.meta.next_page_token.filter(|t| !t.is_empty());
        if state.cursor.is_none() {
            // Last page: the run is complete in the same transaction.
            state.running = false;
            state.last_sync_at = state.run_started_at.take();
            state.max_last_update = max_date(
                state.max_last_update.take(),
                state.run_max_last_update.as_deref(),
            );
            state.run_max_last_update = None;
            state.run_since = None;
            complete = true;
        }
        let mut importer = store.importer(&hooks, usize::MAX);
        for t in records {
            importer.add(t)?;
        }
        importer.flush_with_sync_state(&state)?;
        let s = importer.finish()?;
        total.imported += s.imported;
        total.merged += s.merged;
        total.unchanged += s.unchanged;
        total.joined += s.joined;
        for f in s.failures {
            rejections.push(Rejection {
                file: f.file,
                record: f.record,
                reason: f.reason,
            });
        }
        pages += 1;
        progress.set_position(state.records_done);
    }
    progress.finish_and_clear();
    for r in &rejections {
        eprintln!("{r}");
    }
    tm_app::compiled::compile_missing(&mut store)?;
    let in_store = store.count_trials()?;

    if ctx.json {
        let out = SyncJson {
            schema_version: SYNC_SCHEMA_VERSION,
            db: ctx.db.display().to_string(),
            base_url: &base_url,
            query: QueryJson {
                cond,
                term,
                status: &statuses,
            },
            since: since.as_deref(),
            resumed,
            complete,
            pages,
            requests: client.requests,
            retries: client.retried,
            fetched,
            imported: total.imported,
            merged: total.merged,
            unchanged: total.unchanged,
            rejected: rejections.len(),
            rejections: rejections.iter().map(|r| r.to_string()).collect(),
            max_last_update: state.max_last_update.as_deref(),
            last_sync_at: state.last_sync_at.as_deref(),
            trials_in_store: in_store,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else if !ctx.quiet {
        outln!(
            "{} {} page{} ({} studies) from {}{}{}:",
            if resumed { "Resumed;" } else { "Fetched" },
            pages,
            if pages == 1 { "" } else { "s" },
            fetched,
            client.studies_url,
            since
                .as_deref()
                .map(|s| format!(", updated since {s}"))
                .unwrap_or_default(),
            if client.retried > 0 {
                format!(", {} retried request(s)", client.retried)
            } else {
                String::new()
            }
        );
        outln!("  imported   {:>6}  new trials", total.imported);
        outln!(
            "  merged     {:>6}  new or changed sources of known trials",
            total.merged
        );
        outln!("  unchanged  {:>6}  already stored", total.unchanged);
        outln!("  rejected   {:>6}", rejections.len());
        if complete {
            outln!(
                "Sync complete; next run fetches studies updated since {}.",
                state.max_last_update.as_deref().unwrap_or("the beginning")
            );
        } else {
            outln!(
                "Stopped after {} page(s); run the same command again to resume.",
                state.pages_done
            );
        }
        outln!("{in_store} trials in the store.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(valid_date("2024-03-15"));
        assert!(valid_date("2024-03"));
        assert!(!valid_date("2024-13-01"));
        assert!(!valid_date("yesterday"));
        let now = utc_now();
        assert_eq!(now.len(), 20);
        assert!(now.starts_with("20"));
        assert_eq!(
            max_date(Some("2024-01-02".into()), Some("2024-03-01")),
            Some("2024-03-01".into())
        );
        assert_eq!(max_date(None, None), None);
    }
}
