//! The HTML page, parsed as HTML (not with regexes): every money figure,
//! period row and charge line of the JSON is on it, the charts carry text
//! alternatives, and nothing points outside the file.

mod common;

use common::output;
use scanquota::model::report::Report;
use scraper::{Html, Selector};

const CASES: &[&[&str]] = common::FIXTURE_RUNS;

fn selector(text: &str) -> Selector {
    Selector::parse(text).unwrap()
}

/// Every table row of the page, as the text of its cells.
fn rows(page: &Html) -> Vec<Vec<String>> {
    page.select(&selector("tr"))
        .map(|row| {
            row.select(&selector("td, th"))
                .map(|cell| cell.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect()
}

fn has_row(rows: &[Vec<String>], cells: &[String]) -> bool {
    rows.iter()
        .any(|row| cells.iter().all(|cell| row.contains(cell)))
}

#[test]
fn every_figure_of_the_json_is_on_the_page() {
    for args in CASES {
        let page = Html::parse_document(&output("report", args, "html"));
        let report: Report = serde_json::from_str(&output("report", args, "json")).unwrap();
        let rows = rows(&page);
        for account in &report.accounts {
            for line in &account.charges.lines {
                // The open cycle's overage is marked as accrued (§13).
                let item = match line.state {
                    scanquota::engine::charges::ChargeState::Posted => line.item.clone(),
                    scanquota::engine::charges::ChargeState::Accrued => {
                        format!("{} (accrued)", line.item)
                    }
                    scanquota::engine::charges::ChargeState::StillToCome => {
                        format!("{} (still to come)", line.item)
                    }
                };
                let cells = [item, line.period_start.short(), line.amount.to_string()];
                assert!(
                    has_row(&rows, &cells),
                    "{args:?}: charge line {cells:?} missing"
                );
            }
            assert!(has_row(
                &rows,
                &["Total".into(), account.charges.total.to_string()]
            ));
            let charges = format!("{} {}", report.currency, account.charges.total);
            assert!(
                rows.iter()
                    .any(|row| row.iter().any(|cell| cell.starts_with(&charges))),
                "{args:?}: {charges}"
            );
            for allowance in &account.allowances {
                for period in &allowance.periods {
                    let cells = [
                        period.start.short(),
                        period.end.short(),
                        period.granted.to_string(),
                        period.consumed.to_string(),
                    ];
                    assert!(has_row(&rows, &cells), "{args:?}: period {cells:?} missing");
                }
            }
            if let Some(allocation) = &account.allocation {
                for group in &allocation.groups {
                    assert!(has_row(
                        &rows,
                        &[group.group.clone(), group.charges.to_string()]
                    ));
                }
                assert!(has_row(
                    &rows,
                    &["(unused)".into(), allocation.unused.to_string()]
                ));
            }
            if let Some(projection) = &account.projection {
                let text = page.root_element().text().collect::<String>();
                assert!(text.contains(&projection.projected_cycle_charges.to_string()));
            }
        }
    }
}

#[test]
fn charts_have_text_alternatives_and_the_page_stands_alone() {
    for args in CASES {
        let html = output("report", args, "html");
        let page = Html::parse_document(&html);
        let charts: Vec<_> = page.select(&selector("svg[role=img]")).collect();
        let report: Report = serde_json::from_str(&output("report", args, "json")).unwrap();
        let allowances: usize = report.accounts.iter().map(|a| a.allowances.len()).sum();
        assert_eq!(charts.len(), allowances, "{args:?}: a chart per allowance");
        for chart in charts {
            let title = chart.select(&selector("title")).next().expect("a title");
            let desc = chart.select(&selector("desc")).next().expect("a desc");
            assert!(!title.text().collect::<String>().trim().is_empty());
            assert!(desc.text().collect::<String>().contains("units used"));
            assert!(chart.select(&selector("polyline.used")).next().is_some());
        }
        for element in page.select(&selector("*")) {
            for (name, value) in element.value().attrs() {
                assert!(
                    !matches!(name, "src" | "href" | "xlink:href" | "action" | "srcset"),
                    "{args:?}: <{} {name}=\"{value}\"> points elsewhere",
                    element.value().name()
                );
            }
        }
        assert_eq!(
            page.select(&selector("script, link, iframe, img")).count(),
            0
        );
        assert!(!html.contains("url("), "no CSS fetches");
    }
}

#[test]
fn the_invoice_page_lists_every_line_and_total() {
    let args = CASES[1];
    let page = Html::parse_document(&output("invoice", args, "html"));
    let invoice: serde_json::Value =
        serde_json::from_str(&output("invoice", args, "json")).unwrap();
    let rows = rows(&page);
    for account in invoice["accounts"].as_array().unwrap() {
        for cycle in account["cycles"].as_array().unwrap() {
            for line in cycle["lines"].as_array().unwrap() {
                let amount = line["amount"].as_str().unwrap_or("-").to_string();
                assert!(has_row(
                    &rows,
                    &[line["item"].as_str().unwrap().to_string(), amount]
                ));
            }
            assert!(has_row(
                &rows,
                &["Posted".into(), cycle["posted"].as_str().unwrap().into()]
            ));
        }
    }
    let text = page.root_element().text().collect::<String>();
    assert!(text.contains(&format!(
        "Posted CNY {}",
        invoice["posted"].as_str().unwrap()
    )));
}

#[test]
fn the_run_out_moment_is_marked_and_labelled() {
    let args = [
        "--plan",
        "fixtures/fleet.toml",
        "--log",
        "fixtures/fleet.csv",
        "--as-of",
        "2024-10-20",
        "--account",
        "gamma",
    ];
    let report: Report = serde_json::from_str(&output("report", &args, "json")).unwrap();
    let at = report.accounts[0]
        .projection
        .as_ref()
        .unwrap()
        .exhausts_at
        .expect("gamma runs out");
    let page = Html::parse_document(&output("report", &args, "html"));
    assert_eq!(page.select(&selector("line.exhausted")).count(), 1);
    let label = format!("runs out {}", at.short());
    assert!(
        page.select(&selector("svg text"))
            .any(|t| t.text().collect::<String>() == label),
        "{label}"
    );
}

#[test]
fn a_group_named_total_is_not_styled_as_a_total() {
    // Total rows are marked by the layout, not recognised by their label:
    // a `--by` group called "Total" is a group row like any other.
    let work = common::Workdir::new();
    let log = work.write(
        "log.csv",
        "timestamp,account,team,image\n2024-03-15 15:00:00,acme,Total,sha256:a\n2024-03-15 16:00:00,acme,search,sha256:b\n",
    );
    let page = output(
        "report",
        &[
            "--plan",
            "fixtures/tcss-usd-300.toml",
            "--log",
            &log,
            "--as-of",
            "2024-04-20T00:00:00+08:00",
            "--by",
            "team",
        ],
        "html",
    );
    let page = Html::parse_document(&page);
    let styled: Vec<Vec<String>> = page
        .select(&selector("tr"))
        .map(|row| {
            let total = row.value().attr("class") == Some("total");
            let cells: Vec<String> = row
                .select(&selector("td"))
                .map(|cell| cell.text().collect::<String>().trim().to_string())
                .collect();
            (total, cells)
        })
        .filter(|(_, cells)| cells.first().is_some_and(|c| c == "Total"))
        .map(|(total, mut cells)| {
            cells.insert(0, total.to_string());
            cells
        })
        .collect();
    // The group's row (its units and share filled in) is plain; the
    // allocation's and the charges' totals are styled.
    assert!(
        styled
            .iter()
            .any(|row| row[0] == "false" && row.iter().skip(2).any(|c| !c.is_empty())),
        "{styled:?}"
    );
    assert!(styled.iter().any(|row| row[0] == "true"), "{styled:?}");
}
