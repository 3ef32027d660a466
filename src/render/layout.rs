//! One layout for the documents people read: the sections of a report, a
//! plan comparison and an invoice, laid out once as blocks of text and
//! grids. The table and Markdown exporters draw the same blocks, so they
//! carry the same sections and figures (hyperfine's `MarkupExporter`).
//! Every figure comes from the model; the layout only words and formats it.

use crate::domain::numbers::format_units;
use crate::domain::values::{Money, Units};
use crate::engine::allocation::{AllocationReport, SHARED, UNUSED};
use crate::engine::charges::{ChargeKind, ChargeState};
use crate::model::invoice::{Invoice, InvoiceLine};
use crate::model::report::{
    AccountReport, Comparison, PlanSummary, Report, WindowCharges, WindowReport, plan_heading,
};
use crate::plan::{AllowanceKind, OveragePolicy};
use rust_decimal::RoundingStrategy;

/// A piece of a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// The document's title (the plan's name).
    Title(String),
    /// A section heading.
    Heading(String),
    /// A paragraph; its lines are kept.
    Text(String),
    Grid(Grid),
    /// Where a page draws the chart of an allowance's periods (account and
    /// allowance indexes into the report); text views skip it.
    Chart {
        account: usize,
        allowance: usize,
    },
}

/// Rows under a header; columns from `right_from` on hold figures.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub(crate) header: Vec<String>,
    /// A key–value list (the summary) shows no header in a terminal table.
    pub(crate) show_header: bool,
    pub(crate) right_from: usize,
    pub(crate) rows: Vec<Vec<String>>,
    /// The first of the rows that total the ones above (a page sets them
    /// apart); `None` when the grid has none.
    pub(crate) totals_from: Option<usize>,
}

impl Grid {
    fn new(header: &[&str], right_from: usize) -> Self {
        Grid {
            header: header.iter().map(|h| h.to_string()).collect(),
            show_header: true,
            right_from,
            rows: Vec::new(),
            totals_from: None,
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// A row that totals the ones above; every row after it is one too.
    fn total(&mut self, cells: Vec<String>) {
        self.totals_from.get_or_insert(self.rows.len());
        self.rows.push(cells);
    }
}

/// The places JSON keeps for a computed quantity (a projection's units).
pub(crate) const SHOWN_UNIT_PLACES: u32 = crate::engine::projection::PROJECTED_UNIT_PLACES;

/// Units as tables show them: as computed, normalised, to at most the 4
/// places JSON keeps (or the plan's unit precision, if finer). Never rounded
/// to the plan's precision, which would show a projected 2.4 as 2.
pub(crate) fn units(value: Units, places: u32) -> String {
    format_units(value.value().round_dp_with_strategy(
        places.max(SHOWN_UNIT_PLACES),
        RoundingStrategy::MidpointAwayFromZero,
    ))
}

/// Money with its currency, and the overage units beside it that have no
/// price, so an unpriced cost never reads as a complete one.
pub(crate) fn money_with_unpriced(
    currency: &str,
    money: Money,
    unpriced: Units,
    places: u32,
) -> String {
    if unpriced.is_zero() {
        format!("{currency} {money}")
    } else {
        format!(
            "{currency} {money} + {} overage units at no published price",
            units(unpriced, places)
        )
    }
}

/// A dated change of the plan, as the report's header states it.
pub(crate) fn change_sentence(change: &crate::model::report::PlanChange) -> String {
    let mut parts = Vec::new();
    if let Some(units) = change.first_scan_units {
        parts.push(format!("first_scan_units = {units}"));
    }
    if let Some(units) = change.repeat_scan_units {
        parts.push(format!("repeat_scan_units = {units}"));
    }
    if let Some(failed) = change.count_failed {
        parts.push(format!("count_failed = {failed}"));
    }
    if let Some(price) = change.unit_price {
        parts.push(format!("unit_price = {price}"));
    }
    format!(
        "From {}, {}: {}",
        change.at.short(),
        change.item,
        parts.join(", ")
    )
}

fn plan_title(plan: &str) -> String {
    if plan.is_empty() {
        "(unnamed plan)".to_string()
    } else {
        plan.to_string()
    }
}

/// The report: per account the summary (scans not metered included), the
/// projection in words, each allowance's periods, and every charge line.
pub(crate) fn report(report: &Report) -> Vec<Block> {
    let places = report.unit_places;
    let mut blocks = vec![
        Block::Title(plan_title(&report.plan)),
        Block::Text(format!(
            "As of {} · times in {} · amounts in {}",
            report.as_of, report.timezone, report.currency
        )),
    ];
    for change in &report.changes {
        blocks.push(Block::Text(change_sentence(change)));
    }
    for (account_index, account) in report.accounts.iter().enumerate() {
        let subscription = &account.subscription;
        let end = subscription
            .end
            .map_or("open-ended".to_string(), |end| end.short());
        blocks.push(Block::Heading(format!(
            "Account {} · subscription {} ({} → {})",
            account.account,
            subscription.status.as_str(),
            subscription.start.short(),
            end
        )));
        blocks.push(Block::Grid(summary(report, account)));
        blocks.push(Block::Text(projection_sentences(report, account)));
        for (allowance_index, allowance) in account.allowances.iter().enumerate() {
            blocks.push(Block::Heading(format!(
                "Allowance {} ({}): granted {}, consumed {}, remaining {}, expired {}",
                allowance.name,
                match allowance.kind {
                    AllowanceKind::Free => "free",
                    AllowanceKind::Prepaid => "prepaid",
                },
                units(allowance.granted, places),
                units(allowance.consumed, places),
                units(allowance.remaining, places),
                units(allowance.expired, places),
            )));
            blocks.push(Block::Chart {
                account: account_index,
                allowance: allowance_index,
            });
            let mut grid = Grid::new(
                &[
                    "Period start",
                    "Period end",
                    "State",
                    "Granted",
                    "Consumed",
                    "Remaining",
                    "Expired",
                ],
                3,
            );
            for period in &allowance.periods {
                grid.row(vec![
                    period.start.short(),
                    period.end.short(),
                    state_name(period.state).to_string(),
                    units(period.granted, places),
                    units(period.consumed, places),
                    units(period.remaining, places),
                    units(period.expired, places),
                ]);
            }
            blocks.push(Block::Grid(grid));
        }
        blocks.push(Block::Heading(format!("Charges ({})", report.currency)));
        blocks.push(Block::Grid(charge_lines(report, account)));
        if let (Some(window), Some(charges)) = (&report.window, &account.window_charges) {
            blocks.extend(window_blocks(report, window, charges));
        }
        if let Some(allocation) = &account.allocation {
            blocks.extend(allocation_blocks(
                report.unit_places,
                &report.currency,
                &account.account,
                allocation,
            ));
        }
    }
    if report.accounts.len() > 1 {
        let totals = &report.totals;
        blocks.push(Block::Heading("All accounts".to_string()));
        blocks.push(Block::Text(format!(
            "Charges {}; consumed {}, remaining {}, expired {}, free used {}, free expired {}",
            money_with_unpriced(
                &report.currency,
                totals.charges,
                totals.unpriced_overage_units,
                places
            ),
            units(totals.consumed, places),
            units(totals.remaining, places),
            units(totals.expired, places),
            units(totals.free_used, places),
            units(totals.free_expired, places),
        )));
    }
    blocks
}

fn state_name(state: crate::model::report::PeriodState) -> &'static str {
    match state {
        crate::model::report::PeriodState::Closed => "closed",
        crate::model::report::PeriodState::Current => "current",
    }
}

fn summary(report: &Report, account: &AccountReport) -> Grid {
    let places = report.unit_places;
    let scans = &account.scans;
    let totals = &account.units;
    let mut grid = Grid::new(&["Figure", "Value"], 2);
    grid.show_header = false;
    let overage = if account.charges.unpriced_overage_units.is_zero() {
        units(totals.overage, places)
    } else {
        format!(
            "{} ({} unpriced)",
            units(totals.overage, places),
            units(account.charges.unpriced_overage_units, places)
        )
    };
    for (label, value) in [
        if scans.failed_metered == 0 {
            (
                "Scans metered (first / repeat)",
                format!("{} / {}", scans.first, scans.repeat),
            )
        } else {
            (
                "Scans metered (first / repeat / failed)",
                format!(
                    "{} / {} / {}",
                    scans.first, scans.repeat, scans.failed_metered
                ),
            )
        },
        (
            "Scans denied",
            format!("{} ({} units)", scans.denied, units(totals.denied, places)),
        ),
        (
            "Scans not metered",
            format!(
                "{} failed, {} duplicate, {} trial, {} outside term, {} after as-of",
                scans.failed_not_metered(),
                scans.duplicates,
                scans.trial,
                scans.uncovered,
                scans.after_as_of
            ),
        ),
        ("Units consumed", units(totals.consumed, places)),
        ("Units remaining", units(totals.remaining, places)),
        ("Units expired", units(totals.expired, places)),
        (
            "Free units used / expired",
            format!(
                "{} / {}",
                units(totals.free_used, places),
                units(totals.free_expired, places)
            ),
        ),
        ("Overage units", overage),
        (
            "Charges to date",
            money_with_unpriced(
                &report.currency,
                account.charges.total,
                account.charges.unpriced_overage_units,
                places,
            ),
        ),
    ] {
        grid.row(vec![label.to_string(), value]);
    }
    grid
}

/// The lines posted in the billing window and their total; what is
/// accrued at as-of stands apart, never in the posted total.
fn window_blocks(report: &Report, window: &WindowReport, charges: &WindowCharges) -> Vec<Block> {
    let places = report.unit_places;
    let mut grid = Grid::new(&["Item", "Posted", "Quantity", "Unit price", "Amount"], 2);
    for line in charges
        .lines
        .iter()
        .filter(|l| l.state == ChargeState::Posted)
    {
        grid.row(vec![
            super::item_label(&line.item, line.tier.as_ref()),
            line.posted_at.short(),
            quantity(line.kind, line.quantity, places),
            line.unit_price.to_string(),
            line.amount.to_string(),
        ]);
    }
    grid.total(vec![
        "Posted".to_string(),
        String::new(),
        String::new(),
        String::new(),
        charges.posted.to_string(),
    ]);
    let mut blocks = vec![
        Block::Heading(format!(
            "Charges posted {} → {} ({})",
            window.from.short(),
            window.to.short(),
            report.currency
        )),
        Block::Grid(grid),
    ];
    if !charges.accrued.is_zero() {
        blocks.push(Block::Text(format!(
            "Accrued at as-of, posted at the cycle end, not in the posted total: {} {}",
            report.currency, charges.accrued
        )));
    }
    blocks
}

/// Every charge line of every kind, and the total they add up to.
fn charge_lines(report: &Report, account: &AccountReport) -> Grid {
    let places = report.unit_places;
    let mut grid = Grid::new(
        &["Item", "Period start", "Quantity", "Unit price", "Amount"],
        2,
    );
    for line in &account.charges.lines {
        grid.row(vec![
            match line.state {
                ChargeState::Posted => super::item_label(&line.item, line.tier.as_ref()),
                // In the charges to date, posted at the end of its period.
                ChargeState::Accrued => format!(
                    "{} (accrued)",
                    super::item_label(&line.item, line.tier.as_ref())
                ),
                ChargeState::StillToCome => format!(
                    "{} (still to come)",
                    super::item_label(&line.item, line.tier.as_ref())
                ),
            },
            line.period_start.short(),
            quantity(line.kind, line.quantity, places),
            line.unit_price.to_string(),
            line.amount.to_string(),
        ]);
    }
    let unpriced = account.charges.unpriced_overage_units;
    if !unpriced.is_zero() {
        grid.row(vec![
            "overage (unpriced)".to_string(),
            String::new(),
            units(unpriced, places),
            "-".to_string(),
            "-".to_string(),
        ]);
    }
    grid.total(vec![
        "Total".to_string(),
        String::new(),
        String::new(),
        String::new(),
        account.charges.total.to_string(),
    ]);
    grid
}

/// Quantities of units at the plan's unit precision; fees and cores as written.
fn quantity(kind: ChargeKind, value: Units, places: u32) -> String {
    match kind {
        ChargeKind::Allowance | ChargeKind::Topup | ChargeKind::Overage => units(value, places),
        ChargeKind::Fee | ChargeKind::Cores => value.to_string(),
    }
}

/// The projection in words a finance reader checks at a glance; each
/// sentence is true of the model's numbers.
pub(crate) fn projection_sentences(report: &Report, account: &AccountReport) -> String {
    let places = report.unit_places;
    let Some(projection) = &account.projection else {
        let just_begun = account
            .cycles
            .last()
            .is_some_and(|cycle| cycle.start == report.as_of);
        return if just_begun {
            "The cycle has just begun: no projection yet.".to_string()
        } else {
            "No projection: as-of is not inside a subscription cycle.".to_string()
        };
    };
    let end = projection.cycle_end.short();
    let (fate, what) = match report.overage_policy {
        OveragePolicy::Deny => ("denied", "denied"),
        OveragePolicy::Bill => ("billed as overage", "billed as overage"),
    };
    let shortfall = projection.projected_shortfall;
    let outlook = if projection.exhausted {
        format!(
            "The quota is used up: at this rate {} more units will be {fate} by the cycle end ({end}).",
            units(shortfall, places)
        )
    } else if let Some(at) = projection.exhausts_at {
        format!(
            "At this rate the quota runs out on {}, and {} more units will be {what} by the cycle end ({end}).",
            at.short(),
            units(shortfall, places)
        )
    } else {
        format!(
            "No shortfall expected: at this rate the cycle uses {} units ({} so far), and the {} remaining cover the rest.",
            units(projection.projected_demand, places),
            units(projection.demand, places),
            units(projection.available, places)
        )
    };
    let cost = money_with_unpriced(
        &report.currency,
        projection.projected_cycle_charges,
        projection.projected_unpriced_overage,
        places,
    );
    let cores = if report.bills_cores {
        " (cores days still to come are not projected)"
    } else {
        ""
    };
    let later = projection.projected_overage_posting_later;
    let later = if later.is_zero() {
        String::new()
    } else {
        format!(
            "; {} units of the cycle's overage post after it, when their overage period ends",
            units(later, places)
        )
    };
    format!("{outlook}\nProjected cost of the cycle ending {end}: {cost}{cores}{later}")
}

/// Plans side by side, one column each, with what each refused or left
/// unpriced beside what it charged.
pub(crate) fn comparison(comparison: &Comparison) -> Vec<Block> {
    let headings = plan_headings(comparison);
    let mut header: Vec<&str> = vec![""];
    header.extend(headings.iter().map(String::as_str));
    let mut grid = Grid::new(&header, 1);
    let places = comparison
        .reports
        .iter()
        .map(|r| r.unit_places)
        .max()
        .unwrap_or(0);
    for (label, read) in comparison_rows() {
        let mut row = vec![label.to_string()];
        row.extend(comparison.summaries.iter().map(|s| read(s, places)));
        grid.row(row);
    }
    let as_of = comparison
        .reports
        .first()
        .map_or(String::new(), |r| r.as_of.to_string());
    vec![
        Block::Title("Plans compared over the same log".to_string()),
        Block::Text(format!("As of {as_of}")),
        Block::Grid(grid),
    ]
}

/// How one comparison row reads its figure off a plan's summary.
pub(crate) type SummaryField = fn(&PlanSummary, u32) -> String;

/// The rows of a plan comparison.
pub(crate) fn comparison_rows() -> Vec<(&'static str, SummaryField)> {
    fn optional_units(value: Option<Units>, places: u32) -> String {
        value.map_or("-".to_string(), |u| units(u, places))
    }
    vec![
        ("Currency", |s, _| s.currency.clone()),
        ("Units consumed", |s, p| units(s.consumed, p)),
        ("Units remaining", |s, p| units(s.remaining, p)),
        ("Units expired", |s, p| units(s.expired, p)),
        ("Scans denied", |s, _| s.scans_denied.to_string()),
        ("Units denied", |s, p| units(s.units_denied, p)),
        ("Overage units", |s, p| units(s.overage, p)),
        ("Unpriced overage units", |s, p| {
            units(s.unpriced_overage, p)
        }),
        ("Charges to date", |s, _| s.charges.to_string()),
        ("Projected cycle cost", |s, _| {
            s.projected_cycle_charges
                .map_or("-".to_string(), |m| m.to_string())
        }),
        ("Projected unpriced overage", |s, p| {
            optional_units(s.projected_unpriced_overage, p)
        }),
        ("Projected denied units", |s, p| {
            optional_units(s.projected_denied, p)
        }),
    ]
}

/// Column headings for compared plans: the plan's name, or its position.
pub(crate) fn plan_headings(comparison: &Comparison) -> Vec<String> {
    comparison
        .reports
        .iter()
        .enumerate()
        .map(|(i, r)| plan_heading(&r.plan, i + 1))
        .collect()
}

/// The invoice: per account and cycle every line, posted and projected, the
/// cycle's subtotals, then the account's and the invoice's totals.
pub(crate) fn invoice(invoice: &Invoice) -> Vec<Block> {
    let places = invoice.unit_places;
    let currency = &invoice.currency;
    let mut blocks = vec![
        Block::Title(format!("Invoice · {}", plan_title(&invoice.plan))),
        Block::Text(format!(
            "As of {} · times in {} · amounts in {currency}",
            invoice.as_of, invoice.timezone
        )),
    ];
    if let Some(window) = &invoice.window {
        blocks.push(Block::Text(format!(
            "Lines posted from {} to {} (not included); accrued lines are apart, not in the posted total",
            window.from, window.to
        )));
    }
    for account in &invoice.accounts {
        for cycle in &account.cycles {
            blocks.push(Block::Heading(format!(
                "Account {} · cycle {} → {}{}",
                account.account,
                cycle.start.short(),
                cycle.end.short(),
                if cycle.upcoming {
                    " (starts after as-of)"
                } else {
                    ""
                }
            )));
            let mut grid = Grid::new(
                &[
                    "Kind",
                    "Item",
                    "Period start",
                    "State",
                    "Quantity",
                    "Unit price",
                    "Amount",
                ],
                4,
            );
            for line in &cycle.lines {
                grid.row(invoice_row(line, places));
            }
            let mut subtotal = |label: &str, money: Money| {
                grid.total(vec![
                    label.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    money.to_string(),
                ])
            };
            subtotal("Posted", cycle.posted);
            subtotal("Accrued", cycle.accrued);
            subtotal("To come", cycle.still_to_come);
            subtotal("Projected", cycle.projected);
            blocks.push(Block::Grid(grid));
            if !cycle.unpriced_overage_units.is_zero() {
                blocks.push(Block::Text(format!(
                    "Unpriced overage in this cycle: {} units, not in the amounts above.",
                    units(cycle.unpriced_overage_units, places)
                )));
            }
        }
        if let Some(allocation) = &account.allocation {
            blocks.extend(allocation_blocks(
                places,
                currency,
                &account.account,
                allocation,
            ));
        }
        blocks.push(Block::Text(format!(
            "Account {}: posted {currency} {}, accrued {}, still to come {}, projected {}",
            account.account,
            account.posted,
            account.accrued,
            account.still_to_come,
            // Unpriced units may be posted, accrued or still to come: beside
            // the figure that holds all three.
            money_with_unpriced(
                currency,
                account.projected,
                account.unpriced_overage_units,
                places
            ),
        )));
    }
    blocks.push(Block::Heading("Total".to_string()));
    blocks.push(Block::Text(format!(
        "Posted {currency} {}; accrued {currency} {}; still to come {currency} {}; projected {}",
        invoice.posted,
        invoice.accrued,
        invoice.still_to_come,
        money_with_unpriced(
            currency,
            invoice.projected,
            invoice.unpriced_overage_units,
            places
        ),
    )));
    blocks
}

fn invoice_row(line: &InvoiceLine, places: u32) -> Vec<String> {
    vec![
        line.kind.as_str().to_string(),
        super::item_label(&line.item, line.tier.as_ref()),
        line.period_start.short(),
        line.state.as_str().to_string(),
        quantity(line.kind, line.quantity, places),
        line.unit_price
            .map_or("-".to_string(), |price| price.to_string()),
        line.amount.map_or("-".to_string(), |m| m.to_string()),
    ]
}

/// Who used the account's purchase and who pays what (`--by`): a row per
/// group, then the `unused` and `shared` lines and the account's total.
pub(crate) fn allocation_blocks(
    places: u32,
    currency: &str,
    account: &str,
    allocation: &AllocationReport,
) -> Vec<Block> {
    // Overage with no price is its own column, shown when there is any, so
    // a group's 0.00 never hides the units it will be billed for.
    let unpriced = allocation.unpriced_overage_units();
    let mut header = vec![
        "Group", "First", "Repeat", "Denied", "Units", "Share", "Charges",
    ];
    if !unpriced.is_zero() {
        header.push("Unpriced overage");
    }
    let mut grid = Grid::new(&header, 1);
    for group in &allocation.groups {
        let mut row = vec![
            group.group.clone(),
            group.first.to_string(),
            group.repeat.to_string(),
            group.denied.to_string(),
            units(group.units, places),
            group.share.to_string(),
            group.charges.to_string(),
        ];
        if !unpriced.is_zero() {
            row.push(units(group.unpriced_overage_units, places));
        }
        grid.row(row);
    }
    for (label, money, is_total) in [
        (UNUSED, allocation.unused, false),
        (SHARED, allocation.shared, false),
        ("Total", allocation.total, true),
    ] {
        let mut row = vec![label.to_string()];
        row.extend(std::iter::repeat_n(String::new(), 5));
        row.push(money.to_string());
        if !unpriced.is_zero() {
            row.push(if is_total {
                units(unpriced, places)
            } else {
                String::new()
            });
        }
        grid.total(row);
    }
    let mut blocks = vec![
        Block::Heading(format!(
            "Allocation by {} · account {account} ({currency})",
            allocation.by
        )),
        Block::Grid(grid),
    ];
    if allocation.open_cycle {
        blocks.push(Block::Text(
            "The current cycle's shares change until it closes; posted charge lines never do."
                .to_string(),
        ));
    }
    blocks
}
