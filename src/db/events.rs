//! The immutable case history: one event per action, numbered per case.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{case_events, users};

/// An event as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_events)]
pub struct EventRow {
    pub id: i64,
    pub case_id: Uuid,
    pub seq: i32,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_id: Option<Uuid>,
    pub occurred_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// A new event. `seq` equals the case's version after the change, so a stale writer collides on
/// the unique (case_id, seq) key even if it got past the row lock.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_events)]
pub struct NewEvent<'a> {
    pub case_id: Uuid,
    pub seq: i32,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub actor_id: Option<Uuid>,
    pub occurred_on: NaiveDate,
    pub payload: serde_json::Value,
}

/// Appends an event.
pub async fn append(conn: &mut AsyncPgConnection, event: &NewEvent<'_>) -> QueryResult<EventRow> {
    diesel::insert_into(case_events::table)
        .values(event)
        .returning(EventRow::as_returning())
        .get_result(conn)
        .await
}

/// [`append`] on a shared connection, so it can be pipelined with other statements
/// (`try_join!`) of the same transaction.
pub async fn append_shared(conn: &AsyncPgConnection, event: &NewEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(case_events::table)
        .values(event)
        .execute(&mut &*conn)
        .await
        .map(drop)
}

/// The history of a case in order, each event with the acting user's name.
pub async fn history(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Vec<(EventRow, Option<String>)>> {
    case_events::table
        .left_join(users::table.on(users::id.nullable().eq(case_events::actor_id)))
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::seq)
        .select((EventRow::as_select(), users::username.nullable()))
        .load(conn)
        .await
}
