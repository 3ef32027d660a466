//! Posting invariants over random plans with top-ups and random logs (issue
//! 22 §1, SPEC §13): a line posted by `t1` is in the report at any `t2 >
//! t1` with the same kind, item, period, quantity, unit price and amount;
//! and posted + accrued at as-of are the charges to date.

mod common;

use common::random::{as_of, log_text, plan_spec, plan_text, rows};
use common::reference::generate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use scanquota::engine::charges::ChargeState;
use scanquota::input::log::ScanLog;
use scanquota::model::invoice::Invoice;
use scanquota::model::report::Report;
use scanquota::plan::Plan;

/// A random plan, with extra top-ups `(day of the term, tenths of a unit)`
/// on its first prepaid allowance (several in one period at times).
fn plan_with_topups(text: &str, months: Option<u32>, topups: &[(u32, u32)]) -> String {
    let mut text = text.to_string();
    let Some(index) =
        (0..4).find(|i| text.contains(&format!("name = \"a{i}\"\nkind = \"prepaid\"")))
    else {
        return text;
    };
    // Inside the term (from 2024-01-31 09:00, `months` long or open).
    let start = chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
    let days = 28 * months.unwrap_or(4);
    for (day, tenths) in topups {
        let at = start + chrono::Days::new(u64::from(*day % days));
        text += &format!(
            "[[topup]]\nallowance = \"a{index}\"\nat = \"{at} 0{}:30:00\"\nunits = {}\n",
            day % 10,
            common::random::tenths(*tenths)
        );
    }
    text
}

fn report(plan: &Plan, log: &str, at: chrono::DateTime<chrono::Utc>) -> Report {
    let mut scans = ScanLog::default();
    scans
        .read_one("log.csv", log.as_bytes(), plan.zone)
        .expect("generated log is valid");
    scans.sort();
    generate(plan, &scans, at, None).expect("no overflow")
}

type Key = (String, String, String, String, String, String);

fn posted_lines(report: &Report) -> Vec<(String, Key)> {
    report
        .accounts
        .iter()
        .flat_map(|a| {
            a.charges
                .lines
                .iter()
                .filter(|l| l.state == ChargeState::Posted)
                .map(move |l| {
                    (
                        a.account.clone(),
                        (
                            l.kind.as_str().to_string(),
                            l.item.clone(),
                            l.period_start.to_string(),
                            l.quantity.to_string(),
                            l.unit_price.to_string(),
                            l.amount.to_string(),
                        ),
                    )
                })
        })
        .collect()
}

fn check_sums(report: &Report) {
    let mut all = Decimal::ZERO;
    for account in &report.accounts {
        let sum: Decimal = account.charges.lines.iter().map(|l| l.amount.value()).sum();
        assert_eq!(
            sum,
            account.charges.total.value(),
            "posted + accrued = charges"
        );
        all += sum;
    }
    assert_eq!(all, report.totals.charges.value());
    let invoice = Invoice::of(report).expect("no overflow");
    assert_eq!(
        invoice.posted.value() + invoice.accrued.value(),
        report.totals.charges.value(),
        "invoice posted + accrued = totals.charges"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn a_posted_line_never_changes(
        spec in plan_spec(),
        topups in prop::collection::vec((0u32..100, 1u32..40), 0..4),
        rows in rows(),
        first in 0u32..180_000,
        later in 1u32..120_000,
    ) {
        let text = plan_with_topups(&plan_text(&spec), spec.months, &topups);
        let plan = Plan::from_str("plan.toml", &text).expect("generated plan is valid");
        let log = log_text(&rows);
        let t1 = as_of(&plan, first);
        let t2 = t1 + chrono::Duration::minutes(i64::from(later));
        let (one, two) = (report(&plan, &log, t1), report(&plan, &log, t2));
        check_sums(&one);
        check_sums(&two);
        let mut after = posted_lines(&two);
        for line in posted_lines(&one) {
            let found = after.iter().position(|l| *l == line);
            prop_assert!(
                found.is_some(),
                "{line:?} posted at {t1} is not in the report at {t2}:\n{text}\n{:?}",
                posted_lines(&two)
            );
            after.remove(found.unwrap());
        }
    }
}

/// The invoice's posted total for the window `[from, to)`, as-of the last
/// instant before `to` (what `invoice --from --to` does without --as-of).
fn window_posted(
    plan: &Plan,
    log: &str,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Decimal {
    let window = scanquota::app::job::Window { from, to };
    let mut report = report(plan, log, window.last_instant());
    report.set_window(plan.zone, from, to);
    let invoice = Invoice::of(&report).expect("no overflow");
    let lines: Decimal = invoice
        .accounts
        .iter()
        .flat_map(|a| &a.cycles)
        .flat_map(|c| &c.lines)
        .filter(|l| l.state == scanquota::model::invoice::LineState::Posted)
        .filter_map(|l| l.amount.map(|m| m.value()))
        .sum();
    assert_eq!(
        lines,
        invoice.posted.value(),
        "the posted lines add up to the total"
    );
    invoice.posted.value()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn consecutive_windows_add_up(
        spec in plan_spec(),
        topups in prop::collection::vec((0u32..100, 1u32..40), 0..4),
        rows in rows(),
        start in 0u32..150_000,
        first in 1u32..80_000,
        second in 1u32..80_000,
    ) {
        let text = plan_with_topups(&plan_text(&spec), spec.months, &topups);
        let plan = Plan::from_str("plan.toml", &text).expect("generated plan is valid");
        let log = log_text(&rows);
        // `a` is after the plan starts, so every window's as-of is too.
        let a = as_of(&plan, start) + chrono::Duration::seconds(1);
        let b = a + chrono::Duration::minutes(i64::from(first));
        let c = b + chrono::Duration::minutes(i64::from(second));
        let (ab, bc, ac) = (
            window_posted(&plan, &log, a, b),
            window_posted(&plan, &log, b, c),
            window_posted(&plan, &log, a, c),
        );
        prop_assert_eq!(ab + bc, ac, "[a, b) + [b, c) = [a, c):\n{}", text);
    }
}
