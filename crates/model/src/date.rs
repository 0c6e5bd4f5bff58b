//! Calendar dates without a time zone, as day numbers.
//!
//! Used for index dates, fact dates and trial dates. Conversion follows the
//! proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar date; `Ord` follows time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i32,
}

impl Date {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
        Some(Date {
            days: era * 146097 + doe - 719468,
        })
    }

    pub fn from_days(days: i32) -> Date {
        Date { days }
    }

    pub fn days(self) -> i32 {
        self.days
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.days + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// Parses `YYYY-MM-DD`, also the date part of an ISO 8601 date-time
    /// (`2024-03-15T10:00:00Z`). Partial dates are refused; see
    /// [`Date::parse_partial`].
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let date = s.split(['T', ' ']).next()?;
        let mut it = date.split('-');
        let y: i32 = it.next()?.parse().ok()?;
        let m: u32 = it.next()?.parse().ok()?;
        let d: u32 = it.next()?.parse().ok()?;
        if it.next().is_some() {
            return None;
        }
        Date::from_ymd(y, m, d)
    }

    /// Parses a full or partial ISO date (`2014`, `2014-02`, `2014-02-11`),
    /// returning the date and its precision. A partial date is returned as
    /// its first day; callers that impute differently use the precision.
    pub fn parse_partial(s: &str) -> Option<(Date, DatePrecision)> {
        let s = s.trim();
        let date = s.split(['T', ' ']).next()?;
        let parts: Vec<&str> = date.split('-').collect();
        match parts.as_slice() {
            [y] => Some((Date::from_ymd(y.parse().ok()?, 1, 1)?, DatePrecision::Year)),
            [y, m] => Some((
                Date::from_ymd(y.parse().ok()?, m.parse().ok()?, 1)?,
                DatePrecision::Month,
            )),
            [_, _, _] => Some((Date::parse(date)?, DatePrecision::Day)),
            _ => None,
        }
    }

    pub fn add_days(self, n: i32) -> Date {
        Date {
            days: self.days + n,
        }
    }

    /// Whole years from `self` to `later` (age on `later` of someone born on
    /// `self`).
    pub fn years_until(self, later: Date) -> i32 {
        let (y1, m1, d1) = self.ymd();
        let (y2, m2, d2) = later.ymd();
        let mut years = y2 - y1;
        if (m2, d2) < (m1, d1) {
            years -= 1;
        }
        years
    }

    /// Today's date in UTC from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date {
            days: (secs / 86_400) as i32,
        }
    }
}

/// How much of a date was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s).ok_or_else(|| format!("not a date (YYYY-MM-DD): {s:?}"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid date {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_epoch() {
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days(), 0);
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().days(), 11017);
        for days in -800_000..800_000 {
            if days % 997 != 0 {
                continue;
            }
            let d = Date::from_days(days);
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
        }
        assert_eq!(Date::parse("2024-02-30"), None);
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert_eq!(Date::parse("2023-02-29"), None);
    }

    #[test]
    fn ages_and_partials() {
        let b = Date::parse("1950-06-15").unwrap();
        assert_eq!(b.years_until(Date::parse("2026-06-14").unwrap()), 75);
        assert_eq!(b.years_until(Date::parse("2026-06-15").unwrap()), 76);
        let (d, p) = Date::parse_partial("2014-02").unwrap();
        assert_eq!(
            (d.to_string().as_str(), p),
            ("2014-02-01", DatePrecision::Month)
        );
        assert_eq!(
            Date::parse("2024-03-15T10:00:00Z").unwrap().to_string(),
            "2024-03-15"
        );
    }
}
