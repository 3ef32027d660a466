//! Posting instants (issue 22 §1, SPEC §13): a posted line never changes, a
//! top-up is a line of its own dated at its `at`, and the open cycle's
//! overage is accrued until the cycle end.

mod common;

use common::output;
use serde_json::Value;

const TOPUP_PLAN: &str = "fixtures/tcss-cny-topup.toml";
const CNY_LOG: &str = "fixtures/tcss-cny.csv";

fn topup(command: &str, as_of: &str, format: &str) -> String {
    output(
        command,
        &[
            "--plan",
            TOPUP_PLAN,
            "--log",
            CNY_LOG,
            "--account",
            "team-a",
            "--as-of",
            as_of,
        ],
        format,
    )
}

/// The invoice JSON's lines of team-a, as (kind, item, period_start,
/// quantity, unit_price, amount, state).
fn invoice_lines(as_of: &str) -> Vec<[String; 7]> {
    let json: Value = serde_json::from_str(&topup("invoice", as_of, "json")).unwrap();
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    json["accounts"][0]["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["lines"].as_array().unwrap().clone())
        .map(|l| {
            [
                text(&l["kind"]),
                text(&l["item"]),
                text(&l["period_start"]),
                text(&l["quantity"]),
                text(&l["unit_price"]),
                text(&l["amount"]),
                text(&l["state"]),
            ]
        })
        .collect()
}

#[test]
fn the_april_allowance_line_is_not_rewritten_by_the_top_up() {
    let april = |lines: &[[String; 7]]| {
        lines
            .iter()
            .find(|l| l[1] == "allowance:quota" && l[2].starts_with("2024-04-15"))
            .cloned()
            .expect("the April period's line")
    };
    let before = invoice_lines("2024-04-16");
    let after = invoice_lines("2024-05-01");
    assert_eq!(april(&before)[3], "300");
    assert_eq!(april(&before)[5], "90.00");
    assert_eq!(april(&before), april(&after), "a posted line never changes");
    // On 04-16 the top-up of 04-20 is scheduled: still to come, not posted.
    let scheduled: Vec<_> = before.iter().filter(|l| l[0] == "topup").collect();
    assert_eq!(scheduled.len(), 1, "{before:?}");
    assert_eq!(scheduled[0][6], "still_to_come");
    let topups: Vec<_> = after.iter().filter(|l| l[0] == "topup").collect();
    assert_eq!(topups.len(), 1, "{after:?}");
    assert_eq!(topups[0][1], "topup:quota");
    assert_eq!(topups[0][2], "2024-04-20T10:00:00+08:00");
    assert_eq!(topups[0][3], "300");
    assert_eq!(topups[0][5], "90.00");
    assert_eq!(topups[0][6], "posted");
    // Every line posted on 04-16 is there, the same, on 05-01.
    for line in before.iter().filter(|l| l[6] == "posted") {
        assert!(after.contains(line), "{line:?} changed: {after:?}");
    }
}

#[test]
fn every_view_that_lists_lines_shows_the_top_up_dated_at_its_at() {
    let dated = "2024-04-20 10:00";
    for (command, format, needle) in [
        ("report", "table", dated),
        ("report", "markdown", dated),
        ("report", "html", dated),
        ("invoice", "table", dated),
        ("invoice", "markdown", dated),
        ("invoice", "html", dated),
        ("invoice", "csv", "2024-04-20T10:00:00+08:00"),
        ("report", "json", "2024-04-20T10:00:00+08:00"),
        ("invoice", "json", "2024-04-20T10:00:00+08:00"),
    ] {
        let text = topup(command, "2024-05-01", format);
        let line = text
            .lines()
            .find(|l| l.contains("topup:quota") || l.contains("\"topup\""))
            .unwrap_or_else(|| panic!("{command} {format}: no top-up line:\n{text}"));
        assert!(
            text.lines()
                .any(|l| l.contains("topup:quota") && l.contains(needle))
                || (format == "json" && text.contains(needle)),
            "{command} {format}: the top-up is not dated {needle}: {line}\n{text}"
        );
    }
}

#[test]
fn the_report_csv_charges_the_period_for_all_its_units() {
    let csv = topup("report", "2024-05-01", "csv");
    let april = csv
        .lines()
        .find(|l| l.contains("prepaid,2024-04-15T14:00:00+08:00,"))
        .expect("the April row");
    assert!(april.ends_with(",600,3.3,596.7,0,CNY,180.00"), "{april}");
}

/// A plan that bills overage: the open cycle's overage is accrued (in the
/// charges to date, not posted), and posts at the cycle end unchanged.
#[test]
fn the_open_cycles_overage_is_accrued_then_posted_at_the_cycle_end() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "currency = \"USD\"\ndecimals = 2\ntimezone = \"UTC\"\n\
         [subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 3\n\
         [metering]\nfirst_scan_units = 1\nrepeat_scan_units = 1\n\
         [[allowance]]\nname = \"quota\"\nunits = 2\nunit_price = 1\n\
         [overage]\npolicy = \"bill\"\nunit_price = 2\n",
    )
    .unwrap();
    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        "timestamp,image,status\n\
         2024-01-05T00:00:00Z,sha256:a,success\n\
         2024-01-06T00:00:00Z,sha256:b,success\n\
         2024-01-07T00:00:00Z,sha256:c,success\n",
    )
    .unwrap();
    let invoice = |as_of: &str| -> Value {
        let args = [
            "--plan",
            plan.to_str().unwrap(),
            "--log",
            log.to_str().unwrap(),
            "--as-of",
            as_of,
        ];
        serde_json::from_str(&output("invoice", &args, "json")).unwrap()
    };
    let open = invoice("2024-01-20");
    let line = |json: &Value| {
        json["accounts"][0]["cycles"][0]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "overage" && l["state"] != "still_to_come")
            .cloned()
            .expect("an overage line")
    };
    assert_eq!(line(&open)["state"], "accrued");
    assert_eq!(line(&open)["amount"], "2.00");
    assert_eq!(line(&open)["posted_at"], "2024-02-01T00:00:00+00:00");
    assert_eq!(open["accrued"], "2.00");
    assert_eq!(open["posted"], "2.00", "only the allowance line is posted");
    let closed = invoice("2024-02-10");
    assert_eq!(line(&closed)["state"], "posted");
    for key in [
        "kind",
        "item",
        "period_start",
        "quantity",
        "unit_price",
        "amount",
    ] {
        assert_eq!(line(&open)[key], line(&closed)[key], "{key}");
    }
}

fn window_invoice(window: &[&str]) -> Value {
    let mut args = vec![
        "--plan",
        TOPUP_PLAN,
        "--log",
        CNY_LOG,
        "--account",
        "team-a",
    ];
    args.extend_from_slice(window);
    serde_json::from_str(&output("invoice", &args, "json")).unwrap()
}

fn items(invoice: &Value) -> Vec<(String, String)> {
    invoice["accounts"][0]["cycles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["lines"].as_array().unwrap().clone())
        .map(|l| {
            (
                l["item"].as_str().unwrap().to_string(),
                l["posted_at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn april_is_the_lines_posted_in_april() {
    let april = window_invoice(&["--month", "2024-04"]);
    assert_eq!(april["window"]["from"], "2024-04-01T00:00:00+08:00");
    assert_eq!(april["window"]["to"], "2024-05-01T00:00:00+08:00");
    assert_eq!(april["as_of"], "2024-04-30T23:59:59+08:00");
    // The cycle from 03-15 posted in March; April holds the 04-15 lines and
    // the top-up of 04-20.
    assert_eq!(
        items(&april),
        [
            ("allowance:quota", "2024-04-15T14:00:00+08:00"),
            ("fee:Pro edition", "2024-04-15T14:00:00+08:00"),
            ("fee:Log storage (GB)", "2024-04-15T14:00:00+08:00"),
            ("topup:quota", "2024-04-20T10:00:00+08:00"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(april["posted"], "310.00");
    let march = window_invoice(&["--month", "2024-03"]);
    assert_eq!(march["posted"], "220.00");
    // The same window written with --from/--to (bare dates are 00:00).
    let same = window_invoice(&["--from", "2024-04-01", "--to", "2024-05-01"]);
    assert_eq!(same["posted"], april["posted"]);
    assert_eq!(same["window"], april["window"]);
}

#[test]
fn a_bare_date_in_a_window_is_midnight_and_to_is_excluded() {
    let day = window_invoice(&["--from", "2024-04-20", "--to", "2024-04-21"]);
    assert_eq!(
        items(&day),
        [(
            "topup:quota".to_string(),
            "2024-04-20T10:00:00+08:00".to_string()
        )]
    );
    let before = window_invoice(&["--from", "2024-04-20", "--to", "2024-04-20 10:00"]);
    assert!(items(&before).is_empty(), "{before}");
    assert_eq!(before["posted"], "0.00");
}

#[test]
fn report_month_shows_the_windows_charges_beside_the_quota_state() {
    let args = [
        "--plan",
        TOPUP_PLAN,
        "--log",
        CNY_LOG,
        "--account",
        "team-a",
        "--month",
        "2024-04",
    ];
    let json: Value = serde_json::from_str(&output("report", &args, "json")).unwrap();
    assert_eq!(json["window"]["from"], "2024-04-01T00:00:00+08:00");
    assert_eq!(json["accounts"][0]["window_charges"]["posted"], "310.00");
    assert_eq!(
        json["accounts"][0]["allowances"][0]["periods"][1]["granted"],
        "600"
    );
    let table = output("report", &args, "table");
    assert!(
        table.contains("Charges posted 2024-04-01 00:00 → 2024-05-01 00:00 (CNY)"),
        "{table}"
    );
}

#[test]
fn bad_windows_are_refused_with_one_message() {
    for window in [
        &["--month", "2024-13"][..],
        &["--month", "April"],
        &[
            "--month",
            "2024-04",
            "--from",
            "2024-04-01",
            "--to",
            "2024-05-01",
        ],
        &["--from", "2024-04-02", "--to", "2024-04-01"],
        &["--from", "2024-04-02", "--to", "2024-04-02"],
        &["--from", "2024-04-02"],
        &["--to", "2024-04-02"],
        &["--from", "soon", "--to", "2024-04-02"],
    ] {
        for command in ["invoice", "report"] {
            let mut args = vec![command, "--plan", TOPUP_PLAN, "--log", CNY_LOG];
            args.extend_from_slice(window);
            let (code, stdout, stderr) = common::run(&args);
            assert_eq!(code, 2, "{args:?}: {stderr}");
            assert!(stdout.is_empty(), "{args:?}: {stdout}");
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            assert!(
                stderr.starts_with("scanquota: error: --"),
                "{args:?}: {stderr}"
            );
        }
    }
}

#[test]
fn the_projected_cost_of_the_cycle_counts_the_scheduled_top_up_in_every_view() {
    let invoice: Value = serde_json::from_str(&topup("invoice", "2024-04-16", "json")).unwrap();
    assert_eq!(invoice["schema"], "scanquota.invoice.v2");
    let cycle = &invoice["accounts"][0]["cycles"][1];
    assert_eq!(cycle["posted"], "220.00");
    assert_eq!(cycle["accrued"], "0.00");
    assert_eq!(cycle["still_to_come"], "90.00", "the top-up of 04-20");
    assert_eq!(cycle["projected"], "310.00");
    let report: Value = serde_json::from_str(&topup("report", "2024-04-16", "json")).unwrap();
    let projection = &report["accounts"][0]["projection"];
    assert_eq!(projection["projected_cycle_charges"], "310.00");
    // The report lists the top-up as still to come, not as posted.
    let to_come = report["accounts"][0]["charges"]["still_to_come"]
        .as_array()
        .unwrap();
    assert_eq!(to_come.len(), 1, "{to_come:?}");
    assert_eq!(to_come[0]["amount"], "90.00");
    assert_eq!(to_come[0]["state"], "still_to_come");
    let table = topup("report", "2024-04-16", "table");
    assert!(
        table.contains("Projected cost of the cycle ending 2024-05-15 14:00: CNY 310.00"),
        "{table}"
    );
    let metrics = topup("report", "2024-04-16", "openmetrics");
    assert!(
        metrics
            .lines()
            .any(
                |l| l.starts_with("scanquota_projected_cycle_charges{") && l.ends_with(" 310.00")
                    || l.starts_with("scanquota_projected_cycle_charges{") && l.ends_with(" 310")
            ),
        "{metrics}"
    );
}

#[test]
fn a_window_shows_the_accrued_overage_apart_from_the_posted_total() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "currency = \"USD\"\ndecimals = 2\ntimezone = \"UTC\"\n\
         [subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 3\n\
         [metering]\nfirst_scan_units = 1\nrepeat_scan_units = 1\n\
         [[allowance]]\nname = \"quota\"\nunits = 2\nunit_price = 1\n\
         [overage]\npolicy = \"bill\"\nunit_price = 2\n",
    )
    .unwrap();
    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        "timestamp,image,status\n\
         2024-01-05T00:00:00Z,sha256:a,success\n\
         2024-01-06T00:00:00Z,sha256:b,success\n\
         2024-01-07T00:00:00Z,sha256:c,success\n",
    )
    .unwrap();
    let args = [
        "--plan",
        plan.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-20",
    ];
    let json: Value = serde_json::from_str(&output("invoice", &args, "json")).unwrap();
    assert_eq!(json["as_of"], "2024-01-19T23:59:59+00:00");
    assert_eq!(json["posted"], "2.00", "the allowance line only");
    assert_eq!(json["accrued"], "2.00", "one overage unit, apart");
    let states: Vec<&str> = json["accounts"][0]["cycles"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["posted", "accrued"]);
    // January as a month: the overage posts at the cycle end (02-01), so
    // it is not in January's posted total.
    let january = [
        "--plan",
        plan.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
        "--month",
        "2024-01",
    ];
    let json: Value = serde_json::from_str(&output("invoice", &january, "json")).unwrap();
    assert_eq!(json["posted"], "2.00");
    let february = [
        "--plan",
        plan.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
        "--month",
        "2024-02",
    ];
    let json: Value = serde_json::from_str(&output("invoice", &february, "json")).unwrap();
    assert_eq!(
        json["posted"], "4.00",
        "February's allowance and January's overage"
    );
}

/// Shares of an open cycle still move (its periods fill up), posted lines do
/// not: the views say so while a cycle is open, and not once the term ends.
#[test]
fn the_views_say_an_open_cycles_shares_still_change() {
    // (Without the apostrophe, which the page escapes.)
    let note = "shares change until it closes; posted charge lines never do";
    for (as_of, open) in [("2024-05-01", true), ("2024-07-01", false)] {
        let args = [
            "report",
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            "fixtures/teams.csv",
            "--as-of",
            as_of,
            "--by",
            "team",
        ];
        for format in ["table", "markdown", "html"] {
            let (code, stdout, stderr) = common::run(&[&args[..], &["--format", format]].concat());
            assert_eq!(code, 0, "{stderr}");
            assert_eq!(stdout.contains(note), open, "{as_of} {format}");
        }
        let (_, json, _) = common::run(&[&args[..], &["--format", "json"]].concat());
        let report: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            report["accounts"][0]["allocation"]["open_cycle"], open,
            "{as_of}"
        );
    }
}

/// An `--as-of` past a window's end is brought back to its last instant,
/// and said on stderr (not with `--quiet`); one inside it is taken silently.
#[test]
fn an_as_of_past_the_window_is_brought_back_out_loud() {
    let args = |as_of: &'static str, quiet: bool| {
        let mut all = vec!["invoice", "--plan", TOPUP_PLAN, "--log", CNY_LOG];
        all.extend(["--month", "2024-04", "--as-of", as_of, "--format", "json"]);
        if quiet {
            all.insert(0, "--quiet");
        }
        common::run(&all)
    };
    let (code, later, stderr) = args("2024-06-01", false);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("--as-of 2024-06-01 is past the window's end (2024-05-01T00:00:00+08:00); the figures are as of 2024-04-30T23:59:59.999999999+08:00"),
        "{stderr}"
    );
    let (_, at_end, _) = args("2024-04-30 23:59:59.999999999", false);
    assert_eq!(later, at_end);
    let (code, _, stderr) = args("2024-06-01", true);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, _, stderr) = args("2024-04-20", false);
    assert_eq!(code, 0);
    assert!(!stderr.contains("past the window"), "{stderr}");
}
