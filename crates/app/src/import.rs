//! Import of registry files into the store (CLI `import`, `demo`, `bench
//! import`, the server's `POST /import`): read every input, hand the
//! records to the store importer, compile the criteria of new and changed
//! trials ([`crate::compiled::compile_missing`]), summarise. An import that
//! creates the store and reads nothing deletes it again ([`import_path`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tm_ingest::RecordError;
use tm_store::{ImportSummary, Store};

use crate::hooks::IngestHooks;
use crate::AppError;

/// Version of the `import --json` summary shape (docs/contracts.md).
pub const IMPORT_SCHEMA_VERSION: u32 = 1;

/// One input: a file on disk, bytes embedded in the binary, or bytes
/// received (the server).
pub enum Input {
    Path(PathBuf),
    Embedded {
        name: &'static str,
        bytes: &'static [u8],
    },
    Bytes {
        name: String,
        bytes: Vec<u8>,
    },
}

impl Input {
    /// Size in bytes (0 when a file cannot be read).
    pub fn len(&self) -> u64 {
        match self {
            Input::Path(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Input::Embedded { bytes, .. } => bytes.len() as u64,
            Input::Bytes { bytes, .. } => bytes.len() as u64,
        }
    }

    /// True when the input holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The label of the input in messages.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Embedded { name, .. } => name.to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// A record that could not be imported, printed as `file:record: reason`
/// with control characters escaped (a file name cannot forge a line nor
/// send terminal escapes; the fields keep the raw text).
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use tm_ingest::escape_controls as esc;
        match &self.record {
            Some(r) => write!(f, "{}:{}: {}", esc(&self.file), esc(r), esc(&self.reason)),
            None => write!(f, "{}: {}", esc(&self.file), esc(&self.reason)),
        }
    }
}

impl From<RecordError> for Rejection {
    fn from(e: RecordError) -> Self {
        Rejection {
            file: e.file,
            record: e.record,
            reason: e.reason,
        }
    }
}

/// Progress callbacks of an import (the CLI draws a bar; the server logs
/// nothing per record).
pub trait Progress {
    /// Before reading an input.
    fn input(&mut self, _name: &str) {}
    /// After reading an input of `bytes` bytes.
    fn advance(&mut self, _bytes: u64) {}
    /// A record (or file) was rejected.
    fn rejected(&mut self, _r: &Rejection) {}
    /// Reading is over.
    fn finish(&mut self) {}
}

/// No progress reporting.
pub struct Silent;
impl Progress for Silent {}

/// The outcome of an import run.
#[derive(Debug, Default)]
pub struct ImportRun {
    pub files: usize,
    /// Records read successfully (handed to the store).
    pub records: usize,
    pub summary: ImportSummary,
    pub rejections: Vec<Rejection>,
    /// Time spent in the store (the rest is reading and normalising).
    pub store_time: Duration,
    /// Trials whose criteria were (re)compiled and stored after the import.
    pub compiled: usize,
    pub elapsed: Duration,
}

/// Reads every input and imports its records into `store` (criteria are not
/// compiled here: see [`import`]).
pub fn import_inputs(
    store: &mut Store,
    inputs: &[Input],
    batch_size: usize,
    progress: &mut dyn Progress,
) -> Result<ImportRun, AppError> {
    let start = Instant::now();
    let hooks = IngestHooks;
    let mut run = ImportRun {
        files: inputs.len(),
        ..ImportRun::default()
    };
    let mut store_time = Duration::ZERO;
    let mut store_err: Option<tm_store::StoreError> = None;
    let mut records = 0usize;
    let mut rejections: Vec<Rejection> = Vec::new();
    let mut importer = store.importer(&hooks, batch_size);
    for input in inputs {
        if store_err.is_some() {
            break;
        }
        if let Input::Path(p) = input {
            progress.input(&p.display().to_string());
        }
        let mut sink = |r: tm_ingest::RecordResult| match r {
            Ok(trial) => {
                if store_err.is_some() {
                    return;
                }
                records += 1;
                let t0 = Instant::now();
                if let Err(e) = importer.add(trial) {
                    store_err = Some(e);
                }
                store_time += t0.elapsed();
            }
            Err(e) => {
                let rej = Rejection::from(e);
                progress.rejected(&rej);
                rejections.push(rej);
            }
        };
        match input {
            Input::Path(p) => tm_ingest::read_file(p, &mut sink),
            Input::Embedded { name, bytes } => tm_ingest::read_bytes(bytes, name, None, &mut sink),
            Input::Bytes { name, bytes } => tm_ingest::read_bytes(bytes, name, None, &mut sink),
        }
        progress.advance(input.len());
    }
    if let Some(e) = store_err {
        progress.finish();
        return Err(AppError::internal(format!(
            "import stopped: {e} (batches committed before this point are kept)"
        )));
    }
    let t0 = Instant::now();
    let summary = importer.finish()?;
    store_time += t0.elapsed();
    progress.finish();
    for f in &summary.failures {
        let rej = Rejection {
            file: f.file.clone(),
            record: f.record.clone(),
            reason: f.reason.clone(),
        };
        progress.rejected(&rej);
        rejections.push(rej);
    }
    run.records = records;
    run.summary = summary;
    run.rejections = rejections;
    run.store_time = store_time;
    run.elapsed = start.elapsed();
    Ok(run)
}

/// [`import_inputs`], then the criteria of new and changed trials compiled
/// and stored.
pub fn import(
    store: &mut Store,
    inputs: &[Input],
    batch_size: usize,
    progress: &mut dyn Progress,
) -> Result<ImportRun, AppError> {
    let mut run = import_inputs(store, inputs, batch_size, progress)?;
    run.compiled = crate::compiled::compile_missing(store)?;
    Ok(run)
}

/// An import into the store file at a path: the run, the store (an empty
/// in-memory one when the file this import created was deleted again), and
/// whether that happened.
pub struct PathImport {
    pub run: ImportRun,
    pub store: Store,
    /// The store file did not exist, nothing could be read, and the file
    /// this import created was deleted again.
    pub removed: bool,
}

/// Imports `inputs` into the store at `db` (created if needed); then, when
/// at least one record was read, the criteria of new and changed trials
/// are compiled and stored ([`import`]). A store this import created is
/// deleted again (with its WAL files) when nothing could be read, or when
/// the import failed before any trial was stored.
pub fn import_path(
    db: &Path,
    inputs: &[Input],
    batch_size: usize,
    progress: &mut dyn Progress,
) -> Result<PathImport, AppError> {
    let created = !db.exists();
    let mut store = Store::open(db).map_err(|e| {
        AppError::internal(format!(
            "{}: {e}",
            tm_ingest::escape_controls(&db.display().to_string())
        ))
    })?;
    let mut run = match import_inputs(&mut store, inputs, batch_size, progress) {
        Ok(run) => run,
        Err(e) => {
            if created && store.count_trials().unwrap_or(1) == 0 {
                remove_store(db, store);
            }
            return Err(e);
        }
    };
    if run.records == 0 {
        if created {
            remove_store(db, store);
            return Ok(PathImport {
                run,
                store: Store::open_in_memory()?,
                removed: true,
            });
        }
        return Ok(PathImport {
            run,
            store,
            removed: false,
        });
    }
    run.compiled = crate::compiled::compile_missing(&mut store)?;
    Ok(PathImport {
        run,
        store,
        removed: false,
    })
}

/// Closes and deletes a store file (with its WAL files).
fn remove_store(db: &Path, store: Store) {
    drop(store);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.to_path_buf().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// `import --json` (schema_version 1, docs/contracts.md).
#[derive(Debug, Serialize)]
pub struct SummaryJson {
    pub schema_version: u32,
    pub db: String,
    pub files: usize,
    pub records: usize,
    pub imported: usize,
    pub merged: usize,
    pub unchanged: usize,
    pub joined: usize,
    pub rejected: usize,
    pub rejections: Vec<RejectionJson>,
    pub trials_in_store: usize,
    /// Trials whose eligibility criteria were compiled and stored by this run.
    pub criteria_compiled: usize,
    pub compiler_version: &'static str,
}

/// One rejection in [`SummaryJson`].
#[derive(Debug, Serialize)]
pub struct RejectionJson {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    pub reason: String,
    /// `file:record: reason`, as printed on stderr.
    pub message: String,
}

/// The summary of `run` over `store` (labelled `db`).
pub fn summary_json(db: &str, store: &Store, run: &ImportRun) -> Result<SummaryJson, AppError> {
    let s = &run.summary;
    Ok(SummaryJson {
        schema_version: IMPORT_SCHEMA_VERSION,
        db: db.to_string(),
        files: run.files,
        records: run.records,
        imported: s.imported,
        merged: s.merged,
        unchanged: s.unchanged,
        joined: s.joined,
        rejected: run.rejections.len(),
        rejections: run
            .rejections
            .iter()
            .map(|r| RejectionJson {
                file: r.file.clone(),
                record: r.record.clone(),
                reason: r.reason.clone(),
                message: r.to_string(),
            })
            .collect(),
        trials_in_store: store.count_trials()?,
        criteria_compiled: run.compiled,
        compiler_version: tm_criteria::COMPILER_VERSION,
    })
}
