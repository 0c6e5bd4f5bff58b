//! Compiled criteria kept in the store (issue 6 item 3): every imported or
//! changed trial has its `criteria_text` compiled once, at import, under the
//! current `tm_criteria::COMPILER_VERSION`; matching reads them back and
//! never re-parses text. A newer compiler version recompiles everything on
//! the next import (or lazily, trial by trial, when matching).

use tm_criteria::COMPILER_VERSION;
use tm_store::Store;

use crate::CliError;

/// Trials compiled per store transaction (the write lock is held while
/// they compile, so keep it short).
const BATCH: usize = 100;

/// Compiles and stores the criteria of every trial that lacks them for the
/// current compiler version. Returns how many trials were compiled. Which
/// trials still lack them is checked again inside each write transaction,
/// so two imports running at once never compile the same trial twice
/// (issue 29 item 9).
pub fn compile_missing(store: &mut Store) -> Result<usize, CliError> {
    let ids = store.trials_missing_compiled(COMPILER_VERSION)?;
    let mut done = 0;
    for chunk in ids.chunks(BATCH) {
        done += store.compile_missing_batch(COMPILER_VERSION, chunk, |trial| {
            tm_criteria::compile(trial.eligibility.criteria_text.as_deref().unwrap_or(""))
        })?;
    }
    Ok(done)
}
