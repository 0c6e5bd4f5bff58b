//! `trialmatch demo`: import the five example trials embedded in the binary
//! (the files of `examples/seeds/`, labelled with those paths), list them,
//! and screen the example FHIR patients of `examples/patients/` (also
//! embedded) against every seed trial as of [`DEMO_AS_OF`] — the same
//! evaluation as `trialmatch match --patient F --trial ID --as-of 2025-03-01`.

use tm_store::{ListFilter, DEFAULT_BATCH_SIZE};

use super::import::{import_inputs, print_summary, Input};
use super::list::print_table;
use crate::{CliError, Ctx};

/// The seeds, byte for byte (same content hashes as importing the files).
pub const SEEDS: [(&str, &[u8]); 5] = [
    (
        "examples/seeds/000_857b8fccbb1fb5f6.txt",
        include_bytes!("../../../../examples/seeds/000_857b8fccbb1fb5f6.txt"),
    ),
    (
        "examples/seeds/001_be0f1078216515a6.txt",
        include_bytes!("../../../../examples/seeds/001_be0f1078216515a6.txt"),
    ),
    (
        "examples/seeds/002_c8c720e66ba823de.txt",
        include_bytes!("../../../../examples/seeds/002_c8c720e66ba823de.txt"),
    ),
    (
        "examples/seeds/003_188c9e6e8bf4c2b6.txt",
        include_bytes!("../../../../examples/seeds/003_188c9e6e8bf4c2b6.txt"),
    ),
    (
        "examples/seeds/004_199bbb0c936cf597.txt",
        include_bytes!("../../../../examples/seeds/004_199bbb0c936cf597.txt"),
    ),
];

/// The example patients for the seed trials, as written (FHIR R4 Bundles).
pub const PATIENTS: [(&str, &str); 13] = [
    (
        "examples/patients/seed000-child-pugh-8.json",
        include_str!("../../../../examples/patients/seed000-child-pugh-8.json"),
    ),
    (
        "examples/patients/seed000-eligible.json",
        include_str!("../../../../examples/patients/seed000-eligible.json"),
    ),
    (
        "examples/patients/seed000-lung-dose-35.json",
        include_str!("../../../../examples/patients/seed000-lung-dose-35.json"),
    ),
    (
        "examples/patients/seed000-lvef-missing.json",
        include_str!("../../../../examples/patients/seed000-lvef-missing.json"),
    ),
    (
        "examples/patients/seed000-platelets-60.json",
        include_str!("../../../../examples/patients/seed000-platelets-60.json"),
    ),
    (
        "examples/patients/seed000-prior-tace.json",
        include_str!("../../../../examples/patients/seed000-prior-tace.json"),
    ),
    (
        "examples/patients/seed002-eligible.json",
        include_str!("../../../../examples/patients/seed002-eligible.json"),
    ),
    (
        "examples/patients/seed002-inkt-low.json",
        include_str!("../../../../examples/patients/seed002-inkt-low.json"),
    ),
    (
        "examples/patients/seed003-eligible.json",
        include_str!("../../../../examples/patients/seed003-eligible.json"),
    ),
    (
        "examples/patients/seed003-no-residual-uptake.json",
        include_str!("../../../../examples/patients/seed003-no-residual-uptake.json"),
    ),
    (
        "examples/patients/seed004-age-76.json",
        include_str!("../../../../examples/patients/seed004-age-76.json"),
    ),
    (
        "examples/patients/seed004-eligible.json",
        include_str!("../../../../examples/patients/seed004-eligible.json"),
    ),
    (
        "examples/patients/seed004-hbv-dna-5000.json",
        include_str!("../../../../examples/patients/seed004-hbv-dna-5000.json"),
    ),
];

/// The index date of the demo screening (the example patients' labs are
/// dated shortly before it).
pub const DEMO_AS_OF: &str = "2025-03-01";

#[derive(clap::Args)]
pub struct Args {
    /// Only import and list the example trials; do not screen the example
    /// patients.
    #[arg(long)]
    pub no_screening: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let mut store = ctx.open_store()?;
    let inputs: Vec<Input> = SEEDS
        .iter()
        .map(|(name, bytes)| Input::Embedded { name, bytes })
        .collect();
    let mut run = import_inputs(&mut store, &inputs, DEFAULT_BATCH_SIZE, false)?;
    run.compiled = tm_app::compiled::compile_missing(&mut store)?;
    print_summary(ctx, &store, &run)?;
    if run.records == 0 {
        return Err(CliError::failure("the bundled examples could not be read"));
    }
    if !ctx.json {
        outln!();
        print_table(&store.list(&ListFilter::default())?);
        if !args.no_screening {
            screen_examples(&store)?;
        }
    }
    Ok(())
}

/// Screens every embedded example patient against every seed trial and
/// prints one line per pair: verdict and the criteria that decided it.
fn screen_examples(store: &tm_store::Store) -> Result<(), CliError> {
    let as_of =
        tm_model::Date::parse(DEMO_AS_OF).ok_or_else(|| CliError::failure("bad demo date"))?;
    let mut trials = Vec::new();
    for t in store.all_trials()? {
        let from_seed = t
            .sources
            .iter()
            .any(|s| s.file.starts_with("examples/seeds/"));
        if from_seed {
            let c = tm_app::compiled::compiled_for(store, &t)?;
            trials.push((tm_matcher::TrialInfo::from_trial(&t), c));
        }
    }
    let refs: Vec<(tm_matcher::TrialInfo, &tm_criteria::CompiledCriteria)> =
        trials.iter().map(|(t, c)| (t.clone(), c)).collect();
    outln!();
    outln!(
        "Screening {} example patients (examples/patients/) against the {} seed trials as of {DEMO_AS_OF}",
        PATIENTS.len(),
        refs.len()
    );
    outln!("(one patient in detail: trialmatch match --patient examples/patients/seed000-child-pugh-8.json --trial NCT06310590 --as-of {DEMO_AS_OF})");
    for (name, text) in PATIENTS {
        let read = tm_patient::read_str(name, text, false);
        let Some(patient) = read.patients.first() else {
            outln!("{name}: no patient read ({})", read.errors.join("; "));
            continue;
        };
        let facts = tm_matcher::PatientFacts::new(patient, tm_matcher::MatchConfig::new(as_of));
        let report = tm_matcher::match_patient(&facts, &refs);
        let short = name
            .trim_start_matches("examples/patients/")
            .trim_end_matches(".json");
        outln!();
        outln!("{short}");
        for r in &report.results {
            let why = if r.failed.is_empty() {
                let unknown: Vec<&str> = r
                    .criteria
                    .iter()
                    .filter(|c| c.outcome == tm_matcher::Outcome::Unknown)
                    .map(|c| c.id.as_str())
                    .collect();
                let review: Vec<&str> = r
                    .criteria
                    .iter()
                    .filter(|c| c.outcome == tm_matcher::Outcome::Review)
                    .map(|c| c.id.as_str())
                    .collect();
                format!(
                    "unknown: {}  review: {}",
                    if unknown.is_empty() {
                        "—".to_string()
                    } else {
                        unknown.join(" ")
                    },
                    if review.is_empty() {
                        "—".to_string()
                    } else {
                        review.join(" ")
                    }
                )
            } else {
                format!("failed: {}", r.failed.join(" "))
            };
            outln!("  {:<20} {:<13} {}", r.trial, r.verdict.as_str(), why);
        }
    }
    Ok(())
}
