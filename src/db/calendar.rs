//! The working-day calendar as data: holidays and make-up working days per year, editable by an
//! administrator without a release.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{calendar_days, calendar_years};
use crate::domain::calendar::{WorkCalendar, YearCalendar};

const HOLIDAY: &str = "holiday";
const MAKEUP_WORKDAY: &str = "makeup_workday";

/// The advisory lock that orders calendar replacements against the changes that store
/// deadlines computed from the calendar ("fuyical" in ASCII).
const CALENDAR_LOCK: i64 = 0x0066_7579_6963_616c;

/// Takes the calendar lock shared until the transaction ends: a case change that stores
/// deadlines then either completes before a replacement starts or sees the new calendar. Take it
/// before any row lock, so a replacement waiting for it never holds what the change waits for.
///
/// Built with the query builder rather than as `sql_query`, so its prepared statement is cached:
/// a `sql_query` is prepared anew on every call, a round trip of its own on every registration
/// and transition.
pub async fn lock_shared(conn: &AsyncPgConnection) -> QueryResult<()> {
    diesel::select(pg_advisory_xact_lock_shared(CALENDAR_LOCK))
        .execute(&mut &*conn)
        .await?;
    Ok(())
}

#[diesel::declare_sql_function]
extern "SQL" {
    /// PostgreSQL's function. It returns `void`, which diesel has no type for; declared as
    /// boolean, and its value is never read.
    fn pg_advisory_xact_lock_shared(key: diesel::sql_types::BigInt) -> diesel::sql_types::Bool;
}

/// Takes the calendar lock exclusively until the transaction ends, waiting for every case change
/// in flight; see [`lock_shared`].
pub async fn lock_exclusive(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(CALENDAR_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every loaded year.
pub async fn load(conn: &mut AsyncPgConnection) -> QueryResult<WorkCalendar> {
    let years: Vec<i32> = calendar_years::table
        .select(calendar_years::year)
        .load(conn)
        .await?;
    let days: Vec<(NaiveDate, i32, String)> = calendar_days::table
        .select((calendar_days::day, calendar_days::year, calendar_days::kind))
        .load(conn)
        .await?;
    let years = years.into_iter().map(|year| {
        let of_kind = |kind: &str| -> BTreeSet<NaiveDate> {
            days.iter()
                .filter(|(_, y, k)| *y == year && k == kind)
                .map(|(day, _, _)| *day)
                .collect()
        };
        YearCalendar {
            year,
            holidays: of_kind(HOLIDAY),
            makeup_workdays: of_kind(MAKEUP_WORKDAY),
        }
    });
    Ok(WorkCalendar::new(years))
}

/// Replaces one year's calendar (the caller runs this in a transaction).
pub async fn replace_year(
    conn: &mut AsyncPgConnection,
    calendar: &YearCalendar,
    updated_by: Uuid,
) -> QueryResult<()> {
    diesel::insert_into(calendar_years::table)
        .values((
            calendar_years::year.eq(calendar.year),
            calendar_years::updated_by.eq(updated_by),
        ))
        .on_conflict(calendar_years::year)
        .do_update()
        .set((
            calendar_years::updated_at.eq(diesel::dsl::now),
            calendar_years::updated_by.eq(updated_by),
        ))
        .execute(conn)
        .await?;
    diesel::delete(calendar_days::table.filter(calendar_days::year.eq(calendar.year)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = calendar
        .holidays
        .iter()
        .map(|day| (day, HOLIDAY))
        .chain(
            calendar
                .makeup_workdays
                .iter()
                .map(|day| (day, MAKEUP_WORKDAY)),
        )
        .map(|(day, kind)| {
            (
                calendar_days::day.eq(*day),
                calendar_days::year.eq(calendar.year),
                calendar_days::kind.eq(kind),
            )
        })
        .collect();
    diesel::insert_into(calendar_days::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}
