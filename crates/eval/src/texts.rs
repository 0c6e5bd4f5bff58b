//! Criteria texts from trial files: every format `tm_ingest` reads, plus
//! the HINT benchmark CSV (detected by a header with a `criteria` column).

use std::io::Read;
use std::path::{Path, PathBuf};

/// One criteria text and where it came from.
#[derive(Debug, Clone)]
pub struct CriteriaText {
    /// Trial id (NCT id when known) or `file:record`.
    pub id: String,
    pub text: String,
}

/// What reading the inputs gave, besides the texts.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReadStats {
    pub files: usize,
    pub records: usize,
    /// Records without a criteria text.
    pub without_text: usize,
    /// Unreadable files / records (messages).
    pub errors: Vec<String>,
}

/// The column index of `criteria` when `path` is a CSV whose header names
/// one (the HINT trial-outcome CSV).
pub fn hint_criteria_column(path: &Path) -> Option<usize> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut head = vec![0u8; 4096];
    let n = f.read(&mut head).ok()?;
    head.truncate(n);
    let text = String::from_utf8_lossy(&head);
    let first = text.trim_start_matches('\u{feff}').lines().next()?;
    if !first.contains(',') {
        return None;
    }
    first
        .split(',')
        .position(|c| c.trim().trim_matches('"').eq_ignore_ascii_case("criteria"))
}

fn read_hint(path: &Path, col: usize, stats: &mut ReadStats, sink: &mut dyn FnMut(CriteriaText)) {
    let mut rdr = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(r) => r,
        Err(e) => {
            stats.errors.push(format!("{}: {e}", path.display()));
            return;
        }
    };
    let id_col = rdr.headers().ok().and_then(|h| {
        h.iter()
            .position(|c| c.eq_ignore_ascii_case("nctid") || c.eq_ignore_ascii_case("nct_id"))
    });
    for (i, rec) in rdr.records().enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                stats
                    .errors
                    .push(format!("{}: record {}: {e}", path.display(), i + 1));
                continue;
            }
        };
        stats.records += 1;
        let id = id_col
            .and_then(|c| rec.get(c))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}:record {}", path.display(), i + 1));
        match rec.get(col).filter(|t| !t.trim().is_empty()) {
            Some(t) => sink(CriteriaText {
                id,
                text: t.to_string(),
            }),
            None => stats.without_text += 1,
        }
    }
}

/// Calls `sink` with every criteria text in `paths` (files or directories,
/// walked with [`tm_ingest::collect_files`]).
pub fn for_each_text(paths: &[PathBuf], sink: &mut dyn FnMut(CriteriaText)) -> ReadStats {
    let mut stats = ReadStats::default();
    let (files, errors) = tm_ingest::collect_files(paths);
    stats.errors.extend(errors.iter().map(|e| e.to_string()));
    for f in files {
        stats.files += 1;
        if let Some(col) = hint_criteria_column(&f) {
            read_hint(&f, col, &mut stats, sink);
            continue;
        }
        let file = f.display().to_string();
        let mut n = 0usize;
        tm_ingest::read_file(&f, &mut |r| {
            n += 1;
            match r {
                Ok(trial) => {
                    stats.records += 1;
                    let id = trial
                        .nct_id()
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{file}:{} ({})", n, trial.id));
                    match trial.eligibility.criteria_text {
                        Some(t) if !t.trim().is_empty() => sink(CriteriaText { id, text: t }),
                        _ => stats.without_text += 1,
                    }
                }
                Err(e) => stats.errors.push(e.to_string()),
            }
        });
    }
    stats
}

/// All criteria texts in `paths`, in memory.
pub fn collect_texts(paths: &[PathBuf]) -> (Vec<CriteriaText>, ReadStats) {
    let mut out = Vec::new();
    let stats = for_each_text(paths, &mut |t| out.push(t));
    (out, stats)
}
