//! The one error type at the HTTP edge. Every failure leaves the service as an RFC 9457
//! `application/problem+json` body of one shape. The service layer's [`ServiceError`] and database
//! errors are mapped here and nowhere else.

use std::fmt;

use actix_web::{
    HttpResponse, ResponseError,
    http::{
        StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{
    domain::validation::{FieldError, FieldErrors},
    service::error::{ConflictAbout, ServiceError},
};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The body of every error response (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// A URI naming the kind of problem, e.g. `urn:fuyi:problem:validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short, fixed summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, in words a person can act on.
    pub detail: String,
    /// The fields at fault and why, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Further members specific to the problem kind (e.g. `state`, `allowed_actions`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extensions: Map<String, Value>,
}

/// An error answered to the client. Internal causes are logged, never sent.
///
/// Boxed so that `Result<T, ApiError>` stays one pointer wide on the happy path.
pub struct ApiError(Box<Problem>);

struct Problem {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    extensions: Map<String, Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
    cause: Option<anyhow::Error>,
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn new(status: StatusCode, slug: &'static str, title: &'static str, detail: String) -> Self {
        Self(Box::new(Problem {
            status,
            slug,
            title,
            detail,
            errors: Vec::new(),
            extensions: Map::new(),
            headers: Vec::new(),
            cause: None,
        }))
    }

    /// 400: the request cannot be read (malformed JSON, a bad query parameter).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail.into(),
        )
    }

    /// 400 naming the one parameter at fault.
    pub fn bad_parameter(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let field = field.into();
        let reason = reason.into();
        Self::bad_request(format!("{field}: {reason}"))
            .with_errors(vec![FieldError { field, reason }])
    }

    /// 401: no valid credentials. Carries the `WWW-Authenticate` challenge of RFC 6750.
    pub fn unauthorized(detail: impl Into<String>, invalid_token: bool) -> Self {
        let challenge = if invalid_token {
            r#"Bearer error="invalid_token""#
        } else {
            "Bearer"
        };
        let mut err = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            detail.into(),
        );
        err.0.headers.push((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        ));
        err
    }

    /// 403: signed in, but the caller's roles do not allow this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            detail.into(),
        )
    }

    /// 404: no such resource within the caller's reach.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("{} was not found", what.into()),
        )
    }

    /// 405 naming the methods the resource has.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// 409: the request conflicts with the resource's current state.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail.into())
    }

    /// 409 for an action the case's state does not allow.
    pub fn action_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "action-not-allowed",
            "Action not allowed in this state",
            detail.into(),
        )
    }

    /// 412: the `If-Match` version is stale.
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "stale-version",
            "Precondition failed",
            detail.into(),
        )
    }

    /// 428: a change was attempted without `If-Match`.
    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "Precondition required",
            "send the case's current ETag in If-Match to change it".to_owned(),
        )
    }

    /// 413: the body exceeds the configured limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("the request body exceeds the limit of {limit} bytes"),
        )
    }

    /// 415: the body is not JSON.
    pub fn unsupported_media_type(got: Option<&str>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!(
                "expected Content-Type application/json, got {}",
                got.unwrap_or("none")
            ),
        )
    }

    /// 406: none of the representations the client accepts is offered.
    pub fn not_acceptable(offered: &str) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "not-acceptable",
            "Not acceptable",
            format!("this resource is available as {offered}"),
        )
    }

    /// 406 for a representation the resource has but cannot make now, saying why.
    pub fn cannot_represent(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "not-acceptable",
            "Not acceptable",
            detail.into(),
        )
    }

    /// 422: a well-formed request that breaks the rules, naming each field at fault.
    pub fn validation(errors: FieldErrors) -> Self {
        let errors = errors.into_vec();
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect::<Vec<_>>()
            .join("; ");
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Validation failed",
            detail,
        )
        .with_errors(errors)
    }

    /// 422 for a single field.
    pub fn invalid_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::validation(FieldErrors::single(field, reason))
    }

    /// 429: too many attempts; `retry_after` seconds until the next may succeed.
    pub fn too_many_requests(detail: impl Into<String>, retry_after: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Too many requests",
            detail.into(),
        )
        .with_retry_after(retry_after)
    }

    /// 503: a dependency is down.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail.into(),
        )
    }

    /// 503 with `Retry-After`: the service is busy or a dependency is slow; `retry_after` seconds
    /// until a retry may succeed.
    pub fn busy(detail: impl Into<String>, retry_after: u64) -> Self {
        let mut err = Self::unavailable(detail);
        if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
            err.0.headers.push((header::RETRY_AFTER, value));
        }
        err
    }

    /// 408: the client did not send its request in time.
    pub fn request_timeout(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request timeout",
            detail.into(),
        )
    }

    /// 500: logged with its cause, answered opaquely.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "the service could not complete the request; it has been logged".to_owned(),
        );
        err.0.cause = Some(cause.into());
        err
    }

    /// Adds `Retry-After: seconds` (RFC 9110 §10.2.3), for 429 and 503 answers.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            self.0.headers.push((header::RETRY_AFTER, value));
        }
        self
    }

    /// Adds field errors to the body.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    /// Adds a problem-specific member to the body.
    pub fn with_extension(mut self, key: &str, value: impl Serialize) -> Self {
        if let Ok(value) = serde_json::to_value(value) {
            self.0.extensions.insert(key.to_owned(), value);
        }
        self
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    fn problem(&self) -> ProblemDetails {
        ProblemDetails {
            problem_type: format!("urn:fuyi:problem:{}", self.0.slug),
            title: self.0.title.to_owned(),
            status: self.0.status.as_u16(),
            detail: self.0.detail.clone(),
            errors: self.0.errors.clone(),
            extensions: self.0.extensions.clone(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.0.status)
            .field("detail", &self.0.detail)
            .field("cause", &self.0.cause)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0.status.as_u16(), self.0.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.0.cause {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut response = HttpResponse::build(self.0.status);
        response.content_type(PROBLEM_JSON);
        for (name, value) in &self.0.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.json(self.problem())
    }
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        ServiceError::Database(err).into()
    }
}

impl From<ServiceError> for ApiError {
    /// The one translation of a use case's failure into its answer.
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound { what } => Self::not_found(what),
            ServiceError::Forbidden { reason } => Self::forbidden(reason),
            ServiceError::Unauthorized {
                reason,
                invalid_token,
            } => Self::unauthorized(reason, invalid_token),
            ServiceError::Invalid(errors) => Self::validation(errors),
            ServiceError::Conflict { detail, about } => {
                let err = Self::conflict(detail);
                match about {
                    None => err,
                    Some(ConflictAbout::State(state)) => err.with_extension("state", state),
                    Some(ConflictAbout::LetterKind(kind)) => err.with_extension("kind", kind),
                    Some(ConflictAbout::Rule(rule)) => err.with_extension("rule", rule),
                }
            }
            ServiceError::Taken { field, detail } => {
                Self::conflict(detail).with_errors(vec![FieldError {
                    field: field.to_owned(),
                    reason: "is taken".to_owned(),
                }])
            }
            ServiceError::NotAllowedInState {
                state,
                action,
                allowed,
            } => {
                let listed = if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                Self::action_not_allowed(format!(
                    "{action} is not allowed while the case is {state}; allowed now: {listed}"
                ))
                .with_extension("state", state)
                .with_extension("action", action)
                .with_extension("allowed_actions", allowed)
            }
            ServiceError::RuleViolated {
                rule,
                reason,
                allowed,
            } => Self::conflict(format!("{reason} ({rule})"))
                .with_extension("rule", rule)
                .with_extension("allowed_actions", allowed),
            ServiceError::StaleVersion { sent, current } => Self::precondition_failed(format!(
                "the case has changed: you sent version {sent}, it is now at version {current}"
            ))
            .with_extension("current_version", current),
            ServiceError::TooManyAttempts {
                detail,
                retry_after,
            } => Self::too_many_requests(detail, retry_after),
            ServiceError::Busy {
                detail,
                retry_after,
            } => Self::busy(detail, retry_after),
            ServiceError::TooLarge { limit } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                format!("the file exceeds the limit of {limit} bytes"),
            )
            .with_extension("limit", limit),
            ServiceError::UnsupportedType { detail } => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                detail,
            ),
            ServiceError::Database(err) => database_error(err),
            ServiceError::Pool(err) => pool_error(err),
            ServiceError::Internal(err) => Self::internal(err),
        }
    }
}

/// Diesel's errors, read once: which are the client's doing and which are ours.
fn database_error(err: DieselError) -> ApiError {
    match &err {
        DieselError::NotFound => ApiError::not_found("the resource"),
        DieselError::DatabaseError(kind, info) => match kind {
            DatabaseErrorKind::UniqueViolation => ApiError::conflict(format!(
                "a record with the same {} already exists",
                info.constraint_name()
                    .map(constraint_subject)
                    .unwrap_or("key")
            )),
            DatabaseErrorKind::ForeignKeyViolation => ApiError::invalid_field(
                info.constraint_name()
                    .map(constraint_subject)
                    .unwrap_or("reference"),
                "refers to a record that does not exist",
            ),
            DatabaseErrorKind::SerializationFailure => {
                ApiError::conflict("a concurrent change interfered; retry the request")
            }
            // `statement_timeout` (SQLSTATE 57014); diesel has no kind for it, only the text.
            _ if info.message().contains("statement timeout") => {
                tracing::warn!(error = %err, "a query ran past statement_timeout");
                ApiError::busy(
                    "the database took too long to answer; retry shortly or narrow the request",
                    5,
                )
            }
            // JSON and URLs may carry U+0000, PostgreSQL text may not: the client's input, not
            // a fault of the service.
            _ if info.message().contains("invalid byte sequence")
                || info
                    .message()
                    .contains("unsupported Unicode escape sequence") =>
            {
                ApiError::bad_request("text must not contain the NUL character (U+0000)")
            }
            _ => ApiError::internal(err),
        },
        _ => ApiError::internal(err),
    }
}

/// Names the thing a constraint protects, from its conventional name (`table_column_key`).
fn constraint_subject(constraint: &str) -> &str {
    constraint
        .trim_end_matches("_key")
        .trim_end_matches("_fkey")
        .trim_end_matches("_idx")
}

impl From<PoolError> for ApiError {
    fn from(err: PoolError) -> Self {
        ServiceError::Pool(err).into()
    }
}

/// No connection: busy if the pool timed out, unreachable otherwise; both worth a retry.
fn pool_error(err: PoolError) -> ApiError {
    match err {
        PoolError::Timeout(kind) => {
            tracing::warn!(?kind, "no database connection within the pool's timeout");
            ApiError::busy("all database connections are busy; retry shortly", 1)
        }
        err => {
            // The driver's text may name hosts and users: logged, not answered.
            tracing::error!(error = %err, "no database connection available");
            ApiError::busy("the database is not reachable right now; retry shortly", 5)
        }
    }
}

impl From<crate::db::statistics::TallyError> for ApiError {
    fn from(err: crate::db::statistics::TallyError) -> Self {
        ServiceError::from(err).into()
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        Self::internal(err)
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::validation(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn answer(err: ServiceError) -> (u16, Option<String>, Value) {
        let response = ApiError::from(err).error_response();
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .into_body()
            .try_into_bytes()
            .expect("a complete body");
        (
            status,
            retry_after,
            serde_json::from_slice(&bytes).expect("json"),
        )
    }

    #[test]
    fn service_errors_keep_their_answers() {
        let (status, retry, body) = answer(ServiceError::Busy {
            detail: "busy".to_owned(),
            retry_after: 3,
        });
        assert_eq!((status, retry.as_deref()), (503, Some("3")));
        assert_eq!(body["type"], "urn:fuyi:problem:unavailable");

        let (status, _, body) = answer(ServiceError::Taken {
            field: "username",
            detail: "the username x is taken".to_owned(),
        });
        assert_eq!(status, 409);
        assert_eq!(body["errors"][0]["field"], "username");
        assert_eq!(body["errors"][0]["reason"], "is taken");

        let (status, _, body) = answer(ServiceError::StaleVersion {
            sent: 1,
            current: 2,
        });
        assert_eq!(status, 412);
        assert_eq!(body["current_version"], 2);
        assert_eq!(
            body["detail"],
            "the case has changed: you sent version 1, it is now at version 2"
        );

        let (status, _, body) = answer(ServiceError::Database(DieselError::NotFound));
        assert_eq!(status, 404);
        assert_eq!(body["detail"], "the resource was not found");
    }
}
