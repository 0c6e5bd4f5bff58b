//! `trialmatch qol <csv> [--baseline-visit V]`: EORTC QLQ-C30 v3.0 scale scores, summary score
//! and change from baseline by visit (tm-outcomes::qlq_c30; CSV format and JSON shape in
//! docs/contracts.md, section "qol").

use std::path::PathBuf;

use tm_outcomes::qlq_c30::{read_qlq_csv, report};

use crate::ctx::write_stdout;
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Long-form CSV with columns subject, visit, date, item (1–30), response.
    #[arg(value_name = "CSV")]
    pub input: PathBuf,
    /// Visit name used as baseline (default: each subject's earliest-dated assessment).
    #[arg(long, value_name = "VISIT")]
    pub baseline_visit: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.input)
        .map_err(|e| CliError::failure(format!("{}: {e}", args.input.display())))?;
    let data = read_qlq_csv(&text)
        .map_err(|e| CliError::failure(format!("{}: {e}", args.input.display())))?;
    if data.assessments.is_empty() {
        return Err(CliError::failure(format!(
            "{}: no usable rows ({} skipped)",
            args.input.display(),
            data.skipped.len()
        )));
    }
    let rep = report(&data, args.baseline_visit.as_deref());
    if ctx.json {
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&rep)?));
    } else if !ctx.quiet {
        write_stdout(&rep.to_text());
    }
    Ok(())
}
