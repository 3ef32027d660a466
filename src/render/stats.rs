//! The HSS statistics as a table.

use crate::model::stats::HssStatistics;
use comfy_table::{CellAlignment, ContentArrangement, Table};

pub(crate) fn table(stats: &HssStatistics) -> String {
    let mut scans = Table::new();
    scans
        .load_style(super::table::STYLE)
        .set_content_arrangement(ContentArrangement::Disabled);
    for (label, value) in [
        ("repository_scan_num", stats.repository_scan_num.to_string()),
        ("cicd_scan_num", stats.cicd_scan_num.to_string()),
        ("free_quota_num", stats.free_quota_num.to_string()),
        ("already_given", stats.already_given.to_string()),
        ("image_free_quota", stats.image_free_quota.to_string()),
    ] {
        scans.add_row(vec![label.to_string(), value]);
    }
    let mut images = Table::new();
    images
        .load_style(super::table::STYLE)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(["images", "local", "registriy", "cicd"]);
    for (label, counts) in [
        ("high_risk", stats.high_risk),
        ("has_risk", stats.has_risk),
        ("total", stats.total),
        ("unscan", stats.unscan),
    ] {
        images.add_row(vec![
            label.to_string(),
            counts.local.to_string(),
            counts.registriy.to_string(),
            counts.cicd.to_string(),
        ]);
    }
    for index in 1..4 {
        if let Some(column) = images.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    super::table::trim_line_ends(&format!("{scans}\n{images}\n"))
}
