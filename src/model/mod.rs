//! What each document holds, typed: the report, comparison, invoice,
//! ledger rows, check, statistics, estimate and merged reports, built from
//! the engine's output. Views in `render` format these; they never compute.

pub mod check;
pub mod estimate;
pub mod invoice;
pub mod ledger;
pub mod merge;
pub mod reconcile;
pub mod report;
pub mod stats;
