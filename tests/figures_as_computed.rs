//! Issue 22 §3 "Every figure as computed": each view shows the figure the
//! model computed, whole and unsplit, and inputs that are not what they claim
//! to be are bad input.

mod common;

use common::{Workdir, run, scanquota};
use rust_decimal::Decimal;
use serde_json::Value;

fn ok(args: &[&str]) -> (String, String) {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    (stdout, stderr)
}

fn bad_input(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.starts_with("scanquota: error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

// ---- reconcile: an incomplete vendor file is bad input ----

#[test]
fn reconcile_with_a_vendor_file_missing_fields_is_bad_input_naming_them() {
    let work = Workdir::new();
    let vendor = work.write(
        "vendor.json",
        r#"{"repository_scan_num": 3, "cicd_scan_num": 2, "free_quota_num": 4,
            "already_given": true, "image_free_quota": 10,
            "high_risk": {"local": 0, "cicd": 1},
            "has_risk": {"local": 1, "registriy": 1, "cicd": 2},
            "total": {"local": 2, "registriy": "3", "cicd": 3}}"#,
    );
    let stderr = bad_input(&[
        "reconcile",
        "--plan",
        "builtin:hss-payg",
        "--start",
        "2024-03-01",
        "--log",
        "fixtures/hss.csv",
        "--vendor-stats",
        &vendor,
    ]);
    assert!(stderr.contains("vendor.json"), "{stderr}");
    for field in ["high_risk.registriy", "total.registriy", "unscan"] {
        assert!(stderr.contains(field), "{field}: {stderr}");
    }
    assert!(!stderr.contains("has_risk"), "{stderr}");
    assert!(!stderr.contains("differ"), "{stderr}");
}

#[test]
fn reconcile_with_a_complete_vendor_file_still_reports_differences_with_status_1() {
    let (code, stdout, _) = run(&[
        "reconcile",
        "--plan",
        "builtin:hss-payg",
        "--start",
        "2024-03-01",
        "--log",
        "fixtures/hss.csv",
        "--vendor-stats",
        "fixtures/hss-vendor-stats.json",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with("DIFF "), "{stdout}");
}

// ---- check: one field per word, and --quiet means quiet ----

#[test]
fn check_quotes_account_names_so_a_shell_reads_them_back_whole() {
    let work = Workdir::new();
    let log = work.write(
        "spaces.csv",
        "timestamp,image,account,source,status\n\
         2024-03-16T09:00:00+08:00,sha256:aaaa,x remaining=5 (limit 1),registry,success\n\
         2024-03-16T10:00:00+08:00,sha256:bbbb,it's,registry,success\n\
         2024-03-16T11:00:00+08:00,sha256:cccc,plain,registry,success\n",
    );
    let (stdout, _) = ok(&[
        "check",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        &log,
        "--as-of",
        "2024-03-20",
        "--min-remaining",
        "1",
    ]);
    assert!(
        stdout.contains("OK plain remaining=299 (limit 1)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("OK 'x remaining=5 (limit 1)' remaining=299 (limit 1)\n"),
        "{stdout}"
    );
    // Every line splits into exactly five shell words (status, account,
    // check=value, "(limit", "1)"); xargs reads shell-style quotes.
    let script = "printf '%s' \"$CHECK_LINES\" | while read -r line; do \
                  printf '%s\\n' \"$line\" | xargs sh -c 'printf \"%s|%s|%s\\n\" \"$#\" \"$2\" \"$3\"' sh; done";
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("CHECK_LINES", &stdout)
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let mut got: Vec<&str> = out.lines().collect();
    got.sort();
    assert_eq!(
        got,
        [
            "5|it's|remaining=299",
            "5|plain|remaining=299",
            "5|x remaining=5 (limit 1)|remaining=299",
        ],
        "{stdout}"
    );
}

#[test]
fn quiet_silences_every_note_including_the_builtin_start_notice() {
    let args = [
        "report",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
    ];
    let (_, loud) = ok(&args);
    assert!(loud.contains("builtin:hss-payg starts at"), "{loud}");
    let mut quiet = args.to_vec();
    quiet.push("--quiet");
    let (stdout, stderr) = ok(&quiet);
    assert!(!stdout.is_empty());
    assert_eq!(stderr, "");
    let (code, stdout, stderr) = run(&[
        "check",
        "--plan",
        "builtin:hss-payg",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-04-20",
        "--min-remaining",
        "0",
        "--quiet",
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
}

// ---- showback: unpriced overage goes to the groups that caused it ----

const TEAMS: [&str; 11] = [
    "report",
    "--plan",
    "builtin:hss-payg",
    "--start",
    "2024-03-01",
    "--log",
    "fixtures/teams.csv",
    "--by",
    "team",
    "--as-of",
    "2024-04-20",
];

fn teams(format: &str) -> String {
    let mut args = TEAMS.to_vec();
    args.extend(["--format", format]);
    ok(&args).0
}

fn dec(value: &Value) -> Decimal {
    value.as_str().expect("a decimal string").parse().unwrap()
}

#[test]
fn every_showback_group_carries_its_unpriced_overage_and_they_sum_to_the_account() {
    let report: Value = serde_json::from_str(&teams("json")).unwrap();
    let account = &report["accounts"][0];
    let whole = dec(&account["charges"]["unpriced_overage_units"]);
    assert_eq!(whole, Decimal::from(508));
    let groups = account["allocation"]["groups"].as_array().unwrap();
    let parts: Vec<Decimal> = groups
        .iter()
        .map(|g| dec(&g["unpriced_overage_units"]))
        .collect();
    assert_eq!(parts.iter().copied().sum::<Decimal>(), whole);
    assert!(
        parts.iter().filter(|p| !p.is_zero()).count() >= 3,
        "{parts:?}"
    );
    // Each cycle's groups add up too.
    let mut by_cycle = Decimal::ZERO;
    for cycle in account["allocation"]["cycles"].as_array().unwrap() {
        for group in cycle["groups"].as_array().unwrap() {
            by_cycle += dec(&group["unpriced_overage_units"]);
        }
    }
    assert_eq!(by_cycle, whole);

    // The CSV's column adds up to the same figure.
    let csv = teams("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = headers
        .iter()
        .position(|h| h == "unpriced_overage_units")
        .expect("an unpriced_overage_units column");
    let sum: Decimal = reader
        .records()
        .map(|r| r.unwrap()[column].parse().unwrap_or(Decimal::ZERO))
        .sum();
    assert_eq!(sum, whole);

    // Table, Markdown and HTML show the column with each group's figure.
    let search = groups.iter().find(|g| g["group"] == "search").unwrap();
    let search_units = search["unpriced_overage_units"]
        .as_str()
        .unwrap()
        .to_string();
    let table = teams("table");
    let row = table
        .lines()
        .find(|l| l.trim_start().starts_with("search"))
        .unwrap();
    assert!(table.contains("Unpriced overage"), "{table}");
    assert!(
        row.trim_end().ends_with(&format!(" {search_units}")),
        "{row}"
    );
    for format in ["markdown", "html"] {
        let page = teams(format);
        assert!(page.contains("Unpriced overage"), "{format}");
        assert!(page.contains(&search_units), "{format}");
    }
}

#[test]
fn priced_showback_has_no_unpriced_column_and_zero_in_json() {
    let (stdout, _) = ok(&[
        "report",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        "fixtures/tcss-worked-example.csv",
        "--by",
        "source",
        "--as-of",
        "2024-04-20",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    for group in report["accounts"][0]["allocation"]["groups"]
        .as_array()
        .unwrap()
    {
        assert_eq!(group["unpriced_overage_units"], "0", "{group}");
    }
}

// ---- quantities as computed, not rounded to the plan's unit precision ----

const FRACTIONAL_PLAN: &str = r#"name = "fractional projection"
currency = "USD"
decimals = 2
timezone = "+00:00"

[subscription]
start = 2024-01-01T00:00:00+00:00
months = 1

[metering]
first_scan_units = 1
repeat_scan_units = 1

[[allowance]]
name = "quota"
units = 2

[overage]
policy = "bill"
unit_price = 0.333
"#;

fn fractional(command: &str, format: &str) -> String {
    let work = Workdir::new();
    let plan = work.write("plan.toml", FRACTIONAL_PLAN);
    let log = work.write(
        "log.csv",
        "timestamp,image,account,source,status\n\
         2024-01-01T00:00:00+00:00,sha256:a0,default,registry,success\n\
         2024-01-02T00:00:00+00:00,sha256:a1,default,registry,success\n\
         2024-01-03T00:00:00+00:00,sha256:a2,default,registry,success\n",
    );
    ok(&[
        command,
        "--plan",
        &plan,
        "--log",
        &log,
        "--as-of",
        "2024-01-29T12:00:00Z",
        "--format",
        format,
    ])
    .0
}

#[test]
fn projected_quantities_are_shown_as_computed_in_every_view() {
    let invoice: Value = serde_json::from_str(&fractional("invoice", "json")).unwrap();
    let lines = invoice["accounts"][0]["cycles"][0]["lines"]
        .as_array()
        .unwrap();
    let projected = lines
        .iter()
        .find(|l| l["kind"] == "overage" && l["quantity"].as_str() != Some("1"))
        .expect("a projected overage line");
    let quantity = projected["quantity"].as_str().unwrap();
    assert_eq!(
        quantity, "0.2632",
        "a fraction the plan's whole units would hide"
    );
    for format in ["table", "markdown", "csv", "html"] {
        let page = fractional("invoice", format);
        assert!(page.contains(quantity), "{format}: {page}");
    }
    let report: Value = serde_json::from_str(&fractional("report", "json")).unwrap();
    let shortfall = report["accounts"][0]["projection"]["projected_shortfall"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(shortfall, "0.2632");
    for format in ["table", "markdown", "html"] {
        let page = fractional("report", format);
        assert!(
            page.contains(&format!("{shortfall} more units")),
            "{format}: {page}"
        );
    }
}

// ---- docs: help, man pages and README say what the program does ----

#[test]
fn every_file_a_help_text_names_exists() {
    let (help, _) = ok(&["stats", "--help"]);
    let named: Vec<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("fixtures/"))
        .collect();
    assert!(!named.is_empty(), "{help}");
    for path in named {
        assert!(
            common::root().join(path).is_file(),
            "{path} in stats --help"
        );
    }
}

#[test]
fn the_top_help_and_man_page_name_every_log_format() {
    let (help, _) = ok(&["--help"]);
    let (page, _) = ok(&["man"]);
    for text in [&help, &page] {
        for format in ["CSV", "JSON Lines", "Trivy", "Grype", "Harbor", "gzip"] {
            assert!(text.contains(format), "{format}: {text}");
        }
        assert!(!text.contains("scan logs (CSV)"), "{text}");
    }
}

#[test]
fn man_help_says_only_the_top_page_is_printed_without_dir() {
    let (help, _) = ok(&["man", "--help"]);
    assert!(help.contains("only the top page"), "{help}");
    let (page, _) = ok(&["man"]);
    assert_eq!(page.matches(".TH ").count(), 1);
}

#[test]
fn every_man_page_has_exit_status_and_files_sections() {
    let work = Workdir::new();
    let dir = work.path("man");
    ok(&["man", "--dir", &dir]);
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let exit = page
            .find(".SH \"EXIT STATUS\"")
            .unwrap_or_else(|| panic!("{name}"));
        let files = page.find(".SH FILES").unwrap_or_else(|| panic!("{name}"));
        assert!(exit < files, "{name}");
        let section = &page[exit..files];
        let has_one = section.contains("\\fB1\\fR");
        let uses_one =
            ["scanquota.1", "scanquota-check.1", "scanquota-reconcile.1"].contains(&name.as_str());
        assert_eq!(has_one, uses_one, "{name}: {section}");
        assert!(section.contains("\\fB2\\fR"), "{name}");
        assert!(page[files..].contains("\\-\\-output"), "{name}");
        seen += 1;
    }
    assert!(seen >= 12, "{seen} pages");
    let reconcile = std::fs::read_to_string(format!("{dir}/scanquota-reconcile.1")).unwrap();
    assert!(reconcile.contains("\\-\\-vendor\\-stats"));
    let report = std::fs::read_to_string(format!("{dir}/scanquota-report.1")).unwrap();
    assert!(report.contains("\\fB\\-\\-cores\\fR"));
}

#[test]
fn the_readme_exit_status_table_has_reconcile() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let table = &readme[readme.find("## Exit status").unwrap()..];
    let one = table.lines().find(|l| l.starts_with("| 1 |")).unwrap();
    assert!(one.contains("reconcile"), "{one}");
}

// ---- tables: a number or a word is never split across lines ----

/// `args` with tables at `columns` columns (COLUMNS is honoured piped).
fn at_width(args: &[&str], columns: &str) -> String {
    let output = scanquota()
        .args(args)
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{args:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn words(text: &str) -> std::collections::BTreeSet<String> {
    text.split_whitespace()
        .filter(|w| !w.chars().all(|c| c == '─'))
        .map(str::to_string)
        .collect()
}

#[test]
fn narrow_tables_wrap_between_words_never_inside_one() {
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "estimate",
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--from-log",
            "fixtures/tcss-worked-example.csv",
            "--size-for",
            "mean",
            "--as-of",
            "2024-06-20",
        ],
        vec![
            "report",
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            "fixtures/tcss-cny.csv",
            "--cores",
            "fixtures/cores.csv",
            "--as-of",
            "2024-05-01",
        ],
        vec![
            "invoice",
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            "fixtures/tcss-cny.csv",
            "--as-of",
            "2024-05-01",
        ],
        TEAMS.to_vec(),
        vec![
            "ledger",
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--log",
            "fixtures/tcss-worked-example.csv",
            "--as-of",
            "2024-06-20",
        ],
    ];
    for args in &runs {
        // At 400 columns nothing wraps: these are the whole words.
        let whole = words(&at_width(args, "400"));
        for columns in ["40", "60", "80", "100"] {
            let narrow = at_width(args, columns);
            let split: Vec<String> = words(&narrow).difference(&whole).cloned().collect();
            assert!(
                split.is_empty(),
                "{} at {columns} columns splits {split:?}:\n{narrow}",
                args[0]
            );
        }
    }
    // The issue's cases: the mean demand and the header words stay whole.
    let estimate = at_width(&runs[0], "100");
    assert!(estimate.contains("Cost/cycle"), "{estimate}");
    let report = at_width(&runs[1], "60");
    assert!(report.contains("Granted"), "{report}");
}

#[test]
fn the_ledger_table_fits_the_width_when_its_words_allow() {
    let mut log = String::from("timestamp,image,account,source,status\n");
    for i in 0..5 {
        log += &format!(
            "2024-03-16T0{i}:00:00+08:00,sha256:a{i},the platform team of the north american region,registry,success\n"
        );
    }
    let args = [
        "ledger",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        "-",
        "--as-of",
        "2024-06-20",
    ];
    for columns in ["100", "95"] {
        let output = scanquota()
            .args(args)
            .env("COLUMNS", columns)
            .write_stdin(log.clone())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let table = String::from_utf8(output.stdout).unwrap();
        let widest = table.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(
            widest <= columns.parse().unwrap(),
            "{widest} at {columns}:\n{table}"
        );
        assert!(table.contains("2024-03-16 00:00"), "{table}");
    }
}

// ---- the HTML chart: the projection meets its marker; labels never overlap ----

fn html(args: &[&str]) -> scraper::Html {
    let mut all = args.to_vec();
    all.extend(["--format", "html"]);
    scraper::Html::parse_document(&ok(&all).0)
}

fn select<'a>(element: scraper::ElementRef<'a>, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    element
        .select(&scraper::Selector::parse(selector).unwrap())
        .collect()
}

fn number(element: &scraper::ElementRef, attribute: &str) -> f64 {
    element
        .value()
        .attr(attribute)
        .map_or(0.0, |v| v.parse().unwrap())
}

fn points(element: &scraper::ElementRef) -> Vec<(f64, f64)> {
    element
        .value()
        .attr("points")
        .unwrap()
        .split_whitespace()
        .map(|pair| {
            let (x, y) = pair.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

#[test]
fn the_projection_meets_the_granted_line_at_the_runs_out_marker() {
    // Scans ramp up, 1 more each day: the average rate runs the quota out
    // well before the period end.
    let mut log = String::from("timestamp,image,account,source,status\n");
    let mut n = 0;
    for day in 0..12 {
        for k in 0..(2 * day + 1) {
            log += &format!(
                "2024-05-{:02}T{:02}:{:02}:00+08:00,sha256:r{n:05},default,registry,success\n",
                15 + day,
                15 + k / 6,
                (k % 6) * 10
            );
            n += 1;
        }
    }
    let work = Workdir::new();
    let log = work.write("ramp.csv", log);
    let args = [
        "report",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        &log,
        "--as-of",
        "2024-05-26",
    ];
    let page = html(&args);
    let root = page.root_element();
    let chart = select(root, "figure svg")[0];
    let marker = select(chart, "line.exhausted")[0];
    let marker_x = number(&marker, "x1");
    let label = select(chart, "text")
        .into_iter()
        .find(|t| t.text().collect::<String>().starts_with("runs out"))
        .unwrap();
    assert!(label.text().collect::<String>().contains("2024-06-08"));
    let projection = points(&select(chart, ".projected")[0]);
    let granted: Vec<(f64, f64)> = select(chart, "polyline.granted")
        .iter()
        .flat_map(points)
        .collect();
    let granted_y = granted.iter().rfind(|(x, _)| *x <= marker_x).unwrap().1;
    let (first, last) = (projection[0], *projection.last().unwrap());
    assert!(first.0 < marker_x && first.1 > granted_y, "{projection:?}");
    // The first point on the granted line is the marker's.
    let reach = projection
        .iter()
        .find(|(_, y)| (y - granted_y).abs() < 0.05)
        .unwrap_or_else(|| panic!("{projection:?} never reaches {granted_y}"));
    assert!(
        (reach.0 - marker_x).abs() < 0.05,
        "{reach:?} vs marker {marker_x}"
    );
    assert!(
        last.0 > marker_x,
        "then runs along the granted line to the end"
    );
}

#[test]
fn chart_labels_never_overlap_on_a_14_period_report() {
    let page = html(&[
        "report",
        "--plan",
        "fixtures/fleet.toml",
        "--log",
        "fixtures/fleet.csv",
    ]);
    let root = page.root_element();
    let charts = select(root, "figure > svg");
    assert!(!charts.is_empty());
    let mut expired_labels = 0;
    for chart in charts {
        // Each text's box: 11 px type, about 0.6 em a character.
        let boxes: Vec<(String, f64, f64, f64, f64)> = select(chart, "text")
            .iter()
            .map(|t| {
                let text: String = t.text().collect();
                let x = number(t, "x") + number(t, "dx");
                let y = number(t, "y") + number(t, "dy");
                let width = text.chars().count() as f64 * 11.0 * 0.6;
                let left = match t.value().attr("text-anchor") {
                    Some("end") => x - width,
                    Some("middle") => x - width / 2.0,
                    _ => x,
                };
                (text, left, left + width, y - 11.0, y)
            })
            .collect();
        expired_labels += boxes.iter().filter(|b| b.0.ends_with("expired")).count();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = a.2 <= b.1 || b.2 <= a.1 || a.4 <= b.3 || b.4 <= a.3;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }
    assert!(expired_labels >= 14, "{expired_labels} expired labels kept");
}
