//! The table for finance readers: a summary per account, then one period
//! table per allowance and the charge lines, money right-aligned.

use super::Exporter;
use crate::report::{AccountReport, Comparison, Report};
use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use std::fmt::Write;

pub struct TableExporter;

/// Rules above, below and under the header only: light to read, and narrow
/// enough that a one-allowance report fits in 100 columns.
pub const STYLE: TableStyle = TableStyle::new()
    .top_border(LineStyle::none().fill('─').junction('─'))
    .header_separator(LineStyle::none().fill('─').junction('─'))
    .bottom_border(LineStyle::none().fill('─').junction('─'));

/// `2024-03-15T14:00:00+08:00` → `2024-03-15 14:00`; the zone is printed once above.
pub fn short_time(rfc3339: &str) -> String {
    match rfc3339.get(..16) {
        Some(head) => head.replacen('T', " ", 1),
        None => rfc3339.to_string(),
    }
}

fn new_table(header: &[&str], right_from: usize) -> Table {
    let mut table = Table::new();
    table
        .load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(Cell::new));
    for index in right_from..header.len() {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

fn summary(report: &Report, account: &AccountReport) -> Table {
    let mut table = Table::new();
    table
        .load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Disabled);
    let scans = &account.scans;
    let free_used: rust_decimal::Decimal = account
        .allowances
        .iter()
        .filter(|a| a.kind == crate::plan::AllowanceKind::Free)
        .map(|a| a.consumed.0)
        .sum();
    let free_expired: rust_decimal::Decimal = account
        .allowances
        .iter()
        .filter(|a| a.kind == crate::plan::AllowanceKind::Free)
        .map(|a| a.expired.0)
        .sum();
    let remaining: rust_decimal::Decimal = account.allowances.iter().map(|a| a.remaining.0).sum();
    let expired: rust_decimal::Decimal = account.allowances.iter().map(|a| a.expired.0).sum();
    let units = crate::report::Units;
    let rows: Vec<(&str, String)> = vec![
        (
            "Scans metered (first / repeat)",
            format!("{} / {}", scans.first, scans.repeat),
        ),
        (
            "Scans denied",
            format!("{} ({} units)", scans.denied, account.units.denied),
        ),
        (
            "Scans not metered",
            format!(
                "{} failed, {} duplicate, {} trial, {} outside term",
                scans.failed, scans.duplicates, scans.trial, scans.uncovered
            ),
        ),
        ("Units consumed", account.units.consumed.to_string()),
        ("Units remaining", units(remaining).to_string()),
        ("Units expired", units(expired).to_string()),
        (
            "Free units used / expired",
            format!("{} / {}", units(free_used), units(free_expired)),
        ),
        ("Overage units", overage_text(account)),
        ("Charges to date", charges_text(report, account)),
    ];
    for (label, value) in rows {
        table.add_row(vec![Cell::new(label), Cell::new(value)]);
    }
    table
}

fn charges_text(report: &Report, account: &AccountReport) -> String {
    let priced = format!("{} {}", report.currency, account.charges.total);
    let unpriced = account.charges.unpriced_overage_units;
    if unpriced.0.is_zero() {
        priced
    } else {
        format!("{priced} + {unpriced} overage units at no published price")
    }
}

fn overage_text(account: &AccountReport) -> String {
    let unpriced = account.charges.unpriced_overage_units;
    if unpriced.0.is_zero() {
        account.units.overage.to_string()
    } else {
        format!("{} ({} unpriced)", account.units.overage, unpriced)
    }
}

/// The projection as a finance reader says it: will the quota last, and
/// what will this cycle cost. Two short lines, so the table stays narrow.
pub fn projection_sentence(report: &Report, account: &AccountReport) -> String {
    let Some(projection) = &account.projection else {
        return "Projection: none (as-of is not inside a started cycle)".to_string();
    };
    let outlook = match &projection.exhausts_at {
        Some(at) => format!("At this rate the quota runs out on {}.", short_time(at)),
        None => format!(
            "At this rate this cycle needs {} units; the {} available suffice.",
            projection.projected_demand, projection.available
        ),
    };
    format!(
        "{outlook}\nProjected cost of the cycle ending {}: {} {}",
        short_time(&projection.cycle_end),
        report.currency,
        projection.projected_cycle_charges
    )
}

impl Exporter for TableExporter {
    fn report(&self, report: &Report) -> String {
        let mut out = String::new();
        let plan = if report.plan.is_empty() {
            "(unnamed plan)"
        } else {
            &report.plan
        };
        let _ = writeln!(out, "{plan}");
        let _ = writeln!(
            out,
            "As of {} · times in {} · amounts in {}",
            report.as_of, report.timezone, report.currency
        );
        for account in &report.accounts {
            let subscription = &account.subscription;
            let end = subscription
                .end
                .as_deref()
                .map_or("open-ended".to_string(), short_time);
            let _ = writeln!(
                out,
                "\nAccount {} · subscription {} ({} → {})",
                account.account,
                subscription.status.as_str(),
                short_time(&subscription.start),
                end
            );
            let _ = writeln!(out, "{}", summary(report, account));
            let _ = writeln!(out, "{}", projection_sentence(report, account));
            for allowance in &account.allowances {
                let _ = writeln!(
                    out,
                    "\nAllowance {} ({}): granted {}, consumed {}, remaining {}, expired {}",
                    allowance.name,
                    crate::render::csv::serde_plain(&allowance.kind),
                    allowance.granted,
                    allowance.consumed,
                    allowance.remaining,
                    allowance.expired
                );
                let mut table = new_table(
                    &[
                        "Period start",
                        "Period end",
                        "State",
                        "Granted",
                        "Consumed",
                        "Remaining",
                        "Expired",
                    ],
                    3,
                );
                for period in &allowance.periods {
                    table.add_row(vec![
                        short_time(&period.start),
                        short_time(&period.end),
                        crate::render::csv::serde_plain(&period.state),
                        period.granted.to_string(),
                        period.consumed.to_string(),
                        period.remaining.to_string(),
                        period.expired.to_string(),
                    ]);
                }
                let _ = writeln!(out, "{table}");
            }
            if !account.charges.lines.is_empty() {
                let _ = writeln!(out, "\nCharges ({})", report.currency);
                let mut table = new_table(
                    &["Item", "Period start", "Quantity", "Unit price", "Amount"],
                    2,
                );
                for line in &account.charges.lines {
                    table.add_row(vec![
                        line.item.clone(),
                        short_time(&line.period_start),
                        line.quantity.to_string(),
                        line.unit_price.to_string(),
                        line.amount.to_string(),
                    ]);
                }
                table.add_row(vec![
                    "Total".to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    account.charges.total.to_string(),
                ]);
                let _ = writeln!(out, "{table}");
            }
        }
        if report.accounts.len() > 1 {
            let totals = &report.totals;
            let _ = writeln!(
                out,
                "\nAll accounts: charges {} {}, consumed {}, remaining {}, expired {}, free used {}, free expired {}",
                report.currency,
                totals.charges,
                totals.consumed,
                totals.remaining,
                totals.expired,
                totals.free_used,
                totals.free_expired
            );
        }
        out
    }

    /// One column per plan.
    fn compare(&self, comparison: &Comparison) -> String {
        let headings = super::plan_headings(comparison);
        let mut header: Vec<&str> = vec![""];
        header.extend(headings.iter().map(String::as_str));
        let mut table = new_table(&header, 1);
        let summaries: Vec<_> = comparison.reports.iter().map(Report::summary).collect();
        for (label, read) in super::comparison_rows() {
            let mut row = vec![label.to_string()];
            row.extend(summaries.iter().map(read));
            table.add_row(row);
        }
        let as_of = comparison.reports.first().map_or("", |r| r.as_of.as_str());
        format!("Plans compared over the same log, as of {as_of}\n{table}\n")
    }
}
