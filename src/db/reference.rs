//! The reference data kept in memory by the service (the calendar, the organs, the respondents)
//! and the counter that tells when it changed (`reference_version`, bumped by triggers).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{
    organs::{Organ, Respondent},
    schema::{organs, reference_version, respondents},
};
use crate::domain::calendar::WorkCalendar;

/// The reference data as of one value of the counter.
#[derive(Debug, Clone)]
pub struct ReferenceRows {
    /// The counter's value read before the rows: the rows are at least that recent.
    pub version: i64,
    pub calendar: WorkCalendar,
    pub organs: Vec<Organ>,
    pub respondents: Vec<Respondent>,
}

/// The counter's current value. Run it on the connection of a request's own query, pipelined
/// with it, so it costs no round trip of its own.
pub async fn version(conn: &AsyncPgConnection) -> QueryResult<i64> {
    reference_version::table
        .select(reference_version::version)
        .first(&mut &*conn)
        .await
}

/// The counter's current value as a column of another query (a scalar subquery), so a read
/// that needs the counter gets it in the same statement. `None` only if the counter's row were
/// gone, which the migrations never leave.
pub fn current_version() -> diesel::dsl::SingleValue<
    diesel::dsl::Select<reference_version::table, reference_version::version>,
> {
    reference_version::table
        .select(reference_version::version)
        .single_value()
}

/// Loads everything. The counter is read first: a change committed while the rows load makes
/// them newer than the version they are filed under, which costs one more reload, never a stale
/// answer.
pub async fn load(conn: &mut AsyncPgConnection) -> QueryResult<ReferenceRows> {
    let version = version(conn).await?;
    let calendar = super::calendar::load(conn).await?;
    let organs = organs::table.select(Organ::as_select()).load(conn).await?;
    let respondents = respondents::table
        .select(Respondent::as_select())
        .load(conn)
        .await?;
    Ok(ReferenceRows {
        version,
        calendar,
        organs,
        respondents,
    })
}
