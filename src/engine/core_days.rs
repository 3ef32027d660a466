//! Pro-edition core metering (docs/plan.md, `[cores]`): hourly samples of
//! online cores → one billable figure per local day, posted at 02:00 the
//! next day.

use crate::input::cores::Sample;
use crate::plan::{Cores, Plan};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Timelike, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

/// Billable cores are rounded to this many places before pricing, so the
/// printed quantity times the price is the printed amount.
pub(crate) const BILLABLE_PLACES: u32 = 4;

/// One local day's billable excess cores for one account.
#[derive(Debug, Clone, PartialEq)]
pub struct CoreDay {
    pub day_start: DateTime<Utc>,
    pub(crate) posted_at: DateTime<Utc>,
    /// Hours that had at least one sample.
    pub sampled_hours: u32,
    pub billable: Decimal,
}

/// A local wall-clock hour and its UTC offset: the repeated hour of an
/// autumn DST change is two distinct hours.
type HourKey = (NaiveDateTime, i32);

/// One account's local day: how many samples fell on it, and each hour's
/// last sample.
type DaySamples = (usize, BTreeMap<HourKey, Decimal>);

/// Samples that bill nothing, by why: said on stderr, as log rows that bill
/// nothing are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnbilledSamples {
    /// On a day outside the subscription's term.
    pub outside_term: usize,
    /// On a day whose line posts after as-of (02:00 the next day).
    pub not_yet_posted: usize,
}

impl UnbilledSamples {
    /// The note for stderr, if any sample bills nothing.
    pub fn note(&self) -> Option<String> {
        let mut reasons = Vec::new();
        if self.outside_term > 0 {
            reasons.push(format!("{} on days outside the term", self.outside_term));
        }
        if self.not_yet_posted > 0 {
            reasons.push(format!(
                "{} on days not yet posted at as-of (a day posts at 02:00 the next day)",
                self.not_yet_posted
            ));
        }
        (!reasons.is_empty()).then(|| {
            format!(
                "scanquota: {} core sample(s) bill nothing: {}\n",
                self.outside_term + self.not_yet_posted,
                reasons.join(", ")
            )
        })
    }
}

/// Per account, the billable days posted by `as_of` within the term.
pub fn billable_days(
    plan: &Plan,
    cores: &Cores,
    samples: &[Sample],
    as_of: DateTime<Utc>,
) -> BTreeMap<String, Vec<CoreDay>> {
    billable_days_counted(plan, cores, samples, as_of).0
}

/// [`billable_days`], and the samples that bill nothing.
pub fn billable_days_counted(
    plan: &Plan,
    cores: &Cores,
    samples: &[Sample],
    as_of: DateTime<Utc>,
) -> (BTreeMap<String, Vec<CoreDay>>, UnbilledSamples) {
    let zone = plan.zone;
    // (account, local day) → its samples, and (local hour, offset) → the
    // hour's last sample.
    let mut hours: BTreeMap<(&str, NaiveDate), DaySamples> = BTreeMap::new();
    let mut unbilled = UnbilledSamples::default();
    for sample in samples {
        let local = zone.local(sample.at);
        let hour = local
            .naive_local()
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0));
        let Some(hour) = hour else { continue };
        let (count, by_hour) = hours
            .entry((sample.account.as_str(), local.date_naive()))
            .or_default();
        *count += 1;
        by_hour.insert((hour, local.offset().local_minus_utc()), sample.cores);
    }
    let term = &plan.subscription.term;
    let mut days: BTreeMap<String, Vec<CoreDay>> = BTreeMap::new();
    for ((account, date), (count, by_hour)) in hours {
        let day_start = zone.resolve_boundary(date.and_hms_opt(0, 0, 0).expect("midnight exists"));
        let Some(next) = date.checked_add_days(Days::new(1)) else {
            // The last day scanquota handles has no next day to post on.
            unbilled.not_yet_posted += count;
            continue;
        };
        let day_end = zone.resolve_boundary(next.and_hms_opt(0, 0, 0).expect("midnight exists"));
        let posted_at = zone.resolve_boundary(next.and_hms_opt(2, 0, 0).expect("02:00 exists"));
        let in_term = day_end > term.start && term.end.is_none_or(|end| day_start < end);
        if !in_term {
            unbilled.outside_term += count;
            continue;
        }
        if posted_at > as_of {
            unbilled.not_yet_posted += count;
            continue;
        }
        let sampled_hours = by_hour.len() as u32;
        let excess: Decimal = by_hour
            .values()
            .map(|count| (*count - cores.licensed).max(Decimal::ZERO))
            .sum();
        let mean = excess / Decimal::from(sampled_hours);
        let capped = match cores.daily_cap {
            Some(cap) => mean.min(cap),
            None => mean,
        };
        let billable = capped
            .round_dp_with_strategy(BILLABLE_PLACES, RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        days.entry(account.to_string()).or_default().push(CoreDay {
            day_start,
            posted_at,
            sampled_hours,
            billable,
        });
    }
    (days, unbilled)
}
