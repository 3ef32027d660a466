//! The model as JSON: strings for units and money, RFC 3339 for times.

use super::Exporter;
use crate::invoice::Invoice;
use crate::report::{Comparison, Report};

pub struct JsonExporter;

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("the model serialises to JSON") + "\n"
}

impl Exporter for JsonExporter {
    fn report(&self, report: &Report) -> String {
        pretty(report)
    }

    fn compare(&self, comparison: &Comparison) -> String {
        pretty(comparison)
    }

    fn invoice(&self, invoice: &Invoice) -> String {
        pretty(invoice)
    }
}
