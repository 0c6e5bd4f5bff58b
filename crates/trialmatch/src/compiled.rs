//! Compiled criteria kept in the store (issue 6 item 3): every imported or
//! changed trial has its `criteria_text` compiled once, at import, under the
//! current `tm_criteria::COMPILER_VERSION`; matching reads them back and
//! never re-parses text. A newer compiler version recompiles everything on
//! the next import (or lazily, trial by trial, when matching).

use tm_criteria::{CompiledCriteria, COMPILER_VERSION};
use tm_store::Store;

use crate::CliError;

/// Trials compiled per store transaction.
const BATCH: usize = 500;

/// Compiles and stores the criteria of every trial that lacks them for the
/// current compiler version. Returns how many trials were compiled.
pub fn compile_missing(store: &mut Store) -> Result<usize, CliError> {
    let ids = store.trials_missing_compiled(COMPILER_VERSION)?;
    let mut done = 0;
    for chunk in ids.chunks(BATCH) {
        let mut items: Vec<(String, CompiledCriteria)> = Vec::with_capacity(chunk.len());
        for id in chunk {
            let Some(trial) = store.get_trial(id)? else {
                continue;
            };
            let text = trial.eligibility.criteria_text.as_deref().unwrap_or("");
            items.push((trial.id.clone(), tm_criteria::compile(text)));
        }
        store.put_compiled_batch(COMPILER_VERSION, &items)?;
        done += items.len();
    }
    Ok(done)
}
