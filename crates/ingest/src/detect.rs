//! Format detection by content (never by file extension), file walking and
//! dispatch to the per-format readers.
//!
//! Detection looks at the first bytes of a file only (see [`HEAD_LEN`]):
//!
//! | content                                                         | format            |
//! |-----------------------------------------------------------------|-------------------|
//! | `{` or `[` first (after BOM / whitespace)                       | `CtgovJson`       |
//! | `<` first and a `<clinical_study` element                       | `CtgovXml`        |
//! | first line starts with `NCT Number,`                            | `CtgovCsv`        |
//! | first line has `Rank` and `NCT Number` (comma or tab separated) | `CtgovCsvLegacy`  |
//! | `ClinConnect` or a `Launched by ` line                          | `ClinConnectPage` |
//! | a line `NCT ID: NCT…`                                           | `CtgovPage`       |
//! | a line `DRUG: …` / `DEVICE: …` … (API v2 intervention type)      | `CtgovCsvRow`     |
//!
//! Empty files, binary content (NUL bytes, invalid UTF-8) and anything else
//! are refused with a clear error by [`read_bytes`].
use crate::{RecordError, RecordResult};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How many leading bytes [`detect_format`] needs to decide.
pub const HEAD_LEN: usize = 64 * 1024;

/// Every input format trialmatch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    CtgovJson,
    CtgovXml,
    CtgovPage,
    ClinConnectPage,
    CtgovCsvRow,
    CtgovCsv,
    CtgovCsvLegacy,
}

impl Format {
    /// The name used in `SourceRef::format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::CtgovJson => "ctgov-json",
            Format::CtgovXml => "ctgov-xml",
            Format::CtgovPage => "ctgov-page",
            Format::ClinConnectPage => "clinconnect-page",
            Format::CtgovCsvRow => "ctgov-csv-row",
            Format::CtgovCsv => "ctgov-csv",
            Format::CtgovCsvLegacy => "ctgov-csv-legacy",
        }
    }
}

/// API v2 intervention type spellings, as they prefix an intervention in the
/// CSV export (`DRUG: NRT6003 Injection`).
const INTERVENTION_PREFIXES: [&str; 11] = [
    "DRUG: ",
    "DEVICE: ",
    "BIOLOGICAL: ",
    "PROCEDURE: ",
    "RADIATION: ",
    "BEHAVIORAL: ",
    "GENETIC: ",
    "DIETARY_SUPPLEMENT: ",
    "COMBINATION_PRODUCT: ",
    "DIAGNOSTIC_TEST: ",
    "OTHER: ",
];

/// Strips a UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// How many leading bytes are checked for binary content (NUL bytes,
/// invalid UTF-8); readers report invalid text further on themselves.
const SNIFF_LEN: usize = 8 * 1024;

/// Why content cannot be read at all, if it cannot: empty, only whitespace,
/// NUL bytes or invalid UTF-8 in the first [`SNIFF_LEN`] bytes.
fn unreadable_reason(head: &[u8]) -> Option<String> {
    let head = strip_bom(head);
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Some(if head.is_empty() {
            "empty file".to_string()
        } else {
            "file holds only whitespace".to_string()
        });
    }
    let head = &head[..head.len().min(SNIFF_LEN)];
    if let Some(pos) = head.iter().position(|&b| b == 0) {
        return Some(format!("binary content (NUL byte at byte {pos})"));
    }
    if let Err(e) = std::str::from_utf8(head) {
        // A multi-byte character cut by the head boundary is fine.
        if e.error_len().is_some() {
            return Some(format!(
                "binary or non-UTF-8 content (invalid UTF-8 at byte {})",
                e.valid_up_to()
            ));
        }
    }
    None
}

/// The longest valid UTF-8 prefix of `head` (a head may cut a character).
fn head_str(head: &[u8]) -> &str {
    match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Detects the format from the first bytes of a file (up to [`HEAD_LEN`]
/// are looked at). `None` for empty, binary or unrecognised content.
pub fn detect_format(head: &[u8]) -> Option<Format> {
    let head = strip_bom(&head[..head.len().min(HEAD_LEN)]);
    if unreadable_reason(head).is_some() {
        return None;
    }
    let text = head_str(head);
    let trimmed = text.trim_start();
    match trimmed.as_bytes().first() {
        Some(b'{') | Some(b'[') => return Some(Format::CtgovJson),
        Some(b'<') => {
            return if trimmed.contains("<clinical_study") {
                Some(Format::CtgovXml)
            } else {
                None
            };
        }
        _ => {}
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    if first_line.starts_with("NCT Number,") || first_line.starts_with("\"NCT Number\",") {
        return Some(Format::CtgovCsv);
    }
    if first_line.contains("NCT Number")
        && first_line.contains("Rank")
        && (first_line.contains(',') || first_line.contains('\t'))
    {
        return Some(Format::CtgovCsvLegacy);
    }
    if text.contains("ClinConnect") || text.lines().any(|l| l.starts_with("Launched by ")) {
        return Some(Format::ClinConnectPage);
    }
    if text.lines().any(|l| {
        l.trim()
            .strip_prefix("NCT ID:")
            .is_some_and(|rest| rest.trim_start().starts_with("NCT"))
    }) {
        return Some(Format::CtgovPage);
    }
    // The header-less CSV row printed one field per line: one of the first
    // lines is the Interventions column, `TYPE: name` in API v2 spelling.
    if text
        .lines()
        .take(16)
        .any(|l| INTERVENTION_PREFIXES.iter().any(|p| l.starts_with(p)))
    {
        return Some(Format::CtgovCsvRow);
    }
    None
}

/// Expands files and directories (recursively) into a file list: the paths
/// in the order given, each directory's content sorted by name, hidden
/// entries (name starting with `.`) skipped while walking (a hidden path
/// named explicitly is kept). Paths that cannot be read (missing,
/// permission denied) come back as errors; the rest are still listed.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<RecordError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        walk(p, &mut files, &mut errors, &mut seen_dirs);
    }
    (files, errors)
}

fn path_error(path: &Path, reason: String) -> RecordError {
    RecordError {
        file: path.display().to_string(),
        record: None,
        reason,
    }
}

fn walk(
    path: &Path,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<RecordError>,
    seen_dirs: &mut HashSet<PathBuf>,
) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            errors.push(path_error(path, format!("cannot read: {e}")));
            return;
        }
    };
    if meta.is_file() {
        files.push(path.to_path_buf());
        return;
    }
    if !meta.is_dir() {
        errors.push(path_error(path, "not a regular file or directory".into()));
        return;
    }
    // Guard against symlink loops.
    if let Ok(canon) = std::fs::canonicalize(path) {
        if !seen_dirs.insert(canon) {
            return;
        }
    }
    let rd = match std::fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(path_error(path, format!("cannot read directory: {e}")));
            return;
        }
    };
    let mut entries: Vec<PathBuf> = Vec::new();
    for entry in rd {
        match entry {
            Ok(en) => {
                if en.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                entries.push(en.path());
            }
            Err(e) => errors.push(path_error(
                path,
                format!("cannot read directory entry: {e}"),
            )),
        }
    }
    entries.sort();
    for e in entries {
        walk(&e, files, errors, seen_dirs);
    }
}

/// Reads a file: its head decides the format; API v2 JSON arrays and
/// NDJSON are then streamed ([`crate::ctgov_json`]), other formats are read
/// whole (one record per file, or CSV/page text).
pub(crate) fn read_file(path: &Path, sink: &mut dyn FnMut(RecordResult)) {
    use std::io::Read;
    let file = path.display().to_string();
    let fail = |reason: String| RecordError {
        file: file.clone(),
        record: None,
        reason,
    };
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return sink(Err(fail(format!("cannot read: {e}")))),
    };
    let mut head = Vec::with_capacity(HEAD_LEN);
    if let Err(e) = (&mut f).take(HEAD_LEN as u64).read_to_end(&mut head) {
        return sink(Err(fail(format!("cannot read: {e}"))));
    }
    let format = detect_format(&head).filter(|_| unreadable_reason(&head).is_none());
    if format == Some(Format::CtgovJson) {
        return crate::ctgov_json::read_stream(head, &mut f, &file, sink);
    }
    // A one-record file over the limit is refused before it is read whole.
    let len = f.metadata().map_or(0, |m| m.len());
    if format.is_some_and(one_record) && len > crate::MAX_RECORD_BYTES as u64 {
        return sink(Err(fail(crate::too_large(len as usize, 0))));
    }
    let mut bytes = head;
    if let Err(e) = f.read_to_end(&mut bytes) {
        return sink(Err(fail(format!("cannot read: {e}"))));
    }
    read_bytes(&bytes, &file, None, sink)
}

/// Formats whose file is one record (size-limited as a whole).
fn one_record(f: Format) -> bool {
    matches!(
        f,
        Format::CtgovXml | Format::CtgovPage | Format::ClinConnectPage | Format::CtgovCsvRow
    )
}

pub(crate) fn read_bytes(
    bytes: &[u8],
    file: &str,
    format: Option<Format>,
    sink: &mut dyn FnMut(RecordResult),
) {
    let err = |reason: String| RecordError {
        file: file.to_string(),
        record: None,
        reason,
    };
    // UTF-16 → UTF-8, no BOM, `\n` line ends: before detection and hashing.
    let normalised = crate::repair::normalise_bytes(bytes);
    let bytes: &[u8] = &normalised;
    let head = &bytes[..bytes.len().min(HEAD_LEN)];
    if let Some(reason) = unreadable_reason(head) {
        sink(Err(err(reason)));
        return;
    }
    let format = match format.or_else(|| detect_format(head)) {
        Some(f) => f,
        None => {
            sink(Err(err(
                "unrecognised format (not CT.gov JSON/XML, a study page, ClinConnect page or CSV)"
                    .into(),
            )));
            return;
        }
    };
    if one_record(format) && bytes.len() > crate::MAX_RECORD_BYTES {
        return sink(Err(err(crate::too_large(bytes.len(), 0))));
    }
    match format {
        Format::CtgovJson => crate::ctgov_json::read(bytes, file, sink),
        Format::CtgovXml => crate::ctgov_xml::read(bytes, file, sink),
        Format::CtgovPage => crate::ctgov_page::read(bytes, file, sink),
        Format::CtgovCsvRow | Format::CtgovCsv | Format::CtgovCsvLegacy => {
            crate::ctgov_csv::read(bytes, file, format, sink)
        }
        Format::ClinConnectPage => crate::clinconnect::read(bytes, file, sink),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_json_shapes() {
        assert_eq!(
            detect_format(b"{\"protocolSection\":{}}"),
            Some(Format::CtgovJson)
        );
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF  [\n{}]"),
            Some(Format::CtgovJson)
        );
        assert_eq!(
            detect_format(b"{\"studies\":[],\"nextPageToken\":\"x\"}"),
            Some(Format::CtgovJson)
        );
    }

    #[test]
    fn detects_xml() {
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<clinical_study>"),
            Some(Format::CtgovXml)
        );
        assert_eq!(detect_format(b"<html><body>"), None);
    }

    #[test]
    fn detects_csv_and_pages() {
        assert_eq!(
            detect_format(b"NCT Number,Study Title,Study URL\nNCT1,x,y\n"),
            Some(Format::CtgovCsv)
        );
        assert_eq!(
            detect_format(b"\"Rank\",\"NCT Number\",\"Title\"\n"),
            Some(Format::CtgovCsvLegacy)
        );
        assert_eq!(
            detect_format(b"Rank\tNCT Number\tTitle\n"),
            Some(Format::CtgovCsvLegacy)
        );
        assert_eq!(
            detect_format(b"A title\nLaunched by X \xC2\xB7 Apr 7, 2021\n"),
            Some(Format::ClinConnectPage)
        );
        assert_eq!(
            detect_format(b"A title\n\nNCT ID: NCT06310590\n"),
            Some(Format::CtgovPage)
        );
        assert_eq!(
            detect_format(b"A title\nA summary\nHCC\nDRUG: X\n"),
            Some(Format::CtgovCsvRow)
        );
    }

    #[test]
    fn refuses_empty_and_binary() {
        assert_eq!(detect_format(b""), None);
        assert_eq!(detect_format(b"\x00\x01\x02"), None);
        let mut got = Vec::new();
        read_bytes(b"", "e.json", None, &mut |r| got.push(r));
        read_bytes(b"  \n", "w.json", None, &mut |r| got.push(r));
        read_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", "b.png", None, &mut |r| {
            got.push(r)
        });
        read_bytes(b"x\xff\xfe{garbage", "c.bin", None, &mut |r| got.push(r));
        read_bytes(b"just some words\n", "t.txt", None, &mut |r| got.push(r));
        assert_eq!(got.len(), 5);
        let reasons: Vec<String> = got
            .into_iter()
            .map(|r| r.err().map(|e| format!("{e}")).unwrap_or_default())
            .collect();
        assert!(reasons[0].contains("e.json") && reasons[0].contains("empty file"));
        assert!(reasons[1].contains("whitespace"));
        assert!(reasons[2].contains("b.png") && reasons[2].contains("binary"));
        assert!(reasons[3].contains("non-UTF-8"));
        assert!(reasons[4].contains("unrecognised format"));
    }

    #[test]
    fn collect_files_walks_sorted_and_reports_missing() {
        let dir = std::env::temp_dir().join(format!("tm-ingest-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).expect("create temp dir");
        for name in ["b.xml", "a.json", ".hidden", "sub/c.xml"] {
            std::fs::write(dir.join(name), b"{}").expect("write temp file");
        }
        std::fs::create_dir_all(dir.join(".git")).expect("create hidden dir");
        std::fs::write(dir.join(".git/x"), b"{}").expect("write hidden file");
        let missing = dir.join("nope");
        let (files, errors) = collect_files(&[dir.clone(), missing.clone()]);
        let rel: Vec<String> = files
            .iter()
            .map(|p| {
                p.strip_prefix(&dir)
                    .map(|r| r.display().to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(rel, vec!["a.json", "b.xml", "sub/c.xml"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].file, missing.display().to_string());
        assert!(errors[0].reason.starts_with("cannot read"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
