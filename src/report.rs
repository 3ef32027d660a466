//! The report model (SPEC §7): the one serialisable result that every output
//! format is drawn from. Units and money are exact decimals that serialise
//! as strings; times are RFC 3339 in the plan's zone.

use crate::charges::{Charges, charges};
use crate::cores::CoreDay;
use crate::log::ScanLog;
use crate::meter::{AccountUsage, Counters, Schedule, replay_accounts};
use crate::numbers::{format_units, round_money};
use crate::plan::{AllowanceKind, Plan, Status};
use crate::projection::{Projection, project};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub const REPORT_SCHEMA: &str = "scanquota.report.v1";
pub const COMPARE_SCHEMA: &str = "scanquota.compare.v1";

/// A unit count: prints normalised (`289.1`, `300`, `0`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Units(pub Decimal);

/// An amount of money already rounded to the plan's decimals: prints with
/// exactly that many digits (`18.00`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub Decimal);

impl fmt::Display for Units {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format_units(self.0))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0.to_string())
    }
}

macro_rules! decimal_string_serde {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Decimal::from_str(&text)
                    .map($name)
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}
decimal_string_serde!(Units);
decimal_string_serde!(Money);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub plan: String,
    pub currency: String,
    pub decimals: u32,
    pub timezone: String,
    pub as_of: String,
    pub accounts: Vec<AccountReport>,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: String,
    pub scans: ScanCounts,
    pub units: UnitTotals,
    pub allowances: Vec<AllowanceReport>,
    pub charges: ChargesReport,
    pub subscription: SubscriptionReport,
    pub projection: Option<ProjectionReport>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCounts {
    pub duplicates: u64,
    pub failed: u64,
    pub trial: u64,
    pub uncovered: u64,
    pub first: u64,
    pub repeat: u64,
    pub denied: u64,
    /// Rows dated after as-of: read but not replayed.
    pub after_as_of: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitTotals {
    pub consumed: Units,
    pub overage: Units,
    pub denied: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllowanceReport {
    pub name: String,
    pub kind: AllowanceKind,
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
    pub start: String,
    pub end: String,
    pub state: PeriodState,
    pub granted: Units,
    pub consumed: Units,
    pub remaining: Units,
    pub expired: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargesReport {
    pub lines: Vec<ChargeLineReport>,
    pub total: Money,
    pub unpriced_overage_units: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargeLineReport {
    pub item: String,
    pub period_start: String,
    pub quantity: Units,
    pub unit_price: Units,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionReport {
    pub start: String,
    pub end: Option<String>,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectionReport {
    pub cycle_start: String,
    pub cycle_end: String,
    pub demand: Units,
    pub projected_demand: Units,
    pub available: Units,
    pub projected_overage: Units,
    pub projected_denied: Units,
    pub exhausts_at: Option<String>,
    pub projected_cycle_charges: Money,
    /// Nothing is left to draw at as-of.
    pub exhausted: bool,
    /// Projected overage units without a price (never counted as zero money).
    pub projected_unpriced_overage: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub charges: Money,
    pub consumed: Units,
    pub remaining: Units,
    pub expired: Units,
    pub free_used: Units,
    pub free_expired: Units,
}

impl Totals {
    /// The totals over `accounts`, money kept at `decimals` places.
    pub fn of(accounts: &[AccountReport], decimals: u32) -> Self {
        let mut totals = Totals {
            charges: Money(round_money(Decimal::ZERO, decimals)),
            consumed: Units::default(),
            remaining: Units::default(),
            expired: Units::default(),
            free_used: Units::default(),
            free_expired: Units::default(),
        };
        for account in accounts {
            totals.charges.0 += account.charges.total.0;
            for allowance in &account.allowances {
                totals.consumed.0 += allowance.consumed.0;
                totals.remaining.0 += allowance.remaining.0;
                totals.expired.0 += allowance.expired.0;
                if allowance.kind == AllowanceKind::Free {
                    totals.free_used.0 += allowance.consumed.0;
                    totals.free_expired.0 += allowance.expired.0;
                }
            }
        }
        totals
    }
}

impl ScanCounts {
    fn new(counters: &Counters, after_as_of: u64) -> Self {
        ScanCounts {
            duplicates: counters.duplicates,
            failed: counters.failed,
            trial: counters.trial,
            uncovered: counters.uncovered,
            first: counters.first,
            repeat: counters.repeat,
            denied: counters.denied,
            after_as_of,
        }
    }
}

/// The report for one plan: replay every account, then charges, projection
/// and totals, assembled.
pub fn generate(plan: &Plan, log: &ScanLog, as_of: DateTime<Utc>, account: Option<&str>) -> Report {
    let schedule = Schedule::new(plan, as_of);
    let usages = replay_accounts(plan, log, &schedule, account);
    build(plan, &schedule, &usages, &BTreeMap::new())
}

/// [`generate`] with Pro-edition core days per account (`--cores`); accounts
/// that only have core samples are reported too.
pub fn generate_with_cores(
    plan: &Plan,
    log: &ScanLog,
    as_of: DateTime<Utc>,
    account: Option<&str>,
    core_days: &BTreeMap<String, Vec<CoreDay>>,
) -> Report {
    let schedule = Schedule::new(plan, as_of);
    let usages = replay_accounts(plan, log, &schedule, account);
    assemble(
        plan,
        &schedule,
        usages,
        log.accounts.is_empty(),
        account,
        core_days,
    )
}

/// The report from replayed usages (in memory or streamed). `no_rows`: the
/// log had no rows at all, so the `default` placeholder account gives way to
/// accounts that only have core samples.
pub fn assemble(
    plan: &Plan,
    schedule: &Schedule,
    mut usages: Vec<AccountUsage>,
    no_rows: bool,
    account: Option<&str>,
    core_days: &BTreeMap<String, Vec<CoreDay>>,
) -> Report {
    let core_accounts: Vec<&String> = core_days
        .keys()
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
    build(plan, schedule, &usages, core_days)
}

/// Assemble the report from the replay of every account.
pub fn build(
    plan: &Plan,
    schedule: &Schedule,
    usages: &[AccountUsage],
    core_days: &BTreeMap<String, Vec<CoreDay>>,
) -> Report {
    let accounts: Vec<AccountReport> = usages
        .iter()
        .map(|usage| {
            let days = core_days.get(&usage.account).map_or(&[][..], Vec::as_slice);
            account_report(plan, schedule, usage, days)
        })
        .collect();
    let totals = Totals::of(&accounts, plan.decimals);
    Report {
        schema: REPORT_SCHEMA.to_string(),
        plan: plan.name.clone(),
        currency: plan.currency.clone(),
        decimals: plan.decimals,
        timezone: plan.zone.to_string(),
        // Whole seconds: a bare-date as-of is the day's last nanosecond,
        // printed as 23:59:59.
        as_of: plan
            .zone
            .format(chrono::SubsecRound::trunc_subsecs(schedule.as_of, 0)),
        accounts,
        totals,
    }
}

fn account_report(
    plan: &Plan,
    schedule: &Schedule,
    usage: &AccountUsage,
    core_days: &[CoreDay],
) -> AccountReport {
    let zone = plan.zone;
    let as_of = schedule.as_of;
    let mut allowances = Vec::with_capacity(plan.allowances.len());
    for (index, allowance) in plan.allowances.iter().enumerate() {
        let mut report = AllowanceReport {
            name: allowance.name.clone(),
            kind: allowance.kind,
            granted: Units::default(),
            consumed: Units::default(),
            remaining: Units::default(),
            expired: Units::default(),
            periods: Vec::new(),
        };
        for (p, period) in schedule.allowance_periods[index].iter().enumerate() {
            let granted = schedule.granted(plan, index, period);
            let consumed = usage.period_consumed[index][p];
            let closed = period.end <= as_of;
            let left = granted - consumed;
            let (remaining, expired) = if closed {
                (Decimal::ZERO, left)
            } else {
                (left, Decimal::ZERO)
            };
            report.granted.0 += granted;
            report.consumed.0 += consumed;
            report.expired.0 += expired;
            report.remaining.0 += remaining;
            report.periods.push(PeriodReport {
                start: zone.format(period.start),
                end: zone.format(period.end),
                state: if closed {
                    PeriodState::Closed
                } else {
                    PeriodState::Current
                },
                granted: Units(granted),
                consumed: Units(consumed),
                remaining: Units(remaining),
                expired: Units(expired),
            });
        }
        allowances.push(report);
    }
    let charges = charges(plan, schedule, usage, core_days);
    let available: Decimal = allowances.iter().map(|a| a.remaining.0).sum();
    let projection =
        project(plan, schedule, usage, &charges, available).map(|p| projection_report(plan, &p));
    let term = &plan.subscription.term;
    AccountReport {
        account: usage.account.clone(),
        scans: ScanCounts::new(&usage.counters, usage.after_as_of),
        units: UnitTotals {
            consumed: Units(usage.consumed),
            overage: Units(usage.overage),
            denied: Units(usage.denied_units),
        },
        allowances,
        charges: charges_report(plan, &charges),
        subscription: SubscriptionReport {
            start: zone.format(term.start),
            end: term.end.map(|end| zone.format(end)),
            status: plan.subscription.status_at(as_of),
        },
        projection,
    }
}

fn charges_report(plan: &Plan, charges: &Charges) -> ChargesReport {
    ChargesReport {
        lines: charges
            .lines
            .iter()
            .map(|line| ChargeLineReport {
                item: line.item.clone(),
                period_start: plan.zone.format(line.period_start),
                quantity: Units(line.quantity),
                unit_price: Units(line.unit_price),
                amount: Money(line.amount),
            })
            .collect(),
        total: Money(charges.total),
        unpriced_overage_units: Units(charges.unpriced_overage_units),
    }
}

fn projection_report(plan: &Plan, projection: &Projection) -> ProjectionReport {
    let zone = plan.zone;
    ProjectionReport {
        cycle_start: zone.format(projection.cycle_start),
        cycle_end: zone.format(projection.cycle_end),
        demand: Units(projection.demand),
        projected_demand: Units(projection.projected_demand),
        available: Units(projection.available),
        projected_overage: Units(projection.projected_overage),
        projected_denied: Units(projection.projected_denied),
        exhausts_at: projection.exhausts_at.map(|t| zone.format(t)),
        projected_cycle_charges: Money(projection.projected_cycle_charges),
        exhausted: projection.exhausted,
        projected_unpriced_overage: Units(projection.projected_unpriced_overage),
    }
}

/// One plan's figures for a side-by-side comparison, summed over accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSummary {
    pub plan: String,
    pub currency: String,
    pub consumed: Units,
    pub remaining: Units,
    pub expired: Units,
    pub overage: Units,
    pub charges: Money,
    /// `None` when no account has a projection (as-of not inside a cycle).
    pub projected_cycle_charges: Option<Money>,
}

impl Report {
    pub fn summary(&self) -> PlanSummary {
        let projections: Vec<Money> = self
            .accounts
            .iter()
            .filter_map(|a| a.projection.as_ref().map(|p| p.projected_cycle_charges))
            .collect();
        let projected = (!projections.is_empty()).then(|| {
            let mut total = Money(round_money(Decimal::ZERO, self.decimals));
            for money in projections {
                total.0 += money.0;
            }
            total
        });
        PlanSummary {
            plan: self.plan.clone(),
            currency: self.currency.clone(),
            consumed: self.totals.consumed,
            remaining: self.totals.remaining,
            expired: self.totals.expired,
            overage: Units(self.accounts.iter().map(|a| a.units.overage.0).sum()),
            charges: self.totals.charges,
            projected_cycle_charges: projected,
        }
    }
}

/// Several plans replayed over the same log (`scanquota.compare.v1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub schema: &'static str,
    pub reports: Vec<Report>,
}

impl Comparison {
    pub fn new(reports: Vec<Report>) -> Self {
        Comparison {
            schema: COMPARE_SCHEMA,
            reports,
        }
    }
}
