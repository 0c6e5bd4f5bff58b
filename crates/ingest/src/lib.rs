//! Registry readers: every trial format trialmatch accepts, normalised to
//! [`tm_model::Trial`], plus text repair, identity and merging.
//!
//! Architecture invariant: readers never panic and never stop a batch on a
//! bad record. Each record yields `Ok(Trial)` (with exactly one
//! [`tm_model::SourceRef`] in `sources`) or `Err(RecordError)` naming file,
//! record and reason; the caller keeps going.
//!
//! Module map (one module per format, named after it):
//! - `detect`      — format detection by content (not by extension), file walking
//! - `ctgov_json`  — CT.gov API v2 JSON (one study, array, page, NDJSON), streaming
//! - `ctgov_xml`   — CT.gov classic XML (`<clinical_study>`)
//! - `ctgov_page`  — CT.gov study-page text (seeds 000, 002)
//! - `clinconnect` — ClinConnect page text (seeds 003, 004)
//! - `ctgov_csv`   — CSV: header-less field-per-line row (seed 001), the
//!   30-column export, the legacy SearchResults csv/tsv
//! - `repair`      — text repair (mojibake, markdown escapes), the one place
//! - `identity`    — content hashes, derived ids, identity keys
//! - `merge`       — order-independent merge of source records with provenance

use std::fmt;
use std::path::Path;

pub mod clinconnect;
pub mod ctgov_csv;
pub mod ctgov_json;
pub mod ctgov_page;
pub mod ctgov_xml;
pub mod detect;
pub mod identity;
pub mod merge;
pub mod repair;
pub mod results;

pub use detect::{collect_files, detect_format, Format};
pub use tm_model::Trial;

/// A record that could not be read; the batch goes on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The file as given (path string).
    pub file: String,
    /// Record locator: `line 12`, `record 3`, `byte 1042` … when known.
    pub record: Option<String>,
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.record {
            Some(r) => write!(f, "{}:{}: {}", self.file, r, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

impl std::error::Error for RecordError {}

/// One item a reader yields.
pub type RecordResult = Result<Trial, RecordError>;

/// Reads one file of any supported format, detected by content, calling
/// `sink` once per record (streaming: large files are not held whole when
/// the format allows). Never panics; unreadable files yield one `Err`.
pub fn read_file(path: &Path, sink: &mut dyn FnMut(RecordResult)) {
    detect::read_file(path, sink)
}

/// Reads in-memory bytes of a detected or given format; `file` labels
/// sources and errors.
pub fn read_bytes(
    bytes: &[u8],
    file: &str,
    format: Option<Format>,
    sink: &mut dyn FnMut(RecordResult),
) {
    detect::read_bytes(bytes, file, format, sink)
}
