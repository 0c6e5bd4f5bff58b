//! `trialmatch report <sdtm-dir> [--trial ID] --out DIR`: a results report shaped like
//! ClinicalTrials.gov's (participant flow, baseline characteristics, registered outcome
//! measures with computed values, adverse events) with Kaplan-Meier, waterfall and swimmer
//! plots, as report.md, self-contained report.html and report.json (tm-outcomes `report`;
//! JSON shape in docs/contracts.md, section "report"), plus the analysis CSVs it is computed
//! from.

use std::path::PathBuf;

use tm_outcomes::report::{generate, ReportOptions};
use tm_outcomes::response::Criteria;

use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Folder of SDTM CSVs (dm.csv required; ds, ex, ae, lb, rs*, tu*, tr* used when present).
    #[arg(value_name = "SDTM_DIR")]
    pub sdtm_dir: PathBuf,
    /// Registered trial (any id or alias in the store, see --db) whose outcome measures are
    /// listed and matched to the computed endpoints.
    #[arg(long, value_name = "ID")]
    pub trial: Option<String>,
    /// Output folder (created): report.md, report.html, report.json, analysis CSVs, plot SVGs.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Response criteria for lesion-derived responses.
    #[arg(long, default_value = "recist11", value_parser = ["recist11", "mrecist"])]
    pub criteria: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let criteria: Criteria = args.criteria.parse().map_err(CliError::usage)?;
    if !args.sdtm_dir.is_dir() {
        return Err(CliError::failure(format!(
            "{}: not a directory of SDTM CSV files",
            args.sdtm_dir.display()
        )));
    }
    let trial = match &args.trial {
        None => None,
        Some(id) => {
            let not_found = || {
                CliError::failure(format!(
                    "no trial with id or alias {id:?} in {} (see: trialmatch list)",
                    ctx.db.display()
                ))
            };
            let store = ctx.open_read_store()?;
            Some(store.get_trial(id)?.ok_or_else(not_found)?)
        }
    };
    let opts = ReportOptions { trial, criteria };
    let g = generate(&args.sdtm_dir, &args.out, &opts).map_err(CliError::failure)?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&g.report)?);
    } else if !ctx.quiet {
        let f = &g.report.participant_flow;
        outln!(
            "{}: {} screened, {} randomised; {} outcome measure(s), {} plot(s)",
            g.report.title,
            f.screened,
            f.rows.first().map(|r| r.total).unwrap_or(0),
            g.report.outcome_measures.len(),
            g.report.plots.len()
        );
        for p in &g.files {
            outln!("  wrote {}", p.display());
        }
    }
    Ok(())
}
