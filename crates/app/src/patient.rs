//! Patient reading shared by `patient`, `match` and the server: text or a
//! file → [`ReadReport`], choice of one patient, the `patient --json`
//! document.

use serde::Serialize;
use tm_model::patient::Patient;
use tm_model::Date;
use tm_patient::ReadReport;

use crate::AppError;

/// Reads patient data received in memory: FHIR R4 JSON (a resource or a
/// Bundle), NDJSON (`ndjson`, or several JSON objects on separate lines —
/// detected by content) or the hand-entry profile (detected by content).
/// `name` labels the reader's messages.
pub fn read_text(name: &str, text: &str, ndjson: bool) -> ReadReport {
    tm_patient::read_str(name, text, ndjson)
}

/// The patient `id` of a read (the first when `id` is `None`); `NotFound`
/// when there is none. With several patients and no id, a note is logged.
pub fn select<'r>(read: &'r ReadReport, id: Option<&str>) -> Result<&'r Patient, AppError> {
    let found = match id {
        Some(id) => read.patients.iter().find(|p| p.id == id),
        None => read.patients.first(),
    };
    match found {
        Some(p) => Ok(p),
        None if read.patients.is_empty() => Err(AppError::unprocessable(
            "no patient could be read",
            read.errors.clone(),
        )),
        None => Err(AppError::not_found(format!(
            "no patient with id {:?}",
            id.unwrap_or_default()
        ))),
    }
}

/// `patient --json` (schema `trialmatch.patient/1`, docs/contracts.md).
#[derive(Serialize)]
pub struct PatientJson<'a> {
    pub schema: &'static str,
    pub as_of: Date,
    pub patients: Vec<PatientOut<'a>>,
    pub skipped_types: &'a std::collections::BTreeMap<String, usize>,
    pub errors: &'a [String],
    pub excluded: usize,
    pub unmapped_observations: usize,
}

/// One patient of [`PatientJson`].
#[derive(Serialize)]
pub struct PatientOut<'a> {
    pub age: Option<i32>,
    pub patient: &'a Patient,
    /// Scores derived as of `as_of` (tm-clinical; docs/contracts.md
    /// "Derived values").
    pub derived: tm_clinical::Derived,
    pub flags: Vec<FlagOut<'a>>,
}

/// A flagged value of a patient.
#[derive(Serialize)]
pub struct FlagOut<'a> {
    pub r#where: String,
    pub code: &'a str,
    pub detail: &'a str,
}

/// The `patient --json` document of a read as of `as_of`.
pub fn patient_json(report: &ReadReport, as_of: Date) -> PatientJson<'_> {
    PatientJson {
        schema: "trialmatch.patient/1",
        as_of,
        patients: report
            .patients
            .iter()
            .map(|p| PatientOut {
                age: p.age_on(as_of),
                patient: p,
                derived: tm_clinical::derive(p, as_of, &tm_clinical::DeriveConfig::default()),
                flags: p
                    .all_flags()
                    .into_iter()
                    .map(|(w, f)| FlagOut {
                        r#where: w,
                        code: &f.code,
                        detail: &f.detail,
                    })
                    .collect(),
            })
            .collect(),
        skipped_types: &report.skipped_types,
        errors: &report.errors,
        excluded: report.excluded,
        unmapped_observations: report.unmapped_observations,
    }
}
