//! `trialmatch bench import <dir>`: records/s for a whole import (read,
//! normalise, store) into a fresh temporary store. A measurement, not a test.

use std::path::PathBuf;

use tm_store::{Store, DEFAULT_BATCH_SIZE};

use super::import::{import_inputs, Input};
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(clap::Subcommand)]
pub enum What {
    /// Import DIR (files and directories) into a fresh temporary store and
    /// print records per second. Ignores --db.
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Records per transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
        batch_size: usize,
    },
}

pub fn run(_ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let What::Import { paths, batch_size } = args.what;
    let (files, errors) = tm_ingest::collect_files(&paths);
    for e in &errors {
        eprintln!("{e}");
    }
    if files.is_empty() {
        return Err(CliError::failure("no files to import"));
    }
    let dir = std::env::temp_dir().join(format!(
        "trialmatch-bench-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    let result = (|| {
        let mut store = Store::open(&db)?;
        let inputs: Vec<Input> = files.into_iter().map(Input::Path).collect();
        let run = import_inputs(&mut store, &inputs, batch_size, false)?;
        let trials = store.count_trials()?;
        Ok::<_, CliError>((run, trials))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let (run, trials) = result?;
    let secs = run.elapsed.as_secs_f64().max(1e-9);
    let store_secs = run.store_time.as_secs_f64();
    let s = &run.summary;
    outln!(
        "bench import: {} files, {} records read, {} rejected",
        run.files,
        run.records,
        run.rejections.len()
    );
    outln!(
        "  outcome: {} imported, {} merged, {} unchanged → {} trials",
        s.imported,
        s.merged,
        s.unchanged,
        trials
    );
    outln!(
        "  total {:.2} s  →  {:.0} records/s  (store {:.2} s, read + normalise {:.2} s; batch {})",
        secs,
        run.records as f64 / secs,
        store_secs,
        (secs - store_secs).max(0.0),
        batch_size
    );
    Ok(())
}
