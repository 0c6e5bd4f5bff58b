//! The coordinator's screening sheet (`tm_matcher::human::trial_sheet`) and
//! the trial-level lists it prints: every line names its criterion, an item
//! shared by several criteria is listed once, the status reads as a label.

mod common;
use common::*;
use tm_criteria::{CompiledCriterion, Expr, Kind, Op, ReviewKind, Value};
use tm_matcher::human::trial_sheet;
use tm_matcher::Verdict;
use tm_model::patient::{Patient, Sex};
use tm_model::{Date, OverallStatus};

fn male() -> Patient {
    Patient {
        id: "p".into(),
        sex: Sex::Male,
        birth_date: Date::parse("1960-01-01"),
        ..Default::default()
    }
}

fn review(reason: ReviewKind, text: &str, span: (usize, usize)) -> Expr {
    Expr::Review {
        reason,
        text: text.into(),
        span,
    }
}

fn child(mut c: CompiledCriterion, parent: &str) -> CompiledCriterion {
    c.parent = Some(parent.into());
    c
}

const CONSENT: &str = "Able to understand and sign the informed consent";

/// I1 (parent) and I1.2 (its sub-criterion) both carry the consent item;
/// I2 repeats it with other spacing; E3 is unparsed (blocking); I4 and E5
/// both need a platelet count.
fn sample() -> (tm_matcher::TrialInfo, tm_criteria::CompiledCriteria) {
    let mut t = trial(vec![
        crit(
            "I1",
            Kind::Inclusion,
            review(ReviewKind::Consent, CONSENT, (10, 58)),
            vec![],
        ),
        child(
            crit(
                "I1.2",
                Kind::Inclusion,
                review(ReviewKind::Consent, CONSENT, (10, 58)),
                vec![],
            ),
            "I1",
        ),
        crit(
            "I2",
            Kind::Inclusion,
            review(
                ReviewKind::Consent,
                "Able to understand and  sign the informed consent",
                (90, 139),
            ),
            vec![],
        ),
        crit(
            "E3",
            Kind::Exclusion,
            Expr::Unparsed {
                text: "serious mystery illness".into(),
                span: (200, 223),
            },
            vec![],
        ),
        single(
            "I4",
            Kind::Inclusion,
            atom("platelets", Op::Ge, Value::Number(100.0), Some("10*9/L")),
        ),
        single(
            "E5",
            Kind::Exclusion,
            atom("platelets", Op::Lt, Value::Number(50.0), Some("10*9/L")),
        ),
    ]);
    t.0.status = Some(OverallStatus::ActiveNotRecruiting);
    t
}

#[test]
fn trial_level_lists_carry_criterion_ids_and_merge_duplicates() {
    let r = run(&male(), &sample());
    assert_eq!(r.verdict, Verdict::NeedsReview, "{:#?}", r.criteria);
    // The consent item of I1, I1.2 and I2 once, the child before its parent.
    let consent: Vec<_> = r
        .remaining_review
        .iter()
        .filter(|x| x.kind == "consent")
        .collect();
    assert_eq!(consent.len(), 1, "{:#?}", r.remaining_review);
    assert_eq!(consent[0].criteria, ["I1.2", "I1", "I2"]);
    assert_eq!(consent[0].criterion, "I1.2");
    let e3 = r
        .blocking_review
        .iter()
        .find(|x| x.kind == "unparsed")
        .expect("E3 is blocking");
    assert_eq!(e3.criterion, "E3");
    assert_eq!(e3.criteria, ["E3"]);
    // A criterion's own items name it too.
    let i2 = r.criteria.iter().find(|c| c.id == "I2").unwrap();
    assert_eq!(i2.review_reason[0].criterion, "I2");
    // Both criteria needing the platelet count are named.
    let plt: Vec<_> = r
        .missing
        .iter()
        .filter(|m| m.concept == "platelets")
        .collect();
    assert_eq!(plt.len(), 1, "{:#?}", r.missing);
    assert_eq!(plt[0].criteria, ["I4", "E5"]);
}

#[test]
fn json_adds_the_ids_and_keeps_the_raw_status() {
    let r = run(&male(), &sample());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["status"], "ACTIVE_NOT_RECRUITING");
    let consent = &v["remaining_review"][0];
    assert_eq!(consent["criterion"], "I1.2");
    assert_eq!(consent["criteria"], serde_json::json!(["I1.2", "I1", "I2"]));
    assert_eq!(v["missing"][0]["criteria"], serde_json::json!(["I4", "E5"]));
    // Per criterion: the id, no (redundant) list.
    let i1 = v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "I1")
        .unwrap();
    assert_eq!(i1["review_reason"][0]["criterion"], "I1");
    assert!(i1["review_reason"][0].get("criteria").is_none(), "{i1}");
}

#[test]
fn sheet_lines_start_with_criterion_ids_and_list_shared_items_once() {
    let r = run(&male(), &sample());
    let s = trial_sheet(&r, false);
    let lines: Vec<&str> = s.lines().collect();
    // Verdict first, with a readable status.
    assert!(lines[0].starts_with("NEEDS REVIEW  T1"), "{s}");
    assert!(lines[0].contains("Active, not recruiting"), "{s}");
    assert!(!s.contains("ACTIVE_NOT_RECRUITING"), "{s}");
    // The consent text once, with every id, the child first.
    let consent: Vec<&&str> = lines
        .iter()
        .filter(|l| l.to_lowercase().contains("sign the informed consent"))
        .collect();
    assert_eq!(consent.len(), 1, "{s}");
    assert!(
        consent[0]
            .trim_start()
            .starts_with("- I1.2, I1, I2 [consent] Able to understand"),
        "{s}"
    );
    let e3 = lines
        .iter()
        .find(|l| l.contains("serious mystery illness"))
        .expect(&s);
    assert!(e3.trim_start().starts_with("! E3 [unparsed]"), "{s}");
    let plt = lines
        .iter()
        .find(|l| l.to_lowercase().contains("platelet"))
        .expect(&s);
    assert!(plt.trim_start().starts_with("? I4, E5: "), "{s}");
    // Order: missing data, needs review, at enrolment.
    let at = |h: &str| lines.iter().position(|l| l.trim() == h).expect(&s);
    assert!(at("Missing data:") < at("Needs review:"), "{s}");
    assert!(
        at("Needs review:")
            < at("At enrolment (consent, agreements, investigator, treatment-time checks):"),
        "{s}"
    );
}

#[test]
fn ineligible_sheet_shows_only_what_failed_unless_verbose() {
    let mut t = sample();
    t.1.criteria.push(single(
        "I6",
        Kind::Inclusion,
        atom("age", Op::Le, Value::Number(40.0), Some("a")),
    ));
    let r = run(&male(), &t);
    assert_eq!(r.verdict, Verdict::Ineligible);
    let s = trial_sheet(&r, false);
    assert!(s.contains("✗ I6"), "{s}");
    assert!(
        !s.contains("Missing data:") && !s.contains("Needs review:"),
        "{s}"
    );
    assert!(!s.contains("At enrolment"), "{s}");
    let v = trial_sheet(&r, true);
    assert!(v.contains("- I1.2, I1, I2 [consent]"), "{v}");
}
