//! One module per subcommand; each turns its arguments into the text to print.

pub mod completions;
pub mod plan;
pub mod report;

use crate::cli::{Cli, Command, PlanCommand};
use crate::error::Result;

/// What a command produced: the whole of standard output, and the exit status.
/// Output is built completely before anything is printed, so a failing run
/// prints nothing partial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub code: i32,
}

impl Outcome {
    pub fn success(stdout: String) -> Self {
        Outcome { stdout, code: 0 }
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Report(args) => report::run(&args),
        Command::Plan(PlanCommand::Check { plan, format }) => plan::check(&plan, format),
        Command::Completions { shell } => Ok(completions::run(shell)),
    }
}
