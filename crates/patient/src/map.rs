//! FHIR R4 resources → patient-model facts.

use crate::fhir;
use crate::normalize::{self, codings, concept_for, date, normalize_observation};
use crate::Builder;
use serde_json::Value;
use tm_model::patient::{
    flag, Allergy, Condition, ConsentFact, Flag, Lesion, Medication, MedicationKind, ObsComponent,
    ObsValue, Observation, Procedure, ReferenceRange, Sex, VascularInvasion,
};
use tm_model::{Date, Quantity};

/// The patient id a reference points to: `Patient/123`, `urn:uuid:123`,
/// `https://x/fhir/Patient/123/_history/2` → `123`.
pub fn patient_id(r: Option<&fhir::Reference>) -> Option<String> {
    let s = r?.reference.as_deref()?.trim();
    if let Some(u) = s.strip_prefix("urn:uuid:") {
        return Some(u.to_string());
    }
    if let Some(pos) = s.find("Patient/") {
        let rest = &s[pos + "Patient/".len()..];
        return rest.split('/').next().map(str::to_string);
    }
    if s.starts_with('#') {
        return None;
    }
    Some(s.rsplit('/').next().unwrap_or(s).to_string())
}

fn id_of(kind: &str, id: &Option<String>) -> String {
    format!("{kind}/{}", id.as_deref().unwrap_or("?"))
}

fn text_or_display(cc: Option<&fhir::CodeableConcept>) -> Option<String> {
    cc.and_then(|c| c.best_text()).map(str::to_string)
}

fn status_code(cc: &Option<fhir::CodeableConcept>) -> Option<String> {
    cc.as_ref().and_then(|c| c.first_code()).map(str::to_string)
}

/// Reads one resource into the builder. `default_patient` is used when a
/// resource has no subject (a file or bundle about one patient).
pub fn resource(b: &mut Builder, v: Value, origin: &str, default_patient: Option<&str>) {
    let Some(rt) = v
        .get("resourceType")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        *b.skipped_types
            .entry("(no resourceType)".to_string())
            .or_default() += 1;
        return;
    };
    macro_rules! parse {
        ($t:ty) => {
            match serde_json::from_value::<$t>(v) {
                Ok(r) => r,
                Err(e) => {
                    b.errors.push(format!("{origin}: {rt}: {e}"));
                    return;
                }
            }
        };
    }
    let subject = |r: Option<&fhir::Reference>| {
        patient_id(r)
            .or_else(|| default_patient.map(str::to_string))
            .unwrap_or_else(|| "(no subject)".to_string())
    };
    b.resources_read += 1;
    match rt.as_str() {
        "Patient" => {
            let p: fhir::Patient = parse!(fhir::Patient);
            patient(b, p);
        }
        "Observation" => {
            let o: fhir::Observation = parse!(fhir::Observation);
            let pid = subject(o.subject.as_ref());
            observation(b, &pid, o);
        }
        "Condition" => {
            let c: fhir::Condition = parse!(fhir::Condition);
            let pid = subject(c.subject.as_ref());
            condition(b, &pid, c);
        }
        "Procedure" => {
            let p: fhir::Procedure = parse!(fhir::Procedure);
            let pid = subject(p.subject.as_ref());
            procedure(b, &pid, p);
        }
        "MedicationStatement" | "MedicationRequest" | "MedicationAdministration" => {
            let m: fhir::MedicationUse = parse!(fhir::MedicationUse);
            let pid = subject(m.subject.as_ref());
            let kind = match rt.as_str() {
                "MedicationStatement" => MedicationKind::Statement,
                "MedicationRequest" => MedicationKind::Request,
                _ => MedicationKind::Administration,
            };
            medication(b, &pid, m, kind, &rt);
        }
        "AllergyIntolerance" => {
            let a: fhir::AllergyIntolerance = parse!(fhir::AllergyIntolerance);
            let pid = subject(a.patient.as_ref());
            allergy(b, &pid, a);
        }
        "DiagnosticReport" => {
            let d: fhir::DiagnosticReport = parse!(fhir::DiagnosticReport);
            let pid = subject(d.subject.as_ref());
            report(b, &pid, d);
        }
        "Consent" => {
            let c: fhir::Consent = parse!(fhir::Consent);
            let pid = subject(c.patient.as_ref());
            consent(b, &pid, c);
        }
        "Medication" => {
            // used to resolve medicationReference; collected beforehand
        }
        other => {
            b.resources_read -= 1;
            *b.skipped_types.entry(other.to_string()).or_default() += 1;
        }
    }
}

fn patient(b: &mut Builder, p: fhir::Patient) {
    let id = p.id.clone().unwrap_or_else(|| "(no id)".to_string());
    let pt = b.patient_mut(&id);
    let sex = match p.gender.as_deref() {
        Some("male") => Sex::Male,
        Some("female") => Sex::Female,
        Some("other") => Sex::Other,
        _ => Sex::Unknown,
    };
    if pt.sex != Sex::Unknown && sex != Sex::Unknown && pt.sex != sex {
        pt.flags.push(Flag::new(
            flag::CONFLICT,
            format!("sex {:?} vs {:?}", pt.sex, sex),
        ));
    }
    if sex != Sex::Unknown {
        pt.sex = sex;
    }
    if let Some(s) = p.birth_date.as_deref() {
        match date(Some(s)) {
            Some(d) => {
                if pt.birth_date.is_some_and(|old| old != d) {
                    pt.flags.push(Flag::new(
                        flag::CONFLICT,
                        format!(
                            "birth date {} vs {d}",
                            pt.birth_date.map(|x| x.to_string()).unwrap_or_default()
                        ),
                    ));
                }
                pt.birth_date = Some(d);
            }
            None => pt
                .flags
                .push(Flag::new(flag::UNREADABLE, format!("birth date {s:?}"))),
        }
    }
    if let Some(d) = date(p.deceased_date_time.as_deref()) {
        pt.deceased = Some(d);
    }
}

fn obs_date(o: &fhir::Observation) -> Option<Date> {
    date(o.effective_date_time.as_deref())
        .or_else(|| date(o.effective_instant.as_deref()))
        .or_else(|| date(o.effective_period.as_ref().and_then(|p| p.start.as_deref())))
        .or_else(|| date(o.issued.as_deref()))
}

/// A component's key: its concept id, else its project code, else its
/// normalised text.
fn comp_key(c: &fhir::ObservationComponent) -> String {
    let codes = codings(Some(&c.code));
    if let Some(k) = codes
        .iter()
        .find_map(|x| tm_lexicon::by_code(&x.system, &x.code))
    {
        return k.id.clone();
    }
    if let Some(tm) = codes.iter().find(|x| x.system == tm_lexicon::TM_SYSTEM) {
        return tm.code.clone();
    }
    if let Some(k) = concept_for(&codes, c.code.text.as_deref()) {
        return k.id.clone();
    }
    tm_lexicon::normalize_phrase(c.code.best_text().unwrap_or("")).replace(' ', "_")
}

fn comp_bool(c: &fhir::ObservationComponent) -> Option<bool> {
    if let Some(b) = c.value.value_boolean {
        return Some(b);
    }
    if let Some(cc) = &c.value.value_codeable_concept {
        return normalize::yes_no(&codings(Some(cc)), cc.text.as_deref());
    }
    c.value
        .value_string
        .as_deref()
        .and_then(|s| normalize::yes_no(&[], Some(s)))
}

fn grade_of(s: &str) -> Option<u8> {
    let digits: String = s
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok().filter(|g: &u8| *g <= 4)
}

fn comp_grade(c: &fhir::ObservationComponent) -> Option<u8> {
    if let Some(i) = c.value.value_integer {
        return u8::try_from(i).ok().filter(|g| *g <= 4);
    }
    if let Some(q) = &c.value.value_quantity {
        return q.value.and_then(|v| grade_of(&format!("{v}")));
    }
    if let Some(s) = &c.value.value_string {
        return grade_of(s);
    }
    c.value.value_codeable_concept.as_ref().and_then(|cc| {
        cc.best_text().and_then(grade_of).or_else(|| {
            cc.coding
                .iter()
                .find_map(|x| x.code.as_deref().and_then(grade_of))
        })
    })
}

fn length_cm(q: &fhir::Quantity) -> Option<Quantity> {
    let (q, _) = normalize::fhir_quantity(q)?;
    let u = tm_units::parse_unit(&q.unit).ok()?;
    if u.dimension != tm_units::Dimension::Length {
        return None;
    }
    tm_units::convert(&q, "cm", None).ok()
}

fn is_intrahepatic(site: &str) -> bool {
    let s = site.to_lowercase();
    s.contains("liver") || s.contains("hepat") || s.contains("segment") || s.contains("lobe")
}

fn observation(b: &mut Builder, pid: &str, o: fhir::Observation) {
    if matches!(
        o.status.as_deref(),
        Some("entered-in-error") | Some("cancelled")
    ) {
        b.excluded += 1;
        return;
    }
    let codes = codings(Some(&o.code));
    let text = text_or_display(Some(&o.code));
    let concept = concept_for(&codes, o.code.text.as_deref()).map(|c| c.id.clone());
    let effective = obs_date(&o);
    let source = id_of("Observation", &o.id);
    let mut flags = Vec::new();
    if matches!(
        o.status.as_deref(),
        Some("preliminary") | Some("registered")
    ) {
        flags.push(Flag::new(
            flag::UNCONFIRMED,
            format!("status {}", o.status.as_deref().unwrap_or("")),
        ));
    }
    if effective.is_none() {
        flags.push(Flag::new(flag::UNDATED, "no effective date"));
    }
    match concept.as_deref() {
        Some("lesion") => {
            let mut diameters: Vec<Quantity> = Vec::new();
            if let Some(q) = o.value.value_quantity.as_ref().and_then(length_cm) {
                diameters.push(q);
            }
            let mut l = Lesion {
                effective,
                source,
                ..Default::default()
            };
            for c in &o.component {
                match comp_key(c).as_str() {
                    "arterial_enhancement" => l.arterial_enhancement = comp_bool(c),
                    "washout" => l.washout = comp_bool(c),
                    "previously_treated" => l.previously_treated = comp_bool(c),
                    _ => {
                        if let Some(q) = c.value.value_quantity.as_ref().and_then(length_cm) {
                            diameters.push(q);
                        }
                    }
                }
            }
            diameters.sort_by(|a, b| b.value.total_cmp(&a.value));
            l.diameters = diameters;
            l.site = o
                .body_site
                .as_ref()
                .and_then(|s| s.best_text())
                .map(str::to_string);
            l.intrahepatic = l.site.as_deref().map(is_intrahepatic);
            l.label = o.identifier.iter().find_map(|i| i.value.clone());
            l.flags = flags;
            if l.diameters.is_empty() {
                l.flags.push(Flag::new(
                    flag::UNREADABLE,
                    "lesion without a length diameter",
                ));
            }
            b.patient_mut(pid).lesions.push(l);
            return;
        }
        Some("pvtt") | Some("macrovascular_invasion") | Some("vp_grade") => {
            let mut vi = VascularInvasion {
                effective,
                source,
                flags,
                ..Default::default()
            };
            let main_bool = o.value.value_boolean.or_else(|| {
                o.value
                    .value_codeable_concept
                    .as_ref()
                    .and_then(|cc| normalize::yes_no(&codings(Some(cc)), cc.text.as_deref()))
            });
            let main_grade = o
                .value
                .value_integer
                .and_then(|i| u8::try_from(i).ok())
                .or_else(|| o.value.value_string.as_deref().and_then(grade_of))
                .or_else(|| {
                    o.value
                        .value_codeable_concept
                        .as_ref()
                        .and_then(|cc| cc.best_text().and_then(grade_of))
                });
            vi.vp_grade = main_grade;
            for c in &o.component {
                match comp_key(c).as_str() {
                    "vp_grade" => vi.vp_grade = comp_grade(c),
                    "tumour_thrombus" => vi.tumour_thrombus = comp_bool(c),
                    _ => {}
                }
            }
            vi.present = main_bool.unwrap_or(vi.vp_grade.is_none_or(|g| g > 0));
            vi.vessel = o
                .body_site
                .as_ref()
                .and_then(|s| s.best_text())
                .map(str::to_string);
            b.patient_mut(pid).vascular_invasion.push(vi);
            return;
        }
        _ => {}
    }
    let (value, comparator) = normalize::value_from_fhir(&o.value);
    let reference_range = o.reference_range.first().map(|r| ReferenceRange {
        low: r
            .low
            .as_ref()
            .and_then(normalize::fhir_quantity)
            .map(|x| x.0),
        high: r
            .high
            .as_ref()
            .and_then(normalize::fhir_quantity)
            .map(|x| x.0),
        text: r.text.clone(),
    });
    let components: Vec<ObsComponent> = o
        .component
        .iter()
        .map(|c| {
            let codes = codings(Some(&c.code));
            ObsComponent {
                concept: concept_for(&codes, c.code.text.as_deref()).map(|k| k.id.clone()),
                code: codes,
                text: text_or_display(Some(&c.code)),
                value: normalize::value_from_fhir(&c.value).0,
            }
        })
        .collect();
    let mut obs = Observation {
        concept,
        code: codes,
        text,
        value,
        comparator,
        original: None,
        reference_range,
        effective,
        interpretation: o
            .interpretation
            .iter()
            .flat_map(|i| codings(Some(i)))
            .collect(),
        components,
        source: source.clone(),
        flags,
        reading: None,
    };
    // Components with a concept become observations of their own
    // (systolic / diastolic of a blood-pressure panel).
    let mut extra = Vec::new();
    for (i, c) in obs.components.iter().enumerate() {
        if c.concept.is_some() && c.value.is_some() {
            let (_, comparator) = o
                .component
                .get(i)
                .map(|fc| normalize::value_from_fhir(&fc.value))
                .unwrap_or((None, None));
            let mut co = Observation {
                concept: c.concept.clone(),
                code: c.code.clone(),
                text: c.text.clone(),
                value: c.value.clone(),
                comparator,
                effective,
                source: source.clone(),
                flags: obs.flags.clone(),
                ..Default::default()
            };
            normalize_observation(&mut co);
            extra.push(co);
        }
    }
    if obs.concept.is_none() {
        b.unmapped += 1;
    }
    normalize_observation(&mut obs);
    let pt = b.patient_mut(pid);
    pt.observations.push(obs);
    pt.observations.extend(extra);
}

fn condition(b: &mut Builder, pid: &str, c: fhir::Condition) {
    let ver = status_code(&c.verification_status);
    if matches!(ver.as_deref(), Some("refuted") | Some("entered-in-error")) {
        b.excluded += 1;
        return;
    }
    let codes = codings(c.code.as_ref());
    let concept = concept_for(&codes, c.code.as_ref().and_then(|x| x.text.as_deref()));
    let onset = date(c.onset_date_time.as_deref())
        .or_else(|| date(c.onset_period.as_ref().and_then(|p| p.start.as_deref())))
        .or_else(|| date(c.recorded_date.as_deref()));
    let abatement = date(c.abatement_date_time.as_deref())
        .or_else(|| date(c.abatement_period.as_ref().and_then(|p| p.end.as_deref())));
    let source = id_of("Condition", &c.id);
    let mut flags = Vec::new();
    if matches!(
        ver.as_deref(),
        Some("provisional") | Some("differential") | Some("unconfirmed")
    ) {
        flags.push(Flag::new(
            flag::UNCONFIRMED,
            format!("verification {}", ver.as_deref().unwrap_or("")),
        ));
    }
    if onset.is_none() {
        flags.push(Flag::new(flag::UNDATED, "no onset or recorded date"));
    }
    let body_site: Vec<String> = c
        .body_site
        .iter()
        .filter_map(|s| s.best_text())
        .map(str::to_string)
        .collect();
    let cond = Condition {
        concept: concept.map(|k| k.id.clone()),
        codes,
        text: text_or_display(c.code.as_ref()),
        onset,
        abatement,
        clinical_status: status_code(&c.clinical_status),
        verification_status: ver,
        body_site: body_site.clone(),
        severity: text_or_display(c.severity.as_ref()),
        source: source.clone(),
        flags,
        grade: None,
    };
    let pt = b.patient_mut(pid);
    if matches!(
        cond.concept.as_deref(),
        Some("pvtt") | Some("macrovascular_invasion")
    ) {
        pt.vascular_invasion.push(VascularInvasion {
            present: true,
            vessel: body_site.first().cloned(),
            effective: onset,
            source: source.clone(),
            ..Default::default()
        });
    }
    // Condition.stage: the stage as an observation (mCODE puts stage in
    // its own Observation too; both are read).
    for st in &c.stage {
        let Some(summary) = &st.summary else { continue };
        let scodes = codings(Some(summary));
        let concept = st
            .kind
            .as_ref()
            .and_then(|k| concept_for(&codings(Some(k)), k.text.as_deref()))
            .or_else(|| concept_for(&scodes, summary.text.as_deref()))
            .map(|k| k.id.clone())
            .or_else(|| Some("tnm_stage".to_string()));
        let mut o = Observation {
            concept,
            text: summary.best_text().map(str::to_string),
            value: Some(ObsValue::Coded {
                codes: scodes,
                text: summary.text.clone(),
            }),
            effective: onset,
            source: source.clone(),
            ..Default::default()
        };
        normalize_observation(&mut o);
        pt.observations.push(o);
    }
    let mut cond = cond;
    crate::reading::read_condition(&mut cond);
    pt.conditions.push(cond);
}

fn lipiodol_detail(texts: &[String]) -> Option<&'static str> {
    let all = texts.join(" ").to_lowercase();
    let neg = [
        "without lipiodol",
        "no lipiodol",
        "non-iodized",
        "non iodized",
        "non-iodised",
        "lipiodol-free",
        "without iodized oil",
        "drug-eluting bead",
        "deb-tace",
    ];
    if neg.iter().any(|n| all.contains(n)) {
        return Some("without lipiodol");
    }
    if tm_lexicon::find_in(&all)
        .iter()
        .any(|(_, c)| c.id == "lipiodol")
        || all.contains("conventional tace")
        || all.contains("ctace")
    {
        return Some("with lipiodol");
    }
    None
}

fn procedure(b: &mut Builder, pid: &str, p: fhir::Procedure) {
    if matches!(
        p.status.as_deref(),
        Some("not-done") | Some("entered-in-error")
    ) {
        b.excluded += 1;
        return;
    }
    let codes = codings(p.code.as_ref());
    let concept = concept_for(&codes, p.code.as_ref().and_then(|x| x.text.as_deref()));
    let date = date(p.performed_date_time.as_deref())
        .or_else(|| date(p.performed_period.as_ref().and_then(|x| x.start.as_deref())));
    let mut details: Vec<String> = Vec::new();
    details.extend(
        p.used_code
            .iter()
            .filter_map(|c| c.best_text())
            .map(str::to_string),
    );
    details.extend(
        p.body_site
            .iter()
            .filter_map(|c| c.best_text())
            .map(str::to_string),
    );
    details.extend(p.note.iter().filter_map(|n| n.text.clone()));
    let text = text_or_display(p.code.as_ref());
    let mut probe = details.clone();
    probe.extend(text.clone());
    if let Some(d) = lipiodol_detail(&probe) {
        details.push(d.to_string());
    }
    let mut flags = Vec::new();
    if date.is_none() {
        flags.push(Flag::new(flag::UNDATED, "no performed date"));
    }
    b.patient_mut(pid).procedures.push(Procedure {
        concept: concept.map(|k| k.id.clone()),
        codes,
        text,
        date,
        status: p.status,
        details,
        source: id_of("Procedure", &p.id),
        flags,
    });
}

fn dose_of(m: &fhir::MedicationUse) -> Option<Quantity> {
    let q = m
        .dosage_instruction
        .first()
        .and_then(|d| d.dose_and_rate.first())
        .and_then(|d| d.dose_quantity.clone())
        .or_else(|| match &m.dosage {
            Some(Value::Array(a)) => a
                .first()
                .and_then(|d| serde_json::from_value::<fhir::Dosage>(d.clone()).ok())
                .and_then(|d| {
                    d.dose_and_rate
                        .first()
                        .and_then(|x| x.dose_quantity.clone())
                }),
            Some(v @ Value::Object(_)) => {
                serde_json::from_value::<fhir::AdministrationDosage>(v.clone())
                    .ok()
                    .and_then(|d| d.dose)
            }
            _ => None,
        })?;
    let (q, _) = normalize::fhir_quantity(&q)?;
    Some(tm_units::normalize(&q).unwrap_or(q))
}

fn medication(b: &mut Builder, pid: &str, m: fhir::MedicationUse, kind: MedicationKind, rt: &str) {
    if matches!(
        m.status.as_deref(),
        Some("entered-in-error") | Some("not-taken") | Some("not-done") | Some("cancelled")
    ) {
        b.excluded += 1;
        return;
    }
    let resolved = m.medication_reference.as_ref().and_then(|r| {
        let key = r.reference.as_deref()?;
        let id = key.strip_prefix("urn:uuid:").unwrap_or(key);
        let id = id
            .strip_prefix("Medication/")
            .unwrap_or(id)
            .trim_start_matches('#');
        b.medications.get(id).cloned()
    });
    let cc = m.medication_codeable_concept.clone().or(resolved);
    let codes = codings(cc.as_ref());
    let text = text_or_display(cc.as_ref()).or_else(|| {
        m.medication_reference
            .as_ref()
            .and_then(|r| r.display.clone())
    });
    let concept = concept_for(
        &codes,
        cc.as_ref()
            .and_then(|c| c.text.as_deref())
            .or(text.as_deref()),
    );
    let period = m.effective_period.clone().or_else(|| {
        m.dispense_request
            .as_ref()
            .and_then(|d| d.validity_period.clone())
    });
    let start = date(period.as_ref().and_then(|p| p.start.as_deref()))
        .or_else(|| date(m.effective_date_time.as_deref()))
        .or_else(|| date(m.authored_on.as_deref()))
        .or_else(|| date(m.date_asserted.as_deref()));
    let mut end = date(period.as_ref().and_then(|p| p.end.as_deref()));
    if kind == MedicationKind::Administration && end.is_none() {
        end = date(m.effective_date_time.as_deref());
    }
    let mut flags = Vec::new();
    if start.is_none() {
        flags.push(Flag::new(flag::UNDATED, "no period or date"));
    }
    let dose = dose_of(&m);
    b.patient_mut(pid).medications.push(Medication {
        concept: concept.map(|k| k.id.clone()),
        codes,
        text,
        kind,
        start,
        end,
        status: m.status,
        dose,
        source: id_of(rt, &m.id),
        flags,
    });
}

fn allergy(b: &mut Builder, pid: &str, a: fhir::AllergyIntolerance) {
    let ver = status_code(&a.verification_status);
    if matches!(ver.as_deref(), Some("refuted") | Some("entered-in-error")) {
        b.excluded += 1;
        return;
    }
    let mut codes = codings(a.code.as_ref());
    let mut concept = concept_for(&codes, a.code.as_ref().and_then(|x| x.text.as_deref()));
    if concept.is_none() {
        for r in &a.reaction {
            let sc = codings(r.substance.as_ref());
            if let Some(k) = concept_for(&sc, r.substance.as_ref().and_then(|x| x.text.as_deref()))
            {
                concept = Some(k);
                codes.extend(sc);
                break;
            }
        }
    }
    let rank = |s: &str| match s {
        "severe" => 3,
        "moderate" => 2,
        "mild" => 1,
        _ => 0,
    };
    let severity = a
        .reaction
        .iter()
        .filter_map(|r| r.severity.clone())
        .max_by_key(|s| rank(s));
    let reactions = a
        .reaction
        .iter()
        .flat_map(|r| {
            r.manifestation
                .iter()
                .filter_map(|m| m.best_text())
                .map(str::to_string)
        })
        .collect();
    let mut flags = Vec::new();
    if matches!(ver.as_deref(), Some("unconfirmed") | Some("presumed")) {
        flags.push(Flag::new(
            flag::UNCONFIRMED,
            format!("verification {}", ver.as_deref().unwrap_or("")),
        ));
    }
    b.patient_mut(pid).allergies.push(Allergy {
        concept: concept.map(|k| k.id.clone()),
        codes,
        text: text_or_display(a.code.as_ref()),
        category: a.category,
        criticality: a.criticality,
        reactions,
        severity,
        clinical_status: status_code(&a.clinical_status),
        verification_status: ver,
        onset: date(a.onset_date_time.as_deref()).or_else(|| date(a.recorded_date.as_deref())),
        source: id_of("AllergyIntolerance", &a.id),
        flags,
    });
}

fn report(b: &mut Builder, pid: &str, d: fhir::DiagnosticReport) {
    if matches!(
        d.status.as_deref(),
        Some("entered-in-error") | Some("cancelled")
    ) {
        b.excluded += 1;
        return;
    }
    if d.conclusion.is_none() && d.conclusion_code.is_empty() {
        return; // results are read as Observations
    }
    let codes = codings(Some(&d.code));
    let value = if d.conclusion_code.is_empty() {
        d.conclusion.clone().map(ObsValue::Text)
    } else {
        Some(ObsValue::Coded {
            codes: d
                .conclusion_code
                .iter()
                .flat_map(|c| codings(Some(c)))
                .collect(),
            text: d.conclusion.clone(),
        })
    };
    let effective = date(d.effective_date_time.as_deref())
        .or_else(|| date(d.effective_period.as_ref().and_then(|p| p.start.as_deref())))
        .or_else(|| date(d.issued.as_deref()));
    let concept = concept_for(&codes, d.code.text.as_deref()).map(|k| k.id.clone());
    let mut o = Observation {
        concept,
        text: text_or_display(Some(&d.code)),
        code: codes,
        value,
        effective,
        source: id_of("DiagnosticReport", &d.id),
        ..Default::default()
    };
    normalize_observation(&mut o);
    b.patient_mut(pid).observations.push(o);
}

fn consent(b: &mut Builder, pid: &str, c: fhir::Consent) {
    if matches!(
        c.status.as_deref(),
        Some("entered-in-error") | Some("draft") | Some("proposed")
    ) {
        b.excluded += 1;
        return;
    }
    let kind = c
        .category
        .iter()
        .chain(c.scope.iter())
        .find_map(|cc| concept_for(&codings(Some(cc)), cc.text.as_deref()))
        .map(|k| k.id.clone())
        .unwrap_or_else(|| "informed_consent".to_string());
    b.patient_mut(pid).consents.push(ConsentFact {
        kind,
        given: c.status.as_deref() == Some("active"),
        date: date(c.date_time.as_deref()),
        source: id_of("Consent", &c.id),
    });
}
