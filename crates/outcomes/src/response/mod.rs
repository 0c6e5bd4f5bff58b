//! Tumour response (clinical-rules.md §2): per-time-point response from lesion measurements
//! by RECIST 1.1 (§2.1) or mRECIST (§2.2), best overall response with and without
//! confirmation (admiralonco's rules, ../shared/data/pharmaverse/NOTES.md), and the efficacy
//! endpoints ORR, DCR, PFS, OS, TTP and duration of response (§2.3) with Kaplan-Meier
//! summaries from [`crate::survival`].
//!
//! Inputs: CDISC SDTM CSVs ([`crate::sdtm`]) or the lesion-measurement CSV ([`lesions`]).
//! Outputs: a [`pipeline::ResponseReport`] (JSON in docs/contracts.md, section "response") and
//! ADaM-like CSVs ([`adam`]).

pub mod adam;
pub mod bor;
pub mod dates;
pub mod endpoints;
pub mod irecist;
pub mod lesions;
pub mod pipeline;
pub mod timepoint;

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which response criteria the per-time-point evaluation applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Criteria {
    /// RECIST 1.1 (§2.1).
    #[default]
    Recist11,
    /// mRECIST for HCC (§2.2): viable (arterially enhancing) tumour.
    Mrecist,
}

impl Criteria {
    pub fn label(self) -> &'static str {
        match self {
            Criteria::Recist11 => "RECIST 1.1",
            Criteria::Mrecist => "mRECIST",
        }
    }
}

impl std::str::FromStr for Criteria {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['.', ' ', '_', '-'], "")
            .as_str()
        {
            "recist11" | "recist" => Ok(Criteria::Recist11),
            "mrecist" => Ok(Criteria::Mrecist),
            other => Err(format!(
                "unknown criteria {other:?} (use recist11 or mrecist)"
            )),
        }
    }
}

/// An overall (or best overall) response category with the ADaM codes of admiralonco
/// (NOTES.md rule 1: CR=1, PR=2, SD=3, NON-CR/NON-PD=4, PD=5, NE=6, MISSING=7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Response {
    #[serde(rename = "CR")]
    Cr,
    #[serde(rename = "PR")]
    Pr,
    #[serde(rename = "SD")]
    Sd,
    #[serde(rename = "NON-CR/NON-PD")]
    NonCrNonPd,
    #[serde(rename = "PD")]
    Pd,
    #[serde(rename = "NE")]
    Ne,
    #[serde(rename = "MISSING")]
    Missing,
}

impl Response {
    /// The CDISC controlled-terminology code (`RSSTRESC` / `AVALC`).
    pub fn code(self) -> &'static str {
        match self {
            Response::Cr => "CR",
            Response::Pr => "PR",
            Response::Sd => "SD",
            Response::NonCrNonPd => "NON-CR/NON-PD",
            Response::Pd => "PD",
            Response::Ne => "NE",
            Response::Missing => "MISSING",
        }
    }

    /// admiralonco's `AVAL` code.
    pub fn aval(self) -> u8 {
        match self {
            Response::Cr => 1,
            Response::Pr => 2,
            Response::Sd => 3,
            Response::NonCrNonPd => 4,
            Response::Pd => 5,
            Response::Ne => 6,
            Response::Missing => 7,
        }
    }

    /// Parses an `RSSTRESC`-like code (case-insensitive; `NON-CR/NON-PD`, `NONCR/NONPD`,
    /// `NON CR/NON PD` and `NCRNPD` are accepted). `None` for anything else (e.g. empty).
    pub fn parse(s: &str) -> Option<Response> {
        let t = s.trim().to_ascii_uppercase();
        let compact: String = t.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        Some(match compact.as_str() {
            "CR" => Response::Cr,
            "PR" => Response::Pr,
            "SD" => Response::Sd,
            "NONCRNONPD" | "NCRNPD" => Response::NonCrNonPd,
            "PD" => Response::Pd,
            "NE" => Response::Ne,
            "MISSING" => Response::Missing,
            _ => return None,
        })
    }

    /// admiralonco's `worst_resp` rank used to keep one record per date (NOTES.md rule 2):
    /// NE < CR < PR < SD < NON-CR/NON-PD < PD (higher = worse; kept).
    pub fn worst_rank(self) -> u8 {
        match self {
            Response::Ne => 1,
            Response::Cr => 2,
            Response::Pr => 3,
            Response::Sd => 4,
            Response::NonCrNonPd => 5,
            Response::Pd => 6,
            Response::Missing => 0,
        }
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A length in millimetres (lesion diameters, sums of diameters).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Millimetres(pub f64);

impl Millimetres {
    /// The value in hundredths of a millimetre, rounded: the integer unit in which every
    /// response threshold is compared (§2.1: "compare in integer units"), so that exactly
    /// −30 % and exactly +20 % are never lost to floating-point error.
    pub fn hundredths(self) -> i64 {
        (self.0 * 100.0).round() as i64
    }

    pub fn from_hundredths(h: i64) -> Millimetres {
        Millimetres(h as f64 / 100.0)
    }
}

impl fmt::Display for Millimetres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} mm", trim_float(self.0))
    }
}

/// Shortest decimal rendering of a measurement (`21`, `20.37`).
pub fn trim_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}
