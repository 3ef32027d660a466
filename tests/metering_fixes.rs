//! Defects an independent model of the metering rules found, each pinned
//! through the real binary with the figures it computed by hand, and the
//! projection keys and zero purchases the v2 rules settled.

mod common;

use common::{Workdir, run};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"))
}

fn report(dir: &Workdir, plan: &str, log: &str, as_of: &str) -> Value {
    let plan = dir.write("plan.toml", plan);
    let log = dir.write("log.csv", log);
    json(&[
        "report", "--plan", &plan, "--log", &log, "--as-of", as_of, "--format", "json",
    ])
}

#[test]
fn projected_denied_counts_the_units_already_denied_in_the_cycle() {
    let dir = Workdir::new();
    let report = report(
        &dir,
        common::DENY_10_PLAN,
        &common::twelve_daily_images(),
        "2024-04-13T00:00:00Z",
    );
    let account = &report["accounts"][0];
    let projection = &account["projection"];
    assert_eq!(account["units"]["denied"], "2");
    assert_eq!(projection["demand"], "12");
    assert_eq!(projection["projected_demand"], "30");
    assert_eq!(projection["available"], "0");
    // 2 denied so far + (30 − 12 − 0) still to come.
    assert_eq!(projection["projected_denied"], "20");
    assert_eq!(projection["exhausted"], true);
    assert_eq!(
        projection["exhausts_at"],
        Value::Null,
        "it ran out before as-of"
    );
}

const NEW_YORK: &str = "currency = \"USD\"\ntimezone = \"America/New_York\"\n\
    [subscription]\nstart = \"START\"\nmonths = 2\n\
    [[allowance]]\nname = \"q\"\nunits = 5\nunit_price = 1\n";

fn new_york(start: &str, log: &str, as_of: &str) -> Value {
    let dir = Workdir::new();
    report(&dir, &NEW_YORK.replace("START", start), log, as_of)
}

#[test]
fn cycle_zero_starts_at_the_second_occurrence_of_a_repeated_hour() {
    // 01:30 EST is the second 01:30 of 2024-11-03 (clocks went back at 02:00 EDT).
    let report = new_york(
        "2024-11-03T01:30:00-05:00",
        "timestamp,image\n2024-11-03T01:45:00-04:00,a\n2024-11-03T01:45:00-05:00,b\n",
        "2024-11-20T00:00:00Z",
    );
    let account = &report["accounts"][0];
    assert_eq!(
        account["scans"]["uncovered"], 1,
        "row a is before the start"
    );
    assert_eq!(account["scans"]["first"], 1);
    let period = &account["allowances"][0]["periods"][0];
    assert_eq!(period["start"], "2024-11-03T01:30:00-05:00");
    // A computed boundary takes the local time's only occurrence.
    assert_eq!(period["end"], "2024-12-03T01:30:00-05:00");
    assert_eq!(
        account["charges"]["lines"][0]["period_start"],
        "2024-11-03T01:30:00-05:00"
    );
    let projection = &account["projection"];
    assert_eq!(projection["cycle_start"], "2024-11-03T01:30:00-05:00");
    // 720 h of cycle over 401.5 h elapsed, times one unit.
    assert_eq!(projection["projected_demand"], "1.7933");
}

#[test]
fn cycle_zero_starts_at_the_first_occurrence_of_a_repeated_hour() {
    let report = new_york(
        "2024-11-03T01:30:00-04:00",
        "timestamp,image\n2024-11-03T01:45:00-04:00,a\n2024-11-03T01:45:00-05:00,b\n",
        "2024-11-20T00:00:00Z",
    );
    let account = &report["accounts"][0];
    assert_eq!(account["scans"]["uncovered"], 0);
    assert_eq!(account["scans"]["first"], 2);
    let period = &account["allowances"][0]["periods"][0];
    assert_eq!(period["start"], "2024-11-03T01:30:00-04:00");
    assert_eq!(period["end"], "2024-12-03T01:30:00-05:00");
    // 721 h of cycle over 402.5 h elapsed, times two units.
    assert_eq!(account["projection"]["projected_demand"], "3.5826");
}

#[test]
fn a_start_in_a_gap_is_the_instant_written_and_later_cycles_keep_its_local_time() {
    // 02:30 EST on 2024-03-10 is the instant 07:30Z, which New York calls
    // 03:30 EDT (the clocks skipped 02:00–03:00). Cycle 0 starts there, and
    // later cycles start at 03:30 local.
    let report = new_york(
        "2024-03-10T02:30:00-05:00",
        "timestamp,image\n2024-03-10T07:29:59Z,a\n2024-03-10T07:30:00Z,b\n",
        "2024-04-20T00:00:00Z",
    );
    let account = &report["accounts"][0];
    assert_eq!(
        account["scans"]["uncovered"], 1,
        "one second before the start"
    );
    assert_eq!(account["scans"]["first"], 1);
    let periods = &account["allowances"][0]["periods"];
    assert_eq!(periods[0]["start"], "2024-03-10T03:30:00-04:00");
    assert_eq!(periods[0]["end"], "2024-04-10T03:30:00-04:00");
    assert_eq!(periods[1]["start"], "2024-04-10T03:30:00-04:00");
}

#[test]
fn a_start_written_without_offset_inside_a_gap_is_refused() {
    let dir = Workdir::new();
    let plan = dir.write(
        "plan.toml",
        NEW_YORK.replace("START", "2024-03-10T02:30:00"),
    );
    let (code, stdout, stderr) = run(&["plan", "check", &plan]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("subscription.start"), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.contains("explicit offset"), "{stderr}");
}

#[test]
fn a_cycle_boundary_in_a_gap_moves_forward_by_the_gap() {
    // Start 2024-02-10 02:30 EST; a month later 02:30 falls in the gap of
    // 2024-03-10 and becomes 03:30 EDT; the month after is 02:30 again.
    let report = new_york(
        "2024-02-10T02:30:00-05:00",
        "timestamp,image\n2024-02-11T00:00:00Z,a\n",
        "2024-04-20T00:00:00Z",
    );
    let periods = &report["accounts"][0]["allowances"][0]["periods"];
    assert_eq!(periods[0]["end"], "2024-03-10T03:30:00-04:00");
    assert_eq!(periods[1]["end"], "2024-04-10T02:30:00-04:00");
}

#[test]
fn stats_ignore_a_duplicate_row_everywhere() {
    let dir = Workdir::new();
    let plan = dir.write(
        "plan.toml",
        "currency = \"CNY\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\n\
         [[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 10\nreset = \"calendar-month\"\n\
         [overage]\npolicy = \"bill\"\n",
    );
    let log = dir.write(
        "log.csv",
        "timestamp,image,source,risk,scan_id\n\
         2024-03-02T00:00:00Z,a,registry,high,s1\n\
         2024-03-03T00:00:00Z,b,cicd,high,s1\n",
    );
    let stats = json(&[
        "stats",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-03-10T00:00:00Z",
    ]);
    assert_eq!(stats["total"]["registriy"], 1);
    assert_eq!(stats["total"]["cicd"], 0, "the cicd row repeats scan id s1");
    assert_eq!(stats["unscan"]["cicd"], 0);
    assert_eq!(stats["high_risk"]["cicd"], 0);
    assert_eq!(stats["cicd_scan_num"], 0);
    assert_eq!(stats["repository_scan_num"], 1);
}

#[test]
fn exhausts_at_is_computed_exactly_and_rounded_once() {
    let dir = Workdir::new();
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-04-01T00:00:00Z\nmonths = 1\n\
        [metering]\nfirst_scan_units = 1000\n\
        [[allowance]]\nname = \"quota\"\nunits = 2001\nunit_price = 0.01\n\
        [overage]\npolicy = \"bill\"\nunit_price = 0.01\n";
    let log = "timestamp,image\n2024-04-01T00:00:00Z,a\n2024-04-01T00:00:01Z,b\n";
    let report = report(&dir, plan, log, "2024-04-01T00:16:39Z");
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["available"], "1");
    assert_eq!(projection["exhausted"], false);
    // 1 unit at 2000 units per 999 s lasts 0.4995 s: 00:16:39.4995 → 00:16:39.
    assert_eq!(projection["exhausts_at"], "2024-04-01T00:16:39+00:00");
}

#[test]
fn unpriced_projected_overage_is_its_own_key_and_never_zero_money() {
    let dir = Workdir::new();
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-04-01T00:00:00Z\nmonths = 2\n\
        [[allowance]]\nname = \"quota\"\nunits = 10\nunit_price = 0.06\n[overage]\npolicy = \"bill\"\n";
    let report = report(
        &dir,
        plan,
        &common::twelve_daily_images(),
        "2024-04-13T00:00:00Z",
    );
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_overage"], "20");
    assert_eq!(projection["projected_unpriced_overage"], "20");
    // Only the allowance line is money: 10 × 0.06.
    assert_eq!(projection["projected_cycle_charges"], "0.60");
    assert_eq!(projection["exhausted"], true);
}

#[test]
fn a_priced_projection_has_no_unpriced_overage() {
    let dir = Workdir::new();
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-04-01T00:00:00Z\nmonths = 2\n\
        [[allowance]]\nname = \"quota\"\nunits = 10\nunit_price = 0.06\n\
        [overage]\npolicy = \"bill\"\nunit_price = 0.5\n";
    let report = report(
        &dir,
        plan,
        &common::twelve_daily_images(),
        "2024-04-13T00:00:00Z",
    );
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_unpriced_overage"], "0");
    // 0.60 allowance + 20 × 0.5 overage.
    assert_eq!(projection["projected_cycle_charges"], "10.60");
}

fn estimate(plan: &str, first: &str) -> Value {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan);
    let estimate = json(&[
        "estimate",
        "--plan",
        &plan,
        "--first-scans",
        first,
        "--repeat-scans",
        "0",
        "--format",
        "json",
    ]);
    estimate["currencies"][0]["plans"][0]["accounts"][0].clone()
}

#[test]
fn estimate_buys_nothing_when_the_free_units_cover_the_demand() {
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-04-01T00:00:00Z\n\
        [[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 10\nreset = \"calendar-month\"\n\
        [[allowance]]\nname = \"quota\"\nunits = 100\nunit_price = 0.06\nstep = 100\n\
        [overage]\npolicy = \"deny\"\n";
    let recommendation = estimate(plan, "8");
    assert_eq!(recommendation["purchase"], "0");
    assert_eq!(recommendation["denied_per_cycle"], "0");
    assert_eq!(recommendation["cost_per_cycle"], "0.00");
}

#[test]
fn estimate_buys_nothing_when_overage_is_cheaper_than_a_step() {
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-04-01T00:00:00Z\n\
        [[allowance]]\nname = \"quota\"\nunits = 300\nunit_price = 0.06\nstep = 300\n\
        [overage]\npolicy = \"bill\"\nunit_price = 0.05\n";
    let recommendation = estimate(plan, "400");
    // 0 bought: 400 × 0.05 = 20.00; 300 bought: 18.00 + 100 × 0.05 = 23.00.
    assert_eq!(recommendation["purchase"], "0");
    assert_eq!(recommendation["overage_per_cycle"], "400");
    assert_eq!(recommendation["cost_per_cycle"], "20.00");
}

#[test]
fn a_failed_scan_metered_by_count_failed_is_not_called_unmetered() {
    // With `count_failed = true` the failed scan draws units like a success
    // (2 units of overage in all); it stays in the `failed` counter (SPEC
    // §4), and the summary lists it among the metered scans.
    let dir = Workdir::new();
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\n[metering]\ncount_failed = true\n[overage]\npolicy = \"bill\"\nunit_price = 1\n";
    let log = "timestamp,image,status\n2024-03-02T00:00:00Z,a,success\n2024-03-02T01:00:00Z,b,failed\n2024-03-02T02:00:00Z,c,failed\n";
    let json = report(&dir, plan, log, "2024-03-10");
    let scans = &json["accounts"][0]["scans"];
    assert_eq!(scans["failed"], 2);
    assert_eq!(scans["failed_metered"], 2);
    assert_eq!(json["accounts"][0]["units"]["overage"], "3");
    let plan = dir.write("plan.toml", plan);
    let log = dir.write("log.csv", log);
    let (code, table, stderr) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-03-10",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let row = |label: &str| {
        table
            .lines()
            .find(|line| line.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in {table}"))
            .to_string()
    };
    assert!(
        row("Scans metered (first / repeat / failed)").ends_with("1 / 0 / 2"),
        "{table}"
    );
    assert!(row("Scans not metered").contains(" 0 failed,"), "{table}");
    // Without count_failed the failed scans are not metered, as before.
    let plain = dir.write(
        "plain.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\n[overage]\npolicy = \"bill\"\nunit_price = 1\n",
    );
    let (code, table, _) = run(&[
        "report",
        "--plan",
        &plain,
        "--log",
        &log,
        "--as-of",
        "2024-03-10",
    ]);
    assert_eq!(code, 0);
    assert!(table.contains(" 2 failed,"), "{table}");
    assert!(table.contains("Scans metered (first / repeat) "), "{table}");
}

/// With a demand given by hand, the options that read and size a log
/// (`--account`, `--as-of`, `--size-for`, `--column`, `--delimiter`,
/// `--log-zone`, `--display-zone`) would do nothing: refused, naming them;
/// `--start` (the purchase moment of a built-in) is used and taken.
#[test]
fn estimate_by_hand_refuses_the_options_of_a_log() {
    let by_hand = [
        "estimate",
        "--plan",
        "builtin:tcss-usd-300",
        "--first-scans",
        "5",
        "--repeat-scans",
        "5",
    ];
    for (extra, named) in [
        (&["--account", "nobody"][..], "--account applies"),
        (&["--size-for", "mean"], "--size-for applies"),
        (
            &["--as-of", "1999-01-01", "--log-zone", "Asia/Tokyo"],
            "--as-of, --log-zone apply",
        ),
        (
            &["--column", "image=x", "--delimiter", ";"],
            "--column, --delimiter apply",
        ),
        (&["--display-zone", "UTC"], "--display-zone applies"),
    ] {
        let (code, stdout, stderr) = run(&[&by_hand[..], extra].concat());
        assert_eq!((code, stdout.as_str()), (2, ""), "{extra:?}: {stderr}");
        assert!(
            stderr.starts_with("scanquota: error: ")
                && stderr.contains(named)
                && stderr.contains("to a demand read --from-log only"),
            "{extra:?}: {stderr}"
        );
    }
    let (code, _, stderr) = run(&[&by_hand[..], &["--start", "2024-01-01"]].concat());
    assert_eq!(code, 0, "{stderr}");
}

/// `estimate` needs a demand, by hand or from logs: without one, the error
/// names both ways (it named `--from-log` alone), and `--repeat-scans`
/// alone asks for `--first-scans`.
#[test]
fn estimate_without_a_demand_names_both_ways_to_give_one() {
    let plan = ["estimate", "--plan", "builtin:tcss-usd-300"];
    let (code, stdout, stderr) = run(&plan);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("<--first-scans <N>|--from-log <LOG>...>"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&[&plan[..], &["--first-scans", "10"]].concat());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("required arguments were not provided:\n  --repeat-scans <N>"),
        "{stderr}"
    );
}

/// `estimate --from-log` counts the failed scans a plan meters
/// (`count_failed = true`) as `report` bills them: a failed scan of an image
/// without history is a first scan, so this cycle's four scans are four
/// first scans (4 units), and the purchase that covers them is 4 at 4.00,
/// not 2 at 2.00 with 10.00 of overage the estimate never showed.
#[test]
fn estimate_from_log_counts_the_failed_scans_the_plan_meters() {
    let dir = Workdir::new();
    let plan = dir.write(
        "plan.toml",
        "name = \"count failed\"\ncurrency = \"USD\"\ntimezone = \"+00:00\"\n\
         [subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 12\n\
         [metering]\nfirst_scan_units = 1\nrepeat_scan_units = 0.1\ncount_failed = true\n\
         [[allowance]]\nname = \"quota\"\nunits = 2\nunit_price = 1\nstep = 1\n\
         [overage]\npolicy = \"bill\"\nunit_price = 5\n",
    );
    let log = dir.write(
        "log.csv",
        "timestamp,image,status\n2024-01-05T10:00:00Z,img-1,success\n\
         2024-01-06T10:00:00Z,img-2,failed\n2024-01-07T10:00:00Z,img-2,failed\n\
         2024-01-08T10:00:00Z,img-2,success\n2024-01-09T10:00:00Z,img-2,failed\n",
    );
    let as_of = "2024-02-01T00:00:00Z";
    let report = json(&[
        "report", "--plan", &plan, "--log", &log, "--as-of", as_of, "--format", "json",
    ]);
    let account = &report["accounts"][0];
    assert_eq!(account["scans"]["failed_metered"], 3);
    // Four first scans and a repeat (the last failed scan: img-2 has history).
    let billed = "4.1";
    let units = |key: &str| -> rust_decimal::Decimal {
        account["units"][key].as_str().unwrap().parse().unwrap()
    };
    assert_eq!((units("consumed") + units("overage")).to_string(), billed);
    let estimate = json(&[
        "estimate",
        "--plan",
        &plan,
        "--from-log",
        &log,
        "--as-of",
        as_of,
        "--format",
        "json",
    ]);
    let sized = &estimate["currencies"][0]["plans"][0]["accounts"][0];
    assert_eq!(sized["observed"]["peak"]["first_scans"], "4");
    assert_eq!(sized["observed"]["peak"]["repeat_scans"], "1");
    assert_eq!(sized["observed"]["peak_units"], billed);
}

/// Plans compared by `estimate` rank those that deny part of the demand
/// after those that cover it, with a line saying why: a plan refusing 900
/// of 1000 scans for 1.00 ranked first, above one covering all for 50.00.
/// A plan that prices cores says the estimate leaves them out.
#[test]
fn estimate_ranks_plans_that_deny_demand_after_those_that_cover_it() {
    let dir = Workdir::new();
    let plan = |name: &str, price: &str, sizes: &str| {
        format!(
            "name = \"{name}\"\ncurrency = \"USD\"\n[subscription]\nstart = 2024-01-01T00:00:00Z\n\
             [metering]\nfirst_scan_units = 1\nrepeat_scan_units = 1\n\
             [[allowance]]\nname = \"quota\"\nunits = 100\nunit_price = {price}\n{sizes}\n\
             [overage]\npolicy = \"deny\"\n"
        )
    };
    let small = dir.write("a.toml", plan("A small deny", "0.01", "allowed = [100]"));
    let covers = dir.write("b.toml", plan("B covers", "0.05", "step = 100"));
    let args = [
        "estimate",
        "--plan",
        &small,
        "--plan",
        &covers,
        "--first-scans",
        "1000",
        "--repeat-scans",
        "0",
    ];
    let estimate = json(&[&args[..], &["--format", "json"]].concat());
    let plans = &estimate["currencies"][0]["plans"];
    assert_eq!(plans[0]["plan"], "B covers");
    assert_eq!(plans[0]["cost_per_cycle"], "50.00");
    assert_eq!(plans[1]["plan"], "A small deny");
    assert_eq!(plans[1]["denied_per_cycle"], "900");
    let (code, table, _) = run(&args);
    assert_eq!(code, 0);
    assert!(
        table.contains("Plans that deny part of the demand come after those that cover it"),
        "{table}"
    );
    let (code, _, stderr) = run(&[
        "estimate",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--first-scans",
        "100",
        "--repeat-scans",
        "100",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("prices cores ([cores]); the estimate leaves them out"),
        "{stderr}"
    );
}

/// A calendar-month allowance in cycles that start mid-month is charged
/// once more over the term than the estimate's one period a cycle (13 lines
/// of 18.00 over 12 cycles from 2024-01-15): said out loud, naming the
/// allowance and the day; a plan starting on the 1st says nothing.
#[test]
fn estimate_notes_a_calendar_month_allowance_in_cycles_starting_mid_month() {
    let dir = Workdir::new();
    let plan = |start: &str| {
        format!(
            "name = \"CM quota\"\ncurrency = \"USD\"\ntimezone = \"+00:00\"\n\
             [subscription]\nstart = {start}\nmonths = 12\n\
             [[allowance]]\nname = \"quota\"\nunits = 300\nunit_price = 0.06\nstep = 300\n\
             reset = \"calendar-month\"\n[overage]\npolicy = \"deny\"\n"
        )
    };
    let mid = dir.write("mid.toml", plan("2024-01-15T00:00:00Z"));
    let first = dir.write("first.toml", plan("2024-01-01T00:00:00Z"));
    let estimate = |plan: &str| {
        run(&[
            "estimate",
            "--plan",
            plan,
            "--first-scans",
            "250",
            "--repeat-scans",
            "0",
        ])
    };
    let (code, _, stderr) = estimate(&mid);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("allowance `quota` resets each calendar month but its cycles start at 2024-01-15T00:00:00+00:00, not at a month's start: the estimate prices one period a cycle"),
        "{stderr}"
    );
    let (code, _, stderr) = estimate(&first);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // The 1st at 09:00: the first cycle still holds two period starts.
    let nine = dir.write("nine.toml", plan("2024-01-01T09:00:00Z"));
    let (code, _, stderr) = estimate(&nine);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("cycles start at 2024-01-01T09:00:00+00:00, not at a month's start"),
        "{stderr}"
    );
    // What the invoice charges over the term from the 15th: 13 periods.
    let log = dir.write("log.csv", "timestamp,image\n2024-01-20T00:00:00Z,x\n");
    let invoice = json(&[
        "invoice",
        "--plan",
        &mid,
        "--log",
        &log,
        "--as-of",
        "2025-01-20",
        "--format",
        "json",
    ]);
    let text = invoice.to_string();
    assert_eq!(text.matches("\"allowance:quota\"").count(), 13, "{text}");
}
