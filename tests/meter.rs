//! The replay, charges and status (docs/plan.md) through the library:
//! one test per rule, on small hand-written plans and logs.

use rust_decimal::Decimal;
use scanquota::domain::zone::parse_timestamp;
use scanquota::engine::meter::{ScanOutcome, Schedule, replay};
use scanquota::input::log::ScanLog;
mod common;
use common::reference::generate;
use scanquota::model::report::{AccountReport, Report};
use scanquota::plan::{Plan, SubscriptionStatus};
use std::str::FromStr;

const TCSS: &str = r#"
name = "tcss"
timezone = "+08:00"
[subscription]
start = 2024-03-15T14:00:00+08:00
months = 3
[metering]
first_scan_units = 1
repeat_scan_units = 0.1
[[allowance]]
name = "quota"
units = 300
unit_price = 0.06
step = 300
"#;

fn parse(plan: &str, csv: &str) -> (Plan, ScanLog) {
    let plan = Plan::from_str("plan.toml", plan).expect("plan is valid");
    let mut log = ScanLog::default();
    log.read_one("log.csv", csv.as_bytes(), plan.zone)
        .expect("log is valid");
    log.sort();
    (plan, log)
}

fn report(plan: &str, csv: &str, as_of: &str) -> Report {
    let (plan, log) = parse(plan, csv);
    let as_of = parse_timestamp(as_of, plan.zone).unwrap();
    generate(&plan, &log, as_of, None).unwrap()
}

fn only(report: &Report) -> &AccountReport {
    assert_eq!(report.accounts.len(), 1);
    &report.accounts[0]
}

/// Every replayed row's (outcome, units, draws, overage) in replay order.
fn ledger(plan: &str, csv: &str, as_of: &str) -> Vec<(ScanOutcome, String, Vec<String>, String)> {
    let (plan, log) = parse(plan, csv);
    let schedule = Schedule::new(&plan, parse_timestamp(as_of, plan.zone).unwrap());
    let mut rows = Vec::new();
    replay(&plan, &log, &schedule, None, |_, result| {
        rows.push((
            result.outcome,
            result.units().normalize().to_string(),
            result.draws().map(|d| d.normalize().to_string()).collect(),
            result.overage().normalize().to_string(),
        ));
    });
    rows
}

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn log_of(rows: &[&str]) -> String {
    let mut csv = String::from("timestamp,image,account,status,scan_id\n");
    for row in rows {
        csv.push_str(row);
        csv.push('\n');
    }
    csv
}

#[test]
fn vendor_worked_example_100_scans_of_one_image() {
    let rows: Vec<String> = (0..100)
        .map(|i| {
            format!(
                "2024-03-16T10:{:02}:{:02}+08:00,sha256:a,,,",
                i / 60,
                i % 60
            )
        })
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let csv = log_of(&rows);
    let during = report(TCSS, &csv, "2024-04-01T00:00:00+08:00");
    let account = only(&during);
    assert_eq!((account.scans.first, account.scans.repeat), (1, 99));
    assert_eq!(account.units.consumed.to_string(), "10.9");
    assert_eq!(account.allowances[0].remaining.to_string(), "289.1");

    let after = report(TCSS, &csv, "2024-04-15T14:00:00+08:00");
    let period = &only(&after).allowances[0].periods[0];
    assert_eq!(period.state, scanquota::model::report::PeriodState::Closed);
    assert_eq!(period.consumed.to_string(), "10.9");
    assert_eq!(period.expired.to_string(), "289.1");
    assert_eq!(period.remaining.to_string(), "0");
    let amounts: Vec<String> = only(&after)
        .charges
        .lines
        .iter()
        .map(|l| l.amount.to_string())
        .collect();
    assert_eq!(amounts, ["18.00", "18.00"]);
    assert_eq!(only(&after).charges.total.to_string(), "36.00");
}

#[test]
fn duplicate_scan_ids_count_per_account() {
    let csv = log_of(&[
        "2024-03-16T10:00:00+08:00,img,a,,s1",
        "2024-03-16T11:00:00+08:00,img,a,,s1",
        "2024-03-16T12:00:00+08:00,img,b,,s1",
        "2024-03-16T13:00:00+08:00,img,a,failed,s2",
        "2024-03-16T14:00:00+08:00,img,a,,s2",
    ]);
    let report = report(TCSS, &csv, "2024-04-01T00:00:00+08:00");
    let a = &report.accounts[0];
    assert_eq!(a.account, "a");
    assert_eq!(
        a.scans.duplicates, 2,
        "a repeated id is a duplicate even after a failed first row"
    );
    assert_eq!(a.scans.first, 1);
    assert_eq!(a.scans.failed, 1);
    let b = &report.accounts[1];
    assert_eq!(
        (b.scans.duplicates, b.scans.first),
        (0, 1),
        "ids are per account"
    );
}

#[test]
fn failed_scans_are_skipped_and_never_create_history() {
    let csv = log_of(&[
        "2024-03-16T10:00:00+08:00,img,,failed,",
        "2024-03-16T11:00:00+08:00,img,,success,",
    ]);
    let skipped = report(TCSS, &csv, "2024-04-01T00:00:00+08:00");
    let account = only(&skipped);
    assert_eq!(
        (
            account.scans.failed,
            account.scans.first,
            account.scans.repeat
        ),
        (1, 1, 0)
    );
    assert_eq!(account.units.consumed.to_string(), "1");

    let counted = TCSS.replace("[metering]", "[metering]\ncount_failed = true");
    let rows = ledger(&counted, &csv, "2024-04-01T00:00:00+08:00");
    assert_eq!(rows[0].0, ScanOutcome::Failed);
    assert_eq!(
        rows[0].1, "1",
        "a counted failed scan is metered as a first scan"
    );
    assert_eq!(rows[1].0, ScanOutcome::First, "but it created no history");
    let report = report(&counted, &csv, "2024-04-01T00:00:00+08:00");
    assert_eq!(only(&report).units.consumed.to_string(), "2");
    assert_eq!(only(&report).scans.failed, 1);
}

#[test]
fn trial_scans_are_free_and_make_the_first_paid_scan_a_repeat() {
    let plan = format!("{TCSS}\n[trial]\nstart = 2024-03-08T14:00:00+08:00\ndays = 7\n");
    let csv = log_of(&[
        "2024-03-10T10:00:00+08:00,img,,,",
        "2024-03-16T10:00:00+08:00,img,,,",
        "2024-03-16T11:00:00+08:00,other,,,",
    ]);
    let rows = ledger(&plan, &csv, "2024-04-01T00:00:00+08:00");
    let outcomes: Vec<ScanOutcome> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        outcomes,
        [ScanOutcome::Trial, ScanOutcome::Repeat, ScanOutcome::First]
    );
    assert_eq!(rows[0].1, "0");
    let report = report(&plan, &csv, "2024-04-01T00:00:00+08:00");
    assert_eq!(only(&report).scans.trial, 1);
    assert_eq!(only(&report).units.consumed.to_string(), "1.1");
}

#[test]
fn scans_outside_the_term_draw_nothing_but_create_history() {
    let csv = log_of(&[
        "2024-03-01T10:00:00+08:00,img,,,",
        "2024-03-16T10:00:00+08:00,img,,,",
        "2024-06-15T14:00:00+08:00,img,,,",
        "2024-07-01T10:00:00+08:00,new,,,",
    ]);
    let rows = ledger(TCSS, &csv, "2024-08-01T00:00:00+08:00");
    let outcomes: Vec<ScanOutcome> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        outcomes,
        [
            ScanOutcome::Uncovered,
            ScanOutcome::Repeat,
            ScanOutcome::Uncovered,
            ScanOutcome::Uncovered
        ]
    );
    let report = report(TCSS, &csv, "2024-08-01T00:00:00+08:00");
    assert_eq!(only(&report).scans.uncovered, 3);
    assert_eq!(only(&report).units.consumed.to_string(), "0.1");
}

#[test]
fn allowances_draw_in_order_and_split_when_one_runs_out() {
    let plan = r#"
[subscription]
start = 2024-03-01T00:00:00Z
[metering]
first_scan_units = 1
repeat_scan_units = 0.5
[[allowance]]
name = "free"
kind = "free"
units = 1.5
[[allowance]]
name = "quota"
units = 10
"#;
    let csv = log_of(&[
        "2024-03-02T00:00:00Z,a,,,",
        "2024-03-02T01:00:00Z,b,,,",
        "2024-03-02T02:00:00Z,c,,,",
    ]);
    let rows = ledger(plan, &csv, "2024-03-10T00:00:00Z");
    assert_eq!(rows[0].2, ["1", "0"]);
    assert_eq!(
        rows[1].2,
        ["0.5", "0.5"],
        "the second scan splits across allowances"
    );
    assert_eq!(rows[2].2, ["0", "1"]);
    let report = report(plan, &csv, "2024-03-10T00:00:00Z");
    let account = only(&report);
    assert_eq!(account.allowances[0].consumed.to_string(), "1.5");
    assert_eq!(account.allowances[1].consumed.to_string(), "1.5");
    assert_eq!(report.totals.free_used.to_string(), "1.5");
}

#[test]
fn a_topup_adds_units_from_its_moment_and_in_full_later() {
    let plan = r#"
timezone = "+08:00"
[subscription]
start = 2024-03-15T14:00:00+08:00
months = 3
[[allowance]]
name = "quota"
units = 1
unit_price = 1
[[topup]]
allowance = "quota"
at = 2024-03-20T00:00:00+08:00
units = 2
"#;
    let csv = log_of(&[
        "2024-03-16T00:00:00+08:00,a,,,",
        "2024-03-17T00:00:00+08:00,b,,,",
        "2024-03-21T00:00:00+08:00,c,,,",
        "2024-03-22T00:00:00+08:00,d,,,",
        "2024-03-23T00:00:00+08:00,e,,,",
    ]);
    let rows = ledger(plan, &csv, "2024-04-20T00:00:00+08:00");
    let outcomes: Vec<ScanOutcome> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        outcomes,
        [
            ScanOutcome::First,
            ScanOutcome::Denied,
            ScanOutcome::First,
            ScanOutcome::First,
            ScanOutcome::Denied
        ]
    );

    let before = report(plan, &csv, "2024-03-19T00:00:00+08:00");
    assert_eq!(
        only(&before).allowances[0].periods[0].granted.to_string(),
        "1"
    );
    let after = report(plan, &csv, "2024-04-20T00:00:00+08:00");
    let periods = &only(&after).allowances[0].periods;
    assert_eq!(periods[0].granted.to_string(), "3");
    assert_eq!(periods[0].expired.to_string(), "0");
    assert_eq!(
        periods[1].granted.to_string(),
        "3",
        "later periods get the top-up in full"
    );
    assert_eq!(only(&after).charges.total.to_string(), "6.00");
}

#[test]
fn deny_refuses_the_whole_scan_and_bill_charges_the_rest() {
    let deny = r#"
[subscription]
start = 2024-03-01T00:00:00Z
[[allowance]]
name = "quota"
units = 1.5
"#;
    let csv = log_of(&[
        "2024-03-02T00:00:00Z,a,,,",
        "2024-03-02T01:00:00Z,b,,,",
        "2024-03-02T02:00:00Z,b,,,",
    ]);
    let rows = ledger(deny, &csv, "2024-03-10T00:00:00Z");
    assert_eq!(rows[1].0, ScanOutcome::Denied);
    assert_eq!(rows[1].2, ["0"], "a denied scan draws nothing");
    assert_eq!(
        rows[2].0,
        ScanOutcome::Denied,
        "a denied scan creates no history: b is still first"
    );
    // With repeats cheaper than firsts, a denied first scan that wrongly
    // created history would make the next scan of b a repeat that fits.
    let cheap_repeats = format!("{deny}[metering]\nrepeat_scan_units = 0.1\n");
    let rows = ledger(&cheap_repeats, &csv, "2024-03-10T00:00:00Z");
    assert_eq!(
        rows.iter()
            .map(|row| (row.0, row.1.as_str()))
            .collect::<Vec<_>>(),
        [
            (ScanOutcome::First, "1"),
            (ScanOutcome::Denied, "1"),
            (ScanOutcome::Denied, "1")
        ],
        "after a denied scan, b is still first and costs a first scan's units"
    );
    let denied = report(deny, &csv, "2024-03-10T00:00:00Z");
    assert_eq!(only(&denied).scans.denied, 2);
    assert_eq!(only(&denied).units.denied.to_string(), "2");
    assert_eq!(only(&denied).units.consumed.to_string(), "1");

    let bill = format!("{deny}[overage]\npolicy = \"bill\"\nunit_price = 0.25\n");
    let rows = ledger(&bill, &csv, "2024-03-10T00:00:00Z");
    assert_eq!(
        (rows[1].0, rows[1].2[0].as_str(), rows[1].3.as_str()),
        (ScanOutcome::First, "0.5", "0.5")
    );
    assert_eq!((rows[2].0, rows[2].3.as_str()), (ScanOutcome::Repeat, "1"));
    let billed = report(&bill, &csv, "2024-03-10T00:00:00Z");
    let account = only(&billed);
    assert_eq!(account.units.overage.to_string(), "1.5");
    let overage = account
        .charges
        .lines
        .iter()
        .find(|l| l.item == "overage")
        .unwrap();
    assert_eq!(
        (overage.quantity.to_string(), overage.amount.to_string()),
        ("1.5".into(), "0.38".into())
    );
    assert_eq!(account.charges.unpriced_overage_units.to_string(), "0");
}

#[test]
fn unpriced_overage_is_reported_never_charged_as_zero() {
    let plan = "[subscription]\nstart = 2024-03-01T00:00:00Z\n[[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 1\n[overage]\npolicy = \"bill\"\n";
    let csv = log_of(&[
        "2024-03-02T00:00:00Z,a,,,",
        "2024-03-02T01:00:00Z,b,,,",
        "2024-03-02T02:00:00Z,c,,,",
    ]);
    let report = report(plan, &csv, "2024-03-10T00:00:00Z");
    let account = only(&report);
    assert_eq!(account.charges.unpriced_overage_units.to_string(), "2");
    assert!(
        account.charges.lines.iter().all(|l| l.item != "overage"),
        "no zero-priced overage line"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["accounts"][0]["charges"]["unpriced_overage_units"],
        "2"
    );
}

#[test]
fn repeat_window_cycle_makes_each_cycle_start_afresh() {
    let csv = log_of(&[
        "2024-03-16T00:00:00+08:00,a,,,",
        "2024-03-17T00:00:00+08:00,a,,,",
        "2024-04-16T00:00:00+08:00,a,,,",
    ]);
    let ever: Vec<ScanOutcome> = ledger(TCSS, &csv, "2024-05-01T00:00:00+08:00")
        .iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        ever,
        [ScanOutcome::First, ScanOutcome::Repeat, ScanOutcome::Repeat]
    );
    let cycle_plan = TCSS.replace("[metering]", "[metering]\nrepeat_window = \"cycle\"");
    let cycle: Vec<ScanOutcome> = ledger(&cycle_plan, &csv, "2024-05-01T00:00:00+08:00")
        .iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        cycle,
        [ScanOutcome::First, ScanOutcome::Repeat, ScanOutcome::First]
    );
}

#[test]
fn under_repeat_window_cycle_history_from_before_the_start_does_not_count() {
    // A trial scan and a scan before the term create history, but not in
    // the first cycle: under "cycle" the first paid scan of each is first.
    let plan = format!(
        "{}\n[trial]\nstart = 2024-03-08T14:00:00+08:00\ndays = 7\n",
        TCSS.replace("[metering]", "[metering]\nrepeat_window = \"cycle\"")
    );
    let csv = log_of(&[
        "2024-03-01T10:00:00+08:00,early,,,",
        "2024-03-10T10:00:00+08:00,tried,,,",
        "2024-03-16T10:00:00+08:00,early,,,",
        "2024-03-16T11:00:00+08:00,tried,,,",
        "2024-03-16T12:00:00+08:00,tried,,,",
    ]);
    let outcomes: Vec<ScanOutcome> = ledger(&plan, &csv, "2024-04-01T00:00:00+08:00")
        .iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        outcomes,
        [
            ScanOutcome::Uncovered,
            ScanOutcome::Trial,
            ScanOutcome::First,
            ScanOutcome::First,
            ScanOutcome::Repeat
        ]
    );
}

#[test]
fn accounts_are_metered_on_their_own() {
    let csv = log_of(&[
        "2024-03-16T00:00:00+08:00,a,x,,",
        "2024-03-16T01:00:00+08:00,a,y,,",
        "2024-03-16T02:00:00+08:00,a,x,,",
    ]);
    let report = report(TCSS, &csv, "2024-04-01T00:00:00+08:00");
    let names: Vec<&str> = report.accounts.iter().map(|a| a.account.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    assert_eq!(report.accounts[0].units.consumed.to_string(), "1.1");
    assert_eq!(report.accounts[1].units.consumed.to_string(), "1");
    assert_eq!(report.totals.consumed.to_string(), "2.1");
    assert_eq!(
        report.totals.charges.to_string(),
        "36.00",
        "each account has its own allowance"
    );
}

#[test]
fn a_requested_account_without_scans_is_still_reported() {
    let (plan, log) = parse(TCSS, &log_of(&["2024-03-16T00:00:00+08:00,a,x,,"]));
    let as_of = parse_timestamp("2024-04-01T00:00:00+08:00", plan.zone).unwrap();
    let report = generate(&plan, &log, as_of, Some("nobody")).unwrap();
    assert_eq!(only(&report).account, "nobody");
    assert_eq!(only(&report).scans.first, 0);
    assert_eq!(only(&report).charges.total.to_string(), "18.00");
}

#[test]
fn rows_after_as_of_are_not_replayed() {
    let csv = log_of(&[
        "2024-03-16T00:00:00+08:00,a,,,",
        "2024-03-17T00:00:00+08:00,b,,,",
    ]);
    let report = report(TCSS, &csv, "2024-03-16T12:00:00+08:00");
    assert_eq!(only(&report).scans.first, 1);
    assert_eq!(only(&report).scans.after_as_of, 1);
}

#[test]
fn charge_lines_round_half_away_from_zero() {
    let plan = "[subscription]\nstart = 2024-03-01T00:00:00Z\n[[fee]]\nname = \"odd\"\nquantity = 1\nunit_price = 0.125\n\
                [[fee]]\nname = \"odd2\"\nquantity = 1\nunit_price = 0.125\n";
    let report = report(plan, "timestamp,image\n", "2024-03-10T00:00:00Z");
    let account = only(&report);
    let amounts: Vec<String> = account
        .charges
        .lines
        .iter()
        .map(|l| l.amount.to_string())
        .collect();
    assert_eq!(amounts, ["0.13", "0.13"]);
    assert_eq!(
        account.charges.total.to_string(),
        "0.26",
        "the total sums rounded lines"
    );
}

#[test]
fn status_changes_at_its_boundary_instants() {
    let plan = Plan::from_str(
        "plan.toml",
        "timezone = \"+08:00\"\n[subscription]\nstart = 2024-03-15T14:00:00+08:00\nmonths = 3\n",
    )
    .unwrap();
    let at = |text: &str| parse_timestamp(text, plan.zone).unwrap();
    let second = chrono::Duration::seconds(1);
    let status = |t| plan.subscription.status_at(t);
    let start = at("2024-03-15 14:00:00");
    let reminder = at("2024-06-08 14:00:00");
    let end = at("2024-06-15 14:00:00");
    let grace_end = at("2024-06-20 14:00:00");
    assert_eq!(status(start - second), SubscriptionStatus::NotStarted);
    assert_eq!(status(start), SubscriptionStatus::Active);
    assert_eq!(status(reminder - second), SubscriptionStatus::Active);
    assert_eq!(status(reminder), SubscriptionStatus::Expiring);
    assert_eq!(status(end - second), SubscriptionStatus::Expiring);
    assert_eq!(status(end), SubscriptionStatus::Grace);
    assert_eq!(status(grace_end - second), SubscriptionStatus::Grace);
    assert_eq!(status(grace_end), SubscriptionStatus::Terminated);
    let open = Plan::from_str("p.toml", "[subscription]\nstart = 2024-03-15T14:00:00Z\n").unwrap();
    assert_eq!(
        open.subscription.status_at(at("2099-01-01 00:00:00")),
        SubscriptionStatus::Active
    );
}

#[test]
fn calendar_month_free_scans_expire_at_month_end() {
    let plan = "timezone = \"Asia/Shanghai\"\n[subscription]\nstart = 2024-03-10T00:00:00+08:00\n\
                [[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 10\nreset = \"calendar-month\"\n\
                [overage]\npolicy = \"bill\"\n";
    let rows: Vec<String> = (0..12)
        .map(|i| format!("2024-03-{:02} 10:00:00,img{i},,,", 11 + i))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let report = report(plan, &log_of(&rows), "2024-04-02 00:00:00");
    let account = only(&report);
    let periods = &account.allowances[0].periods;
    assert_eq!(periods[0].start.to_string(), "2024-03-10T00:00:00+08:00");
    assert_eq!(periods[0].end.to_string(), "2024-04-01T00:00:00+08:00");
    assert_eq!(periods[0].consumed.to_string(), "10");
    assert_eq!(periods[1].remaining.to_string(), "10");
    assert_eq!(account.units.overage.to_string(), "2");
    assert_eq!(report.totals.free_used.to_string(), "10");
    assert_eq!(report.totals.free_expired.to_string(), "0");
}

#[test]
fn units_are_exact_decimals() {
    let rows: Vec<String> = (0..1000)
        .map(|i| format!("2024-03-16T10:00:00+08:00,img,,,{i}"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let plan = TCSS
        .replace("units = 300", "units = 2000")
        .replace("step = 300", "allowed = [2000]");
    let report = report(&plan, &log_of(&rows), "2024-04-01T00:00:00+08:00");
    assert_eq!(only(&report).units.consumed.value(), d("100.9"));
}
