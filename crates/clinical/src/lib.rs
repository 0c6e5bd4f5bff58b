//! Clinical calculators as pure functions with cited sources.
//!
//! Every calculator cites its section of `clinical-rules.md`
//! (/work/shared/reference/clinical-rules.md, "§n" below), takes inputs typed
//! by unit ([`units`]), returns a rich result (value plus the points or terms
//! of each input, so an explanation can show them) and reports bad input as a
//! typed [`ClinicalError`] — never a panic.
//!
//! Unit conversion factors are not in this crate: callers convert with
//! `tm-units` and pass the unit each calculator names.
//!
//! | Module | Calculators |
//! |---|---|
//! | [`child_pugh`] | Child-Pugh points and class (§1.1) |
//! | [`albi`] | ALBI score, grade, mALBI (§1.2) |
//! | [`meld`] | MELD(i), MELD-Na, OPTN 2016 (§1.3) |
//! | [`renal`] | Cockcroft-Gault (§1.4), CKD-EPI 2021 (§1.5) |
//! | [`body`] | BSA Mosteller / DuBois, BMI (§1.6) |
//! | [`performance`] | ECOG ↔ Karnofsky (§1.7) |
//! | [`staging`] | BCLC 2022 (§1.8), Milan, up-to-seven (§1.9), tumour burden (§1.10) |
//! | [`measurable`] | measurable disease at baseline, RECIST 1.1 / mRECIST (§2.1, §2.2, §8) |
//! | [`y90`] | decay, MIRD, lung dose, resin LSF reduction, BSA method, partition (§6) |
//! | [`derived`] | [`derived::derive`]: all of the above on a `tm_model::Patient` as of a date, with inputs and what is missing |

pub mod albi;
pub mod body;
pub mod child_pugh;
pub mod derived;
pub mod error;
pub mod measurable;
pub mod meld;
pub mod performance;
pub mod renal;
pub mod staging;
pub mod units;
pub mod y90;

pub use derived::{derive, DeriveConfig, Derived, DerivedValue};
pub use error::{ClinicalError, Result};
