//! Subscription cycles and calendar months, in the plan's time zone.
//!
//! Cycle k runs from `start + k months` to `start + (k+1) months`, the months
//! always added to the local start so that a 31st clamps to shorter months
//! without drifting (Jan 31 → Feb 29 → Mar 31 → Apr 30).

use crate::domain::zone::Zone;
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Period {
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

impl Period {
    pub(crate) fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }
}

/// How an allowance's balance resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Reset {
    Cycle,
    CalendarMonth,
}

/// The subscription's term laid out in the plan's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub(crate) zone: Zone,
    pub start: DateTime<Utc>,
    /// `None` for an open-ended term.
    pub(crate) end: Option<DateTime<Utc>>,
    start_local: NaiveDateTime,
}

impl Term {
    pub(crate) fn new(zone: Zone, start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Self {
        Term {
            zone,
            start,
            end,
            start_local: zone.local_naive(start),
        }
    }

    /// A term of `months` cycles; `None` when the end would be past year 9999.
    pub(crate) fn with_months(zone: Zone, start: DateTime<Utc>, months: u32) -> Option<Self> {
        let open = Term::new(zone, start, None);
        let end = open.cycle_boundary(months)?;
        Some(Term::new(zone, start, Some(end)))
    }

    /// `start + k months` as an instant, uncut by the term end. Cycle 0
    /// starts at the start instant itself: a start at the second occurrence
    /// of a repeated local time must not move to the first.
    pub(crate) fn cycle_boundary(&self, k: u32) -> Option<DateTime<Utc>> {
        if k == 0 {
            return Some(self.start);
        }
        let local = self.start_local.checked_add_months(Months::new(k))?;
        if local.year() > crate::domain::zone::LATEST_YEAR {
            return None;
        }
        Some(self.zone.resolve_boundary(local))
    }

    fn cut(&self, instant: DateTime<Utc>) -> DateTime<Utc> {
        match self.end {
            Some(end) if end < instant => end,
            _ => instant,
        }
    }

    fn ended_by(&self, instant: DateTime<Utc>) -> bool {
        self.end.is_some_and(|end| instant >= end)
    }

    pub(crate) fn contains(&self, instant: DateTime<Utc>) -> bool {
        instant >= self.start && !self.ended_by(instant)
    }

    /// Cycle `k`, cut at the term end; `None` once the term has ended, or
    /// for an open-ended term when the cycle would end after the year 9999
    /// (`open_until` keeps as-of before that cycle). A term with an end cuts
    /// its last cycle there, though a whole month would pass the year 9999.
    pub(crate) fn cycle(&self, k: u32) -> Option<Period> {
        let start = self.cycle_boundary(k)?;
        if self.ended_by(start) {
            return None;
        }
        let end = match self.cycle_boundary(k + 1) {
            Some(next) => self.cut(next),
            None => self.end?,
        };
        Some(Period { start, end })
    }

    /// Of an open-ended term, the start of the first cycle some period of
    /// which would end after the year 9999: the cycle that holds 00:00 local
    /// of 9999-12-01, which starts the calendar month 9999-12 (a cycle
    /// starts in every month, so it is at most a month earlier). An as-of
    /// in that cycle would project, and post, lines of that month. Periods
    /// are printed with their ends, and no instant past 9999-12-31 is
    /// written. `None` for a term with an end, whose periods are cut there.
    pub(crate) fn open_until(&self) -> Option<DateTime<Utc>> {
        if self.end.is_some() {
            return None;
        }
        let local = NaiveDate::from_ymd_opt(crate::domain::zone::LATEST_YEAR, 12, 1)?
            .and_hms_opt(0, 0, 0)?;
        let last_month = self.zone.resolve_boundary(local);
        // Counted down from a month count past the year to the last cycle
        // boundary at or before that midnight (a few steps at most).
        let year = self
            .start_local
            .year()
            .min(crate::domain::zone::LATEST_YEAR);
        let mut k = u32::try_from(crate::domain::zone::LATEST_YEAR - year).unwrap_or(0) * 12 + 12;
        loop {
            match self.cycle_boundary(k) {
                Some(start) if start <= last_month => return Some(start),
                _ if k == 0 => return Some(last_month),
                _ => k -= 1,
            }
        }
    }

    /// Every cycle that has started by `as_of`.
    pub(crate) fn cycles_until(&self, as_of: DateTime<Utc>) -> Vec<Period> {
        (0..)
            .map_while(|k| self.cycle(k))
            .take_while(|period| period.start <= as_of)
            .collect()
    }

    /// Calendar months `[1st 00:00, next 1st 00:00)` local, cut to the term,
    /// that have started by `as_of`.
    pub(crate) fn calendar_months_until(&self, as_of: DateTime<Utc>) -> Vec<Period> {
        let mut periods = Vec::new();
        let first_of = |date: NaiveDate| date.with_day(1).expect("day 1 exists");
        let mut month = first_of(self.start_local.date());
        let mut start = self.start;
        while start <= as_of && !self.ended_by(start) {
            let Some(next) = month.checked_add_months(Months::new(1)) else {
                break;
            };
            // The month 9999-12 ends after the year: a term with an end is
            // cut there; an open-ended one stops (`open_until`).
            let next_start = if next.year() > crate::domain::zone::LATEST_YEAR {
                match self.end {
                    Some(end) => end,
                    None => break,
                }
            } else {
                self.zone
                    .resolve_boundary(next.and_hms_opt(0, 0, 0).expect("midnight exists"))
            };
            periods.push(Period {
                start,
                end: self.cut(next_start),
            });
            month = next;
            start = next_start;
        }
        periods
    }

    pub(crate) fn periods_until(&self, reset: Reset, as_of: DateTime<Utc>) -> Vec<Period> {
        match reset {
            Reset::Cycle => self.cycles_until(as_of),
            Reset::CalendarMonth => self.calendar_months_until(as_of),
        }
    }
}

/// The index of the period holding `instant`, moving a cursor forward only:
/// replay visits events in time order, so each lookup is amortised O(1).
pub(crate) fn advance_to(
    periods: &[Period],
    cursor: &mut usize,
    instant: DateTime<Utc>,
) -> Option<usize> {
    while *cursor < periods.len() && periods[*cursor].end <= instant {
        *cursor += 1;
    }
    let period = periods.get(*cursor)?;
    period.contains(instant).then_some(*cursor)
}

/// The number of `bounds` (ascending instants, such as a period's local
/// midnights) at or before `instant`: `bounds.partition_point(|b| *b <=
/// instant)`, found by moving a cursor forward from the last answer. Replay
/// asks in time order, so each answer is amortised O(1) without the binary
/// search's unpredictable branches; an earlier instant than the last starts
/// the cursor again from the front, so the answer is right in any order.
#[inline]
pub(crate) fn advance_past(
    bounds: &[DateTime<Utc>],
    cursor: &mut usize,
    instant: DateTime<Utc>,
) -> usize {
    if *cursor > bounds.len() || (*cursor > 0 && bounds[*cursor - 1] > instant) {
        *cursor = 0;
    }
    while *cursor < bounds.len() && bounds[*cursor] <= instant {
        *cursor += 1;
    }
    *cursor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn local_starts(term: &Term, periods: &[Period]) -> Vec<String> {
        periods.iter().map(|p| term.zone.format(p.start)).collect()
    }

    /// A term with an end in December 9999 keeps its last cycle and month,
    /// cut at the end, though a whole month from their starts would pass
    /// the year (they were dropped, and the scans in them billed as outside
    /// any cycle); an open-ended term stops before the month 9999-12.
    #[test]
    fn the_last_periods_of_the_year_9999_are_cut_at_the_term_end() {
        let zone = Zone::parse("+08:00").unwrap();
        let start = at("9999-01-15T00:00:00+08:00");
        let end = at("9999-12-31T12:00:00+08:00");
        let term = Term::new(zone, start, Some(end));
        let cycles = term.cycles_until(end);
        assert_eq!(cycles.len(), 12);
        assert_eq!(
            cycles[11],
            Period {
                start: at("9999-12-15T00:00:00+08:00"),
                end
            }
        );
        let months = term.calendar_months_until(end);
        assert_eq!(
            months.last(),
            Some(&Period {
                start: at("9999-12-01T00:00:00+08:00"),
                end
            })
        );
        assert_eq!(term.open_until(), None);
        let open = Term::new(zone, start, None);
        assert_eq!(open.cycles_until(end).len(), 11);
        // The cycle from 9999-11-15 holds 9999-12-01: an as-of in it would
        // project the calendar month 9999-12.
        assert_eq!(open.open_until(), Some(at("9999-11-15T00:00:00+08:00")));
        let first_of_month = Term::new(zone, at("9999-01-01T00:00:00+08:00"), None);
        assert_eq!(
            first_of_month.open_until(),
            Some(at("9999-12-01T00:00:00+08:00"))
        );
        let months = open.calendar_months_until(end);
        assert_eq!(
            months.last().map(|p| p.end),
            Some(at("9999-12-01T00:00:00+08:00"))
        );
    }

    #[test]
    fn cycles_clamp_from_the_31st_for_fourteen_months() {
        let zone = Zone::parse("+08:00").unwrap();
        let term = Term::with_months(zone, at("2024-01-31T10:00:00+08:00"), 14).unwrap();
        let cycles = term.cycles_until(at("2030-01-01T00:00:00Z"));
        assert_eq!(
            local_starts(&term, &cycles),
            [
                "2024-01-31T10:00:00+08:00",
                "2024-02-29T10:00:00+08:00",
                "2024-03-31T10:00:00+08:00",
                "2024-04-30T10:00:00+08:00",
                "2024-05-31T10:00:00+08:00",
                "2024-06-30T10:00:00+08:00",
                "2024-07-31T10:00:00+08:00",
                "2024-08-31T10:00:00+08:00",
                "2024-09-30T10:00:00+08:00",
                "2024-10-31T10:00:00+08:00",
                "2024-11-30T10:00:00+08:00",
                "2024-12-31T10:00:00+08:00",
                "2025-01-31T10:00:00+08:00",
                "2025-02-28T10:00:00+08:00",
            ]
        );
        assert_eq!(term.end, Some(at("2025-03-31T10:00:00+08:00")));
        assert_eq!(cycles.last().unwrap().end, at("2025-03-31T10:00:00+08:00"));
        for pair in cycles.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
    }

    #[test]
    fn last_cycle_is_cut_at_an_explicit_end() {
        let zone = Zone::default();
        let term = Term::new(
            zone,
            at("2024-03-15T00:00:00Z"),
            Some(at("2024-05-01T00:00:00Z")),
        );
        let cycles = term.cycles_until(at("2024-12-01T00:00:00Z"));
        assert_eq!(cycles.len(), 2);
        assert_eq!(cycles[1].start, at("2024-04-15T00:00:00Z"));
        assert_eq!(cycles[1].end, at("2024-05-01T00:00:00Z"));
    }

    #[test]
    fn open_ended_cycles_stop_at_as_of() {
        let term = Term::new(Zone::default(), at("2024-03-15T00:00:00Z"), None);
        let cycles = term.cycles_until(at("2025-03-15T00:00:00Z"));
        assert_eq!(cycles.len(), 13);
        assert_eq!(cycles[12].start, at("2025-03-15T00:00:00Z"));
        assert_eq!(term.cycles_until(at("2024-03-14T23:59:59Z")), vec![]);
    }

    #[test]
    fn calendar_months_are_cut_to_the_term() {
        let zone = Zone::parse("+08:00").unwrap();
        let term = Term::with_months(zone, at("2024-03-15T14:00:00+08:00"), 2).unwrap();
        let months = term.calendar_months_until(at("2030-01-01T00:00:00Z"));
        let bounds: Vec<_> = months
            .iter()
            .map(|p| (zone.format(p.start), zone.format(p.end)))
            .collect();
        assert_eq!(
            bounds,
            [
                (
                    "2024-03-15T14:00:00+08:00".into(),
                    "2024-04-01T00:00:00+08:00".into()
                ),
                (
                    "2024-04-01T00:00:00+08:00".into(),
                    "2024-05-01T00:00:00+08:00".into()
                ),
                (
                    "2024-05-01T00:00:00+08:00".into(),
                    "2024-05-15T14:00:00+08:00".into()
                ),
            ]
        );
    }

    #[test]
    fn berlin_cycles_keep_local_wall_time_across_dst() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let term = Term::new(zone, at("2024-01-31T09:00:00+01:00"), None);
        let cycles = term.cycles_until(at("2024-12-01T00:00:00Z"));
        let starts = local_starts(&term, &cycles);
        assert_eq!(starts[2], "2024-03-31T09:00:00+02:00");
        assert_eq!(starts[9], "2024-10-31T09:00:00+01:00");
        // The cycle holding the spring change is one hour short, the autumn one an hour long.
        let hours = |p: &Period| (p.end - p.start).num_hours();
        assert_eq!(hours(&cycles[1]), 31 * 24 - 1);
        assert_eq!(hours(&cycles[2]), 30 * 24);
        assert_eq!(hours(&cycles[8]), 31 * 24 + 1);
    }

    #[test]
    fn berlin_cycle_anchored_in_the_gap_moves_forward() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let term = Term::new(zone, at("2024-02-29T02:30:00+01:00"), None);
        let cycles = term.cycles_until(at("2024-04-30T00:00:00Z"));
        // 2024-03-29 02:30 exists; the DST change is on the 31st.
        assert_eq!(zone.format(cycles[1].start), "2024-03-29T02:30:00+01:00");
        let march_31 = Term::new(zone, at("2024-01-31T02:30:00+01:00"), None);
        let cycles = march_31.cycles_until(at("2024-05-01T00:00:00Z"));
        assert_eq!(zone.format(cycles[2].start), "2024-03-31T03:30:00+02:00");
        assert_eq!(zone.format(cycles[3].start), "2024-04-30T02:30:00+02:00");
    }

    #[test]
    fn cursor_finds_periods_in_order() {
        let term = Term::with_months(Zone::default(), at("2024-01-01T00:00:00Z"), 3).unwrap();
        let cycles = term.cycles_until(at("2025-01-01T00:00:00Z"));
        let mut cursor = 0;
        assert_eq!(
            advance_to(&cycles, &mut cursor, at("2024-01-01T00:00:00Z")),
            Some(0)
        );
        assert_eq!(
            advance_to(&cycles, &mut cursor, at("2024-02-01T00:00:00Z")),
            Some(1)
        );
        assert_eq!(
            advance_to(&cycles, &mut cursor, at("2024-03-31T23:59:59Z")),
            Some(2)
        );
        assert_eq!(
            advance_to(&cycles, &mut cursor, at("2024-04-01T00:00:00Z")),
            None
        );
    }

    proptest::proptest! {
        /// The cursor answers as the binary search does, for instants in
        /// time order (the replay's) and in any order.
        #[test]
        fn the_day_cursor_answers_as_a_binary_search(
            mut long in proptest::collection::vec(0i64..1_000, 0..40),
            mut short in proptest::collection::vec(0i64..1_000, 0..5),
            instants in proptest::collection::vec((-10i64..1_010, proptest::bool::ANY), 0..60),
            sorted in proptest::bool::ANY,
        ) {
            // One cursor over two periods' midnights, as an allowance's
            // cursor moves from a period to the next (a longer one, then a
            // shorter: the cursor may stand past the end).
            long.sort_unstable();
            short.sort_unstable();
            let instant = |seconds: i64| DateTime::from_timestamp(1_700_000_000 + seconds, 0).unwrap();
            let long: Vec<DateTime<Utc>> = long.into_iter().map(instant).collect();
            let short: Vec<DateTime<Utc>> = short.into_iter().map(instant).collect();
            let mut instants = instants;
            if sorted {
                instants.sort_unstable();
            }
            let mut cursor = 0;
            for (at, in_short) in instants {
                let (bounds, at) = (if in_short { &short } else { &long }, instant(at));
                let expected = bounds.partition_point(|bound| *bound <= at);
                proptest::prop_assert_eq!(advance_past(bounds, &mut cursor, at), expected);
            }
        }
    }
}
