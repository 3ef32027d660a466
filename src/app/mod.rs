//! The top layer: the command line (`cli`), the job that turns arguments
//! into typed inputs once (`job`), one file per command (`cmd`) and safe
//! output files (`output`).

pub mod cli;
pub mod cmd;
pub mod job;
pub mod output;
