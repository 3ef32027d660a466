//! Renderers: the report model → text. They know nothing of billing rules;
//! every figure they print is already in the model. Table and Markdown draw
//! one shared layout ([`layout`]); JSON serialises the model; CSV lays out
//! rows for spreadsheets.

pub(crate) mod check;
pub(crate) mod csv;
pub(crate) mod estimate;
pub(crate) mod focus;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod layout;
pub mod ledger;
pub(crate) mod markdown;
pub(crate) mod openmetrics;
pub(crate) mod stats;
pub(crate) mod table;

use crate::model::invoice::Invoice;
use crate::model::report::{Comparison, Report, TierReport};

/// A charge line's item as views name it: with its tier, when it has one
/// (`overage (tier 2: over 10000 up to 20000)`).
pub(crate) fn item_label(item: &str, tier: Option<&TierReport>) -> String {
    match tier {
        None => item.to_string(),
        Some(tier) => {
            let range = match (tier.from.is_zero(), tier.up_to) {
                (true, Some(up_to)) => format!("up to {up_to}"),
                (true, None) => "every unit".to_string(),
                (false, Some(up_to)) => format!("over {} up to {up_to}", tier.from),
                (false, None) => format!("over {}", tier.from),
            };
            // An item with a note of its own (`overage (unpriced)`) keeps
            // one pair of brackets: `overage (tier 1: up to 10, unpriced)`.
            match item
                .strip_suffix(')')
                .and_then(|open| open.rsplit_once(" ("))
            {
                Some((name, note)) => format!("{name} (tier {}: {range}, {note})", tier.number),
                None => format!("{item} (tier {}: {range})", tier.number),
            }
        }
    }
}

/// A format that can show one plan's report.
pub trait ReportView {
    /// The whole of standard output for one report.
    fn report(&self, report: &Report) -> String;

    /// Write [`ReportView::report`] to `out`. A view whose text grows with
    /// the report's accounts and days (JSON: a daily list per period) writes
    /// as it goes instead, so the text is never held whole beside the model.
    fn write_report(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(self.report(report).as_bytes())
    }
}

/// A format that can show several plans side by side.
pub trait ComparisonView {
    /// The whole of standard output for the comparison.
    fn compare(&self, comparison: &Comparison) -> String;

    /// Write [`ComparisonView::compare`] to `out`, as
    /// [`ReportView::write_report`] does.
    fn write_compare(
        &self,
        comparison: &Comparison,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        out.write_all(self.compare(comparison).as_bytes())
    }
}

/// A format that can show an invoice.
pub trait InvoiceView {
    /// The whole of standard output for the invoice.
    fn invoice(&self, invoice: &Invoice) -> String;
}

/// Off a terminal, and without `COLUMNS`, tables fit this many columns.
pub const DEFAULT_TABLE_WIDTH: u16 = 100;

/// The layout drawn as a terminal table `width` columns wide.
pub(crate) struct TableExporter {
    pub(crate) width: u16,
}

/// The layout drawn as Markdown.
pub(crate) struct MarkdownExporter;

impl ReportView for TableExporter {
    fn report(&self, report: &Report) -> String {
        table::draw(&layout::report(report), self.width)
    }
}

impl ComparisonView for TableExporter {
    fn compare(&self, comparison: &Comparison) -> String {
        table::draw(&layout::comparison(comparison), self.width)
    }
}

impl InvoiceView for TableExporter {
    fn invoice(&self, invoice: &Invoice) -> String {
        table::draw(&layout::invoice(invoice), self.width)
    }
}

impl ReportView for MarkdownExporter {
    fn report(&self, report: &Report) -> String {
        markdown::draw(&layout::report(report))
    }
}

impl ComparisonView for MarkdownExporter {
    fn compare(&self, comparison: &Comparison) -> String {
        markdown::draw(&layout::comparison(comparison))
    }
}

impl InvoiceView for MarkdownExporter {
    fn invoice(&self, invoice: &Invoice) -> String {
        markdown::draw(&layout::invoice(invoice))
    }
}

/// The report as OpenMetrics text: one plan's report only (a comparison
/// or an invoice has no exposition, so it is no view of theirs).
pub(crate) struct OpenMetricsExporter;

impl ReportView for OpenMetricsExporter {
    fn report(&self, report: &Report) -> String {
        openmetrics::exposition(report)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::report::TierReport;
    use crate::plan::TierRange;
    use crate::render::item_label;
    use rust_decimal::Decimal;

    #[test]
    fn a_tiered_item_keeps_one_pair_of_brackets() {
        let tier = |number, from: i64, up_to: Option<i64>| {
            TierReport::of(TierRange {
                number,
                from: Decimal::from(from),
                up_to: up_to.map(Decimal::from),
            })
        };
        let first = tier(1, 0, Some(10));
        let second = tier(2, 10, None);
        assert_eq!(item_label("overage", None), "overage");
        assert_eq!(
            item_label("overage", Some(&first)),
            "overage (tier 1: up to 10)"
        );
        assert_eq!(
            item_label("overage (unpriced)", Some(&first)),
            "overage (tier 1: up to 10, unpriced)"
        );
        assert_eq!(
            item_label("overage (unpriced)", Some(&second)),
            "overage (tier 2: over 10, unpriced)"
        );
    }
}
