//! Prints the segmentation of a text file: `cargo run -p tm-criteria --example segment_text -- FILE`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: segment_text FILE");
        return;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return;
        }
    };
    let seg = tm_criteria::segment_with_diagnostics(&text);
    for c in &seg.criteria {
        let indent = "  ".repeat(c.id.matches('.').count());
        println!(
            "{indent}{} [{:?}] {}",
            c.id,
            c.kind,
            c.text.replace('\n', "⏎")
        );
    }
    println!("diagnostics: {:?}", seg.diagnostics);
}
