//! The library's one error type. Every variant is something the user can fix,
//! so every variant maps to exit status 2; `code()` is the single place that
//! decides it.

use std::fmt;

/// Where in an input a problem was found: a file plus a line, column and/or key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub key: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            key: None,
            line: None,
            column: None,
        }
    }

    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn column(mut self, column: impl Into<Option<u64>>) -> Self {
        self.column = column.into();
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
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

    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn input(location: Location, problem: impl Into<String>) -> Self {
        Error::Input {
            location,
            problem: problem.into(),
        }
    }

    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The process exit status this error should end the program with.
    pub fn code(&self) -> i32 {
        2
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
