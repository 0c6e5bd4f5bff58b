//! The hand-entry profile: a small JSON document for coordinators without
//! FHIR, mapping to the same patient model through the same normalisation
//! (docs/fhir-mapping.md, "Hand-entry profile"; example
//! examples/patients/hcc-profile.json).

use crate::normalize::{self, normalize_observation};
use serde::Deserialize;
use tm_model::patient::{
    flag, Allergy, Condition, ConsentFact, Flag, Lesion, Medication, MedicationKind, ObsValue,
    Observation, Patient, Procedure, ReferenceRange, Sex, VascularInvasion,
};
use tm_model::{Date, Quantity};

/// The value of a profile entry: number (with `unit`), text, or yes/no.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ProfileValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileObservation {
    /// Lexicon concept id (or any phrase/abbreviation the lexicon knows).
    pub concept: String,
    pub value: ProfileValue,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    /// Comparator when the value is a limit (`<`, `<=`, `>=`, `>`).
    #[serde(default)]
    pub comparator: Option<String>,
    /// The lab's reference range, in `unit`.
    #[serde(default)]
    pub ref_low: Option<f64>,
    #[serde(default)]
    pub ref_high: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileCondition {
    pub concept: String,
    #[serde(default)]
    pub onset: Option<String>,
    #[serde(default)]
    pub resolved: Option<String>,
    /// active (default), inactive, resolved, remission, recurrence.
    #[serde(default)]
    pub status: Option<String>,
    /// confirmed (default), provisional, differential, unconfirmed.
    #[serde(default)]
    pub verification: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub body_site: Vec<String>,
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileProcedure {
    pub concept: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub details: Vec<String>,
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileMedication {
    pub concept: String,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub dose: Option<f64>,
    #[serde(default)]
    pub dose_unit: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileAllergy {
    pub concept: String,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub reactions: Vec<String>,
    #[serde(default)]
    pub criticality: Option<String>,
    #[serde(default)]
    pub onset: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileLesion {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    /// Diameters in `unit` (default must be given: `cm` or `mm`).
    pub diameters: Vec<f64>,
    pub unit: String,
    #[serde(default)]
    pub arterial_enhancement: Option<bool>,
    #[serde(default)]
    pub washout: Option<bool>,
    #[serde(default)]
    pub previously_treated: Option<bool>,
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileVascularInvasion {
    pub present: bool,
    #[serde(default)]
    pub vessel: Option<String>,
    #[serde(default)]
    pub vp_grade: Option<u8>,
    #[serde(default)]
    pub tumour_thrombus: Option<bool>,
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConsent {
    pub kind: String,
    pub given: bool,
    #[serde(default)]
    pub date: Option<String>,
}

/// The whole profile document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `trialmatch-profile/1`.
    #[serde(default)]
    pub format: Option<String>,
    pub id: String,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub observations: Vec<ProfileObservation>,
    #[serde(default)]
    pub conditions: Vec<ProfileCondition>,
    #[serde(default)]
    pub procedures: Vec<ProfileProcedure>,
    #[serde(default)]
    pub medications: Vec<ProfileMedication>,
    #[serde(default)]
    pub allergies: Vec<ProfileAllergy>,
    #[serde(default)]
    pub lesions: Vec<ProfileLesion>,
    #[serde(default)]
    pub vascular_invasion: Vec<ProfileVascularInvasion>,
    #[serde(default)]
    pub consents: Vec<ProfileConsent>,
}

/// A concept id or phrase → concept id; unknown names are kept as given
/// and flagged.
fn concept_id(name: &str, flags: &mut Vec<Flag>) -> Option<String> {
    if let Some(c) = tm_lexicon::get(name).or_else(|| tm_lexicon::lookup_phrase(name)) {
        return Some(c.id.clone());
    }
    flags.push(Flag::new(
        flag::UNMAPPED,
        format!("unknown concept {name:?}"),
    ));
    None
}

fn pdate(s: &Option<String>, what: &str, flags: &mut Vec<Flag>) -> Option<Date> {
    let s = s.as_deref()?;
    let d = normalize::date(Some(s));
    if d.is_none() {
        flags.push(Flag::new(
            flag::UNREADABLE,
            format!("{what} {s:?} is not a date"),
        ));
    }
    d
}

/// Converts a parsed profile into a patient.
pub fn to_patient(p: Profile) -> Patient {
    let mut pt = Patient {
        id: p.id.clone(),
        ..Default::default()
    };
    let mut pflags = Vec::new();
    pt.birth_date = pdate(&p.birth_date, "birth_date", &mut pflags);
    pt.sex = match p.sex.as_deref().map(str::to_lowercase).as_deref() {
        Some("male") | Some("m") => Sex::Male,
        Some("female") | Some("f") => Sex::Female,
        Some("other") => Sex::Other,
        _ => Sex::Unknown,
    };
    for (i, o) in p.observations.into_iter().enumerate() {
        let source = format!("profile:observations[{i}]");
        let mut flags = Vec::new();
        let concept = concept_id(&o.concept, &mut flags);
        let effective = pdate(&o.date, "date", &mut flags);
        if effective.is_none() {
            flags.push(Flag::new(flag::UNDATED, "no date"));
        }
        let unit = o.unit.clone().unwrap_or_default();
        let value = match o.value {
            ProfileValue::Bool(b) => ObsValue::Bool(b),
            ProfileValue::Text(t) => ObsValue::Text(t),
            ProfileValue::Number(n) => {
                let unitless = concept
                    .as_deref()
                    .and_then(tm_lexicon::get)
                    .is_some_and(|c| c.unit.is_none());
                if unitless && o.unit.is_none() && n.fract() == 0.0 && n.abs() < 1e9 {
                    ObsValue::Integer(n as i64)
                } else {
                    ObsValue::Quantity(Quantity::new(n, unit.clone()))
                }
            }
        };
        let reference_range = if o.ref_low.is_some() || o.ref_high.is_some() {
            Some(ReferenceRange {
                low: o.ref_low.map(|v| Quantity::new(v, unit.clone())),
                high: o.ref_high.map(|v| Quantity::new(v, unit.clone())),
                text: None,
            })
        } else {
            None
        };
        let mut obs = Observation {
            concept,
            text: o.note.or(Some(o.concept)),
            value: Some(value),
            comparator: o.comparator,
            reference_range,
            effective,
            source,
            flags,
            ..Default::default()
        };
        normalize_observation(&mut obs);
        pt.observations.push(obs);
    }
    for (i, c) in p.conditions.into_iter().enumerate() {
        let mut flags = Vec::new();
        let concept = concept_id(&c.concept, &mut flags);
        let onset = pdate(&c.onset, "onset", &mut flags);
        if onset.is_none() {
            flags.push(Flag::new(flag::UNDATED, "no onset or recorded date"));
        }
        let verification = c.verification.unwrap_or_else(|| "confirmed".into());
        if matches!(verification.as_str(), "refuted" | "entered-in-error") {
            continue;
        }
        if matches!(
            verification.as_str(),
            "provisional" | "differential" | "unconfirmed"
        ) {
            flags.push(Flag::new(
                flag::UNCONFIRMED,
                format!("verification {verification}"),
            ));
        }
        let source = format!("profile:conditions[{i}]");
        if matches!(
            concept.as_deref(),
            Some("pvtt") | Some("macrovascular_invasion")
        ) {
            pt.vascular_invasion.push(VascularInvasion {
                present: true,
                vessel: c.body_site.first().cloned(),
                effective: onset,
                source: source.clone(),
                ..Default::default()
            });
        }
        let mut cond = Condition {
            concept,
            codes: Vec::new(),
            text: c.text.or(Some(c.concept)),
            onset,
            abatement: pdate(&c.resolved, "resolved", &mut flags),
            clinical_status: Some(c.status.unwrap_or_else(|| "active".into())),
            verification_status: Some(verification),
            body_site: c.body_site,
            severity: c.severity,
            source,
            flags,
            grade: None,
        };
        crate::reading::read_condition(&mut cond);
        pt.conditions.push(cond);
    }
    for (i, pr) in p.procedures.into_iter().enumerate() {
        let mut flags = Vec::new();
        let concept = concept_id(&pr.concept, &mut flags);
        let date = pdate(&pr.date, "date", &mut flags);
        if date.is_none() {
            flags.push(Flag::new(flag::UNDATED, "no performed date"));
        }
        pt.procedures.push(Procedure {
            concept,
            codes: Vec::new(),
            text: pr.text.or(Some(pr.concept)),
            date,
            status: Some("completed".into()),
            details: pr.details,
            source: format!("profile:procedures[{i}]"),
            flags,
        });
    }
    for (i, m) in p.medications.into_iter().enumerate() {
        let mut flags = Vec::new();
        let concept = concept_id(&m.concept, &mut flags);
        let start = pdate(&m.start, "start", &mut flags);
        if start.is_none() {
            flags.push(Flag::new(flag::UNDATED, "no period or date"));
        }
        let dose = m.dose.map(|d| {
            let q = Quantity::new(d, m.dose_unit.clone().unwrap_or_default());
            tm_units::normalize(&q).unwrap_or(q)
        });
        pt.medications.push(Medication {
            concept,
            codes: Vec::new(),
            text: m.text.or(Some(m.concept)),
            kind: MedicationKind::Statement,
            start,
            end: pdate(&m.end, "end", &mut flags),
            status: None,
            dose,
            source: format!("profile:medications[{i}]"),
            flags,
        });
    }
    for (i, a) in p.allergies.into_iter().enumerate() {
        let mut flags = Vec::new();
        let concept = concept_id(&a.concept, &mut flags);
        pt.allergies.push(Allergy {
            concept,
            text: Some(a.concept),
            criticality: a.criticality,
            reactions: a.reactions,
            severity: a.severity,
            clinical_status: Some("active".into()),
            verification_status: Some("confirmed".into()),
            onset: pdate(&a.onset, "onset", &mut flags),
            source: format!("profile:allergies[{i}]"),
            flags,
            ..Default::default()
        });
    }
    for (i, l) in p.lesions.into_iter().enumerate() {
        let mut flags = Vec::new();
        let mut diameters = Vec::new();
        for d in &l.diameters {
            match tm_units::convert(&Quantity::new(*d, l.unit.clone()), "cm", None) {
                Ok(q) => diameters.push(q),
                Err(e) => flags.push(Flag::new(flag::UNIT_UNKNOWN, e.to_string())),
            }
        }
        diameters.sort_by(|a, b| b.value.total_cmp(&a.value));
        let effective = pdate(&l.date, "date", &mut flags);
        if effective.is_none() {
            flags.push(Flag::new(flag::UNDATED, "no effective date"));
        }
        pt.lesions.push(Lesion {
            intrahepatic: l.site.as_deref().map(|s| {
                let s = s.to_lowercase();
                s.contains("liver")
                    || s.contains("hepat")
                    || s.contains("segment")
                    || s.contains("lobe")
            }),
            label: l.label,
            site: l.site,
            diameters,
            arterial_enhancement: l.arterial_enhancement,
            washout: l.washout,
            previously_treated: l.previously_treated,
            effective,
            source: format!("profile:lesions[{i}]"),
            flags,
        });
    }
    for (i, v) in p.vascular_invasion.into_iter().enumerate() {
        let mut flags = Vec::new();
        let effective = pdate(&v.date, "date", &mut flags);
        if effective.is_none() {
            flags.push(Flag::new(flag::UNDATED, "no effective date"));
        }
        pt.vascular_invasion.push(VascularInvasion {
            present: v.present,
            vessel: v.vessel,
            vp_grade: v.vp_grade,
            tumour_thrombus: v.tumour_thrombus,
            effective,
            source: format!("profile:vascular_invasion[{i}]"),
            flags,
        });
    }
    for (i, c) in p.consents.into_iter().enumerate() {
        let mut f = Vec::new();
        pt.consents.push(ConsentFact {
            kind: concept_id(&c.kind, &mut f).unwrap_or(c.kind),
            given: c.given,
            date: pdate(&c.date, "date", &mut f),
            source: format!("profile:consents[{i}]"),
        });
        pflags.extend(f);
    }
    pt.flags = pflags;
    pt
}
