//! One self-contained page (`--format html`): the shared layout's sections
//! as HTML, and a chart per allowance drawn as inline SVG. The markup lives
//! in `templates/page.html` (minijinja, auto-escaped); this module only
//! turns the model into what the template places: section data and chart
//! geometry. Coordinates are computed with exact decimals and printed to a
//! tenth of a pixel.

use super::layout::{self, Block, units};
use super::{ComparisonView, InvoiceView, ReportView};
use crate::domain::values::Instant;
use crate::model::invoice::Invoice;
use crate::model::report::{AccountReport, AllowanceReport, Comparison, PeriodState, Report};
use minijinja::Environment;
use rust_decimal::Decimal;
use serde::Serialize;

const TEMPLATE: &str = include_str!("templates/page.html");

pub(crate) struct HtmlExporter;

impl ReportView for HtmlExporter {
    fn report(&self, report: &Report) -> String {
        page(&report.plan, &layout::report(report), Some(report))
    }
}

impl ComparisonView for HtmlExporter {
    fn compare(&self, comparison: &Comparison) -> String {
        page("Plans compared", &layout::comparison(comparison), None)
    }
}

impl InvoiceView for HtmlExporter {
    fn invoice(&self, invoice: &Invoice) -> String {
        page(
            &format!("Invoice · {}", invoice.plan),
            &layout::invoice(invoice),
            None,
        )
    }
}

/// A section of the page, as the template places it.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Section {
    Title {
        text: String,
    },
    Heading {
        text: String,
    },
    Text {
        lines: Vec<String>,
    },
    Grid {
        header: Vec<String>,
        show_header: bool,
        right_from: usize,
        rows: Vec<Vec<String>>,
        /// The last row is a total (`Total`, `Posted`, `Projected`).
        totals_from: usize,
    },
    Chart(Box<Chart>),
}

fn page(title: &str, blocks: &[Block], report: Option<&Report>) -> String {
    let sections: Vec<Section> = blocks
        .iter()
        .filter_map(|block| match block {
            Block::Title(text) => Some(Section::Title { text: text.clone() }),
            Block::Heading(text) => Some(Section::Heading { text: text.clone() }),
            Block::Text(text) => Some(Section::Text {
                lines: text.lines().map(str::to_string).collect(),
            }),
            Block::Grid(grid) => Some(Section::Grid {
                header: grid.header.clone(),
                show_header: grid.show_header,
                right_from: grid.right_from,
                totals_from: grid.totals_from.unwrap_or(grid.rows.len()),
                rows: grid.rows.clone(),
            }),
            Block::Chart { account, allowance } => {
                let report = report?;
                let account = report.accounts.get(*account)?;
                let allowance = account.allowances.get(*allowance)?;
                chart(report, account, allowance).map(|chart| Section::Chart(Box::new(chart)))
            }
        })
        .collect();
    let mut environment = Environment::new();
    environment
        .add_template("page.html", TEMPLATE)
        .expect("the page template parses");
    environment
        .get_template("page.html")
        .and_then(|template| {
            template.render(minijinja::context! {
                title => if title.is_empty() { "(unnamed plan)" } else { title },
                sections => minijinja::Value::from(minijinja::value::Serde(&sections)),
            })
        })
        .expect("the page template renders the model")
        + "\n"
}

/// An allowance's periods side by side: units granted (top-ups as steps)
/// and units used through each period; the current period's projection
/// dashed to its end; the moment the quota runs out marked.
#[derive(Serialize)]
pub(crate) struct Chart {
    title: String,
    description: String,
    width: u32,
    height: u32,
    plot: Frame,
    granted: Vec<String>,
    used: Vec<String>,
    /// The projection's points: from as-of at the rate `exhausts_at` is
    /// computed from, meeting the granted line at the marker.
    projection: Option<String>,
    exhausted: Option<Marker>,
    expired: Vec<Label>,
    y_ticks: Vec<Label>,
    x_ticks: Vec<Label>,
    period_edges: Vec<String>,
}

#[derive(Serialize)]
struct Frame {
    left: String,
    right: String,
    top: String,
    bottom: String,
}

#[derive(Serialize)]
struct Marker {
    x: String,
    label: String,
    /// The label reads leftwards from a marker in the chart's right half,
    /// so it is never cut off at the edge.
    leftwards: bool,
}

#[derive(Serialize)]
struct Label {
    x: String,
    y: String,
    text: String,
}

const WIDTH: u32 = 760;
const HEIGHT: u32 = 260;
const LEFT: i64 = 64;
const RIGHT: i64 = 16;
const TOP: i64 = 16;
const BOTTOM: i64 = 40;

/// Maps times and units onto the plot area.
struct Scale {
    start: Decimal,
    span: Decimal,
    top_units: Decimal,
}

impl Scale {
    fn x(&self, at: &Instant) -> Decimal {
        self.x_seconds(unix(at))
    }

    /// `x` of a moment given as Unix seconds.
    fn x_seconds(&self, at: Decimal) -> Decimal {
        let seconds = at - self.start;
        let width = Decimal::from(i64::from(WIDTH) - LEFT - RIGHT);
        Decimal::from(LEFT) + seconds * width / self.span
    }

    fn y(&self, value: Decimal) -> Decimal {
        let height = Decimal::from(i64::from(HEIGHT) - TOP - BOTTOM);
        // value ≤ top_units, so dividing first fits where multiplying first does not.
        let scaled = value
            .checked_mul(height)
            .map_or_else(|| value / self.top_units * height, |v| v / self.top_units);
        Decimal::from(i64::from(HEIGHT) - BOTTOM) - scaled
    }
}

/// A moment as exact Unix seconds (an as-of of a bare date ends one
/// nanosecond before midnight).
fn unix(at: &Instant) -> Decimal {
    let utc = at.utc();
    Decimal::from(utc.timestamp()) + Decimal::new(i64::from(utc.timestamp_subsec_nanos()), 9)
}

/// The dotted projection of `period` (the current one of `allowance`): from
/// as-of, the rest of the cycle draws at the rate the account's projection
/// uses for `exhausts_at` (demand so far ÷ time elapsed), the allowances in
/// drawing order, so this one starts drawing once those before it are spent
/// and meets its granted line where the "runs out" marker stands.
fn projection_points(
    scale: &Scale,
    report: &Report,
    account: &AccountReport,
    allowance: &AllowanceReport,
    period: &crate::model::report::PeriodReport,
) -> Option<String> {
    let projected = period.projected_used?.value();
    let now = period.daily.last()?;
    let end = unix(&period.end);
    let as_of = unix(now.until);
    let used = now.used.value();
    let mut points = vec![(as_of, used)];
    let rate = account.projection.as_ref().and_then(|p| {
        let elapsed = unix(&report.as_of) - unix(&p.cycle_start);
        (elapsed > Decimal::ZERO && p.demand.value() > Decimal::ZERO)
            .then(|| (p.demand.value() / elapsed, p))
    });
    match rate {
        Some((rate, projection)) if projected > used => {
            // What the allowances drawn before this one have left.
            let before: Decimal = account
                .allowances
                .iter()
                .take_while(|a| !std::ptr::eq(*a, allowance))
                .filter_map(|a| a.periods.iter().find(|p| p.state == PeriodState::Current))
                .map(|p| p.remaining.value())
                .sum();
            let start = (as_of + before / rate).min(end);
            if start > as_of {
                points.push((start, used));
            }
            let spent = before + (projected - used);
            let reach = match projection.exhausts_at {
                // The last units the account has: exactly the marker.
                Some(at) if spent >= projection.available.value() => unix(&at),
                _ => as_of + spent / rate,
            }
            .min(end);
            points.push((reach, projected));
            if reach < end {
                points.push((end, projected));
            }
        }
        _ => points.push((end, projected)),
    }
    Some(
        points
            .into_iter()
            .map(|(at, value)| format!("{},{}", px(scale.x_seconds(at)), px(scale.y(value))))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The chart's text size (`svg text` in the page's style) and line step.
const FONT_SIZE: i64 = 11;
const LINE_HEIGHT: i64 = 13;

/// The box a line of chart text takes, estimated from its length: 0.6 of
/// the font size a character (wider than system-ui's digits), the font size
/// high above the baseline, plus a 2 px margin on each side.
#[derive(Debug, Clone, Copy)]
struct TextBox {
    left: Decimal,
    right: Decimal,
    top: Decimal,
    bottom: Decimal,
}

impl TextBox {
    /// Text of `text` with its baseline at `y`, ending (`end`) or starting at `x`.
    fn new(x: Decimal, y: Decimal, text: &str, end: bool) -> Self {
        let width = Decimal::from(text.chars().count() as i64)
            * Decimal::from(FONT_SIZE)
            * Decimal::new(6, 1);
        let (left, right) = if end { (x - width, x) } else { (x, x + width) };
        TextBox {
            left,
            right,
            top: y - Decimal::from(FONT_SIZE),
            bottom: y,
        }
    }

    fn ending(x: &str, y: &str, text: &str) -> Self {
        Self::new(
            x.parse().unwrap_or_default(),
            y.parse().unwrap_or_default(),
            text,
            true,
        )
    }

    fn starting(x: &str, y: &str, text: &str) -> Self {
        Self::new(
            x.parse().unwrap_or_default(),
            y.parse().unwrap_or_default(),
            text,
            false,
        )
    }

    fn overlaps(&self, other: &TextBox) -> bool {
        let margin = Decimal::TWO;
        self.left < other.right + margin
            && other.left < self.right + margin
            && self.top < other.bottom + margin
            && other.top < self.bottom + margin
    }
}

fn px(value: Decimal) -> String {
    value.round_dp(1).normalize().to_string()
}

fn point(scale: &Scale, at: &Instant, value: Decimal) -> String {
    format!("{},{}", px(scale.x(at)), px(scale.y(value)))
}

fn chart(report: &Report, account: &AccountReport, allowance: &AllowanceReport) -> Option<Chart> {
    let periods = &allowance.periods;
    let first = periods.first()?;
    let last = periods.last()?;
    let start = Decimal::from(first.start.utc().timestamp());
    let span = Decimal::from(last.end.utc().timestamp()) - start;
    if span <= Decimal::ZERO {
        return None;
    }
    let highest = periods
        .iter()
        .map(|p| {
            p.granted
                .value()
                .max(p.projected_used.map_or(Decimal::ZERO, |u| u.value()))
        })
        .max()
        .unwrap_or_default();
    let top_units = if highest > Decimal::ZERO {
        highest
            .checked_mul(Decimal::new(11, 1))
            .unwrap_or(Decimal::MAX)
    } else {
        Decimal::ONE
    };
    let scale = Scale {
        start,
        span,
        top_units,
    };
    let places = report.unit_places;
    let mut granted = Vec::new();
    let mut used = Vec::new();
    let mut wanted: Vec<(Decimal, Decimal, String)> = Vec::new();
    let mut projection = None;
    for period in periods {
        // Granted: what the period began with, then each top-up as a step.
        let topped: Decimal = period.topups.iter().map(|t| t.units.value()).sum();
        let mut level = period.granted.value() - topped;
        let mut steps = vec![point(&scale, &period.start, level)];
        for topup in &period.topups {
            steps.push(point(&scale, &topup.at, level));
            level += topup.units.value();
            steps.push(point(&scale, &topup.at, level));
        }
        steps.push(point(&scale, &period.end, level));
        granted.push(steps.join(" "));
        let mut line = vec![point(&scale, &period.start, Decimal::ZERO)];
        line.extend(
            period
                .daily
                .iter()
                .map(|day| point(&scale, day.until, day.used.value())),
        );
        used.push(line.join(" "));
        if period.state == PeriodState::Closed && !period.expired.value().is_zero() {
            // Placed once the ticks and the marker are known (below).
            wanted.push((
                scale.x(&period.end) - Decimal::from(4),
                scale.y(period.consumed.value()) - Decimal::from(6),
                format!("{} expired", units(period.expired, places)),
            ));
        }
        if let Some(points) = projection_points(&scale, report, account, allowance, period) {
            projection = Some(points);
        }
    }
    let exhausted = account.projection.as_ref().and_then(|p| {
        let at = p.exhausts_at?;
        let inside = periods.iter().any(|period| {
            period.state == PeriodState::Current && period.start <= at && at <= period.end
        });
        let x = scale.x(&at);
        inside.then(|| Marker {
            x: px(x),
            label: format!("runs out {}", at.short()),
            leftwards: x > Decimal::from(WIDTH / 2),
        })
    });
    let y_ticks: Vec<Label> = [Decimal::ZERO, highest / Decimal::TWO, highest]
        .into_iter()
        .filter(|value| *value > Decimal::ZERO || highest.is_zero())
        .map(|value| Label {
            x: px(Decimal::from(LEFT - 6)),
            y: px(scale.y(value) + Decimal::from(4)),
            text: units(crate::domain::values::Units::new(value), places),
        })
        .collect();
    // A date under a period's start, leaving out any that would overlap
    // the one before (a label is about 66 px wide).
    let mut x_ticks: Vec<Label> = Vec::new();
    let mut free_from = Decimal::ZERO;
    for period in periods {
        let x = scale.x(&period.start) + Decimal::from(2);
        if x < free_from {
            continue;
        }
        free_from = x + Decimal::from(72);
        x_ticks.push(Label {
            x: px(x),
            y: px(Decimal::from(i64::from(HEIGHT) - BOTTOM + 16)),
            text: period.start.date(),
        });
    }
    // The "N expired" labels end at their period's end, just above the used
    // line; one that would overlap a label already placed (a tick, the
    // marker, another period's) moves up a line at a time, then down, and
    // is left out if no line is free (the table and the description have
    // every figure).
    let mut taken: Vec<TextBox> = Vec::new();
    taken.extend(y_ticks.iter().map(|t| TextBox::ending(&t.x, &t.y, &t.text)));
    taken.extend(
        x_ticks
            .iter()
            .map(|t| TextBox::starting(&t.x, &t.y, &t.text)),
    );
    if let Some(marker) = &exhausted {
        let x: Decimal = marker.x.parse().unwrap_or_default();
        let y = Decimal::from(TOP + 10);
        taken.push(if marker.leftwards {
            TextBox::new(x - Decimal::from(4), y, &marker.label, true)
        } else {
            TextBox::new(x + Decimal::from(4), y, &marker.label, false)
        });
    }
    let mut expired = Vec::new();
    let line = Decimal::from(LINE_HEIGHT);
    let lowest = Decimal::from(i64::from(HEIGHT) - BOTTOM - 2);
    let highest_line = Decimal::from(TOP) + Decimal::from(FONT_SIZE);
    for (x, y, text) in wanted {
        let up = (0..)
            .map(|k| y - line * Decimal::from(k))
            .take_while(|y| *y >= highest_line);
        let down = (1..)
            .map(|k| y + line * Decimal::from(k))
            .take_while(|y| *y <= lowest);
        let spot = up
            .chain(down)
            .map(|y| TextBox::new(x, y, &text, true))
            .find(|candidate| taken.iter().all(|other| !candidate.overlaps(other)));
        if let Some(found) = spot {
            expired.push(Label {
                x: px(found.right),
                y: px(found.bottom),
                text,
            });
            taken.push(found);
        }
    }
    let period_edges = periods
        .iter()
        .skip(1)
        .map(|p| px(scale.x(&p.start)))
        .collect();
    let description = periods
        .iter()
        .map(|p| {
            format!(
                "{} to {} ({}): {} of {} units used{}",
                p.start.short(),
                p.end.short(),
                match p.state {
                    PeriodState::Closed => "closed",
                    PeriodState::Current => "current",
                },
                units(p.consumed, places),
                units(p.granted, places),
                match p.state {
                    PeriodState::Closed => format!(", {} expired", units(p.expired, places)),
                    PeriodState::Current => p.projected_used.map_or(String::new(), |u| format!(
                        ", {} projected by the end",
                        units(u, places)
                    )),
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(Chart {
        title: format!(
            "Allowance {} of account {}: units used against units granted, per period",
            allowance.name, account.account
        ),
        description: description + ".",
        width: WIDTH,
        height: HEIGHT,
        plot: Frame {
            left: LEFT.to_string(),
            right: (i64::from(WIDTH) - RIGHT).to_string(),
            top: TOP.to_string(),
            bottom: (i64::from(HEIGHT) - BOTTOM).to_string(),
        },
        granted,
        used,
        projection,
        exhausted,
        expired,
        y_ticks,
        x_ticks,
        period_edges,
    })
}
