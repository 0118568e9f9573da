//! `/api/v1/cases`: register, read, list, correct, act on a case, and read its history.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    conditional::{endpoint, idempotent, if_match, versioned},
    error::{ApiError, ApiResult, ProblemDetails},
    extract::{Json, page_limit},
};
use crate::{
    auth::{Caller, Role},
    db::{self, cases::CaseFilter},
    domain::{
        ApiValue,
        case::{ActType, AdminDomain},
        lifecycle::{Action, ActionFields, ActionKind, CaseState},
    },
    service::cases::{self as service, CasePatch, CaseRegistration, CaseView, TransitionRequest},
    startup::State,
};

const DEFAULT_PAGE: i64 = 50;

fn require_case_role(caller: &Caller) -> ApiResult<()> {
    if caller.has_any_role(&[Role::Officer, Role::Head]) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "handling cases needs the officer or head role",
        ))
    }
}

/// Case reads need a role that works with cases or oversees them; statisticians see figures only.
fn require_case_reader(caller: &Caller) -> ApiResult<()> {
    if caller.has_any_role(&[Role::Officer, Role::Head, Role::Admin]) {
        Ok(())
    } else {
        Err(ApiError::forbidden("statisticians read figures, not cases"))
    }
}

/// The case's view as JSON, read on `conn` (inside the request's transaction, if any); an
/// unmasked view is recorded in the personal-data audit under `endpoint`.
async fn respond(
    conn: &mut AsyncPgConnection,
    state: &State,
    caller: &Caller,
    row: db::cases::CaseRow,
    endpoint: &str,
) -> ApiResult<(StatusCode, i32, serde_json::Value)> {
    let version = row.version;
    let view = service::view(conn, state, caller, row, endpoint).await?;
    Ok((
        StatusCode::OK,
        version,
        serde_json::to_value(view).map_err(ApiError::internal)?,
    ))
}

/// Register an application.
///
/// The case starts in `received`; applications made more than 60 days after the applicant
/// learned of the act are stored with `late_application` set. Send an `Idempotency-Key` to make
/// retries safe.
#[utoipa::path(
    post, path = "/api/v1/cases", tag = "cases",
    request_body = CaseRegistration,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed")),
    responses(
        (status = 201, body = CaseView, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn create_case(
    state: State,
    caller: Caller,
    req: HttpRequest,
    Json(body): Json<CaseRegistration>,
) -> ApiResult<HttpResponse> {
    require_case_role(&caller)?;
    idempotent(&state, &caller, &req, &body, async |conn| {
        let view = service::register_and_view(conn, &state, &caller, body.clone(), &endpoint(&req))
            .await?;
        tracing::info!(case_id = %view.id, "case registered");
        let version = view.version;
        let view = serde_json::to_value(view).map_err(ApiError::internal)?;
        Ok((StatusCode::CREATED, version, view))
    })
    .await
}

/// Read a case.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 200, body = CaseView, headers(("ETag" = String))), (status = 404, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn get_case(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_case_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let view = service::read(&mut conn, &state, &caller, id.into_inner(), &endpoint(&req)).await?;
    Ok(versioned(StatusCode::OK, view.version, &view))
}

/// Correct registration fields.
///
/// Requires `If-Match` with the case's ETag. The correction is recorded in the history.
#[utoipa::path(
    patch, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The case's ETag")),
    request_body = CasePatch,
    responses(
        (status = 200, body = CaseView), (status = 412, body = ProblemDetails),
        (status = 422, body = ProblemDetails), (status = 428, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn patch_case(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(patch): Json<CasePatch>,
) -> ApiResult<HttpResponse> {
    require_case_role(&caller)?;
    let expected = if_match(&req)?;
    let mut conn = state.pool.get().await?;
    let row =
        service::correct(&mut conn, &state, &caller, id.into_inner(), expected, patch).await?;
    let (status, version, view) = respond(&mut conn, &state, &caller, row, &endpoint(&req)).await?;
    Ok(versioned(status, version, &view))
}

/// Take an action on a case.
///
/// `{"action": "accept", "procedure": "ordinary", ...}` — the action's fields sit beside
/// `action`. Requires `If-Match`; a refused action is a 409 naming the state and the actions
/// allowed now.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/transitions", tag = "cases",
    params(
        ("id" = Uuid, Path),
        ("If-Match" = String, Header, description = "The case's ETag"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry key; the first answer is replayed"),
    ),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = CaseView), (status = 409, body = ProblemDetails),
        (status = 412, body = ProblemDetails), (status = 422, body = ProblemDetails),
        (status = 428, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn transition_case(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Json(raw): Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    require_case_role(&caller)?;
    let body = parse_transition(raw)?;
    service::check_action_fields(&body.action)?;
    let id = id.into_inner();
    idempotent(&state, &caller, &req, &body, async |conn| {
        let expected = if_match(&req)?;
        let row = service::transition(conn, &state, &caller, id, expected, body.clone()).await?;
        respond(conn, &state, &caller, row, &endpoint(&req)).await
    })
    .await
}

/// Reads a transition body, naming the field at fault in every 422.
///
/// The action's fields sit beside its `action` tag, and serde buffers such a body before it
/// knows the variant, so its own errors point at the whole body. Here the tag and `occurred_on`
/// are checked first, a missing or unknown field is named from serde's message, and a malformed
/// one is found by leaving each field out in turn.
fn parse_transition(raw: serde_json::Value) -> ApiResult<TransitionRequest> {
    let serde_json::Value::Object(mut fields) = raw else {
        return Err(ApiError::invalid_field("body", "must be a JSON object"));
    };
    let occurred_on = match fields.remove("occurred_on") {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => Some(serde_json::from_value::<NaiveDate>(value).map_err(|_| {
            ApiError::invalid_field("occurred_on", "must be a date such as 2024-03-05")
        })?),
    };
    let known = || {
        ActionKind::iter()
            .map(|kind| kind.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kind = match fields.remove("action") {
        None => {
            return Err(ApiError::invalid_field(
                "action",
                format!("name the action, one of: {}", known()),
            ));
        }
        Some(value) => match value
            .as_str()
            .and_then(|name| name.parse::<ActionKind>().ok())
        {
            Some(kind) => kind,
            None => {
                return Err(ApiError::invalid_field(
                    "action",
                    format!("{value} is not an action; one of: {}", known()),
                ));
            }
        },
    };
    // The tag outside, so the path of a field at fault survives deserialization.
    let tagged =
        serde_json::Map::from_iter([(kind.to_string(), serde_json::Value::Object(fields))]);
    let action: ActionFields =
        serde_path_to_error::deserialize(JsonValue::new(serde_json::Value::Object(tagged)))
            .map_err(|err| {
                let field = match err.inner() {
                    FieldFault::Missing(name) => (*name).to_owned(),
                    FieldFault::Unknown(..) | FieldFault::Invalid(_) => field_path(err.path()),
                };
                ApiError::invalid_field(field, err.into_inner().to_string())
            })?;
    Ok(TransitionRequest {
        occurred_on,
        action: Action::from(action),
    })
}

/// The path below the variant's tag, e.g. `handlers[1]` from `assign.handlers[1]`; `body` when
/// the fault is not inside one field.
fn field_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter().skip(1) {
        if !out.is_empty() && !matches!(segment, serde_path_to_error::Segment::Seq { .. }) {
            out.push('.');
        }
        out.push_str(&segment.to_string());
    }
    if out.is_empty() {
        "body".to_owned()
    } else {
        out
    }
}

/// Why an action's fields do not parse. serde reports missing and unknown fields through
/// dedicated hooks, so the field's name comes from them rather than from the message's wording.
#[derive(Debug)]
enum FieldFault {
    Missing(&'static str),
    /// The field and the ones the action takes.
    Unknown(String, &'static [&'static str]),
    Invalid(String),
}

impl std::fmt::Display for FieldFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(name) => write!(f, "missing field `{name}`"),
            Self::Unknown(name, []) => write!(f, "unknown field `{name}`; the action takes none"),
            Self::Unknown(name, expected) => write!(
                f,
                "unknown field `{name}`, expected one of: {}",
                expected.join(", ")
            ),
            Self::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for FieldFault {}

impl serde::de::Error for FieldFault {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self::Invalid(msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        Self::Missing(field)
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::Unknown(field.to_owned(), expected)
    }
}

/// A JSON value read with [`FieldFault`] as its error; `serde_json::Value`'s own deserializer
/// fixes the error type to `serde_json::Error`, whose missing-field hook keeps only a message.
struct JsonValue<E> {
    value: serde_json::Value,
    error: std::marker::PhantomData<E>,
}

impl<E> JsonValue<E> {
    fn new(value: serde_json::Value) -> Self {
        Self {
            value,
            error: std::marker::PhantomData,
        }
    }
}

impl<'de, E: serde::de::Error> serde::de::IntoDeserializer<'de, E> for JsonValue<E> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de, E: serde::de::Error> serde::Deserializer<'de> for JsonValue<E> {
    type Error = E;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        use serde_json::Value;
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(flag) => visitor.visit_bool(flag),
            Value::Number(number) => {
                if let Some(n) = number.as_u64() {
                    visitor.visit_u64(n)
                } else if let Some(n) = number.as_i64() {
                    visitor.visit_i64(n)
                } else {
                    visitor.visit_f64(number.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(text) => visitor.visit_string(text),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(JsonValue::<E>::new));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(map) => {
                let mut map =
                    MapDeserializer::new(map.into_iter().map(|(k, v)| (k, JsonValue::<E>::new(v))));
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            serde_json::Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        use serde::de::value::{MapAccessDeserializer, MapDeserializer, StringDeserializer};
        match self.value {
            serde_json::Value::String(text) => {
                visitor.visit_enum(StringDeserializer::<E>::new(text))
            }
            serde_json::Value::Object(map) => visitor.visit_enum(MapAccessDeserializer::new(
                MapDeserializer::new(map.into_iter().map(|(k, v)| (k, JsonValue::<E>::new(v)))),
            )),
            other => JsonValue::<E>::new(other).deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// One event of a case's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// 1, 2, 3… per case.
    pub seq: i32,
    /// `register`, `correct`, or an action.
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_id: Option<Uuid>,
    /// The acting user's sign-in name.
    pub actor: Option<String>,
    /// The legal date of the action.
    pub occurred_on: NaiveDate,
    /// When the service recorded it.
    pub recorded_at: DateTime<Utc>,
    /// The action's fields and the facts it was judged on.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// A case's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
}

/// Read a case's history, oldest first.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/events", tag = "cases",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = EventList), (status = 404, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn list_events(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    require_case_reader(&caller)?;
    let mut conn = state.pool.get().await?;
    let items = service::history(&mut conn, &caller, id.into_inner())
        .await?
        .into_iter()
        .map(|(event, actor)| EventView {
            seq: event.seq,
            action: event.action,
            from_state: event.from_state,
            to_state: event.to_state,
            actor_id: event.actor_id,
            actor,
            occurred_on: event.occurred_on,
            recorded_at: event.recorded_at,
            payload: event.payload,
        })
        .collect();
    Ok(HttpResponse::Ok().json(EventList { items }))
}

/// Filters and paging of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseListQuery {
    pub state: Option<CaseState>,
    pub respondent: Option<Uuid>,
    pub domain: Option<AdminDomain>,
    pub act_type: Option<ActType>,
    pub enterprise_related: Option<bool>,
    /// Received on or after this date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this date.
    pub received_to: Option<NaiveDate>,
    /// Free text over applicant names, the respondent, the act's document number and the case
    /// number.
    pub q: Option<String>,
    /// Only open cases with a deadline already missed.
    pub overdue: Option<bool>,
    /// Only open cases whose next deadline falls before this date.
    pub deadline_before: Option<NaiveDate>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    // 16 bytes in unpadded base64url: 21 free characters and a last one with 4 zero bits.
    #[param(pattern = r"^[A-Za-z0-9_-]{21}[AQgw]$")]
    pub cursor: Option<String>,
}

/// A case in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    pub id: Uuid,
    pub case_number: Option<String>,
    pub state: String,
    pub version: i32,
    pub received_on: NaiveDate,
    pub respondent_id: Uuid,
    pub domain: String,
    pub act_type: String,
    pub act_document_number: Option<String>,
    pub applicants: Vec<String>,
    pub enterprise_related: bool,
    pub late_application: bool,
    /// The earliest deadline still to meet.
    pub next_deadline_on: Option<NaiveDate>,
}

/// A page of cases.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// List cases within reach, newest first.
#[utoipa::path(
    get, path = "/api/v1/cases", tag = "cases",
    params(CaseListQuery),
    responses((status = 200, body = CasePage), (status = 400, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn list_cases(
    state: State,
    caller: Caller,
    query: web::Query<CaseListQuery>,
) -> ApiResult<HttpResponse> {
    require_case_reader(&caller)?;
    let query = query.into_inner();
    let limit = page_limit(query.limit, DEFAULT_PAGE)?;
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut conn = state.pool.get().await?;
    let filter = CaseFilter {
        state: query.state.map(|s| s.as_str().to_owned()),
        respondent_id: query.respondent,
        domain: query.domain.map(|d| d.as_str().to_owned()),
        act_type: query.act_type.map(|t| t.as_str().to_owned()),
        enterprise_related: query.enterprise_related,
        received_from: query.received_from,
        received_to: query.received_to,
        text: query.q.filter(|q| !q.trim().is_empty()),
        deadline_before: query.deadline_before,
        overdue_on: None,
    };
    let overdue = query.overdue.unwrap_or(false);
    let service::CaseListPage {
        rows,
        applicants: names,
        has_more,
    } = service::list_page(&mut conn, &caller, filter, overdue, after, limit).await?;
    let next_cursor = has_more
        .then(|| rows.last().map(|r| encode_cursor(r.id)))
        .flatten();
    let items = rows
        .into_iter()
        .map(|row| CaseSummary {
            applicants: names
                .iter()
                .filter(|(case_id, _)| *case_id == row.id)
                .map(|(_, name)| name.clone())
                .collect(),
            id: row.id,
            case_number: row.case_number,
            state: row.state.to_string(),
            version: row.version,
            received_on: row.received_on,
            respondent_id: row.respondent_id,
            domain: row.domain.to_string(),
            act_type: row.act_type.to_string(),
            act_document_number: row.act_document_number,
            enterprise_related: row.enterprise_related,
            late_application: row.late_application,
            next_deadline_on: row.next_deadline_on,
        })
        .collect();
    Ok(HttpResponse::Ok().json(CasePage { items, next_cursor }))
}

fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> ApiResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::bad_parameter("cursor", "is not a cursor this service issued"))
}
