//! The LCT scorer on a small BRAT corpus written here (no /work/shared
//! needed): gold extraction (operators, values, units, ranges, skipped
//! events, non-pairs ignored) and the counts of the scorer, with a fixed
//! stand-in compiler so the expected figures do not move with the real one.

use std::path::Path;

use tm_criteria::{Atom, CompiledCriteria, CompiledCriterion, Expr, Kind, Op, Status, Value};
use tm_eval::lct::{self, GoldOp, GoldUnit};

const TEXT: &str = "Inclusion Criteria:
  -  Age ≥ 18 years
  -  Platelets > 100,000/mm3
  -  Creatinine ≤ 1.5 mg/dL
  -  ALT < 2.5 x ULN
  -  BMI between 18.5 and 30 kg/m2
Exclusion Criteria:
  -  Visit on 31 December 2016
  -  Haemoglobin ≥ 9 g/dL
";

/// Character offsets of the `nth` occurrence of `needle` (BRAT counts characters).
fn chars(needle: &str, nth: usize) -> (usize, usize) {
    let (b, _) = TEXT.match_indices(needle).nth(nth).expect("needle in text");
    let start = TEXT[..b].chars().count();
    (start, start + needle.chars().count())
}

/// Byte span of `needle` (the IR's spans are bytes).
fn bytes(needle: &str) -> (usize, usize) {
    let b = TEXT.find(needle).expect("needle in text");
    (b, b + needle.len())
}

fn t(id: &str, kind: &str, needle: &str, nth: usize) -> String {
    let (a, b) = chars(needle, nth);
    format!("{id}\t{kind} {a} {b}\t{needle}\n")
}

fn ann() -> String {
    let mut s = String::new();
    // age ≥ 18 years (temporal unit)
    s += &t("T1", "Eq-Comparison", "≥ 18 years", 0);
    s += &t("T2", "Eq-Operator", "≥", 0);
    s += &t("T3", "Eq-Value", "18", 0);
    s += &t("T4", "Eq-Temporal-Unit", "years", 0);
    s += "E1\tEq-Comparison:T1 Operator:T2 Value:T3 Temporal-Unit:T4\n";
    s += "A1\tEq-Operator-Value T2 GTEQ\n";
    // platelets > 100,000/mm3 (the slash outside the unit span)
    s += &t("T5", "Eq-Comparison", "> 100,000/mm3", 0);
    s += &t("T6", "Eq-Operator", ">", 0);
    s += &t("T7", "Eq-Value", "100,000", 0);
    s += &t("T8", "Eq-Unit", "mm3", 0);
    s += "E2\tEq-Comparison:T5 Value:T7 Operator:T6 Unit:T8\n";
    s += "A2\tEq-Operator-Value T6 GT\n";
    // creatinine ≤ 1.5 mg/dL (unit in two fragments: Unit2 + Per)
    s += &t("T9", "Eq-Comparison", "≤ 1.5 mg/dL", 0);
    s += &t("T10", "Eq-Operator", "≤", 0);
    s += &t("T11", "Eq-Value", "1.5", 0);
    s += &t("T12", "Eq-Unit", "mg", 0);
    s += &t("T13", "Eq-Unit", "dL", 0);
    s += "E3\tEq-Comparison:T9 Operator:T10 Value:T11 Unit2:T12 Per:T13\n";
    s += "A3\tEq-Operator-Value T10 LTEQ\n";
    // ALT < 2.5 x ULN, discontinuous trigger
    let (a, b) = chars("< 2.5", 0);
    let (c, d) = chars("ULN", 0);
    s += &format!("T14\tEq-Comparison {a} {b};{c} {d}\t< 2.5 ULN\n");
    s += &t("T15", "Eq-Operator", "<", 0);
    s += &t("T16", "Eq-Value", "2.5", 0);
    s += &t("T17", "Eq-Unit", "ULN", 0);
    s += "E4\tEq-Comparison:T14 Operator:T15 Value:T16 Unit:T17\n";
    s += "A4\tEq-Operator-Value T15 LT\n";
    s += "A5\tEq-Unit-Value T17 ref-range-high\n";
    // BMI between 18.5 and 30 kg/m2
    s += &t("T18", "Eq-Comparison", "between 18.5 and 30 kg/m2", 0);
    s += &t("T19", "Eq-Operator", "between", 0);
    s += &t("T20", "Eq-Value", "18.5", 0);
    s += &t("T21", "Eq-Value", "30", 0);
    s += &t("T22", "Eq-Unit", "kg", 0);
    s += &t("T23", "Eq-Unit", "m2", 0);
    s += "E5\tEq-Comparison:T18 Operator:T19 Value2:T21 Value:T20 Unit:T22 Per:T23\n";
    s += "A6\tEq-Operator-Value T19 BETWEEN\n";
    // a date: not a number → unscorable
    s += &t("T24", "Eq-Comparison", "on 31 December 2016", 0);
    s += &t("T25", "Eq-Operator", "on", 0);
    s += &t("T26", "Eq-Value", "31 December 2016", 0);
    s += "E6\tEq-Comparison:T24 Operator:T25 Value:T26\n";
    s += "A7\tEq-Operator-Value T25 EQ\n";
    // an operator without its attribute → skipped
    s += &t("T27", "Eq-Comparison", "≥ 9", 0);
    s += &t("T28", "Eq-Operator", "≥", 1);
    s += &t("T29", "Eq-Value", "9", 0);
    s += "E7\tEq-Comparison:T27 Operator:T28 Value:T29\n";
    // a comparison without operator: not gold
    s += &t("T30", "Eq-Comparison", "Visit", 0);
    s += &t("T31", "Eq-Temporal-Period", "Visit", 0);
    s += "E8\tEq-Comparison:T30 Temporal-Period:T31\n";
    s
}

fn write_corpus(dir: &Path) {
    let sub = dir.join("batch1");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("NCT00000001.txt"), TEXT).unwrap();
    std::fs::write(sub.join("NCT00000001.ann"), ann()).unwrap();
    // not pairs / system output: ignored
    std::fs::write(sub.join("NCT00000002.txt"), "Inclusion Criteria:\n- x\n").unwrap();
    std::fs::write(dir.join("annotation.conf"), "[entities]\n").unwrap();
    std::fs::write(dir.join("NCT00000003_predicted.txt"), TEXT).unwrap();
    std::fs::write(dir.join("NCT00000003_predicted.ann"), ann()).unwrap();
}

fn atom(field: &str, op: Op, value: Value, unit: Option<&str>, text: &str) -> Atom {
    Atom {
        field: field.into(),
        op,
        value,
        unit: unit.map(str::to_string),
        span: bytes(text),
        window: None,
    }
}

/// A stand-in compiler with known output for TEXT.
fn fixed_compile(text: &str) -> CompiledCriteria {
    assert_eq!(text, TEXT);
    let atoms = vec![
        // matches E1
        atom(
            "age",
            Op::Ge,
            Value::Number(18.0),
            Some("a"),
            "Age ≥ 18 years",
        ),
        // wrong operator on E1's span: a false positive
        atom(
            "age",
            Op::Gt,
            Value::Number(18.0),
            Some("a"),
            "Age ≥ 18 years",
        ),
        // matches E2 after converting 100,000/mm3 to 10*9/L
        atom(
            "platelets",
            Op::Gt,
            Value::Number(100.0),
            Some("10*9/L"),
            "Platelets > 100,000/mm3",
        ),
        // matches E3 through the creatinine factor (1.5 mg/dL = 132.6 umol/L)
        atom(
            "creatinine",
            Op::Le,
            Value::Number(132.6),
            Some("umol/L"),
            "Creatinine ≤ 1.5 mg/dL",
        ),
        // matches E4
        atom(
            "alt",
            Op::Lt,
            Value::XUln { x_uln: 2.5 },
            None,
            "ALT < 2.5 x ULN",
        ),
        // lower bound of E5 only: the atom matches, the range is not found
        atom(
            "bmi",
            Op::Ge,
            Value::Number(18.5),
            Some("kg/m2"),
            "BMI between 18.5 and 30 kg/m2",
        ),
        // no scoreable gold here (E7 has no operator attribute)
        atom(
            "hemoglobin",
            Op::Ge,
            Value::Number(90.0),
            Some("g/L"),
            "Haemoglobin ≥ 9 g/dL",
        ),
    ];
    CompiledCriteria {
        compiler_version: "test".into(),
        criteria: vec![CompiledCriterion {
            id: "I1".into(),
            kind: Kind::Inclusion,
            text: TEXT.into(),
            span: (0, TEXT.len()),
            parent: None,
            status: Status::Computable,
            review_reason: vec![],
            expr: Expr::True,
            atoms,
        }],
    }
}

#[test]
fn gold_is_read_from_brat_pairs() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path());
    let (docs, skipped, errors) = lct::load_corpus(dir.path());
    assert!(errors.is_empty());
    assert_eq!(docs.len(), 1, "only the real pair is read");
    let gold = &docs[0].gold;
    assert_eq!(gold.len(), 5);
    assert_eq!(skipped.unscorable_value, 1);
    assert_eq!(skipped.no_operator_attribute, 1);

    assert_eq!(gold[0].op, GoldOp::Ge);
    assert_eq!(gold[0].values, vec![18.0]);
    assert_eq!(gold[0].unit, GoldUnit::Ucum("a".into()));
    assert!(gold[0].temporal);
    assert_eq!(&TEXT[gold[0].spans[0].0..gold[0].spans[0].1], "≥ 18 years");

    assert_eq!(gold[1].values, vec![100000.0]);
    assert_eq!(gold[1].unit, GoldUnit::Ucum("/mm3".into()));
    assert!(!gold[1].temporal);

    assert_eq!(gold[2].op, GoldOp::Le);
    assert_eq!(gold[2].unit, GoldUnit::Ucum("mg/dL".into()));

    assert_eq!(gold[3].unit, GoldUnit::Uln);
    assert_eq!(gold[3].spans.len(), 2);
    assert_eq!(&TEXT[gold[3].spans[1].0..gold[3].spans[1].1], "ULN");

    assert_eq!(gold[4].op, GoldOp::Between);
    assert_eq!(gold[4].values, vec![18.5, 30.0]);
    assert_eq!(gold[4].unit, GoldUnit::Ucum("kg/m2".into()));
}

#[test]
fn scorer_counts_matches_per_operator() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path());
    let (docs, _, _) = lct::load_corpus(dir.path());
    let r = lct::score_docs(&docs, &fixed_compile);
    assert_eq!(r.documents, 1);
    assert_eq!((r.gold, r.found), (5, 4));
    assert_eq!((r.atoms, r.atoms_matched), (7, 5));
    assert!((r.precision - 5.0 / 7.0).abs() < 1e-12);
    assert!((r.recall - 0.8).abs() < 1e-12);
    let f1 = 2.0 * (5.0 / 7.0) * 0.8 / (5.0 / 7.0 + 0.8);
    assert!((r.f1 - f1).abs() < 1e-12);

    let row = |k: &str| r.by_operator.get(k).cloned().unwrap_or_default();
    let counts = |k: &str| {
        let c = row(k);
        (c.gold, c.found, c.atoms, c.atoms_matched)
    };
    assert_eq!(counts("GTEQ"), (1, 1, 3, 2));
    assert_eq!(counts("GT"), (1, 1, 2, 1));
    assert_eq!(counts("LTEQ"), (1, 1, 1, 1));
    assert_eq!(counts("LT"), (1, 1, 1, 1));
    assert_eq!(counts("BETWEEN"), (1, 0, 0, 0));
    assert_eq!((r.temporal.gold, r.temporal.found), (1, 1));

    assert_eq!(r.misses.len(), 1);
    assert_eq!(r.misses[0].gold.op, GoldOp::Between);
    assert_eq!(r.false_positives.len(), 2);
    assert!(r
        .false_positives
        .iter()
        .any(|f| f.atom.field == "hemoglobin" && f.overlapping_gold.is_empty()));
    assert!(r
        .false_positives
        .iter()
        .any(|f| f.atom.op == Op::Gt && f.overlapping_gold == vec!["≥ 18 years".to_string()]));
}

#[test]
fn a_range_is_found_when_both_bounds_are() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path());
    let (docs, _, _) = lct::load_corpus(dir.path());
    let both = |text: &str| {
        let mut c = fixed_compile(text);
        c.criteria[0].atoms.push(atom(
            "bmi",
            Op::Le,
            Value::Number(30.0),
            Some("kg/m2"),
            "BMI between 18.5 and 30 kg/m2",
        ));
        c
    };
    let r = lct::score_docs(&docs, &both);
    assert_eq!((r.gold, r.found), (5, 5));
    assert_eq!((r.atoms, r.atoms_matched), (8, 6));
    assert!(r.misses.is_empty());
}
