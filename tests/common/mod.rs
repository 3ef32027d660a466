//! Helpers shared by the integration tests: run the real binary from the
//! repository root so fixture paths read as they do in the README.
#![allow(dead_code)]

pub mod random;
pub mod reference;

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

/// A 10-unit quota that denies, from 2024-04-01 for two months: the case
/// the projection tests share.
pub const DENY_10_PLAN: &str = "currency = \"USD\"\n[subscription]\nstart = 2024-04-01T00:00:00Z\nmonths = 2\n\
    [[allowance]]\nname = \"quota\"\nunits = 10\nunit_price = 0.06\n[overage]\npolicy = \"deny\"\n";

/// One first scan a day, of a new image, on 2024-04-01 … 2024-04-12 at 01:00Z.
pub fn twelve_daily_images() -> String {
    let mut log = String::from("timestamp,image\n");
    for day in 1..=12 {
        log += &format!("2024-04-{day:02}T01:00:00Z,img{day}\n");
    }
    log
}

/// The fixture runs every view of a report is checked on.
pub const FIXTURE_RUNS: &[&[&str]] = &[
    &[
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        "fixtures/tcss-worked-example.csv",
        "--as-of",
        "2024-04-20T12:00:00+08:00",
    ],
    &[
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--cores",
        "fixtures/cores.csv",
        "--as-of",
        "2024-05-01",
    ],
    &[
        "--plan",
        "fixtures/hss-payg.toml",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
    ],
    &[
        "--plan",
        "fixtures/fleet.toml",
        "--log",
        "fixtures/fleet.csv",
        "--as-of",
        "2024-11-05",
        "--by",
        "team",
    ],
];

/// `COMMAND ARGS… --format FORMAT`, which must succeed: its stdout.
pub fn output(command: &str, args: &[&str], format: &str) -> String {
    let mut all = vec![command];
    all.extend_from_slice(args);
    all.extend(["--format", format]);
    let (code, stdout, stderr) = run(&all);
    assert_eq!(code, 0, "{all:?}: {stderr}");
    stdout
}

/// `plan check` of the plan text `plan`: it must be refused (status 2, one
/// `scanquota: error:` line, nothing on stdout); the message.
pub fn plan_check_error(plan: &str) -> String {
    let dir = Workdir::new();
    let path = dir.write("plan.toml", plan);
    let (code, out, err) = run(&["plan", "check", &path]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.starts_with("scanquota: error: ") && err.trim_end().lines().count() == 1);
    err
}
