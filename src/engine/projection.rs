//! Projection (docs/plan.md#projection): at the current rate, how much will this cycle need,
//! will it run out, and what will the cycle cost.

use crate::domain::error::{Error, Result};
use crate::domain::numbers::{Exact, checked_sum, priced, round_money};
use crate::domain::periods::Period;
use crate::engine::charges::{
    Basis, ChargeKind, Charges, OverageSplit, overage_splits, still_to_come,
};
use crate::engine::meter::{AccountUsage, Schedule};
use crate::plan::{OveragePolicy, Plan, Tier, TierMode, TierRange};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

/// Projected units are rounded to this many places: they are estimates, and
/// an exact quotient would print 28 digits.
pub(crate) const PROJECTED_UNIT_PLACES: u32 = 4;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Projection {
    pub(crate) cycle_start: DateTime<Utc>,
    pub(crate) cycle_end: DateTime<Utc>,
    pub(crate) demand: Decimal,
    pub(crate) projected_demand: Decimal,
    pub(crate) available: Decimal,
    pub(crate) projected_overage: Decimal,
    pub(crate) projected_denied: Decimal,
    pub(crate) exhausts_at: Option<DateTime<Utc>>,
    /// Nothing is left to draw at as-of.
    pub(crate) exhausted: bool,
    pub(crate) projected_cycle_charges: Decimal,
    /// Projected overage units that have no price: never folded into
    /// `projected_cycle_charges` as zero.
    pub(crate) projected_unpriced_overage: Decimal,
    /// `max(0, extra − available)`: what the rest of the cycle will be
    /// denied or billed beyond what already was.
    pub(crate) projected_shortfall: Decimal,
    /// What the projection adds to the overage lines posting in the cycle.
    pub(crate) overage_lines: Vec<ProjectedOverage>,
    /// Overage units of the cycle that post after its end (their overage
    /// period closes later): counted in `projected_overage`, not in
    /// `projected_cycle_charges`.
    pub(crate) overage_posting_later: Decimal,
}

fn round_units(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(
            PROJECTED_UNIT_PLACES,
            RoundingStrategy::MidpointAwayFromZero,
        )
        .normalize()
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A span as exact decimal seconds (nanosecond precision): an as-of of a
/// bare date ends one nanosecond before midnight, and millisecond rounding
/// would move the projection.
fn seconds(duration: Duration) -> Decimal {
    match duration.num_nanoseconds() {
        Some(nanos) => Decimal::new(nanos, 9),
        None => Decimal::from(duration.num_seconds()),
    }
}

/// `value × numerator / denominator` exactly where it fits, else dividing
/// first (still 28 significant digits); `None` when the result itself is
/// beyond a decimal's range.
fn scale(value: Decimal, numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    value
        .checked_mul(numerator)
        .and_then(|product| product.checked_div(denominator))
        .or_else(|| {
            value
                .checked_div(denominator)
                .and_then(|quotient| quotient.checked_mul(numerator))
        })
}

/// `as_of + offset` rounded once, half up, to the whole second.
fn instant_after(as_of: DateTime<Utc>, offset: Decimal) -> DateTime<Utc> {
    let subsec = Decimal::new(i64::from(as_of.timestamp_subsec_nanos()), 9);
    let whole = as_of - Duration::nanoseconds(i64::from(as_of.timestamp_subsec_nanos()));
    let seconds =
        (subsec + offset).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let seconds: i64 = seconds.try_into().unwrap_or(i64::MAX / NANOS_PER_SECOND);
    Duration::try_seconds(seconds)
        .and_then(|offset| whole.checked_add_signed(offset))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Add the positions `(start, end]` of an overage period's count to the
/// graduated tiers they fall in.
fn add_by_tier(
    tiers: &[Tier],
    start: Decimal,
    end: Decimal,
    buckets: &mut [Decimal],
) -> Option<()> {
    let mut low = Decimal::ZERO;
    for (tier, bucket) in tiers.iter().zip(buckets.iter_mut()) {
        let high = tier.up_to;
        let top = high.map_or(end, |high| end.min(high));
        let part = top - start.max(low);
        if part > Decimal::ZERO {
            *bucket = bucket.checked_add(part)?;
        }
        match high {
            Some(high) if end > high => low = high,
            _ => break,
        }
    }
    Some(())
}

/// What the projection adds to one overage line posting in the cycle (or
/// the line it starts): the tier or price segment, and the units and money
/// added. By volume a period whose count reaches a further tier moves all
/// its units to that tier's price, so the addition to the line it leaves is
/// negative.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProjectedOverage {
    pub(crate) period_start: DateTime<Utc>,
    pub(crate) posted_at: DateTime<Utc>,
    pub(crate) basis: Basis,
    pub(crate) tier: Option<TierRange>,
    /// `None`: the plan gives these units no price.
    pub(crate) unit_price: Option<Decimal>,
    pub(crate) quantity: Decimal,
    /// `None` exactly when `unit_price` is.
    pub(crate) amount: Option<Decimal>,
}

/// The projected overage of the cycle, as it will post.
struct ProjectedOverageLines {
    /// The overage lines posting in the cycle, as projected, in full.
    cost: Decimal,
    /// Their units without a price, in full.
    unpriced: Decimal,
    /// What the projection adds to them, line by line.
    lines: Vec<ProjectedOverage>,
    /// Overage of the cycle's overage periods that post after its end (a
    /// calendar-month period still open at the cycle end): not in `cost`.
    later: Decimal,
}

/// The overage lines posting in `cycle` (ending after its start, at or
/// before its end), projected: each overage period's count and overage
/// continue from as-of at the cycle's rate (`extra` units spread evenly
/// over the rest of the cycle, the first `available` of them drawn from the
/// allowances), priced through the tiers or by the price in force; a
/// period starting after as-of counts from zero. `None`: beyond a
/// decimal's range.
fn projected_overage_lines(
    plan: &Plan,
    schedule: &Schedule,
    usage: &AccountUsage,
    cycle_number: usize,
    cycle: &Period,
    extra: Decimal,
    available: Decimal,
) -> Option<ProjectedOverageLines> {
    let as_of = schedule.as_of;
    let overage = &plan.overage;
    let rest = seconds(cycle.end - as_of);
    let last = cycle.end - Duration::nanoseconds(1);
    let periods = plan.subscription.term.periods_until(overage.period, last);
    let mut left = available;
    let mut projected = ProjectedOverageLines {
        cost: Decimal::ZERO,
        unpriced: Decimal::ZERO,
        lines: Vec::new(),
        later: Decimal::ZERO,
    };
    for (number, overage_period) in periods.iter().enumerate() {
        if overage_period.end <= cycle.start || overage_period.start >= cycle.end {
            continue;
        }
        let (so_far, metered_so_far) = match usage.overage_buckets.get(number) {
            Some(buckets) => (buckets.clone(), usage.overage_metered[number]),
            None => (vec![Decimal::ZERO; overage.buckets()], Decimal::ZERO),
        };
        let (mut buckets, mut metered) = (so_far.clone(), metered_so_far);
        let mut added = Decimal::ZERO;
        // The rest of the cycle inside the period, cut where a price changes.
        let from = overage_period.start.max(as_of);
        let to = overage_period.end.min(cycle.end);
        let mut cuts = vec![from];
        cuts.extend(
            overage
                .price_changes
                .iter()
                .map(|change| change.at)
                .filter(|at| from < *at && *at < to),
        );
        cuts.push(to);
        for pair in cuts.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            if end <= start || rest <= Decimal::ZERO {
                continue;
            }
            let units = scale(extra, seconds(end - start), rest)?;
            let covered = left.min(units);
            left -= covered;
            let over = units - covered;
            metered = metered.checked_add(units)?;
            if over <= Decimal::ZERO {
                continue;
            }
            added = added.checked_add(over)?;
            if !overage.tiers.is_empty() && overage.tier_mode == TierMode::Graduated {
                add_by_tier(&overage.tiers, metered - over, metered, &mut buckets)?;
            } else if overage.tiers.is_empty() {
                let bucket = overage
                    .price_changes
                    .partition_point(|change| change.at <= start);
                buckets[bucket] = buckets[bucket].checked_add(over)?;
            } else {
                buckets[0] = buckets[0].checked_add(over)?;
            }
        }
        if overage_period.end > cycle.end {
            // Posts after the cycle: its overage from the cycle's scans so
            // far (all of the period's, or the whole cycle's when the period
            // holds the cycle) and what the rest of the cycle adds.
            let before = if overage_period.start >= cycle.start {
                checked_sum(so_far.iter().copied())?
            } else {
                usage.cycle_overage[cycle_number]
            };
            projected.later = projected.later.checked_add(before)?.checked_add(added)?;
            continue;
        }
        let current = overage_splits(plan, &so_far, metered_so_far);
        let finals = overage_splits(plan, &buckets, metered);
        let key = |split: &OverageSplit| (split.bucket, split.tier.map(|tier| tier.number));
        let cost_of = |quantity: Decimal, price: Option<Decimal>| -> Option<Option<Decimal>> {
            match price {
                Some(price) => Some(Some(priced(quantity, price, plan.decimals)?)),
                None => Some(None),
            }
        };
        let addition =
            |split: &OverageSplit, quantity: Decimal, amount: Option<Decimal>| ProjectedOverage {
                period_start: overage_period.start,
                posted_at: overage_period.end,
                basis: Basis::OveragePeriod {
                    period: number,
                    bucket: split.bucket,
                },
                tier: split.tier,
                unit_price: split.unit_price,
                quantity,
                amount,
            };
        for split in &finals {
            let before = current.iter().find(|c| key(c) == key(split));
            // Only what the projection adds is an estimate, rounded; the
            // units so far stay exact (a fractional `up_to` may hold more
            // places, and rounding them would take units back).
            let quantity = match before {
                Some(before) => before
                    .quantity
                    .exact_add(round_units(split.quantity - before.quantity))?,
                None => round_units(split.quantity),
            };
            let amount = cost_of(quantity, split.unit_price)?;
            match amount {
                Some(amount) => projected.cost = projected.cost.exact_add(amount)?,
                None => projected.unpriced = projected.unpriced.exact_add(quantity)?,
            }
            let (quantity_before, amount_before) = match before {
                Some(before) => (
                    before.quantity,
                    cost_of(before.quantity, before.unit_price)?,
                ),
                None => (Decimal::ZERO, amount.map(|_| Decimal::ZERO)),
            };
            let line = addition(
                split,
                quantity - quantity_before,
                amount
                    .zip(amount_before)
                    .map(|(after, before)| unsigned_zero(after - before)),
            );
            if !line.quantity.is_zero() || line.amount.is_some_and(|a| !a.is_zero()) {
                projected.lines.push(line);
            }
        }
        // A volume period that moved to a further tier leaves its line.
        for split in current
            .iter()
            .filter(|c| !finals.iter().any(|f| key(f) == key(c)))
        {
            let amount = cost_of(split.quantity, split.unit_price)?;
            projected.lines.push(addition(
                split,
                -split.quantity,
                amount.map(|amount| unsigned_zero(-amount)),
            ));
        }
    }
    Some(projected)
}

/// `value`, with a zero written without its sign: a line leaving a tier
/// whose units cost less than a cent (-2 × 0.001) is `0.00`, never
/// `-0.00`, as every other amount is (`round_money`).
fn unsigned_zero(value: Decimal) -> Decimal {
    if value.is_zero() { value.abs() } else { value }
}

/// The projection for the cycle holding as-of, if as-of is strictly after
/// its start; `available` is the remaining units of every allowance at as-of.
/// A projected figure beyond a decimal's range is [`Error::Overflow`].
pub(crate) fn project(
    plan: &Plan,
    schedule: &Schedule,
    usage: &AccountUsage,
    charges: &Charges,
    available: Decimal,
) -> Result<Option<Projection>> {
    let as_of = schedule.as_of;
    let Some((cycle, period)) = schedule
        .cycles
        .iter()
        .enumerate()
        .find(|(_, period)| period.start < as_of && as_of < period.end)
    else {
        return Ok(None);
    };
    let overflow = |what: &str| {
        Error::overflow(
            format!(
                "account {}, period {}: projected {what}",
                usage.account,
                plan.zone.format(period.start)
            ),
            format!(
                "the projection scales the cycle's units so far to the whole cycle; give a later --as-of, or write smaller metering units or prices in {}",
                plan.file
            ),
        )
    };
    let elapsed = seconds(as_of - period.start);
    let length = seconds(period.end - period.start);
    let demand = usage.cycle_demand[cycle];
    let projected_demand = scale(demand, length, elapsed).ok_or_else(|| overflow("units"))?;
    let extra = projected_demand - demand;
    let shortfall = (extra - available).max(Decimal::ZERO);
    let (projected_overage, projected_denied) = match plan.overage.policy {
        OveragePolicy::Bill => (
            round_units(
                usage.cycle_overage[cycle]
                    .checked_add(shortfall)
                    .ok_or_else(|| overflow("overage units"))?,
            ),
            Decimal::ZERO,
        ),
        OveragePolicy::Deny => (
            Decimal::ZERO,
            round_units(
                usage.cycle_denied[cycle]
                    .checked_add(shortfall)
                    .ok_or_else(|| overflow("denied units"))?,
            ),
        ),
    };
    // as-of + available / rate, with rate = demand / elapsed; it lies
    // before the cycle end because available < extra = rate × (end − as-of).
    let exhausts_at = (extra > available && available > Decimal::ZERO && demand > Decimal::ZERO)
        .then(|| {
            // Below the cycle's length (available < extra), so it fits.
            let offset = scale(available, elapsed, demand).unwrap_or(length);
            instant_after(as_of, offset).min(period.end)
        });
    // The cycle's fixed lines and the cores days posted so far; future
    // cores days are not projected.
    let posted = checked_sum(
        charges
            .lines
            .iter()
            .filter(|line| {
                matches!(
                    line.kind,
                    ChargeKind::Allowance | ChargeKind::Topup | ChargeKind::Fee | ChargeKind::Cores
                ) && period.contains(line.period_start)
            })
            .map(|line| line.amount)
            // Lines certain to post later in the cycle (calendar-month
            // allowance periods, scheduled top-ups): part of its projected cost.
            .chain(
                still_to_come(plan, schedule, period)?
                    .iter()
                    .map(|line| line.amount),
            ),
    )
    .ok_or_else(|| overflow("cycle charges"))?;
    let (overage_cost, projected_unpriced_overage, overage_lines, overage_posting_later) =
        match plan.overage.policy {
            OveragePolicy::Bill => {
                let projected =
                    projected_overage_lines(plan, schedule, usage, cycle, period, extra, available)
                        .ok_or_else(|| {
                            overflow(if plan.overage.tiers.is_empty() {
                                "overage units × overage.unit_price"
                            } else {
                                "overage units × the overage tiers' unit_price"
                            })
                        })?;
                (
                    round_money(projected.cost, plan.decimals)
                        .ok_or_else(|| overflow("the projected overage's cost"))?,
                    projected.unpriced,
                    projected.lines,
                    round_units(projected.later),
                )
            }
            OveragePolicy::Deny => (Decimal::ZERO, Decimal::ZERO, Vec::new(), Decimal::ZERO),
        };
    let projected_cycle_charges = posted
        .exact_add(overage_cost)
        .and_then(|charges| round_money(charges, plan.decimals))
        .ok_or_else(|| overflow("cycle charges"))?;
    Ok(Some(Projection {
        cycle_start: period.start,
        cycle_end: period.end,
        demand,
        projected_demand: round_units(projected_demand),
        available,
        projected_overage,
        projected_denied,
        exhausts_at,
        exhausted: available.is_zero(),
        projected_cycle_charges,
        projected_unpriced_overage,
        projected_shortfall: round_units(shortfall),
        overage_lines,
        overage_posting_later,
    }))
}
