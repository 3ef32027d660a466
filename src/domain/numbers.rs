//! Exact decimal helpers: parsing written numbers without passing through a
//! binary float, and the two print forms the spec asks for.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// The largest magnitude accepted for a unit count, quantity or price.
/// One product of two such values (10^24) fits in a decimal, but sums over
/// a log (which has no row limit), over many allowances and periods, or a
/// log's units times a price need not: every product and sum that grows
/// with the log or the plan is checked ([`checked_sum`], `checked_mul`),
/// and an overflow is an error naming what to make smaller.
pub(crate) const MAX_VALUE: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0); // 10^12

/// The most fractional digits accepted in a plan value.
pub(crate) const MAX_SCALE: u32 = 8;

/// Parse the decimal text as written (`0.1`, `-3`, `1_000.5`, `1e3`).
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let cleaned: String = text.trim().chars().filter(|c| *c != '_').collect();
    if cleaned.is_empty() {
        return None;
    }
    let value = if cleaned.contains(['e', 'E']) {
        Decimal::from_scientific(&cleaned).ok()?
    } else {
        Decimal::from_str(&cleaned).ok()?
    };
    Some(value)
}

/// The sum of `values`, or `None` if it is beyond a decimal's range.
pub(crate) fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |sum, value| sum.checked_add(value))
}

/// Units print normalised: `289.1`, `300`, `0`.
pub(crate) fn format_units(value: Decimal) -> String {
    units_text(value, &mut [0; UNITS_TEXT]).to_string()
}

/// Room for any decimal's text: 29 digits, a point, a sign and a leading 0.
pub(crate) const UNITS_TEXT: usize = 40;

/// `value` in decimal digits, written into `buffer` from its end: what
/// `value.to_string()` gives, for a ledger's line numbers (one a row).
pub(crate) fn u64_text(mut value: u64, buffer: &mut [u8; 20]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[start..]).expect("digits are ASCII")
}

/// [`format_units`] written into `buffer`, without allocating (a ledger
/// prints millions): the mantissa's digits, trailing fractional zeros
/// dropped, the point placed by the scale. What `normalize` then
/// `to_string` print; a property test pins the two together.
pub(crate) fn units_text(value: Decimal, buffer: &mut [u8; UNITS_TEXT]) -> &str {
    let (mantissa, mut scale) = (value.mantissa(), value.scale());
    if mantissa == 0 {
        return "0";
    }
    let mut magnitude = mantissa.unsigned_abs();
    // Mantissas of units are small: strip zeros in 64 bits when they fit
    // (128-bit division is a call into the compiler's runtime).
    match u64::try_from(magnitude) {
        Ok(mut small) => {
            while scale > 0 && small % 10 == 0 {
                small /= 10;
                scale -= 1;
            }
            magnitude = u128::from(small);
        }
        Err(_) => {
            while scale > 0 && magnitude % 10 == 0 {
                magnitude /= 10;
                scale -= 1;
            }
        }
    }
    let mut at = UNITS_TEXT;
    let mut written = 0;
    loop {
        if written == scale && scale > 0 {
            at -= 1;
            buffer[at] = b'.';
        }
        // Mantissas of units are small: divide in 64 bits when they fit.
        let digit = match u64::try_from(magnitude) {
            Ok(small) => {
                magnitude = u128::from(small / 10);
                small % 10
            }
            Err(_) => {
                let digit = (magnitude % 10) as u64;
                magnitude /= 10;
                digit
            }
        };
        at -= 1;
        buffer[at] = b'0' + digit as u8;
        written += 1;
        if magnitude == 0 && written > scale {
            break;
        }
    }
    if mantissa < 0 {
        at -= 1;
        buffer[at] = b'-';
    }
    std::str::from_utf8(&buffer[at..]).expect("digits, a point and a sign are ASCII")
}

/// The straightforward [`format_units`], which the fast path is pinned to.
#[cfg(test)]
fn format_units_general(value: Decimal) -> String {
    let normal = value.normalize();
    if normal.is_zero() {
        "0".to_string()
    } else {
        normal.to_string()
    }
}

/// Round half away from zero to `decimals` places.
pub(crate) fn round_money(value: Decimal, decimals: u32) -> Decimal {
    let mut rounded =
        value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(decimals);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    rounded
}

/// Money prints with exactly `decimals` digits: `18.00`.
#[cfg(test)]
fn format_money(value: Decimal, decimals: u32) -> String {
    round_money(value, decimals).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_value_is_ten_to_the_twelfth() {
        assert_eq!(MAX_VALUE, Decimal::from(1_000_000_000_000_i64));
    }

    #[test]
    fn parses_written_text_exactly() {
        assert_eq!(parse_decimal("0.1"), Some(Decimal::new(1, 1)));
        assert_eq!(parse_decimal("1_000.5"), Some(Decimal::new(10005, 1)));
        assert_eq!(parse_decimal("1e3"), Some(Decimal::from(1000)));
        assert_eq!(parse_decimal("2.5E-1"), Some(Decimal::new(25, 2)));
        assert_eq!(parse_decimal("-3"), Some(Decimal::from(-3)));
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("nan"), None);
        assert_eq!(
            parse_decimal("1234567890123456789012345678901234567890"),
            None
        );
    }

    #[test]
    fn units_print_normalised() {
        assert_eq!(format_units(Decimal::new(28910, 2)), "289.1");
        assert_eq!(format_units(Decimal::new(3000, 1)), "300");
        assert_eq!(format_units(Decimal::new(0, 3)), "0");
        assert_eq!(format_units(-Decimal::new(0, 3)), "0");
    }

    proptest::proptest! {
        #[test]
        fn the_units_fast_path_prints_what_normalize_prints(
            low: u32, mid: u32, high: u32, negative: bool, scale in 0u32..=28,
            small in -100_000_000i64..100_000_000, use_small: bool,
        ) {
            let value = if use_small {
                Decimal::new(small, scale)
            } else {
                Decimal::from_parts(low, mid, high, negative, scale)
            };
            proptest::prop_assert_eq!(format_units(value), format_units_general(value));
        }

        /// A line number is written as `to_string` writes it, at every width.
        #[test]
        fn a_line_number_is_written_as_to_string_writes_it(value: u64, digits in 0u32..20) {
            for value in [value, value % 10u64.pow(digits), u64::MAX, 0] {
                let mut buffer = [0; 20];
                proptest::prop_assert_eq!(u64_text(value, &mut buffer), value.to_string());
            }
        }
    }

    /// Several trailing zeros, in both widths the zeros are stripped in.
    #[test]
    fn units_lose_every_trailing_zero() {
        for (value, text) in [
            (Decimal::new(1_000_000, 6), "1"),
            (Decimal::new(1_200_000, 6), "1.2"),
            (Decimal::new(-30_000, 4), "-3"),
            (Decimal::from_i128_with_scale(10i128.pow(25), 20), "100000"),
            (
                Decimal::from_i128_with_scale(-25 * 10i128.pow(24), 22),
                "-2500",
            ),
        ] {
            assert_eq!(format_units(value), text);
            assert_eq!(format_units_general(value), text);
        }
    }

    #[test]
    fn money_rounds_half_away_from_zero_with_fixed_digits() {
        assert_eq!(format_money(Decimal::new(125, 3), 2), "0.13");
        assert_eq!(format_money(Decimal::new(-125, 3), 2), "-0.13");
        assert_eq!(format_money(Decimal::new(135, 3), 2), "0.14");
        assert_eq!(format_money(Decimal::from(18), 2), "18.00");
        assert_eq!(format_money(Decimal::new(5, 1), 0), "1");
        assert_eq!(format_money(Decimal::new(-1, 3), 2), "0.00");
    }
}
