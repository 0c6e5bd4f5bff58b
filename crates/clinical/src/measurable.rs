//! Measurable disease at baseline, from the imaging lesion list.
//!
//! clinical-rules §2.1 (RECIST 1.1 measurability), §2.2 (mRECIST target
//! selection) and §8 (glossary row "Measurable disease per RECIST 1.1 /
//! mRECIST": "≥ 1 measurable lesion; often untreated; mRECIST target must
//! enhance in the arterial phase").
//!
//! Rules, per lesion of the newest imaging date within the window:
//! - non-nodal lesion: longest diameter ≥ 1.0 cm (CT with slices ≤ 5 mm is
//!   assumed; the slice thickness is not recorded);
//! - lymph node (site names a node): short axis ≥ 1.5 cm (RECIST); under
//!   mRECIST a porta hepatis node needs ≥ 2.0 cm (§2.2). The short axis is
//!   the smallest of two or more recorded diameters; with one diameter the
//!   node is undecided;
//! - a lesion treated before by locoregional therapy or radiotherapy is not
//!   measurable (§2.1, "unless progression is shown afterwards": that
//!   judgement is not made here). An unflagged lesion counts as untreated
//!   only when the patient has no locoregional / radiation procedure on
//!   record; otherwise it is undecided;
//! - mRECIST, intrahepatic lesion: arterial-phase enhancement must be
//!   recorded as present (absent → not a target; unrecorded → undecided).
//!
//! The answer is yes when one lesion qualifies, no when lesions were seen
//! and every one is decided as not qualifying, and unknown otherwise
//! (no imaging in the window, or an undecided lesion and none qualifying).

use tm_model::patient::Lesion;
use tm_model::Date;

/// Which response criteria define "measurable".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criteria {
    Recist11,
    Mrecist,
}

/// One lesion's reading.
#[derive(Debug, Clone, PartialEq)]
pub struct LesionReading {
    pub label: String,
    pub source: String,
    pub date: Option<Date>,
    /// `Some(true)` qualifies, `Some(false)` does not, `None` undecided.
    pub qualifies: Option<bool>,
    /// Why, in words ("3.2 cm, arterial enhancement").
    pub reason: String,
}

/// The assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub value: Option<bool>,
    pub lesions: Vec<LesionReading>,
    /// What is missing when `value` is `None`.
    pub missing: Option<String>,
}

fn is_node(l: &Lesion) -> bool {
    l.site
        .as_deref()
        .is_some_and(|s| s.to_ascii_lowercase().contains("node"))
}

fn is_liver(l: &Lesion) -> bool {
    match l.intrahepatic {
        Some(b) => b,
        None => l.site.as_deref().is_none_or(|s| {
            let s = s.to_ascii_lowercase();
            s.contains("liver") || s.contains("hepat") || s.contains("segment")
        }),
    }
}

/// Diameters of `l` in cm, longest first (unconvertible ones dropped).
fn diameters_cm(l: &Lesion) -> Vec<f64> {
    let mut v: Vec<f64> = l
        .diameters
        .iter()
        .filter_map(|q| tm_units::convert(q, "cm", None).ok().map(|c| c.value))
        .collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v
}

fn read(l: &Lesion, crit: Criteria, prior_local_therapy: bool) -> LesionReading {
    let label = l
        .label
        .clone()
        .or_else(|| l.site.clone())
        .unwrap_or_else(|| "lesion".into());
    let mk = |q: Option<bool>, reason: String| LesionReading {
        label: label.clone(),
        source: l.source.clone(),
        date: l.effective,
        qualifies: q,
        reason,
    };
    let d = diameters_cm(l);
    let Some(&longest) = d.first() else {
        return mk(None, "no diameter recorded".into());
    };
    // Size.
    let size_ok = if is_node(l) {
        let porta = l
            .site
            .as_deref()
            .is_some_and(|s| s.to_ascii_lowercase().contains("porta"));
        let need = if crit == Criteria::Mrecist && porta {
            2.0
        } else {
            1.5
        };
        d.last().filter(|_| d.len() >= 2).map(|&short| {
            (
                short >= need,
                format!("node short axis {short} cm (≥ {need} cm needed)"),
            )
        })
    } else {
        Some((
            longest >= 1.0,
            format!("longest diameter {longest} cm (≥ 1 cm needed)"),
        ))
    };
    let Some((size_ok, size_txt)) = size_ok else {
        return mk(
            None,
            "node with one diameter: short axis not recorded".into(),
        );
    };
    if !size_ok {
        return mk(Some(false), size_txt);
    }
    match l.previously_treated {
        Some(true) => {
            return mk(
                Some(false),
                format!("{size_txt}; previously treated locoregionally"),
            )
        }
        None if prior_local_therapy => {
            return mk(
                None,
                format!("{size_txt}; not stated whether treated by the prior locoregional therapy"),
            )
        }
        _ => {}
    }
    if crit == Criteria::Mrecist && is_liver(l) && !is_node(l) {
        return match l.arterial_enhancement {
            Some(true) => mk(
                Some(true),
                format!("{size_txt}; arterial-phase enhancement"),
            ),
            Some(false) => mk(
                Some(false),
                format!("{size_txt}; no arterial-phase enhancement (not an mRECIST target)"),
            ),
            None => mk(
                None,
                format!("{size_txt}; arterial-phase enhancement not recorded"),
            ),
        };
    }
    mk(Some(true), size_txt)
}

/// Whether the patient has measurable disease as of `as_of` (lesions of
/// the newest imaging date in `[as_of − window_days, as_of]`).
/// `prior_local_therapy`: the patient has a locoregional or radiation
/// procedure on record (so an unflagged lesion may have been treated).
pub fn assess(
    lesions: &[Lesion],
    crit: Criteria,
    as_of: Date,
    window_days: i32,
    prior_local_therapy: bool,
) -> Assessment {
    let from = as_of.add_days(-window_days);
    let newest = lesions
        .iter()
        .filter_map(|l| l.effective)
        .filter(|d| *d <= as_of && *d >= from)
        .max();
    let Some(date) = newest else {
        return Assessment {
            value: None,
            lesions: Vec::new(),
            missing: Some(format!(
                "imaging lesion list (diameters{}) dated within {window_days} days",
                if crit == Criteria::Mrecist {
                    ", arterial-phase enhancement"
                } else {
                    ""
                }
            )),
        };
    };
    let readings: Vec<LesionReading> = lesions
        .iter()
        .filter(|l| l.effective == Some(date))
        .map(|l| read(l, crit, prior_local_therapy))
        .collect();
    let value = if readings.iter().any(|r| r.qualifies == Some(true)) {
        Some(true)
    } else if readings.iter().all(|r| r.qualifies == Some(false)) {
        Some(false)
    } else {
        None
    };
    let missing = value.is_none().then(|| {
        readings
            .iter()
            .filter(|r| r.qualifies.is_none())
            .map(|r| format!("{}: {}", r.label, r.reason))
            .collect::<Vec<_>>()
            .join("; ")
    });
    Assessment {
        value,
        lesions: readings,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tm_model::Quantity;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    fn lesion(site: &str, cm: &[f64], enh: Option<bool>, treated: Option<bool>) -> Lesion {
        Lesion {
            label: Some(site.into()),
            site: Some(site.into()),
            diameters: cm.iter().map(|v| Quantity::new(*v, "cm")).collect(),
            arterial_enhancement: enh,
            previously_treated: treated,
            effective: Some(d("2025-02-10")),
            source: "Observation/l".into(),
            ..Default::default()
        }
    }

    const AS_OF: &str = "2025-03-01";

    #[test]
    fn boundary_one_centimetre_is_measurable() {
        let at = |cm: f64| {
            assess(
                &[lesion("liver segment VII", &[cm], Some(true), None)],
                Criteria::Mrecist,
                d(AS_OF),
                90,
                false,
            )
            .value
        };
        assert_eq!(at(1.0), Some(true));
        assert_eq!(at(0.99), Some(false));
    }

    #[test]
    fn mrecist_needs_arterial_enhancement_recist_does_not() {
        let l = [lesion("liver segment VI", &[3.0], Some(false), None)];
        assert_eq!(
            assess(&l, Criteria::Mrecist, d(AS_OF), 90, false).value,
            Some(false)
        );
        assert_eq!(
            assess(&l, Criteria::Recist11, d(AS_OF), 90, false).value,
            Some(true)
        );
        let unknown = [lesion("liver segment VI", &[3.0], None, None)];
        let a = assess(&unknown, Criteria::Mrecist, d(AS_OF), 90, false);
        assert_eq!(a.value, None);
        assert!(a.missing.unwrap_or_default().contains("arterial"));
    }

    #[test]
    fn treated_lesions_and_prior_therapy() {
        let treated = [lesion("liver", &[4.0], Some(true), Some(true))];
        assert_eq!(
            assess(&treated, Criteria::Mrecist, d(AS_OF), 90, true).value,
            Some(false)
        );
        // Unflagged lesion after a TACE: undecided.
        let unflagged = [lesion("liver", &[4.0], Some(true), None)];
        assert_eq!(
            assess(&unflagged, Criteria::Mrecist, d(AS_OF), 90, true).value,
            None
        );
        assert_eq!(
            assess(&unflagged, Criteria::Mrecist, d(AS_OF), 90, false).value,
            Some(true)
        );
        // One qualifying lesion decides.
        let mixed = [
            lesion("liver", &[4.0], Some(true), Some(true)),
            lesion("liver segment II", &[1.5], Some(true), Some(false)),
        ];
        assert_eq!(
            assess(&mixed, Criteria::Mrecist, d(AS_OF), 90, true).value,
            Some(true)
        );
    }

    #[test]
    fn nodes_use_the_short_axis() {
        let node = |cm: &[f64], site: &str| {
            assess(
                &[lesion(site, cm, None, None)],
                Criteria::Recist11,
                d(AS_OF),
                90,
                false,
            )
            .value
        };
        assert_eq!(node(&[2.2, 1.5], "lymph node"), Some(true));
        assert_eq!(node(&[2.2, 1.4], "lymph node"), Some(false));
        assert_eq!(node(&[2.2], "lymph node"), None);
        let porta = [lesion("porta hepatis lymph node", &[2.5, 1.8], None, None)];
        assert_eq!(
            assess(&porta, Criteria::Mrecist, d(AS_OF), 90, false).value,
            Some(false)
        );
        assert_eq!(
            assess(&porta, Criteria::Recist11, d(AS_OF), 90, false).value,
            Some(true)
        );
    }

    #[test]
    fn imaging_outside_the_window_is_missing() {
        let mut l = lesion("liver", &[3.0], Some(true), None);
        l.effective = Some(d("2024-09-01"));
        let a = assess(&[l], Criteria::Mrecist, d(AS_OF), 90, false);
        assert_eq!(a.value, None);
        assert!(a.missing.unwrap_or_default().contains("90 days"));
    }
}
