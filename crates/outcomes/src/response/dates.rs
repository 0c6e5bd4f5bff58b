//! Partial ISO 8601 dates (`2014`, `2014-02`, `2014-02-11`, `2014-02-11T10:00`) and their
//! imputation, following admiral's `derive_vars_dt` (NOTES.md "admiralonco derivation rules").
//!
//! Every use of a date states how far it may be imputed and to which side:
//!
//! | date | default | admiral source |
//! |---|---|---|
//! | response assessment (ADRS `ADT`) | missing day → **last** day of the month; missing month → no date | `ad_adrs.R`, `highest_imputation = "D"`, `date_imputation = "last"` |
//! | lesion measurement (ADTR `ADT`) | missing day → **first** day; missing month → no date | `ad_adtr.R` |
//! | death (`DTHDT`) | missing day/month → **first** | `ad_adsl.R`, `highest_imputation = "M"` |
//! | other dates (AE start/end, LB, exposure, randomisation) for last-known-alive | missing day/month → **first** | `ad_adsl.R` |
//!
//! All of them are configurable ([`DateRules`]); the imputation flag (`D` day, `M` month and
//! day) is kept as ADaM's `ADTF`.

use serde::{Deserialize, Serialize};
use tm_model::date::{days_in_month, Date, DatePrecision};

/// To which end of the partial period a date is imputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    First,
    Last,
}

/// How far a partial date may be imputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Highest {
    /// Complete dates only.
    None,
    /// A missing day may be imputed (`YYYY-MM`).
    Day,
    /// A missing month and day may be imputed (`YYYY`, `YYYY-MM`).
    Month,
}

/// One imputation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imputation {
    pub highest: Highest,
    pub side: Side,
}

impl Imputation {
    pub const NONE: Imputation = Imputation {
        highest: Highest::None,
        side: Side::First,
    };

    /// Parses `none`, `first`, `last` (day only) or `first-month` / `last-month` (day and
    /// month).
    pub fn parse(s: &str) -> Result<Imputation, String> {
        let (highest, side) = match s.trim().to_ascii_lowercase().as_str() {
            "none" => (Highest::None, Side::First),
            "first" | "first-day" => (Highest::Day, Side::First),
            "last" | "last-day" => (Highest::Day, Side::Last),
            "first-month" => (Highest::Month, Side::First),
            "last-month" => (Highest::Month, Side::Last),
            other => {
                return Err(format!(
                    "unknown imputation {other:?} (none, first, last, first-month, last-month)"
                ))
            }
        };
        Ok(Imputation { highest, side })
    }
}

/// An imputed date and its ADaM flag (`None` = complete, `"D"` = day imputed, `"M"` = month
/// and day imputed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Imputed {
    pub date: Date,
    pub flag: Option<&'static str>,
}

/// Applies `rule` to an ISO 8601 (possibly partial) date string; `None` when the text is empty,
/// malformed or more incomplete than the rule allows.
pub fn impute(text: &str, rule: Imputation) -> Option<Imputed> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let (first, precision) = Date::parse_partial(t)?;
    let (y, m, _) = first.ymd();
    match precision {
        DatePrecision::Day => Some(Imputed {
            date: first,
            flag: None,
        }),
        DatePrecision::Month => {
            if rule.highest == Highest::None {
                return None;
            }
            let d = match rule.side {
                Side::First => 1,
                Side::Last => days_in_month(y, m),
            };
            Some(Imputed {
                date: Date::from_ymd(y, m, d)?,
                flag: Some("D"),
            })
        }
        DatePrecision::Year => {
            if rule.highest != Highest::Month {
                return None;
            }
            let date = match rule.side {
                Side::First => Date::from_ymd(y, 1, 1)?,
                Side::Last => Date::from_ymd(y, 12, 31)?,
            };
            Some(Imputed {
                date,
                flag: Some("M"),
            })
        }
    }
}

/// The imputation rule of each kind of date (defaults = admiral/admiralonco templates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRules {
    /// Response assessment dates (RS `RSDTC`, the lesion CSV's date for ADRS).
    pub response: Imputation,
    /// Lesion measurement dates (TR `TRDTC`, the lesion CSV's date for ADTR and ordering).
    pub measurement: Imputation,
    /// Death date (DM `DTHDTC`).
    pub death: Imputation,
    /// Other dates used for the last-known-alive date and randomisation/treatment dates.
    pub other: Imputation,
}

impl Default for DateRules {
    fn default() -> Self {
        DateRules {
            response: Imputation {
                highest: Highest::Day,
                side: Side::Last,
            },
            measurement: Imputation {
                highest: Highest::Day,
                side: Side::First,
            },
            death: Imputation {
                highest: Highest::Month,
                side: Side::First,
            },
            other: Imputation {
                highest: Highest::Month,
                side: Side::First,
            },
        }
    }
}

/// admiral's study day (`derive_vars_dy`): no day 0; `date − reference + 1` on or after the
/// reference, `date − reference` before it.
pub fn study_day(date: Date, reference: Date) -> i32 {
    let d = date.days() - reference.days();
    if d >= 0 {
        d + 1
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_precision_is_imputed_to_the_requested_side() {
        let r = DateRules::default();
        let last = impute("2014-02", r.response).unwrap();
        assert_eq!(last.date.to_string(), "2014-02-28");
        assert_eq!(last.flag, Some("D"));
        assert_eq!(
            impute("2016-02", r.response).unwrap().date.to_string(),
            "2016-02-29"
        );
        assert_eq!(
            impute("2014-02", r.measurement).unwrap().date.to_string(),
            "2014-02-01"
        );
        // Day-level imputation refuses a missing month.
        assert_eq!(impute("2014", r.response), None);
        assert_eq!(
            impute("2014", r.death).unwrap().date.to_string(),
            "2014-01-01"
        );
        assert_eq!(impute("2014-02", Imputation::NONE), None);
        assert_eq!(
            impute("2014-02-11T10:00", Imputation::NONE).unwrap().flag,
            None
        );
        assert_eq!(impute("", r.death), None);
        assert_eq!(impute("garbage", r.death), None);
    }

    #[test]
    fn study_day_has_no_day_zero() {
        let r = Date::from_ymd(2014, 1, 2).unwrap();
        assert_eq!(study_day(r, r), 1);
        assert_eq!(study_day(r.add_days(21), r), 22);
        assert_eq!(study_day(r.add_days(-1), r), -1);
    }
}
