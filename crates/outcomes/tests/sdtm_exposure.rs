//! The one EX exposure derivation (`tm_outcomes::sdtm::exposure`, used by the response pipeline,
//! the safety tables and the report): synthetic edge cases, and TRTSDT/TRTEDT against the
//! pharmaverse ADSL oracle (skipped when ../shared/data/pharmaverse is absent).

use std::path::PathBuf;

use tm_model::Date;
use tm_outcomes::sdtm::{exposure, is_dose_record, Table};

fn d(s: &str) -> Option<Date> {
    Some(Date::parse(s).unwrap())
}

#[test]
fn dose_records_and_dates() {
    let ex = Table::parse(
        "usubjid,EXTRT,EXDOSE,EXSTDTC,EXENDTC\n\
         S1,DRUG,10,2024-01-10T08:30,2024-01-20\n\
         S1,DRUG,10,2024-01-21,\n\
         S1,DRUG,0,2024-01-05,2024-01-06\n\
         S2,PLACEBO,0,2024-02-01,2024-02-28\n\
         S3,DRUG,,2024-03-01,2024-03-02\n\
         S4,DRUG,5,2024-04,2024-04-30\n\
         ,DRUG,5,2024-04-01,2024-04-30\n",
    )
    .unwrap();
    let exp = exposure(&ex).unwrap();
    // S1: the dose-0 record of an active drug is not a dose; the record without an end date
    // gives no TRTEDT (admiral: no fallback to its start).
    let s1 = exp["S1"];
    assert_eq!((s1.trtsdt, s1.trtedt), (d("2024-01-10"), d("2024-01-20")));
    // S2: dose 0 of a placebo is a dose.
    assert_eq!(exp["S2"].trtsdt, d("2024-02-01"));
    // S3: empty EXDOSE is not a dose.
    assert!(!exp.contains_key("S3"));
    // S4: partial start date not imputed, but the subject was dosed.
    assert_eq!(
        (exp["S4"].trtsdt, exp["S4"].trtedt),
        (None, d("2024-04-30"))
    );
    assert!(!exp.contains_key(""));
    assert_eq!(exp.len(), 3);
}

#[test]
fn minimal_ex_without_exdose_counts_every_record() {
    assert!(is_dose_record(None, "ANYTHING"));
    assert!(!is_dose_record(Some(""), "DRUG"));
    assert!(!is_dose_record(Some("-1"), "DRUG"));
    assert!(is_dose_record(Some("0"), "Placebo patch"));
    let ex = Table::parse("USUBJID,EXSTDTC,EXENDTC\nS1,2024-01-10,2024-01-12\n").unwrap();
    assert_eq!(exposure(&ex).unwrap()["S1"].trtedt, d("2024-01-12"));
    let bad = Table::parse("USUBJID,EXENDTC\nS1,2024-01-12\n").unwrap();
    assert!(exposure(&bad).unwrap_err().contains("EXSTDTC"));
}

#[test]
fn trtsdt_trtedt_equal_pharmaverse_adsl() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pharmaverse");
    let (ex_p, adsl_p) = (dir.join("sdtm/ex.csv"), dir.join("adam/adsl.csv"));
    if !ex_p.exists() || !adsl_p.exists() {
        eprintln!(
            "note: {} absent; ADSL exposure oracle skipped",
            dir.display()
        );
        return;
    }
    let exp = exposure(&Table::read(&ex_p).unwrap()).unwrap();
    let adsl = Table::read(&adsl_p).unwrap();
    let (mut checked, mut with_dates) = (0, 0);
    for i in 0..adsl.len() {
        let u = adsl.get(i, "USUBJID");
        let oracle = (
            Date::parse(adsl.get(i, "TRTSDT")),
            Date::parse(adsl.get(i, "TRTEDT")),
        );
        let ours = exp.get(u).map_or((None, None), |e| (e.trtsdt, e.trtedt));
        assert_eq!(ours, oracle, "{u}: ours {ours:?}, ADSL {oracle:?}");
        checked += 1;
        with_dates += usize::from(oracle.0.is_some());
    }
    eprintln!("exposure: {checked} ADSL subjects agree ({with_dates} dosed)");
    assert_eq!(checked, adsl.len());
    assert!(with_dates > 200);
}
