//! `/api/v1/deadlines`: the feed an office opens every morning — every pending or missed
//! deadline within the caller's reach, across cases, compliance and letters, by due date.

use actix_web::{HttpResponse, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    error::{ApiError, ApiResult, ProblemDetails},
    extract::page_limit,
};
use crate::{
    auth::Caller,
    domain::followup::{FeedKind, FeedStatus},
    service::{
        deadlines::{self as service, DeadlineItem, FeedFilter, FeedKey},
        followup::require_reader,
        organs,
    },
    startup::State,
};

const DEFAULT_PAGE: usize = 100;

/// Filters and paging of the deadline feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// Only deadlines of this kind.
    pub kind: Option<FeedKind>,
    /// `pending` (still running) or `missed` (past due); both by default.
    pub status: Option<FeedStatus>,
    /// Only deadlines this user handles (a case's handlers, a letter's handler).
    pub handler: Option<Uuid>,
    /// Due on or after this date.
    pub due_from: Option<NaiveDate>,
    /// Due on or before this date.
    pub due_to: Option<NaiveDate>,
    /// Page size, 1–200 (default 100).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of the deadline feed, earliest due first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeadlinePage {
    /// Today in the caller's organ: what `days_left` and `days_late` count from.
    pub today: NaiveDate,
    pub items: Vec<DeadlineItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// List pending and missed deadlines within reach, earliest first.
///
/// A case's own deadlines (acceptance review, supplement, copy, reply, decision), compliance
/// time limits and opinion letters' report-backs: each with its case or letter, due date, days
/// left or days late, and who handles it.
#[utoipa::path(
    get, path = "/api/v1/deadlines", tag = "deadlines",
    params(DeadlineQuery),
    responses((status = 403, body = ProblemDetails, description = "Statisticians get figures only"), (status = 200, body = DeadlinePage), (status = 400, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn list_deadlines(
    state: State,
    caller: Caller,
    query: web::Query<DeadlineQuery>,
) -> ApiResult<HttpResponse> {
    require_reader(&caller)?;
    let query = query.into_inner();
    let limit = page_limit(query.limit, DEFAULT_PAGE)?;
    if let (Some(from), Some(to)) = (query.due_from, query.due_to)
        && from > to
    {
        return Err(ApiError::bad_parameter(
            "due_from",
            format!("{from} is after due_to ({to})"),
        ));
    }
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = FeedFilter {
        kind: query.kind,
        status: query.status,
        handler: query.handler,
        due_from: query.due_from,
        due_to: query.due_to,
    };
    let mut conn = state.pool.get().await?;
    let today = organs::own(&mut conn, &caller).await?.today();
    let (items, has_more) =
        service::feed(&mut conn, &state, &caller, &filter, after, limit).await?;
    let next_cursor = has_more
        .then(|| items.last().map(|item| encode_cursor(item.key())))
        .flatten();
    Ok(HttpResponse::Ok().json(DeadlinePage {
        today,
        items,
        next_cursor,
    }))
}

fn encode_cursor(key: FeedKey) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}|{}", key.due_on, key.kind, key.subject))
}

fn decode_cursor(cursor: &str) -> ApiResult<FeedKey> {
    let bad = || ApiError::bad_parameter("cursor", "is not a cursor this service issued");
    let text = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(bad)?;
    let mut parts = text.split('|');
    let (Some(due_on), Some(kind), Some(subject), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    Ok(FeedKey {
        due_on: due_on.parse().map_err(|_| bad())?,
        kind: kind.parse().map_err(|_| bad())?,
        subject: subject.parse().map_err(|_| bad())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key = FeedKey {
            due_on: NaiveDate::from_ymd_opt(2024, 5, 6).expect("date"),
            kind: FeedKind::LetterReportBack,
            subject: Uuid::from_u128(7),
        };
        let cursor = encode_cursor(key);
        assert_eq!(decode_cursor(&cursor).ok(), Some(key));
        assert!(decode_cursor("not-a-cursor").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("2024-05-06|nope|x")).is_err());
    }
}
