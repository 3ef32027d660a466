//! `scanquota plan check`: defaults, normalisation and every validation error.

mod common;

use common::{MINIMAL_PLAN, Workdir, run, scanquota};
use predicates::prelude::*;

fn check_json(plan: &str) -> serde_json::Value {
    let work = Workdir::new();
    let path = work.write("plan.toml", plan);
    let (code, stdout, stderr) = run(&["plan", "check", &path, "--format", "json"]);
    assert_eq!(code, 0, "stderr: {stderr}");
    serde_json::from_str(&stdout).expect("plan check --format json prints JSON")
}

/// Run `plan check` on a bad plan: exit 2, nothing on stdout, and a message
/// naming the file, line and column, key and value.
fn refused(plan: &str, key: &str, needles: &[&str]) -> String {
    let work = Workdir::new();
    let path = work.write("plan.toml", plan);
    let (code, stdout, stderr) = run(&["plan", "check", &path]);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains(&path), "names the file: {stderr}");
    assert!(stderr.contains(key), "names the key {key}: {stderr}");
    assert!(
        regex_like_line_column(&stderr),
        "names line and column: {stderr}"
    );
    for needle in needles {
        assert!(stderr.contains(needle), "mentions {needle:?}: {stderr}");
    }
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    assert!(!stderr.contains("panicked"));
    stderr
}

fn regex_like_line_column(message: &str) -> bool {
    message
        .split(':')
        .collect::<Vec<_>>()
        .windows(2)
        .any(|pair| pair[0].parse::<u32>().is_ok() && pair[1].parse::<u32>().is_ok())
}

#[test]
fn every_default_is_filled_in() {
    let plan = check_json(MINIMAL_PLAN);
    assert_eq!(plan["name"], "");
    assert_eq!(plan["currency"], "USD");
    assert_eq!(plan["decimals"], 2);
    assert_eq!(plan["timezone"], "+00:00");
    assert_eq!(plan["subscription"]["start"], "2024-03-15T06:00:00+00:00");
    assert_eq!(plan["subscription"]["reminder_days"], 7);
    assert_eq!(plan["subscription"]["grace_days"], 5);
    assert!(plan["subscription"].get("months").is_none());
    assert!(plan["subscription"].get("end").is_none());
    assert_eq!(plan["metering"]["first_scan_units"], "1");
    assert_eq!(plan["metering"]["repeat_scan_units"], "1");
    assert_eq!(plan["metering"]["repeat_window"], "ever");
    assert_eq!(plan["metering"]["count_failed"], false);
    assert_eq!(plan["overage"]["policy"], "deny");
    assert!(plan["overage"].get("unit_price").is_none());
    assert_eq!(plan["allowance"], serde_json::json!([]));
    assert!(plan.get("trial").is_none());
    assert!(plan.get("cores").is_none());
    // The provider FOCUS output names: a default, and the service is the
    // plan's name, else a default of its own.
    assert_eq!(
        plan["provider"],
        serde_json::json!({"name": "Unspecified provider", "service": "Container image scanning"})
    );
    let named = check_json(&format!("name = \"Scans\"\n{MINIMAL_PLAN}"));
    assert_eq!(named["provider"]["service"], "Scans");
}

/// Every built-in plan names the vendor that sells it, for FOCUS output.
#[test]
fn every_builtin_plan_names_its_provider() {
    let (code, list, _) = run(&["plan", "list"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = list
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(names.len(), 5, "{list}");
    for name in names {
        let (code, stdout, stderr) = run(&[
            "plan",
            "check",
            name,
            "--start",
            "2024-01-01T00:00:00Z",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let provider = plan["provider"]["name"].as_str().unwrap();
        assert!(
            ["Tencent Cloud", "Huawei Cloud"].contains(&provider),
            "{name}: {provider}"
        );
    }
}

#[test]
fn allowance_defaults_are_prepaid_cycle() {
    let plan = check_json(&format!(
        "{MINIMAL_PLAN}[[allowance]]\nname = \"quota\"\nunits = 300\n"
    ));
    let allowance = &plan["allowance"][0];
    assert_eq!(allowance["kind"], "prepaid");
    assert_eq!(allowance["reset"], "cycle");
    assert_eq!(allowance["unit_price"], "0");
}

#[test]
fn decimals_are_the_text_written_not_a_binary_float() {
    let plan = check_json(&format!(
        "{MINIMAL_PLAN}[metering]\nrepeat_scan_units = 0.1\nfirst_scan_units = \"1.10\"\n\
         [[allowance]]\nname = \"quota\"\nunits = 3e2\nunit_price = 0.060000000\n\
         [overage]\npolicy = \"bill\"\nunit_price = 0.3333\n"
    ));
    assert_eq!(plan["metering"]["repeat_scan_units"], "0.1");
    assert_eq!(plan["metering"]["first_scan_units"], "1.1");
    assert_eq!(plan["allowance"][0]["units"], "300");
    assert_eq!(plan["allowance"][0]["unit_price"], "0.06");
    assert_eq!(plan["overage"]["unit_price"], "0.3333");
}

#[test]
fn decimal_read_from_a_toml_float_is_exactly_one_tenth() {
    use rust_decimal::Decimal;
    let text = format!("{MINIMAL_PLAN}[metering]\nrepeat_scan_units = 0.1\n");
    let plan = scanquota::plan::Plan::from_str("plan.toml", &text).unwrap();
    assert_eq!(plan.metering.repeat_scan_units, Decimal::new(1, 1));
    // Ten repeats are exactly one unit, which a binary 0.1 would miss.
    let ten: Decimal = (0..10).map(|_| plan.metering.repeat_scan_units).sum();
    assert_eq!(ten, Decimal::ONE);
}

#[test]
fn times_normalise_to_the_plan_zone() {
    let plan = check_json(
        "timezone = \"Asia/Shanghai\"\n[subscription]\nstart = \"2024-03-15 14:00:00\"\nend = 2024-06-01T00:00:00Z\n",
    );
    assert_eq!(plan["timezone"], "Asia/Shanghai");
    assert_eq!(plan["subscription"]["start"], "2024-03-15T14:00:00+08:00");
    assert_eq!(plan["subscription"]["end"], "2024-06-01T08:00:00+08:00");
}

#[test]
fn normalised_toml_is_itself_a_valid_plan() {
    for fixture in [
        "fixtures/tcss-usd-300.toml",
        "fixtures/tcss-cny-topup.toml",
        "fixtures/hss-payg.toml",
    ] {
        let (code, first, stderr) = run(&["plan", "check", fixture]);
        assert_eq!(code, 0, "{fixture}: {stderr}");
        let work = Workdir::new();
        let again = work.write("again.toml", &first);
        let (code, second, stderr) = run(&["plan", "check", &again]);
        assert_eq!(code, 0, "{fixture} normalised: {stderr}");
        assert_eq!(
            first, second,
            "{fixture}: normalising twice changes nothing"
        );
    }
}

#[test]
fn fixture_plans_normalise_as_pinned() {
    let (_, stdout, _) = run(&["plan", "check", "fixtures/tcss-cny-topup.toml"]);
    insta::assert_snapshot!("tcss_cny_topup_normalised", stdout);
}

#[test]
fn missing_file_exits_2() {
    scanquota()
        .args(["plan", "check", "fixtures/no-such-plan.toml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("fixtures/no-such-plan.toml"));
}

#[test]
fn unknown_keys_are_refused_everywhere() {
    refused(
        &format!("colour = \"red\"\n{MINIMAL_PLAN}"),
        "colour",
        &["not a known key", "currency"],
    );
    refused(
        &format!("{MINIMAL_PLAN}month = 3\n"),
        "subscription.month",
        &["months"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 1\nprice = 2\n"),
        "allowance[0].price",
        &["unit_price"],
    );
}

#[test]
fn malformed_toml_names_line_and_column() {
    refused("name = \"unterminated\n", "", &["invalid TOML"]);
    refused("[subscription\nstart = 1\n", "", &["invalid TOML"]);
}

#[test]
fn wrong_types_say_what_to_write() {
    refused(
        &format!("name = 3\n{MINIMAL_PLAN}"),
        "name",
        &["`3`", "integer", "string"],
    );
    refused(
        &format!("decimals = \"two\"\n{MINIMAL_PLAN}"),
        "decimals",
        &["whole number"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[metering]\ncount_failed = \"no\"\n"),
        "metering.count_failed",
        &["true or false"],
    );
    refused("subscription = 5\n", "subscription", &["table"]);
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = true\n"),
        "allowance[0].units",
        &["number"],
    );
}

#[test]
fn currency_decimals_and_zone_are_checked() {
    refused(
        &format!("currency = \"usd\"\n{MINIMAL_PLAN}"),
        "currency",
        &["`\"usd\"`", "ISO 4217"],
    );
    refused(
        &format!("currency = \"DOLLARS\"\n{MINIMAL_PLAN}"),
        "currency",
        &["ISO 4217"],
    );
    refused(
        &format!("decimals = 9\n{MINIMAL_PLAN}"),
        "decimals",
        &["`9`", "0 to 8"],
    );
    refused(
        &format!("decimals = 29\n{MINIMAL_PLAN}"),
        "decimals",
        &["0 to 8"],
    );
    refused(
        &format!("decimals = -1\n{MINIMAL_PLAN}"),
        "decimals",
        &["0 to 8"],
    );
    refused(
        &format!("timezone = \"Mars/Olympus\"\n{MINIMAL_PLAN}"),
        "timezone",
        &["IANA"],
    );
    refused(
        &format!("timezone = \"+25:00\"\n{MINIMAL_PLAN}"),
        "timezone",
        &["+08:00"],
    );
}

#[test]
fn subscription_term_is_checked() {
    refused("name = \"x\"\n", "subscription", &["required"]);
    refused(
        "[subscription]\nmonths = 3\n",
        "subscription.start",
        &["required", "--start"],
    );
    refused(
        "[subscription]\nstart = \"soon\"\n",
        "subscription.start",
        &["`\"soon\"`", "RFC 3339"],
    );
    refused(
        &format!("{MINIMAL_PLAN}months = 0\n"),
        "subscription.months",
        &["at least 1"],
    );
    refused(
        &format!("{MINIMAL_PLAN}months = 3\nend = 2024-09-01T00:00:00Z\n"),
        "subscription.end",
        &["subscription.months", "keep one"],
    );
    refused(
        &format!("{MINIMAL_PLAN}end = 2024-03-01T00:00:00Z\n"),
        "subscription.end",
        &["not after subscription.start"],
    );
}

#[test]
fn trial_must_end_by_the_start() {
    refused(
        &format!("{MINIMAL_PLAN}[trial]\nstart = 2024-03-10T14:00:00+08:00\ndays = 7\n"),
        "trial.days",
        &["2024-03-17", "at or before"],
    );
    // No days cover no scan: the range is 1 to 366, as docs/plan.md says.
    refused(
        &format!("{MINIMAL_PLAN}[trial]\nstart = 2024-03-08T14:00:00+08:00\ndays = 0\n"),
        "trial.days",
        &["from 1 to 366"],
    );
    let plan = check_json(&format!(
        "{MINIMAL_PLAN}[trial]\nstart = 2024-03-08T14:00:00+08:00\ndays = 7\n"
    ));
    assert_eq!(plan["trial"]["days"], 7);
}

#[test]
fn allowances_are_checked() {
    let quota = "[[allowance]]\nname = \"quota\"\nunits = 300\n";
    refused(
        &format!("{MINIMAL_PLAN}{quota}{quota}"),
        "allowance[1].name",
        &["unique"],
    );
    refused(
        &format!(
            "{MINIMAL_PLAN}[[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 10\nunit_price = 0.1\n"
        ),
        "allowance[0].unit_price",
        &["free"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nkind = \"gift\"\nunits = 10\n"),
        "allowance[0].kind",
        &["free", "prepaid"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 10\nreset = \"weekly\"\n"),
        "allowance[0].reset",
        &["calendar-month"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 250\nstep = 300\n"),
        "allowance[0].units",
        &["`250`", "multiple of 300"],
    );
    refused(
        &format!(
            "{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 2500\nstep = 300\nallowed = [2000, 5000]\n"
        ),
        "allowance[0].units",
        &["one of 2000, 5000"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = -300\n"),
        "allowance[0].units",
        &["negative"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 300\nunit_price = -0.06\n"),
        "allowance[0].unit_price",
        &["negative"],
    );
    refused(
        &format!(
            "{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 1234567890123456789012345678901234567890\n"
        ),
        "allowance[0].units",
        &["not a decimal number"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = \"10000000000000\"\n"),
        "allowance[0].units",
        &["too large"],
    );
    refused(
        &format!(
            "{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 1\nunit_price = 0.000000001\n"
        ),
        "allowance[0].unit_price",
        &["decimal places"],
    );
    // An allowed value is accepted even when it is not on the step.
    let plan = check_json(&format!(
        "{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 2000\nstep = 300\nallowed = [2000]\n"
    ));
    assert_eq!(plan["allowance"][0]["units"], "2000");
}

#[test]
fn topups_are_checked() {
    let base = format!(
        "{MINIMAL_PLAN}months = 3\n[[allowance]]\nname = \"quota\"\nunits = 300\nstep = 300\n\
         [[allowance]]\nname = \"free\"\nkind = \"free\"\nunits = 10\n"
    );
    refused(
        &format!(
            "{base}[[topup]]\nallowance = \"other\"\nat = 2024-04-20T10:00:00+08:00\nunits = 300\n"
        ),
        "topup[0].allowance",
        &["`\"other\"`", "quota"],
    );
    refused(
        &format!(
            "{base}[[topup]]\nallowance = \"free\"\nat = 2024-04-20T10:00:00+08:00\nunits = 300\n"
        ),
        "topup[0].allowance",
        &["prepaid"],
    );
    refused(
        &format!(
            "{base}[[topup]]\nallowance = \"quota\"\nat = 2024-04-20T10:00:00+08:00\nunits = 100\n"
        ),
        "topup[0].units",
        &["multiple of 300"],
    );
    refused(
        &format!(
            "{base}[[topup]]\nallowance = \"quota\"\nat = 2024-07-20T10:00:00+08:00\nunits = 300\n"
        ),
        "topup[0].at",
        &["outside the term", "2024-06-15T06:00:00+00:00"],
    );
    refused(
        &format!(
            "{base}[[topup]]\nallowance = \"quota\"\nat = 2024-03-01T10:00:00+08:00\nunits = 300\n"
        ),
        "topup[0].at",
        &["outside the term"],
    );
}

#[test]
fn overage_price_only_with_bill() {
    refused(
        &format!("{MINIMAL_PLAN}[overage]\nunit_price = 0.06\n"),
        "overage.unit_price",
        &["deny", "bill"],
    );
    refused(
        &format!("{MINIMAL_PLAN}[overage]\npolicy = \"refuse\"\n"),
        "overage.policy",
        &["deny", "bill"],
    );
}

#[test]
fn fees_are_checked() {
    let term = format!("{MINIMAL_PLAN}months = 2\n");
    refused(
        &format!("{term}[[fee]]\nname = \"Pro\"\nquantity = 2.5\nunit_price = 30\nstep = 1\n"),
        "fee[0].quantity",
        &["multiple of step 1"],
    );
    refused(
        &format!("{term}[[fee]]\nname = \"Logs\"\nquantity = 5\nunit_price = 1\nminimum = 10\n"),
        "fee[0].quantity",
        &["minimum 10"],
    );
    refused(
        &format!("{term}[[fee]]\nname = \"Pro\"\nquantity = 5\nunit_price = 30\nmin_months = 3\n"),
        "fee[0].min_months",
        &["longer than the subscription term"],
    );
    refused(
        &format!("{term}[[fee]]\nname = \"Pro\"\nquantity = 5\n"),
        "fee[0].unit_price",
        &["required"],
    );
    refused(
        &format!("{term}[[fee]]\nname = \"Pro\"\nquantity = -5\nunit_price = 1\n"),
        "fee[0].quantity",
        &["negative"],
    );
}

#[test]
fn inputs_that_are_not_plans_never_panic() {
    let work = Workdir::new();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.toml", Vec::new()),
        ("binary.toml", vec![0xff, 0xfe, 0x00, 0x41]),
        ("latin1.toml", b"name = \"caf\xe9\"\n".to_vec()),
        ("nul.toml", b"name = \"a\0b\"\n".to_vec()),
        (
            "deep.toml",
            "a = "
                .bytes()
                .chain(std::iter::repeat_n(b'[', 10_000))
                .collect(),
        ),
        (
            "tables.toml",
            (0..10_000)
                .map(|i| format!("[t{i}]\n"))
                .collect::<String>()
                .into_bytes(),
        ),
    ];
    for (name, bytes) in cases {
        let path = work.write(name, &bytes);
        let (code, stdout, stderr) = run(&["plan", "check", &path]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert_eq!(stdout, "", "{name}");
        assert!(stderr.contains(&path), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

/// A plan holds at most 100 `[[allowance]]` tables: every scan is drawn
/// through each, and every account's report holds each one's periods. The
/// 101st is refused at its table, by `plan check` and by the billing
/// commands alike; 100 are taken.
#[test]
fn a_plan_holds_at_most_a_hundred_allowances() {
    let plan = |count: usize| {
        let mut text = MINIMAL_PLAN.to_string();
        for n in 0..count {
            text += &format!("[[allowance]]\nname = \"a{n}\"\nunits = 1\nunit_price = 0.01\n");
        }
        text
    };
    let stderr = refused(
        &plan(101),
        "allowance[100]",
        &["more than the 100 a plan may hold", "merge allowances"],
    );
    assert!(stderr.contains(":403:1:"), "{stderr}");
    let json = check_json(&plan(100));
    assert_eq!(json["allowance"].as_array().map(Vec::len), Some(100));
    let work = Workdir::new();
    let path = work.write("plan.toml", plan(101));
    let log = work.write("log.csv", "timestamp,image\n2024-03-16T09:00:00+08:00,a\n");
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        &path,
        "--log",
        &log,
        "--as-of",
        "2024-04-01",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("allowance[100]"), "{stderr}");
}
