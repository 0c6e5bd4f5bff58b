//! Escaping for everything printed that came from outside: file names,
//! record locators, ids and reasons (issue 29 item 8). A control character
//! in a file name can neither forge an extra `file:record: reason` line nor
//! send terminal escape sequences.

use std::path::Path;

/// `s` with control characters escaped (`\n`, `\x1b`, `\u{202e}` …).
pub fn text(s: &str) -> String {
    tm_ingest::escape_controls(s).into_owned()
}

/// A path for display, escaped like [`text`].
pub fn path(p: &Path) -> String {
    text(&p.display().to_string())
}
