//! The bill as FOCUS 1.2 Cost and Usage rows (`invoice --format focus`,
//! docs/focus.md): one row per posted charge line, and the prepaid quota's
//! units drawn per account, allowance and local day, amortised against the
//! period's purchase so that `sum(EffectiveCost)` over a period is its
//! purchase cost exactly and `sum(BilledCost)` is the invoice's posted total.
//! Every figure is worked out here; the view only writes it.

use crate::domain::error::{Error, Result};
use crate::domain::numbers::{Exact, priced, round_money};
use crate::domain::periods::Period;
use crate::domain::values::{Money, UnitPrice, Units};
use crate::domain::zone::Zone;
use crate::engine::charges::ChargeKind;
use crate::engine::meter::{AccountUsage, Schedule};
use crate::input::log::NO_GROUP;
use crate::model::invoice::{Invoice, LineState};
use crate::model::report::{AccountReport, ChargeLineReport, LineBasis, PeriodState, Report};
use crate::plan::{AllowanceKind, Plan};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use rust_decimal::Decimal;

/// `ServiceCategory` and `ServiceSubcategory`: image scanning is security
/// posture management in FOCUS 1.2's list.
pub(crate) const SERVICE_CATEGORY: &str = "Security";
pub(crate) const SERVICE_SUBCATEGORY: &str = "Security Posture Management";
/// The unit scans are metered, priced and committed in.
pub(crate) const SCAN_UNIT: &str = "Scan Units";
/// `CommitmentDiscountType` of a prepaid allowance period.
pub(crate) const COMMITMENT_TYPE: &str = "Prepaid scan quota";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChargeCategory {
    Usage,
    Purchase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChargeFrequency {
    OneTime,
    Recurring,
    UsageBased,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PricingCategory {
    Standard,
    Committed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommitmentStatus {
    Used,
    Unused,
}

/// What a row is, for `x_Kind`: a charge line's kind, or a prepaid period's
/// units drawn or left unused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowKind {
    Line(ChargeKind),
    /// Units drawn from an allowance on one local day.
    Drawn,
    /// A closed prepaid period's units nobody drew.
    Unused,
}

impl RowKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RowKind::Line(kind) => kind.as_str(),
            RowKind::Drawn => "drawn",
            RowKind::Unused => "unused",
        }
    }
}

/// The prepaid allowance period a row buys or draws from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Commitment {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) quantity: Units,
    /// `None` on a purchase.
    pub(crate) status: Option<CommitmentStatus>,
}

/// One FOCUS row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FocusRow {
    pub(crate) account: String,
    /// With `--by`: the group whose scans drew the units (usage rows only).
    pub(crate) group: Option<String>,
    pub(crate) kind: RowKind,
    pub(crate) item: String,
    /// An overage line of a tiered plan: its tier's number (from 1), so
    /// each tier is a price of its own (`SkuPriceId`).
    pub(crate) tier: Option<usize>,
    pub(crate) description: String,
    pub(crate) category: ChargeCategory,
    pub(crate) frequency: ChargeFrequency,
    pub(crate) pricing_category: PricingCategory,
    pub(crate) billing_period_start: DateTime<Utc>,
    pub(crate) billing_period_end: DateTime<Utc>,
    pub(crate) charge_period_start: DateTime<Utc>,
    pub(crate) charge_period_end: DateTime<Utc>,
    pub(crate) billed_cost: Money,
    pub(crate) effective_cost: Money,
    /// `pricing_quantity × list_unit_price`, exact.
    pub(crate) list_cost: Money,
    pub(crate) list_unit_price: UnitPrice,
    pub(crate) pricing_quantity: Units,
    /// `PricingUnit` (and `ConsumedUnit` when consumed is set).
    pub(crate) unit: &'static str,
    /// `None` for purchases and unused units.
    pub(crate) consumed: Option<Units>,
    pub(crate) commitment: Option<Commitment>,
    pub(crate) sku_meter: String,
    /// Scan units the row draws (drawn and overage rows).
    pub(crate) scan_units: Option<Units>,
    /// Overage units of the row's cycle that have no price (so far, in an
    /// open cycle), left out.
    pub(crate) unpriced_overage_units: Option<Units>,
}

/// Overage units without a price: FOCUS costs may not be null, so they are
/// left out of the file and named on stderr.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unpriced {
    pub(crate) account: String,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    pub(crate) units: Units,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Focus {
    pub(crate) provider: String,
    pub(crate) service: String,
    pub(crate) currency: String,
    /// The `--by` column: the key of usage rows' `Tags`.
    pub(crate) tag_key: Option<String>,
    pub(crate) rows: Vec<FocusRow>,
    pub(crate) unpriced: Vec<Unpriced>,
}

impl Focus {
    /// The lines the stderr note names: unpriced overage left out.
    pub(crate) fn notes(&self, zone: Zone) -> String {
        self.unpriced
            .iter()
            .map(|u| {
                format!(
                    "scanquota: account {}, {} to {}: {} overage units have no price in the plan, so they are left out of the FOCUS file (its costs may not be null; see x_UnpricedOverageUnits)\n",
                    u.account,
                    zone.format(u.start),
                    zone.format(u.end),
                    u.units
                )
            })
            .collect()
    }
}

/// What FOCUS rows are built from: the replay's schedule and usages (the
/// units drawn per day, per `--by` group), the report and the invoice of
/// the same window.
pub(crate) struct Sources<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) schedule: &'a Schedule,
    pub(crate) report: &'a Report,
    pub(crate) invoice: &'a Invoice,
    pub(crate) usages: &'a [AccountUsage],
    /// With `--by`: the group names by id, and the column.
    pub(crate) group_names: &'a [String],
    pub(crate) by: Option<&'a str>,
}

impl Focus {
    pub(crate) fn of(sources: &Sources<'_>) -> Result<Focus> {
        let plan = sources.plan;
        let mut focus = Focus {
            provider: plan.provider_name(),
            service: plan.service_name(),
            currency: plan.currency.clone(),
            tag_key: sources.by.map(str::to_string),
            rows: Vec::new(),
            unpriced: Vec::new(),
        };
        for account in &sources.report.accounts {
            let mut rows = Vec::new();
            // An account of the core samples alone scanned nothing: its
            // periods still close with every unit unused.
            let unused;
            let usage = match sources.usages.iter().find(|u| u.account == account.account) {
                Some(usage) => usage,
                None => {
                    unused = AccountUsage::empty(plan, sources.schedule, account.account.clone());
                    &unused
                }
            };
            drawn_rows(sources, account, usage, &mut rows)?;
            line_rows(sources, &account.account, &mut rows, &mut focus.unpriced)?;
            // Every row of a cycle with unpriced overage says how much, in
            // whichever window the cycle's overage posts.
            for cycle in account
                .cycles
                .iter()
                .filter(|c| !c.unpriced_overage.is_zero())
            {
                let (start, end) = (cycle.start.utc(), cycle.end.utc());
                for row in &mut rows {
                    if start <= row.charge_period_start && row.charge_period_start < end {
                        row.unpriced_overage_units = Some(cycle.unpriced_overage);
                    }
                }
            }
            rows.sort_by(|a, b| {
                (a.charge_period_start, order(a), &a.group, &a.item).cmp(&(
                    b.charge_period_start,
                    order(b),
                    &b.group,
                    &b.item,
                ))
            });
            focus.rows.extend(rows);
        }
        Ok(focus)
    }
}

/// Purchases first, then billed usage, then units drawn and unused.
fn order(row: &FocusRow) -> u8 {
    match (row.category, row.kind) {
        (ChargeCategory::Purchase, _) => 0,
        (_, RowKind::Line(_)) => 1,
        (_, RowKind::Drawn) => 2,
        (_, RowKind::Unused) => 3,
    }
}

/// What `quantity` units list at: the exact product, written to the plan's
/// decimals when it has no more places than they (`2.10`, but `0.99999` as
/// it is). A product with more digits than a decimal holds is rounded to
/// the plan's decimals, as its charge line is; `None` beyond that.
fn list_cost(plan: &Plan, quantity: Decimal, price: Decimal) -> Option<Money> {
    let Some(product) = quantity.exact_mul(price) else {
        return priced(quantity, price, plan.decimals).map(Money::new);
    };
    Some(Money::new(match round_money(product, plan.decimals) {
        Some(rounded) if rounded == product => rounded,
        _ => product,
    }))
}

fn overflow(what: String) -> Error {
    Error::overflow(
        what,
        "write smaller prices or units in the plan, or give an earlier --as-of",
    )
}

/// The plan-zone calendar month holding `at`, in UTC.
fn month_of(zone: Zone, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let date = zone.local_naive(at).date();
    let first = NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap_or(date);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (
        zone.resolve_boundary(first.and_time(NaiveTime::MIN)),
        zone.resolve_boundary(next.and_time(NaiveTime::MIN)),
    )
}

/// The local midnight after `at`.
fn next_midnight(zone: Zone, at: DateTime<Utc>) -> DateTime<Utc> {
    let date = zone.local_naive(at).date();
    let next = date.succ_opt().unwrap_or(date);
    zone.resolve_boundary(next.and_time(NaiveTime::MIN))
}

fn in_window(report: &Report, at: DateTime<Utc>) -> bool {
    report
        .window
        .is_none_or(|w| w.from.utc() <= at && at < w.to.utc())
}

/// The commitment id of period `period` of allowance `name`.
fn commitment_id(account: &str, name: &str, period: &Period) -> String {
    format!("{account}/{name}/{}", utc(period.start))
}

fn commitment_name(name: &str, zone: Zone, period: &Period) -> String {
    format!(
        "{name} {} to {}",
        zone.format(period.start),
        zone.format(period.end)
    )
}

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The allowance an allowance or top-up line buys, from its typed basis.
fn allowance_of(plan: &Plan, basis: Option<LineBasis>) -> Option<(usize, &str)> {
    match basis? {
        LineBasis::AllowancePeriod { allowance, .. } => plan
            .allowances
            .get(allowance)
            .map(|found| (allowance, found.name.as_str())),
        LineBasis::Cycle(_) | LineBasis::OveragePeriod | LineBasis::OutsideCycles => None,
    }
}

/// What the first `drawn` units of a prepaid period cost: drawn first from
/// the period's own units, then from each top-up in turn, each at the price
/// it was bought at, and priced as its line was (the units up to the end of
/// the part at its price, less the units before it at that price), so the
/// units of a part cost its line's amount and, where no price changed,
/// `drawn × price` rounded once. A period with no line of its own (outside
/// a window) is priced at `price`, the one in force at its start. `None`
/// beyond a decimal.
fn cost_of_drawn(
    bought: &[&ChargeLineReport],
    drawn: Decimal,
    price: Decimal,
    decimals: u32,
) -> Option<Decimal> {
    let (mut before, mut cost) = (Decimal::ZERO, Decimal::ZERO);
    for (number, part) in bought.iter().enumerate() {
        let (units, at) = (part.quantity.value(), part.unit_price.value());
        let end = before.exact_add(units)?;
        if drawn <= end || number + 1 == bought.len() {
            let within = priced(drawn, at, decimals)?.exact_sub(priced(before, at, decimals)?)?;
            return cost.exact_add(within);
        }
        before = end;
        cost = cost.exact_add(part.amount.value())?;
    }
    priced(drawn, price, decimals)
}

/// Rows for the units drawn per local day (and `--by` group) from each
/// allowance period, and each closed prepaid period's unused units.
fn drawn_rows(
    sources: &Sources<'_>,
    account: &AccountReport,
    usage: &AccountUsage,
    rows: &mut Vec<FocusRow>,
) -> Result<()> {
    let Sources {
        plan,
        schedule,
        report,
        ..
    } = *sources;
    let zone = plan.zone;
    let zero = Money::zero(plan.decimals);
    for (index, allowance) in plan.allowances.iter().enumerate() {
        let prepaid = allowance.kind == AllowanceKind::Prepaid;
        let item = format!("allowance:{}", allowance.name);
        for (p, period) in schedule.allowance_periods[index].iter().enumerate() {
            // Drawn units are amortised at the price the period was bought
            // at: the one in force at its start.
            let price = if prepaid {
                allowance.price_at(period.start)
            } else {
                Decimal::ZERO
            };
            let bounds = &schedule.day_bounds[index][p];
            let starts: Vec<DateTime<Utc>> = std::iter::once(period.start)
                .chain(bounds.iter().copied())
                .collect();
            let day = |d: usize| {
                let start = starts[d];
                let end = starts
                    .get(d + 1)
                    .copied()
                    .unwrap_or_else(|| next_midnight(zone, start).min(period.end));
                (start, end)
            };
            // (day, group, units) in the order costs accumulate.
            let mut draws: Vec<(usize, Option<usize>, Decimal)> = Vec::new();
            if schedule.grouped {
                for (g, group) in usage.groups.iter().enumerate() {
                    let days = group.daily.get(index).and_then(|periods| periods.get(p));
                    for (d, units) in days.into_iter().flatten().enumerate() {
                        if !units.is_zero() {
                            draws.push((d, Some(g), *units));
                        }
                    }
                }
            } else {
                for (d, units) in usage.period_daily[index][p].iter().enumerate() {
                    if !units.is_zero() {
                        draws.push((d, None, *units));
                    }
                }
            }
            draws.sort_by_key(|(d, g, _)| (*d, *g));
            let id = commitment_id(&account.account, &allowance.name, period);
            let name = commitment_name(&allowance.name, zone, period);
            let what = || {
                overflow(format!(
                    "account {}, [[allowance]] {} period {}: units drawn × unit_price",
                    account.account,
                    allowance.name,
                    zone.format(period.start)
                ))
            };
            // The period's purchase: its line and each top-up's, in order.
            let bought: Vec<&ChargeLineReport> = account
                .charges
                .lines
                .iter()
                .filter(|line| matches!(line.kind, ChargeKind::Allowance | ChargeKind::Topup))
                .filter(|line| allowance_of(plan, line.basis).map(|(i, _)| i) == Some(index))
                .filter(|line| {
                    let at = line.period_start.utc();
                    period.start <= at && at < period.end
                })
                .collect();
            // Each row's cost is what the units drawn so far cost, rounded,
            // less what the rows before cost: the rows add up to the cost of
            // every unit drawn, rounded once.
            let mut drawn = Decimal::ZERO;
            let mut costed = zero.value();
            for (d, g, units) in draws {
                drawn = drawn.exact_add(units).ok_or_else(what)?;
                let cost = if prepaid {
                    cost_of_drawn(&bought, drawn, price, plan.decimals)
                } else {
                    priced(drawn, price, plan.decimals)
                }
                .ok_or_else(what)?;
                let effective = cost.exact_sub(costed).ok_or_else(what)?;
                costed = cost;
                let (start, end) = day(d);
                if !in_window(report, start) {
                    continue;
                }
                let group = g
                    .and_then(|g| sources.group_names.get(g))
                    .filter(|name| name.as_str() != NO_GROUP)
                    .cloned();
                let (billing_start, billing_end) = month_of(zone, start);
                rows.push(FocusRow {
                    account: account.account.clone(),
                    group,
                    kind: RowKind::Drawn,
                    item: item.clone(),
                    tier: None,
                    description: format!("{} scan units drawn from {}", units.normalize(), item),
                    category: ChargeCategory::Usage,
                    frequency: ChargeFrequency::UsageBased,
                    pricing_category: if prepaid {
                        PricingCategory::Committed
                    } else {
                        PricingCategory::Standard
                    },
                    billing_period_start: billing_start,
                    billing_period_end: billing_end,
                    charge_period_start: start,
                    charge_period_end: end,
                    billed_cost: zero,
                    effective_cost: Money::new(
                        round_money(effective, plan.decimals).ok_or_else(what)?,
                    ),
                    list_cost: list_cost(plan, units, price).ok_or_else(what)?,
                    list_unit_price: UnitPrice::new(price),
                    pricing_quantity: Units::new(units),
                    unit: SCAN_UNIT,
                    consumed: Some(Units::new(units)),
                    commitment: prepaid.then(|| Commitment {
                        id: id.clone(),
                        name: name.clone(),
                        quantity: Units::new(units),
                        status: Some(CommitmentStatus::Used),
                    }),
                    sku_meter: SCAN_UNIT.to_string(),
                    scan_units: Some(Units::new(units)),
                    unpriced_overage_units: None,
                });
            }
            // A period that ends where the window ends is over in it: the
            // window's as-of is its last instant, after which nothing can
            // be drawn, so what remains then is what expires.
            let ends_with_window = report.window.is_some_and(|w| period.end == w.to.utc());
            let closed = period.end <= schedule.as_of || ends_with_window;
            if !prepaid || !closed {
                continue;
            }
            // The unused units take what is left of the period's purchase.
            let purchased: Money = bought.iter().map(|line| line.amount).sum();
            let effective = purchased.value().exact_sub(costed).ok_or_else(what)?;
            let unused =
                account.allowances[index]
                    .periods
                    .get(p)
                    .map_or(Decimal::ZERO, |r| match r.state {
                        PeriodState::Closed => r.expired.value(),
                        PeriodState::Current => r.remaining.value(),
                    });
            let last = period.end - TimeDelta::nanoseconds(1);
            if (unused.is_zero() && effective.is_zero()) || !in_window(report, last) {
                continue;
            }
            let (billing_start, billing_end) = month_of(zone, last);
            rows.push(FocusRow {
                account: account.account.clone(),
                group: None,
                kind: RowKind::Unused,
                item: item.clone(),
                tier: None,
                description: format!("{} scan units of {} left unused", unused.normalize(), item),
                category: ChargeCategory::Usage,
                frequency: ChargeFrequency::UsageBased,
                pricing_category: PricingCategory::Committed,
                billing_period_start: billing_start,
                billing_period_end: billing_end,
                charge_period_start: period.start,
                charge_period_end: period.end,
                billed_cost: zero,
                effective_cost: Money::new(round_money(effective, plan.decimals).ok_or_else(what)?),
                list_cost: list_cost(plan, unused, price).ok_or_else(what)?,
                list_unit_price: UnitPrice::new(price),
                pricing_quantity: Units::new(unused),
                unit: SCAN_UNIT,
                consumed: None,
                commitment: Some(Commitment {
                    id,
                    name,
                    quantity: Units::new(unused),
                    status: Some(CommitmentStatus::Unused),
                }),
                sku_meter: SCAN_UNIT.to_string(),
                scan_units: None,
                unpriced_overage_units: None,
            });
        }
    }
    Ok(())
}

/// Rows for the invoice's posted lines of `account`, mapped by their kind;
/// unpriced overage goes to `unpriced`.
fn line_rows(
    sources: &Sources<'_>,
    account: &str,
    rows: &mut Vec<FocusRow>,
    unpriced: &mut Vec<Unpriced>,
) -> Result<()> {
    let Sources { plan, schedule, .. } = *sources;
    let zone = plan.zone;
    let Some(invoice) = sources
        .invoice
        .accounts
        .iter()
        .find(|a| a.account == account)
    else {
        return Ok(());
    };
    let lines = invoice
        .cycles
        .iter()
        .flat_map(|c| &c.lines)
        .filter(|l| l.state == LineState::Posted);
    for line in lines {
        let start = line.period_start.utc();
        let posted = line.posted_at.utc();
        let (Some(amount), Some(price)) = (line.amount, line.unit_price) else {
            unpriced.push(Unpriced {
                account: account.to_string(),
                start,
                end: posted,
                units: line.quantity,
            });
            continue;
        };
        let cycle_end = schedule
            .cycles
            .iter()
            .find(|c| c.contains(start))
            .map_or(posted, |c| c.end);
        let allowance = allowance_of(plan, line.basis).and_then(|(index, name)| {
            let period = schedule.allowance_periods[index]
                .iter()
                .find(|p| p.contains(start))?;
            Some((name, period))
        });
        let mut commitment = None;
        // What each kind of line is in FOCUS, and the period it charges for.
        let (category, frequency, end, unit, meter) = match line.kind {
            ChargeKind::Allowance | ChargeKind::Topup => {
                let Some((name, period)) = allowance else {
                    continue;
                };
                commitment = Some(Commitment {
                    id: commitment_id(account, name, period),
                    name: commitment_name(name, zone, period),
                    quantity: line.quantity,
                    status: None,
                });
                let frequency = if line.kind == ChargeKind::Topup {
                    ChargeFrequency::OneTime
                } else {
                    ChargeFrequency::Recurring
                };
                (
                    ChargeCategory::Purchase,
                    frequency,
                    period.end,
                    SCAN_UNIT,
                    SCAN_UNIT.to_string(),
                )
            }
            ChargeKind::Fee => (
                ChargeCategory::Usage,
                ChargeFrequency::Recurring,
                cycle_end,
                "Units",
                line.item.clone(),
            ),
            ChargeKind::Overage => (
                ChargeCategory::Usage,
                ChargeFrequency::UsageBased,
                posted.max(start),
                SCAN_UNIT,
                SCAN_UNIT.to_string(),
            ),
            ChargeKind::Cores => (
                ChargeCategory::Usage,
                ChargeFrequency::UsageBased,
                next_midnight(zone, start),
                "Cores",
                "Billable cores a day".to_string(),
            ),
        };
        let purchase = category == ChargeCategory::Purchase;
        let listed = list_cost(plan, line.quantity.value(), price.value()).ok_or_else(|| {
            overflow(format!(
                "account {account}, {} at {}: quantity × unit_price",
                line.item,
                zone.format(start)
            ))
        })?;
        let (billing_start, billing_end) = month_of(zone, posted);
        rows.push(FocusRow {
            account: account.to_string(),
            group: None,
            kind: RowKind::Line(line.kind),
            item: line.item.clone(),
            tier: line.tier.map(|tier| tier.number),
            description: match line.tier {
                Some(tier) => format!(
                    "{} (tier {}): {} {}",
                    line.item, tier.number, line.quantity, unit
                ),
                None => format!("{}: {} {}", line.item, line.quantity, unit),
            },
            category,
            frequency,
            pricing_category: PricingCategory::Standard,
            billing_period_start: billing_start,
            billing_period_end: billing_end,
            charge_period_start: start,
            charge_period_end: end,
            billed_cost: amount,
            // A purchase covering future usage costs nothing when bought:
            // its cost is the units drawn and left unused.
            effective_cost: if purchase {
                Money::zero(plan.decimals)
            } else {
                amount
            },
            list_cost: listed,
            list_unit_price: price,
            pricing_quantity: line.quantity,
            unit,
            consumed: (!purchase).then_some(line.quantity),
            commitment,
            sku_meter: meter,
            scan_units: (line.kind == ChargeKind::Overage).then_some(line.quantity),
            unpriced_overage_units: None,
        });
    }
    Ok(())
}
