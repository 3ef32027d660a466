//! Cost allocation (`--by KEY`, "showback"): who used one account's
//! purchase, and who pays what. Units come from the replay itself (each
//! scan's draws and overage credited to its row's group); money is each
//! charge line split over the groups by exact shares, the parts rounded by
//! the largest-remainder method so they add up to the line exactly.

use crate::domain::numbers::zero_money;
use crate::domain::values::{Instant, Money, Share, Units};
use crate::domain::zone::Zone;
use crate::engine::charges::{Basis, Charges, overage_splits};
use crate::engine::meter::{AccountUsage, GroupUsage, Schedule};
use crate::plan::Plan;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// How the parts no group caused are shared out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocationRules {
    /// Spread the charge for undrawn prepaid units over the groups by their
    /// part of the period's drawn units, instead of the `unused` line.
    pub unused_proportional: bool,
    /// Spread fee and cores lines over the groups by their part of the
    /// cycle's units, instead of the `shared` line.
    pub shared_proportional: bool,
}

/// The `--by` breakdown asked for: the key, the names of its groups (by the
/// log's group ids) and the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub by: String,
    pub names: Vec<String>,
    pub rules: AllocationRules,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupAllocation {
    pub group: String,
    pub first: u64,
    pub repeat: u64,
    pub denied: u64,
    /// Units drawn and overage units.
    pub units: Units,
    /// The group's part of the account's units, to 4 places.
    pub(crate) share: Share,
    pub charges: Money,
    /// Overage units the group caused that the plan gives no price for: not
    /// in `charges`, never a zero charge. The groups' add up to the
    /// account's `charges.unpriced_overage_units`.
    pub(crate) unpriced_overage_units: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCycleCharge {
    pub(crate) group: String,
    pub(crate) units: Units,
    pub charges: Money,
    /// The group's overage units in the cycle that have no price.
    pub(crate) unpriced_overage_units: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleAllocation {
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub groups: Vec<GroupCycleCharge>,
    pub(crate) unused: Money,
    pub(crate) shared: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationReport {
    pub(crate) by: String,
    pub groups: Vec<GroupAllocation>,
    pub unused: Money,
    pub shared: Money,
    /// Equals the account's `charges.total`.
    pub total: Money,
    pub cycles: Vec<CycleAllocation>,
    /// As-of falls inside a cycle: that cycle's shares still change as its
    /// periods fill up, although its posted charge lines never do.
    #[serde(default)]
    pub(crate) open_cycle: bool,
}

impl AllocationReport {
    /// The groups' overage units without a price, together.
    pub(crate) fn unpriced_overage_units(&self) -> Units {
        self.groups.iter().map(|g| g.unpriced_overage_units).sum()
    }
}

/// Who a part of a charge line goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Group(usize),
    Unused,
    Shared,
}

/// The names of the rows for charges no group drew (defined beside the
/// reader, which refuses them as a group's name).
pub(crate) use crate::input::log::{SHARED_GROUP as SHARED, UNUSED_GROUP as UNUSED};

/// Split `amount` over `weights` by exact shares, each part rounded down to
/// `decimals` places and the cents left over handed out one each to the
/// largest remainders (ties to the name that sorts first), so the parts add
/// up to `amount` exactly. All weights zero: nothing to split by, `None`.
pub(crate) fn split_largest_remainder(
    amount: Decimal,
    weights: &[(&str, Decimal)],
    decimals: u32,
) -> Option<Vec<Decimal>> {
    let total: Decimal = weights.iter().map(|(_, w)| *w).sum();
    if total <= Decimal::ZERO {
        return None;
    }
    let exact: Vec<Decimal> = weights
        .iter()
        .map(|(_, weight)| {
            amount
                .checked_mul(*weight)
                .and_then(|product| product.checked_div(total))
                .unwrap_or_else(|| amount / total * weight)
        })
        .collect();
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(decimals, RoundingStrategy::ToZero))
        .collect();
    let unit = Decimal::new(1, decimals);
    let left = amount - parts.iter().copied().sum::<Decimal>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - parts[b])
            .cmp(&(exact[a] - parts[a]))
            .then_with(|| weights[a].0.cmp(weights[b].0))
    });
    let mut handed = Decimal::ZERO;
    for &index in order.iter().cycle().take(weights.len() * 2) {
        if handed >= left {
            break;
        }
        parts[index] += unit;
        handed += unit;
    }
    // An amount of 28 digits leaves no place below its last for the
    // quotients, which are then rounded at it, some up: the parts can add
    // up to more than the amount. Units are taken back from the smallest
    // remainders, so the parts still add up to the amount exactly.
    for &index in order.iter().rev().cycle().take(weights.len() * 2) {
        if handed <= left {
            break;
        }
        parts[index] -= unit;
        handed -= unit;
    }
    for part in &mut parts {
        part.rescale(decimals);
    }
    Some(parts)
}

/// The account's charges shared out over its `--by` groups.
pub(crate) fn allocate(
    plan: &Plan,
    zone: Zone,
    schedule: &Schedule,
    usage: &AccountUsage,
    charges: &Charges,
    breakdown: &Breakdown,
) -> AllocationReport {
    let decimals = plan.decimals;
    let zero = zero_money(decimals);
    // The groups with a row in this account, by name.
    let mut members: Vec<(usize, &GroupUsage)> = usage
        .groups
        .iter()
        .enumerate()
        .filter(|(_, group)| group.rows > 0)
        .collect();
    let name = |id: usize| breakdown.names.get(id).map_or("", String::as_str);
    members.sort_by(|a, b| name(a.0).cmp(name(b.0)));
    let cycles = schedule.cycles.len();
    let mut group_money = vec![zero; members.len()];
    let mut group_cycle_money = vec![vec![zero; cycles]; members.len()];
    let (mut unused, mut shared) = (zero, zero);
    let (mut cycle_unused, mut cycle_shared) = (vec![zero; cycles], vec![zero; cycles]);
    let rules = breakdown.rules;
    // A period's granted units: its line and its top-up lines. A top-up
    // line is shared out like its period's line, by the same weights.
    let period_units = |allowance: usize, period: usize| -> Decimal {
        charges
            .lines
            .iter()
            .filter(|l| l.basis == Basis::AllowancePeriod { allowance, period })
            .map(|l| l.quantity)
            .sum()
    };
    for line in &charges.lines {
        let mut weights: Vec<(Part, Decimal)> = Vec::new();
        let cycle = match line.basis {
            Basis::AllowancePeriod { allowance, period } => {
                let drawn: Vec<Decimal> = members
                    .iter()
                    .map(|(_, g)| g.drawn[allowance][period])
                    .collect();
                let all: Decimal = drawn.iter().copied().sum();
                weights.extend(
                    drawn
                        .into_iter()
                        .enumerate()
                        .map(|(i, d)| (Part::Group(i), d)),
                );
                if !(rules.unused_proportional && all > Decimal::ZERO) {
                    let granted = period_units(allowance, period);
                    weights.push((Part::Unused, (granted - all).max(Decimal::ZERO)));
                }
                let start = schedule.allowance_periods[allowance][period].start;
                schedule.cycles.iter().rposition(|c| c.start <= start)
            }
            Basis::OveragePeriod { period, bucket } => {
                // Each group by its overage in the period's bucket.
                weights.extend(members.iter().enumerate().map(|(i, (_, g))| {
                    let units = g
                        .overage_buckets
                        .get(period)
                        .map_or(Decimal::ZERO, |buckets| buckets[bucket]);
                    (Part::Group(i), units)
                }));
                schedule.posting_cycle(&schedule.overage_periods[period])
            }
            Basis::Cycle(cycle) => {
                if rules.shared_proportional {
                    weights.extend(
                        members
                            .iter()
                            .enumerate()
                            .map(|(i, (_, g))| (Part::Group(i), g.cycle_units[cycle])),
                    );
                }
                Some(cycle)
            }
            Basis::OutsideCycles => (cycles > 0).then_some(0),
        };
        let names: Vec<(&str, Decimal)> = weights
            .iter()
            .map(|(part, weight)| {
                let label = match part {
                    Part::Group(i) => name(members[*i].0),
                    Part::Unused => UNUSED,
                    Part::Shared => SHARED,
                };
                (label, *weight)
            })
            .collect();
        // Nothing to split by (no group drew, no units in the cycle): the
        // line stays whole on `unused` (an allowance) or `shared`.
        let parts = split_largest_remainder(line.amount, &names, decimals).unwrap_or_else(|| {
            weights = vec![(
                if matches!(line.basis, Basis::AllowancePeriod { .. }) {
                    Part::Unused
                } else {
                    Part::Shared
                },
                Decimal::ONE,
            )];
            vec![line.amount]
        });
        for ((part, _), money) in weights.iter().zip(parts) {
            match part {
                Part::Group(i) => {
                    group_money[*i] += money;
                    if let Some(c) = cycle {
                        group_cycle_money[*i][c] += money;
                    }
                }
                Part::Unused => {
                    unused += money;
                    if let Some(c) = cycle {
                        cycle_unused[c] += money;
                    }
                }
                Part::Shared => {
                    shared += money;
                    if let Some(c) = cycle {
                        cycle_shared[c] += money;
                    }
                }
            }
        }
    }
    // A plan that prices no overage: a group's unpriced units are its cycle
    // overage. Otherwise, those of the unpriced parts (a tier without a
    // price) of each overage period, in the cycle the period posts in.
    let unpriced = !charges.unpriced_overage_units.is_zero();
    let unpriced_buckets: Vec<(Option<usize>, Vec<usize>)> = schedule
        .overage_periods
        .iter()
        .enumerate()
        .map(|(p, period)| {
            let splits = overage_splits(plan, &usage.overage_buckets[p], usage.overage_metered[p]);
            (
                schedule.posting_cycle(period),
                splits
                    .iter()
                    .filter(|split| split.unit_price.is_none())
                    .map(|split| split.bucket)
                    .collect(),
            )
        })
        .collect();
    let unpriced_in = |g: &GroupUsage, c: usize| {
        if !unpriced {
            Decimal::ZERO
        } else if !plan.overage.priced() {
            g.cycle_overage[c]
        } else {
            unpriced_buckets
                .iter()
                .enumerate()
                .filter(|(_, (cycle, _))| *cycle == Some(c))
                .flat_map(|(p, (_, buckets))| {
                    buckets.iter().map(move |b| {
                        g.overage_buckets
                            .get(p)
                            .map_or(Decimal::ZERO, |units| units[*b])
                    })
                })
                .sum()
        }
    };
    let account_units: Decimal = members.iter().map(|(_, g)| g.units).sum();
    let groups = members
        .iter()
        .enumerate()
        .map(|(i, (id, g))| GroupAllocation {
            group: name(*id).to_string(),
            first: g.first,
            repeat: g.repeat,
            denied: g.denied,
            units: Units::new(g.units),
            share: Share::new(if account_units.is_zero() {
                Decimal::ZERO
            } else {
                (g.units / account_units)
                    .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
            }),
            charges: Money::new(group_money[i]),
            unpriced_overage_units: Units::new((0..cycles).map(|c| unpriced_in(g, c)).sum()),
        })
        .collect();
    let cycles = schedule
        .cycles
        .iter()
        .enumerate()
        .map(|(c, period)| CycleAllocation {
            start: Instant::new(zone, period.start),
            end: Instant::new(zone, period.end),
            groups: members
                .iter()
                .enumerate()
                .map(|(i, (id, g))| GroupCycleCharge {
                    group: name(*id).to_string(),
                    units: Units::new(g.cycle_units[c]),
                    charges: Money::new(group_cycle_money[i][c]),
                    unpriced_overage_units: Units::new(unpriced_in(g, c)),
                })
                .collect(),
            unused: Money::new(cycle_unused[c]),
            shared: Money::new(cycle_shared[c]),
        })
        .collect();
    AllocationReport {
        by: breakdown.by.clone(),
        groups,
        unused: Money::new(unused),
        shared: Money::new(shared),
        total: Money::new(charges.total),
        cycles,
        open_cycle: schedule
            .cycles
            .iter()
            .any(|cycle| cycle.contains(schedule.as_of)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn remainders_go_to_the_largest_then_the_first_name() {
        let parts = split_largest_remainder(
            d("10.00"),
            &[("a", d("1")), ("b", d("1")), ("c", d("1"))],
            2,
        )
        .unwrap();
        // 3.333… each: the one cent left goes to `a`, first by name.
        assert_eq!(parts, [d("3.34"), d("3.33"), d("3.33")]);
        let parts = split_largest_remainder(d("1.00"), &[("b", d("2")), ("a", d("1"))], 2).unwrap();
        // 0.6666… and 0.3333…: the larger remainder takes the cent.
        assert_eq!(parts, [d("0.67"), d("0.33")]);
        assert_eq!(
            split_largest_remainder(d("5.00"), &[("a", d("0"))], 2),
            None
        );
    }

    /// An amount of 29 digits: the thirds are rounded up at the 8th place,
    /// and the parts still add up to the amount (they added up to one unit
    /// more).
    #[test]
    fn parts_of_an_amount_at_a_decimals_limit_add_up() {
        let amount = d("499999999999999999985.00000000");
        let weights = [("x", d("1")), ("y", d("1")), ("z", d("1"))];
        let parts = split_largest_remainder(amount, &weights, 8).unwrap();
        assert_eq!(parts.iter().copied().sum::<Decimal>(), amount);
        let (third, less) = (
            d("166666666666666666661.66666667"),
            d("166666666666666666661.66666666"),
        );
        assert_eq!(parts, [third, third, less]);
    }
}
