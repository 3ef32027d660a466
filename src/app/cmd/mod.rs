//! One module per subcommand; each turns its arguments into the text to print.

pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod estimate;
pub(crate) mod import;
pub(crate) mod invoice;
pub(crate) mod ledger;
pub(crate) mod merge;
pub(crate) mod plan;
pub(crate) mod report;
pub(crate) mod stats;

use crate::app::cli::{Cli, Command, InvoiceFormat, PlanCommand, ReportFormat};
use crate::domain::error::{Error, Result};
use crate::model::report::Report;
use crate::render::{
    ComparisonView, DEFAULT_TABLE_WIDTH, InvoiceView, MarkdownExporter, OpenMetricsExporter,
    ReportView, TableExporter, csv::CsvExporter, html::HtmlExporter, json::JsonExporter,
};

/// What a command produced: standard output and standard error, and the exit
/// status. Every input is read and checked before an `CommandOutput` exists, so a
/// failing run prints nothing partial; `stream` (a ledger, a JSON report) is
/// formatted as it is written.
pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    pub status: Status,
    /// Output too large to hold (a ledger of millions of rows), written
    /// after `stdout`. It is made only once every input has been read and
    /// checked; what it reads again is checked to be unchanged.
    pub stream: Option<Streamed>,
}

/// How a command that ran to its end came out; `main` alone turns it (or
/// an error) into the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Success,
    /// Exit 1: the command ran, and what it checks does not hold (a
    /// threshold alerted, statistics differ from the vendor's).
    Findings,
}

/// Writes the rest of a command's output; an input it reads again as it
/// writes can fail too, and is then named as the error.
pub(crate) type Streamed =
    Box<dyn FnOnce(&mut dyn std::io::Write) -> Result<(), crate::app::output::Failure>>;

impl CommandOutput {
    pub(crate) fn success(stdout: String) -> Self {
        CommandOutput {
            stdout,
            stderr: String::new(),
            status: Status::Success,
            stream: None,
        }
    }

    pub(crate) fn streamed(stream: Streamed) -> Self {
        CommandOutput {
            stream: Some(stream),
            ..CommandOutput::success(String::new())
        }
    }
}

impl std::fmt::Debug for CommandOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandOutput")
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("status", &self.status)
            .field("stream", &self.stream.as_ref().map(|_| "…"))
            .finish()
    }
}

pub fn run(cli: Cli) -> Result<CommandOutput> {
    crate::domain::files_read::forget_all();
    crate::input::progress::enable_on_terminal(cli.quiet);
    // Tables fit `COLUMNS` when it is set (piped or not: a fixed width for
    // scripts and tests), else the terminal when printed on one, else 100
    // columns.
    let width = match columns_env() {
        Some(columns) => columns,
        None if cli.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            terminal_width().map_or(DEFAULT_TABLE_WIDTH, |(width, _)| width)
        }
        None => DEFAULT_TABLE_WIDTH,
    }
    .max(40);
    let quiet = cli.quiet;
    let mut outcome = match cli.command {
        Command::Report(args) => report::run(&args, width),
        Command::Invoice(args) => invoice::run(&args, width),
        Command::Ledger(args) => ledger::run(&args, width),
        Command::Check(args) => check::run(&args, cli.quiet),
        Command::Plan(PlanCommand::Check {
            plan,
            start,
            format,
        }) => plan::check(&plan, start.as_deref(), format),
        Command::Plan(PlanCommand::List) => Ok(plan::list()),
        Command::Plan(PlanCommand::Show { plan, start }) => plan::show(&plan, start.as_deref()),
        Command::Completions { shell } => Ok(completions::run(shell)),
        Command::Stats(args) => stats::stats(&args),
        Command::Reconcile(args) => stats::reconcile(&args),
        Command::Estimate(args) => estimate::run(&args, width),
        Command::Man { dir } => completions::man(dir.as_deref()),
        Command::Merge(args) => merge::run(&args, width),
        Command::Import(args) => import::run(&args),
    }?;
    // `--quiet` silences every note (errors are not notes: they are `Err`).
    if quiet {
        outcome.stderr.clear();
    }
    Ok(outcome)
}

/// `COLUMNS`, when set to a width.
fn columns_env() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&c| c > 0)
}

/// The terminal's columns, from the tty.
fn terminal_width() -> Option<(u16, u16)> {
    comfy_table::Table::new().width().map(|width| (width, 0))
}

/// The view of one plan's report in `format`.
pub fn report_view(format: ReportFormat, width: u16) -> Box<dyn ReportView> {
    match format {
        ReportFormat::Table => Box::new(TableExporter { width }),
        ReportFormat::Json => Box::new(JsonExporter),
        ReportFormat::Csv => Box::new(CsvExporter),
        ReportFormat::Markdown => Box::new(MarkdownExporter),
        ReportFormat::Html => Box::new(HtmlExporter),
        ReportFormat::Openmetrics => Box::new(OpenMetricsExporter),
    }
}

/// Said out loud: the CSV usage table and OpenMetrics' gauges have no
/// place for the lines posted in a billing window, nor has any view of
/// plans side by side but JSON (which holds each plan's whole report), so
/// there the figures are those to as-of (the window's end) alone.
fn window_note(format: ReportFormat, report: &Report, side_by_side: bool) -> String {
    let Some(window) = &report.window else {
        return String::new();
    };
    let (name, listed) = match format {
        ReportFormat::Json => return String::new(),
        _ if side_by_side => (format_name(format), "--format json lists each plan's"),
        ReportFormat::Csv | ReportFormat::Openmetrics => (
            format_name(format),
            "--format json, table, markdown or html list them",
        ),
        _ => return String::new(),
    };
    let what = if side_by_side {
        " of plans side by side"
    } else {
        ""
    };
    format!(
        "scanquota: the {name} format{what} lists no window's lines: its figures are to as-of ({}), not those posted from {} to {}; {listed}\n",
        report.as_of, window.from, window.to
    )
}

/// `format` as `--format` takes it (`csv`, `openmetrics`).
fn format_name(format: ReportFormat) -> String {
    clap::ValueEnum::to_possible_value(&format)
        .map(|value| value.get_name().to_string())
        .unwrap_or_default()
}

/// The view of several plans side by side in `format`. OpenMetrics
/// describes a single plan's report, so several `--plan` with it are
/// refused, before any input is read.
pub fn comparison_view(format: ReportFormat, width: u16) -> Result<Box<dyn ComparisonView>> {
    Ok(match format {
        ReportFormat::Table => Box::new(TableExporter { width }),
        ReportFormat::Json => Box::new(JsonExporter),
        ReportFormat::Csv => Box::new(CsvExporter),
        ReportFormat::Markdown => Box::new(MarkdownExporter),
        ReportFormat::Html => Box::new(HtmlExporter),
        ReportFormat::Openmetrics => {
            return Err(Error::Option {
                option: "--format",
                value: "openmetrics".into(),
                fix: "describes a single plan's report, not a comparison of plans; use json, csv or table"
                    .into(),
            });
        }
    })
}

/// The view of an invoice in `format`; `None` for FOCUS, whose rows need
/// the replay's daily draws besides the invoice (`invoice::focus`).
pub fn invoice_view(format: InvoiceFormat, width: u16) -> Option<Box<dyn InvoiceView>> {
    Some(match format {
        InvoiceFormat::Table => Box::new(TableExporter { width }),
        InvoiceFormat::Json => Box::new(JsonExporter),
        InvoiceFormat::Csv => Box::new(CsvExporter),
        InvoiceFormat::Markdown => Box::new(MarkdownExporter),
        InvoiceFormat::Html => Box::new(HtmlExporter),
        InvoiceFormat::Focus => return None,
    })
}
