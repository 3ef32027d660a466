use super::Exporter;
use crate::report::{Comparison, Report};

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn report(&self, report: &Report) -> String {
        serde_json::to_string_pretty(report).expect("the report model serialises to JSON") + "\n"
    }

    fn compare(&self, comparison: &Comparison) -> String {
        serde_json::to_string_pretty(comparison).expect("the comparison serialises to JSON") + "\n"
    }
}
