//! Prints the compiled criteria of a text file:
//! `cargo run -p tm-criteria --example compile_text -- FILE [--json]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: compile_text FILE [--json]");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let c = tm_criteria::compile(&text);
    if args.iter().any(|a| a == "--json") {
        println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
    } else {
        print!("{}", tm_criteria::render::render(&text, &c.criteria, false));
    }
}
