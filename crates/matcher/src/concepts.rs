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
/// present, detail meaning absent)`. A TACE whose details say "with
/// lipiodol" answers `tace_lipiodol`; "without lipiodol" answers its
/// absence; a TACE of unstated type leaves it unknown (seed 000 E11).
pub fn qualified(id: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match id {
        "tace_lipiodol" => Some(("tace", "with lipiodol", "without lipiodol")),
        _ => None,
    }
}

/// Tests whose negative result documents the absence of a condition
/// (clinical-rules §8: "anti-HCV+ → check HCV RNA; active = detectable
/// RNA"; HBsAg for HBV; HIV Ab/Ag; hCG for pregnancy).
pub fn negative_tests(condition: &str) -> &'static [&'static str] {
    match condition {
        "hcv" | "hcv_rna" => &["anti_hcv", "hcv_rna"],
        "hbv" => &["hbsag"],
        "hiv" => &["hiv_test"],
        "pregnant" => &["pregnancy_test"],
        _ => &[],
    }
}

/// What sort of fact a measured concept is, for its default recency window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    Lab,
    Performance,
    Imaging,
    Vital,
    /// Not time-bound (age).
    Timeless,
}

pub fn fact_kind(id: &str) -> FactKind {
    match id {
        "ecog" | "karnofsky" => FactKind::Performance,
        "age" | "prrt_cycles" => FactKind::Timeless,
        "weight" | "height" | "bmi" | "bsa" | "sbp" | "dbp" | "heart_rate" => FactKind::Vital,
        "maa_lung_dose_gy"
        | "lung_shunt_fraction"
        | "tumour_burden_pct"
        | "liver_volume"
        | "tumour_volume"
        | "planned_y90_activity"
        | "lvef"
        | "fev1"
        | "fev1_fvc"
        | "fev1_pct_predicted"
        | "mvv"
        | "life_expectancy"
        | "bclc_stage"
        | "up_to_seven"
        | "lesion_count"
        | "largest_lesion_diameter"
        | "remnant_liver_volume"
        | "krenning_score" => FactKind::Imaging,
        _ => FactKind::Lab,
    }
}

/// The derived value (key of `tm_clinical::Derived`) that answers a
/// measured concept, when the patient has no direct observation.
pub fn derived_key(id: &str) -> Option<&'static str> {
    Some(match id {
        "child_pugh_score" => "child_pugh",
        "albi_score" | "albi_grade" => "albi",
        "meld" => "meld",
        "meld_na" => "meld_na",
        "crcl" => "crcl_cockcroft_gault",
        "egfr" => "egfr_ckd_epi_2021",
        "bmi" => "bmi",
        "bsa" => "bsa_mosteller",
        "maa_lung_dose_gy" => "lung_dose_gy",
        "up_to_seven" => "up_to_seven",
        "tumour_burden_pct" => "tumour_burden_pct",
        "bclc_stage" => "bclc",
        _ => return None,
    })
}
