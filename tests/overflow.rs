//! Issue 20 §1 and the `estimate` half of §2: a plan inside the documented
//! limits (units and prices up to 10^12 with 8 decimals) never makes a
//! command panic. A product or sum beyond a decimal's range (about 7.9e28)
//! is exit 2 naming the plan key or the account and period; `estimate` finds
//! its purchase arithmetically, whatever the demand.

mod common;

use common::reference::demand_from_log;
use common::reference::generate;
use common::{Workdir, run};
use proptest::prelude::*;
use scanquota::app::cli::{InvoiceFormat, ReportFormat};
use scanquota::app::cmd::{invoice_view, report_view};
use scanquota::input::log::ScanLog;
use scanquota::model::estimate::recommend;
use scanquota::model::invoice::Invoice;
use scanquota::plan::Plan;

/// Just under the largest accepted value, with all 8 decimal places.
const NEAR_MAX: &str = "999999999999.99999999";

/// Every key that takes an amount at the limit: metering units, two
/// allowances, overage, a fee and cores.
fn plan_at_the_limits() -> String {
    format!(
        "name = \"limits\"\ncurrency = \"USD\"\ndecimals = 2\ntimezone = \"UTC\"\n\
         [subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 12\n\
         [metering]\nfirst_scan_units = {m}\nrepeat_scan_units = {m}\n\
         [[allowance]]\nname = \"quota\"\nunits = {m}\nunit_price = {m}\n\
         [[allowance]]\nname = \"monthly\"\nunits = {m}\nunit_price = {m}\nreset = \"calendar-month\"\n\
         [overage]\npolicy = \"bill\"\nunit_price = {m}\n\
         [[fee]]\nname = \"edition\"\nquantity = {m}\nunit_price = {m}\n\
         [cores]\nlicensed = 0\ndaily_unit_price = {m}\n",
        m = NEAR_MAX
    )
}

/// `count` allowances at the limits, each renewed every calendar month
/// since 1970: one scan is enough for the sum of their lines to overflow.
fn many_allowances(count: usize) -> String {
    let mut plan = format!(
        "name = \"many\"\ndecimals = 2\ntimezone = \"UTC\"\n\
         [subscription]\nstart = 1970-01-01T00:00:00Z\n\
         [metering]\nfirst_scan_units = {NEAR_MAX}\nrepeat_scan_units = {NEAR_MAX}\n"
    );
    for index in 0..count {
        plan += &format!(
            "[[allowance]]\nname = \"a{index}\"\nunits = {NEAR_MAX}\nunit_price = {NEAR_MAX}\nreset = \"calendar-month\"\n"
        );
    }
    plan + &format!("[overage]\npolicy = \"bill\"\nunit_price = {NEAR_MAX}\n")
}

/// `rows` first scans of account `team-a` on 2024-03-15 (a new image each).
fn log(rows: usize) -> String {
    let mut log = String::from("timestamp,account,image,status\n");
    for row in 0..rows {
        log += &format!("2024-03-15 14:00:00,team-a,img{row},success\n");
    }
    log
}

/// Exit 2, nothing on stdout, and one `scanquota: error:` line holding every
/// one of `parts`.
fn assert_overflow(args: &[&str], parts: &[&str]) {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert!(stdout.is_empty(), "{args:?} printed {stdout}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(
        stderr.starts_with("scanquota: error: "),
        "{args:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    for part in parts {
        assert!(stderr.contains(part), "{args:?}: `{part}` not in {stderr}");
    }
}

/// 80 000 scans at 10^12 units are 8 × 10^16 overage units, times a price
/// of 10^12: beyond a decimal. Every billing command says so and names the
/// account and period; none panics.
#[test]
fn overage_beyond_a_decimal_is_exit_2_in_every_billing_command() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan_at_the_limits());
    let log = dir.write("log.csv", log(80_000));
    let parts = [
        "account team-a, period 2024-03-01T00:00:00+00:00: overage units × overage.unit_price",
        "exceeds the largest amount scanquota can hold exactly (about 7.9e28 written whole, a tenth of that for each decimal place)",
        "write a smaller overage.unit_price or metering units in",
        "plan.toml",
    ];
    let no_cores = dir.write("cores.csv", "timestamp,account,cores\n");
    let base = ["--plan", &plan, "--log", &log, "--as-of", "2024-04-01"];
    for format in ["table", "json", "csv", "markdown", "html", "openmetrics"] {
        let args = [&["report"][..], &base, &["--format", format]].concat();
        assert_overflow(&args, &parts);
    }
    for format in ["table", "json", "csv", "markdown", "html"] {
        let args = [&["invoice"][..], &base, &["--format", format]].concat();
        assert_overflow(&args, &parts);
    }
    for threshold in [
        &["--min-remaining", "1"][..],
        &["--max-used-percent", "50"],
        &["--max-projected-charges", "1"],
        &["--max-projected-denied", "1"],
        &["--expiring-within", "5"],
    ] {
        // The plan prices cores: a projected cost needs their samples.
        let args = [&["check", "--cores", &no_cores][..], &base, threshold].concat();
        assert_overflow(&args, &parts);
    }
    // Two plans compared (a second name, the same terms): the same error.
    let other = dir.write(
        "other.toml",
        plan_at_the_limits().replace("name = \"limits\"", "name = \"limits too\""),
    );
    let args = [&["report"][..], &base, &["--plan", &other]].concat();
    assert_overflow(&args, &parts);
    // The ledger and the statistics price nothing: they run.
    for command in ["ledger", "stats"] {
        let args = [&[command][..], &base].concat();
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 0, "{command}: {stderr}");
    }
    // Sizing a purchase for that demand costs more than a decimal holds.
    assert_overflow(
        &[
            "estimate",
            "--plan",
            &plan,
            "--from-log",
            &log,
            "--as-of",
            "2024-06-01",
        ],
        &[
            "account team-a: the cost of the demand's purchase under",
            "plan.toml",
            "7.9e28",
        ],
    );
}

/// 100 allowances (the most a plan holds) at the limits, renewed monthly
/// since 1970, and one scan: each line fits, their sum does not.
#[test]
fn the_sum_of_many_allowance_lines_is_exit_2() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", many_allowances(100));
    let (code, _, stderr) = run(&["plan", "check", &plan]);
    assert_eq!(code, 0, "the plan is within the limits: {stderr}");
    let log = dir.write("log.csv", log(1));
    let parts = [
        "account team-a: the sum of the charge lines up to 2024-06-01",
        "7.9e28",
        "plan.toml, or give an earlier --as-of",
    ];
    for command in ["report", "invoice"] {
        assert_overflow(
            &[
                command,
                "--plan",
                &plan,
                "--log",
                &log,
                "--as-of",
                "2024-06-01",
            ],
            &parts,
        );
    }
    assert_overflow(
        &[
            "check",
            "--plan",
            &plan,
            "--log",
            &log,
            "--as-of",
            "2024-06-01",
            "--min-remaining",
            "1",
        ],
        &parts,
    );
}

/// One scan a second into a cycle, projected to the whole month, times an
/// overage price of 10^12.
#[test]
fn a_projection_beyond_a_decimal_is_exit_2() {
    let dir = Workdir::new();
    let plan = dir.write(
        "plan.toml",
        "name = \"p\"\ndecimals = 2\ntimezone = \"UTC\"\n[subscription]\nstart = 2024-05-31T23:59:59Z\n\
         [metering]\nfirst_scan_units = 1000000000000\n\
         [[allowance]]\nname = \"quota\"\nunits = 1\nunit_price = 1\n\
         [overage]\npolicy = \"bill\"\nunit_price = 1000000000000\n",
    );
    let log = dir.write(
        "log.csv",
        "timestamp,account,image,status\n2024-05-31T23:59:59Z,team-a,img,success\n",
    );
    assert_overflow(
        &[
            "report",
            "--plan",
            &plan,
            "--log",
            &log,
            "--as-of",
            "2024-06-01T00:00:00Z",
        ],
        &[
            "account team-a, period 2024-05-31T23:59:59+00:00: projected overage units × overage.unit_price",
            "give a later --as-of",
        ],
    );
}

/// The demand given by hand times the metering units: the option is named.
#[test]
fn an_estimate_demand_beyond_a_decimal_names_the_option() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", plan_at_the_limits());
    for (option, other) in [
        ("--first-scans", "--repeat-scans"),
        ("--repeat-scans", "--first-scans"),
    ] {
        assert_overflow(
            &["estimate", "--plan", &plan, option, "1e20", other, "0"],
            &[
                &format!("{option} `100000000000000000000` times metering."),
                "7.9e28",
                "give a smaller number",
            ],
        );
    }
}

const STEP_ONE: &str = "name = \"step one\"\ncurrency = \"USD\"\ndecimals = 2\n\
    [subscription]\nstart = 2024-01-01T00:00:00Z\n\
    [[allowance]]\nname = \"quota\"\nunits = 1\nunit_price = 0.30\nstep = 1\n";

/// `step = 1` and 10^11 first scans: the enumeration held 10^11 candidate
/// purchases (5.2 GB, 27 s); arithmetic finds the purchase at once.
#[test]
fn estimate_with_step_one_and_a_large_demand_completes() {
    let dir = Workdir::new();
    let cases = [
        // Deny: the smallest covering purchase.
        (
            "deny",
            "[overage]\npolicy = \"deny\"\n",
            "100000000000",
            "30000000000.00",
        ),
        // Overage dearer than quota: buy it all.
        (
            "dear",
            "[overage]\npolicy = \"bill\"\nunit_price = 0.50\n",
            "100000000000",
            "30000000000.00",
        ),
        // Overage cheaper than quota: buy nothing.
        (
            "cheap",
            "[overage]\npolicy = \"bill\"\nunit_price = 0.10\n",
            "0",
            "10000000000.00",
        ),
        // The same price either way: the smallest of equal costs.
        (
            "flat",
            "[overage]\npolicy = \"bill\"\nunit_price = 0.30\n",
            "0",
            "30000000000.00",
        ),
    ];
    for (name, overage, purchase, cost) in cases {
        let plan = dir.write(&format!("{name}.toml"), format!("{STEP_ONE}{overage}"));
        let (code, stdout, stderr) = run(&[
            "estimate",
            "--plan",
            &plan,
            "--first-scans",
            "1e11",
            "--repeat-scans",
            "0",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let account = &json["currencies"][0]["plans"][0]["accounts"][0];
        assert_eq!(account["purchase"], purchase, "{name}: {stdout}");
        assert_eq!(account["cost_per_cycle"], cost, "{name}: {stdout}");
    }
}

/// A demand whose purchase would be past the largest plan value (10^12
/// units, which `plan check` refuses as `units`) is refused, not
/// recommended; one at the limit is recommended.
#[test]
fn estimate_refuses_a_purchase_no_plan_can_hold() {
    let dir = Workdir::new();
    let plan = dir.write(
        "deny.toml",
        format!("{STEP_ONE}[overage]\npolicy = \"deny\"\n"),
    );
    let estimate = |scans: &str| {
        run(&[
            "estimate",
            "--plan",
            &plan,
            "--first-scans",
            scans,
            "--repeat-scans",
            "0",
        ])
    };
    let (code, stdout, stderr) = estimate("1000000000001");
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("the demand needs 1000000000001 units a cycle of [[allowance]] quota")
            && stderr.contains("more than any plan holds (10^12 units); give a smaller demand"),
        "{stderr}"
    );
    let (code, stdout, stderr) = estimate("1000000000000");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("1000000000000"), "{stdout}");
}

prop_compose! {
    /// A plan with every value drawn from the limits or from small values:
    /// 10^12 with 8 decimals, many allowances, fees, cores.
    fn plan_near_the_limits()(
        units in prop::sample::select(vec!["1", "0.00000001", "1000000000000", NEAR_MAX]),
        prices in prop::collection::vec(
            prop::sample::select(vec!["0", "0.01", "1000000000000", NEAR_MAX]), 4),
        allowances in prop::sample::select(vec![1usize, 2, 5, 70]),
        reset in prop::sample::select(vec!["cycle", "calendar-month"]),
        policy in prop::sample::select(vec!["bill", "deny"]),
        fees in 0usize..3,
        cores in any::<bool>(),
        start_year in 2022u32..2024,
        decimals in prop::sample::select(vec![0u32, 2, 8]),
    ) -> String {
        let mut plan = format!(
            "name = \"p\"\ndecimals = {decimals}\ntimezone = \"UTC\"\n[subscription]\nstart = {start_year}-01-01T00:00:00Z\n\
             [metering]\nfirst_scan_units = {units}\nrepeat_scan_units = {units}\ncount_failed = true\n"
        );
        for index in 0..allowances {
            plan += &format!(
                "[[allowance]]\nname = \"a{index}\"\nunits = {units}\nunit_price = {}\nreset = \"{reset}\"\n",
                prices[0]
            );
        }
        plan += &format!("[overage]\npolicy = \"{policy}\"\n");
        if policy == "bill" {
            plan += &format!("unit_price = {}\n", prices[1]);
        }
        for index in 0..fees {
            plan += &format!("[[fee]]\nname = \"f{index}\"\nquantity = {units}\nunit_price = {}\n", prices[2]);
        }
        if cores {
            plan += &format!("[cores]\nlicensed = 0\ndaily_unit_price = {}\n", prices[3]);
        }
        plan
    }
}

/// `rows` scans over a few accounts and images in March to May 2024, some
/// repeats and failures.
fn large_log(rows: usize, seed: u64) -> String {
    let mut log = String::from("timestamp,account,image,status\n");
    let mut state = seed | 1;
    for _ in 0..rows {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let day = 1 + state % 90;
        let (month, day) = match day {
            1..=31 => (3, day),
            32..=61 => (4, day - 31),
            _ => (5, day - 61),
        };
        let status = if state.is_multiple_of(11) {
            "failed"
        } else {
            "success"
        };
        log += &format!(
            "2024-{month:02}-{day:02} {:02}:00:00,team-{},img{},{status}\n",
            state % 24,
            state % 3,
            (state >> 8) % 5000,
        );
    }
    log
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Plans at every limit with logs of thousands of rows, through the
    /// library: each result is a report or an exit-2 error, never a panic.
    #[test]
    fn no_plan_within_the_limits_panics(
        plan in plan_near_the_limits(),
        rows in 1000usize..5000,
        seed in any::<u64>(),
        // A second into a cycle, the projection multiplies by 2.6 million.
        as_of in prop::sample::select(vec!["2024-04-01T00:00:01Z", "2024-04-20T00:00:00Z", "2024-06-01T00:00:00Z"]),
    ) {
        // A line the plan prices by itself that cannot be written at its
        // decimals (10^24 at 8 places) is refused as the plan is read.
        let plan = match Plan::from_str("plan.toml", &plan) {
            Ok(plan) => plan,
            Err(err) => {
                prop_assert_eq!(err.code(), 2);
                prop_assert!(err.to_string().contains("can hold exactly"), "{}", err);
                return Ok(());
            }
        };
        let mut log = ScanLog::default();
        log.read_one("log.csv", large_log(rows, seed).as_bytes(), plan.zone).unwrap();
        log.sort();
        let as_of = chrono::DateTime::parse_from_rfc3339(as_of).unwrap().to_utc();
        match generate(&plan, &log, as_of, None) {
            Ok(report) => {
                for format in [ReportFormat::Table, ReportFormat::Json, ReportFormat::Csv, ReportFormat::Markdown, ReportFormat::Html, ReportFormat::Openmetrics] {
                    let _ = report_view(format, scanquota::render::DEFAULT_TABLE_WIDTH).report(&report);
                }
                if let Ok(invoice) = Invoice::of(&report) {
                    let _ = invoice_view(InvoiceFormat::Json, scanquota::render::DEFAULT_TABLE_WIDTH).expect("JSON shows an invoice").invoice(&invoice);
                }
            }
            Err(err) => {
                prop_assert_eq!(err.code(), 2);
                prop_assert!(err.to_string().contains("exceeds the largest amount"), "{}", err);
            }
        }
        match demand_from_log(&plan, &log, as_of, None) {
            Ok(observed) => {
                for seen in observed {
                    if let Err(err) = recommend(&plan, seen.peak, 12, Some(seen.cycles_observed)) {
                        prop_assert_eq!(err.code(), 2);
                    }
                }
            }
            Err(err) => prop_assert_eq!(err.code(), 2),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    /// The same through the binary: exit 0 or 2 (1 for a crossed check),
    /// never 101, and an exit 2 is one `scanquota: error:` line.
    #[test]
    fn no_command_panics_on_a_plan_within_the_limits(
        plan in plan_near_the_limits(),
        rows in 1000usize..4000,
        seed in any::<u64>(),
    ) {
        let dir = Workdir::new();
        let plan = dir.write("plan.toml", plan);
        let log = dir.write("log.csv", large_log(rows, seed));
        let base = ["--plan", plan.as_str(), "--log", log.as_str(), "--as-of", "2024-04-20"];
        let runs: Vec<Vec<&str>> = vec![
            [&["report"][..], &base].concat(),
            [&["report"][..], &base, &["--format", "openmetrics"]].concat(),
            [&["invoice"][..], &base, &["--format", "json"]].concat(),
            [&["check"][..], &base, &["--max-projected-charges", "1"]].concat(),
            [&["ledger"][..], &base].concat(),
            vec!["estimate", "--plan", plan.as_str(), "--from-log", log.as_str(), "--as-of", "2024-06-01"],
        ];
        for args in runs {
            let (code, _, stderr) = run(&args);
            prop_assert!(matches!(code, 0..=2), "{:?}: exit {} {}", args, code, stderr);
            prop_assert!(!stderr.contains("panicked"), "{:?}: {}", args, stderr);
            if code == 2 {
                prop_assert!(stderr.starts_with("scanquota: error: "), "{:?}: {}", args, stderr);
            }
        }
    }
}

/// A tiered plan names the tier whose price overflowed, not the
/// `overage.unit_price` it does not have.
#[test]
fn a_tier_beyond_a_decimal_is_named_by_its_key() {
    let dir = Workdir::new();
    let plan = dir.write(
        "plan.toml",
        format!(
            "currency = \"USD\"\ndecimals = 8\n[subscription]\nstart = 2024-03-01T00:00:00Z\nmonths = 12\n\
             [metering]\nfirst_scan_units = {NEAR_MAX}\nrepeat_scan_units = {NEAR_MAX}\n\
             [overage]\npolicy = \"bill\"\n\
             [[overage.tier]]\nup_to = 1\nunit_price = 1\n\
             [[overage.tier]]\nunit_price = {NEAR_MAX}\n"
        ),
    );
    let log = dir.write("log.csv", log(80_000));
    assert_overflow(
        &[
            "report",
            "--plan",
            &plan,
            "--log",
            &log,
            "--as-of",
            "2024-04-01",
        ],
        &[
            "overage units × overage.tier[1].unit_price",
            "write a smaller overage.tier[1].unit_price",
        ],
    );
}

/// A fee of 999999999999.12345678 × 999999999999.87654321 a month, for
/// 1 199 months, at `decimals` places.
fn a_fee_of_many_digits(decimals: u32) -> String {
    format!(
        "name = \"big\"\ncurrency = \"USD\"\ndecimals = {decimals}\ntimezone = \"UTC\"\n\
         [subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 1199\n\
         [metering]\nfirst_scan_units = 1\n\
         [[fee]]\nname = \"platform\"\nquantity = 999999999999.12345678\nunit_price = 999999999999.87654321\n\
         [overage]\npolicy = \"deny\"\n"
    )
}

/// rust_decimal does not fail when a product or sum has more digits than
/// it holds: it drops places, rounding. Money is never rounded that way
/// unseen. The fee's product (24 digits and 16 places) cannot be written
/// to 8 places, which is refused naming the fee; at 2 places it is the
/// true product rounded to the cent, in the report and in FOCUS; and a
/// total whose cents no longer fit is refused, not rounded to the euro.
#[test]
fn money_is_exact_or_refused_never_rounded_silently() {
    let dir = Workdir::new();
    let eight = dir.write("eight.toml", a_fee_of_many_digits(8));
    let two = dir.write("two.toml", a_fee_of_many_digits(2));
    let log = dir.write(
        "log.csv",
        "timestamp,image,account\n2024-01-02T00:00:00Z,sha256:aa,default\n",
    );
    let as_of = ["--log", &log, "--as-of", "2024-02-15"];
    // `plan check` refuses what every billing command would.
    assert_overflow(
        &["plan", "check", &eight],
        &[
            "eight.toml: [[fee]] platform: quantity × unit_price",
            "or give fewer decimals",
        ],
    );
    assert_eq!(run(&["plan", "check", &two]).0, 0);
    assert_overflow(
        &[&["report", "--plan", &eight][..], &as_of].concat(),
        &[
            "eight.toml: [[fee]] platform: quantity × unit_price",
            "exceeds the largest amount scanquota can hold exactly",
            "write a smaller quantity or unit_price",
        ],
    );
    let (code, stdout, stderr) =
        run(&[&["report", "--plan", &two, "--format", "json"][..], &as_of].concat());
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let charges = &report["accounts"][0]["charges"];
    // The true product is 999999999998999999990000.1082152122374638.
    let lines = charges["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    for line in lines {
        assert_eq!(line["amount"], "999999999998999999990000.11");
    }
    assert_eq!(charges["total"], "1999999999997999999980000.22");
    let (code, stdout, stderr) = run(&[
        &["invoice", "--plan", &two, "--format", "focus"][..],
        &as_of,
    ]
    .concat());
    assert_eq!(code, 0, "{stderr}");
    let row = stdout.lines().nth(1).expect("a FOCUS row");
    assert_eq!(
        row.matches(",999999999998999999990000.11,").count(),
        3,
        "{row}"
    );
    assert!(!row.contains("999999999998999999990000.1082"), "{row}");
    // 914 fees by 2100 are 9.1e26: their cents need 29 digits.
    assert_overflow(
        &[
            "report",
            "--plan",
            &two,
            "--log",
            &log,
            "--as-of",
            "2100-02-15",
        ],
        &[
            "account default: the sum of the charge lines up to 2100-02-15",
            "exceeds the largest amount scanquota can hold exactly",
        ],
    );
}

/// The plan at the limits, with 8 decimals and no fee: an allowance's
/// units × price (10^24) cannot be written to 8 places, which `plan check`
/// and `report` refuse. Before, it was printed with 4.
#[test]
fn a_line_too_long_for_its_decimals_names_the_allowance() {
    let dir = Workdir::new();
    let fee =
        format!("[[fee]]\nname = \"edition\"\nquantity = {NEAR_MAX}\nunit_price = {NEAR_MAX}\n");
    let limits = plan_at_the_limits();
    assert!(limits.contains(&fee));
    let plan = dir.write(
        "plan.toml",
        limits
            .replace("decimals = 2", "decimals = 8")
            .replace(&fee, ""),
    );
    let log = dir.write("log.csv", log(1));
    let parts = [
        "plan.toml: [[allowance]] quota: units × unit_price",
        "exceeds the largest amount scanquota can hold exactly",
    ];
    assert_overflow(&["plan", "check", &plan], &parts);
    let as_of = ["--log", &log, "--as-of", "2024-04-01"];
    assert_overflow(&[&["report", "--plan", &plan][..], &as_of].concat(), &parts);
}

/// A line of 21 whole digits and 8 places split in three by `--by`: the
/// thirds are rounded up at their last place, and the groups took one unit
/// more than the line. They now add up to it in the report.
#[test]
fn an_allocation_of_a_29_digit_line_adds_up() {
    let dir = Workdir::new();
    let plan = dir.write(
        "alloc.toml",
        "name = \"alloc\"\ndecimals = 8\n[subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 1\n\
         [[fee]]\nname = \"f\"\nquantity = 999999999999.99999997\nunit_price = 500000000\n\
         [overage]\npolicy = \"bill\"\n",
    );
    let log = dir.write(
        "alloc.csv",
        "timestamp,team,image\n2024-01-02T00:00:00Z,x,i1\n2024-01-02T01:00:00Z,y,i2\n2024-01-02T02:00:00Z,z,i3\n",
    );
    let args = [
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-01-20",
        "--by",
        "team",
        "--allocate-shared",
        "proportional",
        "--format",
        "json",
    ];
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let allocation = &report["accounts"][0]["allocation"];
    let charges: Vec<&str> = allocation["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| group["charges"].as_str().expect("charges"))
        .collect();
    assert_eq!(
        charges,
        [
            "166666666666666666661.66666667",
            "166666666666666666661.66666667",
            "166666666666666666661.66666666"
        ]
    );
    assert_eq!(allocation["total"], "499999999999999999985.00000000");
    assert_eq!(
        report["accounts"][0]["charges"]["total"],
        "499999999999999999985.00000000"
    );
}

/// A demand given by hand in scans is exact, and so must its units be: two
/// sums of 4e20 units at 8 places do not fit, and were rounded to whole
/// units (the purchase with them).
#[test]
fn an_estimate_demand_that_does_not_fit_is_refused_not_rounded() {
    let dir = Workdir::new();
    let plan = dir.write(
        "e0.toml",
        "name = \"e0\"\ndecimals = 8\n[subscription]\nstart = 2024-01-01T00:00:00Z\n\
         [metering]\nfirst_scan_units = 1.00000001\nrepeat_scan_units = 1.00000001\n\
         [[allowance]]\nname = \"q\"\nunits = 1\nunit_price = 0\n",
    );
    let scans = "399999999999999999999";
    assert_overflow(
        &[
            "estimate",
            "--plan",
            &plan,
            "--first-scans",
            scans,
            "--repeat-scans",
            scans,
        ],
        &[
            "the demand's first and repeat units under",
            "exceeds the largest amount scanquota can hold exactly",
            "give a smaller demand",
        ],
    );
}

/// `plan check` prices an allowance's units with each top-up in turn, as
/// `report` does (it projects a top-up before it posts): 5e11 units at 1e9
/// fit at 8 places, with a top-up of 5e11 they do not. It accepted the
/// plan that every `report` then refused.
#[test]
fn plan_check_prices_the_units_with_their_top_ups() {
    let dir = Workdir::new();
    let plan = dir.write(
        "topup.toml",
        "name = \"t\"\ndecimals = 8\n[subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 12\n\
         [[allowance]]\nname = \"q\"\nunits = 500000000000\nunit_price = 1000000000\n\
         [[topup]]\nallowance = \"q\"\nat = 2024-06-01T00:00:00Z\nunits = 500000000000\n",
    );
    assert_overflow(
        &["plan", "check", &plan],
        &[
            "topup.toml: [[allowance]] q: units × unit_price (with top-ups)",
            "exceeds the largest amount scanquota can hold exactly",
            "write smaller units, unit_price or top-up units, or give fewer decimals",
        ],
    );
    let without = dir.write(
        "alone.toml",
        std::fs::read_to_string(&plan)
            .unwrap()
            .split("[[topup]]")
            .next()
            .unwrap(),
    );
    assert_eq!(run(&["plan", "check", &without]).0, 0);
}

/// Scans given by hand with 28 and 27 places: their units (times 1 and
/// 0.1) each fit, their sum (11.1…, 28 places) does not: refused, not
/// rounded (it was rounded at the 28th place).
#[test]
fn an_estimate_demand_with_too_many_places_is_refused() {
    assert_overflow(
        &[
            "estimate",
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--first-scans",
            "5.5555555555555555555555555557",
            "--repeat-scans",
            "55.555555555555555555555555557",
        ],
        &[
            "the demand's first and repeat units under",
            "can hold exactly",
        ],
    );
}
