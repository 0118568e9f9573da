//! Working-day arithmetic for planning, past the loaded calendar too.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::domain::calendar::WorkCalendar;

/// Working-day arithmetic that also answers for a year whose calendar is not loaded (Monday to
/// Friday then), so planning past 31 December never fails; such plans are cut at the year's end.
#[derive(Clone, Copy)]
pub(in crate::demo) struct Calendar<'a> {
    pub(in crate::demo) calendar: &'a WorkCalendar,
}

impl Calendar<'_> {
    fn is_working_day(self, date: NaiveDate) -> bool {
        self.calendar
            .is_working_day(date)
            .unwrap_or_else(|_| !matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    pub(in crate::demo) fn add_working_days(self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut date = date;
        let mut left = n;
        while left > 0 {
            date = date + Days::new(1);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    pub(in crate::demo) fn on_or_after(self, date: NaiveDate) -> NaiveDate {
        let mut date = date;
        while !self.is_working_day(date) {
            date = date + Days::new(1);
        }
        date
    }

    pub(in crate::demo) fn on_or_before(self, date: NaiveDate) -> NaiveDate {
        let mut date = date;
        while !self.is_working_day(date) {
            date = date - Days::new(1);
        }
        date
    }
}
