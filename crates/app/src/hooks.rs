//! Wires `tm-ingest`'s identity and merge rules into the store's import.

use tm_ingest::identity;
use tm_model::Trial;
use tm_store::ImportHooks;

/// Identity keys, merge and confirmation from `tm_ingest`.
pub struct IngestHooks;

impl ImportHooks for IngestHooks {
    fn identity_keys(&self, record: &Trial) -> Vec<String> {
        identity::identity_keys(record)
    }

    fn merge(&self, records: &[Trial]) -> Trial {
        tm_ingest::merge::merge(records)
    }

    /// A shared title key is only a candidate: the record must be the same
    /// trial as the stored one, or as one of its sources (the merged title
    /// may come from another source) provided no registry id contradicts.
    fn same_trial(&self, record: &Trial, trial: &Trial, sources: &[Trial]) -> bool {
        if identity::same_trial(record, trial) {
            return true;
        }
        !registry_conflict(record, trial) && sources.iter().any(|s| identity::same_trial(record, s))
    }
}

/// Both name ids of one registry and share none of them.
fn registry_conflict(a: &Trial, b: &Trial) -> bool {
    a.registry_ids
        .iter()
        .filter(|r| identity::is_registry_kind(&r.kind))
        .any(|ra| {
            let same_kind: Vec<&str> = b
                .registry_ids
                .iter()
                .filter(|rb| rb.kind == ra.kind)
                .map(|rb| rb.id.trim())
                .collect();
            !same_kind.is_empty()
                && !a
                    .registry_ids
                    .iter()
                    .filter(|x| x.kind == ra.kind)
                    .any(|x| same_kind.contains(&x.id.trim()))
        })
}
