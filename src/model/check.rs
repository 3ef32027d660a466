//! Threshold checks for scripts, evaluated on the report model.

use crate::domain::error::{Error, Result};
use crate::domain::numbers::{Unreadable, read_decimal};
use crate::domain::values::{Money, Units};
use crate::model::report::{AccountReport, Report};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// The thresholds asked for; each present one yields a line per account.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Thresholds {
    pub(crate) min_remaining: Option<Decimal>,
    pub(crate) allowance: Option<String>,
    pub(crate) max_used_percent: Option<Decimal>,
    pub(crate) max_projected_charges: Option<Decimal>,
    pub(crate) max_projected_denied: Option<Decimal>,
    pub(crate) expiring_within_days: Option<u32>,
}

/// Whether a threshold holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum CheckStatus {
    Ok,
    Alert,
}

impl CheckStatus {
    /// `OK` or `ALERT`, as the stable line and JSON write it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "OK",
            CheckStatus::Alert => "ALERT",
        }
    }
}

impl std::fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CheckResult {
    pub(crate) status: CheckStatus,
    pub(crate) account: String,
    pub(crate) check: String,
    pub(crate) value: String,
    pub(crate) limit: String,
}

impl CheckResult {
    pub(crate) fn is_alert(&self) -> bool {
        self.status == CheckStatus::Alert
    }

    /// `OK|ALERT <account> <check>=<value> (limit <limit>)`, the account
    /// quoted shell-style when it holds a space or another character a shell
    /// would split or expand, so fields stay fields.
    pub(crate) fn line(&self) -> String {
        format!(
            "{} {} {}={} (limit {})",
            self.status,
            shell_quote(&self.account),
            self.check,
            self.value,
            self.limit
        )
    }
}

/// `text` as one shell word: unchanged when it is made only of characters no
/// shell treats specially, else in single quotes (a `'` inside written `'\''`).
pub(crate) fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.,:/@%+=".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Parse a threshold flag's value as an exact non-negative decimal.
pub(crate) fn threshold(flag: &'static str, text: &str) -> Result<Decimal> {
    let problem = match read_decimal(text) {
        Ok(value) if !value.is_sign_negative() || value.is_zero() => return Ok(value),
        Err(Unreadable::BeyondADecimal) => {
            "is beyond what an exact decimal holds (28 significant digits, up to about 7.9e28)"
        }
        Ok(_) | Err(Unreadable::NotANumber) => "is not a number of zero or more",
    };
    Err(Error::Option {
        option: flag,
        value: text.to_string(),
        fix: format!("{problem}; write e.g. {flag} 50"),
    })
}

fn format_decimal(value: Decimal) -> String {
    crate::domain::numbers::format_units(value)
}

fn percent(consumed: Decimal, granted: Decimal) -> Decimal {
    if granted.is_zero() {
        // Nothing was granted: none of it is left to use.
        return Decimal::ONE_HUNDRED;
    }
    // Dividing first would round before the scaling; multiplying first
    // fits unless consumed is near a decimal's range.
    consumed
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|product| product.checked_div(granted))
        .unwrap_or_else(|| consumed / granted * Decimal::ONE_HUNDRED)
}

/// Whether `consumed` of `granted` is more than `limit` percent, decided
/// exactly (`consumed × 100 > limit × granted`), never on a rounded
/// percentage: 8000.1 of 10000 units is over 80 %, though it rounds to 80.
fn used_over(consumed: Decimal, granted: Decimal, limit: Decimal) -> bool {
    if granted.is_zero() {
        return Decimal::ONE_HUNDRED > limit;
    }
    match (
        consumed.checked_mul(Decimal::ONE_HUNDRED),
        limit.checked_mul(granted),
    ) {
        (Some(used), Some(allowed)) => used > allowed,
        _ => percent(consumed, granted) > limit,
    }
}

/// The percentage shown: to 2 places, or to 8 where 2 would read as the
/// limit itself or on the other side of it than the verdict, or in full
/// where 8 would too (a grant of many digits).
fn shown_percent(used: Decimal, over: bool, limit: Decimal) -> Decimal {
    let misleads = |shown: Decimal| shown == limit || (shown > limit) != over;
    [2, 8]
        .into_iter()
        .map(|places| used.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero))
        .find(|shown| !misleads(*shown))
        .unwrap_or_else(|| used.normalize())
}

fn result(
    alert: bool,
    account: &AccountReport,
    check: String,
    value: String,
    limit: String,
) -> CheckResult {
    CheckResult {
        status: if alert {
            CheckStatus::Alert
        } else {
            CheckStatus::Ok
        },
        account: account.account.clone(),
        check,
        value,
        limit,
    }
}

/// Evaluate every threshold for every account of the report, in a fixed order.
/// When as-of is exactly the start of one of `account`'s cycles: the charges
/// that cycle has posted (its fee and allowance lines post at its start).
fn posted_as_a_cycle_begins(report: &Report, account: &AccountReport) -> Option<Money> {
    let as_of = report.as_of.utc();
    account
        .cycles
        .iter()
        .find(|cycle| cycle.start.utc() == as_of)?;
    Some(
        (account.charges.lines.iter())
            .filter(|line| line.posted_at.utc() == as_of)
            .map(|line| line.amount)
            .sum(),
    )
}

pub(crate) fn evaluate(report: &Report, thresholds: &Thresholds) -> Result<Vec<CheckResult>> {
    if let Some(name) = &thresholds.allowance
        && let Some(account) = report.accounts.first()
        && !account.allowances.iter().any(|a| &a.name == name)
    {
        let names: Vec<&str> = account.allowances.iter().map(|a| a.name.as_str()).collect();
        return Err(Error::UnknownAllowance {
            name: name.clone(),
            known: names.join(", "),
        });
    }
    let suffix = thresholds
        .allowance
        .as_ref()
        .map(|name| format!("[{name}]"))
        .unwrap_or_default();
    let mut results = Vec::new();
    for account in &report.accounts {
        let chosen = account.allowances.iter().filter(|a| {
            thresholds
                .allowance
                .as_ref()
                .is_none_or(|name| &a.name == name)
        });
        let (mut remaining, mut consumed, mut granted) = (Units::ZERO, Units::ZERO, Units::ZERO);
        for allowance in chosen {
            if let Some(current) = allowance
                .periods
                .iter()
                .find(|p| p.state == crate::model::report::PeriodState::Current)
            {
                remaining = remaining.saturating_add(current.remaining);
                consumed = consumed.saturating_add(current.consumed);
                granted = granted.saturating_add(current.granted);
            }
        }
        if let Some(limit) = thresholds.min_remaining {
            results.push(result(
                remaining < Units::new(limit),
                account,
                format!("remaining{suffix}"),
                format_decimal(remaining.value()),
                format_decimal(limit),
            ));
        }
        if let Some(limit) = thresholds.max_used_percent {
            let over = used_over(consumed.value(), granted.value(), limit);
            let used = percent(consumed.value(), granted.value());
            results.push(result(
                over,
                account,
                format!("used_percent{suffix}"),
                format_decimal(shown_percent(used, over, limit)),
                format_decimal(limit),
            ));
        }
        if let Some(limit) = thresholds.max_projected_charges {
            // Fail closed: a cost that leaves overage unpriced is not known
            // to be under any limit.
            let (alert, value) = match &account.projection {
                Some(projection) if !projection.projected_unpriced_overage.is_zero() => {
                    (true, "unpriced".to_string())
                }
                Some(projection) => {
                    let cost = projection.projected_cycle_charges;
                    (cost > Money::new(limit), cost.to_string())
                }
                None => match posted_as_a_cycle_begins(report, account) {
                    // The cycle has just begun, so there is no projection
                    // (no time has passed to take a rate from), but what it
                    // has posted is the least it will cost: held to the
                    // limit, as a second later.
                    Some(posted) => (posted > Money::new(limit), posted.to_string()),
                    None => (false, "none".to_string()),
                },
            };
            results.push(result(
                alert,
                account,
                "projected_charges".into(),
                value,
                format_decimal(limit),
            ));
        }
        if let Some(limit) = thresholds.max_projected_denied {
            let (alert, value) = match &account.projection {
                Some(projection) => (
                    projection.projected_denied > Units::new(limit),
                    projection.projected_denied.to_string(),
                ),
                None => (false, "none".to_string()),
            };
            results.push(result(
                alert,
                account,
                "projected_denied".into(),
                value,
                format_decimal(limit),
            ));
        }
        if let Some(days) = thresholds.expiring_within_days {
            let (alert, value) = match &account.subscription.end {
                None => (false, "never".to_string()),
                Some(end) => {
                    let seconds = Decimal::from((end.utc() - report.as_of.utc()).num_seconds());
                    let left = (seconds / Decimal::from(86_400))
                        .round_dp_with_strategy(1, RoundingStrategy::ToNegativeInfinity);
                    (left <= Decimal::from(days), format_decimal(left))
                }
            };
            results.push(result(
                alert,
                account,
                "expires_in_days".into(),
                value,
                days.to_string(),
            ));
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The value shown never reads as the limit, or on its other side than
    /// the verdict: 2 places, else 8, else in full.
    #[test]
    fn a_used_percentage_is_shown_as_precisely_as_its_verdict_needs() {
        let d = |text: &str| Decimal::from_str(text).unwrap();
        let fifty = d("50");
        for (consumed, granted, shown) in [
            ("30", "100", "30"),
            ("500001", "1000000", "50.0001"),
            ("50000000001", "100000000000", "50.000000001"),
        ] {
            let (consumed, granted) = (d(consumed), d(granted));
            let over = used_over(consumed, granted, fifty);
            let used = percent(consumed, granted);
            assert_eq!(
                format_decimal(shown_percent(used, over, fifty)),
                shown,
                "{consumed} of {granted}"
            );
        }
    }
}
