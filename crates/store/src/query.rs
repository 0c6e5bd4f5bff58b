//! Read queries: list with filters, lookup by any id or alias, compiled
//! criteria.

use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tm_model::{OverallStatus, Phase, Trial};

use crate::{Result, Store, StoreError};

/// Filters for [`Store::list`]; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<OverallStatus>,
    /// Keep trials with at least one of these phases.
    pub phases: Vec<Phase>,
    /// Case-insensitive substring of any condition.
    pub condition: Option<String>,
}

/// One row of the trial list (from the denormalised columns, no JSON parse).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialSummary {
    pub id: String,
    pub title: Option<String>,
    pub status: Option<OverallStatus>,
    pub phase: Vec<Phase>,
    pub conditions: Vec<String>,
    /// Enrollment count.
    pub enrollment: Option<u32>,
    pub study_type: Option<String>,
    pub lead_sponsor: Option<String>,
    /// Number of source records merged into the trial.
    pub sources: usize,
}

impl Store {
    /// Trials matching `filter`, ordered by id.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<TrialSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, title, status, phases, conditions, enrollment, study_type, lead_sponsor, sources
             FROM trials
             WHERE (?1 IS NULL OR status = ?1)
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![filter.status.map(|s| s.as_str())], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<u32>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, i64>(8)?,
            ))
        })?;
        let needle = filter.condition.as_ref().map(|c| c.trim().to_lowercase());
        let mut out = Vec::new();
        for row in rows {
            let (id, title, status, phases, conditions, enrollment, study_type, lead_sponsor, n) =
                row?;
            let phase: Vec<Phase> = serde_json::from_str(&phases)?;
            let conditions: Vec<String> = serde_json::from_str(&conditions)?;
            if !filter.phases.is_empty() && !phase.iter().any(|p| filter.phases.contains(p)) {
                continue;
            }
            if let Some(needle) = &needle {
                if !conditions.iter().any(|c| c.to_lowercase().contains(needle)) {
                    continue;
                }
            }
            out.push(TrialSummary {
                id,
                title,
                status: status.as_deref().and_then(OverallStatus::parse),
                phase,
                conditions,
                enrollment,
                study_type,
                lead_sponsor,
                sources: usize::try_from(n).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// Number of trials stored.
    pub fn count_trials(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM trials", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Number of source records stored.
    pub fn count_source_records(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM source_records", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The trial id that `id` denotes: a trial id, registry id or alias,
    /// compared case-insensitively (ASCII). `Ok(None)` when unknown;
    /// [`StoreError::Ambiguous`] when it names several trials.
    pub fn resolve_id(&self, id: &str) -> Result<Option<String>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        let direct: Option<String> = self
            .conn
            .prepare("SELECT id FROM trials WHERE id = ?1 COLLATE NOCASE")?
            .query_row(params![id], |r| r.get(0))
            .optional()?;
        if direct.is_some() {
            return Ok(direct);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT trial_id FROM aliases WHERE key = ?1 ORDER BY trial_id")?;
        let found: Vec<String> = stmt
            .query_map(params![id], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.into_iter().next()),
            _ => Err(StoreError::Ambiguous {
                id: id.to_string(),
                trials: found,
            }),
        }
    }

    /// The merged trial that `id` (any id or alias) denotes.
    pub fn get_trial(&self, id: &str) -> Result<Option<Trial>> {
        let Some(tid) = self.resolve_id(id)? else {
            return Ok(None);
        };
        let json: Option<String> = self
            .conn
            .prepare("SELECT json FROM trials WHERE id = ?1")?
            .query_row(params![tid], |r| r.get(0))
            .optional()?;
        match json {
            Some(j) => Ok(Some(serde_json::from_str(&j)?)),
            None => Ok(None),
        }
    }

    /// Every stored trial id with its JSON document, ordered by id (for
    /// exports and tests).
    pub fn trials_json(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, json FROM trials ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(rows)
    }

    /// Every merged trial, ordered by id.
    pub fn all_trials(&self) -> Result<Vec<Trial>> {
        self.trials_json()?
            .into_iter()
            .map(|(_, j)| serde_json::from_str(&j).map_err(StoreError::from))
            .collect()
    }

    /// Stores compiled criteria for a trial under a compiler version
    /// (replacing an earlier value). They are deleted automatically when the
    /// trial's sources change.
    pub fn put_compiled<T: Serialize + ?Sized>(
        &self,
        trial_id: &str,
        compiler_version: &str,
        value: &T,
    ) -> Result<()> {
        let json = serde_json::to_string(value)?;
        self.conn
            .prepare(
                "INSERT OR REPLACE INTO compiled_criteria (trial_id, compiler_version, json)
                 VALUES (?1, ?2, ?3)",
            )?
            .execute(params![trial_id, compiler_version, json])?;
        Ok(())
    }

    /// Ids of the trials that have no compiled criteria stored for
    /// `compiler_version` (new trials, changed trials, or an older
    /// compiler), in id order.
    pub fn trials_missing_compiled(&self, compiler_version: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id FROM trials t
             WHERE NOT EXISTS (SELECT 1 FROM compiled_criteria c
                               WHERE c.trial_id = t.id AND c.compiler_version = ?1)
             ORDER BY t.id",
        )?;
        let ids = stmt
            .query_map(params![compiler_version], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Stores many compiled criteria in one transaction and drops those of
    /// older compiler versions for the same trials.
    pub fn put_compiled_batch<T: Serialize>(
        &mut self,
        compiler_version: &str,
        items: &[(String, T)],
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut del = tx.prepare(
                "DELETE FROM compiled_criteria WHERE trial_id = ?1 AND compiler_version <> ?2",
            )?;
            let mut ins = tx.prepare(
                "INSERT OR REPLACE INTO compiled_criteria (trial_id, compiler_version, json)
                 VALUES (?1, ?2, ?3)",
            )?;
            for (id, value) in items {
                let json = serde_json::to_string(value)?;
                del.execute(params![id, compiler_version])?;
                ins.execute(params![id, compiler_version, json])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Compiles (with `compile`) and stores, in one immediate transaction,
    /// the criteria of those of `ids` that still have none for
    /// `compiler_version` — checked under the write lock, so two processes
    /// importing at once never compile the same trial twice: the second
    /// waits for the first's transaction and then finds them stored. Drops
    /// older versions of the same trials. Returns how many were compiled.
    pub fn compile_missing_batch<T: Serialize>(
        &mut self,
        compiler_version: &str,
        ids: &[String],
        mut compile: impl FnMut(&Trial) -> T,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut done = 0;
        {
            let mut has = tx.prepare(
                "SELECT 1 FROM compiled_criteria WHERE trial_id = ?1 AND compiler_version = ?2",
            )?;
            let mut get = tx.prepare("SELECT json FROM trials WHERE id = ?1")?;
            let mut del = tx.prepare(
                "DELETE FROM compiled_criteria WHERE trial_id = ?1 AND compiler_version <> ?2",
            )?;
            let mut ins = tx.prepare(
                "INSERT OR REPLACE INTO compiled_criteria (trial_id, compiler_version, json)
                 VALUES (?1, ?2, ?3)",
            )?;
            for id in ids {
                if has.exists(params![id, compiler_version])? {
                    continue;
                }
                let json: Option<String> = get.query_row(params![id], |r| r.get(0)).optional()?;
                let Some(json) = json else { continue };
                let trial: Trial = serde_json::from_str(&json)?;
                let value = serde_json::to_string(&compile(&trial))?;
                del.execute(params![id, compiler_version])?;
                ins.execute(params![id, compiler_version, value])?;
                done += 1;
            }
        }
        tx.commit()?;
        Ok(done)
    }

    /// Compiled criteria of a trial for a compiler version, if stored.
    pub fn get_compiled<T: DeserializeOwned>(
        &self,
        trial_id: &str,
        compiler_version: &str,
    ) -> Result<Option<T>> {
        let json: Option<String> = self
            .conn
            .prepare(
                "SELECT json FROM compiled_criteria WHERE trial_id = ?1 AND compiler_version = ?2",
            )?
            .query_row(params![trial_id, compiler_version], |r| r.get(0))
            .optional()?;
        match json {
            Some(j) => Ok(Some(serde_json::from_str(&j)?)),
            None => Ok(None),
        }
    }
}
