//! Measured accuracy, coverage and speed of the criteria compiler
//! (issue 6, items 1, 2 and 4). Scoring rules and figures:
//! docs/evaluation.md.
//!
//! Module map:
//! - `brat`     — BRAT standoff reader (`T`/`E`/`A` lines, discontinuous
//!   spans, character → byte offsets).
//! - `lct`      — gold numeric comparisons of the Leaf Clinical Trials
//!   corpus and the scorer (precision / recall / F1, per operator).
//! - `texts`    — criteria texts from trial files (every `tm_ingest`
//!   format, plus the HINT CSV detected by its `criteria` column).
//! - `coverage` — share of criteria per status and the most frequent
//!   unparsed phrases.
//! - `runall`   — compile every text under `tm_app::guard` (panics reported
//!   with the trial id) and the single-thread compile benchmark.

pub mod brat;
pub mod coverage;
pub mod lct;
pub mod runall;
pub mod texts;
