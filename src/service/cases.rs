//! Case use cases: register, read, correct and act on a case. Each loads what the domain needs,
//! asks the domain, and stores the outcome with its event in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Caller, Role},
    db::{
        self,
        cases::{CaseCorrection, CaseRow, LifecycleColumns, NewCase, PartyRow},
        events::NewEvent,
        organs::{Organ, Respondent},
    },
    domain::{
        ApiValue,
        calendar::{WorkCalendar, YearCalendar},
        case::{
            self, ActType, AdminDomain, ApplicationFacts, Channel, PartyInput, PartyKind, PartyRole,
        },
        deadlines::{self, Deadline, DeadlineFacts, DeadlineKind, DeadlineStatus},
        law::LawInForce,
        lifecycle::{
            self, Action, ActionKind, CaseLifecycle, CaseState, Circumstances, PeriodDueDates,
            Procedure, Refusal, TransitionContext,
        },
        masking,
    },
    service::{
        error::{ServiceError, ServiceResult},
        reference::Reference,
    },
    startup::AppState,
};

/// A party as shown to a caller; personal data masked unless the caller handles the case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartyView {
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub acts_for: Option<i32>,
}

/// The respondent of a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RespondentRef {
    pub id: Uuid,
    pub name: String,
    pub domain: AdminDomain,
}

/// A case as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    pub id: Uuid,
    pub organ_id: Uuid,
    /// Assigned on acceptance, e.g. `榕复〔2024〕7号`.
    pub case_number: Option<String>,
    pub state: CaseState,
    /// The state's Chinese label.
    pub state_label: String,
    /// Increases with every change; sent back in `If-Match` (also the `ETag`).
    pub version: i32,
    pub respondent: RespondentRef,
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub act_type: ActType,
    pub act_document_number: Option<String>,
    pub act_date: NaiveDate,
    pub learned_on: NaiveDate,
    /// Amount involved, in fen (0.01 yuan).
    pub amount_fen: Option<i64>,
    pub request: String,
    pub reasons: String,
    /// A legal person applies (涉企).
    pub enterprise_related: bool,
    /// The day the application was made: the posting date of a posted application, otherwise
    /// the day received (art. 20).
    pub applied_on: NaiveDate,
    /// The day the applicant learned of the right to apply, when the act did not tell them (art. 20 para 3).
    pub rights_learned_on: Option<NaiveDate>,
    /// The act concerns immovable property (art. 21: 20 years, not 5).
    pub immovable_property: bool,
    /// Applied after the last day of arts. 20 and 21 (60 days from learning of the act, moved off
    /// a rest day, or the shorter limits); for the officer to judge.
    pub late_application: bool,
    pub parties: Vec<PartyView>,
    /// The law the case runs under, by the day it was received (the 2023 law from 2024-01-01).
    pub law_in_force: LawInForce,
    /// The day the case counts as accepted because the acceptance review lapsed without a
    /// decision (视为受理, art. 30), whether or not anyone has recorded the acceptance yet.
    pub deemed_accepted_on: Option<NaiveDate>,
    /// The lifecycle aggregate: procedure, dates, suspension, extensions, decision.
    pub lifecycle: CaseLifecycle,
    /// What the caller may do now (buttons for a front end).
    pub allowed_actions: Vec<ActionKind>,
    pub deadlines: Vec<Deadline>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/cases`: an application to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseRegistration {
    /// The agency whose act is challenged.
    pub respondent_id: Uuid,
    #[serde(flatten)]
    pub facts: ApplicationFacts,
    /// Applicants (at least one), their agents and representatives, third parties.
    pub parties: Vec<PartyInput>,
}

/// `PATCH /api/v1/cases/{id}`: registration fields that may be corrected. Absent fields stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub respondent_id: Option<Uuid>,
    pub channel: Option<Channel>,
    pub act_type: Option<ActType>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = r"\S", max_length = 200)]
    pub act_document_number: Option<Option<String>>,
    pub act_date: Option<NaiveDate>,
    pub learned_on: Option<NaiveDate>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_007_199_254_740_991_i64)]
    pub amount_fen: Option<Option<i64>>,
    #[schema(pattern = r"\S", max_length = 20000)]
    pub request: Option<String>,
    #[schema(pattern = r"\S", max_length = 20000)]
    pub reasons: Option<String>,
    /// Replaces the whole list of parties.
    #[schema(max_items = 100)]
    pub parties: Option<Vec<PartyInput>>,
    /// The posting date of a posted application; `null` clears it (the day received counts).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub applied_on: Option<Option<NaiveDate>>,
    /// The day the applicant learned of the right to apply (art. 20 para 3); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub rights_learned_on: Option<Option<NaiveDate>>,
    /// The act concerns immovable property (art. 21).
    pub immovable_property: Option<bool>,
}

/// `POST /api/v1/cases/{id}/transitions`: an action with its fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// The legal date of the action (defaults to today in the organ's time zone); never in the
    /// future and never before the case's previous event.
    #[serde(default)]
    pub occurred_on: Option<NaiveDate>,
    #[serde(flatten)]
    pub action: Action,
}

/// Facts an event was judged against, stored with it so replay reaches the same result.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EventFacts {
    #[serde(default)]
    pub reply_overdue: bool,
    #[serde(default)]
    pub hearing_notice_working_days: Option<u32>,
    #[serde(default)]
    pub case_number: Option<String>,
    /// The last days of the periods running on the event's date.
    #[serde(default)]
    pub periods: PeriodDueDates,
}

/// Payload of a transition event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransitionPayload {
    pub action: Action,
    pub facts: EventFacts,
}

/// The event name of a registration, and of a correction of registration fields.
pub const REGISTER: &str = "register";
/// See [`REGISTER`].
pub const CORRECT: &str = "correct";

/// Whether the caller may see personal data of this case unmasked: its handlers, whoever
/// registered it, and the head of its organ.
fn handles(caller: &Caller, row: &CaseRow, lifecycle: &CaseLifecycle) -> bool {
    lifecycle.handlers.contains(&caller.user_id)
        || row.created_by == Some(caller.user_id)
        || (caller.organ_id == row.organ_id && caller.has_role(Role::Head))
}

/// Loads the organ a case belongs to.
async fn organ_of(conn: &mut AsyncPgConnection, organ_id: Uuid) -> ServiceResult<Organ> {
    Ok(db::organs::find_organ(conn, organ_id).await?)
}

/// Builds the view of a stored case for `caller`. A view showing the parties' personal data
/// unmasked is recorded in the personal-data audit, under `endpoint`, on `conn` (so within the
/// transaction of the answer, when there is one).
pub async fn view(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    row: CaseRow,
    endpoint: &str,
) -> ServiceResult<CaseView> {
    let lifecycle = row.lifecycle().map_err(ServiceError::internal)?;
    let unmasked = handles(caller, &row, &lifecycle);
    // The audit row goes out with the reads, in the same round trip.
    let (parties, version, ()) = futures_util::try_join!(
        db::cases::parties_of(conn, row.id),
        db::reference::version(conn),
        audit_if(conn, unmasked, caller, row.id, endpoint),
    )?;
    let reference = state.reference.at(conn, version).await?;
    view_with(state, caller, row, lifecycle, parties, &reference)
}

/// Records in the personal-data audit that `caller` is shown case `case_id` unmasked, if so.
async fn audit_if(
    conn: &AsyncPgConnection,
    unmasked: bool,
    caller: &Caller,
    case_id: Uuid,
    endpoint: &str,
) -> diesel::QueryResult<()> {
    if !unmasked {
        return Ok(());
    }
    db::audit::record(conn, caller.user_id, &caller.username, case_id, endpoint).await
}

/// Reads a case within the caller's reach and builds its view, or 404: the case with the
/// reference counter, and its parties, are asked for in one round trip (two statements
/// pipelined on one connection), and the reach is checked against the organs held in memory, as
/// recent as that counter.
pub async fn read(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    endpoint: &str,
) -> ServiceResult<CaseView> {
    let (found, parties) = futures_util::try_join!(
        db::cases::find_with_reference_version(conn, id),
        db::cases::parties_of(conn, id),
    )?;
    let not_found = || ServiceError::not_found(format!("case {id}"));
    let (row, version) = found.ok_or_else(not_found)?;
    let reference = state.reference.at(conn, version).await?;
    // A case out of reach shares its 404 with a missing one.
    if !db::organs::is_within(&reference.organ(row.organ_id)?.path, &caller.organ_path) {
        return Err(not_found());
    }
    let lifecycle = row.lifecycle().map_err(ServiceError::internal)?;
    audit_if(
        conn,
        handles(caller, &row, &lifecycle),
        caller,
        id,
        endpoint,
    )
    .await?;
    view_with(state, caller, row, lifecycle, parties, &reference)
}

/// [`view`] from what it reads: the case's lifecycle (decoded once by the caller, which needed it
/// for the audit), its parties and the reference data. The caller has recorded an unmasked view
/// in the audit already.
fn view_with(
    state: &AppState,
    caller: &Caller,
    row: CaseRow,
    lifecycle: CaseLifecycle,
    parties: Vec<PartyRow>,
    reference: &Reference,
) -> ServiceResult<CaseView> {
    let organ = reference.organ(row.organ_id)?;
    let calendar = &reference.calendar;
    let respondent = reference.respondent(row.respondent_id)?;
    let today = organ.today();
    let rules = &state.settings.rules;
    let facts = deadline_facts(&lifecycle);
    let periods = deadlines::period_due_dates(&facts, calendar, &rules.deadlines, today);
    let deemed_accepted_on = lifecycle
        .deemed_accepted_on(periods.review_due_on, today)
        .or(lifecycle
            .deemed_accepted
            .then_some(lifecycle.accepted_on)
            .flatten());
    // The law, not a recorded action, accepted a case whose review lapsed: its deadlines run
    // from that day even before anyone records the acceptance.
    let deadlines = deadlines::case_deadlines(
        &effective_deadline_facts(&lifecycle, calendar, &rules.deadlines, today),
        calendar,
        &rules.deadlines,
        today,
    );
    let reply_overdue =
        deadlines::reply_overdue(&facts, calendar, &rules.deadlines, today).unwrap_or(false);
    let allowed_actions = if caller.organ_id == row.organ_id {
        lifecycle::allowed_actions_in(
            &lifecycle,
            &caller.roles,
            &Circumstances {
                on: today,
                reply_overdue,
                periods,
            },
            &rules.lifecycle,
        )
    } else {
        // Superior organs read; only the case's own organ acts on it.
        Vec::new()
    };
    let unmasked = handles(caller, &row, &lifecycle);
    Ok(CaseView {
        id: row.id,
        organ_id: row.organ_id,
        case_number: row.case_number,
        state: lifecycle.state,
        state_label: lifecycle.state.label_zh().to_owned(),
        version: row.version,
        respondent: RespondentRef {
            id: respondent.id,
            domain: respondent.domain,
            name: respondent.name.clone(),
        },
        received_on: row.received_on,
        channel: row.channel,
        act_type: row.act_type,
        act_document_number: row.act_document_number,
        act_date: row.act_date,
        learned_on: row.learned_on,
        amount_fen: row.amount_fen,
        request: row.request,
        reasons: row.reasons,
        enterprise_related: row.enterprise_related,
        applied_on: row.applied_on.unwrap_or(row.received_on),
        rights_learned_on: row.rights_learned_on,
        immovable_property: row.immovable_property,
        late_application: row.late_application,
        parties: parties
            .into_iter()
            .map(|party| party_view(party, unmasked))
            .collect::<ServiceResult<_>>()?,
        law_in_force: lifecycle.law(),
        deemed_accepted_on,
        lifecycle,
        allowed_actions,
        deadlines,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn party_view(party: PartyRow, unmasked: bool) -> ServiceResult<PartyView> {
    let mask = |value: Option<String>, f: fn(&str) -> String| {
        value.map(|v| if unmasked { v } else { f(&v) })
    };
    Ok(PartyView {
        role: party.role,
        kind: party.kind,
        name: party.name,
        id_number: mask(party.id_number, masking::mask_id_number),
        phone: mask(party.phone, masking::mask_phone),
        address: mask(party.address, masking::mask_address),
        acts_for: party.acts_for,
    })
}

async fn find_respondent(conn: &mut AsyncPgConnection, id: Uuid) -> ServiceResult<Respondent> {
    use crate::db::schema::respondents;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    Ok(respondents::table
        .find(id)
        .select(Respondent::as_select())
        .first(conn)
        .await?)
}

/// The deadline facts of a case as they stand on `today`: a case still in review whose review
/// period has lapsed counts as accepted (under ordinary procedure) from the deemed day, without
/// anyone acting (art. 30 para 3).
pub fn effective_deadline_facts(
    lc: &CaseLifecycle,
    calendar: &WorkCalendar,
    settings: &deadlines::DeadlineSettings,
    today: NaiveDate,
) -> DeadlineFacts {
    let facts = deadline_facts(lc);
    let review_due_on = deadlines::review_due_on(&facts, calendar, settings)
        .ok()
        .flatten();
    match lc.deemed_accepted_on(review_due_on, today) {
        Some(deemed_on) => DeadlineFacts {
            in_review: false,
            reviewed_on: Some(deemed_on),
            accepted_on: Some(deemed_on),
            ..facts
        },
        None => facts,
    }
}

/// The plain facts the deadline rules read, taken from the aggregate.
pub fn deadline_facts(lc: &CaseLifecycle) -> DeadlineFacts {
    let in_review = matches!(
        lc.state,
        CaseState::Received | CaseState::AwaitingSupplement
    );
    DeadlineFacts {
        law: lc.law(),
        received_on: lc.received_on,
        review_started_on: lc.review_started_on,
        supplement_requested_on: lc.supplement_requested_on,
        supplement_notice_received_on: lc.supplement_notice_received_on,
        supplement_extension_working_days: lc.supplement_extension_working_days,
        supplement_received_on: (lc.review_started_on != lc.received_on)
            .then_some(lc.review_started_on),
        awaiting_supplement: lc.state == CaseState::AwaitingSupplement,
        in_review,
        reviewed_on: lc.accepted_on.or(lc.declined_on).or(lc.withdrawn_on),
        simplified: lc.procedure == Some(Procedure::Simplified),
        was_simplified_then_converted_on: lc.converted_on,
        accepted_on: lc.accepted_on,
        copy_sent_on: lc.copy_sent_on,
        copy_received_on: lc.copy_received_on,
        reply_received_on: lc.reply_received_on,
        suspended_on: (lc.state == CaseState::Suspended)
            .then_some(lc.suspended_on)
            .flatten(),
        suspended_ground_allows_termination: lc
            .suspension_ground
            .is_some_and(|g| g.allows_termination_after_60_days()),
        completed_suspended_days: lc.suspended_days,
        extension_days: lc.extension_days,
        concluded_on: lc.concluded_on.or(lc.declined_on).or(lc.withdrawn_on),
        forwarding: lc.forwarding.clone(),
        normative_review: lc.normative_review.clone(),
    }
}

/// The earliest due date among deadlines an open case still has to meet (running or missed), for
/// the `overdue` and `deadline_before` filters. The suspension limit is an option the organ gains,
/// not a duty, so it is left out.
fn next_deadline(lifecycle: &CaseLifecycle, list: &[Deadline]) -> Option<NaiveDate> {
    if lifecycle.state.is_terminal() {
        return None;
    }
    list.iter()
        .filter(|d| d.kind != DeadlineKind::SuspensionLimit)
        .filter(|d| matches!(d.status, DeadlineStatus::Pending | DeadlineStatus::Missed))
        .filter_map(|d| d.due_on)
        .min()
}

/// Registers an application in state `received`, with its first event.
pub async fn register(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    registration: CaseRegistration,
) -> ServiceResult<CaseRow> {
    let (row, _, _, _) = register_within(conn, state, caller, registration, None).await?;
    Ok(row)
}

/// [`register`], answering with the registrar's view of the new case: built from what the
/// registration wrote and read, with the unmasked view recorded in the personal-data audit in
/// the same transaction, instead of reading the case back after it.
pub async fn register_and_view(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    registration: CaseRegistration,
    endpoint: &str,
) -> ServiceResult<CaseView> {
    let (row, lifecycle, parties, reference) =
        register_within(conn, state, caller, registration, Some(endpoint)).await?;
    view_with(state, caller, row, lifecycle, parties, &reference)
}

/// The registration's transaction: the calendar lock, then the reference data as of the counter
/// read under it, the checks, the case, its parties and first event, and (for `audit_endpoint`)
/// the audit row of an unmasked view. Everything the checks need is read inside, so a
/// registration costs no round trip before its transaction.
async fn register_within(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    registration: CaseRegistration,
    audit_endpoint: Option<&str>,
) -> ServiceResult<(
    CaseRow,
    CaseLifecycle,
    Vec<PartyRow>,
    std::sync::Arc<Reference>,
)> {
    conn.transaction(async |conn| {
        // The counter is read once the calendar lock is held (a statement of its own: pipelined,
        // it could reach the server first), so a calendar change committed before is seen.
        db::calendar::lock_shared(conn).await?;
        let version = db::reference::version(conn).await?;
        let reference = state.reference.at(conn, version).await?;
        let organ = reference.organ(caller.organ_id)?;
        let today = organ.today();
        let respondent = reference
            .respondent_within(registration.respondent_id, &caller.organ_path)
            .ok_or_else(|| {
                ServiceError::invalid_field(
                    "respondent_id",
                    format!(
                        "no respondent {} is known to this organ",
                        registration.respondent_id
                    ),
                )
            })?;
        let facts = &registration.facts;
        case::validate_application(facts, &registration.parties, today)?;

        let id = Uuid::now_v7();
        let lifecycle = CaseLifecycle::new(facts.received_on);
        let calendar = &reference.calendar;
        let columns = lifecycle_columns(state, &lifecycle, calendar, today)?;
        let late =
            case::is_late_application(facts, &state.settings.rules.application_window, calendar);
        let new_case = NewCase {
            id,
            organ_id: organ.id,
            respondent_id: respondent.id,
            domain: respondent.domain,
            state: columns.state,
            received_on: facts.received_on,
            channel: facts.channel,
            act_type: facts.act_type,
            act_document_number: facts.act_document_number.clone(),
            act_date: facts.act_date,
            learned_on: facts.learned_on,
            amount_fen: facts.amount_fen,
            request: facts.request.clone(),
            reasons: facts.reasons.clone(),
            enterprise_related: case::is_enterprise_related(&registration.parties),
            late_application: late,
            search_text: case::search_text(
                registration.parties.iter().map(|p| p.name.as_str()),
                &respondent.name,
                facts.act_document_number.as_deref(),
                None,
            ),
            created_by: Some(caller.user_id),
            lifecycle: columns.lifecycle,
            next_deadline_on: columns.next_deadline_on,
            applied_on: facts.applied_on,
            rights_learned_on: facts.rights_learned_on,
            immovable_property: facts.immovable_property,
        };
        let parties = PartyRow::from_inputs(id, &registration.parties);
        let payload = serde_json::json!({
            "respondent_id": respondent.id,
            "received_on": facts.received_on,
            "applied_on": facts.applied_on(),
            "law_in_force": lifecycle.law(),
        });
        let row = db::cases::insert_case(conn, &new_case).await?;
        let event = NewEvent {
            case_id: id,
            seq: row.version,
            action: REGISTER,
            from_state: None,
            to_state: CaseState::Received.as_str(),
            actor_id: Some(caller.user_id),
            occurred_on: facts.received_on,
            payload,
        };
        // The parties, the event and the audit row go out together, once the case is in.
        // The stored lifecycle is the one just built: no need to decode it back.
        let unmasked = audit_endpoint.is_some() && handles(caller, &row, &lifecycle);
        futures_util::try_join!(
            db::cases::insert_parties(conn, &parties),
            db::events::append_shared(conn, &event),
            audit_if(
                conn,
                unmasked,
                caller,
                id,
                audit_endpoint.unwrap_or_default()
            ),
        )?;
        Ok::<_, ServiceError>((row, lifecycle, parties, reference))
    })
    .await
}

fn lifecycle_columns(
    state: &AppState,
    lifecycle: &CaseLifecycle,
    calendar: &WorkCalendar,
    today: NaiveDate,
) -> ServiceResult<LifecycleColumns> {
    let list = deadlines::case_deadlines(
        &deadline_facts(lifecycle),
        calendar,
        &state.settings.rules.deadlines,
        today,
    );
    let decision_due_on = list
        .iter()
        .find(|d| d.kind == DeadlineKind::Decision)
        .and_then(|d| d.due_on);
    LifecycleColumns::project(lifecycle, next_deadline(lifecycle, &list), decision_due_on)
        .map_err(ServiceError::internal)
}

/// Replaces one year's working-day calendar and re-projects every open case's deadline columns
/// (`next_deadline_on`, `decision_due_on`) and the follow-up due dates (compliance time limits,
/// report-backs) with it, in one transaction; returns how many cases were re-projected.
///
/// Closed cases are re-projected too unless `FUYI_CLOSED_CASES_AFTER_CALENDAR_CHANGE` is
/// `frozen_at_closing`: their decision deadline then stays as judged when they closed, and so do
/// their on-time/late figures.
///
/// The calendar lock is taken exclusively first: registrations and transitions in flight finish
/// (and are re-projected here), later ones wait and read the new calendar, so no case keeps a
/// deadline computed from the old one.
pub async fn replace_calendar_year(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    year: &YearCalendar,
    updated_by: Uuid,
) -> ServiceResult<usize> {
    let follow = state.settings.rules.closed_cases_after_calendar_change
        == deadlines::ClosedCaseDeadlines::FollowCalendar;
    let open: Vec<&str> = CaseState::iter()
        .filter(|s| s.is_open() || (follow && s.is_concluded()))
        .map(CaseState::as_str)
        .collect();
    conn.transaction(async |conn| {
        db::calendar::lock_exclusive(conn).await?;
        db::calendar::replace_year(conn, year, updated_by).await?;
        let rows = db::cases::lock_in_states(conn, &open).await?;
        let calendar = db::calendar::load(conn).await?;
        let mut organs: HashMap<Uuid, NaiveDate> = HashMap::new();
        for row in &rows {
            let today = match organs.get(&row.organ_id) {
                Some(today) => *today,
                None => {
                    let today = organ_of(conn, row.organ_id).await?.today();
                    organs.insert(row.organ_id, today);
                    today
                }
            };
            let lifecycle = row.lifecycle().map_err(ServiceError::internal)?;
            let columns = lifecycle_columns(state, &lifecycle, &calendar, today)?;
            db::cases::save_projection(conn, row.id, &columns).await?;
        }
        crate::service::followup::reproject_due_dates(conn, &calendar).await?;
        Ok::<_, ServiceError>(rows.len())
    })
    .await
}

/// Records the acceptance the law made of every case whose acceptance review lapsed without a
/// decision (视为受理, art. 30 para 3), as a system `accept` under ordinary procedure dated the
/// day it is recorded and carrying the deemed day; returns how many were recorded.
///
/// The case view and the deadline feed already show such a case as accepted on read; recording
/// it moves the stored columns, so every figure (accepted, open, on time) counts it too.
pub async fn record_deemed_acceptances(
    conn: &mut AsyncPgConnection,
    state: &AppState,
) -> ServiceResult<usize> {
    let candidates = db::cases::ids_in_state(conn, CaseState::Received.as_str()).await?;
    let mut recorded = 0;
    for (id, organ_id) in candidates {
        let done = conn
            .transaction(async |conn| accept_if_lapsed(conn, state, id, organ_id).await)
            .await?;
        recorded += usize::from(done);
    }
    Ok(recorded)
}

/// Records the deemed acceptance of one case if its review has lapsed; the row is locked and
/// re-read, so a head's decision in between wins.
async fn accept_if_lapsed(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    id: Uuid,
    organ_id: Uuid,
) -> ServiceResult<bool> {
    db::calendar::lock_shared(conn).await?;
    let Some(row) = db::cases::lock_for_update(conn, id, organ_id).await? else {
        return Ok(false);
    };
    let organ = organ_of(conn, organ_id).await?;
    let calendar = db::calendar::load(conn).await?;
    let today = organ.today();
    let current = row.lifecycle().map_err(ServiceError::internal)?;
    let rules = &state.settings.rules;
    let current_facts = deadline_facts(&current);
    let periods = deadlines::period_due_dates(&current_facts, &calendar, &rules.deadlines, today);
    if current
        .deemed_accepted_on(periods.review_due_on, today)
        .is_none()
    {
        return Ok(false);
    }
    let year = today.year();
    let seq = db::cases::next_case_sequence(conn, organ.id, year).await?;
    let facts = EventFacts {
        periods,
        case_number: Some(format_case_number(&organ, year, seq)),
        ..EventFacts::default()
    };
    let action = Action::Accept {
        procedure: Procedure::Ordinary,
        simplified_ground: None,
        deemed: true,
    };
    let ctx = context(rules, today, today, &facts, facts.case_number.clone());
    let next = current
        .apply(&action, &ctx)
        .map_err(ServiceError::internal)?;
    let columns = lifecycle_columns(state, &next, &calendar, today)?;
    let saved = db::cases::save_lifecycle(conn, id, &columns).await?;
    refresh_search_text(conn, &saved).await?;
    let payload = serde_json::to_value(TransitionPayload { action, facts })
        .map_err(ServiceError::internal)?;
    db::events::append(
        conn,
        &NewEvent {
            case_id: id,
            seq: saved.version,
            action: ActionKind::Accept.as_str(),
            from_state: Some(current.state.as_str()),
            to_state: next.state.as_str(),
            actor_id: None,
            occurred_on: today,
            payload,
        },
    )
    .await?;
    tracing::info!(case_id = %id, accepted_on = ?next.accepted_on, "deemed acceptance recorded");
    Ok(true)
}

/// A case's history, oldest first, with the username of each event's actor; 404 for a case
/// outside the caller's reach.
pub async fn history(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Vec<(db::events::EventRow, Option<String>)>> {
    let row = find(conn, caller, id).await?;
    Ok(db::events::history(conn, row.id).await?)
}

/// The working-day calendar as stored, all years.
pub async fn calendar(conn: &mut AsyncPgConnection) -> ServiceResult<WorkCalendar> {
    Ok(db::calendar::load(conn).await?)
}

/// A case within the caller's reach, or 404.
pub async fn find(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<CaseRow> {
    db::cases::find_within(conn, id, &caller.organ_path)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("case {id}")))
}

/// Locks a case the caller may change and checks the version they saw. A case of a subordinate
/// organ answers 403 to a change (a superior reads it, so hiding it would hide nothing, but does
/// not act on it); a case out of reach answers 404 like one that does not exist.
async fn lock_checked(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    expected_version: i32,
) -> ServiceResult<CaseRow> {
    let row = db::cases::lock_for_update(conn, id, caller.organ_id).await?;
    check_locked(conn, caller, id, expected_version, row).await
}

/// [`lock_checked`] under the calendar lock (shared), with the reference data. The calendar lock
/// comes first, on its own: pipelined, the other statements could reach the server before it
/// (one still being prepared waits), and the counter must be read once the lock is held, so a
/// calendar change committed before is seen. The row, the counter and the active officers among
/// `handlers` (those an `assign` names, checked later by [`check_handlers`]) then go in one round
/// trip: a case that can be locked is of the caller's organ, so its officers are that organ's.
async fn lock_checked_with_reference(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    expected_version: i32,
    handlers: &[Uuid],
) -> ServiceResult<(CaseRow, std::sync::Arc<Reference>, Vec<Uuid>)> {
    db::calendar::lock_shared(conn).await?;
    let officers = async {
        if handlers.is_empty() {
            Ok(Vec::new())
        } else {
            db::cases::active_officers_among(conn, caller.organ_id, handlers).await
        }
    };
    let (row, version, officers) = futures_util::try_join!(
        db::cases::lock_for_update(conn, id, caller.organ_id),
        db::reference::version(conn),
        officers,
    )?;
    let row = check_locked(conn, caller, id, expected_version, row).await?;
    Ok((row, state.reference.at(conn, version).await?, officers))
}

/// The locked row, checked: see [`lock_checked`].
async fn check_locked(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    expected_version: i32,
    row: Option<CaseRow>,
) -> ServiceResult<CaseRow> {
    let row = match row {
        Some(row) => row,
        None => {
            return Err(
                match db::cases::find_within(conn, id, &caller.organ_path).await? {
                    Some(_) => ServiceError::forbidden(
                        "cases of a subordinate organ can be read but not changed",
                    ),
                    None => ServiceError::not_found(format!("case {id}")),
                },
            );
        }
    };
    if row.version != expected_version {
        return Err(ServiceError::StaleVersion {
            sent: expected_version,
            current: row.version,
        });
    }
    Ok(row)
}

/// Checks an action's own fields before anything is read, so a malformed action is a 422
/// naming the field whatever the case's version or state.
pub fn check_action_fields(action: &Action) -> ServiceResult<()> {
    action.check_fields().map_err(|refusal| match refusal {
        Refusal::InvalidField { field, reason } => ServiceError::invalid_field(field, reason),
        other => {
            ServiceError::internal(anyhow::anyhow!("a field check refused otherwise: {other}"))
        }
    })
}

/// Applies an action to a case: checks role, version and the state machine, allocates the case
/// number on acceptance, and stores the new state with its event.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    expected_version: i32,
    request: TransitionRequest,
) -> ServiceResult<CaseRow> {
    let kind = request.action.kind();
    let required = kind.required_role();
    if !caller.has_role(required) {
        return Err(ServiceError::forbidden(format!(
            "{kind} needs the {required} role"
        )));
    }
    conn.transaction(async |conn| {
        let named: &[Uuid] = match &request.action {
            Action::Assign { handlers } => handlers,
            _ => &[],
        };
        let (row, reference, officers) =
            lock_checked_with_reference(conn, state, caller, id, expected_version, named)
                .await?;
        let organ = reference.organ(row.organ_id)?;
        let calendar = &reference.calendar;
        let today = organ.today();
        let current = row.lifecycle().map_err(ServiceError::internal)?;
        let occurred_on = request.occurred_on.unwrap_or(today);
        let rules = &state.settings.rules;

        // A reply period running into a year without a calendar cannot be shown to have run
        // out; treating it as running keeps every other action possible (the case view shows
        // the reply deadline as unknown, naming the year), where refusing would block the case
        // each December until next year's calendar is published.
        let current_facts = deadline_facts(&current);
        let mut facts = EventFacts {
            reply_overdue: deadlines::reply_overdue(
                &current_facts,
                calendar,
                &rules.deadlines,
                occurred_on,
            )
            .unwrap_or(false),
            periods: deadlines::period_due_dates(
                &current_facts,
                calendar,
                &rules.deadlines,
                occurred_on,
            ),
            ..EventFacts::default()
        };
        if let Action::Assign { handlers } = &request.action {
            check_handlers(&officers, handlers)?;
        }
        if let Action::AppointRepresentative { applicants, .. } = &request.action {
            check_represented(conn, id, applicants).await?;
        }
        if let Action::Hear {
            hearing_on: Some(hearing_on),
            notice_on: Some(notice_on),
            ..
        } = &request.action
        {
            facts.hearing_notice_working_days = Some(
                calendar
                    .working_days_between(*notice_on, *hearing_on)
                    .map_err(|err| ServiceError::invalid_field("hearing_on", err.to_string()))?,
            );
        }
        // Validate before allocating a number, so a refused accept consumes none. The domain
        // refuses an accept without a number, so the probe carries a stand-in.
        let probe = context(
            rules,
            occurred_on,
            today,
            &facts,
            Some(UNALLOCATED_CASE_NUMBER.to_owned()),
        );
        current
            .apply(&request.action, &probe)
            .map_err(|refusal| refusal_error(refusal, occurred_on, caller, &current, &facts, rules))?;
        if kind == ActionKind::Accept {
            let year = occurred_on.year();
            let seq = db::cases::next_case_sequence(conn, organ.id, year).await?;
            facts.case_number = Some(format_case_number(organ, year, seq));
        }
        let ctx = context(rules, occurred_on, today, &facts, facts.case_number.clone());
        let next = current
            .apply(&request.action, &ctx)
            .map_err(|refusal| refusal_error(refusal, occurred_on, caller, &current, &facts, rules))?;

        if let Action::RecordForwarding { submitted_on, .. } = &request.action {
            record_forwarded_application(conn, state, &row, *submitted_on, calendar).await?;
        }
        let columns = lifecycle_columns(state, &next, calendar, today)?;
        let saved = db::cases::save_lifecycle(conn, id, &columns).await?;
        if kind == ActionKind::Accept {
            refresh_search_text(conn, &saved).await?;
        }
        let payload = serde_json::to_value(TransitionPayload {
            action: request.action.clone(),
            facts,
        })
        .map_err(ServiceError::internal)?;
        db::events::append(
            conn,
            &NewEvent {
                case_id: id,
                seq: saved.version,
                action: kind.as_str(),
                from_state: Some(current.state.as_str()),
                to_state: next.state.as_str(),
                actor_id: Some(caller.user_id),
                occurred_on,
                payload,
            },
        )
        .await?;
        tracing::info!(case_id = %id, action = %kind, from = %current.state, to = %next.state, "case transition");
        Ok(saved)
    })
    .await
}

/// An application filed through the respondent was made the day the respondent received it, so
/// art. 20's window is judged on that day (art. 32).
async fn record_forwarded_application(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    row: &CaseRow,
    submitted_on: NaiveDate,
    calendar: &WorkCalendar,
) -> ServiceResult<()> {
    let facts = ApplicationFacts {
        received_on: row.received_on,
        channel: Channel::Forwarded,
        act_type: row.act_type,
        act_document_number: row.act_document_number.clone(),
        act_date: row.act_date,
        learned_on: row.learned_on,
        amount_fen: row.amount_fen,
        request: row.request.clone(),
        reasons: row.reasons.clone(),
        applied_on: Some(submitted_on),
        rights_learned_on: row.rights_learned_on,
        immovable_property: row.immovable_property,
    };
    if submitted_on < row.learned_on {
        return Err(ServiceError::invalid_field(
            "submitted_on",
            format!(
                "the applicant cannot apply ({submitted_on}) before learning of the act ({})",
                row.learned_on
            ),
        ));
    }
    let late =
        case::is_late_application(&facts, &state.settings.rules.application_window, calendar);
    db::cases::save_forwarded_application(conn, row.id, submitted_on, late).await?;
    Ok(())
}

/// Handlers must be active officers of the case's organ (`officers`: those of `handlers` that
/// are): an unknown id or a colleague without the officer role would leave the case with nobody
/// able to act on it.
fn check_handlers(officers: &[Uuid], handlers: &[Uuid]) -> ServiceResult<()> {
    let strangers: Vec<String> = handlers
        .iter()
        .filter(|id| !officers.contains(id))
        .map(ToString::to_string)
        .collect();
    if strangers.is_empty() {
        return Ok(());
    }
    Err(ServiceError::invalid_field(
        "handlers",
        format!(
            "not an active officer of this case's organ: {}",
            strangers.join(", ")
        ),
    ))
}

/// A representative acts for applicants (art. 15): each position named must be one of the
/// case's applicants, or the consent later required of them could never be checked.
async fn check_represented(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    applicants: &[u32],
) -> ServiceResult<()> {
    let parties = db::cases::parties_of(conn, case_id).await?;
    let is_applicant = |position: u32| {
        parties
            .iter()
            .any(|p| i64::from(p.position) == i64::from(position) && p.role == PartyRole::Applicant)
    };
    let strangers: Vec<String> = applicants
        .iter()
        .filter(|p| !is_applicant(**p))
        .map(ToString::to_string)
        .collect();
    if strangers.is_empty() {
        return Ok(());
    }
    Err(ServiceError::invalid_field(
        "applicants",
        format!(
            "not the position of an applicant among the case's parties: {}",
            strangers.join(", ")
        ),
    ))
}

fn context<'a>(
    rules: &'a crate::config::RuleSettings,
    occurred_on: NaiveDate,
    today: NaiveDate,
    facts: &EventFacts,
    case_number: Option<String>,
) -> TransitionContext<'a> {
    TransitionContext {
        settings: &rules.lifecycle,
        occurred_on,
        today,
        reply_overdue: facts.reply_overdue,
        hearing_notice_working_days: facts.hearing_notice_working_days,
        case_number,
        periods: facts.periods,
    }
}

/// Stands in for the case number while an accept is checked, before a number is allocated.
const UNALLOCATED_CASE_NUMBER: &str = "(unallocated)";

/// Maps a refusal to the service's error; a refused state names the actions this caller may take,
/// judged by the configured limits like the case view's `allowed_actions`.
fn refusal_error(
    refusal: Refusal,
    occurred_on: NaiveDate,
    caller: &Caller,
    current: &CaseLifecycle,
    facts: &EventFacts,
    rules: &crate::config::RuleSettings,
) -> ServiceError {
    let allowed = || {
        lifecycle::allowed_actions_in(
            current,
            &caller.roles,
            &Circumstances {
                on: occurred_on,
                reply_overdue: facts.reply_overdue,
                periods: facts.periods,
            },
            &rules.lifecycle,
        )
    };
    match refusal {
        Refusal::NotAllowedInState { state, action, .. } => ServiceError::NotAllowedInState {
            state,
            action,
            allowed: allowed(),
        },
        Refusal::InvalidField { field, reason } => ServiceError::invalid_field(field, reason),
        Refusal::RuleViolated { rule, reason } => ServiceError::RuleViolated {
            rule,
            reason,
            allowed: allowed(),
        },
    }
}

/// Formats a case number by the organ's pattern (`{organ_short}`, `{year}`, `{seq}`).
pub fn format_case_number(organ: &Organ, year: i32, seq: i32) -> String {
    organ
        .case_number_pattern
        .replace("{organ_short}", &organ.short_name)
        .replace("{year}", &year.to_string())
        .replace("{seq}", &seq.to_string())
}

/// Adds the case number to the free-text search once it exists.
async fn refresh_search_text(conn: &mut AsyncPgConnection, row: &CaseRow) -> ServiceResult<()> {
    use crate::db::schema::cases;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    if let Some(number) = &row.case_number {
        diesel::update(cases::table.find(row.id))
            .set(
                cases::search_text
                    .eq(cases::search_text.concat(format!(" {}", number.to_lowercase()))),
            )
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Corrects registration fields; recorded as a `correct` event without a state change.
pub async fn correct(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    expected_version: i32,
    patch: CasePatch,
) -> ServiceResult<CaseRow> {
    if !caller.has_any_role(&[Role::Officer, Role::Head]) {
        return Err(ServiceError::forbidden(
            "correcting a case needs the officer or head role",
        ));
    }
    case::validate_fields(case::FieldsToCheck {
        amount_fen: patch.amount_fen.flatten(),
        request: patch.request.as_deref(),
        reasons: patch.reasons.as_deref(),
        act_document_number: patch
            .act_document_number
            .as_ref()
            .and_then(Option::as_deref),
        parties: patch.parties.as_deref(),
    })?;
    conn.transaction(async |conn| {
        let row = lock_checked(conn, caller, id, expected_version).await?;
        let organ = organ_of(conn, row.organ_id).await?;
        let respondent = match patch.respondent_id {
            Some(rid) => db::organs::find_respondent_within(conn, rid, &caller.organ_path)
                .await?
                .ok_or_else(|| {
                    ServiceError::invalid_field(
                        "respondent_id",
                        format!("no respondent {rid} is known to this organ"),
                    )
                })?,
            None => find_respondent(conn, row.respondent_id).await?,
        };
        let parties = match &patch.parties {
            Some(parties) => parties.clone(),
            None => db::cases::parties_of(conn, id)
                .await?
                .iter()
                .map(party_input)
                .collect::<ServiceResult<_>>()?,
        };
        let facts = ApplicationFacts {
            received_on: row.received_on,
            channel: patch.channel.unwrap_or(row.channel),
            act_type: patch.act_type.unwrap_or(row.act_type),
            act_document_number: patch
                .act_document_number
                .clone()
                .unwrap_or_else(|| row.act_document_number.clone()),
            act_date: patch.act_date.unwrap_or(row.act_date),
            learned_on: patch.learned_on.unwrap_or(row.learned_on),
            amount_fen: patch.amount_fen.unwrap_or(row.amount_fen),
            request: patch.request.clone().unwrap_or_else(|| row.request.clone()),
            reasons: patch.reasons.clone().unwrap_or_else(|| row.reasons.clone()),
            applied_on: patch.applied_on.unwrap_or(row.applied_on),
            rights_learned_on: patch.rights_learned_on.unwrap_or(row.rights_learned_on),
            immovable_property: patch.immovable_property.unwrap_or(row.immovable_property),
        };
        let calendar = db::calendar::load(conn).await?;
        case::validate_application(&facts, &parties, organ.today())?;
        let correction = CaseCorrection {
            respondent_id: patch.respondent_id,
            domain: patch.respondent_id.map(|_| respondent.domain),
            channel: patch.channel,
            act_type: patch.act_type,
            act_document_number: patch.act_document_number.clone(),
            act_date: patch.act_date,
            learned_on: patch.learned_on,
            amount_fen: patch.amount_fen,
            request: patch.request.clone(),
            reasons: patch.reasons.clone(),
            enterprise_related: Some(case::is_enterprise_related(&parties)),
            late_application: Some(case::is_late_application(
                &facts,
                &state.settings.rules.application_window,
                &calendar,
            )),
            applied_on: patch.applied_on,
            rights_learned_on: patch.rights_learned_on,
            immovable_property: patch.immovable_property,
            search_text: Some(case::search_text(
                parties.iter().map(|p| p.name.as_str()),
                &respondent.name,
                facts.act_document_number.as_deref(),
                row.case_number.as_deref(),
            )),
        };
        if let Some(parties) = &patch.parties {
            db::cases::replace_parties(conn, id, &PartyRow::from_inputs(id, parties)).await?;
        }
        let saved = db::cases::save_correction(conn, id, &correction).await?;
        // The event names the corrected fields, not their values: personal data stays in one place.
        let changed = changed_fields(&patch);
        db::events::append(
            conn,
            &NewEvent {
                case_id: id,
                seq: saved.version,
                action: CORRECT,
                from_state: Some(row.state.as_str()),
                to_state: row.state.as_str(),
                actor_id: Some(caller.user_id),
                occurred_on: organ.today(),
                payload: serde_json::json!({ "fields": changed }),
            },
        )
        .await?;
        Ok(saved)
    })
    .await
}

fn changed_fields(patch: &CasePatch) -> Vec<&'static str> {
    [
        ("respondent_id", patch.respondent_id.is_some()),
        ("channel", patch.channel.is_some()),
        ("act_type", patch.act_type.is_some()),
        ("act_document_number", patch.act_document_number.is_some()),
        ("act_date", patch.act_date.is_some()),
        ("learned_on", patch.learned_on.is_some()),
        ("amount_fen", patch.amount_fen.is_some()),
        ("request", patch.request.is_some()),
        ("reasons", patch.reasons.is_some()),
        ("parties", patch.parties.is_some()),
        ("applied_on", patch.applied_on.is_some()),
        ("rights_learned_on", patch.rights_learned_on.is_some()),
        ("immovable_property", patch.immovable_property.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

fn party_input(row: &PartyRow) -> ServiceResult<PartyInput> {
    Ok(PartyInput {
        role: row.role,
        kind: row.kind,
        name: row.name.clone(),
        id_number: row.id_number.clone(),
        phone: row.phone.clone(),
        address: row.address.clone(),
        acts_for: row.acts_for.and_then(|i| usize::try_from(i).ok()),
    })
}

/// Rebuilds a case's aggregate from its events alone.
pub fn replay(
    received_on: NaiveDate,
    events: &[db::events::EventRow],
    settings: &crate::config::RuleSettings,
) -> Result<CaseLifecycle, String> {
    let mut lifecycle = CaseLifecycle::new(received_on);
    for event in events {
        if event.action == REGISTER || event.action == CORRECT {
            continue;
        }
        // An imported case's history starts from the aggregate the old system's record gave.
        if event.action == crate::service::import::IMPORTED {
            lifecycle = crate::service::import::snapshot(&event.payload)
                .map_err(|err| format!("event {}: {err}", event.seq))?;
            continue;
        }
        let payload: TransitionPayload = serde_json::from_value(event.payload.clone())
            .map_err(|err| format!("event {}: {err}", event.seq))?;
        let ctx = context(
            settings,
            event.occurred_on,
            event.occurred_on,
            &payload.facts,
            payload.facts.case_number.clone(),
        );
        lifecycle = lifecycle
            .apply(&payload.action, &ctx)
            .map_err(|refusal| format!("event {}: {refusal}", event.seq))?;
    }
    Ok(lifecycle)
}

/// Tells a field sent as `null` (`Some(None)`, clear it) from one left out (`None`, keep it).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// One page of the cases within the caller's reach.
#[derive(Debug)]
pub struct CaseListPage {
    /// The cases, in keyset order.
    pub rows: Vec<CaseRow>,
    /// `(case id, applicant name)` of every applicant of those cases, in party order.
    pub applicants: Vec<(Uuid, String)>,
    /// Whether another page follows.
    pub has_more: bool,
}

/// Up to `limit` cases within the caller's reach matching `filter`, after the case `after`.
/// `overdue` keeps the cases past a deadline on today's date at the caller's organ.
pub async fn list_page(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    mut filter: db::cases::CaseFilter,
    overdue: bool,
    after: Option<Uuid>,
    limit: i64,
) -> ServiceResult<CaseListPage> {
    let organ = db::organs::find_organ(conn, caller.organ_id).await?;
    filter.overdue_on = overdue.then(|| organ.today());
    // One extra row tells whether another page follows.
    let mut rows =
        db::cases::list_within(conn, &caller.organ_path, &filter, after, limit + 1).await?;
    let page = usize::try_from(limit).unwrap_or(usize::MAX);
    let has_more = rows.len() > page;
    rows.truncate(page);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let applicants = db::cases::applicant_names(conn, &ids).await?;
    Ok(CaseListPage {
        rows,
        applicants,
        has_more,
    })
}
