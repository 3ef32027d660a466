//! The billing plan: TOML → a validated plan with every default filled in.

pub(crate) mod builtin;
mod reader;

use crate::domain::error::{Error, Result};
use crate::domain::numbers::{Exact, MAX_SCALE, MAX_VALUE, format_units, priced};
use crate::domain::periods::{Reset, Term};
use crate::domain::zone::{Zone, parse_plan_timestamp};
use chrono::{DateTime, Days, Utc};
use reader::{Doc, Field, TableReader};
use rust_decimal::Decimal;
use serde::Serialize;

/// The most `[[allowance]]` tables a plan may hold. Every scan is drawn
/// through each allowance in turn, and every account's report holds each
/// allowance's periods, so their number multiplies the work and the memory
/// of a run (a 50 KB plan of 1 000 allowances over 50 years took 13 GB);
/// real plans have one to three.
pub(crate) const MAX_ALLOWANCES: usize = 100;

/// The most sizes an allowance's `allowed` may list.
pub(crate) const MAX_ALLOWED: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The file (or `builtin:NAME`) the plan was read from, for messages.
    pub(crate) file: String,
    pub(crate) name: String,
    pub(crate) currency: String,
    pub(crate) decimals: u32,
    pub zone: Zone,
    pub subscription: Subscription,
    pub trial: Option<Trial>,
    pub metering: Metering,
    pub(crate) allowances: Vec<Allowance>,
    pub(crate) topups: Vec<Topup>,
    pub(crate) overage: Overage,
    pub(crate) fees: Vec<Fee>,
    pub cores: Option<Cores>,
    /// `[provider]`: who sells the service, for FOCUS output.
    pub(crate) provider: Provider,
}

/// `[provider] name`, `service`: the seller and the service it bills for,
/// as FOCUS names them; unset, [`Plan::provider_name`] and
/// [`Plan::service_name`] fill in the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Provider {
    pub(crate) name: Option<String>,
    pub(crate) service: Option<String>,
}

/// The provider of a plan without `[provider] name`.
const DEFAULT_PROVIDER: &str = "Unspecified provider";
/// The service of a plan without `[provider] service` or `name`.
const DEFAULT_SERVICE: &str = "Container image scanning";

impl Plan {
    /// Who sells the service (FOCUS `ProviderName`, `PublisherName`,
    /// `InvoiceIssuerName`), its default filled in.
    pub(crate) fn provider_name(&self) -> String {
        self.provider
            .name
            .clone()
            .unwrap_or_else(|| DEFAULT_PROVIDER.to_string())
    }

    /// The service billed (FOCUS `ServiceName`): `[provider] service`, else
    /// the plan's name, else a default.
    pub(crate) fn service_name(&self) -> String {
        self.provider
            .service
            .clone()
            .or_else(|| (!self.name.is_empty()).then(|| self.name.clone()))
            .unwrap_or_else(|| DEFAULT_SERVICE.to_string())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub term: Term,
    /// The term length when written as `months`.
    pub(crate) months: Option<u32>,
    pub(crate) reminder_days: u32,
    pub(crate) grace_days: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    pub start: DateTime<Utc>,
    pub(crate) days: u32,
    pub(crate) end: DateTime<Utc>,
}

impl Trial {
    pub(crate) fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RepeatWindow {
    Ever,
    Cycle,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Metering {
    pub(crate) first_scan_units: Decimal,
    pub repeat_scan_units: Decimal,
    pub(crate) repeat_window: RepeatWindow,
    pub(crate) count_failed: bool,
    /// `[[metering.change]]`, in time order: each the whole rule in force
    /// from its `at` (keys it leaves out carried over from the rule before).
    pub(crate) changes: Vec<MeteringChange>,
}

/// The metering rule in force from `at` on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MeteringChange {
    pub(crate) at: DateTime<Utc>,
    pub(crate) first_scan_units: Decimal,
    pub(crate) repeat_scan_units: Decimal,
    pub(crate) count_failed: bool,
}

/// A price in force from `at` on (`[[allowance.price_change]]`,
/// `[[overage.price_change]]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PriceChange {
    pub(crate) at: DateTime<Utc>,
    pub(crate) unit_price: Decimal,
}

/// The price in force at `at`: `base`, or the last change made at or before it.
pub(crate) fn price_at(base: Decimal, changes: &[PriceChange], at: DateTime<Utc>) -> Decimal {
    match changes.partition_point(|change| change.at <= at) {
        0 => base,
        n => changes[n - 1].unit_price,
    }
}

impl Metering {
    /// `(first_scan_units, repeat_scan_units, count_failed)` in force at `at`.
    pub(crate) fn rule_at(&self, at: DateTime<Utc>) -> (Decimal, Decimal, bool) {
        match self.changes.partition_point(|change| change.at <= at) {
            0 => (
                self.first_scan_units,
                self.repeat_scan_units,
                self.count_failed,
            ),
            n => {
                let change = &self.changes[n - 1];
                (
                    change.first_scan_units,
                    change.repeat_scan_units,
                    change.count_failed,
                )
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AllowanceKind {
    Free,
    Prepaid,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Allowance {
    pub(crate) name: String,
    pub(crate) kind: AllowanceKind,
    pub(crate) units: Decimal,
    pub(crate) reset: Reset,
    /// Price of one unit; zero for free allowances.
    pub(crate) unit_price: Decimal,
    pub(crate) step: Option<Decimal>,
    pub(crate) allowed: Vec<Decimal>,
    /// `[[allowance.price_change]]`, in time order.
    pub(crate) price_changes: Vec<PriceChange>,
}

impl Allowance {
    /// The price of one unit in force at `at`.
    pub(crate) fn price_at(&self, at: DateTime<Utc>) -> Decimal {
        price_at(self.unit_price, &self.price_changes, at)
    }

    /// Whether `units` is a purchase this allowance can be bought in.
    pub(crate) fn accepts(&self, units: Decimal) -> bool {
        if self.step.is_none() && self.allowed.is_empty() {
            return true;
        }
        let on_step = self
            .step
            .is_some_and(|step| !step.is_zero() && (units % step).is_zero());
        on_step || self.allowed.contains(&units)
    }

    fn purchase_hint(&self) -> String {
        let mut parts = Vec::new();
        if let Some(step) = self.step {
            parts.push(format!("a multiple of {}", format_units(step)));
        }
        if !self.allowed.is_empty() {
            let listed: Vec<_> = self.allowed.iter().map(|u| format_units(*u)).collect();
            parts.push(format!("one of {}", listed.join(", ")));
        }
        parts.join(" or ")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Topup {
    /// Index into `Plan::allowances`.
    pub(crate) allowance: usize,
    pub(crate) at: DateTime<Utc>,
    pub(crate) units: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum OveragePolicy {
    Deny,
    Bill,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Overage {
    pub(crate) policy: OveragePolicy,
    /// `None` with `bill`: overage is reported unpriced.
    pub(crate) unit_price: Option<Decimal>,
    /// The overage period: one overage line (or one per tier) each, posted at its end.
    pub(crate) period: Reset,
    /// `[[overage.tier]]` in ascending order, the last open; empty: untiered.
    pub(crate) tiers: Vec<Tier>,
    pub(crate) tier_mode: TierMode,
    /// `[[overage.price_change]]`, in time order (never with tiers).
    pub(crate) price_changes: Vec<PriceChange>,
}

/// One overage tier: the units of the overage period at positions up to
/// `up_to` (inclusive; `None`: no bound), after the tier before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tier {
    pub(crate) up_to: Option<Decimal>,
    /// `None`: the tier's units are reported unpriced.
    pub(crate) unit_price: Option<Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TierMode {
    /// Each overage unit at the price of the tier its position falls in.
    Graduated,
    /// All of the period's overage units at the price of the tier its total reaches.
    Volume,
}

/// A tier's bounds as a line shows it: units after `from` up to `up_to`
/// (inclusive), counted over the overage period; `number` from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct TierRange {
    pub(crate) number: usize,
    pub(crate) from: Decimal,
    pub(crate) up_to: Option<Decimal>,
}

impl Overage {
    /// Tier `index`'s range.
    pub(crate) fn tier_range(&self, index: usize) -> TierRange {
        TierRange {
            number: index + 1,
            from: match index {
                0 => Decimal::ZERO,
                _ => self.tiers[index - 1].up_to.unwrap_or(Decimal::ZERO),
            },
            up_to: self.tiers[index].up_to,
        }
    }

    /// The tier a cumulative count of `position` units falls in (inclusive bounds).
    pub(crate) fn tier_of(&self, position: Decimal) -> usize {
        self.tiers
            .iter()
            .position(|tier| tier.up_to.is_none_or(|up_to| position <= up_to))
            .unwrap_or(self.tiers.len().saturating_sub(1))
    }

    /// How many ways overage units are told apart within a period: one per
    /// tier (graduated), one per price in force (untiered), else one.
    pub(crate) fn buckets(&self) -> usize {
        if self.tiers.is_empty() {
            1 + self.price_changes.len()
        } else if self.tier_mode == TierMode::Graduated {
            self.tiers.len()
        } else {
            1
        }
    }

    /// Whether some overage has a price.
    pub(crate) fn priced(&self) -> bool {
        self.unit_price.is_some()
            || !self.price_changes.is_empty()
            || self.tiers.iter().any(|tier| tier.unit_price.is_some())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fee {
    pub(crate) name: String,
    pub(crate) quantity: Decimal,
    pub(crate) unit_price: Decimal,
    pub(crate) step: Option<Decimal>,
    pub(crate) minimum: Option<Decimal>,
    pub(crate) min_months: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cores {
    pub(crate) licensed: Decimal,
    pub(crate) daily_unit_price: Decimal,
    pub(crate) daily_cap: Option<Decimal>,
}

impl Plan {
    /// Notes on dated changes that fall outside the term, one line each
    /// (empty when none): before the start a change is in force from the
    /// start (unless a later one also is), at or after the end it never
    /// applies. Neither is an
    /// error (a plan may keep a vendor's price history, and the start may
    /// come from `--start`), but neither may pass unsaid.
    pub(crate) fn notes(&self) -> String {
        let term = &self.subscription.term;
        let mut dated: Vec<(String, DateTime<Utc>)> = self
            .metering
            .changes
            .iter()
            .enumerate()
            .map(|(n, change)| (format!("metering.change[{n}].at"), change.at))
            .collect();
        for (a, allowance) in self.allowances.iter().enumerate() {
            dated.extend(
                allowance
                    .price_changes
                    .iter()
                    .enumerate()
                    .map(|(n, change)| (format!("allowance[{a}].price_change[{n}].at"), change.at)),
            );
        }
        dated.extend(
            self.overage
                .price_changes
                .iter()
                .enumerate()
                .map(|(n, change)| (format!("overage.price_change[{n}].at"), change.at)),
        );
        // Of the changes of one list dated before the start, only the last
        // is ever in force: the ones before it never apply.
        let list_of = |key: &str| key[..key.rfind('[').unwrap_or(0)].to_string();
        let last_before_start: Vec<bool> = dated
            .iter()
            .enumerate()
            .map(|(n, (key, at))| {
                *at < term.start
                    && !dated[n + 1..].iter().any(|(other, later)| {
                        list_of(other) == list_of(key) && *later <= term.start
                    })
            })
            .collect();
        let mut notes = String::new();
        for ((key, at), last_before_start) in dated.into_iter().zip(last_before_start) {
            let when = self.zone.format(at);
            if at < term.start && !last_before_start {
                notes += &format!(
                    "scanquota: note: {}: {key} {when} is before the subscription starts ({}), and a later change takes effect by then: it is never in force itself\n",
                    self.file,
                    self.zone.format(term.start)
                );
            } else if at < term.start {
                notes += &format!(
                    "scanquota: note: {}: {key} {when} is before the subscription starts ({}): it is in force from the start, and the rule or price it replaces never applies\n",
                    self.file,
                    self.zone.format(term.start)
                );
            } else if let Some(end) = term.end.filter(|end| at >= *end) {
                notes += &format!(
                    "scanquota: note: {}: {key} {when} is at or after the term's end ({}): it never applies\n",
                    self.file,
                    self.zone.format(end)
                );
            }
        }
        notes
    }

    /// Read and validate a plan file; `file` names it in messages.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Plan> {
        Plan::from_bytes_starting(file, bytes, None)
    }

    /// [`Plan::from_bytes`], `start` standing in for a missing start.
    fn from_bytes_starting(file: &str, bytes: &[u8], start: Option<DateTime<Utc>>) -> Result<Plan> {
        let text = std::str::from_utf8(bytes).map_err(|err| {
            let doc = Doc {
                file,
                text: std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or(""),
            };
            doc.error(
                &(err.valid_up_to()..err.valid_up_to()),
                "",
                "the file is not UTF-8 text; save it as UTF-8",
            )
        })?;
        Plan::parse(file, text, start)
    }

    /// Test-only: a plan file read whole (`testkit`).
    #[cfg(feature = "testkit")]
    pub fn from_path(path: &str) -> Result<Plan> {
        let bytes = crate::domain::limits::read_whole(
            path,
            crate::domain::limits::MAX_PLAN_BYTES,
            "a plan file",
        )?;
        Plan::from_bytes(path, &bytes)
    }

    #[allow(clippy::should_implement_trait)]
    pub fn from_str(file: &str, text: &str) -> Result<Plan> {
        Plan::parse(file, text, None)
    }

    /// Load `builtin:NAME` or a plan file. `start` stands in for a missing
    /// `subscription.start` (built-ins never write one); without it, a plan
    /// lacking a start is [`Error::StartMissing`].
    pub(crate) fn load(spec: &str, start: Option<DateTime<Utc>>) -> Result<Plan> {
        match builtin::lookup(spec) {
            Some(Ok(found)) => Plan::parse(spec, found.toml, start),
            Some(Err(names)) => Err(Error::Option {
                option: "--plan",
                value: spec.to_string(),
                fix: format!("is no built-in plan; use one of {names} (see `scanquota plan list`)"),
            }),
            None => {
                let bytes = crate::domain::limits::read_whole(
                    spec,
                    crate::domain::limits::MAX_PLAN_BYTES,
                    "a plan file",
                )?;
                Plan::from_bytes_starting(spec, &bytes, start)
            }
        }
    }

    /// Whether a `--plan` value names a built-in plan.
    pub(crate) fn is_builtin(spec: &str) -> bool {
        spec.starts_with(builtin::PREFIX)
    }

    /// Parse plan text; `default_start` is used when `subscription.start` is absent.
    pub(crate) fn parse(
        file: &str,
        text: &str,
        default_start: Option<DateTime<Utc>>,
    ) -> Result<Plan> {
        let doc = Doc { file, text };
        let root = toml::de::DeTable::parse(text).map_err(|err| {
            let span = err.span().unwrap_or(0..0);
            doc.error(
                &span,
                "",
                format!("invalid TOML: {}; fix the syntax", err.message().trim()),
            )
        })?;
        let span = root.span();
        let reader = TableReader::new(&doc, String::new(), span, root.into_inner());
        read_plan(&doc, reader, default_start)
    }
}

const ROOT_KEYS: &[&str] = &[
    "name",
    "currency",
    "decimals",
    "timezone",
    "subscription",
    "trial",
    "metering",
    "allowance",
    "topup",
    "overage",
    "fee",
    "cores",
    "provider",
];

fn read_plan(
    doc: &Doc<'_>,
    mut root: TableReader<'_, '_, '_>,
    default_start: Option<DateTime<Utc>>,
) -> Result<Plan> {
    let name = root.string("name")?.map(|f| f.value).unwrap_or_default();
    let currency = match root.string("currency")? {
        Some(field) => {
            let code = &field.value;
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(field.error(
                    doc,
                    "is not an ISO 4217 code; write three capital letters such as USD or CNY",
                ));
            }
            field.value
        }
        None => "USD".to_string(),
    };
    let decimals = root.whole("decimals", 8)?.map_or(2, |f| f.value);
    let zone = match root.string("timezone")? {
        Some(field) => Zone::parse(&field.value).ok_or_else(|| {
            field.error(doc, "is not a time zone; write a fixed offset such as +08:00 or an IANA name such as Asia/Shanghai")
        })?,
        None => Zone::default(),
    };

    let mut subscription_table = root
        .table("subscription")?
        .ok_or_else(|| root.missing("subscription", "{ start = 2024-03-15T14:00:00+08:00 }"))?;
    let subscription = read_subscription(doc, &mut subscription_table, zone, default_start)?;
    subscription_table.finish(&["start", "months", "end", "reminder_days", "grace_days"])?;

    let trial = match root.table("trial")? {
        Some(mut table) => {
            let trial = read_trial(doc, &mut table, zone, &subscription)?;
            table.finish(&["start", "days"])?;
            Some(trial)
        }
        None => None,
    };

    let metering = match root.table("metering")? {
        Some(mut table) => {
            let metering = read_metering(doc, &mut table, zone)?;
            table.finish(&[
                "first_scan_units",
                "repeat_scan_units",
                "repeat_window",
                "count_failed",
                "change",
            ])?;
            metering
        }
        None => Metering {
            first_scan_units: Decimal::ONE,
            repeat_scan_units: Decimal::ONE,
            repeat_window: RepeatWindow::Ever,
            count_failed: false,
            changes: Vec::new(),
        },
    };

    let mut allowances: Vec<Allowance> = Vec::new();
    for mut table in root.tables("allowance")? {
        if allowances.len() == MAX_ALLOWANCES {
            return Err(table.table_error(format!(
                "is one [[allowance]] more than the {MAX_ALLOWANCES} a plan may hold; merge allowances that reset and are priced alike"
            )));
        }
        let mut allowance = read_allowance(doc, &mut table, &allowances)?;
        allowance.price_changes = read_price_changes(doc, &mut table, zone)?;
        if allowance.kind == AllowanceKind::Free && !allowance.price_changes.is_empty() {
            return Err(table.key_error(
                "price_change",
                "prices a free allowance; remove it (or use kind = \"prepaid\")",
            ));
        }
        table.finish(&[
            "name",
            "kind",
            "units",
            "reset",
            "unit_price",
            "step",
            "allowed",
            "price_change",
        ])?;
        allowances.push(allowance);
    }

    let mut topups = Vec::new();
    for mut table in root.tables("topup")? {
        topups.push(read_topup(
            doc,
            &mut table,
            zone,
            &allowances,
            &subscription,
        )?);
        table.finish(&["allowance", "at", "units"])?;
    }
    topups.sort_by_key(|t: &Topup| t.at);

    let overage = match root.table("overage")? {
        Some(mut table) => {
            let overage = read_overage(doc, &mut table, zone)?;
            table.finish(&[
                "policy",
                "unit_price",
                "period",
                "tier_mode",
                "tier",
                "price_change",
            ])?;
            overage
        }
        None => Overage {
            policy: OveragePolicy::Deny,
            unit_price: None,
            period: Reset::Cycle,
            tiers: Vec::new(),
            tier_mode: TierMode::Graduated,
            price_changes: Vec::new(),
        },
    };

    let mut fees: Vec<Fee> = Vec::new();
    for mut table in root.tables("fee")? {
        let fee = read_fee(doc, &mut table, &subscription, &fees)?;
        table.finish(&[
            "name",
            "quantity",
            "unit_price",
            "step",
            "minimum",
            "min_months",
        ])?;
        fees.push(fee);
    }

    let cores = match root.table("cores")? {
        Some(mut table) => {
            let cores = read_cores(doc, &mut table)?;
            table.finish(&["licensed", "daily_unit_price", "daily_cap"])?;
            Some(cores)
        }
        None => None,
    };
    let provider = match root.table("provider")? {
        Some(mut table) => {
            let mut text = |key: &str| -> Result<Option<String>> {
                match table.string(key)? {
                    Some(field) if field.value.trim().is_empty() => Err(field.error(
                        doc,
                        "is empty; write a name such as \"Tencent Cloud\", or leave the key out",
                    )),
                    Some(field) => Ok(Some(field.value)),
                    None => Ok(None),
                }
            };
            let provider = Provider {
                name: text("name")?,
                service: text("service")?,
            };
            table.finish(&["name", "service"])?;
            provider
        }
        None => Provider::default(),
    };
    root.finish(ROOT_KEYS)?;
    refuse_lines_too_long(doc.file, decimals, &allowances, &topups, &fees)?;

    Ok(Plan {
        file: doc.file.to_string(),
        name,
        currency,
        decimals,
        zone,
        subscription,
        trial,
        metering,
        allowances,
        topups,
        overage,
        fees,
        cores,
        provider,
    })
}

fn instant(doc: &Doc<'_>, field: &Field<String>, zone: Zone) -> Result<DateTime<Utc>> {
    parse_plan_timestamp(&field.value, zone)
        .map_err(|err| field.error(doc, format!("is not a usable date-time; {err}")))
}

/// A non-negative decimal within the accepted size, with at most `MAX_SCALE` fractional digits.
fn amount(doc: &Doc<'_>, field: Field<Decimal>) -> Result<Decimal> {
    let value = field.value;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(field.error(doc, "is negative; write zero or more"));
    }
    if value > MAX_VALUE {
        return Err(field.error(
            doc,
            "is too large; the largest accepted value is 1000000000000",
        ));
    }
    if value.normalize().scale() > MAX_SCALE {
        return Err(field.error(
            doc,
            format!("has too many decimal places; write at most {MAX_SCALE}"),
        ));
    }
    Ok(value.normalize())
}

fn optional_amount(doc: &Doc<'_>, field: Option<Field<Decimal>>) -> Result<Option<Decimal>> {
    field.map(|f| amount(doc, f)).transpose()
}

fn read_subscription(
    doc: &Doc<'_>,
    table: &mut TableReader<'_, '_, '_>,
    zone: Zone,
    default_start: Option<DateTime<Utc>>,
) -> Result<Subscription> {
    let start_field = table.datetime_text("start")?;
    let start = match (&start_field, default_start) {
        (Some(field), _) => instant(doc, field, zone)?,
        (None, Some(start)) => start,
        (None, None) => return Err(table.start_missing(zone)),
    };
    let months = table.whole("months", 1200)?;
    let end = table.datetime_text("end")?;
    let open = Term::new(zone, start, None);
    let (term, month_count) = match (months, end) {
        (Some(months), Some(end)) => {
            return Err(end.error(
                doc,
                format!(
                    "cannot be given together with `{}`; keep one of them",
                    months.path
                ),
            ));
        }
        (Some(months), None) => {
            if months.value == 0 {
                return Err(months.error(doc, "is too short; a term lasts at least 1 month"));
            }
            let term = Term::with_months(zone, start, months.value)
                .ok_or_else(|| months.error(doc, "ends after the year 9999; write fewer months"))?;
            (term, Some(months.value))
        }
        (None, Some(end_field)) => {
            let end = instant(doc, &end_field, zone)?;
            if end <= start {
                return Err(end_field.error(
                    doc,
                    format!(
                        "is not after subscription.start ({}); write a later end",
                        zone.format(start)
                    ),
                ));
            }
            (Term::new(zone, start, Some(end)), None)
        }
        (None, None) => {
            // Every period is printed with its end, and no instant past
            // 9999-12-31 is: an open-ended term must have a first cycle.
            if open.cycle(0).is_none() {
                const FIX: &str = "starts an open-ended term whose first cycle would end after the year 9999, the last scanquota handles; give an earlier start, or an `end`";
                return Err(match &start_field {
                    Some(field) => field.error(doc, FIX),
                    None => Error::Option {
                        option: "--start",
                        value: zone.format(start),
                        fix: FIX.into(),
                    },
                });
            }
            (open, None)
        }
    };
    let reminder_days = table.whole("reminder_days", 365)?.map_or(7, |f| f.value);
    let grace_days = table.whole("grace_days", 365)?.map_or(5, |f| f.value);
    Ok(Subscription {
        term,
        months: month_count,
        reminder_days,
        grace_days,
    })
}

/// `instant` plus whole local calendar days.
pub(crate) fn add_local_days(
    zone: Zone,
    instant: DateTime<Utc>,
    days: u32,
) -> Option<DateTime<Utc>> {
    let local = zone
        .local_naive(instant)
        .checked_add_days(Days::new(u64::from(days)))?;
    Some(zone.resolve_boundary(local))
}

/// `instant` minus whole local calendar days.
pub(crate) fn sub_local_days(
    zone: Zone,
    instant: DateTime<Utc>,
    days: u32,
) -> Option<DateTime<Utc>> {
    let local = zone
        .local_naive(instant)
        .checked_sub_days(Days::new(u64::from(days)))?;
    Some(zone.resolve_boundary(local))
}

fn read_trial(
    doc: &Doc<'_>,
    table: &mut TableReader<'_, '_, '_>,
    zone: Zone,
    subscription: &Subscription,
) -> Result<Trial> {
    let start_field = table
        .datetime_text("start")?
        .ok_or_else(|| table.missing("start", "2024-03-08T14:00:00+08:00"))?;
    let start = instant(doc, &start_field, zone)?;
    let days_field = table
        .whole("days", 366)?
        .ok_or_else(|| table.missing("days", "7"))?;
    // A trial of no days covers no scan: a plan that says it has one and
    // bills every scan is a mistake, as docs/plan.md's range says.
    if days_field.value == 0 {
        return Err(days_field.error(
            doc,
            "is out of range; write a whole number from 1 to 366, or leave out [trial]",
        ));
    }
    let end = add_local_days(zone, start, days_field.value)
        .ok_or_else(|| days_field.error(doc, "ends after the year 9999"))?;
    if end > subscription.term.start {
        return Err(days_field.error(
            doc,
            format!(
                "makes the trial end at {}, after subscription.start {}; the trial must end at or before the subscription starts",
                zone.format(end),
                zone.format(subscription.term.start)
            ),
        ));
    }
    Ok(Trial {
        start,
        days: days_field.value,
        end,
    })
}

fn read_metering(
    doc: &Doc<'_>,
    table: &mut TableReader<'_, '_, '_>,
    zone: Zone,
) -> Result<Metering> {
    let first_scan_units =
        optional_amount(doc, table.decimal("first_scan_units")?)?.unwrap_or(Decimal::ONE);
    let repeat_scan_units =
        optional_amount(doc, table.decimal("repeat_scan_units")?)?.unwrap_or(Decimal::ONE);
    let repeat_window = match table.string("repeat_window")? {
        None => RepeatWindow::Ever,
        Some(field) => match field.value.as_str() {
            "ever" => RepeatWindow::Ever,
            "cycle" => RepeatWindow::Cycle,
            _ => {
                return Err(field.error(doc, "is not a repeat window; write \"ever\" or \"cycle\""));
            }
        },
    };
    let count_failed = table.boolean("count_failed")?.is_some_and(|f| f.value);
    let mut changes: Vec<MeteringChange> = Vec::new();
    for mut change in table.tables("change")? {
        let at_field = change
            .datetime_text("at")?
            .ok_or_else(|| change.missing("at", "2024-10-01T00:00:00+08:00"))?;
        let at = instant(doc, &at_field, zone)?;
        let (first, repeat, failed) = changes
            .last()
            .map_or((first_scan_units, repeat_scan_units, count_failed), |c| {
                (c.first_scan_units, c.repeat_scan_units, c.count_failed)
            });
        if let Some(before) = changes.last()
            && at <= before.at
        {
            return Err(at_field.error(
                doc,
                format!(
                    "is not after the change before it ({}); list [[metering.change]] in ascending `at`",
                    zone.format(before.at)
                ),
            ));
        }
        let first_field = change.decimal("first_scan_units")?;
        let repeat_field = change.decimal("repeat_scan_units")?;
        let failed_field = change.boolean("count_failed")?;
        let changes_something =
            first_field.is_some() || repeat_field.is_some() || failed_field.is_some();
        let first_scan_units = optional_amount(doc, first_field)?.unwrap_or(first);
        let repeat_scan_units = optional_amount(doc, repeat_field)?.unwrap_or(repeat);
        let count_failed = failed_field.map_or(failed, |f| f.value);
        change.finish(&[
            "at",
            "first_scan_units",
            "repeat_scan_units",
            "count_failed",
        ])?;
        if !changes_something {
            return Err(at_field.error(
                doc,
                "starts a change that changes nothing; give first_scan_units, repeat_scan_units or count_failed, or remove the change",
            ));
        }
        changes.push(MeteringChange {
            at,
            first_scan_units,
            repeat_scan_units,
            count_failed,
        });
    }
    Ok(Metering {
        first_scan_units,
        repeat_scan_units,
        repeat_window,
        count_failed,
        changes,
    })
}

/// A line the plan prices by itself (a fee; a prepaid allowance's units,
/// alone and with each top-up in turn, at each of its prices) must be an
/// amount at the plan's decimals: the billing commands would refuse it at
/// every as-of (a top-up is projected before it posts), so `plan check`
/// does.
fn refuse_lines_too_long(
    file: &str,
    decimals: u32,
    allowances: &[Allowance],
    topups: &[Topup],
    fees: &[Fee],
) -> Result<()> {
    let too_long = |what: String, fix: &str| {
        Error::overflow(
            format!("{file}: {what}"),
            format!("{fix}, or give fewer decimals"),
        )
    };
    for fee in fees {
        if priced(fee.quantity, fee.unit_price, decimals).is_none() {
            return Err(too_long(
                format!("[[fee]] {}: quantity × unit_price", fee.name),
                "write a smaller quantity or unit_price",
            ));
        }
    }
    for (index, allowance) in allowances.iter().enumerate() {
        let prices = std::iter::once(allowance.unit_price).chain(
            allowance
                .price_changes
                .iter()
                .map(|change| change.unit_price),
        );
        // The units in force: alone, then with each top-up in turn (a
        // top-up's line is the difference of two such amounts).
        let mut in_force = vec![allowance.units];
        for topup in topups.iter().filter(|topup| topup.allowance == index) {
            let last = in_force[in_force.len() - 1];
            in_force.push(last.exact_add(topup.units).unwrap_or(Decimal::MAX));
        }
        for price in prices {
            if in_force
                .iter()
                .any(|units| priced(*units, price, decimals).is_none())
            {
                return Err(too_long(
                    format!(
                        "[[allowance]] {}: units × unit_price (with top-ups)",
                        allowance.name
                    ),
                    "write smaller units, unit_price or top-up units",
                ));
            }
        }
    }
    Ok(())
}

/// `[[KEY.price_change]]` of `table`: `at` ascending, each with a `unit_price`.
fn read_price_changes(
    doc: &Doc<'_>,
    table: &mut TableReader<'_, '_, '_>,
    zone: Zone,
) -> Result<Vec<PriceChange>> {
    let mut changes: Vec<PriceChange> = Vec::new();
    for mut change in table.tables("price_change")? {
        let at_field = change
            .datetime_text("at")?
            .ok_or_else(|| change.missing("at", "2024-10-01T00:00:00+08:00"))?;
        let at = instant(doc, &at_field, zone)?;
        if let Some(before) = changes.last()
            && at <= before.at
        {
            return Err(at_field.error(
                doc,
                format!(
                    "is not after the price change before it ({}); list price changes in ascending `at`",
                    zone.format(before.at)
                ),
            ));
        }
        let unit_price = match change.decimal("unit_price")? {
            Some(field) => amount(doc, field)?,
            None => return Err(change.missing("unit_price", "0.30")),
        };
        change.finish(&["at", "unit_price"])?;
        changes.push(PriceChange { at, unit_price });
    }
    Ok(changes)
}

fn read_allowance(
    doc: &Doc<'_>,
    table: &mut TableReader<'_, '_, '_>,
    earlier: &[Allowance],
) -> Result<Allowance> {
    let name_field = table
        .string("name")?
        .ok_or_else(|| table.missing("name", "\"quota\""))?;
    if name_field.value.trim().is_empty() {
        return Err(name_field.error(doc, "is empty; give the allowance a name"));
    }
    if earlier.iter().any(|a| a.name == name_field.value) {
        return Err(name_field.error(
            doc,
            "is already the name of an earlier allowance; names must be unique",
        ));
    }
    // The ledger writes a row's draws as `name:units;name:units`: a name
    // holding either separator would read as other draws.
    if name_field.value.contains([':', ';']) {
        return Err(name_field.error(
            doc,
            "holds `:` or `;`, which separate the ledger's draws (`quota:1;free:0.2`); name the allowance without them",
        ));
    }
    let kind = match table.string("kind")? {
        None => AllowanceKind::Prepaid,
        Some(field) => match field.value.as_str() {
            "free" => AllowanceKind::Free,
            "prepaid" => AllowanceKind::Prepaid,
            _ => {
                return Err(field.error(
                    doc,
                    "is not an allowance kind; write \"free\" or \"prepaid\"",
                ));
            }
        },
    };
    let units_field = table
        .decimal("units")?
        .ok_or_else(|| table.missing("units", "300"))?;
    let reset = match table.string("reset")? {
        None => Reset::Cycle,
        Some(field) => match field.value.as_str() {
            "cycle" => Reset::Cycle,
            "calendar-month" => Reset::CalendarMonth,
            _ => {
                return Err(
                    field.error(doc, "is not a reset; write \"cycle\" or \"calendar-month\"")
                );
            }
        },
    };
    let unit_price = match table.decimal("unit_price")? {
        Some(field) if kind == AllowanceKind::Free && !field.value.is_zero() => {
            return Err(field.error(
                doc,
                "prices a free allowance; remove it or write 0 (or use kind = \"prepaid\")",
            ));
        }
        field => optional_amount(doc, field)?.unwrap_or(Decimal::ZERO),
    };
    let step = match table.decimal("step")? {
        Some(field) if field.value.is_zero() => {
            return Err(field.error(doc, "is zero; write a positive step such as 300"));
        }
        field => optional_amount(doc, field)?,
    };
    let allowed_fields = table.decimals("allowed")?;
    // `estimate` weighs every size for every account: a list as long as
    // the plan file allows (some 120 000 values) took minutes on a log of
    // a few thousand accounts. Vendors sell a handful of sizes.
    if let Some(extra) = allowed_fields.get(MAX_ALLOWED) {
        return Err(extra.clone().error(
            doc,
            format!(
                "is one `allowed` size more than the {MAX_ALLOWED} an allowance may list; list the sizes on sale, or give `step`"
            ),
        ));
    }
    let allowed = allowed_fields
        .into_iter()
        .map(|f| amount(doc, f))
        .collect::<Result<Vec<_>>>()?;
    let units_value = units_field.value;
    let allowance = Allowance {
        name: name_field.value,
        kind,
        units: amount(doc, units_field.clone())?,
        reset,
        unit_price,
        step,
        allowed,
        price_changes: Vec::new(),
    };
    if !allowance.accepts(units_value) {
        return Err(units_field.error(
            doc,
            format!(
                "is not a purchasable amount; write {}",
                allowance.purchase_hint()
            ),
        ));
    }
    Ok(allowance)
}

fn read_topup(
    doc: &Doc<'_>,
    table: &mut TableReader<'_, '_, '_>,
    zone: Zone,
    allowances: &[Allowance],
    subscription: &Subscription,
) -> Result<Topup> {
    let name = table
        .string("allowance")?
        .ok_or_else(|| table.missing("allowance", "\"quota\""))?;
    let prepaid: Vec<&str> = allowances
        .iter()
        .filter(|a| a.kind == AllowanceKind::Prepaid)
        .map(|a| a.name.as_str())
        .collect();
    let index = allowances
        .iter()
        .position(|a| a.name == name.value && a.kind == AllowanceKind::Prepaid)
        .ok_or_else(|| {
            name.error(
                doc,
                format!(
                    "is not a prepaid allowance of this plan; write one of: {}",
                    prepaid.join(", ")
                ),
            )
        })?;
    let at_field = table
        .datetime_text("at")?
        .ok_or_else(|| table.missing("at", "2024-04-20T10:00:00+08:00"))?;
    let at = instant(doc, &at_field, zone)?;
    if !subscription.term.contains(at) {
        let end = subscription
            .term
            .end
            .map_or("open-ended".to_string(), |e| zone.format(e));
        return Err(at_field.error(
            doc,
            format!(
                "falls outside the term ({} to {}); a top-up must be bought during the term",
                zone.format(subscription.term.start),
                end
            ),
        ));
    }
    let units_field = table
        .decimal("units")?
        .ok_or_else(|| table.missing("units", "300"))?;
    let units = amount(doc, units_field.clone())?;
    let allowance = &allowances[index];
    if units.is_zero() || !allowance.accepts(units) {
        let hint = allowance.purchase_hint();
        let hint = if hint.is_empty() {
            "a positive number".to_string()
        } else {
            hint
        };
        return Err(units_field.error(doc, format!("is not a purchasable top-up; write {hint}")));
    }
    Ok(Topup {
        allowance: index,
        at,
        units,
    })
}

fn read_overage(doc: &Doc<'_>, table: &mut TableReader<'_, '_, '_>, zone: Zone) -> Result<Overage> {
    let policy = match table.string("policy")? {
        None => OveragePolicy::Deny,
        Some(field) => match field.value.as_str() {
            "deny" => OveragePolicy::Deny,
            "bill" => OveragePolicy::Bill,
            _ => {
                return Err(
                    field.error(doc, "is not an overage policy; write \"deny\" or \"bill\"")
                );
            }
        },
    };
    let unit_price_field = table.decimal("unit_price")?;
    let unit_price = match unit_price_field.clone() {
        Some(field) if policy == OveragePolicy::Deny => {
            return Err(field.error(doc, "prices overage that policy \"deny\" never bills; remove it or set policy = \"bill\""));
        }
        field => optional_amount(doc, field)?,
    };
    let period = match table.string("period")? {
        None => Reset::Cycle,
        Some(field) => match field.value.as_str() {
            "cycle" => Reset::Cycle,
            "calendar-month" => Reset::CalendarMonth,
            _ => {
                return Err(field.error(
                    doc,
                    "is not an overage period; write \"cycle\" or \"calendar-month\"",
                ));
            }
        },
    };
    let tier_mode_field = table.string("tier_mode")?;
    let tier_mode = match tier_mode_field.clone() {
        None => TierMode::Graduated,
        Some(field) => match field.value.as_str() {
            "graduated" => TierMode::Graduated,
            "volume" => TierMode::Volume,
            _ => {
                return Err(
                    field.error(doc, "is not a tier mode; write \"graduated\" or \"volume\"")
                );
            }
        },
    };
    let price_changes = read_price_changes(doc, table, zone)?;
    let tier_tables = table.nonempty_tables("tier")?;
    let tiers_given = !tier_tables.is_empty();
    if let Some(field) = tier_mode_field
        && !tiers_given
    {
        return Err(field.error(
            doc,
            "has no tiers to apply to; add [[overage.tier]] tables or remove tier_mode",
        ));
    }
    let mut tiers: Vec<Tier> = Vec::new();
    let count = tier_tables.len();
    for (index, mut tier_table) in tier_tables.into_iter().enumerate() {
        let up_to_field = tier_table.decimal("up_to")?;
        let unit_price = optional_amount(doc, tier_table.decimal("unit_price")?)?;
        let last = index + 1 == count;
        let up_to = match up_to_field {
            Some(field) if last => {
                return Err(field.error(
                    doc,
                    "bounds the last tier; remove it so the last tier is open (it takes every unit beyond the tier before)",
                ));
            }
            Some(field) => {
                let before = tiers.last().and_then(|t| t.up_to).unwrap_or(Decimal::ZERO);
                let value = amount(doc, field.clone())?;
                if value <= before {
                    return Err(field.error(
                        doc,
                        format!(
                            "is not above the tier before it ({}); tiers must be strictly ascending",
                            format_units(before)
                        ),
                    ));
                }
                Some(value)
            }
            None if last => None,
            None => return Err(tier_table.missing("up_to", "10000")),
        };
        tier_table.finish(&["up_to", "unit_price"])?;
        tiers.push(Tier { up_to, unit_price });
    }
    if tiers_given {
        if policy == OveragePolicy::Deny {
            return Err(table.key_error(
                "tier",
                "prices overage that policy \"deny\" never bills; remove the tiers or set policy = \"bill\"",
            ));
        }
        if let Some(field) = unit_price_field {
            return Err(field.error(
                doc,
                "cannot be given together with [[overage.tier]]; remove it and put a unit_price on each tier",
            ));
        }
        if !price_changes.is_empty() {
            return Err(table.key_error(
                "price_change",
                "cannot be given together with [[overage.tier]]; write the tiers as they are priced, or drop the tiers",
            ));
        }
    } else if !price_changes.is_empty() && policy == OveragePolicy::Deny {
        return Err(table.key_error(
            "price_change",
            "prices overage that policy \"deny\" never bills; remove it or set policy = \"bill\"",
        ));
    }
    Ok(Overage {
        policy,
        unit_price,
        period,
        tiers,
        tier_mode,
        price_changes,
    })
}

fn read_fee(
    doc: &Doc<'_>,
    table: &mut TableReader<'_, '_, '_>,
    subscription: &Subscription,
    earlier: &[Fee],
) -> Result<Fee> {
    let name = table
        .string("name")?
        .ok_or_else(|| table.missing("name", "\"Pro edition\""))?;
    if name.value.trim().is_empty() {
        return Err(name.error(doc, "is empty; give the fee a name"));
    }
    if earlier.iter().any(|f| f.name == name.value) {
        return Err(name.error(
            doc,
            "is already the name of an earlier fee; names must be unique",
        ));
    }
    let quantity_field = table
        .decimal("quantity")?
        .ok_or_else(|| table.missing("quantity", "100"))?;
    let quantity = amount(doc, quantity_field.clone())?;
    let unit_price = match table.decimal("unit_price")? {
        Some(field) => amount(doc, field)?,
        None => return Err(table.missing("unit_price", "30")),
    };
    let step = match table.decimal("step")? {
        Some(field) if field.value.is_zero() => {
            return Err(field.error(doc, "is zero; write a positive step such as 1"));
        }
        field => optional_amount(doc, field)?,
    };
    if let Some(step) = step
        && !(quantity % step).is_zero()
    {
        return Err(quantity_field.error(
            doc,
            format!(
                "is not a multiple of step {}; write a multiple of it",
                format_units(step)
            ),
        ));
    }
    let minimum = optional_amount(doc, table.decimal("minimum")?)?;
    if let Some(minimum) = minimum
        && quantity < minimum
    {
        return Err(quantity_field.error(
            doc,
            format!(
                "is below the minimum {}; write at least that",
                format_units(minimum)
            ),
        ));
    }
    let min_months = table.whole("min_months", 1200)?;
    if let Some(field) = &min_months {
        let term = &subscription.term;
        let shortest_end = term.cycle_boundary(field.value);
        let too_short = match (term.end, shortest_end) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(end), Some(needed)) => end < needed,
        };
        if too_short {
            return Err(field.error(
                doc,
                "is longer than the subscription term; lengthen subscription.months or end to at least this many months",
            ));
        }
    }
    Ok(Fee {
        name: name.value,
        quantity,
        unit_price,
        step,
        minimum,
        min_months: min_months.map(|f| f.value),
    })
}

fn read_cores(doc: &Doc<'_>, table: &mut TableReader<'_, '_, '_>) -> Result<Cores> {
    let licensed = optional_amount(doc, table.decimal("licensed")?)?.unwrap_or(Decimal::ZERO);
    let daily_unit_price = match table.decimal("daily_unit_price")? {
        Some(field) => amount(doc, field)?,
        None => return Err(table.missing("daily_unit_price", "1")),
    };
    let daily_cap = optional_amount(doc, table.decimal("daily_cap")?)?;
    Ok(Cores {
        licensed,
        daily_unit_price,
        daily_cap,
    })
}

mod normalised;
pub(crate) use normalised::{NormalisedPlan, plan_digest};

/// Where the subscription stands at a moment (`reminder_days`, `grace_days` in docs/plan.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    NotStarted,
    Active,
    Expiring,
    Grace,
    Terminated,
}

impl SubscriptionStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::NotStarted => "not_started",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Expiring => "expiring",
            SubscriptionStatus::Grace => "grace",
            SubscriptionStatus::Terminated => "terminated",
        }
    }
}

impl Subscription {
    /// `expiring` from `reminder_days` local days before the end, `grace` from
    /// the end until `grace_days` after it, then `terminated`.
    pub fn status_at(&self, as_of: DateTime<Utc>) -> SubscriptionStatus {
        let term = &self.term;
        if as_of < term.start {
            return SubscriptionStatus::NotStarted;
        }
        let Some(end) = term.end else {
            return SubscriptionStatus::Active;
        };
        let reminder = sub_local_days(term.zone, end, self.reminder_days).unwrap_or(end);
        let grace_end = add_local_days(term.zone, end, self.grace_days).unwrap_or(end);
        if as_of < reminder {
            SubscriptionStatus::Active
        } else if as_of < end {
            SubscriptionStatus::Expiring
        } else if as_of < grace_end {
            SubscriptionStatus::Grace
        } else {
            SubscriptionStatus::Terminated
        }
    }
}
