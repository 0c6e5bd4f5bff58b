//! tm-app — the application layer: the operations the CLI and the server
//! share (open the registry, list, show, criteria, match, patient reading,
//! import, tokens), over a [`Registry`] held in memory.
//!
//! Architecture invariant: the CLI (`crates/trialmatch`) and the server
//! (`crates/server`) are thin callers of this crate — argument parsing,
//! formatting, HTTP — and hold no rule of their own. Rules kept here once:
//! the compiled-criteria caching rule ([`compiled`]), the panic harness
//! ([`guard`]), the import driver ([`import`]), the selection of trials for
//! a screening ([`App::screen`]).
//!
//! Two modes: [`App::cli`] reads the store once per call and loads only the
//! trials a command needs; [`App::service`] keeps the whole registry in
//! memory and reloads it when the store's `PRAGMA data_version` changes
//! (another process or connection committed), checked on every request.

pub mod compiled;
pub mod guard;
pub mod hooks;
pub mod import;
pub mod patient;
pub mod registry;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tm_criteria::CompiledCriteria;
use tm_ingest::escape_controls;
use tm_matcher::{match_patient, Filters, MatchConfig, MatchReport, PatientFacts, TrialInfo};
use tm_model::patient::Patient;
use tm_model::{Date, OverallStatus, Phase, Trial};
use tm_store::{ListFilter, Store, StoreError, TrialSummary};

pub use registry::{Entry, Registry};
pub use tm_criteria::COMPILER_VERSION;

/// What kind of failure: decides the CLI exit code and the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Unknown id (404; CLI exit 1).
    NotFound,
    /// A bad argument or parameter (400; CLI exit 2).
    BadRequest,
    /// Input that could not be read (422; CLI exit 1).
    Unprocessable,
    /// An id naming several trials (409; CLI exit 1); `details` lists them.
    Ambiguous,
    /// Store or internal failure (500; CLI exit 1).
    Internal,
}

/// An application error: kind, message, and the reader's messages when the
/// input was unreadable.
#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    pub details: Vec<String>,
}

impl AppError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    pub fn unprocessable(message: impl Into<String>, details: Vec<String>) -> Self {
        AppError {
            details,
            ..Self::new(ErrorKind::Unprocessable, message)
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Ambiguous { trials, .. } => AppError {
                details: trials.clone(),
                ..AppError::new(ErrorKind::Ambiguous, e.to_string())
            },
            _ => AppError::internal(e.to_string()),
        }
    }
}

/// The error of every read on a store file that does not exist (reading
/// never creates a store): `no store at PATH (run `trialmatch import`
/// first)`.
pub fn no_store(db: &Path) -> AppError {
    AppError::internal(format!(
        "no store at {} (run `trialmatch import` first)",
        escape_controls(&db.display().to_string())
    ))
}

/// Parses a phase argument into phases: a bare number or roman numeral
/// means that phase (`2`, `II`, `1/2`); otherwise any registry spelling.
pub fn parse_phase(p: &str) -> Result<Vec<Phase>, AppError> {
    let raw = p.trim();
    let list = if raw
        .chars()
        .all(|c| c.is_ascii_digit() || "IVXivx/ ".contains(c))
    {
        Phase::parse_list(&format!("Phase {raw}"))
    } else {
        Phase::parse_list(raw)
    };
    if list.is_empty() {
        return Err(AppError::bad_request(format!(
            "unknown phase {p:?}; e.g. 1, 2, 3, 4, \"early phase 1\", \"phase 1/2\", NA"
        )));
    }
    Ok(list)
}

/// Parses an overall status in any spelling.
pub fn parse_status(s: &str) -> Result<OverallStatus, AppError> {
    OverallStatus::parse(s).ok_or_else(|| {
        let known: Vec<&str> = OverallStatus::ALL.iter().map(|s| s.as_str()).collect();
        AppError::bad_request(format!("unknown status {s:?}; known: {}", known.join(", ")))
    })
}

/// The list filter from the `list` spellings.
pub fn list_filter(
    status: Option<&str>,
    phase: Option<&str>,
    condition: Option<&str>,
) -> Result<ListFilter, AppError> {
    Ok(ListFilter {
        status: status.map(parse_status).transpose()?,
        phases: match phase {
            Some(p) => parse_phase(p)?,
            None => Vec::new(),
        },
        condition: condition
            .map(str::to_string)
            .filter(|c| !c.trim().is_empty()),
    })
}

/// Options of a screening (`match` flags, the server's query parameters).
#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    /// Evaluate these trials (any id or alias), whatever their status;
    /// empty: every trial passing the filters.
    pub trials: Vec<String>,
    /// Index date (default: today).
    pub as_of: Option<Date>,
    /// Planned start of treatment (default: the index date).
    pub planned_start: Option<Date>,
    pub any_status: bool,
    pub condition: Option<String>,
    /// A phase in any spelling (the first phase it names is used).
    pub phase: Option<String>,
    pub country: Option<String>,
}

/// A screening: the `match --json` report and how many trials were left
/// out only because they are not recruiting.
pub struct Screening {
    pub report: MatchReport,
    pub not_recruiting: usize,
}

/// A trial with its compiled criteria (the server's `GET /trials/{id}`).
#[derive(Serialize)]
pub struct TrialDetail<'a> {
    pub schema_version: u32,
    #[serde(flatten)]
    pub trial: &'a Trial,
    pub compiled_criteria: &'a CompiledCriteria,
}

/// The application: a store path, one connection, and (service mode) the
/// registry in memory.
pub struct App {
    db: PathBuf,
    service: bool,
    store: Mutex<Option<Store>>,
    registry: Mutex<Option<Arc<Registry>>>,
}

impl App {
    /// For one CLI command: nothing is loaded until needed, only what the
    /// command needs is loaded.
    pub fn cli(db: &Path) -> App {
        App {
            db: db.to_path_buf(),
            service: false,
            store: Mutex::new(None),
            registry: Mutex::new(None),
        }
    }

    /// For the server: the whole registry in memory, reloaded when the
    /// store changes.
    pub fn service(db: &Path) -> App {
        App {
            service: true,
            ..App::cli(db)
        }
    }

    /// The store path.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// The read connection (opened on first use, read-only: reading never
    /// creates or writes the store, so it works on a read-only file). No
    /// store file → [`no_store`].
    fn conn(&self) -> Result<MutexGuard<'_, Option<Store>>, AppError> {
        let mut g = self
            .store
            .lock()
            .map_err(|_| AppError::internal("store connection poisoned"))?;
        if g.is_none() {
            *g = Store::open_read_only(&self.db).map_err(|e| {
                AppError::internal(format!(
                    "{}: {e}",
                    escape_controls(&self.db.display().to_string())
                ))
            })?;
        }
        if g.is_none() {
            return Err(no_store(&self.db));
        }
        Ok(g)
    }

    /// Runs `f` on the store, opened read-only; [`no_store`] when there is
    /// no store file.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let g = self.conn()?;
        match g.as_ref() {
            Some(s) => f(s),
            None => Err(no_store(&self.db)),
        }
    }

    /// Fails with [`no_store`] when the store file does not exist (`serve`
    /// checks this before it starts).
    pub fn require_store(&self) -> Result<(), AppError> {
        self.with_store(|_| Ok(()))
    }

    /// The whole registry, reloaded first if the store changed since it was
    /// loaded (service mode checks on every call; CLI mode loads once).
    pub fn registry(&self) -> Result<Arc<Registry>, AppError> {
        let g = self.conn()?;
        let mut reg = self
            .registry
            .lock()
            .map_err(|_| AppError::internal("registry poisoned"))?;
        let Some(store) = g.as_ref() else {
            return Err(no_store(&self.db));
        };
        let version = store.data_version()?;
        if let Some(r) = reg.as_ref() {
            if !self.service || r.version == Some(version) {
                return Ok(r.clone());
            }
        }
        let mut r = Registry::load(store)?;
        r.version = Some(version);
        tracing::info!(
            trials = r.entries().len(),
            ms = r.load_time.as_millis() as u64,
            "registry loaded"
        );
        let r = Arc::new(r);
        *reg = Some(r.clone());
        Ok(r)
    }

    /// The stored id that `id` (any registry id, derived id or alias)
    /// denotes; `NotFound` when unknown, an error listing the candidates
    /// when ambiguous.
    pub fn resolve(&self, id: &str) -> Result<String, AppError> {
        self.with_store(|s| Ok(s.resolve_id(id)?))?
            .ok_or_else(|| AppError::not_found(format!("no trial with id or alias {id:?}")))
    }

    /// `list`: trials passing `filter`, ordered by id.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<TrialSummary>, AppError> {
        self.with_store(|s| Ok(s.list(filter)?))
    }

    /// `show`: the merged trial `id` denotes.
    pub fn show(&self, id: &str) -> Result<Trial, AppError> {
        self.with_store(|s| Ok(s.get_trial(id)?))?
            .ok_or_else(|| AppError::not_found(format!("no trial with id or alias {id:?}")))
    }

    /// `criteria`: a trial's criteria text and compiled criteria (stored for
    /// the current compiler version, else compiled now in memory).
    pub fn criteria(&self, id: &str) -> Result<(Trial, CompiledCriteria), AppError> {
        self.with_store(|s| match s.get_trial(id)? {
            Some(t) => {
                let c = compiled::compiled_for(s, &t)?;
                Ok(Some((t, c)))
            }
            None => Ok(None),
        })?
        .ok_or_else(|| AppError::not_found(format!("no trial with id or alias {id:?}")))
    }

    /// `match`: screens one patient against the trials named in `opts`, or
    /// every trial passing its filters; explained and ranked
    /// (`match --json`).
    pub fn screen(&self, patient: &Patient, opts: &MatchOptions) -> Result<Screening, AppError> {
        let as_of = opts.as_of.unwrap_or_else(Date::today);
        let phase = match &opts.phase {
            Some(p) => parse_phase(p)?.first().copied(),
            None => None,
        };
        let filters = Filters {
            any_status: opts.any_status,
            condition: opts.condition.clone(),
            phase,
            country: opts.country.clone(),
        };
        let ids = opts
            .trials
            .iter()
            .map(|id| self.resolve(id))
            .collect::<Result<Vec<String>, AppError>>()?;
        // The trials to evaluate, in order, and the registry they live in.
        let (registry, not_recruiting) = if self.service {
            (self.registry()?, None)
        } else if ids.is_empty() {
            let any_status = Filters {
                any_status: true,
                ..filters.clone()
            };
            let mut not_recruiting = 0;
            let r = self.with_store(|s| {
                Ok(Registry::load_with(s, |info| {
                    let keep = filters.accepts(info);
                    if !keep && any_status.accepts(info) {
                        not_recruiting += 1;
                    }
                    keep
                })?)
            })?;
            (Arc::new(r), Some(not_recruiting))
        } else {
            let r = self.with_store(|s| Ok(Registry::load_ids(s, &ids)?))?;
            (Arc::new(r), Some(0))
        };
        let (pairs, counted): (Vec<(TrialInfo, &CompiledCriteria)>, usize) = if ids.is_empty() {
            let (sel, n) = registry.select(&filters);
            (
                sel.into_iter()
                    .map(|e| (e.info.clone(), &e.compiled))
                    .collect(),
                n,
            )
        } else {
            let mut v = Vec::with_capacity(ids.len());
            for id in &ids {
                let e = registry.get(id).ok_or_else(|| {
                    AppError::not_found(format!("no trial with id or alias {id:?}"))
                })?;
                v.push((e.info.clone(), &e.compiled));
            }
            (v, 0)
        };
        let facts = PatientFacts::new(
            patient,
            MatchConfig::new(as_of).with_planned_start(opts.planned_start),
        );
        let report = match_patient(&facts, &pairs);
        Ok(Screening {
            report,
            not_recruiting: not_recruiting.unwrap_or(counted),
        })
    }

    /// Is `token` a valid API token (service mode; tokens are read with
    /// the registry)?
    pub fn token_name(&self, token: &str) -> Result<Option<String>, AppError> {
        let r = self.registry()?;
        Ok(r.token_name(&tokens::hash(token)).map(str::to_string))
    }

    /// Imports `inputs` into the store (created if needed; deleted again
    /// if this import created it and read nothing) and compiles the
    /// criteria of new and changed trials; the `import --json` summary.
    pub fn import(
        &self,
        inputs: &[import::Input],
        batch_size: usize,
        progress: &mut dyn import::Progress,
    ) -> Result<(import::ImportRun, import::SummaryJson), AppError> {
        let done = import::import_path(&self.db, inputs, batch_size, progress)?;
        let summary = import::summary_json(&self.db.display().to_string(), &done.store, &done.run)?;
        Ok((done.run, summary))
    }
}
