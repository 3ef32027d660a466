//! The money adds up in every view. For the fixtures (through the binary)
//! and for random plans and logs (through the library's exporters), each
//! view that shows money lists lines that sum to the total it prints, that
//! total equals the JSON's, and unpriced overage stands wherever a total does.

mod common;

use common::random::{as_of, log_text, plan_spec, plan_text, rows};
use common::reference::generate;
use common::run;
use proptest::prelude::*;
use rust_decimal::Decimal;
use scanquota::app::cli::{InvoiceFormat, ReportFormat};
use scanquota::app::cmd::{comparison_view, invoice_view, report_view};
use scanquota::input::log::ScanLog;
use scanquota::model::invoice::Invoice;
use scanquota::model::report::{Comparison, Report};
use scanquota::plan::Plan;
use std::str::FromStr;

fn money(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|_| panic!("`{text}` is not money"))
}

/// The rows of the terminal table that follows the line starting `heading`,
/// each as its whitespace-separated words.
fn table_rows_after<'a>(text: &'a str, heading: &str, holding: &str) -> Vec<Vec<Vec<&'a str>>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if !line.starts_with(heading) || !line.contains(holding) {
            continue;
        }
        // Rule, header, rule, rows…, rule.
        let mut rows = Vec::new();
        for row in lines[index + 4..].iter() {
            if row.starts_with('─') {
                break;
            }
            rows.push(row.split_whitespace().collect());
        }
        tables.push(rows);
    }
    tables
}

/// Table and markdown charge sections: lines sum to the printed total, which
/// is the JSON's; unpriced overage is printed beside it when there is any.
fn check_report_views(report: &Report, table: &str, markdown: &str) {
    let charge_tables = table_rows_after(table, "Charges (", "");
    assert_eq!(charge_tables.len(), report.accounts.len(), "{table}");
    for (account, rows) in report.accounts.iter().zip(&charge_tables) {
        let (total_row, lines) = rows.split_last().expect("a Total row");
        assert_eq!(total_row[0], "Total", "{table}");
        let sum: Decimal = lines
            .iter()
            .filter(|words| *words.last().unwrap() != "-")
            .map(|words| money(words.last().unwrap()))
            .sum();
        let printed = money(total_row.last().unwrap());
        assert_eq!(sum, printed, "table lines add up to its total:\n{table}");
        assert_eq!(
            printed,
            account.charges.total.value(),
            "the table's total is the JSON's"
        );
        let listed = lines.iter().filter(|w| *w.last().unwrap() != "-").count();
        assert_eq!(listed, account.charges.lines.len(), "every line is listed");
        if !account.charges.unpriced_overage_units.value().is_zero() {
            assert!(
                lines
                    .iter()
                    .any(|w| w[0] == "overage" && w[1] == "(unpriced)")
            );
        }
    }
    // Markdown: the same sections from the same layout.
    let mut sections = markdown.split("### Charges (").skip(1);
    for account in &report.accounts {
        let section = sections.next().expect("a charges section per account");
        let rows: Vec<Vec<&str>> = section
            .lines()
            .skip(4)
            .take_while(|line| line.starts_with('|'))
            .map(|line| line.trim_matches('|').split(" | ").map(str::trim).collect())
            .collect();
        let (total_row, lines) = rows.split_last().expect("a Total row");
        assert_eq!(total_row[0], "Total");
        let sum: Decimal = lines
            .iter()
            .filter(|cells| *cells.last().unwrap() != "-")
            .map(|cells| money(cells.last().unwrap()))
            .sum();
        assert_eq!(sum, money(total_row.last().unwrap()), "{markdown}");
        assert_eq!(sum, account.charges.total.value());
    }
    for view in [table, markdown] {
        let unpriced = report.totals.unpriced_overage_units.value();
        // Text lines wrap at 100 columns: compare with the breaks undone.
        let unwrapped = view.replace('\n', " ");
        assert_eq!(
            unwrapped.contains("overage units at no published price"),
            !unpriced.is_zero()
                || report.accounts.iter().any(|a| a
                    .projection
                    .as_ref()
                    .is_some_and(|p| !p.projected_unpriced_overage.value().is_zero())),
            "unpriced overage beside every total:\n{view}"
        );
    }
}

/// JSON: lines sum to each account's total, accounts to the report's.
fn check_json(report: &Report) {
    let mut all = Decimal::ZERO;
    for account in &report.accounts {
        let sum: Decimal = account.charges.lines.iter().map(|l| l.amount.value()).sum();
        assert_eq!(sum, account.charges.total.value());
        all += sum;
    }
    assert_eq!(all, report.totals.charges.value());
}

/// Invoice CSV and table: posted and accrued rows sum to the report's charges; each
/// cycle's posted and projected lines sum to its subtotals; the current
/// cycle's posted and projected make the projected cycle cost.
fn check_invoice(report: &Report, invoice: &Invoice, csv: &str, table: &str) {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (amount, state, account_column) = (column("amount"), column("state"), column("account"));
    let mut posted = Decimal::ZERO;
    let mut unpriced_rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if record[amount].is_empty() {
            unpriced_rows += 1;
            continue;
        }
        if matches!(&record[state], "posted" | "accrued") {
            posted += money(&record[amount]);
        }
        assert!(
            report
                .accounts
                .iter()
                .any(|a| a.account == record[account_column].trim_start_matches('\''))
        );
    }
    assert_eq!(
        posted,
        report.totals.charges.value(),
        "invoice CSV posted + accrued = report total:\n{csv}"
    );
    assert_eq!(
        invoice.posted.value() + invoice.accrued.value(),
        report.totals.charges.value()
    );
    let unpriced_cycles = invoice
        .accounts
        .iter()
        .flat_map(|a| &a.cycles)
        .flat_map(|c| &c.lines)
        .filter(|l| l.amount.is_none())
        .count();
    assert_eq!(unpriced_rows, unpriced_cycles);
    for account in &invoice.accounts {
        let reported = report
            .accounts
            .iter()
            .find(|a| a.account == account.account)
            .unwrap();
        for cycle in &account.cycles {
            let sum = |wanted: &str| -> Decimal {
                cycle
                    .lines
                    .iter()
                    .filter(|l| l.state.as_str() == wanted)
                    .filter_map(|l| l.amount.map(|m| m.value()))
                    .sum()
            };
            assert_eq!(sum("posted"), cycle.posted.value());
            assert_eq!(sum("accrued"), cycle.accrued.value());
            assert_eq!(sum("still_to_come"), cycle.still_to_come.value());
            assert_eq!(
                cycle.posted.value() + cycle.accrued.value() + cycle.still_to_come.value(),
                cycle.projected.value(),
                "posted + accrued + still to come = projected"
            );
            if let Some(projection) = &reported.projection
                && projection.cycle_start == cycle.start
            {
                let in_cycle: Decimal = cycle
                    .lines
                    .iter()
                    .filter(|l| l.period_start >= cycle.start)
                    .filter_map(|l| l.amount.map(|m| m.value()))
                    .sum();
                assert_eq!(cycle.projected, projection.projected_cycle_charges);
                assert_eq!(
                    in_cycle,
                    projection.projected_cycle_charges.value(),
                    "posted + accrued + still to come = projected cycle cost"
                );
            }
        }
    }
    // The table: every cycle's lines add up to its subtotals as printed.
    for rows in table_rows_after(table, "Account ", " · cycle ") {
        let mut totals = [Decimal::ZERO; 3];
        let mut printed = [None; 3];
        let mut projected = None;
        for words in &rows {
            match words[0] {
                "Posted" => printed[0] = Some(money(words[1])),
                "To" => printed[1] = Some(money(words.last().unwrap())),
                "Accrued" => printed[2] = Some(money(words[1])),
                "Projected" => projected = Some(money(words[1])),
                _ => {
                    let last = *words.last().unwrap();
                    if last == "-" {
                        continue;
                    }
                    let slot = if words.contains(&"still_to_come") {
                        1
                    } else if words.contains(&"accrued") {
                        2
                    } else {
                        0
                    };
                    totals[slot] += money(last);
                }
            }
        }
        assert_eq!(Some(totals[0]), printed[0], "{table}");
        assert_eq!(Some(totals[1]), printed[1], "{table}");
        assert_eq!(Some(totals[2]), printed[2], "{table}");
        assert_eq!(
            Some(totals.iter().copied().sum::<Decimal>()),
            projected,
            "posted + accrued + still to come = projected:\n{table}"
        );
    }
}

fn check_everything(reports: &[Report]) {
    for report in reports {
        check_json(report);
        let table =
            report_view(ReportFormat::Table, scanquota::render::DEFAULT_TABLE_WIDTH).report(report);
        let markdown = report_view(
            ReportFormat::Markdown,
            scanquota::render::DEFAULT_TABLE_WIDTH,
        )
        .report(report);
        check_report_views(report, &table, &markdown);
        let invoice = Invoice::of(report).unwrap();
        let csv = invoice_view(InvoiceFormat::Csv, scanquota::render::DEFAULT_TABLE_WIDTH)
            .expect("CSV shows an invoice")
            .invoice(&invoice);
        let invoice_table =
            invoice_view(InvoiceFormat::Table, scanquota::render::DEFAULT_TABLE_WIDTH)
                .expect("a table shows an invoice")
                .invoice(&invoice);
        check_invoice(report, &invoice, &csv, &invoice_table);
        for text in [&table, &markdown, &invoice_table] {
            for line in text.lines() {
                assert!(!line.ends_with(' '), "a line ends in a space: `{line}`");
            }
        }
        for text in [&table, &invoice_table] {
            for line in text.lines() {
                assert!(line.chars().count() <= 100, "over 100 columns: {line}");
            }
        }
    }
    // The comparison: each plan's charges are its report's.
    let comparison = Comparison::new(reports.to_vec()).unwrap();
    let table = comparison_view(ReportFormat::Table, scanquota::render::DEFAULT_TABLE_WIDTH)
        .unwrap()
        .compare(&comparison);
    let row = table
        .lines()
        .find(|line| line.trim_start().starts_with("Charges to date"))
        .expect("a charges row");
    let printed: Vec<Decimal> = row.split_whitespace().skip(3).map(money).collect();
    let expected: Vec<Decimal> = reports.iter().map(|r| r.totals.charges.value()).collect();
    assert_eq!(printed, expected, "{table}");
    for (summary, report) in comparison.summaries.iter().zip(reports) {
        assert_eq!(summary.units_denied, report.totals.denied);
        assert_eq!(
            summary.unpriced_overage,
            report.totals.unpriced_overage_units
        );
    }
}

const FIXTURES: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "fixtures/tcss-usd-300.toml",
        "fixtures/tcss-worked-example.csv",
        "2024-04-20T12:00:00+08:00",
        None,
    ),
    (
        "fixtures/tcss-cny-topup.toml",
        "fixtures/tcss-cny.csv",
        "2024-05-01 00:00:00",
        Some("fixtures/cores.csv"),
    ),
    (
        "fixtures/tcss-cny-topup.toml",
        "fixtures/tcss-cny.csv",
        "2024-04-20",
        Some("fixtures/cores.csv"),
    ),
    (
        "fixtures/hss-payg.toml",
        "fixtures/hss.csv",
        "2024-04-20 00:00:00",
        None,
    ),
    ("builtin:hss-payg", "fixtures/hss.csv", "2024-04-20", None),
];

fn through_binary(
    command: &str,
    plan: &str,
    log: &str,
    as_of: &str,
    cores: Option<&str>,
    format: &str,
) -> String {
    let mut args = vec![
        command, "--plan", plan, "--log", log, "--as-of", as_of, "--format", format,
    ];
    if let Some(cores) = cores {
        args.extend(["--cores", cores]);
    }
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

#[test]
fn every_fixture_adds_up_in_every_view_of_the_binary() {
    let mut reports = Vec::new();
    for (plan, log, as_of, cores) in FIXTURES {
        let json = through_binary("report", plan, log, as_of, *cores, "json");
        let report: Report = serde_json::from_str(&json).unwrap();
        let table = through_binary("report", plan, log, as_of, *cores, "table");
        let markdown = through_binary("report", plan, log, as_of, *cores, "markdown");
        check_json(&report);
        check_report_views(&report, &table, &markdown);
        let invoice = Invoice::of(&report).unwrap();
        let csv = through_binary("invoice", plan, log, as_of, *cores, "csv");
        let invoice_table = through_binary("invoice", plan, log, as_of, *cores, "table");
        check_invoice(&report, &invoice, &csv, &invoice_table);
        let invoice_json: serde_json::Value =
            serde_json::from_str(&through_binary("invoice", plan, log, as_of, *cores, "json"))
                .unwrap();
        assert_eq!(invoice_json["schema"], "scanquota.invoice.v2");
        let posted = money(invoice_json["posted"].as_str().unwrap());
        let accrued = money(invoice_json["accrued"].as_str().unwrap());
        assert_eq!(posted + accrued, report.totals.charges.value());
        reports.push(report);
    }
    check_everything(&reports);
}

fn random_report(plan: &str, log: &str, minute: u32) -> Report {
    let plan = Plan::from_str("plan.toml", plan).expect("generated plan is valid");
    let mut scans = ScanLog::default();
    scans
        .read_one("log.csv", log.as_bytes(), plan.zone)
        .expect("generated log is valid");
    scans.sort();
    let as_of = as_of(&plan, minute);
    generate(&plan, &scans, as_of, None).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_plans_add_up_in_every_view(
        spec in plan_spec(),
        other in plan_spec(),
        rows in rows(),
        minute in 0u32..180_000,
    ) {
        let log = log_text(&rows);
        let first = random_report(&plan_text(&spec), &log, minute);
        let second = random_report(&plan_text(&other), &log, minute);
        check_everything(&[first, second]);
    }
}
