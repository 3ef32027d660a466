//! The model as JSON: strings for units and money, RFC 3339 for times.

use super::{ComparisonView, InvoiceView, ReportView};
use crate::model::invoice::Invoice;
use crate::model::report::{Comparison, Report};

pub(crate) struct JsonExporter;

/// The one JSON writer of every document: pretty, ending in a newline.
/// The documents are strings, decimals as strings and maps with string
/// keys, which always serialise.
pub(crate) fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("a document serialises to JSON") + "\n"
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
