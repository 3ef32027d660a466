//! Pro-edition core billing (docs/plan.md, `[cores]`): hourly samples → daily billable excess.

mod common;

use common::{Workdir, run};
use scanquota::domain::zone::parse_timestamp;
use scanquota::engine::core_days::billable_days;
use scanquota::input::cores::read_samples;
use scanquota::plan::Plan;

fn plan(zone: &str, cap: Option<u32>) -> Plan {
    let cap = cap
        .map(|c| format!("daily_cap = {c}\n"))
        .unwrap_or_default();
    Plan::from_str(
        "plan.toml",
        &format!(
            "timezone = \"{zone}\"\n[subscription]\nstart = 2024-01-01T00:00:00+08:00\n\
             [cores]\nlicensed = 4\ndaily_unit_price = 1\n{cap}"
        ),
    )
    .unwrap()
}

/// (local day start, billable) for `account` from CSV rows.
fn days(plan: &Plan, rows: &[String], as_of: &str) -> Vec<(String, String, u32)> {
    let work = Workdir::new();
    let mut csv = String::from("timestamp,account,cores\n");
    for row in rows {
        csv += row;
        csv.push('\n');
    }
    let path = work.write("cores.csv", csv);
    let samples = read_samples(&path, plan.zone).unwrap();
    let as_of = parse_timestamp(as_of, plan.zone).unwrap();
    let by_account = billable_days(plan, plan.cores.as_ref().unwrap(), &samples, as_of);
    by_account
        .get("a")
        .map(|days| {
            days.iter()
                .map(|d| {
                    (
                        plan.zone.format(d.day_start),
                        d.billable.to_string(),
                        d.sampled_hours,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_day_with_24_samples_bills_the_mean_excess() {
    let plan = plan("+08:00", None);
    let rows: Vec<String> = (0..24)
        .map(|h| format!("2024-04-01 {h:02}:00:00,a,{}", if h < 12 { 10 } else { 4 }))
        .collect();
    assert_eq!(
        days(&plan, &rows, "2024-04-02 02:00:00"),
        [("2024-04-01T00:00:00+08:00".into(), "3".into(), 24)]
    );
}

#[test]
fn missing_hours_average_over_the_sampled_hours_only() {
    let plan = plan("+08:00", None);
    let rows = [
        "2024-04-01 09:00:00,a,10",
        "2024-04-01 13:00:00,a,6",
        "2024-04-01 20:00:00,a,3",
    ]
    .map(String::from);
    // Excess 6, 2, 0 over 3 sampled hours.
    assert_eq!(days(&plan, &rows, "2024-04-02 02:00:00")[0].1, "2.6667");
}

#[test]
fn the_daily_cap_limits_billable_cores() {
    let plan = plan("+08:00", Some(2));
    let rows = ["2024-04-01 09:00:00,a,100".to_string()];
    assert_eq!(days(&plan, &rows, "2024-04-02 02:00:00")[0].1, "2");
}

#[test]
fn the_last_sample_of_an_hour_counts() {
    let plan = plan("+08:00", None);
    let rows = ["2024-04-01 10:05:00,a,20", "2024-04-01 10:50:00,a,6"].map(String::from);
    assert_eq!(
        days(&plan, &rows, "2024-04-02 02:00:00"),
        [("2024-04-01T00:00:00+08:00".into(), "2".into(), 1)]
    );
}

#[test]
fn a_day_is_posted_at_two_the_next_morning() {
    let plan = plan("+08:00", None);
    let rows = ["2024-04-01 10:00:00,a,5".to_string()];
    assert!(days(&plan, &rows, "2024-04-02 01:59:59").is_empty());
    assert_eq!(days(&plan, &rows, "2024-04-02 02:00:00").len(), 1);
}

#[test]
fn dst_days_have_23_and_25_hours() {
    let plan = plan("Europe/Berlin", None);
    // Every UTC hour of the local day 2024-03-31 (23 local hours) at 5 cores.
    let spring: Vec<String> = (0..23)
        .map(|h| {
            let at = parse_timestamp("2024-03-30T23:00:00Z", plan.zone).unwrap()
                + chrono::Duration::hours(h);
            format!("{},a,5", at.to_rfc3339())
        })
        .collect();
    let got = days(&plan, &spring, "2024-04-02 02:00:00");
    assert_eq!(got, [("2024-03-31T00:00:00+01:00".into(), "1".into(), 23)]);
    // 2024-10-27 has 25 local hours: 02:00–03:00 happens twice, both count.
    let autumn: Vec<String> = (0..25)
        .map(|h| {
            let at = parse_timestamp("2024-10-26T22:00:00Z", plan.zone).unwrap()
                + chrono::Duration::hours(h);
            format!("{},a,{}", at.to_rfc3339(), if h == 3 { 29 } else { 4 })
        })
        .collect();
    let got = days(&plan, &autumn, "2024-10-29 02:00:00");
    // Only the repeated 02:00 hour (h == 3, the second one) has excess: 25 / 25 hours.
    assert_eq!(got, [("2024-10-27T00:00:00+02:00".into(), "1".into(), 25)]);
}

#[test]
fn cores_become_charge_lines_through_the_binary() {
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--cores",
        "fixtures/cores.csv",
        "--as-of",
        "2024-04-03 02:00:00",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let lines = |account: usize| -> Vec<(String, String, String)> {
        report["accounts"][account]["charges"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["item"] == "cores")
            .map(|l| {
                (
                    l["period_start"].as_str().unwrap().to_string(),
                    l["quantity"].as_str().unwrap().to_string(),
                    l["amount"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        lines(0),
        [
            (
                "2024-04-01T00:00:00+08:00".into(),
                "1".into(),
                "1.00".into()
            ),
            (
                "2024-04-02T00:00:00+08:00".into(),
                "3.3333".into(),
                "3.33".into()
            ),
        ]
    );
    assert_eq!(
        lines(1),
        [(
            "2024-04-01T00:00:00+08:00".into(),
            "1.5".into(),
            "1.50".into()
        )]
    );
}

#[test]
fn cores_without_a_cores_section_or_with_bad_rows_exit_2() {
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-usd-300.toml",
        "--log",
        "fixtures/tcss-worked-example.csv",
        "--cores",
        "fixtures/cores.csv",
        "--as-of",
        "2024-04-03 02:00:00",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("[cores]"), "{stderr}");
    let work = Workdir::new();
    let bad = work.write(
        "cores.csv",
        "timestamp,account,cores\n2024-04-01 10:00:00,a,-3\n",
    );
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--cores",
        &bad,
        "--as-of",
        "2024-04-03 02:00:00",
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("cores.csv:2:3: cores"), "{stderr}");
}

/// Every sample is billed, or counted out loud: one on a day outside the
/// term or not yet posted at as-of bills nothing and says so; two counts
/// for one account at one instant are refused (the last would win).
#[test]
fn samples_that_bill_nothing_are_counted_and_conflicting_ones_refused() {
    let work = Workdir::new();
    let plan = work.write(
        "plan.toml",
        "[subscription]\nstart = 2024-04-01T00:00:00Z\nmonths = 2\n[[allowance]]\nname = \"quota\"\n\
         units = 300\nunit_price = 0.06\n[cores]\nlicensed = 4\ndaily_unit_price = 1\n",
    );
    let log = work.write(
        "log.csv",
        "timestamp,image,account\n2024-04-02T00:00:00Z,x,a\n",
    );
    let samples = work.write(
        "cores.csv",
        "timestamp,account,cores\n2024-03-31T23:00:00Z,a,10\n2024-04-02T05:00:00Z,a,10\n\
         2024-04-02T05:00:00Z,a,10\n2024-06-01T05:00:00Z,a,10\n2024-05-09T05:00:00Z,a,10\n",
    );
    let report = |cores: &str| {
        run(&[
            "report",
            "--plan",
            &plan,
            "--log",
            &log,
            "--cores",
            cores,
            "--as-of",
            "2024-05-09T12:00:00Z",
            "--format",
            "json",
        ])
    };
    let (code, stdout, stderr) = report(&samples);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "scanquota: 3 core sample(s) bill nothing: 2 on days outside the term, 1 on days not \
         yet posted at as-of (a day posts at 02:00 the next day)\n"
    );
    // The day in the term and posted bills its 6 excess cores (the same
    // sample twice is one).
    let report_json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let cores: Vec<&str> = report_json["accounts"][0]["charges"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["item"] == "cores")
        .map(|line| line["quantity"].as_str().unwrap())
        .collect();
    assert_eq!(cores, ["6"]);
    let conflicting = work.write(
        "conflicting.csv",
        "timestamp,account,cores\n2024-04-02T05:00:00Z,a,10\n2024-04-02T05:00:00Z,b,20\n\
         2024-04-02T05:00:00Z,a,20\n",
    );
    let (code, stdout, stderr) = report(&conflicting);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        format!(
            "scanquota: error: {conflicting}:4:3: cores: `20` differs from 10, the count for the \
             same account at the same time on line 2; keep one sample an instant\n"
        )
    );
}

/// A plan that prices cores, run without `--cores`, bills no cores lines and
/// says so on stderr; with the samples, or with a plan that has no `[cores]`,
/// there is nothing to say.
#[test]
fn a_plan_that_prices_cores_without_samples_is_noted() {
    const SAID: &str = "prices cores ([cores]) but no --cores file was given";
    for command in ["report", "invoice"] {
        let run_with = |plan: &str, cores: bool| {
            let mut args = vec![
                command,
                "--plan",
                plan,
                "--log",
                "fixtures/tcss-cny.csv",
                "--as-of",
                "2024-04-03 02:00:00",
                "--format",
                "json",
            ];
            if cores {
                args.extend(["--cores", "fixtures/cores.csv"]);
            }
            let (code, stdout, stderr) = run(&args);
            assert_eq!(code, 0, "{command} {plan}: {stderr}");
            (stdout, stderr)
        };
        let (without, said) = run_with("fixtures/tcss-cny-topup.toml", false);
        assert!(
            said.contains(SAID) && said.contains("fixtures/tcss-cny-topup.toml"),
            "{command}: {said}"
        );
        assert!(!without.contains("\"cores\""), "{command}: {without}");
        let (with, said) = run_with("fixtures/tcss-cny-topup.toml", true);
        assert!(!said.contains(SAID), "{command}: {said}");
        assert!(with.contains("\"cores\""), "{command}: {with}");
        let (_, said) = run_with("fixtures/tcss-usd-300.toml", false);
        assert!(!said.contains(SAID), "{command}: {said}");
    }
}
