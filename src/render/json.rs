use super::Exporter;
use crate::report::Report;

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn report(&self, report: &Report) -> String {
        serde_json::to_string_pretty(report).expect("the report model serialises to JSON") + "\n"
    }
}
