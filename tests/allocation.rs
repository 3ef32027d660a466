//! Cost allocation (`--by`): a case computed by hand through the binary,
//! invariants over random plans and logs, and bad input.

mod common;

use common::random::{as_of, log_text, plan_spec, plan_text, rows};
use common::{Workdir, run};
use proptest::prelude::*;
use rust_decimal::Decimal;
use scanquota::engine::allocation::{AllocationRules, Breakdown};
use scanquota::engine::meter::{Schedule, replay};
use scanquota::input::log::{ReadOptions, ScanLog};
use scanquota::model::report::{Report, assemble};
use scanquota::plan::Plan;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const PLAN: &str = "name = \"Two teams\"\ncurrency = \"USD\"\n\
    [subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 2\n\
    [metering]\nfirst_scan_units = 1\nrepeat_scan_units = 0.1\n\
    [[allowance]]\nname = \"quota\"\nunits = 10\nunit_price = 1\n\
    [overage]\npolicy = \"bill\"\nunit_price = 2\n\
    [[fee]]\nname = \"pro\"\nquantity = 1\nunit_price = 3\n";

/// January: A scans img1 first (1 unit), B repeats it (0.1) and scans img2
/// (1): 2.1 of 10 drawn, 7.9 expire. February: A scans 9 new images, B one
/// (the quota's 10 units), then A a new image (1 unit overage) and B img1
/// again (0.1 overage).
fn hand_log() -> String {
    let mut log = String::from("timestamp,image,team\n");
    log +=
        "2024-01-02T00:00:00Z,img1,A\n2024-01-03T00:00:00Z,img1,B\n2024-01-04T00:00:00Z,img2,B\n";
    for day in 2..=10 {
        log += &format!("2024-02-{day:02}T00:00:00Z,a{day},A\n");
    }
    log +=
        "2024-02-11T00:00:00Z,img3,B\n2024-02-12T00:00:00Z,img30,A\n2024-02-13T00:00:00Z,img1,B\n";
    log
}

/// `COMMAND` on the hand-computed case (as of 2024-02-20, `--by team`),
/// which must succeed: its stdout.
fn hand_case(command: &str, format: &str, extra: &[&str]) -> String {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write("log.csv", hand_log());
    let mut args = vec![
        command,
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-02-20T00:00:00Z",
        "--by",
        "team",
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

fn allocation(extra: &[&str]) -> Value {
    let report: Value = serde_json::from_str(&hand_case("report", "json", extra)).unwrap();
    assert_eq!(report["accounts"][0]["charges"]["total"], "28.20");
    report["accounts"][0]["allocation"].clone()
}

fn money_of(allocation: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = allocation["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["charges"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.push((
        "(unused)".into(),
        allocation["unused"].as_str().unwrap().into(),
    ));
    out.push((
        "(shared)".into(),
        allocation["shared"].as_str().unwrap().into(),
    ));
    out
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn two_teams_computed_by_hand() {
    let allocation = allocation(&[]);
    assert_eq!(allocation["by"], "team");
    assert_eq!(allocation["total"], "28.20");
    // A: 1 unit of January's 10.00 line (1.00), 9 of February's (9.00), the
    // 1 overage unit at 2 (2.00). B: 1.1 units (1.10), 1 unit (1.00), 0.1
    // overage (0.20). Unused: January's 7.9 expired units (7.90). Shared:
    // the two 3.00 fees.
    assert_eq!(
        money_of(&allocation),
        pairs(&[
            ("A", "12.00"),
            ("B", "2.30"),
            ("(unused)", "7.90"),
            ("(shared)", "6.00")
        ])
    );
    let groups = &allocation["groups"];
    assert_eq!(
        groups[0],
        json!({"group": "A", "first": 11, "repeat": 0, "denied": 0, "units": "11", "share": "0.8333", "charges": "12.00", "unpriced_overage_units": "0"})
    );
    assert_eq!(
        groups[1],
        json!({"group": "B", "first": 2, "repeat": 2, "denied": 0, "units": "2.2", "share": "0.1667", "charges": "2.30", "unpriced_overage_units": "0"})
    );
    // Per cycle: January A 1.00, B 1.10, unused 7.90, shared 3.00.
    let january = &allocation["cycles"][0];
    assert_eq!(january["groups"][0]["charges"], "1.00");
    assert_eq!(january["groups"][1]["charges"], "1.10");
    assert_eq!(january["groups"][1]["units"], "1.1");
    assert_eq!(january["unused"], "7.90");
    assert_eq!(january["shared"], "3.00");
}

#[test]
fn shared_lines_spread_by_units_with_largest_remainders() {
    // January's fee 3.00 by units 1 : 1.1 → 1.428… and 1.571…: floors 1.42
    // and 1.57, the cent to A (remainder .0086 > .0014). February's by
    // 10 : 1.1 → 2.7027… and 0.2972…: 2.70 and 0.29, the cent to B.
    let allocation = allocation(&["--allocate-shared", "proportional"]);
    assert_eq!(
        money_of(&allocation),
        pairs(&[
            ("A", "16.13"),
            ("B", "4.17"),
            ("(unused)", "7.90"),
            ("(shared)", "0.00")
        ])
    );
}

#[test]
fn unused_units_spread_by_drawn_units() {
    // January's 10.00 by drawn 1 : 1.1 → 4.7619… and 5.2380…: 4.76 and
    // 5.23, the cent to B. February had nothing unused.
    let allocation = allocation(&["--allocate-unused", "proportional"]);
    assert_eq!(
        money_of(&allocation),
        pairs(&[
            ("A", "15.76"),
            ("B", "6.44"),
            ("(unused)", "0.00"),
            ("(shared)", "6.00")
        ])
    );
}

#[test]
fn the_table_and_csv_show_the_same_allocation() {
    let text = |format| hand_case("report", format, &[]);
    let table = text("table");
    assert!(
        table.contains("Allocation by team · account default (USD)"),
        "{table}"
    );
    for row in [" A ", " B ", "(unused)", "(shared)"] {
        assert!(table.contains(row), "{table}");
    }
    let csv = text("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut sum = Decimal::ZERO;
    for record in reader.deserialize::<BTreeMap<String, String>>() {
        sum += record.unwrap()["charges"].parse::<Decimal>().unwrap();
    }
    assert_eq!(sum.to_string(), "28.20", "{csv}");
    insta::assert_snapshot!("allocation_table", table);
    insta::assert_snapshot!("allocation_csv", csv);
}

#[test]
fn ledger_by_adds_the_group_column() {
    let stdout = hand_case("ledger", "csv", &[]);
    let mut lines = stdout.lines();
    assert!(lines.next().unwrap().ends_with(",line,group"));
    assert!(lines.next().unwrap().ends_with(",2,A"));
    assert!(lines.next().unwrap().ends_with(",3,B"));
}

#[test]
fn bad_keys_exit_2_naming_the_file_and_line() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", PLAN);
    let log = dir.write("log.csv", hand_log());
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--by",
        "namespace",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("no `namespace` column") && stderr.contains("timestamp, image, team"),
        "{stderr}"
    );
    let long = dir.write(
        "long.csv",
        format!(
            "timestamp,image,team\n2024-01-02T00:00:00Z,img1,{}\n",
            "x".repeat(257)
        ),
    );
    let (code, _, stderr) = run(&["report", "--plan", &plan, "--log", &long, "--by", "team"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("long.csv:2:3: team:") && stderr.contains("256 bytes"),
        "{stderr}"
    );
    let control = dir.write(
        "control.csv",
        "timestamp,image,team\n2024-01-02T00:00:00Z,img1,a\u{7}b\n",
    );
    let (code, _, stderr) = run(&["report", "--plan", &plan, "--log", &control, "--by", "team"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("control.csv:2:3") && stderr.contains("control character"),
        "{stderr}"
    );
}

fn report_of(plan: &str, log: &str, minute: u32, breakdown: Option<AllocationRules>) -> Report {
    let plan = Plan::from_str("plan.toml", plan).unwrap();
    let options = ReadOptions {
        group_column: breakdown.map(|_| "team".to_string()),
        ..ReadOptions::default()
    };
    let mut scans = ScanLog::default();
    scans
        .read_one_with(&options, "log.csv", log.as_bytes(), plan.zone)
        .unwrap();
    scans.sort();
    let as_of = as_of(&plan, minute);
    let mut schedule = Schedule::new(&plan, as_of);
    schedule.grouped = breakdown.is_some();
    let usages = replay(&plan, &scans, &schedule, None, |_, _| {});
    let breakdown = breakdown.map(|rules| Breakdown {
        by: "team".into(),
        names: (0..scans.groups.len() as u32)
            .map(|id| scans.groups.name(id).to_string())
            .collect(),
        rules,
    });
    assemble(
        &plan,
        &schedule,
        usages,
        scans.accounts.is_empty(),
        None,
        None,
        breakdown.as_ref(),
    )
    .expect("small plans fit")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn groups_add_up_to_the_account_and_change_nothing_else(
        spec in plan_spec(),
        rows in rows(),
        minute in 0u32..180_000,
        unused in any::<bool>(),
        shared in any::<bool>(),
    ) {
        let plan = plan_text(&spec);
        let log = log_text(&rows);
        let rules = AllocationRules { unused_proportional: unused, shared_proportional: shared };
        let plain = report_of(&plan, &log, minute, None);
        let mut broken = report_of(&plan, &log, minute, Some(rules));
        for account in &broken.accounts {
            let allocation = account.allocation.as_ref().expect("an allocation per account");
            let units: Decimal = allocation.groups.iter().map(|g| g.units.value()).sum();
            prop_assert_eq!(units, account.units.consumed.value() + account.units.overage.value());
            let money: Decimal = allocation.groups.iter().map(|g| g.charges.value()).sum::<Decimal>()
                + allocation.unused.value() + allocation.shared.value();
            prop_assert_eq!(money, account.charges.total.value());
            prop_assert_eq!(allocation.total, account.charges.total);
            let scans = &account.scans;
            prop_assert_eq!(allocation.groups.iter().map(|g| g.first).sum::<u64>(), scans.first);
            prop_assert_eq!(allocation.groups.iter().map(|g| g.repeat).sum::<u64>(), scans.repeat);
            prop_assert_eq!(allocation.groups.iter().map(|g| g.denied).sum::<u64>(), scans.denied);
            for cycle in &allocation.cycles {
                for group in &cycle.groups {
                    prop_assert_eq!(group.charges.value().scale(), 2);
                }
            }
            if shared {
                // Fees land on groups whenever a cycle has units at all.
                prop_assert!(allocation.shared.value() <= account.charges.total.value());
            }
        }
        // The cycles (the CSV view's rows) add up to the account's groups,
        // unused and shared: what merge holds a report to, read back.
        let read: Report = serde_json::from_str(&serde_json::to_string(&broken).unwrap()).unwrap();
        prop_assert_eq!(read.unbalanced(), None);
        for account in &mut broken.accounts {
            account.allocation = None;
        }
        prop_assert_eq!(plain, broken, "--by changes no figure of the report");
    }
}

#[test]
fn a_streamed_and_a_sorted_replay_allocate_alike() {
    // fixtures/teams.csv is in time order (streamed); shuffled it must be
    // read whole and sorted: the same report, allocation included.
    let text = std::fs::read_to_string(common::root().join("fixtures/teams.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let dir = Workdir::new();
    let reversed = dir.write("reversed.csv", format!("{header}\n{}\n", lines.join("\n")));
    let report = |log: &str| {
        let (code, stdout, stderr) = run(&[
            "report",
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            log,
            "--as-of",
            "2024-05-01",
            "--by",
            "team",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<Value>(&stdout).unwrap()
    };
    let streamed = report("fixtures/teams.csv");
    let mut sorted = report(&reversed);
    // Rows with equal times keep their input order, so compare figures, not lines.
    assert_eq!(
        streamed["accounts"][0]["allocation"],
        sorted["accounts"][0]["allocation"]
    );
    sorted["accounts"][0]["allocation"] = Value::Null;
    assert_eq!(streamed["totals"], sorted["totals"]);
}

#[test]
fn the_invoice_carries_the_allocation_too() {
    let text = |format| hand_case("invoice", format, &[]);
    let invoice: Value = serde_json::from_str(&text("json")).unwrap();
    let allocation = &invoice["accounts"][0]["allocation"];
    assert_eq!(
        money_of(allocation),
        pairs(&[
            ("A", "12.00"),
            ("B", "2.30"),
            ("(unused)", "7.90"),
            ("(shared)", "6.00")
        ])
    );
    // The open cycle's overage is accrued, not posted: together they are
    // the charges to date.
    assert_eq!(invoice["posted"], "26.00");
    assert_eq!(invoice["accrued"], "2.20");
    let table = text("table");
    assert!(
        table.contains("Allocation by team · account default (USD)"),
        "{table}"
    );
}
