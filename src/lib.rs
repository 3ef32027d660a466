//! scanquota: replay container-image scan logs through a billing plan.
//!
//! The modules are layers, each importing only the layers below it
//! (`tests/architecture.rs` keeps it so):
//!
//! ```text
//! app      arguments → a job → one command's outcome          (top)
//! render   how a document looks: table, markdown, HTML, CSV, JSON, OpenMetrics
//! model    what a document holds: report, invoice, ledger, check, stats, estimate
//! replay   the one replay entry: which path a replay takes
//! engine   the metering rules: schedule, meter, charges, projection, allocation
//! input    how files are read: logs, scanner documents, cores, inventories
//! plan     the plan: its types, reading, validation, built-ins
//! domain   values, zones, periods, errors                     (bottom)
//! ```
//!
//! `main` parses arguments, runs the command and turns its outcome or error
//! into the exit status.

#![warn(unreachable_pub, dead_code)]

pub mod app;
pub mod domain;
pub mod engine;
pub mod input;
pub mod model;
pub mod plan;
pub mod render;
pub mod replay;
