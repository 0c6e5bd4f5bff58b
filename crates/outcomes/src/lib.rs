//! Outcome analytics: survival statistics, tumour response, safety, QoL, reports and plots.

pub mod survival;
pub mod ctcae;
pub mod dosimetry;
pub mod qlq_c30;
pub mod safety;
pub mod response;
pub mod sdtm;
