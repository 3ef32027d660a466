//! Projection (docs/plan.md#projection): at the current rate, how much will this cycle need,
//! will it run out, and what will the cycle cost.

use crate::domain::error::{Error, Result};
use crate::domain::numbers::{checked_sum, round_money};
use crate::engine::charges::{ChargeKind, Charges, still_to_come};
use crate::engine::meter::{AccountUsage, Schedule};
use crate::plan::{OveragePolicy, Plan};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

/// Projected units are rounded to this many places: they are estimates, and
/// an exact quotient would print 28 digits.
pub const PROJECTED_UNIT_PLACES: u32 = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub cycle_start: DateTime<Utc>,
    pub cycle_end: DateTime<Utc>,
    pub demand: Decimal,
    pub projected_demand: Decimal,
    pub available: Decimal,
    pub projected_overage: Decimal,
    pub projected_denied: Decimal,
    pub exhausts_at: Option<DateTime<Utc>>,
    /// Nothing is left to draw at as-of.
    pub exhausted: bool,
    pub projected_cycle_charges: Decimal,
    /// Projected overage units that have no price: never folded into
    /// `projected_cycle_charges` as zero.
    pub projected_unpriced_overage: Decimal,
    /// `max(0, extra − available)`: what the rest of the cycle will be
    /// denied or billed beyond what already was.
    pub projected_shortfall: Decimal,
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

/// The projection for the cycle holding as-of, if as-of is strictly after
/// its start; `available` is the remaining units of every allowance at as-of.
/// A projected figure beyond a decimal's range is [`Error::Overflow`].
pub fn project(
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
    let (overage_cost, projected_unpriced_overage) = match plan.overage.unit_price {
        Some(price) => (
            round_money(
                projected_overage
                    .checked_mul(price)
                    .ok_or_else(|| overflow("overage units × overage.unit_price"))?,
                plan.decimals,
            ),
            Decimal::ZERO,
        ),
        None => (Decimal::ZERO, projected_overage),
    };
    let projected_cycle_charges = posted
        .checked_add(overage_cost)
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
        projected_cycle_charges: round_money(projected_cycle_charges, plan.decimals),
        projected_unpriced_overage,
        projected_shortfall: round_units(shortfall),
    }))
}
