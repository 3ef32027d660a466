//! The bottom layer: exact values (units, money, instants), time zones,
//! calendar periods, the one error type, the input limits and the list of
//! files read. It imports nothing else of the crate.

pub mod error;
pub(crate) mod files_read;
pub(crate) mod key_set;
pub(crate) mod limits;
pub(crate) mod numbers;
pub(crate) mod periods;
pub mod text;
pub(crate) mod values;
pub mod zone;
