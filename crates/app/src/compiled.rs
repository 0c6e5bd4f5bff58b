//! The compiled-criteria caching rule, in one place (issue 6 item 3,
//! issue 17 item 4): every imported or changed trial has its
//! `criteria_text` compiled once, at import, under the current
//! `tm_criteria::COMPILER_VERSION`; matching reads them back and never
//! re-parses text. Criteria missing for the current version (a newer
//! compiler) are compiled — all at once by [`compile_missing`] after an
//! import, or trial by trial by [`compiled_for`] when reading — and stored.

use tm_criteria::{CompiledCriteria, COMPILER_VERSION};
use tm_model::Trial;
use tm_store::{Store, StoreError};

/// Trials compiled per store transaction.
const BATCH: usize = 500;

/// Compiles and stores the criteria of every trial that lacks them for the
/// current compiler version. Returns how many trials were compiled.
pub fn compile_missing(store: &mut Store) -> Result<usize, StoreError> {
    let ids = store.trials_missing_compiled(COMPILER_VERSION)?;
    let mut done = 0;
    for chunk in ids.chunks(BATCH) {
        let mut items: Vec<(String, CompiledCriteria)> = Vec::with_capacity(chunk.len());
        for id in chunk {
            let Some(trial) = store.get_trial(id)? else {
                continue;
            };
            items.push((trial.id.clone(), compile_trial(&trial)));
        }
        store.put_compiled_batch(COMPILER_VERSION, &items)?;
        done += items.len();
    }
    Ok(done)
}

/// Compiles a trial's criteria text (empty when it has none).
pub fn compile_trial(t: &Trial) -> CompiledCriteria {
    tm_criteria::compile(t.eligibility.criteria_text.as_deref().unwrap_or(""))
}

/// Compiled criteria of a trial: stored for the current compiler version,
/// else compiled now and stored (a failure to store — e.g. a read-only
/// store — is only logged).
pub fn compiled_for(store: &Store, t: &Trial) -> Result<CompiledCriteria, StoreError> {
    if let Some(c) = store.get_compiled::<CompiledCriteria>(&t.id, COMPILER_VERSION)? {
        return Ok(c);
    }
    let c = compile_trial(t);
    if let Err(e) = store.put_compiled(&t.id, COMPILER_VERSION, &c) {
        tracing::warn!("cannot store compiled criteria of {}: {e}", t.id);
    }
    Ok(c)
}
