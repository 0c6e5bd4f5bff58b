//! `trialmatch token create NAME`: a new API token for `serve`, printed
//! alone on stdout (the store keeps only its SHA-256 hash).

use crate::{CliError, Ctx};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(clap::Subcommand)]
pub enum What {
    /// Create a token named NAME and print it (shown once; keep it secret).
    Create {
        /// A label for the token (who or what uses it).
        name: String,
    },
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    match args.what {
        What::Create { name } => {
            let store = ctx.open_store()?;
            let token = tm_app::tokens::create(&store, &name)?;
            outln!("{token}");
            Ok(())
        }
    }
}
