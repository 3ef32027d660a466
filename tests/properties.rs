//! Invariants of the replay over random plans and logs (proptest).

use common::reference::generate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use scanquota::engine::meter::{Schedule, replay, replay_in_parallel, sort_and_replay_by_account};
use scanquota::input::log::ReadOptions;
use scanquota::input::log::ScanLog;
use scanquota::model::report::Report;
use scanquota::plan::Plan;

mod common;

use common::random::{as_of, log_text, plan_spec, plan_text, rows};

fn load(plan: &str, log: &str) -> (Plan, ScanLog) {
    let plan = Plan::from_str("plan.toml", plan).expect("generated plan is valid");
    let mut scans = ScanLog::default();
    scans
        .read_one("log.csv", log.as_bytes(), plan.zone)
        .expect("generated log is valid");
    scans.sort();
    (plan, scans)
}

fn as_of_strategy() -> impl Strategy<Value = u32> {
    0u32..180_000
}

fn report_of(plan: &str, log: &str, minute: u32) -> Report {
    let (plan, scans) = load(plan, log);
    let as_of = as_of(&plan, minute);
    generate(&plan, &scans, as_of, None).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn granted_is_consumed_plus_remaining_plus_expired(spec in plan_spec(), rows in rows(), minute in as_of_strategy()) {
        let report = report_of(&plan_text(&spec), &log_text(&rows), minute);
        for account in &report.accounts {
            for allowance in &account.allowances {
                prop_assert_eq!(allowance.granted.value(), allowance.consumed.value() + allowance.remaining.value() + allowance.expired.value());
                for period in &allowance.periods {
                    prop_assert_eq!(period.granted.value(), period.consumed.value() + period.remaining.value() + period.expired.value());
                    // Daily usage climbs to what the period consumed, a day at a time.
                    let last = period.daily.last().expect("a period has at least its first day");
                    prop_assert_eq!(last.used.value(), period.consumed.value());
                    let daily: Vec<_> = period.daily.iter().collect();
                    prop_assert_eq!(daily.len(), period.daily.len());
                    prop_assert_eq!(daily.last(), Some(&last));
                    prop_assert!(daily.windows(2).all(|w| w[0].used <= w[1].used && w[0].date < w[1].date));
                    prop_assert_eq!(daily[0].date, period.start.date());
                    prop_assert!(period.remaining.value() >= Decimal::ZERO && period.expired.value() >= Decimal::ZERO);
                }
            }
        }
    }

    /// A report as scanquota writes it adds up as `merge` checks a report
    /// it reads back (a period's units, an allowance's sums, each line's
    /// quantity × price), as built and as read from its JSON.
    #[test]
    fn every_report_adds_up_as_merge_checks_it(spec in plan_spec(), rows in rows(), minute in as_of_strategy()) {
        let report = report_of(&plan_text(&spec), &log_text(&rows), minute);
        prop_assert_eq!(report.unbalanced(), None);
        let json = serde_json::to_string_pretty(&report).unwrap();
        let read: Report = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(read.unbalanced(), None);
        // And `merge` itself takes it back whole (every line of a period,
        // a cycle or a period still to come): the same report, no note.
        let work = common::Workdir::new();
        let path = work.write("report.json", format!("{json}\n"));
        let (code, merged, stderr) = common::run(&["merge", &path, "--format", "json"]);
        prop_assert_eq!((code, stderr.as_str()), (0, ""));
        prop_assert_eq!(merged, format!("{json}\n"));
    }

    #[test]
    fn units_consumed_overage_and_denied_add_up_to_every_metered_scan(spec in plan_spec(), rows in rows(), minute in as_of_strategy()) {
        let (plan, scans) = load(&plan_text(&spec), &log_text(&rows));
        let schedule = Schedule::new(&plan, as_of(&plan, minute));
        let mut metered = Decimal::ZERO;
        let mut drawn = Decimal::ZERO;
        let mut replayed = 0u64;
        let usages = replay(&plan, &scans, &schedule, None, |_, result| {
            metered += result.units();
            drawn += result.draws().sum::<Decimal>();
            replayed += 1;
        });
        let consumed: Decimal = usages.iter().map(|u| u.consumed).sum();
        let overage: Decimal = usages.iter().map(|u| u.overage).sum();
        let denied: Decimal = usages.iter().map(|u| u.denied_units).sum();
        prop_assert_eq!(consumed + overage + denied, metered);
        prop_assert_eq!(consumed, drawn);
        let counted: u64 = usages.iter().map(|u| u.counters.total()).sum();
        prop_assert_eq!(counted, replayed, "every replayed row lands in exactly one counter");
        let at_or_before = scans.events.iter().filter(|e| e.at <= schedule.as_of).count() as u64;
        prop_assert_eq!(counted, at_or_before);
    }

    #[test]
    fn shuffling_rows_with_distinct_times_changes_nothing(
        spec in plan_spec(),
        rows in rows(),
        minute in as_of_strategy(),
        seed in any::<u64>(),
    ) {
        let mut distinct = rows.clone();
        distinct.sort_by_key(|row| row.minute);
        distinct.dedup_by_key(|row| row.minute);
        let plan = plan_text(&spec);
        let ordered = report_of(&plan, &log_text(&distinct), minute);
        let mut shuffled = distinct.clone();
        // A deterministic Fisher–Yates from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let other = report_of(&plan, &log_text(&shuffled), minute);
        prop_assert_eq!(ordered, other);
    }

    #[test]
    fn accounts_replayed_in_parallel_give_the_same_usages(
        spec in plan_spec(),
        rows in rows(),
        minute in as_of_strategy(),
        threads in 2usize..5,
    ) {
        let (plan, scans) = load(&plan_text(&spec), &log_text(&rows));
        let schedule = Schedule::new(&plan, as_of(&plan, minute));
        let serial = replay(&plan, &scans, &schedule, None, |_, _| {});
        prop_assert_eq!(serial, replay_in_parallel(&plan, &scans, &schedule, threads));
    }

    #[test]
    fn accounts_replayed_in_runs_give_the_same_usages(
        spec in plan_spec(),
        rows in rows(),
        minute in as_of_strategy(),
        threads in 1usize..5,
        coarse in any::<bool>(),
        only in prop::option::of(0u8..4),
        grouped in any::<bool>(),
    ) {
        // Coarse times make ties, which must keep the input order.
        let mut rows = rows;
        if coarse {
            rows.iter_mut().for_each(|row| row.minute -= row.minute % 20_000);
        }
        let plan = Plan::from_str("plan.toml", &plan_text(&spec)).unwrap();
        let options = ReadOptions { group_column: grouped.then(|| "team".to_string()), ..ReadOptions::default() };
        let mut scans = ScanLog::default();
        scans.read_one_with(&options, "log.csv", log_text(&rows).as_bytes(), plan.zone).unwrap();
        let mut schedule = Schedule::new(&plan, as_of(&plan, minute));
        schedule.grouped = grouped;
        let account = only.map(|id| format!("acct{id}"));
        let mut by_time = scans.clone();
        by_time.sort();
        let reference = replay(&plan, &by_time, &schedule, account.as_deref(), |_, _| {});
        let mut by_account = scans.clone();
        by_account.sort_by_account(threads);
        // A report of a log out of order keeps each row's image by
        // fingerprint, in its account's list (`images_by_row`).
        let by_row = ReadOptions { images_by_row: true, ..options.clone() };
        let mut rows_kept = ScanLog::default();
        rows_kept.read_one_with(&by_row, "log.csv", log_text(&rows).as_bytes(), plan.zone).unwrap();
        prop_assert_eq!(&reference, &sort_and_replay_by_account(&plan, &mut rows_kept, &schedule, account.as_deref(), threads));
        prop_assert_eq!(reference, sort_and_replay_by_account(&plan, &mut scans, &schedule, account.as_deref(), threads));
        // Only the runs replayed are put in replay order.
        if account.is_none() {
            prop_assert_eq!(scans.events, by_account.events);
        }
    }

    #[test]
    fn charges_total_is_the_sum_of_rounded_lines(spec in plan_spec(), rows in rows(), minute in as_of_strategy()) {
        let report = report_of(&plan_text(&spec), &log_text(&rows), minute);
        for account in &report.accounts {
            let sum: Decimal = account.charges.lines.iter().map(|l| l.amount.value()).sum();
            prop_assert_eq!(account.charges.total.value(), sum);
            for line in &account.charges.lines {
                prop_assert_eq!(line.amount.value().scale(), 2);
            }
        }
    }

    #[test]
    fn the_ledger_sums_to_the_report(spec in plan_spec(), rows in rows(), minute in as_of_strategy()) {
        let (plan, scans) = load(&plan_text(&spec), &log_text(&rows));
        let as_of = as_of(&plan, minute);
        let report = generate(&plan, &scans, as_of, None).unwrap();
        let ledger = common::reference::ledger(&plan, &scans, &Schedule::new(&plan, as_of), None);
        prop_assert_eq!(ledger.len(), rows.len(), "one ledger row per input row");
        for account in &report.accounts {
            let mine: Vec<_> = ledger.iter().filter(|row| row.account == account.account).collect();
            let count = |outcome: &str| mine.iter().filter(|row| row.outcome == outcome).count() as u64;
            let units = |outcome: &str| mine.iter().filter(|row| row.outcome == outcome).map(|row| row.units.value()).sum::<Decimal>();
            let scans = &account.scans;
            prop_assert_eq!(count("duplicate"), scans.duplicates);
            prop_assert_eq!(count("failed"), scans.failed);
            prop_assert_eq!(count("trial"), scans.trial);
            prop_assert_eq!(count("uncovered"), scans.uncovered);
            prop_assert_eq!(count("first"), scans.first);
            prop_assert_eq!(count("repeat"), scans.repeat);
            prop_assert_eq!(count("denied"), scans.denied);
            prop_assert_eq!(count("after_as_of"), scans.after_as_of);
            prop_assert_eq!(units("denied"), account.units.denied.value());
            let metered: Decimal = mine.iter().map(|row| row.units.value()).sum();
            prop_assert_eq!(metered, account.units.consumed.value() + account.units.overage.value() + account.units.denied.value());
            let overage: Decimal = mine.iter().map(|row| row.overage.value()).sum();
            prop_assert_eq!(overage, account.units.overage.value());
        }
    }

    #[test]
    fn projection_keeps_what_was_denied_and_runs_out_inside_the_cycle(spec in plan_spec(), rows in rows(), minute in as_of_strategy()) {
        let (plan, scans) = load(&plan_text(&spec), &log_text(&rows));
        let as_of = as_of(&plan, minute);
        let report = generate(&plan, &scans, as_of, None).unwrap();
        let ledger = common::reference::ledger(&plan, &scans, &Schedule::new(&plan, as_of), None);
        for account in &report.accounts {
            let Some(projection) = &account.projection else { continue };
            let (start, end) = (projection.cycle_start.utc(), projection.cycle_end.utc());
            let denied_in_cycle: Decimal = ledger
                .iter()
                .filter(|row| row.account == account.account && row.outcome == "denied")
                .filter(|row| (start..=as_of).contains(&row.timestamp.utc()))
                .map(|row| row.units.value())
                .sum();
            prop_assert!(projection.projected_denied.value() >= denied_in_cycle,
                "projected_denied {} < denied so far {}", projection.projected_denied, denied_in_cycle);
            prop_assert_eq!(projection.exhausted, projection.available.value().is_zero());
            if let Some(at) = &projection.exhausts_at {
                let at = at.utc();
                prop_assert!(!projection.exhausted);
                prop_assert!(at >= chrono::SubsecRound::trunc_subsecs(as_of, 0) && at <= end, "{} not in [{}, {}]", at, as_of, end);
            }
            if !spec.bill || spec.priced_overage {
                prop_assert!(projection.projected_unpriced_overage.value().is_zero());
            } else {
                prop_assert_eq!(projection.projected_unpriced_overage, projection.projected_overage);
            }
        }
    }
}
