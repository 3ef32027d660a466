//! Purchase recommendations (`scanquota estimate`): for a per-cycle demand,
//! the smallest allowed purchase of each plan's last prepaid allowance that
//! avoids denial (`deny`) or minimises cost (`bill`), and the cost.

use crate::log::ScanLog;
use crate::meter::{ScanOutcome, Schedule};
use crate::numbers::round_money;
use crate::plan::{AllowanceKind, OveragePolicy, Plan};
use crate::replay::each_outcome;
use crate::report::{Money, Units};
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

pub const ESTIMATE_SCHEMA: &str = "scanquota.estimate.v2";

/// Scans per cycle (averages may be fractional).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Demand {
    pub first_scans: Units,
    pub repeat_scans: Units,
}

/// Which closed cycle's demand a purchase is sized for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeFor {
    /// The busiest closed cycle: a quota bought for it is never short.
    Peak,
    /// The average closed cycle.
    Mean,
}

/// One account's demand per closed cycle, both ways of sizing it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedDemand {
    pub account: String,
    pub cycles_observed: u64,
    pub peak: Demand,
    pub peak_units: Units,
    pub mean: Demand,
    pub mean_units: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The account sized (`--from-log`); `None` for a demand given by hand.
    pub account: Option<String>,
    /// The demand observed in the log, peak and mean (`--from-log`).
    pub observed: Option<ObservedDemand>,
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

/// One plan over every account: each account sized on its own (as the
/// report meters it), and their sum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanEstimate {
    pub plan: String,
    pub currency: String,
    pub accounts: Vec<Recommendation>,
    pub cost_per_cycle: Money,
    pub cost_over_months: Money,
    pub denied_per_cycle: Units,
    pub overage_per_cycle: Units,
    pub unpriced_overage: bool,
}

/// Plans priced in one currency, cheapest per cycle first; plans in
/// different currencies are never ranked against each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrencyGroup {
    pub currency: String,
    pub plans: Vec<PlanEstimate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub schema: &'static str,
    pub months: u32,
    /// `--from-log`: what each purchase was sized for.
    pub size_for: Option<SizeFor>,
    pub currencies: Vec<CurrencyGroup>,
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
        account: None,
        observed: None,
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

/// One plan's recommendations for every account, summed.
pub fn plan_estimate(plan: &Plan, accounts: Vec<Recommendation>) -> PlanEstimate {
    let zero = round_money(Decimal::ZERO, plan.decimals);
    PlanEstimate {
        plan: plan.name.clone(),
        currency: plan.currency.clone(),
        cost_per_cycle: Money(zero + accounts.iter().map(|a| a.cost_per_cycle.0).sum::<Decimal>()),
        cost_over_months: Money(
            zero + accounts
                .iter()
                .map(|a| a.cost_over_months.0)
                .sum::<Decimal>(),
        ),
        denied_per_cycle: Units(accounts.iter().map(|a| a.denied_per_cycle.0).sum()),
        overage_per_cycle: Units(accounts.iter().map(|a| a.overage_per_cycle.0).sum()),
        unpriced_overage: accounts.iter().any(|a| a.unpriced_overage),
        accounts,
    }
}

/// Group by currency (in the order first given), each group cheapest per
/// cycle first (then by name); plans whose overage has no price come last,
/// since their real cost is unknown.
pub fn rank(plans: Vec<PlanEstimate>, months: u32, size_for: Option<SizeFor>) -> Estimate {
    let mut currencies: Vec<CurrencyGroup> = Vec::new();
    for plan in plans {
        match currencies.iter_mut().find(|g| g.currency == plan.currency) {
            Some(group) => group.plans.push(plan),
            None => currencies.push(CurrencyGroup {
                currency: plan.currency.clone(),
                plans: vec![plan],
            }),
        }
    }
    for group in &mut currencies {
        group.plans.sort_by(|a, b| {
            (a.unpriced_overage, a.cost_per_cycle, &a.plan).cmp(&(
                b.unpriced_overage,
                b.cost_per_cycle,
                &b.plan,
            ))
        });
    }
    Estimate {
        schema: ESTIMATE_SCHEMA,
        months,
        size_for,
        currencies,
    }
}

/// Each account's first and repeat scans per closed cycle of the log under
/// `plan`, replayed with unlimited quota so denial does not hide demand:
/// the busiest cycle (by units) and the mean. Empty when no cycle has
/// closed by `as_of`.
pub fn demand_from_log(
    plan: &Plan,
    log: &ScanLog,
    as_of: DateTime<Utc>,
    account: Option<&str>,
) -> Vec<ObservedDemand> {
    let mut unlimited = plan.clone();
    unlimited.overage.policy = OveragePolicy::Bill;
    let schedule = Schedule::new(&unlimited, as_of);
    let closed = schedule.cycles.iter().filter(|c| c.end <= as_of).count();
    if closed == 0 {
        return Vec::new();
    }
    // Per account id, per closed cycle: (first, repeat).
    let mut counts: Vec<Vec<(u64, u64)>> = vec![vec![(0, 0); closed]; log.accounts.len()];
    let mut cycle_cursor = 0;
    each_outcome(&unlimited, log, &schedule, account, |event, result| {
        let Some(cycle) =
            crate::periods::advance_to(&schedule.cycles[..closed], &mut cycle_cursor, event.at)
        else {
            return;
        };
        let slot = &mut counts[event.account as usize][cycle];
        match result.outcome {
            ScanOutcome::First => slot.0 += 1,
            ScanOutcome::Repeat => slot.1 += 1,
            _ => {}
        }
    });
    let metering = &plan.metering;
    let units = |(first, repeat): (u64, u64)| {
        Decimal::from(first) * metering.first_scan_units
            + Decimal::from(repeat) * metering.repeat_scan_units
    };
    let cycles = Decimal::from(closed as u64);
    let average = |count: u64| {
        Units(
            (Decimal::from(count) / cycles)
                .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                .normalize(),
        )
    };
    let mut observed: Vec<ObservedDemand> = (0..log.accounts.len() as u32)
        .filter(|id| account.is_none_or(|a| a == log.accounts.name(*id)))
        .map(|id| {
            let per_cycle = &counts[id as usize];
            // The busiest cycle; the earliest of equals.
            let peak = per_cycle.iter().copied().fold((0, 0), |best, next| {
                if units(next) > units(best) {
                    next
                } else {
                    best
                }
            });
            let (first, repeat) = per_cycle
                .iter()
                .fold((0, 0), |(f, r), (nf, nr)| (f + nf, r + nr));
            let mean = Demand {
                first_scans: average(first),
                repeat_scans: average(repeat),
            };
            ObservedDemand {
                account: log.accounts.name(id).to_string(),
                cycles_observed: closed as u64,
                peak: Demand {
                    first_scans: Units(Decimal::from(peak.0)),
                    repeat_scans: Units(Decimal::from(peak.1)),
                },
                peak_units: Units(units(peak)),
                mean_units: Units(
                    mean.first_scans.0 * metering.first_scan_units
                        + mean.repeat_scans.0 * metering.repeat_scan_units,
                ),
                mean,
            }
        })
        .collect();
    observed.sort_by(|a, b| a.account.cmp(&b.account));
    observed
}
