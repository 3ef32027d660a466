//! Renderers: the report model → text. They know nothing of billing rules;
//! every figure they print is already in the model. Table and Markdown draw
//! one shared layout ([`layout`]); JSON serialises the model; CSV lays out
//! rows for spreadsheets.

pub mod check;
pub mod csv;
pub mod estimate;
pub mod html;
pub mod json;
pub mod layout;
pub mod ledger;
pub mod markdown;
pub mod openmetrics;
pub mod stats;
pub mod table;

use crate::invoice::Invoice;
use crate::report::{Comparison, Report, TierReport};

/// A charge line's item as views name it: with its tier, when it has one
/// (`overage (tier 2: over 10000 up to 20000)`).
pub fn item_label(item: &str, tier: Option<&TierReport>) -> String {
    match tier {
        None => item.to_string(),
        Some(tier) => {
            let range = match (tier.from.0.is_zero(), tier.up_to) {
                (true, Some(up_to)) => format!("up to {up_to}"),
                (true, None) => "every unit".to_string(),
                (false, Some(up_to)) => format!("over {} up to {up_to}", tier.from),
                (false, None) => format!("over {}", tier.from),
            };
            format!("{item} (tier {}: {range})", tier.number)
        }
    }
}

/// One output format.
pub trait Exporter {
    /// The whole of standard output for one report.
    fn report(&self, report: &Report) -> String;

    /// The whole of standard output for several plans side by side.
    fn compare(&self, comparison: &Comparison) -> String;

    /// The whole of standard output for an invoice.
    fn invoice(&self, invoice: &Invoice) -> String;
}

/// The layout drawn as a terminal table.
pub struct TableExporter;

/// The layout drawn as Markdown.
pub struct MarkdownExporter;

impl Exporter for TableExporter {
    fn report(&self, report: &Report) -> String {
        table::draw(&layout::report(report))
    }

    fn compare(&self, comparison: &Comparison) -> String {
        table::draw(&layout::comparison(comparison))
    }

    fn invoice(&self, invoice: &Invoice) -> String {
        table::draw(&layout::invoice(invoice))
    }
}

impl Exporter for MarkdownExporter {
    fn report(&self, report: &Report) -> String {
        markdown::draw(&layout::report(report))
    }

    fn compare(&self, comparison: &Comparison) -> String {
        markdown::draw(&layout::comparison(comparison))
    }

    fn invoice(&self, invoice: &Invoice) -> String {
        markdown::draw(&layout::invoice(invoice))
    }
}

pub fn exporter(format: crate::cli::ReportFormat) -> Box<dyn Exporter> {
    use crate::cli::ReportFormat;
    match format {
        ReportFormat::Table => Box::new(TableExporter),
        ReportFormat::Json => Box::new(json::JsonExporter),
        ReportFormat::Csv => Box::new(csv::CsvExporter),
        ReportFormat::Markdown => Box::new(MarkdownExporter),
        ReportFormat::Html => Box::new(html::HtmlExporter),
        ReportFormat::Openmetrics => Box::new(OpenMetricsExporter),
    }
}

/// The report as OpenMetrics text. A comparison or an invoice has no
/// exposition: `report` and `invoice` refuse the format for them before
/// anything is rendered.
pub struct OpenMetricsExporter;

impl Exporter for OpenMetricsExporter {
    fn report(&self, report: &Report) -> String {
        openmetrics::exposition(report)
    }

    fn compare(&self, comparison: &Comparison) -> String {
        comparison
            .reports
            .first()
            .map(openmetrics::exposition)
            .unwrap_or_default()
    }

    fn invoice(&self, _invoice: &Invoice) -> String {
        String::new()
    }
}

/// `--format openmetrics` describes one plan's report, not a comparison or
/// an invoice.
pub fn refuse_openmetrics(
    format: crate::cli::ReportFormat,
    what: &str,
) -> crate::error::Result<()> {
    if format == crate::cli::ReportFormat::Openmetrics {
        return Err(crate::error::Error::Option {
            option: "--format",
            value: "openmetrics".into(),
            fix: format!("describes a single plan's report, not {what}; use json, csv or table"),
        });
    }
    Ok(())
}
