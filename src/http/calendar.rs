//! `/api/v1/calendar/{year}`: the official working-day calendar, editable by an administrator.

use std::collections::BTreeSet;

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    error::{ApiError, ApiResult, ProblemDetails},
    extract::Json,
};
use crate::{
    auth::{Caller, Role},
    domain::calendar::{CalendarError, YearCalendar},
    service,
    startup::State,
};

/// One year's arrangement: statutory holidays and make-up working days (调休).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarYearBody {
    /// Days off by statute (including the weekend days that are part of a holiday), each once.
    // A list, not a set: a date typed twice is reported rather than silently merged.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days, each once.
    pub makeup_workdays: Vec<NaiveDate>,
}

/// A year's calendar.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarYearView {
    pub year: i32,
    pub holidays: BTreeSet<NaiveDate>,
    pub makeup_workdays: BTreeSet<NaiveDate>,
}

/// Read a year's working-day calendar.
#[utoipa::path(
    get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path)),
    responses((status = 200, body = CalendarYearView), (status = 404, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn get_year(
    state: State,
    _caller: Caller,
    year: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let year = year.into_inner();
    let mut conn = state.pool.get().await?;
    let calendar = service::cases::calendar(&mut conn).await?;
    let loaded = calendar
        .year(year)
        .ok_or_else(|| ApiError::not_found(format!("the calendar of {year}")))?;
    Ok(HttpResponse::Ok().json(CalendarYearView {
        year,
        holidays: loaded.holidays.clone(),
        makeup_workdays: loaded.makeup_workdays.clone(),
    }))
}

/// Replace a year's working-day calendar (admin of a root organ), e.g. when the State Council publishes the next
/// year's arrangement.
///
/// The deadlines stored for the case list's filters are recomputed for every open case in the
/// same transaction.
#[utoipa::path(
    put, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, minimum = 1990, maximum = 2200)),
    request_body = CalendarYearBody,
    responses(
        (status = 200, body = CalendarYearView), (status = 403, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn put_year(
    state: State,
    caller: Caller,
    year: web::Path<i32>,
    Json(body): Json<CalendarYearBody>,
) -> ApiResult<HttpResponse> {
    if !caller.has_role(Role::Admin) {
        return Err(ApiError::forbidden(
            "editing the calendar needs the admin role",
        ));
    }
    // The working-day calendar is national and binds every organ's deadlines: only the top of
    // the organ tree changes it, not the admin of a district.
    {
        let mut conn = state.pool.get().await?;
        let organ = service::organs::own(&mut conn, &caller).await?;
        if organ.parent_id.is_some() {
            return Err(ApiError::forbidden(
                "editing the calendar needs the admin role in a root organ (one with no superior)",
            ));
        }
    }
    let year = year.into_inner();
    if !(1990..=2200).contains(&year) {
        return Err(ApiError::invalid_field(
            "year",
            "must be between 1990 and 2200",
        ));
    }
    let field = |err: &CalendarError| match err {
        CalendarError::DateOutsideYear { date, .. } | CalendarError::DuplicateDate(date)
            if !body.holidays.contains(date) =>
        {
            "makeup_workdays"
        }
        CalendarError::DateOutsideYear { .. } | CalendarError::DuplicateDate(_) => "holidays",
        _ => "makeup_workdays",
    };
    let calendar = YearCalendar::new(
        year,
        body.holidays.iter().copied(),
        body.makeup_workdays.iter().copied(),
    )
    .map_err(|err| ApiError::invalid_field(field(&err), err.to_string()))?;
    let mut conn = state.pool.get().await?;
    let reprojected =
        service::cases::replace_calendar_year(&mut conn, &state, &calendar, caller.user_id).await?;
    tracing::info!(year, reprojected, "working-day calendar replaced");
    Ok(HttpResponse::Ok().json(CalendarYearView {
        year,
        holidays: calendar.holidays,
        makeup_workdays: calendar.makeup_workdays,
    }))
}
