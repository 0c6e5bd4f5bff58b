//! The registry held in memory: every trial's matching information and
//! compiled criteria, loaded once from the store; the fast verdict plan
//! built on first use. [`crate::App`] reloads it when the store changes.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tm_criteria::CompiledCriteria;
use tm_matcher::{Filters, Plan, TrialInfo};
use tm_store::{Store, StoreError};

/// One trial ready for matching.
pub struct Entry {
    pub info: TrialInfo,
    pub compiled: CompiledCriteria,
}

/// Trials (ordered by id) with compiled criteria.
#[derive(Default)]
pub struct Registry {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    plan: OnceLock<Plan>,
    /// Trials in the store (also those the loader left out).
    pub in_store: usize,
    /// Trials the loader's `keep` refused.
    pub left_out: usize,
    /// Time the load took.
    pub load_time: Duration,
    /// `PRAGMA data_version` of the store connection when loaded.
    pub(crate) version: Option<i64>,
    /// Hashes of the API tokens → token names.
    pub(crate) tokens: HashMap<String, String>,
}

impl Registry {
    /// Every trial of the store.
    pub fn load(store: &Store) -> Result<Registry, StoreError> {
        Self::load_with(store, |_| true)
    }

    /// The trials of the store that `keep` accepts (criteria read or
    /// compiled only for those); the others are counted in `left_out`.
    pub fn load_with(
        store: &Store,
        mut keep: impl FnMut(&TrialInfo) -> bool,
    ) -> Result<Registry, StoreError> {
        let started = Instant::now();
        let mut r = Registry::default();
        for t in store.all_trials()? {
            r.in_store += 1;
            let info = TrialInfo::from_trial(&t);
            if !keep(&info) {
                r.left_out += 1;
                continue;
            }
            let compiled = crate::compiled::compiled_for(store, &t)?;
            r.push(Entry { info, compiled });
        }
        r.tokens = store
            .token_hashes()?
            .into_iter()
            .map(|(name, hash)| (hash, name))
            .collect();
        r.load_time = started.elapsed();
        Ok(r)
    }

    /// The named trials (ids as stored, resolved beforehand), in this order.
    pub fn load_ids(store: &Store, ids: &[String]) -> Result<Registry, StoreError> {
        let started = Instant::now();
        let mut r = Registry::default();
        for id in ids {
            if r.by_id.contains_key(id) {
                continue;
            }
            if let Some(t) = store.get_trial(id)? {
                let compiled = crate::compiled::compiled_for(store, &t)?;
                r.push(Entry {
                    info: TrialInfo::from_trial(&t),
                    compiled,
                });
            }
        }
        r.load_time = started.elapsed();
        Ok(r)
    }

    fn push(&mut self, e: Entry) {
        self.by_id.insert(e.info.id.clone(), self.entries.len());
        self.entries.push(e);
    }

    /// Every entry, ordered as loaded.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry of a stored trial id (exact; resolve aliases with the store).
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// `(info, criteria)` pairs of every entry, what `tm_matcher` takes.
    pub fn pairs(&self) -> Vec<(TrialInfo, &CompiledCriteria)> {
        self.entries
            .iter()
            .map(|e| (e.info.clone(), &e.compiled))
            .collect()
    }

    /// The fast verdict plan over every entry (built on first use).
    pub fn plan(&self) -> &Plan {
        self.plan.get_or_init(|| Plan::new(&self.pairs()))
    }

    /// The entries passing `filters`, and how many were left out only
    /// because they are not recruiting.
    pub fn select(&self, filters: &Filters) -> (Vec<&Entry>, usize) {
        let any_status = Filters {
            any_status: true,
            ..filters.clone()
        };
        let mut out = Vec::new();
        let mut not_recruiting = 0;
        for e in &self.entries {
            if filters.accepts(&e.info) {
                out.push(e);
            } else if any_status.accepts(&e.info) {
                not_recruiting += 1;
            }
        }
        (out, not_recruiting)
    }

    /// The name of the token whose hash is `hash`.
    pub fn token_name(&self, hash: &str) -> Option<&str> {
        self.tokens.get(hash).map(String::as_str)
    }
}
