//! Cases and their parties: registration, reads within the caller's reach, the filtered list with
//! keyset pagination, corrections, and saving a new lifecycle state.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{pg::Pg, prelude::*};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{
    json::StoredJson,
    organs::escape_like,
    schema::{case_parties, cases, organs, users},
};
use crate::domain::{
    ApiValue,
    case::{ActType, AdminDomain, Channel, PartyInput, PartyKind, PartyRole},
    lifecycle::{CaseLifecycle, CaseState, Procedure, Role, TerminationGround},
};

/// A case row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases, check_for_backend(Pg))]
pub struct CaseRow {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub respondent_id: Uuid,
    pub domain: AdminDomain,
    pub state: CaseState,
    pub version: i32,
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub act_type: ActType,
    pub act_document_number: Option<String>,
    pub act_date: NaiveDate,
    pub learned_on: NaiveDate,
    pub amount_fen: Option<i64>,
    pub request: String,
    pub reasons: String,
    pub enterprise_related: bool,
    pub late_application: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lifecycle: StoredJson,
    pub case_number: Option<String>,
    pub next_deadline_on: Option<NaiveDate>,
    pub applied_on: Option<NaiveDate>,
    pub rights_learned_on: Option<NaiveDate>,
    pub immovable_property: bool,
}

impl CaseRow {
    /// The lifecycle aggregate stored with the case.
    pub fn lifecycle(&self) -> Result<CaseLifecycle, serde_json::Error> {
        self.lifecycle.decode()
    }
}

/// The registration facts of a new case.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub respondent_id: Uuid,
    pub domain: AdminDomain,
    pub state: CaseState,
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub act_type: ActType,
    pub act_document_number: Option<String>,
    pub act_date: NaiveDate,
    pub learned_on: NaiveDate,
    pub amount_fen: Option<i64>,
    pub request: String,
    pub reasons: String,
    pub enterprise_related: bool,
    pub late_application: bool,
    pub search_text: String,
    pub created_by: Option<Uuid>,
    pub lifecycle: serde_json::Value,
    pub next_deadline_on: Option<NaiveDate>,
    pub applied_on: Option<NaiveDate>,
    pub rights_learned_on: Option<NaiveDate>,
    pub immovable_property: bool,
}

/// The columns that mirror the lifecycle aggregate, written together whenever it changes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = cases, treat_none_as_null = true)]
pub struct LifecycleColumns {
    pub state: CaseState,
    pub lifecycle: serde_json::Value,
    pub case_number: Option<String>,
    pub procedure: Option<Procedure>,
    pub accepted_on: Option<NaiveDate>,
    pub declined_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub termination_ground: Option<TerminationGround>,
    pub suspended_days: i32,
    pub extension_days: i32,
    pub hearings_held: i32,
    pub third_parties: i32,
    pub committee_consultations: i32,
    pub handlers: Vec<Uuid>,
    pub next_deadline_on: Option<NaiveDate>,
    pub decision_due_on: Option<NaiveDate>,
}

impl LifecycleColumns {
    /// Projects the aggregate onto its columns, with the deadlines computed from it.
    pub fn project(
        lifecycle: &CaseLifecycle,
        next_deadline_on: Option<NaiveDate>,
        decision_due_on: Option<NaiveDate>,
    ) -> Result<Self, serde_json::Error> {
        let as_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(Self {
            state: lifecycle.state,
            lifecycle: serde_json::to_value(lifecycle)?,
            case_number: lifecycle.case_number.clone(),
            procedure: lifecycle.procedure,
            accepted_on: lifecycle.accepted_on,
            declined_on: lifecycle.declined_on,
            withdrawn_on: lifecycle.withdrawn_on,
            concluded_on: lifecycle.concluded_on,
            termination_ground: lifecycle.termination_ground,
            suspended_days: as_i32(lifecycle.suspended_days),
            extension_days: as_i32(lifecycle.extension_days),
            hearings_held: as_i32(lifecycle.hearings_held),
            third_parties: as_i32(u32::try_from(lifecycle.third_parties.len()).unwrap_or(u32::MAX)),
            committee_consultations: as_i32(
                u32::try_from(lifecycle.committee_consultations.len()).unwrap_or(u32::MAX),
            ),
            handlers: lifecycle.handlers.clone(),
            next_deadline_on,
            decision_due_on,
        })
    }
}

/// Correctable registration fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CaseCorrection {
    pub respondent_id: Option<Uuid>,
    pub domain: Option<AdminDomain>,
    pub channel: Option<Channel>,
    pub act_type: Option<ActType>,
    pub act_document_number: Option<Option<String>>,
    pub act_date: Option<NaiveDate>,
    pub learned_on: Option<NaiveDate>,
    pub amount_fen: Option<Option<i64>>,
    pub request: Option<String>,
    pub reasons: Option<String>,
    pub enterprise_related: Option<bool>,
    pub late_application: Option<bool>,
    pub search_text: Option<String>,
    pub applied_on: Option<Option<NaiveDate>>,
    pub rights_learned_on: Option<Option<NaiveDate>>,
    pub immovable_property: Option<bool>,
}

/// A party as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_parties)]
pub struct PartyRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub position: i32,
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub acts_for: Option<i32>,
}

impl PartyRow {
    /// Rows for `parties` of case `case_id`, positioned in the order given.
    pub fn from_inputs(case_id: Uuid, parties: &[PartyInput]) -> Vec<Self> {
        parties
            .iter()
            .enumerate()
            .map(|(position, party)| Self {
                id: Uuid::now_v7(),
                case_id,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                role: party.role,
                kind: party.kind,
                name: party.name.trim().to_owned(),
                id_number: party.id_number.clone(),
                phone: party.phone.clone(),
                address: party.address.clone(),
                acts_for: party
                    .acts_for
                    .map(|index| i32::try_from(index).unwrap_or(i32::MAX)),
            })
            .collect()
    }
}

/// Inserts a case (the caller wraps this, its parties and its first event in a transaction).
pub async fn insert_case(conn: &AsyncPgConnection, new: &NewCase) -> QueryResult<CaseRow> {
    diesel::insert_into(cases::table)
        .values(new)
        .returning(CaseRow::as_returning())
        .get_result(&mut &*conn)
        .await
}

/// Inserts the parties of a new case (which has none to replace). Takes the connection shared,
/// so it can be pipelined with the case's other rows once the case itself is in: not with the
/// case's insert, since a pipelined statement may reach the server before one sent earlier that
/// still had to be prepared, and the parties need their case first.
pub async fn insert_parties(conn: &AsyncPgConnection, parties: &[PartyRow]) -> QueryResult<()> {
    diesel::insert_into(case_parties::table)
        .values(parties)
        .execute(&mut &*conn)
        .await
        .map(drop)
}

/// Replaces the parties of a case.
pub async fn replace_parties(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    parties: &[PartyRow],
) -> QueryResult<()> {
    diesel::delete(case_parties::table.filter(case_parties::case_id.eq(case_id)))
        .execute(conn)
        .await?;
    diesel::insert_into(case_parties::table)
        .values(parties)
        .execute(conn)
        .await?;
    Ok(())
}

/// The parties of a case, in position order.
///
/// Takes the connection shared, so it can be pipelined with other queries (`try_join!`).
pub async fn parties_of(conn: &AsyncPgConnection, case_id: Uuid) -> QueryResult<Vec<PartyRow>> {
    case_parties::table
        .filter(case_parties::case_id.eq(case_id))
        .order(case_parties::position)
        .select(PartyRow::as_select())
        .load(&mut &*conn)
        .await
}

/// Applicant names of several cases, for list pages.
pub async fn applicant_names(
    conn: &mut AsyncPgConnection,
    case_ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, String)>> {
    case_parties::table
        .filter(case_parties::case_id.eq_any(case_ids))
        .filter(case_parties::role.eq(PartyRole::Applicant.as_str()))
        .order((case_parties::case_id, case_parties::position))
        .select((case_parties::case_id, case_parties::name))
        .load(conn)
        .await
}

/// Cases of organs under `organ_path` (the caller's reach).
fn within(organ_path: &str) -> cases::BoxedQuery<'static, Pg> {
    let organ_ids = organs::table
        .filter(super::organs::path_within(organ_path))
        .select(organs::id);
    cases::table
        .filter(cases::organ_id.eq_any(organ_ids))
        .into_boxed()
}

/// One case within reach, or `None` (outside reach looks exactly like absent).
pub async fn find_within(
    conn: &AsyncPgConnection,
    id: Uuid,
    organ_path: &str,
) -> QueryResult<Option<CaseRow>> {
    within(organ_path)
        .filter(cases::id.eq(id))
        .select(CaseRow::as_select())
        .first(&mut &*conn)
        .await
        .optional()
}

/// A case by id, whoever's it is, with the reference counter read in the same statement: the
/// caller checks the reach (the service does, against the organs it holds in memory).
pub async fn find_with_reference_version(
    conn: &AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(CaseRow, i64)>> {
    let found: Option<(CaseRow, Option<i64>)> = cases::table
        .find(id)
        .select((CaseRow::as_select(), super::reference::current_version()))
        .first(&mut &*conn)
        .await
        .optional()?;
    found
        .map(|(row, version)| Ok((row, version.ok_or(diesel::result::Error::NotFound)?)))
        .transpose()
}

/// Locks a case of `organ_id` for an update in the current transaction.
pub async fn lock_for_update(
    conn: &AsyncPgConnection,
    id: Uuid,
    organ_id: Uuid,
) -> QueryResult<Option<CaseRow>> {
    cases::table
        .filter(cases::id.eq(id))
        .filter(cases::organ_id.eq(organ_id))
        .select(CaseRow::as_select())
        .for_update()
        .first(&mut &*conn)
        .await
        .optional()
}

/// Writes a new lifecycle state and bumps the version; the caller holds the row lock.
pub async fn save_lifecycle(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    columns: &LifecycleColumns,
) -> QueryResult<CaseRow> {
    diesel::update(cases::table.find(id))
        .set((
            columns,
            cases::version.eq(cases::version + 1),
            cases::updated_at.eq(diesel::dsl::now),
        ))
        .returning(CaseRow::as_returning())
        .get_result(conn)
        .await
}

/// Locks every case in one of `states` (the open ones), in id order, for re-projecting them in
/// the current transaction.
pub async fn lock_in_states(
    conn: &mut AsyncPgConnection,
    states: &[&str],
) -> QueryResult<Vec<CaseRow>> {
    cases::table
        .filter(cases::state.eq_any(states))
        .order(cases::id)
        .select(CaseRow::as_select())
        .for_update()
        .load(conn)
        .await
}

/// `(id, organ)` of every case in `state`, in id order.
pub async fn ids_in_state(
    conn: &mut AsyncPgConnection,
    state: &str,
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    cases::table
        .filter(cases::state.eq(state))
        .order(cases::id)
        .select((cases::id, cases::organ_id))
        .load(conn)
        .await
}

/// Rewrites the projection of an unchanged aggregate, e.g. deadlines after a calendar change.
/// The version stays: the case itself did not change, so a client's `If-Match` remains valid.
pub async fn save_projection(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    columns: &LifecycleColumns,
) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(columns)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies a correction and bumps the version; the caller holds the row lock.
pub async fn save_correction(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    correction: &CaseCorrection,
) -> QueryResult<CaseRow> {
    diesel::update(cases::table.find(id))
        .set((
            correction,
            cases::version.eq(cases::version + 1),
            cases::updated_at.eq(diesel::dsl::now),
        ))
        .returning(CaseRow::as_returning())
        .get_result(conn)
        .await
}

/// Records that the application was made on `applied_on` through the respondent (art. 32),
/// with the art. 20 judgement on that day; the caller holds the row lock and saves the
/// lifecycle next, which bumps the version.
pub async fn save_forwarded_application(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    applied_on: NaiveDate,
    late_application: bool,
) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set((
            cases::channel.eq(Channel::Forwarded),
            cases::applied_on.eq(Some(applied_on)),
            cases::late_application.eq(late_application),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Filters of the case list; every one optional.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub state: Option<String>,
    pub respondent_id: Option<Uuid>,
    pub domain: Option<String>,
    pub act_type: Option<String>,
    pub enterprise_related: Option<bool>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub text: Option<String>,
    /// Open cases whose earliest deadline is before this date (`overdue=true` passes today).
    pub deadline_before: Option<NaiveDate>,
    pub overdue_on: Option<NaiveDate>,
}

/// One page of cases within reach, newest first. `after` is the last id of the previous page:
/// ids are time-ordered (UUIDv7), so cases registered meanwhile land before the first page and
/// never shift later pages.
pub async fn list_within(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
    filter: &CaseFilter,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<CaseRow>> {
    let mut query = within(organ_path);
    if let Some(state) = &filter.state {
        query = query.filter(cases::state.eq(state.clone()));
    }
    if let Some(respondent) = filter.respondent_id {
        query = query.filter(cases::respondent_id.eq(respondent));
    }
    if let Some(domain) = &filter.domain {
        query = query.filter(cases::domain.eq(domain.clone()));
    }
    if let Some(act_type) = &filter.act_type {
        query = query.filter(cases::act_type.eq(act_type.clone()));
    }
    if let Some(enterprise) = filter.enterprise_related {
        query = query.filter(cases::enterprise_related.eq(enterprise));
    }
    if let Some(from) = filter.received_from {
        query = query.filter(cases::received_on.ge(from));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(cases::received_on.le(to));
    }
    if let Some(text) = &filter.text {
        query = query
            .filter(cases::search_text.like(format!("%{}%", escape_like(&text.to_lowercase()))));
    }
    if let Some(date) = filter.deadline_before {
        query = query.filter(cases::next_deadline_on.lt(date));
    }
    if let Some(today) = filter.overdue_on {
        query = query.filter(cases::next_deadline_on.lt(today));
    }
    if let Some(after) = after {
        query = query.filter(cases::id.lt(after));
    }
    query
        .order(cases::id.desc())
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)
        .await
}

/// Those of `ids` that are active users of `organ_id` holding the officer role.
///
/// Takes the connection shared, so it can be pipelined with other queries (`try_join!`).
pub async fn active_officers_among(
    conn: &AsyncPgConnection,
    organ_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<Uuid>> {
    users::table
        .filter(users::id.eq_any(ids))
        .filter(users::organ_id.eq(organ_id))
        .filter(users::active.eq(true))
        .filter(users::roles.contains(vec![Role::Officer.as_str()]))
        .select(users::id)
        .load(&mut &*conn)
        .await
}

/// Allocates the next case number sequence for `organ_id` in `year`. Runs inside the accepting
/// transaction: the counter row stays locked until commit, so racing accepts queue up and a
/// rolled-back accept gives its number back.
pub async fn next_case_sequence(
    conn: &mut AsyncPgConnection,
    organ_id: Uuid,
    year: i32,
) -> QueryResult<i32> {
    use super::schema::case_number_counters::dsl as counters;
    diesel::insert_into(counters::case_number_counters)
        .values((
            counters::organ_id.eq(organ_id),
            counters::year.eq(year),
            counters::last_seq.eq(1),
        ))
        .on_conflict((counters::organ_id, counters::year))
        .do_update()
        .set(counters::last_seq.eq(counters::last_seq + 1))
        .returning(counters::last_seq)
        .get_result(conn)
        .await
}
