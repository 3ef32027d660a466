//! The plan as `plan check` prints it: every key spelled out with its
//! default, decimals as exact strings and times in the plan's zone, so the
//! output is itself a valid plan.

use super::{AllowanceKind, OveragePolicy, Plan, PriceChange, RepeatWindow, TierMode};
use crate::domain::numbers::format_units;
use crate::domain::periods::Reset;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct NormalisedPlan {
    pub(crate) name: String,
    pub(crate) currency: String,
    pub(crate) decimals: u32,
    pub(crate) timezone: String,
    pub(crate) subscription: SubscriptionView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) trial: Option<TrialView>,
    pub(crate) metering: MeteringView,
    pub(crate) overage: OverageView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cores: Option<CoresView>,
    pub(crate) provider: ProviderView,
    #[serde(rename = "allowance")]
    pub(crate) allowances: Vec<AllowanceView>,
    #[serde(rename = "topup")]
    pub(crate) topups: Vec<TopupView>,
    #[serde(rename = "fee")]
    pub(crate) fees: Vec<FeeView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SubscriptionView {
    pub(crate) start: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) months: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end: Option<String>,
    pub(crate) reminder_days: u32,
    pub(crate) grace_days: u32,
}

#[derive(Debug, Serialize)]
pub(crate) struct TrialView {
    pub(crate) start: String,
    pub(crate) days: u32,
}

#[derive(Debug, Serialize)]
pub(crate) struct MeteringView {
    pub(crate) first_scan_units: String,
    pub(crate) repeat_scan_units: String,
    pub(crate) repeat_window: RepeatWindow,
    pub(crate) count_failed: bool,
    /// `[[metering.change]]`, each with the whole rule in force from its `at`.
    #[serde(rename = "change", skip_serializing_if = "Vec::is_empty")]
    pub(crate) changes: Vec<MeteringChangeView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct MeteringChangeView {
    pub(crate) at: String,
    pub(crate) first_scan_units: String,
    pub(crate) repeat_scan_units: String,
    pub(crate) count_failed: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct PriceChangeView {
    pub(crate) at: String,
    pub(crate) unit_price: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct TierView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) up_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unit_price: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AllowanceView {
    pub(crate) name: String,
    pub(crate) kind: AllowanceKind,
    pub(crate) units: String,
    pub(crate) reset: Reset,
    pub(crate) unit_price: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) step: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) allowed: Vec<String>,
    #[serde(rename = "price_change", skip_serializing_if = "Vec::is_empty")]
    pub(crate) price_changes: Vec<PriceChangeView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TopupView {
    pub(crate) allowance: String,
    pub(crate) at: String,
    pub(crate) units: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct OverageView {
    pub(crate) policy: OveragePolicy,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unit_price: Option<String>,
    pub(crate) period: Reset,
    /// Only with tiers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tier_mode: Option<TierMode>,
    #[serde(rename = "tier", skip_serializing_if = "Vec::is_empty")]
    pub(crate) tiers: Vec<TierView>,
    #[serde(rename = "price_change", skip_serializing_if = "Vec::is_empty")]
    pub(crate) price_changes: Vec<PriceChangeView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FeeView {
    pub(crate) name: String,
    pub(crate) quantity: String,
    pub(crate) unit_price: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) minimum: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_months: Option<u32>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ProviderView {
    pub(crate) name: String,
    pub(crate) service: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct CoresView {
    pub(crate) licensed: String,
    pub(crate) daily_unit_price: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) daily_cap: Option<String>,
}

impl NormalisedPlan {
    pub(crate) fn new(plan: &Plan) -> Self {
        let zone = plan.zone;
        let term = &plan.subscription.term;
        NormalisedPlan {
            name: plan.name.clone(),
            currency: plan.currency.clone(),
            decimals: plan.decimals,
            timezone: zone.to_string(),
            subscription: SubscriptionView {
                start: zone.format(term.start),
                months: plan.subscription.months,
                end: match plan.subscription.months {
                    Some(_) => None,
                    None => term.end.map(|end| zone.format(end)),
                },
                reminder_days: plan.subscription.reminder_days,
                grace_days: plan.subscription.grace_days,
            },
            trial: plan.trial.as_ref().map(|trial| TrialView {
                start: zone.format(trial.start),
                days: trial.days,
            }),
            metering: MeteringView {
                first_scan_units: format_units(plan.metering.first_scan_units),
                repeat_scan_units: format_units(plan.metering.repeat_scan_units),
                repeat_window: plan.metering.repeat_window,
                count_failed: plan.metering.count_failed,
                changes: plan
                    .metering
                    .changes
                    .iter()
                    .map(|c| MeteringChangeView {
                        at: zone.format(c.at),
                        first_scan_units: format_units(c.first_scan_units),
                        repeat_scan_units: format_units(c.repeat_scan_units),
                        count_failed: c.count_failed,
                    })
                    .collect(),
            },
            overage: OverageView {
                policy: plan.overage.policy,
                unit_price: plan.overage.unit_price.map(format_units),
                period: plan.overage.period,
                tier_mode: (!plan.overage.tiers.is_empty()).then_some(plan.overage.tier_mode),
                tiers: plan
                    .overage
                    .tiers
                    .iter()
                    .map(|t| TierView {
                        up_to: t.up_to.map(format_units),
                        unit_price: t.unit_price.map(format_units),
                    })
                    .collect(),
                price_changes: price_changes(plan, &plan.overage.price_changes),
            },
            cores: plan.cores.as_ref().map(|cores| CoresView {
                licensed: format_units(cores.licensed),
                daily_unit_price: format_units(cores.daily_unit_price),
                daily_cap: cores.daily_cap.map(format_units),
            }),
            // Every default filled in, as FOCUS output writes them.
            provider: ProviderView {
                name: plan.provider_name(),
                service: plan.service_name(),
            },
            allowances: plan
                .allowances
                .iter()
                .map(|a| AllowanceView {
                    name: a.name.clone(),
                    kind: a.kind,
                    units: format_units(a.units),
                    reset: a.reset,
                    unit_price: format_units(a.unit_price),
                    step: a.step.map(format_units),
                    allowed: a.allowed.iter().copied().map(format_units).collect(),
                    price_changes: price_changes(plan, &a.price_changes),
                })
                .collect(),
            topups: plan
                .topups
                .iter()
                .map(|t| TopupView {
                    allowance: plan.allowances[t.allowance].name.clone(),
                    at: zone.format(t.at),
                    units: format_units(t.units),
                })
                .collect(),
            fees: plan
                .fees
                .iter()
                .map(|f| FeeView {
                    name: f.name.clone(),
                    quantity: format_units(f.quantity),
                    unit_price: format_units(f.unit_price),
                    step: f.step.map(format_units),
                    minimum: f.minimum.map(format_units),
                    min_months: f.min_months,
                })
                .collect(),
        }
    }

    pub(crate) fn to_toml(&self) -> String {
        toml::to_string(self).expect("a normalised plan is plain strings, numbers and tables")
    }
}

/// The plan's identity as a report carries it (`plan_digest`): the 128-bit
/// XXH3 hash of the plan as `plan check` prints it, every default filled in
/// and the start resolved, in 32 hex digits. `merge` compares it, so that
/// reports of two plans that share a name (or of one built-in plan started
/// at each partition's first scan) are not added together. Not a seal: a
/// hand-edited report can carry any digest.
pub(crate) fn plan_digest(plan: &Plan) -> String {
    let text = NormalisedPlan::new(plan).to_toml();
    format!("{:032x}", crate::domain::text::fingerprint(&text))
}

fn price_changes(plan: &Plan, changes: &[PriceChange]) -> Vec<PriceChangeView> {
    changes
        .iter()
        .map(|c| PriceChangeView {
            at: plan.zone.format(c.at),
            unit_price: format_units(c.unit_price),
        })
        .collect()
}
