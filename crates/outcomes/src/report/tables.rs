//! The report's tables, computed only from the analysis CSVs written to the output folder
//! (`adsl.csv`, `adrs.csv`, `adtte.csv`, `adae.csv`), so that every number can be re-derived
//! from those files.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::response::endpoints::clopper_pearson;
use crate::survival::{analyze_by_arm, SurvivalReport};

use super::model::*;
use crate::sdtm::Table;

// Arms (or categories) in natural order.
use crate::survival::distinct_labels as ordered;

fn yes(t: &Table, r: &[String], col: &str) -> bool {
    t.text(r, col).eq_ignore_ascii_case("Y")
}

/// The randomised subjects of `adsl.csv` (RANDFL = Y) and their planned arms (ARM) in natural
/// order — the population of the participant flow, the baseline table and the response rates.
fn randomised(adsl: &Table) -> (Vec<&Vec<String>>, Vec<String>) {
    let rand: Vec<&Vec<String>> = adsl
        .rows
        .iter()
        .filter(|r| yes(adsl, r, "RANDFL"))
        .collect();
    let arms = ordered(
        rand.iter()
            .map(|r| adsl.text(r, "ARM").to_string())
            .collect(),
    );
    (rand, arms)
}

fn count_row(
    label: &str,
    arms: &[String],
    arm_of: impl Fn(usize) -> Option<String>,
    n: usize,
) -> CountRow {
    let mut by_arm = vec![0u64; arms.len()];
    let mut total = 0;
    for i in 0..n {
        if let Some(a) = arm_of(i) {
            total += 1;
            if let Some(k) = arms.iter().position(|x| *x == a) {
                by_arm[k] += 1;
            }
        }
    }
    CountRow {
        label: label.to_string(),
        by_arm,
        total,
    }
}

/// Participant flow from `adsl.csv`: screened = every DM subject; randomised = RANDFL; treated
/// = SAFFL among randomised; completed / discontinued / ongoing = EOSSTT among randomised;
/// reasons = DCSREAS. Columns are the planned arm (ARM).
pub fn participant_flow(adsl: &Table, source: &str) -> ParticipantFlow {
    let (rand, arms) = randomised(adsl);
    let arm = |r: &Vec<String>| adsl.text(r, "ARM").to_string();
    let row = |label: &str, pred: &dyn Fn(&Vec<String>) -> bool| {
        count_row(
            label,
            &arms,
            |i| pred(rand[i]).then(|| arm(rand[i])),
            rand.len(),
        )
    };
    let mut rows = vec![
        row("Randomised", &|_| true),
        row("Treated (received any study treatment)", &|r| {
            yes(adsl, r, "SAFFL")
        }),
        row("Completed the study", &|r| {
            adsl.text(r, "EOSSTT") == "COMPLETED"
        }),
        row("Discontinued the study", &|r| {
            adsl.text(r, "EOSSTT") == "DISCONTINUED"
        }),
    ];
    let ongoing = row("Ongoing (no disposition event)", &|r| {
        !matches!(adsl.text(r, "EOSSTT"), "COMPLETED" | "DISCONTINUED")
    });
    if ongoing.total > 0 {
        rows.push(ongoing);
    }
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for r in &rand {
        if adsl.text(r, "EOSSTT") == "DISCONTINUED" {
            *reasons
                .entry(
                    adsl.field(r, "DCSREAS")
                        .unwrap_or("(reason not recorded)")
                        .to_string(),
                )
                .or_default() += 1;
        }
    }
    let mut reason_labels: Vec<(String, u64)> = reasons.into_iter().collect();
    reason_labels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let discontinuation_reasons = reason_labels
        .iter()
        .map(|(l, _)| {
            row(l, &|r| {
                adsl.text(r, "EOSSTT") == "DISCONTINUED"
                    && adsl.field(r, "DCSREAS").unwrap_or("(reason not recorded)") == l
            })
        })
        .collect();
    let screened = adsl.rows.len() as u64;
    let screen_failures = adsl
        .rows
        .iter()
        .filter(|r| !yes(adsl, r, "RANDFL") && adsl.text(r, "EOSSTT") == "SCREEN FAILURE")
        .count() as u64;
    let mut notes = Vec::new();
    let not_rand_treated = adsl
        .rows
        .iter()
        .filter(|r| !yes(adsl, r, "RANDFL") && yes(adsl, r, "SAFFL"))
        .count();
    if not_rand_treated > 0 {
        notes.push(format!(
            "{not_rand_treated} subject(s) were treated without a randomisation record; they are not in the arm columns."
        ));
    }
    let other = screened.saturating_sub(screen_failures + rand.len() as u64);
    if other > 0 {
        notes.push(format!(
            "{other} screened subject(s) are neither randomised nor recorded as screen failures."
        ));
    }
    ParticipantFlow {
        source: source.to_string(),
        arms,
        screened,
        screen_failures,
        rows,
        discontinuation_reasons,
        notes,
    }
}

fn continuous(values: &[f64]) -> Continuous {
    let n = values.len();
    if n == 0 {
        return Continuous {
            n: 0,
            mean: None,
            sd: None,
            median: None,
            min: None,
            max: None,
        };
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let mean = v.iter().sum::<f64>() / n as f64;
    let sd = (n > 1).then(|| {
        (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
    });
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Continuous {
        n: n as u64,
        mean: Some(mean),
        sd,
        median: Some(median),
        min: v.first().copied(),
        max: v.last().copied(),
    }
}

/// Baseline characteristics of the randomised subjects by planned arm, from `adsl.csv`.
pub fn baseline(adsl: &Table, source: &str) -> Baseline {
    let (rand, arms) = randomised(adsl);
    let arm_idx = |r: &Vec<String>| arms.iter().position(|a| a == adsl.text(r, "ARM"));
    let mut n = vec![0u64; arms.len() + 1];
    for r in &rand {
        if let Some(k) = arm_idx(r) {
            n[k] += 1;
        }
        n[arms.len()] += 1;
    }
    let mut characteristics = Vec::new();
    // Age.
    let unit = rand
        .iter()
        .find_map(|r| adsl.field(r, "AGEU"))
        .unwrap_or("YEARS")
        .to_ascii_lowercase();
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); arms.len() + 1];
    for r in &rand {
        if let Some(a) = adsl.num(r, "AGE") {
            if let Some(k) = arm_idx(r) {
                per[k].push(a);
            }
            per[arms.len()].push(a);
        }
    }
    let collected = !per[arms.len()].is_empty();
    characteristics.push(Characteristic {
        name: format!("Age ({unit})"),
        variable: "AGE".into(),
        collected,
        kind: "continuous".into(),
        summary: if collected {
            per.iter().map(|v| continuous(v)).collect()
        } else {
            Vec::new()
        },
        categories: Vec::new(),
    });
    for (name, var) in [
        ("Sex", "SEX"),
        ("ECOG performance status", "ECOG"),
        ("Child-Pugh class", "CHILDPUGH"),
        ("BCLC stage", "BCLC"),
    ] {
        let values: Vec<String> = ordered(
            rand.iter()
                .filter_map(|r| adsl.field(r, var).map(str::to_string))
                .collect(),
        );
        let collected = !values.is_empty();
        let mut categories = Vec::new();
        if collected {
            for v in &values {
                categories.push(count_row(
                    &display_category(var, v),
                    &arms,
                    |i| {
                        (adsl.field(rand[i], var) == Some(v.as_str()))
                            .then(|| adsl.text(rand[i], "ARM").to_string())
                    },
                    rand.len(),
                ));
            }
            let missing = count_row(
                "Missing",
                &arms,
                |i| {
                    adsl.field(rand[i], var)
                        .is_none()
                        .then(|| adsl.text(rand[i], "ARM").to_string())
                },
                rand.len(),
            );
            if missing.total > 0 {
                categories.push(missing);
            }
        }
        characteristics.push(Characteristic {
            name: name.into(),
            variable: var.into(),
            collected,
            kind: "categorical".into(),
            summary: Vec::new(),
            categories,
        });
    }
    Baseline {
        source: source.to_string(),
        population: "Randomised subjects (ADSL RANDFL = Y), by planned arm (ARM)".into(),
        arms,
        n,
        characteristics,
    }
}

fn display_category(var: &str, v: &str) -> String {
    match (var, v) {
        ("SEX", "F") => "Female".into(),
        ("SEX", "M") => "Male".into(),
        ("SEX", "U") => "Unknown".into(),
        _ => v.to_string(),
    }
}

fn rate(k: u64, n: u64, level: f64) -> Rate {
    let ci = clopper_pearson(k, n, level);
    Rate {
        k,
        n,
        estimate: (n > 0).then(|| k as f64 / n as f64),
        ci: [ci.map(|c| c.0), ci.map(|c| c.1)],
    }
}

/// BOR / CBOR per randomised subject from `adrs.csv`.
pub fn best_responses(adrs: &Table, paramcd: &str) -> HashMap<String, String> {
    adrs.rows
        .iter()
        .filter(|r| adrs.text(r, "PARAMCD") == paramcd)
        .filter_map(|r| {
            Some((
                adrs.field(r, "USUBJID")?.to_string(),
                adrs.text(r, "AVALC").to_string(),
            ))
        })
        .collect()
}

/// ORR (BOR ∈ CR/PR) and DCR (BOR ∈ CR/PR/SD/NON-CR/NON-PD), unconfirmed (BOR) and confirmed
/// (CBOR), over the randomised subjects of each planned arm (ITT: a subject without a BOR
/// record, or with BOR = MISSING, is a non-responder), with Clopper-Pearson CIs.
pub fn response(adrs: &Table, adsl: &Table, level: f64) -> Vec<ResponseByArm> {
    let bor = best_responses(adrs, "BOR");
    let cbor = best_responses(adrs, "CBOR");
    let (rand, arms) = randomised(adsl);
    let is_resp = |c: &str| matches!(c, "CR" | "PR");
    let is_dc = |c: &str| matches!(c, "CR" | "PR" | "SD" | "NON-CR/NON-PD");
    arms.iter()
        .map(|arm| {
            let ids: Vec<&str> = rand
                .iter()
                .filter(|r| adsl.text(r, "ARM") == arm)
                .map(|r| adsl.text(r, "USUBJID"))
                .collect();
            let n = ids.len() as u64;
            let get = |m: &HashMap<String, String>, id: &str| {
                m.get(id).cloned().unwrap_or_else(|| "MISSING".into())
            };
            let mut dist: BTreeMap<u8, (String, u64)> = BTreeMap::new();
            for id in &ids {
                let c = get(&bor, id);
                let key = crate::response::Response::parse(&c).map_or(9, |r| r.aval());
                dist.entry(key).or_insert_with(|| (c.clone(), 0)).1 += 1;
            }
            let count = |m: &HashMap<String, String>, f: &dyn Fn(&str) -> bool| {
                ids.iter().filter(|id| f(&get(m, id))).count() as u64
            };
            ResponseByArm {
                arm: arm.clone(),
                n,
                assessed: count(&bor, &|c| c != "MISSING"),
                bor: dist.into_values().collect(),
                orr: rate(count(&bor, &is_resp), n, level),
                orr_confirmed: rate(count(&cbor, &is_resp), n, level),
                dcr: rate(count(&bor, &is_dc), n, level),
                dcr_confirmed: rate(count(&cbor, &is_dc), n, level),
            }
        })
        .collect()
}

/// Display name of an ADTTE parameter.
pub fn tte_name(paramcd: &str) -> String {
    match paramcd {
        "OS" => "Overall survival (OS)".into(),
        "PFS" => "Progression-free survival (PFS)".into(),
        "RSD" | "DOR" | "DURRSP" => "Duration of response (DoR)".into(),
        "TTP" => "Time to progression (TTP)".into(),
        "HTTP" => "Time to intrahepatic progression (hepatic TTP)".into(),
        other => other.to_string(),
    }
}

/// Kaplan-Meier analyses by arm (ADTTE `ARM`) of every parameter in `adtte.csv`, in the order
/// OS, PFS, RSD, TTP, HTTP, others.
pub fn time_to_event(
    adtte: &Table,
    source: &str,
    level: f64,
) -> Vec<(TteEndpoint, SurvivalReport)> {
    let params: BTreeSet<String> = adtte
        .rows
        .iter()
        .filter_map(|r| adtte.field(r, "PARAMCD").map(str::to_string))
        .collect();
    let order = ["OS", "PFS", "RSD", "TTP", "HTTP"];
    let mut params: Vec<String> = params.into_iter().collect();
    params.sort_by_key(|p| {
        (
            order.iter().position(|o| o == p).unwrap_or(order.len()),
            p.clone(),
        )
    });
    let mut out = Vec::new();
    for p in params {
        let records: Vec<(f64, bool, Option<String>)> = adtte
            .rows
            .iter()
            .filter(|r| adtte.text(r, "PARAMCD") == p)
            .filter_map(|r| {
                Some((
                    adtte.num(r, "AVAL")?,
                    adtte.num(r, "CNSR")? == 0.0,
                    adtte.field(r, "ARM").map(str::to_string),
                ))
            })
            .collect();
        if records.is_empty() {
            continue;
        }
        let Ok(rep) = analyze_by_arm(records, level) else {
            continue;
        };
        let ep = TteEndpoint {
            paramcd: p.clone(),
            name: tte_name(&p),
            source: source.to_string(),
            arms: rep
                .groups
                .iter()
                .map(|g| TteByArm {
                    arm: g.group.clone().unwrap_or_default(),
                    n: g.n,
                    events: g.events,
                    median_days: g.median,
                    median_ci_days: g.median_ci,
                })
                .collect(),
            logrank_p: rep.logrank_p(),
            hazard_ratios: rep
                .hazard_ratios
                .iter()
                .map(|h| HazardRatio {
                    arm: h.group.clone(),
                    reference: h.reference.clone(),
                    hr: h.cox.hr,
                    ci: h.cox.ci,
                })
                .collect(),
        };
        out.push((ep, rep));
    }
    out
}

/// Adverse events from `adae.csv` (TRTEMFL = Y records) and the safety population of
/// `adsl.csv` (SAFFL = Y), by actual arm.
pub fn adverse_events(adae: &Table, adsl: &Table, source: &str) -> AdverseEvents {
    let saf: Vec<&Vec<String>> = adsl.rows.iter().filter(|r| yes(adsl, r, "SAFFL")).collect();
    let arms = ordered(
        saf.iter()
            .map(|r| adsl.text(r, "ACTARM").to_string())
            .collect(),
    );
    let arm_of: HashMap<&str, &str> = saf
        .iter()
        .map(|r| (adsl.text(r, "USUBJID"), adsl.text(r, "ACTARM")))
        .collect();
    let mut n = vec![0u64; arms.len() + 1];
    for a in arm_of.values() {
        if let Some(k) = arms.iter().position(|x| x == a) {
            n[k] += 1;
        }
        n[arms.len()] += 1;
    }
    let grade_collected = adae.rows.iter().any(|r| adae.field(r, "ATOXGR").is_some());
    struct Ev<'a> {
        subj: &'a str,
        soc: &'a str,
        term: &'a str,
        grade: Option<f64>,
        severe: bool,
        serious: bool,
        fatal: bool,
    }
    let evs: Vec<Ev> = adae
        .rows
        .iter()
        .filter(|r| yes(adae, r, "TRTEMFL"))
        .filter_map(|r| {
            let subj = adae.field(r, "USUBJID")?;
            arm_of.contains_key(subj).then(|| Ev {
                subj,
                soc: adae.field(r, "AEBODSYS").unwrap_or("(SOC not coded)"),
                term: adae.field(r, "AEDECOD").unwrap_or("(term not coded)"),
                grade: adae.num(r, "ATOXGR"),
                severe: adae.text(r, "ASEV").eq_ignore_ascii_case("SEVERE"),
                serious: yes(adae, r, "AESER"),
                fatal: adae.text(r, "AEOUT").eq_ignore_ascii_case("FATAL")
                    || adae.num(r, "ATOXGR") == Some(5.0),
            })
        })
        .collect();
    let subjects_row = |label: &str, pred: &dyn Fn(&Ev) -> bool| {
        let mut sets: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); arms.len()];
        let mut all = BTreeSet::new();
        for e in evs.iter().filter(|e| pred(e)) {
            if let Some(k) = arm_of
                .get(e.subj)
                .and_then(|a| arms.iter().position(|x| x == a))
            {
                sets[k].insert(e.subj);
            }
            all.insert(e.subj);
        }
        CountRow {
            label: label.into(),
            by_arm: sets.iter().map(|s| s.len() as u64).collect(),
            total: all.len() as u64,
        }
    };
    let mut summary = vec![subjects_row("Subjects with ≥ 1 TEAE", &|_| true)];
    if grade_collected {
        summary.push(subjects_row(
            "Subjects with a grade ≥ 3 TEAE (CTCAE)",
            &|e| e.grade.is_some_and(|g| g >= 3.0),
        ));
    }
    summary.push(subjects_row(
        "Subjects with a severe TEAE (AESEV = SEVERE)",
        &|e| e.severe,
    ));
    summary.push(subjects_row(
        "Subjects with a serious TEAE (AESER = Y)",
        &|e| e.serious,
    ));
    summary.push(subjects_row("Subjects with a fatal TEAE", &|e| e.fatal));
    let term_rows = |pred: &dyn Fn(&Ev) -> bool, with_soc: bool| -> Vec<TermRow> {
        // soc -> term -> arm -> subjects
        type Sets<'a> = Vec<BTreeSet<&'a str>>;
        let mut tree: BTreeMap<&str, (Sets, BTreeMap<&str, Sets>)> = BTreeMap::new();
        for e in evs.iter().filter(|e| pred(e)) {
            let k = arm_of
                .get(e.subj)
                .and_then(|a| arms.iter().position(|x| x == a))
                .unwrap_or(arms.len());
            let soc = if with_soc { e.soc } else { "" };
            let node = tree
                .entry(soc)
                .or_insert_with(|| (vec![BTreeSet::new(); arms.len() + 1], BTreeMap::new()));
            node.0[k].insert(e.subj);
            node.0[arms.len()].insert(e.subj);
            let t = node
                .1
                .entry(e.term)
                .or_insert_with(|| vec![BTreeSet::new(); arms.len() + 1]);
            t[k].insert(e.subj);
            t[arms.len()].insert(e.subj);
        }
        let to_row = |soc: &str, term: &str, s: &Sets| TermRow {
            soc: soc.to_string(),
            term: term.to_string(),
            by_arm: s[..arms.len()].iter().map(|x| x.len() as u64).collect(),
            total: s[arms.len()].len() as u64,
        };
        let mut socs: Vec<_> = tree.into_iter().collect();
        socs.sort_by(|a, b| {
            b.1 .0[arms.len()]
                .len()
                .cmp(&a.1 .0[arms.len()].len())
                .then_with(|| a.0.cmp(b.0))
        });
        let mut rows = Vec::new();
        for (soc, (sets, terms)) in socs {
            if with_soc {
                rows.push(to_row(soc, "", &sets));
            }
            let mut terms: Vec<_> = terms.into_iter().collect();
            terms.sort_by(|a, b| {
                b.1[arms.len()]
                    .len()
                    .cmp(&a.1[arms.len()].len())
                    .then_with(|| a.0.cmp(b.0))
            });
            for (t, s) in terms {
                rows.push(to_row(soc, t, &s));
            }
        }
        rows
    };
    let by_soc_term = term_rows(&|_| true, true);
    let severe_by_term = if grade_collected {
        term_rows(&|e: &Ev| e.grade.is_some_and(|g| g >= 3.0), false)
    } else {
        term_rows(&|e: &Ev| e.severe, false)
    };
    let serious_by_term = term_rows(&|e: &Ev| e.serious, false);
    let mut notes = vec![
        "Counts are subjects (a subject is counted once per row), treatment-emergent AEs only (ADAE TRTEMFL = Y).".to_string(),
    ];
    if !grade_collected {
        notes.push("Grade ≥ 3: not collected — AE has no CTCAE grade (AETOXGR), only AESEV; severe (AESEV = SEVERE) is a severity, not a CTCAE grade, and is shown instead.".to_string());
    }
    AdverseEvents {
        source: source.to_string(),
        arms,
        n,
        summary,
        grade_collected,
        by_soc_term,
        severe_by_term,
        serious_by_term,
        notes,
    }
}
