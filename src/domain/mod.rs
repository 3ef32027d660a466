//! The bottom layer: exact values (units, money, instants), time zones,
//! calendar periods, the one error type and the input limits. It imports
//! nothing else of the crate.

pub mod error;
pub mod limits;
pub mod numbers;
pub mod periods;
pub mod values;
pub mod zone;
