//! Purchase recommendations as a table, cheapest first.

use crate::estimate::Estimate;
use comfy_table::{CellAlignment, ContentArrangement, Table};

pub fn table(estimate: &Estimate) -> String {
    let months = estimate.plans.first().map_or(0, |p| p.months);
    let mut table = Table::new();
    table
        .load_style(super::table::STYLE)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header([
            "Plan".to_string(),
            "Demand".to_string(),
            "Buy".to_string(),
            "Unused/cycle".to_string(),
            "Overage/cycle".to_string(),
            "Denied/cycle".to_string(),
            "Cost/cycle".to_string(),
            format!("Cost/{months} cycles"),
        ]);
    for index in 1..8 {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    for plan in &estimate.plans {
        let buy = match (&plan.allowance, plan.purchase) {
            (Some(name), Some(units)) => format!("{units} {name}"),
            _ => "-".to_string(),
        };
        let overage = if plan.unpriced_overage {
            format!("{} (unpriced)", plan.overage_per_cycle)
        } else {
            plan.overage_per_cycle.to_string()
        };
        table.add_row(vec![
            plan.plan.clone(),
            plan.demand_units.to_string(),
            buy,
            plan.unused_per_cycle.to_string(),
            overage,
            plan.denied_per_cycle.to_string(),
            format!("{} {}", plan.currency, plan.cost_per_cycle),
            format!("{} {}", plan.currency, plan.cost_over_months),
        ]);
    }
    let mut out = format!("{table}\n");
    if estimate.plans.iter().any(|p| p.unpriced_overage) {
        out += "Plans with unpriced overage come last: their cost excludes that overage.\n";
    }
    let mut currencies: Vec<&str> = estimate.plans.iter().map(|p| p.currency.as_str()).collect();
    currencies.dedup();
    if currencies.len() > 1 {
        out += "Note: the plans are priced in different currencies; the order compares the figures as written.\n";
    }
    out
}
