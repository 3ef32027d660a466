//! Exact decimal helpers: parsing written numbers without passing through a
//! binary float, and the two print forms the spec asks for.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// The largest magnitude accepted for a unit count, quantity or price.
/// One product of two such values (10^24) is a decimal, but not at every
/// number of places (at 8 it needs 33 digits), and sums over a log (which
/// has no row limit), over many allowances and periods, or a log's units
/// times a price need not fit at all: every product and sum of units and
/// money goes through [`Exact`] or [`priced`], and one that cannot be held
/// exactly is an error naming what to make smaller.
pub(crate) const MAX_VALUE: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0); // 10^12

/// The most fractional digits accepted in a plan value.
pub(crate) const MAX_SCALE: u32 = 8;

/// Parse the decimal text as written (`0.1`, `-3`, `1_000.5`, `1e3`).
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    read_decimal(text).ok()
}

/// Why written text is not a decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Not written as a number (`lots`, `1.2.3`, `5e`).
    NotANumber,
    /// A number, but one a decimal cannot hold exactly: more than 28
    /// significant digits or places, or beyond about 7.9e28.
    BeyondADecimal,
}

/// [`parse_decimal`], saying why it is not one.
pub(crate) fn read_decimal(text: &str) -> Result<Decimal, Unreadable> {
    // An underscore groups digits, as in TOML (`1_000`): only between two
    // digits. A stray one (`_1`, `1_`, `1__0`) is a typo, not a number.
    if !underscores_between_digits(text.trim()) {
        return Err(Unreadable::NotANumber);
    }
    let cleaned: String = text.trim().chars().filter(|c| *c != '_').collect();
    if !written_as_number(&cleaned) {
        return Err(Unreadable::NotANumber);
    }
    let value = if cleaned.contains(['e', 'E']) {
        Decimal::from_scientific(&cleaned)
    } else {
        Decimal::from_str(&cleaned)
    }
    .map_err(|_| Unreadable::BeyondADecimal)?;
    let mantissa = cleaned.split(['e', 'E']).next().unwrap_or_default();
    if every_digit_kept(mantissa, value) {
        Ok(value)
    } else {
        Err(Unreadable::BeyondADecimal)
    }
}

/// Whether every `_` in `text` stands between two ASCII digits.
fn underscores_between_digits(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(at, byte)| {
        *byte != b'_'
            || (at > 0
                && bytes[at - 1].is_ascii_digit()
                && bytes.get(at + 1).is_some_and(u8::is_ascii_digit))
    })
}

/// A sign, digits with at most one point (at least one digit), and an
/// optional exponent of digits with a sign.
fn written_as_number(text: &str) -> bool {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (text, None),
    };
    let unsigned = |part: &str| part.strip_prefix(['+', '-']).unwrap_or(part).to_string();
    let mantissa = unsigned(mantissa);
    let digits = mantissa.chars().filter(char::is_ascii_digit).count();
    let points = mantissa.chars().filter(|c| *c == '.').count();
    let mantissa_ok = digits > 0 && points <= 1 && digits + points == mantissa.len();
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = unsigned(exponent);
        !exponent.is_empty() && exponent.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// Whether `value` holds every significant digit written in `text` (a
/// number's digits before any exponent). rust_decimal rounds text of more
/// than 28 digits rather than failing: `4.99999999999999999999999999999999`
/// reads as 5, which must be refused, not taken.
pub(crate) fn every_digit_kept(text: &str, value: Decimal) -> bool {
    let written: String = text.chars().filter(char::is_ascii_digit).collect();
    let held = value.normalize().mantissa().unsigned_abs().to_string();
    written.trim_start_matches('0').trim_end_matches('0')
        == held.trim_end_matches('0').trim_start_matches('0')
}

/// The sum of `values`, or `None` if it is beyond a decimal's range or
/// could not be held exactly ([`Exact::exact_add`]).
pub(crate) fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |sum, value| sum.exact_add(value))
}

/// Arithmetic that is exact or answers `None`. A decimal holds 96 bits of
/// digits; where a sum or product needs more, rust_decimal does not fail:
/// it drops fractional digits, rounding (`1000000000000.12345678 ×
/// 999999999999.87654321` comes back with 4 places, not 16). A billing
/// figure must be exact or refused, so every sum and product of units and
/// money goes through these; `checked_*` stays only where a quotient is
/// rounded on purpose (shares, proportional projections).
pub(crate) trait Exact: Sized {
    /// `self + other`, or `None` beyond the range or where a digit would
    /// be dropped.
    fn exact_add(self, other: Self) -> Option<Self>;
    /// `self − other`, likewise.
    fn exact_sub(self, other: Self) -> Option<Self>;
    /// `self × other`, likewise.
    fn exact_mul(self, other: Self) -> Option<Self>;
}

impl Exact for Decimal {
    fn exact_add(self, other: Decimal) -> Option<Decimal> {
        let sum = self.checked_add(other)?;
        // Adding zero gives the other value back as it is (at its own
        // scale): exact. Otherwise the sum keeps the larger scale unless
        // digits were dropped to make it fit.
        let kept =
            self.is_zero() || other.is_zero() || sum.scale() >= self.scale().max(other.scale());
        kept.then_some(sum)
    }

    fn exact_sub(self, other: Decimal) -> Option<Decimal> {
        self.exact_add(-other)
    }

    fn exact_mul(self, other: Decimal) -> Option<Decimal> {
        if self.is_zero() || other.is_zero() {
            return Some(Decimal::ZERO);
        }
        let product = self.checked_mul(other)?;
        (product.scale() == self.scale() + other.scale()).then_some(product)
    }
}

/// Units print normalised: `289.1`, `300`, `0`.
pub(crate) fn format_units(value: Decimal) -> String {
    units_text(value, &mut [0; UNITS_TEXT]).to_string()
}

/// Room for any decimal's text: 29 digits, a point, a sign and a leading 0.
pub(crate) const UNITS_TEXT: usize = 40;

/// `value` in decimal digits, written into `buffer` from its end: what
/// `value.to_string()` gives, for a ledger's line numbers (one a row), as
/// the bytes a CSV row is laid out from (a check that they are UTF-8
/// costs a ledger more than writing them).
pub(crate) fn u64_digits(mut value: u64, buffer: &mut [u8; 20]) -> &[u8] {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    &buffer[start..]
}

/// [`format_units`] written into `buffer`, without allocating (a ledger
/// prints millions): the mantissa's digits, trailing fractional zeros
/// dropped, the point placed by the scale. What `normalize` then
/// `to_string` print; a property test pins the two together.
pub(crate) fn units_text(value: Decimal, buffer: &mut [u8; UNITS_TEXT]) -> &str {
    std::str::from_utf8(units_digits(value, buffer)).expect("digits, a point and a sign are ASCII")
}

/// [`units_text`] as bytes, for a ledger's CSV rows and draws (see
/// [`u64_digits`]).
pub(crate) fn units_digits(value: Decimal, buffer: &mut [u8; UNITS_TEXT]) -> &[u8] {
    let (mantissa, mut scale) = (value.mantissa(), value.scale());
    if mantissa == 0 {
        return b"0";
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
    &buffer[at..]
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

/// Round half away from zero to `decimals` places; `None` if the amount is
/// too large to be written with that many places (a decimal's 96 bits hold
/// about 28 digits in all: at 8 places, amounts below 7.9 × 10^20).
pub(crate) fn round_money(value: Decimal, decimals: u32) -> Option<Decimal> {
    let mut rounded =
        value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(decimals);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    // `rescale` keeps fewer places where `decimals` would not fit.
    (rounded.scale() == decimals).then_some(rounded)
}

/// `quantity × price` rounded half away from zero to `decimals` places, as
/// a charge is; `None` beyond a decimal's range or where the rounding could
/// differ from the true product's. rust_decimal, when a product has more
/// digits than fit (10^12 × 10^12 with 16 places), rounds it to fewer
/// places. That is still the true rounding to `decimals` when it kept more
/// places than `decimals` and did not land on a midpoint: the true product
/// lies within half its last place, and a midpoint between two amounts is
/// on that same grid, so both lie on the same side of every midpoint. A
/// property test checks this against products worked out in 128 bits.
pub(crate) fn priced(quantity: Decimal, price: Decimal, decimals: u32) -> Option<Decimal> {
    let product = quantity.checked_mul(price)?;
    let dropped = !product.is_zero() && product.scale() < quantity.scale() + price.scale();
    if dropped {
        let below = product - product.round_dp_with_strategy(decimals, RoundingStrategy::ToZero);
        if product.scale() <= decimals || below.abs() == Decimal::new(5, decimals + 1) {
            return None;
        }
    }
    round_money(product, decimals)
}

/// Zero written with `decimals` places (`0.00`).
pub(crate) fn zero_money(decimals: u32) -> Decimal {
    let mut zero = Decimal::ZERO;
    zero.rescale(decimals);
    zero
}

/// Money prints with exactly `decimals` digits: `18.00`.
#[cfg(test)]
fn format_money(value: Decimal, decimals: u32) -> String {
    round_money(value, decimals)
        .expect("test amounts fit")
        .to_string()
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
        assert_eq!(parse_decimal("0.1_0"), Some(Decimal::new(1, 1)));
        // Only between two digits, as TOML writes them.
        for stray in ["_1", "1_", "1__0", "_", "1_.5", "1._5", "-_1", "1e_3"] {
            assert_eq!(read_decimal(stray), Err(Unreadable::NotANumber), "{stray}");
        }
        assert_eq!(parse_decimal("1e3"), Some(Decimal::from(1000)));
        assert_eq!(parse_decimal("2.5E-1"), Some(Decimal::new(25, 2)));
        assert_eq!(parse_decimal("-3"), Some(Decimal::from(-3)));
        assert_eq!(parse_decimal(""), None);
        // More digits than a decimal holds: refused, not rounded.
        assert_eq!(parse_decimal("4.99999999999999999999999999999999"), None);
        assert_eq!(parse_decimal("1000.000000000000000000000000001"), None);
        assert_eq!(
            parse_decimal("1000.00000000000000000000000000000"),
            Some(Decimal::from(1000))
        );
        assert_eq!(parse_decimal("0.000"), Some(Decimal::ZERO));
        assert_eq!(parse_decimal("-0.50"), Some(Decimal::new(-5, 1)));
        assert_eq!(parse_decimal("12.5e-30"), None);
        for text in ["1.2.3", "5e", "1-", "lots", "", ".", "1e+", "--1", "e5"] {
            assert_eq!(read_decimal(text), Err(Unreadable::NotANumber), "{text}");
        }
        for text in ["1e40", "1e-40", "4.99999999999999999999999999999999"] {
            assert_eq!(
                read_decimal(text),
                Err(Unreadable::BeyondADecimal),
                "{text}"
            );
        }
        for (text, value) in [
            ("+.5", Decimal::new(5, 1)),
            ("5.", Decimal::from(5)),
            ("2E+2", Decimal::from(200)),
        ] {
            assert_eq!(read_decimal(text), Ok(value), "{text}");
        }
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

        /// `exact_mul` answers the true product or `None`, and `None` only
        /// where the true product has no exact decimal (more than 96 bits
        /// of digits, or more than 28 places): checked against the product
        /// of the mantissas in 128 bits.
        #[test]
        fn a_product_is_exact_or_refused(
            a in -(1i64 << 62)..(1i64 << 62), b in -(1i64 << 62)..(1i64 << 62),
            sa in 0u32..=20, sb in 0u32..=20, digits in 1u32..=18,
        ) {
            // Both wide and narrow mantissas, so most cases fit.
            let narrow = |m: i64| m % 10i64.pow(digits);
            for (ma, mb) in [(a, b), (narrow(a), b), (narrow(a), narrow(b))] {
                let (x, y) = (Decimal::new(ma, sa), Decimal::new(mb, sb));
                let want = i128::from(ma) * i128::from(mb);
                let fits = want.unsigned_abs() < 1u128 << 96 && sa + sb <= 28;
                match x.exact_mul(y) {
                    Some(product) if want == 0 => proptest::prop_assert!(product.is_zero()),
                    Some(product) => {
                        proptest::prop_assert!(fits);
                        proptest::prop_assert_eq!(product.mantissa(), want);
                        proptest::prop_assert_eq!(product.scale(), sa + sb);
                    }
                    None => proptest::prop_assert!(!fits && want != 0, "{} × {}", x, y),
                }
            }
        }

        /// `priced` answers the true product rounded half away from zero,
        /// or `None` only where rust_decimal had to drop digits: checked
        /// against the product worked out in 128 bits.
        #[test]
        fn a_price_is_the_true_rounding_or_refused(
            a in 1i64..(1i64 << 62), b in 1i64..(1i64 << 62), negative: bool,
            sa in 0u32..=16, sb in 0u32..=16, decimals in 0u32..=8,
        ) {
            let a = if negative { -a } else { a };
            let (x, y) = (Decimal::new(a, sa), Decimal::new(b, sb));
            let places = sa + sb;
            let product = i128::from(a) * i128::from(b);
            // The true product rounded half away from zero to `decimals`.
            // (Beyond 128 bits, it is beyond 96 too: `None`.)
            let want = if places <= decimals {
                product.checked_mul(10i128.pow(decimals - places))
            } else {
                let unit = 10i128.pow(places - decimals);
                let (whole, rest) = (product / unit, product % unit);
                Some(whole + if rest.abs() * 2 >= unit { product.signum() } else { 0 })
            };
            let fits = |m: i128| m.unsigned_abs() < 1u128 << 96;
            match priced(x, y, decimals) {
                Some(amount) => {
                    proptest::prop_assert_eq!(amount.scale(), decimals);
                    proptest::prop_assert_eq!(Some(amount.mantissa()), want, "{} × {}", x, y);
                }
                // Refused only where the product did not fit as it was.
                None => proptest::prop_assert!(
                    !fits(product) || places > 28 || !want.is_some_and(fits),
                    "{} × {} at {}", x, y, decimals
                ),
            }
        }

        /// `exact_add` answers the true sum or `None`, `None` only where the
        /// sum at the larger scale is beyond 96 bits.
        #[test]
        fn a_sum_is_exact_or_refused(
            low: u32, mid: u32, high: u32, negative: bool, sa in 0u32..=8,
            b in -(1i64 << 62)..(1i64 << 62), sb in 0u32..=8,
        ) {
            let x = Decimal::from_parts(low, mid, high, negative, sa);
            let y = Decimal::new(b, sb);
            let scale = sa.max(sb);
            // At the larger scale, in 128 bits (96 + 27 bits fit).
            let at = |d: Decimal| d.mantissa() * 10i128.pow(scale - d.scale());
            let want = at(x) + at(y);
            let fits = want.unsigned_abs() < 1u128 << 96 || x.is_zero() || y.is_zero();
            match x.exact_add(y) {
                Some(sum) => {
                    proptest::prop_assert!(fits, "{} + {} = {}", x, y, sum);
                    proptest::prop_assert_eq!(at(sum), want);
                }
                None => proptest::prop_assert!(!fits, "{} + {}", x, y),
            }
            match x.exact_sub(-y) {
                Some(sum) => proptest::prop_assert_eq!(at(sum), want),
                None => proptest::prop_assert!(!fits),
            }
        }

        /// A line number is written as `to_string` writes it, at every width.
        #[test]
        fn a_line_number_is_written_as_to_string_writes_it(value: u64, digits in 0u32..20) {
            for value in [value, value % 10u64.pow(digits), u64::MAX, 0] {
                let mut buffer = [0; 20];
                let expected = value.to_string();
                proptest::prop_assert_eq!(u64_digits(value, &mut buffer), expected.as_bytes());
            }
        }
    }

    /// rust_decimal rounds a product or sum that does not fit rather than
    /// failing; these refuse it, and so do a charge's price and an amount
    /// too large for its places.
    #[test]
    fn digits_are_never_dropped_silently() {
        let quantity = Decimal::from_i128_with_scale(99_999_999_999_912_345_678, 8);
        let price = Decimal::from_i128_with_scale(99_999_999_999_987_654_321, 8);
        let rounded = quantity.checked_mul(price).expect("rust_decimal rounds");
        assert!(rounded.scale() < 16, "{rounded}");
        assert_eq!(quantity.exact_mul(price), None);
        // Rounded to 4 places, it cannot give 8; it still gives the true 2.
        assert_eq!(priced(quantity, price, 8), None);
        assert_eq!(
            priced(quantity, price, 2).map(|d| d.to_string()),
            Some("999999999998999999990000.11".to_string())
        );
        let big = Decimal::from_i128_with_scale(50_000_000_000_000_000_000_000_000_000, 8);
        assert_eq!(big.exact_add(big), None);
        assert_eq!(
            round_money(Decimal::from_i128_with_scale(10i128.pow(21), 0), 8),
            None
        );
        assert_eq!(
            round_money(Decimal::from(10i64.pow(18)), 8).map(|d| d.to_string()),
            Some("1000000000000000000.00000000".to_string())
        );
        // Adding or multiplying zero gives zero's partner back, exact.
        assert_eq!(
            Decimal::ZERO
                .exact_add(Decimal::new(150, 2))
                .map(|d| d.scale()),
            Some(2)
        );
        assert_eq!(Decimal::new(0, 2).exact_mul(price), Some(Decimal::ZERO));
        // An estimate's 28-place mean is rounded below its 28th place first.
        let mean = Decimal::ONE / Decimal::from(3);
        assert_eq!(
            priced(mean, Decimal::new(6, 2), 2).map(|d| d.to_string()),
            Some("0.02".to_string())
        );
        assert_eq!(zero_money(2).to_string(), "0.00");
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
