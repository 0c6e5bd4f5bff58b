//! `trialmatch import <paths…>`: read registry files (any supported format,
//! detected by content), store every record, merge records of one trial.

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
pub use tm_app::import::{ImportRun, Input, Progress, Rejection};
use tm_store::{Store, DEFAULT_BATCH_SIZE};

use crate::{CliError, Ctx};

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

/// The import's progress on stderr: a bar for large inputs on a terminal,
/// every rejection as `file:record: reason`.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar for `inputs` when `show` and the input is large enough, else
    /// hidden (rejections are printed either way).
    pub fn new(inputs: &[Input], show: bool) -> Bar {
        let total_bytes: u64 = inputs.iter().map(Input::len).sum();
        if show
            && std::io::stderr().is_terminal()
            && (total_bytes >= PROGRESS_MIN_BYTES || inputs.len() >= PROGRESS_MIN_FILES)
        {
            let pb = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta}) {msg}",
            ) {
                pb.set_style(style);
            }
            Bar(pb)
        } else {
            Bar(ProgressBar::hidden())
        }
    }
}

impl Progress for Bar {
    fn input(&mut self, name: &str) {
        self.0.set_message(crate::esc::text(name));
    }
    fn advance(&mut self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn rejected(&mut self, r: &Rejection) {
        self.0.suspend(|| eprintln!("{r}"));
    }
    fn finish(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Reads every input and imports its records into `store` (criteria not
/// compiled: `bench import` measures the import alone).
pub fn import_inputs(
    store: &mut Store,
    inputs: &[Input],
    batch_size: usize,
    show_progress: bool,
) -> Result<ImportRun, CliError> {
    let mut bar = Bar::new(inputs, show_progress);
    Ok(tm_app::import::import_inputs(
        store, inputs, batch_size, &mut bar,
    )?)
}

/// Prints the summary (JSON or human).
pub fn print_summary(ctx: &Ctx, store: &Store, run: &ImportRun) -> Result<(), CliError> {
    let in_store = store.count_trials()?;
    let s = &run.summary;
    if ctx.json {
        let out = tm_app::import::summary_json(&ctx.db.display().to_string(), store, run)?;
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
    let inputs: Vec<Input> = files.into_iter().map(Input::Path).collect();
    let mut bar = Bar::new(&inputs, !ctx.quiet);
    // An import that creates the store and reads nothing removes it again.
    let tm_app::import::PathImport {
        mut run,
        store,
        removed,
    } = tm_app::import::import_path(&ctx.db, &inputs, args.batch_size, &mut bar)?;
    run.rejections
        .splice(0..0, walk_errors.into_iter().map(Rejection::from));
    print_summary(ctx, &store, &run)?;
    if run.records == 0 {
        return Err(CliError::failure(format!(
            "nothing could be read: {} rejected{}",
            run.rejections.len(),
            if removed { " (no store created)" } else { "" }
        )));
    }
    Ok(())
}
