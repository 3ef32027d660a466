//! The values every layer above shares: units and money as exact decimals
//! that serialise as strings, and instants shown in a zone.

use crate::domain::numbers::{UNITS_TEXT, units_text};
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
        f.pad(units_text(self.0, &mut [0; UNITS_TEXT]))
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

    /// `2024-03-15`, for daily figures (a report has one per account and
    /// day: the RFC 3339 fast path's first ten bytes when it applies).
    pub fn date(&self) -> String {
        match self.rfc3339_fast(&mut [0; 35]) {
            Some(text) => text[..10].to_string(),
            None => self.0.format("%Y-%m-%d").to_string(),
        }
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rfc3339_fast(&mut [0; 35]) {
            Some(text) => f.pad(text),
            None => f.pad(&self.rfc3339_general()),
        }
    }
}

impl Instant {
    /// RFC 3339 as chrono writes it (seconds as needed, `+00:00` for UTC).
    fn rfc3339_general(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }

    /// [`Instant::rfc3339_general`] for the shapes a log holds (years 0 to
    /// 9999, no leap second, an offset of whole minutes) written into
    /// `buffer` without allocating; `None`: the general path writes it. A
    /// property test pins the two together.
    fn rfc3339_fast<'b>(&self, buffer: &'b mut [u8; 35]) -> Option<&'b str> {
        use chrono::{Datelike, Offset, Timelike};
        let local = self.0.naive_local();
        let offset = self.0.offset().fix().local_minus_utc();
        let (year, nanos) = (local.year(), local.nanosecond());
        if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 || offset % 60 != 0 {
            return None;
        }
        let mut at = 0;
        let mut put = |value: u32, digits: u32, after: Option<u8>| {
            for place in (0..digits).rev() {
                buffer[at] = b'0' + (value / 10u32.pow(place) % 10) as u8;
                at += 1;
            }
            if let Some(byte) = after {
                buffer[at] = byte;
                at += 1;
            }
        };
        put(year as u32, 4, Some(b'-'));
        put(local.month(), 2, Some(b'-'));
        put(local.day(), 2, Some(b'T'));
        put(local.hour(), 2, Some(b':'));
        put(local.minute(), 2, Some(b':'));
        put(local.second(), 2, None);
        let fraction = if nanos == 0 {
            None
        } else if nanos % 1_000_000 == 0 {
            Some((nanos / 1_000_000, 3))
        } else if nanos % 1_000 == 0 {
            Some((nanos / 1_000, 6))
        } else {
            Some((nanos, 9))
        };
        if let Some((value, digits)) = fraction {
            put(0, 0, Some(b'.'));
            put(value, digits, None);
        }
        let minutes = offset.unsigned_abs() / 60;
        put(0, 0, Some(if offset < 0 { b'-' } else { b'+' }));
        put(minutes / 60, 2, Some(b':'));
        put(minutes % 60, 2, None);
        Some(std::str::from_utf8(&buffer[..at]).expect("digits and signs are ASCII"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn the_instant_fast_path_prints_what_chrono_prints(
            seconds in -70_000_000_000i64..260_000_000_000,
            nanos in proptest::prop_oneof![
                proptest::strategy::Just(0u32),
                (0u32..1000).prop_map(|n| n * 1_000_000),
                (0u32..1_000_000).prop_map(|n| n * 1_000),
                0u32..2_000_000_000,
            ],
            offset in -86_399i32..86_400, whole_minutes: bool,
        ) {
            let offset = if whole_minutes { offset / 60 * 60 } else { offset };
            let Some(utc) = DateTime::from_timestamp(seconds, nanos) else { return Ok(()) };
            let instant = Instant(utc.with_timezone(&FixedOffset::east_opt(offset).unwrap()));
            proptest::prop_assert_eq!(instant.to_string(), instant.rfc3339_general());
            proptest::prop_assert_eq!(instant.date(), instant.0.format("%Y-%m-%d").to_string());
        }
    }
}
