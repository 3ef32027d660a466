//! FOCUS 1.2 Cost and Usage CSV (docs/focus.md): the rows of
//! [`crate::model::focus::Focus`], formatted. Decimals always carry a fraction
//! (`300.0`: the validator infers a column's type from its text), times are
//! UTC with a trailing `Z`, and text from the user's data is guarded
//! against spreadsheet formulas.

use super::csv::{guard, write_rows};
use crate::domain::values::{Money, UnitPrice, Units};
use crate::model::focus::{
    ChargeCategory, ChargeFrequency, CommitmentStatus, Focus, FocusRow, PricingCategory,
    SERVICE_CATEGORY, SERVICE_SUBCATEGORY,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

pub(crate) const HEADER: &[&str] = &[
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
    "x_Account",
    "x_Group",
    "x_Kind",
    "x_Item",
    "x_ScanUnits",
    "x_UnpricedOverageUnits",
];

/// A decimal as FOCUS wants it: always with a fraction.
fn decimal(value: Decimal) -> String {
    let text = value.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

fn money(value: Money) -> String {
    decimal(value.value())
}

fn units(value: Units) -> String {
    decimal(value.value().normalize())
}

fn price(value: UnitPrice) -> String {
    decimal(value.value().normalize())
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn text(cell: &str) -> String {
    guard(cell).into_owned()
}

fn row(focus: &Focus, row: &FocusRow) -> Vec<String> {
    let commitment = row.commitment.as_ref();
    let sku_price_id = match row.tier {
        Some(tier) => format!("{}#tier{tier}@{}", row.item, row.list_unit_price),
        None => format!("{}@{}", row.item, row.list_unit_price),
    };
    let sub_account = row.group.as_ref().map(|g| format!("{}/{g}", row.account));
    let tags = match (&focus.tag_key, &row.group) {
        (Some(key), Some(group)) => {
            let mut object = serde_json::Map::new();
            object.insert(key.clone(), serde_json::Value::String(group.clone()));
            serde_json::Value::Object(object).to_string()
        }
        _ => String::new(),
    };
    let unit_price = price(row.list_unit_price);
    vec![
        money(row.billed_cost),
        text(&row.account),
        text(&row.account),
        focus.currency.clone(),
        time(row.billing_period_end),
        time(row.billing_period_start),
        match row.category {
            ChargeCategory::Usage => "Usage",
            ChargeCategory::Purchase => "Purchase",
        }
        .to_string(),
        String::new(),
        text(&row.description),
        match row.frequency {
            ChargeFrequency::OneTime => "One-Time",
            ChargeFrequency::Recurring => "Recurring",
            ChargeFrequency::UsageBased => "Usage-Based",
        }
        .to_string(),
        time(row.charge_period_end),
        time(row.charge_period_start),
        commitment.map_or("", |_| "Usage").to_string(),
        commitment.map_or(String::new(), |c| text(&c.id)),
        commitment.map_or(String::new(), |c| text(&c.name)),
        commitment.map_or(String::new(), |c| units(c.quantity)),
        match commitment.and_then(|c| c.status) {
            Some(CommitmentStatus::Used) => "Used",
            Some(CommitmentStatus::Unused) => "Unused",
            None => "",
        }
        .to_string(),
        commitment
            .map_or("", |_| crate::model::focus::COMMITMENT_TYPE)
            .to_string(),
        commitment.map_or("", |_| row.unit).to_string(),
        row.consumed.map_or(String::new(), units),
        row.consumed.map_or("", |_| row.unit).to_string(),
        money(row.list_cost),
        unit_price.clone(),
        money(row.effective_cost),
        String::new(),
        text(&focus.provider),
        money(row.list_cost),
        unit_price.clone(),
        match row.pricing_category {
            PricingCategory::Standard => "Standard",
            PricingCategory::Committed => "Committed",
        }
        .to_string(),
        units(row.pricing_quantity),
        row.unit.to_string(),
        text(&focus.provider),
        text(&focus.provider),
        SERVICE_CATEGORY.to_string(),
        text(&focus.service),
        SERVICE_SUBCATEGORY.to_string(),
        text(&row.item),
        text(&row.sku_meter),
        format!("{{\"x_UnitPrice\":{unit_price}}}"),
        text(&sku_price_id),
        sub_account.as_deref().map_or(String::new(), text),
        row.group.as_deref().map_or(String::new(), text),
        tags,
        text(&row.account),
        row.group.as_deref().map_or(String::new(), text),
        row.kind.as_str().to_string(),
        text(&row.item),
        row.scan_units.map_or(String::new(), units),
        row.unpriced_overage_units.map_or(String::new(), units),
    ]
}

/// The FOCUS CSV of `focus`.
pub(crate) fn write(focus: &Focus) -> String {
    write_rows(HEADER, focus.rows.iter().map(|r| row(focus, r)))
}
