//! Check results: stable lines, JSON, or Markdown.

use crate::model::check::CheckResult;

pub(crate) fn text(results: &[CheckResult]) -> String {
    results.iter().map(|r| r.line() + "\n").collect()
}

pub(crate) fn json(results: &[CheckResult]) -> String {
    super::json::pretty(results)
}

pub(crate) fn markdown(results: &[CheckResult]) -> String {
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
