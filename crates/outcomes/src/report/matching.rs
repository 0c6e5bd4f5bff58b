//! Matching a registered outcome measure to a computed endpoint by keywords in its measure
//! text (then its description). The text is lower-cased, hyphens become spaces, and the first
//! rule (in this order) with a matching keyword wins; abbreviations must be whole words:
//!
//! | endpoint | keywords |
//! |---|---|
//! | DOR | "duration of response", "response duration", "duration of overall response", DoR |
//! | PFS | "progression free survival", PFS |
//! | HTTP | "hepatic time to progression", "intrahepatic progression", "time to intrahepatic progression", hTTP |
//! | TTP | "time to progression", "time to tumor progression", "time to tumour progression", TTP |
//! | OS | "overall survival", OS |
//! | DCR | "disease control", "clinical benefit rate", DCR, CBR |
//! | ORR | "objective response", "overall response rate", "response rate", "tumor response", "tumour response", "best overall response", ORR, BOR |
//! | AE | "adverse event", "adverse reaction", "toxicity", "toxicities", "safety", AE, AEs, TEAE, SAE |
//!
//! Anything else (quality of life, biomarkers, dosimetry …) is listed as "not computed".

/// The rules, in priority order: (endpoint, phrases, whole-word abbreviations).
pub const RULES: [(&str, &[&str], &[&str]); 8] = [
    (
        "DOR",
        &[
            "duration of response",
            "response duration",
            "duration of overall response",
        ],
        &["dor"],
    ),
    ("PFS", &["progression free survival"], &["pfs"]),
    (
        "HTTP",
        &[
            "hepatic time to progression",
            "intrahepatic progression",
            "time to intrahepatic progression",
        ],
        &["http"],
    ),
    (
        "TTP",
        &[
            "time to progression",
            "time to tumor progression",
            "time to tumour progression",
        ],
        &["ttp"],
    ),
    ("OS", &["overall survival"], &["os"]),
    (
        "DCR",
        &["disease control", "clinical benefit rate"],
        &["dcr", "cbr"],
    ),
    (
        "ORR",
        &[
            "objective response",
            "overall response rate",
            "response rate",
            "tumor response",
            "tumour response",
            "best overall response",
        ],
        &["orr", "bor"],
    ),
    (
        "AE",
        &[
            "adverse event",
            "adverse reaction",
            "toxicity",
            "toxicities",
            "safety",
        ],
        &["ae", "aes", "teae", "teaes", "sae", "saes"],
    ),
];

fn normalise(s: &str) -> String {
    s.to_lowercase()
        .replace(['-', '–', '_', '/', '(', ')', ',', ';', ':', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The endpoint and the keyword that matched, or `None`.
pub fn match_text(text: &str) -> Option<(&'static str, String)> {
    let t = normalise(text);
    let words: Vec<&str> = t.split(' ').collect();
    for (ep, phrases, abbrevs) in RULES {
        if let Some(p) = phrases.iter().find(|p| t.contains(*p)) {
            return Some((ep, format!("\"{p}\"")));
        }
        if let Some(a) = abbrevs.iter().find(|a| words.contains(a)) {
            return Some((ep, format!("word {}", a.to_uppercase())));
        }
    }
    None
}

/// Matches on the measure text first, then on the description.
pub fn match_outcome(measure: &str, description: Option<&str>) -> Option<(&'static str, String)> {
    match_text(measure).or_else(|| {
        description
            .and_then(match_text)
            .map(|(e, r)| (e, format!("{r} in the description")))
    })
}
