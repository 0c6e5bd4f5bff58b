//! The report on ../shared/data/pharmaverse/sdtm (skipped when /work/shared is absent): all
//! three report files are written and the subject counts equal the ADaM oracle
//! (../shared/data/pharmaverse/adam/adsl.csv, adae.csv, adtte_onco.csv), read independently here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tm_outcomes::report::{generate, ReportOptions};

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pharmaverse");
    p.join("sdtm/dm.csv").exists().then_some(p)
}

fn read(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (h, rows)
}

fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|x| x == name).unwrap()
}

#[test]
fn pharmaverse_report_matches_oracle_counts() {
    let Some(base) = shared() else {
        eprintln!("note: ../shared/data/pharmaverse not found; skipping");
        return;
    };
    let out = std::env::temp_dir().join(format!("tm_report_pv_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let g = generate(&base.join("sdtm"), &out, &ReportOptions::default()).unwrap();
    for f in ["report.md", "report.html", "report.json"] {
        let meta = std::fs::metadata(out.join(f)).unwrap();
        assert!(meta.len() > 1000, "{f} too small");
    }
    let r = &g.report;
    // Oracle ADSL.
    let (h, rows) = read(&base.join("adam/adsl.csv"));
    let (arm, randdt, saffl, eos, trt01a) = (
        col(&h, "ARM"),
        col(&h, "RANDDT"),
        col(&h, "SAFFL"),
        col(&h, "EOSSTT"),
        col(&h, "TRT01A"),
    );
    assert_eq!(r.participant_flow.screened, rows.len() as u64);
    let by_arm = |pred: &dyn Fn(&Vec<String>) -> bool| -> Vec<u64> {
        r.participant_flow
            .arms
            .iter()
            .map(|a| {
                rows.iter()
                    .filter(|x| !x[randdt].is_empty() && &x[arm] == a && pred(x))
                    .count() as u64
            })
            .collect()
    };
    let flow = |label: &str| {
        r.participant_flow
            .rows
            .iter()
            .find(|x| x.label == label)
            .unwrap()
            .by_arm
            .clone()
    };
    assert_eq!(flow("Randomised"), by_arm(&|_| true));
    assert_eq!(flow("Randomised").iter().sum::<u64>(), 254);
    assert_eq!(
        flow("Treated (received any study treatment)"),
        by_arm(&|x| x[saffl] == "Y")
    );
    assert_eq!(
        flow("Completed the study"),
        by_arm(&|x| x[eos] == "COMPLETED")
    );
    assert_eq!(
        flow("Discontinued the study"),
        by_arm(&|x| x[eos] == "DISCONTINUED")
    );
    assert_eq!(r.participant_flow.screen_failures, 52);

    // Oracle ADAE: subjects with a TEAE by actual arm.
    let (ha, arows) = read(&base.join("adam/adae.csv"));
    let (u, te, a_arm) = (col(&ha, "USUBJID"), col(&ha, "TRTEMFL"), col(&ha, "TRT01A"));
    let mut teae: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for x in arows.iter().filter(|x| x[te] == "Y") {
        teae.entry(x[a_arm].clone())
            .or_default()
            .insert(x[u].clone());
    }
    let ae = r.adverse_events.as_ref().unwrap();
    let any = &ae.summary[0];
    for (i, a) in ae.arms.iter().enumerate() {
        assert_eq!(
            any.by_arm[i],
            teae.get(a).map_or(0, |s| s.len() as u64),
            "TEAE subjects, {a}"
        );
        let safety = rows
            .iter()
            .filter(|x| x[saffl] == "Y" && &x[trt01a] == a)
            .count() as u64;
        assert_eq!(ae.n[i], safety, "safety population, {a}");
    }
    assert!(!ae.grade_collected);

    // Oracle ADTTE: OS and PFS records and events.
    let (ht, trows) = read(&base.join("adam/adtte_onco.csv"));
    let (p, c) = (col(&ht, "PARAMCD"), col(&ht, "CNSR"));
    for code in ["OS", "PFS"] {
        let n = trows.iter().filter(|x| x[p] == code).count() as u64;
        let ev = trows.iter().filter(|x| x[p] == code && x[c] == "0").count() as u64;
        let t = r
            .efficacy
            .time_to_event
            .iter()
            .find(|t| t.paramcd == code)
            .unwrap();
        assert_eq!(t.arms.iter().map(|a| a.n).sum::<u64>(), n, "{code} n");
        assert_eq!(
            t.arms.iter().map(|a| a.events).sum::<u64>(),
            ev,
            "{code} events"
        );
    }
    // The oncology plots exist: KM per endpoint, waterfall of the 6 ADTR subjects, swimmer.
    let ids: Vec<&str> = r.plots.iter().map(|p| p.id.as_str()).collect();
    for id in ["km_os", "km_pfs", "km_rsd", "waterfall", "swimmer"] {
        assert!(ids.contains(&id), "{id} missing: {ids:?}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), r.plots.len());
    // KM legends give medians with their unit, from the efficacy table (PFS, placebo 175 d).
    let pfs = r
        .efficacy
        .time_to_event
        .iter()
        .find(|t| t.paramcd == "PFS")
        .unwrap();
    let svg = std::fs::read_to_string(out.join("km_pfs.svg")).unwrap();
    for a in &pfs.arms {
        let want = match a.median_days {
            Some(m) => format!("(n={}, events={}, median {m:.0} days)", a.n, a.events),
            None => format!("(n={}, events={}, median not reached)", a.n, a.events),
        };
        assert!(svg.contains(&want), "{want} not in km_pfs.svg");
    }
    // The report's own adsl.csv equals the oracle ADSL on the derived dates and flags.
    let (hm, mine) = read(&out.join("adsl.csv"));
    let mine: BTreeMap<String, Vec<String>> = mine
        .into_iter()
        .map(|r| (r[col(&hm, "USUBJID")].clone(), r))
        .collect();
    let usubjid = col(&h, "USUBJID");
    for v in [
        "RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "LSTALVDT", "ARM", "ACTARM",
    ] {
        let (ci, cm) = (col(&h, v), col(&hm, v));
        for x in &rows {
            assert_eq!(mine[&x[usubjid]][cm], x[ci], "{v} of {}", x[usubjid]);
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
