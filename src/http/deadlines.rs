//! `/api/v1/deadlines`: the feed an office opens every morning — every pending or missed
//! deadline within the caller's reach, across cases, compliance and letters, by due date.

use actix_web::{HttpResponse, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
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
    #[param(pattern = r"^[A-Za-z0-9_-]{4}[A-M][A-Za-z0-9_-]{21}[AQgw]$")]
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

// A cursor is the feed key in 27 characters: the due day as an unsigned 24-bit count of days
// from 0001-01-01 (4 base64url characters; to the year 45,000, all within PostgreSQL's dates), the kind as one letter from `A` (its position in
// `FeedKind`), the subject's 16 bytes (22 unpadded base64url characters). Every string of that
// form decodes to a key, so the parameter's pattern in the document is exactly what is accepted.

/// Days after 0001-01-01 a 24-bit cursor field can carry (about 45,000 years).
const CURSOR_DAYS: i32 = 1 << 24;

fn encode_cursor(key: FeedKey) -> String {
    // No due day of a real case comes near either bound; clamping keeps encoding total all the
    // same (a page would then repeat an item rather than fail).
    let days = (key.due_on.num_days_from_ce() - 1)
        .clamp(0, CURSOR_DAYS - 1)
        .to_be_bytes();
    let kind = FeedKind::iter()
        .position(|kind| kind == key.kind)
        .unwrap_or(0);
    let letter = char::from(b'A' + u8::try_from(kind).unwrap_or(0));
    format!(
        "{}{letter}{}",
        URL_SAFE_NO_PAD.encode(&days[1..]),
        URL_SAFE_NO_PAD.encode(key.subject.as_bytes())
    )
}

fn decode_cursor(cursor: &str) -> ApiResult<FeedKey> {
    let bad = || ApiError::bad_parameter("cursor", "is not a cursor this service issued");
    if cursor.len() != 27 || !cursor.is_ascii() {
        return Err(bad());
    }
    let (days, rest) = cursor.split_at(4);
    let (letter, subject) = rest.split_at(1);
    let days = URL_SAFE_NO_PAD.decode(days).map_err(|_| bad())?;
    let [high, middle, low] = days[..] else {
        return Err(bad());
    };
    let days = i32::from_be_bytes([0, high, middle, low]) + 1;
    let kind = letter
        .bytes()
        .next()
        .and_then(|letter| letter.checked_sub(b'A'))
        .and_then(|index| FeedKind::iter().nth(usize::from(index)))
        .ok_or_else(bad)?;
    let subject = URL_SAFE_NO_PAD
        .decode(subject)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(bad)?;
    Ok(FeedKey {
        due_on: NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(bad)?,
        kind,
        subject,
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
        let first = FeedKey {
            due_on: NaiveDate::from_ymd_opt(1, 1, 1).expect("date"),
            ..key
        };
        assert_eq!(decode_cursor(&encode_cursor(first)).ok(), Some(first));
    }

    /// The document promises that every string of the cursor's pattern is accepted; the kind
    /// letters `A`–`M` there must match the kinds there are.
    #[test]
    fn every_string_of_the_documented_form_is_a_cursor() {
        assert_eq!(
            FeedKind::iter().count(),
            13,
            "update the cursor pattern's kind letters"
        );
        for cursor in [
            "AAAAA".to_owned() + "AAAAAAAAAAAAAAAAAAAAAA",
            "____M".to_owned() + "_____________________w",
            "gAAAD".to_owned() + "0123456789abcdefABCDEQ",
        ] {
            let key = decode_cursor(&cursor).expect("a cursor of the documented form");
            assert_eq!(encode_cursor(key), cursor);
        }
        assert!(decode_cursor(&("AAAAN".to_owned() + "AAAAAAAAAAAAAAAAAAAAAA")).is_err());
    }
}
