//! `/api/v1/audit`: the personal-data audit, for administrators. Each row says who was shown
//! which case's personal data unmasked, when, and through which endpoint.

use actix_web::{HttpResponse, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    error::{ApiError, ApiResult, ProblemDetails},
    extract::page_limit,
};
use crate::{
    auth::{Caller, Role},
    db::audit::AuditRow,
    service::audit::{self as service, AuditSelection},
    startup::State,
};

const DEFAULT_PAGE: i64 = 50;

/// Filters and paging of the audit.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only views of this case.
    pub case_id: Option<Uuid>,
    /// Only views by this user.
    pub user_id: Option<Uuid>,
    /// Viewed on or after this date (in the caller's organ's time zone).
    pub from: Option<NaiveDate>,
    /// Viewed on or before this date (in the caller's organ's time zone).
    pub to: Option<NaiveDate>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One answer that showed a case's personal data unmasked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// Increases with every entry.
    pub id: i64,
    pub viewed_at: DateTime<Utc>,
    pub user_id: Uuid,
    /// The user's sign-in name at the time.
    pub username: String,
    pub case_id: Uuid,
    /// Method and route, e.g. `GET /api/v1/cases/{id}`.
    pub endpoint: String,
}

/// A page of the audit, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            viewed_at: row.viewed_at,
            user_id: row.user_id,
            username: row.username,
            case_id: row.case_id,
            endpoint: row.endpoint,
        }
    }
}

/// Read the personal-data audit.
///
/// Who was shown which case's personal data unmasked, when and through which endpoint, for the
/// cases within the administrator's reach, newest first. Administrators only.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage), (status = 400, body = ProblemDetails),
        (status = 403, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn list_audit(
    state: State,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    if !caller.has_role(Role::Admin) {
        return Err(ApiError::forbidden(
            "the personal-data audit is read by administrators",
        ));
    }
    let query = query.into_inner();
    let limit = page_limit(query.limit, DEFAULT_PAGE)?;
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(ApiError::bad_parameter("from", "must not be after `to`"));
    }
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut conn = state.pool.get().await?;
    let selection = AuditSelection {
        case_id: query.case_id,
        user_id: query.user_id,
        from: query.from,
        to: query.to,
    };
    let mut rows =
        service::list_within_reach(&mut conn, &caller, &selection, after, limit + 1).await?;
    let page = usize::try_from(limit).unwrap_or(usize::MAX);
    let has_more = rows.len() > page;
    rows.truncate(page);
    let next_cursor = has_more
        .then(|| {
            rows.last()
                .map(|row| URL_SAFE_NO_PAD.encode(row.id.to_be_bytes()))
        })
        .flatten();
    Ok(HttpResponse::Ok().json(AuditPage {
        items: rows.into_iter().map(AuditEntry::from).collect(),
        next_cursor,
    }))
}

fn decode_cursor(cursor: &str) -> ApiResult<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
        .map(i64::from_be_bytes)
        .ok_or_else(|| ApiError::bad_parameter("cursor", "is not a cursor this service issued"))
}
