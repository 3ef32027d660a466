//! The values every layer above shares: units, money, unit prices, shares
//! and scan counts as exact decimals that serialise as strings, and instants
//! shown in a zone. Their decimal is private: callers compute through the
//! types' arithmetic and read the decimal back only to format it.

use crate::domain::error::Error;
use crate::domain::numbers::{
    Exact, UNITS_TEXT, checked_sum, every_digit_kept, round_money, units_digits, units_text,
    zero_money,
};
use crate::domain::zone::Zone;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::str::FromStr;

/// A unit count: prints normalised (`289.1`, `300`, `0`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Units(Decimal);

/// An amount of money already rounded to the plan's decimals: prints with
/// exactly that many digits (`18.00`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(Decimal);

/// A price of one unit (money per unit, not rounded): prints normalised
/// (`0.06`). `Units × UnitPrice` is [`Money`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnitPrice(Decimal);

/// A fraction of a whole (a group's share of an account's units, 0 to 1):
/// prints normalised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Share(Decimal);

/// A number of scans (per cycle: a mean may be fractional): prints
/// normalised. `Scans × units per scan` is [`Units`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Scans(Decimal);

/// What every exact value has: a zero, a constructor from the decimal, the
/// decimal back (for formatting and the engine's arithmetic), and
/// arithmetic with itself, checked (`None` beyond a decimal's range) or, for
/// figures already bounded, by operator (which, like a decimal's, panics
/// beyond the range).
macro_rules! exact_value {
    ($vis:vis $name:ident) => {
        // The whole API of every value type, whether or not each type
        // uses each part yet.
        #[allow(dead_code)]
        impl $name {
            $vis const ZERO: $name = $name(Decimal::ZERO);

            $vis const fn new(value: Decimal) -> Self {
                $name(value)
            }

            /// The exact decimal, for formatting and for the engine.
            $vis const fn value(self) -> Decimal {
                self.0
            }

            $vis fn is_zero(self) -> bool {
                self.0.is_zero()
            }

            /// `self + other`; `None` beyond a decimal's range or where it
            /// could not be held exactly.
            $vis fn exact_add(self, other: Self) -> Option<Self> {
                self.0.exact_add(other.0).map($name)
            }

            /// `self − other`, likewise.
            $vis fn exact_sub(self, other: Self) -> Option<Self> {
                self.0.exact_sub(other.0).map($name)
            }

            /// `self + other`, held at a decimal's bounds.
            $vis fn saturating_add(self, other: Self) -> Self {
                $name(self.0.saturating_add(other.0))
            }

            /// `self + other`, or the error `overflow` makes.
            $vis fn try_add(
                self,
                other: Self,
                overflow: impl FnOnce() -> Error,
            ) -> Result<Self, Error> {
                self.exact_add(other).ok_or_else(overflow)
            }

            /// The sum of `values` (zero if none), or the error `overflow`
            /// makes should it be beyond a decimal's range.
            $vis fn sum(
                values: impl IntoIterator<Item = Self>,
                overflow: impl FnOnce() -> Error,
            ) -> Result<Self, Error> {
                Self::checked_sum(values).ok_or_else(overflow)
            }

            /// The sum of `values` (zero if none); `None` beyond a
            /// decimal's range.
            $vis fn checked_sum(values: impl IntoIterator<Item = Self>) -> Option<Self> {
                checked_sum(values.into_iter().map(|value| value.0)).map($name)
            }
        }

        impl Add for $name {
            type Output = $name;
            fn add(self, other: $name) -> $name {
                $name(self.0 + other.0)
            }
        }

        impl AddAssign for $name {
            fn add_assign(&mut self, other: $name) {
                self.0 += other.0;
            }
        }

        impl Sub for $name {
            type Output = $name;
            fn sub(self, other: $name) -> $name {
                $name(self.0 - other.0)
            }
        }

        impl SubAssign for $name {
            fn sub_assign(&mut self, other: $name) {
                self.0 -= other.0;
            }
        }

        impl Sum for $name {
            fn sum<I: Iterator<Item = $name>>(values: I) -> $name {
                $name(values.map(|value| value.0).sum())
            }
        }

        impl<'a> Sum<&'a $name> for $name {
            fn sum<I: Iterator<Item = &'a $name>>(values: I) -> $name {
                $name(values.map(|value| value.0).sum())
            }
        }
    };
}
exact_value!(pub Units);
exact_value!(pub Money);
exact_value!(pub UnitPrice);
exact_value!(pub(crate) Share);
exact_value!(pub(crate) Scans);

impl Money {
    /// Zero with `decimals` digits (`0.00`).
    pub(crate) fn zero(decimals: u32) -> Money {
        Money(zero_money(decimals))
    }

    /// This amount rounded to `decimals` places. Amounts are made at their
    /// plan's decimals and summed exactly, so one that cannot be written
    /// with that many places does not reach here; it would be kept as it
    /// is rather than rounded to fewer.
    pub(crate) fn rounded(self, decimals: u32) -> Money {
        round_money(self.0, decimals).map_or(self, Money)
    }
}

impl Units {
    /// What `Display` prints, written into `buffer` as bytes (a ledger
    /// writes two a row: no formatting machinery).
    pub(crate) fn digits<'b>(&self, buffer: &'b mut [u8; UNITS_TEXT]) -> &'b [u8] {
        units_digits(self.0, buffer)
    }

    /// The larger of `self` and zero.
    pub(crate) fn at_least_zero(self) -> Units {
        self.max(Units::ZERO)
    }
}

impl Scans {
    /// `self × units_per_scan`; `None` beyond a decimal's range or where
    /// it could not be held exactly.
    pub(crate) fn exact_units(self, units_per_scan: Decimal) -> Option<Units> {
        self.0.exact_mul(units_per_scan).map(Units)
    }
}

macro_rules! normalised_display {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(units_text(self.0, &mut [0; UNITS_TEXT]))
            }
        }
    };
}
normalised_display!(Units);
normalised_display!(UnitPrice);
normalised_display!(Share);
normalised_display!(Scans);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0.to_string())
    }
}

/// A moment as the report shows it: in the plan's zone, RFC 3339 in JSON,
/// `YYYY-MM-DD HH:MM` in tables (the zone is printed once above them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(DateTime<FixedOffset>);

impl Instant {
    pub(crate) fn new(zone: Zone, instant: DateTime<Utc>) -> Self {
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
            Some(text) => String::from_utf8_lossy(&text[..10]).into_owned(),
            None => self.0.format("%Y-%m-%d").to_string(),
        }
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.rfc3339(&mut [0; 35]))
    }
}

impl Instant {
    /// What `Display` prints, in `buffer` when the fast path applies (a
    /// ledger writes one a row: no formatting machinery).
    pub(crate) fn rfc3339<'b>(&self, buffer: &'b mut [u8; 35]) -> std::borrow::Cow<'b, str> {
        match self.rfc3339_fast(buffer) {
            Some(text) => std::borrow::Cow::Borrowed(
                std::str::from_utf8(text).expect("digits and signs are ASCII"),
            ),
            None => std::borrow::Cow::Owned(self.rfc3339_general()),
        }
    }

    /// [`Instant::rfc3339`] as bytes, for a ledger's CSV rows (see
    /// [`crate::domain::numbers::u64_digits`]).
    pub(crate) fn rfc3339_bytes<'b>(&self, buffer: &'b mut [u8; 35]) -> std::borrow::Cow<'b, [u8]> {
        match self.rfc3339_fast(buffer) {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(self.rfc3339_general().into_bytes()),
        }
    }

    /// RFC 3339 as chrono writes it (seconds as needed, `+00:00` for UTC).
    fn rfc3339_general(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }

    /// [`Instant::rfc3339_general`] for the shapes a log holds (years 0 to
    /// 9999, no leap second, an offset of whole minutes) written into
    /// `buffer` without allocating; `None`: the general path writes it. A
    /// property test pins the two together.
    fn rfc3339_fast<'b>(&self, buffer: &'b mut [u8; 35]) -> Option<&'b [u8]> {
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
        Some(&buffer[..at])
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
        let instant = DateTime::parse_from_rfc3339(&text).map_err(serde::de::Error::custom)?;
        // A report read back (`merge`) holds to the rule every timestamp
        // read does: chrono takes second 60 at any minute, which `report`
        // never writes and would print back as a `:60` other tools refuse.
        if crate::domain::zone::is_misplaced_leap_second(&instant.naive_utc()) {
            return Err(serde::de::Error::custom(format!(
                "`{text}`: {}",
                crate::domain::zone::TimestampError::NotALeapSecond
            )));
        }
        Ok(Instant(instant))
    }
}

/// A decimal as scanquota writes one: an optional minus, digits, and
/// digits after a point if there is one (not `+1`, `.5`, `5.`, `1e3`, `1_0`).
fn as_scanquota_writes(text: &str) -> bool {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    match unsigned.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(unsigned),
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
                // As scanquota writes one (the decimal crate would also
                // read `9_0` as 90).
                if !as_scanquota_writes(&text) {
                    return Err(serde::de::Error::custom(format!(
                        "`{}` is not a decimal as scanquota writes one (digits, a point, a minus)",
                        crate::domain::text::shown(&text)
                    )));
                }
                let value = Decimal::from_str(&text).map_err(serde::de::Error::custom)?;
                if !every_digit_kept(&text, value) {
                    return Err(serde::de::Error::custom(format!(
                        "`{text}` has more digits than an exact decimal holds (28)"
                    )));
                }
                Ok($name(value))
            }
        }
    };
}
decimal_string_serde!(Units);
decimal_string_serde!(Money);
decimal_string_serde!(UnitPrice);
decimal_string_serde!(Share);
decimal_string_serde!(Scans);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    fn overflow() -> Error {
        Error::overflow("the test's sum", "add less")
    }

    #[test]
    fn values_print_as_before() {
        assert_eq!(Units::new(Decimal::new(3000, 1)).to_string(), "300");
        assert_eq!(Units::ZERO.to_string(), "0");
        assert_eq!(UnitPrice::new(Decimal::new(60, 3)).to_string(), "0.06");
        assert_eq!(Money::zero(2).to_string(), "0.00");
        assert_eq!(
            Money::new(Decimal::new(125, 3)).rounded(2).to_string(),
            "0.13"
        );
        assert_eq!(Money::new(Decimal::new(1800, 2)).to_string(), "18.00");
        let json = serde_json::to_string(&Money::zero(2)).unwrap();
        assert_eq!(json, "\"0.00\"");
        assert_eq!(
            serde_json::from_str::<Money>(&json).unwrap().to_string(),
            "0.00"
        );
    }

    #[test]
    fn sums_keep_the_scale_and_overflow_is_an_error() {
        let amounts = [
            Money::new(Decimal::ONE).rounded(2),
            Money::new(Decimal::TWO).rounded(2),
        ];
        let sum = Money::sum(amounts, overflow).unwrap();
        assert_eq!(sum.to_string(), "3.00");
        assert_eq!(
            Money::sum([], overflow).unwrap().rounded(2).to_string(),
            "0.00"
        );
        let huge = Units::new(Decimal::MAX);
        assert!(matches!(
            Units::sum([huge, huge], overflow),
            Err(Error::Overflow { .. })
        ));
        assert!(matches!(
            huge.try_add(huge, overflow),
            Err(Error::Overflow { .. })
        ));
        assert_eq!(huge.exact_add(huge), None);
    }

    #[test]
    fn scans_times_units_per_scan_are_units() {
        let scans = Scans::new(Decimal::new(25, 1));
        assert_eq!(
            scans.exact_units(Decimal::new(1, 1)).unwrap().to_string(),
            "0.25"
        );
    }

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
