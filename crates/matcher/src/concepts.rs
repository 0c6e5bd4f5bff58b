//! Concept ids as the compiler writes them → the ids facts carry.
//!
//! The compiler's phrase table (`tm_criteria::concepts`) and the lexicon
//! (`tm_lexicon`, used by the patient readers) mostly share ids; where they
//! differ (`pregnancy` vs `pregnant`, `hbv_infection` vs `hbv`, …) the table
//! below lists every id a fact may carry for a criterion concept. Facts
//! also match through the lexicon hierarchy (`tm_lexicon::is_a`: a `tace`
//! procedure answers "locoregional therapy"). Ids are compared, never text.

/// Fact concept ids that answer criterion concept `id` (always includes
/// `id` itself first).
pub fn fact_ids(id: &str) -> &'static [&'static str] {
    match id {
        "pregnancy" | "pregnant" => &["pregnant", "pregnancy"],
        "lactation" | "lactating" => &["lactating", "lactation"],
        "hbv_infection" | "hbv" => &["hbv", "hbv_infection"],
        "hcv_infection" | "hcv" => &["hcv", "hcv_infection"],
        "tumor_burden_pct" | "tumour_burden_pct" => {
            &["tumour_burden_pct", "tumor_burden_pct", "tumour_burden"]
        }
        "rfa" => &["ablation", "rfa"],
        "basal_cell_carcinoma_skin" => &["basal_cell_carcinoma", "basal_cell_carcinoma_skin"],
        "active_infection" => &["infection", "active_infection"],
        "clinical_trial" => &["clinical_trial_participation", "clinical_trial"],
        "weight" => &["weight", "body_weight"],
        "height" => &["height", "body_height"],
        "maa_lung_dose_gy" => &["maa_lung_dose_gy", "lung_dose_gy"],
        "child_pugh_score" => &["child_pugh_score", "child_pugh"],
        "up_to_seven_sum" => &["up_to_seven", "up_to_seven_sum"],
        "allergy_contrast" => &["iodinated_contrast", "allergy_contrast"],
        "pvtt" => &["pvtt", "macrovascular_invasion"],
        "antitumor_therapy" => &["antitumor_therapy"],
        _ => &[],
    }
}

/// Broader concepts the lexicon does not (yet) place in its hierarchy:
/// `antitumor_therapy` covers every systemic and locoregional cancer
/// treatment, radiotherapy and resection (seed 000 E15, seed 004 I2).
pub fn also_covers(id: &str) -> &'static [&'static str] {
    match id {
        "antitumor_therapy" => &[
            "systemic_therapy",
            "locoregional_therapy",
            "radiotherapy",
            "resection",
            "chemotherapy",
            "immunotherapy",
            "targeted_therapy",
        ],
        "organ_transplant" => &["stem_cell_transplant"],
        "chemotherapy" => &["haic"],
        _ => &[],
    }
}

/// True when a fact with concept `fact` answers a question about `target`
/// (same id, an alias, a descendant in the lexicon, or covered).
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
    let hit = |t: &str| ancestors.iter().any(|a| a == t);
    hit(target)
        || fact_ids(target).iter().any(|t| hit(t))
        || also_covers(target).iter().any(|t| hit(t))
}

/// Tests whose negative result documents the absence of a condition
/// (clinical-rules §8: "anti-HCV+ → check HCV RNA; active = detectable
/// RNA"; HBsAg for HBV; HIV Ab/Ag; hCG for pregnancy).
pub fn negative_tests(condition: &str) -> &'static [&'static str] {
    match condition {
        "hcv" | "hcv_infection" | "hcv_rna" => &["anti_hcv", "hcv_rna"],
        "hbv" | "hbv_infection" => &["hbsag"],
        "hiv" => &["hiv_test"],
        "pregnancy" | "pregnant" => &["pregnancy_test"],
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
        "age" => FactKind::Timeless,
        "weight" | "height" | "bmi" | "bsa" | "sbp" | "dbp" | "heart_rate" => FactKind::Vital,
        "maa_lung_dose_gy"
        | "lung_shunt_fraction"
        | "tumor_burden_pct"
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
        | "up_to_seven_sum"
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
        "up_to_seven_sum" => "up_to_seven",
        "tumor_burden_pct" | "tumour_burden_pct" => "tumour_burden_pct",
        "bclc_stage" => "bclc",
        _ => return None,
    })
}
