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

/// `file:record: reason` (`file: reason` without a record), each part with
/// its control characters escaped ([`escape_controls`]), so that one error
/// is always one line and cannot forge another.
impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, reason) = (escape_controls(&self.file), escape_controls(&self.reason));
        match &self.record {
            Some(r) => write!(f, "{file}:{}: {reason}", escape_controls(r)),
            None => write!(f, "{file}: {reason}"),
        }
    }
}

/// Escapes what must never reach a terminal or a log line raw: control
/// characters (`\n`, `\r`, `\t`, ESC → `\x1b`, DEL, C1), the Unicode line and
/// paragraph separators and bidirectional overrides (`\u{202e}`). Other
/// text, backslashes included, is unchanged.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
            )
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    }
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) && u32::from(c) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)))
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

impl std::error::Error for RecordError {}

/// The largest record accepted, in bytes of its source text: one JSON
/// study, one NDJSON line, one XML document, one study or ClinConnect page,
/// one CSV row. 16 MiB; the largest real record seen is about 0.8 MB (a
/// classic XML study with results). A larger record is refused with its
/// size (`file:record: record of N bytes …`) and the batch goes on; in a
/// JSON array or NDJSON stream it is skipped without being held in memory.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// The largest eligibility criteria text accepted, in bytes: 256 KiB; the
/// largest real criteria text seen is about 19 KB. A record with a longer
/// text is refused (compilation and matching time grow with it).
pub const MAX_CRITERIA_BYTES: usize = 256 * 1024;

/// The reason for a record over [`MAX_RECORD_BYTES`].
pub(crate) fn too_large(len: usize, at: usize) -> String {
    format!(
        "record of {len} bytes (starting at byte {at}) is larger than the limit of {} bytes \
         (MAX_RECORD_BYTES); skipped",
        MAX_RECORD_BYTES
    )
}

/// Checks the size limits a reader cannot check itself (the criteria text).
fn check_limits(r: RecordResult) -> RecordResult {
    let t = r?;
    let n = t.eligibility.criteria_text.as_deref().map_or(0, str::len);
    if n > MAX_CRITERIA_BYTES {
        let src = t.sources.first();
        return Err(RecordError {
            file: src.map(|s| s.file.clone()).unwrap_or_default(),
            record: src.and_then(|s| s.record.clone()),
            reason: format!(
                "eligibility criteria text of {n} bytes is larger than the limit of \
                 {MAX_CRITERIA_BYTES} bytes (MAX_CRITERIA_BYTES)"
            ),
        });
    }
    Ok(t)
}

/// One item a reader yields.
pub type RecordResult = Result<Trial, RecordError>;

/// Reads one file of any supported format, detected by content, calling
/// `sink` once per record (streaming: large files are not held whole when
/// the format allows). Never panics; unreadable files yield one `Err`.
pub fn read_file(path: &Path, sink: &mut dyn FnMut(RecordResult)) {
    detect::read_file(path, &mut |r| sink(check_limits(r)))
}

/// Reads in-memory bytes of a detected or given format; `file` labels
/// sources and errors.
pub fn read_bytes(
    bytes: &[u8],
    file: &str,
    format: Option<Format>,
    sink: &mut dyn FnMut(RecordResult),
) {
    detect::read_bytes(bytes, file, format, &mut |r| sink(check_limits(r)))
}
