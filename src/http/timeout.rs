//! Request time limits: a request still running after `FUYI_REQUEST_TIMEOUT_SECONDS` is answered
//! 503, and a body still arriving after `FUYI_BODY_READ_TIMEOUT_SECONDS` 408 (see `extract`).

use std::time::Duration;

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};

use super::error::ApiError;

/// How long a request may run (`FUYI_REQUEST_TIMEOUT_SECONDS`).
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub Duration);

/// How long reading a request body may take (`FUYI_BODY_READ_TIMEOUT_SECONDS`).
#[derive(Debug, Clone, Copy)]
pub struct BodyReadTimeout(pub Duration);

/// Middleware: answers 503 problem+json when the rest of the chain runs past the request timeout.
/// The handler's future is dropped; a connection it held in a transaction is discarded by the
/// pool rather than reused, so the server rolls the transaction back.
pub async fn limit_duration(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limit) = req.app_data::<web::Data<RequestTimeout>>().map(|t| t.0) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // No clone of the request may be kept here: routing needs it unshared. An error is answered
    // through `ApiError`'s own response.
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::warn!(limit_s = limit.as_secs(), "request timed out");
            Err(ApiError::busy(
                format!(
                    "the request did not complete within {} s; retry later",
                    limit.as_secs()
                ),
                5,
            )
            .into())
        }
    }
}
