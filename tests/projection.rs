//! Projection (docs/plan.md#projection) on hand-computed cases.

use scanquota::domain::zone::parse_timestamp;
use scanquota::input::log::ScanLog;
mod common;
use common::reference::generate;
use scanquota::model::report::ProjectionReport;
use scanquota::plan::Plan;

fn plan(policy: &str) -> String {
    format!(
        "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\n\
         [[allowance]]\nname = \"quota\"\nunits = 10\nunit_price = 0.1\n\
         [overage]\npolicy = \"{policy}\"\n{}",
        if policy == "bill" {
            "unit_price = 0.5\n"
        } else {
            ""
        }
    )
}

/// `count` first scans of distinct images, one a day from 2024-04-01 01:00Z.
fn log(count: usize) -> String {
    let mut csv = String::from("timestamp,image\n");
    for day in 0..count {
        csv += &format!("2024-04-{:02}T01:00:00Z,img{day}\n", day + 1);
    }
    csv
}

fn projection(plan_text: &str, csv: &str, as_of: &str) -> Option<ProjectionReport> {
    let plan = Plan::from_str("plan.toml", plan_text).unwrap();
    let mut scans = ScanLog::default();
    scans
        .read_one("log.csv", csv.as_bytes(), plan.zone)
        .unwrap();
    scans.sort();
    let as_of = parse_timestamp(as_of, plan.zone).unwrap();
    generate(&plan, &scans, as_of, None).unwrap().accounts[0]
        .projection
        .clone()
}

#[test]
fn deny_projection_computed_by_hand() {
    // Cycle 2024-04-01 → 2024-05-01 (30 days); as-of 10 days in; 7 units used.
    // rate = 7/10 a day; projected = 7 × 30/10 = 21; available = 3; extra = 14;
    // denied = 14 − 3 = 11; runs out 3 / 0.7 days = 370285.714 s after as-of.
    let p = projection(&plan("deny"), &log(7), "2024-04-11T00:00:00Z").expect("projection");
    assert_eq!(p.cycle_start.to_string(), "2024-04-01T00:00:00+00:00");
    assert_eq!(p.cycle_end.to_string(), "2024-05-01T00:00:00+00:00");
    assert_eq!(p.demand.to_string(), "7");
    assert_eq!(p.projected_demand.to_string(), "21");
    assert_eq!(p.available.to_string(), "3");
    assert_eq!(p.projected_denied.to_string(), "11");
    assert_eq!(p.projected_overage.to_string(), "0");
    assert_eq!(
        p.exhausts_at.map(|t| t.to_string()).as_deref(),
        Some("2024-04-15T06:51:26+00:00")
    );
    assert_eq!(
        p.projected_cycle_charges.to_string(),
        "1.00",
        "the allowance line only: deny bills no overage"
    );
}

#[test]
fn bill_projection_prices_the_projected_overage() {
    let p = projection(&plan("bill"), &log(7), "2024-04-11T00:00:00Z").expect("projection");
    assert_eq!(p.projected_overage.to_string(), "11");
    assert_eq!(p.projected_denied.to_string(), "0");
    // 10 × 0.1 allowance + 11 × 0.5 overage.
    assert_eq!(p.projected_cycle_charges.to_string(), "6.50");
}

#[test]
fn overage_so_far_is_part_of_the_projection() {
    // 12 scans by as-of on day 12 of 30: 2 already overage, none left.
    let p = projection(&plan("bill"), &log(12), "2024-04-13T00:00:00Z").expect("projection");
    assert_eq!(p.demand.to_string(), "12");
    assert_eq!(p.available.to_string(), "0");
    assert_eq!(p.projected_demand.to_string(), "30");
    assert_eq!(p.projected_overage.to_string(), "20", "2 so far + 18 more");
    // Already used up at as-of: `exhausted`, and no moment in the future.
    assert!(p.exhausted);
    assert_eq!(p.exhausts_at, None);
}

#[test]
fn a_cycle_without_scans_projects_nothing_running_out() {
    let p =
        projection(&plan("deny"), "timestamp,image\n", "2024-04-11T00:00:00Z").expect("projection");
    assert_eq!(p.demand.to_string(), "0");
    assert_eq!(p.projected_demand.to_string(), "0");
    assert_eq!(p.available.to_string(), "10");
    assert_eq!(p.exhausts_at, None);
}

#[test]
fn no_projection_exactly_at_a_cycle_start() {
    assert_eq!(
        projection(&plan("deny"), &log(3), "2024-04-01T00:00:00Z"),
        None
    );
    assert_eq!(
        projection(&plan("deny"), &log(3), "2024-03-01T00:00:00Z"),
        None
    );
}

#[test]
fn no_projection_after_the_term_ends_but_one_inside_a_bounded_term() {
    let bounded = plan("deny").replace(
        "start = 2024-03-01T00:00:00Z",
        "start = 2024-03-01T00:00:00Z\nmonths = 2",
    );
    assert!(projection(&bounded, &log(3), "2024-04-11T00:00:00Z").is_some());
    assert_eq!(projection(&bounded, &log(3), "2024-05-11T00:00:00Z"), None);
}

#[test]
fn enough_quota_means_no_exhaustion() {
    let p = projection(&plan("deny"), &log(2), "2024-04-11T00:00:00Z").expect("projection");
    // 2 × 3 = 6 projected; extra 4 ≤ available 8.
    assert_eq!(p.projected_demand.to_string(), "6");
    assert_eq!(p.projected_denied.to_string(), "0");
    assert_eq!(p.exhausts_at, None);
}
