//! `trialmatch criteria <trial-id> [--json]` and
//! `trialmatch criteria --text-file F [--json]`: the segmented and compiled
//! eligibility criteria of one trial (or of a criteria text alone), with
//! what was understood highlighted (tm-criteria; shape in docs/contracts.md
//! "criteria --json").

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// NCT id, other registry id, derived TM- id or alias of a stored trial.
    #[arg(required_unless_present = "text_file", conflicts_with = "text_file")]
    pub id: Option<String>,
    /// Compile this file's text as a criteria text instead of a stored trial.
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let text = match (&args.text_file, &args.id) {
        (Some(f), _) => std::fs::read_to_string(f)
            .map_err(|e| CliError::failure(format!("{}: {e}", f.display())))?,
        (None, Some(id)) => {
            let not_found = || {
                CliError::failure(format!(
                    "no trial with id or alias {id:?} in {} (see: trialmatch list)",
                    ctx.db.display()
                ))
            };
            let store = ctx.open_read_store()?;
            let trial = store.get_trial(id)?.ok_or_else(not_found)?;
            trial.eligibility.criteria_text.unwrap_or_default()
        }
        (None, None) => return Err(CliError::usage("give a trial id or --text-file FILE")),
    };
    let compiled = tm_criteria::compile(&text);
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&compiled.criteria)?);
    } else {
        if compiled.criteria.is_empty() {
            outln!("(no eligibility criteria found)");
            return Ok(());
        }
        let color = std::io::stdout().is_terminal();
        crate::ctx::write_stdout(&tm_criteria::render::render(
            &text,
            &compiled.criteria,
            color,
        ));
    }
    Ok(())
}
