//! Helpers shared by the integration tests: run the real binary from the
//! repository root so fixture paths read as they do in the README.
#![allow(dead_code)]

pub mod random;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scanquota() -> Command {
    let mut cmd = assert_cmd::cargo_bin_cmd!("scanquota");
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

/// A scratch directory for one test, removed when the test ends.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Self {
        Workdir {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write test file");
        path.to_string_lossy().into_owned()
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Run and return (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let output = scanquota().args(args).output().expect("run scanquota");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The minimal valid plan header, for tests that add sections to it.
pub const MINIMAL_PLAN: &str = "[subscription]\nstart = 2024-03-15T14:00:00+08:00\n";
