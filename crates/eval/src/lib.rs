//! Measured accuracy, coverage and speed of the criteria compiler
//! (issue 6, items 1, 2 and 4), and of the eligibility engine as a whole
//! (issue 17 item 1: snapshot; issue 19 item 2: audit). Scoring rules and figures:
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
//! - `patients` — the patients of a directory, labelled by file stem.
//! - `snapshot` — the engine snapshot: one sorted JSON line per criterion
//!   (status, IR) and per patient × trial (verdict), for `diff`.
//! - `audit`    — the false-verdict audit: hand labels vs verdicts (false
//!   ineligible / eligible, exclusions caught for the labelled reason,
//!   decided share).

pub mod audit;
pub mod brat;
pub mod coverage;
pub mod lct;
pub mod patients;
pub mod runall;
pub mod snapshot;
pub mod texts;
