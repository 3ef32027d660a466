//! Overage tiers and the overage period (issue 24): the hand-computed HSS
//! month, graduated and volume, a projection across a tier boundary, a
//! calendar-month count restarting inside a cycle, plan validation, and the
//! properties (a single tier is the untiered plan; graduated and volume
//! agree while the count stays in the first tier; every replay path agrees).

use common::reference::generate;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use scanquota::engine::meter::{Schedule, replay, replay_in_parallel, sort_and_replay_by_account};
use scanquota::input::log::{ReadOptions, ScanLog};
use scanquota::plan::Plan;
use serde_json::Value;

mod common;

use common::random::{as_of, log_text, plan_spec, plan_text, rows};
use common::{Workdir, plan_check_error, run};

/// Huawei HSS by the month: 10 free scans, then 0.35 a scan up to the
/// month's 10,000th scan (the free ones counted), 0.30 after it.
fn hss_plan(mode: &str) -> String {
    format!(
        r#"name = "HSS tiered"
currency = "CNY"
timezone = "Asia/Shanghai"
[subscription]
start = 2024-03-01T00:00:00+08:00
[[allowance]]
name = "free"
kind = "free"
units = 10
reset = "calendar-month"
[overage]
policy = "bill"
period = "calendar-month"
tier_mode = "{mode}"
[[overage.tier]]
up_to = 10000
unit_price = 0.35
[[overage.tier]]
unit_price = 0.30
"#
    )
}

/// `count` scans of distinct images, one a minute from March 1st 00:00:30.
fn hss_log(count: u32) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2024-03-01T00:00:30+08:00").unwrap();
    let mut text = String::from("timestamp,image,status\n");
    for i in 0..count {
        let at = start + chrono::Duration::minutes(i64::from(i));
        text += &format!("{},sha256:{i:08x},success\n", at.to_rfc3339());
    }
    text
}

fn json_report(plan: &str, log: &str, as_of: &str) -> Value {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan);
    let log = dir.write("log.csv", log);
    let (code, out, err) = run(&[
        "report", "--plan", &plan, "--log", &log, "--as-of", as_of, "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn lines(report: &Value) -> Vec<(String, String, String, Value)> {
    report["accounts"][0]["charges"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "overage")
        .map(|l| {
            (
                l["quantity"].as_str().unwrap().to_string(),
                l["unit_price"].as_str().unwrap().to_string(),
                l["amount"].as_str().unwrap().to_string(),
                l["tier"].clone(),
            )
        })
        .collect()
}

#[test]
fn graduated_month_of_12010_scans_is_4099_50() {
    let report = json_report(
        &hss_plan("graduated"),
        &hss_log(12_010),
        "2024-04-01T00:00:00+08:00",
    );
    // Scans 11–10,000 (9,990) at 0.35 and 10,001–12,010 (2,010) at 0.30.
    let got = lines(&report);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        (&got[0].0[..], &got[0].1[..], &got[0].2[..]),
        ("9990", "0.35", "3496.50")
    );
    assert_eq!(got[0].3["number"], 1);
    assert_eq!(got[0].3["from"], "0");
    assert_eq!(got[0].3["up_to"], "10000");
    assert_eq!(
        (&got[1].0[..], &got[1].1[..], &got[1].2[..]),
        ("2010", "0.3", "603.00")
    );
    assert_eq!(got[1].3["number"], 2);
    assert_eq!(got[1].3["from"], "10000");
    assert!(got[1].3.get("up_to").is_none());
    assert_eq!(report["accounts"][0]["charges"]["total"], "4099.50");
    // Posted at the month's end, the overage period's.
    let line = &report["accounts"][0]["charges"]["lines"][0];
    assert_eq!(line["posted_at"], "2024-04-01T00:00:00+08:00");
    assert_eq!(line["state"], "posted");
}

#[test]
fn volume_month_of_12010_scans_is_3600() {
    let report = json_report(
        &hss_plan("volume"),
        &hss_log(12_010),
        "2024-04-01T00:00:00+08:00",
    );
    // The month reaches 12,010: all 12,000 overage units at 0.30.
    let got = lines(&report);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (&got[0].0[..], &got[0].1[..], &got[0].2[..]),
        ("12000", "0.3", "3600.00")
    );
    assert_eq!(got[0].3["number"], 2);
    assert_eq!(report["accounts"][0]["charges"]["total"], "3600.00");
}

#[test]
fn views_name_the_tier_of_each_line() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", hss_plan("graduated"));
    let log = dir.write("log.csv", hss_log(12_010));
    let as_of = "2024-04-01T00:00:00+08:00";
    for format in ["table", "markdown", "html"] {
        let (code, out, err) = run(&[
            "report", "--plan", &plan, "--log", &log, "--as-of", as_of, "--format", format,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("tier 1: up to 10000"), "{format}: {out}");
        assert!(out.contains("tier 2: over 10000"), "{format}: {out}");
        assert!(
            out.contains("3496.50") && out.contains("603.00"),
            "{format}"
        );
    }
    for format in ["table", "csv", "json"] {
        let (code, out, err) = run(&[
            "invoice", "--plan", &plan, "--log", &log, "--as-of", as_of, "--format", format,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("3496.50") && out.contains("603.00"),
            "{format}: {out}"
        );
        if format == "csv" {
            assert!(out.contains("overage (tier 2: over 10000)"), "{out}");
        }
        if format == "json" {
            assert!(out.contains("\"tier\""), "{out}");
        }
    }
}

#[test]
fn a_projection_crossing_the_tier_boundary_prices_each_side() {
    // As of March 7th 00:00: 8,640 scans (8,630 overage, all in tier 1).
    // At 1,440 a day the month reaches 44,640: positions 8,641–10,000 stay
    // in tier 1 (9,990 overage units in all), 10,001–44,640 go to tier 2.
    let as_of = "2024-03-07T00:00:00+08:00";
    let graduated = json_report(&hss_plan("graduated"), &hss_log(12_010), as_of);
    let projection = &graduated["accounts"][0]["projection"];
    assert_eq!(projection["projected_overage"], "44630");
    // 9,990 × 0.35 + 34,640 × 0.30 = 3,496.50 + 10,392.00
    assert_eq!(projection["projected_cycle_charges"], "13888.50");
    assert_eq!(projection["projected_unpriced_overage"], "0");
    let accrued = lines(&graduated);
    assert_eq!(accrued.len(), 1);
    assert_eq!(accrued[0].0, "8630");
    // Volume: the month reaches tier 2, so all 44,630 at 0.30; the projected
    // addition (13,389.00 − 3,020.50 accrued in tier 1) reprices those too.
    let volume = json_report(&hss_plan("volume"), &hss_log(12_010), as_of);
    assert_eq!(
        volume["accounts"][0]["projection"]["projected_cycle_charges"],
        "13389.00"
    );
    assert_eq!(lines(&volume)[0].2, "3020.50");
}

#[test]
fn a_calendar_month_period_restarts_the_count_inside_a_cycle() {
    // Cycle March 15th → April 10th (the term's end), overage counted by
    // calendar month: March's line posts April 1st, April's at the term end.
    let plan = r#"currency = "CNY"
timezone = "+08:00"
[subscription]
start = 2024-03-15T00:00:00+08:00
end = 2024-04-10T00:00:00+08:00
[overage]
policy = "bill"
period = "calendar-month"
[[overage.tier]]
up_to = 100
unit_price = 1
[[overage.tier]]
unit_price = 0.5
"#;
    // 24 scans a day for ten days: 240 units by March 25th.
    let start = chrono::DateTime::parse_from_rfc3339("2024-03-15T00:30:00+08:00").unwrap();
    let mut log = String::from("timestamp,image,status\n");
    for hour in 0..240 {
        let at = start + chrono::Duration::hours(hour);
        log += &format!("{},img{hour},success\n", at.to_rfc3339());
    }
    let report = json_report(plan, &log, "2024-03-25T00:00:00+08:00");
    // Accrued: 100 × 1 + 140 × 0.5.
    assert_eq!(report["accounts"][0]["charges"]["total"], "170.00");
    // The rest of March, 7 days × 24 = 168 more (408 in all: 100 × 1 +
    // 308 × 0.5 = 254); April's 9 days, 216 units, count from zero again:
    // 100 × 1 + 116 × 0.5 = 158. Continuing March's count would give 108.
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_cycle_charges"], "412.00");
    // By April 5th March has posted and April's count started afresh.
    let report = json_report(plan, &log, "2024-04-05T00:00:00+08:00");
    let march = &report["accounts"][0]["charges"]["lines"];
    assert_eq!(march[0]["state"], "posted");
    assert_eq!(march[0]["posted_at"], "2024-04-01T00:00:00+08:00");
}

#[test]
fn a_calendar_month_overage_line_is_counted_once_in_the_invoice() {
    // Cycles from the 15th, overage by calendar month: January's line posts
    // Feb 1, inside the second cycle, and the projection counts it there.
    // The invoice puts it there too, so it is not counted in both cycles.
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-01-15T00:00:00Z\nmonths = 2\n[[allowance]]\nname = \"quota\"\nunits = 2\nunit_price = 1\n[overage]\npolicy = \"bill\"\nunit_price = 0.5\nperiod = \"calendar-month\"\n[[overage.price_change]]\nat = 2024-01-20T00:00:00Z\nunit_price = 0.7\n[[overage.price_change]]\nat = 2024-02-01T00:00:00Z\nunit_price = 0.9\n";
    let log = "timestamp,image,status\n2024-01-16T00:00:00Z,a,success\n2024-01-17T00:00:00Z,b,success\n2024-01-19T23:59:59Z,c,success\n2024-01-20T00:00:00Z,d,success\n2024-01-25T00:00:00Z,e,success\n2024-02-01T00:00:00Z,f,success\n2024-02-10T00:00:00Z,g,success\n2024-02-16T00:00:00Z,h,success\n";
    let dir = Workdir::new();
    let (plan_text, log_text) = (plan, log);
    let plan = dir.write("plan.toml", plan_text);
    let log = dir.write("log.csv", log_text);
    let args = ["--plan", &plan, "--log", &log, "--as-of", "2024-02-20"];
    let (code, out, err) = run(&[&["invoice"][..], &args, &["--format", "json"]].concat());
    assert_eq!(code, 0, "{err}");
    let invoice: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(invoice["projected"], "10.25", "{out}");
    let report = json_report(plan_text, log_text, "2024-02-20");
    let projection = &report["accounts"][0]["projection"];
    let cycles = invoice["accounts"][0]["cycles"].as_array().unwrap();
    let current = cycles.last().unwrap();
    assert_eq!(
        current["projected"], projection["projected_cycle_charges"],
        "{out}"
    );
    assert_eq!(current["projected"], "6.35");
}

const BILL: &str = "[subscription]\nstart = 2024-03-01T00:00:00Z\n[overage]\npolicy = \"bill\"\n";

#[test]
fn bad_tiers_are_refused_naming_the_key() {
    let err = plan_check_error(&format!(
        "{BILL}[[overage.tier]]\nup_to = 100\nunit_price = 1\n[[overage.tier]]\nup_to = 50\nunit_price = 1\n[[overage.tier]]\n"
    ));
    assert!(
        err.contains("overage.tier[1].up_to")
            && err.contains("`50`")
            && err.contains("strictly ascending"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{BILL}[[overage.tier]]\nup_to = 100\nunit_price = 1\n"
    ));
    assert!(
        err.contains("overage.tier[0].up_to") && err.contains("last tier is open"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{BILL}[[overage.tier]]\nunit_price = 1\n[[overage.tier]]\nunit_price = 2\n"
    ));
    assert!(
        err.contains("overage.tier[0].up_to") && err.contains("is required"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{}unit_price = 0.3\n[[overage.tier]]\nunit_price = 1\n",
        BILL
    ));
    assert!(
        err.contains("overage.unit_price") && err.contains("together with [[overage.tier]]"),
        "{err}"
    );
    let err = plan_check_error(&format!(
        "{BILL}[[overage.price_change]]\nat = 2024-04-01T00:00:00Z\nunit_price = 1\n[[overage.tier]]\nunit_price = 1\n"
    ));
    assert!(
        err.contains("overage.price_change") && err.contains("together with [[overage.tier]]"),
        "{err}"
    );
    let err = plan_check_error(&format!("{BILL}tier_mode = \"stepped\"\n"));
    assert!(
        err.contains("overage.tier_mode") && err.contains("\"graduated\" or \"volume\""),
        "{err}"
    );
    let err = plan_check_error(&format!("{BILL}period = \"week\"\n"));
    assert!(
        err.contains("overage.period") && err.contains("\"cycle\" or \"calendar-month\""),
        "{err}"
    );
    let err = plan_check_error(
        "[subscription]\nstart = 2024-03-01T00:00:00Z\n[overage]\n[[overage.tier]]\nunit_price = 1\n",
    );
    assert!(
        err.contains("overage.tier") && err.contains("policy \"deny\""),
        "{err}"
    );
}

#[test]
fn builtin_hss_payg_tiered_counts_the_month_and_leaves_prices_to_the_user() {
    let dir = Workdir::new();
    let log = dir.write("log.csv", hss_log(12_010));
    let (code, out, err) = run(&[
        "report",
        "--plan",
        "builtin:hss-payg-tiered",
        "--log",
        &log,
        "--as-of",
        "2024-04-01T00:00:00+08:00",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    // Both tiers unpriced: reported, never charged as zero.
    assert_eq!(
        report["accounts"][0]["charges"]["unpriced_overage_units"],
        "12000"
    );
    assert_eq!(report["accounts"][0]["charges"]["total"], "0.00");
    let (code, out, _) = run(&[
        "plan",
        "check",
        "builtin:hss-payg-tiered",
        "--start",
        "2024-03-01T00:00:00+08:00",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("period = \"calendar-month\"") && out.contains("up_to = \"10000\""),
        "{out}"
    );
    let (code, out, _) = run(&["plan", "show", "builtin:hss-payg-tiered"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("hss_02_0006"),
        "the comment names the vendor page: {out}"
    );
}

fn load(plan: &str, log: &str) -> (Plan, ScanLog) {
    let plan = Plan::from_str("plan.toml", plan).expect("generated plan is valid");
    let mut scans = ScanLog::default();
    scans
        .read_one("log.csv", log.as_bytes(), plan.zone)
        .expect("generated log is valid");
    scans.sort();
    (plan, scans)
}

/// The report as JSON without the lines' `tier` and the header's untiered
/// `overage_unit_price` (what the plan says, not a figure): the figures alone.
fn figures(plan: &str, log: &str, minute: u32) -> Value {
    let (plan, scans) = load(plan, log);
    let report = generate(&plan, &scans, as_of(&plan, minute), None).unwrap();
    let mut value = serde_json::to_value(&report).unwrap();
    strip_tiers(&mut value);
    let header = value.as_object_mut().unwrap();
    header.remove("overage_unit_price");
    // Two plans' figures compared: their identities differ by design.
    header.remove("plan_digest");
    value
}

fn strip_tiers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("tier");
            map.values_mut().for_each(strip_tiers);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_tiers),
        _ => {}
    }
}

/// The random plan billing its overage (priced at 0.3), its `[overage]`
/// section rewritten by `tiers`, counted by `period`.
fn billed(spec: &common::random::PlanSpec, calendar: bool, tiers: &str) -> String {
    let mut spec = spec.clone();
    spec.bill = true;
    spec.priced_overage = true;
    let period = if calendar { "calendar-month" } else { "cycle" };
    plan_text(&spec).replace(
        "unit_price = 0.3\n[[fee]]",
        &format!("period = \"{period}\"\n{tiers}[[fee]]"),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_single_tier_is_the_untiered_plan(spec in plan_spec(), rows in rows(), minute in 0u32..180_000, calendar in any::<bool>()) {
        let log = log_text(&rows);
        let untiered = billed(&spec, calendar, "unit_price = 0.3\n");
        let single = billed(&spec, calendar, "[[overage.tier]]\nunit_price = 0.3\n");
        prop_assert_ne!(&untiered, &single);
        prop_assert_eq!(figures(&untiered, &log, minute), figures(&single, &log, minute));
    }

    #[test]
    fn graduated_and_volume_agree_within_the_first_tier(spec in plan_spec(), rows in rows(), minute in 0u32..180_000, calendar in any::<bool>()) {
        let log = log_text(&rows);
        let tiers = "[[overage.tier]]\nup_to = 1000000\nunit_price = 0.3\n[[overage.tier]]\nunit_price = 0.1\n";
        let graduated = billed(&spec, calendar, &format!("tier_mode = \"graduated\"\n{tiers}"));
        let volume = billed(&spec, calendar, &format!("tier_mode = \"volume\"\n{tiers}"));
        let value = |text: &str| {
            let (plan, scans) = load(text, &log);
            let report = generate(&plan, &scans, as_of(&plan, minute), None).unwrap();
            let mut value = serde_json::to_value(&report).unwrap();
            // Two plans' figures compared: their identities differ by design.
            value.as_object_mut().unwrap().remove("plan_digest");
            value
        };
        prop_assert_eq!(value(&graduated), value(&volume));
    }

    #[test]
    fn every_replay_path_agrees_on_tiers_and_rule_changes(spec in plan_spec(), rows in rows(), minute in 0u32..180_000, threads in 1usize..4) {
        let tiers = "[[overage.tier]]\nup_to = 2.5\nunit_price = 0.5\n[[overage.tier]]\nup_to = 7\n[[overage.tier]]\nunit_price = 0.1\n";
        let plan = billed(&spec, true, tiers).replacen(
            "[[allowance]]",
            "[[metering.change]]\nat = 2024-02-20T00:00:00+01:00\nrepeat_scan_units = 0.7\ncount_failed = true\n[[allowance]]",
            1,
        );
        let plan = if plan.contains("[[metering.change]]") {
            plan
        } else {
            plan.replace("[overage]", "[[metering.change]]\nat = 2024-02-20T00:00:00+01:00\nrepeat_scan_units = 0.7\n[overage]")
        };
        let plan = Plan::from_str("plan.toml", &plan).unwrap();
        let options = ReadOptions { group_column: Some("team".to_string()), ..ReadOptions::default() };
        let mut scans = ScanLog::default();
        scans.read_one_with(&options, "log.csv", log_text(&rows).as_bytes(), plan.zone).unwrap();
        scans.sort();
        let mut schedule = Schedule::new(&plan, as_of(&plan, minute));
        schedule.grouped = true;
        let serial = replay(&plan, &scans, &schedule, None, |_, _| {});
        prop_assert_eq!(&serial, &replay_in_parallel(&plan, &scans, &schedule, threads));
        prop_assert_eq!(&serial, &sort_and_replay_by_account(&plan, &mut scans, &schedule, None, threads));
    }
}

/// A quota at 0.30 a unit in steps of 300, overage at 0.50 up to the
/// cycle's 1,000th unit and 0.10 beyond.
const QUOTA_AND_TIERS: &str = r#"currency = "USD"
[subscription]
start = 2024-01-01T00:00:00Z
[[allowance]]
name = "quota"
units = 300
unit_price = 0.30
step = 300
[overage]
policy = "bill"
[[overage.tier]]
up_to = 1000
unit_price = 0.50
[[overage.tier]]
unit_price = 0.10
"#;

fn estimate(plan: &str) -> Value {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan);
    let (code, out, err) = run(&[
        "estimate",
        "--plan",
        &plan,
        "--first-scans",
        "2000",
        "--repeat-scans",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let estimate: Value = serde_json::from_str(&out).unwrap();
    estimate["currencies"][0]["plans"][0]["accounts"][0].clone()
}

#[test]
fn estimate_leaves_overage_in_a_cheaper_tier() {
    // 2,000 units: buying 900 (270.00) leaves units 901–2,000 as overage,
    // 100 at 0.50 and 1,000 at 0.10 (150.00): 420.00, below nothing bought
    // (1,000 × 0.50 + 1,000 × 0.10 = 600.00), 1,200 (360.00 + 80.00) or
    // the covering 2,100 (630.00).
    let graduated = estimate(QUOTA_AND_TIERS);
    assert_eq!(graduated["purchase"], "900");
    assert_eq!(graduated["overage_per_cycle"], "1100");
    assert_eq!(graduated["cost_per_cycle"], "420.00");
    // By volume the cycle's 2,000 units reach the 0.10 tier for all its
    // overage: buying nothing is cheapest (200.00).
    let volume = estimate(&QUOTA_AND_TIERS.replace(
        "policy = \"bill\"\n",
        "policy = \"bill\"\ntier_mode = \"volume\"\n",
    ));
    assert_eq!(volume["purchase"], "0");
    assert_eq!(volume["cost_per_cycle"], "200.00");
}

/// `estimate` on `plan` for a demand given by hand: the one account's
/// recommendation.
fn estimate_for(plan: &str, first: &str, repeat: &str) -> Value {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan);
    let (code, out, err) = run(&[
        "estimate",
        "--plan",
        &plan,
        "--first-scans",
        first,
        "--repeat-scans",
        repeat,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let estimate: Value = serde_json::from_str(&out).unwrap();
    estimate["currencies"][0]["plans"][0]["accounts"][0].clone()
}

/// `QUOTA_AND_TIERS` with a single open tier at 0.50, and the same plan
/// untiered.
fn single_tier_and_flat() -> (String, String) {
    let head = QUOTA_AND_TIERS
        .split("[[overage.tier]]")
        .next()
        .unwrap()
        .to_string();
    (
        format!("{head}[[overage.tier]]\nunit_price = 0.50\n"),
        format!("{head}unit_price = 0.50\n"),
    )
}

#[test]
fn estimate_with_a_single_tier_buys_what_the_untiered_plan_buys() {
    // 950 units, quota 0.30 in steps of 300, overage 0.50: 0 costs 475.00,
    // 300 costs 90.00 + 325.00 = 415.00, 600 costs 180.00 + 175.00 = 355.00,
    // 900 costs 270.00 + 25.00 = 295.00, the covering 1,200 costs 360.00.
    let (single, flat) = single_tier_and_flat();
    for plan in [&single, &flat] {
        let chosen = estimate_for(plan, "950", "0");
        assert_eq!(chosen["purchase"], "900", "{plan}");
        assert_eq!(chosen["overage_per_cycle"], "50", "{plan}");
        assert_eq!(chosen["cost_per_cycle"], "295.00", "{plan}");
    }
}

#[test]
fn estimate_with_two_tiers_weighs_the_purchases_below_the_demand() {
    // 950 units stay in the 0.50 tier (up to 1,000): as above, 900 for
    // 295.00 beats the covering 1,200 for 360.00.
    let graduated = estimate_for(QUOTA_AND_TIERS, "950", "0");
    assert_eq!(graduated["purchase"], "900");
    assert_eq!(graduated["cost_per_cycle"], "295.00");
    // By volume too (the cycle's 950 units reach only the 0.50 tier).
    let volume = estimate_for(
        &QUOTA_AND_TIERS.replace(
            "policy = \"bill\"\n",
            "policy = \"bill\"\ntier_mode = \"volume\"\n",
        ),
        "950",
        "0",
    );
    assert_eq!(volume["purchase"], "900");
    assert_eq!(volume["cost_per_cycle"], "295.00");
}

/// A quota of 0.3 a unit in steps of 5; overage at 0.333 up to the cycle's
/// 7.05th unit, unpriced up to the 9th, free up to the 10th, 0.123 beyond.
const QUOTA_AND_AN_UNPRICED_TIER: &str = r#"currency = "USD"
timezone = "+08:00"
[subscription]
start = 2024-03-15T14:00:00+08:00
months = 3
[metering]
first_scan_units = 1
repeat_scan_units = 0.1
[[allowance]]
name = "quota"
units = 5
unit_price = 0.3
step = 5
[overage]
policy = "bill"
[[overage.tier]]
up_to = 7.05
unit_price = 0.333
[[overage.tier]]
up_to = 9
[[overage.tier]]
up_to = 10
unit_price = 0
[[overage.tier]]
unit_price = 0.123
"#;

#[test]
fn estimate_buys_past_an_unpriced_tier_rather_than_the_covering_purchase() {
    // 12 first and 5 repeat scans: 12.5 units. Buying 10 (3.00) leaves
    // units 10–12.5 in the 0.123 tier: 2.5 × 0.123 = 0.3075 → 0.31, 3.31 in
    // all; the covering 15 costs 4.50; 0 or 5 leave overage in the unpriced
    // tier, whose cost is unknown, so neither is chosen.
    let chosen = estimate_for(QUOTA_AND_AN_UNPRICED_TIER, "12", "5");
    assert_eq!(chosen["demand_units"], "12.5");
    assert_eq!(chosen["purchase"], "10");
    assert_eq!(chosen["overage_per_cycle"], "2.5");
    assert_eq!(chosen["unpriced_overage"], false);
    assert_eq!(chosen["cost_per_cycle"], "3.31");
}

/// Graduated tiers as `(up_to, unit_price)`, the last open; a price of
/// `None` leaves the tier unpriced.
type Tiers = Vec<(Option<Decimal>, Option<Decimal>)>;

/// A plan with a quota of `price` in steps of `step`, its overage tiered
/// or untiered, as the `[overage]` lines `overage` say; a scan's repeat is
/// half a unit.
fn quota_plan(step: &str, price: &str, overage: &str) -> String {
    format!(
        "currency = \"USD\"\n[subscription]\nstart = 2024-01-01T00:00:00Z\n[metering]\nfirst_scan_units = 1\nrepeat_scan_units = 0.5\n[[allowance]]\nname = \"quota\"\nunits = {step}\nunit_price = {price}\nstep = {step}\n[overage]\npolicy = \"bill\"\n{overage}"
    )
}

/// `[[overage.tier]]` tables for `(up_to, unit_price)` pairs.
fn tiers_text(tiers: &[(Option<Decimal>, Option<Decimal>)]) -> String {
    let mut text = String::new();
    for (up_to, price) in tiers {
        text += "[[overage.tier]]\n";
        if let Some(up_to) = up_to {
            text += &format!("up_to = {up_to}\n");
        }
        if let Some(price) = price {
            text += &format!("unit_price = {price}\n");
        }
    }
    text
}

/// The cost of buying `q` of a quota at `price` for `units` metered units,
/// worked out by hand: the quota line and each tier's part of the overage
/// rounded to cents; `None` when the overage reaches a tier without a price.
fn cost_by_hand(
    q: Decimal,
    price: Decimal,
    units: Decimal,
    tiers: &[(Option<Decimal>, Option<Decimal>)],
) -> Option<Decimal> {
    let cents = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let mut cost = cents(q * price);
    let mut low = Decimal::ZERO;
    for (up_to, tier_price) in tiers {
        let high = up_to.unwrap_or(Decimal::MAX).min(units);
        let part = high - low.max(q);
        if part > Decimal::ZERO {
            cost += cents(part * (*tier_price)?);
        }
        low = up_to.unwrap_or(Decimal::MAX);
    }
    Some(cost)
}

fn decimal_of(value: &Value) -> Decimal {
    value.as_str().unwrap().parse().unwrap()
}

prop_compose! {
    /// One to four graduated tiers, ascending, the last open, the price of
    /// each often the quota's, sometimes 0 or none.
    fn quota_tiers(price: Decimal)(
        bounds in prop::collection::vec((1u64..60, 0u32..2), 0..4),
        prices in prop::collection::vec(prop_oneof![
            3 => (0u64..80, 0u32..3).prop_map(|(m, s)| Some(Decimal::new(m as i64, s))),
            1 => Just(Some(Decimal::ZERO)),
            1 => Just(None),
        ], 4),
        same in prop::collection::vec(prop::bool::weighted(0.25), 4),
    ) -> Tiers {
        let mut up_to = Decimal::ZERO;
        let mut tiers = Vec::new();
        for (i, (m, s)) in bounds.iter().enumerate() {
            up_to += Decimal::new(*m as i64, *s);
            tiers.push((Some(up_to), if same[i] { Some(price) } else { prices[i] }));
        }
        let last = bounds.len();
        tiers.push((None, if same[last] { Some(price) } else { prices[last] }));
        tiers
    }
}

fn quota_and_tiers() -> impl Strategy<Value = (Decimal, Decimal, Tiers)> {
    ((1u64..40, 0u32..2), (0u64..80, 0u32..3)).prop_flat_map(|((sm, ss), (pm, ps))| {
        let step = Decimal::new(sm as i64, ss);
        let price = Decimal::new(pm as i64, ps);
        (Just(step), Just(price), quota_tiers(price))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A single tier recommends what the untiered plan does, and a graduated
    /// recommendation is the cheapest purchase there is up to the covering
    /// one (the smallest of equals), its cost the one worked out by hand.
    #[test]
    fn estimate_picks_the_cheapest_purchase_through_the_tiers(
        (step, price, tiers) in quota_and_tiers(),
        first in 0u64..400,
        repeat in 0u64..200,
    ) {
        let (first, repeat) = (first.to_string(), repeat.to_string());
        let units = Decimal::from_str_exact(&first).unwrap()
            + Decimal::from_str_exact(&repeat).unwrap() * Decimal::new(5, 1);
        let (step_text, price_text) = (step.to_string(), price.to_string());
        let open = tiers.last().unwrap().1;
        if let Some(open) = open {
            let single = estimate_for(&quota_plan(&step_text, &price_text, &tiers_text(&[(None, Some(open))])), &first, &repeat);
            let flat = estimate_for(&quota_plan(&step_text, &price_text, &format!("unit_price = {open}\n")), &first, &repeat);
            prop_assert_eq!(&single, &flat);
        }
        let chosen = estimate_for(&quota_plan(&step_text, &price_text, &tiers_text(&tiers)), &first, &repeat);
        // Every allowed purchase up to the covering one, with a known cost.
        let mut purchases = vec![Decimal::ZERO];
        let mut q = step;
        loop {
            purchases.push(q);
            if q >= units {
                break;
            }
            q += step;
        }
        let cheapest = purchases
            .iter()
            .filter_map(|q| Some((cost_by_hand(*q, price, units, &tiers)?, *q)))
            .min()
            .expect("the covering purchase leaves no overage");
        prop_assert_eq!(decimal_of(&chosen["purchase"]), cheapest.1);
        prop_assert_eq!(decimal_of(&chosen["cost_per_cycle"]), cheapest.0);
    }
}

/// A plan from March 15th (cycles from the 15th), every scan overage,
/// tiered at `tiers`, overage counted by `period`.
fn mid_month_plan(period: &str, tiers: &str) -> String {
    format!(
        "currency = \"USD\"\n[subscription]\nstart = 2024-03-15T00:00:00Z\nmonths = 3\n[overage]\npolicy = \"bill\"\nperiod = \"{period}\"\n{tiers}"
    )
}

/// One scan an hour, of a new image, from `from` for `hours` hours.
fn hourly(from: &str, hours: i64) -> String {
    let start = chrono::DateTime::parse_from_rfc3339(from).unwrap();
    let mut log = String::from("timestamp,image,status\n");
    for hour in 0..hours {
        let at = start + chrono::Duration::hours(hour);
        log += &format!("{},img{hour},success\n", at.to_rfc3339());
    }
    log
}

/// Both documents, JSON: the report and the invoice.
fn report_and_invoice(plan: &str, log: &str, as_of: &str) -> (Value, Value, String) {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan);
    let log = dir.write("log.csv", log);
    let args = ["--plan", &plan, "--log", &log, "--as-of", as_of];
    let json = |command: &str| -> Value {
        let (code, out, err) = run(&[&[command][..], &args, &["--format", "json"]].concat());
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let (code, table, err) = run(&[&["report"][..], &args].concat());
    assert_eq!(code, 0, "{err}");
    (json("report"), json("invoice"), table.replace('\n', " "))
}

#[test]
fn a_cycle_whose_overage_posts_after_it_says_so_and_the_invoice_prices_what_posts_in_it() {
    // 24 scans a day from April 15th (the second cycle's start): 120 by
    // as-of, April 20th. The cycle (April 15th → May 15th, 30 days) is
    // projected at 720: 600 more, 264 of them in April's overage period
    // (11 days, posting May 1st, inside the cycle) and 336 in May's
    // (14 days, posting June 1st, after it).
    let plan = mid_month_plan(
        "calendar-month",
        "[[overage.tier]]\nup_to = 100\nunit_price = 1\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let log = hourly("2024-04-15T00:30:00Z", 120);
    let (report, invoice, table) = report_and_invoice(&plan, &log, "2024-04-20T00:00:00Z");
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_overage"], "720");
    assert_eq!(projection["projected_overage_posting_later"], "336");
    // April's line: 384 units, 100 × 1 + 284 × 0.5 = 242.00; so far
    // 100 × 1 + 20 × 0.5 = 110.00 accrued, so the projection adds 264 units
    // of tier 2, 132.00.
    assert_eq!(projection["projected_cycle_charges"], "242.00");
    let added = projection["projected_overage_lines"].as_array().unwrap();
    assert_eq!(added.len(), 1, "{projection}");
    assert_eq!(added[0]["tier"]["number"], 2);
    assert_eq!(added[0]["quantity"], "264");
    assert_eq!(added[0]["unit_price"], "0.5");
    assert_eq!(added[0]["amount"], "132.00");
    assert_eq!(added[0]["posted_at"], "2024-05-01T00:00:00+00:00");
    assert!(
        table.contains("Projected cost of the cycle ending 2024-05-15 00:00: USD 242.00; 336 units of the cycle's overage post after it"),
        "{table}"
    );
    // The invoice's cycle: what posts in it, priced by tier, adds up to the
    // report's projected cost.
    let cycle = &invoice["accounts"][0]["cycles"][1];
    assert_eq!(cycle["accrued"], "110.00");
    assert_eq!(cycle["still_to_come"], "132.00");
    assert_eq!(cycle["projected"], projection["projected_cycle_charges"]);
    let to_come: Vec<&Value> = cycle["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["state"] == "still_to_come")
        .collect();
    assert_eq!(to_come.len(), 1, "{cycle}");
    assert_eq!(to_come[0]["unit_price"], "0.5");
    assert_eq!(to_come[0]["tier"]["number"], 2);
    assert_eq!(to_come[0]["period_start"], "2024-04-01T00:00:00+00:00");
}

#[test]
fn a_projection_past_an_unpriced_tier_prices_the_priced_one_in_every_view() {
    // Overage by cycle; the first 100 units of a cycle have no price, then
    // 0.5. 120 units by April 20th (100 unpriced, 20 × 0.5 = 10.00), 720
    // projected: 100 unpriced and 620 × 0.5 = 310.00.
    let plan = mid_month_plan(
        "cycle",
        "[[overage.tier]]\nup_to = 100\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let log = hourly("2024-04-15T00:30:00Z", 120);
    let (report, invoice, table) = report_and_invoice(&plan, &log, "2024-04-20T00:00:00Z");
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_cycle_charges"], "310.00");
    assert_eq!(projection["projected_unpriced_overage"], "100");
    assert!(
        table.contains("USD 310.00 + 100 overage units at no published price"),
        "{table}"
    );
    let cycle = &invoice["accounts"][0]["cycles"][1];
    assert_eq!(cycle["accrued"], "10.00");
    assert_eq!(cycle["still_to_come"], "300.00", "{cycle}");
    assert_eq!(cycle["projected"], "310.00");
    assert_eq!(cycle["unpriced_overage_units"], "100");
    let unpriced: Vec<&Value> = cycle["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["amount"].is_null())
        .collect();
    assert_eq!(unpriced.len(), 1, "{cycle}");
    assert_eq!(unpriced[0]["quantity"], "100");
    assert_eq!(unpriced[0]["state"], "accrued");
    assert_eq!(unpriced[0]["tier"]["number"], 1);
}

#[test]
fn unpriced_overage_by_calendar_month_is_a_line_per_month_and_tier() {
    // 24 scans a day from March 15th to April 20th. March's period (from
    // the term start): 408
    // units, the first 100 unpriced, 308 × 0.5 = 154.00, posted April 1st
    // (in the first cycle). April's so far: 456, 100 unpriced, 356 × 0.5 =
    // 178.00 accrued (posting May 1st, in the second cycle).
    let plan = mid_month_plan(
        "calendar-month",
        "[[overage.tier]]\nup_to = 100\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let log = hourly("2024-03-15T00:30:00Z", 36 * 24);
    let (report, invoice, _) = report_and_invoice(&plan, &log, "2024-04-20T00:00:00Z");
    let charges = &report["accounts"][0]["charges"];
    assert_eq!(charges["unpriced_overage_units"], "200");
    let unpriced = charges["unpriced_lines"].as_array().unwrap();
    assert_eq!(unpriced.len(), 2, "{charges}");
    for (line, (start, state)) in unpriced.iter().zip([
        ("2024-03-15T00:00:00+00:00", "posted"),
        ("2024-04-01T00:00:00+00:00", "accrued"),
    ]) {
        assert_eq!(line["period_start"], start);
        assert_eq!(line["state"], state);
        assert_eq!(line["quantity"], "100");
        assert_eq!(line["tier"]["number"], 1);
    }
    let cycles = invoice["accounts"][0]["cycles"].as_array().unwrap();
    for (cycle, (priced, start)) in cycles.iter().zip([
        ("154.00", "2024-03-15T00:00:00+00:00"),
        ("178.00", "2024-04-01T00:00:00+00:00"),
    ]) {
        assert_eq!(cycle["unpriced_overage_units"], "100", "{cycle}");
        let lines = cycle["lines"].as_array().unwrap();
        let unpriced: Vec<&Value> = lines.iter().filter(|l| l["amount"].is_null()).collect();
        assert_eq!(unpriced.len(), 1, "{cycle}");
        assert_eq!(unpriced[0]["period_start"], start);
        assert_eq!(unpriced[0]["tier"]["number"], 1);
        assert!(
            lines
                .iter()
                .any(|l| l["amount"] == priced && l["period_start"] == start),
            "{cycle}"
        );
    }
    for (cycle, reported) in cycles
        .iter()
        .zip(report["accounts"][0]["cycles"].as_array().unwrap())
    {
        assert_eq!(
            cycle["unpriced_overage_units"],
            reported["unpriced_overage"]
        );
    }
}

#[test]
fn by_volume_a_projection_reaching_a_further_tier_moves_the_line() {
    // Overage by cycle, by volume: up to 200 at 1, beyond at 0.5. 120 units
    // by April 20th, all at 1 (120.00 accrued); 720 projected, so the
    // cycle's units are all priced at 0.5: 360.00. The tier-1 line is taken
    // back (−120 units, −120.00) and a tier-2 line added (+720, +360.00).
    let plan = mid_month_plan(
        "cycle",
        "tier_mode = \"volume\"\n[[overage.tier]]\nup_to = 200\nunit_price = 1\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let log = hourly("2024-04-15T00:30:00Z", 120);
    let (report, invoice, _) = report_and_invoice(&plan, &log, "2024-04-20T00:00:00Z");
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_cycle_charges"], "360.00");
    let added: Vec<(Value, Value, Value)> = projection["projected_overage_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["tier"]["number"].clone(),
                l["quantity"].clone(),
                l["amount"].clone(),
            )
        })
        .collect();
    assert_eq!(
        added,
        vec![
            (2.into(), "720".into(), "360.00".into()),
            (1.into(), "-120".into(), "-120.00".into()),
        ]
    );
    let cycle = &invoice["accounts"][0]["cycles"][1];
    assert_eq!(cycle["accrued"], "120.00");
    assert_eq!(cycle["still_to_come"], "240.00");
    assert_eq!(cycle["projected"], "360.00");
}

#[test]
fn a_projection_never_takes_back_units_of_a_fine_grained_tier() {
    // A first tier of 0.00004 units at 250,000 (10.00) and 1 beyond: 2
    // units by March 11th, 6.2 projected over the 31-day cycle. Tier 1
    // stays 0.00004 (10.00), tier 2 is 6.19996 × 1 = 6.20: 16.20. Rounding
    // the whole tier-1 line to 4 places took back its 0.00004 units.
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\nmonths = 1\n[overage]\npolicy = \"bill\"\n[[overage.tier]]\nup_to = 0.00004\nunit_price = 250000\n[[overage.tier]]\nunit_price = 1\n";
    let log =
        "timestamp,image,status\n2024-03-02T00:00:00Z,a,success\n2024-03-03T00:00:00Z,b,success\n";
    let (report, invoice, _) = report_and_invoice(plan, log, "2024-03-11T00:00:00Z");
    let account = &report["accounts"][0];
    assert_eq!(account["charges"]["total"], "12.00");
    assert_eq!(account["projection"]["projected_cycle_charges"], "16.20");
    let added = account["projection"]["projected_overage_lines"]
        .as_array()
        .unwrap();
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0]["tier"]["number"], 2);
    assert_eq!(added[0]["quantity"], "4.2");
    assert_eq!(invoice["accounts"][0]["cycles"][0]["projected"], "16.20");
}

#[test]
fn unpriced_units_stand_beside_the_projected_total_that_holds_them() {
    // As of April 20th: 100 unpriced units posted (March) and 100 accrued
    // (April); none of them belong beside "posted" alone.
    let plan = mid_month_plan(
        "calendar-month",
        "[[overage.tier]]\nup_to = 100\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", &plan);
    let log = dir.write("log.csv", hourly("2024-03-15T00:30:00Z", 36 * 24));
    let (code, table, err) = run(&[
        "invoice",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-04-20T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{err}");
    let table = table.replace('\n', " ");
    assert!(
        table.contains("Account default: posted USD 154.00, accrued 178.00, still to come 132.00, projected USD 464.00 + 200 overage units at no published price"),
        "{table}"
    );
    assert!(
        table.contains("Posted USD 154.00; accrued USD 178.00; still to come USD 132.00; projected USD 464.00 + 200 overage units"),
        "{table}"
    );
}

#[test]
fn a_line_posting_in_a_cycle_not_yet_started_is_filed_there() {
    // As of April 10th (cycle March 15th → April 15th), April's overage
    // line (216 units so far: 100 × 1 + 116 × 0.5 = 158.00, accrued) posts
    // May 1st, in the next cycle: the invoice shows that cycle, marked
    // upcoming, and the current cycle's projected cost stays the report's.
    let plan = mid_month_plan(
        "calendar-month",
        "[[overage.tier]]\nup_to = 100\nunit_price = 1\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let log = hourly("2024-03-15T00:30:00Z", 26 * 24);
    let (report, invoice, _) = report_and_invoice(&plan, &log, "2024-04-10T00:00:00Z");
    let account = &report["accounts"][0];
    assert_eq!(
        account["upcoming_cycle"]["from"],
        "2024-04-15T00:00:00+00:00"
    );
    assert_eq!(account["upcoming_cycle"]["to"], "2024-05-15T00:00:00+00:00");
    let cycles = invoice["accounts"][0]["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 2, "{invoice}");
    assert!(cycles[0].get("upcoming").is_none());
    assert_eq!(
        cycles[0]["projected"],
        account["projection"]["projected_cycle_charges"]
    );
    assert_eq!(cycles[1]["upcoming"], true);
    assert_eq!(cycles[1]["accrued"], "158.00");
    assert_eq!(cycles[1]["still_to_come"], "0.00");
    let lines = cycles[1]["lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .all(|l| l["period_start"] == "2024-04-01T00:00:00+00:00" && l["state"] == "accrued"),
        "{lines:?}"
    );
    assert_eq!(invoice["accrued"], "158.00");
}

#[test]
fn estimate_without_a_step_weighs_every_tier_bound() {
    // Quota at 0.5 a unit in any amount; overage up to 150 at 1, to 300 at
    // 0.5, beyond at 0.25. For 340 units: buying 150 leaves 190 overage at
    // positions 151–340 (150 × 0.5 + 40 × 0.25 = 85.00): 75.00 + 85.00 =
    // 160.00, below covering all 340 (170.00) and buying nothing (150 +
    // 75 + 10 = 235.00).
    let plan = "currency = \"USD\"\n[subscription]\nstart = 2024-03-15T00:00:00Z\nmonths = 3\n[[allowance]]\nname = \"quota\"\nunits = 100\nunit_price = 0.5\n[overage]\npolicy = \"bill\"\n[[overage.tier]]\nup_to = 150\nunit_price = 1\n[[overage.tier]]\nup_to = 300\nunit_price = 0.5\n[[overage.tier]]\nunit_price = 0.25\n";
    let estimate = estimate_for(plan, "340", "0");
    assert_eq!(estimate["purchase"], "150");
    assert_eq!(estimate["cost_per_cycle"], "160.00");
}

#[test]
fn allocation_files_calendar_month_overage_in_the_cycle_it_posts_in() {
    // March's overage posts April 1st (first cycle), April's May 1st
    // (second): each cycle's allocation shares out what the invoice files
    // under it, posted and accrued.
    let plan = mid_month_plan(
        "calendar-month",
        "[[overage.tier]]\nup_to = 100\nunit_price = 1\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let start = chrono::DateTime::parse_from_rfc3339("2024-03-15T00:30:00Z").unwrap();
    let mut log = String::from("timestamp,image,status,team\n");
    for hour in 0..36 * 24 {
        let at = start + chrono::Duration::hours(hour);
        let team = ["a", "b", "c"][(hour % 3) as usize];
        log += &format!("{},img{hour},success,{team}\n", at.to_rfc3339());
    }
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", &plan);
    let log = dir.write("log.csv", &log);
    let (code, out, err) = run(&[
        "invoice",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-04-20T00:00:00Z",
        "--by",
        "team",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let invoice: Value = serde_json::from_str(&out).unwrap();
    let account = &invoice["accounts"][0];
    let shared = account["allocation"]["cycles"].as_array().unwrap();
    let cycles = account["cycles"].as_array().unwrap();
    assert_eq!(shared.len(), 2);
    let money = |v: &Value| v.as_str().unwrap().parse::<Decimal>().unwrap();
    for (cycle, allocated) in cycles.iter().zip(shared) {
        let groups: Decimal = allocated["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| money(&g["charges"]))
            .sum();
        let total = groups + money(&allocated["unused"]) + money(&allocated["shared"]);
        assert_eq!(
            total,
            money(&cycle["posted"]) + money(&cycle["accrued"]),
            "{allocated} vs {cycle}"
        );
    }
    // March: 100 × 1 + 308 × 0.5 = 254.00 in the first cycle.
    assert_eq!(cycles[0]["posted"], "254.00");
}

/// A volume period projected past its tier leaves the tier's line with a
/// negative quantity; its amount, -2 × 0.001 rounded, is `0.00`, never
/// `-0.00`, in the report, the invoice and a report merged back.
#[test]
fn a_line_leaving_a_tier_for_less_than_a_cent_is_zero_not_minus_zero() {
    let work = Workdir::new();
    let plan = work.write(
        "plan.toml",
        "name = \"volume tiers\"\ncurrency = \"USD\"\ndecimals = 2\n[subscription]\nstart = 2024-03-01T00:00:00Z\nmonths = 3\n\
         [[allowance]]\nname = \"q\"\nunits = 1\nunit_price = 1\n[overage]\npolicy = \"bill\"\ntier_mode = \"volume\"\n\
         [[overage.tier]]\nup_to = 5\nunit_price = 0.001\n[[overage.tier]]\nunit_price = 0.0005\n",
    );
    let log = work.write(
        "log.csv",
        "timestamp,image\n2024-03-02T00:00:00Z,a\n2024-03-02T01:00:00Z,b\n2024-03-02T02:00:00Z,c\n",
    );
    let base = [
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-03-04T00:00:00Z",
    ];
    let (code, report, stderr) = run(&[&["report"][..], &base, &["--format", "json"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let (code, invoice, stderr) = run(&[&["invoice"][..], &base, &["--format", "csv"]].concat());
    assert_eq!(code, 0, "{stderr}");
    assert!(invoice.contains(",-2,0.001,0.00,"), "{invoice}");
    for text in [&report, &invoice] {
        assert!(!text.contains("-0.00"), "{text}");
    }
    let written = work.write("report.json", &report);
    let (code, merged, stderr) = run(&["merge", &written, "--format", "json"]);
    assert_eq!((code, merged.as_str()), (0, report.as_str()), "{stderr}");
}
