//! Charges (docs/plan.md#charges): line items per account, each rounded half away from
//! zero to the plan's `decimals`; the total is the sum of rounded lines.

use crate::cores::CoreDay;
use crate::error::{Error, Result};
use crate::meter::{AccountUsage, Schedule};
use crate::numbers::{checked_sum, round_money};
use crate::plan::{AllowanceKind, Plan};
use chrono::{DateTime, Utc};

impl ChargeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeKind::Allowance => "allowance",
            ChargeKind::Fee => "fee",
            ChargeKind::Overage => "overage",
            ChargeKind::Cores => "cores",
        }
    }
}
use rust_decimal::Decimal;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ChargeKind {
    Allowance,
    Fee,
    Overage,
    Cores,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChargeLine {
    pub kind: ChargeKind,
    /// `allowance:NAME`, `fee:NAME`, `overage`, `cores`.
    pub item: String,
    pub period_start: DateTime<Utc>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// Rounded to the plan's decimals.
    pub amount: Decimal,
    /// What the line charges for: an allowance period (allowance, period
    /// index), or the subscription cycle it falls in.
    pub basis: Basis,
}

/// What a charge line is for, so it can be shared out (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Period `period` of allowance `allowance`.
    AllowancePeriod { allowance: usize, period: usize },
    /// Cycle `cycle` (fee and overage lines, cores days inside the term).
    Cycle(usize),
    /// A cores day outside every cycle (before the term started).
    OutsideCycles,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Charges {
    pub lines: Vec<ChargeLine>,
    pub total: Decimal,
    /// Overage with no price in the plan: reported, never charged as zero.
    pub unpriced_overage_units: Decimal,
}

impl ChargeLine {
    /// The line `quantity × unit_price`; `overflow` says what the product
    /// is, should it be beyond a decimal's range.
    #[allow(clippy::too_many_arguments)]
    fn new(
        plan: &Plan,
        kind: ChargeKind,
        item: String,
        period_start: DateTime<Utc>,
        quantity: Decimal,
        unit_price: Decimal,
        basis: Basis,
        overflow: impl FnOnce() -> Error,
    ) -> Result<Self> {
        let amount = quantity.checked_mul(unit_price).ok_or_else(overflow)?;
        Ok(ChargeLine {
            kind,
            item,
            period_start,
            quantity,
            unit_price,
            amount: round_money(amount, plan.decimals),
            basis,
        })
    }
}

/// The fee lines of cycle number `cycle`, starting at `cycle_start`.
pub fn fee_lines(
    plan: &Plan,
    cycle: usize,
    cycle_start: DateTime<Utc>,
) -> impl Iterator<Item = Result<ChargeLine>> + '_ {
    plan.fees.iter().map(move |fee| {
        ChargeLine::new(
            plan,
            ChargeKind::Fee,
            format!("fee:{}", fee.name),
            cycle_start,
            fee.quantity,
            fee.unit_price,
            Basis::Cycle(cycle),
            || {
                Error::overflow(
                    format!("{}: [[fee]] {}: quantity × unit_price", plan.file, fee.name),
                    "write a smaller quantity or unit_price",
                )
            },
        )
    })
}

/// Every charge line of one account, and their total; an amount or the
/// total beyond a decimal's range is [`Error::Overflow`] naming the plan key
/// or the account and period.
pub fn charges(
    plan: &Plan,
    schedule: &Schedule,
    usage: &AccountUsage,
    core_days: &[CoreDay],
) -> Result<Charges> {
    let account = &usage.account;
    let when = |at: DateTime<Utc>| plan.zone.format(at);
    let mut lines = Vec::new();
    if let Some(cores) = &plan.cores {
        for day in core_days {
            let basis = schedule
                .cycles
                .iter()
                .position(|cycle| cycle.contains(day.day_start))
                .map_or(Basis::OutsideCycles, Basis::Cycle);
            lines.push(ChargeLine::new(
                plan,
                ChargeKind::Cores,
                "cores".into(),
                day.day_start,
                day.billable,
                cores.daily_unit_price,
                basis,
                || {
                    Error::overflow(
                        format!(
                            "account {account}, day {}: billable cores × cores.daily_unit_price",
                            when(day.day_start)
                        ),
                        format!(
                            "check the --cores samples, or write a smaller cores.daily_unit_price in {}",
                            plan.file
                        ),
                    )
                },
            )?);
        }
    }
    for (index, allowance) in plan.allowances.iter().enumerate() {
        if allowance.kind != AllowanceKind::Prepaid {
            continue;
        }
        for (number, period) in schedule.allowance_periods[index].iter().enumerate() {
            let granted = schedule.granted(plan, index, period)?;
            lines.push(ChargeLine::new(
                plan,
                ChargeKind::Allowance,
                format!("allowance:{}", allowance.name),
                period.start,
                granted,
                allowance.unit_price,
                Basis::AllowancePeriod {
                    allowance: index,
                    period: number,
                },
                || {
                    Error::overflow(
                        format!(
                            "{}: [[allowance]] {}: units × unit_price (with top-ups, period {})",
                            plan.file,
                            allowance.name,
                            when(period.start)
                        ),
                        "write a smaller units, unit_price or top-up units",
                    )
                },
            )?);
        }
    }
    let mut unpriced_overage_units = Decimal::ZERO;
    for (cycle, period) in schedule.cycles.iter().enumerate() {
        for line in fee_lines(plan, cycle, period.start) {
            lines.push(line?);
        }
        let overage = usage.cycle_overage[cycle];
        if overage.is_zero() {
            continue;
        }
        match plan.overage.unit_price {
            Some(price) => lines.push(ChargeLine::new(
                plan,
                ChargeKind::Overage,
                "overage".into(),
                period.start,
                overage,
                price,
                Basis::Cycle(cycle),
                || {
                    Error::overflow(
                        format!(
                            "account {account}, period {}: overage units × overage.unit_price",
                            when(period.start)
                        ),
                        format!("write a smaller overage.unit_price or metering units in {}, or give an earlier --as-of", plan.file),
                    )
                },
            )?),
            None => {
                unpriced_overage_units = unpriced_overage_units
                    .checked_add(overage)
                    .ok_or_else(|| {
                        Error::overflow(
                            format!("account {account}: unpriced overage units"),
                            format!("write smaller metering units in {}, or give an earlier --as-of", plan.file),
                        )
                    })?
            }
        }
    }
    lines.sort_by_key(|line| (line.period_start, line.kind));
    let total = checked_sum(lines.iter().map(|line| line.amount)).ok_or_else(|| {
        Error::overflow(
            format!(
                "account {account}: the sum of the charge lines up to {}",
                when(schedule.as_of)
            ),
            format!(
                "write smaller prices or units in {}, or give an earlier --as-of",
                plan.file
            ),
        )
    })?;
    Ok(Charges {
        lines,
        total: round_money(total, plan.decimals),
        unpriced_overage_units,
    })
}
