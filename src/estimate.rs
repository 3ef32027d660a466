//! Purchase recommendations (SPEC §8 `estimate`): for a per-cycle demand,
//! the smallest allowed purchase of each plan's last prepaid allowance that
//! avoids denial (`deny`) or minimises cost (`bill`), and the cost.

use crate::log::ScanLog;
use crate::meter::{Outcome, Schedule, replay};
use crate::numbers::round_money;
use crate::plan::{AllowanceKind, OveragePolicy, Plan};
use crate::report::{Money, Units};
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

pub const ESTIMATE_SCHEMA: &str = "scanquota.estimate.v1";

/// Scans per cycle (averages may be fractional).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Demand {
    pub first_scans: Units,
    pub repeat_scans: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub plan: String,
    pub currency: String,
    /// Closed cycles the demand was averaged over (`--from-log`).
    pub cycles_observed: Option<u64>,
    pub demand: Demand,
    pub demand_units: Units,
    /// The allowance bought, and how many units of it.
    pub allowance: Option<String>,
    pub purchase: Option<Units>,
    pub unused_per_cycle: Units,
    pub overage_per_cycle: Units,
    pub denied_per_cycle: Units,
    pub unpriced_overage: bool,
    pub cost_per_cycle: Money,
    pub months: u32,
    pub cost_over_months: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub schema: &'static str,
    /// Cheapest per cycle first.
    pub plans: Vec<Recommendation>,
}

/// The purchases worth considering, smallest first: nothing at all, multiples
/// of `step` up to the first that covers `need`, and every `allowed` value.
/// Buying nothing is always allowed: free units may cover the demand, or
/// overage may be cheaper than a step of quota.
fn candidates(step: Option<Decimal>, allowed: &[Decimal], need: Decimal) -> Vec<Decimal> {
    let mut out: Vec<Decimal> = allowed.to_vec();
    out.push(Decimal::ZERO);
    if let Some(step) = step {
        let mut q = step;
        loop {
            out.push(q);
            if q >= need {
                break;
            }
            q += step;
        }
    }
    if step.is_none() && allowed.is_empty() {
        out.push(need.max(Decimal::ZERO));
    }
    out.sort();
    out.dedup();
    out
}

/// Recommend a purchase for `plan` under `demand`, costed over `months` cycles.
pub fn recommend(
    plan: &Plan,
    demand: Demand,
    months: u32,
    cycles_observed: Option<u64>,
) -> Recommendation {
    let metering = &plan.metering;
    let units = demand.first_scans.0 * metering.first_scan_units
        + demand.repeat_scans.0 * metering.repeat_scan_units;
    let last = plan
        .allowances
        .iter()
        .rposition(|a| a.kind == AllowanceKind::Prepaid);
    let money = |value: Decimal| round_money(value, plan.decimals);
    let mut fixed = Decimal::ZERO;
    let mut other_units = Decimal::ZERO;
    for (index, allowance) in plan.allowances.iter().enumerate() {
        if Some(index) != last {
            other_units += allowance.units;
            fixed += money(allowance.units * allowance.unit_price);
        }
    }
    fixed += plan
        .fees
        .iter()
        .map(|fee| money(fee.quantity * fee.unit_price))
        .sum::<Decimal>();
    let need = (units - other_units).max(Decimal::ZERO);
    let overage_price = plan.overage.unit_price;
    let bill = plan.overage.policy == OveragePolicy::Bill;
    let cost_of = |bought: Decimal, price: Decimal| -> Decimal {
        let short = (need - bought).max(Decimal::ZERO);
        let overage = match (bill, overage_price) {
            (true, Some(over)) => money(short * over),
            _ => Decimal::ZERO,
        };
        fixed + money(bought * price) + overage
    };
    let (allowance, bought) = match last {
        None => (None, Decimal::ZERO),
        Some(index) => {
            let allowance = &plan.allowances[index];
            let options = candidates(allowance.step, &allowance.allowed, need);
            let covering = options
                .iter()
                .copied()
                .find(|q| *q >= need)
                .or_else(|| options.last().copied());
            let choice = match (bill, overage_price) {
                (true, Some(_)) => options
                    .iter()
                    .copied()
                    .filter(|q| covering.is_none_or(|c| *q <= c))
                    .min_by_key(|q| (cost_of(*q, allowance.unit_price), *q)),
                _ => covering,
            };
            (Some(allowance), choice.unwrap_or(Decimal::ZERO))
        }
    };
    let price = allowance.map_or(Decimal::ZERO, |a| a.unit_price);
    let short = (need - bought).max(Decimal::ZERO);
    let cost = cost_of(bought, price);
    Recommendation {
        plan: plan.name.clone(),
        currency: plan.currency.clone(),
        cycles_observed,
        demand,
        demand_units: Units(units),
        allowance: allowance.map(|a| a.name.clone()),
        purchase: allowance.map(|_| Units(bought)),
        unused_per_cycle: Units((other_units + bought - units).max(Decimal::ZERO)),
        overage_per_cycle: Units(if bill { short } else { Decimal::ZERO }),
        denied_per_cycle: Units(if bill { Decimal::ZERO } else { short }),
        unpriced_overage: bill && overage_price.is_none() && !short.is_zero(),
        cost_per_cycle: Money(money(cost)),
        months,
        cost_over_months: Money(money(cost * Decimal::from(months))),
    }
}

/// Sort cheapest per cycle first (then by name); plans whose overage has no
/// price come last, since their real cost is unknown.
pub fn rank(mut plans: Vec<Recommendation>) -> Estimate {
    plans.sort_by(|a, b| {
        (a.unpriced_overage, a.cost_per_cycle, &a.plan).cmp(&(
            b.unpriced_overage,
            b.cost_per_cycle,
            &b.plan,
        ))
    });
    Estimate {
        schema: ESTIMATE_SCHEMA,
        plans,
    }
}

/// The average first and repeat scans per closed cycle of the log under
/// `plan`, replayed with unlimited quota so denial does not hide demand.
/// `None` when no cycle has closed by `as_of`.
pub fn demand_from_log(
    plan: &Plan,
    log: &ScanLog,
    as_of: DateTime<Utc>,
    account: Option<&str>,
) -> Option<(Demand, u64)> {
    let mut unlimited = plan.clone();
    unlimited.overage.policy = OveragePolicy::Bill;
    let schedule = Schedule::new(&unlimited, as_of);
    let closed: Vec<_> = schedule
        .cycles
        .iter()
        .filter(|c| c.end <= as_of)
        .copied()
        .collect();
    if closed.is_empty() {
        return None;
    }
    let (mut first, mut repeat) = (0u64, 0u64);
    replay(&unlimited, log, &schedule, account, |event, result| {
        if !closed.iter().any(|c| c.contains(event.at)) {
            return;
        }
        match result.outcome {
            Outcome::First => first += 1,
            Outcome::Repeat => repeat += 1,
            _ => {}
        }
    });
    let cycles = Decimal::from(closed.len() as u64);
    let average = |count: u64| {
        Units(
            (Decimal::from(count) / cycles)
                .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                .normalize(),
        )
    };
    Some((
        Demand {
            first_scans: average(first),
            repeat_scans: average(repeat),
        },
        closed.len() as u64,
    ))
}
