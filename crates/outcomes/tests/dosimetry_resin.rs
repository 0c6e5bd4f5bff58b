//! Resin microspheres in the dosimetry report: the §6.3 activity reduction by lung shunt
//! fraction (LSF < 10 %: none; 10–15 %: −20 %; 15–20 %: −40 %; > 20 %: do not treat; default
//! boundary settings of tm_clinical::y90::ResinLsfConfig: 10 and 15 reduce, 20 treats).

use tm_clinical::y90::{DosimetryConfig, ResinLsfDecision};
use tm_outcomes::dosimetry::{read_dosimetry_csv, report_treatment, Microsphere, TreatmentInput};

fn resin(gbq: f64, lsf: f64) -> Option<(Option<f64>, Option<f64>)> {
    let mut t = TreatmentInput::new("R", gbq, lsf);
    t.microsphere = Some(Microsphere::Resin);
    let r = report_treatment(&t, &DosimetryConfig::default());
    r.resin_lsf_reduction.map(|x| {
        let pct = match x.decision {
            ResinLsfDecision::FullActivity => Some(0.0),
            ResinLsfDecision::Reduce { reduction, .. } => Some(reduction.0),
            ResinLsfDecision::DoNotTreat => None,
        };
        (pct, x.recommended_activity_gbq)
    })
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn reduction_bands_and_boundaries() {
    let (p, a) = resin(2.0, 8.0).unwrap();
    assert_eq!(p, Some(0.0));
    assert!(close(a, 2.0));
    let (p, a) = resin(2.0, 12.5).unwrap();
    assert_eq!(p, Some(20.0));
    assert!(close(a, 1.6));
    let (p, a) = resin(2.0, 18.0).unwrap();
    assert_eq!(p, Some(40.0));
    assert!(close(a, 1.2));
    assert_eq!(resin(2.0, 10.0).unwrap().0, Some(20.0));
    assert_eq!(resin(2.0, 15.0).unwrap().0, Some(40.0));
    assert_eq!(resin(2.0, 20.0).unwrap().0, Some(40.0));
    assert_eq!(resin(2.0, 20.5).unwrap(), (None, None));
    // the §6.4 example activity (1.85 GBq before reduction) at LSF 12 % → 1.48 GBq
    assert!(close(resin(1.85, 12.0).unwrap().1, 1.48));
}

#[test]
fn only_for_resin_and_reported_not_fatal() {
    let mut t = TreatmentInput::new("G", 2.0, 25.0);
    let cfg = DosimetryConfig::default();
    assert!(report_treatment(&t, &cfg).resin_lsf_reduction.is_none());
    t.microsphere = Some(Microsphere::Glass);
    assert!(report_treatment(&t, &cfg).resin_lsf_reduction.is_none());
    t.microsphere = Some(Microsphere::Resin);
    let r = report_treatment(&t, &cfg);
    assert!(r.notes.iter().any(|n| n.contains("do not treat")));
    assert!(r.lung_dose_gy.is_some(), "doses still computed");
    t.lsf_pct = 120.0;
    let r = report_treatment(&t, &cfg);
    assert!(r.errors.iter().any(|e| e.contains("resin LSF")));
    assert!(r.resin_lsf_reduction.is_none());
}

#[test]
fn csv_microsphere_column() {
    let csv = "patient,prescribed_gbq,lsf_pct,microsphere\n\
               A,2.0,12,Resin\n\
               B,2.0,12,glass\n\
               C,2.0,12,\n\
               D,2.0,12,ceramic\n";
    let (rows, skipped) = read_dosimetry_csv(csv).unwrap();
    let kinds: Vec<Option<Microsphere>> = rows.iter().map(|r| r.microsphere).collect();
    assert_eq!(
        kinds,
        [Some(Microsphere::Resin), Some(Microsphere::Glass), None]
    );
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].line, 5);
    assert!(skipped[0].reason.contains("ceramic"));
}
