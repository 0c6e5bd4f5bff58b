//! `trialmatch report`: a results report shaped like ClinicalTrials.gov's results section —
//! participant flow, baseline characteristics, registered outcome measures with their
//! computed values, adverse events — plus Kaplan-Meier, waterfall and swimmer plots, written
//! as `report.md`, a self-contained `report.html` (inline CSS and SVG) and `report.json`
//! (shape: [`model::Report`], docs/contracts.md section "report").
//!
//! Traceability: the report first writes the analysis datasets into the output folder and
//! then computes every table and plot from those files only:
//! - `adsl.csv` — subject level ([`adsl::derive_adsl`]);
//! - `adrs.csv`, `adtte.csv`, `adtr.csv`, `timepoints.csv` — the tumour-response pipeline
//!   ([`crate::response::pipeline::run_sdtm`] and [`crate::response::adam`]); when the SDTM
//!   folder has no tumour data (no RS/TR), `adtte.csv` holds OS only, from
//!   [`interim::os_from_adsl`];
//! - `adae.csv` — AE records with the treatment-emergent flag and grades of the safety module
//!   ([`crate::safety::exposure`], [`crate::safety::ae_records`]), plus SOC/term/outcome from
//!   SDTM AE.
//!
//! Outcome measures of the registered trial are matched to computed endpoints by keywords
//! ([`matching`]).

pub mod adsl;
pub mod interim;
pub mod matching;
pub mod model;
pub mod render;
pub mod tables;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tm_model::date::Date;
use tm_model::Trial;

use crate::plots::swimmer::{swimmer_svg, Lane, Mark};
use crate::plots::waterfall::{waterfall_svg, WaterfallBar};
use crate::response::pipeline::{run_sdtm, ResponseOptions};
use crate::response::Criteria;
use crate::sdtm::{find_domain, Table};
use crate::survival::plot::{km_svg, PlotOptions};
use model::*;

/// Options of [`generate`].
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The registered trial whose outcome measures are listed (`--trial`).
    pub trial: Option<Trial>,
    /// Response criteria of the response pipeline (default RECIST 1.1).
    pub criteria: Criteria,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Generated {
    pub report: Report,
    /// Every file written, report files first.
    pub files: Vec<PathBuf>,
}

struct Writer<'a> {
    dir: &'a Path,
    files: Vec<PathBuf>,
    datasets: Vec<Dataset>,
}

impl Writer<'_> {
    fn write(&mut self, name: &str, text: &str) -> Result<(), String> {
        let p = self.dir.join(name);
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        self.files.push(p);
        Ok(())
    }

    fn dataset(
        &mut self,
        name: &str,
        text: &str,
        description: &str,
        by: &str,
    ) -> Result<Table, String> {
        self.write(name, text)?;
        // Read back what was written: the tables are computed from the file's content.
        let t = Table::parse(text).map_err(|e| format!("{name}: {e}"))?;
        self.datasets.push(Dataset {
            file: name.to_string(),
            description: description.to_string(),
            written_by: by.to_string(),
            rows: t.rows.len(),
        });
        Ok(t)
    }
}

/// Builds `adae.csv` from the safety module's AE records (TRTEMFL, grade, severity, serious)
/// joined row by row with SDTM AE (SOC, term, outcome) and the actual arm of `adsl.csv`.
fn adae_text(
    sdtm_dir: &Path,
    adsl: &Table,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, String> {
    let (Some(ae_p), Some(ex_p)) = (
        find_domain(sdtm_dir, "ae", warnings),
        find_domain(sdtm_dir, "ex", warnings),
    ) else {
        return Ok(None);
    };
    let ae = Table::read(&ae_p)?;
    let exp = crate::safety::exposure(&Table::read(&ex_p)?)?;
    let opts = crate::safety::SafetyOptions::default();
    let recs = crate::safety::ae_records(&ae, &exp, &opts)?;
    if ae.rows.len() != recs.len() {
        return Err(format!(
            "{}: {} rows but the safety module returned {} records",
            ae_p.display(),
            ae.rows.len(),
            recs.len()
        ));
    }
    let arm: HashMap<&str, &str> = adsl
        .rows
        .iter()
        .map(|r| (adsl.text(r, "USUBJID"), adsl.text(r, "ACTARM")))
        .collect();
    let header = [
        "USUBJID", "ACTARM", "AESEQ", "AEBODSYS", "AEDECOD", "AESTDTC", "ASTDT", "TRTEMFL",
        "ATOXGR", "ASEV", "AESER", "AEOUT",
    ];
    let mut rows = Vec::new();
    for (r, rec) in ae.rows.iter().zip(&recs) {
        let soc = ae
            .field(r, "AEBODSYS")
            .or_else(|| ae.field(r, "AESOC"))
            .unwrap_or("");
        rows.push(vec![
            rec.usubjid.clone(),
            arm.get(rec.usubjid.as_str())
                .copied()
                .unwrap_or("")
                .to_string(),
            rec.aeseq.clone(),
            soc.to_string(),
            rec.term.clone(),
            ae.text(r, "AESTDTC").to_string(),
            rec.start.map(|d| d.to_string()).unwrap_or_default(),
            if rec.teae { "Y" } else { "" }.to_string(),
            rec.grade.map(|g| g.to_string()).unwrap_or_default(),
            rec.severity
                .map(|s| crate::safety::severity_name(s).to_string())
                .unwrap_or_default(),
            if rec.serious { "Y" } else { "N" }.to_string(),
            ae.text(r, "AEOUT").to_string(),
        ]);
    }
    Table::new(header.iter().map(|s| s.to_string()).collect(), rows)
        .to_csv()
        .map(Some)
}

fn date(t: &Table, r: &[String], col: &str) -> Option<Date> {
    t.field(r, col).and_then(Date::parse)
}

/// Waterfall bars from `adtr.csv` (best PCHG over post-baseline SDIAM records with
/// ANL01FL = Y) and `adrs.csv` (BOR).
pub fn waterfall_bars(adtr: &Table, adrs: &Table) -> Vec<WaterfallBar> {
    let bor = tables::best_responses(adrs, "BOR");
    let mut best: HashMap<String, (f64, String)> = HashMap::new();
    for r in &adtr.rows {
        if adtr.text(r, "PARAMCD") != "SDIAM"
            || !adtr.text(r, "ANL01FL").eq_ignore_ascii_case("Y")
            || adtr.text(r, "ABLFL").eq_ignore_ascii_case("Y")
        {
            continue;
        }
        let (Some(id), Some(p)) = (adtr.field(r, "USUBJID"), adtr.num(r, "PCHG")) else {
            continue;
        };
        let e = best
            .entry(id.to_string())
            .or_insert((f64::INFINITY, adtr.text(r, "ARM").to_string()));
        if p < e.0 {
            e.0 = p;
        }
    }
    let mut bars: Vec<WaterfallBar> = best
        .into_iter()
        .map(|(subject, (pchg, arm))| WaterfallBar {
            response: bor
                .get(&subject)
                .cloned()
                .unwrap_or_else(|| "MISSING".into()),
            subject,
            arm,
            pchg,
        })
        .collect();
    bars.sort_by(|a, b| a.subject.cmp(&b.subject));
    bars
}

/// Swimmer lanes for subjects with at least one analysed response assessment (ADRS OVR with
/// ANL01FL = Y): from RANDDT to the latest of LSTALVDT, EOSDT, DTHDT and the last assessment
/// (`adsl.csv`, `adrs.csv`); marks at CR/PR assessments, at the PD parameter's date and at
/// death. Study day = date − RANDDT + 1.
pub fn swimmer_lanes(adsl: &Table, adrs: &Table) -> Vec<Lane> {
    let subj: HashMap<&str, &Vec<String>> = adsl
        .rows
        .iter()
        .map(|r| (adsl.text(r, "USUBJID"), r))
        .collect();
    let mut lanes: std::collections::BTreeMap<String, Lane> = std::collections::BTreeMap::new();
    let mut pd: HashMap<String, Date> = HashMap::new();
    for r in &adrs.rows {
        let Some(id) = adrs.field(r, "USUBJID") else {
            continue;
        };
        if adrs.text(r, "PARAMCD") == "PD" && adrs.text(r, "AVALC") == "Y" {
            if let Some(d) = date(adrs, r, "ADT") {
                pd.insert(id.to_string(), d);
            }
        }
    }
    for r in &adrs.rows {
        if adrs.text(r, "PARAMCD") != "OVR" || !adrs.text(r, "ANL01FL").eq_ignore_ascii_case("Y") {
            continue;
        }
        let Some(id) = adrs.field(r, "USUBJID") else {
            continue;
        };
        let Some(s) = subj.get(id) else { continue };
        let Some(rand) = date(adsl, s, "RANDDT") else {
            continue;
        };
        let day = |d: Date| (d.days() - rand.days() + 1) as f64;
        let lane = lanes.entry(id.to_string()).or_insert_with(|| {
            let end = [
                date(adsl, s, "LSTALVDT"),
                date(adsl, s, "EOSDT"),
                date(adsl, s, "DTHDT"),
            ]
            .into_iter()
            .flatten()
            .map(day)
            .fold(1.0f64, f64::max);
            let mut marks = Vec::new();
            if let Some(p) = pd.get(id) {
                marks.push(Mark::Progression { day: day(*p) });
            }
            if let Some(d) = date(adsl, s, "DTHDT") {
                marks.push(Mark::Death { day: day(d) });
            }
            Lane {
                subject: id.to_string(),
                arm: adsl.text(s, "ARM").to_string(),
                end_day: end,
                ongoing: adsl.text(s, "EOSSTT") == "ONGOING",
                marks,
            }
        });
        if let Some(d) = date(adrs, r, "ADT") {
            lane.end_day = lane.end_day.max(day(d));
            let code = adrs.text(r, "AVALC");
            if matches!(code, "CR" | "PR") {
                lane.marks.push(Mark::Response {
                    day: day(d),
                    code: code.to_string(),
                });
            }
        }
    }
    lanes.into_values().collect()
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}", v * 100.0))
        .unwrap_or_else(|| "NA".into())
}

/// "k/n (p % [lo–hi])".
pub fn fmt_rate(r: &Rate) -> String {
    format!(
        "{}/{} ({}% [95% CI {}–{}])",
        r.k,
        r.n,
        pct(r.estimate),
        pct(r.ci[0]),
        pct(r.ci[1])
    )
}

/// A median in days with its CI; "not reached" for `None`.
pub fn fmt_median(m: Option<f64>, ci: [Option<f64>; 2]) -> String {
    let f = |x: Option<f64>| x.map(|v| format!("{v:.0}")).unwrap_or_else(|| "NR".into());
    match m {
        Some(v) => format!("{v:.0} days (95% CI {}–{})", f(ci[0]), f(ci[1])),
        None => format!("not reached (95% CI {}–{})", f(ci[0]), f(ci[1])),
    }
}

fn outcome_measures(
    trial: &Trial,
    eff: &Efficacy,
    ae: Option<&AdverseEvents>,
) -> Vec<OutcomeMeasure> {
    let mut out = Vec::new();
    let groups = [
        ("primary", &trial.outcomes.primary),
        ("secondary", &trial.outcomes.secondary),
        ("other", &trial.outcomes.other),
    ];
    for (kind, list) in groups {
        for o in list.iter() {
            let m = matching::match_outcome(&o.measure, o.description.as_deref());
            let mut om = OutcomeMeasure {
                kind: kind.into(),
                measure: o.measure.clone(),
                time_frame: o.time_frame.clone(),
                matched: m.as_ref().map(|x| x.0.to_string()),
                rule: m.as_ref().map(|x| x.1.clone()),
                status: "not computed".into(),
                values: Vec::new(),
                source: None,
                note: None,
            };
            match m.as_ref().map(|x| x.0) {
                Some(ep @ ("ORR" | "DCR")) => {
                    if eff.response.is_empty() {
                        om.note = Some("no tumour-response data (adrs.csv not written)".into());
                    } else {
                        for a in &eff.response {
                            let (u, c) = if ep == "ORR" {
                                (&a.orr, &a.orr_confirmed)
                            } else {
                                (&a.dcr, &a.dcr_confirmed)
                            };
                            om.values.push(ArmValue {
                                arm: a.arm.clone(),
                                value: format!("{}; confirmed {}", fmt_rate(u), fmt_rate(c)),
                            });
                        }
                        om.status = "computed".into();
                        om.source =
                            Some("adrs.csv (PARAMCD BOR, CBOR) with adsl.csv (RANDFL)".into());
                    }
                }
                Some(ep @ ("OS" | "PFS" | "DOR" | "TTP" | "HTTP")) => {
                    let code = if ep == "DOR" { "RSD" } else { ep };
                    match eff.time_to_event.iter().find(|t| t.paramcd == code) {
                        Some(t) => {
                            for a in &t.arms {
                                om.values.push(ArmValue {
                                    arm: a.arm.clone(),
                                    value: format!(
                                        "median {}; {} events / {} subjects",
                                        fmt_median(a.median_days, a.median_ci_days),
                                        a.events,
                                        a.n
                                    ),
                                });
                            }
                            om.status = "computed".into();
                            om.source = Some(format!("adtte.csv (PARAMCD {code})"));
                        }
                        None => {
                            om.note = Some(format!("adtte.csv has no {code} records"));
                        }
                    }
                }
                Some("AE") => match ae {
                    Some(ae) => {
                        for (i, arm) in ae.arms.iter().enumerate() {
                            let n = ae.n.get(i).copied().unwrap_or(0);
                            let parts: Vec<String> = ae
                                .summary
                                .iter()
                                .map(|r| {
                                    format!(
                                        "{} {}/{}",
                                        short_ae_label(&r.label),
                                        r.by_arm.get(i).copied().unwrap_or(0),
                                        n
                                    )
                                })
                                .collect();
                            om.values.push(ArmValue {
                                arm: arm.clone(),
                                value: parts.join("; "),
                            });
                        }
                        om.status = "computed".into();
                        om.source = Some("adae.csv (TRTEMFL = Y) with adsl.csv (SAFFL)".into());
                        om.note = Some("see Adverse events".into());
                    }
                    None => om.note = Some("no AE data (adae.csv not written)".into()),
                },
                _ => {
                    om.note = Some("no keyword rule matches this measure".into());
                }
            }
            out.push(om);
        }
    }
    out
}

/// "N of M records are censored on day 1 …" when some records of `paramcd` in `adtte.csv`
/// are censored at their start date (typically: no post-baseline tumour assessment), which
/// otherwise makes the at-risk numbers fall abruptly.
fn censored_at_start_note(adtte: &Table, paramcd: &str) -> Option<String> {
    let rows: Vec<&Vec<String>> = adtte
        .rows
        .iter()
        .filter(|r| adtte.text(r, "PARAMCD") == paramcd)
        .collect();
    let early = rows
        .iter()
        .filter(|r| {
            adtte.num(r, "CNSR") == Some(1.0) && adtte.num(r, "AVAL").is_some_and(|a| a <= 1.0)
        })
        .count();
    (early > 0).then(|| {
        format!(
            "{early} of {} subjects are censored on day 1 (no post-baseline assessment or follow-up), so the number at risk drops right after the start.",
            rows.len()
        )
    })
}

/// Short form of an AE summary row label for the outcome-measure table.
fn short_ae_label(label: &str) -> &str {
    if label.contains("≥ 1 TEAE") {
        "any TEAE"
    } else if label.contains("grade ≥ 3") {
        "grade ≥ 3"
    } else if label.contains("severe") {
        "severe"
    } else if label.contains("serious") {
        "serious"
    } else if label.contains("fatal") {
        "fatal"
    } else {
        label
    }
}

/// Runs everything and writes `report.md`, `report.html`, `report.json`, the analysis CSVs
/// and the plot SVGs into `out_dir` (created if needed).
pub fn generate(
    sdtm_dir: &Path,
    out_dir: &Path,
    opts: &ReportOptions,
) -> Result<Generated, String> {
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut w = Writer {
        dir: out_dir,
        files: Vec::new(),
        datasets: Vec::new(),
    };
    let mut notes = Vec::new();
    let level = 0.95;

    let mut input_notes = Vec::new();
    let adsl0 = adsl::derive_adsl(sdtm_dir, &mut input_notes)?;
    let adsl = w.dataset(
        "adsl.csv",
        &adsl0.to_csv()?,
        "Subject level: arm, demographics, randomisation, treatment, disposition, death, baseline ECOG / Child-Pugh / BCLC",
        "tm_outcomes::report::adsl::derive_adsl",
    )?;

    // Tumour response.
    let mut adrs = None;
    let mut adtr = None;
    let mut criteria = None;
    let mut response_source = None;
    let adtte;
    match run_sdtm(sdtm_dir, &ResponseOptions::new(opts.criteria)) {
        Ok(rep) => {
            criteria = Some(rep.criteria.label().to_string());
            response_source = Some(rep.response_source.to_string());
            let by = "tm_outcomes::response::adam";
            adrs = Some(w.dataset(
                "adrs.csv",
                &crate::response::adam::adrs_csv(&rep)?,
                "Tumour response: per-visit overall response (OVR) and best overall response parameters (BOR, CBOR, RSP, PD, …)",
                &format!("{by}::adrs_csv"),
            )?);
            adtte = w.dataset(
                "adtte.csv",
                &crate::response::adam::adtte_csv(&rep)?,
                "Time to event: OS, PFS, duration of response (RSD), TTP",
                &format!("{by}::adtte_csv"),
            )?;
            adtr = Some(w.dataset(
                "adtr.csv",
                &crate::response::adam::adtr_csv(&rep)?,
                "Sum of target-lesion diameters (SDIAM) by visit: base, nadir, percent change",
                &format!("{by}::adtr_csv"),
            )?);
            w.dataset(
                "timepoints.csv",
                &crate::response::adam::timepoints_csv(&rep)?,
                "Per-time-point target / non-target / new-lesion / overall responses of every evaluator",
                &format!("{by}::timepoints_csv"),
            )?;
            for warn in rep.warnings.iter().take(20) {
                notes.push(format!("Response pipeline: {warn}"));
            }
        }
        Err(e) => {
            notes.push(format!(
                "Tumour response not computed ({e}); overall survival only, from adsl.csv (RANDDT, DTHDT, LSTALVDT)."
            ));
            let os = interim::os_from_adsl(&adsl);
            adtte = w.dataset(
                "adtte.csv",
                &os.to_csv()?,
                "Time to event: overall survival only (no tumour data)",
                "tm_outcomes::report::interim::os_from_adsl",
            )?;
        }
    }

    // Adverse events.
    let adae = match adae_text(sdtm_dir, &adsl, &mut input_notes) {
        Ok(Some(text)) => Some(w.dataset(
            "adae.csv",
            &text,
            "Adverse events: treatment-emergent flag, CTCAE grade (if collected), severity, seriousness, SOC and term",
            "tm_outcomes::safety::ae_records (flags) + SDTM AE (SOC, outcome)",
        )?),
        Ok(None) => {
            notes.push("No AE or EX file: adverse events not reported.".into());
            None
        }
        Err(e) => {
            notes.push(format!("Adverse events not computed: {e}"));
            None
        }
    };

    // Which file was used where a domain has several (once; the response pipeline may have
    // said it already).
    for warn in input_notes {
        if !notes.iter().any(|n| n.ends_with(&warn)) {
            notes.push(format!("Input: {warn}"));
        }
    }

    // Tables.
    let participant_flow = tables::participant_flow(&adsl, "adsl.csv");
    let baseline = tables::baseline(&adsl, "adsl.csv");
    let response = adrs
        .as_ref()
        .map(|a| tables::response(a, &adsl, level))
        .unwrap_or_default();
    let tte = tables::time_to_event(&adtte, "adtte.csv", level);
    let efficacy = Efficacy {
        response_source: adrs.as_ref().and(response_source),
        criteria,
        response,
        time_to_event: tte.iter().map(|(e, _)| e.clone()).collect(),
        conf_level: level,
    };
    let adverse_events = adae
        .as_ref()
        .map(|a| tables::adverse_events(a, &adsl, "adae.csv"));

    // Plots.
    let mut plots = Vec::new();
    let mut svgs: Vec<(String, String)> = Vec::new();
    for (ep, rep) in &tte {
        let x_label = if ep.paramcd == "RSD" {
            "Days since first response"
        } else {
            "Days since randomisation"
        };
        let po = PlotOptions {
            title: Some(format!("{} by arm", ep.name)),
            x_label: x_label.into(),
            y_label: if ep.paramcd == "OS" {
                "Probability of survival".into()
            } else {
                "Probability without event".into()
            },
            ci_bands: false,
            time_unit: Some("days".into()),
            width: 960,
            height: 600,
        };
        let svg = km_svg(rep, &po)?;
        let file = format!("km_{}.svg", ep.paramcd.to_ascii_lowercase());
        w.write(&file, &svg)?;
        plots.push(PlotRef {
            id: format!("km_{}", ep.paramcd.to_ascii_lowercase()),
            title: format!("Kaplan-Meier: {}", ep.name),
            file: file.clone(),
            source: format!("adtte.csv (PARAMCD {})", ep.paramcd),
            note: censored_at_start_note(&adtte, &ep.paramcd),
        });
        svgs.push((file, svg));
    }
    if let (Some(adtr), Some(adrs)) = (&adtr, &adrs) {
        let bars = waterfall_bars(adtr, adrs);
        if !bars.is_empty() {
            let svg = waterfall_svg(
                &bars,
                "Best percent change in sum of target-lesion diameters",
                960,
                560,
            )?;
            w.write("waterfall.svg", &svg)?;
            plots.push(PlotRef {
                id: "waterfall".into(),
                title: "Waterfall: best % change from baseline in sum of diameters, by best overall response".into(),
                file: "waterfall.svg".into(),
                source: "adtr.csv (PARAMCD SDIAM, PCHG, ANL01FL = Y) and adrs.csv (PARAMCD BOR)".into(),
                note: Some(format!("{} subject(s) with target lesions at baseline and a post-baseline sum.", bars.len())),
            });
            svgs.push(("waterfall.svg".into(), svg));
        }
    }
    if let Some(adrs) = &adrs {
        let lanes = swimmer_lanes(&adsl, adrs);
        if !lanes.is_empty() {
            let svg = swimmer_svg(
                &lanes,
                &baseline.arms,
                "Time on study with tumour assessments",
                1000,
            )?;
            w.write("swimmer.svg", &svg)?;
            plots.push(PlotRef {
                id: "swimmer".into(),
                title: "Swimmer plot: time on study, responses, progression and death".into(),
                file: "swimmer.svg".into(),
                source: "adsl.csv (RANDDT, LSTALVDT, EOSDT, DTHDT, EOSSTT) and adrs.csv (OVR ANL01FL = Y; PD)".into(),
                note: Some(format!("{} subject(s) with at least one analysed tumour assessment.", lanes.len())),
            });
            svgs.push(("swimmer.svg".into(), svg));
        }
    }

    let outcome_measures = match &opts.trial {
        Some(t) => outcome_measures(t, &efficacy, adverse_events.as_ref()),
        None => {
            notes.push("No --trial given: registered outcome measures are not listed; the computed endpoints are under Efficacy.".into());
            Vec::new()
        }
    };
    let study_id = adsl
        .rows
        .iter()
        .find_map(|r| adsl.field(r, "STUDYID").map(str::to_string));
    let title = match &opts.trial {
        Some(t) => format!(
            "Results report — {} {}",
            t.id,
            t.title.as_deref().unwrap_or("")
        )
        .trim()
        .to_string(),
        None => format!(
            "Results report — study {}",
            study_id.as_deref().unwrap_or("(no STUDYID)")
        ),
    };
    let report = Report {
        schema_version: REPORT_SCHEMA_VERSION,
        title,
        study_id,
        sdtm_dir: sdtm_dir.display().to_string(),
        trial: opts.trial.as_ref().map(|t| TrialRef {
            id: t.id.clone(),
            title: t.title.clone(),
        }),
        datasets: w.datasets.clone(),
        participant_flow,
        baseline,
        outcome_measures,
        efficacy,
        adverse_events,
        plots,
        notes,
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    let svg_map: HashMap<String, String> = svgs.into_iter().collect();
    let md = render::markdown(&report);
    let html = render::html(&report, &svg_map);
    let mut report_files = Vec::new();
    for (name, text) in [
        ("report.json", &json),
        ("report.md", &md),
        ("report.html", &html),
    ] {
        let p = out_dir.join(name);
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        report_files.push(p);
    }
    report_files.extend(w.files);
    Ok(Generated {
        report,
        files: report_files,
    })
}
