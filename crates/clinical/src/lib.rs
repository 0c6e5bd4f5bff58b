//! Clinical calculators as pure functions with cited sources.
