//! Content hashes, derived ids and identity keys.
//!
//! Identity rules (see docs/contracts.md, "Trial JSON: sources, provenance,
//! conflicts"):
//! - records sharing a registry id (NCT, CTR, EudraCT …), or an id/alias,
//!   are the same trial;
//! - a record without a registry id belongs to a trial with the same
//!   normalised title and — when both name one — the same normalised lead
//!   sponsor;
//! - two records with *different* NCT ids are never the same trial, whatever
//!   their titles; related-trial lists never link records.

use tm_model::{RegistryId, Trial};

/// FNV-1a 64-bit hash of bytes as 16 lowercase hex digits. Stable across
/// runs, platforms and versions: it keys idempotent re-import.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// [`content_hash`] of `bytes` with line ends normalised to `\n` (`\r\n`
/// and a lone `\r`), as [`crate::repair::normalise_bytes`] does, without
/// copying: a record cut from a CRLF file hashes as the clean one.
pub fn content_hash_lf(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, &b) in bytes.iter().enumerate() {
        let b = match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => continue,
            b'\r' => b'\n',
            b => b,
        };
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Normalises text for identity: lowercase, every run of non-alphanumeric
/// characters becomes one space, trimmed. `Safety  and Efficacy: A-1` →
/// `safety and efficacy a 1`.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// The stable derived id of a record without a registry id: `TM-` + 16 hex
/// digits of the FNV-1a hash of the normalised title and lead sponsor. Fetch
/// dates ("Current as of …") never enter it.
pub fn derived_id(title: &str, lead_sponsor: Option<&str>) -> String {
    let key = format!(
        "{}\u{1f}{}",
        normalise(title),
        lead_sponsor.map(normalise).unwrap_or_default()
    );
    format!("TM-{}", content_hash(key.as_bytes()))
}

/// Registry-id kinds that identify a trial across sources (not `org`,
/// `other` or `derived`).
pub fn is_registry_kind(kind: &str) -> bool {
    matches!(
        kind,
        "nct" | "ctr" | "euct" | "eudract" | "isrctn" | "chictr" | "jrct" | "drks" | "actrn"
    )
}

/// Recognises a registry id by its shape: `NCT06310590` → `nct`,
/// `CTR20230515` → `ctr`, `2004-000123-45` → `eudract`,
/// `2023-501234-12-00` → `euct`, `ISRCTN…`, `ChiCTR…`, `jRCT…`, `DRKS…`,
/// `ACTRN…`.
pub fn classify_registry_id(id: &str) -> Option<&'static str> {
    let id = id.trim();
    let digits_after = |prefix: &str, min: usize| -> bool {
        id.len() > prefix.len()
            && id.is_char_boundary(prefix.len())
            && id[..prefix.len()].eq_ignore_ascii_case(prefix)
            && id[prefix.len()..].len() >= min
            && id[prefix.len()..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && id[prefix.len()..].chars().any(|c| c.is_ascii_digit())
    };
    let is_nct =
        id.len() == 11 && id.starts_with("NCT") && id[3..].chars().all(|c| c.is_ascii_digit());
    if is_nct {
        return Some("nct");
    }
    if id.starts_with("CTR") && id.len() == 11 && id[3..].chars().all(|c| c.is_ascii_digit()) {
        return Some("ctr");
    }
    let parts: Vec<&str> = id.split('-').collect();
    let all_digits = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    if parts.iter().all(all_digits) {
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        if lens == [4, 6, 2] {
            return Some("eudract");
        }
        if lens == [4, 6, 2, 2] {
            return Some("euct");
        }
    }
    if digits_after("ChiCTR", 6) {
        return Some("chictr");
    }
    if digits_after("ISRCTN", 6) {
        return Some("isrctn");
    }
    if digits_after("jRCT", 6) {
        return Some("jrct");
    }
    if digits_after("DRKS", 6) {
        return Some("drks");
    }
    if digits_after("ACTRN", 10) {
        return Some("actrn");
    }
    None
}

/// The registry that issues ids of a kind, for `RegistryId::source`.
pub fn registry_name(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "nct" => "ClinicalTrials.gov",
        "ctr" => "China Drug Trials (CDE)",
        "eudract" => "EudraCT",
        "euct" => "CTIS",
        "isrctn" => "ISRCTN",
        "chictr" => "ChiCTR",
        "jrct" => "jRCT",
        "drks" => "DRKS",
        "actrn" => "ANZCTR",
        _ => return None,
    })
}

/// A registry id from its text, kind recognised by shape, else `fallback`.
pub fn registry_id(id: &str, fallback_kind: &str, fallback_source: Option<&str>) -> RegistryId {
    let id = id.trim().to_string();
    match classify_registry_id(&id) {
        Some(kind) => RegistryId {
            id,
            kind: kind.to_string(),
            source: registry_name(kind).map(str::to_string),
        },
        None => RegistryId {
            id,
            kind: fallback_kind.to_string(),
            source: fallback_source.map(str::to_string),
        },
    }
}

/// Keys under which the store indexes a trial (or looks up a new source
/// record): `id:<id>` for the canonical id, every registry id of a
/// registry kind and every alias; `title:<normalised title>` and, when the
/// lead sponsor is known, `title:<normalised title>|<normalised sponsor>`.
///
/// A shared `id:` key means the same trial. A shared `title:` key is only a
/// candidate: confirm with [`same_trial`] (it refuses two different NCT ids
/// and two different lead sponsors).
pub fn identity_keys(t: &Trial) -> Vec<String> {
    let mut keys = Vec::new();
    if !t.id.trim().is_empty() {
        keys.push(format!("id:{}", t.id.trim()));
    }
    for r in &t.registry_ids {
        if is_registry_kind(&r.kind) {
            keys.push(format!("id:{}", r.id.trim()));
        }
    }
    for a in &t.aliases {
        if !a.trim().is_empty() {
            keys.push(format!("id:{}", a.trim()));
        }
    }
    if let Some(title) = t.title.as_deref() {
        let nt = normalise(title);
        if !nt.is_empty() {
            keys.push(format!("title:{nt}"));
            if let Some(s) = t.lead_sponsor() {
                let ns = normalise(s);
                if !ns.is_empty() {
                    keys.push(format!("title:{nt}|{ns}"));
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

fn registry_ids_of(t: &Trial) -> Vec<(&str, &str)> {
    t.registry_ids
        .iter()
        .filter(|r| is_registry_kind(&r.kind))
        .map(|r| (r.kind.as_str(), r.id.trim()))
        .collect()
}

/// Whether two records (or merged trials) describe the same trial under the
/// identity rules in the module doc.
pub fn same_trial(a: &Trial, b: &Trial) -> bool {
    let ra = registry_ids_of(a);
    let rb = registry_ids_of(b);
    // Same registry, different ids → different trials.
    for (ka, ia) in &ra {
        for (kb, ib) in &rb {
            if ka == kb && ia != ib && !rb.iter().any(|(k, i)| k == ka && i == ia) {
                return false;
            }
        }
    }
    let ids_a: Vec<&str> = a.all_ids().into_iter().filter(|s| !s.is_empty()).collect();
    if b.all_ids()
        .iter()
        .any(|id| !id.is_empty() && ids_a.contains(id))
    {
        return true;
    }
    // Title match only links a record that has no registry id.
    if !ra.is_empty() && !rb.is_empty() {
        return false;
    }
    let (Some(ta), Some(tb)) = (a.title.as_deref(), b.title.as_deref()) else {
        return false;
    };
    let (na, nb) = (normalise(ta), normalise(tb));
    if na.is_empty() || na != nb {
        return false;
    }
    match (a.lead_sponsor(), b.lead_sponsor()) {
        (Some(sa), Some(sb)) => normalise(sa) == normalise(sb),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tm_model::Sponsor;

    #[test]
    fn fnv_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(super::content_hash(b""), "cbf29ce484222325");
        assert_eq!(super::content_hash(b"a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn derived_ids_are_normalised_and_stable() {
        let a = derived_id("Trial of X: A Study", Some("UNIVERSITY HOSPITAL, BORDEAUX"));
        let b = derived_id("trial of x  a study", Some("University Hospital Bordeaux"));
        assert_eq!(a, b);
        assert!(a.starts_with("TM-") && a.len() == 19);
        assert_ne!(a, derived_id("Trial of X: A Study", None));
        assert_ne!(
            a,
            derived_id("Trial of Y", Some("University Hospital Bordeaux"))
        );
    }

    #[test]
    fn classify() {
        assert_eq!(classify_registry_id("NCT06310590"), Some("nct"));
        assert_eq!(classify_registry_id("CTR20230515"), Some("ctr"));
        assert_eq!(classify_registry_id("2004-000123-45"), Some("eudract"));
        assert_eq!(classify_registry_id("2023-501234-12-00"), Some("euct"));
        assert_eq!(classify_registry_id("ChiCTR2000012345"), Some("chictr"));
        assert_eq!(classify_registry_id("NRT6003-HCC-2022"), None);
        assert_eq!(classify_registry_id("NCTé"), None);
        assert_eq!(classify_registry_id("ChiCTé"), None);
    }

    fn trial(id: &str, nct: Option<&str>, title: &str, sponsor: Option<&str>) -> Trial {
        let mut t = Trial {
            id: id.into(),
            title: Some(title.into()),
            ..Default::default()
        };
        if let Some(n) = nct {
            t.registry_ids.push(registry_id(n, "other", None));
        }
        if let Some(s) = sponsor {
            t.sponsors.push(Sponsor {
                name: s.into(),
                role: "lead".into(),
                ..Default::default()
            });
        }
        t
    }

    #[test]
    fn same_trial_rules() {
        let a = trial("NCT00000001", Some("NCT00000001"), "A Study", Some("Acme"));
        let b = trial("NCT00000002", Some("NCT00000002"), "A Study", Some("Acme"));
        assert!(!same_trial(&a, &b), "different NCT ids never merge");
        let c = trial(&derived_id("A study", None), None, "A study", None);
        assert!(same_trial(&a, &c));
        let d = trial(
            &derived_id("A study", Some("Other")),
            None,
            "A study",
            Some("Other"),
        );
        assert!(!same_trial(&a, &d), "different sponsors do not merge");
        let keys = identity_keys(&a);
        assert!(keys.contains(&"id:NCT00000001".to_string()));
        assert!(keys.contains(&"title:a study".to_string()));
        assert!(keys.contains(&"title:a study|acme".to_string()));
        assert!(identity_keys(&c).contains(&"title:a study".to_string()));
    }
}
