//! GitHub-flavoured Markdown, for CI job summaries.

use super::Exporter;
use super::table::{projection_sentence, short_time};
use crate::report::{Comparison, Report};
use std::fmt::Write;

pub struct MarkdownExporter;

/// A cell's text with the characters that would break a Markdown table escaped.
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// A Markdown table; columns from `right_from` on are right-aligned.
pub fn table(header: &[&str], right_from: usize, rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let heads: Vec<String> = header.iter().map(|h| cell(h)).collect();
    let _ = writeln!(out, "| {} |", heads.join(" | "));
    let rules: Vec<&str> = (0..header.len())
        .map(|i| if i >= right_from { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", rules.join(" | "));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

impl Exporter for MarkdownExporter {
    fn report(&self, report: &Report) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## {}\n", cell(&report.plan));
        let _ = writeln!(
            out,
            "As of {} · amounts in {}\n",
            report.as_of, report.currency
        );
        for account in &report.accounts {
            let _ = writeln!(
                out,
                "### Account {} ({})\n",
                cell(&account.account),
                account.subscription.status.as_str()
            );
            let scans = &account.scans;
            let remaining: rust_decimal::Decimal =
                account.allowances.iter().map(|a| a.remaining.0).sum();
            let expired: rust_decimal::Decimal =
                account.allowances.iter().map(|a| a.expired.0).sum();
            let rows = vec![
                vec![
                    "Scans metered (first / repeat)".into(),
                    format!("{} / {}", scans.first, scans.repeat),
                ],
                vec!["Scans denied".into(), scans.denied.to_string()],
                vec!["Units consumed".into(), account.units.consumed.to_string()],
                vec![
                    "Units remaining".into(),
                    crate::report::Units(remaining).to_string(),
                ],
                vec![
                    "Units expired".into(),
                    crate::report::Units(expired).to_string(),
                ],
                vec!["Overage units".into(), account.units.overage.to_string()],
                vec![
                    "Charges to date".into(),
                    format!("{} {}", report.currency, account.charges.total),
                ],
            ];
            out += &table(&["", "value"], 1, &rows);
            let _ = writeln!(
                out,
                "\n{}\n",
                projection_sentence(report, account).replace('\n', " ")
            );
            for allowance in &account.allowances {
                let _ = writeln!(out, "#### Allowance {}\n", cell(&allowance.name));
                let rows: Vec<Vec<String>> = allowance
                    .periods
                    .iter()
                    .map(|p| {
                        vec![
                            short_time(&p.start),
                            short_time(&p.end),
                            super::csv::serde_plain(&p.state),
                            p.granted.to_string(),
                            p.consumed.to_string(),
                            p.remaining.to_string(),
                            p.expired.to_string(),
                        ]
                    })
                    .collect();
                out += &table(
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
                    &rows,
                );
                out.push('\n');
            }
        }
        out
    }

    fn compare(&self, comparison: &Comparison) -> String {
        let headings = super::plan_headings(comparison);
        let mut header: Vec<&str> = vec![""];
        header.extend(headings.iter().map(String::as_str));
        let summaries: Vec<_> = comparison.reports.iter().map(Report::summary).collect();
        let rows: Vec<Vec<String>> = super::comparison_rows()
            .into_iter()
            .map(|(label, read)| {
                let mut row = vec![label.to_string()];
                row.extend(summaries.iter().map(read));
                row
            })
            .collect();
        table(&header, 1, &rows)
    }
}
