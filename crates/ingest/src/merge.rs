//! Order-independent merge of single-source records into one trial, with
//! per-field provenance and conflicts.
//!
//! Precedence (see docs/contracts.md): inputs are sorted canonically by
//! format rank — `ctgov-json` < `ctgov-xml` < `ctgov-page` <
//! `clinconnect-page` < `ctgov-csv` < `ctgov-csv-legacy` < `ctgov-csv-row` —
//! then by content hash, file and record. For every field the first source
//! in that order with a non-empty value wins (lists such as locations or
//! outcomes are taken whole from that source, never concatenated); the
//! exception is `lay_summary`, where ClinConnect ranks first. Sources whose
//! value differs from the winner's after normalisation (case, punctuation,
//! whitespace; lists compared as sets of their identifying parts) are kept
//! in `conflicts` next to the winner, except for `results` (posted results
//! are taken whole from the best source that has them, without conflicts). `provenance[field]` lists every source
//! whose value agrees with the winner. Registry ids, aliases and related
//! trials are unioned. Identical records (same format and content hash) are
//! counted once, so re-import is idempotent.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tm_model::{Conflict, ConflictValue, RegistryId, SourceRef, Trial};

use crate::identity::{self, is_registry_kind};

/// Top-level fields merged specially (ids, bookkeeping).
const SPECIAL: &[&str] = &[
    "id",
    "registry_ids",
    "aliases",
    "related_trials",
    "sources",
    "provenance",
    "conflicts",
];

/// Fields whose differing values are not recorded as conflicts (only the
/// winner's source is in `provenance`).
const NO_CONFLICT: &[&str] = &["results"];

/// Objects merged per sub-field (`dates.start`, `design.allocation`, …).
const NESTED: &[&str] = &["dates", "design", "eligibility"];

/// Rank of a reader format: lower wins.
pub fn format_rank(format: &str) -> u8 {
    match format {
        "ctgov-json" => 0,
        "ctgov-xml" => 1,
        "ctgov-page" => 2,
        "clinconnect-page" => 3,
        "ctgov-csv" => 4,
        "ctgov-csv-legacy" => 5,
        "ctgov-csv-row" => 6,
        _ => 7,
    }
}

/// Field-specific rank of a format (default: [`format_rank`]).
fn field_rank(field: &str, format: &str) -> u8 {
    match (field, format) {
        ("lay_summary", "clinconnect-page") => 0,
        ("lay_summary", _) => 1 + format_rank(format),
        _ => format_rank(format),
    }
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "nct" => 0,
        k if is_registry_kind(k) => 1,
        "org" => 2,
        "other" => 3,
        _ => 4,
    }
}

struct Input<'a> {
    trial: &'a Trial,
    /// Index of this input's first source in the output `sources`.
    source: usize,
    format: String,
    json: Map<String, Value>,
}

fn primary_source(t: &Trial) -> SourceRef {
    t.sources.first().cloned().unwrap_or_else(|| SourceRef {
        content_hash: identity::content_hash(
            serde_json::to_string(t).unwrap_or_default().as_bytes(),
        ),
        ..Default::default()
    })
}

/// Completes a reader's single-source record: canonical id (NCT id, else
/// another registry id, else the derived id) and provenance (every
/// non-empty field → source 0). Readers call this last.
pub fn finalize(t: Trial) -> Trial {
    merge(std::slice::from_ref(&t))
}

/// Merges single-source records of one trial. The result does not depend on
/// the order of `records`. An empty slice gives `Trial::default()`.
pub fn merge(records: &[Trial]) -> Trial {
    if records.is_empty() {
        return Trial::default();
    }
    // Canonical order.
    let mut keyed: Vec<(SourceRef, String, &Trial)> = records
        .iter()
        .map(|t| {
            let s = primary_source(t);
            // The serialised record only breaks ties between records; one
            // record needs no tie-break.
            let json = if records.len() > 1 {
                serde_json::to_string(t).unwrap_or_default()
            } else {
                String::new()
            };
            (s, json, t)
        })
        .collect();
    keyed.sort_by(|(a, ja, _), (b, jb, _)| {
        (
            format_rank(&a.format),
            &a.content_hash,
            &a.format,
            &a.file,
            &a.record,
            ja,
        )
            .cmp(&(
                format_rank(&b.format),
                &b.content_hash,
                &b.format,
                &b.file,
                &b.record,
                jb,
            ))
    });
    keyed.dedup_by(|(b, _, _), (a, _, _)| a.format == b.format && a.content_hash == b.content_hash);

    let mut sources: Vec<SourceRef> = Vec::new();
    let mut inputs: Vec<Input> = Vec::new();
    for (src, _, t) in &keyed {
        let idx = sources.len();
        if t.sources.is_empty() {
            sources.push(src.clone());
        } else {
            sources.extend(t.sources.iter().cloned());
        }
        let json = match serde_json::to_value(t) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        inputs.push(Input {
            trial: t,
            source: idx,
            format: src.format.clone(),
            json,
        });
    }

    let mut out = match serde_json::to_value(Trial::default()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut provenance: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut conflicts: Vec<Conflict> = Vec::new();

    let mut keys: Vec<String> = out.keys().cloned().collect();
    for i in &inputs {
        keys.extend(i.json.keys().cloned());
    }
    keys.sort();
    keys.dedup();
    for key in keys.iter().filter(|k| !SPECIAL.contains(&k.as_str())) {
        if NESTED.contains(&key.as_str()) {
            let mut sub_keys: Vec<String> = Vec::new();
            for i in &inputs {
                if let Some(Value::Object(m)) = i.json.get(key) {
                    sub_keys.extend(m.keys().cloned());
                }
            }
            sub_keys.sort();
            sub_keys.dedup();
            let mut obj = match out.get(key) {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            for sk in &sub_keys {
                let path = format!("{key}.{sk}");
                let cands: Vec<(usize, &str, &Value)> = inputs
                    .iter()
                    .filter_map(|i| {
                        i.json
                            .get(key)
                            .and_then(|v| v.get(sk))
                            .map(|v| (i.source, i.format.as_str(), v))
                    })
                    .collect();
                if let Some(v) = merge_field(&path, sk, cands, &mut provenance, &mut conflicts) {
                    obj.insert(sk.clone(), v);
                }
            }
            out.insert(key.clone(), Value::Object(obj));
        } else {
            let cands: Vec<(usize, &str, &Value)> = inputs
                .iter()
                .filter_map(|i| i.json.get(key).map(|v| (i.source, i.format.as_str(), v)))
                .collect();
            if let Some(v) = merge_field(key, key, cands, &mut provenance, &mut conflicts) {
                out.insert(key.clone(), v);
            }
        }
    }

    let mut merged: Trial = match serde_json::from_value(Value::Object(out)) {
        Ok(t) => t,
        Err(_) => {
            let mut t = inputs[0].trial.clone();
            t.sources.clear();
            t.provenance.clear();
            t.conflicts.clear();
            t
        }
    };

    // Registry ids: union, first (best) spelling of each id wins.
    let mut reg: Vec<RegistryId> = Vec::new();
    let mut reg_prov = Vec::new();
    for i in &inputs {
        if !i.trial.registry_ids.is_empty() {
            reg_prov.push(i.source);
        }
        for r in &i.trial.registry_ids {
            let id = r.id.trim();
            if id.is_empty() || reg.iter().any(|x| x.id.eq_ignore_ascii_case(id)) {
                continue;
            }
            let mut r = r.clone();
            r.id = id.to_string();
            reg.push(r);
        }
    }
    reg.sort_by(|a, b| (kind_rank(&a.kind), &a.id).cmp(&(kind_rank(&b.kind), &b.id)));
    if !reg_prov.is_empty() {
        provenance.insert("registry_ids".into(), reg_prov);
    }

    // Canonical id: NCT, else another registry id, else the best derived id.
    let nct_ids: Vec<(usize, &str)> = inputs
        .iter()
        .flat_map(|i| {
            i.trial
                .registry_ids
                .iter()
                .filter(|r| r.kind == "nct")
                .map(move |r| (i.source, r.id.trim()))
        })
        .collect();
    let mut distinct: Vec<&str> = nct_ids.iter().map(|(_, id)| *id).collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() > 1 {
        conflicts.push(Conflict {
            field: "id".into(),
            values: nct_ids
                .iter()
                .map(|(s, id)| ConflictValue {
                    value: Value::String(id.to_string()),
                    source: *s,
                })
                .collect(),
        });
    }
    let canonical = if let Some((_, id)) = nct_ids.first() {
        id.to_string()
    } else if let Some(r) = inputs.iter().find_map(|i| {
        let mut rs: Vec<&RegistryId> = i
            .trial
            .registry_ids
            .iter()
            .filter(|r| is_registry_kind(&r.kind))
            .collect();
        rs.sort_by(|a, b| (kind_rank(&a.kind), &a.id).cmp(&(kind_rank(&b.kind), &b.id)));
        rs.first().map(|r| r.id.trim().to_string())
    }) {
        r
    } else if let Some(id) = inputs
        .iter()
        .map(|i| i.trial.id.trim())
        .find(|id| !id.is_empty())
    {
        id.to_string()
    } else {
        identity::derived_id(
            merged.title.as_deref().unwrap_or_default(),
            merged.lead_sponsor(),
        )
    };

    let mut aliases: Vec<String> = Vec::new();
    for i in &inputs {
        aliases.push(i.trial.id.trim().to_string());
        aliases.extend(i.trial.aliases.iter().map(|a| a.trim().to_string()));
    }
    aliases.retain(|a| !a.is_empty() && *a != canonical);
    aliases.sort();
    aliases.dedup();

    let own: Vec<String> = std::iter::once(canonical.clone())
        .chain(reg.iter().map(|r| r.id.clone()))
        .chain(aliases.iter().cloned())
        .collect();
    let mut related: Vec<String> = Vec::new();
    let mut rel_prov = Vec::new();
    for i in &inputs {
        if !i.trial.related_trials.is_empty() {
            rel_prov.push(i.source);
        }
        related.extend(i.trial.related_trials.iter().map(|r| r.trim().to_string()));
    }
    related.retain(|r| !r.is_empty() && !own.contains(r));
    related.sort();
    related.dedup();
    if !related.is_empty() {
        provenance.insert("related_trials".into(), rel_prov);
    }

    merged.id = canonical;
    merged.registry_ids = reg;
    merged.aliases = aliases;
    merged.related_trials = related;
    merged.sources = sources;
    merged.provenance = provenance;
    conflicts.sort_by(|a, b| a.field.cmp(&b.field));
    merged.conflicts = conflicts;
    fill_sponsor_descriptions(&mut merged, &inputs);
    merged
}

/// A sponsor description (ClinConnect's "About …") is kept even when another
/// source's sponsor list wins, if the names agree after normalisation.
fn fill_sponsor_descriptions(merged: &mut Trial, inputs: &[Input]) {
    for s in merged
        .sponsors
        .iter_mut()
        .filter(|s| s.description.is_none())
    {
        let ns = identity::normalise(&s.name);
        let found = inputs.iter().find_map(|i| {
            i.trial
                .sponsors
                .iter()
                .find(|o| o.description.is_some() && identity::normalise(&o.name) == ns)
                .map(|o| (i.source, o.description.clone()))
        });
        if let Some((src, d)) = found {
            s.description = d;
            let p = merged
                .provenance
                .entry("sponsors.description".into())
                .or_default();
            if !p.contains(&src) {
                p.push(src);
            }
        }
    }
}

/// Chooses the winner among candidate values of one field, recording
/// provenance and conflicts. Returns the winning value, if any.
fn merge_field(
    path: &str,
    leaf: &str,
    cands: Vec<(usize, &str, &Value)>,
    provenance: &mut BTreeMap<String, Vec<usize>>,
    conflicts: &mut Vec<Conflict>,
) -> Option<Value> {
    let field_for_rank = path;
    let mut cands: Vec<(usize, &str, &Value)> =
        cands.into_iter().filter(|(_, _, v)| !is_empty(v)).collect();
    // Stable sort: keeps the canonical order inside one rank.
    cands.sort_by_key(|(_, f, _)| field_rank(field_for_rank, f));
    let (_, _, winner) = *cands.first()?;
    // The winner's comparison form is computed only when some candidate is
    // not byte-identical to it (a single source never needs it).
    let mut wn: Option<Value> = None;
    let mut agree = Vec::new();
    let mut differ = Vec::new();
    for (src, _, v) in &cands {
        let same = *v == winner || {
            let w = wn.get_or_insert_with(|| normalised(leaf, winner));
            normalised(leaf, v) == *w
        };
        if same {
            agree.push(*src);
        } else {
            differ.push((*src, *v));
        }
    }
    // Results are taken whole from one source; two registries' postings
    // always differ in form, so they are not kept as a conflict.
    if !differ.is_empty() && !NO_CONFLICT.contains(&path) {
        let mut values = vec![ConflictValue {
            value: winner.clone(),
            source: cands[0].0,
        }];
        values.extend(differ.into_iter().map(|(s, v)| ConflictValue {
            value: v.clone(),
            source: s,
        }));
        conflicts.push(Conflict {
            field: path.to_string(),
            values,
        });
    }
    agree.sort_unstable();
    agree.dedup();
    provenance.insert(path.to_string(), agree);
    Some(winner.clone())
}

/// Whether a JSON value carries no information.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.values().all(is_empty),
        _ => false,
    }
}

/// The comparison form of a field's value: text normalised, empty parts
/// dropped, lists reduced to their identifying parts and compared as sets.
fn normalised(field: &str, v: &Value) -> Value {
    let project: Option<&[&str]> = match field {
        "locations" => Some(&["facility", "city", "country"]),
        "interventions" => Some(&["name"]),
        "arms" => Some(&["label"]),
        "sponsors" => Some(&["name", "role"]),
        "officials" => Some(&["name"]),
        "references" => Some(&["pmid"]),
        "enrollment" => Some(&["count"]),
        "outcomes" => {
            // {primary: [...], secondary: [...], other: [...]} → measures.
            let mut o = Map::new();
            if let Value::Object(m) = v {
                for (k, x) in m {
                    let n = norm_value(x, Some(&["measure"]));
                    if !is_empty(&n) {
                        o.insert(k.clone(), n);
                    }
                }
            }
            return Value::Object(o);
        }
        _ => None,
    };
    norm_value(v, project)
}

fn norm_value(v: &Value, project: Option<&[&str]>) -> Value {
    match v {
        Value::String(s) => Value::String(identity::normalise(s)),
        Value::Array(a) => {
            let mut items: Vec<Value> = a
                .iter()
                .map(|x| norm_value(x, project))
                .filter(|x| !is_empty(x))
                .collect();
            items.sort_by_cached_key(|x| x.to_string());
            items.dedup();
            Value::Array(items)
        }
        Value::Object(m) => {
            let mut o = Map::new();
            for (k, x) in m {
                let keep = project.is_none_or(|p| p.contains(&k.as_str()));
                if keep && !is_empty(x) {
                    o.insert(k.clone(), norm_value(x, project));
                }
            }
            // References without a PMID compare by citation.
            if project == Some(&["pmid"][..]) && o.is_empty() {
                if let Some(c) = m.get("citation") {
                    o.insert("citation".into(), norm_value(c, None));
                }
            }
            Value::Object(o)
        }
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Value::from(f as i64),
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tm_model::OverallStatus;

    fn rec(format: &str, hash: &str, f: impl FnOnce(&mut Trial)) -> Trial {
        let mut t = Trial {
            sources: vec![SourceRef {
                format: format.into(),
                file: format!("{format}.txt"),
                content_hash: hash.into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        f(&mut t);
        t
    }

    #[test]
    fn precedence_conflicts_and_order_independence() {
        let page = rec("ctgov-page", "01", |t| {
            t.id = "NCT00000001".into();
            t.registry_ids
                .push(identity::registry_id("NCT00000001", "other", None));
            t.title = Some("A Study".into());
            t.status = Some(OverallStatus::Recruiting);
        });
        let csv = rec("ctgov-csv-row", "02", |t| {
            t.id = identity::derived_id("A study", None);
            t.title = Some("A study.".into());
            t.status = Some(OverallStatus::Completed);
            t.conditions = vec!["Cancer".into()];
        });
        let a = merge(&[page.clone(), csv.clone()]);
        let b = merge(&[csv.clone(), page.clone()]);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(a.id, "NCT00000001");
        assert_eq!(a.aliases, vec![csv.id.clone()]);
        assert_eq!(a.sources.len(), 2);
        assert_eq!(a.sources[0].format, "ctgov-page");
        assert_eq!(a.status, Some(OverallStatus::Recruiting));
        assert_eq!(a.provenance["title"], vec![0, 1], "titles agree");
        assert_eq!(a.provenance["status"], vec![0]);
        assert_eq!(a.provenance["conditions"], vec![1]);
        let c = a.conflicts.iter().find(|c| c.field == "status").unwrap();
        assert_eq!(c.values.len(), 2);
        assert_eq!(c.values[1].source, 1);
        assert!(a.conflicts.iter().all(|c| c.field != "title"));
        // Re-import of an identical record changes nothing.
        let d = merge(&[page.clone(), csv.clone(), page.clone()]);
        assert_eq!(d, a);
    }

    #[test]
    fn empty_and_sourceless_inputs_do_not_panic() {
        assert_eq!(merge(&[]), Trial::default());
        let t = Trial {
            title: Some("X".into()),
            ..Default::default()
        };
        let m = merge(&[t]);
        assert!(m.id.starts_with("TM-"));
        assert_eq!(m.sources.len(), 1);
    }
}
