//! `report --format openmetrics`: the names and values of the exposition,
//! checked against the JSON report, and the same text parsed by two
//! independent implementations: Python prometheus_client's OpenMetrics
//! parser and `promtool check metrics`. CI installs both (`.ci/run`, which
//! then sets SCANQUOTA_REQUIRE_PARSERS=1); on a machine without them those
//! two checks say so and pass.

mod common;

use common::{root, run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

const FAMILIES: [&str; 13] = [
    "scanquota_granted_units",
    "scanquota_consumed_units",
    "scanquota_remaining_units",
    "scanquota_expired_units",
    "scanquota_charges",
    "scanquota_projected_cycle_charges",
    "scanquota_projected_denied_units",
    "scanquota_projected_overage_units",
    "scanquota_projected_unpriced_overage_units",
    "scanquota_exhausts_at_seconds",
    "scanquota_subscription_end_seconds",
    "scanquota_scans",
    "scanquota_as_of_seconds",
];

const CASES: &[&[&str]] = common::FIXTURE_RUNS;

fn output(args: &[&str], format: &str) -> String {
    common::output("report", args, format)
}

/// `name{labels} value` lines → (name, labels text) → value text.
fn samples(text: &str) -> BTreeMap<(String, String), String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => {
                    (name.to_string(), labels.trim_end_matches('}').to_string())
                }
                None => (series.to_string(), String::new()),
            };
            ((name, labels), value.to_string())
        })
        .collect()
}

fn seconds(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp()
        .to_string()
}

#[test]
fn the_exposition_holds_the_reports_figures_exactly() {
    for args in CASES {
        let text = output(args, "openmetrics");
        assert!(text.ends_with("# EOF\n"), "{args:?}");
        let report: Value = serde_json::from_str(&output(args, "json")).unwrap();
        let found = samples(&text);
        let value = |name: &str, labels: String| found.get(&(name.to_string(), labels)).cloned();
        assert_eq!(
            value("scanquota_as_of_seconds", String::new()),
            Some(seconds(report["as_of"].as_str().unwrap()))
        );
        for account in report["accounts"].as_array().unwrap() {
            let name = account["account"].as_str().unwrap();
            let who = format!("account=\"{name}\"");
            let money = format!(
                "account=\"{name}\",currency=\"{}\"",
                report["currency"].as_str().unwrap()
            );
            assert_eq!(
                value("scanquota_charges", money.clone()).as_deref(),
                account["charges"]["total"].as_str()
            );
            for allowance in account["allowances"].as_array().unwrap() {
                let labels = format!(
                    "account=\"{name}\",allowance=\"{}\"",
                    allowance["name"].as_str().unwrap()
                );
                assert_eq!(
                    value("scanquota_expired_units", labels.clone()).as_deref(),
                    allowance["expired"].as_str()
                );
                let current = allowance["periods"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["state"] == "current");
                if let Some(current) = current {
                    assert_eq!(
                        value("scanquota_granted_units", labels.clone()).as_deref(),
                        current["granted"].as_str()
                    );
                    assert_eq!(
                        value("scanquota_consumed_units", labels.clone()).as_deref(),
                        current["consumed"].as_str()
                    );
                    assert_eq!(
                        value("scanquota_remaining_units", labels.clone()).as_deref(),
                        current["remaining"].as_str()
                    );
                }
            }
            let projection = &account["projection"];
            if projection.is_object() {
                assert_eq!(
                    value("scanquota_projected_cycle_charges", money).as_deref(),
                    projection["projected_cycle_charges"].as_str()
                );
                assert_eq!(
                    value("scanquota_projected_denied_units", who.clone()).as_deref(),
                    projection["projected_denied"].as_str()
                );
                assert_eq!(
                    value("scanquota_projected_overage_units", who.clone()).as_deref(),
                    projection["projected_overage"].as_str()
                );
                assert_eq!(
                    value("scanquota_projected_unpriced_overage_units", who.clone()).as_deref(),
                    projection["projected_unpriced_overage"].as_str()
                );
                assert_eq!(
                    value("scanquota_exhausts_at_seconds", who.clone()),
                    projection["exhausts_at"].as_str().map(seconds)
                );
            }
            assert_eq!(
                value("scanquota_subscription_end_seconds", who.clone()),
                account["subscription"]["end"].as_str().map(seconds)
            );
            for (outcome, key) in [
                ("first", "first"),
                ("repeat", "repeat"),
                ("denied", "denied"),
                ("duplicate", "duplicates"),
                ("after_as_of", "after_as_of"),
            ] {
                assert_eq!(
                    value("scanquota_scans", format!("{who},outcome=\"{outcome}\"")),
                    Some(account["scans"][key].to_string())
                );
            }
        }
        for line in text.lines().filter(|l| l.starts_with("# TYPE")) {
            assert!(line.ends_with(" gauge"), "{line}");
            let name = line.split(' ').nth(2).unwrap();
            assert!(FAMILIES.contains(&name), "{name}");
        }
    }
}

/// Run `program args` with `input` on stdin: (exit code, stdout, stderr),
/// or `None` when it cannot be started.
fn pipe(program: &str, args: &[&str], input: &str) -> Option<(i32, String, String)> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Some((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// `.ci/run` sets this once it has installed both parsers: then a missing
/// one is a failure, not a skip.
fn in_ci() -> bool {
    std::env::var("SCANQUOTA_REQUIRE_PARSERS").is_ok_and(|v| v == "1")
}

#[test]
fn python_prometheus_client_parses_every_family_and_value() {
    for args in CASES {
        let text = output(args, "openmetrics");
        let Some((code, stdout, stderr)) = pipe("python3", &["tests/openmetrics_check.py"], &text)
        else {
            assert!(!in_ci(), "python3 is missing");
            eprintln!("skipped: no python3");
            return;
        };
        if code == 3 {
            assert!(!in_ci(), "CI installs prometheus_client");
            eprintln!("skipped: the Python package prometheus_client is not installed");
            return;
        }
        assert_eq!(
            code, 0,
            "{args:?}: the parser refused the exposition: {stderr}"
        );
        let parsed: Value = serde_json::from_str(&stdout).unwrap();
        let ours = samples(&text);
        let families: Vec<&String> = parsed.as_object().unwrap().keys().collect();
        for family in &families {
            assert!(FAMILIES.contains(&family.as_str()), "{family}");
            assert_eq!(parsed[family.as_str()]["type"], "gauge");
        }
        let mut count = 0;
        for (name, family) in parsed.as_object().unwrap() {
            for sample in family["samples"].as_array().unwrap() {
                let labels: Vec<String> = sample[0]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap()))
                    .collect();
                let mut sorted = labels.clone();
                sorted.sort();
                let ours_value = ours
                    .iter()
                    .find(|((n, l), _)| {
                        let mut ours_labels: Vec<&str> = if l.is_empty() {
                            vec![]
                        } else {
                            l.split(',').collect()
                        };
                        ours_labels.sort();
                        n == name
                            && ours_labels == sorted.iter().map(String::as_str).collect::<Vec<_>>()
                    })
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("{name}{labels:?} not in our text"));
                let theirs: f64 = sample[1].as_str().unwrap().parse().unwrap();
                assert_eq!(
                    theirs,
                    ours_value.parse::<f64>().unwrap(),
                    "{name}{labels:?}"
                );
                count += 1;
            }
        }
        assert_eq!(count, ours.len(), "{args:?}: every sample parsed");
    }
}

#[test]
fn promtool_accepts_the_same_text() {
    for args in CASES {
        let text = output(args, "openmetrics");
        let Some((code, stdout, stderr)) = pipe("promtool", &["check", "metrics"], &text) else {
            assert!(!in_ci(), "CI installs promtool (Debian package prometheus)");
            eprintln!("skipped: promtool is not installed");
            return;
        };
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
    }
}

#[test]
fn openmetrics_is_for_a_single_plans_report() {
    let (code, stdout, stderr) = run(&[
        "invoice",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        "fixtures/tcss-worked-example.csv",
        "--format",
        "openmetrics",
    ]);
    // An invoice has no OpenMetrics view, so it is not among invoice's
    // formats at all: the usage error lists the ones there are.
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("invalid value 'openmetrics'")
            && stderr.contains("[possible values: table, json, csv, markdown, html]"),
        "{stderr}"
    );
}

#[test]
fn several_plans_with_openmetrics_are_refused_before_any_input_is_read() {
    // The log does not exist: the refusal must come first, naming the format.
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/no-such-log.csv",
        "--format",
        "openmetrics",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--format `openmetrics`") && stderr.contains("comparison of plans"),
        "{stderr}"
    );
    assert!(!stderr.contains("no-such-log"), "{stderr}");
}
