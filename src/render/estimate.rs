//! Purchase recommendations as tables, one per currency, cheapest first:
//! per plan each account's purchase and cost, and the accounts' sum.

use super::layout::{Block, Grid};
use crate::model::estimate::{Estimate, Recommendation, SizeFor};

pub(crate) fn table(estimate: &Estimate, width: u16) -> String {
    let mut blocks = Vec::new();
    if let Some(size_for) = estimate.size_for {
        blocks.push(Block::Text(format!(
            "Each account sized on its own for its {} closed cycle; demand in units per cycle.",
            match size_for {
                SizeFor::Peak => "busiest",
                SizeFor::Mean => "average",
            }
        )));
    }
    let observed = estimate.size_for.is_some();
    let cost_months = format!("Cost/{} cycles", estimate.months);
    let mut header = vec!["Account", "Demand"];
    if observed {
        header.extend(["Peak", "Mean"]);
    }
    header.extend([
        "Buy",
        "Unused",
        "Overage",
        "Denied",
        "Cost/cycle",
        cost_months.as_str(),
    ]);
    for group in &estimate.currencies {
        blocks.push(Block::Heading(format!(
            "Plans priced in {}, cheapest first",
            group.currency
        )));
        for plan in &group.plans {
            blocks.push(Block::Text(if plan.plan.is_empty() {
                "(unnamed plan)".to_string()
            } else {
                plan.plan.clone()
            }));
            let mut grid = Grid {
                header: header.iter().map(|h| h.to_string()).collect(),
                show_header: true,
                right_from: 1,
                rows: Vec::new(),
                totals_from: None,
            };
            for account in &plan.accounts {
                grid.rows.push(row(account, observed));
            }
            if plan.accounts.len() > 1 {
                let mut total = vec!["Total".to_string(), String::new()];
                if observed {
                    total.extend([String::new(), String::new()]);
                }
                total.extend([
                    String::new(),
                    String::new(),
                    plan.overage_per_cycle.to_string(),
                    plan.denied_per_cycle.to_string(),
                    plan.cost_per_cycle.to_string(),
                    plan.cost_over_months.to_string(),
                ]);
                grid.totals_from = Some(grid.rows.len());
                grid.rows.push(total);
            }
            blocks.push(Block::Grid(grid));
        }
        if group.plans.len() > 1 && group.plans.iter().any(|p| !p.denied_per_cycle.is_zero()) {
            blocks.push(Block::Text(
                "Plans that deny part of the demand come after those that cover it: their cost buys only what they admit."
                    .to_string(),
            ));
        }
        if group.plans.iter().any(|p| p.unpriced_overage) {
            blocks.push(Block::Text(
                "Plans with unpriced overage come last: their cost excludes that overage."
                    .to_string(),
            ));
        }
    }
    super::table::draw(&blocks, width)
}

fn row(account: &Recommendation, observed: bool) -> Vec<String> {
    let buy = match (&account.allowance, account.purchase) {
        (Some(name), Some(units)) => format!("{units} {name}"),
        _ => "-".to_string(),
    };
    let overage = if account.unpriced_overage {
        format!("{} (unpriced)", account.overage_per_cycle)
    } else {
        account.overage_per_cycle.to_string()
    };
    let mut cells = vec![
        account.account.clone().unwrap_or_else(|| "-".to_string()),
        account.demand_units.to_string(),
    ];
    if observed {
        let (peak, mean) = account
            .observed
            .as_ref()
            .map_or((String::new(), String::new()), |seen| {
                (seen.peak_units.to_string(), seen.mean_units.to_string())
            });
        cells.extend([peak, mean]);
    }
    cells.extend([
        buy,
        account.unused_per_cycle.to_string(),
        overage,
        account.denied_per_cycle.to_string(),
        account.cost_per_cycle.to_string(),
        account.cost_over_months.to_string(),
    ]);
    cells
}
