//! Segmentation of heading spellings, item markers, wrapped lines, nesting
//! and prose.

use tm_criteria::{segment, segment_with_diagnostics, Criterion, Diagnostic, Kind};

fn ids(cs: &[Criterion]) -> Vec<(String, Kind, Option<String>, String)> {
    cs.iter()
        .map(|c| (c.id.clone(), c.kind, c.parent.clone(), c.text.clone()))
        .collect()
}

fn spans_ok(text: &str, cs: &[Criterion]) {
    for c in cs {
        assert_eq!(&text[c.span.0..c.span.1], c.text);
    }
}

fn simple(text: &str) -> Vec<(String, Kind, String)> {
    let cs = segment(text);
    spans_ok(text, &cs);
    cs.into_iter().map(|c| (c.id, c.kind, c.text)).collect()
}

fn s(id: &str, k: Kind, t: &str) -> (String, Kind, String) {
    (id.to_string(), k, t.to_string())
}

use Kind::{Exclusion as X, Inclusion as N};

#[test]
fn heading_spellings() {
    for (inc, exc) in [
        ("Inclusion Criteria", "Exclusion Criteria"),
        ("Inclusion Criteria:", "Exclusion Criteria:"),
        ("Key inclusion criteria", "Key exclusion criteria:"),
        ("- Inclusion Criteria:", "- Exclusion Criteria:"),
        ("INCLUSION CRITERIA:", "Exclusion criteria include"),
        (
            "Inclusion criteria (all must be met):",
            "Patients will be excluded from the study if:",
        ),
        (
            "Patients may be eligible for this study if they:",
            "Patients will not be eligible for this study if they:",
        ),
    ] {
        let text = format!("{inc}\n\n1. Age 18 or older\n2. ECOG 0-1\n\n{exc}\n\n1. Pregnancy\n");
        assert_eq!(
            simple(&text),
            vec![
                s("I1", N, "Age 18 or older"),
                s("I2", N, "ECOG 0-1"),
                s("E1", X, "Pregnancy")
            ],
            "{inc} / {exc}"
        );
    }
}

#[test]
fn item_markers() {
    for m in ["1.", "1)", "(1)", "-", "•", "*", "- •", "- • 1."] {
        let m2 = m.replace('1', "2");
        let text = format!("Inclusion Criteria:\n{m} First item;\n{m2} Second item\nExclusion Criteria:\n{m} Third\n");
        assert_eq!(
            simple(&text),
            vec![
                s("I1", N, "First item"),
                s("I2", N, "Second item"),
                s("E1", X, "Third")
            ],
            "marker {m}"
        );
    }
}

#[test]
fn wrapped_lines_continue_an_item() {
    let text = "Inclusion Criteria:\n\n  -  Histologically confirmed cancer unlikely\n     to respond to standard regimens\n\n  -  Measurable disease\n";
    assert_eq!(
        simple(text),
        vec![
            s(
                "I1",
                N,
                "Histologically confirmed cancer unlikely\n     to respond to standard regimens"
            ),
            s("I2", N, "Measurable disease"),
        ]
    );
}

#[test]
fn classic_xml_nested_bullets_under_lab_parameters() {
    let text = "
        Inclusion Criteria:

          -  Age 18 or over

          -  The following laboratory parameters:

               -  Absolute neutrophil count at least 1,500/mm^3

               -  Platelet count at least 100,000/mm^3

          -  Signed consent

        Exclusion Criteria:

          -  Pregnant or nursing
      ";
    let cs = segment(text);
    spans_ok(text, &cs);
    let got = ids(&cs);
    let want = vec![
        ("I1", N, None, "Age 18 or over"),
        ("I2", N, None, "The following laboratory parameters:"),
        (
            "I2.1",
            N,
            Some("I2"),
            "Absolute neutrophil count at least 1,500/mm^3",
        ),
        (
            "I2.2",
            N,
            Some("I2"),
            "Platelet count at least 100,000/mm^3",
        ),
        ("I3", N, None, "Signed consent"),
        ("E1", X, None, "Pregnant or nursing"),
    ];
    let want: Vec<_> = want
        .into_iter()
        .map(|(a, b, c, d)| (a.to_string(), b, c.map(str::to_string), d.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn numbered_sub_list_under_colon_item() {
    let text = "Inclusion Criteria:\n1. Adequate organ function:\n   a) ANC >= 1.5\n   b) Platelets >= 100\n2. Consent\n";
    let got: Vec<_> = segment(text)
        .into_iter()
        .map(|c| (c.id, c.parent))
        .collect();
    assert_eq!(
        got,
        vec![
            ("I1".to_string(), None),
            ("I1.1".to_string(), Some("I1".to_string())),
            ("I1.2".to_string(), Some("I1".to_string())),
            ("I2".to_string(), None)
        ]
    );
}

#[test]
fn first_line_without_indentation_is_still_a_sibling() {
    // Classic XML text blocks lose the first line's indentation.
    let text = "-  Diagnosis of malignant disease\n\n          -  No prior chemotherapy\n\n               -  Cisplatin\n\n          -  Age >= 18\n";
    let got: Vec<_> = segment(text)
        .into_iter()
        .map(|c| (c.id, c.parent))
        .collect();
    assert_eq!(
        got,
        vec![
            ("I1".to_string(), None),
            ("I2".to_string(), None),
            ("I2.1".to_string(), Some("I2".to_string())),
            ("I3".to_string(), None)
        ]
    );
}

#[test]
fn only_one_list() {
    let seg = segment_with_diagnostics("Exclusion Criteria:\n- Pregnancy\n- HIV\n");
    assert_eq!(seg.criteria.len(), 2);
    assert!(seg.criteria.iter().all(|c| c.kind == X));
    assert_eq!(seg.diagnostics, vec![Diagnostic::OnlyExclusion]);
}

#[test]
fn no_headings_means_inclusion() {
    let seg = segment_with_diagnostics("- Age >= 18\n- ECOG 0-1\n");
    assert_eq!(seg.criteria.len(), 2);
    assert!(seg.criteria.iter().all(|c| c.kind == N));
    assert_eq!(seg.diagnostics, vec![Diagnostic::NoHeadings]);
}

#[test]
fn criteria_embedded_in_prose() {
    let text = "Children between the ages of 6 and 12 years with myopia\nare eligible for inclusion. Exclusion criteria include visual acuity greater than 20/25, strabismus,\nuse of contact lenses.";
    let seg = segment_with_diagnostics(text);
    spans_ok(text, &seg.criteria);
    let got: Vec<_> = seg
        .criteria
        .iter()
        .map(|c| (c.id.as_str(), c.kind, c.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("I1", N, "Children between the ages of 6 and 12 years with myopia\nare eligible for inclusion."),
            ("E1", X, "visual acuity greater than 20/25, strabismus,\nuse of contact lenses.")
        ]
    );
    assert!(seg.diagnostics.contains(&Diagnostic::NoItems));
}

#[test]
fn heading_with_inline_content() {
    let text = "Inclusion Criteria: adults with HCC.\nExclusion Criteria: pregnancy.";
    assert_eq!(
        simple(text),
        vec![s("I1", N, "adults with HCC."), s("E1", X, "pregnancy.")]
    );
}

#[test]
fn prose_paragraphs_are_items() {
    let text = "Inclusion Criteria:\n\nMen or women aged 50 or more with diabetes\non treatment.\n\nKey Exclusion Criteria:\n\nHistory of stroke; planned surgery.\n";
    assert_eq!(
        simple(text),
        vec![
            s(
                "I1",
                N,
                "Men or women aged 50 or more with diabetes\non treatment."
            ),
            s("E1", X, "History of stroke; planned surgery.")
        ]
    );
}

#[test]
fn pdq_labels_are_not_criteria() {
    let text = "DISEASE CHARACTERISTICS:\n  -  Small cell lung cancer\n\nPATIENT CHARACTERISTICS:\n\nAge:\n  -  18 and over\nHepatic:\n  -  Bilirubin no greater than 2.5 mg/dL\n";
    assert_eq!(
        simple(text),
        vec![
            s("I1", N, "Small cell lung cancer"),
            s("I2", N, "18 and over"),
            s("I3", N, "Bilirubin no greater than 2.5 mg/dL")
        ]
    );
}

#[test]
fn inline_parts_need_a_sequence() {
    // A lone "(1)" is not an enumeration.
    let cs = segment("Inclusion Criteria:\n1. Grade (1) neuropathy allowed\n");
    assert_eq!(cs.len(), 1);
    let cs = segment("Inclusion Criteria:\n1. Labs: (1) ANC >= 1.5; (2) PLT >= 100; (3) Hb >= 9\n");
    let got: Vec<_> = cs
        .iter()
        .map(|c| (c.id.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("I1", "Labs: (1) ANC >= 1.5; (2) PLT >= 100; (3) Hb >= 9"),
            ("I1.1", "ANC >= 1.5"),
            ("I1.2", "PLT >= 100"),
            ("I1.3", "Hb >= 9")
        ]
    );
}

#[test]
fn never_panics_on_odd_input() {
    for t in [
        "",
        "\n\n",
        "-",
        "•",
        "(1)",
        "1.",
        "Inclusion Criteria:",
        "é\u{a0}\r\n- x\r\n",
        "(((",
        "1) 2) 3)",
    ] {
        let cs = segment(t);
        spans_ok(t, &cs);
    }
}
