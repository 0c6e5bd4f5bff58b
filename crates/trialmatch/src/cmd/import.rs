//! `trialmatch import <paths…>`: read registry files (any supported format,
//! detected by content), store every record, merge records of one trial.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tm_ingest::RecordError;
use tm_store::{ImportSummary, Store, DEFAULT_BATCH_SIZE};

use crate::hooks::IngestHooks;
use crate::{CliError, Ctx};

/// Version of the `import --json` summary shape (docs/contracts.md).
pub const IMPORT_SCHEMA_VERSION: u32 = 1;

/// Show a progress bar only for inputs at least this large (bytes) …
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;
/// … or with at least this many files.
const PROGRESS_MIN_FILES: usize = 50;

#[derive(clap::Args)]
pub struct Args {
    /// Files and directories (walked recursively; hidden entries skipped).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Records per transaction (a killed import loses at most one batch).
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE, hide = true)]
    pub batch_size: usize,
}

/// One input: a file on disk or bytes embedded in the binary.
pub enum Input {
    Path(PathBuf),
    Embedded {
        name: &'static str,
        bytes: &'static [u8],
    },
}

impl Input {
    fn len(&self) -> u64 {
        match self {
            Input::Path(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Input::Embedded { bytes, .. } => bytes.len() as u64,
        }
    }
}

/// A record that could not be imported, printed as `file:record: reason`.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::esc::text;
        match &self.record {
            Some(r) => write!(
                f,
                "{}:{}: {}",
                text(&self.file),
                text(r),
                text(&self.reason)
            ),
            None => write!(f, "{}: {}", text(&self.file), text(&self.reason)),
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

/// Reads every input and imports its records into `store`.
pub fn import_inputs(
    store: &mut Store,
    inputs: &[Input],
    batch_size: usize,
    show_progress: bool,
) -> Result<ImportRun, CliError> {
    let start = Instant::now();
    let total_bytes: u64 = inputs.iter().map(Input::len).sum();
    let progress = if show_progress
        && std::io::stderr().is_terminal()
        && (total_bytes >= PROGRESS_MIN_BYTES || inputs.len() >= PROGRESS_MIN_FILES)
    {
        let pb = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta}) {msg}",
        ) {
            pb.set_style(style);
        }
        pb
    } else {
        ProgressBar::hidden()
    };

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
                progress.suspend(|| eprintln!("{e}"));
                rejections.push(e.into());
            }
        };
        match input {
            Input::Path(p) => {
                progress.set_message(crate::esc::path(p));
                tm_ingest::read_file(p, &mut sink);
            }
            Input::Embedded { name, bytes } => tm_ingest::read_bytes(bytes, name, None, &mut sink),
        }
        progress.inc(input.len());
    }
    if let Some(e) = store_err {
        progress.finish_and_clear();
        return Err(CliError::failure(format!(
            "import stopped: {e} (batches committed before this point are kept)"
        )));
    }
    let t0 = Instant::now();
    let summary = importer.finish()?;
    store_time += t0.elapsed();
    progress.finish_and_clear();
    for f in &summary.failures {
        let rej = Rejection {
            file: f.file.clone(),
            record: f.record.clone(),
            reason: f.reason.clone(),
        };
        eprintln!("{rej}");
        rejections.push(rej);
    }
    run.records = records;
    run.summary = summary;
    run.rejections = rejections;
    run.store_time = store_time;
    run.elapsed = start.elapsed();
    Ok(run)
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    schema_version: u32,
    db: String,
    files: usize,
    records: usize,
    imported: usize,
    merged: usize,
    unchanged: usize,
    joined: usize,
    rejected: usize,
    rejections: Vec<RejectionJson<'a>>,
    trials_in_store: usize,
    /// Trials whose eligibility criteria were compiled and stored by this run.
    criteria_compiled: usize,
    compiler_version: &'static str,
}

#[derive(Serialize)]
struct RejectionJson<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'a str>,
    reason: &'a str,
    /// `file:record: reason`, as printed on stderr.
    message: String,
}

/// Prints the summary (JSON or human).
pub fn print_summary(ctx: &Ctx, store: &Store, run: &ImportRun) -> Result<(), CliError> {
    let in_store = store.count_trials()?;
    let s = &run.summary;
    if ctx.json {
        let out = SummaryJson {
            schema_version: IMPORT_SCHEMA_VERSION,
            db: ctx.db.display().to_string(),
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
                    file: &r.file,
                    record: r.record.as_deref(),
                    reason: &r.reason,
                    message: r.to_string(),
                })
                .collect(),
            trials_in_store: in_store,
            criteria_compiled: run.compiled,
            compiler_version: tm_criteria::COMPILER_VERSION,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else if !ctx.quiet {
        outln!(
            "Imported {} records from {} file{} into {}:",
            run.records,
            run.files,
            if run.files == 1 { "" } else { "s" },
            crate::esc::path(&ctx.db)
        );
        outln!("  imported   {:>6}  new trials", s.imported);
        outln!(
            "  merged     {:>6}  new or changed sources of known trials",
            s.merged
        );
        outln!("  unchanged  {:>6}  already stored", s.unchanged);
        outln!(
            "  rejected   {:>6}  (listed above as file:record: reason)",
            run.rejections.len()
        );
        if run.compiled > 0 {
            outln!(
                "  compiled   {:>6}  trials' eligibility criteria ({})",
                run.compiled,
                tm_criteria::COMPILER_VERSION
            );
        }
        outln!("{in_store} trials in the store. Next: trialmatch list");
    }
    Ok(())
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let (files, walk_errors) = tm_ingest::collect_files(&args.paths);
    for e in &walk_errors {
        eprintln!("{e}");
    }
    if files.is_empty() {
        return Err(CliError::failure(
            "no files to import (nothing could be read)",
        ));
    }
    // An import that creates the store and reads nothing removes it again.
    let created = !ctx.db.exists();
    let mut store = ctx.open_store()?;
    let inputs: Vec<Input> = files.into_iter().map(Input::Path).collect();
    let run = import_inputs(&mut store, &inputs, args.batch_size, !ctx.quiet);
    let mut run = match run {
        Ok(run) => run,
        Err(e) => {
            if created && store.count_trials().unwrap_or(1) == 0 {
                remove_new_store(ctx, store);
            }
            return Err(e);
        }
    };
    if run.records == 0 {
        run.rejections
            .splice(0..0, walk_errors.into_iter().map(Rejection::from));
        let store = if created {
            remove_new_store(ctx, store);
            Store::open_in_memory()?
        } else {
            store
        };
        print_summary(ctx, &store, &run)?;
        return Err(CliError::failure(format!(
            "nothing could be read: {} rejected{}",
            run.rejections.len(),
            if created { " (no store created)" } else { "" }
        )));
    }
    run.compiled = crate::compiled::compile_missing(&mut store)?;
    run.rejections
        .splice(0..0, walk_errors.into_iter().map(Rejection::from));
    print_summary(ctx, &store, &run)?;
    Ok(())
}

/// Closes and deletes a store this import created (with its WAL files).
fn remove_new_store(ctx: &Ctx, store: Store) {
    drop(store);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = ctx.db.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}
