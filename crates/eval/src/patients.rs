//! Patients of a directory, each with a stable label: the file stem when
//! the file holds one patient (`audit-hcc-naive.json` → `audit-hcc-naive`),
//! else `stem:patient-id`.

use std::path::{Path, PathBuf};

use tm_model::patient::Patient;

/// One patient read from a file of the directory.
#[derive(Debug, Clone)]
pub struct PatientEntry {
    /// File stem, or `stem:id` when the file holds several patients.
    pub label: String,
    pub file: PathBuf,
    pub patient: Patient,
}

impl PatientEntry {
    /// True when `name` names this patient: its label, its file stem (one
    /// patient per file) or its resource id.
    pub fn is_named(&self, name: &str) -> bool {
        self.label == name || self.patient.id == name
    }
}

/// What reading a patient directory gave.
#[derive(Debug, Clone, Default)]
pub struct PatientSet {
    /// Sorted by label.
    pub patients: Vec<PatientEntry>,
    /// Unreadable files and malformed input (`file:line: message`).
    pub errors: Vec<String>,
}

impl PatientSet {
    /// The patient `name` names (label first, then resource id).
    pub fn find(&self, name: &str) -> Option<&PatientEntry> {
        self.patients
            .iter()
            .find(|p| p.label == name)
            .or_else(|| self.patients.iter().find(|p| p.is_named(name)))
    }
}

fn list(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            list(&p, out)?;
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("json" | "ndjson")
        ) {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads every `*.json` / `*.ndjson` file under `path` (recursively, sorted;
/// hidden entries skipped), or the one file `path`, with
/// `tm_patient::read_path` — the reader `trialmatch match` uses.
pub fn read_patients(path: &Path) -> PatientSet {
    let mut set = PatientSet::default();
    let mut files = Vec::new();
    if path.is_dir() {
        if let Err(e) = list(path, &mut files) {
            set.errors.push(format!("{}: {e}", path.display()));
        }
    } else {
        files.push(path.to_path_buf());
    }
    for f in files {
        let read = match tm_patient::read_path(&f) {
            Ok(r) => r,
            Err(e) => {
                set.errors.push(format!("{}: {e}", f.display()));
                continue;
            }
        };
        set.errors.extend(read.errors);
        let stem = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("patient")
            .to_string();
        let one = read.patients.len() == 1;
        for p in read.patients {
            let label = if one {
                stem.clone()
            } else {
                format!("{stem}:{}", p.id)
            };
            set.patients.push(PatientEntry {
                label,
                file: f.clone(),
                patient: p,
            });
        }
    }
    set.patients.sort_by(|a, b| a.label.cmp(&b.label));
    set
}
