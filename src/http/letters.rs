//! `/api/v1/letters`: opinion letters (行政复议意见书, art. 76) and recommendation letters (建议书,
//! 2007 regulations art. 57) to agencies, linked to the cases that prompted them, with an
//! opinion letter's receipt and report-back (due 60 days after receipt).

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{
    conditional::{idempotent, versioned},
    error::{ApiError, ApiResult, ProblemDetails},
    extract::{Json, page_limit},
};
use crate::{
    auth::Caller,
    db::followup::LetterFilter,
    domain::{ApiValue, followup::LetterKind},
    service::{
        followup::{require_reader, require_recorder},
        letters::{
            self as service, LetterPage, LetterRequest, LetterView, ReceiptRequest,
            ReportBackRequest,
        },
    },
    startup::State,
};

const DEFAULT_PAGE: i64 = 50;

/// Filters and paging of the letter list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LetterListQuery {
    pub kind: Option<LetterKind>,
    /// Issued on or after this date.
    pub issued_from: Option<NaiveDate>,
    /// Issued on or before this date.
    pub issued_to: Option<NaiveDate>,
    /// Only letters this case prompted.
    pub case_id: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    // 16 bytes in unpadded base64url: 21 free characters and a last one with 4 zero bits.
    #[param(pattern = r"^[A-Za-z0-9_-]{21}[AQgw]$")]
    pub cursor: Option<String>,
}

fn with_location(mut response: HttpResponse, id: Uuid) -> HttpResponse {
    if let Ok(value) = header::HeaderValue::from_str(&format!("/api/v1/letters/{id}")) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn json(view: &LetterView) -> ApiResult<serde_json::Value> {
    serde_json::to_value(view).map_err(ApiError::internal)
}

/// Record a letter issued to an agency.
///
/// An opinion letter's report-back falls due 60 days after its receipt (after its issue while
/// the receipt is not recorded). `Location` is the new letter.
#[utoipa::path(
    post, path = "/api/v1/letters", tag = "letters",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed")),
    request_body = LetterRequest,
    responses(
        (status = 201, body = LetterView, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 409, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_letter(
    state: State,
    caller: Caller,
    req: HttpRequest,
    Json(body): Json<LetterRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::issue(conn, &caller, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await
}

/// Read a letter.
#[utoipa::path(
    get, path = "/api/v1/letters/{id}", tag = "letters",
    params(("id" = Uuid, Path, description = "Letter id")),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), 
        (status = 200, body = LetterView, headers(("ETag" = String))),
        (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn get_letter(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let view = service::find(&mut conn, &caller, id.into_inner()).await?;
    Ok(versioned(StatusCode::OK, view.version, &view))
}

/// List letters within reach, newest first.
#[utoipa::path(
    get, path = "/api/v1/letters", tag = "letters",
    params(LetterListQuery),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), (status = 200, body = LetterPage), (status = 400, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn list_letters(
    state: State,
    caller: Caller,
    query: web::Query<LetterListQuery>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let query = query.into_inner();
    let limit = page_limit(query.limit, DEFAULT_PAGE)?;
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = LetterFilter {
        kind: query.kind.map(|k| k.as_str().to_owned()),
        issued_from: query.issued_from,
        issued_to: query.issued_to,
        case_id: query.case_id,
    };
    let mut conn = state.pool.get().await?;
    let (items, has_more) = service::list(&mut conn, &caller, &filter, after, limit).await?;
    let next_cursor = has_more
        .then(|| {
            items
                .last()
                .map(|l| URL_SAFE_NO_PAD.encode(l.id.as_bytes()))
        })
        .flatten();
    Ok(HttpResponse::Ok().json(LetterPage { items, next_cursor }))
}

fn decode_cursor(cursor: &str) -> ApiResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::bad_parameter("cursor", "is not a cursor this service issued"))
}

/// Record the day the agency received a letter.
///
/// Once; not before the letter was issued. An opinion letter's report-back falls due 60 days
/// later (art. 76).
#[utoipa::path(
    post, path = "/api/v1/letters/{id}/receipt", tag = "letters",
    params(
        ("id" = Uuid, Path, description = "Letter id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = ReceiptRequest,
    responses(
        (status = 201, body = LetterView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_receipt(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<ReceiptRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::record_receipt(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await?;
    Ok(with_location(response, id))
}

/// Record an opinion letter's report-back.
///
/// The agency's report on what it corrected: the day it arrived (not before receipt), with the
/// day of receipt unless already recorded. Once; recommendation letters have none (409).
#[utoipa::path(
    post, path = "/api/v1/letters/{id}/report-back", tag = "letters",
    params(
        ("id" = Uuid, Path, description = "Letter id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = ReportBackRequest,
    responses(
        (status = 201, body = LetterView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_report_back(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<ReportBackRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::record_report_back(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await?;
    Ok(with_location(response, id))
}
