//! A small column-name–addressed CSV table: how the report reads SDTM inputs and the ADaM-like
//! CSVs it (and the response / safety modules) wrote. Empty cells are `None`, as in the
//! pharmaverse conversion (NOTES.md: "Empty field = R NA").

use std::collections::HashMap;
use std::path::Path;

/// A parsed CSV file: header plus rows of strings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    index: HashMap<String, usize>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Parses CSV text (comma separated, header line first, ragged rows tolerated).
    pub fn parse(text: &str) -> Result<Table, String> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| format!("CSV header: {e}"))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| format!("CSV: {e}"))?;
            rows.push(rec.iter().map(|c| c.to_string()).collect());
        }
        Ok(Table::new(header, rows))
    }

    pub fn new(header: Vec<String>, rows: Vec<Vec<String>>) -> Table {
        let index = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_ascii_uppercase(), i))
            .collect();
        Table {
            header,
            index,
            rows,
        }
    }

    /// Reads `path`; `Ok(None)` when the file does not exist.
    pub fn read_optional(path: &Path) -> Result<Option<Table>, String> {
        match std::fs::read_to_string(path) {
            Ok(t) => Table::parse(&t)
                .map(Some)
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn has(&self, col: &str) -> bool {
        self.index.contains_key(&col.to_ascii_uppercase())
    }

    /// The trimmed cell of `row` in column `col`; `None` when the column is absent or the cell
    /// empty (or `NA`).
    pub fn get<'a>(&self, row: &'a [String], col: &str) -> Option<&'a str> {
        let i = *self.index.get(&col.to_ascii_uppercase())?;
        let v = row.get(i)?.trim();
        (!v.is_empty() && v != "NA").then_some(v)
    }

    /// [`Table::get`] or "".
    pub fn s<'a>(&self, row: &'a [String], col: &str) -> &'a str {
        self.get(row, col).unwrap_or("")
    }

    /// A numeric cell.
    pub fn num(&self, row: &[String], col: &str) -> Option<f64> {
        self.get(row, col)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }

    /// Serialises to CSV text.
    pub fn to_csv(&self) -> Result<String, String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).map_err(|e| e.to_string())?;
        for r in &self.rows {
            w.write_record(r).map_err(|e| e.to_string())?;
        }
        let bytes = w.into_inner().map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
}

/// Finds an SDTM domain file in `dir`: `<name>.csv` (any case), else the first
/// `<name>_*.csv` in name order (e.g. `rs_onco_recist.csv` for `rs`), so the pharmaverse
/// folder layout works as is.
pub fn find_domain(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    files.sort();
    let stem = |p: &std::path::PathBuf| {
        p.file_stem()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let exact = files.iter().find(|p| stem(p) == name).cloned();
    exact.or_else(|| {
        let prefix = format!("{name}_");
        files.into_iter().find(|p| stem(p).starts_with(&prefix))
    })
}
