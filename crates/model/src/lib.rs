//! Plain data types shared by every trialmatch crate.
//!
//! Architecture invariant: this crate does no I/O and no parsing of
//! registry formats; it only defines the shapes that readers fill and the
//! store persists. Serialised field names are a published contract
//! (docs/contracts.md): add fields freely, never rename or remove one.

pub mod date;
pub mod patient;
pub mod quantity;
pub mod results;
pub mod trial;

pub use date::{Date, DatePrecision};
pub use quantity::Quantity;

pub use results::Results;
pub use trial::*;
