//! Eligibility text: segmentation, the criterion IR, compilation with source spans.
//!
//! Module map:
//! - `segment`  — eligibility text → inclusion/exclusion criteria with
//!   ordinal IDs (`I8.2`) and exact byte spans.
//! - `ir`       — the typed criterion IR (`Expr`, `Atom`, `Status` …).
//! - `concepts` — the compiler's phrase table (phrases → concept ids,
//!   canonical units, plausible ranges).
//! - `compile`  — criteria text → `CompiledCriteria`.
//! - `render`   — the human view: each criterion with what was understood
//!   highlighted.

pub mod compile;
pub mod concepts;
pub mod ir;
pub mod render;
pub mod segment;

pub use compile::{compile, compile_one, window_from, COMPILER_VERSION};
pub use ir::*;
pub use segment::{segment, segment_with_diagnostics, Criterion, Diagnostic, Kind, Segmentation};
