//! Rules and prices that change on a date (issue 24): `[[metering.change]]`,
//! `[[allowance.price_change]]`, `[[overage.price_change]]`, the report
//! header and `plan check` listing them, `builtin:tcss-cny-300-every-scan`,
//! and the plan checks on them.

use serde_json::Value;

mod common;

use common::{Workdir, plan_check_error, run};

/// TCSS at the international rule (repeats 0.1) until October 1st, then the
/// China-site rule (every scan 1 unit); the quota's price falls to 0.25 on
/// October 10th, and a top-up is bought on the 12th.
const TCSS_ACROSS_THE_CHANGE: &str = r#"name = "TCSS across the rule change"
currency = "CNY"
timezone = "Asia/Shanghai"
[subscription]
start = 2024-09-15T00:00:00+08:00
[metering]
first_scan_units = 1
repeat_scan_units = 0.1
[[metering.change]]
at = 2024-10-01T00:00:00+08:00
repeat_scan_units = 1
[[allowance]]
name = "quota"
units = 300
unit_price = 0.30
step = 300
[[allowance.price_change]]
at = 2024-10-10T00:00:00+08:00
unit_price = 0.25
[[topup]]
allowance = "quota"
at = 2024-10-12T00:00:00+08:00
units = 300
"#;

/// One image scanned five times, the last two at and after the change.
const TCSS_LOG: &str = "timestamp,image,status
2024-09-20T10:00:00+08:00,sha256:aaaa,success
2024-09-21T10:00:00+08:00,sha256:aaaa,success
2024-09-30T23:59:59+08:00,sha256:aaaa,success
2024-10-01T00:00:00+08:00,sha256:aaaa,success
2024-10-02T10:00:00+08:00,sha256:aaaa,success
";

const AS_OF: &str = "2024-10-20T00:00:00+08:00";

fn files(plan: &str, log: &str) -> (Workdir, String, String) {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan);
    let log = dir.write("log.csv", log);
    (dir, plan, log)
}

#[test]
fn repeats_meter_at_the_rule_in_force_at_each_scan() {
    let (_dir, plan, log) = files(TCSS_ACROSS_THE_CHANGE, TCSS_LOG);
    let (code, out, err) = run(&[
        "ledger", "--plan", &plan, "--log", &log, "--as-of", AS_OF, "--format", "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let units: Vec<(&str, &str)> = out
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[5], cells[6])
        })
        .collect();
    // First 1, repeats 0.1 before October 1st 00:00, 1 from that instant on.
    assert_eq!(
        units,
        [
            ("first", "1"),
            ("repeat", "0.1"),
            ("repeat", "0.1"),
            ("repeat", "1"),
            ("repeat", "1")
        ]
    );
    let (code, out, err) = run(&[
        "report", "--plan", &plan, "--log", &log, "--as-of", AS_OF, "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["accounts"][0]["units"]["consumed"], "3.2");
}

#[test]
fn a_period_is_priced_at_its_start_and_a_top_up_at_its_at() {
    let (_dir, plan, log) = files(TCSS_ACROSS_THE_CHANGE, TCSS_LOG);
    let (code, out, err) = run(&[
        "report", "--plan", &plan, "--log", &log, "--as-of", AS_OF, "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let lines: Vec<(String, String, String)> = report["accounts"][0]["charges"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["item"].as_str().unwrap().to_string(),
                l["unit_price"].as_str().unwrap().to_string(),
                l["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |item: &str, price: &str, amount: &str| {
        (item.to_string(), price.to_string(), amount.to_string())
    };
    assert_eq!(
        lines,
        [
            // September 15th: 300 at the price then, 0.30.
            expect("allowance:quota", "0.3", "90.00"),
            // The top-up on October 12th, after the change: 300 at 0.25.
            expect("topup:quota", "0.25", "75.00"),
            // October 15th: 600 (the top-up carried) at 0.25.
            expect("allowance:quota", "0.25", "150.00"),
        ]
    );
    // The header lists the changes, in JSON and in the table.
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["item"], "metering");
    assert_eq!(changes[0]["at"], "2024-10-01T00:00:00+08:00");
    assert_eq!(changes[0]["repeat_scan_units"], "1");
    assert_eq!(changes[1]["item"], "allowance:quota");
    assert_eq!(changes[1]["unit_price"], "0.25");
    let (code, out, _) = run(&["report", "--plan", &plan, "--log", &log, "--as-of", AS_OF]);
    assert_eq!(code, 0);
    assert!(
        out.contains("From 2024-10-01 00:00, metering: first_scan_units = 1, repeat_scan_units = 1, count_failed = false"),
        "{out}"
    );
    assert!(
        out.contains("From 2024-10-10 00:00, allowance:quota: unit_price = 0.25"),
        "{out}"
    );
}

#[test]
fn overage_is_priced_at_the_price_in_force_at_each_scan() {
    let plan = r#"currency = "USD"
[subscription]
start = 2024-03-01T00:00:00Z
[overage]
policy = "bill"
unit_price = 1
[[overage.price_change]]
at = 2024-03-10T00:00:00Z
unit_price = 2
"#;
    let log = "timestamp,image,status
2024-03-02T00:00:00Z,a,success
2024-03-03T00:00:00Z,b,success
2024-03-10T00:00:00Z,c,success
2024-03-11T00:00:00Z,d,success
2024-03-12T00:00:00Z,e,success
";
    let (_dir, plan, log) = files(plan, log);
    let (code, out, err) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-04-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let lines = report["accounts"][0]["charges"]["lines"]
        .as_array()
        .unwrap();
    let got: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["quantity"].as_str().unwrap(),
                l["unit_price"].as_str().unwrap(),
                l["amount"].as_str().unwrap(),
            )
        })
        .collect();
    // Two scans before March 10th at 1, three from it on at 2: two lines.
    assert_eq!(got, [("2", "1", "2.00"), ("3", "2", "6.00")]);
    assert_eq!(report["accounts"][0]["charges"]["total"], "8.00");
}

#[test]
fn plan_check_lists_the_changes() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", TCSS_ACROSS_THE_CHANGE);
    let (code, out, err) = run(&["plan", "check", &plan]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("[[metering.change]]\nat = \"2024-10-01T00:00:00+08:00\"\nfirst_scan_units = \"1\"\nrepeat_scan_units = \"1\"\ncount_failed = false"),
        "{out}"
    );
    assert!(
        out.contains(
            "[[allowance.price_change]]\nat = \"2024-10-10T00:00:00+08:00\"\nunit_price = \"0.25\""
        ),
        "{out}"
    );
    // The normalised plan is itself a plan that reads the same.
    let again = dir.write("again.toml", &out);
    let (code, out_again, err) = run(&["plan", "check", &again]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, out_again);
}

#[test]
fn builtin_tcss_every_scan_meters_repeats_at_one_unit() {
    let dir = Workdir::new();
    let log = dir.write("log.csv", TCSS_LOG);
    let (code, out, err) = run(&[
        "report",
        "--plan",
        "builtin:tcss-cny-300-every-scan",
        "--start",
        "2024-09-15T00:00:00+08:00",
        "--log",
        &log,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    // Five scans, each 1 unit, at CNY 0.30 a unit of the 300 bought.
    assert_eq!(report["accounts"][0]["units"]["consumed"], "5");
    assert_eq!(report["currency"], "CNY");
    assert_eq!(
        report["accounts"][0]["charges"]["lines"][0]["amount"],
        "90.00"
    );
    let (code, out, _) = run(&["plan", "show", "builtin:tcss-cny-300-every-scan"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("https://cloud.tencent.cn/document/product/1285/57825"),
        "the comment names the vendor page: {out}"
    );
}

#[test]
fn keys_that_would_be_read_as_nothing_are_refused() {
    // Every key is used or refused: a change that changes nothing, an empty
    // list of tables, a tier mode with no tiers would each be dropped.
    let start = "[subscription]\nstart = 2024-03-01T00:00:00Z\n";
    let err = plan_check_error(&format!(
        "{start}[[metering.change]]\nat = 2024-05-01T00:00:00Z\n"
    ));
    assert!(
        err.contains("metering.change[0].at") && err.contains("changes nothing"),
        "{err}"
    );
    let err = plan_check_error(&format!("{start}[overage]\npolicy = \"bill\"\ntier = []\n"));
    assert!(
        err.contains("overage.tier") && err.contains("empty list"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{start}[overage]\npolicy = \"bill\"\nunit_price = 1\ntier_mode = \"volume\"\n"
    ));
    assert!(
        err.contains("overage.tier_mode") && err.contains("no tiers"),
        "{err}"
    );
}

#[test]
fn bad_changes_are_refused_naming_the_key() {
    let start = "[subscription]\nstart = 2024-03-01T00:00:00Z\n";
    let err = plan_check_error(&format!(
        "{start}[[metering.change]]\nat = 2024-05-01T00:00:00Z\nrepeat_scan_units = 1\n[[metering.change]]\nat = 2024-04-01T00:00:00Z\nrepeat_scan_units = 0.1\n"
    ));
    assert!(
        err.contains("metering.change[1].at")
            && err.contains("2024-04-01T00:00:00Z")
            && err.contains("ascending"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{start}[[metering.change]]\nrepeat_scan_units = 1\n"
    ));
    assert!(
        err.contains("metering.change[0].at") && err.contains("is required"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{start}[[metering.change]]\nat = 2024-05-01T00:00:00Z\nrepeat_window = \"cycle\"\n"
    ));
    assert!(
        err.contains("metering.change[0].repeat_window") && err.contains("not a known key"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{start}[[allowance]]\nname = \"q\"\nunits = 1\nunit_price = 1\n[[allowance.price_change]]\nat = 2024-05-01T00:00:00Z\n"
    ));
    assert!(
        err.contains("allowance[0].price_change[0].unit_price") && err.contains("is required"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{start}[[allowance]]\nname = \"f\"\nkind = \"free\"\nunits = 1\n[[allowance.price_change]]\nat = 2024-05-01T00:00:00Z\nunit_price = 1\n"
    ));
    assert!(
        err.contains("allowance[0].price_change") && err.contains("free allowance"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{start}[overage]\npolicy = \"bill\"\n[[overage.price_change]]\nat = 2024-05-01T00:00:00Z\nunit_price = 1\n[[overage.price_change]]\nat = 2024-05-01T00:00:00Z\nunit_price = 2\n"
    ));
    assert!(
        err.contains("overage.price_change[1].at") && err.contains("ascending"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{start}[overage]\n[[overage.price_change]]\nat = 2024-05-01T00:00:00Z\nunit_price = 1\n"
    ));
    assert!(
        err.contains("overage.price_change") && err.contains("policy \"deny\""),
        "{err}"
    );
}

#[test]
fn estimate_sizes_by_the_rule_and_price_in_force_at_the_end_of_the_window() {
    let (_dir, plan, log) = files(TCSS_ACROSS_THE_CHANGE, TCSS_LOG);
    let (code, out, err) = run(&[
        "estimate",
        "--plan",
        &plan,
        "--from-log",
        &log,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let estimate: Value = serde_json::from_str(&out).unwrap();
    let account = &estimate["currencies"][0]["plans"][0]["accounts"][0];
    // The closed cycle (September 15th → October 15th) ends under the
    // China-site rule: its 1 first and 4 repeat scans are 5 units (1.4 by
    // the rule before), bought at the price then, 0.25.
    assert_eq!(account["observed"]["peak_units"], "5");
    assert_eq!(account["purchase"], "300");
    assert_eq!(account["cost_per_cycle"], "75.00");
}

#[test]
fn changes_outside_the_term_are_used_as_written_and_noted() {
    // A change before the start is in force for the whole term (a plan may
    // keep the vendor's price history); one at or after the end never
    // applies. Neither is refused, and neither passes unsaid.
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\nmonths = 3\n[[metering.change]]\nat = 2024-01-01T00:00:00Z\nrepeat_scan_units = 0.5\n[[allowance]]\nname = \"q\"\nunits = 10\nunit_price = 1\n[[allowance.price_change]]\nat = 2024-06-01T00:00:00Z\nunit_price = 2\n";
    let log =
        "timestamp,image,status\n2024-03-02T00:00:00Z,a,success\n2024-03-03T00:00:00Z,a,success\n";
    let (_dir, plan, log) = files(plan, log);
    let (code, _, stderr) = run(&["plan", "check", &plan]);
    assert_eq!(code, 0, "{stderr}");
    let notes: Vec<&str> = stderr.lines().collect();
    assert_eq!(notes.len(), 2, "{stderr}");
    assert!(
        notes[0].starts_with("scanquota: note: ")
            && notes[0].contains(
                "metering.change[0].at 2024-01-01T00:00:00+00:00 is before the subscription starts"
            )
            && notes[0].contains("in force from the start"),
        "{stderr}"
    );
    assert!(
        notes[1].contains("allowance[0].price_change[0].at 2024-06-01T00:00:00+00:00 is at or after the term's end")
            && notes[1].contains("it never applies"),
        "{stderr}"
    );
    // The billing commands say the same, and meter by the change: the
    // repeat is 0.5, and March's period is priced at 1.
    let (code, out, stderr) = run(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-03-10",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["accounts"][0]["units"]["consumed"], "1.5");
    assert_eq!(report["accounts"][0]["charges"]["total"], "10.00");
    // Of two changes before the start, only the later is ever in force.
    let two = "currency = \"USD\"\n[subscription]\nstart = 2024-03-15T00:00:00Z\nmonths = 2\n[[metering.change]]\nat = 2024-01-10T00:00:00Z\nrepeat_scan_units = 0.5\n[[metering.change]]\nat = 2024-02-10T00:00:00Z\nrepeat_scan_units = 0.2\n[[metering.change]]\nat = 2024-04-10T00:00:00Z\nrepeat_scan_units = 0.3\n";
    let (_dir, two, _) = files(two, "timestamp,image\n");
    let (code, _, stderr) = run(&["plan", "check", &two]);
    assert_eq!(code, 0, "{stderr}");
    let notes: Vec<&str> = stderr.lines().collect();
    assert_eq!(notes.len(), 2, "{stderr}");
    assert!(
        notes[0].contains("metering.change[0].at")
            && notes[0].contains("it is never in force itself"),
        "{stderr}"
    );
    assert!(
        notes[1].contains("metering.change[1].at") && notes[1].contains("in force from the start"),
        "{stderr}"
    );
}

#[test]
fn estimate_by_hand_ignores_a_price_change_after_the_term_and_notes_it() {
    // The quota costs 1 a unit for the whole term; the 2030 price never
    // applies: 100 units cost 100.00, not 200.00.
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\nmonths = 3\n[[allowance]]\nname = \"q\"\nunits = 10\nunit_price = 1\n[[allowance.price_change]]\nat = 2030-01-01T00:00:00Z\nunit_price = 2\n";
    let (_dir, plan, _) = files(plan, "timestamp,image\n");
    let (code, out, stderr) = run(&[
        "estimate",
        "--plan",
        &plan,
        "--first-scans",
        "100",
        "--repeat-scans",
        "0",
        "--months",
        "1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.contains("100.00") && !out.contains("200.00"), "{out}");
    assert!(
        stderr.contains("allowance[0].price_change[0].at") && stderr.contains("it never applies"),
        "{stderr}"
    );
}
