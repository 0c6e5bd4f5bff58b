//! SQLite store: schema, migrations, transactional idempotent import, queries.
//!
//! Architecture invariant: this crate knows SQL, not registries. It depends on
//! `tm-model` only; how records are identified and merged is passed in by the
//! caller through [`ImportHooks`] (the CLI wires `tm-ingest` in). Every
//! trial's update is atomic (records are checked and merged read-only, then
//! written inside a batch transaction), so a killed import never leaves
//! half a trial behind.
//!
//! Tables (schema version [`SCHEMA_VERSION`], see `migrations`):
//! - `source_records` — every single-source `Trial` as read, keyed by
//!   `(format, source_key)` with its content hash (idempotent re-import);
//! - `trials` — the merged trial (JSON) plus denormalised columns for list
//!   filters;
//! - `aliases` — every registry id, alias and identity key → trial id;
//! - `compiled_criteria` — compiled eligibility criteria per trial and
//!   compiler version (written by the criteria compiler);
//! - `sync_state` — registry sync progress per query (`trialmatch sync`):
//!   last complete sync, newest last-update date seen, the page cursor of a
//!   run in progress.

mod error;
mod import;
mod migrations;
mod query;
mod service;
mod sync_state;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use error::StoreError;
pub use import::{ImportHooks, ImportOutcome, ImportSummary, Importer, DEFAULT_BATCH_SIZE};
pub use migrations::SCHEMA_VERSION;
pub use query::{ListFilter, TrialSummary};
pub use sync_state::SyncState;

/// File name of the default store, relative to the working directory, used
/// when neither `--db` nor `TRIALMATCH_DB` is given.
pub const DEFAULT_DB_PATH: &str = "trialmatch.db";

/// How long a writer waits for another process's transaction to finish
/// before giving up with `database is locked`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open store (one SQLite connection).
pub struct Store {
    pub(crate) conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the store at `path`, in WAL mode with a
    /// busy timeout, and migrates its schema to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.configure(true)?;
        Ok(store)
    }

    /// Opens an existing store without creating it; `Ok(None)` when the file
    /// does not exist (read commands use this so they never create files).
    pub fn open_existing(path: &Path) -> Result<Option<Store>> {
        if !path.exists() {
            return Ok(None);
        }
        Store::open(path).map(Some)
    }

    /// Opens an existing store for reading only: `Ok(None)` when the file
    /// does not exist. Nothing is created or written (no WAL switch, no
    /// migration), so it works on another user's store, a file with mode
    /// 444 or one in a read-only directory (where SQLite cannot create the
    /// `-shm` file, the file is opened as immutable). Writes through the
    /// returned store fail with "attempt to write a readonly database". A
    /// store of an older schema is migrated once, through [`Store::open`].
    pub fn open_read_only(path: &Path) -> Result<Option<Store>> {
        use rusqlite::OpenFlags;
        if !path.exists() {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let probe = |conn: &Connection| -> Result<u32> {
            conn.busy_timeout(BUSY_TIMEOUT)?;
            Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
        };
        let (conn, version) = match Connection::open_with_flags(path, flags)
            .map_err(StoreError::from)
            .and_then(|c| probe(&c).map(|v| (c, v)))
        {
            Ok(ok) => ok,
            Err(first) => {
                // A WAL store in a directory we cannot write: SQLite cannot
                // create the shared-memory file. Nobody can be writing it
                // there either, so read it as immutable.
                let uri = format!("file:{}?immutable=1", uri_path(path));
                match Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .map_err(StoreError::from)
                    .and_then(|c| probe(&c).map(|v| (c, v)))
                {
                    Ok(ok) => ok,
                    Err(_) => return Err(first),
                }
            }
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version < SCHEMA_VERSION {
            drop(conn);
            return Store::open(path).map(Some);
        }
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "cache_size", -16384)?;
        Ok(Some(Store {
            conn,
            path: Some(path.to_path_buf()),
        }))
    }

    /// A private in-memory store (tests).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store { conn, path: None };
        store.configure(false)?;
        Ok(store)
    }

    /// The file this store lives in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn configure(&mut self, wal: bool) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        if wal {
            // Switching to WAL needs a short exclusive lock; with a busy
            // timeout SQLite waits for it. The mode is persistent, so later
            // opens find it already set.
            // SQLite does not always call the busy handler here (two
            // processes opening a fresh file at once), so retry while busy.
            let conn = &self.conn;
            let mode: String =
                retry_busy(|| Ok(conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Other(format!(
                    "could not switch the store to WAL mode (got {mode})"
                )));
            }
            // In WAL mode NORMAL never corrupts the store; a power cut may
            // lose the last committed batch, a killed process loses nothing.
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        // Savepoint journals and sorts in memory; a 16 MiB page cache.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        self.conn.pragma_update(None, "cache_size", -16384)?;
        let conn = &mut self.conn;
        retry_busy(|| migrations::migrate(conn))?;
        Ok(())
    }

    /// The schema version recorded in the file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs `PRAGMA integrity_check`; `"ok"` when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(rows.join("\n"))
    }

    /// Starts an import: records added to the returned [`Importer`] are
    /// committed in batches of `batch_size` (at least 1).
    pub fn importer<'s>(
        &'s mut self,
        hooks: &'s dyn ImportHooks,
        batch_size: usize,
    ) -> Importer<'s> {
        Importer::new(self, hooks, batch_size)
    }
}

/// `path` for an SQLite `file:` URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for c in abs.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// Runs `f` again while SQLite answers "busy" / "locked" without having
/// waited (cases its busy handler does not cover), for up to
/// [`BUSY_TIMEOUT`].
fn retry_busy<T>(mut f: impl FnMut() -> Result<T>) -> Result<T> {
    let start = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match f() {
            Err(StoreError::Sqlite(e))
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests;
