//! The job: how the command line is read into plans, times and logs, tried
//! as a new user would (each case failed before the job module).

mod common;

use common::{Workdir, run, scanquota};
use serde_json::Value;
use std::io::Write;

const USD: &str = "fixtures/tcss-usd-300.toml";
const WORKED: &str = "fixtures/tcss-worked-example.csv";

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"))
}

fn scans(report: &Value) -> &Value {
    &report["accounts"][0]["scans"]
}

#[test]
fn one_log_option_takes_several_paths() {
    let dir = Workdir::new();
    let text = std::fs::read_to_string(common::root().join(WORKED)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(40);
    let first = dir.write("a.csv", format!("{header}\n{}\n", a.join("\n")));
    let second = dir.write("b.csv", format!("{header}\n{}\n", b.join("\n")));
    let as_of = "2024-04-20T12:00:00+08:00";
    let (code, split, stderr) = run(&[
        "report", "--plan", USD, "--log", &first, &second, "--as-of", as_of, "--format", "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (_, whole, _) = run(&[
        "report", "--plan", USD, "--log", WORKED, "--as-of", as_of, "--format", "json",
    ]);
    let (split, whole) = (json(&split), json(&whole));
    assert_eq!(scans(&split), scans(&whole));
    assert_eq!(split["totals"], whole["totals"]);
}

#[test]
fn a_bare_date_as_of_includes_the_whole_day() {
    // The worked example has scans on 2024-03-16 … ; the as-of date includes
    // every scan of its local day and prints as that day's 23:59:59.
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-15",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    assert_eq!(report["as_of"], "2024-04-15T23:59:59+08:00");
    // The second period starts at 2024-04-15 14:00, before the end of the day.
    let periods = &report["accounts"][0]["allowances"][0]["periods"];
    assert_eq!(periods.as_array().unwrap().len(), 2);
    let (code, minutes, _) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-15 23:59",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&minutes)["as_of"], "2024-04-15T23:59:00+08:00");
    let (code, _, stderr) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-13-01",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--as-of `2024-13-01`"), "{stderr}");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn gzip_is_recognised_by_content_on_files_and_standard_input() {
    let text = std::fs::read(common::root().join(WORKED)).unwrap();
    let dir = Workdir::new();
    let unnamed = dir.write("scans.log", gzip(&text));
    let as_of = "2024-04-20T12:00:00+08:00";
    let args = [
        "report", "--plan", USD, "--as-of", as_of, "--format", "json", "--log",
    ];
    let (code, from_file, stderr) = run(&[&args[..], &[unnamed.as_str()]].concat());
    assert_eq!(code, 0, "{stderr}");
    let output = scanquota()
        .args([&args[..], &["-"]].concat())
        .write_stdin(gzip(&text))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let from_stdin = json(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(json(&from_file), from_stdin);
    assert_eq!(scans(&from_stdin)["repeat"], 99);
}

#[test]
fn json_lines_logs_are_recognised_by_content() {
    let dir = Workdir::new();
    let log = dir.write(
        "scans.jsonl",
        "{\"timestamp\": \"2024-03-16T10:00:00+08:00\", \"image\": \"a\", \"extra\": 1}\n\
         \n\
         {\"timestamp\": 1710640800, \"image\": \"a\", \"scan_id\": \"s2\"}\n",
    );
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        &log,
        "--as-of",
        "2024-03-20",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    assert_eq!(scans(&report)["first"], 1);
    assert_eq!(scans(&report)["repeat"], 1);
    assert_eq!(report["accounts"][0]["units"]["consumed"], "1.1");

    let bad = dir.write(
        "bad.jsonl",
        "{\"timestamp\": \"2024-03-16T10:00:00+08:00\", \"image\": \"a\"}\n{\"timestamp\": \"yesterday\", \"image\": \"b\"}\n",
    );
    let (code, stdout, stderr) = run(&["report", "--plan", USD, "--log", &bad]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("bad.jsonl:2: timestamp: `yesterday`"),
        "{stderr}"
    );

    let other = dir.write("other.json", "{\"name\": \"x\"}\n");
    let (code, _, stderr) = run(&["report", "--plan", USD, "--log", &other]);
    assert_eq!(code, 2);
    assert!(stderr.contains("other.json:1"), "{stderr}");
    assert!(stderr.contains("`timestamp` and `image`"), "{stderr}");
}

#[test]
fn a_saved_builtin_keeps_no_clock_and_takes_start() {
    let (code, shown, _) = run(&["plan", "show", "builtin:hss-payg"]);
    assert_eq!(code, 0);
    assert!(
        !shown.lines().any(|line| line.starts_with("start")),
        "no start written without --start:\n{shown}"
    );
    assert!(shown.contains("# start = "), "{shown}");
    let dir = Workdir::new();
    let saved = dir.write("hss.toml", &shown);
    let (code, stdout, stderr) = run(&["report", "--plan", &saved, "--log", "fixtures/hss.csv"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("subscription.start"), "{stderr}");
    assert!(stderr.contains("--start"), "{stderr}");
    let (code, _, stderr) = run(&["plan", "check", &saved]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("subscription.start") && stderr.contains("--start"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        &saved,
        "--log",
        "fixtures/hss.csv",
        "--start",
        "2024-03-01",
        "--as-of",
        "2024-04-20",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    assert_eq!(
        report["accounts"][0]["subscription"]["start"],
        "2024-03-01T00:00:00+08:00"
    );
    assert!(scans(&report)["first"].as_u64().unwrap() > 0);
    // A plan that writes its own start refuses a second one.
    let (code, _, stderr) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--start",
        "2024-03-01",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("sets its own subscription.start"),
        "{stderr}"
    );
}

#[test]
fn a_builtin_start_taken_from_the_log_is_said_on_stderr() {
    let (code, _, stderr) = run(&[
        "report",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "builtin:hss-payg starts at 2024-03-02T10:00:00+08:00, the first scan of the log"
        ),
        "{stderr}"
    );
    let (_, _, quiet) = run(&[
        "report",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
        "--start",
        "2024-03-01",
    ]);
    assert!(quiet.is_empty(), "{quiet}");
}

/// Among many accounts the message names the first twenty and counts the
/// rest: its length does not grow with the log.
#[test]
fn an_unknown_account_among_many_names_twenty() {
    let dir = Workdir::new();
    let mut text = String::from("timestamp,account,image\n");
    for id in 0..30 {
        text += &format!("2024-03-20 10:00:00,acct-{id:02},img\n");
    }
    let log = dir.write("log.csv", &text);
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        &log,
        "--as-of",
        "2024-04-01",
        "--account",
        "nope",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    let names: Vec<String> = (0..20).map(|id| format!("acct-{id:02}")).collect();
    assert!(
        stderr.contains(&format!(
            "the accounts are: {}, and 10 more (a report lists them all)",
            names.join(", ")
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("acct-20"), "{stderr}");
}

#[test]
fn an_unknown_account_is_refused_by_every_command_that_filters_by_account() {
    let args = [
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        "2024-05-01 00:00:00",
        "--account",
        "team-z",
    ];
    let refused = |command: &[&str]| {
        let (code, stdout, stderr) = run(command);
        assert_eq!(code, 2, "{command:?}: a typo must not pass: {stderr}");
        assert!(stdout.is_empty(), "{command:?}: {stdout}");
        assert!(
            stderr.starts_with("scanquota: error: --account `team-z` has no row")
                && stderr.contains("team-a"),
            "{command:?}: {stderr}"
        );
    };
    for format in ["table", "json", "csv", "markdown", "html", "openmetrics"] {
        refused(&[&["report"], &args[..], &["--format", format]].concat());
    }
    for format in ["table", "json", "csv"] {
        refused(&[&["invoice"], &args[..], &["--format", format]].concat());
    }
    // The ledger refuses the same way, streamed or laid out whole.
    for format in ["csv", "jsonl", "table"] {
        refused(&[&["ledger"], &args[..], &["--format", format]].concat());
    }
    refused(&[&["check"], &args[..], &["--min-remaining", "1"]].concat());
    refused(&[
        "estimate",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--from-log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        "2024-06-01 00:00:00",
        "--account",
        "team-z",
    ]);
    refused(&[&["stats"], &args[..]].concat());
}

#[test]
fn an_account_is_known_from_any_row_any_core_sample_or_the_implicit_default() {
    let dir = Workdir::new();
    // team-late scans only after as-of; team-cores has only core samples.
    let log = dir.write(
        "log.csv",
        "timestamp,image,account\n2024-03-20 10:00:00,a,team-a\n2024-06-01 10:00:00,b,team-late\n",
    );
    let as_of = "2024-04-20T12:00:00+08:00";
    for account in ["team-a", "team-late"] {
        let (code, _, stderr) = run(&[
            "report",
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--log",
            &log,
            "--as-of",
            as_of,
            "--account",
            account,
        ]);
        assert_eq!(code, 0, "{account}: {stderr}");
    }
    let plain = dir.write("plain.csv", "timestamp,image\n2024-03-20 10:00:00,a\n");
    let (code, _, stderr) = run(&[
        "invoice",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        &plain,
        "--as-of",
        as_of,
        "--account",
        "default",
    ]);
    assert_eq!(code, 0, "the implicit default account is known: {stderr}");
    let empty = dir.write("empty.csv", "timestamp,image\n");
    let (code, _, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        &empty,
        "--as-of",
        as_of,
        "--account",
        "default",
    ]);
    assert_eq!(
        code, 0,
        "a log with no row still has the implicit default: {stderr}"
    );
    // An account whose only trace is a core sample is known too.
    let cores = dir.write(
        "cores.csv",
        "timestamp,account,cores\n2024-04-01 08:00:00,team-cores,7\n",
    );
    let (code, _, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        &plain,
        "--cores",
        &cores,
        "--as-of",
        "2024-04-03 02:00:00",
        "--account",
        "team-cores",
    ]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn check_fails_closed_on_an_unpriced_projection() {
    let (code, stdout, stderr) = run(&[
        "check",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
        "--max-projected-charges",
        "5",
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "ALERT default projected_charges=unpriced (limit 5)\n"
    );
    assert!(
        stderr.ends_with("scanquota: 1 of 1 checks alerted\n"),
        "{stderr}"
    );
}

#[test]
fn check_max_projected_denied() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", common::DENY_10_PLAN);
    let log = common::twelve_daily_images();
    let log = dir.write("log.csv", log);
    let args = [
        "check",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-04-13T00:00:00Z",
    ];
    let (code, stdout, _) = run(&[&args[..], &["--max-projected-denied", "20"]].concat());
    assert_eq!(
        (code, stdout.as_str()),
        (0, "OK default projected_denied=20 (limit 20)\n")
    );
    let (code, stdout, _) = run(&[&args[..], &["--max-projected-denied", "19.5"]].concat());
    assert_eq!(
        (code, stdout.as_str()),
        (1, "ALERT default projected_denied=20 (limit 19.5)\n")
    );
}

#[test]
fn a_failed_write_says_it_could_not_write_once() {
    let err = scanquota::domain::error::Error::write(
        "out.json",
        std::io::Error::from(std::io::ErrorKind::StorageFull),
    );
    let text = err.to_string();
    assert!(text.starts_with("out.json: cannot write: "), "{text}");
    assert!(text.contains("free some space"), "{text}");
    assert!(!text.contains("cannot read"), "{text}");
    assert_eq!(err.code(), 2);
    // Standard output has no previous file to keep.
    let err = scanquota::domain::error::Error::write(
        scanquota::domain::error::STDOUT_NAME,
        std::io::Error::from(std::io::ErrorKind::StorageFull),
    );
    let text = err.to_string();
    assert!(
        text.starts_with("standard output: cannot write: "),
        "{text}"
    );
    assert!(
        text.contains("write a file with --output; what was written is incomplete"),
        "{text}"
    );
    assert!(!text.contains("previous file"), "{text}");
}

/// A report heads unnamed plans side by side by their place ("plan 2"), so
/// a plan of that name beside an unnamed second plan is refused: before
/// any log is read (a missing log is not the error), or, when a plan
/// starts at the log's first scan, once it is read. `estimate` titles an
/// unnamed plan "(unnamed plan)" and takes the same two plans.
#[test]
fn a_plan_named_as_an_unnamed_plan_is_headed_is_refused_only_where_it_would_be() {
    let dir = Workdir::new();
    let quota = "[[allowance]]\nname = \"q\"\nunits = 10\n";
    let start = "[subscription]\nstart = 2024-03-15T14:00:00+08:00\n";
    let named = dir.write("a.toml", format!("name = \"plan 2\"\n{start}{quota}"));
    let unnamed = dir.write("b.toml", format!("{start}{quota}"));
    let missing = dir.path("missing.csv");
    let refused = |plans: &[&str], log: &str| {
        let mut args = vec!["report"];
        for plan in plans {
            args.extend(["--plan", plan]);
        }
        args.extend(["--log", log]);
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains(
                "a.toml` has the name `plan 2`, the heading side by side of the unnamed plan"
            ) && stderr.contains("b.toml given 2nd"),
            "{stderr}"
        );
    };
    refused(&[&named, &unnamed], &missing);
    refused(
        &["builtin:tcss-usd-300", &unnamed, &named],
        "fixtures/fleet.csv",
    );
    // An unnamed first plan is headed "plan 1": a second plan named
    // "plan 2" heads a column of its own.
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        &unnamed,
        "--plan",
        &named,
        "--log",
        "fixtures/fleet.csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("plan 1") && stdout.contains("plan 2"),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(&[
        "estimate",
        "--plan",
        &named,
        "--plan",
        &unnamed,
        "--from-log",
        "fixtures/fleet.csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("(unnamed plan)"), "{stdout}");
}
