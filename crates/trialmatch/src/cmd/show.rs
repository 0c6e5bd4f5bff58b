//! `trialmatch show <id>`: one trial, by any registry id or alias.

use serde::Serialize;
use tm_model::{Outcome, Trial, TRIAL_SCHEMA_VERSION};

use crate::human;
use crate::{CliError, Ctx};

/// Locations listed in the human view before "… and N more".
const MAX_LOCATIONS: usize = 15;

#[derive(clap::Args)]
pub struct Args {
    /// NCT id (any case), other registry id, derived TM- id or alias.
    pub id: String,
    /// Print the posted results (participant flow, baseline, outcome
    /// measures, adverse events) as tables instead of the trial summary.
    #[arg(long)]
    pub results: bool,
}

/// `show --json`: the normalised trial with its schema version.
#[derive(Serialize)]
pub struct ShowJson<'a> {
    pub schema_version: u32,
    #[serde(flatten)]
    pub trial: &'a Trial,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let not_found = || {
        CliError::failure(format!(
            "no trial with id or alias {:?} in {} (see: trialmatch list)",
            args.id,
            ctx.db.display()
        ))
    };
    let trial = match tm_app::App::cli(&ctx.db).show(&args.id) {
        Ok(t) => t,
        Err(e) if e.kind == tm_app::ErrorKind::NotFound => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    if ctx.json {
        let out = ShowJson {
            schema_version: TRIAL_SCHEMA_VERSION,
            trial: &trial,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else if args.results {
        crate::ctx::write_stdout(&super::results_view::render(&trial));
    } else {
        crate::ctx::write_stdout(&render(&trial));
    }
    Ok(())
}

/// The human view, written for a research coordinator.
pub fn render(t: &Trial) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let title = t.title.as_deref().unwrap_or("(no title)");
    let _ = writeln!(o, "{}  {}", t.id, title);
    let _ = writeln!(
        o,
        "{}",
        "=".repeat((t.id.chars().count() + 2 + title.chars().count()).min(100))
    );
    if let Some(ot) = &t.official_title {
        if Some(ot.as_str()) != t.title.as_deref() {
            let _ = writeln!(o, "Official title: {ot}");
        }
    }
    if let Some(a) = &t.acronym {
        let _ = writeln!(o, "Acronym:        {a}");
    }
    let _ = writeln!(o, "Status:         {}", human::opt_status(t.status));
    let _ = writeln!(o, "Phase:          {}", human::phases(&t.phase));
    if let Some(st) = &t.study_type {
        let _ = writeln!(o, "Study type:     {}", human::label(st));
    }
    if let Some(e) = &t.enrollment {
        let kind = e
            .kind
            .as_deref()
            .map(|k| format!(" ({})", k.to_lowercase()))
            .unwrap_or_default();
        let _ = writeln!(o, "Enrollment:     {} participants{kind}", e.count);
    }
    let d = &t.dates;
    let dates: Vec<String> = [
        ("start", &d.start),
        ("primary completion", &d.primary_completion),
        ("completion", &d.completion),
        ("last update", &d.last_update),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
    .collect();
    if !dates.is_empty() {
        let _ = writeln!(o, "Dates:          {}", dates.join(" · "));
    }
    if let Some(lead) = t.lead_sponsor() {
        let _ = writeln!(o, "Sponsor:        {lead}");
    }
    let collabs: Vec<&str> = t
        .sponsors
        .iter()
        .filter(|s| s.role != "lead")
        .map(|s| s.name.as_str())
        .collect();
    if !collabs.is_empty() {
        let _ = writeln!(o, "Collaborators:  {}", collabs.join("; "));
    }
    let ids: Vec<String> = t
        .registry_ids
        .iter()
        .map(|r| format!("{} ({})", r.id, r.kind))
        .collect();
    if !ids.is_empty() {
        let _ = writeln!(o, "Registry ids:   {}", ids.join(", "));
    }
    if !t.aliases.is_empty() {
        let _ = writeln!(o, "Also known as:  {}", t.aliases.join(", "));
    }
    if !t.conditions.is_empty() {
        let _ = writeln!(o, "Conditions:     {}", t.conditions.join("; "));
    }

    if let Some(s) = t.brief_summary.as_deref().or(t.lay_summary.as_deref()) {
        let _ = writeln!(o, "\nSummary\n{}", human::indent(s.trim(), 2));
    }

    if !t.interventions.is_empty() {
        let _ = writeln!(o, "\nInterventions");
        for i in &t.interventions {
            let _ = writeln!(o, "  - {}: {}", human::label(&i.kind), i.name);
        }
    }
    if !t.arms.is_empty() {
        let _ = writeln!(o, "\nArms");
        for a in &t.arms {
            let kind = a
                .kind
                .as_deref()
                .map(|k| format!(" [{}]", human::label(k)))
                .unwrap_or_default();
            let _ = writeln!(o, "  - {}{kind}", a.label);
            if let Some(desc) = &a.description {
                let _ = writeln!(o, "{}", human::indent(desc.trim(), 4));
            }
        }
    }
    outcome_block(&mut o, "Primary outcomes", &t.outcomes.primary);
    outcome_block(&mut o, "Secondary outcomes", &t.outcomes.secondary);
    outcome_block(&mut o, "Other outcomes", &t.outcomes.other);

    let e = &t.eligibility;
    let _ = writeln!(o, "\nEligibility");
    let ages = match (&e.min_age, &e.max_age) {
        (Some(a), Some(b)) => format!("{} to {}", human::age(a), human::age(b)),
        (Some(a), None) => format!("{} and older", human::age(a)),
        (None, Some(b)) => format!("up to {}", human::age(b)),
        (None, None) => "not stated".into(),
    };
    let _ = writeln!(o, "  Ages:                {ages}");
    let sex = e
        .sex
        .map(|s| human::label(&format!("{s:?}")))
        .unwrap_or_else(|| "not stated".into());
    let _ = writeln!(o, "  Sex:                 {sex}");
    let hv = match e.healthy_volunteers {
        Some(true) => "accepted",
        Some(false) => "not accepted",
        None => "not stated",
    };
    let _ = writeln!(o, "  Healthy volunteers:  {hv}");
    match &e.criteria_text {
        Some(c) if !c.trim().is_empty() => {
            let _ = writeln!(o, "  Criteria:\n{}", human::indent(c.trim(), 4));
        }
        _ => {
            let _ = writeln!(o, "  Criteria:            not stated");
        }
    }

    if !t.locations.is_empty() {
        let _ = writeln!(o, "\nLocations ({})", t.locations.len());
        for l in t.locations.iter().take(MAX_LOCATIONS) {
            let place: Vec<&str> = [&l.facility, &l.city, &l.state, &l.country]
                .iter()
                .filter_map(|x| x.as_deref())
                .collect();
            let status = l
                .status
                .as_deref()
                .map(|s| format!(" [{}]", human::label(s)))
                .unwrap_or_default();
            let _ = writeln!(o, "  - {}{status}", place.join(", "));
        }
        if t.locations.len() > MAX_LOCATIONS {
            let _ = writeln!(
                o,
                "  … and {} more (show --json lists all)",
                t.locations.len() - MAX_LOCATIONS
            );
        }
    }

    if t.results.is_some() {
        let _ = writeln!(o, "\nResults posted: trialmatch show {} --results", t.id);
    }
    if !t.sources.is_empty() {
        let _ = writeln!(o, "\nSources");
        for (i, s) in t.sources.iter().enumerate() {
            let rec = s
                .record
                .as_deref()
                .map(|r| format!(":{r}"))
                .unwrap_or_default();
            let asof = s
                .current_as_of
                .as_deref()
                .map(|d| format!(", current as of {d}"))
                .unwrap_or_default();
            let _ = writeln!(o, "  [{i}] {} {}{rec}{asof}", s.format, s.file);
        }
    }
    if !t.conflicts.is_empty() {
        let _ = writeln!(o, "\nSources disagree on");
        for c in &t.conflicts {
            let vals: Vec<String> = c
                .values
                .iter()
                .map(|v| {
                    let shown = match &v.value {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!("{} [{}]", human::truncate(&shown, 60), v.source)
                })
                .collect();
            let _ = writeln!(o, "  - {}: {}", c.field, vals.join("  vs  "));
        }
    }
    o
}

fn outcome_block(o: &mut String, heading: &str, outcomes: &[Outcome]) {
    use std::fmt::Write;
    if outcomes.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n{heading}");
    for (i, oc) in outcomes.iter().enumerate() {
        let tf = oc
            .time_frame
            .as_deref()
            .map(|t| format!("  (time frame: {t})"))
            .unwrap_or_default();
        let _ = writeln!(o, "  {}. {}{tf}", i + 1, oc.measure);
        if let Some(d) = &oc.description {
            let _ = writeln!(o, "{}", human::indent(d.trim(), 5));
        }
    }
}
