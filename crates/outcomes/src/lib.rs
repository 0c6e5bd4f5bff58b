//! Outcome analytics: survival statistics, tumour response, safety, QoL, reports and plots.

pub mod ctcae;
pub mod dosimetry;
pub mod plots;
pub mod qlq_c30;
pub mod report;
pub mod response;
pub mod safety;
pub mod sdtm;
pub mod survival;
