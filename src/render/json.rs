//! The model as JSON: strings for units and money, RFC 3339 for times.

use super::{ComparisonView, InvoiceView, ReportView};
use crate::model::invoice::Invoice;
use crate::model::report::{Comparison, Report};
use std::io::Write;

pub(crate) struct JsonExporter;

/// The one JSON writer of every document: pretty, ending in a newline.
/// The documents are strings, decimals as strings and maps with string
/// keys, which always serialise.
pub(crate) fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut text = Vec::new();
    write_pretty(value, &mut text).expect("a document serialises to JSON");
    String::from_utf8(text).expect("JSON is UTF-8")
}

/// [`pretty`], written to `out` as it is made, never held whole (a report
/// of thousands of accounts over a year is hundreds of MB).
pub(crate) fn write_pretty<T: serde::Serialize + ?Sized>(
    value: &T,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // serde_json writes a few bytes at a time; a buffer here spares a call
    // through `dyn Write` for each.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

impl ReportView for JsonExporter {
    fn report(&self, report: &Report) -> String {
        pretty(report)
    }

    fn write_report(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        write_pretty(report, out)
    }
}

impl ComparisonView for JsonExporter {
    fn compare(&self, comparison: &Comparison) -> String {
        pretty(comparison)
    }

    fn write_compare(
        &self,
        comparison: &Comparison,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        write_pretty(comparison, out)
    }
}

impl InvoiceView for JsonExporter {
    fn invoice(&self, invoice: &Invoice) -> String {
        pretty(invoice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_written_as_it_is_made_is_the_pretty_text() {
        let document = serde_json::json!({
            "accounts": [{"account": "a", "daily": [{"date": "2024-01-01", "used": "1.5"}]}],
            "empty": [],
            "nothing": {},
            "text": "line\nbreak \"quoted\" ✓",
        });
        let mut written = Vec::new();
        write_pretty(&document, &mut written).unwrap();
        let whole = serde_json::to_string_pretty(&document).unwrap() + "\n";
        assert_eq!(String::from_utf8(written).unwrap(), whole);
        assert_eq!(pretty(&document), whole);
    }
}
