//! `invoice --format focus` (docs/focus.md): the money adds up (billed to
//! the invoice's posted total, effective to each period's purchase cost,
//! months to the window holding them), unpriced overage is left out and
//! named, user text is guarded, and one small file is pinned.

mod common;

use common::{Workdir, run};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

const TCSS: &[&str] = &[
    "--plan",
    "fixtures/tcss-cny-topup.toml",
    "--log",
    "fixtures/tcss-cny.csv",
    "--cores",
    "fixtures/cores.csv",
    "--as-of",
    "2024-06-20",
];

type Row = BTreeMap<String, String>;

fn invoice(base: &[&str], extra: &[&str], format: &str) -> (String, String) {
    let mut args = vec!["invoice"];
    args.extend_from_slice(base);
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--format", format]);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "invoice {args:?} failed: {stderr}");
    (stdout, stderr)
}

fn focus_rows(csv_text: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|record| {
            header
                .iter()
                .cloned()
                .zip(record.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn focus(base: &[&str], extra: &[&str]) -> Vec<Row> {
    focus_rows(&invoice(base, extra, "focus").0)
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|_| panic!("`{text}` is not a decimal"))
}

fn sum<'a>(rows: impl IntoIterator<Item = &'a Row>, column: &str) -> Decimal {
    rows.into_iter().map(|r| dec(&r[column])).sum()
}

/// The invoice's posted total; `--by` (refused with a window in JSON, and
/// changing no total) is left out.
fn posted_total(base: &[&str], extra: &[&str]) -> Decimal {
    let mut unsplit = Vec::new();
    let mut args = extra.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--by" => {
                args.next();
            }
            _ => unsplit.push(*arg),
        }
    }
    let (json, _) = invoice(base, &unsplit, "json");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    dec(value["posted"]
        .as_str()
        .expect("posted is a decimal string"))
}

#[test]
fn billed_cost_adds_up_to_the_invoice_posted_total() {
    let fleet: &[&str] = &[
        "--plan",
        "fixtures/fleet.toml",
        "--log",
        "fixtures/fleet.csv",
        "--as-of",
        "2025-02-20",
    ];
    for (base, extra) in [
        (TCSS, &[][..]),
        (TCSS, &["--month", "2024-04"][..]),
        (TCSS, &["--from", "2024-03-20", "--to", "2024-05-16"][..]),
        (TCSS, &["--account", "team-b", "--month", "2024-05"][..]),
        (fleet, &[][..]),
        (fleet, &["--month", "2024-08", "--by", "team"][..]),
    ] {
        let billed = sum(&focus(base, extra), "BilledCost");
        let posted = posted_total(base, extra);
        assert!(
            posted > Decimal::ZERO,
            "{extra:?}: the case bills something"
        );
        assert_eq!(billed, posted, "{base:?} {extra:?}");
    }
}

/// Every closed prepaid period, of every account the invoice lists (one
/// of the core samples alone included: it scanned nothing, so its whole
/// purchase is unused), has one unused row, and its effective cost is its
/// purchase cost. A period is closed when it ends by as-of (2024-06-20).
#[test]
fn effective_cost_of_a_closed_period_is_its_purchase_cost() {
    // With teams.csv, team-a and team-b are in the core samples only.
    for (log, closed_periods) in [("fixtures/tcss-cny.csv", 6), ("fixtures/teams.csv", 9)] {
        let base = [&["--log", log][..], &TCSS[..2], &TCSS[4..]].concat();
        let rows = focus(&base, &[]);
        let mut by_commitment: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        for row in &rows {
            let id = row["CommitmentDiscountId"].as_str();
            if !id.is_empty() {
                by_commitment.entry(id).or_default().push(row);
            }
        }
        let mut closed = 0;
        for (id, rows) in &by_commitment {
            let purchases: Vec<&Row> = (rows.iter().copied())
                .filter(|r| r["ChargeCategory"] == "Purchase")
                .collect();
            let purchased = sum(purchases.iter().copied(), "BilledCost");
            assert!(purchased > Decimal::ZERO, "{log}: {id}: no purchase");
            // RFC 3339 in UTC: compared as text.
            if purchases[0]["ChargePeriodEnd"].as_str() > "2024-06-20T00:00:00Z" {
                continue; // the current period: not closed at as-of.
            }
            closed += 1;
            let unused = rows
                .iter()
                .filter(|r| r["CommitmentDiscountStatus"] == "Unused")
                .count();
            assert_eq!(unused, 1, "{log}: {id}: one unused row per closed period");
            assert_eq!(
                sum(rows.iter().copied(), "EffectiveCost"),
                purchased,
                "{log}: {id}"
            );
            // A purchase's own effective cost is zero: usage carries it.
            for row in &purchases {
                assert_eq!(dec(&row["EffectiveCost"]), Decimal::ZERO);
            }
        }
        // Three monthly periods closed by as-of for each account: two
        // accounts in tcss-cny.csv; acme with teams.csv, and team-a and
        // team-b of the core samples.
        assert_eq!(closed, closed_periods, "{log}");
        // The period with the top-up: 300 + 300 units at 0.30.
        let topped = &by_commitment["team-a/quota/2024-04-15T06:00:00Z"];
        assert_eq!(sum(topped.iter().copied(), "EffectiveCost"), dec("180.00"));
        assert!(topped.iter().any(|r| r["ChargeFrequency"] == "One-Time"));
    }
}

#[test]
fn consecutive_months_add_up_to_the_two_month_window() {
    let lines = |extra: &[&str]| -> Vec<String> {
        let (text, _) = invoice(TCSS, extra, "focus");
        text.lines().skip(1).map(str::to_string).collect()
    };
    let mut months = lines(&["--month", "2024-04"]);
    months.extend(lines(&["--month", "2024-05"]));
    let mut window = lines(&["--from", "2024-04-01", "--to", "2024-06-01"]);
    months.sort();
    window.sort();
    assert!(!window.is_empty());
    assert_eq!(months, window);
}

#[test]
fn a_period_ending_at_a_month_boundary_leaves_its_unused_row_in_that_month() {
    // Periods of calendar months: each ends exactly where a month's file
    // ends, so its unused units must be in that month's file, and the months
    // must add up to the window that holds both.
    let work = common::Workdir::new();
    let plan = work.write(
        "plan.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 3\n[[allowance]]\nname = \"quota\"\nunits = 10\nunit_price = 1\n",
    );
    let log = work.write(
        "log.csv",
        "timestamp,image,status\n2024-02-05T00:00:00Z,a,success\n",
    );
    let base = [
        "--plan",
        plan.as_str(),
        "--log",
        log.as_str(),
        "--as-of",
        "2024-03-10",
    ];
    let january = focus(&base, &["--month", "2024-01"]);
    let unused: Vec<&Row> = january
        .iter()
        .filter(|row| row["CommitmentDiscountStatus"] == "Unused")
        .collect();
    assert_eq!(unused.len(), 1, "{january:?}");
    assert_eq!(dec(&unused[0]["EffectiveCost"]), Decimal::from(10));
    let february = focus(&base, &["--month", "2024-02"]);
    let both = focus(&base, &["--from", "2024-01-01", "--to", "2024-03-01"]);
    let months = sum(&january, "EffectiveCost") + sum(&february, "EffectiveCost");
    assert_eq!(
        months,
        Decimal::from(20),
        "each month's purchase, all amortised"
    );
    assert_eq!(sum(&both, "EffectiveCost"), months);
}

#[test]
fn drawn_units_are_amortised_at_the_price_their_period_was_bought_at() {
    // The price changes from 1 to 3 on Feb 1: February's period is bought
    // at 3, so its one drawn unit costs 3.00 and its nine unused 27.00.
    let work = common::Workdir::new();
    let plan = work.write(
        "plan.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 3\n[[allowance]]\nname = \"quota\"\nunits = 10\nunit_price = 1\n[[allowance.price_change]]\nat = 2024-02-01T00:00:00Z\nunit_price = 3\n",
    );
    let log = work.write(
        "log.csv",
        "timestamp,image,status\n2024-02-05T00:00:00Z,a,success\n",
    );
    let rows = focus(
        &["--plan", &plan, "--log", &log, "--as-of", "2024-03-10"],
        &["--month", "2024-02"],
    );
    let status = |wanted: &str| -> Vec<&Row> {
        rows.iter()
            .filter(|row| row["CommitmentDiscountStatus"] == wanted)
            .collect()
    };
    let (used, unused) = (status("Used"), status("Unused"));
    assert_eq!((used.len(), unused.len()), (1, 1), "{rows:?}");
    assert_eq!(dec(&used[0]["EffectiveCost"]), Decimal::from(3));
    assert_eq!(dec(&used[0]["ListUnitPrice"]), Decimal::from(3));
    assert_eq!(dec(&unused[0]["EffectiveCost"]), Decimal::from(27));
}

/// Top-ups bought after a price change (0.50 to 0.16666667): units are
/// drawn from the period's own units first, then from each top-up, each
/// at the price it was bought at. Before, every drawn unit cost 0.50, and
/// the unused units took a negative -0.33 to make the purchase add up.
#[test]
fn units_drawn_from_a_top_up_cost_what_the_top_up_did() {
    let work = common::Workdir::new();
    let plan = work.write(
        "plan.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-01-01T00:00:00Z\nmonths = 2\n\
         [[allowance]]\nname = \"q\"\nunits = 3\nunit_price = 0.5\n\
         [[allowance.price_change]]\nat = 2024-01-10T00:00:00Z\nunit_price = 0.16666667\n\
         [[topup]]\nallowance = \"q\"\nat = 2024-01-20T00:00:00Z\nunits = 3\n\
         [[topup]]\nallowance = \"q\"\nat = 2024-01-25T00:00:00Z\nunits = 1\n",
    );
    let mut log = String::from("timestamp,image\n");
    for (day, image) in [2, 5, 8, 11, 14, 17, 20, 23].iter().zip(0..) {
        log += &format!("2024-01-{day:02}T00:00:00Z,i{image}\n");
    }
    let log = work.write("log.csv", log);
    let rows = focus(
        &["--plan", &plan, "--log", &log, "--as-of", "2024-03-05"],
        &["--month", "2024-01"],
    );
    let status = |wanted: &str| -> Vec<String> {
        rows.iter()
            .filter(|row| row["CommitmentDiscountStatus"] == wanted)
            .map(|row| row["EffectiveCost"].clone())
            .collect()
    };
    // Three units at 0.50, then two of the first top-up's three: 0.83
    // for five units at 0.16666667, less 0.50 for the three before.
    assert_eq!(status("Used"), ["0.50", "0.50", "0.50", "0.17", "0.16"]);
    assert_eq!(status("Unused"), ["0.34"]);
    let purchases = rows
        .iter()
        .filter(|row| row["ChargeCategory"] == "Purchase");
    assert_eq!(sum(purchases, "BilledCost"), dec("2.17"));
    assert_eq!(sum(&rows, "EffectiveCost"), dec("2.17"));
}

#[test]
fn each_overage_tier_is_a_price_of_its_own() {
    // Graduated tiers: the first 2 units of the month at 1.00, the rest at
    // 0.50; five scans make a tier-1 row (2.00) and a tier-2 row (1.50).
    let work = common::Workdir::new();
    let plan = work.write(
        "plan.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\nmonths = 3\n[overage]\npolicy = \"bill\"\nperiod = \"calendar-month\"\n[[overage.tier]]\nup_to = 2\nunit_price = 1\n[[overage.tier]]\nunit_price = 0.5\n",
    );
    let log = work.write(
        "log.csv",
        "timestamp,image\n2024-03-02T00:00:00Z,a\n2024-03-03T00:00:00Z,b\n2024-03-04T00:00:00Z,c\n2024-03-05T00:00:00Z,d\n2024-03-06T00:00:00Z,e\n",
    );
    let base = [
        "--plan",
        plan.as_str(),
        "--log",
        log.as_str(),
        "--as-of",
        "2024-04-10",
    ];
    let rows = focus(&base, &[]);
    let overage: Vec<(&str, &str, Decimal)> = rows
        .iter()
        .filter(|row| row["SkuId"] == "overage")
        .map(|row| {
            (
                row["SkuPriceId"].as_str(),
                row["ChargeDescription"].as_str(),
                dec(&row["BilledCost"]),
            )
        })
        .collect();
    assert_eq!(
        overage,
        vec![
            (
                "overage#tier1@1",
                "overage (tier 1): 2 Scan Units",
                Decimal::from(2)
            ),
            (
                "overage#tier2@0.5",
                "overage (tier 2): 3 Scan Units",
                Decimal::new(150, 2)
            ),
        ]
    );
    assert_eq!(sum(&rows, "BilledCost"), posted_total(&base, &[]));
}

#[test]
fn decimals_have_a_fraction_and_times_are_utc() {
    let rows = focus(TCSS, &[]);
    let decimals = [
        "BilledCost",
        "EffectiveCost",
        "ListCost",
        "ContractedCost",
        "ListUnitPrice",
        "ContractedUnitPrice",
        "PricingQuantity",
        "ConsumedQuantity",
        "CommitmentDiscountQuantity",
    ];
    let times = [
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
    ];
    for row in &rows {
        for column in decimals {
            let cell = &row[column];
            assert!(
                cell.is_empty() || (cell.contains('.') && Decimal::from_str(cell).is_ok()),
                "{column} = `{cell}`"
            );
        }
        for column in times {
            let cell = &row[column];
            assert!(
                chrono::DateTime::parse_from_rfc3339(cell).is_ok() && cell.ends_with('Z'),
                "{column} = `{cell}`"
            );
        }
        assert!(row["InvoiceId"].is_empty());
        assert_eq!(row["ProviderName"], "Tencent Cloud");
        assert_eq!(row["ServiceName"], "Tencent Container Security Service");
    }
    // Times are UTC whatever zone the views show.
    assert_eq!(
        invoice(TCSS, &[], "focus").0,
        invoice(TCSS, &["--display-zone", "Europe/Berlin"], "focus").0
    );
    // And the April billing period is April in Shanghai, in UTC.
    assert!(
        rows.iter()
            .any(|r| r["BillingPeriodStart"] == "2024-03-31T16:00:00Z"
                && r["BillingPeriodEnd"] == "2024-04-30T16:00:00Z")
    );
}

#[test]
fn by_groups_tag_usage_rows_only() {
    let rows = focus(
        &[
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            "fixtures/teams.csv",
            "--as-of",
            "2024-05-20",
        ],
        &["--by", "team"],
    );
    let tagged: Vec<&Row> = rows.iter().filter(|r| !r["Tags"].is_empty()).collect();
    assert!(!tagged.is_empty());
    for row in &tagged {
        assert_eq!(row["x_Kind"], "drawn");
        let tags: serde_json::Value = serde_json::from_str(&row["Tags"]).unwrap();
        assert_eq!(tags["team"], row["SubAccountName"].as_str());
        assert_eq!(
            row["SubAccountId"],
            format!("acme/{}", row["SubAccountName"])
        );
    }
    for row in rows.iter().filter(|r| r["ChargeCategory"] == "Purchase") {
        assert!(row["SubAccountId"].is_empty() && row["Tags"].is_empty());
    }
    // Grouped or not, the amortised costs are the same per period.
    let plain = focus(
        &[
            "--plan",
            "fixtures/tcss-cny-topup.toml",
            "--log",
            "fixtures/teams.csv",
            "--as-of",
            "2024-05-20",
        ],
        &[],
    );
    assert_eq!(
        sum(&rows, "EffectiveCost"),
        sum(&plain, "EffectiveCost"),
        "--by splits the days' draws, never the total"
    );
    assert_eq!(
        sum(&rows, "PricingQuantity"),
        sum(&plain, "PricingQuantity")
    );
    // And day by day: each group's draws land on the day they were drawn.
    let units_per_day = |rows: &[Row]| -> BTreeMap<(String, String), Decimal> {
        let mut days: BTreeMap<(String, String), Decimal> = BTreeMap::new();
        for row in rows.iter().filter(|r| r["x_Kind"] == "drawn") {
            let day = (
                row["CommitmentDiscountId"].clone(),
                row["ChargePeriodStart"].clone(),
            );
            *days.entry(day).or_default() += dec(&row["PricingQuantity"]);
        }
        days
    };
    let days = units_per_day(&plain);
    assert!(days.len() > 3, "the draws span several days: {days:?}");
    assert_eq!(units_per_day(&rows), days);
    // The TCSS period starts at the purchase time, 14:00 in Shanghai: its
    // first day is cut there.
    assert!(plain.iter().any(|r| r["x_Kind"] == "drawn"
        && r["ChargePeriodStart"] == "2024-03-15T06:00:00Z"
        && r["ChargePeriodEnd"] == "2024-03-15T16:00:00Z"));
}

#[test]
fn unpriced_overage_is_left_out_and_named_on_stderr() {
    let base: &[&str] = &[
        "--plan",
        "fixtures/hss-payg.toml",
        "--log",
        "fixtures/hss.csv",
        "--as-of",
        "2024-05-10",
    ];
    let (text, stderr) = invoice(base, &[], "focus");
    let rows = focus_rows(&text);
    assert!(!rows.iter().any(|r| r["x_Kind"] == "overage"));
    assert!(
        stderr.contains("1 overage units have no price") && stderr.contains("account default"),
        "{stderr}"
    );
    // March's rows carry the month's unpriced units; April's none.
    // (March in Shanghai starts 2024-02-29T16:00:00Z.)
    let month = |start: &str| -> Vec<&Row> {
        rows.iter()
            .filter(|r| r["BillingPeriodStart"] == start)
            .collect()
    };
    let march = month("2024-02-29T16:00:00Z");
    let april = month("2024-03-31T16:00:00Z");
    assert!(!march.is_empty() && !april.is_empty());
    assert!(march.iter().all(|r| r["x_UnpricedOverageUnits"] == "1.0"));
    assert!(april.iter().all(|r| r["x_UnpricedOverageUnits"].is_empty()));
    // Nothing is billed, and no cost is written as a made-up zero price.
    assert_eq!(sum(&rows, "BilledCost"), Decimal::ZERO);
    // March's own file bills none of it (it posts on 1 April) but its rows
    // say the cycle has unpriced units; April's file names them.
    let (text, stderr) = invoice(base, &["--month", "2024-03"], "focus");
    assert!(!stderr.contains("no price"), "{stderr}");
    let march = focus_rows(&text);
    assert!(!march.is_empty());
    assert!(march.iter().all(|r| r["x_UnpricedOverageUnits"] == "1.0"));
    let (_, stderr) = invoice(base, &["--month", "2024-04"], "focus");
    assert!(stderr.contains("1 overage units have no price"), "{stderr}");
}

#[test]
fn user_text_cells_are_guarded_against_formulas() {
    let work = Workdir::new();
    let plan = work.write(
        "plan.toml",
        "currency = \"USD\"\n[subscription]\nstart = 2024-03-01T00:00:00Z\n\
         [[allowance]]\nname = \"@quota\"\nunits = 10\nunit_price = 0.5\n\
         [[fee]]\nname = \"=HYPERLINK()\"\nquantity = 1\nunit_price = 2\n",
    );
    let log = work.write(
        "log.csv",
        "timestamp,account,team,image\n\
         2024-03-02T10:00:00Z,=cmd,+team,img-1\n\
         2024-03-03T10:00:00Z,=cmd,-team,img-2\n",
    );
    let (text, _) = invoice(
        &["--plan", &plan, "--log", &log, "--as-of", "2024-04-10"],
        &["--by", "team"],
        "focus",
    );
    for cell in text.split([',', '\n']) {
        let cell = cell.trim_matches('"');
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "unguarded cell `{cell}` in\n{text}"
        );
    }
    let rows = focus_rows(&text);
    assert!(rows.iter().all(|r| r["BillingAccountId"] == "'=cmd"));
    assert!(rows.iter().any(|r| r["x_Group"] == "'+team"));
    assert!(rows.iter().any(|r| r["SkuId"] == "fee:=HYPERLINK()"));
    assert!(rows.iter().any(|r| r["SkuId"] == "allowance:@quota"));
}

#[test]
fn focus_is_an_invoice_format_only() {
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        "fixtures/tcss-cny-topup.toml",
        "--log",
        "fixtures/tcss-cny.csv",
        "--format",
        "focus",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("focus"), "{stderr}");
}

#[test]
fn provider_keys_are_checked() {
    let work = Workdir::new();
    for (provider, needle) in [
        ("[provider]\nnmae = \"x\"\n", "provider.nmae"),
        ("[provider]\nname = \"  \"\n", "provider.name"),
        ("[provider]\nservice = 3\n", "provider.service"),
    ] {
        let plan = work.write(
            "plan.toml",
            format!("[subscription]\nstart = 2024-03-01T00:00:00Z\n{provider}"),
        );
        let (code, stdout, stderr) = run(&["plan", "check", &plan]);
        assert_eq!(code, 2, "{provider}");
        assert!(stdout.is_empty());
        assert!(
            stderr.starts_with("scanquota: error: ") && stderr.contains(needle),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let plan = work.write(
        "plan.toml",
        "[subscription]\nstart = 2024-03-01T00:00:00Z\n[provider]\nname = \"Acme\"\nservice = \"Scans\"\n",
    );
    let (code, stdout, stderr) = run(&["plan", "check", &plan]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Acme") || stderr.is_empty());
}

#[test]
fn a_small_focus_file_is_pinned() {
    let (text, _) = invoice(
        &[
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--log",
            "fixtures/tcss-worked-example.csv",
            "--as-of",
            "2024-03-18",
        ],
        &[],
        "focus",
    );
    insta::assert_snapshot!("tcss_worked_focus", text);
}
