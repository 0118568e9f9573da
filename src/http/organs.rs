//! `/api/v1/organs` and `/api/v1/respondents`: the organ tree and the agencies cases are against.

use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    error::{ApiError, ApiResult, ProblemDetails},
    extract::Json,
};
use crate::{
    auth::{Caller, Role},
    db::organs::{NewOrgan, NewRespondent, Organ, Respondent},
    domain::{ApiValue, case::AdminDomain, validation::FieldErrors},
    service,
    startup::State,
};

/// An organ (复议机关).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrganView {
    pub id: Uuid,
    /// Short unique code, e.g. `fz`.
    pub code: String,
    pub name: String,
    /// Used in case numbers, e.g. `榕`.
    pub short_name: String,
    pub parent_id: Option<Uuid>,
    /// IANA time zone; legal dates are dates there.
    pub time_zone: String,
    pub case_number_pattern: String,
    pub created_at: DateTime<Utc>,
}

impl From<Organ> for OrganView {
    fn from(organ: Organ) -> Self {
        Self {
            id: organ.id,
            code: organ.code,
            name: organ.name,
            short_name: organ.short_name,
            parent_id: organ.parent_id,
            time_zone: organ.time_zone,
            case_number_pattern: organ.case_number_pattern,
            created_at: organ.created_at,
        }
    }
}

/// Organs in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrganList {
    pub items: Vec<OrganView>,
}

/// A new organ under one the caller administers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganRequest {
    #[schema(pattern = r"^[A-Za-z0-9_-]{1,32}$")]
    pub code: String,
    #[schema(pattern = r"\S", max_length = 200)]
    pub name: String,
    #[schema(pattern = r"\S", max_length = 50)]
    pub short_name: String,
    /// The superior organ; defaults to the caller's.
    pub parent_id: Option<Uuid>,
    /// Defaults to `FUYI_DEFAULT_TIME_ZONE`.
    pub time_zone: Option<String>,
}

fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::forbidden("this needs the admin role"))
    }
}

/// List the caller's organ and the organs below it.
#[utoipa::path(
    get, path = "/api/v1/organs", tag = "organs",
    responses((status = 200, body = OrganList)),
    security(("bearer" = []))
)]
pub async fn list_organs(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let organs = service::organs::list_within_reach(&mut conn, &caller).await?;
    Ok(HttpResponse::Ok().json(OrganList {
        items: organs.into_iter().map(OrganView::from).collect(),
    }))
}

/// Create an organ below the caller's (admin).
#[utoipa::path(
    post, path = "/api/v1/organs", tag = "organs",
    request_body = NewOrganRequest,
    responses((status = 201, body = OrganView), (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn create_organ(
    state: State,
    caller: Caller,
    Json(body): Json<NewOrganRequest>,
) -> ApiResult<HttpResponse> {
    require_admin(&caller)?;
    let time_zone = body
        .time_zone
        .clone()
        .unwrap_or_else(|| state.settings.rules.default_time_zone.name().to_owned());
    let mut errors = FieldErrors::default();
    if body.code.is_empty()
        || body.code.len() > 32
        || !body
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push("code", "must be 1–32 letters, digits, - or _");
    }
    errors.check_text("name", &body.name, 200);
    errors.check_text("short_name", &body.short_name, 50);
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        errors.push(
            "time_zone",
            "is not an IANA time zone such as Asia/Shanghai",
        );
    }
    errors.into_result()?;
    let mut conn = state.pool.get().await?;
    let organ = service::organs::create(
        &mut conn,
        &caller,
        NewOrgan {
            code: &body.code,
            name: body.name.trim(),
            short_name: body.short_name.trim(),
            parent_id: body.parent_id,
            time_zone: &time_zone,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(OrganView::from(organ)))
}

/// A respondent (被申请人).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RespondentView {
    pub id: Uuid,
    /// The organ it answers to.
    pub organ_id: Uuid,
    pub name: String,
    /// Unified social credit code (统一社会信用代码).
    pub credit_code: Option<String>,
    pub domain: AdminDomain,
}

impl RespondentView {
    fn from_row(row: Respondent) -> Self {
        Self {
            domain: row.domain,
            id: row.id,
            organ_id: row.organ_id,
            name: row.name,
            credit_code: row.credit_code,
        }
    }
}

/// Respondents in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RespondentList {
    pub items: Vec<RespondentView>,
}

/// A new respondent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRespondentRequest {
    #[schema(pattern = r"\S", max_length = 200)]
    pub name: String,
    #[schema(pattern = r"^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$")]
    pub credit_code: Option<String>,
    pub domain: AdminDomain,
    /// The organ it answers to; defaults to the caller's.
    pub organ_id: Option<Uuid>,
}

/// List respondents answering to the caller's organ or those below it.
#[utoipa::path(
    get, path = "/api/v1/respondents", tag = "organs",
    responses((status = 200, body = RespondentList)),
    security(("bearer" = []))
)]
pub async fn list_respondents(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = service::organs::list_respondents(&mut conn, &caller).await?;
    Ok(HttpResponse::Ok().json(RespondentList {
        items: rows.into_iter().map(RespondentView::from_row).collect(),
    }))
}

/// Unified social credit codes: 18 characters from the national standard's alphabet.
fn valid_credit_code(code: &str) -> bool {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    code.len() == 18 && code.chars().all(|c| ALPHABET.contains(c))
}

/// Register a respondent (admin).
#[utoipa::path(
    post, path = "/api/v1/respondents", tag = "organs",
    request_body = NewRespondentRequest,
    responses((status = 201, body = RespondentView), (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn create_respondent(
    state: State,
    caller: Caller,
    Json(body): Json<NewRespondentRequest>,
) -> ApiResult<HttpResponse> {
    require_admin(&caller)?;
    let mut errors = FieldErrors::default();
    errors.check_text("name", &body.name, 200);
    if let Some(code) = &body.credit_code
        && !valid_credit_code(code)
    {
        errors.push(
            "credit_code",
            "must be an 18-character unified social credit code",
        );
    }
    errors.into_result()?;
    let mut conn = state.pool.get().await?;
    let row = service::organs::create_respondent(
        &mut conn,
        &caller,
        body.organ_id,
        NewRespondent {
            id: Uuid::now_v7(),
            // Replaced by the organ found within reach.
            organ_id: caller.organ_id,
            name: body.name.trim(),
            credit_code: body.credit_code.as_deref(),
            domain: body.domain.as_str(),
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(RespondentView::from_row(row)))
}
