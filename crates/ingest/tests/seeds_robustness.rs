//! Altered pages: reordered, missing, unknown sections, extra blank lines,
//! CRLF — same fields or a clear error.

mod seeds_common;
use seeds_common::*;
use tm_ingest::{RecordResult, Trial};

/// The trial without its source bookkeeping (the content hash changes with
/// every alteration).
fn core(t: &Trial) -> serde_json::Value {
    let mut t = t.clone();
    t.sources.clear();
    t.provenance.clear();
    serde_json::to_value(t).unwrap()
}

/// Asserts equality field by field, naming the fields that differ.
fn same(a: &Trial, b: &Trial, ctx: &str) {
    let (ja, jb) = (core(a), core(b));
    if ja != jb {
        let diff: Vec<&String> = ja
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, v)| jb.get(k.as_str()) != Some(v))
            .map(|(k, _)| k)
            .collect();
        panic!("{ctx}: fields differ: {diff:?}");
    }
}

fn text(prefix: &str) -> String {
    String::from_utf8(seed_bytes(prefix)).unwrap()
}

/// Splits a CT.gov page into (header, sections), each section starting at
/// its heading line.
fn split_sections(s: &str, headings: &[&str]) -> (String, Vec<String>) {
    let mut header = String::new();
    let mut sections: Vec<String> = Vec::new();
    for line in s.split_inclusive('\n') {
        if headings.contains(&line.trim()) {
            sections.push(String::new());
        }
        match sections.last_mut() {
            Some(sec) => sec.push_str(line),
            None => header.push_str(line),
        }
    }
    (header, sections)
}

const PAGE_HEADINGS: &[&str] = &[
    "Study Results",
    "Basic Information",
    "Brief Summary",
    "Detailed Description",
    "Conditions",
    "Study Design",
    "Study Groups",
    "Interventions",
    "Other Intervention Names",
    "Eligibility Criteria",
    "Sponsors",
    "Responsible Party",
    "Principal Investigators",
    "Locations",
    "Countries",
    "References",
    "Provided Documents",
    "Other Identifiers",
    "More Related Trials",
];

fn ensure_nl(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

#[test]
fn crlf_and_extra_blank_lines_give_the_same_trial() {
    for prefix in ["000", "002"] {
        let orig = page(text(prefix).as_bytes());
        let crlf = text(prefix).replace('\n', "\r\n");
        same(&page(crlf.as_bytes()), &orig, &format!("{prefix} CRLF"));
        let blank = text(prefix).replace("\n\n", "\n\n\n\n");
        same(&page(blank.as_bytes()), &orig, &format!("{prefix} blanks"));
    }
    for prefix in ["003", "004"] {
        let orig = clinconnect(text(prefix).as_bytes());
        let crlf = text(prefix).replace('\n', "\r\n");
        same(&clinconnect(crlf.as_bytes()), &orig, "alt");
        let blank = text(prefix).replace('\n', "\n\n");
        same(&clinconnect(blank.as_bytes()), &orig, "alt");
    }
    let row = csv_row(text("001").as_bytes());
    let crlf = text("001").replace('\n', "\r\n");
    same(&csv_row(crlf.as_bytes()), &row, "alt");
}

#[test]
fn reordered_sections_give_the_same_trial() {
    for prefix in ["000", "002"] {
        let orig = page(text(prefix).as_bytes());
        let (header, sections) = split_sections(&text(prefix), PAGE_HEADINGS);
        let mut reordered: Vec<String> = sections.into_iter().map(ensure_nl).collect();
        reordered.reverse();
        let altered = format!("{header}{}", reordered.concat());
        let t = page(altered.as_bytes());
        same(&t, &orig, &format!("{prefix} reversed sections"));
    }
}

#[test]
fn missing_section_leaves_only_its_fields_empty() {
    let orig = page(text("002").as_bytes());
    let (header, sections) = split_sections(&text("002"), PAGE_HEADINGS);
    let kept: Vec<String> = sections
        .into_iter()
        .filter(|s| !s.starts_with("References") && !s.starts_with("Locations"))
        .collect();
    let t = page(format!("{header}{}", kept.concat()).as_bytes());
    assert!(t.references.is_empty());
    assert!(t.locations.is_empty());
    assert_eq!(t.arms, orig.arms);
    assert_eq!(t.interventions, orig.interventions);
    assert_eq!(t.eligibility, orig.eligibility);
    assert_eq!(t.sponsors, orig.sponsors);
    assert_eq!(t.id, orig.id);

    // Without its "Interventions" section the groups still give them.
    let (header, sections) = split_sections(&text("002"), PAGE_HEADINGS);
    let kept: Vec<String> = sections
        .into_iter()
        .filter(|s| !s.starts_with("Interventions"))
        .collect();
    let t = page(format!("{header}{}", kept.concat()).as_bytes());
    let names: Vec<&str> = t.interventions.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["iNKT cells", "Human recombinated Interleukin-2", "TAE/TACE"]
    );
    assert_eq!(t.arms.len(), 2);
}

#[test]
fn unknown_section_is_skipped() {
    let orig = page(text("000").as_bytes());
    let altered = text("000").replace(
        "Conditions\n",
        "Participant Stories\n\nExplore what earlier participants said about the study.\n\nIt went well.\n\nWould join again\n\nConditions\n",
    );
    let t = page(altered.as_bytes());
    same(&t, &orig, "alt");
    // ClinConnect: an unknown heading-like line inside a known section is
    // kept as text, and an unknown section after "Timeline" changes nothing.
    let orig = clinconnect(text("003").as_bytes());
    let altered = format!("{}\nSponsor Videos\nWatch now\n", text("003"));
    same(
        &clinconnect(altered.as_bytes()),
        &orig,
        "unknown section at end",
    );
    let altered = text("003").replace(
        "Patients applied\n",
        "Sponsor Videos\nWatch now\nPatients applied\n",
    );
    same(
        &clinconnect(altered.as_bytes()),
        &orig,
        "unknown section mid-page",
    );
}

fn errors(r: Vec<RecordResult>) -> Vec<String> {
    r.into_iter()
        .map(|x| match x {
            Err(e) => e.to_string(),
            Ok(t) => panic!("expected an error, got {}", t.id),
        })
        .collect()
}

#[test]
fn garbage_gives_a_clear_error() {
    for input in [
        &b""[..],
        b"\n\n\r\n",
        b"hello world\nno sections here\n",
        b"\xff\xfe\x00",
    ] {
        let e = errors(collect(|s| tm_ingest::ctgov_page::read(input, "x.txt", s)));
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("x.txt: not a CT.gov study page"),
            "{}",
            e[0]
        );
        let e = errors(collect(|s| tm_ingest::clinconnect::read(input, "y.txt", s)));
        assert!(
            e[0].starts_with("y.txt: not a ClinConnect page"),
            "{}",
            e[0]
        );
    }
    let e = errors(collect(|s| {
        tm_ingest::ctgov_csv::read(b"", "z.csv", tm_ingest::Format::CtgovCsvRow, s)
    }));
    assert!(e[0].contains("title"));
    let e = errors(collect(|s| {
        tm_ingest::ctgov_csv::read(b"a,b\n1,2\n", "z.csv", tm_ingest::Format::CtgovCsv, s)
    }));
    assert!(e[0].contains("NCT Number"));
}

const CC_HEADINGS: &[&str] = &[
    "Trial Information",
    "Keywords",
    "ClinConnect Summary",
    "Gender",
    "Eligibility criteria",
    "Contacts",
    "Locations",
    "Patients applied",
    "Trial Officials",
    "Timeline",
    "Similar Trials",
];

fn cc_split(s: &str) -> (String, Vec<String>) {
    let mut header = String::new();
    let mut sections: Vec<String> = Vec::new();
    for line in s.split_inclusive('\n') {
        let l = line.trim();
        if CC_HEADINGS.contains(&l) || l.starts_with("About ") {
            sections.push(String::new());
        }
        match sections.last_mut() {
            Some(sec) => sec.push_str(line),
            None => header.push_str(line),
        }
    }
    (header, sections.into_iter().map(ensure_nl).collect())
}

#[test]
fn clinconnect_reordered_and_missing_sections() {
    let orig = clinconnect(text("003").as_bytes());
    let (header, mut sections) = cc_split(&text("003"));
    sections.reverse();
    same(
        &clinconnect(format!("{header}{}", sections.concat()).as_bytes()),
        &orig,
        "reversed",
    );
    let (header, sections) = cc_split(&text("003"));
    let kept: Vec<String> = sections
        .into_iter()
        .filter(|s| !s.starts_with("Trial Officials") && !s.starts_with("About "))
        .collect();
    let t = clinconnect(format!("{header}{}", kept.concat()).as_bytes());
    assert!(t.officials.is_empty());
    assert_eq!(t.sponsors[0].description, None);
    // Without the "About" heading the sponsor keeps the launch line's
    // spelling, and the derived id does not change (normalised).
    assert_eq!(t.lead_sponsor(), Some("UNIVERSITY HOSPITAL, BORDEAUX"));
    assert_eq!(t.id, orig.id);
    assert_eq!(t.eligibility, orig.eligibility);
    assert_eq!(t.locations, orig.locations);
}
