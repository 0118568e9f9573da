//! Opinion letters (行政复议意见书, art. 76) and recommendation letters (建议书, 2007 regulations
//! art. 57) an organ issues to agencies, linked to the cases that prompted them; an opinion
//! letter's receipt and report-back, due 60 days after receipt.
//!
//! A letter belongs to the organ of the officer who records it. Anyone within reach of that
//! organ reads it; only its own organ's officers and heads record on it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Caller,
    db::{
        self,
        followup::{LetterFilter, LetterRow, NewLetter, ReportBack},
        organs::Organ,
    },
    domain::{
        followup::{self, DueStatus, LetterKind},
        validation::FieldErrors,
    },
    service::error::{ConflictAbout, ServiceError, ServiceResult},
    service::followup::require_recorder,
};

/// The most cases one letter may name.
pub const MAX_LINKED_CASES: usize = 200;

/// `POST /api/v1/letters`: a letter issued to an agency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterRequest {
    pub kind: LetterKind,
    /// The letter's document number (文号); unique within the organ.
    #[schema(pattern = r"\S", max_length = 100)]
    pub document_number: String,
    /// Not in the future.
    pub issued_on: NaiveDate,
    /// The agency, when it is a known respondent; its name is taken from there.
    #[serde(default)]
    pub recipient_id: Option<Uuid>,
    /// The agency's name; required without `recipient_id`.
    #[serde(default)]
    #[schema(pattern = r"\S", max_length = 200)]
    pub recipient_name: Option<String>,
    /// What the letter finds and asks.
    #[schema(pattern = r"\S", max_length = 4000)]
    pub summary: String,
    /// The cases that prompted it (possibly none), each within the caller's reach.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub case_ids: Vec<Uuid>,
    /// The officer who follows it up; defaults to the caller (who must then be an officer).
    #[serde(default)]
    pub handler_id: Option<Uuid>,
    /// The day the agency received it, if known already.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
}

/// `POST /api/v1/letters/{id}/receipt`: the day the agency received the letter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// Not in the future, not before the letter was issued.
    pub received_on: NaiveDate,
}

/// `POST /api/v1/letters/{id}/report-back`: the agency reported back on an opinion letter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBackRequest {
    /// The day the agency received the letter; required unless already recorded, and then it
    /// must agree.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    /// The day the report arrived; not in the future, not before receipt.
    pub reported_on: NaiveDate,
    /// What the agency reported (corrections made, aftermath handled).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
}

/// An opinion letter's report-back: when it is due, and whether it came.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportBackView {
    /// 60 days from receipt (from issue while receipt is not recorded), moved off a rest day.
    pub due_on: Option<NaiveDate>,
    /// `pending`, `met`, `late` or `missed`.
    #[serde(flatten)]
    pub status: DueStatus,
    pub reported_on: Option<NaiveDate>,
    pub summary: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// A letter as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LetterView {
    pub id: Uuid,
    /// Grows with the receipt and the report-back; also the `ETag`.
    pub version: i32,
    pub organ_id: Uuid,
    pub kind: LetterKind,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub recipient_id: Option<Uuid>,
    pub recipient_name: String,
    pub summary: String,
    pub handler_id: Uuid,
    /// The cases that prompted it.
    pub case_ids: Vec<Uuid>,
    pub received_on: Option<NaiveDate>,
    /// Opinion letters only.
    pub report_back: Option<ReportBackView>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A page of letters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LetterPage {
    pub items: Vec<LetterView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Today in each organ within the caller's reach.
pub async fn todays(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> ServiceResult<HashMap<Uuid, NaiveDate>> {
    Ok(db::organs::list_subtree(conn, &caller.organ_path)
        .await?
        .iter()
        .map(|organ| (organ.id, organ.today()))
        .collect())
}

/// Builds the views of some letters; `todays` gives each organ's legal date.
pub async fn letter_views(
    conn: &mut AsyncPgConnection,
    rows: Vec<LetterRow>,
    todays: &HashMap<Uuid, NaiveDate>,
) -> ServiceResult<Vec<LetterView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let links = db::followup::cases_of_letters(conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let kind: LetterKind = row.kind;
            let today = todays
                .get(&row.organ_id)
                .copied()
                .unwrap_or_else(|| Utc::now().date_naive());
            let report_back = (kind == LetterKind::Opinion).then(|| ReportBackView {
                due_on: row.report_due_on,
                status: followup::due_status(row.report_due_on, row.reported_on, today),
                reported_on: row.reported_on,
                summary: row.report_summary.clone(),
                recorded_by: row.reported_by,
                recorded_at: row.reported_at,
            });
            let version =
                1 + i32::from(row.received_on.is_some()) + i32::from(row.reported_on.is_some());
            Ok(LetterView {
                id: row.id,
                version,
                organ_id: row.organ_id,
                kind,
                document_number: row.document_number,
                issued_on: row.issued_on,
                recipient_id: row.recipient_id,
                recipient_name: row.recipient_name,
                summary: row.summary,
                handler_id: row.handler_id,
                case_ids: links
                    .iter()
                    .filter(|(letter, _)| *letter == row.id)
                    .map(|(_, case)| *case)
                    .collect(),
                received_on: row.received_on,
                report_back,
                recorded_by: row.recorded_by,
                recorded_at: row.recorded_at,
            })
        })
        .collect()
}

async fn view_one(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    row: LetterRow,
) -> ServiceResult<LetterView> {
    let todays = todays(conn, caller).await?;
    letter_views(conn, vec![row], &todays)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("a letter view went missing")))
}

/// A letter within the caller's reach, or 404.
pub async fn find(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<LetterView> {
    let row = db::followup::find_letter_within(conn, id, &caller.organ_path)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("letter {id}")))?;
    view_one(conn, caller, row).await
}

/// One page of letters within reach, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &LetterFilter,
    after: Option<Uuid>,
    limit: i64,
) -> ServiceResult<(Vec<LetterView>, bool)> {
    let mut rows =
        db::followup::list_letters_within(conn, &caller.organ_path, filter, after, limit + 1)
            .await?;
    let page = usize::try_from(limit).unwrap_or(usize::MAX);
    let has_more = rows.len() > page;
    rows.truncate(page);
    let todays = todays(conn, caller).await?;
    Ok((letter_views(conn, rows, &todays).await?, has_more))
}

/// The letters a case prompted, as far as the caller reaches.
pub async fn letters_of_case(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
) -> ServiceResult<Vec<LetterView>> {
    let filter = LetterFilter {
        case_id: Some(case_id),
        ..LetterFilter::default()
    };
    let rows = db::followup::list_letters_within(
        conn,
        &caller.organ_path,
        &filter,
        None,
        i64::try_from(MAX_LINKED_CASES).unwrap_or(i64::MAX),
    )
    .await?;
    let todays = todays(conn, caller).await?;
    letter_views(conn, rows, &todays).await
}

/// The report-back's last day, for opinion letters; unknown (none) while its year's calendar is
/// not loaded.
async fn report_due_on(
    conn: &mut AsyncPgConnection,
    kind: LetterKind,
    issued_on: NaiveDate,
    received_on: Option<NaiveDate>,
) -> ServiceResult<Option<NaiveDate>> {
    if kind != LetterKind::Opinion {
        return Ok(None);
    }
    let calendar = db::calendar::load(conn).await?;
    Ok(followup::report_back_due_on(&calendar, issued_on, received_on).ok())
}

/// Records a letter issued by the caller's organ.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    request: LetterRequest,
) -> ServiceResult<LetterView> {
    require_recorder(caller)?;
    let organ: Organ = db::organs::find_organ(conn, caller.organ_id).await?;
    let today = organ.today();
    let mut errors = FieldErrors::default();
    errors.check_text("document_number", &request.document_number, 100);
    errors.check_text("summary", &request.summary, 4000);
    followup::check_date(&mut errors, "issued_on", request.issued_on, today, None);
    if let Some(received_on) = request.received_on {
        followup::check_date(
            &mut errors,
            "received_on",
            received_on,
            today,
            Some((request.issued_on, "the letter was issued")),
        );
    }
    let recipient_name = match (request.recipient_id, &request.recipient_name) {
        (Some(id), _) => {
            match db::organs::find_respondent_within(conn, id, &caller.organ_path).await? {
                Some(respondent) => respondent.name,
                None => {
                    errors.push(
                        "recipient_id",
                        format!("no respondent {id} is known to this organ"),
                    );
                    String::new()
                }
            }
        }
        (None, Some(name)) => {
            errors.check_text("recipient_name", name, 200);
            name.trim().to_owned()
        }
        (None, None) => {
            errors.push(
                "recipient_name",
                "name the agency the letter goes to (or give recipient_id)",
            );
            String::new()
        }
    };
    let mut case_ids: Vec<Uuid> = Vec::new();
    if request.case_ids.len() > MAX_LINKED_CASES {
        errors.push(
            "case_ids",
            format!("at most {MAX_LINKED_CASES} cases per letter"),
        );
    } else {
        for (index, id) in request.case_ids.iter().enumerate() {
            if case_ids.contains(id) {
                continue;
            }
            if db::cases::find_within(conn, *id, &caller.organ_path)
                .await?
                .is_none()
            {
                errors.push(
                    format!("case_ids[{index}]"),
                    format!("no case {id} is within your reach"),
                );
            }
            case_ids.push(*id);
        }
    }
    let handler_id = request.handler_id.unwrap_or(caller.user_id);
    if db::cases::active_officers_among(conn, caller.organ_id, &[handler_id])
        .await?
        .is_empty()
    {
        errors.push(
            "handler_id",
            format!("{handler_id} is not an active officer of this organ"),
        );
    }
    errors.into_result()?;
    let document_number = request.document_number.trim().to_owned();
    conn.transaction(async |conn| {
        db::calendar::lock_shared(conn).await?;
        if db::followup::letter_number_exists(conn, organ.id, &document_number).await? {
            return Err(ServiceError::conflict(format!(
                "this organ already issued a letter numbered {document_number}"
            )));
        }
        let id = Uuid::now_v7();
        let report_due_on =
            report_due_on(conn, request.kind, request.issued_on, request.received_on).await?;
        db::followup::insert_letter(
            conn,
            &NewLetter {
                id,
                organ_id: organ.id,
                kind: request.kind,
                document_number: document_number.clone(),
                issued_on: request.issued_on,
                recipient_id: request.recipient_id,
                recipient_name: recipient_name.clone(),
                summary: request.summary.trim().to_owned(),
                handler_id,
                received_on: request.received_on,
                report_due_on,
                recorded_by: caller.user_id,
            },
            &case_ids,
        )
        .await?;
        tracing::info!(letter_id = %id, kind = %request.kind, "letter recorded");
        find(conn, caller, id).await
    })
    .await
}

/// Locks a letter of the caller's own organ: a subordinate organ's answers 403, one out of
/// reach 404.
async fn lock(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<(LetterRow, NaiveDate)> {
    let Some(row) = db::followup::lock_letter(conn, id, caller.organ_id).await? else {
        return Err(
            match db::followup::find_letter_within(conn, id, &caller.organ_path).await? {
                Some(_) => ServiceError::forbidden(
                    "letters of a subordinate organ can be read but not recorded on",
                ),
                None => ServiceError::not_found(format!("letter {id}")),
            },
        );
    };
    let today = db::organs::find_organ(conn, row.organ_id).await?.today();
    Ok((row, today))
}

/// Records the day the agency received a letter (once); the report-back falls due 60 days later.
pub async fn record_receipt(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    request: ReceiptRequest,
) -> ServiceResult<LetterView> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        db::calendar::lock_shared(conn).await?;
        let (row, today) = lock(conn, caller, id).await?;
        if let Some(known) = row.received_on {
            return Err(ServiceError::conflict(format!(
                "the letter's receipt is already recorded (on {known}); records are append-only"
            )));
        }
        let mut errors = FieldErrors::default();
        followup::check_date(
            &mut errors,
            "received_on",
            request.received_on,
            today,
            Some((row.issued_on, "the letter was issued")),
        );
        errors.into_result()?;
        let kind: LetterKind = row.kind;
        let due = report_due_on(conn, kind, row.issued_on, Some(request.received_on)).await?;
        db::followup::record_receipt(conn, id, request.received_on, due).await?;
        find(conn, caller, id).await
    })
    .await
}

/// Records an opinion letter's report-back (once), with its receipt if not yet known.
pub async fn record_report_back(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    request: ReportBackRequest,
) -> ServiceResult<LetterView> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        db::calendar::lock_shared(conn).await?;
        let (row, today) = lock(conn, caller, id).await?;
        let kind: LetterKind = row.kind;
        if kind != LetterKind::Opinion {
            return Err(ServiceError::conflict_about(
                "a recommendation letter asks for no report-back (2007 regulations art. 57); only opinion letters have one",
                ConflictAbout::LetterKind(kind),
            ));
        }
        if let Some(reported) = row.reported_on {
            return Err(ServiceError::conflict(format!(
                "the report-back is already recorded (on {reported}); records are append-only"
            )));
        }
        let mut errors = FieldErrors::default();
        let received_on = match (row.received_on, request.received_on) {
            (Some(known), Some(given)) if known != given => {
                errors.push(
                    "received_on",
                    format!("the receipt is already recorded as {known}"),
                );
                known
            }
            (Some(known), _) => known,
            (None, Some(given)) => {
                followup::check_date(
                    &mut errors,
                    "received_on",
                    given,
                    today,
                    Some((row.issued_on, "the letter was issued")),
                );
                given
            }
            (None, None) => {
                errors.push(
                    "received_on",
                    "the letter's receipt is not on record; give the day the agency received it",
                );
                row.issued_on
            }
        };
        followup::check_date(
            &mut errors,
            "reported_on",
            request.reported_on,
            today,
            Some((received_on, "the letter was received")),
        );
        followup::check_note(&mut errors, "summary", request.summary.as_deref());
        errors.into_result()?;
        let due = report_due_on(conn, kind, row.issued_on, Some(received_on)).await?;
        db::followup::record_report_back(
            conn,
            id,
            &ReportBack {
                received_on,
                report_due_on: due,
                reported_on: request.reported_on,
                summary: request.summary.as_deref(),
                recorded_by: caller.user_id,
            },
        )
        .await?;
        tracing::info!(letter_id = %id, "report-back recorded");
        find(conn, caller, id).await
    })
    .await
}
