//! `stats`, `reconcile`, `estimate` and `man` through the real binary.

mod common;

use common::{Workdir, run};
use serde_json::json;

const HSS: &str = "fixtures/hss-payg.toml";
const STATS_LOG: &str = "fixtures/hss-stats.csv";
const AS_OF: &str = "2024-04-20 00:00:00";

fn stats(extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["stats", "--plan", HSS, "--log", STATS_LOG, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn stats_fields_checked_by_hand() {
    let stats = stats(&[]);
    // Registry: rows 2, 3, 4 (row 5 repeats scan id 3). CI/CD: rows 6 and 10; failed rows never count.
    assert_eq!(stats["repository_scan_num"], 3);
    assert_eq!(stats["cicd_scan_num"], 2);
    // Six metered scans in April (local ones draw free units too): 10 − 6 left.
    assert_eq!(stats["free_quota_num"], 4);
    assert_eq!(stats["already_given"], true);
    assert_eq!(stats["image_free_quota"], 10);
    // Each (source, image) pair by its latest successful scan: registry/img-a
    // went high → none; cicd/img-c stays high (the later row failed).
    assert_eq!(
        stats["high_risk"],
        json!({"local": 0, "registriy": 0, "cicd": 1})
    );
    assert_eq!(
        stats["has_risk"],
        json!({"local": 1, "registriy": 1, "cicd": 2})
    );
    assert_eq!(
        stats["total"],
        json!({"local": 1, "registriy": 2, "cicd": 3})
    );
    // cicd/img-e only ever failed.
    assert_eq!(
        stats["unscan"],
        json!({"local": 0, "registriy": 0, "cicd": 1})
    );
}

#[test]
fn inventory_adds_never_scanned_images() {
    let stats = stats(&["--inventory", "fixtures/hss-inventory.csv"]);
    assert_eq!(
        stats["unscan"],
        json!({"local": 1, "registriy": 1, "cicd": 1})
    );
    assert_eq!(
        stats["total"],
        json!({"local": 2, "registriy": 3, "cicd": 3})
    );
}

#[test]
fn stats_snapshots() {
    for format in ["json", "table"] {
        let (code, stdout, _) = run(&[
            "stats",
            "--plan",
            HSS,
            "--log",
            STATS_LOG,
            "--as-of",
            AS_OF,
            "--inventory",
            "fixtures/hss-inventory.csv",
            "--format",
            format,
        ]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("stats_{format}"), stdout);
    }
}

#[test]
fn stats_needs_one_account() {
    let (code, stdout, stderr) = run(&[
        "stats",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("team-a, team-b"), "{stderr}");
}

fn reconcile(vendor: &str) -> (i32, String, String) {
    run(&[
        "reconcile",
        "--plan",
        HSS,
        "--log",
        STATS_LOG,
        "--as-of",
        AS_OF,
        "--inventory",
        "fixtures/hss-inventory.csv",
        "--vendor-stats",
        vendor,
    ])
}

#[test]
fn reconcile_agrees_with_matching_vendor_statistics() {
    let (code, stdout, _) = reconcile("fixtures/hss-vendor-stats.json");
    assert_eq!(code, 0);
    assert!(stdout.starts_with("AGREE"), "{stdout}");
}

#[test]
fn reconcile_prints_each_differing_field() {
    let work = Workdir::new();
    let text =
        std::fs::read_to_string(common::root().join("fixtures/hss-vendor-stats.json")).unwrap();
    let changed = text
        .replace("\"cicd_scan_num\": 2", "\"cicd_scan_num\": 5")
        .replace("\"cicd\": 1}", "\"cicd\": 7}");
    let path = work.write("vendor.json", changed);
    let (code, stdout, stderr) = reconcile(&path);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "DIFF cicd_scan_num: vendor 5, scanquota 2\n\
         DIFF high_risk.cicd: vendor 7, scanquota 1\n\
         DIFF unscan.cicd: vendor 7, scanquota 1\n"
    );
    assert!(stderr.contains("3 field(s) differ"));
}

/// An editor on Windows saves the body with a BOM; logs take one too.
#[test]
fn reconcile_accepts_a_bom() {
    let work = Workdir::new();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(common::root().join("fixtures/hss-vendor-stats.json")).unwrap());
    let (code, stdout, stderr) = reconcile(&work.write("vendor.json", bytes));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("AGREE"), "{stdout}");
}

/// A key one or two letters off a field (or the same but for case) that
/// stands where the field is missing is a typo, and the figure it holds
/// would never be compared: refused, naming it and the fields. Beside the
/// field it resembles (`registry` beside the API's own `registriy`), it is
/// the vendor's addition: ignored, with a note naming it. A key unlike any
/// field is ignored silently.
#[test]
fn reconcile_refuses_a_misspelt_key_and_ignores_vendor_additions() {
    let work = Workdir::new();
    let text =
        std::fs::read_to_string(common::root().join("fixtures/hss-vendor-stats.json")).unwrap();
    for (name, changed, needles) in [
        (
            "top.json",
            text.replacen("\"cicd_scan_num\"", "\"cicd_scan_nun\"", 1),
            [
                "top.json:3:",
                "cicd_scan_nun",
                "did you mean `cicd_scan_num`",
                "repository_scan_num",
            ],
        ),
        (
            "nested.json",
            text.replacen(
                "\"registriy\": 0, \"cicd\": 1}",
                "\"registriy\": 0, \"Cicd\": 1}",
                1,
            ),
            [
                "nested.json:7:",
                "high_risk.Cicd",
                "did you mean `cicd`",
                "registriy",
            ],
        ),
    ] {
        let path = work.write(name, changed);
        let (code, stdout, stderr) = reconcile(&path);
        assert_eq!((code, stdout.as_str()), (2, ""), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        for needle in needles {
            assert!(stderr.contains(needle), "{name}: {needle}: {stderr}");
        }
    }
    let beside = text.replacen(
        "\"cicd_scan_num\"",
        "\"cicd_scan_nun\": 999, \"cicd_scan_num\"",
        1,
    );
    let (code, stdout, stderr) = reconcile(&work.write("beside.json", beside));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("AGREE"), "{stdout}");
    assert!(
        stderr.contains("beside.json:3:") && stderr.contains("`cicd_scan_nun` is not a field of the statistics; it is ignored, and `cicd_scan_num` beside it is compared"),
        "{stderr}"
    );
    let added = text.replacen(
        '{',
        "{\"request_id\": \"5f1c\", \"extension\": {\"x\": 1},",
        1,
    );
    let (code, stdout, stderr) = reconcile(&work.write("added.json", added));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("AGREE"), "{stdout}");
    assert!(!stderr.contains("not a field"), "{stderr}");
}

#[test]
fn reconcile_refuses_malformed_json() {
    let work = Workdir::new();
    for (name, text) in [
        ("broken.json", "{\"repository_scan_num\": 3,\n  oops}"),
        ("list.json", "[1, 2]"),
        ("empty.json", ""),
    ] {
        let path = work.write(name, text);
        let (code, stdout, stderr) = reconcile(&path);
        assert_eq!((code, stdout.as_str()), (2, ""), "{name}");
        assert!(stderr.contains(&path), "{stderr}");
    }
    let (code, _, stderr) = reconcile(&work.path("broken.json"));
    assert_eq!(code, 2);
    assert!(stderr.contains("broken.json:2:3"), "{stderr}");
}

fn estimate(args: &[&str]) -> serde_json::Value {
    let mut all = vec![
        "estimate",
        "--format",
        "json",
        "--start",
        "2024-03-15 14:00:00",
    ];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(&all);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn estimate_buys_600_when_300_falls_short() {
    // 301 first scans need 301 units: one step of 300 is not enough.
    let estimate = estimate(&[
        "--plan",
        "builtin:tcss-usd-300",
        "--first-scans",
        "301",
        "--repeat-scans",
        "0",
    ]);
    let plan = &estimate["currencies"][0]["plans"][0]["accounts"][0];
    assert_eq!(plan["purchase"], "600");
    assert_eq!(plan["unused_per_cycle"], "299");
    assert_eq!(plan["denied_per_cycle"], "0");
    assert_eq!(plan["cost_per_cycle"], "36.00");
    assert_eq!(plan["cost_over_months"], "432.00");
}

#[test]
fn estimate_takes_an_allowed_size_that_beats_the_steps() {
    // 1900 units: steps of 300 would buy 2100, the allowed 2000 is smaller.
    let estimate = estimate(&[
        "--plan",
        "builtin:tcss-usd-300",
        "--first-scans",
        "1900",
        "--repeat-scans",
        "0",
    ]);
    assert_eq!(
        estimate["currencies"][0]["plans"][0]["accounts"][0]["purchase"],
        "2000"
    );
    assert_eq!(
        estimate["currencies"][0]["plans"][0]["accounts"][0]["cost_per_cycle"],
        "120.00"
    );
}

#[test]
fn estimate_on_bill_buys_less_when_overage_is_cheaper() {
    let work = Workdir::new();
    let plan = work.write(
        "bill.toml",
        "name = \"bill\"\n[subscription]\nstart = 2024-03-15T14:00:00Z\n[[allowance]]\nname = \"quota\"\nunits = 300\n\
         unit_price = 0.06\nstep = 300\n[overage]\npolicy = \"bill\"\nunit_price = 0.07\n",
    );
    let (code, stdout, stderr) = run(&[
        "estimate",
        "--format",
        "json",
        "--plan",
        &plan,
        "--first-scans",
        "310",
        "--repeat-scans",
        "0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let estimate: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let plan = &estimate["currencies"][0]["plans"][0]["accounts"][0];
    // 300 × 0.06 + 10 × 0.07 = 18.70, cheaper than 600 × 0.06 = 36.00.
    assert_eq!(plan["purchase"], "300");
    assert_eq!(plan["overage_per_cycle"], "10");
    assert_eq!(plan["cost_per_cycle"], "18.70");
}

#[test]
fn estimate_compares_plans_cheapest_first() {
    let estimate = estimate(&[
        "--plan",
        "builtin:tcss-cny-300",
        "--plan",
        "builtin:tcss-usd-300",
        "--first-scans",
        "100",
        "--repeat-scans",
        "100",
    ]);
    assert_eq!(estimate["schema"], "scanquota.estimate.v2");
    // Plans in different currencies are grouped, never ranked together.
    let groups: Vec<(&str, &str)> = estimate["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["currency"].as_str().unwrap(),
                g["plans"][0]["cost_per_cycle"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups, [("CNY", "90.00"), ("USD", "18.00")]);
    assert_eq!(
        estimate["currencies"][1]["plans"][0]["accounts"][0]["demand_units"],
        "110"
    );
}

#[test]
fn estimate_from_a_log_averages_closed_cycles() {
    let (code, stdout, stderr) = run(&[
        "estimate",
        "--format",
        "json",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--from-log",
        "fixtures/tcss-worked-example.csv",
        "--as-of",
        "2024-05-01 00:00:00",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let estimate: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let plan = &estimate["currencies"][0]["plans"][0]["accounts"][0];
    assert_eq!(plan["cycles_observed"], 1);
    assert_eq!(
        plan["demand"],
        json!({"first_scans": "1", "repeat_scans": "99"})
    );
    assert_eq!(plan["demand_units"], "10.9");
    assert_eq!(plan["purchase"], "300");
    assert_eq!(plan["unused_per_cycle"], "289.1");
    let (code, _, stderr) = run(&[
        "estimate",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--from-log",
        "fixtures/tcss-worked-example.csv",
        "--as-of",
        "2024-04-01 00:00:00",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no closed cycle"), "{stderr}");
}

#[test]
fn estimate_table_is_pinned() {
    let (code, stdout, _) = run(&[
        "estimate",
        "--plan",
        "builtin:tcss-usd-300",
        "--plan",
        "builtin:hss-payg",
        "--start",
        "2024-03-15 14:00:00",
        "--first-scans",
        "200",
        "--repeat-scans",
        "2000",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("estimate_table", stdout);
}

#[test]
fn man_page_names_every_command() {
    let (code, stdout, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(".ie") || stdout.contains(".TH scanquota 1"),
        "{stdout}"
    );
    for command in [
        "report",
        "ledger",
        "check",
        "stats",
        "reconcile",
        "estimate",
        "plan",
        "completions",
    ] {
        assert!(stdout.contains(command), "{command}");
    }
}

#[test]
fn every_command_help_shows_an_example() {
    for command in [
        vec!["report"],
        vec!["invoice"],
        vec!["import"],
        vec!["ledger"],
        vec!["check"],
        vec!["stats"],
        vec!["reconcile"],
        vec!["estimate"],
        vec!["plan", "check"],
        vec!["plan", "list"],
        vec!["plan", "show"],
        vec!["completions"],
        vec!["man"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        let (code, stdout, _) = run(&args);
        assert_eq!(code, 0, "{command:?}");
        assert!(
            stdout.contains("Example"),
            "{command:?} --help lacks an example:\n{stdout}"
        );
    }
}

/// Two accounts, three closed monthly cycles of a 300-unit USD quota:
/// `a` uses 100, 295.5 and 100 units (mean 165.1667, peak 295.5); `b` uses
/// 350 units every cycle.
fn two_account_log(dir: &Workdir) -> (String, String) {
    let plan = dir.write(
        "plan.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-01-01T00:00:00Z\n\
         [metering]\nrepeat_scan_units = 0.1\n\
         [[allowance]]\nname = \"quota\"\nunits = 300\nunit_price = 0.06\nstep = 300\n\
         [overage]\npolicy = \"deny\"\n",
    );
    let mut log = String::from("timestamp,account,image\n");
    let mut row = |month: u32, account: &str, image: String| {
        log += &format!("2024-{month:02}-10T00:00:00Z,{account},{image}\n");
    };
    for (month, firsts, repeats) in [(1, 100, 0), (2, 290, 55), (3, 100, 0)] {
        for i in 0..firsts {
            row(month, "a", format!("a{month}-{i}"));
        }
        for _ in 0..repeats {
            row(month, "a", format!("a{month}-0"));
        }
    }
    for month in 1..=3 {
        for i in 0..350 {
            row(month, "b", format!("b{month}-{i}"));
        }
    }
    (plan, dir.write("log.csv", log))
}

#[test]
fn estimate_sizes_each_account_for_its_peak_and_sums_them() {
    let dir = Workdir::new();
    let (plan, log) = two_account_log(&dir);
    let estimate = estimate_with(&[], &[&plan, &log]);
    assert_eq!(estimate["size_for"], "peak");
    let plan = &estimate["currencies"][0]["plans"][0];
    let a = &plan["accounts"][0];
    assert_eq!(a["account"], "a");
    assert_eq!(a["observed"]["peak_units"], "295.5");
    // Mean first scans 163.3333 and repeats 18.3333 (each to 4 places).
    assert_eq!(a["observed"]["mean_units"], "165.16663");
    assert_eq!(a["demand_units"], "295.5", "sized for the busiest cycle");
    assert_eq!(a["purchase"], "300");
    let b = &plan["accounts"][1];
    assert_eq!(b["purchase"], "600", "b is sized on its own");
    // 300 × 0.06 + 600 × 0.06, each account its own purchase.
    assert_eq!(plan["cost_per_cycle"], "54.00");

    let mean = estimate_with(&["--size-for", "mean"], &[&plan_path(&dir), &log]);
    let a = &mean["currencies"][0]["plans"][0]["accounts"][0];
    assert_eq!(mean["size_for"], "mean");
    assert_eq!(a["demand_units"], "165.16663");
    assert_eq!(a["purchase"], "300");
}

fn plan_path(dir: &Workdir) -> String {
    dir.path("plan.toml")
}

fn estimate_with(extra: &[&str], plan_and_log: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "estimate",
        "--format",
        "json",
        "--plan",
        plan_and_log[0],
        "--from-log",
        plan_and_log[1],
        "--as-of",
        "2024-04-01T00:00:00Z",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn estimate_table_shows_each_account_and_the_sum_within_100_columns() {
    let dir = Workdir::new();
    let (plan, log) = two_account_log(&dir);
    let (code, stdout, stderr) = run(&[
        "estimate",
        "--plan",
        &plan,
        "--from-log",
        &log,
        "--as-of",
        "2024-04-01T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("estimate_per_account_table", stdout);
    for line in stdout.lines() {
        assert!(
            line.chars().count() <= 100 && !line.ends_with(' '),
            "`{line}`"
        );
    }
}

/// `--months` past a plan's term, or fewer than a fee is sold for, are
/// priced as asked and said out loud: renewals on the same terms, and less
/// than a purchase could cost. Within both, nothing is said (but a plan's
/// cores, which no estimate prices).
#[test]
fn estimate_notes_months_past_the_term_or_short_of_a_fee_minimum() {
    let said = |plan: &str, months: &str| {
        let (code, stdout, stderr) = common::run(&[
            "estimate",
            "--plan",
            plan,
            "--first-scans",
            "100",
            "--repeat-scans",
            "10",
            "--months",
            months,
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(!stdout.is_empty());
        stderr
    };
    assert!(
        said("fixtures/tcss-usd-300.toml", "24").contains(
            "the plan fixtures/tcss-usd-300.toml runs 3 months; its cost over 24 cycles assumes it is renewed on the same terms"
        )
    );
    assert!(
        said("fixtures/tcss-cny-topup.toml", "1").contains(
            "the plan fixtures/tcss-cny-topup.toml's fee `Pro edition` is sold for at least 3 months; its cost over 1 cycles is less than a purchase of it"
        )
    );
    assert_eq!(said("fixtures/tcss-usd-300.toml", "3"), "");
    // Within both, only its cores (which no estimate prices) are said.
    assert_eq!(
        said("fixtures/tcss-cny-topup.toml", "3"),
        "scanquota: the plan fixtures/tcss-cny-topup.toml prices cores ([cores]); the estimate leaves them out: cores days follow the cores online, not the scans\n"
    );
}
