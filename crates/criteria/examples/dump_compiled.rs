//! Compiles every criteria text found under the given roots and writes one
//! JSON line per text (`label<TAB>compiled-json`) to stdout — a byte-exact
//! net for refactors of the compiler (`cmp` two runs).
//!
//! `cargo run -p tm-criteria --example dump_compiled -- [DATA_DIR] [SEEDS_DIR]`
//! (defaults `../shared/data` and `examples/seeds` relative to the workspace
//! root).
//!
//! Reads classic XML `<criteria><textblock>`, API v2 JSON
//! `protocolSection.eligibilityModule.eligibilityCriteria`, the HINT CSV
//! `criteria` column, and the seed `.txt` files whole.

use std::io::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, ext, out);
        } else if p.extension().and_then(|x| x.to_str()) == Some(ext) {
            out.push(p);
        }
    }
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v = Vec::new();
    walk(dir, ext, &mut v);
    v.sort();
    v
}

fn xml_criteria(s: &str) -> Option<String> {
    let a = s.find("<criteria>")?;
    let rest = &s[a..];
    let b = rest.find("<textblock>")? + "<textblock>".len();
    let e = rest.find("</textblock>")?;
    let raw = rest.get(b..e)?;
    quick_xml::escape::unescape(raw)
        .ok()
        .map(|c| c.into_owned())
}

fn main() {
    let ws = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.join("../shared/data"));
    let seeds = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.join("examples/seeds"));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut n = 0usize;
    let mut emit = |label: &str, text: &str| {
        let c = tm_criteria::compile(text);
        let j = serde_json::to_string(&c).unwrap_or_default();
        let _ = writeln!(out, "{label}\t{j}");
        n += 1;
    };

    for f in files(&data.join("ctgov/classic-xml"), "xml") {
        let Ok(s) = std::fs::read_to_string(&f) else {
            continue;
        };
        if let Some(text) = xml_criteria(&s) {
            emit(&f.display().to_string(), &text);
        }
    }
    for f in files(&data.join("ctgov/api-v2"), "json") {
        let Ok(s) = std::fs::read_to_string(&f) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&s) else {
            continue;
        };
        let studies: Vec<&serde_json::Value> = match &v {
            serde_json::Value::Array(a) => a.iter().collect(),
            serde_json::Value::Object(o) => match o.get("studies") {
                Some(serde_json::Value::Array(a)) => a.iter().collect(),
                _ => vec![&v],
            },
            _ => Vec::new(),
        };
        for (i, st) in studies.into_iter().enumerate() {
            if let Some(text) = st
                .pointer("/protocolSection/eligibilityModule/eligibilityCriteria")
                .and_then(|x| x.as_str())
            {
                emit(&format!("{}#{i}", f.display()), text);
            }
        }
    }
    if let Ok(mut rdr) = csv::Reader::from_path(data.join("hint/trials-criteria.csv")) {
        let col = rdr
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c == "criteria"));
        if let Some(col) = col {
            for (i, rec) in rdr.records().flatten().enumerate() {
                emit(&format!("hint#{i}"), rec.get(col).unwrap_or(""));
            }
        }
    }
    for f in files(&seeds, "txt") {
        if let Ok(s) = std::fs::read_to_string(&f) {
            emit(&f.display().to_string(), &s);
        }
    }
    let _ = out.flush();
    eprintln!("texts: {n}");
}
