//! `trialmatch list`: the trials in the store, with filters.

use tm_model::Phase;
use tm_store::{ListFilter, TrialSummary};

use crate::human;
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Overall status, any spelling: recruiting, "Active, not recruiting",
    /// NOT_YET_RECRUITING …
    #[arg(long)]
    pub status: Option<String>,
    /// Phase, any spelling: 2, "Phase 1/2", PHASE3, "early phase 1", NA.
    /// Keeps trials with any of the phases given.
    #[arg(long)]
    pub phase: Option<String>,
    /// Keeps trials with a condition containing this text (case-insensitive).
    #[arg(long)]
    pub condition: Option<String>,
}

/// Builds the store filter from the command-line spellings.
/// Parses a `--phase` argument into phases: a bare number or roman numeral
/// means that phase (`2`, `II`, `1/2`); otherwise any registry spelling.
/// An unknown phase is a usage error.
pub fn parse_phase_arg(p: &str) -> Result<Vec<Phase>, CliError> {
    Ok(tm_app::parse_phase(p)?)
}

pub fn filter_from(args: &Args) -> Result<ListFilter, CliError> {
    Ok(tm_app::list_filter(
        args.status.as_deref(),
        args.phase.as_deref(),
        args.condition.as_deref(),
    )?)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let filter = filter_from(&args)?;
    let trials: Vec<TrialSummary> = tm_app::App::cli(&ctx.db).list(&filter)?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&trials)?);
        return Ok(());
    }
    let filtered =
        filter.status.is_some() || !filter.phases.is_empty() || filter.condition.is_some();
    if trials.is_empty() {
        if filtered {
            outln!(
                "No trials match these filters in {}.",
                crate::esc::path(&ctx.db)
            );
        } else {
            outln!(
                "No trials in {} yet. Import some:\n  trialmatch import examples/seeds\n\
                 or load the five bundled example trials:\n  trialmatch demo",
                crate::esc::path(&ctx.db)
            );
        }
        return Ok(());
    }
    print_table(&trials);
    if !ctx.quiet {
        outln!(
            "\n{} trial{}. Details: trialmatch show <ID>",
            trials.len(),
            if trials.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// The human table: id, status, phase, enrollment, title, conditions.
pub fn print_table(trials: &[TrialSummary]) {
    let id_w = trials
        .iter()
        .map(|t| t.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    outln!(
        "{:<id_w$}  {:<23}  {:<11}  {:>8}  TITLE / CONDITIONS",
        "ID",
        "STATUS",
        "PHASE",
        "ENROLLED"
    );
    for t in trials {
        let enrolled = t
            .enrollment
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into());
        outln!(
            "{:<id_w$}  {:<23}  {:<11}  {:>8}  {}",
            t.id,
            human::opt_status(t.status),
            human::phases(&t.phase),
            enrolled,
            human::truncate(t.title.as_deref().unwrap_or("(no title)"), 90),
        );
        if !t.conditions.is_empty() {
            outln!(
                "{:<w$}{}",
                "",
                human::truncate(&t.conditions.join("; "), 90),
                w = id_w + 2 + 23 + 2 + 11 + 2 + 8 + 2
            );
        }
    }
}
