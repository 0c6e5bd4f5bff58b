//! Fallback derivations used only when the response pipeline ([`crate::response`]) cannot run
//! on the SDTM folder (it needs RS or TR: a study without tumour data). Kept separate so that
//! every number still comes from a written CSV and nothing here duplicates the response module
//! when that module applies.

use tm_model::date::Date;

use crate::sdtm::Table;

/// Overall survival records (`adtte.csv` shape of the response module, PARAMCD `OS`) from the
/// report's own `adsl.csv`: start RANDDT; event = DTHDT; otherwise censored at LSTALVDT (or
/// RANDDT when later / missing); `AVAL = ADT − STARTDT + 1` days (admiral `derive_param_tte`,
/// NOTES.md rule 8). Subjects without RANDDT get no record.
pub fn os_from_adsl(adsl: &Table) -> Table {
    let mut rows = Vec::new();
    for r in &adsl.rows {
        let Some(start) = adsl.field(r, "RANDDT").and_then(Date::parse) else {
            continue;
        };
        let death = adsl.field(r, "DTHDT").and_then(Date::parse);
        let (adt, cnsr, desc, var) = match death {
            Some(d) => (d, 0, "Death", "DTHDT"),
            None => {
                let alive = adsl.field(r, "LSTALVDT").and_then(Date::parse);
                match alive {
                    Some(a) if a > start => (a, 1, "Alive", "LSTALVDT"),
                    _ => (start, 1, "Randomization", "RANDDT"),
                }
            }
        };
        let adt = if adt < start { start } else { adt };
        rows.push(vec![
            adsl.text(r, "USUBJID").to_string(),
            adsl.text(r, "ARM").to_string(),
            "OS".to_string(),
            "Overall Survival".to_string(),
            start.to_string(),
            adt.to_string(),
            (adt.days() - start.days() + 1).to_string(),
            cnsr.to_string(),
            desc.to_string(),
            "ADSL".to_string(),
            var.to_string(),
        ]);
    }
    Table::new(
        [
            "USUBJID", "ARM", "PARAMCD", "PARAM", "STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC",
            "SRCDOM", "SRCVAR",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
    )
}
