//! Renderers: the report model → text. They know nothing of billing rules;
//! every figure they print is already in the model.

pub mod check;
pub mod csv;
pub mod estimate;
pub mod json;
pub mod ledger;
pub mod markdown;
pub mod stats;
pub mod table;

use crate::report::{Comparison, PlanSummary, Report};

/// One output format.
pub trait Exporter {
    /// The whole of standard output for one report.
    fn report(&self, report: &Report) -> String;

    /// The whole of standard output for several plans side by side.
    fn compare(&self, comparison: &Comparison) -> String;
}

/// How one comparison row reads its figure off a plan's summary.
pub type SummaryField = fn(&PlanSummary) -> String;

/// The rows of a plan comparison: a label and how to read it off a summary.
pub fn comparison_rows() -> Vec<(&'static str, SummaryField)> {
    vec![
        ("Currency", |s| s.currency.clone()),
        ("Units consumed", |s| s.consumed.to_string()),
        ("Units remaining", |s| s.remaining.to_string()),
        ("Units expired", |s| s.expired.to_string()),
        ("Overage units", |s| s.overage.to_string()),
        ("Charges to date", |s| s.charges.to_string()),
        ("Projected cycle cost", |s| {
            s.projected_cycle_charges
                .map_or("-".to_string(), |m| m.to_string())
        }),
    ]
}

/// Column headings for compared plans: the plan's name, or its position.
pub fn plan_headings(comparison: &Comparison) -> Vec<String> {
    comparison
        .reports
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if r.plan.is_empty() {
                format!("plan {}", i + 1)
            } else {
                r.plan.clone()
            }
        })
        .collect()
}

pub fn exporter(format: crate::cli::ReportFormat) -> Box<dyn Exporter> {
    use crate::cli::ReportFormat;
    match format {
        ReportFormat::Table => Box::new(table::TableExporter),
        ReportFormat::Json => Box::new(json::JsonExporter),
        ReportFormat::Csv => Box::new(csv::CsvExporter),
        ReportFormat::Markdown => Box::new(markdown::MarkdownExporter),
    }
}
