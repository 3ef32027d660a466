//! What a new user saw go wrong in the views, each pinned through the
//! binary, and snapshots of every format of `invoice`.

mod common;

use common::{Workdir, run};
use serde_json::Value;

const CNY_PLAN: &str = "fixtures/tcss-cny-topup.toml";
const CNY_LOG: &str = "fixtures/tcss-cny.csv";
const CORES: &str = "fixtures/cores.csv";
const AS_OF: &str = "2024-05-01 00:00:00";

/// `command` (report or invoice) over the CNY fixtures with core samples,
/// then `more` arguments.
fn cny<'a>(command: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        command, "--plan", CNY_PLAN, "--log", CNY_LOG, "--cores", CORES, "--as-of", AS_OF,
    ];
    args.extend_from_slice(more);
    args
}

fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

#[test]
fn the_report_csv_is_the_usage_table_and_names_its_money_column() {
    let csv = ok(&cny("report", &["--format", "csv"]));
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",currency,allowance_charge"), "{header}");
    assert!(!header.split(',').any(|c| c == "charge"));
}

#[test]
fn the_invoice_csv_sums_to_the_json_total() {
    let args = |format| cny("invoice", &["--format", format]);
    let csv = ok(&args("csv"));
    let report: Value = serde_json::from_str(&ok(&cny("report", &["--format", "json"]))).unwrap();
    assert_eq!(report["totals"]["charges"], "1065.83");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut sum = rust_decimal::Decimal::ZERO;
    let mut kinds = std::collections::BTreeSet::new();
    for record in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let record = record.unwrap();
        kinds.insert(record["kind"].clone());
        if record["state"] == "posted" || record["state"] == "accrued" {
            sum += record["amount"].parse::<rust_decimal::Decimal>().unwrap();
        }
    }
    assert_eq!(
        sum.to_string(),
        "1065.83",
        "every fee and cores line is there"
    );
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["allowance", "cores", "fee", "topup"],
        "the top-up is a line of its own"
    );
    for format in ["table", "markdown", "csv", "json"] {
        insta::assert_snapshot!(format!("invoice_cny_{format}"), ok(&args(format)));
    }
}

#[test]
fn markdown_carries_the_tables_sections() {
    let args = |format| cny("report", &["--format", format]);
    let markdown = ok(&args("markdown"));
    let table = ok(&args("table"));
    for needle in [
        "Scans not metered",
        "12 after as-of",
        "times in Asia/Shanghai",
        "Charges (CNY)",
        "fee:Pro edition",
        "cores",
        "1065.83",
        "Projected cost of the cycle ending 2024-05-15 14:00",
    ] {
        assert!(
            markdown.contains(needle),
            "markdown lacks `{needle}`:\n{markdown}"
        );
        assert!(table.contains(needle), "table lacks `{needle}`:\n{table}");
    }
}

/// An account or image named like HTML is shown as text in Markdown (a CI
/// job summary renders inline HTML), in tables, headings and sentences, and
/// a table's bar and backslash stay inside their cell.
#[test]
fn markdown_shows_names_like_html_as_text() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.csv",
        "timestamp,account,image\n2024-04-20 10:00:00,<script>a&b</script>|x\\,img\n",
    );
    let markdown = ok(&[
        "report", "--plan", CNY_PLAN, "--log", &log, "--as-of", AS_OF, "--format", "markdown",
    ]);
    assert!(
        markdown.contains("\\<script\\>a\\&b\\</script\\>\\|x\\\\"),
        "{markdown}"
    );
    assert!(!markdown.contains("<script>"), "{markdown}");
    // The invoice names the account in a sentence too.
    let invoice = ok(&[
        "invoice", "--plan", CNY_PLAN, "--log", &log, "--as-of", AS_OF, "--format", "markdown",
    ]);
    assert!(invoice.contains("Account \\<script\\>a\\&b"), "{invoice}");
    assert!(!invoice.contains("<script>"), "{invoice}");
    // A name that would be a link, emphasis or code is text too.
    let log = dir.write(
        "link.csv",
        "timestamp,account,image\n2024-04-20 10:00:00,[z](javascript:alert(1)) *b* `c` _i_ a_b,img\n",
    );
    let escaped = "\\[z\\](javascript:alert(1)) \\*b\\* \\`c\\` \\_i\\_ a_b";
    for command in ["report", "invoice"] {
        let markdown = ok(&[
            command, "--plan", CNY_PLAN, "--log", &log, "--as-of", AS_OF, "--format", "markdown",
        ]);
        assert!(markdown.contains(escaped), "{command}: {markdown}");
        // Headings, cells and sentences alike: never the name unescaped.
        assert!(
            !markdown.contains("[z](javascript"),
            "{command}: {markdown}"
        );
        assert!(!markdown.contains(" *b* "), "{command}: {markdown}");
    }
}

#[test]
fn tables_show_control_characters_in_image_names_escaped() {
    let dir = Workdir::new();
    let log = dir.write(
        "log.csv",
        "timestamp,image\n2024-04-20 10:00:00,a\u{1b}[31mred\u{9b}x\n",
    );
    let table = ok(&[
        "ledger", "--plan", CNY_PLAN, "--log", &log, "--as-of", AS_OF, "--format", "table",
    ]);
    assert!(table.contains("a\\u{1b}[31mred\\u{9b}"), "{table}");
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{9b}'),
        "{table}"
    );
    // The CSV keeps the name as read: a spreadsheet is not a terminal.
    let csv = ok(&[
        "ledger", "--plan", CNY_PLAN, "--log", &log, "--as-of", AS_OF, "--format", "csv",
    ]);
    assert!(csv.contains("a\u{1b}[31mred\u{9b}x"), "{csv}");
}

#[test]
fn a_comparison_shows_what_each_plan_denied() {
    let dir = Workdir::new();
    let plan = |units: u32| {
        dir.write(
            &format!("q{units}.toml"),
            format!(
                "name = \"{units} units\"\ncurrency = \"USD\"\n[subscription]\nstart = 2024-04-01T00:00:00Z\nmonths = 1\n\
                 [[allowance]]\nname = \"quota\"\nunits = {units}\nunit_price = 0.06\n[overage]\npolicy = \"deny\"\n"
            ),
        )
    };
    let (small, large) = (plan(300), plan(600));
    let mut log = String::from("timestamp,image\n");
    for i in 0..375 {
        log += &format!("2024-04-02T00:{:02}:{:02}Z,img{i}\n", i / 60, i % 60);
    }
    let log = dir.write("log.csv", log);
    let table = ok(&[
        "report",
        "--plan",
        &small,
        "--plan",
        &large,
        "--log",
        &log,
        "--as-of",
        "2024-04-10T00:00:00Z",
    ]);
    let row = |label: &str| -> Vec<String> {
        let line = table
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("{label}:\n{table}"));
        line[label.len() + 1..]
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    assert_eq!(row("Scans denied"), ["75", "0"]);
    assert_eq!(row("Units denied"), ["75", "0"]);
    assert_eq!(row("Charges to date"), ["18.00", "36.00"]);
    assert!(table.contains("Projected denied units"), "{table}");
}

#[test]
fn the_projection_sentence_is_true_of_the_numbers() {
    let dir = Workdir::new();
    let plan = dir.write("plan.toml", common::DENY_10_PLAN);
    let rows = common::twelve_daily_images();
    let log = dir.write("log.csv", rows);
    // The report's text with its wrapped lines joined again.
    let sentences = |log: &str, as_of: &str| {
        ok(&["report", "--plan", &plan, "--log", log, "--as-of", as_of]).replace('\n', " ")
    };
    // Used up before as-of: no "runs out on" the as-of itself.
    let used_up = sentences(&log, "2024-04-13T00:00:00Z");
    assert!(
        used_up.contains("The quota is used up: at this rate 18 more units will be denied by the cycle end (2024-05-01 00:00)."),
        "{used_up}"
    );
    assert!(!used_up.contains("runs out on"), "{used_up}");
    // Running out later: the date it does and what follows.
    // 4 units in 4 days, 6 left: out on day 10; 26 days × 1 − 6 = 20 denied.
    let later = sentences(&log, "2024-04-05T00:00:00Z");
    assert!(
        later.contains("At this rate the quota runs out on 2024-04-11 00:00, and 20 more units will be denied by the cycle end (2024-05-01 00:00)."),
        "{later}"
    );
    // Enough left: the remaining units cover what is to come.
    let one = dir.write("one.csv", "timestamp,image\n2024-04-01T01:00:00Z,a\n");
    let enough = sentences(&one, "2024-04-16T00:00:00Z");
    assert!(
        enough.contains("No shortfall expected: at this rate the cycle uses 2 units (1 so far), and the 9 remaining cover the rest."),
        "{enough}"
    );
    // At a cycle start there is nothing to project yet.
    let start = sentences(&log, "2024-05-01T00:00:00Z");
    assert!(
        start.contains("The cycle has just begun: no projection yet."),
        "{start}"
    );
}

#[test]
fn an_unpriced_projection_never_reads_as_zero() {
    let table = ok(&[
        "report",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
    ]);
    let unwrapped = table.replace('\n', " ");
    assert!(
        unwrapped.contains("Projected cost of the cycle ending 2024-05-02 10:00: CNY 0.00 + 4.843 overage units at no published price"),
        "{table}"
    );
    // HSS bills overage by calendar month: the 5.5291 projected units of the
    // cycle ending May 2nd are April's line (posting May 1st, in the cycle)
    // and May's first day and a half (posting June 1st, after it).
    assert!(
        unwrapped.contains("5.5291 more units will be billed as overage"),
        "{table}"
    );
    assert!(
        unwrapped.contains(
            "; 0.6861 units of the cycle's overage post after it, when their overage period ends"
        ),
        "{table}"
    );
}

#[test]
fn tables_fit_100_columns_off_a_terminal_and_no_line_ends_in_a_space() {
    let runs: Vec<Vec<&str>> = vec![
        cny("report", &[]),
        vec![
            "report",
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--plan",
            CNY_PLAN,
            "--plan",
            "builtin:hss-payg",
            "--log",
            CNY_LOG,
            "--as-of",
            AS_OF,
        ],
        cny("invoice", &[]),
        vec![
            "report",
            "--plan",
            "builtin:hss-payg",
            "--log",
            "fixtures/hss.csv",
            "--as-of",
            "2024-04-20",
        ],
        vec![
            "check",
            "--plan",
            CNY_PLAN,
            "--log",
            CNY_LOG,
            "--as-of",
            AS_OF,
            "--min-remaining",
            "1",
            "--format",
            "markdown",
        ],
        vec![
            "estimate",
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--plan",
            CNY_PLAN,
            "--from-log",
            CNY_LOG,
            "--as-of",
            "2024-06-01",
        ],
        vec![
            "stats",
            "--plan",
            "builtin:hss-payg",
            "--log",
            "fixtures/hss.csv",
            "--as-of",
            "2024-04-20",
            "--format",
            "table",
        ],
    ];
    for args in runs {
        let stdout = ok(&args);
        for line in stdout.lines() {
            assert!(
                !line.ends_with(' '),
                "{args:?}: a line ends in a space: `{line}`"
            );
            if args[0] != "check" {
                assert!(
                    line.chars().count() <= 100,
                    "{args:?}: over 100 columns: {line}"
                );
            }
        }
    }
}

#[test]
fn man_dir_writes_every_page_the_main_page_names() {
    let dir = Workdir::new();
    let target = dir.path("man1");
    let listed = ok(&["man", "--dir", &target]);
    let main = std::fs::read_to_string(format!("{target}/scanquota.1")).unwrap();
    let mut named = 0;
    for command in [
        "report",
        "invoice",
        "ledger",
        "check",
        "stats",
        "reconcile",
        "estimate",
        "merge",
        "plan",
        "man",
        "completions",
    ] {
        let page = format!("{target}/scanquota-{command}.1");
        assert!(std::path::Path::new(&page).exists(), "{page} is missing");
        assert!(listed.contains(&page), "{listed}");
        if main.contains(&format!("scanquota\\-{command}(1)")) {
            named += 1;
        }
    }
    assert_eq!(
        named, 11,
        "the main page names each command's page:\n{main}"
    );
    let report = std::fs::read_to_string(format!("{target}/scanquota-report.1")).unwrap();
    for option in [
        "\\-\\-plan",
        "\\-\\-log",
        "\\-\\-as\\-of",
        "\\-\\-account",
        "\\-\\-start",
        "\\-\\-cores",
        "\\-\\-format",
        "\\-\\-output",
    ] {
        assert!(report.contains(option), "scanquota-report.1 lacks {option}");
    }
}

#[test]
fn daily_usage_counts_each_local_day_of_the_period() {
    let dir = Workdir::new();
    let plan = dir.write(
        "plan.toml",
        "currency = \"USD\"\ntimezone = \"+08:00\"\n[subscription]\nstart = 2024-03-15T14:00:00+08:00\n\
         [metering]\nrepeat_scan_units = 0.1\n[[allowance]]\nname = \"quota\"\nunits = 300\nunit_price = 0.06\n",
    );
    // 15:00 and 23:00 local on the 15th (a partial first day), 01:00 on the 16th.
    let log = dir.write(
        "log.csv",
        "timestamp,image\n2024-03-15T15:00:00+08:00,a\n2024-03-15T23:00:00+08:00,a\n2024-03-16T01:00:00+08:00,b\n",
    );
    let report: Value = serde_json::from_str(&ok(&[
        "report",
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-03-17 12:00",
        "--format",
        "json",
    ]))
    .unwrap();
    let daily = &report["accounts"][0]["allowances"][0]["periods"][0]["daily"];
    assert_eq!(
        *daily,
        serde_json::json!([
            {"date": "2024-03-15", "used": "1.1", "until": "2024-03-16T00:00:00+08:00"},
            {"date": "2024-03-16", "used": "2.1", "until": "2024-03-17T00:00:00+08:00"},
            {"date": "2024-03-17", "used": "2.1", "until": "2024-03-17T12:00:00+08:00"}
        ])
    );
}

#[test]
fn snapshots_of_check_estimate_and_comparison_in_every_format() {
    for format in ["json", "markdown"] {
        let (code, stdout, _) = run(&[
            "check",
            "--plan",
            CNY_PLAN,
            "--log",
            CNY_LOG,
            "--cores",
            CORES,
            "--as-of",
            AS_OF,
            "--min-remaining",
            "590",
            "--max-projected-charges",
            "300",
            "--max-used-percent",
            "1",
            "--expiring-within",
            "60",
            "--format",
            format,
        ]);
        assert_eq!(code, 1, "some checks alert");
        insta::assert_snapshot!(format!("check_{format}"), stdout);
    }
    let estimate = ok(&[
        "estimate",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--plan",
        CNY_PLAN,
        "--from-log",
        CNY_LOG,
        "--as-of",
        "2024-06-01",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!("estimate_json", estimate);
    let comparison = ok(&[
        "report",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--plan",
        CNY_PLAN,
        "--log",
        CNY_LOG,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    let summaries = serde_json::from_str::<Value>(&comparison).unwrap()["summaries"].clone();
    insta::assert_snapshot!(
        "compare_json_summaries",
        serde_json::to_string_pretty(&summaries).unwrap()
    );
}
