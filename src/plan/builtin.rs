//! Plans embedded in the binary, usable as `--plan builtin:NAME`.

pub(crate) const PREFIX: &str = "builtin:";

pub(crate) struct Builtin {
    pub(crate) name: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) toml: &'static str,
}

pub(crate) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "tcss-usd-300",
        summary: "Tencent TCSS image scan, 300 units/month, USD 0.06 a unit (repeat 0.1 unit)",
        toml: include_str!("../../plans/tcss-usd-300.toml"),
    },
    Builtin {
        name: "tcss-cny-300",
        summary: "Tencent TCSS image scan, 300 units/month, CNY 0.30 a unit (repeat 0.1 unit)",
        toml: include_str!("../../plans/tcss-cny-300.toml"),
    },
    Builtin {
        name: "tcss-cny-300-every-scan",
        summary: "Tencent TCSS image scan, China-site rule (2024-09): every scan 1 unit, 300 units/month, CNY 0.30 a unit",
        toml: include_str!("../../plans/tcss-cny-300-every-scan.toml"),
    },
    Builtin {
        name: "hss-payg",
        summary: "Huawei HSS pay-per-use image scan, 10 free scans per calendar month, then unpriced",
        toml: include_str!("../../plans/hss-payg.toml"),
    },
    Builtin {
        name: "hss-payg-tiered",
        summary: "Huawei HSS pay-per-use image scan, 10 free scans per calendar month, a discount tier after 10,000 scans a month; prices left to you",
        toml: include_str!("../../plans/hss-payg-tiered.toml"),
    },
];

/// The built-in a `--plan` value names, if it starts with `builtin:`.
/// `Some(Err(names))` when the prefix is there but the name is unknown.
pub(crate) fn lookup(spec: &str) -> Option<Result<&'static Builtin, String>> {
    let name = spec.strip_prefix(PREFIX)?;
    Some(BUILTINS.iter().find(|b| b.name == name).ok_or_else(|| {
        BUILTINS
            .iter()
            .map(|b| format!("{PREFIX}{}", b.name))
            .collect::<Vec<_>>()
            .join(", ")
    }))
}
