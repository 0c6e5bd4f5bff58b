//! What a long-running reader (the server, tm-app's registry) needs besides
//! the queries: a change counter, and the API tokens (stored hashed).
//!
//! The token table is created on first write (`CREATE TABLE IF NOT EXISTS`),
//! not by a migration, so a store without tokens stays at its schema
//! version; reading a store without the table yields no tokens.

use rusqlite::params;

use crate::{Result, Store};

const CREATE_TOKENS: &str = "CREATE TABLE IF NOT EXISTS api_tokens (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL
)";

impl Store {
    /// SQLite's `PRAGMA data_version`: changes whenever another connection
    /// (this process or another) commits to the store. Compare two readings
    /// on the same `Store` to know whether anything changed in between.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Stores an API token's hash under `name` (`created`: an ISO date).
    pub fn put_token_hash(&self, name: &str, hash: &str, created: &str) -> Result<()> {
        self.conn.execute_batch(CREATE_TOKENS)?;
        self.conn.execute(
            "INSERT INTO api_tokens (hash, name, created) VALUES (?1, ?2, ?3)",
            params![hash, name, created],
        )?;
        Ok(())
    }

    /// Every stored token as `(name, hash)`; empty when none was created.
    pub fn token_hashes(&self) -> Result<Vec<(String, String)>> {
        let exists: i64 = self.conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'api_tokens'",
            [],
            |r| r.get(0),
        )?;
        if exists == 0 {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT name, hash FROM api_tokens ORDER BY name")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(rows)
    }
}
