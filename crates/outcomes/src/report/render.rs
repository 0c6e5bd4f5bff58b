//! Markdown and self-contained HTML renderings of a [`Report`] (inline CSS, SVG plots inline,
//! no external resources).

use std::collections::HashMap;
use std::fmt::Write as _;

use super::model::*;
use super::{fmt_median, fmt_rate};

/// A rendered table, shared by both output formats.
struct Tbl {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Rows rendered as group headings (bold).
    strong: Vec<bool>,
    source: String,
}

enum Block {
    H2(String),
    H3(String),
    P(String),
    Table(Tbl),
    Plot(PlotRef),
    List(Vec<String>),
}

fn npct(n: u64, d: u64) -> String {
    if d == 0 {
        n.to_string()
    } else {
        format!("{n} ({:.1}%)", n as f64 * 100.0 / d as f64)
    }
}

fn num(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "NA".into())
}

fn arm_header(first: &str, arms: &[String], n: Option<&[u64]>) -> Vec<String> {
    let mut h = vec![first.to_string()];
    for (i, a) in arms.iter().enumerate() {
        match n.and_then(|n| n.get(i)) {
            Some(k) => h.push(format!("{a} (N={k})")),
            None => h.push(a.clone()),
        }
    }
    match n.and_then(|n| n.get(arms.len())) {
        Some(k) => h.push(format!("Total (N={k})")),
        None => h.push("Total".into()),
    }
    h
}

fn blocks(r: &Report) -> Vec<Block> {
    let mut b = Vec::new();
    let mut intro = format!("SDTM input: `{}`.", r.sdtm_dir);
    if let Some(s) = &r.study_id {
        let _ = write!(intro, " Study {s}.");
    }
    if let Some(t) = &r.trial {
        let _ = write!(
            intro,
            " Registered trial {}{}.",
            t.id,
            t.title
                .as_deref()
                .map(|x| format!(" — {x}"))
                .unwrap_or_default()
        );
    }
    b.push(Block::P(intro));
    b.push(Block::P(
        "Every number below is computed from the analysis datasets written next to this report; each table names its file.".into(),
    ));
    b.push(Block::Table(Tbl {
        header: vec![
            "File".into(),
            "Rows".into(),
            "Content".into(),
            "Written by".into(),
        ],
        rows: r
            .datasets
            .iter()
            .map(|d| {
                vec![
                    d.file.clone(),
                    d.rows.to_string(),
                    d.description.clone(),
                    d.written_by.clone(),
                ]
            })
            .collect(),
        strong: Vec::new(),
        source: String::new(),
    }));

    // Participant flow.
    let f = &r.participant_flow;
    b.push(Block::H2("Participant flow".into()));
    let k = f.arms.len();
    let dash = |label: &str, total: u64| {
        let mut v = vec![label.to_string()];
        v.extend(std::iter::repeat_n("—".to_string(), k));
        v.push(total.to_string());
        v
    };
    let mut rows = vec![
        dash("Screened (in DM)", f.screened),
        dash("Screen failures", f.screen_failures),
    ];
    let mut strong = vec![false, false];
    for row in &f.rows {
        let mut v = vec![row.label.clone()];
        v.extend(row.by_arm.iter().map(|x| x.to_string()));
        v.push(row.total.to_string());
        rows.push(v);
        strong.push(false);
    }
    if !f.discontinuation_reasons.is_empty() {
        let mut v = vec!["Reasons for discontinuation (DS)".to_string()];
        v.extend(std::iter::repeat_n(String::new(), k + 1));
        rows.push(v);
        strong.push(true);
        for row in &f.discontinuation_reasons {
            let mut v = vec![format!("  {}", title_case(&row.label))];
            v.extend(row.by_arm.iter().map(|x| x.to_string()));
            v.push(row.total.to_string());
            rows.push(v);
            strong.push(false);
        }
    }
    b.push(Block::Table(Tbl {
        header: arm_header("", &f.arms, None),
        rows,
        strong,
        source: format!(
            "{} (RANDFL, SAFFL, EOSSTT, DCSREAS); arms = planned arm (ARM)",
            f.source
        ),
    }));
    if !f.notes.is_empty() {
        b.push(Block::List(f.notes.clone()));
    }

    // Baseline.
    let bl = &r.baseline;
    b.push(Block::H2("Baseline characteristics".into()));
    b.push(Block::P(format!("Population: {}.", bl.population)));
    let mut rows = Vec::new();
    let mut strong = Vec::new();
    let blank = |label: String| {
        let mut v = vec![label];
        v.extend(std::iter::repeat_n(String::new(), bl.arms.len() + 1));
        v
    };
    for c in &bl.characteristics {
        if !c.collected {
            let mut v = vec![c.name.clone()];
            v.extend(std::iter::repeat_n(
                "not collected".to_string(),
                bl.arms.len() + 1,
            ));
            rows.push(v);
            strong.push(true);
            continue;
        }
        rows.push(blank(c.name.clone()));
        strong.push(true);
        if c.kind == "continuous" {
            let mut n = vec!["  n".to_string()];
            let mut ms = vec!["  Mean (SD)".to_string()];
            let mut md = vec!["  Median (min–max)".to_string()];
            for s in &c.summary {
                n.push(s.n.to_string());
                ms.push(format!("{} ({})", num(s.mean, 1), num(s.sd, 1)));
                md.push(format!(
                    "{} ({}–{})",
                    num(s.median, 1),
                    num(s.min, 0),
                    num(s.max, 0)
                ));
            }
            for v in [n, ms, md] {
                rows.push(v);
                strong.push(false);
            }
        } else {
            for cat in &c.categories {
                let mut v = vec![format!("  {}", cat.label)];
                for (i, x) in cat.by_arm.iter().enumerate() {
                    v.push(npct(*x, bl.n.get(i).copied().unwrap_or(0)));
                }
                v.push(npct(
                    cat.total,
                    bl.n.get(bl.arms.len()).copied().unwrap_or(0),
                ));
                rows.push(v);
                strong.push(false);
            }
        }
    }
    b.push(Block::Table(Tbl {
        header: arm_header("Characteristic", &bl.arms, Some(&bl.n)),
        rows,
        strong,
        source: format!(
            "{} (AGE, SEX, ECOG, CHILDPUGH, BCLC; BLSRC names the SDTM record)",
            bl.source
        ),
    }));

    // Outcome measures.
    b.push(Block::H2("Outcome measures".into()));
    if r.trial.is_none() {
        b.push(Block::P(
            "No registered trial given (`--trial`), so registered outcome measures are not listed; the endpoints computed from the data follow under Efficacy.".into(),
        ));
    } else if r.outcome_measures.is_empty() {
        b.push(Block::P(
            "The registered trial lists no outcome measures.".into(),
        ));
    } else {
        b.push(Block::P(
            "Each registered measure is matched to a computed endpoint by keywords in its text (rule shown; docs/contracts.md, \"report\"). Rates: k/N (% [exact 95% CI]) over randomised subjects, unconfirmed then confirmed.".into(),
        ));
        let rows = r
            .outcome_measures
            .iter()
            .map(|o| {
                let vals = if o.values.is_empty() {
                    o.note.clone().unwrap_or_default()
                } else {
                    o.values
                        .iter()
                        .map(|v| format!("{}: {}", v.arm, v.value))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                vec![
                    o.kind.clone(),
                    o.measure.clone(),
                    o.time_frame.clone().unwrap_or_default(),
                    match (&o.matched, &o.rule) {
                        (Some(m), Some(rule)) => format!("{m} ({rule})"),
                        _ => "none".into(),
                    },
                    o.status.clone(),
                    vals,
                    o.source.clone().unwrap_or_default(),
                ]
            })
            .collect();
        b.push(Block::Table(Tbl {
            header: [
                "Type",
                "Measure",
                "Time frame",
                "Matched",
                "Status",
                "Value by arm",
                "Source",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows,
            strong: Vec::new(),
            source: String::new(),
        }));
    }

    // Efficacy.
    let e = &r.efficacy;
    b.push(Block::H2("Efficacy endpoints".into()));
    if !e.response.is_empty() {
        b.push(Block::H3(format!(
            "Tumour response ({}{})",
            e.criteria.as_deref().unwrap_or(""),
            e.response_source
                .as_deref()
                .map(|s| format!(
                    ", per-visit responses from {}",
                    if s == "rs" {
                        "SDTM RS"
                    } else {
                        "lesion measurements"
                    }
                ))
                .unwrap_or_default()
        )));
        let arms: Vec<String> = e.response.iter().map(|a| a.arm.clone()).collect();
        let mut rows = vec![
            std::iter::once("Randomised (denominator)".to_string())
                .chain(e.response.iter().map(|a| a.n.to_string()))
                .collect::<Vec<_>>(),
            std::iter::once("With a best overall response ≠ MISSING".to_string())
                .chain(e.response.iter().map(|a| a.assessed.to_string()))
                .collect(),
        ];
        let codes = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"];
        for c in codes {
            if e.response.iter().any(|a| a.bor.iter().any(|(x, _)| x == c)) {
                rows.push(
                    std::iter::once(format!("  BOR {c}"))
                        .chain(e.response.iter().map(|a| {
                            a.bor
                                .iter()
                                .find(|(x, _)| x == c)
                                .map(|(_, n)| npct(*n, a.n))
                                .unwrap_or_else(|| "0".into())
                        }))
                        .collect(),
                );
            }
        }
        for (label, get) in [
            (
                "ORR (CR+PR), unconfirmed",
                (|a: &ResponseByArm| a.orr.clone()) as fn(&ResponseByArm) -> Rate,
            ),
            ("ORR, confirmed", |a| a.orr_confirmed.clone()),
            ("DCR (CR+PR+SD+NON-CR/NON-PD), unconfirmed", |a| {
                a.dcr.clone()
            }),
            ("DCR, confirmed", |a| a.dcr_confirmed.clone()),
        ] {
            rows.push(
                std::iter::once(label.to_string())
                    .chain(e.response.iter().map(|a| fmt_rate(&get(a))))
                    .collect(),
            );
        }
        let mut header = vec!["".to_string()];
        header.extend(arms);
        b.push(Block::Table(Tbl {
            header,
            rows,
            strong: Vec::new(),
            source: "adrs.csv (PARAMCD BOR, CBOR) and adsl.csv (RANDFL, ARM); exact Clopper-Pearson 95% CIs".into(),
        }));
    }
    if !e.time_to_event.is_empty() {
        b.push(Block::H3("Time to event (Kaplan-Meier)".into()));
        let mut rows = Vec::new();
        for t in &e.time_to_event {
            for (i, a) in t.arms.iter().enumerate() {
                let hr = t
                    .hazard_ratios
                    .iter()
                    .find(|h| h.arm == a.arm)
                    .map(|h| match h.hr {
                        Some(hr) if h.ci.iter().all(Option::is_some) => format!(
                            "{hr:.2} (95% CI {}–{}) vs {}",
                            num(h.ci[0], 2),
                            num(h.ci[1], 2),
                            h.reference
                        ),
                        _ => format!("not estimable vs {}", h.reference),
                    })
                    .unwrap_or_default();
                rows.push(vec![
                    if i == 0 {
                        t.name.clone()
                    } else {
                        String::new()
                    },
                    a.arm.clone(),
                    a.n.to_string(),
                    a.events.to_string(),
                    fmt_median(a.median_days, a.median_ci_days),
                    hr,
                    if i == 0 {
                        t.logrank_p
                            .map(|p| format!("{p:.4}"))
                            .unwrap_or_else(|| "—".into())
                    } else {
                        String::new()
                    },
                ]);
            }
        }
        b.push(Block::Table(Tbl {
            header: [
                "Endpoint",
                "Arm",
                "N",
                "Events",
                "Median",
                "Hazard ratio (Cox)",
                "Log-rank p",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows,
            strong: Vec::new(),
            source: "adtte.csv (AVAL days, CNSR; by ARM)".into(),
        }));
    }

    // Plots.
    b.push(Block::H2("Plots".into()));
    if r.plots.is_empty() {
        b.push(Block::P(
            "No plots: no time-to-event or tumour data.".into(),
        ));
    }
    for p in &r.plots {
        b.push(Block::Plot(p.clone()));
    }
    // Adverse events.
    b.push(Block::H2("Adverse events".into()));
    match &r.adverse_events {
        None => b.push(Block::P("Not reported: no AE data.".into())),
        Some(ae) => {
            let total = ae.n.get(ae.arms.len()).copied().unwrap_or(0);
            let cell = |x: u64, i: usize| npct(x, ae.n.get(i).copied().unwrap_or(0));
            let header = arm_header("", &ae.arms, Some(&ae.n));
            let mut rows: Vec<Vec<String>> = ae
                .summary
                .iter()
                .map(|r| {
                    std::iter::once(r.label.clone())
                        .chain(r.by_arm.iter().enumerate().map(|(i, x)| cell(*x, i)))
                        .chain(std::iter::once(npct(r.total, total)))
                        .collect()
                })
                .collect();
            if !ae.grade_collected {
                let mut v = vec!["Subjects with a grade ≥ 3 TEAE (CTCAE)".to_string()];
                v.extend(std::iter::repeat_n(
                    "not collected".to_string(),
                    ae.arms.len() + 1,
                ));
                rows.insert(1, v);
            }
            b.push(Block::P("Safety population: subjects who received any study treatment (ADSL SAFFL = Y), by actual arm (ACTARM).".into()));
            b.push(Block::Table(Tbl {
                header: header.clone(),
                rows,
                strong: Vec::new(),
                source: format!(
                    "{} (TRTEMFL, ATOXGR, ASEV, AESER, AEOUT) and adsl.csv (SAFFL, ACTARM)",
                    ae.source
                ),
            }));
            b.push(Block::List(ae.notes.clone()));
            let term_table = |rows: &[TermRow], soc: bool| -> Tbl {
                let mut out = Vec::new();
                let mut strong = Vec::new();
                for t in rows {
                    let label = if soc && t.term.is_empty() {
                        t.soc.clone()
                    } else if soc {
                        format!("  {}", t.term)
                    } else {
                        t.term.clone()
                    };
                    out.push(
                        std::iter::once(label)
                            .chain(t.by_arm.iter().enumerate().map(|(i, x)| cell(*x, i)))
                            .chain(std::iter::once(npct(t.total, total)))
                            .collect(),
                    );
                    strong.push(soc && t.term.is_empty());
                }
                Tbl {
                    header: arm_header(
                        if soc {
                            "System organ class / preferred term"
                        } else {
                            "Preferred term"
                        },
                        &ae.arms,
                        Some(&ae.n),
                    ),
                    rows: out,
                    strong,
                    source: format!("{} (TRTEMFL = Y; AEBODSYS, AEDECOD)", ae.source),
                }
            };
            b.push(Block::H3(if ae.grade_collected {
                "Grade ≥ 3 treatment-emergent adverse events".into()
            } else {
                "Severe treatment-emergent adverse events (AESEV = SEVERE; CTCAE grade not collected)".into()
            }));
            if ae.severe_by_term.is_empty() {
                b.push(Block::P("None.".into()));
            } else {
                b.push(Block::Table(term_table(&ae.severe_by_term, false)));
            }
            b.push(Block::H3(
                "Serious treatment-emergent adverse events (AESER = Y)".into(),
            ));
            if ae.serious_by_term.is_empty() {
                b.push(Block::P("None.".into()));
            } else {
                b.push(Block::Table(term_table(&ae.serious_by_term, false)));
            }
            b.push(Block::H3(
                "Treatment-emergent adverse events by system organ class and preferred term".into(),
            ));
            b.push(Block::Table(term_table(&ae.by_soc_term, true)));
        }
    }

    if !r.notes.is_empty() {
        b.push(Block::H2("Notes".into()));
        b.push(Block::List(r.notes.clone()));
    }
    b
}

fn title_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// The Markdown report (plots linked as the SVG files next to it).
pub fn markdown(r: &Report) -> String {
    let mut o = format!("# {}\n\n", r.title);
    for blk in blocks(r) {
        match blk {
            Block::H2(t) => {
                let _ = writeln!(o, "## {t}\n");
            }
            Block::H3(t) => {
                let _ = writeln!(o, "### {t}\n");
            }
            Block::P(t) => {
                let _ = writeln!(o, "{t}\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(o, "- {i}");
                }
                o.push('\n');
            }
            Block::Table(t) => {
                let _ = writeln!(
                    o,
                    "| {} |",
                    t.header
                        .iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(o, "|{}", "---|".repeat(t.header.len()));
                for (i, row) in t.rows.iter().enumerate() {
                    let strong = t.strong.get(i).copied().unwrap_or(false);
                    let cells: Vec<String> = row
                        .iter()
                        .enumerate()
                        .map(|(j, c)| {
                            let c = md_cell(c.trim_start());
                            let c = if j == 0 && row[0].starts_with("  ") {
                                format!("&nbsp;&nbsp;{c}")
                            } else {
                                c
                            };
                            if strong && j == 0 && !c.is_empty() {
                                format!("**{c}**")
                            } else {
                                c
                            }
                        })
                        .collect();
                    let _ = writeln!(o, "| {} |", cells.join(" | "));
                }
                if !t.source.is_empty() {
                    let _ = writeln!(o, "\n*Source: {}*", t.source);
                }
                o.push('\n');
            }
            Block::Plot(p) => {
                let _ = writeln!(
                    o,
                    "### {}\n\n![{}]({})\n\n*Source: {}*",
                    p.title, p.title, p.file, p.source
                );
                if let Some(n) = &p.note {
                    let _ = writeln!(o, "\n{n}");
                }
                o.push('\n');
            }
        }
    }
    o
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline code spans (`x`) to `<code>`.
fn inline(s: &str) -> String {
    let e = esc(s);
    let mut out = String::new();
    for (i, part) in e.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:1.6em;border-bottom:3px solid #0072b2;padding-bottom:6px}
h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:4px;color:#0b4f7c}
h3{font-size:1.08em;margin-top:1.5em}
table{border-collapse:collapse;margin:8px 0 4px;font-size:0.9em;width:100%}
th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#eef3f8}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.strong td{font-weight:600;background:#f7f7f7}
td.ind{padding-left:24px}
tbody tr:nth-child(even):not(.strong) td{background:#fbfcfd}
p.src{font-size:0.82em;color:#555;margin:2px 0 16px;font-style:italic}
figure{margin:16px 0 28px;border:1px solid #e1e4e8;padding:8px;border-radius:4px}
figure svg{max-width:100%;height:auto;display:block;margin:0 auto}
figcaption{font-size:0.9em;color:#333;margin-top:6px}
code{background:#f2f2f2;padding:1px 4px;border-radius:3px;font-size:0.92em}
nav{background:#f6f8fa;border:1px solid #e1e4e8;padding:8px 14px;border-radius:4px;font-size:0.92em}
nav a{margin-right:14px;color:#0b4f7c}
summary{cursor:pointer;color:#0b4f7c;margin:6px 0}
.cell-lines{white-space:pre-line}";

fn is_numeric_cell(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '—')
        && !t.contains(':')
}

/// Makes a plotters SVG scale with the page (width/height become the viewBox).
fn scalable(svg: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_string();
    };
    let tag = &svg[start..end];
    let attr = |name: &str| -> Option<String> {
        let k = format!("{name}=\"");
        let i = tag.find(&k)? + k.len();
        let j = tag[i..].find('"')? + i;
        Some(tag[i..j].to_string())
    };
    let (Some(w), Some(h)) = (attr("width"), attr("height")) else {
        return svg.to_string();
    };
    if tag.contains("viewBox") {
        return svg.to_string();
    }
    let new_tag = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\"{}",
        tag.trim_start_matches("<svg")
            .replace(&format!("width=\"{w}\""), "")
            .replace(&format!("height=\"{h}\""), "")
    );
    let body = svg[end..].to_string();
    // Drop the XML declaration, if any, when inlining.
    format!("{new_tag}{body}")
}

/// The self-contained HTML report.
pub fn html(r: &Report, svgs: &HashMap<String, String>) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        esc(&r.title),
        esc(&r.title)
    );
    let bl = blocks(r);
    o.push_str("<nav>");
    for blk in &bl {
        if let Block::H2(t) = blk {
            let _ = write!(o, "<a href=\"#{}\">{}</a>", anchor(t), esc(t));
        }
    }
    o.push_str("</nav>\n");
    for blk in bl {
        match blk {
            Block::H2(t) => {
                let _ = writeln!(o, "<h2 id=\"{}\">{}</h2>", anchor(&t), esc(&t));
            }
            Block::H3(t) => {
                let _ = writeln!(o, "<h3>{}</h3>", esc(&t));
            }
            Block::P(t) => {
                let _ = writeln!(o, "<p>{}</p>", inline(&t));
            }
            Block::List(items) => {
                o.push_str("<ul>");
                for i in items {
                    let _ = write!(o, "<li>{}</li>", inline(&i));
                }
                o.push_str("</ul>\n");
            }
            Block::Table(t) => {
                let long = t.rows.len() > 40;
                if long {
                    let _ = writeln!(
                        o,
                        "<details><summary>Show the full table ({} rows)</summary>",
                        t.rows.len()
                    );
                }
                o.push_str("<table>\n<thead><tr>");
                for h in &t.header {
                    let _ = write!(o, "<th>{}</th>", esc(h));
                }
                o.push_str("</tr></thead>\n<tbody>\n");
                for (i, row) in t.rows.iter().enumerate() {
                    let strong = t.strong.get(i).copied().unwrap_or(false);
                    o.push_str(if strong {
                        "<tr class=\"strong\">"
                    } else {
                        "<tr>"
                    });
                    for (j, c) in row.iter().enumerate() {
                        let mut cls = Vec::new();
                        if j == 0 && c.starts_with("  ") {
                            cls.push("ind");
                        }
                        if j > 0 && is_numeric_cell(c) {
                            cls.push("num");
                        }
                        if c.contains('\n') {
                            cls.push("cell-lines");
                        }
                        if cls.is_empty() {
                            let _ = write!(o, "<td>{}</td>", esc(c.trim_start()));
                        } else {
                            let _ = write!(
                                o,
                                "<td class=\"{}\">{}</td>",
                                cls.join(" "),
                                esc(c.trim_start())
                            );
                        }
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</tbody>\n</table>\n");
                if long {
                    o.push_str("</details>\n");
                }
                if !t.source.is_empty() {
                    let _ = writeln!(o, "<p class=\"src\">Source: {}</p>", esc(&t.source));
                }
            }
            Block::Plot(p) => {
                let _ = write!(o, "<figure id=\"{}\">", esc(&p.id));
                match svgs.get(&p.file) {
                    Some(svg) => o.push_str(&scalable(svg)),
                    None => o.push_str("<p>(plot not available)</p>"),
                }
                let _ = writeln!(
                    o,
                    "<figcaption><strong>{}</strong>. {}Source: {}. File: <code>{}</code>.</figcaption></figure>",
                    esc(&p.title),
                    p.note.as_deref().map(|n| format!("{} ", esc(n))).unwrap_or_default(),
                    esc(&p.source),
                    esc(&p.file)
                );
            }
        }
    }
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

fn anchor(t: &str) -> String {
    t.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}
