//! Charges (docs/plan.md#charges): line items per account, each rounded half away from
//! zero to the plan's `decimals`; the total is the sum of rounded lines.

use crate::domain::error::{Error, Result};
use crate::domain::numbers::{Exact, checked_sum, priced, round_money};
use crate::domain::periods::Period;
use crate::engine::core_days::CoreDay;
use crate::engine::meter::{AccountUsage, Schedule};
use crate::plan::{AllowanceKind, Plan, TierMode, TierRange};
use chrono::{DateTime, Utc};

impl ChargeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeKind::Allowance => "allowance",
            ChargeKind::Fee => "fee",
            ChargeKind::Overage => "overage",
            ChargeKind::Cores => "cores",
            ChargeKind::Topup => "topup",
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
    /// A top-up inside an allowance period: a line of its own, posted at
    /// the top-up's `at`, so the period's line never changes.
    Topup,
}

/// Whether a line is owed for good (`posted`: its posting instant is at or
/// before as-of; it never changes after) or is the open cycle's overage so
/// far (`accrued`: counted in the charges to date, posted at the cycle end).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ChargeState {
    Posted,
    Accrued,
    /// Certain to post after as-of, in the current cycle (a calendar-month
    /// allowance period, a scheduled top-up): in its projected cost only.
    #[serde(rename = "still_to_come")]
    StillToCome,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChargeLine {
    pub(crate) kind: ChargeKind,
    /// `allowance:NAME`, `topup:NAME`, `fee:NAME`, `overage`, `cores`.
    pub(crate) item: String,
    /// The start of what the line charges for: the allowance period, the
    /// top-up's `at`, the cycle (fee, overage) or the local day (cores).
    pub(crate) period_start: DateTime<Utc>,
    /// When the line posts: an allowance period's start, a top-up's `at`, a
    /// cycle's start (fee) or end (overage), 02:00 after a cores day.
    pub(crate) posted_at: DateTime<Utc>,
    pub(crate) state: ChargeState,
    pub(crate) quantity: Decimal,
    pub(crate) unit_price: Decimal,
    /// Rounded to the plan's decimals.
    pub(crate) amount: Decimal,
    /// What the line charges for: an allowance period (allowance, period
    /// index), or the subscription cycle it falls in.
    pub(crate) basis: Basis,
    /// An overage line of a tiered plan: the tier it is priced by.
    pub(crate) tier: Option<TierRange>,
}

/// What a charge line is for, so it can be shared out (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Basis {
    /// Period `period` of allowance `allowance`.
    AllowancePeriod { allowance: usize, period: usize },
    /// Cycle `cycle` (fee lines, cores days inside the term).
    Cycle(usize),
    /// Overage period `period` (`Schedule::overage_periods`), its bucket
    /// `bucket` (`AccountUsage::overage_buckets`).
    OveragePeriod { period: usize, bucket: usize },
    /// A cores day outside every cycle (before the term started).
    OutsideCycles,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Charges {
    pub(crate) lines: Vec<ChargeLine>,
    pub(crate) total: Decimal,
    /// Overage with no price in the plan: reported, never charged as zero.
    pub(crate) unpriced_overage_units: Decimal,
    /// The same units where they would post: one entry per overage period
    /// and tier without a price, like the priced overage lines.
    pub(crate) unpriced: Vec<UnpricedOverage>,
}

/// An overage period's units (of one tier) that the plan gives no price:
/// posted or accrued like an overage line, but never money.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnpricedOverage {
    pub(crate) period_start: DateTime<Utc>,
    pub(crate) posted_at: DateTime<Utc>,
    pub(crate) state: ChargeState,
    pub(crate) quantity: Decimal,
    pub(crate) basis: Basis,
    pub(crate) tier: Option<TierRange>,
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
        posted_at: DateTime<Utc>,
        quantity: Decimal,
        unit_price: Decimal,
        basis: Basis,
        overflow: impl FnOnce() -> Error,
    ) -> Result<Self> {
        let amount = priced(quantity, unit_price, plan.decimals).ok_or_else(overflow)?;
        Ok(ChargeLine {
            kind,
            item,
            period_start,
            posted_at,
            state: ChargeState::Posted,
            quantity,
            unit_price,
            amount,
            basis,
            tier: None,
        })
    }
}

/// A part of an overage period's overage priced one way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OverageSplit {
    /// The bucket of `AccountUsage::overage_buckets` it comes from (volume: 0).
    pub(crate) bucket: usize,
    pub(crate) quantity: Decimal,
    /// `None`: unpriced.
    pub(crate) unit_price: Option<Decimal>,
    pub(crate) tier: Option<TierRange>,
}

/// How an overage period's overage is priced, given its overage per bucket
/// and its count of metered units: one part per graduated tier reached (or
/// price in force), or, by volume, one part at the tier the count reaches.
pub(crate) fn overage_splits(
    plan: &Plan,
    buckets: &[Decimal],
    metered: Decimal,
) -> Vec<OverageSplit> {
    let overage = &plan.overage;
    if !overage.tiers.is_empty() && overage.tier_mode == TierMode::Volume {
        let quantity: Decimal = buckets.iter().copied().sum();
        if quantity.is_zero() {
            return Vec::new();
        }
        let tier = overage.tier_of(metered);
        return vec![OverageSplit {
            bucket: 0,
            quantity,
            unit_price: overage.tiers[tier].unit_price,
            tier: Some(overage.tier_range(tier)),
        }];
    }
    buckets
        .iter()
        .enumerate()
        .filter(|(_, quantity)| !quantity.is_zero())
        .map(|(bucket, quantity)| {
            let (unit_price, tier) = if overage.tiers.is_empty() {
                let price = match bucket {
                    0 => overage.unit_price,
                    n => Some(overage.price_changes[n - 1].unit_price),
                };
                (price, None)
            } else {
                (
                    overage.tiers[bucket].unit_price,
                    Some(overage.tier_range(bucket)),
                )
            };
            OverageSplit {
                bucket,
                quantity: *quantity,
                unit_price,
                tier,
            }
        })
        .collect()
}

/// The fee lines of cycle number `cycle`, starting at `cycle_start`.
pub(crate) fn fee_lines(
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

/// The lines of prepaid allowance `index` over `periods` (numbered from the
/// term's first), top-ups made by `until` included; an amount beyond a
/// decimal's range is [`Error::Overflow`] naming the plan key.
fn allowance_lines(
    plan: &Plan,
    schedule: &Schedule,
    index: usize,
    periods: &[Period],
    until: DateTime<Utc>,
) -> Result<Vec<ChargeLine>> {
    let allowance = &plan.allowances[index];
    let mut lines = Vec::new();
    if allowance.kind != AllowanceKind::Prepaid {
        return Ok(lines);
    }
    for (number, period) in periods.iter().enumerate() {
        let basis = Basis::AllowancePeriod {
            allowance: index,
            period: number,
        };
        let overflow = || {
            Error::overflow(
                format!(
                    "{}: [[allowance]] {}: units × unit_price (with top-ups, period {})",
                    plan.file,
                    allowance.name,
                    plan.zone.format(period.start)
                ),
                "write a smaller units, unit_price or top-up units",
            )
        };
        // The period's line: the units in force at its start. Each top-up
        // inside the period is a line of its own, priced so the period's
        // lines add up to one line for all its granted units.
        // A period is priced at its start, a top-up at its `at`.
        let mut in_force = schedule.granted_before(plan, index, period.start)?;
        lines.push(ChargeLine::new(
            plan,
            ChargeKind::Allowance,
            format!("allowance:{}", allowance.name),
            period.start,
            period.start,
            in_force,
            allowance.price_at(period.start),
            basis,
            overflow,
        )?);
        for (at, units) in schedule.topups_in(index, period, until) {
            let price = allowance.price_at(at);
            let cost_of = |units: Decimal| priced(units, price, plan.decimals).ok_or_else(overflow);
            let before = cost_of(in_force)?;
            in_force = in_force.exact_add(units).ok_or_else(overflow)?;
            let after = cost_of(in_force)?;
            lines.push(ChargeLine {
                kind: ChargeKind::Topup,
                item: format!("topup:{}", allowance.name),
                // It charges for its units from `at` to the period end.
                period_start: at,
                posted_at: at,
                state: ChargeState::Posted,
                quantity: units,
                unit_price: price,
                amount: after.exact_sub(before).ok_or_else(overflow)?,
                basis,
                tier: None,
            });
        }
    }
    Ok(lines)
}

/// The lines certain to post after as-of and before the end of `cycle`
/// (the cycle holding as-of): calendar-month allowance periods starting in
/// it and scheduled top-ups. Future cores days are not projected.
pub(crate) fn still_to_come(
    plan: &Plan,
    schedule: &Schedule,
    cycle: &Period,
) -> Result<Vec<ChargeLine>> {
    let last = cycle.end - chrono::TimeDelta::nanoseconds(1);
    let term = &plan.subscription.term;
    let mut lines = Vec::new();
    for index in 0..plan.allowances.len() {
        let periods = term.periods_until(plan.allowances[index].reset, last);
        lines.extend(
            allowance_lines(plan, schedule, index, &periods, last)?
                .into_iter()
                .map(|line| ChargeLine {
                    state: ChargeState::StillToCome,
                    ..line
                })
                .filter(|line| schedule.as_of < line.posted_at && line.posted_at < cycle.end),
        );
    }
    lines.sort_by_key(|line| (line.period_start, line.kind));
    Ok(lines)
}

/// Every charge line of one account, and their total; an amount or the
/// total beyond a decimal's range is [`Error::Overflow`] naming the plan key
/// or the account and period.
pub(crate) fn charges(
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
                day.posted_at,
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
    for index in 0..plan.allowances.len() {
        lines.extend(allowance_lines(
            plan,
            schedule,
            index,
            &schedule.allowance_periods[index],
            schedule.as_of,
        )?);
    }
    for (cycle, period) in schedule.cycles.iter().enumerate() {
        for line in fee_lines(plan, cycle, period.start) {
            lines.push(line?);
        }
    }
    let mut unpriced_overage_units = Decimal::ZERO;
    let mut unpriced = Vec::new();
    for (number, period) in schedule.overage_periods.iter().enumerate() {
        let splits = overage_splits(
            plan,
            &usage.overage_buckets[number],
            usage.overage_metered[number],
        );
        for split in splits {
            let Some(price) = split.unit_price else {
                unpriced_overage_units = unpriced_overage_units
                    .exact_add(split.quantity)
                    .ok_or_else(|| {
                        Error::overflow(
                            format!("account {account}: unpriced overage units"),
                            format!(
                                "write smaller metering units in {}, or give an earlier --as-of",
                                plan.file
                            ),
                        )
                    })?;
                unpriced.push(UnpricedOverage {
                    period_start: period.start,
                    posted_at: period.end,
                    state: if period.end > schedule.as_of {
                        ChargeState::Accrued
                    } else {
                        ChargeState::Posted
                    },
                    quantity: split.quantity,
                    basis: Basis::OveragePeriod {
                        period: number,
                        bucket: split.bucket,
                    },
                    tier: split.tier,
                });
                continue;
            };
            // Overage posts at the end of its overage period; until then it is accrued.
            let mut line = ChargeLine::new(
                plan,
                ChargeKind::Overage,
                "overage".into(),
                period.start,
                period.end,
                split.quantity,
                price,
                Basis::OveragePeriod {
                    period: number,
                    bucket: split.bucket,
                },
                || {
                    // The key that gave the price: a tier's, a price
                    // change's or the base price.
                    let key = match (split.tier, split.bucket) {
                        (Some(tier), _) => format!("overage.tier[{}].unit_price", tier.number - 1),
                        (None, 0) => "overage.unit_price".to_string(),
                        (None, n) => format!("overage.price_change[{}].unit_price", n - 1),
                    };
                    Error::overflow(
                        format!(
                            "account {account}, period {}: overage units × {key}",
                            when(period.start)
                        ),
                        format!(
                            "write a smaller {key} or metering units in {}, or give an earlier --as-of",
                            plan.file
                        ),
                    )
                },
            )?;
            line.tier = split.tier;
            if period.end > schedule.as_of {
                line.state = ChargeState::Accrued;
            }
            lines.push(line)
        }
    }
    lines.sort_by_key(|line| {
        (
            line.period_start,
            line.kind,
            line.tier.map_or(0, |tier| tier.number),
        )
    });
    let total = checked_sum(lines.iter().map(|line| line.amount))
        .and_then(|total| round_money(total, plan.decimals))
        .ok_or_else(|| {
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
        total,
        unpriced_overage_units,
        unpriced,
    })
}
