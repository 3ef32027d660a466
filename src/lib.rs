//! scanquota: replay container-image scan logs through a billing plan.
//!
//! Data flows one way: inputs ([`plan`], [`log`]) → engine → the report
//! model → renderers. `main` only parses arguments, calls [`cmd::run`] and
//! maps errors to exit codes.

pub mod allocation;
pub mod charges;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod cores;
pub mod csv_input;
pub mod error;
pub mod estimate;
pub mod focus;
pub mod invoice;
pub mod job;
pub mod ledger;
pub mod limits;
pub mod log;
pub mod merge;
pub mod meter;
pub mod numbers;
pub mod output;
pub mod periods;
pub mod plan;
pub mod progress;
pub mod projection;
pub mod reconcile;
pub mod render;
pub mod replay;
pub mod report;
pub mod stats;
pub mod stream;
pub mod zone;

pub use error::{Error, Result};
