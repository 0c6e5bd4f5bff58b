//! `trialmatch patient` through the real binary: a patient with only some
//! labs (tests/data/partial-labs.json) gets each derived value either
//! computed with its inputs or missing with exactly the missing inputs
//! (clinical-rules.md §1, issue 8); implausible / mislabelled / assay-
//! dependent values are flagged and not used (issue 7).

mod common;
use common::*;
use serde_json::Value;

fn partial_labs() -> String {
    root()
        .join("crates/trialmatch/tests/data/partial-labs.json")
        .display()
        .to_string()
}

fn patient_json() -> Value {
    let dir = tempfile::tempdir().unwrap();
    let v = tm_json(
        &dir.path().join("unused.db"),
        &["patient", &partial_labs(), "--as-of", "2025-03-01"],
    );
    assert_eq!(v["patients"].as_array().map(Vec::len), Some(1), "{v}");
    v
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap_or_else(|| panic!("not a string: {x}")))
        .collect()
}

fn input_names(d: &Value) -> Vec<&str> {
    d["inputs"]
        .as_array()
        .unwrap_or_else(|| panic!("no inputs: {d}"))
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect()
}

fn close(v: &Value, want: f64, tol: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"));
    assert!((got - want).abs() <= tol, "{what}: {got} vs {want}");
}

#[test]
fn derived_values_are_computed_or_name_exactly_what_is_missing() {
    let v = patient_json();
    let d = &v["patients"][0]["derived"];
    for key in [
        "child_pugh",
        "albi",
        "meld",
        "meld_na",
        "crcl_cockcroft_gault",
        "egfr_ckd_epi_2021",
        "bmi",
        "bsa_mosteller",
        "bclc",
        "lung_dose_gy",
    ] {
        let x = &d[key];
        assert!(
            x.get("value").is_some() && x["inputs"].is_array() && x["missing"].is_array(),
            "{key}: {x}"
        );
        // computed ⇔ nothing missing
        assert_eq!(
            x["value"].is_null(),
            !strs(&x["missing"]).is_empty(),
            "{key}: {x}"
        );
    }

    // Computed. ALBI (§1.2): 0.66·log10(2.0 × 17.1 µmol/L) − 0.085 × 30 g/L.
    let albi = &d["albi"];
    close(
        &albi["value"],
        0.66 * 34.2f64.log10() - 0.085 * 30.0,
        1e-9,
        "albi",
    );
    close(
        &albi["score"],
        0.66 * 34.2f64.log10() - 0.085 * 30.0,
        1e-9,
        "albi.score",
    );
    close(&albi["grade"], 2.0, 0.0, "albi.grade"); // −2.60 < −1.538 ≤ −1.39
    assert_eq!(input_names(albi), ["bilirubin", "albumin"]);
    // Cockcroft-Gault (§1.4), actual body weight, female: (140−65)·60·0.85/(72·1.1).
    let cg = &d["crcl_cockcroft_gault"];
    close(
        &cg["value"],
        75.0 * 60.0 * 0.85 / (72.0 * 1.1),
        1e-9,
        "crcl",
    );
    assert_eq!(input_names(cg), ["age", "sex", "weight", "creatinine"]);
    // CKD-EPI 2021 (§1.5), female: 142·(1.1/0.7)^−1.200·0.9938^65·1.012.
    let egfr = &d["egfr_ckd_epi_2021"];
    let want = 142.0 * (1.1f64 / 0.7).powf(-1.2) * 0.9938f64.powi(65) * 1.012;
    close(&egfr["value"], want, 1e-6, "egfr");
    assert_eq!(input_names(egfr), ["age", "sex", "creatinine"]);

    // Missing, with exactly what is missing and the inputs that were found.
    let cp = &d["child_pugh"];
    assert_eq!(
        strs(&cp["missing"]),
        ["inr", "ascites", "hepatic_encephalopathy"]
    );
    assert_eq!(input_names(cp), ["bilirubin", "albumin"]);
    assert!(cp["points"].is_null() && cp["class"].is_null(), "{cp}");
    assert_eq!(strs(&d["meld"]["missing"]), ["inr"]);
    // The implausible sodium (1380 mmol/L) is flagged, not used.
    assert_eq!(strs(&d["meld_na"]["missing"]), ["inr", "sodium"]);
    assert_eq!(strs(&d["bmi"]["missing"]), ["height"]);
    assert_eq!(input_names(&d["bmi"]), ["weight"]);
    assert_eq!(strs(&d["bsa_mosteller"]["missing"]), ["height"]);
    assert_eq!(
        strs(&d["lung_dose_gy"]["missing"]),
        ["lung_shunt_fraction", "planned_y90_activity"]
    );
    let bclc = strs(&d["bclc"]["missing"]);
    for m in ["ecog", "child_pugh_class", "lesions"] {
        assert!(bclc.contains(&m), "bclc missing {m}: {bclc:?}");
    }
}

#[test]
fn every_flagged_value_is_listed_and_unknown_types_counted() {
    let v = patient_json();
    assert_eq!(v["skipped_types"]["Flag"], 1, "{v}");
    let flags: Vec<(&str, &str)> = v["patients"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["where"].as_str().unwrap()))
        .collect();
    let has = |code: &str, id: &str| flags.iter().any(|(c, w)| *c == code && w.contains(id));
    assert!(has("implausible", "na-implausible"), "{flags:?}");
    assert!(has("unit_mismatch", "hb-mislabelled"), "{flags:?}");
    assert!(has("assay_dependent", "hbv-copies"), "{flags:?}");
    assert_eq!(flags.len(), 3, "{flags:?}");

    // The human view lists the same flags and each derived value.
    let dir = tempfile::tempdir().unwrap();
    let o = tm(
        &dir.path().join("unused.db"),
        &["patient", &partial_labs(), "--as-of", "2025-03-01"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "Flags (3):",
        "Observation/na-implausible",
        "Observation/hb-mislabelled",
        "Observation/hbv-copies",
        "child_pugh: missing inr, ascites, hepatic_encephalopathy",
        "meld_na: missing inr, sodium",
        "bmi: missing height",
        "albi: ALBI -1.538",
        "crcl_cockcroft_gault: CrCl 48.3 mL/min",
    ] {
        assert!(out.contains(want), "human view lacks {want:?}:\n{out}");
    }
    // Flagged values are not shown among the usable latest values.
    let latest: String = out
        .lines()
        .skip_while(|l| !l.contains("Latest values"))
        .take_while(|l| !l.contains("Derived"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!latest.contains("sodium"), "{latest}");
    assert!(!latest.contains("hemoglobin"), "{latest}");
}
