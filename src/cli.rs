//! The command line, declared once; `main` parses it and `cmd` carries it out.

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Quota and cost calculator for container-image security scanning";

const LONG_ABOUT: &str = "\
Replays container-image scan logs (CSV) through a billing plan (TOML) and
reports remaining quota, expired quota, free-scan usage and charges.

Exit status: 0 success, 1 a `check` threshold was crossed, 2 bad input or usage.";

#[derive(Debug, Parser)]
#[command(name = "scanquota", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Remaining, expired and free quota and charges per account
    #[command(after_help = "\
Example:
  scanquota report --plan fixtures/tcss-usd-300.toml \\
      --log fixtures/tcss-worked-example.csv --as-of 2024-04-20T12:00:00+08:00")]
    Report(ReportArgs),

    /// Validate and inspect plans
    #[command(subcommand)]
    Plan(PlanCommand),

    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  scanquota completions bash > /etc/bash_completion.d/scanquota"
    )]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Billing plan (TOML); repeat to compare plans side by side
    #[arg(long, value_name = "PLAN", required = true)]
    pub plan: Vec<String>,

    /// Scan log (CSV; `-` for standard input, `.gz` is gunzipped); repeat to merge logs
    #[arg(long, value_name = "LOG", required = true)]
    pub log: Vec<String>,

    /// The moment the report describes (RFC 3339, `YYYY-MM-DD HH:MM:SS` in the plan's zone, or Unix seconds) [default: now]
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,

    /// Only this account
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Validate a plan and print it normalised, every default filled in
    #[command(
        after_help = "Example:\n  scanquota plan check fixtures/tcss-usd-300.toml --format json"
    )]
    Check {
        /// The plan file (TOML)
        plan: String,

        /// Output format
        #[arg(long, value_enum, default_value_t = PlanFormat::Toml)]
        format: PlanFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Toml,
    Json,
}
