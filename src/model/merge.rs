//! Combining JSON reports of disjoint account partitions (a log metered in
//! pieces, e.g. one file per account group) into one report.

use crate::domain::error::{Error, Location, Result};
use crate::domain::values::Money;
use crate::engine::charges::ChargeKind;
use crate::model::report::{REPORT_SCHEMA, Report, Totals, WindowCharges};

/// Read one `scanquota.report.v1` JSON file; with it, a note for stderr
/// naming the keys it holds that a report has not (left out of the merged
/// report: a newer scanquota's, or added by hand), or nothing.
pub(crate) fn read_report(path: &str) -> Result<(Report, String)> {
    let bytes = crate::domain::limits::read_whole(
        path,
        crate::domain::limits::MAX_REPORT_BYTES,
        "a scanquota report",
    )?;
    let mut unknown: Vec<String> = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    let read = serde_ignored::deserialize(&mut deserializer, |key| {
        unknown.push(key.to_string());
    })
    .and_then(|report: Report| deserializer.end().map(|()| report));
    let mut report = read.map_err(|err| {
        Error::input(
            Location::file(path).line(err.line() as u64).column(err.column() as u64),
            format!("is not a scanquota report ({err}); give the output of `scanquota report --format json`"),
        )
    })?;
    if report.schema != REPORT_SCHEMA {
        return Err(Error::input(
            Location::file(path).key("schema"),
            format!(
                "`{}` is not {REPORT_SCHEMA}; give single-plan reports",
                report.schema
            ),
        ));
    }
    let window = report.window;
    for (index, account) in report.accounts.iter_mut().enumerate() {
        // Refused as in a log: every view prints the name.
        if crate::domain::text::has_hidden(&account.account) {
            return Err(Error::input(
                Location::file(path).key(format!("accounts[{index}].account")),
                format!(
                    "`{}` {}",
                    crate::domain::text::shown(&account.account),
                    crate::domain::text::HIDDEN_IN_ACCOUNT
                ),
            ));
        }
        refuse_unbalanced_charges(path, index, account, report.decimals)?;
        refuse_other_money(path, index, account, report.decimals)?;
        refuse_window_or_later_lines_edited(
            path,
            index,
            account,
            window.as_ref(),
            report.decimals,
        )?;
        account.rebuild_bases();
        refuse_lines_of_no_period(path, index, account)?;
    }
    if let Some((key, problem)) = report.unbalanced() {
        return Err(Error::input(
            Location::file(path).key(key),
            format!("{problem}; give the report as scanquota wrote it"),
        ));
    }
    let note = match unknown.len() {
        0 => String::new(),
        count => {
            let shown: Vec<String> = unknown
                .iter()
                .take(5)
                .map(|key| format!("`{}`", crate::domain::text::shown(key)))
                .collect();
            let more = if count > 5 {
                format!(" and {} more", count - 5)
            } else {
                String::new()
            };
            format!(
                "scanquota: {}: {count} key(s) no scanquota report has are left out of the merged report: {}{more}\n",
                crate::domain::text::shown(path),
                shown.join(", ")
            )
        }
    };
    Ok((report, note))
}

/// A report's money is taken as written, so it is held to what `report`
/// writes: each line's amount at the report's decimals and not negative,
/// and the account's total the sum of its lines. A report edited by hand
/// (or damaged) is refused, naming the key, not merged into a total that
/// its own lines contradict.
fn refuse_unbalanced_charges(
    path: &str,
    index: usize,
    account: &crate::model::report::AccountReport,
    decimals: u32,
) -> Result<()> {
    let key = |rest: &str| format!("accounts[{index}].charges.{rest}");
    let mut sum = Money::zero(decimals);
    for (line_index, line) in account.charges.lines.iter().enumerate() {
        let amount = line.amount;
        let problem = line_amount_problem(amount, decimals);
        if let Some(problem) = problem {
            return Err(Error::input(
                Location::file(path).key(key(&format!("lines[{line_index}].amount"))),
                format!("`{amount}` {problem}; give the report as scanquota wrote it"),
            ));
        }
        sum = sum.exact_add(amount).ok_or_else(|| {
            Error::input(
                Location::file(path).key(key("lines")),
                "sum beyond a decimal's range; give the report as scanquota wrote it",
            )
        })?;
    }
    let total = account.charges.total;
    if sum != total || total.to_string() != sum.to_string() {
        return Err(Error::input(
            Location::file(path).key(key("total")),
            format!(
                "`{}` is not the sum of the account's lines ({sum}); give the report as scanquota wrote it",
                account.charges.total
            ),
        ));
    }
    Ok(())
}

/// An account's window lines are what `report` takes from its charge lines
/// (those posted in the window and those accrued), with their sums; and the
/// lines still to come are amounts at the report's decimals, not negative,
/// as its charge lines. A report edited by hand there would print a window
/// bill, or a projection, its own lines contradict.
fn refuse_window_or_later_lines_edited(
    path: &str,
    index: usize,
    account: &crate::model::report::AccountReport,
    window: Option<&crate::model::report::WindowReport>,
    decimals: u32,
) -> Result<()> {
    let refuse = |key: String, problem: String| Err(edited(path, index, &key, &problem));
    for (line_index, line) in account.charges.still_to_come.iter().enumerate() {
        let amount = line.amount;
        let problem = line_amount_problem(amount, decimals);
        if let Some(problem) = problem {
            return refuse(
                format!("charges.still_to_come[{line_index}].amount"),
                format!("`{amount}` {problem}"),
            );
        }
    }
    match (window, &account.window_charges) {
        (None, None) => Ok(()),
        (None, Some(_)) => refuse(
            "window_charges".into(),
            "are a window's lines in a report without a window".into(),
        ),
        (Some(_), None) => refuse(
            "window_charges".into(),
            "are missing from a report with a window".into(),
        ),
        (Some(window), Some(written)) => {
            // Compared as written: a decimal's equality ignores its places
            // (`18.0` equals `18.00`), and the report's are part of it.
            let expected = WindowCharges::of(&account.charges.lines, window, decimals);
            if json(&expected) == json(written) {
                Ok(())
            } else {
                refuse(
                    "window_charges".into(),
                    format!(
                        "are not the lines of charges.lines posted from {} to {} or accrued (posted {}, accrued {}, {} lines)",
                        window.from,
                        window.to,
                        expected.posted,
                        expected.accrued,
                        expected.lines.len()
                    ),
                )
            }
        }
    }
}

/// Every charge line belongs to what it charges for, as `report` writes
/// it: an allowance or top-up line to a period of the allowance its item
/// names (listed, or one still to come), a fee to a cycle. A line edited to
/// another `period_start` or item belongs to none, and the CSV view, which
/// sums each period's lines into its `allowance_charge`, would leave it out.
fn refuse_lines_of_no_period(
    path: &str,
    index: usize,
    account: &crate::model::report::AccountReport,
) -> Result<()> {
    let lines = (account.charges.lines.iter().enumerate())
        .map(|(l, line)| ("lines", l, line))
        .chain(
            (account.charges.still_to_come.iter().enumerate())
                .map(|(l, line)| ("still_to_come", l, line)),
        );
    for (list, l, line) in lines {
        if line.basis.is_some() {
            continue;
        }
        let item = crate::domain::text::shown(&line.item);
        let named = line.item.split_once(':').map(|(_, name)| name);
        let problem = match named {
            _ if matches!(line.kind, ChargeKind::Allowance | ChargeKind::Topup)
                && !named.is_some_and(|name| account.allowances.iter().any(|a| a.name == name)) =>
            {
                return Err(edited(
                    path,
                    index,
                    &format!("charges.{list}[{l}].item"),
                    &format!("`{item}` names no allowance of the account"),
                ));
            }
            _ if line.kind == ChargeKind::Fee => "in none of the account's cycles",
            _ => "in none of the periods of the allowance it names",
        };
        return Err(edited(
            path,
            index,
            &format!("charges.{list}[{l}].period_start"),
            &format!("`{}` of the line `{item}` is {problem}", line.period_start),
        ));
    }
    Ok(())
}

/// The error for key `key` (under `accounts[index]`) of the report at
/// `path`, which no report holds as written: it was edited or damaged.
fn edited(path: &str, index: usize, key: &str, problem: &str) -> Error {
    Error::input(
        Location::file(path).key(format!("accounts[{index}].{key}")),
        format!("{problem}; give the report as scanquota wrote it"),
    )
}

/// What is wrong with a charge line's `amount`, if anything: not at the
/// report's `decimals`, or negative.
fn line_amount_problem(amount: Money, decimals: u32) -> Option<String> {
    off_decimals(amount, decimals).or_else(|| {
        (amount < Money::zero(decimals)).then(|| "is negative, which no charge line is".to_string())
    })
}

/// What is wrong with `amount` if it is not written at the report's
/// `decimals`, as every amount scanquota writes is.
fn off_decimals(amount: Money, decimals: u32) -> Option<String> {
    (amount.value().scale() != decimals)
        .then(|| format!("is not an amount with the report's {decimals} decimals"))
}

/// The account's other money (its projection and its `--by` allocation)
/// is shown as taken, so it is held to the same: at the report's decimals,
/// and an allocation's parts adding up to its total, which is the
/// account's.
fn refuse_other_money(
    path: &str,
    index: usize,
    account: &crate::model::report::AccountReport,
    decimals: u32,
) -> Result<()> {
    let refuse = |key: String, problem: String| Err(edited(path, index, &key, &problem));
    let mut amounts: Vec<(String, Money)> = Vec::new();
    if let Some(projection) = &account.projection {
        amounts.push((
            "projection.projected_cycle_charges".into(),
            projection.projected_cycle_charges,
        ));
    }
    if let Some(allocation) = &account.allocation {
        for (g, group) in allocation.groups.iter().enumerate() {
            amounts.push((format!("allocation.groups[{g}].charges"), group.charges));
        }
        amounts.push(("allocation.unused".into(), allocation.unused));
        amounts.push(("allocation.shared".into(), allocation.shared));
        amounts.push(("allocation.total".into(), allocation.total));
        for (c, cycle) in allocation.cycles.iter().enumerate() {
            for (g, group) in cycle.groups.iter().enumerate() {
                amounts.push((
                    format!("allocation.cycles[{c}].groups[{g}].charges"),
                    group.charges,
                ));
            }
            amounts.push((format!("allocation.cycles[{c}].unused"), cycle.unused));
            amounts.push((format!("allocation.cycles[{c}].shared"), cycle.shared));
        }
    }
    for (key, amount) in &amounts {
        if let Some(problem) = off_decimals(*amount, decimals) {
            return refuse(key.clone(), format!("`{amount}` {problem}"));
        }
    }
    if let Some(allocation) = &account.allocation {
        let parts = allocation.groups.iter().map(|group| group.charges);
        let sum = Money::checked_sum(parts.chain([allocation.unused, allocation.shared]));
        if sum != Some(allocation.total) || allocation.total != account.charges.total {
            let sum = sum.map_or_else(|| "beyond a decimal".to_string(), |sum| sum.to_string());
            return refuse(
                "allocation.total".into(),
                format!(
                    "`{}` is not both the sum of the groups, unused and shared ({sum}) and the account's total ({})",
                    allocation.total, account.charges.total
                ),
            );
        }
    }
    Ok(())
}

/// Accounts no scanquota report holds: one listed twice (its charges would
/// be counted twice) or one with an empty name (a log's empty account is
/// `default`), so the report was edited or made by hand.
fn refuse_accounts_no_run_writes(name: &str, report: &Report) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (index, account) in report.accounts.iter().enumerate() {
        let at = || Location::file(name).key(format!("accounts[{index}].account"));
        if account.account.trim().is_empty() {
            return Err(Error::input(
                at(),
                format!(
                    "`{}` is an empty account name, which no report holds (a log's empty account is `default`); make the report again with scanquota report --format json",
                    account.account
                ),
            ));
        }
        if !seen.insert(account.account.as_str()) {
            return Err(Error::input(
                at(),
                format!(
                    "account `{}` is listed twice in this report, which no report holds; make the report again with scanquota report --format json",
                    account.account
                ),
            ));
        }
    }
    Ok(())
}

/// The `--by` column a report was made with (`Some(None)`: without `--by`),
/// as its accounts say; `None` when it has no account to say. One run
/// allocates every account by one column or none, so accounts that differ
/// were edited or put together by hand.
fn allocated_by(name: &str, report: &Report) -> Result<Option<Option<String>>> {
    let by = |index: usize| {
        let account = &report.accounts[index];
        account
            .allocation
            .as_ref()
            .map(|allocation| allocation.by.clone())
    };
    let Some(first) = (!report.accounts.is_empty()).then(|| by(0)) else {
        return Ok(None);
    };
    for index in 1..report.accounts.len() {
        let other = by(index);
        if other != first {
            return Err(Error::input(
                Location::file(name).key(format!("accounts[{index}].allocation")),
                format!(
                    "{} differs from the first account's {}, which no report holds; make the report again with scanquota report --format json",
                    allocation_shown(other.as_deref()),
                    allocation_shown(first.as_deref())
                ),
            ));
        }
    }
    Ok(Some(first))
}

/// How a report was allocated, for a message.
fn allocation_shown(by: Option<&str>) -> String {
    match by {
        Some(by) => format!("`--by {}`", crate::domain::text::shown(by)),
        None => "no `--by`".to_string(),
    }
}

/// A header value as JSON text, to compare and to name in a message.
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Whether `report` is a report of no scans at all: a report of an empty
/// log shows the account `default` with the plan's charges (fees, prepaid
/// periods), no row behind it. Any row of a log counts in one of an
/// account's scan counters, and an account of `--cores` samples only has
/// cores lines.
fn shows_only_the_account_of_no_scans(report: &Report) -> bool {
    match report.accounts.as_slice() {
        [account] => {
            account.account == "default"
                && account.scans == crate::engine::meter::Counters::default()
                && !account
                    .charges
                    .lines
                    .iter()
                    .any(|line| line.kind == crate::engine::charges::ChargeKind::Cores)
        }
        _ => false,
    }
}

/// The note for a report of an empty partition left out of the merge.
fn no_scans_note(name: &str) -> String {
    format!(
        "scanquota: {}: a report of no scans; its account `default` (which a report of an empty log shows) is left out of the merged report\n",
        crate::domain::text::shown(name)
    )
}

/// Concatenate the accounts of reports of the same plan and as-of, and
/// recompute the totals, with notes for stderr. Refuses differing plans,
/// as-of or currencies, and an account that appears in two reports
/// (partitions must be disjoint). The account `default` of a report of no
/// scans (an empty partition) is left out, with a note, unless every report
/// is one: the report of the whole log has it only when the log is empty.
pub(crate) fn merge(named: Vec<(String, Report)>) -> Result<(Report, String)> {
    let any_scans = named
        .iter()
        .any(|(_, report)| !shows_only_the_account_of_no_scans(report));
    let mut notes = String::new();
    let mut named = named.into_iter();
    let Some((first_name, mut merged)) = named.next() else {
        return Err(Error::Usage("give at least one report to merge".into()));
    };
    refuse_accounts_no_run_writes(&first_name, &merged)?;
    let left_out = any_scans && shows_only_the_account_of_no_scans(&merged);
    // The first report with an account to say how it was allocated.
    let mut allocated = allocated_by(&first_name, &merged)?.map(|by| (first_name.clone(), by));
    if left_out {
        // Its header is still compared with the others' below.
        merged.accounts.clear();
        notes += &no_scans_note(&first_name);
    }
    for (name, report) in named {
        refuse_accounts_no_run_writes(&name, &report)?;
        // A report allocated by another column (or not at all) would leave
        // the merged report's accounts split by two keys, and its CSV
        // (which lists the allocation when any account has one) without
        // the others.
        match (allocated_by(&name, &report)?, &allocated) {
            (Some(theirs), Some((first, ours))) if theirs != *ours => {
                return Err(Error::input(
                    Location::file(&name).key("accounts[0].allocation"),
                    format!(
                        "made with {} differs from {first}, made with {}; make every report with one --by, or every report without it",
                        allocation_shown(theirs.as_deref()),
                        allocation_shown(ours.as_deref())
                    ),
                ));
            }
            (Some(theirs), None) => allocated = Some((name.clone(), theirs)),
            _ => {}
        }
        // Every figure the header holds comes from the plan and the run: a
        // report whose header differs is another plan's (or was edited).
        // The zone before the instants: a report shown in another zone
        // (`--display-zone`) prints its as-of and window in it, and the fix
        // is one zone, not one --as-of.
        let header = |report: &Report| -> Vec<(&'static str, String)> {
            vec![
                ("schema", report.schema.clone()),
                ("plan", report.plan.clone()),
                ("plan_digest", json(&report.plan_digest)),
                ("timezone", report.timezone.clone()),
                ("as_of", report.as_of.to_string()),
                ("window", json(&report.window)),
                ("currency", report.currency.clone()),
                ("decimals", report.decimals.to_string()),
                ("unit_places", report.unit_places.to_string()),
                ("overage_policy", json(&report.overage_policy)),
                ("overage_unit_price", json(&report.overage_unit_price)),
                ("bills_cores", report.bills_cores.to_string()),
                ("changes", json(&report.changes)),
            ]
        };
        for ((what, ours), (_, theirs)) in header(&merged).into_iter().zip(header(&report)) {
            if ours != theirs {
                let fix = match what {
                    "plan_digest" if ours == "null" || theirs == "null" => {
                        "one report was written by a scanquota from before reports named their plan by a digest: make every report with this version"
                    }
                    "as_of" => "make every report with one --as-of",
                    "window" => "make every report with one --month, or one --from and --to",
                    "timezone" => "make every report with one plan and one --display-zone",
                    "bills_cores" => {
                        "make every report with --cores (its partition of the samples), or every report without it"
                    }
                    // A plan without `start` starts at each partition's first scan.
                    _ => {
                        "make every report with one plan file and, for a plan without `start`, one --start"
                    }
                };
                return Err(Error::input(
                    Location::file(&name).key(what),
                    format!("`{theirs}` differs from `{ours}` in {first_name}; {fix}"),
                ));
            }
        }
        if shows_only_the_account_of_no_scans(&report) {
            // With only such reports, the first one's account stands for
            // them all, as in the report of the empty logs together.
            if any_scans {
                notes += &no_scans_note(&name);
            }
            continue;
        }
        for account in report.accounts {
            if merged.accounts.iter().any(|a| a.account == account.account) {
                return Err(Error::input(
                    Location::file(&name).key("accounts"),
                    format!(
                        "account `{}` is also in another report; partition the log by account so each account is metered once",
                        account.account
                    ),
                ));
            }
            merged.accounts.push(account);
        }
    }
    merged.accounts.sort_by(|a, b| a.account.cmp(&b.account));
    merged.totals = Totals::of(
        &merged.accounts,
        merged.decimals,
        "merge fewer reports at a time",
    )?;
    Ok((merged, notes))
}
