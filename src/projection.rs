//! Projection (SPEC §6): at the current rate, how much will this cycle need,
//! will it run out, and what will the cycle cost.

use crate::charges::{ChargeKind, Charges};
use crate::meter::{AccountUsage, Schedule};
use crate::numbers::round_money;
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
    pub projected_cycle_charges: Decimal,
}

fn round_units(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(
            PROJECTED_UNIT_PLACES,
            RoundingStrategy::MidpointAwayFromZero,
        )
        .normalize()
}

fn millis(duration: Duration) -> Decimal {
    Decimal::from(duration.num_milliseconds())
}

/// The projection for the cycle holding as-of, if as-of is strictly after
/// its start; `available` is the remaining units of every allowance at as-of.
pub fn project(
    plan: &Plan,
    schedule: &Schedule,
    usage: &AccountUsage,
    charges: &Charges,
    available: Decimal,
) -> Option<Projection> {
    let as_of = schedule.as_of;
    let (cycle, period) = schedule
        .cycles
        .iter()
        .enumerate()
        .find(|(_, period)| period.start < as_of && as_of < period.end)?;
    let elapsed = millis(as_of - period.start);
    let length = millis(period.end - period.start);
    let demand = usage.cycle_demand[cycle];
    let projected_demand = demand * length / elapsed;
    let extra = projected_demand - demand;
    let shortfall = (extra - available).max(Decimal::ZERO);
    let overage_so_far = usage.cycle_overage[cycle];
    let (projected_overage, projected_denied) = match plan.overage.policy {
        OveragePolicy::Bill => (round_units(overage_so_far + shortfall), Decimal::ZERO),
        OveragePolicy::Deny => (Decimal::ZERO, round_units(shortfall)),
    };
    let exhausts_at = (extra > available && demand > Decimal::ZERO).then(|| {
        // as-of + available / rate, with rate = demand / elapsed.
        let offset = (available * elapsed / demand)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let offset: i64 = offset.try_into().unwrap_or(i64::MAX);
        as_of + Duration::milliseconds(offset)
    });
    let exhausts_at = exhausts_at.map(|t| {
        // Whole seconds, rounded half up.
        let nanos = t.timestamp_subsec_millis();
        let whole = t - Duration::milliseconds(i64::from(nanos));
        if nanos >= 500 {
            whole + Duration::seconds(1)
        } else {
            whole
        }
    });
    let fixed: Decimal = charges
        .lines
        .iter()
        .filter(|line| {
            matches!(line.kind, ChargeKind::Allowance | ChargeKind::Fee)
                && period.contains(line.period_start)
        })
        .map(|line| line.amount)
        .sum();
    let overage_cost = match (plan.overage.policy, plan.overage.unit_price) {
        (OveragePolicy::Bill, Some(price)) => round_money(projected_overage * price, plan.decimals),
        _ => Decimal::ZERO,
    };
    Some(Projection {
        cycle_start: period.start,
        cycle_end: period.end,
        demand,
        projected_demand: round_units(projected_demand),
        available,
        projected_overage,
        projected_denied,
        exhausts_at,
        projected_cycle_charges: round_money(fixed + overage_cost, plan.decimals),
    })
}
