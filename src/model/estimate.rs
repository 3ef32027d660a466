//! Purchase recommendations (`scanquota estimate`): for a per-cycle demand,
//! the smallest allowed purchase of each plan's last prepaid allowance that
//! avoids denial (`deny`) or minimises cost (`bill`), and the cost.

use crate::domain::error::{Error, Result};
use crate::domain::numbers::{Exact, priced, round_money};
use crate::domain::periods::Period;
use crate::domain::values::{Money, Scans, Units};
use crate::engine::meter::{ScanOutcome, ScanResult, Schedule};
use crate::input::log::{ScanEvent, ScanLog};
use crate::plan::{AllowanceKind, OveragePolicy, Plan, TierMode, price_at};
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

pub(crate) const ESTIMATE_SCHEMA: &str = "scanquota.estimate.v2";

/// Scans per cycle (averages may be fractional).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Demand {
    pub(crate) first_scans: Scans,
    pub(crate) repeat_scans: Scans,
}

/// Which closed cycle's demand a purchase is sized for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SizeFor {
    /// The busiest closed cycle: a quota bought for it is never short.
    Peak,
    /// The average closed cycle.
    Mean,
}

/// One account's demand per closed cycle, both ways of sizing it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedDemand {
    pub(crate) account: String,
    pub cycles_observed: u64,
    pub peak: Demand,
    pub(crate) peak_units: Units,
    pub(crate) mean: Demand,
    pub(crate) mean_units: Units,
    /// The end of the observed window: the metering rule and the prices in
    /// force then size the purchase.
    #[serde(skip)]
    pub(crate) rules_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The account sized (`--from-log`); `None` for a demand given by hand.
    pub(crate) account: Option<String>,
    /// The demand observed in the log, peak and mean (`--from-log`).
    pub(crate) observed: Option<ObservedDemand>,
    pub(crate) plan: String,
    pub(crate) currency: String,
    /// Closed cycles the demand was averaged over (`--from-log`).
    pub(crate) cycles_observed: Option<u64>,
    pub(crate) demand: Demand,
    pub(crate) demand_units: Units,
    /// The allowance bought, and how many units of it.
    pub(crate) allowance: Option<String>,
    pub(crate) purchase: Option<Units>,
    pub(crate) unused_per_cycle: Units,
    pub(crate) overage_per_cycle: Units,
    pub(crate) denied_per_cycle: Units,
    pub(crate) unpriced_overage: bool,
    pub(crate) cost_per_cycle: Money,
    pub(crate) months: u32,
    pub(crate) cost_over_months: Money,
}

/// One plan over every account: each account sized on its own (as the
/// report meters it), and their sum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PlanEstimate {
    pub(crate) plan: String,
    pub(crate) currency: String,
    pub(crate) accounts: Vec<Recommendation>,
    pub(crate) cost_per_cycle: Money,
    pub(crate) cost_over_months: Money,
    pub(crate) denied_per_cycle: Units,
    pub(crate) overage_per_cycle: Units,
    pub(crate) unpriced_overage: bool,
}

/// Plans priced in one currency, cheapest per cycle first; plans in
/// different currencies are never ranked against each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CurrencyGroup {
    pub(crate) currency: String,
    pub(crate) plans: Vec<PlanEstimate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Estimate {
    pub(crate) schema: &'static str,
    pub(crate) months: u32,
    /// `--from-log`: what each purchase was sized for.
    pub(crate) size_for: Option<SizeFor>,
    pub(crate) currencies: Vec<CurrencyGroup>,
}

/// The purchases the enumeration would weigh, smallest first: nothing at
/// all, multiples of `step` up to the first that covers `need`, and every
/// `allowed` value. Kept for tests only (it holds every multiple, which is
/// billions for `step = 1` and a large demand): [`purchase`] finds the same
/// choice arithmetically.
#[cfg(test)]
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

/// The most multiples of `step` weighed next to each point where the cost
/// changes slope (see [`purchase`]).
const WINDOW_CAP: u64 = 1 << 16;

/// What a purchase is chosen from: the plan's allowance, the units it must
/// cover, and how a purchase is costed (`None`: beyond a decimal's range).
struct Purchase<'a> {
    step: Option<Decimal>,
    allowed: &'a [Decimal],
    need: Decimal,
    /// Set when overage is billed at known prices: the cheapest purchase is
    /// chosen, else the covering one.
    priced: Option<Priced>,
}

/// How a purchase's cost changes with it when overage is billed at prices.
struct Priced {
    /// The quota's unit price.
    price: Decimal,
    decimals: u32,
    /// From each purchase on (ascending, the first 0), the overage price one
    /// more unit bought saves: one segment for a single overage price, one
    /// per tier the overage's lowest position crosses for graduated tiers.
    /// `None`: a tier without a price, whose purchases have no known cost.
    segments: Vec<(Decimal, Option<Decimal>)>,
}

impl Purchase<'_> {
    /// The smallest purchase that covers `need` (the largest there is when
    /// none does): the one `deny` buys, and the largest `bill` weighs.
    /// `None`: the covering multiple of `step` is beyond a decimal's range.
    fn covering(&self) -> Option<Decimal> {
        let need = self.need;
        let mut best: Option<Decimal> = (need <= Decimal::ZERO).then_some(Decimal::ZERO);
        let mut keep = |q: Decimal| {
            if q >= need && best.is_none_or(|b| q < b) {
                best = Some(q);
            }
        };
        self.allowed.iter().copied().for_each(&mut keep);
        if let Some(step) = self.step {
            keep(step.checked_mul(self.multiples_to_cover(step)?)?);
        }
        if self.step.is_none() && self.allowed.is_empty() {
            keep(need.max(Decimal::ZERO));
        }
        Some(best.unwrap_or_else(|| {
            self.allowed
                .iter()
                .copied()
                .chain(std::iter::once(Decimal::ZERO))
                .max()
                .unwrap_or(Decimal::ZERO)
        }))
    }

    /// How many steps the first covering multiple is (at least one).
    fn multiples_to_cover(&self, step: Decimal) -> Option<Decimal> {
        Some(self.need.checked_div(step)?.ceil().max(Decimal::ONE))
    }
}

/// The purchase the enumeration of every candidate (nothing, each `allowed`
/// value, each multiple of `step` up to the covering one) would choose, found
/// in constant memory per segment: `deny` (or unpriced overage) buys the
/// smallest covering purchase; `bill` the cheapest purchase no larger than
/// it, the smallest of equals. `cost` is the purchase's cost, `None` when
/// beyond a decimal's range.
///
/// For multiples q = k × step at or below `need`, the cost is
/// round(q × price) plus the overage, whose rounded parts vary with q only
/// in the tier holding the overage's lowest position: within each segment of
/// [`Priced::segments`] it is within one money unit (10^-decimals) of a line
/// L(k) whose slope per step is step × (price − the segment's overage price).
/// Above `need` it is round(q × price), never falling as q grows, so only the
/// first multiple there counts. Along a segment's line, a multiple j steps
/// further from L's low end than another costs more once j × |slope| ≥ 2
/// money units, so only the first ceil(2 units / |slope|) + 1 multiples from
/// the low end can be cheapest: those are weighed (twice as many, for
/// rounding in the products), up to [`WINDOW_CAP`] of them from each end of
/// each segment. Only when the two prices differ by less than 4 money units
/// over 65536 steps can the cap bind, and then the choice costs at most 2
/// money units more than the cheapest.
fn purchase(p: &Purchase<'_>, cost: &dyn Fn(Decimal) -> Option<Decimal>) -> Result<Decimal, ()> {
    let covering = p.covering().ok_or(())?;
    let Some(priced) = &p.priced else {
        return Ok(covering);
    };
    let mut best: Option<(Decimal, Decimal)> = None;
    let mut weigh = |q: Decimal| {
        if q > covering {
            return;
        }
        if let Some(c) = cost(q)
            && best.is_none_or(|b| (c, q) < b)
        {
            best = Some((c, q));
        }
    };
    weigh(Decimal::ZERO);
    p.allowed.iter().copied().for_each(&mut weigh);
    match p.step {
        None => {
            if p.allowed.is_empty() {
                weigh(p.need.max(Decimal::ZERO));
                // Any amount may be bought: the cost is linear between the
                // segments' bounds (where the lowest overage position enters
                // another tier), so the cheapest lies on one of them.
                for &(from, _) in &priced.segments {
                    if from > Decimal::ZERO && from < p.need {
                        weigh(from);
                    }
                }
            }
        }
        Some(step) => {
            // Multiples k × step for k in 1..=last, none above the covering purchase.
            // need / step fits: the covering multiple did.
            let steps = p.need / step;
            let last = p
                .multiples_to_cover(step)
                .ok_or(())?
                .min((covering / step).floor());
            if last >= Decimal::ONE {
                let below = steps.floor().min(last);
                let unit = Decimal::new(1, priced.decimals);
                let mut run = |from: Decimal, to: Decimal| {
                    let mut k = from.max(Decimal::ONE);
                    while k <= to {
                        weigh(k * step);
                        k += Decimal::ONE;
                    }
                };
                for (index, &(from, overage_price)) in priced.segments.iter().enumerate() {
                    let to = priced
                        .segments
                        .get(index + 1)
                        .map_or(p.need, |&(next, _)| next);
                    // The segment's multiples, one more each side for the
                    // last digit a quotient may round away.
                    let low = ((from / step).ceil() - Decimal::ONE).max(Decimal::ONE);
                    let high = ((to / step).floor() + Decimal::ONE).min(below);
                    let Some(overage_price) = overage_price else {
                        // Its purchases leave overage without a price.
                        continue;
                    };
                    if low > high {
                        continue;
                    }
                    // Two money units, doubled for the last digit a product of
                    // 28 significant digits may round away.
                    let window = match step.checked_mul((priced.price - overage_price).abs()) {
                        Some(slope) if slope.is_zero() => Decimal::from(WINDOW_CAP),
                        Some(slope) => (unit * Decimal::from(4) / slope)
                            .ceil()
                            .saturating_add(Decimal::ONE)
                            .min(Decimal::from(WINDOW_CAP)),
                        None => Decimal::ONE,
                    };
                    // The low end of L is the segment's first or last
                    // multiple, as the slope says; both ends are weighed,
                    // each with its window.
                    run(low, (low + window).min(high));
                    run((high - window).max(low), high);
                }
                // The first multiple at or above need.
                let above = steps.ceil().max(Decimal::ONE);
                if above <= last {
                    weigh(above * step);
                }
            }
        }
    }
    // No purchase has a known cost (overage without a price, none covering):
    // the covering one, as when the overage is unpriced.
    Ok(best.map_or(covering, |(_, q)| q))
}

/// Recommend a purchase for `plan` under `demand`, costed over `months`
/// cycles, by the plan's latest metering rule and prices in force during
/// the term (a change at or after its end never applies). A demand or cost
/// beyond a decimal's range is [`Error::Overflow`] (or [`Error::Option`]
/// naming the option that gave the demand).
pub fn recommend(
    plan: &Plan,
    demand: Demand,
    months: u32,
    cycles_observed: Option<u64>,
) -> Result<Recommendation> {
    let last = plan
        .subscription
        .term
        .end
        .map_or(DateTime::<Utc>::MAX_UTC, |end| {
            end - chrono::TimeDelta::nanoseconds(1)
        });
    recommend_with(plan, demand, months, cycles_observed, last, purchase)
}

/// [`recommend`] by the metering rule and prices in force at `at` (the end
/// of the observed window).
pub(crate) fn recommend_at(
    plan: &Plan,
    demand: Demand,
    months: u32,
    cycles_observed: Option<u64>,
    at: DateTime<Utc>,
) -> Result<Recommendation> {
    recommend_with(plan, demand, months, cycles_observed, at, purchase)
}

/// The cost of `short` overage units at the top of a cycle's `units`
/// metered units, through graduated tiers, each tier's part rounded as its
/// line is; `None` beyond a decimal's range, or `Some(None)` when a tier it
/// reaches has no price.
fn graduated_cost(plan: &Plan, units: Decimal, short: Decimal) -> Option<Option<Decimal>> {
    if short <= Decimal::ZERO {
        return Some(Some(Decimal::ZERO));
    }
    let (start, end) = (units - short, units);
    let mut low = Decimal::ZERO;
    let mut cost = Decimal::ZERO;
    for tier in &plan.overage.tiers {
        let top = tier.up_to.map_or(end, |high| end.min(high));
        let part = top - start.max(low);
        if part > Decimal::ZERO {
            let Some(price) = tier.unit_price else {
                return Some(None);
            };
            cost = cost.exact_add(priced(part, price, plan.decimals)?)?;
        }
        match tier.up_to {
            Some(high) if end > high => low = high,
            _ => break,
        }
    }
    Some(Some(cost))
}

/// The segments of the purchase along which graduated tiers price the
/// overage's lowest unit alike: for each tier that position can fall in
/// (from `units − need` with nothing bought, up to `units`), the purchase
/// that brings it there and the tier's price.
fn graduated_segments(
    plan: &Plan,
    units: Decimal,
    need: Decimal,
) -> Vec<(Decimal, Option<Decimal>)> {
    let base = units - need;
    let mut low = Decimal::ZERO;
    let mut segments = Vec::new();
    for tier in &plan.overage.tiers {
        let from = (low - base).max(Decimal::ZERO);
        let reaches = tier.up_to.is_none_or(|high| high > base);
        if reaches && from < need {
            segments.push((from, tier.unit_price));
        }
        match tier.up_to {
            Some(high) => low = high,
            None => break,
        }
    }
    segments
}

/// How a purchase is chosen: [`purchase`], or in tests the enumeration.
type Chooser = fn(&Purchase<'_>, &dyn Fn(Decimal) -> Option<Decimal>) -> Result<Decimal, ()>;

fn recommend_with(
    plan: &Plan,
    demand: Demand,
    months: u32,
    cycles_observed: Option<u64>,
    at: DateTime<Utc>,
    choose: Chooser,
) -> Result<Recommendation> {
    // The rule in force at `at`.
    let (first_scan_units, repeat_scan_units, _) = plan.metering.rule_at(at);
    let by_hand = cycles_observed.is_none();
    let too_much = |option: &'static str, value: Scans, key: &str| {
        if by_hand {
            Error::Option {
                option,
                value: value.to_string(),
                fix: format!(
                    "times metering.{key} of {} exceeds the largest amount scanquota can hold exactly (about 7.9e28 written whole, a tenth of that for each decimal place); give a smaller number",
                    plan.file
                ),
            }
        } else {
            Error::overflow(
                format!(
                    "the demand observed in the log × metering.{key} of {}",
                    plan.file
                ),
                "write smaller metering units",
            )
        }
    };
    let first = demand
        .first_scans
        .exact_units(first_scan_units)
        .ok_or_else(|| too_much("--first-scans", demand.first_scans, "first_scan_units"))?
        .value();
    let repeat = demand
        .repeat_scans
        .exact_units(repeat_scan_units)
        .ok_or_else(|| too_much("--repeat-scans", demand.repeat_scans, "repeat_scan_units"))?
        .value();
    let units = first.exact_add(repeat).ok_or_else(|| {
        Error::overflow(
            format!("the demand's first and repeat units under {}", plan.file),
            "give a smaller demand",
        )
    })?;
    let last = plan
        .allowances
        .iter()
        .rposition(|a| a.kind == AllowanceKind::Prepaid);
    let plan_overflow = |what: String| Error::overflow(what, "write smaller units or prices");
    let mut fixed = Decimal::ZERO;
    let mut other_units = Decimal::ZERO;
    for (index, allowance) in plan.allowances.iter().enumerate() {
        if Some(index) != last {
            let what = || {
                plan_overflow(format!(
                    "{}: [[allowance]] {}: units × unit_price, summed with the plan's other fixed charges",
                    plan.file, allowance.name
                ))
            };
            other_units = other_units.exact_add(allowance.units).ok_or_else(what)?;
            let line =
                priced(allowance.units, allowance.price_at(at), plan.decimals).ok_or_else(what)?;
            fixed = fixed.exact_add(line).ok_or_else(what)?;
        }
    }
    for fee in &plan.fees {
        let what = || {
            plan_overflow(format!(
                "{}: [[fee]] {}: quantity × unit_price, summed with the plan's other fixed charges",
                plan.file, fee.name
            ))
        };
        let line = priced(fee.quantity, fee.unit_price, plan.decimals).ok_or_else(what)?;
        fixed = fixed.exact_add(line).ok_or_else(what)?;
    }
    let need = (units - other_units).max(Decimal::ZERO);
    let overage = &plan.overage;
    let graduated = !overage.tiers.is_empty() && overage.tier_mode == TierMode::Graduated;
    // One price for every overage unit: the one in force at `at`, or by
    // volume the tier the cycle's units reach; graduated tiers are priced
    // unit by unit (`None` here).
    let overage_price = if overage.tiers.is_empty() {
        match overage.unit_price {
            base if overage.price_changes.is_empty() => base,
            base => match overage.price_changes.partition_point(|c| c.at <= at) {
                0 => base,
                _ => Some(price_at(Decimal::ZERO, &overage.price_changes, at)),
            },
        }
    } else if graduated {
        None
    } else {
        overage.tiers[overage.tier_of(units)].unit_price
    };
    let bill = overage.policy == OveragePolicy::Bill;
    // The cost of buying `bought` at `price`, `None` beyond a decimal's
    // range; with `known`, also `None` when graduated overage reaches a tier
    // without a price (its cost is unknown, so it is never chosen), else such
    // units count 0 and the recommendation says they are unpriced.
    let cost_with = |bought: Decimal, price: Decimal, known: bool| -> Option<Decimal> {
        let short = (need - bought).max(Decimal::ZERO);
        let overage = match (bill, overage_price) {
            (true, _) if graduated => match graduated_cost(plan, units, short)? {
                Some(cost) => cost,
                None if known => return None,
                None => Decimal::ZERO,
            },
            (true, Some(over)) => priced(short, over, plan.decimals)?,
            _ => Decimal::ZERO,
        };
        fixed
            .exact_add(priced(bought, price, plan.decimals)?)?
            .exact_add(overage)
    };
    let cost_of = |bought: Decimal, price: Decimal| cost_with(bought, price, false);
    let cost_overflow = || {
        plan_overflow(format!(
            "the cost of the demand's purchase under {} (quota and overage units × their prices)",
            plan.file
        ))
    };
    let (allowance, bought) = match last {
        None => (None, Decimal::ZERO),
        Some(index) => {
            let allowance = &plan.allowances[index];
            let price = allowance.price_at(at);
            let segments = match (bill, overage_price) {
                (true, Some(over)) => Some(vec![(Decimal::ZERO, Some(over))]),
                (true, _) if graduated => Some(graduated_segments(plan, units, need)),
                _ => None,
            };
            let wanted = Purchase {
                step: allowance.step,
                allowed: &allowance.allowed,
                need,
                priced: segments.map(|segments| Priced {
                    price,
                    decimals: plan.decimals,
                    segments,
                }),
            };
            let bought =
                choose(&wanted, &|q| cost_with(q, price, true)).map_err(|()| cost_overflow())?;
            // A multiple of a fine step near a decimal's 28 digits rounds off
            // the step: refuse it rather than recommend what cannot be bought.
            if !bought.is_zero() && !allowance.accepts(bought) {
                return Err(Error::overflow(
                    format!(
                        "{}: [[allowance]] {}: a purchase of about {} units in steps of {}",
                        plan.file,
                        allowance.name,
                        bought.round(),
                        allowance.step.map_or(Decimal::ZERO, |s| s.normalize())
                    ),
                    "needs more than 28 significant digits; write a coarser step or give a smaller demand",
                ));
            }
            (Some(allowance), bought)
        }
    };
    let price = allowance.map_or(Decimal::ZERO, |a| a.price_at(at));
    let short = (need - bought).max(Decimal::ZERO);
    let cost = cost_of(bought, price)
        .and_then(|cost| round_money(cost, plan.decimals))
        .ok_or_else(cost_overflow)?;
    // No plan can hold a purchase past a plan value's largest (`plan check`
    // refuses `units` above it): say so rather than recommend one.
    if let Some(allowance) = allowance
        && bought > crate::domain::numbers::MAX_VALUE
    {
        let fix = if by_hand {
            "give a smaller demand"
        } else {
            "meter the account's scans as several accounts"
        };
        return Err(Error::Usage(format!(
            "the demand needs {} units a cycle of [[allowance]] {} in {}, more than any plan holds (10^12 units); {fix}",
            bought.normalize(),
            allowance.name,
            plan.file,
        )));
    }
    let over_months = cost
        .exact_mul(Decimal::from(months))
        .and_then(|over_months| round_money(over_months, plan.decimals))
        .ok_or_else(|| {
            Error::Option {
                option: "--months",
                value: months.to_string(),
                fix: format!(
                    "times the cost per cycle under {} exceeds the largest amount scanquota can hold exactly (about 7.9e28 written whole, a tenth of that for each decimal place); give fewer months",
                    plan.file
                ),
            }
        })?;
    Ok(Recommendation {
        account: None,
        observed: None,
        plan: plan.name.clone(),
        currency: plan.currency.clone(),
        cycles_observed,
        demand,
        demand_units: Units::new(units),
        allowance: allowance.map(|a| a.name.clone()),
        purchase: allowance.map(|_| Units::new(bought)),
        unused_per_cycle: Units::new(
            (other_units.checked_add(bought).ok_or_else(cost_overflow)? - units).max(Decimal::ZERO),
        ),
        overage_per_cycle: Units::new(if bill { short } else { Decimal::ZERO }),
        denied_per_cycle: Units::new(if bill { Decimal::ZERO } else { short }),
        unpriced_overage: bill
            && !short.is_zero()
            && if graduated {
                graduated_cost(plan, units, short).is_some_and(|c| c.is_none())
            } else {
                overage_price.is_none()
            },
        cost_per_cycle: Money::new(cost),
        months,
        cost_over_months: Money::new(over_months),
    })
}

/// One plan's recommendations for every account, summed; a sum beyond a
/// decimal's range is [`Error::Overflow`].
pub(crate) fn plan_estimate(plan: &Plan, accounts: Vec<Recommendation>) -> Result<PlanEstimate> {
    let zero = Money::zero(plan.decimals);
    let overflow = |what: &'static str| {
        move || {
            Error::overflow(
                format!("{}: the {what} summed over every account", plan.file),
                "estimate fewer accounts at a time with --account",
            )
        }
    };
    let money = |field: fn(&Recommendation) -> Money, what: &'static str| {
        Money::sum(accounts.iter().map(field), overflow(what)).map(|sum| zero + sum)
    };
    let units = |field: fn(&Recommendation) -> Units, what: &'static str| {
        Units::sum(accounts.iter().map(field), overflow(what))
    };
    Ok(PlanEstimate {
        plan: plan.name.clone(),
        currency: plan.currency.clone(),
        cost_per_cycle: money(|a| a.cost_per_cycle, "cost per cycle")?,
        cost_over_months: money(|a| a.cost_over_months, "cost over months")?,
        denied_per_cycle: units(|a| a.denied_per_cycle, "denied units")?,
        overage_per_cycle: units(|a| a.overage_per_cycle, "overage units")?,
        unpriced_overage: accounts.iter().any(|a| a.unpriced_overage),
        accounts,
    })
}

/// Group by currency (in the order first given), each group cheapest per
/// cycle first (then by name); plans that deny part of the demand come
/// after those that cover it (their cost buys less: 90 % of the scans
/// refused looked cheapest), and plans whose overage has no price last,
/// since their real cost is unknown.
pub(crate) fn rank(plans: Vec<PlanEstimate>, months: u32, size_for: Option<SizeFor>) -> Estimate {
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
        let denies = |plan: &PlanEstimate| !plan.denied_per_cycle.is_zero();
        group.plans.sort_by(|a, b| {
            (a.unpriced_overage, denies(a), a.cost_per_cycle, &a.plan).cmp(&(
                b.unpriced_overage,
                denies(b),
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

/// The plan demand is observed under: `plan` with unlimited quota, so
/// denial does not hide demand.
pub fn unlimited(plan: &Plan) -> Plan {
    let mut unlimited = plan.clone();
    unlimited.overage.policy = OveragePolicy::Bill;
    unlimited
}

/// Each account's first and repeat scans per closed cycle, counted as a
/// replay under [`unlimited`] hands them over.
pub struct DemandTally {
    /// The cycles closed by as-of.
    cycles: Vec<Period>,
    cursor: usize,
    /// Per account id, per closed cycle: (first, repeat).
    counts: Vec<Vec<(u64, u64)>>,
    /// Account names by id.
    names: Vec<String>,
    /// The plan's metering rules: a metered failed scan is a first or a
    /// repeat scan by the units the rule in force gave it.
    metering: crate::plan::Metering,
}

impl DemandTally {
    pub fn new(schedule: &Schedule, metering: &crate::plan::Metering) -> Self {
        let cycles = schedule
            .cycles
            .iter()
            .filter(|c| c.end <= schedule.as_of)
            .cloned()
            .collect();
        DemandTally {
            cycles,
            cursor: 0,
            counts: Vec::new(),
            names: Vec::new(),
            metering: metering.clone(),
        }
    }

    /// One scan of the replay.
    pub fn observe(&mut self, log: &ScanLog, event: &ScanEvent, result: &ScanResult<'_>) {
        let Some(cycle) =
            crate::domain::periods::advance_to(&self.cycles, &mut self.cursor, event.at)
        else {
            return;
        };
        self.seen(log, event.account);
        let slot = &mut self.counts[event.account as usize][cycle];
        match result.outcome {
            ScanOutcome::First => slot.0 += 1,
            ScanOutcome::Repeat => slot.1 += 1,
            // A failed scan the rule in force meters (`count_failed`) is
            // demand too: billed as a first scan, or a repeat one, by
            // whether its image had history, which its units tell (equal
            // units make it a first scan: the same units either way).
            ScanOutcome::Failed if !result.units().is_zero() => {
                let (first_units, _, _) = self.metering.rule_at(event.at);
                if result.units() == first_units {
                    slot.0 += 1;
                } else {
                    slot.1 += 1;
                }
            }
            _ => {}
        }
    }

    /// Make room for account `id` and the ones before it.
    fn seen(&mut self, log: &ScanLog, id: u32) {
        while self.counts.len() <= id as usize {
            self.names
                .push(log.accounts.name(self.counts.len() as u32).to_string());
            self.counts.push(vec![(0, 0); self.cycles.len()]);
        }
    }

    /// The busiest cycle (by units) and the mean of each of `accounts`
    /// (every account of the logs; only `account`, if given). Empty when no
    /// cycle has closed. Units beyond a decimal's range are
    /// [`Error::Overflow`].
    pub fn demand(
        self,
        plan: &Plan,
        accounts: &[String],
        account: Option<&str>,
    ) -> Result<Vec<ObservedDemand>> {
        let closed = self.cycles.len();
        if closed == 0 {
            return Ok(Vec::new());
        }
        let none = vec![(0, 0); closed];
        let counted_of = |name: &str| {
            self.names
                .iter()
                .position(|seen| seen == name)
                .map_or(&none, |id| &self.counts[id])
        };
        // The end of the observed window, and the metering rule in force then.
        let rules_at = self.cycles[closed - 1].end;
        let (first_scan_units, repeat_scan_units, _) = plan.metering.rule_at(rules_at);
        // Units of (first, repeat) scans; `None` beyond a decimal's range
        // or where they could not be held exactly.
        let units = |first: Decimal, repeat: Decimal| {
            first
                .exact_mul(first_scan_units)?
                .exact_add(repeat.exact_mul(repeat_scan_units)?)
        };
        let counted =
            |(first, repeat): (u64, u64)| units(Decimal::from(first), Decimal::from(repeat));
        let cycles = Decimal::from(closed as u64);
        let average = |count: u64| {
            Scans::new(
                (Decimal::from(count) / cycles)
                    .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                    .normalize(),
            )
        };
        let mut observed = Vec::new();
        for name in accounts {
            if account.is_some_and(|a| a != name) {
                continue;
            }
            let overflow = || {
                Error::overflow(
                    format!(
                        "account {name}: the units of its scans per cycle (scans × metering units of {})",
                        plan.file
                    ),
                    "write smaller metering units",
                )
            };
            let per_cycle = counted_of(name);
            // The busiest cycle; the earliest of equals.
            let mut peak = (0, 0);
            let mut peak_units = Decimal::ZERO;
            for next in per_cycle.iter().copied() {
                let next_units = counted(next).ok_or_else(overflow)?;
                if next_units > peak_units {
                    (peak, peak_units) = (next, next_units);
                }
            }
            let (first, repeat) = per_cycle.iter().fold((0u64, 0u64), |(f, r), (nf, nr)| {
                (f.saturating_add(*nf), r.saturating_add(*nr))
            });
            let mean = Demand {
                first_scans: average(first),
                repeat_scans: average(repeat),
            };
            observed.push(ObservedDemand {
                account: name.to_string(),
                cycles_observed: closed as u64,
                peak: Demand {
                    first_scans: Scans::new(Decimal::from(peak.0)),
                    repeat_scans: Scans::new(Decimal::from(peak.1)),
                },
                peak_units: Units::new(peak_units),
                mean_units: Units::new(
                    units(mean.first_scans.value(), mean.repeat_scans.value())
                        .ok_or_else(overflow)?,
                ),
                mean,
                rules_at,
            });
        }
        observed.sort_by(|a, b| a.account.cmp(&b.account));
        Ok(observed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The choice as the enumeration of every candidate made it, before
    /// [`purchase`]: the reference the closed form must agree with.
    fn enumerated(
        p: &Purchase<'_>,
        cost: &dyn Fn(Decimal) -> Option<Decimal>,
    ) -> Result<Decimal, ()> {
        let mut options = candidates(p.step, p.allowed, p.need);
        if p.step.is_none() && p.allowed.is_empty() {
            // Any amount may be bought: the amounts where the overage's
            // lowest position enters another tier are the candidates.
            if let Some(priced) = &p.priced {
                options.extend(
                    priced
                        .segments
                        .iter()
                        .map(|&(from, _)| from)
                        .filter(|from| *from > Decimal::ZERO && *from < p.need),
                );
                options.sort();
                options.dedup();
            }
        }
        let covering = options
            .iter()
            .copied()
            .find(|q| *q >= p.need)
            .or_else(|| options.last().copied());
        let choice = match p.priced {
            Some(_) => options
                .iter()
                .copied()
                .filter(|q| covering.is_none_or(|c| *q <= c))
                .filter_map(|q| Some((cost(q)?, q)))
                .min()
                .map(|(_, q)| q)
                .or(covering),
            None => covering,
        };
        Ok(choice.unwrap_or(Decimal::ZERO))
    }

    fn decimal(mantissa: u64, scale: u32) -> String {
        Decimal::new(mantissa as i64, scale).to_string()
    }

    prop_compose! {
        /// A small plan: one free or prepaid allowance before the one bought,
        /// a step and/or allowed list, prices that are often equal or close.
        fn small_plan()(
            decimals in 0u32..4,
            step in prop::option::of((1u64..40, 0u32..3)),
            allowed in prop::collection::vec((0u64..400, 0u32..2), 0..4),
            price in (0u64..500, 0u32..4),
            over in prop::option::of((0u64..500, 0u32..4)),
            same_price in prop::bool::weighted(0.1),
            bill in any::<bool>(),
            other in prop::option::of((0u64..50, 0u64..300)),
            fee in prop::option::of((1u64..5, 0u64..1000)),
            first_units in (1u64..30, 0u32..2),
            repeat_units in (0u64..30, 0u32..2),
        ) -> String {
            let mut text = format!(
                "name = \"p\"\ndecimals = {decimals}\n[subscription]\nstart = 2024-01-01T00:00:00Z\n[metering]\nfirst_scan_units = {}\nrepeat_scan_units = {}\n",
                decimal(first_units.0, first_units.1),
                decimal(repeat_units.0, repeat_units.1),
            );
            if let Some((units, price)) = other {
                text += &format!("[[allowance]]\nname = \"other\"\nunits = {units}\nunit_price = {}\n", decimal(price, 2));
            }
            let price_text = decimal(price.0, price.1);
            let step_text = step.map(|(m, s)| decimal(m, s));
            let allowed_text: Vec<String> = allowed.iter().map(|(m, s)| decimal(*m, *s)).collect();
            // The allowance's own units must be purchasable.
            let units = step_text.clone().or_else(|| allowed_text.first().cloned()).unwrap_or_else(|| "10".into());
            text += &format!("[[allowance]]\nname = \"quota\"\nunits = {units}\nunit_price = {price_text}\n");
            if let Some(step) = &step_text {
                text += &format!("step = {step}\n");
            }
            if !allowed_text.is_empty() {
                text += &format!("allowed = [{}]\n", allowed_text.join(", "));
            }
            if bill {
                text += "[overage]\npolicy = \"bill\"\n";
                match (over, same_price) {
                    (Some(_), true) => text += &format!("unit_price = {price_text}\n"),
                    (Some((m, s)), false) => text += &format!("unit_price = {}\n", decimal(m, s)),
                    (None, _) => {}
                }
            }
            if let Some((quantity, price)) = fee {
                text += &format!("[[fee]]\nname = \"f\"\nquantity = {quantity}\nunit_price = {}\n", decimal(price, 2));
            }
            text
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The closed form recommends exactly what the enumeration did.
        #[test]
        fn closed_form_matches_the_enumeration(
            plan in small_plan(),
            first in (0u64..6_000, 0u32..2),
            repeat in (0u64..6_000, 0u32..2),
            months in 1u32..24,
        ) {
            let plan = Plan::from_str("plan.toml", &plan).expect("a valid plan");
            let demand = Demand {
                first_scans: Scans::new(Decimal::new(first.0 as i64, first.1)),
                repeat_scans: Scans::new(Decimal::new(repeat.0 as i64, repeat.1)),
            };
            let closed = recommend(&plan, demand, months, None).expect("small cases fit");
            let reference = recommend_with(&plan, demand, months, None, DateTime::<Utc>::MAX_UTC, enumerated).expect("small cases fit");
            prop_assert_eq!(closed, reference);
        }
    }

    prop_compose! {
        /// [`small_plan`] billing its overage through graduated tiers: up to
        /// four, ascending, some at the quota's price, some at 0 or unpriced.
        fn tiered_plan()(
            plan in small_plan(),
            bounds in prop::collection::vec((1u64..2_000, 0u32..2), 0..4),
            prices in prop::collection::vec(prop::option::weighted(0.85, (0u64..500, 0u32..4)), 4),
        ) -> String {
            let price = plan
                .split("[[allowance]]\nname = \"quota\"")
                .nth(1)
                .and_then(|quota| quota.split("unit_price = ").nth(1))
                .and_then(|rest| rest.lines().next())
                .expect("the quota's price")
                .to_string();
            let mut text = match plan.split_once("[overage]") {
                Some((head, _)) => head.to_string(),
                None => plan.split("[[fee]]").next().unwrap().to_string(),
            };
            text += "[overage]\npolicy = \"bill\"\n";
            let mut up_to = Decimal::ZERO;
            for (i, price_of) in prices.iter().enumerate().take(bounds.len() + 1) {
                text += "[[overage.tier]]\n";
                if let Some((m, s)) = bounds.get(i) {
                    up_to += Decimal::new(*m as i64, *s);
                    text += &format!("up_to = {up_to}\n");
                }
                match price_of {
                    Some((m, _)) if m % 5 == 0 => text += &format!("unit_price = {price}\n"),
                    Some((m, s)) => text += &format!("unit_price = {}\n", decimal(*m, *s)),
                    None => {}
                }
            }
            if let Some((_, fee)) = plan.split_once("[[fee]]") {
                text += &format!("[[fee]]{fee}");
            }
            text
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Through graduated tiers the search recommends what the
        /// enumeration of every candidate does: the cheapest purchase with a
        /// known cost up to the covering one, the smallest of equals.
        #[test]
        fn graduated_search_matches_the_enumeration(
            plan in tiered_plan(),
            first in (0u64..6_000, 0u32..2),
            repeat in (0u64..6_000, 0u32..2),
        ) {
            let plan = Plan::from_str("plan.toml", &plan).expect("a valid plan");
            let demand = Demand {
                first_scans: Scans::new(Decimal::new(first.0 as i64, first.1)),
                repeat_scans: Scans::new(Decimal::new(repeat.0 as i64, repeat.1)),
            };
            let searched = recommend(&plan, demand, 12, None).expect("small cases fit");
            let reference = recommend_with(&plan, demand, 12, None, DateTime::<Utc>::MAX_UTC, enumerated).expect("small cases fit");
            prop_assert_eq!(searched, reference);
        }
    }

    /// Equal prices (a flat cost line) with a step of 1: the cap on the
    /// window still finds the enumeration's choice on a modest demand.
    #[test]
    fn flat_costs_agree_with_the_enumeration() {
        let plan = Plan::from_str(
            "plan.toml",
            "name = \"p\"\ndecimals = 2\n[subscription]\nstart = 2024-01-01T00:00:00Z\n[[allowance]]\nname = \"quota\"\nunits = 1\nunit_price = 0.003\nstep = 1\n[overage]\npolicy = \"bill\"\nunit_price = 0.003\n",
        )
        .unwrap();
        for first in [0, 1, 2, 3, 7, 100, 333, 1000, 4321] {
            let demand = Demand {
                first_scans: Scans::new(Decimal::from(first)),
                repeat_scans: Scans::new(Decimal::ZERO),
            };
            assert_eq!(
                recommend(&plan, demand, 12, None).unwrap(),
                recommend_with(
                    &plan,
                    demand,
                    12,
                    None,
                    DateTime::<Utc>::MAX_UTC,
                    enumerated
                )
                .unwrap(),
                "first scans {first}"
            );
        }
    }
}
