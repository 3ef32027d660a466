//! Renderers: the report model → text. They know nothing of billing rules;
//! every figure they print is already in the model.

pub mod csv;
pub mod json;
pub mod table;

use crate::report::Report;

/// One output format.
pub trait Exporter {
    /// The whole of standard output for one report.
    fn report(&self, report: &Report) -> String;
}

pub fn exporter(format: crate::cli::ReportFormat) -> Box<dyn Exporter> {
    use crate::cli::ReportFormat;
    match format {
        ReportFormat::Table => Box::new(table::TableExporter),
        ReportFormat::Json => Box::new(json::JsonExporter),
        ReportFormat::Csv => Box::new(csv::CsvExporter),
    }
}
