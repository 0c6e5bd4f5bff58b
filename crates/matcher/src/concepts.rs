//! Criterion concept ids → the facts that answer them.
//!
//! The compiler (`tm_criteria`) emits the lexicon's ids (`tm_lexicon`, also
//! used by the patient readers), so a fact answers a criterion concept when
//! it has the same id or descends from it in the lexicon hierarchy
//! (`tm_lexicon` `is_a`, transitive: a `tace` procedure answers
//! "locoregional therapy" and "anti-tumour therapy"). There is no alias
//! table: class relations live in the lexicon. Ids are compared, never
//! text.

/// True when a fact with concept `fact` answers a question about `target`
/// (same id or a descendant in the lexicon).
pub fn answers(fact: &str, target: &str) -> bool {
    answers_with(&ancestors(fact), target)
}

/// `fact` and every concept it descends from (lexicon `is_a`, transitive).
pub fn ancestors(fact: &str) -> Vec<String> {
    let mut out = vec![fact.to_string()];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = tm_lexicon::get(&out[i]) {
            for p in &c.is_a {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        i += 1;
    }
    out
}

/// [`answers`] with the fact's ancestors computed beforehand.
pub fn answers_with(ancestors: &[String], target: &str) -> bool {
    ancestors.iter().any(|a| a == target)
}

/// A concept that is a qualified form of a broader procedure, answered by
/// the procedure's recorded details: `(broader concept, detail meaning
/// present, detail meaning absent)`, from the lexicon's `qualifies`. A
/// TACE whose details say "with lipiodol" answers `tace_lipiodol`;
/// "without lipiodol" answers its absence; a TACE of unstated type leaves
/// it unknown (seed 000 E11).
pub fn qualified(id: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let q = tm_lexicon::get(id)?.qualifies.as_ref()?;
    Some((q.concept.as_str(), q.present.as_str(), q.absent.as_str()))
}

/// Tests whose negative result documents the absence of a condition: the
/// lexicon's `negative_tests` (clinical-rules §8: "anti-HCV+ → check HCV
/// RNA; active = detectable RNA"; HBsAg for HBV; HIV Ab/Ag; hCG for
/// pregnancy).
pub fn negative_tests(condition: &str) -> Vec<&'static str> {
    tm_lexicon::get(condition)
        .map(|c| c.negative_tests.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// What sort of fact a measured concept is, for its default recency
/// window: the lexicon's `recency` class.
pub use tm_lexicon::Recency as FactKind;

/// The recency class of a concept (lab when the lexicon does not know it).
pub fn fact_kind(id: &str) -> FactKind {
    tm_lexicon::get(id).map_or(FactKind::Lab, |c| c.recency)
}

/// The derived value (key of `tm_clinical::Derived`) that answers a
/// measured concept, when the patient has no direct observation: the
/// lexicon's `derived.key`.
pub fn derived_key(id: &str) -> Option<&'static str> {
    Some(tm_lexicon::get(id)?.derived.as_ref()?.key.as_str())
}

/// Whether the derived value wins over a recorded one (lexicon
/// `derived.first`: Child-Pugh, ALBI, MELD, BCLC, up-to-seven).
pub fn prefer_derived(id: &str) -> bool {
    tm_lexicon::get(id)
        .and_then(|c| c.derived.as_ref())
        .is_some_and(|d| d.first)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every derived key the data names is one `tm_clinical::derive`
    /// computes.
    #[test]
    fn derived_keys_exist() {
        for c in tm_lexicon::all() {
            if let Some(d) = &c.derived {
                assert!(
                    tm_clinical::Derived::KEYS.contains(&d.key.as_str()),
                    "{}: derived key {} is not a tm_clinical::Derived key",
                    c.id,
                    d.key
                );
            }
        }
    }

    #[test]
    fn data_answers_the_old_tables() {
        assert_eq!(negative_tests("hcv"), ["anti_hcv", "hcv_rna"]);
        assert_eq!(negative_tests("pregnant"), ["pregnancy_test"]);
        assert!(negative_tests("ascites").is_empty());
        assert_eq!(fact_kind("ecog"), FactKind::Performance);
        assert_eq!(fact_kind("lvef"), FactKind::Imaging);
        assert_eq!(fact_kind("age"), FactKind::Timeless);
        assert_eq!(fact_kind("platelets"), FactKind::Lab);
        assert_eq!(derived_key("crcl"), Some("crcl_cockcroft_gault"));
        assert!(prefer_derived("child_pugh_score") && !prefer_derived("crcl"));
        assert_eq!(
            qualified("tace_lipiodol"),
            Some(("tace", "with lipiodol", "without lipiodol"))
        );
    }
}
