//! The report model: the one serialisable result that every output
//! format is drawn from. Units and money are exact decimals that serialise
//! as strings; times are RFC 3339 in the plan's zone.

use crate::domain::error::{Error, Result};
use crate::domain::periods::Period;
use crate::domain::values::{Instant, Money, UnitPrice, Units};
use crate::domain::zone::Zone;
use crate::engine::allocation::{AllocationReport, Breakdown, allocate};
use crate::engine::charges::{Basis, ChargeKind, ChargeLine, ChargeState, Charges, charges};
use crate::engine::core_days::CoreDay;
use crate::engine::meter::{AccountUsage, Counters, Schedule};
use crate::engine::projection::{Projection, project};
use crate::plan::{AllowanceKind, OveragePolicy, Plan, SubscriptionStatus};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub(crate) const REPORT_SCHEMA: &str = "scanquota.report.v1";
pub(crate) const COMPARE_SCHEMA: &str = "scanquota.compare.v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub(crate) schema: String,
    pub(crate) plan: String,
    /// The plan's identity ([`crate::plan::plan_digest`]); `None` in a
    /// report written before it was, which `merge` merges only with others
    /// that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) plan_digest: Option<String>,
    pub currency: String,
    pub(crate) decimals: u32,
    pub(crate) timezone: String,
    pub(crate) as_of: Instant,
    /// `--month` or `--from`/`--to`: the billing window `[from, to)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) window: Option<WindowReport>,
    /// Decimal places of the plan's finest unit: tables show units so.
    pub(crate) unit_places: u32,
    pub(crate) overage_policy: OveragePolicy,
    /// The price of one overage unit; `None`: overage is unpriced.
    pub(crate) overage_unit_price: Option<UnitPrice>,
    /// Cores are billed: the plan prices them (`[cores]`) and `--cores`
    /// gave the samples (a partition's report without them bills less, and
    /// `merge` tells the two apart); future core days are never projected.
    pub(crate) bills_cores: bool,
    /// The plan's dated changes (`[[metering.change]]`, `[[allowance.price_change]]`,
    /// `[[overage.price_change]]`) in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) changes: Vec<PlanChange>,
    pub accounts: Vec<AccountReport>,
    pub totals: Totals,
}

/// A rule or price of the plan that changes at `at`: `item` is `metering`,
/// `allowance:NAME` or `overage`; the metering rule in force from then on,
/// or the new unit price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PlanChange {
    pub(crate) at: Instant,
    pub(crate) item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) first_scan_units: Option<Units>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) repeat_scan_units: Option<Units>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) count_failed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) unit_price: Option<UnitPrice>,
}

impl PlanChange {
    /// Every dated change of `plan`, in time order (metering, then
    /// allowances in plan order, then overage, at one instant).
    pub(crate) fn of(plan: &Plan, shown: crate::domain::zone::Zone) -> Vec<PlanChange> {
        let price = |at, item: String, price| PlanChange {
            at: Instant::new(shown, at),
            item,
            first_scan_units: None,
            repeat_scan_units: None,
            count_failed: None,
            unit_price: Some(UnitPrice::new(price)),
        };
        let mut changes: Vec<(DateTime<Utc>, PlanChange)> = Vec::new();
        for change in &plan.metering.changes {
            changes.push((
                change.at,
                PlanChange {
                    at: Instant::new(shown, change.at),
                    item: "metering".into(),
                    first_scan_units: Some(Units::new(change.first_scan_units)),
                    repeat_scan_units: Some(Units::new(change.repeat_scan_units)),
                    count_failed: Some(change.count_failed),
                    unit_price: None,
                },
            ));
        }
        for allowance in &plan.allowances {
            for change in &allowance.price_changes {
                changes.push((
                    change.at,
                    price(
                        change.at,
                        format!("allowance:{}", allowance.name),
                        change.unit_price,
                    ),
                ));
            }
        }
        for change in &plan.overage.price_changes {
            changes.push((
                change.at,
                price(change.at, "overage".into(), change.unit_price),
            ));
        }
        changes.sort_by_key(|(at, _)| *at);
        changes.into_iter().map(|(_, change)| change).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: String,
    pub scans: Counters,
    pub units: UnitTotals,
    pub allowances: Vec<AllowanceReport>,
    pub charges: ChargesReport,
    pub(crate) subscription: SubscriptionReport,
    pub projection: Option<ProjectionReport>,
    /// The subscription cycles started by as-of, with what each one
    /// overdrew and denied (the invoice groups charge lines by them).
    pub(crate) cycles: Vec<CycleReport>,
    /// The cycle after as-of's, when an overage line already accrued posts
    /// in it (a calendar-month overage period that ends after the current
    /// cycle): the invoice files the line there, as it will post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) upcoming_cycle: Option<WindowReport>,
    /// With `--by`: who used the account's purchase and who pays what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<AllocationReport>,
    /// With `--month` or `--from`/`--to`: the lines posted in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) window_charges: Option<WindowCharges>,
}

/// A billing window `[from, to)` (§13).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct WindowReport {
    pub(crate) from: Instant,
    pub(crate) to: Instant,
}

impl WindowReport {
    pub(crate) fn contains(&self, at: Instant) -> bool {
        self.from <= at && at < self.to
    }
}

/// An account's charge lines posted in the window, and what is accrued at
/// as-of apart (never in the posted total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct WindowCharges {
    pub(crate) lines: Vec<ChargeLineReport>,
    pub(crate) posted: Money,
    pub(crate) accrued: Money,
}

impl Report {
    /// Describe the window `[from, to)`: each account's lines posted in it.
    pub fn set_window(
        &mut self,
        zone: crate::domain::zone::Zone,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) {
        let window = WindowReport {
            from: Instant::new(zone, from),
            to: Instant::new(zone, to),
        };
        for account in &mut self.accounts {
            account.window_charges = Some(WindowCharges::of(
                &account.charges.lines,
                &window,
                self.decimals,
            ));
        }
        self.window = Some(window);
    }
}

impl WindowCharges {
    /// Of an account's charge `lines`, those posted in `window` and those
    /// accrued at as-of, with their sums.
    pub(crate) fn of(lines: &[ChargeLineReport], window: &WindowReport, decimals: u32) -> Self {
        let lines: Vec<ChargeLineReport> = lines
            .iter()
            .filter(|l| l.state == ChargeState::Accrued || window.contains(l.posted_at))
            .cloned()
            .collect();
        let sum = |state: ChargeState| {
            lines
                .iter()
                .filter(|l| l.state == state)
                .map(|l| l.amount)
                .sum::<Money>()
                .rounded(decimals)
        };
        WindowCharges {
            posted: sum(ChargeState::Posted),
            accrued: sum(ChargeState::Accrued),
            lines,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CycleReport {
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) state: PeriodState,
    pub(crate) overage: Units,
    /// Overage units of the cycle that have no price.
    pub(crate) unpriced_overage: Units,
    pub(crate) denied: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitTotals {
    pub consumed: Units,
    pub overage: Units,
    pub denied: Units,
    /// The current periods' remaining units, every allowance.
    pub(crate) remaining: Units,
    /// Units expired at the end of closed periods, every allowance.
    pub(crate) expired: Units,
    pub(crate) free_used: Units,
    pub(crate) free_expired: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllowanceReport {
    pub(crate) name: String,
    pub(crate) kind: AllowanceKind,
    pub granted: Units,
    pub consumed: Units,
    pub remaining: Units,
    pub expired: Units,
    pub periods: Vec<PeriodReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodState {
    Closed,
    Current,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodReport {
    pub start: Instant,
    pub end: Instant,
    pub state: PeriodState,
    pub granted: Units,
    pub consumed: Units,
    pub remaining: Units,
    pub expired: Units,
    /// Top-ups that landed inside the period by its end or as-of.
    #[serde(default)]
    pub(crate) topups: Vec<TopupReport>,
    /// Units drawn by the end of each local day, from the day of the start
    /// to the day of the end or of as-of, whichever is earlier.
    #[serde(default)]
    pub daily: DailyUsages,
    /// The current period: the units it is projected to have drawn by its
    /// end, the cycle's projected extra demand drawn in allowance order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) projected_used: Option<Units>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TopupReport {
    pub(crate) at: Instant,
    pub(crate) units: Units,
}

/// A period's units drawn by the end of each local day. The days are the
/// schedule's, the same for every account, so each account's report shares
/// them and holds only the figures where its usage changes: an account's
/// report grows with its own draws, never with the days of the term times
/// the accounts (200 000 one-row accounts on a three-month plan took 2.5 GB
/// as a figure per day each, SPEC §16).
#[derive(Debug, Clone)]
pub struct DailyUsages {
    days: std::sync::Arc<[ReportDay]>,
    /// `(day, units drawn by its end)` at each day whose figure differs from
    /// the day before's, in day order; before the first, nothing was drawn.
    changes: Vec<(usize, Units)>,
}

/// A local day of a period, as every account's report shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportDay {
    /// The local date, `YYYY-MM-DD`.
    date: String,
    /// Where the day ends inside the period: the next midnight, the period's
    /// end or as-of, whichever is first.
    until: Instant,
}

/// One day of [`DailyUsages`], as views show it and JSON writes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyUsage<'a> {
    /// The local date, `YYYY-MM-DD`.
    pub date: &'a str,
    /// Cumulative units drawn from the period by the end of that day.
    pub used: Units,
    /// Where the day ends inside the period.
    pub(crate) until: &'a Instant,
}

/// A day as a JSON report holds it (`merge` reads reports back).
#[derive(Deserialize)]
struct DailyUsageRead {
    date: String,
    used: Units,
    until: Instant,
}

impl DailyUsages {
    /// The usage over `days` of the units drawn on each (`drawn[d]`; a
    /// shorter list drew nothing on the days past its end).
    fn new(days: std::sync::Arc<[ReportDay]>, drawn: &[Decimal]) -> Self {
        let mut used = Decimal::ZERO;
        let mut changes = Vec::new();
        for (day, units) in drawn.iter().enumerate().take(days.len()) {
            let before = used;
            used += *units;
            if used != before {
                changes.push((day, Units::new(used)));
            }
        }
        DailyUsages { days, changes }
    }

    /// The days in order, each with the units drawn by its end.
    pub fn iter(&self) -> impl Iterator<Item = DailyUsage<'_>> + '_ {
        let mut changes = self.changes.iter().peekable();
        let mut used = Units::new(Decimal::ZERO);
        self.days.iter().enumerate().map(move |(index, day)| {
            if let Some((_, units)) = changes.next_if(|(at, _)| *at == index) {
                used = *units;
            }
            DailyUsage {
                date: &day.date,
                used,
                until: &day.until,
            }
        })
    }

    /// The last day: as-of's, or the period's last.
    pub fn last(&self) -> Option<DailyUsage<'_>> {
        let day = self.days.last()?;
        Some(DailyUsage {
            date: &day.date,
            used: self
                .changes
                .last()
                .map_or(Units::new(Decimal::ZERO), |(_, units)| *units),
            until: &day.until,
        })
    }

    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

impl Default for DailyUsages {
    fn default() -> Self {
        DailyUsages {
            days: std::sync::Arc::from(Vec::new()),
            changes: Vec::new(),
        }
    }
}

impl PartialEq for DailyUsages {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for DailyUsages {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for DailyUsages {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let read = Vec::<DailyUsageRead>::deserialize(deserializer)?;
        let mut changes = Vec::new();
        let mut used = Units::new(Decimal::ZERO);
        for (index, day) in read.iter().enumerate() {
            if day.used != used {
                used = day.used;
                changes.push((index, used));
            }
        }
        let days = read
            .into_iter()
            .map(|day| ReportDay {
                date: day.date,
                until: day.until,
            })
            .collect();
        Ok(DailyUsages { days, changes })
    }
}

/// Per allowance, per period of `schedule`: its local days, built once for
/// every account's report, and once for allowances whose periods are the
/// same (a period's days depend only on its start and end).
fn report_days(plan: &Plan, schedule: &Schedule) -> Vec<Vec<std::sync::Arc<[ReportDay]>>> {
    let zone = plan.zone;
    let shown = schedule.display;
    let as_of = schedule.as_of;
    let mut built: std::collections::HashMap<Period, std::sync::Arc<[ReportDay]>> =
        std::collections::HashMap::new();
    let mut days_of = |period: &Period, bounds: &[DateTime<Utc>]| {
        built
            .entry(*period)
            .or_insert_with(|| {
                let day_starts = std::iter::once(period.start).chain(bounds.iter().copied());
                let day_ends = bounds
                    .iter()
                    .copied()
                    .chain(std::iter::once(period.end.min(as_of)));
                day_starts
                    .zip(day_ends)
                    .map(|(start, end)| ReportDay {
                        date: Instant::new(zone, start).date(),
                        until: Instant::new(shown, day_end_shown(end)),
                    })
                    .collect()
            })
            .clone()
    };
    schedule
        .allowance_periods
        .iter()
        .zip(&schedule.day_bounds)
        .map(|(periods, bounds)| {
            periods
                .iter()
                .zip(bounds)
                .map(|(period, bounds)| days_of(period, bounds))
                .collect()
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargesReport {
    pub lines: Vec<ChargeLineReport>,
    /// Lines certain to post later in the current cycle (a calendar-month
    /// allowance period, a scheduled top-up): in its projected cost, not in
    /// the total.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) still_to_come: Vec<ChargeLineReport>,
    pub total: Money,
    pub unpriced_overage_units: Units,
    /// `unpriced_overage_units` where they post: per overage period and tier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) unpriced_lines: Vec<UnpricedOverageReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargeLineReport {
    pub kind: ChargeKind,
    pub item: String,
    pub period_start: Instant,
    /// When the line posts (§13): once posted it never changes.
    pub(crate) posted_at: Instant,
    /// `posted`, or `accrued` (the open cycle's overage so far).
    pub state: ChargeState,
    pub quantity: Units,
    pub unit_price: UnitPrice,
    pub amount: Money,
    /// What the line charges for, typed, in the report's own terms, so no
    /// reader parses its item. Not in the JSON: a report read back
    /// (`merge`) rebuilds it from the line and its account
    /// ([`AccountReport::rebuild_bases`]).
    #[serde(skip)]
    pub(crate) basis: Option<LineBasis>,
    /// An overage line of a tiered plan: the tier it is priced by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<TierReport>,
}

/// What a charge line is for, in terms of the report that holds it, so
/// that a report read back from JSON has the same basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineBasis {
    /// Period `period` of allowance `allowance`: indices into
    /// [`AccountReport::allowances`] (the plan's order) and its `periods`
    /// (numbered from the term's first; a period still to come after as-of
    /// counts on after the listed ones). Allowance and top-up lines.
    AllowancePeriod { allowance: usize, period: usize },
    /// Cycle `cycle` of [`AccountReport::cycles`]: a fee, or a cores day
    /// inside the term.
    Cycle(usize),
    /// Overage of the overage period `[period_start, posted_at)` of the
    /// line (priced by `tier` in a tiered plan).
    OveragePeriod,
    /// A cores day outside every cycle (before the term started).
    OutsideCycles,
}

impl LineBasis {
    /// The report's basis of an engine line: the report lists every plan
    /// allowance, every allowance period and every cycle in the engine's
    /// order, so the indices carry over.
    fn of(basis: Basis) -> Self {
        match basis {
            Basis::AllowancePeriod { allowance, period } => {
                LineBasis::AllowancePeriod { allowance, period }
            }
            Basis::Cycle(cycle) => LineBasis::Cycle(cycle),
            Basis::OveragePeriod { .. } => LineBasis::OveragePeriod,
            Basis::OutsideCycles => LineBasis::OutsideCycles,
        }
    }
}

impl Report {
    /// The first account whose figures do not add up as `report` writes
    /// them ([`AccountReport::unbalanced`]): `(key, what is wrong)`.
    pub fn unbalanced(&self) -> Option<(String, String)> {
        self.accounts
            .iter()
            .enumerate()
            .find_map(|(index, account)| {
                account
                    .unbalanced(self.decimals)
                    .or_else(|| account.misplaced_line(self.as_of))
                    .or_else(|| account.overage_off_lines())
                    .or_else(|| account.days_off())
                    .or_else(|| account.projection_off(self.overage_policy))
                    .map(|(key, problem)| (format!("accounts[{index}].{key}"), problem))
            })
    }
}

impl AccountReport {
    /// Where a period's daily usage is not what `report` writes: units
    /// drawn by the end of each day, never negative, never falling, and on
    /// its last day (as-of's or the period's) the period's consumed units.
    /// The HTML page draws it; a day edited by hand would draw a usage the
    /// period's figures contradict.
    fn days_off(&self) -> Option<(String, String)> {
        for (a, allowance) in self.allowances.iter().enumerate() {
            for (p, period) in allowance.periods.iter().enumerate() {
                let mut before = Decimal::ZERO;
                for (d, day) in period.daily.iter().enumerate() {
                    let used = day.used.value();
                    if used < before {
                        let problem = if d == 0 {
                            "is negative, which no unit count is".to_string()
                        } else {
                            format!(
                                "is less than the day before's ({}): units drawn by the end of a day never fall",
                                before.normalize()
                            )
                        };
                        return Some((
                            format!("allowances[{a}].periods[{p}].daily[{d}].used"),
                            format!("`{}` {problem}", day.used),
                        ));
                    }
                    before = used;
                }
                if let Some(last) = period.daily.last()
                    && last.used != period.consumed
                {
                    return Some((
                        format!(
                            "allowances[{a}].periods[{p}].daily[{}].used",
                            period.daily.len() - 1
                        ),
                        format!(
                            "`{}` on the last day is not the period's consumed units ({})",
                            last.used, period.consumed
                        ),
                    ));
                }
            }
        }
        None
    }

    /// Where the projection is not what `report` writes: no unit figure or
    /// charge negative, the cycle's end after its start, `exhausted` exactly
    /// when nothing is available, and overage projected only when the plan
    /// bills it and denial only when it denies.
    fn projection_off(&self, policy: OveragePolicy) -> Option<(String, String)> {
        let projection = self.projection.as_ref()?;
        let key = |field: &str| format!("projection.{field}");
        for (field, units) in [
            ("demand", projection.demand),
            ("projected_demand", projection.projected_demand),
            ("available", projection.available),
            ("projected_overage", projection.projected_overage),
            ("projected_denied", projection.projected_denied),
            (
                "projected_unpriced_overage",
                projection.projected_unpriced_overage,
            ),
            ("projected_shortfall", projection.projected_shortfall),
            (
                "projected_overage_posting_later",
                projection.projected_overage_posting_later,
            ),
        ] {
            if units.value() < Decimal::ZERO {
                return Some((
                    key(field),
                    format!("`{units}` is negative, which no unit count is"),
                ));
            }
        }
        if projection.projected_cycle_charges.value() < Decimal::ZERO {
            return Some((
                key("projected_cycle_charges"),
                format!(
                    "`{}` is negative, which no charge is",
                    projection.projected_cycle_charges
                ),
            ));
        }
        if projection.cycle_end <= projection.cycle_start {
            return Some((
                key("cycle_end"),
                format!(
                    "`{}` is not after the cycle's start ({})",
                    projection.cycle_end, projection.cycle_start
                ),
            ));
        }
        if projection.exhausted != projection.available.is_zero() {
            return Some((
                key("exhausted"),
                format!(
                    "`{}` with {} units available: a cycle is exhausted exactly when none are",
                    projection.exhausted, projection.available
                ),
            ));
        }
        let (field, units, policy_word) = match policy {
            OveragePolicy::Bill => ("projected_denied", projection.projected_denied, "bills"),
            OveragePolicy::Deny => ("projected_overage", projection.projected_overage, "denies"),
        };
        if !units.is_zero() {
            return Some((
                key(field),
                format!("`{units}` where the plan {policy_word} overage, so none are"),
            ));
        }
        // The unpriced overage is not held to the projected overage: it is
        // every unpriced line posting in the cycle, which may hold units of
        // the cycle before (an overage period across the cycles' bounds).
        None
    }

    /// Whether the overage lines (posted or accrued) bill other than the
    /// account's priced overage units: checked once the lines are known to
    /// be of their kinds ([`AccountReport::misplaced_line`]).
    fn overage_off_lines(&self) -> Option<(String, String)> {
        // Every priced overage unit is on an overage line, posted or
        // accrued, once.
        use crate::domain::numbers::checked_sum as sum;
        let priced = sum(self.cycles.iter().map(|c| c.unpriced_overage.value()))
            .and_then(|unpriced| self.units.overage.value().checked_sub(unpriced));
        let on_lines = sum((self.charges.lines.iter())
            .filter(|line| line.kind == ChargeKind::Overage)
            .map(|line| line.quantity.value()));
        if priced != on_lines {
            let shown = |value: Option<Decimal>| {
                value.map_or_else(
                    || "beyond a decimal's range".into(),
                    |v| v.normalize().to_string(),
                )
            };
            Some((
                "charges.lines".into(),
                format!(
                    "the overage lines' quantities add up to {}, not to the account's priced overage ({}: its overage less the cycles' unpriced overage)",
                    shown(on_lines),
                    shown(priced)
                ),
            ))
        } else {
            None
        }
    }

    /// The first charge line whose state, posting instant or item does not
    /// agree with the rest as `report` writes them: a charge line is
    /// `posted` at or before as-of, `accrued` (overage only) after it, and a
    /// line still to come posts after it; its item names its kind
    /// (`fee:…`). `as_of` is as printed, to the second: a bare date's as-of
    /// is the day's last nanosecond, printed as its second 59.
    fn misplaced_line(&self, as_of: Instant) -> Option<(String, String)> {
        let next_second = as_of.utc() + chrono::TimeDelta::seconds(1);
        let lines = (self.charges.lines.iter().enumerate())
            .map(|(l, line)| ("lines", l, line))
            .chain(
                (self.charges.still_to_come.iter().enumerate())
                    .map(|(l, line)| ("still_to_come", l, line)),
            );
        for (list, l, line) in lines {
            let key = |field: &str| format!("charges.{list}[{l}].{field}");
            let kind = line.kind.as_str();
            if line.item.split(':').next() != Some(kind) {
                return Some((
                    key("item"),
                    format!(
                        "`{}` is not an item of kind `{kind}`",
                        crate::domain::text::shown(&line.item)
                    ),
                ));
            }
            let fits = match (list, line.state) {
                ("lines", ChargeState::Posted) => line.posted_at.utc() < next_second,
                ("lines", ChargeState::Accrued) => {
                    line.kind == ChargeKind::Overage && line.posted_at > as_of
                }
                ("still_to_come", ChargeState::StillToCome) => line.posted_at > as_of,
                _ => false,
            };
            if !fits {
                let state = serde_json::to_value(line.state)
                    .ok()
                    .and_then(|state| state.as_str().map(str::to_string))
                    .unwrap_or_default();
                return Some((
                    key("state"),
                    format!(
                        "`{state}` does not fit the {kind} line posting at {} as of {as_of} (a line is posted at or before as-of; only overage is accrued, posting after it; a line still to come posts after it)",
                        line.posted_at
                    ),
                ));
            }
        }
        None
    }
}

/// Where an allocation's cycles (the rows of the CSV view) do not add up
/// to its groups, unused and shared (the table's), or its groups are not
/// one each: `(key under the account, what is wrong)`.
fn allocation_unbalanced(allocation: &AllocationReport) -> Option<(String, String)> {
    for (g, group) in allocation.groups.iter().enumerate() {
        if allocation.groups[..g]
            .iter()
            .any(|other| other.group == group.group)
        {
            return Some((
                format!("allocation.groups[{g}].group"),
                format!(
                    "`{}` is listed twice",
                    crate::domain::text::shown(&group.group)
                ),
            ));
        }
    }
    for (c, cycle) in allocation.cycles.iter().enumerate() {
        for (g, group) in cycle.groups.iter().enumerate() {
            if !allocation
                .groups
                .iter()
                .any(|total| total.group == group.group)
            {
                return Some((
                    format!("allocation.cycles[{c}].groups[{g}].group"),
                    format!(
                        "`{}` is not one of the allocation's groups",
                        crate::domain::text::shown(&group.group)
                    ),
                ));
            }
        }
    }
    let sum = |parts: &mut dyn Iterator<Item = Money>| Money::checked_sum(parts);
    let differs = |key: String, written: Money, sum: Option<Money>| {
        (sum != Some(written)).then(|| {
            let sum = sum.map_or_else(|| "beyond a decimal's range".into(), |s| s.to_string());
            (
                key,
                format!("`{written}` is not the sum of its cycles' ({sum})"),
            )
        })
    };
    for (g, group) in allocation.groups.iter().enumerate() {
        let cycles = allocation.cycles.iter().flat_map(|cycle| &cycle.groups);
        let parts = &mut cycles
            .filter(|part| part.group == group.group)
            .map(|part| part.charges);
        let wrong = differs(
            format!("allocation.groups[{g}].charges"),
            group.charges,
            sum(parts),
        );
        if wrong.is_some() {
            return wrong;
        }
    }
    let unused = sum(&mut allocation.cycles.iter().map(|cycle| cycle.unused));
    let shared = sum(&mut allocation.cycles.iter().map(|cycle| cycle.shared));
    differs("allocation.unused".into(), allocation.unused, unused)
        .or_else(|| differs("allocation.shared".into(), allocation.shared, shared))
}

impl AccountReport {
    /// Where the account's figures do not add up as `report` writes them:
    /// `(key under the account, what is wrong)`. A report read back
    /// (`merge`) is taken as written, so one edited by hand or damaged is
    /// refused for it rather than merged into totals its own parts
    /// contradict: every period's granted units are its consumed,
    /// remaining and expired ones (none negative, a closed period with
    /// nothing remaining, a current one with nothing expired), an
    /// allowance's figures are its periods' sums and the account's units
    /// its allowances' sums; the scan counts add up within a count's range;
    /// and each charge line's amount (posted, accrued or still to come) is
    /// its quantity × unit price at `decimals` places (a top-up's within one
    /// cent-like step of it: it is the period's cost after the top-up less
    /// the cost before).
    pub(crate) fn unbalanced(&self, decimals: u32) -> Option<(String, String)> {
        let zero = Decimal::ZERO;
        let sum = |values: &mut dyn Iterator<Item = Units>| {
            let mut total = zero;
            for units in values {
                total = total.checked_add(units.value())?;
            }
            Some(total)
        };
        let differs = |key: String, written: Units, sum: Option<Decimal>, of: &str| {
            (Some(written.value()) != sum).then(|| {
                let sum = sum.map_or_else(
                    || "beyond a decimal's range".into(),
                    |s| s.normalize().to_string(),
                );
                (key, format!("`{written}` is not the sum of {of} ({sum})"))
            })
        };
        for (a, allowance) in self.allowances.iter().enumerate() {
            for (p, period) in allowance.periods.iter().enumerate() {
                let key = |field: &str| format!("allowances[{a}].periods[{p}].{field}");
                for (field, units) in [
                    ("granted", period.granted),
                    ("consumed", period.consumed),
                    ("remaining", period.remaining),
                    ("expired", period.expired),
                ] {
                    if units.value() < zero {
                        return Some((
                            key(field),
                            format!("`{units}` is negative, which no unit count is"),
                        ));
                    }
                }
                let (left, nothing) = match period.state {
                    PeriodState::Closed => (period.remaining, "remaining in a closed period"),
                    PeriodState::Current => (period.expired, "expired in the current period"),
                };
                if !left.is_zero() {
                    let field = if period.state == PeriodState::Closed {
                        "remaining"
                    } else {
                        "expired"
                    };
                    return Some((
                        key(field),
                        format!("`{left}` units {nothing}, where none are"),
                    ));
                }
                let parts = [period.consumed, period.remaining, period.expired];
                if let Some(wrong) = differs(
                    key("granted"),
                    period.granted,
                    sum(&mut parts.into_iter()),
                    "consumed, remaining and expired",
                ) {
                    return Some(wrong);
                }
            }
            let key = |field: &str| format!("allowances[{a}].{field}");
            let periods = &allowance.periods;
            for (field, written, of) in [
                (
                    "granted",
                    allowance.granted,
                    sum(&mut periods.iter().map(|p| p.granted)),
                ),
                (
                    "consumed",
                    allowance.consumed,
                    sum(&mut periods.iter().map(|p| p.consumed)),
                ),
                (
                    "remaining",
                    allowance.remaining,
                    sum(&mut periods.iter().map(|p| p.remaining)),
                ),
                (
                    "expired",
                    allowance.expired,
                    sum(&mut periods.iter().map(|p| p.expired)),
                ),
            ] {
                if let Some(wrong) = differs(key(field), written, of, "its periods'") {
                    return Some(wrong);
                }
            }
        }
        let all = &self.allowances;
        let free = || all.iter().filter(|a| a.kind == AllowanceKind::Free);
        let units = &self.units;
        for (field, written, of) in [
            (
                "consumed",
                units.consumed,
                sum(&mut all.iter().map(|a| a.consumed)),
            ),
            (
                "remaining",
                units.remaining,
                sum(&mut all.iter().map(|a| a.remaining)),
            ),
            (
                "expired",
                units.expired,
                sum(&mut all.iter().map(|a| a.expired)),
            ),
            (
                "free_used",
                units.free_used,
                sum(&mut free().map(|a| a.consumed)),
            ),
            (
                "free_expired",
                units.free_expired,
                sum(&mut free().map(|a| a.expired)),
            ),
        ] {
            if let Some(wrong) = differs(format!("units.{field}"), written, of, "the allowances'") {
                return Some(wrong);
            }
        }
        for (field, written) in [("overage", units.overage), ("denied", units.denied)] {
            if written.value() < zero {
                return Some((
                    format!("units.{field}"),
                    format!("`{written}` is negative, which no unit count is"),
                ));
            }
        }
        // The cycles (the invoice's groups) hold what each overdrew and
        // denied; the account's figures are their sums.
        for (c, cycle) in self.cycles.iter().enumerate() {
            if cycle.unpriced_overage.value() > cycle.overage.value() {
                return Some((
                    format!("cycles[{c}].unpriced_overage"),
                    format!(
                        "`{}` is more than the cycle's overage ({})",
                        cycle.unpriced_overage, cycle.overage
                    ),
                ));
            }
        }
        for (field, written, of) in [
            (
                "overage",
                units.overage,
                sum(&mut self.cycles.iter().map(|c| c.overage)),
            ),
            (
                "denied",
                units.denied,
                sum(&mut self.cycles.iter().map(|c| c.denied)),
            ),
        ] {
            if let Some(wrong) = differs(format!("units.{field}"), written, of, "the cycles'") {
                return Some(wrong);
            }
        }
        let scans = &self.scans;
        let counts = [
            scans.duplicates,
            scans.failed,
            scans.trial,
            scans.uncovered,
            scans.first,
            scans.repeat,
            scans.denied,
            scans.after_as_of,
        ];
        if counts
            .iter()
            .try_fold(0u64, |total, count| total.checked_add(*count))
            .is_none()
        {
            return Some((
                "scans".into(),
                "counts add up beyond a count's range".into(),
            ));
        }
        if scans.failed_metered > scans.failed {
            return Some((
                "scans.failed_metered".into(),
                format!(
                    "`{}` is more than the failed scans ({})",
                    scans.failed_metered, scans.failed
                ),
            ));
        }
        let step = Decimal::new(1, decimals);
        // The lines still to come are priced as the posted ones are.
        let lines = (self
            .charges
            .lines
            .iter()
            .enumerate()
            .map(|(l, line)| ("lines", l, line)))
        .chain(
            (self.charges.still_to_come.iter().enumerate())
                .map(|(l, line)| ("still_to_come", l, line)),
        );
        for (list, l, line) in lines {
            let key = |field: &str| format!("charges.{list}[{l}].{field}");
            if line.quantity.value() < zero {
                return Some((
                    key("quantity"),
                    format!(
                        "`{}` is negative, which no charge line's quantity is",
                        line.quantity
                    ),
                ));
            }
            if line.unit_price.value() < zero {
                return Some((
                    key("unit_price"),
                    format!("`{}` is negative, which no price is", line.unit_price),
                ));
            }
            let priced = crate::domain::numbers::priced(
                line.quantity.value(),
                line.unit_price.value(),
                decimals,
            );
            let off = priced
                .and_then(|priced| line.amount.value().checked_sub(priced))
                .map(|off| off.abs());
            let fits = match line.kind {
                ChargeKind::Topup => off.is_some_and(|off| off <= step),
                _ => off.is_some_and(|off| off.is_zero()),
            };
            if !fits {
                return Some((
                    key("amount"),
                    format!(
                        "`{}` is not its quantity {} × unit price {} at {decimals} decimals",
                        line.amount, line.quantity, line.unit_price
                    ),
                ));
            }
        }
        self.allocation.as_ref().and_then(allocation_unbalanced)
    }

    /// What period `period` of allowance `allowance` was charged (its line
    /// and its top-ups' lines, by their basis); `None` when no line is.
    pub(crate) fn period_charge(&self, allowance: usize, period: usize) -> Option<Money> {
        let basis = LineBasis::AllowancePeriod { allowance, period };
        self.charges
            .lines
            .iter()
            .filter(|line| line.basis == Some(basis))
            .map(|line| line.amount)
            .fold(None, |sum: Option<Money>, amount| {
                Some(sum.map_or(amount, |sum| sum + amount))
            })
    }

    /// Give every charge line read back from JSON (where the basis is not
    /// written) the basis the report had when it was built: from the line's
    /// kind, item and times and the account's allowances and cycles.
    pub(crate) fn rebuild_bases(&mut self) {
        let allowances = &self.allowances;
        let cycles = &self.cycles;
        let still_to_come = &self.charges.still_to_come;
        let bases = |lines: &[ChargeLineReport]| -> Vec<Option<LineBasis>> {
            lines
                .iter()
                .map(|line| basis_of(line, allowances, cycles, still_to_come))
                .collect()
        };
        let lines = bases(&self.charges.lines);
        let to_come = bases(still_to_come);
        let window = self.window_charges.as_ref().map(|w| bases(&w.lines));
        let set = |lines: &mut [ChargeLineReport], bases: Vec<Option<LineBasis>>| {
            for (line, basis) in lines.iter_mut().zip(bases) {
                line.basis = basis;
            }
        };
        set(&mut self.charges.lines, lines);
        set(&mut self.charges.still_to_come, to_come);
        if let (Some(charges), Some(bases)) = (&mut self.window_charges, window) {
            set(&mut charges.lines, bases);
        }
        // Overage without a price, and what the projection adds to overage
        // lines: always of an overage period.
        for unpriced in &mut self.charges.unpriced_lines {
            unpriced.basis = Some(LineBasis::OveragePeriod);
        }
        if let Some(projection) = &mut self.projection {
            for line in &mut projection.projected_overage_lines {
                line.basis = Some(LineBasis::OveragePeriod);
            }
        }
    }
}

/// The basis of one line read back (see [`AccountReport::rebuild_bases`]).
fn basis_of(
    line: &ChargeLineReport,
    allowances: &[AllowanceReport],
    cycles: &[CycleReport],
    still_to_come: &[ChargeLineReport],
) -> Option<LineBasis> {
    let at = line.period_start;
    let cycle_of = || cycles.iter().position(|c| c.start <= at && at < c.end);
    match line.kind {
        ChargeKind::Allowance | ChargeKind::Topup => {
            // Reading the JSON back: the item (`allowance:NAME`,
            // `topup:NAME`) is the only place the allowance is written.
            let (_, name) = line.item.split_once(':')?;
            let allowance = allowances.iter().position(|a| a.name == name)?;
            let periods = &allowances[allowance].periods;
            if let Some(period) = periods.iter().position(|p| p.start <= at && at < p.end) {
                return Some(LineBasis::AllowancePeriod { allowance, period });
            }
            // A period after the listed ones: still to come, each with its
            // own allowance line at its start; a top-up is in the last one
            // starting by its `at`.
            let listed_end = periods.last().map(|p| p.end);
            let mut starts: Vec<Instant> = still_to_come
                .iter()
                .filter(|l| {
                    l.kind == ChargeKind::Allowance
                        && l.item.split_once(':').map(|(_, n)| n) == Some(name)
                })
                .map(|l| l.period_start)
                .filter(|start| listed_end.is_none_or(|end| end <= *start) && *start <= at)
                .collect();
            starts.sort();
            starts.dedup();
            let later = starts.len().checked_sub(1)?;
            Some(LineBasis::AllowancePeriod {
                allowance,
                period: periods.len() + later,
            })
        }
        ChargeKind::Fee => cycle_of().map(LineBasis::Cycle),
        ChargeKind::Cores => Some(cycle_of().map_or(LineBasis::OutsideCycles, LineBasis::Cycle)),
        ChargeKind::Overage => Some(LineBasis::OveragePeriod),
    }
}

/// An overage tier as a line names it: the overage period's metered units
/// after `from` up to `up_to` (inclusive; absent: no bound); `number` from 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct TierReport {
    pub(crate) number: usize,
    pub(crate) from: Units,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) up_to: Option<Units>,
}

impl TierReport {
    pub(crate) fn of(tier: crate::plan::TierRange) -> Self {
        TierReport {
            number: tier.number,
            from: Units::new(tier.from),
            up_to: tier.up_to.map(Units::new),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SubscriptionReport {
    pub(crate) start: Instant,
    pub(crate) end: Option<Instant>,
    pub(crate) status: SubscriptionStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectionReport {
    pub cycle_start: Instant,
    pub cycle_end: Instant,
    pub demand: Units,
    pub projected_demand: Units,
    pub available: Units,
    pub projected_overage: Units,
    pub projected_denied: Units,
    pub exhausts_at: Option<Instant>,
    pub projected_cycle_charges: Money,
    /// Nothing is left to draw at as-of.
    pub exhausted: bool,
    /// Projected overage units without a price (never counted as zero money).
    pub projected_unpriced_overage: Units,
    /// Units the rest of the cycle is projected to need beyond what remains:
    /// what will still be denied or billed, on top of what already was.
    pub(crate) projected_shortfall: Units,
    /// What the projection adds to each overage line posting in the cycle
    /// (per overage period and tier): the invoice's still-to-come overage.
    #[serde(default)]
    pub(crate) projected_overage_lines: Vec<ProjectedOverageReport>,
    /// Overage units of the cycle whose overage period posts after the
    /// cycle end: in `projected_overage`, not in `projected_cycle_charges`.
    #[serde(default)]
    pub(crate) projected_overage_posting_later: Units,
}

/// What the projection adds to one overage line posting in the cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ProjectedOverageReport {
    pub(crate) period_start: Instant,
    pub(crate) posted_at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<TierReport>,
    /// Units added; negative when, by volume, the period's units move to a
    /// further tier's line.
    pub(crate) quantity: Units,
    /// `None`: no price in the plan.
    pub(crate) unit_price: Option<UnitPrice>,
    /// `None` exactly when `unit_price` is: never a zero.
    pub(crate) amount: Option<Money>,
    #[serde(skip)]
    pub(crate) basis: Option<LineBasis>,
}

/// Overage of one overage period (and tier) without a price: where it
/// posts, never money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct UnpricedOverageReport {
    pub(crate) period_start: Instant,
    pub(crate) posted_at: Instant,
    pub(crate) state: ChargeState,
    pub(crate) quantity: Units,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<TierReport>,
    #[serde(skip)]
    pub(crate) basis: Option<LineBasis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub charges: Money,
    pub consumed: Units,
    pub(crate) remaining: Units,
    pub(crate) expired: Units,
    pub free_used: Units,
    pub free_expired: Units,
    /// Overage units without a price: never counted as zero money.
    pub unpriced_overage_units: Units,
    pub(crate) overage: Units,
    pub denied: Units,
}

impl Totals {
    /// The totals over `accounts`, money kept at `decimals` places; a total
    /// beyond a decimal's range is [`Error::Overflow`], whose `fix` says how
    /// to stay within it (a report and a merge are made smaller differently).
    pub(crate) fn of(accounts: &[AccountReport], decimals: u32, fix: &'static str) -> Result<Self> {
        let mut totals = Totals {
            charges: Money::zero(decimals),
            consumed: Units::ZERO,
            remaining: Units::ZERO,
            expired: Units::ZERO,
            free_used: Units::ZERO,
            free_expired: Units::ZERO,
            unpriced_overage_units: Units::ZERO,
            overage: Units::ZERO,
            denied: Units::ZERO,
        };
        let overflow = |what: &'static str| {
            move || Error::overflow(format!("the total {what} over every account"), fix)
        };
        for account in accounts {
            let (units, charges) = (&account.units, &account.charges);
            totals.charges = totals.charges.try_add(charges.total, overflow("charges"))?;
            let sums: [(&mut Units, Units, &str); 8] = [
                (&mut totals.consumed, units.consumed, "units consumed"),
                (&mut totals.remaining, units.remaining, "units remaining"),
                (&mut totals.expired, units.expired, "units expired"),
                (&mut totals.free_used, units.free_used, "free units used"),
                (
                    &mut totals.free_expired,
                    units.free_expired,
                    "free units expired",
                ),
                (
                    &mut totals.unpriced_overage_units,
                    charges.unpriced_overage_units,
                    "unpriced overage units",
                ),
                (&mut totals.overage, units.overage, "overage units"),
                (&mut totals.denied, units.denied, "denied units"),
            ];
            for (total, value, what) in sums {
                *total = total.try_add(value, overflow(what))?;
            }
        }
        Ok(totals)
    }
}

/// The report from replayed usages (in memory or streamed). `no_rows`: the
/// log had no rows at all, so the `default` placeholder account gives way to
/// accounts that only have core samples. `core_days` is `None` without
/// `--cores`: the report then bills no cores, and says so (`bills_cores`),
/// whatever the plan prices.
pub fn assemble(
    plan: &Plan,
    schedule: &Schedule,
    mut usages: Vec<AccountUsage>,
    no_rows: bool,
    account: Option<&str>,
    core_days: Option<&BTreeMap<String, Vec<CoreDay>>>,
    breakdown: Option<&Breakdown>,
) -> Result<Report> {
    let core_accounts: Vec<&String> = (core_days.iter().flat_map(|days| days.keys()))
        .filter(|name| account.is_none_or(|a| a == *name))
        .collect();
    if no_rows && account.is_none() && !core_accounts.is_empty() {
        usages.clear();
    }
    for name in core_accounts {
        if !usages.iter().any(|u| &u.account == name) {
            usages.push(AccountUsage::empty(plan, schedule, name.clone()));
        }
    }
    usages.sort_by(|a, b| a.account.cmp(&b.account));
    build(plan, schedule, &usages, core_days, breakdown)
}

/// Assemble the report from the replay of every account.
pub fn build(
    plan: &Plan,
    schedule: &Schedule,
    usages: &[AccountUsage],
    core_days: Option<&BTreeMap<String, Vec<CoreDay>>>,
    breakdown: Option<&Breakdown>,
) -> Result<Report> {
    let days = report_days(plan, schedule);
    // Sized once: an account's report is large, and a vector grown by
    // doubling would hold up to twice the accounts' room.
    let mut accounts: Vec<AccountReport> = Vec::with_capacity(usages.len());
    for usage in usages {
        let cores =
            (core_days.and_then(|days| days.get(&usage.account))).map_or(&[][..], Vec::as_slice);
        accounts.push(account_report(
            plan, schedule, usage, &days, cores, breakdown,
        )?);
    }
    let totals = Totals::of(
        &accounts,
        plan.decimals,
        "report fewer accounts at a time with --account",
    )?;
    Ok(Report {
        schema: REPORT_SCHEMA.to_string(),
        plan: plan.name.clone(),
        plan_digest: Some(crate::plan::plan_digest(plan)),
        currency: plan.currency.clone(),
        decimals: plan.decimals,
        timezone: schedule.display.to_string(),
        as_of: Instant::new(schedule.display, shown_as_of(schedule.as_of)),
        window: None,
        unit_places: schedule.unit_places(),
        overage_policy: plan.overage.policy,
        overage_unit_price: plan.overage.unit_price.map(UnitPrice::new),
        bills_cores: plan.cores.is_some() && core_days.is_some(),
        changes: PlanChange::of(plan, schedule.display),
        accounts,
        totals,
    })
}

fn account_report(
    plan: &Plan,
    schedule: &Schedule,
    usage: &AccountUsage,
    days: &[Vec<std::sync::Arc<[ReportDay]>>],
    core_days: &[CoreDay],
    breakdown: Option<&Breakdown>,
) -> Result<AccountReport> {
    usage.check(plan)?;
    // First, so that an overflow is found before the periods are laid out.
    let charges = charges(plan, schedule, usage, core_days)?;
    let zone = plan.zone;
    // Sums over an allowance's periods grow with the term and the top-ups.
    let grown = |name: &str| {
        Error::overflow(
            format!(
                "{}: [[allowance]] {name}: units summed over its periods up to {}",
                plan.file,
                zone.format(schedule.as_of)
            ),
            "write smaller units or top-ups, or give an earlier --as-of",
        )
    };
    // Times as shown (`--display-zone`); days stay the plan's.
    let shown = schedule.display;
    let as_of = schedule.as_of;
    let mut allowances: Vec<AllowanceReport> = Vec::with_capacity(plan.allowances.len());
    for (index, allowance) in plan.allowances.iter().enumerate() {
        let mut report = AllowanceReport {
            name: allowance.name.clone(),
            kind: allowance.kind,
            granted: Units::default(),
            consumed: Units::default(),
            remaining: Units::default(),
            expired: Units::default(),
            periods: Vec::with_capacity(schedule.allowance_periods[index].len()),
        };
        for (p, period) in schedule.allowance_periods[index].iter().enumerate() {
            let granted = schedule.granted(plan, index, period)?;
            let consumed = usage.period_consumed[index][p];
            let closed = period.end <= as_of;
            let left = granted - consumed;
            let (remaining, expired) = if closed {
                (Decimal::ZERO, left)
            } else {
                (left, Decimal::ZERO)
            };
            for (total, value) in [
                (&mut report.granted, granted),
                (&mut report.consumed, consumed),
                (&mut report.expired, expired),
                (&mut report.remaining, remaining),
            ] {
                *total = total.try_add(Units::new(value), || grown(&allowance.name))?;
            }
            let daily = DailyUsages::new(days[index][p].clone(), &usage.period_daily[index][p]);
            let last = if closed { period.end } else { as_of };
            let topups = schedule.topups[index]
                .iter()
                .filter(|(at, _)| period.start <= *at && (*at < last || (!closed && *at == as_of)))
                .map(|(at, units)| TopupReport {
                    at: Instant::new(shown, *at),
                    units: Units::new(*units),
                })
                .collect();
            report.periods.push(PeriodReport {
                projected_used: None,
                topups,
                daily,
                start: Instant::new(shown, period.start),
                end: Instant::new(shown, period.end),
                state: if closed {
                    PeriodState::Closed
                } else {
                    PeriodState::Current
                },
                granted: Units::new(granted),
                consumed: Units::new(consumed),
                remaining: Units::new(remaining),
                expired: Units::new(expired),
            });
        }
        allowances.push(report);
    }
    // The lines certain to post later in the cycle holding as-of.
    let still_to_come = match schedule
        .cycles
        .iter()
        .find(|cycle| cycle.start < as_of && as_of < cycle.end)
    {
        Some(cycle) => crate::engine::charges::still_to_come(plan, schedule, cycle)?,
        None => Vec::new(),
    };
    let every_allowance = |what: &str| {
        Error::overflow(
            format!(
                "account {}: units {what} summed over every [[allowance]] of {}",
                usage.account, plan.file
            ),
            "write smaller units or top-ups, or give an earlier --as-of",
        )
    };
    let available = Units::sum(allowances.iter().map(|a| a.remaining), || {
        every_allowance("remaining")
    })?;
    let projection = project(plan, schedule, usage, &charges, available.value())?
        .map(|p| projection_report(shown, &p));
    if let Some(projection) = &projection {
        // What the rest of the cycle is projected to draw, allowance by
        // allowance in drawing order, each up to what it has left.
        let mut extra = (projection.projected_demand - projection.demand).at_least_zero();
        for allowance in &mut allowances {
            if let Some(current) = allowance
                .periods
                .iter_mut()
                .find(|p| p.state == PeriodState::Current)
            {
                let drawn = extra.min(current.remaining);
                extra -= drawn;
                current.projected_used = Some(current.consumed + drawn);
            }
        }
    }
    let term = &plan.subscription.term;
    let free = |field: fn(&AllowanceReport) -> Units, what: &str| -> Result<Units> {
        Units::sum(
            allowances
                .iter()
                .filter(|a| a.kind == AllowanceKind::Free)
                .map(field),
            || every_allowance(what),
        )
    };
    let units = UnitTotals {
        consumed: Units::new(usage.consumed),
        overage: Units::new(usage.overage),
        denied: Units::new(usage.denied_units),
        remaining: available,
        expired: Units::sum(allowances.iter().map(|a| a.expired), || {
            every_allowance("expired")
        })?,
        free_used: free(|a| a.consumed, "used")?,
        free_expired: free(|a| a.expired, "expired")?,
    };
    // Overage without a price, by the cycle its overage period posts in,
    // as the invoice files it (a plan that prices none: the cycle's overage).
    let mut unpriced_by_cycle = vec![Decimal::ZERO; schedule.cycles.len()];
    for (p, period) in schedule.overage_periods.iter().enumerate() {
        if let Some(c) = schedule.posting_cycle(period) {
            for split in crate::engine::charges::overage_splits(
                plan,
                &usage.overage_buckets[p],
                usage.overage_metered[p],
            ) {
                if split.unit_price.is_none() {
                    unpriced_by_cycle[c] += split.quantity;
                }
            }
        }
    }
    let cycles = schedule
        .cycles
        .iter()
        .enumerate()
        .map(|(index, cycle)| {
            let overage = usage.cycle_overage[index];
            CycleReport {
                start: Instant::new(shown, cycle.start),
                end: Instant::new(shown, cycle.end),
                state: if cycle.end <= as_of {
                    PeriodState::Closed
                } else {
                    PeriodState::Current
                },
                overage: Units::new(overage),
                unpriced_overage: Units::new(if !plan.overage.priced() {
                    overage
                } else {
                    unpriced_by_cycle[index]
                }),
                denied: Units::new(usage.cycle_denied[index]),
            }
        })
        .collect();
    Ok(AccountReport {
        account: usage.account.clone(),
        scans: usage.counters,
        units,
        allowances,
        allocation: breakdown
            .map(|breakdown| allocate(plan, shown, schedule, usage, &charges, breakdown)),
        charges: charges_report(shown, &charges, &still_to_come),
        subscription: SubscriptionReport {
            start: Instant::new(shown, term.start),
            end: term.end.map(|end| Instant::new(shown, end)),
            status: plan.subscription.status_at(as_of),
        },
        projection,
        cycles,
        upcoming_cycle: upcoming_cycle(plan, schedule, &charges).map(|cycle| WindowReport {
            from: Instant::new(shown, cycle.start),
            to: Instant::new(shown, cycle.end),
        }),
        window_charges: None,
    })
}

/// The cycle after the last one started by as-of, if an overage line (or
/// unpriced overage) already accrued posts in it.
fn upcoming_cycle(plan: &Plan, schedule: &Schedule, charges: &Charges) -> Option<Period> {
    let last_end = schedule.cycles.last()?.end;
    let latest = charges
        .lines
        .iter()
        .filter(|line| line.kind == ChargeKind::Overage)
        .map(|line| line.posted_at)
        .chain(charges.unpriced.iter().map(|unpriced| unpriced.posted_at))
        .max()
        .filter(|at| *at > last_end)?;
    plan.subscription
        .term
        .periods_until(
            crate::domain::periods::Reset::Cycle,
            latest - chrono::TimeDelta::nanoseconds(1),
        )
        .into_iter()
        .find(|cycle| cycle.start == last_end && latest <= cycle.end)
}

fn charges_report(shown: Zone, charges: &Charges, still_to_come: &[ChargeLine]) -> ChargesReport {
    let line_report = |line: &ChargeLine| ChargeLineReport {
        kind: line.kind,
        item: line.item.clone(),
        period_start: Instant::new(shown, line.period_start),
        posted_at: Instant::new(shown, line.posted_at),
        state: line.state,
        quantity: Units::new(line.quantity),
        unit_price: UnitPrice::new(line.unit_price),
        amount: Money::new(line.amount),
        basis: Some(LineBasis::of(line.basis)),
        tier: line.tier.map(TierReport::of),
    };
    ChargesReport {
        lines: charges.lines.iter().map(line_report).collect(),
        still_to_come: still_to_come.iter().map(line_report).collect(),
        total: Money::new(charges.total),
        unpriced_overage_units: Units::new(charges.unpriced_overage_units),
        unpriced_lines: charges
            .unpriced
            .iter()
            .map(|unpriced| UnpricedOverageReport {
                period_start: Instant::new(shown, unpriced.period_start),
                posted_at: Instant::new(shown, unpriced.posted_at),
                state: unpriced.state,
                quantity: Units::new(unpriced.quantity),
                tier: unpriced.tier.map(TierReport::of),
                basis: Some(LineBasis::of(unpriced.basis)),
            })
            .collect(),
    }
}

fn projection_report(zone: Zone, projection: &Projection) -> ProjectionReport {
    ProjectionReport {
        cycle_start: Instant::new(zone, projection.cycle_start),
        cycle_end: Instant::new(zone, projection.cycle_end),
        demand: Units::new(projection.demand),
        projected_demand: Units::new(projection.projected_demand),
        available: Units::new(projection.available),
        projected_overage: Units::new(projection.projected_overage),
        projected_denied: Units::new(projection.projected_denied),
        exhausts_at: projection.exhausts_at.map(|t| Instant::new(zone, t)),
        projected_cycle_charges: Money::new(projection.projected_cycle_charges),
        exhausted: projection.exhausted,
        projected_unpriced_overage: Units::new(projection.projected_unpriced_overage),
        projected_shortfall: Units::new(projection.projected_shortfall),
        projected_overage_lines: projection
            .overage_lines
            .iter()
            .map(|line| ProjectedOverageReport {
                period_start: Instant::new(zone, line.period_start),
                posted_at: Instant::new(zone, line.posted_at),
                tier: line.tier.map(TierReport::of),
                quantity: Units::new(line.quantity),
                unit_price: line.unit_price.map(UnitPrice::new),
                amount: line.amount.map(Money::new),
                basis: Some(LineBasis::of(line.basis)),
            })
            .collect(),
        projected_overage_posting_later: Units::new(projection.overage_posting_later),
    }
}

/// One plan's figures for a side-by-side comparison, summed over accounts:
/// what it charged, and what it refused or left unpriced, so that no plan
/// looks cheaper by hiding what it denied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSummary {
    pub(crate) plan: String,
    pub(crate) currency: String,
    pub(crate) consumed: Units,
    pub(crate) remaining: Units,
    pub(crate) expired: Units,
    pub(crate) scans_denied: u64,
    pub units_denied: Units,
    pub(crate) overage: Units,
    pub unpriced_overage: Units,
    pub(crate) charges: Money,
    /// `None` when no account has a projection (as-of not inside a cycle).
    pub(crate) projected_cycle_charges: Option<Money>,
    pub(crate) projected_unpriced_overage: Option<Units>,
    pub(crate) projected_denied: Option<Units>,
}

impl Report {
    /// The plan's line in a comparison; a projected sum over the accounts
    /// beyond a decimal's range is [`Error::Overflow`].
    pub(crate) fn summary(&self) -> Result<PlanSummary> {
        let projections: Vec<&ProjectionReport> = self
            .accounts
            .iter()
            .filter_map(|a| a.projection.as_ref())
            .collect();
        let overflow = |what: &'static str| {
            move || {
                Error::overflow(
                    format!(
                        "plan `{}`: the projected {what} over every account",
                        self.plan
                    ),
                    "report fewer accounts at a time with --account",
                )
            }
        };
        let projected = !projections.is_empty();
        let units = |field: fn(&ProjectionReport) -> Units, what: &'static str| {
            projected
                .then(|| Units::sum(projections.iter().map(|p| field(p)), overflow(what)))
                .transpose()
        };
        Ok(PlanSummary {
            plan: self.plan.clone(),
            currency: self.currency.clone(),
            consumed: self.totals.consumed,
            remaining: self.totals.remaining,
            expired: self.totals.expired,
            scans_denied: self.accounts.iter().map(|a| a.scans.denied).sum(),
            units_denied: self.totals.denied,
            overage: self.totals.overage,
            unpriced_overage: self.totals.unpriced_overage_units,
            charges: self.totals.charges,
            projected_cycle_charges: projected
                .then(|| {
                    Money::sum(
                        projections.iter().map(|p| p.projected_cycle_charges),
                        overflow("cycle charges"),
                    )
                })
                .transpose()?
                .map(|sum| sum.rounded(self.decimals)),
            projected_unpriced_overage: units(
                |p| p.projected_unpriced_overage,
                "unpriced overage units",
            )?,
            projected_denied: units(|p| p.projected_denied, "denied units")?,
        })
    }
}

/// Several plans replayed over the same log (`scanquota.compare.v1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub(crate) schema: &'static str,
    /// Per plan, the figures the side-by-side view shows.
    pub summaries: Vec<PlanSummary>,
    pub(crate) reports: Vec<Report>,
}

/// How a compared plan is headed side by side: by its `name`, or, unnamed,
/// by its place in the order given (`place` from 1: "plan 2"). The job
/// refuses a plan named as another is headed by this rule.
pub(crate) fn plan_heading(name: &str, place: usize) -> String {
    if name.is_empty() {
        format!("plan {place}")
    } else {
        name.to_string()
    }
}

impl Comparison {
    pub fn new(reports: Vec<Report>) -> Result<Self> {
        Ok(Comparison {
            schema: COMPARE_SCHEMA,
            summaries: reports.iter().map(Report::summary).collect::<Result<_>>()?,
            reports,
        })
    }
}

/// The as-of a report prints: as given, except the last nanosecond before
/// a boundary (a bare-date `--as-of`, a window's end), printed as 23:59:59,
/// also where it is the last of a leap second (23:59:60 UTC on 31
/// December), which many readers of RFC 3339 refuse. An as-of written with
/// a fraction (`00:00:01.5`) keeps it: scans up to it are counted, and the
/// report says so.
fn shown_as_of(as_of: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    if as_of.nanosecond() % 1_000_000_000 == 999_999_999 {
        as_of.with_nanosecond(0).unwrap_or(as_of)
    } else {
        as_of
    }
}

/// A day's `until` as printed: the last nanosecond of a leap second (a
/// bare-date as-of of 31 December in UTC) as the last of second 59, as
/// every other day ends, since many readers of RFC 3339 refuse second 60.
fn day_end_shown(end: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    if end.nanosecond() == 1_999_999_999 {
        end.with_nanosecond(999_999_999).unwrap_or(end)
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn days(count: usize) -> std::sync::Arc<[ReportDay]> {
        let zone = Zone::Fixed(chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        (0..count)
            .map(|day| {
                let until =
                    DateTime::from_timestamp(1_704_067_200 + 86_400 * (day as i64 + 1), 0).unwrap();
                ReportDay {
                    date: format!("2024-01-{:02}", day + 1),
                    until: Instant::new(zone, until),
                }
            })
            .collect()
    }

    proptest! {
        /// The daily usage held as its changes shows, day by day, the
        /// running sum of the units drawn on each (the figure per day the
        /// report once held), and reads back from its JSON the same.
        #[test]
        fn daily_usage_held_as_changes_is_the_running_sum(
            count in 0usize..30,
            drawn in prop::collection::vec(prop_oneof![3 => Just(0i64), 1 => 1i64..500], 0..35),
            scale in 0u32..3,
        ) {
            let drawn: Vec<Decimal> = drawn.iter().map(|units| Decimal::new(*units, scale)).collect();
            let usage = DailyUsages::new(days(count), &drawn);
            let mut used = Decimal::ZERO;
            let straight: Vec<(String, Decimal)> = (0..count)
                .map(|day| {
                    used += drawn.get(day).copied().unwrap_or_default();
                    (format!("2024-01-{:02}", day + 1), used)
                })
                .collect();
            let shown: Vec<(String, Decimal)> =
                usage.iter().map(|day| (day.date.to_string(), day.used.value())).collect();
            prop_assert_eq!(&shown, &straight);
            prop_assert_eq!(usage.len(), count);
            prop_assert_eq!(usage.last().map(|day| day.used.value()), straight.last().map(|(_, used)| *used));
            let json = serde_json::to_string(&usage).unwrap();
            let read: DailyUsages = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&read, &usage);
            prop_assert_eq!(serde_json::to_string(&read).unwrap(), json);
        }
    }
}
