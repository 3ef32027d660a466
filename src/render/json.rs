//! The model as JSON: strings for units and money, RFC 3339 for times.

use super::{ComparisonView, InvoiceView, ReportView};
use crate::model::invoice::Invoice;
use crate::model::report::{Comparison, Report};

pub struct JsonExporter;

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("the model serialises to JSON") + "\n"
}

impl ReportView for JsonExporter {
    fn report(&self, report: &Report) -> String {
        pretty(report)
    }
}

impl ComparisonView for JsonExporter {
    fn compare(&self, comparison: &Comparison) -> String {
        pretty(comparison)
    }
}

impl InvoiceView for JsonExporter {
    fn invoice(&self, invoice: &Invoice) -> String {
        pretty(invoice)
    }
}
