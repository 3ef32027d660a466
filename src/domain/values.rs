//! The values every layer above shares: units and money as exact decimals
//! that serialise as strings, and instants shown in a zone.

use crate::domain::numbers::format_units;
use crate::domain::zone::Zone;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A unit count: prints normalised (`289.1`, `300`, `0`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Units(pub Decimal);

/// An amount of money already rounded to the plan's decimals: prints with
/// exactly that many digits (`18.00`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub Decimal);

impl fmt::Display for Units {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format_units(self.0))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0.to_string())
    }
}

/// A moment as the report shows it: in the plan's zone, RFC 3339 in JSON,
/// `YYYY-MM-DD HH:MM` in tables (the zone is printed once above them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub DateTime<FixedOffset>);

impl Instant {
    pub fn new(zone: Zone, instant: DateTime<Utc>) -> Self {
        Instant(zone.local(instant))
    }

    pub fn utc(&self) -> DateTime<Utc> {
        self.0.with_timezone(&Utc)
    }

    /// `2024-03-15 14:00`, for tables.
    pub fn short(&self) -> String {
        self.0.format("%Y-%m-%d %H:%M").to_string()
    }

    /// `2024-03-15`, for daily figures.
    pub fn date(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, false))
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(Instant)
            .map_err(serde::de::Error::custom)
    }
}

macro_rules! decimal_string_serde {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Decimal::from_str(&text)
                    .map($name)
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}
decimal_string_serde!(Units);
decimal_string_serde!(Money);
