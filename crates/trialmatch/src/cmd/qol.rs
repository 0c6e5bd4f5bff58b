//! `trialmatch qol <csv|qs.csv|sdtm-dir> [--baseline-visit V]`: EORTC QLQ-C30 v3.0 scale
//! scores, summary score and change from baseline by visit (tm-outcomes::qlq_c30; input formats
//! and JSON shape in docs/contracts.md, section "qol").

use std::path::PathBuf;

use tm_outcomes::qlq_c30::{read_qlq_path, report, SkippedRow};

use crate::ctx::write_stdout;
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Long-form CSV (subject, visit, date, item 1–30, response), an SDTM QS CSV (QSTESTCD
    /// EOR0101–EOR0130) or an SDTM directory containing qs.csv.
    #[arg(value_name = "CSV|QS|SDTM-DIR")]
    pub input: PathBuf,
    /// Visit name used as baseline (default: each subject's earliest-dated assessment).
    #[arg(long, value_name = "VISIT")]
    pub baseline_visit: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let data = read_qlq_path(&args.input).map_err(CliError::failure)?;
    if data.assessments.is_empty() {
        return Err(CliError::failure(SkippedRow::no_usable_rows(
            &args.input.display().to_string(),
            &data.skipped,
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
