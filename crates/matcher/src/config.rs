//! Matching settings: index date, planned start, recency windows and the
//! default ULN/LLN *ranges* used when a laboratory reports no reference
//! range (clinical-rules §7.2).

use serde::Serialize;
use tm_clinical::DeriveConfig;
use tm_model::patient::Sex;
use tm_model::Date;

/// Settings of one matching run. [`MatchConfig::new`] gives the documented
/// defaults.
#[derive(Debug, Clone, Serialize)]
pub struct MatchConfig {
    /// The index date: facts after it do not exist; age is computed on it.
    pub as_of: Date,
    /// Planned start of treatment / enrolment: windows anchored to
    /// "dosing", "enrolment", "treatment", "first dose" … are counted back
    /// from here. Default: `as_of`.
    pub planned_start: Date,
    /// Default recency of a laboratory value when the criterion gives no
    /// window (28 days, as clinical-rules §8 "labs within a window").
    pub lab_window_days: i32,
    /// ECOG / Karnofsky (28 days; §8 "within 7–14 days of start is typical",
    /// the criterion's own window overrides).
    pub performance_window_days: i32,
    /// Imaging facts, dosimetry, tumour burden, clinical findings such as
    /// ascites / encephalopathy observations (90 days).
    pub imaging_window_days: i32,
    /// Vitals and body measures (90 days).
    pub vital_window_days: i32,
    /// Serology / infection status tests and pregnancy-status observations
    /// used as documented absence (365 days; a negative pregnancy status is
    /// only believed for 7 days, §8 "often ≤ 7 days").
    pub serology_window_days: i32,
    pub pregnancy_status_window_days: i32,
    /// Windows shorter than this many hours anchored to treatment
    /// ("within 24 hours before administration") can only be checked at
    /// treatment time: such leaves become a non-blocking review item.
    pub at_treatment_max_hours: f64,
}

impl MatchConfig {
    pub fn new(as_of: Date) -> MatchConfig {
        MatchConfig {
            as_of,
            planned_start: as_of,
            lab_window_days: 28,
            performance_window_days: 28,
            imaging_window_days: 90,
            vital_window_days: 90,
            serology_window_days: 365,
            pregnancy_status_window_days: 7,
            at_treatment_max_hours: 72.0,
        }
    }

    pub fn with_planned_start(mut self, d: Option<Date>) -> MatchConfig {
        if let Some(d) = d {
            self.planned_start = d;
        }
        self
    }

    /// The settings of the derived values (Child-Pugh, MELD, BCLC …) for
    /// this run: the one mapping of the recency windows, so a derived
    /// score's inputs are as recent as the facts the criteria compare.
    /// labs → labs; performance → ECOG/Karnofsky; vitals → weight; imaging
    /// → imaging, clinical findings (ascites, encephalopathy, recorded
    /// Child-Pugh) and dosimetry (the groups of `imaging_window_days`).
    /// Height and the formulas' options keep the `DeriveConfig` defaults.
    /// With the defaults of [`MatchConfig::new`] this equals
    /// `DeriveConfig::default()`.
    pub fn derive_config(&self) -> DeriveConfig {
        DeriveConfig {
            lab_window_days: self.lab_window_days,
            performance_window_days: self.performance_window_days,
            weight_window_days: self.vital_window_days,
            clinical_window_days: self.imaging_window_days,
            imaging_window_days: self.imaging_window_days,
            dosimetry_window_days: self.imaging_window_days,
            ..DeriveConfig::default()
        }
    }
}

/// A default limit range for an analyte: the ULN (or LLN) is only known to
/// lie in `[lo, hi]` (in `unit`), so an outcome computed with a default
/// stands only when it is the same for both ends (clinical-rules §7.2:
/// "the choice of ULN changes eligibility near a threshold").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LimitRange {
    pub lo: f64,
    pub hi: f64,
    pub unit: &'static str,
    /// Where the numbers come from.
    pub note: &'static str,
}

const fn r(lo: f64, hi: f64, unit: &'static str, note: &'static str) -> LimitRange {
    LimitRange { lo, hi, unit, note }
}

/// Default ULN range per concept when the observation has no reference
/// range (clinical-rules §7.2). Creatinine depends on sex.
pub fn default_uln(concept: &str, sex: Sex) -> Option<LimitRange> {
    Some(match concept {
        // §7.2: Mayo ULN 55 U/L; "many labs use 40–45".
        "alt" => r(40.0, 55.0, "U/L", "§7.2 default ALT ULN 40–55 U/L"),
        // §7.2: Mayo ULN 48 U/L; 40 is common.
        "ast" => r(40.0, 48.0, "U/L", "§7.2 default AST ULN 40–48 U/L"),
        "alp" => r(115.0, 115.0, "U/L", "§7.2 default ALP ULN 115 U/L"),
        // §7.2: 1.0 mg/dL (Mayo), 1.2 mg/dL widely used.
        "total_bilirubin" => r(
            1.0,
            1.2,
            "mg/dL",
            "§7.2 default bilirubin ULN 1.0–1.2 mg/dL",
        ),
        "inr" => r(
            1.1,
            1.2,
            "{INR}",
            "§7.2 default INR ULN 1.1–1.2 (UNVERIFIED)",
        ),
        "pt" => r(13.8, 13.8, "s", "§7.2 default PT ULN 13.8 s"),
        "aptt" => r(35.0, 35.0, "s", "§7.2 default aPTT ULN ≈35 s (UNVERIFIED)"),
        "afp" => r(
            10.0,
            10.0,
            "ng/mL",
            "§7.2 default AFP ULN ≈10 ng/mL (UNVERIFIED)",
        ),
        "creatinine" => match sex {
            Sex::Male => r(
                1.2,
                1.35,
                "mg/dL",
                "§7.2 default creatinine ULN 1.2–1.35 mg/dL (M, UNVERIFIED)",
            ),
            Sex::Female => r(
                1.0,
                1.1,
                "mg/dL",
                "§7.2 default creatinine ULN 1.0–1.1 mg/dL (F, UNVERIFIED)",
            ),
            _ => r(
                1.0,
                1.35,
                "mg/dL",
                "§7.2 default creatinine ULN 1.0–1.35 mg/dL (sex unknown, UNVERIFIED)",
            ),
        },
        _ => return None,
    })
}

/// Default LLN range per concept (clinical-rules §7.2).
pub fn default_lln(concept: &str, sex: Sex) -> Option<LimitRange> {
    Some(match concept {
        "albumin" => r(3.5, 3.5, "g/dL", "§7.2 default albumin LLN 3.5 g/dL"),
        "hemoglobin" => match sex {
            Sex::Male => r(
                13.5,
                13.5,
                "g/dL",
                "§7.2 default Hb LLN 13.5 g/dL (M, UNVERIFIED)",
            ),
            Sex::Female => r(
                12.0,
                12.0,
                "g/dL",
                "§7.2 default Hb LLN 12.0 g/dL (F, UNVERIFIED)",
            ),
            _ => r(
                12.0,
                13.5,
                "g/dL",
                "§7.2 default Hb LLN 12.0–13.5 g/dL (UNVERIFIED)",
            ),
        },
        "anc" => r(
            1.5,
            2.0,
            "10*9/L",
            "§7.2 default ANC LLN 1.5–2.0 ×10⁹/L (UNVERIFIED)",
        ),
        "wbc" => r(
            4.0,
            4.0,
            "10*9/L",
            "§7.2 default WBC LLN 4.0 ×10⁹/L (UNVERIFIED)",
        ),
        "platelets" => r(
            150.0,
            150.0,
            "10*9/L",
            "§7.2 default platelet LLN 150 ×10⁹/L (UNVERIFIED)",
        ),
        "lymphocytes" => r(
            1.0,
            1.0,
            "10*9/L",
            "§7.2 default lymphocyte LLN 1.0 ×10⁹/L (UNVERIFIED)",
        ),
        "lvef" => r(50.0, 50.0, "%", "§8 typical LVEF LLN 50 %"),
        _ => return None,
    })
}

/// Length of a window in days (`h`, `d`, `wk`, `mo`, `a`, with the UCUM
/// factors of `tm_units::duration`). `None` for an unknown unit.
pub fn window_days(value: f64, unit: &str) -> Option<f64> {
    tm_units::duration(value, unit, "d")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_windows_give_the_default_derive_config() {
        let cfg = MatchConfig::new(Date::parse("2025-03-01").unwrap());
        assert_eq!(cfg.derive_config(), DeriveConfig::default());
    }
}
