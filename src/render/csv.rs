//! CSV for spreadsheets: the report's usage table, a comparison row per
//! plan, and the invoice's lines.

use super::{ComparisonView, InvoiceView, ReportView};
use crate::engine::allocation::{SHARED, UNUSED};
use crate::model::invoice::Invoice;
use crate::model::report::{Comparison, Report};
use std::borrow::Cow;

pub(crate) struct CsvExporter;

/// Spreadsheet formula injection guard: a cell from input text that
/// starts with `= + - @`, tab or CR gets a leading `'`; so does one that
/// starts with `'` already, so that `=a` and `'=a` stay two names (`'=a`
/// and `''=a`): dropping one leading `'` gives back every name as read.
pub(crate) fn guard(cell: &str) -> Cow<'_, str> {
    if guarded(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Whether [`guard`] puts a `'` before `cell`. (The first byte alone:
/// every such start is ASCII. A ledger guards five cells a row.)
#[inline]
pub(crate) fn guarded(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'')
    )
}

/// Writes CSV records one at a time to an output, as the csv crate's
/// writer does with its default settings, for a ledger of millions of rows:
/// a field without a comma, a quote or a line end is copied as it is (the
/// csv crate looks at each byte through its state machine to decide that),
/// any other is quoted the same way (in quotes, each quote doubled). A
/// property test pins the bytes to the csv crate's (docs/decisions.md,
/// "Plain rows").
pub struct RecordWriter<W: std::io::Write> {
    out: W,
    /// Records laid out, handed to `out` 64 KB at a time: laid out here
    /// and written from here, with no second buffer to copy them into.
    records: Vec<u8>,
}

/// Records are handed to the output once this many bytes are laid out.
const RECORDS_HANDED_AT: usize = 64 << 10;

impl<W: std::io::Write> RecordWriter<W> {
    pub(crate) fn new(out: W) -> Self {
        RecordWriter {
            out,
            records: Vec::with_capacity(RECORDS_HANDED_AT + (4 << 10)),
        }
    }

    /// One record, its fields separated by commas and ended by a line end.
    pub(crate) fn write_record<'a, I>(&mut self, fields: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = &'a [u8]>,
        I::IntoIter: Clone,
    {
        let fields = fields.into_iter();
        let count = fields.clone().count();
        // Laid out as they are first, then the record is looked at once
        // (many bytes at a time: a ledger's fields are short, and a look at
        // each on its own cost more); a field that needs quotes sends the
        // record back to be laid out field by field, quoted as needed.
        let lay_out = |records: &mut Vec<u8>| {
            for (index, field) in fields.clone().enumerate() {
                if index > 0 {
                    records.push(b',');
                }
                records.extend_from_slice(field);
            }
        };
        self.write_laid_out(count, lay_out, |writer| {
            for (index, field) in fields.clone().enumerate() {
                if index > 0 {
                    writer.records.push(b',');
                }
                quoted_as_needed(&mut writer.records, field);
            }
            // One empty field is written as `""`: an empty line is no record.
            if count == 1 && fields.clone().all(<[u8]>::is_empty) {
                writer.records.extend_from_slice(b"\"\"");
            }
            writer.end_record()
        })
    }

    /// One record of `count` fields that `lay_out` pushes as they are,
    /// separated by commas: a ledger's rows, laid out with no list of
    /// cells made. When the record is not plain (a field holds a comma, a
    /// quote or a line end, or one empty field is the whole record), it is
    /// taken back and `otherwise` writes it (through
    /// [`RecordWriter::write_record`], which quotes such fields).
    pub(crate) fn write_laid_out(
        &mut self,
        count: usize,
        lay_out: impl FnOnce(&mut Vec<u8>),
        otherwise: impl FnOnce(&mut Self) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let start = self.records.len();
        lay_out(&mut self.records);
        let laid = &self.records[start..];
        let plain = memchr::memchr3(b'"', b'\n', b'\r', laid).is_none()
            && commas(laid) + 1 == count.max(1)
            && !(count == 1 && laid.is_empty());
        if !plain {
            self.records.truncate(start);
            return otherwise(self);
        }
        self.end_record()
    }

    /// Ends the record laid out last, and hands the records to the output
    /// once there are enough of them. They are dropped whether or not the
    /// output took them: bytes it refused are not offered again (on drop).
    fn end_record(&mut self) -> std::io::Result<()> {
        self.records.push(b'\n');
        if self.records.len() < RECORDS_HANDED_AT {
            return Ok(());
        }
        let handed = self.out.write_all(&self.records);
        self.records.clear();
        handed
    }

    /// Hands what is laid out to the output, and flushes it.
    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.records)?;
        self.records.clear();
        self.out.flush()
    }
}

impl<W: std::io::Write> Drop for RecordWriter<W> {
    /// Records laid out are handed over even when the writer is dropped
    /// unflushed (after an error), as a buffered writer does: the rows
    /// before a failure are shown. An error here has nobody to go to.
    fn drop(&mut self) {
        if !self.records.is_empty() {
            let _ = self.out.write_all(&self.records);
        }
    }
}

/// The commas in `bytes`, counted 128 bytes at a time in a byte (which a
/// compiler counts many at once; fewer than 256 a stretch cannot
/// overflow it): a record's few commas cost a search each otherwise.
fn commas(bytes: &[u8]) -> usize {
    bytes
        .chunks(128)
        .map(|stretch| {
            let found = stretch
                .iter()
                .fold(0u8, |found, &byte| found + u8::from(byte == b','));
            usize::from(found)
        })
        .sum()
}

/// `field` as a CSV field: as it is without a comma, a quote or a line
/// end, else in quotes with each quote doubled.
fn quoted_as_needed(record: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        record.extend_from_slice(field);
        return;
    }
    record.push(b'"');
    let mut rest = field;
    while let Some(at) = memchr::memchr(b'"', rest) {
        record.extend_from_slice(&rest[..=at]);
        record.push(b'"');
        rest = &rest[at + 1..];
    }
    record.extend_from_slice(rest);
    record.push(b'"');
}

/// Write rows to CSV text; fields are quoted as RFC 4180 needs.
pub(crate) fn write_rows<I, R, S>(header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(header)
        .expect("writing to memory cannot fail");
    for row in rows {
        writer
            .write_record(row)
            .expect("writing to memory cannot fail");
    }
    let bytes = writer.into_inner().expect("flushing to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
}

impl ReportView for CsvExporter {
    /// The usage table: one row per (account, allowance, period). Its one
    /// money column, `allowance_charge`, is the prepaid period's charge; the
    /// whole bill as CSV is `scanquota invoice --format csv`.
    fn report(&self, report: &Report) -> String {
        if report.accounts.iter().any(|a| a.allocation.is_some()) {
            return allocation(report);
        }
        let header = [
            "account",
            "allowance",
            "kind",
            "period_start",
            "period_end",
            "state",
            "granted",
            "consumed",
            "remaining",
            "expired",
            "currency",
            "allowance_charge",
        ];
        // Rows are made as they are written: a report of many accounts and
        // periods held them all as strings at once (a GB for 20 000).
        let rows = report.accounts.iter().flat_map(|account| {
            account
                .allowances
                .iter()
                .enumerate()
                .flat_map(move |(a, allowance)| {
                    allowance
                        .periods
                        .iter()
                        .enumerate()
                        .map(move |(p, period)| {
                            let charge = account
                                .period_charge(a, p)
                                .map(|sum| sum.to_string())
                                .unwrap_or_default();
                            vec![
                                guard(&account.account).into_owned(),
                                guard(&allowance.name).into_owned(),
                                serde_plain(&allowance.kind),
                                period.start.to_string(),
                                period.end.to_string(),
                                serde_plain(&period.state),
                                period.granted.to_string(),
                                period.consumed.to_string(),
                                period.remaining.to_string(),
                                period.expired.to_string(),
                                report.currency.clone(),
                                charge,
                            ]
                        })
                })
        });
        write_rows(&header, rows)
    }
}

impl ComparisonView for CsvExporter {
    /// One row per plan, every figure of the side-by-side view.
    fn compare(&self, comparison: &Comparison) -> String {
        let header = [
            "plan",
            "currency",
            "consumed",
            "remaining",
            "expired",
            "scans_denied",
            "units_denied",
            "overage",
            "unpriced_overage",
            "charges",
            "projected_cycle_charges",
            "projected_unpriced_overage",
            "projected_denied",
        ];
        let optional = |value: Option<String>| value.unwrap_or_default();
        let rows = comparison.summaries.iter().map(|s| {
            vec![
                guard(&s.plan).into_owned(),
                s.currency.clone(),
                s.consumed.to_string(),
                s.remaining.to_string(),
                s.expired.to_string(),
                s.scans_denied.to_string(),
                s.units_denied.to_string(),
                s.overage.to_string(),
                s.unpriced_overage.to_string(),
                s.charges.to_string(),
                optional(s.projected_cycle_charges.map(|m| m.to_string())),
                optional(s.projected_unpriced_overage.map(|u| u.to_string())),
                optional(s.projected_denied.map(|u| u.to_string())),
            ]
        });
        write_rows(&header, rows)
    }
}

impl InvoiceView for CsvExporter {
    /// One row per invoice line; unpriced overage has an empty amount.
    fn invoice(&self, invoice: &Invoice) -> String {
        let header = [
            "account",
            "cycle_start",
            "cycle_end",
            "kind",
            "item",
            "period_start",
            "quantity",
            "unit_price",
            "amount",
            "currency",
            "state",
            "posted_at",
        ];
        let rows = invoice.accounts.iter().flat_map(|account| {
            account.cycles.iter().flat_map(move |cycle| {
                cycle.lines.iter().map(move |line| {
                    vec![
                        guard(&account.account).into_owned(),
                        cycle.start.to_string(),
                        cycle.end.to_string(),
                        line.kind.as_str().to_string(),
                        guard(&super::item_label(&line.item, line.tier.as_ref())).into_owned(),
                        line.period_start.to_string(),
                        line.quantity.to_string(),
                        line.unit_price.map(|p| p.to_string()).unwrap_or_default(),
                        line.amount.map(|m| m.to_string()).unwrap_or_default(),
                        invoice.currency.clone(),
                        line.state.as_str().to_string(),
                        line.posted_at.to_string(),
                    ]
                })
            })
        });
        write_rows(&header, rows)
    }
}

/// With `--by`: one row per (account, cycle, group), and the `(unused)` and
/// `(shared)` parts of each cycle as rows of their own; the `charges` of an
/// account's rows add up to its total.
fn allocation(report: &Report) -> String {
    let header = [
        "account",
        "cycle_start",
        "cycle_end",
        "by",
        "group",
        "units",
        "charges",
        "currency",
        "unpriced_overage_units",
    ];
    let rows = report.accounts.iter().flat_map(|account| {
        let cycles = account.allocation.iter().flat_map(|allocation| {
            allocation
                .cycles
                .iter()
                .map(move |cycle| (allocation, cycle))
        });
        cycles.flat_map(move |(allocation, cycle)| {
            // One cycle's rows at a time: its groups, then `(unused)` and
            // `(shared)`.
            let mut rows: Vec<Vec<String>> = Vec::with_capacity(cycle.groups.len() + 2);
            let mut push = |group: &str, units: String, charges: String, unpriced: String| {
                rows.push(vec![
                    guard(&account.account).into_owned(),
                    cycle.start.to_string(),
                    cycle.end.to_string(),
                    guard(&allocation.by).into_owned(),
                    guard(group).into_owned(),
                    units,
                    charges,
                    report.currency.clone(),
                    unpriced,
                ]);
            };
            for group in &cycle.groups {
                push(
                    &group.group,
                    group.units.to_string(),
                    group.charges.to_string(),
                    group.unpriced_overage_units.to_string(),
                );
            }
            push(
                UNUSED,
                String::new(),
                cycle.unused.to_string(),
                String::new(),
            );
            push(
                SHARED,
                String::new(),
                cycle.shared.to_string(),
                String::new(),
            );
            rows
        })
    });
    write_rows(&header, rows)
}

/// A unit-variant enum as its serialised name.
pub(crate) fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{RecordWriter, guard};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// The record writer writes the csv crate's bytes: fields with
        /// commas, quotes, CR, LF, spaces, `#`, empty fields and one empty
        /// field alone, in records of any width.
        #[test]
        fn records_are_written_as_the_csv_crate_writes_them(
            records in prop::collection::vec(
                prop::collection::vec("[a,\"\r\n #é=-]{0,6}", 1..6),
                0..8,
            ),
        ) {
            let mut ours = Vec::new();
            let mut writer = RecordWriter::new(&mut ours);
            for record in &records {
                writer.write_record(record.iter().map(|field| field.as_bytes())).unwrap();
            }
            writer.flush().unwrap();
            drop(writer);
            let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for record in &records {
                theirs.write_record(record).unwrap();
            }
            prop_assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs.into_inner().unwrap()).unwrap()
            );
        }
    }

    /// Records are handed to the output 64 KB at a time: past that, and
    /// when the writer is dropped after an error without a flush, the
    /// bytes are still the csv crate's, every record once.
    #[test]
    fn records_past_a_hand_over_and_on_drop_are_written_once() {
        let records: Vec<Vec<String>> = (0..6000)
            .map(|row| {
                let quoted = if row % 7 == 0 { "a,\"b\"" } else { "plain" };
                vec![
                    format!("2024-01-01T00:00:{:02}Z", row % 60),
                    quoted.to_string(),
                    row.to_string(),
                ]
            })
            .collect();
        let mut theirs = csv::Writer::from_writer(Vec::new());
        for record in &records {
            theirs.write_record(record).unwrap();
        }
        let theirs = String::from_utf8(theirs.into_inner().unwrap()).unwrap();
        assert!(theirs.len() > 2 * super::RECORDS_HANDED_AT);
        for flushed in [true, false] {
            let mut ours = Vec::new();
            let mut writer = RecordWriter::new(&mut ours);
            for record in &records {
                writer
                    .write_record(record.iter().map(|field| field.as_bytes()))
                    .unwrap();
            }
            if flushed {
                writer.flush().unwrap();
            }
            drop(writer);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                theirs,
                "flushed: {flushed}"
            );
        }
    }

    #[test]
    fn formula_starts_are_guarded() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=a", "'x"] {
            assert_eq!(guard(cell), format!("'{cell}"));
        }
        for cell in ["sha256:abc", "team-a", "", "1=1", "x'"] {
            assert_eq!(guard(cell), cell);
        }
    }

    proptest::proptest! {
        /// Two names never share a guarded cell, and dropping the leading
        /// `'` of a guarded one gives the name back.
        #[test]
        fn the_guard_keeps_names_apart(a in "['=+@a-]{0,4}", b in "['=+@a-]{0,4}") {
            proptest::prop_assert_eq!(a == b, guard(&a) == guard(&b));
            let guarded = guard(&a);
            let back = match &guarded {
                std::borrow::Cow::Owned(text) => &text[1..],
                std::borrow::Cow::Borrowed(text) => text,
            };
            proptest::prop_assert_eq!(back, a.as_str());
        }
    }
}
