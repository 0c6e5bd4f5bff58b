//! `trialmatch safety <sdtm-dir> [--window-days N] [--arm actarm|arm] [--top N]`: adverse-event
//! tables (treatment-emergent, worst grade by subject and term, by arm; serious and grade ≥ 3
//! separately), CTCAE v5 lab grades and AFP change from SDTM CSVs (tm-outcomes::safety; JSON
//! shape in docs/contracts.md, section "safety").

use std::path::PathBuf;

use tm_outcomes::safety::{analyze, SafetyOptions, SdtmInput};

use crate::ctx::write_stdout;
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Directory with SDTM CSVs: dm.csv, ex.csv, ae.csv (required) and lb.csv (optional).
    #[arg(value_name = "SDTM-DIR")]
    pub dir: PathBuf,
    /// Days after the last dose during which a new AE is still treatment-emergent.
    #[arg(long, default_value_t = 30)]
    pub window_days: i32,
    /// DM variable for the arm: actual (ACTARM) or planned (ARM).
    #[arg(long, default_value = "actarm", value_parser = ["actarm", "arm"])]
    pub arm: String,
    /// Terms shown per arm in the human view (JSON has all).
    #[arg(long, default_value_t = 15)]
    pub top: usize,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    if args.window_days < 0 {
        return Err(CliError::usage("--window-days must be ≥ 0"));
    }
    let input = SdtmInput::read_dir(&args.dir).map_err(CliError::failure)?;
    let opts = SafetyOptions {
        end_window_days: args.window_days,
        arm_variable: args.arm.to_ascii_uppercase(),
    };
    let report = analyze(&input, &opts).map_err(CliError::failure)?;
    // Every unreadable row, as file:line: reason (issue 29: nothing is skipped silently).
    for k in &report.skipped {
        eprintln!("{}:{}: {}", k.file, k.line, k.reason);
    }
    if ctx.json {
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?));
    } else if !ctx.quiet {
        write_stdout(&report.to_text(args.top));
    }
    Ok(())
}
