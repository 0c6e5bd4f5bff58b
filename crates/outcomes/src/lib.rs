//! Outcome analytics: survival statistics, tumour response, safety, QoL, reports and plots.

pub mod survival;
