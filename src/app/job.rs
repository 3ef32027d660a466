//! The command line turned into typed values, once: plans resolved (files,
//! built-ins, `--start`), `--as-of` parsed in each plan's zone, logs opened
//! (or read) and core samples read. Replaying commands take a [`Job`] and
//! load nothing themselves (hyperfine's `cli.rs` → `options.rs`); `merge`
//! and `import`, which replay nothing, read their report files and scanner
//! documents through the model's and the input layer's readers.

use crate::app::cli::{
    Allocate, BillWindowArgs, BreakdownArgs, CheckArgs, CoresArgs, FormatArgs, ImageKeyArg,
    ImportArgs, ImportFormat, InputArgs, InventoryLayoutArgs, LogFormatArg, SourceArg,
};
use crate::domain::error::{Error, Result};
use crate::domain::text::{HIDDEN_IN_ACCOUNT, has_hidden, shown};
use crate::domain::zone::{Zone, parse_timestamp};
use crate::engine::allocation::{AllocationRules, Breakdown};
use crate::engine::core_days::{CoreDay, billable_days_counted};
use crate::engine::meter::Schedule;
use crate::input::cores::read_samples_laid_out;
use crate::input::csv_input::{Layout, Rename};
use crate::input::inventory::read_inventory;
use crate::input::log::ReadOptions;
use crate::input::log::formats::{FormatOptions, ImageKey, LogFormat};
use crate::input::log::{Source, expand_paths};
use crate::model::check::{Thresholds, threshold};
use crate::model::report::plan_heading;
use crate::plan::Plan;
use crate::replay::{Inputs, Logs};
use chrono::{DateTime, Days, NaiveDate, SubsecRound, TimeDelta, Utc};
use std::collections::BTreeMap;

/// One `--plan`, ready to replay.
pub struct PlanRun {
    pub plan: Plan,
    /// The moment the report describes.
    pub(crate) as_of: DateTime<Utc>,
    /// Billable core days per account from `--cores`; `None` without it
    /// (a plan with `[cores]` then bills none, and its report says so).
    pub(crate) core_days: Option<BTreeMap<String, Vec<CoreDay>>>,
    /// `--month` or `--from`/`--to`: the lines posted in `[from, to)`.
    pub(crate) window: Option<Window>,
}

/// A billing window `[from, to)` (§13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    #[cfg(test)]
    fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// The last instant before `to`: the as-of of a window without one.
    pub fn last_instant(&self) -> DateTime<Utc> {
        crate::domain::zone::last_instant_before(self.to)
    }
}

/// `--month YYYY-MM`, or `--from D --to D`, in the plan's zone: a bare date
/// is 00:00 of that date, a date-time is taken as written. `None` without
/// any of them; bad forms, `--month` with `--from`/`--to`, one of
/// `--from`/`--to` alone, or `from >= to` are errors.
pub(crate) fn window(
    month: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    zone: Zone,
) -> Result<Option<Window>> {
    let midnight =
        |date: NaiveDate| zone.resolve_boundary(date.and_hms_opt(0, 0, 0).unwrap_or_default());
    let first_of = |option: &'static str, text: &str| -> Result<NaiveDate> {
        let text = text.trim();
        let bad = || Error::Option {
            option,
            value: text.to_string(),
            fix: "is not a month: write YYYY-MM, e.g. 2024-04".into(),
        };
        if text.len() != 7 {
            return Err(bad());
        }
        NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| bad())
    };
    let window = match (month, from, to) {
        (None, None, None) => return Ok(None),
        (Some(month), None, None) => {
            let first = first_of("--month", month)?;
            // A window is printed with its end: the month 9999-12 would end
            // at 10000-01-01, which no RFC 3339 time writes.
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .filter(|next| chrono::Datelike::year(next) <= crate::domain::zone::LATEST_YEAR)
                .ok_or_else(|| Error::Option {
                    option: "--month",
                    value: month.to_string(),
                    fix: "is past the last month scanquota handles (9999-11; 9999-12 would end in the year 10000)".into(),
                })?;
            Window {
                from: midnight(first),
                to: midnight(next),
            }
        }
        (Some(month), _, _) => {
            return Err(Error::Option {
                option: "--month",
                value: month.to_string(),
                fix: "cannot be given with --from/--to: give either --month or --from and --to"
                    .into(),
            });
        }
        (None, Some(from), Some(to)) => Window {
            from: window_bound("--from", from, zone)?,
            to: window_bound("--to", to, zone)?,
        },
        (None, Some(from), None) => {
            return Err(Error::Option {
                option: "--from",
                value: from.to_string(),
                fix: "needs --to: give the window's end too (or --month)".into(),
            });
        }
        (None, None, Some(to)) => {
            return Err(Error::Option {
                option: "--to",
                value: to.to_string(),
                fix: "needs --from: give the window's start too (or --month)".into(),
            });
        }
    };
    if window.from >= window.to {
        return Err(Error::Option {
            option: "--to",
            value: to.unwrap_or_default().to_string(),
            fix: format!(
                "is not after --from ({}): the window [from, to) must not be empty",
                zone.format(window.from)
            ),
        });
    }
    Ok(Some(window))
}

/// Everything a replaying command needs.
pub struct Job {
    pub runs: Vec<PlanRun>,
    /// The logs, how they are read, `--account`.
    pub inputs: Inputs,
    /// Lines for standard error that are not errors (a start taken from the log).
    pub(crate) notes: String,
    /// `--by`: the column (lower-case) accounts are broken down by.
    pub(crate) by: Option<String>,
    pub(crate) rules: AllocationRules,
    /// `--display-zone`: the zone times are shown in, when not the plan's.
    pub(crate) display_zone: Option<Zone>,
}

/// What a command asks of its inputs.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    /// Keep image names and scan id texts (the ledger, statistics).
    pub texts: bool,
    /// The command can replay files as it reads them (a single-plan report,
    /// a ledger written as it is made).
    pub may_stream: bool,
    /// `--by`: the log column whose values break accounts down.
    pub by: Option<String>,
    /// With `--by`: how what no group caused is shared out.
    pub rules: AllocationRules,
    /// `--month`, `--from`, `--to` as written (report and invoice).
    pub window: Option<BillWindowArgs>,
    /// The command heads unnamed plans side by side by their place ("plan
    /// 2": a report's comparison), so a plan of that name is refused.
    pub plans_numbered: bool,
}

impl Needs {
    /// `--month`, `--from`, `--to` (report and invoice).
    pub(crate) fn window(mut self, args: &BillWindowArgs) -> Self {
        self.window = Some(args.clone());
        self
    }

    /// `--by` and the allocation options of report and invoice.
    pub(crate) fn breakdown(mut self, args: &BreakdownArgs) -> Self {
        self.by = args.by.clone();
        self.rules = AllocationRules {
            unused_proportional: args.allocate_unused == Allocate::Proportional,
            shared_proportional: args.allocate_shared == Allocate::Proportional,
        };
        self
    }
}

/// A plan whose start may still have to come from the log.
enum Resolved {
    Ready(Box<Plan>),
    StartsAtFirstScan { spec: String, zone: Zone },
}

impl Job {
    /// Resolve `plans` against the inputs of `input` (and, of report,
    /// invoice and check, `--cores`: `cores_args` is `Some` for the commands
    /// that bill cores, and notes a plan that prices them without samples).
    pub fn build(
        plans: &[String],
        input: &InputArgs,
        cores_args: Option<&CoresArgs>,
        needs: Needs,
    ) -> Result<Job> {
        let cores_path = cores_args.and_then(|args| args.cores.as_deref());
        refuse_stdin_twice(&[
            ("--log", input.log.iter().any(|path| path == "-")),
            ("--cores", cores_path == Some("-")),
        ])?;
        let cores = match cores_args {
            Some(args) => match &args.cores {
                Some(path) => Some((
                    path.as_str(),
                    layout(
                        &args.cores_columns,
                        args.cores_delimiter.as_deref(),
                        ("--cores-column", "--cores-delimiter"),
                    )?,
                )),
                None => None,
            },
            None => None,
        };
        let resolved: Vec<Resolved> = plans
            .iter()
            .map(|spec| resolve_plan(spec, input.window.start.as_deref()))
            .collect::<Result<_>>()?;
        // Before any log is read: plans alike are refused at once (those
        // that start at the first scan are compared once it is read).
        let ready: Vec<&Plan> = (resolved.iter())
            .filter_map(|plan| match plan {
                Resolved::Ready(plan) => Some(&**plan),
                Resolved::StartsAtFirstScan { .. } => None,
            })
            .collect();
        refuse_plans_alike(&ready, true)?;
        // Places are known once every plan is: at once, unless a plan
        // starts at the first scan (then once the log is read).
        let all_ready = ready.len() == resolved.len();
        if needs.plans_numbered && all_ready {
            refuse_plan_named_as_numbered(&ready)?;
        }
        let mut zones: Vec<Zone> = Vec::new();
        for plan in &resolved {
            let zone = match plan {
                Resolved::Ready(plan) => plan.zone,
                Resolved::StartsAtFirstScan { zone, .. } => *zone,
            };
            if !zones.contains(&zone) {
                zones.push(zone);
            }
        }
        // `now` is read once: every plan is replayed to the same instant
        // (read per plan, a second could tick between two of them).
        let now = Utc::now().trunc_subsecs(0);
        let as_of_text = input.window.as_of.as_deref();
        // The instant each plan reads --as-of as, before a window caps it.
        let mut asked: Vec<(DateTime<Utc>, Zone)> = Vec::new();
        // What the command and its plans allow; the replay entry decides the rest.
        let one_pass = needs.may_stream
            && resolved.len() == 1
            && !resolved
                .iter()
                .any(|r| matches!(r, Resolved::StartsAtFirstScan { .. }));
        let by = needs.by.as_deref().map(|key| key.trim().to_lowercase());
        let read_options = ReadOptions {
            keep_texts: needs.texts,
            images_by_fingerprint: false,
            images_by_row: false,
            only_checked: false,
            group_column: by.clone(),
            formats: format_options(&input.formats),
            layout: layout(
                &input.formats.layout.columns,
                input.formats.layout.delimiter.as_deref(),
                ("--column", "--delimiter"),
            )?,
            log_zone: zone_option("--log-zone", input.formats.layout.log_zone.as_deref())?,
        };
        let display_zone = zone_option("--display-zone", input.window.display_zone.as_deref())?;
        let (paths, mut notes) = expand_paths(&input.log)?;
        let logs = crate::replay::open(paths, &zones, &read_options, one_pass)?;
        // After the read: a mapping a file refuses is not noted first.
        notes += &read_options.columns_read_as_others();
        if let Logs::Read(read) = &logs
            && let Some((_, log)) = read.first()
        {
            notes += &log.notes(&read_options)?;
        }
        let mut runs = Vec::with_capacity(resolved.len());
        for plan in resolved {
            let plan = match plan {
                Resolved::Ready(plan) => *plan,
                Resolved::StartsAtFirstScan { spec, zone } => {
                    let first = logs.read_in(zone).and_then(|log| log.events.first());
                    let start =
                        first
                            .map(|event| event.at)
                            .ok_or_else(|| Error::PlanWithoutStart {
                                plan: spec.clone(),
                                why: "the log has no scans to take it from".into(),
                            })?;
                    notes += &format!(
                        "scanquota: {spec} starts at {}, the first scan of the log; give --start to choose the purchase moment\n",
                        zone.format(start)
                    );
                    Plan::load(&spec, Some(start))?
                }
            };
            let window = match &needs.window {
                Some(args) => window(
                    args.month.as_deref(),
                    args.from.as_deref(),
                    args.to.as_deref(),
                    plan.zone,
                )?,
                None => None,
            };
            notes += &plan.notes();
            let (as_of, as_asked) = resolve_as_of_in(as_of_text, now, &plan, window)?;
            asked.push((as_asked, plan.zone));
            let brought_back = as_of < as_asked;
            if let (Some(text), Some(window), true) =
                (input.window.as_of.as_deref(), window, brought_back)
            {
                // Said out loud: the figures are as of another instant than
                // the one asked for (docs/invoice.md).
                let note = format!(
                    "scanquota: --as-of {text} is past the window's end ({}); the figures are as of {}\n",
                    plan.zone.format(window.to),
                    plan.zone.format(as_of)
                );
                if !notes.contains(&note) {
                    notes += &note;
                }
            }
            let core_days = match &cores {
                Some((path, layout)) => {
                    let (days, note) = core_days(path, layout, &plan, as_of)?;
                    // Once: several plans read the same samples.
                    if !notes.contains(&note) {
                        notes += &note;
                    }
                    Some(days)
                }
                None => {
                    // Said out loud: a plan that prices cores bills none
                    // without samples, and a report or invoice that leaves
                    // them out must not look complete (docs/decisions.md).
                    if cores_args.is_some() && plan.cores.is_some() {
                        notes += &format!(
                            "scanquota: the plan {} prices cores ([cores]) but no --cores file was given: no cores lines are billed; pass --cores FILE (hourly samples) to bill them\n",
                            plan.file
                        );
                    }
                    None
                }
            };
            runs.push(PlanRun {
                plan,
                as_of,
                core_days,
                window,
            });
        }
        refuse_as_of_apart(&asked, input.window.as_of.as_deref())?;
        let plans: Vec<&Plan> = runs.iter().map(|run| &run.plan).collect();
        refuse_plans_alike(&plans, true)?;
        if needs.plans_numbered && !all_ready {
            refuse_plan_named_as_numbered(&plans)?;
        }
        Ok(Job {
            runs,
            inputs: Inputs {
                logs,
                read_options,
                account: input.window.account.clone(),
            },
            notes,
            by,
            rules: needs.rules,
            display_zone,
        })
    }

    /// The `--by` breakdown, with the names of the groups the logs hold.
    pub(crate) fn breakdown(&self, names: Vec<String>) -> Option<Breakdown> {
        self.by.as_ref().map(|by| Breakdown {
            by: by.clone(),
            names,
            rules: self.rules,
        })
    }

    /// The periods `run` replays over; with `--by` its usages keep groups.
    pub(crate) fn schedule(&self, run: &PlanRun) -> Schedule {
        let mut schedule = Schedule::new(&run.plan, run.as_of);
        schedule.grouped = self.by.is_some();
        if let Some(zone) = self.display_zone {
            schedule.display = zone;
        }
        schedule
    }
}

/// A `--plan` value: a plan file (its own start, or `--start` for one that
/// omits it) or a built-in (`--start`, else the log's first scan).
fn resolve_plan(spec: &str, start: Option<&str>) -> Result<Resolved> {
    match Plan::load(spec, None) {
        Ok(plan) => match start {
            Some(text) => Err(Error::Option {
                option: "--start",
                value: text.to_string(),
                fix: format!(
                    "{spec} sets its own subscription.start ({}); drop --start or remove the plan's start",
                    plan.zone.format(plan.subscription.term.start)
                ),
            }),
            None => Ok(Resolved::Ready(Box::new(plan))),
        },
        Err(Error::StartMissing { location, zone }) => match start {
            Some(text) => {
                let start = parse_time("--start", text, zone)?;
                Ok(Resolved::Ready(Box::new(Plan::load(spec, Some(start))?)))
            }
            None if Plan::is_builtin(spec) => Ok(Resolved::StartsAtFirstScan {
                spec: spec.to_string(),
                zone,
            }),
            None => Err(Error::StartMissing { location, zone }),
        },
        Err(err) => Err(err),
    }
}

/// A plan standing on its own (no log to take a start from): `estimate` by
/// hand and `plan check`. A built-in without `--start` starts now, to the
/// minute.
pub(crate) fn plan_on_its_own(spec: &str, start: Option<&str>) -> Result<Plan> {
    match resolve_plan(spec, start)? {
        Resolved::Ready(plan) => Ok(*plan),
        Resolved::StartsAtFirstScan { spec, .. } => {
            let now = Utc::now().trunc_subsecs(0);
            let minute = now - TimeDelta::seconds(i64::from(now.timestamp() as u32 % 60));
            Plan::load(&spec, Some(minute))
        }
    }
}

/// A command-line time: the log's timestamp forms, or `YYYY-MM-DD HH:MM`.
fn parse_time(option: &'static str, text: &str, zone: Zone) -> Result<DateTime<Utc>> {
    let trimmed = text.trim();
    let with_seconds;
    let text_to_parse = if is_minutes_form(trimmed) {
        with_seconds = format!("{trimmed}:00");
        with_seconds.as_str()
    } else if trimmed.len() == 10 && NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").is_ok() {
        // A bare date as a purchase moment is that day's midnight.
        with_seconds = format!("{trimmed} 00:00:00");
        with_seconds.as_str()
    } else {
        trimmed
    };
    parse_timestamp(text_to_parse, zone).map_err(|err| Error::Option {
        option,
        value: text.to_string(),
        fix: format!("is not a usable time: {err}; YYYY-MM-DD and YYYY-MM-DD HH:MM work too"),
    })
}

/// One bound of a window of time (`ledger --from/--to`, invoice windows):
/// a bare date is 00:00 of that date in `zone` (the first instant of the
/// day where a zone skips midnight); a date-time is taken as written, in
/// `zone` when it has no offset (RFC 3339, `YYYY-MM-DD HH:MM[:SS]`, Unix
/// seconds).
pub(crate) fn window_bound(option: &'static str, text: &str, zone: Zone) -> Result<DateTime<Utc>> {
    let trimmed = text.trim();
    if trimmed.len() == 10
        && let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
    {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        return Ok(zone.resolve_boundary(midnight));
    }
    parse_time(option, text, zone)
}

/// `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM`.
fn is_minutes_form(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 16
        && matches!(bytes[10], b' ' | b'T')
        && bytes[13] == b':'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| matches!(i, 4 | 7 | 10 | 13) || b.is_ascii_digit())
}

/// `--as-of` in the plan's zone: `now` (the default, to the second), any
/// command-line time, or a bare date meaning the last instant of that local
/// day (the whole date is included; a period starting at the next midnight
/// is not).
/// `now` is read by the caller, once for every plan.
fn parse_as_of_at(text: Option<&str>, zone: Zone, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let text = match text.map(str::trim) {
        None | Some("now") => return Ok(now),
        Some(text) => text,
    };
    if text.len() == 10
        && let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
    {
        let next = date
            .checked_add_days(Days::new(1))
            .and_then(|next| next.and_hms_opt(0, 0, 0))
            .ok_or_else(|| Error::Option {
                option: "--as-of",
                value: text.to_string(),
                fix: "is past the last date scanquota handles (9999-12-31)".into(),
            })?;
        return Ok(crate::domain::zone::last_instant_before(
            zone.resolve_boundary(next),
        ));
    }
    parse_time("--as-of", text, zone)
}

/// Standard input given to two options (`--log -` and `--cores -`): the
/// first would read it all and the second find it empty, and be refused as
/// an empty file, which names the wrong problem. `uses`: each option that
/// takes a file, and whether it was given `-`.
pub(crate) fn refuse_stdin_twice(uses: &[(&'static str, bool)]) -> Result<()> {
    let mut given = uses
        .iter()
        .filter(|(_, stdin)| *stdin)
        .map(|(option, _)| *option);
    match (given.next(), given.next()) {
        (Some(first), Some(second)) => Err(Error::Option {
            option: second,
            value: "-".to_string(),
            fix: format!(
                "is standard input, which {first} reads already and can be read only once; give {second} a file"
            ),
        }),
        _ => Ok(()),
    }
}

/// Plans compared over one log are compared at one instant: a `--as-of`
/// without an offset (a bare date, a local time) is read in each plan's
/// zone, so plans in different zones would be metered to different
/// instants under one printed as-of.
/// `asked`: the instant each plan read `--as-of` as, and the plan's zone
/// (a window may then cap it in each plan's own zone, as it always has).
fn refuse_as_of_apart(asked: &[(DateTime<Utc>, Zone)], text: Option<&str>) -> Result<()> {
    let Some(first) = asked.first() else {
        return Ok(());
    };
    let Some(other) = asked.iter().find(|(at, _)| *at != first.0) else {
        return Ok(());
    };
    // A bare date's last instant, shown to the second as a report shows it.
    let instant = |(at, zone): &(DateTime<Utc>, Zone)| zone.format(at.trunc_subsecs(0));
    let shown = |asked: &(DateTime<Utc>, Zone)| format!("{} in {}", instant(asked), asked.1);
    Err(Error::Option {
        option: "--as-of",
        // `now` is one instant for every plan, so text was given.
        value: text.unwrap_or_default().to_string(),
        fix: format!(
            "is another instant in each plan's time zone ({}; {}); plans are compared at one instant: give --as-of with an offset, e.g. {}",
            shown(first),
            shown(other),
            instant(first)
        ),
    })
}

/// How far past the plan's start `--as-of` may be: the longest term a plan
/// may have.
const MAX_AS_OF_MONTHS: u32 = 1200;

/// `--as-of` for `plan` with a billing window: never past the last instant
/// before the window's end; and the instant asked for, which it is unless
/// the window brought it back.
pub(crate) fn resolve_as_of_in(
    text: Option<&str>,
    now: DateTime<Utc>,
    plan: &Plan,
    window: Option<Window>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let asked = parse_as_of_at(text, plan.zone, now)?;
    let as_of = window.map_or(asked, |window| asked.min(window.last_instant()));
    let earliest = plan
        .trial
        .as_ref()
        .map_or(plan.subscription.term.start, |trial| trial.start);
    // Named with its plan: plans compared side by side start apart.
    let key = if plan.trial.is_some() {
        "trial.start"
    } else {
        "subscription.start"
    };
    let start = format!("{}, {key} of {}", plan.zone.format(earliest), plan.file);
    if let Some(window) = window
        && window.last_instant() < earliest
    {
        return Err(Error::Option {
            option: "--to",
            value: plan.zone.format(window.to),
            fix: format!(
                "ends the window before the plan starts ({start}): nothing was posted; give a later window"
            ),
        });
    }
    if as_of < earliest {
        return Err(Error::Option {
            option: "--as-of",
            value: text.unwrap_or("now").to_string(),
            fix: format!(
                "is before the plan starts ({start}); nothing has happened yet — give a later --as-of"
            ),
        });
    }
    // Every account carries each period up to as-of, with a list of its
    // days: an open-ended plan read at the year 9000 is thousands of periods
    // an account, and a log of a few accounts would take gigabytes. A
    // hundred years is the longest term a plan may have (`months` ≤ 1200).
    if let Some(latest) = earliest.checked_add_months(chrono::Months::new(MAX_AS_OF_MONTHS))
        && as_of > latest
    {
        return Err(Error::Option {
            option: "--as-of",
            value: text.unwrap_or("now").to_string(),
            fix: format!(
                "is more than 100 years after the plan starts ({start}); give an --as-of up to {}",
                plan.zone.format(latest)
            ),
        });
    }
    // An open-ended plan's periods run on, but none may end after the year
    // 9999 (periods are printed with their ends): as-of stays before the
    // first that would, or the scans in it would bill as outside any cycle
    // while the plan reads as active.
    if let Some(until) = plan.subscription.term.open_until()
        && as_of >= until
    {
        return Err(Error::Option {
            option: "--as-of",
            value: text.unwrap_or("now").to_string(),
            fix: format!(
                "is in or after the cycle from {1} of the open-ended plan {0}, whose periods would end after the year 9999, the last scanquota handles; give an --as-of before {1}, or an `end` in the plan",
                plan.file,
                plan.zone.format(until)
            ),
        });
    }
    Ok((as_of, asked))
}

/// Plans compared side by side are told apart by their names: a plan
/// given twice, or two plans of one name (whose columns or blocks would
/// read the same, and `estimate` ranks them cheapest first), are refused.
/// Unnamed plans are told apart where a view numbers them in the order
/// given (`unnamed_numbered`: a report's "plan 1", "plan 2"), not where
/// each is titled "(unnamed plan)" (`estimate`).
pub(crate) fn refuse_plans_alike(plans: &[&Plan], unnamed_numbered: bool) -> Result<()> {
    // One plan is alike nothing (and its digest is not worth taking).
    if plans.len() < 2 {
        return Ok(());
    }
    let digests: Vec<String> = plans
        .iter()
        .map(|plan| crate::plan::plan_digest(plan))
        .collect();
    for (index, plan) in plans.iter().enumerate() {
        let alike = |e: usize| {
            digests[e] == digests[index]
                || ((!plan.name.is_empty() || !unnamed_numbered) && plans[e].name == plan.name)
        };
        let Some(e) = (0..index).find(|&e| alike(e)) else {
            continue;
        };
        let earlier = plans[e];
        let fix = if digests[e] == digests[index] {
            format!(
                "is the plan {} again (the same terms); give each plan once",
                earlier.file
            )
        } else {
            let name = match plan.name.as_str() {
                "" => "no name, as the plan".to_string(),
                name => format!("the name `{name}` of the plan"),
            };
            format!(
                "has {name} {} given before it, so the two could not be told apart side by side; give each plan its own `name`",
                earlier.file
            )
        };
        return Err(Error::Option {
            option: "--plan",
            value: plan.file.clone(),
            fix,
        });
    }
    Ok(())
}

/// Plans compared side by side, every one in the order given: a plan
/// named as an unnamed one is headed there ([`plan_heading`]: "plan 2")
/// would head a second column or block the same, and is refused.
fn refuse_plan_named_as_numbered(plans: &[&Plan]) -> Result<()> {
    for (at, unnamed) in plans
        .iter()
        .enumerate()
        .filter(|(_, plan)| plan.name.is_empty())
    {
        let (place, heading) = (at + 1, plan_heading("", at + 1));
        if let Some(plan) = plans.iter().find(|plan| plan.name == heading) {
            return Err(Error::Option {
                option: "--plan",
                value: plan.file.clone(),
                fix: format!(
                    "has the name `{heading}`, the heading side by side of the unnamed plan {} given {} (plans without a name are headed by their place); give either plan a `name` of its own",
                    unnamed.file,
                    ordinal(place)
                ),
            });
        }
    }
    Ok(())
}

/// "1st", "2nd", "3rd", "4th", … (11th to 13th too).
fn ordinal(place: usize) -> String {
    let suffix = match (place % 10, place % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{place}{suffix}")
}

/// Billable core days per account from `--cores`, and a note for stderr
/// when samples bill nothing.
fn core_days(
    path: &str,
    layout: &Layout,
    plan: &Plan,
    as_of: DateTime<Utc>,
) -> Result<(BTreeMap<String, Vec<CoreDay>>, String)> {
    let Some(cores) = &plan.cores else {
        return Err(Error::Option {
            option: "--cores",
            value: path.to_string(),
            fix: format!(
                "the plan {} has no [cores] section to price cores with; add one (licensed, daily_unit_price)",
                plan.file
            ),
        });
    };
    let samples = read_samples_laid_out(path, layout, plan.zone)?;
    let (days, unbilled) = billable_days_counted(plan, cores, &samples, as_of);
    let unread = layout.unread_notes(&[(
        "account",
        ", and every sample is billed to the account `default`",
    )]);
    Ok((days, unread + &unbilled.note().unwrap_or_default()))
}

/// `check`'s thresholds as exact decimals; at least one is required.
pub(crate) fn thresholds(args: &CheckArgs) -> Result<Thresholds> {
    let decimal = |flag: &'static str, text: &Option<String>| {
        text.as_deref().map(|t| threshold(flag, t)).transpose()
    };
    let thresholds = Thresholds {
        min_remaining: decimal("--min-remaining", &args.min_remaining)?,
        allowance: args.allowance.clone(),
        max_used_percent: decimal("--max-used-percent", &args.max_used_percent)?,
        max_projected_charges: decimal("--max-projected-charges", &args.max_projected_charges)?,
        max_projected_denied: decimal("--max-projected-denied", &args.max_projected_denied)?,
        expiring_within_days: args.expiring_within,
    };
    let asked = thresholds
        != Thresholds {
            allowance: thresholds.allowance.clone(),
            ..Thresholds::default()
        };
    if asked {
        Ok(thresholds)
    } else {
        Err(Error::NoCheck)
    }
}

/// `--inventory` (images known to exist) for `stats`, laid out as
/// `--inventory-column` and `--inventory-delimiter` say, and a note for
/// stderr when a mapping leaves its `source` column unread.
pub(crate) fn inventory(
    path: Option<&str>,
    args: &InventoryLayoutArgs,
) -> Result<(Vec<(Source, String)>, String)> {
    let layout = layout(
        &args.inventory_columns,
        args.inventory_delimiter.as_deref(),
        ("--inventory-column", "--inventory-delimiter"),
    )?;
    let Some(path) = path else {
        return Ok((Vec::new(), String::new()));
    };
    let images = read_inventory(path, &layout)?;
    let unread =
        layout.unread_notes(&[("source", ", and every image is counted as a registry image")]);
    Ok((images, unread))
}

/// `--column NAME=HEADER` values and a `--delimiter` (or their prefixed
/// forms, named by `options`) as a [`Layout`]; the names are checked against
/// the file's header when it is read.
pub(crate) fn layout(
    columns: &[String],
    delimiter: Option<&str>,
    options: (&'static str, &'static str),
) -> Result<Layout> {
    let (column_option, delimiter_option) = options;
    let mut renames = Vec::with_capacity(columns.len());
    for text in columns {
        let parts = text
            .split_once('=')
            .map(|(name, header)| (name.trim().to_lowercase(), header.trim().to_lowercase()));
        let Some((name, header)) = parts.filter(|(n, h)| !n.is_empty() && !h.is_empty()) else {
            return Err(Error::Option {
                option: column_option,
                value: text.clone(),
                fix: "is not NAME=HEADER; write the column scanquota reads, `=`, and your header, e.g. --column timestamp=time".into(),
            });
        };
        renames.push(Rename {
            name,
            header,
            written: text.trim().to_string(),
        });
    }
    let delimiter = match delimiter {
        None => b',',
        Some(text) => parse_delimiter(delimiter_option, text)?,
    };
    Ok(Layout {
        delimiter,
        delimiter_option,
        columns: renames,
        column_option,
    })
}

/// `--log-zone` or `--display-zone`: the plan's zone forms (a fixed offset
/// or an IANA name).
pub(crate) fn zone_option(option: &'static str, text: Option<&str>) -> Result<Option<Zone>> {
    let Some(text) = text else {
        return Ok(None);
    };
    Zone::parse(text.trim()).map(Some).ok_or_else(|| Error::Option {
        option,
        value: text.to_string(),
        fix: "is not a time zone; give a fixed offset such as +08:00 or Z, or an IANA name such as Europe/Berlin (the forms of a plan's timezone)".into(),
    })
}

/// A delimiter as written: `,` `;` `|`, a tab, or `\t` for one.
fn parse_delimiter(option: &'static str, text: &str) -> Result<u8> {
    match text {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "|" => Ok(b'|'),
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ => Err(Error::Option {
            option,
            value: text.escape_debug().to_string(),
            fix: "is not a delimiter scanquota reads; give `,`, `;`, `|` or `\\t` (a tab), quoted for the shell: --delimiter ';'".into(),
        }),
    }
}

/// `--vendor-stats`: the statistics the vendor's API returned, and notes
/// for stderr.
pub(crate) fn vendor_statistics(path: &str) -> Result<(serde_json::Value, String)> {
    crate::model::reconcile::read_vendor(path)
}

/// `scanquota import`'s arguments: the files (directories expanded), how
/// their documents are read, and lines for stderr (entries left out).
pub(crate) fn import_inputs(args: &ImportArgs) -> Result<(Vec<String>, FormatOptions, String)> {
    let format = match args.format {
        ImportFormat::Trivy => LogFormatArg::Trivy,
        ImportFormat::Grype => LogFormatArg::Grype,
        ImportFormat::Harbor => LogFormatArg::Harbor,
    };
    // Refused here, as a log row's account is when read: written into the
    // CSV, it would make a log every billing command refuses.
    if has_hidden(&args.account) {
        return Err(Error::Option {
            option: "--account",
            value: shown(&args.account).into_owned(),
            fix: format!("{HIDDEN_IN_ACCOUNT}: give the name without it"),
        });
    }
    let options = format_options(&FormatArgs {
        log_format: Some(format),
        rows: args.rows.clone(),
        layout: Default::default(),
    });
    let (paths, notes) = expand_paths(&args.files)?;
    Ok((paths, options, notes))
}

/// `--log-format`, `--source` and `--image-key` as the log reader takes them.
fn format_options(args: &FormatArgs) -> FormatOptions {
    FormatOptions {
        format: args.log_format.map(|format| match format {
            LogFormatArg::Csv => LogFormat::Csv,
            LogFormatArg::Jsonl => LogFormat::Jsonl,
            LogFormatArg::Trivy => LogFormat::Trivy,
            LogFormatArg::Grype => LogFormat::Grype,
            LogFormatArg::Harbor => LogFormat::Harbor,
        }),
        source: args.rows.source.map(|source| match source {
            SourceArg::Local => Source::Local,
            SourceArg::Registry => Source::Registry,
            SourceArg::Cicd => Source::Cicd,
        }),
        image_key: match args.rows.image_key {
            ImageKeyArg::Digest => ImageKey::Digest,
            ImageKeyArg::Id => ImageKey::Id,
            ImageKeyArg::Name => ImageKey::Name,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_as_of_at_now(text: Option<&str>, zone: Zone) -> Result<DateTime<Utc>> {
        parse_as_of_at(text, zone, Utc::now().trunc_subsecs(0))
    }

    fn zone(text: &str) -> Zone {
        Zone::parse(text).unwrap()
    }

    #[test]
    fn a_window_is_midnight_to_midnight_in_the_plans_zone() {
        let z = zone("+08:00");
        let december = window(Some("2024-12"), None, None, z).unwrap().unwrap();
        assert_eq!(z.format(december.from), "2024-12-01T00:00:00+08:00");
        assert_eq!(z.format(december.to), "2025-01-01T00:00:00+08:00");
        let written = window(None, Some("2024-04-20"), Some("2024-04-20 10:00"), z)
            .unwrap()
            .unwrap();
        assert_eq!(z.format(written.from), "2024-04-20T00:00:00+08:00");
        assert_eq!(z.format(written.to), "2024-04-20T10:00:00+08:00");
        assert!(written.contains(written.from) && !written.contains(written.to));
        assert_eq!(window(None, None, None, z).unwrap(), None);
        for (month, from, to) in [
            (Some("2024-4"), None, None),
            (Some("2024-04"), Some("2024-04-01"), None),
            (None, Some("2024-04-02"), Some("2024-04-02")),
            (None, None, Some("2024-04-02")),
        ] {
            let err = window(month, from, to, z).unwrap_err();
            assert_eq!(err.code(), 2, "{err}");
        }
    }

    #[test]
    fn a_bare_date_is_the_last_instant_of_that_local_day() {
        let as_of = parse_as_of_at_now(Some("2024-03-05"), zone("+08:00")).unwrap();
        assert_eq!(
            as_of,
            DateTime::parse_from_rfc3339("2024-03-05T15:59:59.999999999Z").unwrap()
        );
    }

    #[test]
    fn minutes_and_now_are_times() {
        let minutes = parse_as_of_at_now(Some("2024-03-05 10:30"), zone("+08:00")).unwrap();
        assert_eq!(
            minutes,
            DateTime::parse_from_rfc3339("2024-03-05T02:30:00Z").unwrap()
        );
        let t = parse_as_of_at_now(Some("2024-03-05T10:30"), zone("+08:00")).unwrap();
        assert_eq!(t, minutes);
        let now = parse_as_of_at_now(Some("now"), zone("+08:00")).unwrap();
        assert!((Utc::now() - now).num_seconds() < 5);
    }

    #[test]
    fn a_window_bound_is_midnight_of_a_bare_date_or_the_time_as_written() {
        let from = window_bound("--from", "2024-03-05", zone("+08:00")).unwrap();
        assert_eq!(
            from,
            DateTime::parse_from_rfc3339("2024-03-04T16:00:00Z").unwrap()
        );
        let to = window_bound("--to", "2024-03-05T10:00:00Z", zone("+08:00")).unwrap();
        assert_eq!(
            to,
            DateTime::parse_from_rfc3339("2024-03-05T10:00:00Z").unwrap()
        );
        let naive = window_bound("--to", "2024-03-05 10:00", zone("+08:00")).unwrap();
        assert_eq!(
            naive,
            DateTime::parse_from_rfc3339("2024-03-05T02:00:00Z").unwrap()
        );
        // A midnight the zone skips is the first instant of that day.
        let skipped = window_bound("--from", "2024-03-31", zone("America/Santiago"));
        assert!(skipped.is_ok());
        let err = window_bound("--from", "soon", zone("+08:00")).unwrap_err();
        assert!(err.to_string().contains("--from `soon`"), "{err}");
    }

    #[test]
    fn a_bad_time_names_the_option_and_the_forms() {
        let err = parse_as_of_at_now(Some("yesterday"), zone("+08:00")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("--as-of `yesterday`"), "{text}");
        assert!(text.contains("YYYY-MM-DD"), "{text}");
    }
}
