//! `show ID --results`: posted results as text tables shaped like the
//! registry's — participant flow (period: milestone × group), baseline
//! (measure × group), each outcome measure (title, type, time frame, groups,
//! measurements, analyses) and adverse events (serious / other: term × group).

use std::fmt::Write;

use tm_model::results::{Denom, Measurement, ResultGroup};
use tm_model::Trial;

use crate::human;

/// Reads one total (affected, at risk) of an adverse-event group.
type TotalOf = fn(&tm_model::results::EventGroup) -> (Option<u64>, Option<u64>);

/// Width of the row-label column.
const LABEL_WIDTH: usize = 44;
/// Widest group column header (longer titles are cut; the legend has them whole).
const HEADER_WIDTH: usize = 18;

/// A text table: a label column and one column per group.
struct Table {
    headers: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

impl Table {
    fn new(groups: &[(String, String)]) -> Table {
        Table {
            headers: groups
                .iter()
                .map(|(_, t)| human::truncate(t, HEADER_WIDTH))
                .collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, label: impl Into<String>, cells: Vec<String>) {
        self.rows.push((label.into(), cells));
    }

    fn render(&self, o: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for (_, cells) in &self.rows {
            for (i, c) in cells.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        // Heading rows (no cells) are printed whole and do not widen the column.
        let label_w = self
            .rows
            .iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(8, LABEL_WIDTH);
        let mut line = format!("{pad}{:label_w$}", "");
        for (h, w) in self.headers.iter().zip(&widths) {
            let _ = write!(line, "  {h:>w$}");
        }
        let _ = writeln!(o, "{}", line.trim_end());
        for (label, cells) in &self.rows {
            if cells.is_empty() {
                let _ = writeln!(o, "{}", format!("{pad}{label}").trim_end());
                continue;
            }
            let label = human::truncate(label, label_w);
            let mut line = format!("{pad}{label:label_w$}");
            for (i, w) in widths.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let _ = write!(line, "  {c:>w$}");
            }
            let _ = writeln!(o, "{}", line.trim_end());
        }
    }
}

fn groups_of(gs: &[ResultGroup]) -> Vec<(String, String)> {
    gs.iter().map(|g| (g.id.clone(), g.title.clone())).collect()
}

fn legend(o: &mut String, gs: &[(String, String)], indent: usize) {
    let pad = " ".repeat(indent);
    for (id, t) in gs {
        if t.chars().count() > HEADER_WIDTH {
            let _ = writeln!(o, "{pad}{id}: {t}");
        }
    }
}

/// `61.5 (8.2)`, `40.0 (12.2 to 73.8)`, `59`.
fn cell(m: &Measurement) -> String {
    let mut s = m.value.clone().unwrap_or_else(|| "—".into());
    if let Some(sp) = &m.spread {
        let _ = write!(s, " ({sp})");
    } else if m.lower_limit.is_some() || m.upper_limit.is_some() {
        let _ = write!(
            s,
            " ({} to {})",
            m.lower_limit.as_deref().unwrap_or("NA"),
            m.upper_limit.as_deref().unwrap_or("NA")
        );
    }
    s
}

/// Rows of a measure table: one per (class, category), in source order.
fn measure_rows(t: &mut Table, gs: &[(String, String)], ms: &[Measurement], indent: &str) {
    let mut keys: Vec<(Option<&str>, Option<&str>)> = Vec::new();
    for m in ms {
        let k = (m.class.as_deref(), m.category.as_deref());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut last_class: Option<&str> = None;
    for (class, cat) in keys {
        let cells: Vec<String> = gs
            .iter()
            .map(|(id, _)| {
                ms.iter()
                    .find(|m| {
                        m.class.as_deref() == class
                            && m.category.as_deref() == cat
                            && &m.group_id == id
                    })
                    .map(cell)
                    .unwrap_or_default()
            })
            .collect();
        match (class, cat) {
            (Some(c), Some(k)) => {
                if last_class != Some(c) {
                    t.row(format!("{indent}{c}"), vec![]);
                }
                t.row(format!("{indent}  {k}"), cells);
            }
            (Some(c), None) => t.row(format!("{indent}{c}"), cells),
            (None, Some(k)) => t.row(format!("{indent}{k}"), cells),
            (None, None) => t.row(format!("{indent}value"), cells),
        }
        last_class = class;
    }
}

fn denom_rows(t: &mut Table, gs: &[(String, String)], denoms: &[Denom], label: &str) {
    for d in denoms.iter().filter(|d| d.class.is_none()) {
        let cells = gs
            .iter()
            .map(|(id, _)| {
                d.counts
                    .iter()
                    .find(|c| &c.group_id == id)
                    .map(|c| c.value.clone())
                    .unwrap_or_default()
            })
            .collect();
        t.row(format!("{label} ({})", d.units), cells);
    }
}

fn kind_line(param: Option<&str>, disp: Option<&str>, unit: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(p) = param {
        parts.push(human::label(p));
    }
    if let Some(d) = disp.filter(|d| *d != "NA") {
        parts.push(match d.strip_prefix("CONFIDENCE_") {
            Some("975") => "97.5% confidence interval".into(),
            Some(n) if n.chars().all(|c| c.is_ascii_digit()) => {
                format!("{n}% confidence interval")
            }
            _ => human::label(d),
        });
    }
    let mut s = parts.join(", ");
    if let Some(u) = unit {
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(u);
    }
    s
}

fn pct(a: Option<u64>, n: Option<u64>) -> String {
    match (a, n) {
        (Some(a), Some(n)) if n > 0 => format!("{a}/{n} ({:.2}%)", 100.0 * a as f64 / n as f64),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    }
}

/// The results of `t` as text; a note when it has none.
pub fn render(t: &Trial) -> String {
    let mut o = String::new();
    let title = t.title.as_deref().unwrap_or("(no title)");
    let _ = writeln!(o, "{}  {}", t.id, title);
    let _ = writeln!(
        o,
        "{}",
        "=".repeat((t.id.chars().count() + 2 + title.chars().count()).min(100))
    );
    let Some(r) = &t.results else {
        let note = if t.has_results == Some(true) {
            "The registry says results are posted, but no stored source carries them \
             (import the API v2 JSON or classic XML record)."
        } else {
            "No results posted."
        };
        let _ = writeln!(o, "{note}");
        return o;
    };
    if let Some(src) = t.provenance.get("results").and_then(|v| v.first()) {
        if let Some(s) = t.sources.get(*src) {
            let _ = writeln!(o, "Results from source [{src}] {} {}", s.format, s.file);
        }
    }

    if let Some(pf) = &r.participant_flow {
        let _ = writeln!(o, "\nParticipant flow");
        for (label, text) in [
            ("Recruitment details", &pf.recruitment_details),
            ("Pre-assignment details", &pf.pre_assignment_details),
        ] {
            if let Some(x) = text {
                let _ = writeln!(o, "  {label}: {}", human::truncate(x, 300));
            }
        }
        let gs = groups_of(&pf.groups);
        for p in &pf.periods {
            let _ = writeln!(o, "\n  {}", p.title);
            let mut tb = Table::new(&gs);
            for (rows, prefix) in [(&p.milestones, ""), (&p.drop_withdraws, "Not completed: ")] {
                for m in rows.iter() {
                    let cells = gs
                        .iter()
                        .map(|(id, _)| {
                            m.counts
                                .iter()
                                .find(|c| &c.group_id == id)
                                .map(|c| c.count.clone())
                                .unwrap_or_default()
                        })
                        .collect();
                    tb.row(format!("{prefix}{}", m.kind), cells);
                }
            }
            tb.render(&mut o, 4);
        }
        legend(&mut o, &gs, 4);
    }

    if let Some(b) = &r.baseline {
        let _ = writeln!(o, "\nBaseline characteristics");
        if let Some(p) = &b.population {
            let _ = writeln!(o, "  Population: {}", human::truncate(p, 300));
        }
        let gs = groups_of(&b.groups);
        let mut tb = Table::new(&gs);
        denom_rows(&mut tb, &gs, &b.denoms, "Overall number analysed");
        for m in &b.measures {
            let kind = kind_line(
                m.param_type.as_deref(),
                m.dispersion_type.as_deref(),
                m.unit.as_deref(),
            );
            tb.row(format!("{} [{kind}]", m.title), vec![]);
            measure_rows(&mut tb, &gs, &m.measurements, "  ");
        }
        tb.render(&mut o, 2);
        legend(&mut o, &gs, 2);
    }

    if !r.outcome_measures.is_empty() {
        let _ = writeln!(o, "\nOutcome measures");
        for (i, m) in r.outcome_measures.iter().enumerate() {
            let kind = m.kind.as_deref().map(human::label).unwrap_or_default();
            let _ = writeln!(o, "\n  {}. {} ({kind})", i + 1, m.title);
            if let Some(tf) = &m.time_frame {
                let _ = writeln!(o, "     Time frame: {}", human::truncate(tf, 300));
            }
            let k = kind_line(
                m.param_type.as_deref(),
                m.dispersion_type.as_deref(),
                m.unit.as_deref(),
            );
            if !k.is_empty() {
                let _ = writeln!(o, "     Measure: {k}");
            }
            if let Some(s) = m.reporting_status.as_deref().filter(|s| *s != "POSTED") {
                let _ = writeln!(o, "     Reporting status: {}", human::label(s));
            }
            let gs = groups_of(&m.groups);
            if !m.measurements.is_empty() || !m.denoms.is_empty() {
                let mut tb = Table::new(&gs);
                denom_rows(&mut tb, &gs, &m.denoms, "Number analysed");
                measure_rows(&mut tb, &gs, &m.measurements, "");
                tb.render(&mut o, 5);
            }
            legend(&mut o, &gs, 5);
            for (j, a) in m.analyses.iter().enumerate() {
                let mut parts = vec![format!("groups {}", a.group_ids.join(", "))];
                if let Some(x) = &a.non_inferiority_type {
                    parts.push(human::label(x));
                }
                if let Some(x) = &a.method {
                    parts.push(x.clone());
                }
                if let Some(x) = &a.p_value {
                    parts.push(format!("p = {x}"));
                }
                if let (Some(p), Some(v)) = (&a.param_type, &a.param_value) {
                    let mut s = format!("{p} {v}");
                    if a.ci_lower.is_some() || a.ci_upper.is_some() {
                        let _ = write!(
                            s,
                            " ({}% CI {} to {})",
                            a.ci_percent.as_deref().unwrap_or("?"),
                            a.ci_lower.as_deref().unwrap_or("NA"),
                            a.ci_upper.as_deref().unwrap_or("NA")
                        );
                    }
                    parts.push(s);
                }
                let _ = writeln!(o, "     Analysis {}: {}", j + 1, parts.join("; "));
            }
        }
    }

    if let Some(ae) = &r.adverse_events {
        let _ = writeln!(o, "\nAdverse events");
        if let Some(tf) = &ae.time_frame {
            let _ = writeln!(o, "  Time frame: {}", human::truncate(tf, 300));
        }
        if let Some(ft) = &ae.frequency_threshold {
            let _ = writeln!(o, "  Frequency threshold for other adverse events: {ft}%");
        }
        let gs: Vec<(String, String)> = ae
            .groups
            .iter()
            .map(|g| (g.id.clone(), g.title.clone()))
            .collect();
        let mut tb = Table::new(&gs);
        let totals: [(&str, TotalOf); 3] = [
            ("All-cause mortality", |g| {
                (g.deaths_affected, g.deaths_at_risk)
            }),
            ("Total, serious adverse events", |g| {
                (g.serious_affected, g.serious_at_risk)
            }),
            ("Total, other adverse events", |g| {
                (g.other_affected, g.other_at_risk)
            }),
        ];
        for (label, f) in totals {
            let cells: Vec<String> = ae
                .groups
                .iter()
                .map(|g| {
                    let (a, n) = f(g);
                    pct(a, n)
                })
                .collect();
            if cells.iter().any(|c| !c.is_empty()) {
                tb.row(label, cells);
            }
        }
        for (heading, events) in [
            ("Serious adverse events", &ae.serious),
            ("Other adverse events", &ae.other),
        ] {
            if events.is_empty() {
                continue;
            }
            tb.row("", vec![]);
            tb.row(heading, vec![]);
            let mut last_system: Option<&str> = None;
            for e in events {
                if e.organ_system.as_deref() != last_system {
                    if let Some(s) = &e.organ_system {
                        tb.row(format!("  {s}"), vec![]);
                    }
                    last_system = e.organ_system.as_deref();
                }
                let cells = gs
                    .iter()
                    .map(|(id, _)| {
                        e.stats
                            .iter()
                            .find(|s| &s.group_id == id)
                            .map(|s| pct(s.affected, s.at_risk))
                            .unwrap_or_default()
                    })
                    .collect();
                tb.row(format!("    {}", e.term), cells);
            }
        }
        tb.render(&mut o, 2);
        legend(&mut o, &gs, 2);
    }

    if let Some(l) = &r.limitations {
        let _ = writeln!(
            o,
            "\nLimitations and caveats\n{}",
            human::indent(l.trim(), 2)
        );
    }
    o
}
