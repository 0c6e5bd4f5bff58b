//! QLQ-C30 from SDTM QS (issue 12 item 3): a synthetic QS domain written by the test from the
//! long-form example must score exactly like the long-form CSV; CDISC codes, answer texts,
//! QSSTAT = NOT DONE and foreign questionnaires are handled as documented in `qlq_c30`.

use std::path::PathBuf;

use tm_outcomes::qlq_c30::{qs_item, read_qlq_csv, read_qlq_path, read_qlq_qs, report, Scale};

fn example_csv() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/qlq_c30_example.csv");
    std::fs::read_to_string(p).unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tm_qlq_qs_{}_{}", std::process::id(), name));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The long-form example rewritten as SDTM QS: items 1–28 answered by text in QSORRES (the
/// CDISC answer wording) for even items, by QSSTRESN for odd ones; items 29–30 as "N text";
/// blank answers as QSSTAT = NOT DONE; plus rows QS must ignore (a derived scale score EOR0131,
/// another questionnaire, QSALL).
fn qs_from_long(long: &str) -> String {
    let words = ["Not at All", "A Little", "Quite a Bit", "Very Much"];
    let mut out = String::from(
        "STUDYID,DOMAIN,USUBJID,QSSEQ,QSTESTCD,QSTEST,QSCAT,QSORRES,QSSTRESC,QSSTRESN,QSSTAT,VISITNUM,VISIT,QSDTC\n",
    );
    for (i, line) in long.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let (subj, visit, date, item, resp) = (f[0], f[1], f[2], f[3], f[4]);
        let n: usize = item.parse().unwrap();
        let code = format!("EOR01{n:02}");
        let (orres, stresc, stresn, stat) = if resp.is_empty() {
            (String::new(), String::new(), String::new(), "NOT DONE")
        } else if n >= 29 {
            (format!("{resp} Answer"), String::new(), String::new(), "")
        } else if n.is_multiple_of(2) {
            let r: usize = resp.parse().unwrap();
            (words[r - 1].to_string(), String::new(), String::new(), "")
        } else {
            (String::new(), resp.to_string(), format!("{resp}.0"), "")
        };
        out.push_str(&format!(
            "S,QS,{subj},{},{code},Item {n},EORTC QLQ-C30 V3.0,{orres},{stresc},{stresn},{stat},,{visit},{date}T09:30\n",
            i + 1
        ));
        if n == 1 {
            out.push_str(&format!(
                "S,QS,{subj},0,EOR0131,Global health status,EORTC QLQ-C30 V3.0,,50,50,,,{visit},{date}\n"
            ));
            out.push_str(&format!(
                "S,QS,{subj},0,HAMD101,Depressed mood,HAMD 17,3,3,3,,,{visit},{date}\n"
            ));
        }
    }
    out.push_str("S,QS,HCC-002,0,QSALL,Questionnaires,,,,,NOT DONE,,WEEK 18,\n");
    out
}

#[test]
fn qs_scores_equal_the_long_form_csv() {
    let long = example_csv();
    let from_csv = read_qlq_csv(&long).unwrap();
    let qs_text = qs_from_long(&long);
    let from_qs = read_qlq_qs(&qs_text).unwrap();
    assert!(from_qs.skipped.is_empty(), "{:?}", from_qs.skipped);
    assert_eq!(from_qs.assessments.len(), 6);
    assert_eq!(from_qs.assessments, from_csv.assessments);
    let (a, b) = (report(&from_csv, None), report(&from_qs, None));
    assert_eq!(a, b);
    // Independent check, HCC-001 BASELINE: PF2 items 1–5 = 1,1,2,2,2 → RS 1.6 →
    // (1 − 0.6/3) × 100 = 80; QL2 items 29, 30 = 6, 6 → (5/6) × 100.
    let base = &b.subjects[0].visits[0];
    assert!(base.baseline);
    assert!((base.scores[&Scale::PF2].unwrap() - 80.0).abs() < 1e-9);
    assert!((base.scores[&Scale::QL2].unwrap() - 500.0 / 6.0).abs() < 1e-9);
    // HCC-002 WEEK 6: EF items 21–23 NOT DONE, only 24 answered → 1 of 4 < half → no score.
    let w6 = b.subjects[1]
        .visits
        .iter()
        .find(|v| v.visit == "WEEK 6")
        .unwrap();
    assert_eq!(w6.scores[&Scale::EF], None);
}

#[test]
fn item_codes_and_answers() {
    assert_eq!(qs_item("EOR0101", ""), Some(1));
    assert_eq!(qs_item("eor0130", ""), Some(30));
    assert_eq!(qs_item("EOR0131", ""), None); // derived scale, not an item
    assert_eq!(qs_item("EOR0100", ""), None);
    assert_eq!(qs_item("Q7", "EORTC QLQ-C30 V3.0"), Some(7));
    assert_eq!(qs_item("Q07", "qlqc30"), Some(7));
    assert_eq!(qs_item("Q7", "HAMD 17"), None);
    assert_eq!(qs_item("Q31", "EORTC QLQ-C30"), None);
    let qs = "USUBJID,QSTESTCD,QSORRES,QSSTRESN,VISIT,QSDTC\n\
              S1,EOR0101,Very much,,V1,2024-01\n\
              S1,EOR0102,Somewhat,,V1,2024-01\n\
              S1,EOR0103,,5,V1,2024-01\n\
              S1,EOR0104,,2.5,V1,2024-01\n\
              S1,EOR0101,,1,V1,2024-01\n\
              S1,EOR0129,,,,\n";
    let d = read_qlq_qs(qs).unwrap();
    assert_eq!(
        d.assessments.len(),
        1,
        "row without VISIT/VISITNUM/QSDTC is skipped"
    );
    let a = &d.assessments[0];
    assert_eq!(a.date, None, "partial QSDTC is not imputed");
    assert_eq!(a.responses.items[0], Some(4));
    assert_eq!(a.responses.items[1..4], [None, None, None]);
    let reasons: Vec<&str> = d.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(d.skipped.len(), 5, "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("Somewhat")));
    assert!(reasons.iter().any(|r| r.contains("response 5 is not 1–4")));
    assert!(reasons.iter().any(|r| r.contains("2.5")));
    assert!(reasons.iter().any(|r| r.contains("duplicate item 1")));
    assert!(read_qlq_qs("USUBJID,QSTESTCD,QSORRES\nS1,HAMD101,3\n")
        .unwrap_err()
        .contains("no EORTC QLQ-C30 items"));
    assert!(read_qlq_qs("USUBJID,QSTESTCD\nS1,EOR0101\n").is_err());
}

#[test]
fn path_takes_a_directory_a_qs_file_or_the_long_csv() {
    let long = example_csv();
    let dir = tmp("dir");
    std::fs::write(dir.join("qs.csv"), qs_from_long(&long)).unwrap();
    std::fs::write(dir.join("dm.csv"), "USUBJID\nHCC-001\n").unwrap();
    let long_path = dir.join("long.csv");
    std::fs::write(&long_path, &long).unwrap();
    let want = read_qlq_csv(&long).unwrap().assessments;
    assert_eq!(read_qlq_path(&dir).unwrap().assessments, want);
    assert_eq!(
        read_qlq_path(&dir.join("qs.csv")).unwrap().assessments,
        want
    );
    assert_eq!(read_qlq_path(&long_path).unwrap().assessments, want);
    let empty = tmp("empty");
    assert!(read_qlq_path(&empty).unwrap_err().contains("no qs.csv"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
}
