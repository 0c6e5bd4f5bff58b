//! Matching settings: index date, planned start, recency windows; the
//! default ULN/LLN *ranges* used when a laboratory reports no reference
//! range (clinical-rules §7.2) are the lexicon's data (`reference`).

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
pub use tm_lexicon::LimitRange;

/// Default ULN (`upper`) or LLN range of a concept when the observation
/// has no reference range: the lexicon's `reference` (clinical-rules §7.2;
/// sex-specific where the data gives `male` / `female` limits).
pub fn default_limit(concept: &str, upper: bool, sex: Sex) -> Option<LimitRange> {
    tm_lexicon::get(concept)?.default_limit(upper, sex)
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
