//! The bill (`scanquota invoice`): per account and subscription cycle, every
//! charge line of the report, posted, and what the projection adds to the
//! current cycle. It is drawn from the report model alone, so its posted
//! lines are the report's charge lines, one for one.

use crate::domain::error::{Error, Result};
use crate::domain::values::{Instant, Money, UnitPrice, Units};
use crate::engine::allocation::AllocationReport;
use crate::engine::charges::{ChargeKind, ChargeState};
use crate::model::report::{AccountReport, LineBasis, Report, TierReport, WindowReport};
use serde::Serialize;

pub(crate) const INVOICE_SCHEMA: &str = "scanquota.invoice.v2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Posted at or before as-of: owed, and never changed after.
    Posted,
    /// The open cycle's overage so far: in the charges to date, posted at
    /// the cycle end.
    Accrued,
    /// Certain to post later in the current cycle (a calendar-month
    /// allowance period, a scheduled top-up), and what the projection adds.
    StillToCome,
}

impl LineState {
    pub fn as_str(self) -> &'static str {
        match self {
            LineState::Posted => "posted",
            LineState::Accrued => "accrued",
            LineState::StillToCome => "still_to_come",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceLine {
    pub(crate) kind: ChargeKind,
    pub(crate) item: String,
    pub period_start: Instant,
    /// When the line posts (or posted).
    pub(crate) posted_at: Instant,
    pub(crate) quantity: Units,
    /// `None` for overage that has no price.
    pub(crate) unit_price: Option<UnitPrice>,
    /// `None` for overage that has no price: never a zero.
    pub amount: Option<Money>,
    pub state: LineState,
    /// What the line charges for, typed, as the report's line has it
    /// (`None` for the projection's and the unpriced overage lines).
    #[serde(skip)]
    pub(crate) basis: Option<LineBasis>,
    /// An overage line of a tiered plan: the tier it is priced by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<TierReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceCycle {
    pub start: Instant,
    pub(crate) end: Instant,
    /// A cycle that starts after as-of, shown because a line already
    /// accrued posts in it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) upcoming: bool,
    pub lines: Vec<InvoiceLine>,
    /// The posted lines' amounts.
    pub posted: Money,
    /// The accrued lines' amounts (the open cycle's overage so far).
    pub accrued: Money,
    /// The still-to-come lines' amounts.
    pub still_to_come: Money,
    /// The projected cost: posted + accrued + still to come.
    pub projected: Money,
    /// Overage units without a price, posted, accrued and still to come.
    pub(crate) unpriced_overage_units: Units,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceAccount {
    pub account: String,
    pub cycles: Vec<InvoiceCycle>,
    pub(crate) posted: Money,
    pub(crate) accrued: Money,
    pub(crate) still_to_come: Money,
    pub(crate) projected: Money,
    pub(crate) unpriced_overage_units: Units,
    /// With `--by`: the posted charges shared out over the groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) allocation: Option<AllocationReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invoice {
    pub(crate) schema: &'static str,
    pub(crate) plan: String,
    pub(crate) currency: String,
    pub(crate) timezone: String,
    pub(crate) as_of: Instant,
    /// `--month` or `--from`/`--to`: only the lines posted in `[from, to)`,
    /// and what is accrued at as-of apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) window: Option<WindowReport>,
    /// Tables show units to the plan's finest precision.
    #[serde(skip)]
    pub(crate) unit_places: u32,
    pub accounts: Vec<InvoiceAccount>,
    pub posted: Money,
    pub accrued: Money,
    pub(crate) still_to_come: Money,
    pub(crate) projected: Money,
    pub(crate) unpriced_overage_units: Units,
}

impl Invoice {
    /// The invoice of `report`; a sum over accounts beyond a decimal's
    /// range is [`Error::Overflow`].
    pub fn of(report: &Report) -> Result<Invoice> {
        let accounts: Vec<InvoiceAccount> = report
            .accounts
            .iter()
            .map(|account| invoice_account(report, account))
            .collect::<Result<_>>()?;
        let overflow = |what: &'static str| {
            move || {
                Error::overflow(
                    format!("the invoice's {what} over every account"),
                    "invoice fewer accounts at a time with --account",
                )
            }
        };
        let money = |field: fn(&InvoiceAccount) -> Money, what: &'static str| {
            Money::sum(accounts.iter().map(field), overflow(what))
                .map(|sum| sum.rounded(report.decimals))
        };
        Ok(Invoice {
            schema: INVOICE_SCHEMA,
            plan: report.plan.clone(),
            currency: report.currency.clone(),
            timezone: report.timezone.clone(),
            as_of: report.as_of,
            window: report.window,
            unit_places: report.unit_places,
            posted: money(|a| a.posted, "posted charges")?,
            accrued: money(|a| a.accrued, "accrued charges")?,
            still_to_come: money(|a| a.still_to_come, "charges still to come")?,
            projected: money(|a| a.projected, "projected charges")?,
            unpriced_overage_units: Units::sum(
                accounts.iter().map(|a| a.unpriced_overage_units),
                overflow("unpriced overage units"),
            )?,
            accounts,
        })
    }
}

fn invoice_account(report: &Report, account: &AccountReport) -> Result<InvoiceAccount> {
    let zero = Money::zero(report.decimals);
    let empty = |start: Instant, end: Instant, upcoming: bool| InvoiceCycle {
        start,
        end,
        upcoming,
        lines: Vec::new(),
        posted: zero,
        accrued: zero,
        still_to_come: zero,
        projected: zero,
        unpriced_overage_units: Units::default(),
    };
    let mut cycles: Vec<InvoiceCycle> = account
        .cycles
        .iter()
        .map(|cycle| empty(cycle.start, cycle.end, false))
        .chain(
            account
                .upcoming_cycle
                .iter()
                .map(|cycle| empty(cycle.from, cycle.to, true)),
        )
        .collect();
    if cycles.is_empty() && !account.charges.lines.is_empty() {
        // Core days billed before the term's first cycle (a trial): a cycle
        // of their own, so no posted line is ever dropped.
        let start = account.charges.lines[0].period_start;
        cycles.push(empty(start, account.subscription.start, false));
    }
    for line in &account.charges.lines {
        // A line belongs to the cycle holding its start; one before the
        // first cycle (a trial's core days) to the first.
        // A top-up's line starts at its `at`: it belongs to the cycle
        // holding that instant.
        // An overage line belongs to the cycle it posts in, as the
        // projection counts it: a calendar-month overage period may start in
        // one cycle and post in the next.
        let index = match line.kind {
            ChargeKind::Overage => filing_cycle(&cycles, line.posted_at, line.period_start),
            _ => cycles
                .iter()
                .rposition(|cycle| cycle.start <= line.period_start)
                .unwrap_or(0),
        };
        let cycle = &mut cycles[index];
        let state = match line.state {
            ChargeState::Posted => {
                cycle.posted += line.amount;
                LineState::Posted
            }
            ChargeState::Accrued => {
                cycle.accrued += line.amount;
                LineState::Accrued
            }
            ChargeState::StillToCome => {
                cycle.still_to_come += line.amount;
                LineState::StillToCome
            }
        };
        cycle.lines.push(InvoiceLine {
            kind: line.kind,
            item: line.item.clone(),
            period_start: line.period_start,
            posted_at: line.posted_at,
            quantity: line.quantity,
            unit_price: Some(line.unit_price),
            amount: Some(line.amount),
            state,
            basis: line.basis,
            tier: line.tier,
        });
    }
    // Overage without a price: one line per overage period and tier, filed
    // like the priced ones, by the cycle it posts in.
    for unpriced in &account.charges.unpriced_lines {
        let index = filing_cycle(&cycles, unpriced.posted_at, unpriced.period_start);
        let cycle = &mut cycles[index];
        cycle.unpriced_overage_units += unpriced.quantity;
        cycle.lines.push(InvoiceLine {
            kind: ChargeKind::Overage,
            item: "overage (unpriced)".into(),
            period_start: unpriced.period_start,
            posted_at: unpriced.posted_at,
            quantity: unpriced.quantity,
            unit_price: None,
            amount: None,
            state: match unpriced.state {
                ChargeState::Posted => LineState::Posted,
                ChargeState::Accrued => LineState::Accrued,
                ChargeState::StillToCome => LineState::StillToCome,
            },
            basis: unpriced.basis,
            tier: unpriced.tier,
        });
    }
    if let Some(projection) = &account.projection
        && let Some(cycle) = cycles
            .iter_mut()
            .find(|c| c.start == projection.cycle_start)
    {
        // Lines certain to post later in the cycle.
        for line in &account.charges.still_to_come {
            cycle.still_to_come += line.amount;
            cycle.lines.push(InvoiceLine {
                kind: line.kind,
                item: line.item.clone(),
                period_start: line.period_start,
                posted_at: line.posted_at,
                quantity: line.quantity,
                unit_price: Some(line.unit_price),
                amount: Some(line.amount),
                state: LineState::StillToCome,
                basis: line.basis,
                tier: line.tier,
            });
        }
        // What the projection adds to the overage lines posting in the
        // cycle, line by line: the cycle's lines then add up to its
        // projected cost.
        for line in &projection.projected_overage_lines {
            match line.amount {
                Some(amount) => cycle.still_to_come += amount,
                None => cycle.unpriced_overage_units += line.quantity,
            }
            cycle.lines.push(InvoiceLine {
                kind: ChargeKind::Overage,
                item: match line.amount {
                    Some(_) => "overage".into(),
                    None => "overage (unpriced)".into(),
                },
                period_start: line.period_start,
                posted_at: line.posted_at,
                quantity: line.quantity,
                unit_price: line.unit_price,
                amount: line.amount,
                state: LineState::StillToCome,
                basis: line.basis,
                tier: line.tier,
            });
        }
    }
    if let Some(window) = &report.window {
        // The window's bill: the lines posted in it, and what is accrued at
        // as-of apart; nothing still to come.
        for cycle in &mut cycles {
            cycle.lines.retain(|l| {
                l.state == LineState::Accrued
                    || (l.state == LineState::Posted && window.contains(l.posted_at))
            });
            let sum = |state: LineState| -> Money {
                cycle
                    .lines
                    .iter()
                    .filter(|l| l.state == state)
                    .filter_map(|l| l.amount)
                    .sum::<Money>()
                    .rounded(report.decimals)
            };
            cycle.posted = sum(LineState::Posted);
            cycle.accrued = sum(LineState::Accrued);
            cycle.still_to_come = zero;
            cycle.unpriced_overage_units = cycle
                .lines
                .iter()
                .filter(|l| l.amount.is_none())
                .map(|l| l.quantity)
                .sum();
        }
        cycles.retain(|c| !c.lines.is_empty());
    }
    let overflow = |what: &str| {
        Error::overflow(
            format!(
                "account {}: the invoice's {what} over every cycle",
                account.account
            ),
            "give an earlier --as-of, or write smaller prices in the plan",
        )
    };
    for cycle in &mut cycles {
        let projected = Money::sum([cycle.posted, cycle.accrued, cycle.still_to_come], || {
            overflow("projected charges")
        })?;
        cycle.projected = projected.rounded(report.decimals);
    }
    let money = |field: fn(&InvoiceCycle) -> Money, what: &str| {
        Money::sum(cycles.iter().map(field), || overflow(what))
            .map(|sum| sum.rounded(report.decimals))
    };
    Ok(InvoiceAccount {
        account: account.account.clone(),
        posted: money(|c| c.posted, "posted charges")?,
        accrued: money(|c| c.accrued, "accrued charges")?,
        still_to_come: money(|c| c.still_to_come, "charges still to come")?,
        projected: money(|c| c.projected, "projected charges")?,
        unpriced_overage_units: Units::sum(
            cycles.iter().map(|c| c.unpriced_overage_units),
            || overflow("unpriced overage units"),
        )?,
        cycles,
        allocation: account.allocation.clone(),
    })
}

/// The cycle an overage line is filed under: the one it posts in, else
/// (posting after the last cycle shown) the one holding its start.
fn filing_cycle(cycles: &[InvoiceCycle], posted_at: Instant, period_start: Instant) -> usize {
    cycles
        .iter()
        .position(|cycle| cycle.start < posted_at && posted_at <= cycle.end)
        .or_else(|| cycles.iter().rposition(|cycle| cycle.start <= period_start))
        .unwrap_or(0)
}
