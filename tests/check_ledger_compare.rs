//! `check`, `ledger` and plan comparison through the real binary.

mod common;

use common::{Workdir, run, scanquota};
use std::collections::BTreeMap;

const USD: &str = "fixtures/tcss-usd-300.toml";
const WORKED: &str = "fixtures/tcss-worked-example.csv";
const AS_OF: &str = "2024-04-10T12:00:00+08:00";

fn check(extra: &[&str]) -> (i32, String, String) {
    check_at(AS_OF, extra)
}

fn check_at(as_of: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["check", "--plan", USD, "--log", WORKED, "--as-of", as_of];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn min_remaining_passes_and_alerts() {
    assert_eq!(
        check(&["--min-remaining", "50"]),
        (
            0,
            "OK default remaining=289.1 (limit 50)\n".into(),
            String::new()
        )
    );
    let (code, stdout, stderr) = check(&["--min-remaining", "290"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "ALERT default remaining=289.1 (limit 290)\n");
    // Lines go to stdout only; stderr says how many checks alerted.
    assert_eq!(stderr, "scanquota: 1 of 1 checks alerted\n");
    let (code, stdout, _) = check(&["--min-remaining", "290", "--allowance", "quota"]);
    assert_eq!(
        (code, stdout.as_str()),
        (1, "ALERT default remaining[quota]=289.1 (limit 290)\n")
    );
}

#[test]
fn max_used_percent_passes_and_alerts() {
    // 10.9 of 300 = 3.63 %.
    assert_eq!(
        check(&["--max-used-percent", "5"]).1,
        "OK default used_percent=3.63 (limit 5)\n"
    );
    assert_eq!(check(&["--max-used-percent", "3.5"]).0, 1);
}

/// The verdict is exact: 10.9 of 300 is 3.6333… %, over a limit of 3.63 or
/// 3.633 though it rounds to 3.63 (both passed); where 2 places would read
/// as the limit or on its other side, the value is shown to 8.
#[test]
fn max_used_percent_is_decided_exactly_not_on_the_rounded_value() {
    for (limit, code, line) in [
        (
            "3.63",
            1,
            "ALERT default used_percent=3.63333333 (limit 3.63)\n",
        ),
        (
            "3.633",
            1,
            "ALERT default used_percent=3.63333333 (limit 3.633)\n",
        ),
        ("3.6334", 0, "OK default used_percent=3.63 (limit 3.6334)\n"),
        ("3.64", 0, "OK default used_percent=3.63 (limit 3.64)\n"),
        ("3.62", 1, "ALERT default used_percent=3.63 (limit 3.62)\n"),
    ] {
        let (got, stdout, stderr) = check(&["--max-used-percent", limit]);
        assert_eq!((got, stdout.as_str()), (code, line), "{limit}: {stderr}");
    }
}

#[test]
fn max_projected_charges_passes_and_alerts() {
    assert_eq!(
        check(&["--max-projected-charges", "18"]),
        (
            0,
            "OK default projected_charges=18.00 (limit 18)\n".into(),
            String::new()
        )
    );
    assert_eq!(check(&["--max-projected-charges", "17.99"]).0, 1);
}

/// At the very start of a cycle there is no projection (SPEC §6), yet the
/// cycle has posted its allowance: a run on the boundary (cron at
/// midnight of the anchor) is held to the limit as a second later is.
#[test]
fn max_projected_charges_at_a_cycle_start_holds_what_it_posted() {
    for as_of in ["2024-04-15T14:00:00+08:00", "2024-04-15T14:00:01+08:00"] {
        let run_at = |limit: &str| check_at(as_of, &["--max-projected-charges", limit]);
        let (code, stdout, _) = run_at("17.99");
        assert_eq!(
            (code, stdout.as_str()),
            (1, "ALERT default projected_charges=18.00 (limit 17.99)\n"),
            "{as_of}"
        );
        let (code, stdout, _) = run_at("18");
        assert_eq!(
            (code, stdout.as_str()),
            (0, "OK default projected_charges=18.00 (limit 18)\n"),
            "{as_of}"
        );
    }
}

/// On a plan that prices cores, `check` counts the cores days posted so
/// far as `report` does (team-a's cycle: 220.00 of allowance and fees,
/// 224.33 with its cores days), and fails closed without the samples:
/// `--max-projected-charges` is refused, the other checks run with the
/// note `report` prints.
#[test]
fn max_projected_charges_counts_the_cores_days_posted() {
    let base = [
        "check",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--as-of",
        "2024-04-10",
        "--account",
        "team-a",
    ];
    let with = |extra: &[&str]| run(&[&base[..], extra].concat());
    let cores = ["--cores", "fixtures/cores.csv"];
    let (code, stdout, stderr) = with(&[&cores[..], &["--max-projected-charges", "222"]].concat());
    assert_eq!(
        (code, stdout.as_str()),
        (1, "ALERT team-a projected_charges=224.33 (limit 222)\n"),
        "{stderr}"
    );
    let (code, stdout, stderr) = with(&[&cores[..], &["--max-projected-charges", "225"]].concat());
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (0, "OK team-a projected_charges=224.33 (limit 225)\n", "")
    );
    // Without the samples it would have said OK at 220.00.
    let (code, stdout, stderr) = with(&["--max-projected-charges", "222"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("--max-projected-charges: the plan fixtures/tcss-cny-topup.toml prices cores ([cores]) and no --cores file was given"),
        "{stderr}"
    );
    assert!(stderr.contains("pass --cores FILE"), "{stderr}");
    let (code, stdout, stderr) = with(&["--min-remaining", "5"]);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "OK team-a remaining=290.6 (limit 5)\n")
    );
    assert!(
        stderr.contains(
            "prices cores ([cores]) but no --cores file was given: no cores lines are billed"
        ),
        "{stderr}"
    );
}

#[test]
fn expiring_within_passes_and_alerts() {
    // The term ends 2024-06-15 14:00 +08:00: 66.08 days after as-of.
    assert_eq!(
        check(&["--expiring-within", "30"]).1,
        "OK default expires_in_days=66 (limit 30)\n"
    );
    assert_eq!(check(&["--expiring-within", "66"]).0, 1);
}

#[test]
fn quiet_prints_nothing_and_keeps_the_status() {
    scanquota()
        .args([
            "check",
            "--plan",
            USD,
            "--log",
            WORKED,
            "--as-of",
            AS_OF,
            "--min-remaining",
            "290",
            "--quiet",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
}

#[test]
fn check_bad_input_exits_2() {
    for extra in [
        vec!["--min-remaining", "lots"],
        vec!["--min-remaining", "-1"],
        vec![],
        vec!["--min-remaining", "1", "--allowance", "nope"],
    ] {
        let (code, stdout, stderr) = check(&extra);
        assert_eq!(code, 2, "{extra:?}: {stderr}");
        assert_eq!(stdout, "");
        assert!(!stderr.is_empty());
    }
    // Days are whole: said so, with the fix (it was "invalid digit found
    // in string").
    let (code, _, stderr) = check(&["--expiring-within", "1.5"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("'1.5' for '--expiring-within <DAYS>': is not a whole number of days; write one from 0 up, e.g. 7"),
        "{stderr}"
    );
}

#[test]
fn check_lines_are_pinned() {
    let (_, stdout, _) = run(&[
        "check",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--cores",
        "fixtures/cores.csv",
        "--as-of",
        "2024-05-01 12:00:00",
        "--min-remaining",
        "597",
        "--max-used-percent",
        "1",
        "--max-projected-charges",
        "300",
        "--expiring-within",
        "45",
    ]);
    insta::assert_snapshot!("check_lines", stdout);
    let (_, json, _) = run(&[
        "check",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        AS_OF,
        "--min-remaining",
        "50",
        "--format",
        "json",
    ]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        parsed,
        serde_json::json!([{"status": "OK", "account": "default", "check": "remaining", "value": "289.1", "limit": "50"}])
    );
    let (_, markdown, _) = check(&["--min-remaining", "50", "--format", "markdown"]);
    assert_eq!(
        markdown,
        "| Status | Account | Check | Value | Limit |\n| --- | --- | --- | ---: | ---: |\n| OK | default | remaining | 289.1 | 50 |\n"
    );
}

/// Sum a JSON Lines ledger by outcome: (rows, units).
fn ledger_sums(
    plan: &str,
    log: &str,
    as_of: &str,
) -> (usize, BTreeMap<String, (u64, rust_decimal::Decimal)>) {
    let (code, stdout, stderr) = run(&[
        "ledger", "--plan", plan, "--log", log, "--as-of", as_of, "--format", "jsonl",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut sums: BTreeMap<String, (u64, rust_decimal::Decimal)> = BTreeMap::new();
    let mut rows = 0;
    for line in stdout.lines() {
        let row: serde_json::Value =
            serde_json::from_str(line).expect("each line is one JSON object");
        rows += 1;
        let entry = sums
            .entry(row["outcome"].as_str().unwrap().to_string())
            .or_default();
        entry.0 += 1;
        entry.1 += row["units"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap();
    }
    (rows, sums)
}

#[test]
fn ledger_sums_reproduce_the_report_on_every_fixture() {
    let cases = [
        (USD, WORKED, "2024-04-20T12:00:00+08:00"),
        (
            "fixtures/tcss-cny-topup.toml",
            "fixtures/tcss-cny.csv",
            "2024-05-01 12:00:00",
        ),
        (
            "fixtures/hss-payg.toml",
            "fixtures/hss.csv",
            "2024-04-10 12:00:00",
        ),
    ];
    for (plan, log, as_of) in cases {
        let (rows, sums) = ledger_sums(plan, log, as_of);
        let input_rows = std::fs::read_to_string(common::root().join(log))
            .unwrap()
            .lines()
            .count()
            - 1;
        assert_eq!(rows, input_rows, "{log}: one ledger row per input row");
        let (_, report, _) = run(&[
            "report", "--plan", plan, "--log", log, "--as-of", as_of, "--format", "json",
        ]);
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        let mut counters: BTreeMap<String, u64> = BTreeMap::new();
        let mut units = rust_decimal::Decimal::ZERO;
        let mut denied_units = rust_decimal::Decimal::ZERO;
        for account in report["accounts"].as_array().unwrap() {
            for (key, outcome) in [
                ("duplicates", "duplicate"),
                ("failed", "failed"),
                ("trial", "trial"),
                ("uncovered", "uncovered"),
                ("first", "first"),
                ("repeat", "repeat"),
                ("denied", "denied"),
                ("after_as_of", "after_as_of"),
            ] {
                *counters.entry(outcome.to_string()).or_default() +=
                    account["scans"][key].as_u64().unwrap();
            }
            let read = |key: &str| {
                account["units"][key]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            };
            units += read("consumed") + read("overage") + read("denied");
            denied_units += read("denied");
        }
        for (outcome, count) in &counters {
            assert_eq!(
                sums.get(outcome).map_or(0, |s| s.0),
                *count,
                "{log}: {outcome}"
            );
        }
        let ledger_units: rust_decimal::Decimal = sums.values().map(|s| s.1).sum();
        assert_eq!(
            ledger_units, units,
            "{log}: ledger units = consumed + overage + denied"
        );
        assert_eq!(
            sums.get("denied")
                .map_or(rust_decimal::Decimal::ZERO, |s| s.1),
            denied_units
        );
    }
}

#[test]
fn ledger_rows_name_their_source_line_and_draws() {
    let (_, csv, _) = run(&[
        "ledger",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-20T12:00:00+08:00",
        "--format",
        "csv",
    ]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("timestamp,account,image,source,scan_id,outcome,units,draws,overage,file,line")
    );
    assert_eq!(
        lines.next(),
        Some(
            "2024-03-16T09:00:00+08:00,default,sha256:aaaa,registry,scan-001,first,1,quota:1,0,fixtures/tcss-worked-example.csv,2"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "2024-03-16T15:00:00+08:00,default,sha256:aaaa,registry,scan-002,repeat,0.1,quota:0.1,0,fixtures/tcss-worked-example.csv,3"
        )
    );
    let (_, table, _) = run(&[
        "ledger",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-20T12:00:00+08:00",
    ]);
    assert!(table.contains("fixtures/tcss-worked-example.csv:101"));
}

#[test]
fn ledger_csv_guards_hostile_cells() {
    let work = Workdir::new();
    let log = work.write(
        "hostile.csv",
        "timestamp,image,account,scan_id\n2024-03-16T10:00:00+08:00,=cmd|' /C calc'!A0,+acct,@id\n",
    );
    let (code, csv, _) = run(&[
        "ledger", "--plan", USD, "--log", &log, "--as-of", AS_OF, "--format", "csv",
    ]);
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "'+acct");
    assert_eq!(&row[2], "'=cmd|' /C calc'!A0");
    assert_eq!(&row[4], "'@id");
}

#[test]
fn ledger_broken_pipe_exits_quietly() {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} ledger --plan {USD} --log {WORKED} --as-of {AS_OF} --format csv | head -1",
            assert_cmd::cargo::cargo_bin!("scanquota").display()
        ))
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn comparing_plans_uses_one_report_per_plan() {
    let args = |format: &'static str| {
        vec![
            "report",
            "--plan",
            USD,
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            WORKED,
            "--as-of",
            "2024-05-01 12:00:00",
            "--format",
            format,
        ]
    };
    let (code, json, stderr) = run(&args("json"));
    assert_eq!(code, 0, "{stderr}");
    let comparison: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(comparison["schema"], "scanquota.compare.v1");
    let reports = comparison["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    // Each is exactly the single-plan report.
    for (index, plan) in [USD, "fixtures/tcss-cny-topup.toml"].iter().enumerate() {
        let (_, single, _) = run(&[
            "report",
            "--plan",
            plan,
            "--log",
            WORKED,
            "--as-of",
            "2024-05-01 12:00:00",
            "--format",
            "json",
        ]);
        let single: serde_json::Value = serde_json::from_str(&single).unwrap();
        assert_eq!(reports[index], single);
    }
    for format in ["table", "csv", "markdown"] {
        let (code, stdout, stderr) = run(&args(format));
        assert_eq!(code, 0, "{stderr}");
        insta::assert_snapshot!(format!("compare_{format}"), stdout);
    }
}

#[test]
fn comparing_plans_in_different_zones_reads_stdin_once() {
    let work = Workdir::new();
    let utc_plan = work.write(
        "utc.toml",
        "name = \"utc\"\n[subscription]\nstart = 2024-03-15T06:00:00Z\n[[allowance]]\nname = \"q\"\nunits = 300\n",
    );
    let log = std::fs::read(common::root().join(WORKED)).unwrap();
    let output = scanquota()
        .args([
            "report",
            "--plan",
            USD,
            "--plan",
            &utc_plan,
            "--log",
            "-",
            "--as-of",
            "2024-04-20T00:00:00Z",
            "--format",
            "json",
        ])
        .write_stdin(log)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let comparison: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for report in comparison["reports"].as_array().unwrap() {
        assert_eq!(report["accounts"][0]["scans"]["repeat"], 99);
    }
}

#[test]
fn markdown_report_is_pinned() {
    let (code, stdout, _) = run(&[
        "report",
        "--plan",
        USD,
        "--log",
        WORKED,
        "--as-of",
        "2024-04-20T12:00:00+08:00",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("report_markdown", stdout);
}

#[test]
fn check_in_a_shell_pipeline() {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} check --plan {USD} --log {WORKED} --as-of {AS_OF} --min-remaining 50 --quiet && echo ok",
            assert_cmd::cargo::cargo_bin!("scanquota").display()
        ))
        .current_dir(common::root())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "ok\n");
}
