//! The domain: pure rules with no I/O — cases, their lifecycle, deadlines on the working-day
//! calendar, statistics definitions and personal-data masking.

pub mod ancillary;
pub mod calendar;
pub mod case;
pub mod deadlines;
pub mod documents;
pub mod followup;
pub mod import;
pub mod law;
pub mod lifecycle;
pub mod masking;
pub mod measures;
pub mod participation;
pub mod report;
pub mod statistics;
pub mod validation;

/// The snake_case text of a closed set of values, the same in the API and in the database.
pub trait ApiValue: Copy + Into<&'static str> {
    /// The value as text.
    fn as_str(self) -> &'static str {
        self.into()
    }
}

impl<T: Copy + Into<&'static str>> ApiValue for T {}
