//! Records on a concluded case, none of which changes its state: service of the decision
//! (`/cases/{id}/services`), compliance with a remake or perform order and the measures of
//! art. 77 (`/cases/{id}/compliance`), lawsuits with their hearings and judgments
//! (`/cases/{id}/lawsuits`, `/lawsuits/{id}`), and the whole follow-up (`/cases/{id}/followup`).
//!
//! Records are append-only. Each `POST` adds one and answers 201 with the record's parent as it
//! now stands (`Location` points there); `Idempotency-Key` makes it safe to retry. Anyone who
//! reaches the case reads its records; officers and heads of the case's own organ add them.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use serde::Serialize;
use uuid::Uuid;

use super::{
    conditional::{idempotent, versioned},
    error::{ApiError, ApiResult, ProblemDetails},
    extract::Json,
};
use crate::{
    auth::Caller,
    service::followup::{
        self as service, ComplianceRequest, ComplianceView, FollowupSummary, HearingRequest,
        JudgmentRequest, LawsuitList, LawsuitRequest, LawsuitView, MeasureRequest, ServiceList,
        ServiceRequest, require_reader, require_recorder,
    },
    startup::State,
};

/// The JSON of a view, for the idempotency store.
fn json<T: Serialize>(view: &T) -> ApiResult<serde_json::Value> {
    serde_json::to_value(view).map_err(ApiError::internal)
}

/// Points `Location` at `location`, the resource that shows the new record.
fn located(mut response: HttpResponse, location: &str) -> HttpResponse {
    if let Ok(value) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Read the follow-up of a case.
///
/// Service and the day the decision took effect, compliance, lawsuits and the letters the case
/// prompted, in one answer.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/followup", tag = "followup",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), (status = 200, body = FollowupSummary), (status = 404, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn get_followup(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let summary = service::summary(&mut conn, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Read the service of a case's decision.
///
/// Who has been served, and the day the decision took effect (art. 75): once served on every
/// applicant and the respondent.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/services", tag = "followup",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), 
        (status = 200, body = ServiceList, headers(("ETag" = String))),
        (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn list_services(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let (row, lifecycle) = service::find_case(&mut conn, &caller, id.into_inner()).await?;
    let list = service::service_list(&mut conn, &row, &lifecycle).await?;
    Ok(versioned(StatusCode::OK, list.version, &list))
}

/// Record service of the decision on a party.
///
/// Only on a concluded case (409 otherwise, naming its state). Service on an agent or
/// representative counts for the party they act for; electronic service needs consent.
/// Service on the respondent starts a remake or perform order's time limit.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/services", tag = "followup",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = ServiceRequest,
    responses(
        (status = 201, body = ServiceList, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_service(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<ServiceRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let list = service::record_service(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, list.version, json(&list)?))
    })
    .await?;
    Ok(located(response, &format!("/api/v1/cases/{id}/services")))
}

/// Read a case's compliance duty.
///
/// A revocation with a remake order or an order to perform carries a time limit, running from
/// the decision's service on the respondent; the answer shows its last day, whether it is
/// pending, met, late or missed, and the measures taken. 404 when the decision ordered neither.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/compliance", tag = "followup",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), 
        (status = 200, body = ComplianceView, headers(("ETag" = String))),
        (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn get_compliance(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let view = service::find_compliance(&mut conn, &caller, id.into_inner()).await?;
    Ok(versioned(StatusCode::OK, view.version, &view))
}

/// Record the respondent's compliance.
///
/// The day it remade the act (with the new act's document number) or performed; not before
/// the decision. Recorded once.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/compliance", tag = "followup",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = ComplianceRequest,
    responses(
        (status = 201, body = ComplianceView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_compliance(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<ComplianceRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::record_compliance(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await?;
    Ok(located(response, &format!("/api/v1/cases/{id}/compliance")))
}

/// Record a measure against non-compliance (art. 77).
///
/// An order to comply (with a new time limit), an interview of the agency's head (约谈) or public
/// criticism (通报批评), taken after the time limit ran out without compliance.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/compliance/measures", tag = "followup",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = MeasureRequest,
    responses(
        (status = 201, body = ComplianceView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_measure(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<MeasureRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::record_measure(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await?;
    Ok(located(response, &format!("/api/v1/cases/{id}/compliance")))
}

/// List the lawsuits brought against a case's decision.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/lawsuits", tag = "followup",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), (status = 200, body = LawsuitList), (status = 404, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn list_lawsuits(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let list = service::case_lawsuits(&mut conn, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Record a lawsuit against a case's decision.
///
/// The court, its case number, the day filed (not before the decision) and whether the organ is
/// a co-defendant. Several suits per case are possible. `Location` is the new
/// `/api/v1/lawsuits/{id}`.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/lawsuits", tag = "followup",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = LawsuitRequest,
    responses(
        (status = 201, body = LawsuitView, headers(("ETag" = String), ("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_lawsuit(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<LawsuitRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::record_lawsuit(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await?;
    // The idempotency layer derives `Location` from the request path and the new id (also on a
    // replay); a lawsuit lives at the top level.
    let lawsuit_id = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|location| location.rsplit('/').next())
        .map(str::to_owned);
    Ok(match lawsuit_id {
        Some(lawsuit_id) => located(response, &format!("/api/v1/lawsuits/{lawsuit_id}")),
        None => response,
    })
}

/// Read a lawsuit with its hearings and judgments.
#[utoipa::path(
    get, path = "/api/v1/lawsuits/{id}", tag = "followup",
    params(("id" = Uuid, Path, description = "Lawsuit id")),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), 
        (status = 200, body = LawsuitView, headers(("ETag" = String))),
        (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn get_lawsuit(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let view = service::find_lawsuit(&mut conn, &caller, id.into_inner()).await?;
    Ok(versioned(StatusCode::OK, view.version, &view))
}

/// Record a court hearing of a lawsuit.
///
/// The instance, the day held (not before the suit was filed; on appeal or retrial not before
/// the first instance's judgment) and whether the agency's head appeared in court.
#[utoipa::path(
    post, path = "/api/v1/lawsuits/{id}/hearings", tag = "followup",
    params(
        ("id" = Uuid, Path, description = "Lawsuit id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = HearingRequest,
    responses(
        (status = 201, body = LawsuitView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_hearing(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<HearingRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::record_hearing(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await?;
    Ok(located(response, &format!("/api/v1/lawsuits/{id}")))
}

/// Record how an instance of a lawsuit ended.
///
/// Once per instance (first, second, retrial): the day, the result and whether the agency won
/// or lost; not before the suit was filed, the instance below or a hearing of the same instance.
#[utoipa::path(
    post, path = "/api/v1/lawsuits/{id}/judgments", tag = "followup",
    params(
        ("id" = Uuid, Path, description = "Lawsuit id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = JudgmentRequest,
    responses(
        (status = 201, body = LawsuitView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_judgment(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(body): Json<JudgmentRequest>,
) -> ApiResult<HttpResponse> {
    require_recorder(&caller)?;
    let id = id.into_inner();
    let response = idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::record_judgment(conn, &caller, id, body.clone()).await?;
        Ok((StatusCode::CREATED, view.version, json(&view)?))
    })
    .await?;
    Ok(located(response, &format!("/api/v1/lawsuits/{id}")))
}
