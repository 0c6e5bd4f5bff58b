//! Runs segmentation (and compilation) over every criteria text in the
//! shared data and prints how many texts had no recognisable headings or
//! items.
//!
//! `cargo run -p tm-criteria --example segment_all [-- DATA_DIR]`
//! (default `../shared/data` relative to the workspace root).
//!
//! Reads the raw files directly: classic XML `<criteria><textblock>`, the
//! HINT CSV `criteria` column, and API v2 JSON
//! `protocolSection.eligibilityModule.eligibilityCriteria`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tm_criteria::Diagnostic;

#[derive(Default)]
struct Tally {
    texts: usize,
    empty: usize,
    no_headings: usize,
    no_items: usize,
    neither: usize,
    criteria: usize,
    examples_no_headings: Vec<String>,
    examples_no_items: Vec<String>,
    status: [usize; 4],
    compile_time: std::time::Duration,
}

impl Tally {
    fn add(&mut self, label: &str, text: &str) {
        self.texts += 1;
        let seg = tm_criteria::segment_with_diagnostics(text);
        for c in &seg.criteria {
            assert_eq!(
                &text[c.span.0..c.span.1],
                c.text,
                "span mismatch in {label}"
            );
        }
        self.criteria += seg.criteria.len();
        let t = Instant::now();
        let compiled = tm_criteria::compile(text);
        self.compile_time += t.elapsed();
        for c in &compiled.criteria {
            let k = match c.status {
                tm_criteria::Status::Computable => 0,
                tm_criteria::Status::Partial => 1,
                tm_criteria::Status::Review => 2,
                tm_criteria::Status::Unparsed => 3,
            };
            self.status[k] += 1;
        }
        let d = &seg.diagnostics;
        if d.contains(&Diagnostic::Empty) {
            self.empty += 1;
            return;
        }
        let nh = d.contains(&Diagnostic::NoHeadings);
        let ni = d.contains(&Diagnostic::NoItems);
        if nh {
            self.no_headings += 1;
            if self.examples_no_headings.len() < 5 {
                self.examples_no_headings.push(label.to_string());
            }
        }
        if ni {
            self.no_items += 1;
            if self.examples_no_items.len() < 5 {
                self.examples_no_items.push(label.to_string());
            }
        }
        if nh && ni {
            self.neither += 1;
        }
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: texts={} criteria={} empty={} no_headings={} no_items={} neither={}",
            self.texts, self.criteria, self.empty, self.no_headings, self.no_items, self.neither
        );
        let n = self.status.iter().sum::<usize>().max(1) as f64;
        println!(
            "  compiled in {:.2?}: computable={:.1}% partial={:.1}% review={:.1}% unparsed={:.1}%",
            self.compile_time,
            100.0 * self.status[0] as f64 / n,
            100.0 * self.status[1] as f64 / n,
            100.0 * self.status[2] as f64 / n,
            100.0 * self.status[3] as f64 / n
        );
        if !self.examples_no_headings.is_empty() {
            println!(
                "  e.g. no headings: {}",
                self.examples_no_headings.join(", ")
            );
        }
        if !self.examples_no_items.is_empty() {
            println!("  e.g. no items: {}", self.examples_no_items.join(", "));
        }
    }
}

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
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if !root.is_dir() {
        println!("note: {} not found; nothing to do", root.display());
        return;
    }
    let t0 = Instant::now();

    // Classic XML.
    let mut xml = Tally::default();
    let mut files = Vec::new();
    walk(&root.join("ctgov/classic-xml"), "xml", &mut files);
    files.sort();
    for f in &files {
        let Ok(s) = std::fs::read_to_string(f) else {
            continue;
        };
        let text = xml_criteria(&s).unwrap_or_default();
        let label = f
            .file_stem()
            .and_then(|x| x.to_str())
            .unwrap_or("?")
            .to_string();
        xml.add(&label, &text);
    }
    xml.print("classic-xml");

    // HINT CSV.
    let mut hint = Tally::default();
    if let Ok(mut rdr) = csv::Reader::from_path(root.join("hint/trials-criteria.csv")) {
        let col = rdr
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c == "criteria"));
        let id_col = 0;
        if let Some(col) = col {
            for rec in rdr.records().flatten() {
                let text = rec.get(col).unwrap_or("");
                let label = rec.get(id_col).unwrap_or("?").to_string();
                hint.add(&label, text);
            }
        }
    }
    hint.print("hint");

    // API v2 JSON.
    let mut api = Tally::default();
    let mut jfiles = Vec::new();
    walk(&root.join("ctgov/api-v2"), "json", &mut jfiles);
    jfiles.sort();
    for f in &jfiles {
        let Ok(s) = std::fs::read_to_string(f) else {
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
        for st in studies {
            let text = st
                .pointer("/protocolSection/eligibilityModule/eligibilityCriteria")
                .and_then(|x| x.as_str())
                .unwrap_or("");
            let label = st
                .pointer("/protocolSection/identificationModule/nctId")
                .and_then(|x| x.as_str())
                .unwrap_or("?")
                .to_string();
            api.add(&label, text);
        }
    }
    api.print("api-v2");
    println!("elapsed: {:.2?}", t0.elapsed());
}
