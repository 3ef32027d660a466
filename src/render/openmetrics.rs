//! The report as an OpenMetrics text exposition, for a Prometheus
//! node-exporter textfile collector: every figure a gauge (a report is a
//! snapshot), values written from the model's exact decimals as decimal
//! text. prometheus-client keeps gauge values as `f64` or `i64`, which
//! cannot hold 289.1 or 36.00 exactly, so this small encoder writes the
//! text format itself; tests check it with independent parsers.

use crate::domain::values::Instant;
use crate::model::report::{PeriodState, Report};
use std::fmt::Write;

/// One metric family: its samples, each with its labels and value text.
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(Vec<(&'static str, String)>, String)>,
}

impl Family {
    fn new(name: &'static str, help: &'static str) -> Self {
        Family {
            name,
            help,
            samples: Vec::new(),
        }
    }

    fn add(&mut self, labels: Vec<(&'static str, String)>, value: impl ToString) {
        self.samples.push((labels, value.to_string()));
    }
}

/// A label value with `\`, `"` and line breaks escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn seconds(instant: &Instant) -> i64 {
    instant.utc().timestamp()
}

pub(crate) fn exposition(report: &Report) -> String {
    let mut granted = Family::new(
        "scanquota_granted_units",
        "Units granted to the current period of the allowance.",
    );
    let mut consumed = Family::new(
        "scanquota_consumed_units",
        "Units consumed in the current period of the allowance.",
    );
    let mut remaining = Family::new(
        "scanquota_remaining_units",
        "Units remaining in the current period of the allowance.",
    );
    let mut expired = Family::new(
        "scanquota_expired_units",
        "Units expired at the end of the allowance's closed periods, summed.",
    );
    let mut charges = Family::new(
        "scanquota_charges",
        "Charges to date, in the plan's currency.",
    );
    let mut projected_charges = Family::new(
        "scanquota_projected_cycle_charges",
        "Projected cost of the current cycle (priced lines only), in the plan's currency.",
    );
    let mut projected_denied = Family::new(
        "scanquota_projected_denied_units",
        "Units projected to be denied in the current cycle.",
    );
    let mut projected_overage = Family::new(
        "scanquota_projected_overage_units",
        "Overage units projected for the current cycle.",
    );
    let mut projected_unpriced = Family::new(
        "scanquota_projected_unpriced_overage_units",
        "Projected overage units of the current cycle that have no price.",
    );
    let mut exhausts_at = Family::new(
        "scanquota_exhausts_at_seconds",
        "When the quota is projected to run out, as Unix seconds.",
    );
    let mut subscription_end = Family::new(
        "scanquota_subscription_end_seconds",
        "When the subscription term ends, as Unix seconds.",
    );
    let mut scans = Family::new("scanquota_scans", "Scan rows by outcome.");
    let mut as_of = Family::new(
        "scanquota_as_of_seconds",
        "The moment the report describes, as Unix seconds.",
    );
    as_of.add(Vec::new(), seconds(&report.as_of));
    for account in &report.accounts {
        let who = || vec![("account", escape(&account.account))];
        for allowance in &account.allowances {
            let labels = || {
                vec![
                    ("account", escape(&account.account)),
                    ("allowance", escape(&allowance.name)),
                ]
            };
            if let Some(current) = allowance
                .periods
                .iter()
                .find(|p| p.state == PeriodState::Current)
            {
                granted.add(labels(), current.granted);
                consumed.add(labels(), current.consumed);
                remaining.add(labels(), current.remaining);
            }
            expired.add(labels(), allowance.expired);
        }
        let with_currency = || {
            vec![
                ("account", escape(&account.account)),
                ("currency", escape(&report.currency)),
            ]
        };
        charges.add(with_currency(), account.charges.total);
        if let Some(projection) = &account.projection {
            projected_charges.add(with_currency(), projection.projected_cycle_charges);
            projected_denied.add(who(), projection.projected_denied);
            projected_overage.add(who(), projection.projected_overage);
            projected_unpriced.add(who(), projection.projected_unpriced_overage);
            if let Some(at) = &projection.exhausts_at {
                exhausts_at.add(who(), seconds(at));
            }
        }
        if let Some(end) = &account.subscription.end {
            subscription_end.add(who(), seconds(end));
        }
        let counts = &account.scans;
        for (outcome, count) in [
            ("first", counts.first),
            ("repeat", counts.repeat),
            ("denied", counts.denied),
            ("failed", counts.failed),
            ("duplicate", counts.duplicates),
            ("trial", counts.trial),
            ("uncovered", counts.uncovered),
            ("after_as_of", counts.after_as_of),
        ] {
            let mut labels = who();
            labels.push(("outcome", outcome.to_string()));
            scans.add(labels, count);
        }
    }
    let mut out = String::new();
    for family in [
        granted,
        consumed,
        remaining,
        expired,
        charges,
        projected_charges,
        projected_denied,
        projected_overage,
        projected_unpriced,
        exhausts_at,
        subscription_end,
        scans,
        as_of,
    ] {
        if family.samples.is_empty() {
            continue;
        }
        let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
        let _ = writeln!(out, "# TYPE {} gauge", family.name);
        for (labels, value) in &family.samples {
            let labels: Vec<String> = labels
                .iter()
                .map(|(key, value)| format!("{key}=\"{value}\""))
                .collect();
            if labels.is_empty() {
                let _ = writeln!(out, "{} {value}", family.name);
            } else {
                let _ = writeln!(out, "{}{{{}}} {value}", family.name, labels.join(","));
            }
        }
    }
    out.push_str("# EOF\n");
    out
}
