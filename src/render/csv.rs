use super::Exporter;
use crate::report::{Comparison, Report};
use std::borrow::Cow;

pub struct CsvExporter;

/// Spreadsheet formula injection guard (SPEC §7): a cell from input text that
/// starts with `= + - @`, tab or CR gets a leading `'`.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Write rows to CSV text; fields are quoted as RFC 4180 needs.
pub fn write_rows<I, R, S>(header: &[&str], rows: I) -> String
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

impl Exporter for CsvExporter {
    /// One row per (account, allowance, period).
    fn report(&self, report: &Report) -> String {
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
            "charge",
        ];
        let mut rows: Vec<Vec<String>> = Vec::new();
        for account in &report.accounts {
            for allowance in &account.allowances {
                let item = format!("allowance:{}", allowance.name);
                for period in &allowance.periods {
                    let charge = account
                        .charges
                        .lines
                        .iter()
                        .find(|line| line.item == item && line.period_start == period.start)
                        .map(|line| line.amount.to_string())
                        .unwrap_or_default();
                    rows.push(vec![
                        guard(&account.account).into_owned(),
                        guard(&allowance.name).into_owned(),
                        serde_plain(&allowance.kind),
                        period.start.clone(),
                        period.end.clone(),
                        serde_plain(&period.state),
                        period.granted.to_string(),
                        period.consumed.to_string(),
                        period.remaining.to_string(),
                        period.expired.to_string(),
                        report.currency.clone(),
                        charge,
                    ]);
                }
            }
        }
        write_rows(&header, rows)
    }

    /// One row per plan.
    fn compare(&self, comparison: &Comparison) -> String {
        let header = [
            "plan",
            "currency",
            "consumed",
            "remaining",
            "expired",
            "overage",
            "charges",
            "projected_cycle_charges",
        ];
        let rows = comparison.reports.iter().map(|report| {
            let s = report.summary();
            vec![
                guard(&s.plan).into_owned(),
                s.currency,
                s.consumed.to_string(),
                s.remaining.to_string(),
                s.expired.to_string(),
                s.overage.to_string(),
                s.charges.to_string(),
                s.projected_cycle_charges
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            ]
        });
        write_rows(&header, rows)
    }
}

/// A unit-variant enum as its serialised name.
pub fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn formula_starts_are_guarded() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard(cell), format!("'{cell}"));
        }
        for cell in ["sha256:abc", "team-a", "", "1=1"] {
            assert_eq!(guard(cell), cell);
        }
    }
}
