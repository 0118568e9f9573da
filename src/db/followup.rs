//! Follow-up records on concluded cases (service, compliance and its measures, lawsuits with their
//! hearings and judgments) and letters, with the reads of the deadline feed. Rows are inserted
//! and never deleted; the few columns filled later are written once, guarded in SQL as well as
//! by the migration's triggers.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{pg::Pg, prelude::*};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{
    organs::escape_like,
    schema::{
        case_compliance, case_services, cases, compliance_measures, lawsuit_hearings,
        lawsuit_judgments, lawsuits, letter_cases, letters, organs, users,
    },
};
use crate::domain::followup::{
    ComplianceOrder, Instance, JudgmentResult, LetterKind, MeasureKind, Outcome, Recipient,
    ServiceMethod,
};

/// The reads every organ-owned follow-up table answers the same way: one row within reach, one
/// row locked for writing, and whether a number is taken. Written once here so the reach filter
/// and the lock stay alike across tables.
macro_rules! organ_owned_lookups {
    (
        $table:ident, $row:ty,
        $(#[$find_doc:meta])* find: $find:ident,
        $(#[$lock_doc:meta])* lock: $lock:ident,
        $(#[$exists_doc:meta])* exists: $exists:ident($a:ident: $a_ty:ty, $b:ident: $b_ty:ty),
    ) => {
        $(#[$find_doc])*
        pub async fn $find(
            conn: &mut AsyncPgConnection,
            id: Uuid,
            organ_path: &str,
        ) -> QueryResult<Option<$row>> {
            $table::table
                .filter($table::id.eq(id))
                .filter($table::organ_id.eq_any(organs_within(organ_path)))
                .select(<$row>::as_select())
                .first(conn)
                .await
                .optional()
        }

        $(#[$lock_doc])*
        pub async fn $lock(
            conn: &mut AsyncPgConnection,
            id: Uuid,
            organ_id: Uuid,
        ) -> QueryResult<Option<$row>> {
            $table::table
                .filter($table::id.eq(id))
                .filter($table::organ_id.eq(organ_id))
                .select(<$row>::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()
        }

        $(#[$exists_doc])*
        pub async fn $exists(
            conn: &mut AsyncPgConnection,
            $a: $a_ty,
            $b: $b_ty,
        ) -> QueryResult<bool> {
            diesel::select(diesel::dsl::exists(
                $table::table
                    .filter($table::$a.eq($a))
                    .filter($table::$b.eq($b)),
            ))
            .get_result(conn)
            .await
        }
    };
}

/// Ids of the organs under `organ_path` (the caller's reach), as a subquery.
fn organs_within(
    organ_path: &str,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<organs::table, diesel::dsl::Like<organs::path, String>>,
    organs::id,
> {
    organs::table
        .filter(organs::path.like(format!("{}%", escape_like(organ_path))))
        .select(organs::id)
}

/// A service record as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_services, check_for_backend(Pg))]
pub struct ServiceRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub recipient: Recipient,
    pub party_position: Option<i32>,
    pub signed_by_position: Option<i32>,
    pub method: ServiceMethod,
    pub electronic_consent: bool,
    pub served_on: NaiveDate,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A new service record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_services)]
pub struct NewService {
    pub id: Uuid,
    pub case_id: Uuid,
    pub recipient: Recipient,
    pub party_position: Option<i32>,
    pub signed_by_position: Option<i32>,
    pub method: ServiceMethod,
    pub electronic_consent: bool,
    pub served_on: NaiveDate,
    pub note: Option<String>,
    pub recorded_by: Uuid,
}

/// Appends a service record.
pub async fn insert_service(conn: &mut AsyncPgConnection, new: &NewService) -> QueryResult<()> {
    diesel::insert_into(case_services::table)
        .values(new)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The service records of a case, in the order served.
pub async fn services_of(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Vec<ServiceRow>> {
    case_services::table
        .filter(case_services::case_id.eq(case_id))
        .order((case_services::served_on, case_services::id))
        .select(ServiceRow::as_select())
        .load(conn)
        .await
}

/// A case's compliance duty as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_compliance, check_for_backend(Pg))]
pub struct ComplianceRow {
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub ordered: ComplianceOrder,
    pub time_limit_days: i32,
    pub decided_on: NaiveDate,
    pub starts_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub complied_on: Option<NaiveDate>,
    pub new_act_document_number: Option<String>,
    pub compliance_note: Option<String>,
    pub complied_recorded_by: Option<Uuid>,
    pub complied_recorded_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A case's compliance duty, opened the first time it matters.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_compliance)]
pub struct NewCompliance {
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub ordered: ComplianceOrder,
    pub time_limit_days: i32,
    pub decided_on: NaiveDate,
    pub created_by: Uuid,
}

/// The compliance duty of a case, if it has been opened.
pub async fn compliance_of(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Option<ComplianceRow>> {
    case_compliance::table
        .find(case_id)
        .select(ComplianceRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Opens a case's compliance duty unless it is open already; returns it.
pub async fn open_compliance(
    conn: &mut AsyncPgConnection,
    new: &NewCompliance,
) -> QueryResult<ComplianceRow> {
    diesel::insert_into(case_compliance::table)
        .values(new)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    case_compliance::table
        .find(new.case_id)
        .select(ComplianceRow::as_select())
        .first(conn)
        .await
}

/// Sets the day the time limit starts (the first service on the respondent) and its last day.
pub async fn set_compliance_start(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    starts_on: NaiveDate,
    due_on: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(case_compliance::table.find(case_id))
        .set((
            case_compliance::starts_on.eq(starts_on),
            case_compliance::due_on.eq(due_on),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The respondent's compliance, as recorded.
#[derive(Debug, Clone)]
pub struct Compliance<'a> {
    pub complied_on: NaiveDate,
    pub new_act_document_number: Option<&'a str>,
    pub note: Option<&'a str>,
    pub recorded_by: Uuid,
}

/// Records compliance once; `false` when it was recorded already.
pub async fn record_compliance(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    compliance: &Compliance<'_>,
) -> QueryResult<bool> {
    diesel::update(
        case_compliance::table
            .find(case_id)
            .filter(case_compliance::complied_on.is_null()),
    )
    .set((
        case_compliance::complied_on.eq(compliance.complied_on),
        case_compliance::new_act_document_number.eq(compliance.new_act_document_number),
        case_compliance::compliance_note.eq(compliance.note),
        case_compliance::complied_recorded_by.eq(compliance.recorded_by),
        case_compliance::complied_recorded_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|rows| rows == 1)
}

/// A follow-up measure as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = compliance_measures, check_for_backend(Pg))]
pub struct MeasureRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: MeasureKind,
    pub taken_on: NaiveDate,
    pub comply_by: Option<NaiveDate>,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A new follow-up measure.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = compliance_measures)]
pub struct NewMeasure {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: MeasureKind,
    pub taken_on: NaiveDate,
    pub comply_by: Option<NaiveDate>,
    pub note: Option<String>,
    pub recorded_by: Uuid,
}

/// Appends a follow-up measure.
pub async fn insert_measure(conn: &mut AsyncPgConnection, new: &NewMeasure) -> QueryResult<()> {
    diesel::insert_into(compliance_measures::table)
        .values(new)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The follow-up measures of a case, in the order taken.
pub async fn measures_of(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Vec<MeasureRow>> {
    compliance_measures::table
        .filter(compliance_measures::case_id.eq(case_id))
        .order((compliance_measures::taken_on, compliance_measures::id))
        .select(MeasureRow::as_select())
        .load(conn)
        .await
}

/// A lawsuit as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lawsuits, check_for_backend(Pg))]
pub struct LawsuitRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub court: String,
    pub court_case_number: String,
    pub filed_on: NaiveDate,
    pub organ_co_defendant: bool,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A new lawsuit.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = lawsuits)]
pub struct NewLawsuit {
    pub id: Uuid,
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub court: String,
    pub court_case_number: String,
    pub filed_on: NaiveDate,
    pub organ_co_defendant: bool,
    pub note: Option<String>,
    pub recorded_by: Uuid,
}

/// Appends a lawsuit.
pub async fn insert_lawsuit(conn: &mut AsyncPgConnection, new: &NewLawsuit) -> QueryResult<()> {
    diesel::insert_into(lawsuits::table)
        .values(new)
        .execute(conn)
        .await
        .map(|_| ())
}

organ_owned_lookups!(
    lawsuits,
    LawsuitRow,
    /// One lawsuit within reach, or `None` (outside reach looks exactly like absent).
    find: find_lawsuit_within,
    /// Locks a lawsuit of `organ_id` for adding to it in the current transaction.
    lock: lock_lawsuit,
    /// Whether a court already has a case under this number on record.
    exists: court_case_exists(court: &str, court_case_number: &str),
);

/// The lawsuits of a case, in the order filed.
pub async fn lawsuits_of(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Vec<LawsuitRow>> {
    lawsuits::table
        .filter(lawsuits::case_id.eq(case_id))
        .order((lawsuits::filed_on, lawsuits::id))
        .select(LawsuitRow::as_select())
        .load(conn)
        .await
}

/// A court hearing as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lawsuit_hearings, check_for_backend(Pg))]
pub struct HearingRow {
    pub id: Uuid,
    pub lawsuit_id: Uuid,
    pub instance: Instance,
    pub held_on: NaiveDate,
    pub head_appeared: bool,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A new court hearing.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = lawsuit_hearings)]
pub struct NewHearing {
    pub id: Uuid,
    pub lawsuit_id: Uuid,
    pub instance: Instance,
    pub held_on: NaiveDate,
    pub head_appeared: bool,
    pub note: Option<String>,
    pub recorded_by: Uuid,
}

/// Appends a court hearing.
pub async fn insert_hearing(conn: &mut AsyncPgConnection, new: &NewHearing) -> QueryResult<()> {
    diesel::insert_into(lawsuit_hearings::table)
        .values(new)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The hearings of some lawsuits, in the order held.
pub async fn hearings_of(
    conn: &mut AsyncPgConnection,
    lawsuit_ids: &[Uuid],
) -> QueryResult<Vec<HearingRow>> {
    lawsuit_hearings::table
        .filter(lawsuit_hearings::lawsuit_id.eq_any(lawsuit_ids))
        .order((lawsuit_hearings::held_on, lawsuit_hearings::id))
        .select(HearingRow::as_select())
        .load(conn)
        .await
}

/// A judgment (or ruling, withdrawal, mediation) ending an instance, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lawsuit_judgments, check_for_backend(Pg))]
pub struct JudgmentRow {
    pub id: Uuid,
    pub lawsuit_id: Uuid,
    pub instance: Instance,
    pub decided_on: NaiveDate,
    pub result: JudgmentResult,
    pub outcome: Outcome,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A new judgment.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = lawsuit_judgments)]
pub struct NewJudgment {
    pub id: Uuid,
    pub lawsuit_id: Uuid,
    pub instance: Instance,
    pub decided_on: NaiveDate,
    pub result: JudgmentResult,
    pub outcome: Outcome,
    pub note: Option<String>,
    pub recorded_by: Uuid,
}

/// Appends a judgment.
pub async fn insert_judgment(conn: &mut AsyncPgConnection, new: &NewJudgment) -> QueryResult<()> {
    diesel::insert_into(lawsuit_judgments::table)
        .values(new)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The judgments of some lawsuits, in the order decided.
pub async fn judgments_of(
    conn: &mut AsyncPgConnection,
    lawsuit_ids: &[Uuid],
) -> QueryResult<Vec<JudgmentRow>> {
    lawsuit_judgments::table
        .filter(lawsuit_judgments::lawsuit_id.eq_any(lawsuit_ids))
        .order((lawsuit_judgments::decided_on, lawsuit_judgments::id))
        .select(JudgmentRow::as_select())
        .load(conn)
        .await
}

/// A letter as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = letters, check_for_backend(Pg))]
pub struct LetterRow {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub kind: LetterKind,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub recipient_id: Option<Uuid>,
    pub recipient_name: String,
    pub summary: String,
    pub handler_id: Uuid,
    pub received_on: Option<NaiveDate>,
    pub report_due_on: Option<NaiveDate>,
    pub reported_on: Option<NaiveDate>,
    pub report_summary: Option<String>,
    pub reported_by: Option<Uuid>,
    pub reported_at: Option<DateTime<Utc>>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A new letter.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = letters)]
pub struct NewLetter {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub kind: LetterKind,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub recipient_id: Option<Uuid>,
    pub recipient_name: String,
    pub summary: String,
    pub handler_id: Uuid,
    pub received_on: Option<NaiveDate>,
    pub report_due_on: Option<NaiveDate>,
    pub recorded_by: Uuid,
}

/// Inserts a letter with the cases that prompted it.
pub async fn insert_letter(
    conn: &mut AsyncPgConnection,
    new: &NewLetter,
    case_ids: &[Uuid],
) -> QueryResult<()> {
    diesel::insert_into(letters::table)
        .values(new)
        .execute(conn)
        .await?;
    let links: Vec<_> = case_ids
        .iter()
        .map(|case_id| {
            (
                letter_cases::letter_id.eq(new.id),
                letter_cases::case_id.eq(*case_id),
            )
        })
        .collect();
    diesel::insert_into(letter_cases::table)
        .values(links)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

organ_owned_lookups!(
    letters,
    LetterRow,
    /// One letter within reach, or `None`.
    find: find_letter_within,
    /// Locks a letter of `organ_id` for recording on it in the current transaction.
    lock: lock_letter,
    /// Whether the organ issued a letter under this number already.
    exists: letter_number_exists(organ_id: Uuid, document_number: &str),
);

/// Records the day a letter was received, once, with the report-back's due date from it.
pub async fn record_receipt(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    received_on: NaiveDate,
    report_due_on: Option<NaiveDate>,
) -> QueryResult<bool> {
    diesel::update(
        letters::table
            .find(id)
            .filter(letters::received_on.is_null()),
    )
    .set((
        letters::received_on.eq(received_on),
        letters::report_due_on.eq(report_due_on),
    ))
    .execute(conn)
    .await
    .map(|rows| rows == 1)
}

/// A letter's report-back, as recorded.
#[derive(Debug, Clone)]
pub struct ReportBack<'a> {
    pub received_on: NaiveDate,
    pub report_due_on: Option<NaiveDate>,
    pub reported_on: NaiveDate,
    pub summary: Option<&'a str>,
    pub recorded_by: Uuid,
}

/// Records the receipt (if not yet known) and the report-back once; `false` when a report-back
/// was recorded already.
pub async fn record_report_back(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    report: &ReportBack<'_>,
) -> QueryResult<bool> {
    diesel::update(
        letters::table
            .find(id)
            .filter(letters::reported_on.is_null()),
    )
    .set((
        letters::received_on.eq(report.received_on),
        letters::report_due_on.eq(report.report_due_on),
        letters::reported_on.eq(report.reported_on),
        letters::report_summary.eq(report.summary),
        letters::reported_by.eq(report.recorded_by),
        letters::reported_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|rows| rows == 1)
}

/// The case ids linked to each of some letters.
pub async fn cases_of_letters(
    conn: &mut AsyncPgConnection,
    letter_ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    letter_cases::table
        .filter(letter_cases::letter_id.eq_any(letter_ids))
        .order((letter_cases::letter_id, letter_cases::case_id))
        .select((letter_cases::letter_id, letter_cases::case_id))
        .load(conn)
        .await
}

/// Filters of the letter list; every one optional.
#[derive(Debug, Clone, Default)]
pub struct LetterFilter {
    pub kind: Option<String>,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
    /// Letters linked to this case.
    pub case_id: Option<Uuid>,
}

/// One page of letters within reach, newest first (ids are time-ordered, as for cases).
pub async fn list_letters_within(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
    filter: &LetterFilter,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<LetterRow>> {
    let mut query = letters::table
        .filter(letters::organ_id.eq_any(organs_within(organ_path)))
        .into_boxed();
    if let Some(kind) = &filter.kind {
        query = query.filter(letters::kind.eq(kind.clone()));
    }
    if let Some(from) = filter.issued_from {
        query = query.filter(letters::issued_on.ge(from));
    }
    if let Some(to) = filter.issued_to {
        query = query.filter(letters::issued_on.le(to));
    }
    if let Some(case_id) = filter.case_id {
        query = query.filter(
            letters::id.eq_any(
                letter_cases::table
                    .filter(letter_cases::case_id.eq(case_id))
                    .select(letter_cases::letter_id),
            ),
        );
    }
    if let Some(after) = after {
        query = query.filter(letters::id.lt(after));
    }
    query
        .order(letters::id.desc())
        .limit(limit)
        .select(LetterRow::as_select())
        .load(conn)
        .await
}

/// Sign-in and display names of some users, for showing who handles what.
pub async fn user_names(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, String, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username, users::display_name))
        .load(conn)
        .await
}

/// Shared bounds of the deadline feed's candidate queries.
#[derive(Debug, Clone, Default)]
pub struct FeedBounds {
    /// Only items handled by this user.
    pub handler: Option<Uuid>,
    /// Only due dates on or after this day (pushed down where the stored date is the due date).
    pub due_from: Option<NaiveDate>,
    /// Only due dates on or before this day.
    pub due_to: Option<NaiveDate>,
    /// Only due dates before this day (missed ones; the latest "today" among the organs).
    pub due_before: Option<NaiveDate>,
    /// Only due dates on or after this day (pending ones; the earliest "today" among the organs).
    pub due_not_before: Option<NaiveDate>,
}

/// Where a page of one kind of deadline starts, and how many to read: items after `after` in
/// the order (due date, id) — that is, due later, or due the same day with a greater id.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeedPage {
    pub after: Option<(NaiveDate, Uuid)>,
    pub limit: i64,
}

/// An open case that may have a pending or missed deadline within the bounds.
#[derive(Debug, Clone, Queryable)]
pub struct CaseCandidate {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub case_number: Option<String>,
    pub handlers: Vec<Uuid>,
    pub lifecycle: super::json::StoredJson,
}

/// Open cases within reach whose earliest pending or missed deadline (`next_deadline_on`,
/// indexed) could fall within the bounds: every such deadline is on or after it, so the upper
/// bounds prune on it and the lower ones are checked on the computed deadlines.
pub async fn case_candidates(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
    bounds: &FeedBounds,
) -> QueryResult<Vec<CaseCandidate>> {
    let mut query = cases::table
        .filter(cases::organ_id.eq_any(organs_within(organ_path)))
        .filter(cases::next_deadline_on.is_not_null())
        .into_boxed();
    if let Some(to) = bounds.due_to {
        query = query.filter(cases::next_deadline_on.le(to));
    }
    if let Some(before) = bounds.due_before {
        query = query.filter(cases::next_deadline_on.lt(before));
    }
    if let Some(handler) = bounds.handler {
        query = query.filter(cases::handlers.contains(vec![handler]));
    }
    query
        .select((
            cases::id,
            cases::organ_id,
            cases::case_number,
            cases::handlers,
            cases::lifecycle,
        ))
        .load(conn)
        .await
}

/// A compliance time limit still running or missed.
#[derive(Debug, Clone, Queryable)]
pub struct ComplianceCandidate {
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub due_on: NaiveDate,
    pub case_number: Option<String>,
    pub handlers: Vec<Uuid>,
}

/// Compliance time limits within reach not yet complied with, within the bounds: one page in
/// the order (due date, case id).
pub async fn compliance_candidates(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
    bounds: &FeedBounds,
    page: FeedPage,
) -> QueryResult<Vec<ComplianceCandidate>> {
    let mut query = case_compliance::table
        .inner_join(cases::table)
        .filter(case_compliance::organ_id.eq_any(organs_within(organ_path)))
        .filter(case_compliance::complied_on.is_null())
        .filter(case_compliance::due_on.is_not_null())
        .into_boxed();
    if let Some(from) = bounds.due_from {
        query = query.filter(case_compliance::due_on.ge(from));
    }
    if let Some(to) = bounds.due_to {
        query = query.filter(case_compliance::due_on.le(to));
    }
    if let Some(before) = bounds.due_before {
        query = query.filter(case_compliance::due_on.lt(before));
    }
    if let Some(not_before) = bounds.due_not_before {
        query = query.filter(case_compliance::due_on.ge(not_before));
    }
    if let Some(handler) = bounds.handler {
        query = query.filter(cases::handlers.contains(vec![handler]));
    }
    if let Some((due_on, id)) = page.after {
        query = query.filter(
            case_compliance::due_on
                .gt(due_on)
                .or(case_compliance::due_on
                    .eq(due_on)
                    .and(case_compliance::case_id.gt(id))),
        );
    }
    query
        .order((case_compliance::due_on, case_compliance::case_id))
        .limit(page.limit)
        .select((
            case_compliance::case_id,
            case_compliance::organ_id,
            case_compliance::due_on.assume_not_null(),
            cases::case_number,
            cases::handlers,
        ))
        .load(conn)
        .await
}

/// An opinion letter's report-back still awaited.
#[derive(Debug, Clone, Queryable)]
pub struct LetterCandidate {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub document_number: String,
    pub report_due_on: NaiveDate,
    pub handler_id: Uuid,
}

/// Report-backs within reach still awaited, within the bounds: one page in the order (due
/// date, letter id).
pub async fn letter_candidates(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
    bounds: &FeedBounds,
    page: FeedPage,
) -> QueryResult<Vec<LetterCandidate>> {
    let mut query = letters::table
        .filter(letters::organ_id.eq_any(organs_within(organ_path)))
        .filter(letters::reported_on.is_null())
        .filter(letters::report_due_on.is_not_null())
        .into_boxed();
    if let Some(from) = bounds.due_from {
        query = query.filter(letters::report_due_on.ge(from));
    }
    if let Some(to) = bounds.due_to {
        query = query.filter(letters::report_due_on.le(to));
    }
    if let Some(before) = bounds.due_before {
        query = query.filter(letters::report_due_on.lt(before));
    }
    if let Some(not_before) = bounds.due_not_before {
        query = query.filter(letters::report_due_on.ge(not_before));
    }
    if let Some(handler) = bounds.handler {
        query = query.filter(letters::handler_id.eq(handler));
    }
    if let Some((due_on, id)) = page.after {
        query = query.filter(
            letters::report_due_on
                .gt(due_on)
                .or(letters::report_due_on.eq(due_on).and(letters::id.gt(id))),
        );
    }
    query
        .order((letters::report_due_on, letters::id))
        .limit(page.limit)
        .select((
            letters::id,
            letters::organ_id,
            letters::document_number,
            letters::report_due_on.assume_not_null(),
            letters::handler_id,
        ))
        .load(conn)
        .await
}

/// Every compliance duty whose time limit has started, for re-projecting its due date.
pub async fn started_compliance(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(Uuid, NaiveDate, i32, Option<NaiveDate>)>> {
    case_compliance::table
        .filter(case_compliance::starts_on.is_not_null())
        .select((
            case_compliance::case_id,
            case_compliance::starts_on.assume_not_null(),
            case_compliance::time_limit_days,
            case_compliance::due_on,
        ))
        .load(conn)
        .await
}

/// Rewrites a compliance due date (a projection, re-computed when the calendar changes).
pub async fn set_compliance_due(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    due_on: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(case_compliance::table.find(case_id))
        .set(case_compliance::due_on.eq(due_on))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Every opinion letter, for re-projecting its report-back's due date.
pub async fn opinion_letters(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(Uuid, NaiveDate, Option<NaiveDate>, Option<NaiveDate>)>> {
    letters::table
        .filter(letters::kind.eq("opinion"))
        .select((
            letters::id,
            letters::issued_on,
            letters::received_on,
            letters::report_due_on,
        ))
        .load(conn)
        .await
}

/// Rewrites a report-back's due date (a projection).
pub async fn set_report_due(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    report_due_on: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(letters::table.find(id))
        .set(letters::report_due_on.eq(report_due_on))
        .execute(conn)
        .await
        .map(|_| ())
}
