//! Prints the compiled criteria of the seed trials (development aid):
//! `cargo run -p tm-matcher --example dump_seeds [-- N]`.
use std::path::Path;

fn main() {
    let which = std::env::args().nth(1);
    let Ok(rd) = std::fs::read_dir("examples/seeds") else {
        eprintln!("run from the workspace root");
        return;
    };
    let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if let Some(w) = &which {
            if !name.starts_with(w.as_str()) {
                continue;
            }
        }
        tm_ingest::read_file(Path::new(&f), &mut |r| match r {
            Ok(t) => {
                let text = t.eligibility.criteria_text.clone().unwrap_or_default();
                println!("=== {} {} {:?} {:?}", name, t.id, t.status, t.eligibility);
                let c = tm_criteria::compile(&text);
                for cc in &c.criteria {
                    println!(
                        "{} {:?} {:?} {:?}\n   text: {}\n   expr: {}\n   atoms: {}",
                        cc.id,
                        cc.kind,
                        cc.status,
                        cc.parent,
                        cc.text.replace('\n', " "),
                        serde_json::to_string(&cc.expr).unwrap_or_default(),
                        serde_json::to_string(&cc.atoms).unwrap_or_default()
                    );
                    for r in &cc.review_reason {
                        println!("   review: {:?} {}", r.kind, r.text);
                    }
                }
            }
            Err(e) => eprintln!("{e}"),
        });
    }
}
