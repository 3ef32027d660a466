//! The replay (docs/plan.md#metering): every scan, in time order, through the plan's seven
//! steps, per account. The engine keeps exact decimals and knows nothing of
//! output formats.

use crate::domain::error::{Error, Result};
use crate::domain::key_set::{KeySet, PREFETCH_AHEAD, fetch_into_cache};
use crate::domain::numbers::checked_sum;
use crate::domain::periods::{Period, advance_past, advance_to};
use crate::domain::zone::Zone;
use crate::input::log::{ScanEvent, ScanLog, ScanStatus, image_key};
use crate::plan::{OveragePolicy, Plan, RepeatWindow, TierMode};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Which counter a replayed row landed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScanOutcome {
    Duplicate,
    Failed,
    Trial,
    Uncovered,
    First,
    Repeat,
    Denied,
}

impl ScanOutcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ScanOutcome::Duplicate => "duplicate",
            ScanOutcome::Failed => "failed",
            ScanOutcome::Trial => "trial",
            ScanOutcome::Uncovered => "uncovered",
            ScanOutcome::First => "first",
            ScanOutcome::Repeat => "repeat",
            ScanOutcome::Denied => "denied",
        }
    }
}

/// What happened to one scan: its counter, the units it was metered at
/// (zero when it was not metered), what it drew from each allowance (indexed
/// like `Plan::allowances`) and the overage it caused.
#[derive(Debug, Clone, Copy)]
pub struct ScanResult<'a> {
    pub outcome: ScanOutcome,
    units: Scaled,
    draws: &'a [Scaled],
    overage: Scaled,
    scale: u32,
}

impl ScanResult<'_> {
    pub fn units(&self) -> Decimal {
        to_decimal(self.units, self.scale)
    }

    pub fn overage(&self) -> Decimal {
        to_decimal(self.overage, self.scale)
    }

    /// What the scan drew from each allowance, indexed like `Plan::allowances`.
    pub fn draws(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.draws.iter().map(|draw| to_decimal(*draw, self.scale))
    }
}

/// Scan results kept apart from the replay that made them, their draws in
/// one list: how results cross to a thread that shows them (the streamed
/// ledger formats rows on one core while the next ones replay on the other).
#[derive(Debug, Default)]
pub(crate) struct HeldResults {
    /// Per result: outcome, units, overage, scale and where its draws start.
    results: Vec<(ScanOutcome, Scaled, Scaled, u32, usize)>,
    draws: Vec<Scaled>,
}

impl HeldResults {
    /// Keeps a copy of `result`; its index is the number held before.
    pub(crate) fn hold(&mut self, result: &ScanResult<'_>) -> usize {
        let start = self.draws.len();
        self.draws.extend_from_slice(result.draws);
        let held = (
            result.outcome,
            result.units,
            result.overage,
            result.scale,
            start,
        );
        self.results.push(held);
        self.results.len() - 1
    }

    /// No result held.
    pub(crate) fn is_empty(&self) -> bool {
        self.results.is_empty()
    }

    /// Forgets every result, keeping the room (every field named, so that
    /// a field added later is emptied too).
    pub(crate) fn clear(&mut self) {
        let HeldResults { results, draws } = self;
        results.clear();
        draws.clear();
    }

    /// The result held at `index`, as the replay gave it.
    pub(crate) fn get(&self, index: usize) -> ScanResult<'_> {
        let (outcome, units, overage, scale, start) = self.results[index];
        let end = self
            .results
            .get(index + 1)
            .map_or(self.draws.len(), |next| next.4);
        ScanResult {
            outcome,
            units,
            draws: &self.draws[start..end],
            overage,
            scale,
        }
    }
}

/// Units as integers at the schedule's scale (the plan's finest decimal
/// places): exact like the decimals they stand for, while an add or a
/// compare on the replay's hot path is one machine instruction. One scan's
/// units (at most 10^12 with 8 places, 10^20 here) fit easily; sums over the
/// log saturate, and one beyond a decimal's 96 bits is reported as an
/// overflow when the replay's sums become decimals ([`AccountUsage::check`]).
type Scaled = i128;

/// `value` (at `scale`) as the decimal it stands for, keeping the scale:
/// for one scan's figures, which always fit.
fn to_decimal(value: Scaled, scale: u32) -> Decimal {
    Decimal::try_from_i128_with_scale(value, scale).unwrap_or(if value < 0 {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

/// `value` as an integer at `scale` (no finer than the schedule's scale).
fn to_scaled(value: Decimal, scale: u32) -> Scaled {
    let mut value = value;
    value.rescale(scale);
    value.mantissa()
}

/// Where every row of an account went: each replayed row lands in exactly
/// one of the first seven; rows dated after as-of are read, not replayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    pub duplicates: u64,
    pub failed: u64,
    pub trial: u64,
    pub uncovered: u64,
    pub first: u64,
    pub repeat: u64,
    pub denied: u64,
    /// Rows dated after as-of: read but not replayed.
    #[serde(default)]
    pub after_as_of: u64,
    /// Of `failed`, the scans metered all the same (`count_failed = true`
    /// at their time): they drew units like a success.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) failed_metered: u64,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

impl Counters {
    fn count(&mut self, outcome: ScanOutcome) {
        let counter = match outcome {
            ScanOutcome::Duplicate => &mut self.duplicates,
            ScanOutcome::Failed => &mut self.failed,
            ScanOutcome::Trial => &mut self.trial,
            ScanOutcome::Uncovered => &mut self.uncovered,
            ScanOutcome::First => &mut self.first,
            ScanOutcome::Repeat => &mut self.repeat,
            ScanOutcome::Denied => &mut self.denied,
        };
        *counter += 1;
    }

    /// Failed scans that drew nothing (`count_failed = false` at their time).
    pub fn failed_not_metered(&self) -> u64 {
        self.failed.saturating_sub(self.failed_metered)
    }

    /// The rows replayed (those after as-of are not).
    pub fn total(&self) -> u64 {
        self.duplicates
            + self.failed
            + self.trial
            + self.uncovered
            + self.first
            + self.repeat
            + self.denied
    }
}

/// The periods every account shares: they depend on the plan and as-of only.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub as_of: DateTime<Utc>,
    /// Subscription cycles started by as-of.
    pub(crate) cycles: Vec<Period>,
    /// Per allowance, its periods started by as-of.
    pub(crate) allowance_periods: Vec<Vec<Period>>,
    /// Per allowance, its top-ups `(at, units)` in time order.
    pub(crate) topups: Vec<Vec<(DateTime<Utc>, Decimal)>>,
    /// The overage periods started by as-of (`[overage] period`): the
    /// cycles, or the calendar months cut to the term.
    pub(crate) overage_periods: Vec<Period>,
    /// Per allowance, per period: the local midnights inside it up to as-of,
    /// which cut it into the local days its daily usage is counted by.
    pub(crate) day_bounds: Vec<Vec<Vec<DateTime<Utc>>>>,
    /// The plan's unit quantities, all written with as many decimal places
    /// as the finest of them: sums and comparisons of decimals with one scale
    /// skip rescaling, and the replay does millions of them.
    units: ScaledUnits,
    /// Tally each `--by` group's scans and units as they are replayed.
    pub grouped: bool,
    /// The zone times are shown in (`--display-zone`; the plan's by
    /// default). Periods and days are the plan's zone's whatever it is.
    pub(crate) display: Zone,
}

#[derive(Debug, Clone)]
struct ScaledUnits {
    scale: u32,
    first: Scaled,
    repeat: Scaled,
    allowances: Vec<Scaled>,
    /// Per allowance, its top-ups `(at, units)` in time order.
    topups: Vec<Vec<(DateTime<Utc>, Scaled)>>,
    /// `[[metering.change]]`: `(at, first, repeat, count_failed)` in time order.
    changes: Vec<(DateTime<Utc>, Scaled, Scaled, bool)>,
    /// Graduated tiers' `up_to`, the last `None`; empty unless graduated.
    tier_bounds: Vec<Option<Scaled>>,
}

impl Schedule {
    /// The cycle an overage period's line is filed under (invoice,
    /// allocation, unpriced overage by cycle): the cycle it posts in, else
    /// (posting after the last cycle started by as-of) the one holding its
    /// start.
    pub(crate) fn posting_cycle(&self, period: &Period) -> Option<usize> {
        self.cycles
            .iter()
            .position(|c| c.start < period.end && period.end <= c.end)
            .or_else(|| self.cycles.iter().rposition(|c| c.start <= period.start))
    }

    pub fn new(plan: &Plan, as_of: DateTime<Utc>) -> Self {
        let term = &plan.subscription.term;
        let allowance_periods: Vec<Vec<Period>> = plan
            .allowances
            .iter()
            .map(|allowance| term.periods_until(allowance.reset, as_of))
            .collect();
        let scale = [
            plan.metering.first_scan_units,
            plan.metering.repeat_scan_units,
        ]
        .iter()
        .chain(plan.allowances.iter().map(|allowance| &allowance.units))
        .chain(plan.topups.iter().map(|topup| &topup.units))
        .chain(
            plan.metering
                .changes
                .iter()
                .flat_map(|c| [&c.first_scan_units, &c.repeat_scan_units]),
        )
        .chain(plan.overage.tiers.iter().filter_map(|t| t.up_to.as_ref()))
        .map(Decimal::scale)
        .max()
        .unwrap_or(0);
        // Plan quantities have at most 8 places and 10^12 as the largest
        // value, so every one fits at the finest scale exactly.
        let scaled = |value: Decimal| {
            let mut value = value;
            value.rescale(scale);
            value
        };
        let topups: Vec<Vec<(DateTime<Utc>, Decimal)>> = (0..plan.allowances.len())
            .map(|index| {
                plan.topups
                    .iter()
                    .filter(|topup| topup.allowance == index)
                    .map(|topup| (topup.at, scaled(topup.units)))
                    .collect()
            })
            .collect();
        let day_bounds = allowance_periods
            .iter()
            .map(|periods: &Vec<Period>| {
                periods
                    .iter()
                    .map(|period| midnights_inside(plan.zone, period, as_of))
                    .collect()
            })
            .collect();
        let units = ScaledUnits {
            scale,
            first: to_scaled(plan.metering.first_scan_units, scale),
            repeat: to_scaled(plan.metering.repeat_scan_units, scale),
            allowances: plan
                .allowances
                .iter()
                .map(|a| to_scaled(a.units, scale))
                .collect(),
            topups: topups
                .iter()
                .map(|topups| {
                    topups
                        .iter()
                        .map(|(at, units)| (*at, to_scaled(*units, scale)))
                        .collect()
                })
                .collect(),
            changes: plan
                .metering
                .changes
                .iter()
                .map(|c| {
                    (
                        c.at,
                        to_scaled(c.first_scan_units, scale),
                        to_scaled(c.repeat_scan_units, scale),
                        c.count_failed,
                    )
                })
                .collect(),
            tier_bounds: if plan.overage.tier_mode == TierMode::Graduated {
                plan.overage
                    .tiers
                    .iter()
                    .map(|t| t.up_to.map(|up_to| to_scaled(up_to, scale)))
                    .collect()
            } else {
                Vec::new()
            },
        };
        Schedule {
            as_of,
            cycles: term.cycles_until(as_of),
            allowance_periods,
            topups,
            overage_periods: term.periods_until(plan.overage.period, as_of),
            day_bounds,
            units,
            grouped: false,
            display: plan.zone,
        }
    }

    /// The decimal places of the plan's finest unit quantity (1 for TCSS's
    /// 0.1 repeat scans): tables show units to this precision.
    pub(crate) fn unit_places(&self) -> u32 {
        self.units.scale
    }

    /// Units of allowance `index` in force at `start`: its base units and
    /// every top-up made before `start`.
    pub(crate) fn granted_before(
        &self,
        plan: &Plan,
        index: usize,
        start: DateTime<Utc>,
    ) -> Result<Decimal> {
        let topups = self.topups[index]
            .iter()
            .filter(|(at, _)| *at < start)
            .map(|(_, units)| *units);
        let allowance = &plan.allowances[index];
        checked_sum(std::iter::once(allowance.units).chain(topups)).ok_or_else(|| {
            Error::overflow(
                format!(
                    "{}: [[allowance]] {}: units plus its [[topup]] units",
                    plan.file, allowance.name
                ),
                "write fewer or smaller top-ups",
            )
        })
    }

    /// The top-ups of allowance `index` made inside `period` by `until`.
    pub(crate) fn topups_in<'a>(
        &'a self,
        index: usize,
        period: &'a Period,
        until: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, Decimal)> + 'a {
        self.topups[index]
            .iter()
            .filter(move |(at, _)| period.start <= *at && *at < period.end && *at <= until)
            .copied()
    }

    /// Units granted to a period of allowance `index`, counting top-ups made
    /// before the period's end (closed) or at or before as-of (current).
    pub(crate) fn granted(&self, plan: &Plan, index: usize, period: &Period) -> Result<Decimal> {
        let closed = period.end <= self.as_of;
        let topups = self.topups[index]
            .iter()
            .filter(|(at, _)| {
                if closed {
                    *at < period.end
                } else {
                    *at <= self.as_of
                }
            })
            .map(|(_, units)| *units);
        let allowance = &plan.allowances[index];
        checked_sum(std::iter::once(allowance.units).chain(topups)).ok_or_else(|| {
            Error::overflow(
                format!(
                    "{}: [[allowance]] {}: units plus its [[topup]] units",
                    plan.file, allowance.name
                ),
                "write fewer or smaller top-ups",
            )
        })
    }
}

/// The local midnights after `period`'s start, up to its end or as-of,
/// whichever is earlier: a period of n local days has n − 1 of them.
fn midnights_inside(zone: Zone, period: &Period, as_of: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let last = (period.end - chrono::Duration::nanoseconds(1)).min(as_of);
    let mut date = zone.local_naive(period.start).date();
    let mut bounds = Vec::new();
    while let Some(next) = date.succ_opt() {
        let midnight = zone.resolve_boundary(next.and_time(chrono::NaiveTime::MIN));
        if midnight > last {
            break;
        }
        bounds.push(midnight);
        date = next;
    }
    bounds
}

/// Add the positions `(start, end]` of an overage period's count to the
/// graduated tiers they fall in (`bounds`: each tier's `up_to`, inclusive).
fn split_by_tier(bounds: &[Option<Scaled>], start: Scaled, end: Scaled, out: &mut [Scaled]) {
    let mut low: Scaled = 0;
    for (tier, bound) in bounds.iter().enumerate() {
        let high = bound.unwrap_or(Scaled::MAX);
        let part = end.min(high) - start.max(low);
        if part > 0 {
            out[tier] += part;
        }
        if end <= high {
            break;
        }
        low = high;
    }
}

/// One account's replay, summed.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountUsage {
    pub(crate) account: String,
    pub counters: Counters,
    /// Units drawn from allowances.
    pub consumed: Decimal,
    pub overage: Decimal,
    pub denied_units: Decimal,
    /// Per allowance, per period (as in `Schedule::allowance_periods`), units drawn.
    pub(crate) period_consumed: Vec<Vec<Decimal>>,
    /// Per allowance, per period, per local day (`Schedule::day_bounds`):
    /// units drawn; empty for a period nothing was drawn from.
    pub(crate) period_daily: Vec<Vec<Vec<Decimal>>>,
    /// Per cycle, overage units.
    pub(crate) cycle_overage: Vec<Decimal>,
    /// Per cycle, units of every metered scan (admitted and denied).
    pub(crate) cycle_demand: Vec<Decimal>,
    /// Per cycle, units of denied scans.
    pub(crate) cycle_denied: Vec<Decimal>,
    /// Per overage period (`Schedule::overage_periods`), the units of every
    /// admitted metered scan, allowance-covered ones included: the count
    /// tiers are reached by.
    pub(crate) overage_metered: Vec<Decimal>,
    /// Per overage period, per bucket ([`crate::plan::Overage::buckets`]:
    /// graduated tier, or price in force), overage units.
    pub(crate) overage_buckets: Vec<Vec<Decimal>>,
    /// With `--by`: per group id (the log's `groups`), what its scans drew.
    pub(crate) groups: Vec<GroupUsage>,
    /// A sum over the account's scans went beyond a decimal's range: the
    /// figures above are not to be used ([`AccountUsage::check`]).
    pub(crate) overflow: bool,
}

/// What the scans of one `--by` group did in one account: the replay's own
/// draws and overage, never a replay of the group on its own.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct GroupUsage {
    /// Rows of the group replayed in this account, whatever their outcome.
    pub(crate) rows: u64,
    pub(crate) first: u64,
    pub(crate) repeat: u64,
    pub(crate) denied: u64,
    /// Units drawn from allowances plus overage units.
    pub(crate) units: Decimal,
    /// Per allowance, per period: units drawn.
    pub(crate) drawn: Vec<Vec<Decimal>>,
    /// Per allowance, per period, per local day (`Schedule::day_bounds`):
    /// units drawn; empty for a period the group drew nothing from.
    pub(crate) daily: Vec<Vec<Vec<Decimal>>>,
    /// Per cycle: units drawn and overage.
    pub(crate) cycle_units: Vec<Decimal>,
    /// Per cycle: overage units.
    pub(crate) cycle_overage: Vec<Decimal>,
    /// Per overage period, per bucket: overage units (empty before the group's first row).
    pub(crate) overage_buckets: Vec<Vec<Decimal>>,
}

impl AccountUsage {
    /// [`Error::Overflow`] if a sum over the account's scans went beyond a
    /// decimal's range.
    pub(crate) fn check(&self, plan: &Plan) -> Result<()> {
        if !self.overflow {
            return Ok(());
        }
        Err(Error::overflow(
            format!(
                "account {}: the units its scans metered (a sum over the log up to as-of)",
                self.account
            ),
            format!(
                "write smaller metering units (or fewer decimal places) in {}, or give an earlier --as-of",
                plan.file
            ),
        ))
    }

    /// An account with no scans: nothing drawn, every period untouched.
    pub(crate) fn empty(plan: &Plan, schedule: &Schedule, account: String) -> Self {
        AccountState::new(plan, schedule, account).into_usage()
    }
}

/// [`AccountUsage`] while the replay runs, in [`Scaled`] units.
struct Tally {
    consumed: Scaled,
    overage: Scaled,
    denied_units: Scaled,
    period_consumed: Vec<Vec<Scaled>>,
    period_daily: Vec<Vec<Vec<Scaled>>>,
    cycle_overage: Vec<Scaled>,
    cycle_demand: Vec<Scaled>,
    cycle_denied: Vec<Scaled>,
    overage_metered: Vec<Scaled>,
    overage_buckets: Vec<Vec<Scaled>>,
    groups: Vec<GroupTally>,
}

/// [`GroupUsage`] while the replay runs, in [`Scaled`] units.
#[derive(Default)]
struct GroupTally {
    rows: u64,
    first: u64,
    repeat: u64,
    denied: u64,
    units: Scaled,
    drawn: Vec<Vec<Scaled>>,
    daily: Vec<Vec<Vec<Scaled>>>,
    cycle_units: Vec<Scaled>,
    cycle_overage: Vec<Scaled>,
    overage_buckets: Vec<Vec<Scaled>>,
}

struct AccountState<'p> {
    plan: &'p Plan,
    schedule: &'p Schedule,
    account: String,
    counters: Counters,
    tally: Tally,
    period_cursor: Vec<usize>,
    /// Per allowance, the local day of its period the last draw fell in
    /// (`advance_past` over `Schedule::day_bounds`; `tally_group` reads it).
    day_cursor: Vec<usize>,
    topup_cursor: Vec<usize>,
    topup_total: Vec<Scaled>,
    cycle_cursor: usize,
    /// The images (by a key that identifies each within the run) with a scan
    /// that created history: ever, or with `repeat_window = "cycle"` since
    /// the start of `history_cycle` (the set is emptied when a cycle starts).
    history: KeySet<u128>,
    history_cycle: Option<usize>,
    seen_scan_ids: KeySet<u64>,
    draws: Vec<Scaled>,
    available: Vec<(Option<usize>, Scaled)>,
    overage_cursor: usize,
    /// The last scan's overage period and its overage per bucket (when it had overage).
    overage_split: (Option<usize>, Vec<Scaled>),
}

impl<'p> AccountState<'p> {
    fn new(plan: &'p Plan, schedule: &'p Schedule, account: String) -> Self {
        let allowances = plan.allowances.len();
        let cycles = schedule.cycles.len();
        AccountState {
            plan,
            schedule,
            account,
            counters: Counters::default(),
            tally: Tally {
                consumed: 0,
                overage: 0,
                denied_units: 0,
                period_consumed: schedule
                    .allowance_periods
                    .iter()
                    .map(|periods| vec![0; periods.len()])
                    .collect(),
                period_daily: schedule
                    .allowance_periods
                    .iter()
                    .map(|periods| vec![Vec::new(); periods.len()])
                    .collect(),
                cycle_overage: vec![0; cycles],
                cycle_demand: vec![0; cycles],
                cycle_denied: vec![0; cycles],
                overage_metered: vec![0; schedule.overage_periods.len()],
                overage_buckets: vec![
                    vec![0; plan.overage.buckets()];
                    schedule.overage_periods.len()
                ],
                groups: Vec::new(),
            },
            period_cursor: vec![0; allowances],
            day_cursor: vec![0; allowances],
            topup_cursor: vec![0; allowances],
            topup_total: vec![0; allowances],
            cycle_cursor: 0,
            history: KeySet::new(),
            history_cycle: None,
            seen_scan_ids: KeySet::new(),
            draws: vec![0; allowances],
            available: vec![(None, 0); allowances],
            overage_cursor: 0,
            overage_split: (None, vec![0; plan.overage.buckets()]),
        }
    }

    /// The account's usage in decimals: units drawn keep the plan's finest
    /// scale, money-side sums (overage, demand) the plain scale of zero
    /// until something is added, as the decimal replay always gave them.
    fn into_usage(self) -> AccountUsage {
        let scale = self.schedule.units.scale;
        // A sum beyond a decimal's 96 bits at the plan's scale is reported
        // by `overflow`, never printed saturated.
        let overflow = std::cell::Cell::new(false);
        let exact = |value: Scaled| {
            Decimal::try_from_i128_with_scale(value, scale).unwrap_or_else(|_| {
                overflow.set(true);
                Decimal::ZERO
            })
        };
        // Sums that start from a plain zero print as the decimal replay's did:
        // `0` while nothing was added.
        let sum = |value: Scaled| {
            if value == 0 {
                Decimal::ZERO
            } else {
                exact(value)
            }
        };
        let sums = |values: &[Scaled]| values.iter().map(|v| sum(*v)).collect::<Vec<_>>();
        let tally = self.tally;
        let mut usage = AccountUsage {
            account: self.account,
            counters: self.counters,
            consumed: sum(tally.consumed),
            overage: sum(tally.overage),
            denied_units: sum(tally.denied_units),
            period_consumed: tally
                .period_consumed
                .iter()
                .map(|periods| periods.iter().map(|v| exact(*v)).collect())
                .collect(),
            period_daily: tally
                .period_daily
                .iter()
                .map(|periods| {
                    periods
                        .iter()
                        .map(|days| days.iter().map(|v| exact(*v)).collect())
                        .collect()
                })
                .collect(),
            cycle_overage: sums(&tally.cycle_overage),
            cycle_demand: sums(&tally.cycle_demand),
            cycle_denied: sums(&tally.cycle_denied),
            overage_metered: sums(&tally.overage_metered),
            overage_buckets: tally.overage_buckets.iter().map(|b| sums(b)).collect(),
            groups: tally
                .groups
                .into_iter()
                .map(|group| GroupUsage {
                    rows: group.rows,
                    first: group.first,
                    repeat: group.repeat,
                    denied: group.denied,
                    units: sum(group.units),
                    drawn: group
                        .drawn
                        .iter()
                        .map(|periods| periods.iter().map(|v| sum(*v)).collect())
                        .collect(),
                    daily: group
                        .daily
                        .iter()
                        .map(|periods| {
                            periods
                                .iter()
                                .map(|days| days.iter().map(|v| exact(*v)).collect())
                                .collect()
                        })
                        .collect(),
                    cycle_units: sums(&group.cycle_units),
                    cycle_overage: sums(&group.cycle_overage),
                    overage_buckets: group.overage_buckets.iter().map(|b| sums(b)).collect(),
                })
                .collect(),
            overflow: false,
        };
        usage.overflow = overflow.get();
        usage
    }

    /// Replay one scan (the steps of docs/plan.md#metering) and report what happened.
    fn replay(
        &mut self,
        event: &ScanEvent,
        image: u128,
        observe: &mut impl FnMut(&ScanEvent, &ScanResult<'_>),
    ) {
        self.draws.iter_mut().for_each(|d| *d = 0);
        let (outcome, units, overage) = self.meter(event, image);
        self.counters.count(outcome);
        if self.schedule.grouped {
            self.tally_group(event, outcome, units, overage);
        }
        observe(
            event,
            &ScanResult {
                outcome,
                units,
                draws: &self.draws,
                overage,
                scale: self.schedule.units.scale,
            },
        );
    }

    /// Credit a replayed scan to its `--by` group: its outcome, and the
    /// units it drew from each allowance period and as overage.
    fn tally_group(
        &mut self,
        event: &ScanEvent,
        outcome: ScanOutcome,
        units: Scaled,
        overage: Scaled,
    ) {
        let index = event.group as usize;
        let tally = &mut self.tally;
        if tally.groups.len() <= index {
            tally.groups.resize_with(index + 1, GroupTally::default);
        }
        let group = &mut tally.groups[index];
        group.rows += 1;
        if group.rows == 1 {
            group.drawn = tally
                .period_consumed
                .iter()
                .map(|p| vec![0; p.len()])
                .collect();
            group.daily = tally
                .period_consumed
                .iter()
                .map(|p| vec![Vec::new(); p.len()])
                .collect();
            group.cycle_units = vec![0; self.schedule.cycles.len()];
            group.cycle_overage = vec![0; self.schedule.cycles.len()];
            group.overage_buckets =
                vec![vec![0; self.plan.overage.buckets()]; self.schedule.overage_periods.len()];
        }
        match outcome {
            ScanOutcome::First => group.first += 1,
            ScanOutcome::Repeat => group.repeat += 1,
            ScanOutcome::Denied => {
                group.denied += 1;
                return;
            }
            ScanOutcome::Failed if units != 0 => {}
            _ => return,
        }
        for (allowance, draw) in self.draws.iter().enumerate() {
            if let (false, (Some(period), _)) = (*draw == 0, self.available[allowance]) {
                group.drawn[allowance][period] += *draw;
                let days = &mut group.daily[allowance][period];
                if days.is_empty() {
                    days.resize(self.schedule.day_bounds[allowance][period].len() + 1, 0);
                }
                // The day `meter` found for this draw.
                days[self.day_cursor[allowance]] += *draw;
            }
        }
        group.units = group.units.saturating_add(units);
        // The cycle a metered scan fell in is where the cycle cursor stands.
        let cycle = self.cycle_cursor;
        group.cycle_units[cycle] = group.cycle_units[cycle].saturating_add(units);
        group.cycle_overage[cycle] = group.cycle_overage[cycle].saturating_add(overage);
        if overage != 0
            && let (Some(period), split) = &self.overage_split
        {
            for (sum, part) in group.overage_buckets[*period].iter_mut().zip(split) {
                *sum = sum.saturating_add(*part);
            }
        }
    }

    /// Fetch the slots `event` will probe in this account's sets.
    #[inline]
    fn prefetch(&self, event: &ScanEvent, image: u128) {
        if event.scan_key != 0 {
            self.seen_scan_ids.prefetch(event.scan_key);
        }
        self.history.prefetch(image);
    }

    fn meter(&mut self, event: &ScanEvent, image: u128) -> (ScanOutcome, Scaled, Scaled) {
        let plan = self.plan;
        let units_of = &self.schedule.units;
        let success = event.status == ScanStatus::Success;
        // 1. A scan id already seen in this account.
        if event.scan_key != 0 && !self.seen_scan_ids.insert(event.scan_key) {
            return (ScanOutcome::Duplicate, 0, 0);
        }
        // The rule in force at the scan (`[[metering.change]]`).
        let (first_units, repeat_units, count_failed) = match units_of.changes.as_slice() {
            [] => (units_of.first, units_of.repeat, plan.metering.count_failed),
            changes => match changes.partition_point(|change| change.0 <= event.at) {
                0 => (units_of.first, units_of.repeat, plan.metering.count_failed),
                n => (changes[n - 1].1, changes[n - 1].2, changes[n - 1].3),
            },
        };
        // 2. Failed scans are skipped unless the plan meters them.
        if !success && !count_failed {
            return (ScanOutcome::Failed, 0, 0);
        }
        // 3. Trial: free, creates history.
        if plan
            .trial
            .as_ref()
            .is_some_and(|trial| trial.contains(event.at))
        {
            if success {
                self.history.insert(image);
            }
            return (ScanOutcome::Trial, 0, 0);
        }
        // 4. Outside the term: draws nothing, a success creates history.
        let term = &plan.subscription.term;
        let cycle = advance_to(&self.schedule.cycles, &mut self.cycle_cursor, event.at);
        let Some(cycle) = cycle.filter(|_| term.contains(event.at)) else {
            if success {
                self.history.insert(image);
            }
            return (ScanOutcome::Uncovered, 0, 0);
        };
        // 5. First or repeat.
        if plan.metering.repeat_window == RepeatWindow::Cycle && self.history_cycle != Some(cycle) {
            self.history.clear();
            self.history_cycle = Some(cycle);
        }
        // A success is recorded at once (one probe asks and records); should
        // the scan be denied, the record is taken back.
        let first = if success {
            self.history.insert(image)
        } else {
            !self.history.contains(image)
        };
        let units = if first { first_units } else { repeat_units };
        let tally = &mut self.tally;
        // Sums over the log saturate (one instruction more than a plain
        // add): a saturated sum is beyond a decimal's range, and turning it
        // into one at the end of the replay reports the overflow.
        tally.cycle_demand[cycle] = tally.cycle_demand[cycle].saturating_add(units);
        // 6. Draw from the allowances in order.
        let mut total_available: Scaled = 0;
        for index in 0..plan.allowances.len() {
            let topups = &units_of.topups[index];
            let mut topped_up = false;
            while let Some((at, topup_units)) = topups.get(self.topup_cursor[index])
                && *at <= event.at
            {
                self.topup_total[index] += *topup_units;
                self.topup_cursor[index] += 1;
                topped_up = true;
            }
            let periods = &self.schedule.allowance_periods[index];
            let period = advance_to(periods, &mut self.period_cursor[index], event.at);
            // The balance is kept between scans and worked out afresh only
            // when the period changes or a top-up lands.
            let (held_period, balance) = &mut self.available[index];
            if topped_up || period != *held_period {
                *held_period = period;
                *balance = match period {
                    Some(p) => (units_of.allowances[index] + self.topup_total[index]
                        - tally.period_consumed[index][p])
                        .max(0),
                    None => 0,
                };
            }
            total_available += *balance;
        }
        if plan.overage.policy == OveragePolicy::Deny && total_available < units {
            if success && first {
                self.history.remove(image);
            }
            tally.denied_units = tally.denied_units.saturating_add(units);
            tally.cycle_denied[cycle] = tally.cycle_denied[cycle].saturating_add(units);
            return (ScanOutcome::Denied, units, 0);
        }
        let mut left = units;
        for (index, (period, balance)) in self.available.iter_mut().enumerate() {
            let Some(period) = period else { continue };
            let draw = left.min(*balance);
            if draw == 0 {
                continue;
            }
            self.draws[index] = draw;
            tally.period_consumed[index][*period] += draw;
            let bounds = &self.schedule.day_bounds[index][*period];
            let days = &mut tally.period_daily[index][*period];
            if days.is_empty() {
                days.resize(bounds.len() + 1, 0);
            }
            days[advance_past(bounds, &mut self.day_cursor[index], event.at)] += draw;
            *balance -= draw;
            left -= draw;
            if left == 0 {
                break;
            }
        }
        let overage = left;
        // The overage period's count of metered units, and where the
        // scan's overage lands (graduated tier, or price in force).
        let overage_period = advance_to(
            &self.schedule.overage_periods,
            &mut self.overage_cursor,
            event.at,
        );
        self.overage_split.0 = overage_period;
        if let Some(p) = overage_period {
            let before = tally.overage_metered[p];
            let after = before.saturating_add(units);
            tally.overage_metered[p] = after;
            if overage != 0 {
                let split = &mut self.overage_split.1;
                split.iter_mut().for_each(|part| *part = 0);
                if !units_of.tier_bounds.is_empty() {
                    split_by_tier(&units_of.tier_bounds, after - overage, after, split);
                } else {
                    let changes = &plan.overage.price_changes;
                    let bucket = if changes.is_empty() {
                        0
                    } else {
                        changes.partition_point(|change| change.at <= event.at)
                    };
                    split[bucket] = overage;
                }
                for (sum, part) in tally.overage_buckets[p].iter_mut().zip(split.iter()) {
                    *sum = sum.saturating_add(*part);
                }
            }
        }
        tally.consumed = tally.consumed.saturating_add(units - overage);
        if overage != 0 {
            tally.overage = tally.overage.saturating_add(overage);
            tally.cycle_overage[cycle] = tally.cycle_overage[cycle].saturating_add(overage);
        }
        // 7. An admitted success creates history.
        if !success {
            self.counters.failed_metered += 1;
            return (ScanOutcome::Failed, units, overage);
        }
        let outcome = if first {
            ScanOutcome::First
        } else {
            ScanOutcome::Repeat
        };
        (outcome, units, overage)
    }
}

/// Replays events pushed one at a time, in replay order: the same engine
/// for a log held in memory and for one streamed from disk.
pub(crate) struct Replayer<'p> {
    plan: &'p Plan,
    schedule: &'p Schedule,
    /// The only account to meter, if one was asked for.
    wanted: Option<&'p str>,
    wanted_id: Option<u32>,
    /// Account names by id, as the reader interned them.
    names: Vec<String>,
    states: Vec<Option<AccountState<'p>>>,
}

impl<'p> Replayer<'p> {
    pub(crate) fn new(plan: &'p Plan, schedule: &'p Schedule, account: Option<&'p str>) -> Self {
        Replayer {
            plan,
            schedule,
            wanted: account,
            wanted_id: None,
            names: Vec::new(),
            states: Vec::new(),
        }
    }

    /// A replayer that knows every account of `log` by its id.
    fn for_log(
        plan: &'p Plan,
        schedule: &'p Schedule,
        account: Option<&'p str>,
        log: &ScanLog,
    ) -> Self {
        let mut replayer = Replayer::new(plan, schedule, account);
        for id in 0..log.accounts.len() as u32 {
            replayer.add_account(log.accounts.name(id));
        }
        replayer
    }

    /// Name the next account id (ids are dense, in order of first appearance).
    pub(crate) fn add_account(&mut self, name: &str) {
        if self.wanted == Some(name) {
            self.wanted_id = Some(self.names.len() as u32);
        }
        self.names.push(name.to_string());
        self.states.push(None);
    }

    /// Fetch ahead the slots `event`'s scan id and image will probe, for a
    /// replay that pushes it a few events later (a hint: nothing changes).
    #[inline]
    pub(crate) fn prefetch(&self, event: &ScanEvent, image: u128) {
        if let Some(Some(state)) = self.states.get(event.account as usize) {
            state.prefetch(event, image);
        }
    }

    /// Replay `event`; `image` identifies its image within the run (the
    /// interned id or the fingerprint, the same kind for every event).
    pub(crate) fn push(
        &mut self,
        event: &ScanEvent,
        image: u128,
        observe: &mut impl FnMut(&ScanEvent, &ScanResult<'_>),
    ) {
        if self.wanted.is_some() && self.wanted_id != Some(event.account) {
            return;
        }
        let (plan, schedule, names) = (self.plan, self.schedule, &self.names);
        let state = self.states[event.account as usize].get_or_insert_with(|| {
            AccountState::new(plan, schedule, names[event.account as usize].clone())
        });
        if event.at > schedule.as_of {
            state.counters.after_as_of += 1;
            return;
        }
        state.replay(event, image, observe);
    }

    /// Every metered account sorted by name; the wanted account, or
    /// `default` when nothing was metered, is reported even without scans.
    pub(crate) fn finish(self) -> Vec<AccountUsage> {
        let (plan, schedule, wanted) = (self.plan, self.schedule, self.wanted);
        complete(plan, schedule, wanted, self.metered())
    }

    /// [`Replayer::finish`] for replayers that each metered their own
    /// accounts of one replay (same plan, schedule and wanted account).
    pub(crate) fn finish_parts(parts: Vec<Replayer<'p>>) -> Vec<AccountUsage> {
        let Some(first) = parts.first() else {
            return Vec::new();
        };
        let (plan, schedule, wanted) = (first.plan, first.schedule, first.wanted);
        let metered = parts.into_iter().flat_map(Replayer::metered).collect();
        complete(plan, schedule, wanted, metered)
    }

    /// The accounts that were metered, in no particular order.
    fn metered(self) -> Vec<AccountUsage> {
        self.states
            .into_iter()
            .flatten()
            .map(AccountState::into_usage)
            .collect()
    }
}

/// Sort `usages` by account name, adding the wanted account (or `default`)
/// when nothing was metered.
fn complete(
    plan: &Plan,
    schedule: &Schedule,
    wanted: Option<&str>,
    mut usages: Vec<AccountUsage>,
) -> Vec<AccountUsage> {
    if usages.is_empty() {
        let name = wanted.unwrap_or("default").to_string();
        usages.push(AccountUsage::empty(plan, schedule, name));
    }
    usages.sort_by(|a, b| a.account.cmp(&b.account));
    usages
}

/// The history and scan id sets that one thread's account runs take in
/// turn: an account's sets are dropped when its run ends, so the next run
/// reuses their tables ([`KeySet::reuse_for`]) instead of growing its own
/// from nothing (fresh pages, each zeroed by the kernel, and every key
/// placed again at each doubling: a ninth of a shuffled report's replay).
#[derive(Default)]
struct RunSets {
    history: KeySet<u128>,
    seen_scan_ids: KeySet<u64>,
}

/// One account's events, in replay order, replayed in one run: its history
/// and scan id sets (`sets`' tables) stay in cache while they are probed.
fn replay_account_run(
    plan: &Plan,
    schedule: &Schedule,
    name: &str,
    run: &[ScanEvent],
    account_images: &[u128],
    sets: &mut RunSets,
) -> AccountUsage {
    let mut state = AccountState::new(plan, schedule, name.to_string());
    sets.history.reuse_for(run.len());
    sets.seen_scan_ids.reuse_for(run.len());
    state.history = std::mem::take(&mut sets.history);
    state.seen_scan_ids = std::mem::take(&mut sets.seen_scan_ids);
    for (index, event) in run.iter().enumerate() {
        // Images kept by row: the run, sorted by time, reads its account's
        // list out of order, so each fingerprint is fetched before the sets
        // it probes are.
        if !account_images.is_empty()
            && let Some(further) = run.get(index + 2 * PREFETCH_AHEAD)
        {
            fetch_into_cache(&account_images[further.image as usize]);
        }
        if let Some(ahead) = run.get(index + PREFETCH_AHEAD) {
            state.prefetch(ahead, image_key(account_images, ahead));
        }
        if event.at > schedule.as_of {
            state.counters.after_as_of += 1;
        } else {
            state.replay(event, image_key(account_images, event), &mut |_, _| {});
        }
    }
    sets.history = std::mem::take(&mut state.history);
    sets.seen_scan_ids = std::mem::take(&mut state.seen_scan_ids);
    state.into_usage()
}

/// Every account of `log` (or only `account`) replayed as [`replay`] does,
/// from a log in any order: the events are grouped by account, and
/// `threads` threads each take the next account left (the largest first),
/// put its run in replay order ([`ScanLog::run_sort`]) and replay it while it is in
/// cache, so its history and scan id sets stay there too while they are
/// probed. The log's events are left grouped by account, the runs replayed
/// in replay order: without `account`, [`ScanLog::sort_by_account`]'s
/// order; with it, the other accounts' runs are left unsorted.
pub fn sort_and_replay_by_account(
    plan: &Plan,
    log: &mut ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
    threads: usize,
) -> Vec<AccountUsage> {
    log.group_by_account(threads);
    let sort_run = log.run_sort();
    let wanted = account.map(|name| log.accounts.get(name));
    let (names, row_images) = (&log.accounts, &log.row_images);
    let mut runs: Vec<(u32, &mut [ScanEvent])> = log
        .events
        .chunk_by_mut(|a, b| a.account == b.account)
        .map(|run| (run[0].account, run))
        .filter(|(id, _)| wanted.is_none_or(|wanted| wanted == Some(*id)))
        .collect();
    // The largest first, so that no thread is left with a large one at the end.
    runs.sort_by_key(|(_, run)| std::cmp::Reverse(run.len()));
    let threads = threads.clamp(1, runs.len().max(1));
    let runs = std::sync::Mutex::new(runs.into_iter());
    let next = || {
        runs.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .next()
    };
    let work = || {
        let mut usages = Vec::new();
        let mut sets = RunSets::default();
        while let Some((id, run)) = next() {
            sort_run(run);
            usages.push(replay_account_run(
                plan,
                schedule,
                names.name(id),
                run,
                row_images.get(id as usize).map_or(&[], Vec::as_slice),
                &mut sets,
            ));
        }
        usages
    };
    let usages = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut usages = work();
        for helper in helpers {
            usages.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        usages
    });
    complete(plan, schedule, account, usages)
}

/// Every account of the log replayed by `threads` threads, account `a` by
/// thread `a % threads`: the same usages as [`replay`] for all accounts.
pub fn replay_in_parallel(
    plan: &Plan,
    log: &ScanLog,
    schedule: &Schedule,
    threads: usize,
) -> Vec<AccountUsage> {
    let threads = threads.clamp(1, log.accounts.len().max(1));
    let usages = std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|part| {
                scope.spawn(move || {
                    let mut replayer = Replayer::for_log(plan, schedule, None, log);
                    for event in &log.events {
                        if event.account as usize % threads == part {
                            replayer.push(event, log.image_key(event), &mut |_, _| {});
                        }
                    }
                    replayer.metered()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| {
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    complete(plan, schedule, None, usages)
}

/// Replay the log under the plan up to `as_of`. With `account`, only that
/// account is metered (reported even if it has no scans); otherwise every
/// account in the log, or `default` when the log is empty. Accounts come out
/// sorted by name. `observe` sees every replayed scan in replay order.
pub fn replay(
    plan: &Plan,
    log: &ScanLog,
    schedule: &Schedule,
    account: Option<&str>,
    mut observe: impl FnMut(&ScanEvent, &ScanResult<'_>),
) -> Vec<AccountUsage> {
    let mut replayer = Replayer::for_log(plan, schedule, account, log);
    for (index, event) in log.events.iter().enumerate() {
        // A hint, as in the streamed replay: a log held in time order
        // interleaves accounts, so each scan's sets are cold without it.
        if let Some(ahead) = log.events.get(index + PREFETCH_AHEAD) {
            replayer.prefetch(ahead, log.image_key(ahead));
        }
        replayer.push(event, log.image_key(event), &mut observe);
    }
    replayer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sum over the log beyond a decimal's 96 bits at the plan's scale
    /// (here 10^20 per scan: 10^12 units with 8 places) is reported, never
    /// turned into a saturated or made-up figure.
    #[test]
    fn a_sum_beyond_a_decimal_marks_the_usage() {
        let plan = Plan::from_str(
            "plan.toml",
            "[subscription]\nstart = 2024-01-01T00:00:00Z\n[metering]\nfirst_scan_units = 999999999999.99999999\n[[allowance]]\nname = \"q\"\nunits = 1\n[overage]\npolicy = \"bill\"\n",
        )
        .unwrap();
        let as_of = chrono::DateTime::parse_from_rfc3339("2024-02-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let schedule = Schedule::new(&plan, as_of);
        let fits = AccountState::new(&plan, &schedule, "team-a".into()).into_usage();
        assert!(fits.check(&plan).is_ok());
        for saturated in [i128::MAX, 1 << 96] {
            let mut state = AccountState::new(&plan, &schedule, "team-a".into());
            // What 10^9 scans at the limit would sum to, or a saturated add.
            state.tally.overage = 0;
            state.tally.overage = state.tally.overage.saturating_add(saturated);
            state.tally.cycle_overage[0] = saturated;
            let usage = state.into_usage();
            let err = usage.check(&plan).unwrap_err().to_string();
            assert!(
                err.starts_with("account team-a: the units its scans metered")
                    && err.contains("7.9e28")
                    && err.contains("plan.toml"),
                "{err}"
            );
        }
        // Saturating adds stop at the largest i128, which never fits.
        assert_eq!(i128::MAX.saturating_add(1), i128::MAX);
        assert!(Decimal::try_from_i128_with_scale(i128::MAX, 8).is_err());
    }
}
