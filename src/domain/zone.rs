//! The plan's time zone and the timestamp forms the inputs may use.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, SecondsFormat,
    TimeZone, Utc,
};
use chrono_tz::Tz;
use std::fmt;

/// A fixed UTC offset or an IANA zone; all calendar arithmetic happens here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

/// Why a local wall-clock time does not name one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTimeProblem {
    /// The clocks jumped over it (spring forward).
    Skipped,
    /// It happened twice (fall back).
    Ambiguous,
}

/// The earliest and latest instants any input may name.
pub(crate) const EARLIEST_YEAR: i32 = 1970;
pub(crate) const LATEST_YEAR: i32 = 9999;

impl Default for Zone {
    fn default() -> Self {
        Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset is valid"))
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Fixed(offset) => write!(f, "{offset}"),
            Zone::Named(tz) => write!(f, "{}", tz.name()),
        }
    }
}

impl Zone {
    /// `+08:00`, `-05:30`, `Z`, `UTC` or an IANA name such as `Asia/Shanghai`.
    pub fn parse(text: &str) -> Option<Zone> {
        let text = text.trim();
        if text == "Z" || text == "z" {
            return Some(Zone::default());
        }
        if text.starts_with(['+', '-']) {
            return parse_offset(text).map(Zone::Fixed);
        }
        text.parse::<Tz>().ok().map(Zone::Named)
    }

    pub(crate) fn offset_at(&self, instant: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Fixed(offset) => *offset,
            Zone::Named(tz) => tz.offset_from_utc_datetime(&instant.naive_utc()).fix(),
        }
    }

    /// The instant as the plan's zone shows it.
    pub(crate) fn local(&self, instant: DateTime<Utc>) -> DateTime<FixedOffset> {
        instant.with_timezone(&self.offset_at(instant))
    }

    pub(crate) fn local_naive(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        self.local(instant).naive_local()
    }

    /// RFC 3339 in the plan's zone, whole seconds unless the instant has a fraction.
    pub fn format(&self, instant: DateTime<Utc>) -> String {
        self.local(instant)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }

    /// The instant a local wall-clock time names, refusing times that a DST
    /// change skipped or repeated.
    pub(crate) fn resolve_strict(
        &self,
        local: NaiveDateTime,
    ) -> Result<DateTime<Utc>, LocalTimeProblem> {
        match self.resolve(local) {
            LocalResult::Single(instant) => Ok(instant),
            LocalResult::None => Err(LocalTimeProblem::Skipped),
            LocalResult::Ambiguous(..) => Err(LocalTimeProblem::Ambiguous),
        }
    }

    /// The instant a computed boundary (a cycle or month start) falls on: a
    /// repeated time takes its first occurrence, a skipped time moves forward
    /// by the length of the gap (02:30 on a spring-forward day is 03:30).
    /// A boundary counted from a leap second (a start at 23:59:60) falls in
    /// second 59 of its day: months and days later there is no second 60,
    /// and no computed boundary is printed as one.
    pub(crate) fn resolve_boundary(&self, local: NaiveDateTime) -> DateTime<Utc> {
        use chrono::Timelike;
        let nanos = local.nanosecond();
        let local = if nanos >= 1_000_000_000 {
            local
                .with_nanosecond(nanos - 1_000_000_000)
                .unwrap_or(local)
        } else {
            local
        };
        match self.resolve(local) {
            LocalResult::Single(instant) => instant,
            LocalResult::Ambiguous(first, _) => first,
            LocalResult::None => {
                let before_gap =
                    self.offset_at(Utc.from_utc_datetime(&(local - chrono::Duration::days(1))));
                Utc.from_utc_datetime(&(local - before_gap))
            }
        }
    }

    fn resolve(&self, local: NaiveDateTime) -> LocalResult<DateTime<Utc>> {
        match self {
            Zone::Fixed(offset) => offset
                .from_local_datetime(&local)
                .map(|t| t.with_timezone(&Utc)),
            Zone::Named(tz) => tz
                .from_local_datetime(&local)
                .map(|t| t.with_timezone(&Utc)),
        }
    }
}

fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None if rest.len() == 2 => (rest, "00"),
        None => return None,
    };
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// Why a timestamp was refused; `Display` says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimestampError {
    Unrecognised,
    OutOfRange,
    /// The zone the time was read in: the plan's, or the log's
    /// (`--log-zone`), which the message names.
    Local(LocalTimeProblem, Zone),
    /// Second 60 anywhere but where UTC may insert a leap second.
    NotALeapSecond,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampError::Unrecognised => write!(
                f,
                "use RFC 3339 with an offset (2024-03-15T14:00:00+08:00), \
                 YYYY-MM-DD HH:MM:SS in the plan's time zone, or Unix seconds"
            ),
            TimestampError::OutOfRange => write!(
                f,
                "use a time between {EARLIEST_YEAR}-01-01 and {LATEST_YEAR}-12-31"
            ),
            TimestampError::Local(LocalTimeProblem::Skipped, zone) => write!(
                f,
                "this local time does not exist in the time zone {zone}, which it is \
                 read in (the clocks skipped it); write it with an explicit offset"
            ),
            TimestampError::Local(LocalTimeProblem::Ambiguous, zone) => write!(
                f,
                "this local time happens twice in the time zone {zone}, which it is \
                 read in (the clocks went back); write it with an explicit offset"
            ),
            TimestampError::NotALeapSecond => write!(
                f,
                "second 60 exists only as a leap second, at 23:59:60 UTC on 30 June \
                 or 31 December; write the next minute's :00 instead"
            ),
        }
    }
}

/// Parse one of the spec's timestamp forms: RFC 3339 with an offset, a naive
/// `YYYY-MM-DD HH:MM:SS` (or with `T`) read in `zone`, or integer Unix seconds.
pub fn parse_timestamp(text: &str, zone: Zone) -> Result<DateTime<Utc>, TimestampError> {
    if let Some(instant) = parse_fixed_layout(text.as_bytes(), zone) {
        return Ok(instant);
    }
    parse_timestamp_general(text, zone)
}

fn two_digits(bytes: &[u8], at: usize) -> Option<u32> {
    let (a, b) = (
        bytes.get(at)?.wrapping_sub(b'0'),
        bytes.get(at + 1)?.wrapping_sub(b'0'),
    );
    (a < 10 && b < 10).then(|| u32::from(a) * 10 + u32::from(b))
}

/// The hot path for the common shapes `YYYY-MM-DDTHH:MM:SS[.f][Z|±HH:MM]`
/// (and naive ones in a fixed-offset zone), without chrono's format
/// machinery. `None` means "not this shape": the general parser decides,
/// so both paths always agree (a property test pins that).
fn parse_fixed_layout(bytes: &[u8], zone: Zone) -> Option<DateTime<Utc>> {
    if bytes.len() < 19
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    if !matches!(bytes[10], b'T' | b' ') {
        return None;
    }
    let (hour, minute, second) = (
        two_digits(bytes, 11)?,
        two_digits(bytes, 14)?,
        two_digits(bytes, 17)?,
    );
    // chrono keeps a leap second as second 59 with a second's more
    // nanoseconds; whether this one may be a leap second is known in UTC.
    let (second, leap_nanos) = match second {
        60 => (59, 1_000_000_000),
        _ => (second, 0),
    };
    let mut at = 19;
    let mut nanos = 0u32;
    if bytes.get(at) == Some(&b'.') {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 9 {
            return None;
        }
        for digit in &bytes[at + 1..at + 1 + digits] {
            nanos = nanos * 10 + u32::from(digit - b'0');
        }
        nanos *= 10u32.pow(9 - digits as u32);
        at += 1 + digits;
    }
    let offset_seconds = match &bytes[at..] {
        [] => match zone {
            Zone::Fixed(offset) => offset.local_minus_utc(),
            Zone::Named(_) => return None,
        },
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (two_digits(bytes, at + 1)?, two_digits(bytes, at + 4)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = (h * 3600 + m * 60) as i32;
            if *sign == b'+' { seconds } else { -seconds }
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date_bytes: [u8; 10] = bytes[..10].try_into().ok()?;
    let of_day = i64::from(hour * 3600 + minute * 60 + second) - i64::from(offset_seconds);
    let slot = date_slot(&date_bytes);
    let (seconds, utc_date) = KNOWN_DAYS.with(|known| {
        let entry = &known[slot];
        let mut days = entry.get();
        if days.local != date_bytes {
            days.local_days = local_days(bytes)?;
            let from_ce = i32::try_from(days.local_days + 719_163).ok()?;
            days.local_date = NaiveDate::from_num_days_from_ce_opt(from_ce)?;
            days.local = date_bytes;
            entry.set(days);
        }
        let seconds = days.local_days * 86_400 + of_day;
        // What `DateTime::from_timestamp` does, but the UTC date is the
        // local one kept for the date's bytes, or the day before or after.
        let utc_date = match seconds.div_euclid(86_400) - days.local_days {
            0 => days.local_date,
            -1 => days.local_date.pred_opt()?,
            1 => days.local_date.succ_opt()?,
            _ => return None,
        };
        Some((seconds, utc_date))
    })?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(
        seconds.rem_euclid(86_400) as u32,
        nanos + leap_nanos,
    )?;
    let utc = NaiveDateTime::new(utc_date, time);
    if is_misplaced_leap_second(&utc) {
        return None;
    }
    Some(utc.and_utc())
}

/// The last instant before `boundary` (a next midnight, a window's end):
/// its last nanosecond, or the last of a leap second just before it, so an
/// as-of "to the end of 31 December" counts a scan at 23:59:60 UTC.
pub(crate) fn last_instant_before(boundary: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    let leap = (boundary - chrono::TimeDelta::seconds(1)).with_nanosecond(1_999_999_999);
    match leap {
        Some(leap)
            if boundary.nanosecond() == 0 && !is_misplaced_leap_second(&leap.naive_utc()) =>
        {
            leap
        }
        _ => boundary - chrono::TimeDelta::nanoseconds(1),
    }
}

/// Whether `utc` is a second 60 (chrono accepts one at any minute) where
/// no leap second can be: UTC inserts them only at 23:59:60 on 30 June or
/// 31 December. Printed, any other would be a `:60` that other tools refuse.
pub(crate) fn is_misplaced_leap_second(utc: &NaiveDateTime) -> bool {
    use chrono::{Datelike, Timelike};
    utc.nanosecond() >= 1_000_000_000
        && !(utc.hour() == 23
            && utc.minute() == 59
            && matches!((utc.month(), utc.day()), (6, 30) | (12, 31)))
}

/// The days from 1970-01-01 to the date `YYYY-MM-DD` that `bytes` start
/// with, if it is one the fast path takes.
fn local_days(bytes: &[u8]) -> Option<i64> {
    let year = two_digits(bytes, 0)? * 100 + two_digits(bytes, 2)?;
    let (month, day) = (two_digits(bytes, 5)?, two_digits(bytes, 8)?);
    // A year strictly inside the range stays inside it after any offset
    // (less than a day); the first and last years go the general way.
    let year = year as i32;
    if year <= EARLIEST_YEAR || year >= LATEST_YEAR || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// A date the fast path read on this thread, by its bytes: its day number
/// and its calendar date. Turning bytes into a day number and that into a
/// date was about a third of the timestamp's cost; rows of a log come day
/// by day, or (shuffled) from a few hundred dates, which a table of
/// [`KNOWN_DATES`] keeps.
#[derive(Clone, Copy)]
struct KnownDay {
    local: [u8; 10],
    local_days: i64,
    local_date: NaiveDate,
}

/// Dates kept per thread: a year's, with room to spare (12 KB).
const KNOWN_DATES: usize = 512;

thread_local! {
    static KNOWN_DAYS: [std::cell::Cell<KnownDay>; KNOWN_DATES] = const {
        // No date's bytes: the first row of each date fills its entry.
        [const {
            std::cell::Cell::new(KnownDay {
                local: [0; 10],
                local_days: 0,
                local_date: NaiveDate::MIN,
            })
        }; KNOWN_DATES]
    };
}

/// Where the date `YYYY-MM-DD` (any bytes) is kept in [`KNOWN_DAYS`]: the
/// dates of one year fall in different entries, and an entry is used only
/// when its bytes are the date's.
fn date_slot(date: &[u8; 10]) -> usize {
    let digit = |at: usize| usize::from(date[at].wrapping_sub(b'0'));
    let day_of_year = digit(5) * 310 + digit(6) * 31 + digit(8) * 10 + digit(9);
    (day_of_year + digit(3) * 409) % KNOWN_DATES
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar, for
/// years from 1 on (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn parse_timestamp_general(text: &str, zone: Zone) -> Result<DateTime<Utc>, TimestampError> {
    let text = text.trim();
    let instant = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: i64 = text.parse().map_err(|_| TimestampError::OutOfRange)?;
        DateTime::from_timestamp(seconds, 0).ok_or(TimestampError::OutOfRange)?
    } else if has_offset(text) {
        DateTime::parse_from_rfc3339(text)
            .map_err(|_| TimestampError::Unrecognised)?
            .with_timezone(&Utc)
    } else {
        let naive = parse_naive(text).ok_or(TimestampError::Unrecognised)?;
        check_year(naive.date())?;
        zone.resolve_strict(naive)
            .map_err(|problem| TimestampError::Local(problem, zone))?
    };
    check_year(instant.date_naive())?;
    if is_misplaced_leap_second(&instant.naive_utc()) {
        return Err(TimestampError::NotALeapSecond);
    }
    // Printed in the plan's zone, a time late on 9999-12-31 (UTC) may be in
    // the year 10000 there, which RFC 3339 cannot write. (The fast path
    // takes no year past 9998, so only this one needs the check.)
    if chrono::Datelike::year(&zone.local_naive(instant)) > LATEST_YEAR {
        return Err(TimestampError::OutOfRange);
    }
    Ok(instant)
}

/// Like [`parse_timestamp`], also taking a bare `YYYY-MM-DD` as local midnight
/// (plan dates such as `start = 2024-03-15`).
pub fn parse_plan_timestamp(text: &str, zone: Zone) -> Result<DateTime<Utc>, TimestampError> {
    if let Ok(date) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        check_year(date)?;
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        return zone
            .resolve_strict(midnight)
            .map_err(|problem| TimestampError::Local(problem, zone));
    }
    parse_timestamp(text, zone)
}

fn check_year(date: NaiveDate) -> Result<(), TimestampError> {
    use chrono::Datelike;
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(TimestampError::OutOfRange)
    }
}

fn has_offset(text: &str) -> bool {
    if text.ends_with(['Z', 'z']) {
        return true;
    }
    // An offset is a sign after the time part: look past the date's own dashes.
    // Bytes, not a `str` slice: byte 10 may fall inside a multi-byte character.
    text.as_bytes()
        .get(10..)
        .is_some_and(|rest| rest.iter().any(|&b| b == b'+' || b == b'-'))
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_agrees_with_the_general_parser(
            year in 1960i32..10010, month in 0u32..14, day in 0u32..33,
            hour in 0u32..25, minute in 0u32..61, second in 0u32..61,
            fraction in proptest::option::of(0u32..1_000_000), separator in 0usize..3,
            offset in proptest::option::of(-1439i32..1440), zulu: bool, fixed_zone: bool,
        ) {
            let sep = ["T", " ", "t"][separator];
            let mut text = format!("{year:04}-{month:02}-{day:02}{sep}{hour:02}:{minute:02}:{second:02}");
            if let Some(fraction) = fraction {
                text += &format!(".{fraction}");
            }
            match (offset, zulu) {
                (_, true) => text.push('Z'),
                (Some(minutes), false) => {
                    let sign = if minutes < 0 { '-' } else { '+' };
                    text += &format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60);
                }
                (None, false) => {}
            }
            let zone = if fixed_zone { Zone::parse("+05:30").unwrap() } else { Zone::parse("Europe/Berlin").unwrap() };
            if let Some(fast) = parse_fixed_layout(text.as_bytes(), zone) {
                proptest::prop_assert_eq!(Ok(fast), parse_timestamp_general(&text, zone), "{}", text);
            }
        }
    }

    proptest::proptest! {
        /// Rows that share dates (the fast path keeps each date read in a
        /// table) parse as the general parser reads them, whatever order
        /// the dates and offsets come in.
        #[test]
        fn the_fast_path_agrees_row_after_row(
            rows in proptest::collection::vec(
                (
                    0usize..8, 0u32..24, 0u32..60, proptest::sample::select(vec![7u32, 59, 60]),
                    proptest::option::of(-1439i32..1440),
                    proptest::option::of((2020u32..2030, 1u32..13, 1u32..32)),
                ),
                1..80,
            ),
        ) {
            // Leap seconds' dates and the days after them too: second 60 is
            // taken at 23:59 UTC on the last of June or December only.
            let dates = [
                "2024-02-28", "2024-02-29", "2024-03-01", "2023-02-29",
                "2016-12-31", "2017-01-01", "2015-06-30", "2015-07-01",
            ];
            let zone = Zone::parse("+05:30").unwrap();
            for (date, hour, minute, second, offset, other) in rows {
                // A known date, or one of ten years' (whose entries in the
                // table of dates collide now and then).
                let date = match other {
                    Some((year, month, day)) => format!("{year}-{month:02}-{day:02}"),
                    None => dates[date].to_string(),
                };
                let mut text = format!("{date}T{hour:02}:{minute:02}:{second:02}");
                if let Some(minutes) = offset {
                    let sign = if minutes < 0 { '-' } else { '+' };
                    text += &format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60);
                }
                let general = parse_timestamp_general(&text, zone);
                match parse_fixed_layout(text.as_bytes(), zone) {
                    Some(fast) => proptest::prop_assert_eq!(Ok(fast), general, "{}", text),
                    None => proptest::prop_assert!(general.is_err(), "{}", text),
                }
            }
        }
    }

    proptest::proptest! {
        /// Second 60 is taken, on both paths and in any offset, exactly at
        /// 23:59:60 UTC on the last day of June or December, as chrono
        /// keeps it (23:59:59 and a second's more nanoseconds).
        #[test]
        fn second_60_is_only_a_leap_second(
            date in proptest::sample::select(vec![
                "2016-12-31", "2015-06-30", "2024-06-30", "2024-03-16", "2016-06-29", "2017-01-01",
            ]),
            utc_minute in proptest::prop_oneof![1439u32..1440, 0u32..1440],
            fraction in proptest::option::of(0u32..1000),
            offset in proptest::option::of(-1439i32..1440), zulu: bool,
        ) {
            let zone = Zone::parse("+05:30").unwrap();
            let utc_start = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
                .and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(i64::from(utc_minute));
            let offset_minutes = if zulu { 0 } else { offset.unwrap_or(330) };
            let local = utc_start + chrono::Duration::minutes(i64::from(offset_minutes));
            let mut text = local.format("%Y-%m-%dT%H:%M:60").to_string();
            if let Some(fraction) = fraction {
                text += &format!(".{fraction:03}");
            }
            match (offset, zulu) {
                (_, true) => text.push('Z'),
                (Some(minutes), false) => {
                    let sign = if minutes < 0 { '-' } else { '+' };
                    text += &format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60);
                }
                (None, false) => {}
            }
            let general = parse_timestamp_general(&text, zone);
            let leap_place = utc_minute == 1439 && (date.ends_with("06-30") || date.ends_with("12-31"));
            if leap_place {
                let nanos = 1_000_000_000 + fraction.unwrap_or(0) * 1_000_000;
                let expected = (utc_start + chrono::Duration::seconds(59)).with_nanosecond(nanos).unwrap().and_utc();
                proptest::prop_assert_eq!(&general, &Ok(expected), "{}", text);
            } else {
                proptest::prop_assert_eq!(&general, &Err(TimestampError::NotALeapSecond), "{}", text);
            }
            match parse_fixed_layout(text.as_bytes(), zone) {
                Some(fast) => proptest::prop_assert_eq!(Ok(fast), general, "{}", text),
                None => proptest::prop_assert!(general.is_err(), "{}", text),
            }
        }
    }

    #[test]
    fn a_multi_byte_character_where_the_time_starts_is_an_error_not_a_panic() {
        // Found by the `replay` fuzz target: a BOM at byte 8 made byte 10 fall
        // inside a character.
        for text in [
            "2024-03-\u{feff}21:00:00+08:00",
            "2024-03-2é1:00:00",
            "ééééééé",
        ] {
            assert!(parse_timestamp(text, Zone::default()).is_err(), "{text}");
            assert!(
                parse_plan_timestamp(text, Zone::default()).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn zones_parse() {
        assert_eq!(
            Zone::parse("+08:00"),
            Some(Zone::Fixed(FixedOffset::east_opt(8 * 3600).unwrap()))
        );
        assert_eq!(
            Zone::parse("-05:30"),
            Some(Zone::Fixed(FixedOffset::west_opt(5 * 3600 + 1800).unwrap()))
        );
        assert_eq!(Zone::parse("Z"), Some(Zone::default()));
        assert_eq!(
            Zone::parse("Asia/Shanghai"),
            Some(Zone::Named(Tz::Asia__Shanghai))
        );
        assert_eq!(Zone::parse("Mars/Olympus"), None);
        assert_eq!(Zone::parse("+25:00"), None);
        assert_eq!(Zone::parse("+8"), None);
    }

    #[test]
    fn three_timestamp_forms() {
        let zone = Zone::parse("+08:00").unwrap();
        let expected = utc("2024-03-15T06:00:00Z");
        assert_eq!(
            parse_timestamp("2024-03-15T14:00:00+08:00", zone),
            Ok(expected)
        );
        assert_eq!(parse_timestamp("2024-03-15T06:00:00Z", zone), Ok(expected));
        assert_eq!(parse_timestamp("2024-03-15 14:00:00", zone), Ok(expected));
        assert_eq!(parse_timestamp("2024-03-15T14:00:00", zone), Ok(expected));
        assert_eq!(parse_timestamp("1710482400", zone), Ok(expected));
        for common in [
            "2024-03-15T14:00:00+08:00",
            "2024-03-15T06:00:00Z",
            "2024-03-15 14:00:00",
        ] {
            assert_eq!(
                parse_fixed_layout(common.as_bytes(), zone),
                Some(expected),
                "{common} takes the fast path"
            );
        }
        assert_eq!(
            parse_timestamp("2024-03-15T14:00:00.250+08:00", zone),
            Ok(expected + chrono::Duration::milliseconds(250))
        );
    }

    #[test]
    fn bad_timestamps_are_refused() {
        let zone = Zone::default();
        for text in [
            "",
            "yesterday",
            "2024-13-01 00:00:00",
            "2024-03-15",
            "15/03/2024 10:00",
        ] {
            assert_eq!(
                parse_timestamp(text, zone),
                Err(TimestampError::Unrecognised),
                "{text}"
            );
        }
        for text in [
            "0000-01-01T00:00:00Z",
            "1000000000000000",
            "99999999999999999999",
        ] {
            assert_eq!(
                parse_timestamp(text, zone),
                Err(TimestampError::OutOfRange),
                "{text}"
            );
        }
    }

    #[test]
    fn second_60_outside_a_leap_second_is_refused() {
        let zone = Zone::parse("+08:00").unwrap();
        for text in [
            "2024-03-16T09:17:60+08:00",
            "2024-03-16 09:17:60",
            "2024-03-16T09:17:60.5Z",
            "2016-12-31T23:59:60+08:00",
            "2016-12-31 23:59:60",
        ] {
            assert_eq!(
                parse_timestamp(text, zone),
                Err(TimestampError::NotALeapSecond),
                "{text}"
            );
        }
        // 23:59:60 UTC on 31 December is a leap second's place, in any
        // offset; it prints as chrono prints it, second 60 in the plan's zone.
        for text in [
            "2016-12-31T23:59:60Z",
            "2017-01-01T07:59:60+08:00",
            "2017-01-01 07:59:60",
        ] {
            let instant = parse_timestamp(text, zone).unwrap();
            assert_eq!(instant.timestamp(), utc("2016-12-31T23:59:59Z").timestamp());
            assert_eq!(instant.nanosecond(), 1_000_000_000, "{text}");
            assert_eq!(zone.format(instant), "2017-01-01T07:59:60+08:00");
        }
    }

    #[test]
    fn shanghai_has_no_dst() {
        let zone = Zone::parse("Asia/Shanghai").unwrap();
        for text in [
            "2024-03-31 02:30:00",
            "2024-10-27 02:30:00",
            "1995-04-16 02:30:00",
        ] {
            let instant = parse_timestamp(text, zone).unwrap();
            assert_eq!(zone.offset_at(instant).local_minus_utc(), 8 * 3600);
        }
    }

    #[test]
    fn berlin_gap_and_overlap_are_errors_in_logs() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        assert_eq!(
            parse_timestamp("2024-03-31 02:30:00", zone),
            Err(TimestampError::Local(LocalTimeProblem::Skipped, zone))
        );
        assert_eq!(
            parse_timestamp("2024-10-27 02:30:00", zone),
            Err(TimestampError::Local(LocalTimeProblem::Ambiguous, zone))
        );
        assert_eq!(
            parse_timestamp("2024-10-27 02:30:00+01:00", zone),
            Ok(utc("2024-10-27T01:30:00Z"))
        );
        assert_eq!(
            parse_timestamp("2024-03-31 03:30:00", zone),
            Ok(utc("2024-03-31T01:30:00Z"))
        );
    }

    #[test]
    fn berlin_boundaries_resolve_forward_and_first() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let naive = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            zone.resolve_boundary(naive("2024-03-31 02:30:00")),
            utc("2024-03-31T01:30:00Z")
        );
        assert_eq!(
            zone.resolve_boundary(naive("2024-10-27 02:30:00")),
            utc("2024-10-27T00:30:00Z")
        );
        assert_eq!(
            zone.format(utc("2024-10-27T00:30:00Z")),
            "2024-10-27T02:30:00+02:00"
        );
        assert_eq!(
            zone.format(utc("2024-10-27T01:30:00Z")),
            "2024-10-27T02:30:00+01:00"
        );
    }
}
