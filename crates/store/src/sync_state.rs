//! Registry sync progress per query (`sync_state` table): what a complete
//! run reached (`last_sync_at`, `max_last_update`) and where a run in
//! progress stands (`running`, `cursor`, counts), written in the same
//! transaction as each page's records so a killed sync resumes exactly.

use rusqlite::{params, Connection, OptionalExtension};

use crate::{Result, Store};

/// The sync state of one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    /// Canonical key of the query (base URL and filters).
    pub query_key: String,
    /// The query as JSON, for people reading the store.
    pub query_json: String,
    /// When the last complete run started (UTC, RFC 3339).
    pub last_sync_at: Option<String>,
    /// The newest last-update date of the records seen by complete runs.
    pub max_last_update: Option<String>,
    /// A run is in progress (or was killed): resume from `cursor`.
    pub running: bool,
    /// The last-update lower bound of the run in progress.
    pub run_since: Option<String>,
    pub run_started_at: Option<String>,
    /// The page token of the next page of the run in progress (`None`: the
    /// first page).
    pub cursor: Option<String>,
    pub pages_done: u64,
    pub records_done: u64,
    pub run_max_last_update: Option<String>,
}

pub(crate) fn put(conn: &Connection, s: &SyncState) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_state (query_key, query_json, last_sync_at, max_last_update, running,
             run_since, run_started_at, cursor, pages_done, records_done, run_max_last_update)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (query_key) DO UPDATE SET
             query_json = excluded.query_json, last_sync_at = excluded.last_sync_at,
             max_last_update = excluded.max_last_update, running = excluded.running,
             run_since = excluded.run_since, run_started_at = excluded.run_started_at,
             cursor = excluded.cursor, pages_done = excluded.pages_done,
             records_done = excluded.records_done,
             run_max_last_update = excluded.run_max_last_update",
        params![
            s.query_key,
            s.query_json,
            s.last_sync_at,
            s.max_last_update,
            s.running,
            s.run_since,
            s.run_started_at,
            s.cursor,
            s.pages_done as i64,
            s.records_done as i64,
            s.run_max_last_update,
        ],
    )?;
    Ok(())
}

impl Store {
    /// The stored sync state of a query, if it was ever synced.
    pub fn sync_state(&self, query_key: &str) -> Result<Option<SyncState>> {
        Ok(self
            .conn
            .query_row(
                "SELECT query_key, query_json, last_sync_at, max_last_update, running, run_since,
                        run_started_at, cursor, pages_done, records_done, run_max_last_update
                 FROM sync_state WHERE query_key = ?1",
                params![query_key],
                |r| {
                    Ok(SyncState {
                        query_key: r.get(0)?,
                        query_json: r.get(1)?,
                        last_sync_at: r.get(2)?,
                        max_last_update: r.get(3)?,
                        running: r.get(4)?,
                        run_since: r.get(5)?,
                        run_started_at: r.get(6)?,
                        cursor: r.get(7)?,
                        pages_done: r.get::<_, i64>(8)? as u64,
                        records_done: r.get::<_, i64>(9)? as u64,
                        run_max_last_update: r.get(10)?,
                    })
                },
            )
            .optional()?)
    }

    /// Writes the sync state of a query (its own transaction).
    pub fn put_sync_state(&mut self, state: &SyncState) -> Result<()> {
        put(&self.conn, state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_state_round_trips() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.sync_state("q").unwrap(), None);
        let mut s = SyncState {
            query_key: "q".into(),
            query_json: "{}".into(),
            running: true,
            cursor: Some("tok".into()),
            pages_done: 2,
            ..SyncState::default()
        };
        store.put_sync_state(&s).unwrap();
        assert_eq!(store.sync_state("q").unwrap().as_ref(), Some(&s));
        s.running = false;
        s.cursor = None;
        s.max_last_update = Some("2024-05-01".into());
        store.put_sync_state(&s).unwrap();
        assert_eq!(store.sync_state("q").unwrap(), Some(s));
    }
}
