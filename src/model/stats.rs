//! The Huawei HSS `ShowImagePayPerScanStatistics` view of one account, field
//! names exactly as the vendor API spells them (`registriy` included).

use crate::domain::error::Result;
use crate::engine::meter::{AccountUsage, ScanOutcome, ScanResult, Schedule};
use crate::input::log::{Risk, ScanEvent, ScanLog, ScanStatus, Source};
use crate::plan::{AllowanceKind, Plan};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Counts split by where the image lives, in the vendor's spelling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImageCounts {
    pub(crate) local: u64,
    pub(crate) registriy: u64,
    pub(crate) cicd: u64,
}

impl ImageCounts {
    fn add(&mut self, source: Source) {
        match source {
            Source::Local => self.local += 1,
            Source::Registry => self.registriy += 1,
            Source::Cicd => self.cicd += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HssStatistics {
    pub(crate) repository_scan_num: u64,
    pub(crate) cicd_scan_num: u64,
    pub(crate) free_quota_num: u64,
    pub(crate) already_given: bool,
    pub(crate) image_free_quota: u64,
    pub(crate) high_risk: ImageCounts,
    pub(crate) has_risk: ImageCounts,
    pub(crate) total: ImageCounts,
    pub(crate) unscan: ImageCounts,
}

impl HssStatistics {
    /// Every count zero: the shape of the vendor's object.
    pub(crate) fn zero() -> Self {
        HssStatistics {
            repository_scan_num: 0,
            cicd_scan_num: 0,
            free_quota_num: 0,
            already_given: false,
            image_free_quota: 0,
            high_risk: ImageCounts::default(),
            has_risk: ImageCounts::default(),
            total: ImageCounts::default(),
            unscan: ImageCounts::default(),
        }
    }
}

/// Whole scans the free units still cover: the vendor counts scans.
fn whole(units: Decimal) -> u64 {
    units.floor().to_u64().unwrap_or(0)
}

/// What statistics count of each account's scans, as a replay hands them
/// over: scans that used quota per source, and each image's latest risk.
#[derive(Default)]
pub(crate) struct ImageScans {
    /// Per account id.
    accounts: Vec<AccountScans>,
    /// Account names by id.
    names: Vec<String>,
}

#[derive(Default)]
struct AccountScans {
    repository_scan_num: u64,
    cicd_scan_num: u64,
    /// (source, image) → risk of its latest successful scan; None: never
    /// scanned successfully.
    latest: BTreeMap<(Source, String), Option<Risk>>,
}

impl ImageScans {
    /// One scan of the replay.
    pub(crate) fn observe(&mut self, log: &ScanLog, event: &ScanEvent, result: &ScanResult<'_>) {
        // A duplicate row is ignored everywhere, so it names no pair either.
        if result.outcome == ScanOutcome::Duplicate {
            return;
        }
        while self.accounts.len() <= event.account as usize {
            let id = self.accounts.len() as u32;
            self.names.push(log.accounts.name(id).to_string());
            self.accounts.push(AccountScans::default());
        }
        let scans = &mut self.accounts[event.account as usize];
        let pair = (event.source, log.images.name(event.image).to_string());
        let entry = scans.latest.entry(pair).or_insert(None);
        if event.status != ScanStatus::Success {
            return;
        }
        *entry = Some(event.risk);
        if matches!(result.outcome, ScanOutcome::First | ScanOutcome::Repeat) {
            match event.source {
                Source::Registry => scans.repository_scan_num += 1,
                Source::Cicd => scans.cicd_scan_num += 1,
                Source::Local => {}
            }
        }
    }
}

/// The statistics of `account` at the schedule's as-of, from its scans and
/// the usages of the replay that counted them.
pub(crate) fn statistics(
    plan: &Plan,
    schedule: &Schedule,
    mut scans: ImageScans,
    usages: &[AccountUsage],
    account: &str,
    inventory: &[(Source, String)],
) -> Result<HssStatistics> {
    let AccountScans {
        repository_scan_num,
        cicd_scan_num,
        mut latest,
    } = match scans.names.iter().position(|name| name == account) {
        Some(id) => std::mem::take(&mut scans.accounts[id]),
        None => AccountScans::default(),
    };
    let known: BTreeSet<(Source, String)> = inventory.iter().cloned().collect();
    for pair in known {
        latest.entry(pair).or_insert(None);
    }
    let mut stats = HssStatistics {
        repository_scan_num,
        cicd_scan_num,
        ..HssStatistics::zero()
    };
    for ((source, _), risk) in &latest {
        stats.total.add(*source);
        match risk {
            None => stats.unscan.add(*source),
            Some(Risk::High) => {
                stats.high_risk.add(*source);
                stats.has_risk.add(*source);
            }
            Some(Risk::Medium | Risk::Low) => stats.has_risk.add(*source),
            Some(Risk::None | Risk::Unknown) => {}
        }
    }
    // What the free allowances have left in their current periods, as the
    // report gives it (granted − consumed), without costing anything.
    let usage = usages.iter().find(|usage| usage.account == account);
    let mut free_left = Decimal::ZERO;
    for (index, allowance) in plan.allowances.iter().enumerate() {
        if allowance.kind != AllowanceKind::Free {
            continue;
        }
        stats.image_free_quota = stats
            .image_free_quota
            .saturating_add(whole(allowance.units));
        let current = schedule.allowance_periods[index]
            .iter()
            .enumerate()
            .find(|(_, period)| period.end > schedule.as_of);
        if let Some((number, period)) = current {
            stats.already_given = true;
            let granted = schedule.granted(plan, index, period)?;
            let consumed =
                usage.map_or(Decimal::ZERO, |usage| usage.period_consumed[index][number]);
            free_left = free_left.saturating_add(granted - consumed);
        }
    }
    stats.free_quota_num = whole(free_left);
    Ok(stats)
}
