//! What each document holds, typed: the report, comparison, invoice,
//! ledger rows, check, statistics, estimate and merged reports, built from
//! the engine's output. Views in `render` format these; they never compute.

pub(crate) mod check;
pub mod estimate;
pub(crate) mod focus;
pub mod invoice;
pub mod ledger;
pub(crate) mod merge;
pub mod reconcile;
pub mod report;
pub(crate) mod stats;
