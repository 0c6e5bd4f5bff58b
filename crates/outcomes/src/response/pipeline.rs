//! The whole chain: input (SDTM directory or lesion CSV) → per-time-point responses → ADRS
//! parameters → ADTTE records → ADTR sums → per-arm endpoint summary, as one
//! [`ResponseReport`] (JSON in docs/contracts.md, section "response").

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::bor::{derive_subject, BorOptions, OvrRecord, SubjectResponse};
use super::dates::{impute, study_day, DateRules};
use super::endpoints::{derive_tte, summarize, EndpointOptions, EndpointSummary, TteRecord};
use super::lesions::{read_lesion_csv, LesionRecord, Skipped, SubjectInfo, INVESTIGATOR};
use super::timepoint::{evaluate, TimePoint, TimePointOptions};
use super::{Criteria, Millimetres, Response};
use crate::sdtm::{read_sdtm_dir, RsRecord, SdtmUsage};
use tm_model::date::Date;

/// Version of the [`ResponseReport`] JSON shape.
pub const RESPONSE_SCHEMA_VERSION: u32 = 1;

/// Where the per-visit overall responses (ADRS OVR) come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OvrSource {
    /// RS `OVRLRESP` when the input has it (as admiralonco does), otherwise derived.
    #[default]
    Auto,
    /// RS `OVRLRESP` only.
    Rs,
    /// Derived from the lesion measurements by the chosen criteria.
    Derived,
}

/// Every option of the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseOptions {
    pub criteria: Criteria,
    pub timepoint: TimePointOptions,
    pub bor: BorOptions,
    pub dates: DateRules,
    pub endpoints: EndpointOptions,
    pub source: OvrSource,
    /// The evaluator whose responses make BOR and the endpoints; with SDTM input, TU/TR/RS rows
    /// of other evaluators are dropped (reported in `input_usage`). `None` = every evaluator is
    /// read and `INVESTIGATOR` is primary (the only one when there is a single evaluator).
    pub evaluator: Option<String>,
    /// Add the iRECIST block (derived from the RECIST 1.1 time points); on automatically when
    /// the SDTM directory has an iRECIST RS file.
    pub irecist: bool,
}

impl ResponseOptions {
    pub fn new(criteria: Criteria) -> Self {
        ResponseOptions {
            criteria,
            timepoint: TimePointOptions::for_criteria(criteria),
            bor: BorOptions::default(),
            dates: DateRules::default(),
            endpoints: EndpointOptions::default(),
            source: OvrSource::Auto,
            evaluator: None,
            irecist: false,
        }
    }
}

impl Default for ResponseOptions {
    fn default() -> Self {
        ResponseOptions::new(Criteria::Recist11)
    }
}

/// Per-subject result line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectSummary {
    pub subject: String,
    pub arm: Option<String>,
    pub randomization: Option<Date>,
    /// Post-baseline response assessments used (ANL01FL).
    pub assessments: usize,
    pub bor: String,
    pub bor_date: Option<Date>,
    pub confirmed_bor: String,
    pub confirmed_bor_date: Option<Date>,
    /// First response (unconfirmed) and first confirmed response.
    pub response_date: Option<Date>,
    pub confirmed_response_date: Option<Date>,
    pub progression_date: Option<Date>,
    pub death_date: Option<Date>,
    pub last_assessment_date: Option<Date>,
    pub measurable_disease: bool,
    /// Start of the first new anticancer therapy (PFS censoring evidence) and its source.
    pub new_therapy_date: Option<Date>,
    pub new_therapy_source: Option<String>,
}

/// One ADTR-like SDIAM record (investigator target lesions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdtrRow {
    pub subject: String,
    pub arm: Option<String>,
    pub visit: Option<String>,
    pub date_text: String,
    pub adt: Date,
    pub adtf: Option<&'static str>,
    pub ady: Option<i32>,
    pub aval: Millimetres,
    pub base: Option<Millimetres>,
    pub chg: Option<f64>,
    pub pchg: Option<f64>,
    pub nadir: Option<Millimetres>,
    pub chgnad: Option<f64>,
    pub pchgnad: Option<f64>,
    pub ablfl: bool,
    pub anl01fl: bool,
    pub lsexp: String,
    pub lsass: String,
}

/// RS OVRLRESP compared with the responses derived from TR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsAgreement {
    pub compared: usize,
    pub agreed: usize,
    pub mismatches: Vec<RsMismatch>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsMismatch {
    pub subject: String,
    pub evaluator: String,
    pub visit: Option<String>,
    pub date_text: String,
    pub rs: String,
    pub derived: Option<String>,
}

/// What the pipeline used and skipped.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InputUsage {
    /// The evaluator whose per-visit responses make BOR, ADTR and the endpoints.
    pub primary_evaluator: String,
    /// SDTM input: rows of TU/TR/RS read, used and skipped (summary records, other
    /// evaluators, unknown tests). `null` for a lesion CSV.
    pub sdtm: Option<SdtmUsage>,
    /// Lesion CSV: data rows used (the skipped ones are in `skipped`).
    pub lesion_rows_used: Option<usize>,
    /// Per evaluator: derived time points (baseline and post-baseline) and how many
    /// post-baseline ones are NE.
    pub evaluators: Vec<EvaluatorUsage>,
    /// RS OVRLRESP records of the primary evaluator used (source `rs`).
    pub rs_records_used: usize,
    /// Subjects with a new anticancer therapy date (CM/PR/EX/ADaM-like or the lesion CSV),
    /// and the PFS records censored because of it.
    pub new_therapy_subjects: usize,
    pub pfs_censored_new_therapy: usize,
}

/// Derived time points of one evaluator.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvaluatorUsage {
    pub evaluator: String,
    pub subjects: usize,
    pub lesion_records: usize,
    pub baseline_timepoints: usize,
    pub post_baseline_timepoints: usize,
    pub post_baseline_ne: usize,
    /// Post-baseline time points whose baseline target measurements are incomplete.
    pub incomplete_baseline: usize,
}

/// The full result.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseReport {
    pub schema_version: u32,
    pub input: String,
    /// `sdtm` or `lesions`.
    pub input_kind: &'static str,
    pub criteria: Criteria,
    /// `rs` (SDTM RS OVRLRESP) or `derived` (from the measurements).
    pub response_source: &'static str,
    pub options: ResponseOptions,
    pub subjects: Vec<SubjectSummary>,
    pub timepoints: Vec<TimePoint>,
    pub endpoints: EndpointSummary,
    pub rs_agreement: Option<RsAgreement>,
    pub warnings: Vec<String>,
    pub skipped: Vec<Skipped>,
    /// What was read, used and skipped (docs/contracts.md, "response": `input_usage`).
    pub input_usage: InputUsage,
    /// iRECIST time points, BOR, ORR/DCR and agreement with RS iRECIST records (`null` unless
    /// `--irecist` or an iRECIST RS file is present).
    pub irecist: Option<super::irecist::IrecistReport>,
    #[serde(skip)]
    pub subject_info: Vec<SubjectInfo>,
    #[serde(skip)]
    pub responses: Vec<SubjectResponse>,
    #[serde(skip)]
    pub tte: Vec<TteRecord>,
    #[serde(skip)]
    pub adtr: Vec<AdtrRow>,
}

/// Runs the pipeline on an SDTM directory.
pub fn run_sdtm(dir: &Path, opts: &ResponseOptions) -> Result<ResponseReport, String> {
    let study = read_sdtm_dir(dir, &opts.dates, opts.evaluator.as_deref())?;
    let mut warnings = study.warnings;
    if opts.criteria == Criteria::Mrecist
        && !study.lesions.is_empty()
        && study.lesions.iter().all(|l| l.viable_diameter.is_none())
    {
        warnings.push(
            "mRECIST needs viable-tumour diameters (TR TRTESTCD VIABDIAM); none found, so target responses derived from TR are NE — use the lesion CSV"
                .to_string(),
        );
    }
    let rs: Vec<RsRecord> = study
        .rs
        .into_iter()
        .filter(|r| r.testcd == "OVRLRESP")
        .collect();
    let primary = primary_evaluator(
        opts.evaluator.as_deref(),
        &study.usage.evaluators,
        &mut warnings,
    );
    let mut subjects = study.subjects;
    for s in &mut subjects {
        s.measurable = study
            .measurable
            .contains(&(s.subject.clone(), primary.clone()));
    }
    let usage = InputUsage {
        primary_evaluator: primary,
        sdtm: Some(study.usage),
        ..Default::default()
    };
    let irecist_rs = study.rs_irecist;
    let mut rep = build(
        dir.display().to_string(),
        "sdtm",
        subjects,
        study.lesions,
        Some(rs),
        warnings,
        Vec::new(),
        usage,
        opts,
    )?;
    if opts.irecist || !irecist_rs.is_empty() {
        rep.irecist = Some(irecist_block(&rep, &irecist_rs));
    }
    Ok(rep)
}

fn irecist_block(rep: &ResponseReport, rs: &[RsRecord]) -> super::irecist::IrecistReport {
    let rand: BTreeMap<String, Option<Date>> = rep
        .subject_info
        .iter()
        .map(|s| (s.subject.clone(), s.randomization))
        .collect();
    let o = super::irecist::IrecistOptions {
        sd_min_days: rep.options.bor.sd_min_days,
        ..Default::default()
    };
    super::irecist::report(
        &rep.timepoints,
        &rep.input_usage.primary_evaluator,
        &rand,
        rs,
        &o,
    )
}

/// The evaluator of the primary analysis: the one asked for (its full key when it matches one
/// seen), else `INVESTIGATOR` when present, else the first one seen (with a warning).
fn primary_evaluator(wanted: Option<&str>, seen: &[String], warnings: &mut Vec<String>) -> String {
    if let Some(w) = wanted {
        return seen
            .iter()
            .find(|e| crate::sdtm::evaluator_matches(e, w))
            .cloned()
            .unwrap_or_else(|| {
                warnings.push(format!(
                    "evaluator {w:?} not found (seen: {}); nothing to analyse",
                    seen.join(", ")
                ));
                w.trim().to_ascii_uppercase()
            });
    }
    if seen.is_empty() || seen.iter().any(|e| e == INVESTIGATOR) {
        return INVESTIGATOR.to_string();
    }
    warnings.push(format!(
        "no INVESTIGATOR records: {} is the primary evaluator (--evaluator chooses another)",
        seen[0]
    ));
    seen[0].clone()
}

/// Runs the pipeline on a lesion-measurement CSV.
pub fn run_lesions(path: &Path, opts: &ResponseOptions) -> Result<ResponseReport, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    run_lesion_text(&text, &path.display().to_string(), opts)
}

/// Runs the pipeline on lesion-CSV text.
pub fn run_lesion_text(
    text: &str,
    name: &str,
    opts: &ResponseOptions,
) -> Result<ResponseReport, String> {
    let input = read_lesion_csv(text, name, &opts.dates)?;
    if input.records.is_empty() {
        return Err(format!(
            "{name}: no usable rows ({} skipped{})",
            input.skipped.len(),
            input
                .skipped
                .first()
                .map(|s| format!("; line {}: {}", s.line, s.reason))
                .unwrap_or_default()
        ));
    }
    if opts.source == OvrSource::Rs {
        return Err("--source rs needs SDTM RS data; a lesion CSV has measurements only".into());
    }
    let mut warnings = input.warnings;
    let mut records = input.records;
    let mut seen: Vec<String> = Vec::new();
    for r in &records {
        if !seen.contains(&r.evaluator) {
            seen.push(r.evaluator.clone());
        }
    }
    if let Some(w) = opts.evaluator.as_deref() {
        records.retain(|r| crate::sdtm::evaluator_matches(&r.evaluator, w));
    }
    let primary = primary_evaluator(opts.evaluator.as_deref(), &seen, &mut warnings);
    let usage = InputUsage {
        primary_evaluator: primary,
        lesion_rows_used: Some(records.len()),
        ..Default::default()
    };
    let mut rep = build(
        name.to_string(),
        "lesions",
        input.subjects,
        records,
        None,
        warnings,
        input.skipped,
        usage,
        opts,
    )?;
    if opts.irecist {
        rep.irecist = Some(irecist_block(&rep, &[]));
    }
    Ok(rep)
}

#[allow(clippy::too_many_arguments)]
fn build(
    input: String,
    input_kind: &'static str,
    subjects: Vec<SubjectInfo>,
    lesions: Vec<LesionRecord>,
    rs: Option<Vec<RsRecord>>,
    mut warnings: Vec<String>,
    skipped: Vec<Skipped>,
    mut usage: InputUsage,
    opts: &ResponseOptions,
) -> Result<ResponseReport, String> {
    let primary = usage.primary_evaluator.clone();
    let mut info: BTreeMap<String, SubjectInfo> = subjects
        .into_iter()
        .map(|s| (s.subject.clone(), s))
        .collect();
    for l in &lesions {
        info.entry(l.subject.clone())
            .or_insert_with(|| SubjectInfo {
                subject: l.subject.clone(),
                ..Default::default()
            });
    }
    if let Some(rs) = &rs {
        for r in rs {
            if !info.contains_key(&r.subject) {
                warnings.push(format!("RS subject {} is not in DM; ignored", r.subject));
            }
        }
    }
    // Per-time-point responses for every subject × evaluator with measurements.
    let mut by_se: BTreeMap<(String, String), Vec<&LesionRecord>> = BTreeMap::new();
    for l in &lesions {
        by_se
            .entry((l.subject.clone(), l.evaluator.clone()))
            .or_default()
            .push(l);
    }
    let mut timepoints: Vec<TimePoint> = Vec::new();
    let mut tp_opts = opts.timepoint;
    tp_opts.criteria = opts.criteria;
    let mut baseline_stand_in = 0usize;
    for ((subj, _ev), recs) in &by_se {
        let reference = info.get(subj).and_then(|i| i.randomization);
        let tps = evaluate(recs, reference, &tp_opts, &opts.dates);
        timepoints.extend(tps);
    }
    // Lesion CSV: without a randomisation date the baseline scan stands in for it.
    if input_kind == "lesions" {
        for tp in timepoints
            .iter()
            .filter(|t| t.baseline && t.evaluator == primary)
        {
            if let Some(i) = info.get_mut(&tp.subject) {
                if i.randomization.is_none() {
                    i.randomization = Some(tp.date);
                    baseline_stand_in += 1;
                }
                if tp.target.is_none() && !tp.expected_lesions.is_empty() {
                    i.measurable = true;
                }
            }
        }
        if baseline_stand_in > 0 {
            warnings.push(format!(
                "{baseline_stand_in} subject(s) without randomization_date: the baseline scan date is used as the start of PFS/OS/TTP and the SD minimum"
            ));
        }
    }

    let rs_ovr: Vec<&RsRecord> = rs
        .as_ref()
        .map(|v| v.iter().filter(|r| r.evaluator == primary).collect())
        .unwrap_or_default();
    let use_rs = match opts.source {
        OvrSource::Rs => true,
        OvrSource::Derived => false,
        OvrSource::Auto => !rs_ovr.is_empty(),
    };
    if opts.source == OvrSource::Derived && lesions.is_empty() {
        return Err("--source derived needs TR/TU measurements; none were read".into());
    }
    let mut ovr_by_subject: BTreeMap<String, Vec<OvrRecord>> = BTreeMap::new();
    if use_rs {
        usage.rs_records_used = rs_ovr.len();
        for r in rs_ovr {
            let d = impute(&r.dtc, opts.dates.response);
            ovr_by_subject
                .entry(r.subject.clone())
                .or_default()
                .push(OvrRecord {
                    subject: r.subject.clone(),
                    visit: r.visit.clone(),
                    visitnum: r.visitnum,
                    date_text: r.dtc.clone(),
                    date: d.map(|d| d.date),
                    date_flag: d.and_then(|d| d.flag),
                    response: Response::parse(&r.result),
                    seq: r.seq,
                    anl01: false,
                    anl02: false,
                });
        }
    } else {
        for tp in timepoints
            .iter()
            .filter(|t| !t.baseline && t.evaluator == primary)
        {
            let d = impute(&tp.date_text, opts.dates.response);
            let v = ovr_by_subject.entry(tp.subject.clone()).or_default();
            let seq = v.len() as i64 + 1;
            v.push(OvrRecord {
                subject: tp.subject.clone(),
                visit: tp.visit.clone(),
                visitnum: tp.visitnum,
                date_text: tp.date_text.clone(),
                date: d.map(|d| d.date),
                date_flag: d.and_then(|d| d.flag),
                response: tp.overall,
                seq,
                anl01: false,
                anl02: false,
            });
        }
    }

    let mut responses = Vec::new();
    let mut tte = Vec::new();
    let mut summaries = Vec::new();
    let derived = !use_rs && !lesions.is_empty();
    for (id, si) in &info {
        let ovr = ovr_by_subject.remove(id).unwrap_or_default();
        let resp = derive_subject(
            id,
            ovr,
            si.randomization,
            si.death,
            si.measurable,
            &opts.bor,
        );
        let hpd = timepoints
            .iter()
            .filter(|t| t.subject == *id && t.evaluator == primary && t.intrahepatic_progression)
            .filter_map(|t| impute(&t.date_text, opts.dates.response).map(|d| d.date))
            .filter(|d| si.randomization.is_some_and(|r| *d >= r))
            .min();
        tte.extend(derive_tte(si, &resp, hpd, derived, &opts.endpoints));
        summaries.push(SubjectSummary {
            subject: id.clone(),
            arm: si.arm.clone(),
            randomization: si.randomization,
            assessments: resp.ovr.iter().filter(|o| o.anl01).count(),
            bor: resp.bor.avalc.clone(),
            bor_date: resp.bor.date,
            confirmed_bor: resp.cbor.avalc.clone(),
            confirmed_bor_date: resp.cbor.date,
            response_date: resp.rsp.date,
            confirmed_response_date: resp.crsp.date,
            progression_date: resp.pd.date,
            death_date: si.death,
            last_assessment_date: resp.lsta.date,
            measurable_disease: resp.mdis.is_yes(),
            new_therapy_date: si.new_therapy,
            new_therapy_source: si.new_therapy_source.clone(),
        });
        responses.push(resp);
    }
    let subject_info: Vec<SubjectInfo> = info.into_values().collect();
    let endpoints = summarize(&subject_info, &responses, &tte, &opts.endpoints);
    let adtr = adtr_rows(&timepoints, &subject_info, &opts.dates, &primary);
    usage.evaluators = evaluator_usage(&lesions, &timepoints);
    usage.new_therapy_subjects = subject_info
        .iter()
        .filter(|s| s.new_therapy.is_some())
        .count();
    usage.pfs_censored_new_therapy = tte
        .iter()
        .filter(|t| {
            t.paramcd == "PFS"
                && t.censor_reason == Some(super::endpoints::censor_reasons::NEW_THERAPY)
        })
        .count();
    let rs_agreement = rs
        .as_ref()
        .filter(|_| !timepoints.is_empty())
        .map(|rs| agreement(rs, &timepoints));
    Ok(ResponseReport {
        schema_version: RESPONSE_SCHEMA_VERSION,
        input,
        input_kind,
        criteria: opts.criteria,
        response_source: if use_rs { "rs" } else { "derived" },
        options: opts.clone(),
        subjects: summaries,
        timepoints,
        endpoints,
        rs_agreement,
        warnings,
        skipped,
        input_usage: usage,
        irecist: None,
        subject_info,
        responses,
        tte,
        adtr,
    })
}

fn adtr_rows(
    timepoints: &[TimePoint],
    subjects: &[SubjectInfo],
    rules: &DateRules,
    primary: &str,
) -> Vec<AdtrRow> {
    let by: BTreeMap<&str, &SubjectInfo> =
        subjects.iter().map(|s| (s.subject.as_str(), s)).collect();
    timepoints
        .iter()
        .filter(|t| t.evaluator == primary)
        .filter_map(|t| {
            let sum = t.sum?;
            let si = by.get(t.subject.as_str());
            let d = impute(&t.date_text, rules.measurement)?;
            let base = t.baseline_sum;
            let diff =
                |a: Millimetres, b: Millimetres| (a.hundredths() - b.hundredths()) as f64 / 100.0;
            let pct = |a: Millimetres, b: Millimetres| {
                (b.hundredths() != 0).then(|| diff(a, b) / (b.hundredths() as f64 / 100.0) * 100.0)
            };
            Some(AdtrRow {
                subject: t.subject.clone(),
                arm: si.and_then(|s| s.arm.clone()),
                visit: t.visit.clone(),
                date_text: t.date_text.clone(),
                adt: d.date,
                adtf: d.flag,
                ady: si
                    .and_then(|s| s.randomization)
                    .map(|r| study_day(d.date, r)),
                aval: sum,
                base,
                chg: base.map(|b| diff(sum, b)),
                pchg: base.and_then(|b| pct(sum, b)),
                nadir: t.nadir,
                chgnad: t.nadir.map(|n| diff(sum, n)),
                pchgnad: t.nadir.and_then(|n| pct(sum, n)),
                ablfl: t.baseline,
                anl01fl: t.complete,
                lsexp: t.expected_lesions.join(", "),
                lsass: t.assessed_lesions.join(", "),
            })
        })
        .collect()
}

fn evaluator_usage(lesions: &[LesionRecord], timepoints: &[TimePoint]) -> Vec<EvaluatorUsage> {
    let mut by: BTreeMap<&str, (EvaluatorUsage, std::collections::BTreeSet<&str>)> =
        BTreeMap::new();
    for l in lesions {
        let e = by.entry(l.evaluator.as_str()).or_default();
        e.0.lesion_records += 1;
        e.1.insert(l.subject.as_str());
    }
    for t in timepoints {
        let e = by.entry(t.evaluator.as_str()).or_default();
        e.1.insert(t.subject.as_str());
        if t.baseline {
            e.0.baseline_timepoints += 1;
        } else {
            e.0.post_baseline_timepoints += 1;
            if t.overall == Some(Response::Ne) {
                e.0.post_baseline_ne += 1;
            }
            if t.baseline_sum.is_none() && !t.expected_lesions.is_empty() {
                e.0.incomplete_baseline += 1;
            }
        }
    }
    by.into_iter()
        .map(|(ev, (mut u, subj))| {
            u.evaluator = ev.to_string();
            u.subjects = subj.len();
            u
        })
        .collect()
}

/// Compares every RS OVRLRESP record with the derived time point of the same subject,
/// evaluator and visit (or date).
pub fn agreement(rs: &[RsRecord], timepoints: &[TimePoint]) -> RsAgreement {
    let mut compared = 0;
    let mut agreed = 0;
    let mut mismatches = Vec::new();
    for r in rs {
        let tp = timepoints.iter().find(|t| {
            t.subject == r.subject
                && t.evaluator == r.evaluator
                && !t.baseline
                && match (t.visitnum, r.visitnum) {
                    (Some(a), Some(b)) => a == b,
                    _ => t.date_text == r.dtc,
                }
        });
        let derived = tp.and_then(|t| t.overall).map(|o| o.code().to_string());
        let rs_code = Response::parse(&r.result).map(|x| x.code().to_string());
        compared += 1;
        if derived.is_some() && derived == rs_code {
            agreed += 1;
        } else {
            mismatches.push(RsMismatch {
                subject: r.subject.clone(),
                evaluator: r.evaluator.clone(),
                visit: r.visit.clone(),
                date_text: r.dtc.clone(),
                rs: r.result.clone(),
                derived,
            });
        }
    }
    RsAgreement {
        compared,
        agreed,
        mismatches,
    }
}
