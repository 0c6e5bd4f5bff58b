//! Versioned schema. `PRAGMA user_version` holds the number of migrations
//! applied; [`MIGRATIONS`] only ever grows (never edit a released entry,
//! append a new one).

use rusqlite::{Connection, TransactionBehavior};

use crate::{Result, StoreError};

/// Migration `i` (0-based) takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // v1: source records, merged trials, aliases, compiled criteria.
    r#"
    CREATE TABLE source_records (
        format       TEXT NOT NULL,
        source_key   TEXT NOT NULL,
        trial_id     TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        file         TEXT NOT NULL,
        record       TEXT,
        json         TEXT NOT NULL,
        imported_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (format, source_key)
    );
    CREATE INDEX source_records_trial ON source_records(trial_id);

    CREATE TABLE trials (
        id          TEXT PRIMARY KEY,
        title       TEXT,
        status      TEXT,
        phases      TEXT NOT NULL DEFAULT '[]',
        conditions  TEXT NOT NULL DEFAULT '[]',
        enrollment  INTEGER,
        study_type  TEXT,
        lead_sponsor TEXT,
        sources     INTEGER NOT NULL DEFAULT 0,
        json        TEXT NOT NULL
    );
    CREATE INDEX trials_status ON trials(status);

    CREATE TABLE aliases (
        key       TEXT NOT NULL COLLATE NOCASE,
        trial_id  TEXT NOT NULL,
        identity  INTEGER NOT NULL,
        PRIMARY KEY (key, trial_id)
    );
    CREATE INDEX aliases_trial ON aliases(trial_id);

    CREATE TABLE compiled_criteria (
        trial_id          TEXT NOT NULL,
        compiler_version  TEXT NOT NULL,
        json              TEXT NOT NULL,
        compiled_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (trial_id, compiler_version)
    );
    "#,
    // v2: registry sync progress per query (`trialmatch sync`).
    r#"
    CREATE TABLE sync_state (
        query_key        TEXT PRIMARY KEY,
        query_json       TEXT NOT NULL,
        last_sync_at     TEXT,
        max_last_update  TEXT,
        running          INTEGER NOT NULL DEFAULT 0,
        run_since        TEXT,
        run_started_at   TEXT,
        cursor           TEXT,
        pages_done       INTEGER NOT NULL DEFAULT 0,
        records_done     INTEGER NOT NULL DEFAULT 0,
        run_max_last_update TEXT
    );
    "#,
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Applies every pending migration in one immediate transaction (so two
/// processes opening a fresh file at once do not both migrate it).
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read under the write lock: another process may have migrated.
    let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
    }
    tx.commit()?;
    Ok(())
}
