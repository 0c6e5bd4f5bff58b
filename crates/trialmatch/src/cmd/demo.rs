//! `trialmatch demo`: import the five example trials embedded in the binary
//! (the files of `examples/seeds/`, labelled with those paths) and list them.

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

#[derive(clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<(), CliError> {
    let mut store = ctx.open_store()?;
    let inputs: Vec<Input> = SEEDS
        .iter()
        .map(|(name, bytes)| Input::Embedded { name, bytes })
        .collect();
    let mut run = import_inputs(&mut store, &inputs, DEFAULT_BATCH_SIZE, false)?;
    run.compiled = crate::compiled::compile_missing(&mut store)?;
    print_summary(ctx, &store, &run)?;
    if run.records == 0 {
        return Err(CliError::failure("the bundled examples could not be read"));
    }
    if !ctx.json {
        outln!();
        print_table(&store.list(&ListFilter::default())?);
    }
    Ok(())
}
