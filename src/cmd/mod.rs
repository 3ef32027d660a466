//! One module per subcommand; each turns its arguments into the text to print.

pub mod check;
pub mod completions;
pub mod estimate;
pub mod ledger;
pub mod merge;
pub mod plan;
pub mod report;
pub mod stats;

use crate::cli::{Cli, Command, InputArgs, PlanCommand};
use crate::error::{Error, Result};
use crate::log::{STDIN_NAME, ScanLog, open_input};
use crate::plan::Plan;
use crate::zone::{Zone, parse_timestamp};
use chrono::{DateTime, SubsecRound, Utc};
use std::io::Read;

/// What a command produced: standard output and standard error, and the exit
/// status. Every input is read and checked before an `Outcome` exists, so a
/// failing run prints nothing partial; only `stream` (the ledger) is written
/// as it is made.
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
    /// Output too large to hold (a ledger of millions of rows), written
    /// after `stdout`. It is made only once every input has been read and
    /// checked, so nothing it does can fail but the writing itself.
    pub stream: Option<Streamed>,
}

/// Writes the rest of a command's output.
pub type Streamed = Box<dyn FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>>;

impl Outcome {
    pub fn success(stdout: String) -> Self {
        Outcome {
            stdout,
            stderr: String::new(),
            code: 0,
            stream: None,
        }
    }

    pub fn streamed(stream: Streamed) -> Self {
        Outcome {
            stream: Some(stream),
            ..Outcome::success(String::new())
        }
    }
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome")
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("code", &self.code)
            .field("stream", &self.stream.as_ref().map(|_| "…"))
            .finish()
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    crate::progress::enable_on_terminal(cli.quiet);
    match cli.command {
        Command::Report(args) => report::run(&args),
        Command::Ledger(args) => ledger::run(&args),
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
        Command::Estimate(args) => estimate::run(&args),
        Command::Man => Ok(completions::man()),
        Command::Merge(args) => merge::run(&args),
    }
}

/// A plan with the log read in its zone and the moment to describe.
pub struct Replayable {
    pub plan: Plan,
    pub log: ScanLog,
    pub as_of: DateTime<Utc>,
}

/// Read one plan and the logs, and resolve `--as-of`.
pub fn load(plan: &str, input: &InputArgs) -> Result<Replayable> {
    let mut all = load_many(&[plan.to_string()], input)?;
    Ok(all.remove(0))
}

/// [`load`], keeping image names and scan id texts (for the ledger and stats).
pub fn load_keeping_texts(plan: &str, input: &InputArgs) -> Result<Replayable> {
    let mut all = read(&[plan.to_string()], input, true)?;
    Ok(all.remove(0))
}

/// Read several plans and replay-ready logs. Naive log times depend on each
/// plan's zone, so the logs are parsed once per distinct zone (from memory
/// when there is more than one zone, since standard input reads only once).
/// A built-in plan starts at `--start`, or else at the log's first scan.
pub fn load_many(specs: &[String], input: &InputArgs) -> Result<Vec<Replayable>> {
    read(specs, input, false)
}

fn read(specs: &[String], input: &InputArgs, keep_texts: bool) -> Result<Vec<Replayable>> {
    let mut plans = Vec::with_capacity(specs.len());
    for spec in specs {
        let provisional = if Plan::is_builtin(spec) {
            Some(DateTime::UNIX_EPOCH)
        } else {
            None
        };
        if provisional.is_none() && input.start.is_some() {
            return Err(Error::Usage(format!(
                "--start is for built-in plans; {spec} sets its own subscription.start"
            )));
        }
        plans.push(Plan::load(spec, provisional)?);
    }
    let mut zones: Vec<Zone> = Vec::new();
    for plan in &plans {
        if !zones.contains(&plan.zone) {
            zones.push(plan.zone);
        }
    }
    let logs: Vec<(Zone, ScanLog)> = if zones.len() == 1 {
        vec![(
            zones[0],
            ScanLog::read_paths_keeping(&input.log, zones[0], keep_texts)?,
        )]
    } else {
        let buffered = buffer_inputs(&input.log)?;
        zones
            .iter()
            .map(|zone| {
                let mut log = ScanLog::keeping_texts(keep_texts);
                for (name, bytes) in &buffered {
                    log.read_one(name, bytes.as_slice(), *zone)?;
                }
                log.sort();
                Ok((*zone, log))
            })
            .collect::<Result<_>>()?
    };
    specs
        .iter()
        .zip(plans)
        .map(|(spec, plan)| {
            let log = logs.iter().find(|(zone, _)| *zone == plan.zone).map(|(_, log)| log.clone()).unwrap_or_default();
            let plan = if Plan::is_builtin(spec) {
                let start = match input.start.as_deref() {
                    Some(text) => parse_timestamp(text, plan.zone)
                        .map_err(|err| Error::Usage(format!("--start `{text}` is not a usable time; {err}")))?,
                    None => log.events.first().map(|event| event.at).ok_or_else(|| {
                        Error::Usage(format!(
                            "{spec} needs a purchase moment and the log has no scans; give --start TIME"
                        ))
                    })?,
                };
                Plan::load(spec, Some(start))?
            } else {
                plan
            };
            let as_of = resolve_as_of(input.as_of.as_deref(), &plan)?;
            Ok(Replayable { plan, log, as_of })
        })
        .collect()
}

/// The plan when it does not depend on the log: a plan file, or a built-in
/// given `--start`. `None` for a built-in that starts at the log's first scan.
pub fn plan_without_log(spec: &str, input: &InputArgs) -> Result<Option<Plan>> {
    if !Plan::is_builtin(spec) {
        if input.start.is_some() {
            return Err(Error::Usage(format!(
                "--start is for built-in plans; {spec} sets its own subscription.start"
            )));
        }
        return Plan::load(spec, None).map(Some);
    }
    let Some(text) = input.start.as_deref() else {
        return Ok(None);
    };
    let zone = Plan::load(spec, Some(DateTime::UNIX_EPOCH))?.zone;
    let start = parse_timestamp(text, zone)
        .map_err(|err| Error::Usage(format!("--start `{text}` is not a usable time; {err}")))?;
    Plan::load(spec, Some(start)).map(Some)
}

fn buffer_inputs(paths: &[String]) -> Result<Vec<(String, Vec<u8>)>> {
    paths
        .iter()
        .map(|path| {
            let name = if path == "-" {
                STDIN_NAME.to_string()
            } else {
                path.clone()
            };
            let mut bytes = Vec::new();
            open_input(path)?
                .read_to_end(&mut bytes)
                .map_err(|err| Error::io(&name, err))?;
            Ok((name, bytes))
        })
        .collect()
}

/// `--as-of` in any log timestamp form (naive in the plan's zone), or now.
pub fn resolve_as_of(text: Option<&str>, plan: &Plan) -> Result<DateTime<Utc>> {
    let as_of = match text {
        Some(text) => parse_timestamp(text, plan.zone)
            .map_err(|err| Error::Usage(format!("--as-of `{text}` is not a usable time; {err}")))?,
        // The clock to the second: a report says "as of 20:31:31", not its nanoseconds.
        None => Utc::now().trunc_subsecs(0),
    };
    let earliest = plan
        .trial
        .as_ref()
        .map_or(plan.subscription.term.start, |trial| trial.start);
    if as_of < earliest {
        return Err(Error::Usage(format!(
            "--as-of {} is before the plan starts ({}); nothing has happened yet — give a later --as-of",
            plan.zone.format(as_of),
            plan.zone.format(earliest)
        )));
    }
    Ok(as_of)
}
