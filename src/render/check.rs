//! Check results: stable lines, JSON, or Markdown.

use crate::model::check::CheckResult;

pub fn text(results: &[CheckResult]) -> String {
    results.iter().map(|r| r.line() + "\n").collect()
}

pub fn json(results: &[CheckResult]) -> String {
    super::json::pretty(results)
}

pub fn markdown(results: &[CheckResult]) -> String {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                r.status.to_string(),
                r.account.clone(),
                r.check.clone(),
                r.value.clone(),
                r.limit.clone(),
            ]
        })
        .collect();
    super::markdown::table(&["Status", "Account", "Check", "Value", "Limit"], 3, &rows)
}
