//! Random plans and logs for property tests: every plan feature (free and
//! prepaid allowances, calendar months, top-ups, trials, both policies,
//! priced and unpriced overage, fees) over about four months of scans.

use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub struct AllowanceSpec {
    pub free: bool,
    pub tenths: u32,
    pub calendar: bool,
}

#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub allowances: Vec<AllowanceSpec>,
    pub first_tenths: u32,
    pub repeat_tenths: u32,
    pub bill: bool,
    pub priced_overage: bool,
    pub cycle_window: bool,
    pub count_failed: bool,
    pub months: Option<u32>,
    pub topup_day: Option<u32>,
    pub trial: bool,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub minute: u32,
    pub image: u8,
    pub account: u8,
    pub failed: bool,
    pub scan_id: Option<u8>,
}

pub fn plan_spec() -> impl Strategy<Value = PlanSpec> {
    (
        prop::collection::vec((any::<bool>(), 0u32..60, any::<bool>()), 0..4),
        (0u32..20, 0u32..20),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        prop::option::of(1u32..4),
        prop::option::of(1u32..80),
        any::<bool>(),
    )
        .prop_map(
            |(
                allowances,
                (first_tenths, repeat_tenths),
                (bill, priced, cycle, failed),
                months,
                topup_day,
                trial,
            )| PlanSpec {
                allowances: allowances
                    .into_iter()
                    .map(|(free, tenths, calendar)| AllowanceSpec {
                        free,
                        tenths,
                        calendar,
                    })
                    .collect(),
                first_tenths,
                repeat_tenths,
                bill,
                priced_overage: priced,
                cycle_window: cycle,
                count_failed: failed,
                months,
                topup_day,
                trial,
            },
        )
}

pub fn tenths(n: u32) -> String {
    (Decimal::from(n) / Decimal::from(10))
        .normalize()
        .to_string()
}

pub fn plan_text(spec: &PlanSpec) -> String {
    let mut text = String::from(
        "currency = \"USD\"\ntimezone = \"Europe/Berlin\"\n[subscription]\nstart = 2024-01-31T09:00:00+01:00\n",
    );
    if let Some(months) = spec.months {
        text += &format!("months = {months}\n");
    }
    if spec.trial {
        text += "[trial]\nstart = 2024-01-24T09:00:00+01:00\ndays = 7\n";
    }
    text += &format!(
        "[metering]\nfirst_scan_units = {}\nrepeat_scan_units = {}\nrepeat_window = \"{}\"\ncount_failed = {}\n",
        tenths(spec.first_tenths),
        tenths(spec.repeat_tenths),
        if spec.cycle_window { "cycle" } else { "ever" },
        spec.count_failed
    );
    for (index, allowance) in spec.allowances.iter().enumerate() {
        text += &format!(
            "[[allowance]]\nname = \"a{index}\"\nkind = \"{}\"\nunits = {}\nreset = \"{}\"\n",
            if allowance.free { "free" } else { "prepaid" },
            tenths(allowance.tenths),
            if allowance.calendar {
                "calendar-month"
            } else {
                "cycle"
            }
        );
        if !allowance.free {
            text += "unit_price = 0.125\n";
        }
    }
    if let (Some(day), Some(index)) = (spec.topup_day, spec.allowances.iter().position(|a| !a.free))
    {
        let at = chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()
            + chrono::Days::new(u64::from(day) % 28);
        text +=
            &format!("[[topup]]\nallowance = \"a{index}\"\nat = \"{at} 12:00:00\"\nunits = 2.5\n");
    }
    text += &format!(
        "[overage]\npolicy = \"{}\"\n",
        if spec.bill { "bill" } else { "deny" }
    );
    if spec.bill && spec.priced_overage {
        text += "unit_price = 0.3\n";
    }
    text += "[[fee]]\nname = \"pro\"\nquantity = 2\nunit_price = 1.005\n";
    text
}

pub fn rows() -> impl Strategy<Value = Vec<Row>> {
    // Minutes across about four months from the trial start.
    prop::collection::vec(
        (
            0u32..170_000,
            0u8..6,
            0u8..3,
            prop::bool::weighted(0.1),
            prop::option::weighted(0.3, 0u8..20),
        ),
        0..60,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(minute, image, account, failed, scan_id)| Row {
                minute,
                image,
                account,
                failed,
                scan_id,
            })
            .collect()
    })
}

pub fn log_text(rows: &[Row]) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2024-01-24T00:00:00Z").unwrap();
    let mut text = String::from("timestamp,image,account,status,scan_id,team\n");
    for row in rows {
        let at = base + chrono::Duration::minutes(i64::from(row.minute));
        text += &format!(
            "{},img{},acct{},{},{},{}\n",
            at.to_rfc3339(),
            row.image,
            row.account,
            if row.failed { "failed" } else { "success" },
            row.scan_id.map(|id| format!("id{id}")).unwrap_or_default(),
            team(row)
        );
    }
    text
}

/// A `team` for `--by`, spread over the rows (one in four has none).
pub fn team(row: &Row) -> &'static str {
    ["", "payments", "search", "platform"][(row.minute as usize * 7 + row.image as usize) % 4]
}

/// The as-of of a random case: `minute` minutes after 2024-01-24, and never
/// before the plan's trial or term starts.
pub fn as_of(plan: &scanquota::plan::Plan, minute: u32) -> chrono::DateTime<chrono::Utc> {
    let at = scanquota::domain::zone::parse_timestamp("2024-01-24T00:00:00Z", plan.zone).unwrap()
        + chrono::Duration::minutes(i64::from(minute));
    at.max(
        plan.trial
            .as_ref()
            .map_or(plan.subscription.term.start, |t| t.start),
    )
}
