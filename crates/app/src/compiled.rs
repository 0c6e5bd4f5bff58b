//! The compiled-criteria caching rule, in one place (issue 6 item 3,
//! issue 17 item 4, issue 29 items 6 and 9): every imported or changed
//! trial has its `criteria_text` compiled once, at import, under the
//! current `tm_criteria::COMPILER_VERSION`; matching reads them back and
//! never re-parses text.
//!
//! - Writing ([`compile_missing`], after an import): the criteria missing
//!   for the current version (new trials, a newer compiler) are compiled
//!   and stored in batches; which trials still lack them is checked again
//!   inside each write transaction, so two imports running at once never
//!   compile the same trial twice.
//! - Reading ([`compiled_for`]: `match`, `criteria`, the server's registry):
//!   criteria missing for the current version are compiled in memory and
//!   never stored — a read never writes the store (it may be read-only);
//!   the next import stores them.

use tm_criteria::{CompiledCriteria, COMPILER_VERSION};
use tm_model::Trial;
use tm_store::{Store, StoreError};

/// Trials compiled per store transaction (the write lock is held while
/// they compile, so keep it short).
const BATCH: usize = 100;

/// Compiles and stores the criteria of every trial that lacks them for the
/// current compiler version. Returns how many trials were compiled (by this
/// call: trials another process compiled meanwhile are not counted).
pub fn compile_missing(store: &mut Store) -> Result<usize, StoreError> {
    let ids = store.trials_missing_compiled(COMPILER_VERSION)?;
    let mut done = 0;
    for chunk in ids.chunks(BATCH) {
        done += store.compile_missing_batch(COMPILER_VERSION, chunk, compile_trial)?;
    }
    Ok(done)
}

/// Compiles a trial's criteria text (empty when it has none).
pub fn compile_trial(t: &Trial) -> CompiledCriteria {
    tm_criteria::compile(t.eligibility.criteria_text.as_deref().unwrap_or(""))
}

/// Compiled criteria of a trial: stored for the current compiler version,
/// else compiled now in memory (reading never writes the store; the next
/// `import` stores them).
pub fn compiled_for(store: &Store, t: &Trial) -> Result<CompiledCriteria, StoreError> {
    if let Some(c) = store.get_compiled::<CompiledCriteria>(&t.id, COMPILER_VERSION)? {
        return Ok(c);
    }
    tracing::info!("criteria of {} compiled in memory (not stored)", t.id);
    Ok(compile_trial(t))
}
