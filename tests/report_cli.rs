//! `scanquota report` through the real binary: the vendor's worked example,
//! input forms, exit codes, and snapshots of every output format.

mod common;

use common::{Workdir, run, scanquota};
use flate2::{Compression, write::GzEncoder};
use predicates::prelude::*;
use std::io::Write;

const USD: &str = "fixtures/tcss-usd-300.toml";
const WORKED: &str = "fixtures/tcss-worked-example.csv";

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(&all);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON output")
}

#[test]
fn vendor_worked_example_through_the_binary() {
    // During the first period: 100 scans of one image consumed 10.9 units.
    let during = json(&[
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-10T12:00:00+08:00",
    ]);
    let account = &during["accounts"][0];
    assert_eq!(account["scans"]["first"], 1);
    assert_eq!(account["scans"]["repeat"], 99);
    assert_eq!(account["units"]["consumed"], "10.9");
    assert_eq!(account["allowances"][0]["remaining"], "289.1");
    assert_eq!(account["allowances"][0]["periods"][0]["state"], "current");

    // After the period ends (2024-04-15 14:00 +08:00) the rest is invalidated.
    let after = json(&[
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-15T14:00:00+08:00",
    ]);
    let account = &after["accounts"][0];
    let first = &account["allowances"][0]["periods"][0];
    assert_eq!(first["state"], "closed");
    assert_eq!(first["granted"], "300");
    assert_eq!(first["consumed"], "10.9");
    assert_eq!(first["expired"], "289.1");
    assert_eq!(first["remaining"], "0");
    let lines = account["charges"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "one line per started period");
    for line in lines {
        assert_eq!(line["quantity"], "300");
        assert_eq!(line["unit_price"], "0.06");
        assert_eq!(line["amount"], "18.00");
    }
    assert_eq!(account["charges"]["total"], "36.00");
    assert_eq!(after["totals"]["expired"], "289.1");
}

#[test]
fn json_has_every_key_of_the_schema() {
    let report = json(&[
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-20T12:00:00+08:00",
    ]);
    assert_eq!(report["schema"], "scanquota.report.v1");
    for key in ["plan", "currency", "as_of", "accounts", "totals"] {
        assert!(report.get(key).is_some(), "{key}");
    }
    assert_eq!(report["as_of"], "2024-04-20T12:00:00+08:00");
    let account = &report["accounts"][0];
    for key in [
        "account",
        "scans",
        "units",
        "allowances",
        "charges",
        "subscription",
        "projection",
    ] {
        assert!(account.get(key).is_some(), "accounts[].{key}");
    }
    for key in [
        "duplicates",
        "failed",
        "trial",
        "uncovered",
        "first",
        "repeat",
        "denied",
    ] {
        assert!(account["scans"][key].is_u64(), "scans.{key}");
    }
    for key in ["consumed", "overage", "denied"] {
        assert!(account["units"][key].is_string(), "units.{key} is a string");
    }
    let allowance = &account["allowances"][0];
    for key in [
        "name",
        "kind",
        "granted",
        "consumed",
        "remaining",
        "expired",
        "periods",
    ] {
        assert!(allowance.get(key).is_some(), "allowances[].{key}");
    }
    for key in [
        "start",
        "end",
        "state",
        "granted",
        "consumed",
        "remaining",
        "expired",
    ] {
        assert!(
            allowance["periods"][0].get(key).is_some(),
            "periods[].{key}"
        );
    }
    for key in ["item", "period_start", "quantity", "unit_price", "amount"] {
        assert!(
            account["charges"]["lines"][0][key].is_string(),
            "lines[].{key}"
        );
    }
    assert!(account["charges"]["total"].is_string());
    assert!(account["charges"]["unpriced_overage_units"].is_string());
    for key in ["start", "end", "status"] {
        assert!(
            account["subscription"].get(key).is_some(),
            "subscription.{key}"
        );
    }
    for key in [
        "charges",
        "consumed",
        "remaining",
        "expired",
        "free_used",
        "free_expired",
    ] {
        assert!(report["totals"][key].is_string(), "totals.{key}");
    }
    assert_eq!(account["subscription"]["status"], "active");
    assert_eq!(account["subscription"]["end"], "2024-06-15T14:00:00+08:00");
}

#[test]
fn stdin_and_gzip_logs_give_the_same_report() {
    let as_of = "2024-04-20T12:00:00+08:00";
    let (_, expected, _) = run(&[
        "report", "--plan", USD, "--log", WORKED, "--as-of", as_of, "--format", "json",
    ]);
    let text = std::fs::read(common::root().join(WORKED)).unwrap();
    let output = scanquota()
        .args([
            "report", "--plan", USD, "--log", "-", "--as-of", as_of, "--format", "json",
        ])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);

    let work = Workdir::new();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(&text).unwrap();
    let gz = work.write("scans.csv.gz", encoder.finish().unwrap());
    let (code, gz_output, stderr) = run(&[
        "report", "--plan", USD, "--log", &gz, "--as-of", as_of, "--format", "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(gz_output, expected);
}

#[test]
fn naive_as_of_is_read_in_the_plan_zone() {
    let a = json(&[
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-20 12:00:00",
    ]);
    assert_eq!(a["as_of"], "2024-04-20T12:00:00+08:00");
    let b = json(&["--plan", USD, "--log", WORKED, "--as-of", "1713585600"]);
    assert_eq!(b["as_of"], "2024-04-20T12:00:00+08:00");
}

#[test]
fn account_filter_reports_one_account() {
    let report = json(&[
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        "2024-05-01 12:00:00",
        "--account",
        "team-b",
    ]);
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["account"], "team-b");
}

#[test]
fn bad_inputs_exit_2_with_nothing_on_stdout() {
    let work = Workdir::new();
    let bad_log = work.write(
        "bad.csv",
        "timestamp,image\n2024-03-16T10:00:00Z,a\nnope,b\n",
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--plan",
                USD,
                "--log",
                &bad_log,
                "--as-of",
                "2024-04-01T00:00:00Z",
            ],
            "bad.csv:3:1: timestamp",
        ),
        (
            vec![
                "--plan",
                USD,
                "--log",
                "fixtures/missing.csv",
                "--as-of",
                "2024-04-01T00:00:00Z",
            ],
            "fixtures/missing.csv",
        ),
        (
            vec!["--plan", "fixtures/missing.toml", "--log", WORKED],
            "fixtures/missing.toml",
        ),
        (
            vec!["--plan", USD, "--log", WORKED, "--as-of", "someday"],
            "--as-of `someday`",
        ),
        (
            vec![
                "--plan",
                USD,
                "--log",
                WORKED,
                "--as-of",
                "2024-03-01T00:00:00+08:00",
            ],
            "before the plan starts (2024-03-15T14:00:00+08:00, subscription.start of fixtures/tcss-usd-300.toml)",
        ),
        (
            vec!["--plan", USD, "--log", WORKED, "--format", "xml"],
            "xml",
        ),
        (vec!["--plan", USD], "--log"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["report"];
        all.extend(args);
        scanquota().args(&all).assert().code(2).stdout("").stderr(
            predicate::str::contains(needle).and(predicate::str::contains("panicked").not()),
        );
    }
}

#[test]
fn empty_log_still_reports_the_default_account_and_its_charges() {
    let work = Workdir::new();
    let empty = work.write("empty.csv", "timestamp,image\n");
    let report = json(&[
        "--plan",
        USD,
        "--log",
        &empty,
        "--as-of",
        "2024-04-20T12:00:00+08:00",
    ]);
    assert_eq!(report["accounts"][0]["account"], "default");
    assert_eq!(report["accounts"][0]["charges"]["total"], "36.00");
}

fn snapshot_args<'a>(plan: &'a str, log: &'a str, as_of: &'a str, format: &'a str) -> Vec<&'a str> {
    vec![
        "report", "--plan", plan, "--log", log, "--as-of", as_of, "--format", format,
    ]
}

#[test]
fn snapshots_of_every_format_on_the_fixtures() {
    let cases = [
        ("usd_worked", USD, WORKED, "2024-04-20T12:00:00+08:00"),
        (
            "cny_topup",
            "fixtures/tcss-cny-topup.toml",
            "fixtures/tcss-cny.csv",
            "2024-05-01 12:00:00",
        ),
        (
            "hss_payg",
            "fixtures/hss-payg.toml",
            "fixtures/hss.csv",
            "2024-04-10 12:00:00",
        ),
    ];
    for (name, plan, log, as_of) in cases {
        for format in ["table", "json", "csv"] {
            let (code, stdout, stderr) = run(&snapshot_args(plan, log, as_of, format));
            assert_eq!(code, 0, "{name} {format}: {stderr}");
            insta::assert_snapshot!(format!("{name}_{format}"), stdout);
        }
    }
}

#[test]
fn one_allowance_table_fits_in_100_columns() {
    let (_, stdout, _) = run(&snapshot_args(
        USD,
        WORKED,
        "2024-04-20T12:00:00+08:00",
        "table",
    ));
    for line in stdout.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour when not on a terminal"
    );
}

#[test]
fn csv_guards_cells_from_input_text() {
    let work = Workdir::new();
    let log = work.write(
        "hostile.csv",
        "timestamp,image,account\n2024-03-16T10:00:00+08:00,img,=HYPERLINK(\"x\")\n2024-03-16T10:00:00+08:00,img,@team\n",
    );
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        &log,
        "--as-of",
        "2024-04-20T12:00:00+08:00",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let accounts: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert!(
        accounts.contains(&"'=HYPERLINK(\"x\")".to_string()),
        "{accounts:?}"
    );
    assert!(accounts.contains(&"'@team".to_string()), "{accounts:?}");
}

#[test]
fn as_of_defaults_to_the_clock_to_the_second() {
    let before = chrono::Utc::now().timestamp();
    let report = json(&["--plan", USD, "--log", WORKED]);
    let after = chrono::Utc::now().timestamp();
    let text = report["as_of"].as_str().expect("as_of is a string");
    let as_of = chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339");
    assert!(!text.contains('.'), "no fractional seconds: {text}");
    assert!(text.ends_with("+08:00"), "in the plan's zone: {text}");
    assert!((before..=after).contains(&as_of.timestamp()), "{text}");
}

/// A report prints the as-of it replayed to: one written with a fraction
/// keeps it (it printed 08:00:01 while counting scans up to 08:00:01.5); a
/// bare date, the day's last nanosecond, prints as 23:59:59.
#[test]
fn a_fractional_as_of_is_printed_as_given() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.csv",
        "timestamp,image,account\n2024-04-01T00:00:01.2Z,sha256:aa,default\n",
    );
    let report = json(&[
        "--plan",
        USD,
        "--log",
        &log,
        "--as-of",
        "2024-04-01T00:00:01.5Z",
    ]);
    assert_eq!(report["as_of"], "2024-04-01T08:00:01.500+08:00");
    assert_eq!(report["accounts"][0]["scans"]["first"], 1);
    let report = json(&["--plan", USD, "--log", &log, "--as-of", "2024-04-01"]);
    assert_eq!(report["as_of"], "2024-04-01T23:59:59+08:00");
}

/// A leap second is part of its day: a bare-date `--as-of 2016-12-31` (and a
/// window ending at 2017-01-01 in UTC) counts scans at 23:59:60 and
/// 23:59:60.5 UTC (they were after as-of), and prints as 23:59:59. A start
/// at a leap second keeps it, but the cycles counted from it end at 23:59:59
/// (every later boundary was a 23:59:60 no clock shows).
#[test]
fn a_leap_second_belongs_to_its_day() {
    let dir = Workdir::new();
    let plan = |start: &str| {
        format!(
            "timezone = \"UTC\"\n[subscription]\nstart = {start}\n[metering]\nfirst_scan_units = 1\n\
             [[allowance]]\nname = \"q\"\nunits = 100\n[overage]\npolicy = \"bill\"\nunit_price = 1\n"
        )
    };
    let from_december = dir.write("december.toml", plan("2016-12-01T00:00:00Z"));
    let log = dir.write(
        "log.csv",
        "timestamp,image\n2016-12-31T23:59:59Z,a\n2016-12-31T23:59:60Z,b\n\
         2016-12-31T23:59:60.5Z,c\n2017-01-01T00:00:00Z,d\n",
    );
    let report = json(&[
        "--plan",
        &from_december,
        "--log",
        &log,
        "--as-of",
        "2016-12-31",
    ]);
    assert_eq!(report["as_of"], "2016-12-31T23:59:59+00:00");
    // The last day of the chart's series ends as every day does.
    let daily = report["accounts"][0]["allowances"][0]["periods"][0]["daily"]
        .as_array()
        .unwrap();
    assert_eq!(
        daily.last().unwrap()["until"],
        "2016-12-31T23:59:59.999999999+00:00"
    );
    assert!(!report.to_string().contains(":60"), "{report}");
    assert_eq!(report["accounts"][0]["scans"]["first"], 3);
    assert_eq!(report["accounts"][0]["scans"]["after_as_of"], 1);
    let (code, stdout, stderr) = run(&[
        "invoice",
        "--plan",
        &from_december,
        "--log",
        &log,
        "--month",
        "2016-12",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let invoice: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(invoice["as_of"], "2016-12-31T23:59:59+00:00");
    let at_leap = dir.write("leap.toml", plan("2016-12-31T23:59:60Z"));
    let report = json(&["--plan", &at_leap, "--log", &log, "--as-of", "2017-03-01"]);
    let cycles: Vec<(&str, &str)> = report["accounts"][0]["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["start"].as_str().unwrap(), c["end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        cycles,
        [
            ("2016-12-31T23:59:60+00:00", "2017-01-31T23:59:59+00:00"),
            ("2017-01-31T23:59:59+00:00", "2017-02-28T23:59:59+00:00"),
            ("2017-02-28T23:59:59+00:00", "2017-03-31T23:59:59+00:00"),
        ]
    );
    // The scans from the leap second on are in the first cycle.
    assert_eq!(report["accounts"][0]["scans"]["first"], 3);
}

/// A billing window in a format with no place for its lines (the CSV usage
/// table, OpenMetrics' gauges) is said out loud: the figures are to as-of
/// alone (the same bytes as `--as-of` the window's last day). `merge` of a
/// windowed report says the same; JSON lists the lines and says nothing.
#[test]
fn a_window_in_a_format_without_its_lines_is_noted() {
    const SAID: &str = "format lists no window's lines: its figures are to as-of (2024-11-30T23:59:59+08:00), not those posted from 2024-11-01T00:00:00+08:00 to 2024-12-01T00:00:00+08:00";
    let base = [
        "report",
        "--plan",
        "fixtures/fleet.toml",
        "--log",
        "fixtures/fleet.csv",
    ];
    let with = |extra: &[&str]| {
        let (code, stdout, stderr) = run(&[&base[..], extra].concat());
        assert_eq!(code, 0, "{stderr}");
        (stdout, stderr)
    };
    for format in ["csv", "openmetrics"] {
        let (windowed, said) = with(&["--month", "2024-11", "--format", format]);
        assert!(said.contains(&format!("the {format} {SAID}")), "{said}");
        let (to_date, said) = with(&["--as-of", "2024-11-30", "--format", format]);
        assert_eq!(windowed, to_date);
        assert!(!said.contains(SAID), "{said}");
    }
    let (json, said) = with(&["--month", "2024-11", "--format", "json"]);
    assert!(!said.contains(SAID), "{said}");
    let dir = Workdir::new();
    let report = dir.write("november.json", json);
    let (code, _, said) = run(&["merge", &report, "--format", "csv"]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains(&format!("the csv {SAID}")), "{said}");
    // Plans side by side: no view but JSON lists a window's lines.
    let fleet = std::fs::read_to_string(common::root().join("fixtures/fleet.toml")).unwrap();
    let second = dir.write(
        "second.toml",
        fleet.replacen("name = \"Fleet: ", "name = \"Second fleet: ", 1),
    );
    let (side_by_side, said) = with(&["--plan", &second, "--month", "2024-11"]);
    assert!(!side_by_side.is_empty());
    assert!(
        said.contains("the table format of plans side by side lists no window's lines")
            && said.contains("--format json lists each plan's"),
        "{said}"
    );
    let (_, said) = with(&["--plan", &second, "--month", "2024-11", "--format", "json"]);
    assert!(!said.contains("lists no window's lines"), "{said}");
}

/// `--output -` is standard output (it wrote a file named `-`).
#[test]
fn output_dash_is_standard_output() {
    let dir = Workdir::new();
    let root = common::root();
    let (plan, log) = (root.join(USD), root.join(WORKED));
    let args = [
        "report",
        "--plan",
        plan.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
        "--format",
        "json",
    ];
    let expected = scanquota()
        .current_dir(dir.dir())
        .args(args)
        .output()
        .unwrap();
    let dashed = scanquota()
        .current_dir(dir.dir())
        .args(args)
        .args(["--output", "-"])
        .output()
        .unwrap();
    assert_eq!(dashed.status.code(), Some(0));
    assert!(!expected.stdout.is_empty());
    assert_eq!(dashed.stdout, expected.stdout);
    assert!(!dir.dir().join("-").exists());
    // A table is laid out as for standard output (to `COLUMNS`), not as for
    // a file.
    let table = |dash: bool| {
        let mut command = scanquota();
        command
            .env("COLUMNS", "60")
            .args(&args[..5])
            .args(["--as-of", "2024-04-10T12:00:00+08:00"]);
        if dash {
            command.args(["-o", "-"]);
        }
        command.output().unwrap().stdout
    };
    assert_eq!(table(true), table(false));
}
