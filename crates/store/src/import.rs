//! Transactional, idempotent import of single-source records.
//!
//! For each record: find its trial through identity keys; if the identical
//! source record (same format, source key and content hash) is stored, it is
//! `unchanged`; if a newer version of it is stored (same format and source
//! key, later `last_update`), it is `superseded` (counted as unchanged);
//! otherwise store/replace the source record, re-merge every
//! source record of the trial (joining trials the record links), and rewrite
//! the merged trial and its aliases.

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension, Statement, TransactionBehavior};
use serde::Serialize;
use tm_model::Trial;

use crate::{Result, Store, StoreError};

/// Records per transaction. A killed import loses at most the batch in
/// flight; never part of a trial.
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// What the store needs to know about records, supplied by the caller (the
/// CLI passes `tm_ingest::identity::identity_keys` and
/// `tm_ingest::merge::merge`), so the store holds no registry logic.
pub trait ImportHooks {
    /// Keys under which two records denote the same trial (e.g. a registry
    /// id, a normalised title + sponsor key). A record's own `id` is always
    /// used as a key as well.
    fn identity_keys(&self, record: &Trial) -> Vec<String>;
    /// Merges the single-source records of one trial into one `Trial`.
    /// Must not depend on the order of `records` (the store passes them
    /// sorted by format and source key).
    fn merge(&self, records: &[Trial]) -> Trial;
    /// Confirms that `record` belongs to a stored trial found through one of
    /// its identity keys (a shared title key may only be a candidate).
    /// `trial` is the stored merged trial, `sources` its source records.
    /// Not called for the trial that already holds this record's source.
    fn same_trial(&self, record: &Trial, trial: &Trial, sources: &[Trial]) -> bool {
        let _ = (record, trial, sources);
        true
    }
}

/// The result of importing one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// A new trial was created.
    Imported,
    /// An existing trial got a new or changed source record.
    Merged,
    /// The identical source record was already stored; nothing written.
    Unchanged,
    /// A newer version of this source record (same format and source key)
    /// is stored; nothing written. Counted as unchanged.
    Superseded,
}

/// A record the store refused (the batch goes on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordFailure {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    pub reason: String,
}

/// Counts for one import run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub imported: usize,
    pub merged: usize,
    pub unchanged: usize,
    /// Of `unchanged`: records skipped because a newer version of the same
    /// source record is stored.
    pub superseded: usize,
    /// How many times a record linked two or more previously separate
    /// trials, which were then joined into one (counted in `merged` too).
    pub joined: usize,
    /// Records the store refused (no source reference, empty id …).
    pub failures: Vec<RecordFailure>,
}

impl ImportSummary {
    fn count(&mut self, o: ImportOutcome) {
        match o {
            ImportOutcome::Imported => self.imported += 1,
            ImportOutcome::Merged => self.merged += 1,
            ImportOutcome::Unchanged => self.unchanged += 1,
            ImportOutcome::Superseded => {
                self.unchanged += 1;
                self.superseded += 1;
            }
        }
    }
}

/// Buffers records and commits them in batches. Call [`Importer::finish`]
/// to commit the last batch; records still pending when an `Importer` is
/// dropped without `finish` are not stored.
pub struct Importer<'s> {
    store: &'s mut Store,
    hooks: &'s dyn ImportHooks,
    batch_size: usize,
    pending: Vec<Trial>,
    summary: ImportSummary,
}

impl<'s> Importer<'s> {
    pub(crate) fn new(store: &'s mut Store, hooks: &'s dyn ImportHooks, batch_size: usize) -> Self {
        Importer {
            store,
            hooks,
            batch_size: batch_size.max(1),
            pending: Vec::new(),
            summary: ImportSummary::default(),
        }
    }

    /// Queues one single-source record; commits when a batch is full.
    pub fn add(&mut self, record: Trial) -> Result<()> {
        self.pending.push(record);
        if self.pending.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    /// Commits the pending records in one immediate transaction. Each record
    /// is first checked and merged without writing (`plan_one`, read-only),
    /// then written (`apply`); a refused record has written nothing, so no
    /// per-record savepoint is needed, and any SQL error rolls the whole
    /// batch back — never half a trial.
    pub fn flush(&mut self) -> Result<()> {
        self.commit(None)
    }

    /// Commits the pending records and `state` in one transaction (a sync
    /// page and its progress are durable together, or not at all).
    pub fn flush_with_sync_state(&mut self, state: &crate::SyncState) -> Result<()> {
        self.commit(Some(state))
    }

    fn commit(&mut self, state: Option<&crate::SyncState>) -> Result<()> {
        if self.pending.is_empty() && state.is_none() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        let tx = self
            .store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(state) = state {
            crate::sync_state::put(&tx, state)?;
        }
        let mut counted = ImportSummary::default();
        {
            let mut st = Stmts::prepare(&tx)?;
            for record in &batch {
                match import_one(&mut st, self.hooks, record) {
                    Ok((outcome, joined)) => {
                        counted.count(outcome);
                        if joined {
                            counted.joined += 1;
                        }
                    }
                    Err(StoreError::InvalidRecord(reason)) => {
                        let src = record.sources.first();
                        counted.failures.push(RecordFailure {
                            file: src.map(|s| s.file.clone()).unwrap_or_default(),
                            record: src.and_then(|s| s.record.clone()),
                            reason,
                        });
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        tx.commit()?;
        // Count only once the batch is durable.
        self.summary.imported += counted.imported;
        self.summary.merged += counted.merged;
        self.summary.unchanged += counted.unchanged;
        self.summary.superseded += counted.superseded;
        self.summary.joined += counted.joined;
        self.summary.failures.extend(counted.failures);
        Ok(())
    }

    /// Counts so far (committed batches only).
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// Commits what is pending and returns the counts.
    pub fn finish(mut self) -> Result<ImportSummary> {
        self.flush()?;
        Ok(std::mem::take(&mut self.summary))
    }
}

/// A stored source record.
struct SourceRow {
    format: String,
    key: String,
    trial: Trial,
}

/// The statements of an import, prepared once per batch.
struct Stmts<'c> {
    find_source: Statement<'c>,
    source_json: Statement<'c>,
    find_alias: Statement<'c>,
    load_sources: Statement<'c>,
    trial_exists: Statement<'c>,
    trial_json: Statement<'c>,
    del_trial: Statement<'c>,
    del_aliases: Statement<'c>,
    del_compiled: Statement<'c>,
    repoint_sources: Statement<'c>,
    put_source: Statement<'c>,
    put_trial: Statement<'c>,
    put_alias: Statement<'c>,
}

impl<'c> Stmts<'c> {
    fn prepare(c: &'c Connection) -> Result<Self> {
        Ok(Stmts {
            find_source: c.prepare(
                "SELECT trial_id, content_hash FROM source_records
                 WHERE format = ?1 AND source_key = ?2",
            )?,
            source_json: c.prepare(
                "SELECT json FROM source_records WHERE format = ?1 AND source_key = ?2",
            )?,
            find_alias: c.prepare("SELECT trial_id FROM aliases WHERE key = ?1 AND identity = 1")?,
            load_sources: c.prepare(
                "SELECT format, source_key, json FROM source_records WHERE trial_id = ?1",
            )?,
            trial_exists: c.prepare("SELECT id FROM trials WHERE id = ?1")?,
            trial_json: c.prepare("SELECT json FROM trials WHERE id = ?1")?,
            del_trial: c.prepare("DELETE FROM trials WHERE id = ?1")?,
            del_aliases: c.prepare("DELETE FROM aliases WHERE trial_id = ?1")?,
            del_compiled: c.prepare("DELETE FROM compiled_criteria WHERE trial_id = ?1")?,
            repoint_sources: c
                .prepare("UPDATE source_records SET trial_id = ?1 WHERE trial_id = ?2")?,
            put_source: c.prepare(
                "INSERT OR REPLACE INTO source_records
                     (format, source_key, trial_id, content_hash, file, record, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            put_trial: c.prepare(
                "INSERT OR REPLACE INTO trials
                     (id, title, status, phases, conditions, enrollment, study_type,
                      lead_sponsor, sources, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            put_alias: c.prepare(
                "INSERT INTO aliases (key, trial_id, identity) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key, trial_id) DO UPDATE SET identity = max(identity, excluded.identity)",
            )?,
        })
    }
}

/// Imports one record inside an open transaction. Returns the outcome and
/// whether separate trials were joined. Refusals (`InvalidRecord`) come only
/// from the read-only [`plan_one`], before anything is written.
fn import_one(
    st: &mut Stmts<'_>,
    hooks: &dyn ImportHooks,
    record: &Trial,
) -> Result<(ImportOutcome, bool)> {
    match plan_one(st, hooks, record)? {
        Plan::Skip(outcome) => Ok((outcome, false)),
        Plan::Write {
            outcome,
            trial_ids,
            merged,
            rows,
        } => {
            let joined = trial_ids.len() > 1;
            apply(st, hooks, record, &trial_ids, &merged, &rows)?;
            Ok((outcome, joined))
        }
    }
}

/// What to do with one record, decided without writing.
enum Plan {
    /// Nothing to write (unchanged or superseded).
    Skip(ImportOutcome),
    /// Replace `trial_ids` by `merged`, built from `rows` (the record's own
    /// row included).
    Write {
        outcome: ImportOutcome,
        trial_ids: BTreeSet<String>,
        merged: Box<Trial>,
        rows: Vec<SourceRow>,
    },
}

/// Checks one record and merges it with the stored sources of its trial(s).
/// Read-only: uses only SELECT statements, so a refusal leaves the
/// transaction as it was.
fn plan_one(st: &mut Stmts<'_>, hooks: &dyn ImportHooks, record: &Trial) -> Result<Plan> {
    let src = match record.sources.as_slice() {
        [one] => one,
        [] => {
            return Err(StoreError::InvalidRecord(
                "record has no source reference".into(),
            ))
        }
        _ => {
            return Err(StoreError::InvalidRecord(
                "record has several source references; import single-source records".into(),
            ))
        }
    };
    let key = record.id.trim();
    if key.is_empty() {
        return Err(StoreError::InvalidRecord("record has no id".into()));
    }
    if src.format.trim().is_empty() || src.content_hash.trim().is_empty() {
        return Err(StoreError::InvalidRecord(
            "source reference lacks format or content hash".into(),
        ));
    }

    let existing: Option<(String, String)> = st
        .find_source
        .query_row(params![src.format, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((_, hash)) = &existing {
        if *hash == src.content_hash {
            return Ok(Plan::Skip(ImportOutcome::Unchanged));
        }
        // Another version of the same source record (e.g. the same study in
        // two downloads): the newer one wins, whatever the import order.
        let stored: String = st
            .source_json
            .query_row(params![src.format, key], |r| r.get(0))?;
        let stored: Trial = serde_json::from_str(&stored)?;
        if version_rank(&stored) >= version_rank(record) {
            return Ok(Plan::Skip(ImportOutcome::Superseded));
        }
    }

    // Trials this record belongs to.
    let mut trial_ids: BTreeSet<String> = BTreeSet::new();
    if let Some((tid, _)) = &existing {
        trial_ids.insert(tid.clone());
    }
    let mut candidates: BTreeSet<String> = BTreeSet::new();
    for k in record_keys(hooks, record) {
        let rows = st
            .find_alias
            .query_map(params![k], |r| r.get::<_, String>(0))?;
        for row in rows {
            candidates.insert(row?);
        }
    }
    for cand in candidates {
        if trial_ids.contains(&cand) {
            continue;
        }
        let json: Option<String> = st
            .trial_json
            .query_row(params![cand], |r| r.get(0))
            .optional()?;
        let Some(json) = json else { continue };
        let trial: Trial = serde_json::from_str(&json)?;
        let one = BTreeSet::from([cand.clone()]);
        let sources: Vec<Trial> = load_sources(st, &one, "", "")?
            .into_iter()
            .map(|r| r.trial)
            .collect();
        if hooks.same_trial(record, &trial, &sources) {
            trial_ids.insert(cand);
        }
    }
    let outcome = if trial_ids.is_empty() {
        ImportOutcome::Imported
    } else {
        ImportOutcome::Merged
    };

    // Merge; if the merged id names another stored trial, fold it in too.
    let mut guard = 0;
    let (merged, rows) = loop {
        let mut rows = load_sources(st, &trial_ids, &src.format, key)?;
        rows.push(SourceRow {
            format: src.format.clone(),
            key: key.to_string(),
            trial: record.clone(),
        });
        rows.sort_by(|a, b| (&a.format, &a.key).cmp(&(&b.format, &b.key)));
        let trials: Vec<Trial> = rows.iter().map(|r| r.trial.clone()).collect();
        let merged = hooks.merge(&trials);
        if merged.id.trim().is_empty() {
            return Err(StoreError::InvalidRecord(
                "merge produced a trial without id".into(),
            ));
        }
        guard += 1;
        if trial_ids.contains(&merged.id) || guard > 8 {
            break (merged, rows);
        }
        let clash: Option<String> = st
            .trial_exists
            .query_row(params![merged.id], |r| r.get(0))
            .optional()?;
        match clash {
            Some(id) => {
                trial_ids.insert(id);
            }
            None => break (merged, rows),
        }
    };
    Ok(Plan::Write {
        outcome,
        trial_ids,
        merged: Box::new(merged),
        rows,
    })
}

/// Writes a planned record: the old trials go, their source records are
/// repointed to the merged trial, which is written with its aliases.
fn apply(
    st: &mut Stmts<'_>,
    hooks: &dyn ImportHooks,
    record: &Trial,
    trial_ids: &BTreeSet<String>,
    merged: &Trial,
    rows: &[SourceRow],
) -> Result<()> {
    let src = record
        .sources
        .first()
        .ok_or_else(|| StoreError::Other("planned record lost its source".into()))?;
    let key = record.id.trim();
    // Remove the old trials; their source records now belong to the merged one.
    for tid in trial_ids {
        st.del_trial.execute(params![tid])?;
        st.del_aliases.execute(params![tid])?;
        st.del_compiled.execute(params![tid])?;
        st.repoint_sources.execute(params![merged.id, tid])?;
    }
    st.put_source.execute(params![
        src.format,
        key,
        merged.id,
        src.content_hash,
        src.file,
        src.record,
        serde_json::to_string(record)?,
    ])?;
    write_trial(st, merged)?;

    // Aliases: identity keys of every source record, plus every id the
    // merged trial answers to (lookup only).
    for row in rows {
        for k in record_keys(hooks, &row.trial) {
            st.put_alias.execute(params![k, merged.id, 1])?;
        }
    }
    for id in merged.all_ids() {
        let id = id.trim();
        if !id.is_empty() {
            st.put_alias.execute(params![id, merged.id, 0])?;
        }
    }
    Ok(())
}

/// Which of two versions of one source record (same format and source key)
/// is kept: the later `dates.last_update`, then the later
/// `current_as_of`, then the greater content hash (so the choice does not
/// depend on import order).
fn version_rank(t: &Trial) -> (Option<&str>, Option<&str>, &str) {
    let src = t.sources.first();
    (
        t.dates.last_update.as_deref(),
        src.and_then(|s| s.current_as_of.as_deref()),
        src.map(|s| s.content_hash.as_str()).unwrap_or(""),
    )
}

/// Identity keys of a record: the hooks' keys plus its own id, trimmed,
/// de-duplicated, empty ones dropped.
fn record_keys(hooks: &dyn ImportHooks, record: &Trial) -> BTreeSet<String> {
    hooks
        .identity_keys(record)
        .into_iter()
        .chain(std::iter::once(record.id.clone()))
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

/// Every stored source record of `trial_ids` except `(format, key)`.
fn load_sources(
    st: &mut Stmts<'_>,
    trial_ids: &BTreeSet<String>,
    format: &str,
    key: &str,
) -> Result<Vec<SourceRow>> {
    let mut out: Vec<SourceRow> = Vec::new();
    for tid in trial_ids {
        let rows = st.load_sources.query_map(params![tid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (f, k, json) = row?;
            if (f == format && k == key) || out.iter().any(|s| s.format == f && s.key == k) {
                continue;
            }
            let trial: Trial = serde_json::from_str(&json)?;
            out.push(SourceRow {
                format: f,
                key: k,
                trial,
            });
        }
    }
    Ok(out)
}

fn write_trial(st: &mut Stmts<'_>, t: &Trial) -> Result<()> {
    let phases: Vec<&str> = t.phase.iter().map(|p| p.as_str()).collect();
    st.put_trial.execute(params![
        t.id,
        t.title,
        t.status.map(|s| s.as_str()),
        serde_json::to_string(&phases)?,
        serde_json::to_string(&t.conditions)?,
        t.enrollment.as_ref().map(|e| e.count),
        t.study_type,
        t.lead_sponsor(),
        t.sources.len() as i64,
        serde_json::to_string(t)?,
    ])?;
    Ok(())
}
