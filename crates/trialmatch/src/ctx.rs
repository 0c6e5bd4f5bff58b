//! What every command gets: global options, the store, errors.

use std::fmt;
use std::path::PathBuf;

use tm_store::{Store, StoreError};

/// Global options shared by all commands.
pub struct Ctx {
    /// `--db` / `TRIALMATCH_DB`.
    pub db: PathBuf,
    /// `--json`: machine-readable output.
    pub json: bool,
    /// `--quiet`: no progress bars, no human summaries.
    pub quiet: bool,
}

impl Ctx {
    /// Opens (creating if needed) the store for writing.
    pub fn open_store(&self) -> Result<Store, CliError> {
        Store::open(&self.db).map_err(|e| CliError::failure(format!("{}: {e}", self.db.display())))
    }

    /// Opens the store for reading only (commands reading the store
    /// outside tm-app: `report --trial`, `eval`; list, show, criteria and
    /// match read through `tm_app::App`, which opens it the same way):
    /// never creates or writes it, so it works on a read-only file. No file
    /// → `no store at PATH (run `trialmatch import` first)`, exit 1.
    pub fn open_read_store(&self) -> Result<Store, CliError> {
        Store::open_read_only(&self.db)
            .map_err(|e| CliError::failure(format!("{}: {e}", crate::esc::path(&self.db))))?
            .ok_or_else(|| tm_app::no_store(&self.db).into())
    }

    /// Opens an existing store for writing; `None` when the file does not
    /// exist (never creates a store).
    pub fn open_existing_store(&self) -> Result<Option<Store>, CliError> {
        Store::open_existing(&self.db)
            .map_err(|e| CliError::failure(format!("{}: {e}", self.db.display())))
    }
}

/// A command failure: message for stderr and the process exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    /// Exit code 1: the command ran but failed (unknown id, nothing could
    /// be read, store error).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: message.into(),
        }
    }

    /// Exit code 2: the arguments are wrong (clap uses 2 as well).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: 2,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::failure(e.to_string())
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        CliError::failure(format!("cannot write JSON: {e}"))
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failure(e.to_string())
    }
}

/// Writes command output to stdout; see the `outln!` macro.
pub fn write_stdout(s: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write output: {e}");
        std::process::exit(1);
    }
}

impl From<tm_app::AppError> for CliError {
    fn from(e: tm_app::AppError) -> Self {
        match e.kind {
            tm_app::ErrorKind::BadRequest => CliError::usage(e.message),
            _ => CliError::failure(e.message),
        }
    }
}
