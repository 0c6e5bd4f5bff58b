//! One module per command: each exposes `Args` (clap) and
//! `run(&Ctx, Args) -> Result<(), CliError>`.

pub mod bench;
pub mod criteria;
pub mod demo;
pub mod dosimetry;
pub mod eval;
pub mod import;
pub mod list;
pub mod match_cmd;
pub mod patient;
pub mod qol;
pub mod report;
pub mod response;
pub mod results_view;
pub mod safety;
pub mod serve;
pub mod show;
pub mod survival;
pub mod sync;
pub mod token;
