//! `trialmatch survival <csv> --time T --event E [--group G] [--strata S] [--plot out.svg]`:
//! Kaplan-Meier curves, medians, log-rank and hazard ratios (tm-outcomes; JSON shape in
//! docs/contracts.md, section "survival").

use std::path::PathBuf;

use tm_outcomes::survival::plot::{km_svg, PlotOptions};
use tm_outcomes::survival::{
    analyze, read_survival_csv, AnalysisOptions, ColumnSpec, SkippedRow, Ties,
};

use crate::ctx::write_stdout;
use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    /// Delimited text file with a header line (comma, tab, semicolon or whitespace).
    #[arg(value_name = "CSV")]
    pub input: PathBuf,
    /// Column with the follow-up time (≥ 0).
    #[arg(long, value_name = "COLUMN")]
    pub time: String,
    /// Column with the event indicator: 1/0, true/false, dead/censored (see --event-value).
    #[arg(long, value_name = "COLUMN")]
    pub event: String,
    /// Column with the group (arm); enables the log-rank test and hazard ratios.
    #[arg(long, value_name = "COLUMN")]
    pub group: Option<String>,
    /// Column with the stratum: stratified log-rank, Cox, Peto and Mantel-Haenszel.
    #[arg(long, value_name = "COLUMN")]
    pub strata: Option<String>,
    /// The event-column value that marks an event (every other value = censored), e.g. 2 for
    /// R's 1/2 coding.
    #[arg(long, value_name = "VALUE")]
    pub event_value: Option<String>,
    /// Reference group of the hazard ratios (default: the first group in natural order).
    #[arg(long, value_name = "GROUP")]
    pub reference: Option<String>,
    /// Tie handling of the Cox model.
    #[arg(long, default_value = "efron", value_parser = ["efron", "breslow"])]
    pub ties: String,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Write a Kaplan-Meier plot (SVG) to this file.
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,
    /// Shade pointwise confidence bands in the plot.
    #[arg(long)]
    pub ci_bands: bool,
    /// Plot title.
    #[arg(long)]
    pub title: Option<String>,
    /// Time-axis label of the plot (default: the time column name, with --time-unit in
    /// parentheses).
    #[arg(long, value_name = "LABEL")]
    pub time_label: Option<String>,
    /// Unit of the time column (e.g. days, months), shown with the medians in the plot legend
    /// and on the time axis.
    #[arg(long, value_name = "UNIT")]
    pub time_unit: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    if !(args.conf_level > 0.0 && args.conf_level < 1.0) {
        return Err(CliError::usage("--conf-level must be between 0 and 1"));
    }
    let ties: Ties = args.ties.parse().map_err(CliError::usage)?;
    let text = std::fs::read_to_string(&args.input)
        .map_err(|e| CliError::failure(format!("{}: {e}", args.input.display())))?;
    let spec = ColumnSpec {
        time: args.time.clone(),
        event: args.event.clone(),
        group: args.group.clone(),
        strata: args.strata.clone(),
        event_value: args.event_value.clone(),
    };
    let data = read_survival_csv(&text, &spec)
        .map_err(|e| CliError::failure(format!("{}: {e}", args.input.display())))?;
    if data.records.is_empty() {
        return Err(CliError::failure(SkippedRow::no_usable_rows(
            &args.input.display().to_string(),
            &data.skipped,
        )));
    }
    let opts = AnalysisOptions {
        level: args.conf_level,
        ties,
        reference: args.reference.clone(),
    };
    let report = analyze(&data, &opts).map_err(CliError::usage)?;
    if let Some(path) = &args.plot {
        let plot_opts = PlotOptions {
            title: args.title.clone(),
            x_label: args
                .time_label
                .clone()
                .unwrap_or_else(|| match &args.time_unit {
                    Some(u) => format!("{} ({u})", args.time),
                    None => args.time.clone(),
                }),
            ci_bands: args.ci_bands,
            time_unit: args.time_unit.clone(),
            ..Default::default()
        };
        let svg = km_svg(&report, &plot_opts).map_err(CliError::failure)?;
        std::fs::write(path, svg)
            .map_err(|e| CliError::failure(format!("{}: {e}", path.display())))?;
    }
    if ctx.json {
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?));
    } else if !ctx.quiet {
        let mut text = report.to_text();
        if let Some(path) = &args.plot {
            text.push_str(&format!("\nPlot written to {}\n", path.display()));
        }
        write_stdout(&text);
    }
    Ok(())
}
