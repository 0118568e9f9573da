//! China's official working-day calendar: statutory holidays and make-up working days (调休) per year.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a calendar could not be built or could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date falls in a year whose arrangement has not been loaded; counting weekdays
    /// instead would silently give wrong deadlines.
    #[error("no working-day calendar is loaded for {0}")]
    YearNotLoaded(i32),
    /// A listed date is not in the calendar's year.
    #[error("{date} is not in {year}")]
    DateOutsideYear {
        /// The offending date.
        date: NaiveDate,
        /// The year the calendar is for.
        year: i32,
    },
    /// A date is listed more than once.
    #[error("{0} is listed more than once")]
    DuplicateDate(NaiveDate),
    /// A date is listed both as a holiday and as a make-up working day.
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    HolidayIsMakeupDay(NaiveDate),
    /// A make-up working day must turn a weekend day into a working day.
    #[error("make-up working day {0} is not a Saturday or Sunday")]
    MakeupDayNotWeekend(NaiveDate),
    /// Date arithmetic went past the last date chrono can represent.
    #[error("the date lies beyond the supported range")]
    OutOfRange,
}

/// One year's official arrangement, as published by the State Council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearCalendar {
    /// The calendar year.
    pub year: i32,
    /// Days off: statutory holidays and the weekdays moved into them (may include weekend days).
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休).
    pub makeup_workdays: BTreeSet<NaiveDate>,
}

impl YearCalendar {
    /// Builds a validated calendar for `year`.
    ///
    /// The inputs are taken as plain sequences rather than sets so that a date listed twice is
    /// reported instead of being silently merged.
    pub fn new(
        year: i32,
        holidays: impl IntoIterator<Item = NaiveDate>,
        makeup_workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let calendar = Self {
            year,
            holidays: collect_unique(holidays)?,
            makeup_workdays: collect_unique(makeup_workdays)?,
        };
        calendar.validate()?;
        Ok(calendar)
    }

    /// Checks a calendar that was built directly or deserialized (e.g. loaded from the database):
    /// every date is in the year, no date is both a holiday and a make-up day, and make-up days
    /// fall on weekends.
    pub fn validate(&self) -> Result<(), CalendarError> {
        for &date in self.holidays.iter().chain(&self.makeup_workdays) {
            if date.year() != self.year {
                return Err(CalendarError::DateOutsideYear {
                    date,
                    year: self.year,
                });
            }
        }
        if let Some(&date) = self.holidays.intersection(&self.makeup_workdays).next() {
            return Err(CalendarError::HolidayIsMakeupDay(date));
        }
        if let Some(&date) = self.makeup_workdays.iter().find(|d| !is_weekend(**d)) {
            return Err(CalendarError::MakeupDayNotWeekend(date));
        }
        Ok(())
    }

    /// Whether `date` (assumed to be in this year) is a working day.
    fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.makeup_workdays.contains(&date) {
            true
        } else if self.holidays.contains(&date) {
            false
        } else {
            !is_weekend(date)
        }
    }
}

fn collect_unique(
    dates: impl IntoIterator<Item = NaiveDate>,
) -> Result<BTreeSet<NaiveDate>, CalendarError> {
    let mut set = BTreeSet::new();
    for date in dates {
        if !set.insert(date) {
            return Err(CalendarError::DuplicateDate(date));
        }
    }
    Ok(set)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The working-day calendar over all loaded years.
///
/// Every question about a date in a year that is not loaded is an error, because the official
/// arrangement is only published shortly before each year starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearCalendar>,
}

impl WorkCalendar {
    /// Builds a calendar from yearly arrangements; if a year is given twice, the last one wins.
    pub fn new(years: impl IntoIterator<Item = YearCalendar>) -> Self {
        Self {
            years: years.into_iter().map(|y| (y.year, y)).collect(),
        }
    }

    /// The arrangement loaded for `year`, if any.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// Whether `date` is a working day: Monday to Friday minus holidays, plus make-up days.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.years
            .get(&date.year())
            .map(|year| year.is_working_day(date))
            .ok_or(CalendarError::YearNotLoaded(date.year()))
    }

    /// The `n`-th working day after `start` (`start` itself is not counted; `n == 0` gives
    /// `start`). This is how "received + 5 working days" is computed.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut date = start;
        let mut remaining = n;
        while remaining > 0 {
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(date)? {
                remaining -= 1;
            }
        }
        Ok(date)
    }

    /// The number of working days in `(from, to]`; zero when `to` is not after `from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        from.iter_days()
            .skip(1)
            .take_while(|date| *date <= to)
            .try_fold(0, |count, date| {
                Ok(count + u32::from(self.is_working_day(date)?))
            })
    }

    /// `date` itself if it is a working day, otherwise the first working day after it.
    pub fn next_working_day_on_or_after(
        &self,
        date: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        let mut date = date;
        while !self.is_working_day(date)? {
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
        Ok(date)
    }

    /// The last day of a period of `days` calendar days from `start`, under the Civil Procedure
    /// Law (art. 85 there): the start day is not counted, and a period whose last day is a rest
    /// day ends on the next working day instead.
    pub fn calendar_period_end(
        &self,
        start: NaiveDate,
        days: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let last_day = start
            .checked_add_days(Days::new(days.into()))
            .ok_or(CalendarError::OutOfRange)?;
        self.next_working_day_on_or_after(last_day)
    }
}

/// The State Council's published arrangements for 2023–2026.
///
/// These only seed the database; the service reads the calendar from there so administrators
/// can add next year's arrangement or correct one without a release.
pub fn official_calendars() -> Vec<YearCalendar> {
    OFFICIAL_ARRANGEMENTS
        .iter()
        .map(|arrangement| YearCalendar {
            year: arrangement.year,
            holidays: arrangement
                .holidays
                .iter()
                .flat_map(|&(first, last)| first.iter_days().take_while(move |d| *d <= last))
                .collect(),
            makeup_workdays: arrangement.makeup_workdays.iter().copied().collect(),
        })
        .collect()
}

/// A year's arrangement as published: holiday spans (first and last day, inclusive) and make-up
/// working days.
struct Arrangement {
    year: i32,
    holidays: &'static [(NaiveDate, NaiveDate)],
    makeup_workdays: &'static [NaiveDate],
}

/// Only ever evaluated in the constant below, so a mistyped date fails the build rather than
/// panicking at run time.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date in the official calendar"),
    }
}

// The 2023 New Year holiday began on Saturday 2022-12-31, which belongs to 2022 and is left out.
const OFFICIAL_ARRANGEMENTS: &[Arrangement] = &[
    Arrangement {
        year: 2023,
        holidays: &[
            (ymd(2023, 1, 1), ymd(2023, 1, 2)),
            (ymd(2023, 1, 21), ymd(2023, 1, 27)),
            (ymd(2023, 4, 5), ymd(2023, 4, 5)),
            (ymd(2023, 4, 29), ymd(2023, 5, 3)),
            (ymd(2023, 6, 22), ymd(2023, 6, 24)),
            (ymd(2023, 9, 29), ymd(2023, 10, 6)),
        ],
        makeup_workdays: &[
            ymd(2023, 1, 28),
            ymd(2023, 1, 29),
            ymd(2023, 4, 23),
            ymd(2023, 5, 6),
            ymd(2023, 6, 25),
            ymd(2023, 10, 7),
            ymd(2023, 10, 8),
        ],
    },
    Arrangement {
        year: 2024,
        holidays: &[
            (ymd(2024, 1, 1), ymd(2024, 1, 1)),
            (ymd(2024, 2, 10), ymd(2024, 2, 17)),
            (ymd(2024, 4, 4), ymd(2024, 4, 6)),
            (ymd(2024, 5, 1), ymd(2024, 5, 5)),
            (ymd(2024, 6, 10), ymd(2024, 6, 10)),
            (ymd(2024, 9, 15), ymd(2024, 9, 17)),
            (ymd(2024, 10, 1), ymd(2024, 10, 7)),
        ],
        makeup_workdays: &[
            ymd(2024, 2, 4),
            ymd(2024, 2, 18),
            ymd(2024, 4, 7),
            ymd(2024, 4, 28),
            ymd(2024, 5, 11),
            ymd(2024, 9, 14),
            ymd(2024, 9, 29),
            ymd(2024, 10, 12),
        ],
    },
    Arrangement {
        year: 2025,
        holidays: &[
            (ymd(2025, 1, 1), ymd(2025, 1, 1)),
            (ymd(2025, 1, 28), ymd(2025, 2, 4)),
            (ymd(2025, 4, 4), ymd(2025, 4, 6)),
            (ymd(2025, 5, 1), ymd(2025, 5, 5)),
            (ymd(2025, 5, 31), ymd(2025, 6, 2)),
            (ymd(2025, 10, 1), ymd(2025, 10, 8)),
        ],
        makeup_workdays: &[
            ymd(2025, 1, 26),
            ymd(2025, 2, 8),
            ymd(2025, 4, 27),
            ymd(2025, 9, 28),
            ymd(2025, 10, 11),
        ],
    },
    Arrangement {
        year: 2026,
        holidays: &[
            (ymd(2026, 1, 1), ymd(2026, 1, 3)),
            (ymd(2026, 2, 15), ymd(2026, 2, 23)),
            (ymd(2026, 4, 4), ymd(2026, 4, 6)),
            (ymd(2026, 5, 1), ymd(2026, 5, 5)),
            (ymd(2026, 6, 19), ymd(2026, 6, 21)),
            (ymd(2026, 9, 25), ymd(2026, 9, 27)),
            (ymd(2026, 10, 1), ymd(2026, 10, 7)),
        ],
        makeup_workdays: &[
            ymd(2026, 1, 4),
            ymd(2026, 2, 14),
            ymd(2026, 2, 28),
            ymd(2026, 5, 9),
            ymd(2026, 9, 20),
            ymd(2026, 10, 10),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn official() -> WorkCalendar {
        WorkCalendar::new(official_calendars())
    }

    fn assert_working(calendar: &WorkCalendar, date: NaiveDate, expected: bool) {
        assert_eq!(
            calendar.is_working_day(date),
            Ok(expected),
            "{date} ({}) should {}be a working day",
            date.weekday(),
            if expected { "" } else { "not " }
        );
    }

    #[test]
    fn official_calendars_cover_2023_to_2026_and_are_valid() {
        let calendars = official_calendars();
        let years: Vec<i32> = calendars.iter().map(|c| c.year).collect();
        assert_eq!(years, [2023, 2024, 2025, 2026]);
        for calendar in &calendars {
            assert_eq!(calendar.validate(), Ok(()), "{}", calendar.year);
        }
    }

    #[test]
    fn official_calendars_list_every_published_day() {
        // Holiday days per year, counted by hand from the published spans.
        let sizes: Vec<(i32, usize, usize)> = official_calendars()
            .iter()
            .map(|c| (c.year, c.holidays.len(), c.makeup_workdays.len()))
            .collect();
        assert_eq!(
            sizes,
            [(2023, 26, 7), (2024, 28, 8), (2025, 28, 5), (2026, 33, 6)]
        );
    }

    #[test]
    fn working_days_per_year_match_hand_counts() {
        // Weekdays, minus holidays falling on weekdays, plus make-up days:
        // 2023: 260 - 18 + 7; 2024: 262 - 19 + 8 (the published 251); 2025: 261 - 18 + 5;
        // 2026: 261 - 19 + 6.
        let calendar = official();
        for (year, expected) in [(2023, 249), (2024, 251), (2025, 248), (2026, 248)] {
            let count = calendar.working_days_between(d(year - 1, 12, 31), d(year, 12, 31));
            assert_eq!(count, Ok(expected), "{year}");
        }
    }

    #[test]
    fn year_2023_facts() {
        let calendar = official();
        assert_working(&calendar, d(2023, 1, 2), false); // Monday, New Year
        assert_working(&calendar, d(2023, 1, 3), true);
        assert_working(&calendar, d(2023, 1, 27), false); // Friday, Spring Festival
        assert_working(&calendar, d(2023, 1, 28), true); // Saturday, make-up
        assert_working(&calendar, d(2023, 1, 29), true); // Sunday, make-up
        assert_working(&calendar, d(2023, 4, 5), false); // Wednesday, Qingming
        assert_working(&calendar, d(2023, 5, 6), true); // Saturday, make-up
        assert_working(&calendar, d(2023, 6, 23), false); // Friday, Dragon Boat
        assert_working(&calendar, d(2023, 9, 29), false); // Friday, Mid-Autumn
        assert_working(&calendar, d(2023, 10, 8), true); // Sunday, make-up
        assert_working(&calendar, d(2023, 12, 30), false); // ordinary Saturday
    }

    #[test]
    fn year_2024_facts() {
        let calendar = official();
        assert_working(&calendar, d(2024, 1, 1), false);
        assert_working(&calendar, d(2024, 2, 4), true); // Sunday, make-up
        assert_working(&calendar, d(2024, 2, 9), true); // Friday, New Year's Eve is not a holiday
        assert_working(&calendar, d(2024, 2, 12), false); // Monday, Spring Festival
        assert_working(&calendar, d(2024, 2, 18), true); // Sunday, make-up
        assert_working(&calendar, d(2024, 4, 7), true); // Sunday, make-up
        assert_working(&calendar, d(2024, 6, 10), false); // Monday, Dragon Boat
        assert_working(&calendar, d(2024, 9, 14), true); // Saturday, make-up
        assert_working(&calendar, d(2024, 10, 7), false); // Monday, National Day
        assert_working(&calendar, d(2024, 10, 8), true);
        assert_working(&calendar, d(2024, 10, 12), true); // Saturday, make-up
        assert_working(&calendar, d(2024, 10, 13), false); // ordinary Sunday
    }

    #[test]
    fn year_2025_facts() {
        let calendar = official();
        assert_working(&calendar, d(2025, 1, 26), true); // Sunday, make-up
        assert_working(&calendar, d(2025, 2, 4), false); // Tuesday, Spring Festival
        assert_working(&calendar, d(2025, 2, 8), true); // Saturday, make-up
        assert_working(&calendar, d(2025, 6, 2), false); // Monday, Dragon Boat
        assert_working(&calendar, d(2025, 9, 28), true); // Sunday, make-up
        assert_working(&calendar, d(2025, 10, 8), false); // Wednesday, National Day
        assert_working(&calendar, d(2025, 10, 9), true);
        assert_working(&calendar, d(2025, 10, 11), true); // Saturday, make-up
    }

    #[test]
    fn year_2026_facts() {
        let calendar = official();
        assert_working(&calendar, d(2026, 1, 2), false); // Friday, New Year
        assert_working(&calendar, d(2026, 1, 4), true); // Sunday, make-up
        assert_working(&calendar, d(2026, 2, 14), true); // Saturday, make-up
        assert_working(&calendar, d(2026, 2, 23), false); // Monday, Spring Festival
        assert_working(&calendar, d(2026, 2, 28), true); // Saturday, make-up
        assert_working(&calendar, d(2026, 6, 19), false); // Friday, Dragon Boat
        assert_working(&calendar, d(2026, 9, 25), false); // Friday, Mid-Autumn
        assert_working(&calendar, d(2026, 10, 10), true); // Saturday, make-up
    }

    #[test]
    fn a_year_not_loaded_is_an_error_not_a_weekday_guess() {
        let calendar = official();
        assert_eq!(
            calendar.is_working_day(d(2022, 12, 30)),
            Err(CalendarError::YearNotLoaded(2022))
        );
        assert_eq!(
            calendar.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::YearNotLoaded(2027))
        );
        assert_eq!(
            CalendarError::YearNotLoaded(2027).to_string(),
            "no working-day calendar is loaded for 2027"
        );
        let empty = WorkCalendar::default();
        assert_eq!(
            empty.is_working_day(d(2024, 3, 4)),
            Err(CalendarError::YearNotLoaded(2024))
        );
    }

    #[test]
    fn add_working_days_across_spring_festival_2024() {
        // Fri 9 Feb (1); 10–17 Feb holiday; Sun 18 Feb make-up (2); 19, 20, 21 Feb (3, 4, 5).
        assert_eq!(
            official().add_working_days(d(2024, 2, 8), 5),
            Ok(d(2024, 2, 21))
        );
    }

    #[test]
    fn add_working_days_across_national_day_2024() {
        // Sun 29 Sep make-up (1); Mon 30 Sep (2); 1–7 Oct holiday; 8, 9, 10 Oct (3, 4, 5).
        assert_eq!(
            official().add_working_days(d(2024, 9, 27), 5),
            Ok(d(2024, 10, 10))
        );
        // ... then 11 Oct (6), Sat 12 Oct make-up (7), 14, 15, 16 Oct (8, 9, 10).
        assert_eq!(
            official().add_working_days(d(2024, 9, 27), 10),
            Ok(d(2024, 10, 16))
        );
    }

    #[test]
    fn add_working_days_does_not_count_the_start_day() {
        let calendar = official();
        assert_eq!(
            calendar.add_working_days(d(2024, 3, 4), 1),
            Ok(d(2024, 3, 5))
        );
        assert_eq!(
            calendar.add_working_days(d(2024, 3, 8), 1),
            Ok(d(2024, 3, 11))
        );
        assert_eq!(
            calendar.add_working_days(d(2024, 3, 9), 0),
            Ok(d(2024, 3, 9))
        );
    }

    #[test]
    fn add_working_days_across_a_loaded_year_boundary() {
        // Mon 30, Tue 31 Dec (1, 2); 1 Jan holiday; 2, 3 Jan (3, 4); Mon 6 Jan (5).
        assert_eq!(
            official().add_working_days(d(2024, 12, 27), 5),
            Ok(d(2025, 1, 6))
        );
    }

    #[test]
    fn add_working_days_into_an_unloaded_year_is_an_error() {
        // 29, 30, 31 Dec 2026 give only three working days.
        let calendar = official();
        assert_eq!(
            calendar.add_working_days(d(2026, 12, 28), 3),
            Ok(d(2026, 12, 31))
        );
        assert_eq!(
            calendar.add_working_days(d(2026, 12, 28), 5),
            Err(CalendarError::YearNotLoaded(2027))
        );
    }

    #[test]
    fn working_days_between_counts_the_half_open_interval() {
        let calendar = official();
        assert_eq!(
            calendar.working_days_between(d(2024, 2, 8), d(2024, 2, 21)),
            Ok(5)
        );
        assert_eq!(
            calendar.working_days_between(d(2024, 2, 9), d(2024, 2, 17)),
            Ok(0)
        );
        assert_eq!(
            calendar.working_days_between(d(2024, 3, 4), d(2024, 3, 4)),
            Ok(0)
        );
        assert_eq!(
            calendar.working_days_between(d(2024, 3, 8), d(2024, 3, 4)),
            Ok(0)
        );
        assert_eq!(
            calendar.working_days_between(d(2026, 12, 1), d(2027, 1, 5)),
            Err(CalendarError::YearNotLoaded(2027))
        );
    }

    #[test]
    fn next_working_day_on_or_after() {
        let calendar = official();
        assert_eq!(
            calendar.next_working_day_on_or_after(d(2024, 3, 4)),
            Ok(d(2024, 3, 4))
        );
        assert_eq!(
            calendar.next_working_day_on_or_after(d(2024, 10, 1)),
            Ok(d(2024, 10, 8))
        );
        assert_eq!(
            calendar.next_working_day_on_or_after(d(2024, 10, 12)),
            Ok(d(2024, 10, 12))
        );
        assert_eq!(
            calendar.next_working_day_on_or_after(d(2024, 10, 13)),
            Ok(d(2024, 10, 14))
        );
        assert_eq!(
            calendar.next_working_day_on_or_after(d(2026, 12, 31)),
            Ok(d(2026, 12, 31))
        );
    }

    #[test]
    fn calendar_period_ending_on_a_holiday_moves_to_the_next_working_day() {
        // 2 Aug + 60 days = Tue 1 Oct, National Day; 1–7 Oct are all off.
        assert_eq!(
            official().calendar_period_end(d(2024, 8, 2), 60),
            Ok(d(2024, 10, 8))
        );
    }

    #[test]
    fn calendar_period_ending_on_a_weekend_moves_to_monday() {
        // 1 Mar + 15 days = Sat 16 Mar.
        assert_eq!(
            official().calendar_period_end(d(2024, 3, 1), 15),
            Ok(d(2024, 3, 18))
        );
    }

    #[test]
    fn calendar_period_ending_on_a_makeup_saturday_stays() {
        // 13 Aug + 60 days = Sat 12 Oct, a make-up working day.
        assert_eq!(
            official().calendar_period_end(d(2024, 8, 13), 60),
            Ok(d(2024, 10, 12))
        );
    }

    #[test]
    fn calendar_period_ending_on_a_working_day_is_unchanged() {
        // The start day is not counted: 4 Mar + 1 day = Tue 5 Mar.
        let calendar = official();
        assert_eq!(
            calendar.calendar_period_end(d(2024, 3, 4), 1),
            Ok(d(2024, 3, 5))
        );
        assert_eq!(
            calendar.calendar_period_end(d(2024, 3, 1), 60),
            Ok(d(2024, 4, 30))
        );
    }

    #[test]
    fn calendar_period_ending_in_an_unloaded_year_is_an_error() {
        let calendar = official();
        assert_eq!(
            calendar.calendar_period_end(d(2026, 12, 1), 60),
            Err(CalendarError::YearNotLoaded(2027))
        );
        // The rest-day rule alone can cross the year end: 30 Dec 2023 + 1 day = Sunday 31 Dec.
        let only_2023 = WorkCalendar::new(official_calendars().into_iter().take(1));
        assert_eq!(
            only_2023.calendar_period_end(d(2023, 12, 30), 1),
            Err(CalendarError::YearNotLoaded(2024))
        );
        assert_eq!(
            calendar.calendar_period_end(d(2023, 12, 30), 1),
            Ok(d(2024, 1, 2))
        );
    }

    #[test]
    fn arithmetic_past_the_last_representable_date_is_an_error() {
        let last_year = NaiveDate::MAX.year();
        let calendar = WorkCalendar::new([YearCalendar::new(last_year, [], []).unwrap()]);
        assert_eq!(
            calendar.calendar_period_end(NaiveDate::MAX, 1),
            Err(CalendarError::OutOfRange)
        );
        assert_eq!(
            calendar.add_working_days(NaiveDate::MAX, 1),
            Err(CalendarError::OutOfRange)
        );
    }

    #[test]
    fn new_accepts_a_valid_year_including_weekend_holidays() {
        // Sat 10 Feb 2024 is a holiday that happens to fall on a weekend.
        let year = YearCalendar::new(2024, [d(2024, 2, 10), d(2024, 2, 12)], [d(2024, 2, 4)]);
        let year = year.unwrap();
        assert_eq!(year.holidays.len(), 2);
        assert_eq!(year.makeup_workdays, BTreeSet::from([d(2024, 2, 4)]));
    }

    #[test]
    fn new_rejects_a_date_outside_the_year() {
        assert_eq!(
            YearCalendar::new(2023, [d(2022, 12, 31), d(2023, 1, 2)], []),
            Err(CalendarError::DateOutsideYear {
                date: d(2022, 12, 31),
                year: 2023
            })
        );
        assert_eq!(
            YearCalendar::new(2024, [], [d(2025, 1, 26)]),
            Err(CalendarError::DateOutsideYear {
                date: d(2025, 1, 26),
                year: 2024
            })
        );
    }

    #[test]
    fn new_rejects_a_holiday_that_is_also_a_makeup_day() {
        let result = YearCalendar::new(2024, [d(2024, 2, 4)], [d(2024, 2, 4)]);
        assert_eq!(
            result,
            Err(CalendarError::HolidayIsMakeupDay(d(2024, 2, 4)))
        );
    }

    #[test]
    fn new_rejects_a_makeup_day_on_a_weekday() {
        let result = YearCalendar::new(2024, [], [d(2024, 2, 5)]);
        assert_eq!(
            result,
            Err(CalendarError::MakeupDayNotWeekend(d(2024, 2, 5)))
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "make-up working day 2024-02-05 is not a Saturday or Sunday"
        );
    }

    #[test]
    fn new_rejects_duplicates() {
        assert_eq!(
            YearCalendar::new(2024, [d(2024, 1, 1), d(2024, 1, 1)], []),
            Err(CalendarError::DuplicateDate(d(2024, 1, 1)))
        );
        assert_eq!(
            YearCalendar::new(2024, [], [d(2024, 2, 4), d(2024, 2, 18), d(2024, 2, 4)]),
            Err(CalendarError::DuplicateDate(d(2024, 2, 4)))
        );
    }

    #[test]
    fn validate_catches_bad_data_loaded_without_new() {
        let mut year = official_calendars().remove(1);
        year.makeup_workdays.insert(d(2024, 3, 6));
        assert_eq!(
            year.validate(),
            Err(CalendarError::MakeupDayNotWeekend(d(2024, 3, 6)))
        );
    }

    #[test]
    fn a_later_arrangement_for_the_same_year_replaces_the_earlier() {
        let corrected = YearCalendar::new(2024, [d(2024, 3, 4)], []).unwrap();
        let calendar = WorkCalendar::new(official_calendars().into_iter().chain([corrected]));
        assert_working(&calendar, d(2024, 3, 4), false);
        assert_working(&calendar, d(2024, 2, 12), true);
        assert_eq!(calendar.year(2024).map(|y| y.holidays.len()), Some(1));
        assert_eq!(calendar.year(2027), None);
    }

    #[test]
    fn year_calendar_json_round_trip() {
        let year = YearCalendar::new(2024, [d(2024, 1, 1)], [d(2024, 2, 4)]).unwrap();
        let json = serde_json::to_value(&year).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "year": 2024,
                "holidays": ["2024-01-01"],
                "makeup_workdays": ["2024-02-04"],
            })
        );
        let back: YearCalendar = serde_json::from_value(json).unwrap();
        assert_eq!(back, year);
    }
}
