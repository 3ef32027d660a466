//! The library's one error type. Every variant is something the user can fix,
//! so every variant maps to exit status 2; `code()` is the single place that
//! decides it.

use crate::domain::zone::Zone;
use std::fmt;

/// Where in an input a problem was found: a file plus a line, column and/or key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub(crate) file: String,
    pub(crate) key: Option<String>,
    pub(crate) line: Option<u64>,
    pub(crate) column: Option<u64>,
}

impl Location {
    pub(crate) fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            key: None,
            line: None,
            column: None,
        }
    }

    pub(crate) fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub(crate) fn column(mut self, column: impl Into<Option<u64>>) -> Self {
        self.column = column.into();
        self
    }

    pub(crate) fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong, each variant for one kind of cause so that
/// a message can say what to fix. All of them are the user's to fix, so all
/// exit with status 2; `code()` is the one place that says so.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value in a plan, log or other input is wrong. The message says what
    /// was found and what is allowed.
    #[error("{location}: {problem}")]
    Input { location: Location, problem: String },

    /// A file could not be opened or read.
    #[error("{path}: cannot read: {source}; check the path and its permissions")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// The result could not be written (`--output`, standard output).
    #[error("{path}: cannot write: {source}; {}", write_fix(.path, .source))]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// A command-line option has a value that cannot be used.
    #[error("{option} `{value}` {fix}")]
    Option {
        option: &'static str,
        value: String,
        fix: String,
    },

    /// A plan file has no `subscription.start` and none was given.
    #[error(
        "{location}: is required; write `start = 2024-03-15T14:00:00+08:00` under [subscription], or give --start TIME"
    )]
    StartMissing { location: Location, zone: Zone },

    /// A built-in plan's start was to come from the log, which has no scans.
    #[error("{plan} needs a purchase moment and {why}; give --start TIME")]
    PlanWithoutStart { plan: String, why: String },

    /// `--account` names an account with no row in the logs.
    #[error("--account `{account}` has no row in the logs; the accounts are: {known}")]
    UnknownAccount { account: String, known: String },

    /// A command that describes one account was given a log with several.
    #[error(
        "statistics describe one account and the log has several; give --account, one of: {known}"
    )]
    AccountRequired { known: String },

    /// `--allowance` names no allowance of the plan.
    #[error("--allowance `{name}` is not an allowance of the plan; use one of: {known}")]
    UnknownAllowance { name: String, known: String },

    /// `plan show` names something other than a built-in plan.
    #[error("{plan}: {why}")]
    NotBuiltin { plan: String, why: String },

    /// `check` was given no threshold to check.
    #[error(
        "no check asked for; give at least one of --min-remaining, --max-used-percent, --max-projected-charges, --max-projected-denied, --expiring-within"
    )]
    NoCheck,

    /// `estimate --from-log` needs a closed cycle to measure.
    #[error(
        "the log has no closed cycle of plan `{plan}` by {as_of}; give a later --as-of, or --first-scans and --repeat-scans"
    )]
    NoClosedCycle { plan: String, as_of: String },

    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),

    /// A product or sum is beyond what an exact decimal holds: `what` names
    /// the plan key or the account and period, `fix` says what to make smaller.
    #[error(
        "{what} exceeds the largest amount scanquota can hold exactly (about 7.9e28 written whole, a tenth of that for each decimal place); {fix}"
    )]
    Overflow { what: String, fix: String },
}

/// What to do about a failed write: `--output` writes a temporary file and
/// renames it, so the previous file is untouched; standard output has no
/// previous file, and what reached it before the failure is incomplete.
fn write_fix(path: &str, source: &std::io::Error) -> &'static str {
    use std::io::ErrorKind::{PermissionDenied, StorageFull};
    match (path == STDOUT_NAME, source.kind()) {
        (true, StorageFull) => {
            "free some space where standard output goes, or write a file with --output; what was written is incomplete"
        }
        (true, _) => {
            "check where standard output goes, or write a file with --output; what was written is incomplete"
        }
        (false, StorageFull) => {
            "free some space or write elsewhere; the previous file is kept as it was"
        }
        (false, PermissionDenied) => {
            "check the directory's permissions; the previous file is kept as it was"
        }
        (false, _) => "check the path; the previous file is kept as it was",
    }
}

/// How messages name standard output when writing to it fails.
pub const STDOUT_NAME: &str = "standard output";

impl Error {
    pub(crate) fn input(location: Location, problem: impl Into<String>) -> Self {
        Error::Input {
            location,
            problem: problem.into(),
        }
    }

    /// A read error of `path`; a [`ReadProblem`] carried by the I/O error
    /// (a reader below a parser found what is wrong) becomes that problem.
    pub(crate) fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        if let Some(problem) = source
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<ReadProblem>())
        {
            let location = Location::file(path);
            return Error::Input {
                location: match problem.line {
                    Some(line) => location.line(line),
                    None => location,
                },
                problem: problem.problem.clone(),
            };
        }
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn write(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn overflow(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::Overflow {
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// The process exit status this error should end the program with.
    pub fn code(&self) -> i32 {
        2
    }
}

/// What is wrong with an input, found by a reader that sits below a parser
/// (gzip, size limits, quote tracking) and so can only return an I/O error:
/// [`Error::io`] turns it back into an input error of the file.
#[derive(Debug, Clone)]
pub(crate) struct ReadProblem {
    pub(crate) line: Option<u64>,
    pub(crate) problem: String,
}

impl ReadProblem {
    /// The I/O error that carries this problem.
    pub(crate) fn into_io(self) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, self)
    }
}

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for ReadProblem {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
