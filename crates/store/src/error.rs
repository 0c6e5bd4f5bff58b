use std::fmt;

/// Everything that can go wrong in the store.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    /// A stored JSON document could not be (de)serialised.
    Json(serde_json::Error),
    /// The file was written by a newer trialmatch.
    SchemaTooNew {
        found: u32,
        supported: u32,
    },
    /// An id or alias names more than one trial.
    Ambiguous {
        id: String,
        trials: Vec<String>,
    },
    /// A record the importer cannot store (e.g. no source reference).
    InvalidRecord(String),
    Other(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "store: {e}"),
            StoreError::Json(e) => write!(f, "store: bad JSON document: {e}"),
            StoreError::SchemaTooNew { found, supported } => write!(
                f,
                "store schema version {found} is newer than this trialmatch supports ({supported}); \
                 upgrade trialmatch or use another --db"
            ),
            StoreError::Ambiguous { id, trials } => {
                write!(f, "id {id} matches several trials: {}", trials.join(", "))
            }
            StoreError::InvalidRecord(m) => write!(f, "invalid record: {m}"),
            StoreError::Other(m) => write!(f, "store: {m}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            StoreError::Json(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Json(e)
    }
}
